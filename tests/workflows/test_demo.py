"""The README's main job: the whole path on the bundled demo corpus."""

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def test_demo_runs_the_whole_path_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    assert "120 duplicates removed, 360 unique" in result.output
    assert "studies the review included" in result.output
    assert "Full texts: none added" in result.output
    assert "PRISMA: 480 identified, 120 duplicates removed" in result.output
    for name in ("evidence.html", "evidence.csv", "included.csv", "prisma.png", "prisma.svg",
                 "prisma.csv"):
        assert (out / name).stat().st_size > 0, name
    html = (out / "evidence.html").read_text()
    assert "<html" in html.lower()
    status = runner.invoke(app, ["status", "-p", str(out)])
    assert status.exit_code == 0 and "360" in status.output

    again = runner.invoke(app, ["demo", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(app, ["demo", str(tmp_path / "d2"), "--fulltexts",
                              str(tmp_path / "nowhere")])
    assert bad.exit_code != 0 and "nowhere" in bad.output
    assert not (tmp_path / "d2").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["demo", str(other), "--force"])
    assert refused.exit_code != 0
    assert (other / "notes.txt").read_text() == "keep me"


@pytest.mark.slow  # the whole demo, spaCy tagging included (~14 s)
def test_demo_with_a_folder_of_full_texts_counts_them_truly(tmp_path):
    """QA walk-through with the shared PLOS folder: 'Full texts: 22 files, 22 added, 22
    unlinked' (SOURCE.txt, the folder's list of its articles, read as an article), then
    'PRISMA: ... (no full texts in the project: report boxes not recorded)'. The folder's
    SOURCE.txt is skipped and named, and the PRISMA line counts the stored full texts."""
    plos = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext" \
        / "jats" / "allofplos"
    if not plos.is_dir():
        pytest.fail(f"{plos} not found; ../shared must sit beside the repository")
    folder = tmp_path / "texts"
    folder.mkdir()
    names = ["journal.pmed.1001518.xml", "journal.pone.0042593.xml",
             "journal.pone.0097541.xml", "SOURCE.txt"]  # 0097541: a correction notice
    for name in names:
        shutil.copy(plos / name, folder / name)
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(out), "--fulltexts", str(folder)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Full texts: 4 files, 3 added, 3 unlinked, 1 skipped (SOURCE.txt: not an article), " \
           "1 notices" in flat
    assert "no full texts in the project" not in flat
    assert "54 included at title/abstract screening (0 of them with a full text in the " \
           "project, 54 without; 3 full texts in the project linked to no record)" in flat
    rows = {r["box"]: r["count"] for r in csv.DictReader(io.StringIO(
        (out / "prisma.csv").read_text(encoding="utf-8")))}
    assert rows["reports sought for retrieval"] == "54"
    assert rows["reports not retrieved"] == "54"
    assert rows["full-text reports assessed"] == "0"
    assert rows["full texts linked to no record"] == "3"
