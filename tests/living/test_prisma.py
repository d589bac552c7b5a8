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

