"""`nlp-review stopping` on a real project folder."""

from __future__ import annotations

from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.decisions import add_decision
from nlp_review.store.project import open_project

runner = CliRunner()


def _project(tmp_path, n=300):
    rows = ["record_id,title,abstract"] + [f"{i},Study {i},Abstract of study {i}"
                                           for i in range(1, n + 1)]
    data = tmp_path / "search.csv"
    data.write_text("\n".join(rows) + "\n")
    proj = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    assert runner.invoke(app, ["import", str(data), "-p", str(proj)]).exit_code == 0
    return proj


def test_stopping_command_shows_verdicts_and_recall(tmp_path):
    proj = _project(tmp_path)
    p = open_project(proj)
    ids = [r[0] for r in p.conn.execute("SELECT id FROM works ORDER BY id")]
    for i, rid in enumerate(ids[:80]):
        add_decision(p.conn, rid, 1 if i < 6 else 0, reviewer="ann", origin="screen")
    p.close()
    result = runner.invoke(app, ["stopping", "-p", str(proj), "--rule", "knee",
                                 "--rule", "consecutive:threshold=50", "--rule", "buscar"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "screened 80" in out and "included 6" in out and "since last include 74" in out
    assert "consecutive:threshold=50" in out and "stop" in out
    assert "sample at random" in out  # buscar: the ranking has flattened
    assert "recall at least" in out


def test_stopping_command_rejects_unknown_rule(tmp_path):
    proj = _project(tmp_path, n=5)
    result = runner.invoke(app, ["stopping", "-p", str(proj), "--rule", "kne"])
    assert result.exit_code == 2
    assert "unknown stopping rule 'kne'" in result.output
    assert "knee" in result.output


def test_stopping_on_an_empty_project_says_to_import_first(tmp_path):
    proj = tmp_path / "empty"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    result = runner.invoke(app, ["stopping", "-p", str(proj)])
    assert result.exit_code == 0, result.output
    assert "no records yet" in result.output
    assert "has been screened" not in result.output and "100%" not in result.output
