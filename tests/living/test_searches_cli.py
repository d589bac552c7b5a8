"""Searches as records: `search add/list/report` and `import --search`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import InputError
from nlp_review.living.searches import search_appendix, search_counts
from nlp_review.store.living import add_search

from .conftest import write_export

runner = CliRunner()

QUERY = """1. exp Child Day Care Centers/
2. ("adult-child ratio*" or "staff-child ratio*" or "class size").ti,ab.
3. 1 and 2 ```quoted```"""


def test_search_add_import_and_appendix(project, tmp_path, ecec_replay):
    p = str(project.path)
    qfile = tmp_path / "query.txt"
    qfile.write_text(QUERY, encoding="utf-8")
    out = runner.invoke(app, ["search", "add", "-p", p, "--database", "MEDLINE (Ovid)",
                              "--date", "2025-02-01", "--query", f"@{qfile}", "--hits", "700"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["search", "add", "-p", p, "--database", "ERIC",
                              "--date", "2025-02-02", "--query", "class size"])
    assert out.exit_code == 0, out.output
    first = write_export(ecec_replay.first[:100], tmp_path / "medline.csv")
    again = write_export(ecec_replay.first[:40] + ecec_replay.update[:30], tmp_path / "eric.csv")
    bad = runner.invoke(app, ["import", str(first), "--search", "5", "-p", p])
    assert bad.exit_code != 0 and "no search with id 5" in bad.output
    assert project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0
    assert runner.invoke(app, ["import", str(first), "--search", "1", "-p", p]).exit_code == 0
    assert runner.invoke(app, ["import", str(again), "--search", "2", "-p", p]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "-p", p]).exit_code == 0

    counts = {c.search.id: c for c in search_counts(project.conn)}
    assert counts[1].imported == 100 and counts[1].duplicates <= 3  # the dataset's own
    assert counts[2].imported == 70 and counts[2].duplicates >= 40
    dups = project.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] - \
        project.conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]
    assert counts[1].duplicates + counts[2].duplicates == dups

    listing = runner.invoke(app, ["search", "list", "-p", p])
    assert listing.exit_code == 0 and "MEDLINE" in listing.output and "700" in listing.output
    md = tmp_path / "appendix.md"
    rep = runner.invoke(app, ["search", "report", "--out", str(md), "-p", p])
    assert rep.exit_code == 0, rep.output
    text = md.read_text()
    assert QUERY in text  # verbatim, inside a fence longer than any backtick run in it
    assert "````text" in text
    assert (f"| 1 | MEDLINE (Ovid) | 2025-02-01 | 700 | 100 | {counts[1].duplicates} |"
            " medline.csv |") in text
    assert f"| 2 | ERIC | 2025-02-02 |  | 70 | {counts[2].duplicates} | eric.csv |" in text


@pytest.mark.parametrize("kwargs, message", [
    ({"search_date": "01/02/2025"}, "is not YYYY-MM-DD"),
    ({"query": "  "}, "query is empty"),
    ({"database": ""}, "database name is empty"),
    ({"hits": -3}, "hits must be 0 or more"),
])
def test_search_add_rejects_bad_input(project, kwargs, message):
    args = {"database": "ERIC", "search_date": "2025-01-01", "query": "x", **kwargs}
    with pytest.raises(InputError) as err:
        add_search(project.conn, **args)
    assert message in err.value.message
    assert search_appendix(project.conn).count("## Search") == 0


def test_search_add_with_missing_query_file(project, tmp_path):
    out = runner.invoke(app, ["search", "add", "-p", str(project.path), "--database", "X",
                              "--date", "2025-01-01", "--query", f"@{tmp_path / 'none.txt'}"])
    assert out.exit_code != 0 and "none.txt" in out.output


def test_an_export_imported_before_its_search_was_recorded_can_be_tied(project, tmp_path,
                                                                       ecec_replay):
    """A team recorded the search after importing its export: `import FILE --search ID`
    said 'already imported; skipped' and left it untied, so the PRISMA-S appendix showed
    the search with 0 records and 'none imported yet'. The file is now tied (once), and a
    file tied to another search is left and said so."""
    from nlp_review.store.living import add_search
    from nlp_review.store.records import list_sources

    export = write_export(ecec_replay.first[:20], tmp_path / "eric.csv")
    p = str(project.path)
    assert runner.invoke(app, ["import", str(export), "-p", p]).exit_code == 0
    s1 = add_search(project.conn, database="ERIC", search_date="2025-01-15", query="x",
                    hits=20)
    tied = runner.invoke(app, ["import", str(export), "--search", str(s1), "-p", p])
    assert tied.exit_code == 0, tied.output
    assert "now tied to search 1" in " ".join(tied.output.split())
    assert [s.search_id for s in list_sources(project.conn)] == [s1]
    s2 = add_search(project.conn, database="PsycINFO", search_date="2025-01-16", query="y",
                    hits=5)
    other = runner.invoke(app, ["import", str(export), "--search", str(s2), "-p", p])
    assert "tied to search 1, not 2" in " ".join(other.output.split())
    assert [s.search_id for s in list_sources(project.conn)] == [s1]
    appendix = runner.invoke(app, ["search", "report", "--out", str(tmp_path / "a.md"),
                                   "-p", p])
    assert appendix.exit_code == 0
    assert "| 1 | ERIC | 2025-01-15 | 20 | 20 | 0 | eric.csv |" in (tmp_path / "a.md").read_text()
