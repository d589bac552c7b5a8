"""Importing exports into a project: one transaction per file, nothing lost, bad files
rejected whole with a message naming the file."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import InputError
from nlp_review.store.decisions import current_decisions
from nlp_review.workflows.importing import import_file

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpora" / "demo"
runner = CliRunner()


def _count(project, table):
    return project.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_demo_exports_import_with_provenance(project):
    ris = import_file(project, DEMO / "eric_export.ris", source="ERIC")
    csv = import_file(project, DEMO / "psycinfo_export.csv", source="PsycINFO")
    assert (ris.format, ris.n_records) == ("ris", 280)
    assert (csv.format, csv.n_records) == ("csv", 200)
    assert _count(project, "records") == 480
    row = project.conn.execute(
        "SELECT r.source_id, r.title, r.authors, s.name FROM records r"
        " JOIN sources s ON s.id = r.source_ref WHERE r.source_id = 'ECEC916'"
        " ORDER BY r.id LIMIT 1").fetchone()
    assert row["name"] == "ERIC"
    assert row["title"].startswith("Public Elementary and Secondary School Student Enrollment")
    assert '"Sable, Jennifer"' in row["authors"]


def test_same_file_twice_is_skipped(project):
    import_file(project, DEMO / "eric_export.ris")
    again = import_file(project, DEMO / "eric_export.ris")
    assert again.status == "skipped" and "already imported" in again.message
    assert _count(project, "records") == 280


def test_label_column_becomes_prior_decisions(project, shared):
    data = shared / "datasets" / "screening" / "sep_2021.csv"
    report = import_file(project, data)
    assert report.n_priors == report.n_records == 271
    decisions = current_decisions(project.conn)
    assert sum(d.label for d in decisions.values()) == 40
    assert {d.origin for d in decisions.values()} == {"prior"}


@pytest.mark.parametrize("content", [
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    b"TY  - JOUR\nTI  - A title\nAU  - Smith, J\n",  # truncated RIS: no ER
    b"name,year\nfoo,2001\n",  # CSV without a title column
], ids=["empty", "binary", "truncated-ris", "csv-no-title"])
def test_bad_file_imports_nothing_and_says_where(project, tmp_path, content):
    import_file(project, DEMO / "eric_export.ris")
    before = _count(project, "records"), _count(project, "sources")
    bad = tmp_path / "bad_export.txt"
    bad.write_bytes(content)
    try:
        import_file(project, bad)
    except InputError as exc:
        assert "bad_export.txt" in exc.message
    else:  # a recoverable file must at least not have lost anything
        pytest.fail("expected an InputError")
    assert (_count(project, "records"), _count(project, "sources")) == before


def test_cli_import_reports_per_file_and_exits_non_zero_on_a_bad_file(tmp_path):
    proj = tmp_path / "p"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    bad = tmp_path / "empty.ris"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["import", str(DEMO / "eric_export.ris"), str(bad),
                                 "--project", str(proj)])
    assert result.exit_code != 0
    assert "imported 280 records" in result.output
    assert "empty.ris" in result.output and "nothing imported" in result.output
    status = runner.invoke(app, ["status", "-p", str(proj)])
    assert status.exit_code == 0
    assert "280" in status.output
