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
from nlp_review.records import Record
from nlp_review.screening.session import label_works
from nlp_review.workflows.deduplicating import run_dedupe
from nlp_review.workflows.importing import import_file

from .conftest import write_export

runner = CliRunner()
PLOS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"
        / "jats" / "allofplos" / "journal.pmed.1001518.xml")

TITLES = [
    "Acupuncture and counselling for depression in primary care",
    "Peer mentoring for adolescents leaving foster care",
    "Family group conferencing and school attendance",
    "A cohort study of class size in early childhood education",
    "Parenting programmes delivered by health visitors",
    "Outdoor play and social skills in preschool children",
]


@pytest.fixture
def screened(project, tmp_path):
    """Six records: three included, two excluded, one not yet screened."""
    recs = [Record(title=t, abstract=f"{t}. A study of children and their families.",
                   year=2020, source_id=f"r{i}",
                   doi="10.1371/journal.pmed.1001518" if i == 0 else None)
            for i, t in enumerate(TITLES)]
    import_file(project, write_export(recs, tmp_path / "search.csv"))
    run_dedupe(project.conn)
    ids = [r[0] for r in project.conn.execute("SELECT id FROM records ORDER BY id")]
    label_works(project.conn, [(ids[0], 1), (ids[1], 1), (ids[2], 1), (ids[3], 0),
                               (ids[4], 0)], reviewer="team", origin="screen")
    return project, ids


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
