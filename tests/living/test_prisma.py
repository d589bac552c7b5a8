"""PRISMA 2020 counts that tell the truth about full texts: a title/abstract-only project
has no report counts (it recorded none), a project with some full texts counts them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.living.prisma import prisma_counts

runner = CliRunner()
PLOS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"
        / "jats" / "allofplos" / "journal.pmed.1001518.xml")


def _csv(folder: Path) -> dict[str, dict]:
    return {r["box"]: r for r in csv.DictReader(io.StringIO(
        (folder / "prisma.csv").read_text(encoding="utf-8")))}


def _svg_text(folder: Path) -> str:
    """The diagram's text (matplotlib writes each line of a text as an SVG comment)."""
    svg = (folder / "prisma.svg").read_text(encoding="utf-8")
    return " ".join(re.findall(r"<!-- (.*?) -->", svg))


def test_a_project_without_full_texts_reports_no_report_counts(screened, tmp_path):
    project, _ = screened
    counts = prisma_counts(project.conn)
    assert not counts.fulltext_stage and counts.check() == []
    assert (counts.screened, counts.excluded, counts.included, counts.awaiting) == (5, 2, 3, 1)

    out = runner.invoke(app, ["prisma", "--out", str(tmp_path / "fig"),
                              "-p", str(project.path)])
    assert out.exit_code == 0, out.output
    assert "3 included at title/abstract screening" in out.output
    assert "no full texts in the project" in out.output
    assert "full texts assessed" not in out.output  # it said "0 full texts assessed"
    rows = _csv(tmp_path / "fig")
    for box in ("reports sought for retrieval", "reports not retrieved",
                "full-text reports assessed"):
        assert rows[box]["count"] == "" and "not recorded" in rows[box]["note"], box
    assert rows["studies included"]["count"] == "3"
    assert "title/abstract" in rows["studies included"]["note"]
    svg = _svg_text(tmp_path / "fig")
    assert "Reports not retrieved (n =" not in svg
    assert "Reports not retrieved: not recorded" in svg


def test_a_project_with_some_full_texts_counts_them(screened, tmp_path):
    from nlp_review.fulltext.ingest import add_fulltexts

    if not PLOS.is_file():
        pytest.fail(f"{PLOS} not found; ../shared must sit beside the repository")
    project, ids = screened
    (outcome,) = add_fulltexts(project, [PLOS], record_id=ids[0])
    assert outcome.status == "linked"
    counts = prisma_counts(project.conn)
    assert counts.fulltext_stage and counts.check() == []
    assert (counts.sought, counts.assessed, counts.not_retrieved) == (3, 1, 2)

    out = runner.invoke(app, ["prisma", "--out", str(tmp_path / "fig"),
                              "-p", str(project.path)])
    assert out.exit_code == 0, out.output
    assert "1 of them with a full text in the project, 2 without" in out.output
    rows = _csv(tmp_path / "fig")
    assert rows["reports sought for retrieval"]["count"] == "3"
    assert rows["reports not retrieved"]["count"] == "2"
    assert "not added yet" in rows["reports not retrieved"]["note"]
    assert rows["full-text reports assessed"]["count"] == "1"
    svg = _svg_text(tmp_path / "fig")
    assert "Reports not retrieved (n = 2)" in svg and "1 with a full text" in svg



def test_full_texts_linked_to_no_record_put_the_project_at_the_full_text_stage(screened,
                                                                              tmp_path):
    """Full texts added but matching no record (the demo with --fulltexts: 22 stored, none
    linked) made the line say 'no full texts in the project'; the project holds them, none
    of the included studies has one, and the unlinked ones are counted apart. A retraction
    notice linked to a study is not its report."""
    from nlp_review.fulltext.ingest import add_fulltexts

    project, ids = screened
    other = PLOS.parent / "journal.pmed.1001473.xml"  # matches none of the records
    notice = PLOS.parent / "journal.pcbi.0030158.xml"  # a retraction notice
    if not other.is_file():
        pytest.fail(f"{other} not found; ../shared must sit beside the repository")
    (outcome,) = add_fulltexts(project, [other])
    assert outcome.status == "unlinked"
    counts = prisma_counts(project.conn)
    assert counts.fulltext_stage and counts.check() == []
    assert (counts.sought, counts.assessed, counts.not_retrieved, counts.unlinked) == (3, 0, 3, 1)
    line = counts.sentence()
    assert "no full texts in the project" not in line
    assert "0 of them with a full text in the project, 3 without; 1 full text in the " \
           "project linked to no record" in line

    (linked,) = add_fulltexts(project, [notice], record_id=ids[1])
    assert linked.status == "linked" and linked.notice == "retraction"
    counts = prisma_counts(project.conn)
    assert (counts.assessed, counts.not_retrieved, counts.unlinked) == (0, 3, 1)

    out = runner.invoke(app, ["prisma", "--out", str(tmp_path / "fig"),
                              "-p", str(project.path)])
    assert out.exit_code == 0, out.output
    rows = _csv(tmp_path / "fig")
    assert rows["reports not retrieved"]["count"] == "3"
    assert rows["full-text reports assessed"]["count"] == "0"
    assert rows["full texts linked to no record"]["count"] == "1"
    assert "fulltext list --status unlinked" in rows["full texts linked to no record"]["note"]
    svg = _svg_text(tmp_path / "fig")
    assert "Reports not retrieved (n = 3)" in svg and "linked to no record" in svg


def test_exports_imported_under_one_source_name_are_one_identification_line(tmp_path):
    # two PubMed exports (searches split by year) and a Scopus one: the diagram listed
    # "records from pubmed" twice, with 2 and 1, instead of once with 3
    p = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(p)]).exit_code == 0
    exports = {"pubmed_2020.csv": ("pubmed", "A,x\nB,y\n"), "scopus.csv": ("scopus", "C,z\n"),
               "pubmed_2021.csv": ("pubmed", "D,w\n")}
    for name, (source, rows) in exports.items():
        (tmp_path / name).write_text("title,abstract\n" + rows)
        out = runner.invoke(app, ["import", str(tmp_path / name), "--source", source,
                                  "-p", str(p)])
        assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["prisma", "--out", str(tmp_path / "fig"), "-p", str(p)])
    assert out.exit_code == 0, out.output
    with open(tmp_path / "fig" / "prisma.csv", encoding="utf-8") as handle:
        boxes = [(r["box"], r["count"]) for r in csv.DictReader(handle)
                 if r["box"].startswith("records from")]
    assert boxes == [("records from pubmed", "3"), ("records from scopus", "1")]
