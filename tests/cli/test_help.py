"""Every command and every option a user can type has help text."""

import typer.main
from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def _walk(command, path=()):
    # typer 0.29 vendors click (typer._click): its groups are not `click.Group` instances
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def test_walk_reaches_every_command_and_subcommand():
    paths = {" ".join(p) for p, _ in _walk(typer.main.get_command(app))}
    assert {"import", "dedupe", "criteria set", "annotate export", "fulltext add",
            "search add"} <= paths


def test_every_command_and_option_has_help():
    root = typer.main.get_command(app)
    missing = []
    for path, command in _walk(root):
        if path and not (command.help or command.short_help):
            missing.append(" ".join(path))
        for param in command.params:
            if param.param_type_name == "option" and not param.help:
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert not missing, f"no help text: {missing}"


def test_help_runs_for_every_command():
    root = typer.main.get_command(app)
    for path, _ in _walk(root):
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_not_a_project_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["status", "--project", str(tmp_path)])
    assert result.exit_code != 0
    assert "not an nlp-review project" in result.output
    assert "Traceback" not in result.output


def test_help_paragraphs_are_not_broken_at_the_docstring_line_ends():
    # typer keeps the docstring's own line breaks after the first paragraph; on an 80-column
    # terminal that printed "left for a human,\nwhose" as a ragged half-line.
    result = runner.invoke(app, ["dedupe", "--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert ("Pairs in the grey zone are left for a human, whose \"same\" / \"not the same\" "
            "every later run respects.") in result.output


def test_no_command_summary_trails_off():
    root = typer.main.get_command(app)
    vague = [" ".join(p) for p, c in _walk(root) if p and
             (c.short_help or c.help or "").rstrip().endswith("...")]
    assert not vague, f"summaries ending in '...': {vague}"


def test_criteria_reviewer_help_speaks_of_the_criteria():
    result = runner.invoke(app, ["criteria", "set", "--help"], env={"COLUMNS": "200"})
    assert "Name recorded with the criteria" in result.output
    assert "each decision" not in result.output
