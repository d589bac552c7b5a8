"""Ctrl-C in any command: a message saying what is kept and what to do, exit 130."""

from __future__ import annotations

from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.project import init_project

runner = CliRunner()


def test_ctrl_c_says_what_is_kept_and_what_to_do(tmp_path, monkeypatch):
    """`tag`, `dedupe`, `import` interrupted with Ctrl-C exited 130 without a word: the
    user could not tell whether the project was damaged or what to do next."""
    import nlp_review.cli.project_cmds as project_cmds

    init_project(tmp_path / "proj").close()

    def interrupted(conn):
        raise KeyboardInterrupt

    monkeypatch.setattr(project_cmds, "project_status", interrupted)
    result = runner.invoke(app, ["status", "-p", str(tmp_path / "proj")])
    assert result.exit_code == 130
    flat = " ".join(result.output.split())
    assert "Interrupted." in flat and "Run the command again to go on." in flat
    assert "Traceback" not in result.output
