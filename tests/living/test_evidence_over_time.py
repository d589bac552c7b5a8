"""Evidence snapshots and their diff; the PRISMA diagram files; `update` end to end on the
demo corpus (ERIC as the first search, PsycINFO as the update) through the CLI."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from nlp_review import CORPORA_DIR
from nlp_review.cli.app import app
from nlp_review.living.prisma import prisma_counts
from nlp_review.living.snapshots import diff_data
from nlp_review.screening.session import label_works
from nlp_review.workflows.demo import demo_labels

runner = CliRunner()
DEMO = CORPORA_DIR / "demo"


def _snap(studies, rows):
    return {"studies": {str(k): {"label": f"S{k}", "source": "abstract", "records": v}
                        for k, v in studies.items()},
            "rows": [dict({"populations": [], "settings": [], "interventions": [],
                           "outcomes": [], "n_sentences": 1, "status": "reported"}, **r)
                     for r in rows]}


def test_diff_matches_studies_by_record_when_the_face_changes():
    old = _snap({5: [5], 9: [9]}, [
        {"study": 5, "mechanism": "SOCIAL_SUPPORT", "populations": ["CHILDREN"]},
        {"study": 9, "mechanism": "EMPOWERMENT"}])
    # study 5's group gained record 12, now its face; study 9 left; study 20 is new
    new = _snap({12: [5, 12], 20: [20]}, [
        {"study": 12, "mechanism": "SOCIAL_SUPPORT", "status": "hedged",
         "populations": ["ADOLESCENTS", "CHILDREN"], "settings": ["SCHOOL"]},
        {"study": 12, "mechanism": "PEER_SUPPORT"},
        {"study": 20, "mechanism": "EMPOWERMENT", "settings": ["HOME"]}])
    d = diff_data(old, new, 1, "2026-01-01")
    assert d.new_studies == ["S20"] and d.dropped_studies == ["S9"]
    by = {(c.study, c.mechanism): c for c in d.changes}
    assert by[("S12", "SOCIAL_SUPPORT")].change == "changed"
    assert by[("S12", "SOCIAL_SUPPORT")].details == [
        "status reported -> hedged", "populations added: ADOLESCENTS", "settings added: SCHOOL"]
    assert by[("S12", "PEER_SUPPORT")].change == "new"
    assert by[("S20", "EMPOWERMENT")].details == ["reported", "settings: HOME"]
    # study 9 left: its entry is listed as dropped, as study 20's is listed as new (the
    # rows went from 2 to 3 and the diff must account for each)
    assert by[("S9", "EMPOWERMENT")].change == "dropped"
    assert by[("S9", "EMPOWERMENT")].details == ["reported"]
    assert len(d.changes) == 4
    assert diff_data(new, new).empty


@pytest.mark.slow  # tags the demo corpus with spaCy (~20 s)
def test_update_on_the_demo_corpus_then_evidence_diff_and_prisma(tmp_path):
    p = str(tmp_path / "proj")
    assert runner.invoke(app, ["init", p]).exit_code == 0
    assert runner.invoke(app, ["import", str(DEMO / "eric_export.ris"), "-p", p]).exit_code == 0
    assert runner.invoke(app, ["dedupe", "-p", p]).exit_code == 0
    labels = demo_labels()
    from nlp_review.store.project import open_project

    with open_project(tmp_path / "proj") as proj:
        rows = proj.conn.execute("SELECT id, source_id FROM records").fetchall()
        label_works(proj.conn, [(r[0], labels[r[1]]) for r in rows if r[1] in labels],
                    reviewer="sim", origin="simulate")
    assert runner.invoke(app, ["tag", "-p", p]).exit_code == 0
    first = runner.invoke(app, ["evidence", "-p", p])
    assert first.exit_code == 0 and "Stored evidence snapshot 1" in first.output

    out = runner.invoke(app, ["update", str(DEMO / "psycinfo_export.csv"), "-p", p])
    assert out.exit_code == 0, out.output
    assert "200 new records: 80 new unique, 120 duplicates" in out.output
    assert "120 joined screened works" in out.output
    assert "inclusion threshold" in out.output and "Stopping estimate" in out.output
    with open_project(tmp_path / "proj") as proj:
        new = proj.conn.execute("SELECT id, source_id FROM records WHERE id > 280").fetchall()
        untagged = proj.conn.execute(
            "SELECT COUNT(*) FROM works w WHERE w.id NOT IN (SELECT record_id FROM"
            " tagged_texts)").fetchone()[0]
        assert untagged == 0  # the update tagged every new work
        label_works(proj.conn, [(r[0], labels[r[1]]) for r in new if r[1] in labels],
                    reviewer="sim", origin="simulate")
        counts = prisma_counts(proj.conn, 1)
    diff = runner.invoke(app, ["evidence", "--diff", "1", "-p", p])
    assert diff.exit_code == 0, diff.output
    new_included = counts.included
    assert new_included > 0
    assert f"{new_included} new {'study' if new_included == 1 else 'studies'}" in diff.output
    assert runner.invoke(app, ["evidence", "--snapshots", "-p", p]).exit_code == 0
    assert runner.invoke(app, ["evidence", "--diff", "9", "-p", p]).exit_code != 0

    res = runner.invoke(app, ["prisma", "--out", str(tmp_path / "fig"), "--update", "1",
                              "-p", p])
    assert res.exit_code == 0, res.output
    png = tmp_path / "fig" / "prisma_update1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "fig" / "prisma_update1.svg").read_text()
    assert "<svg" in svg
    table = list(csv.DictReader(io.StringIO(
        (tmp_path / "fig" / "prisma_update1.csv").read_text())))
    # the demo has no full texts: the report boxes are not recorded (blank), not 0
    assert {r["box"] for r in table if not r["count"]} == {
        "reports sought for retrieval", "reports not retrieved", "full-text reports assessed"}
    got = {r["box"]: int(r["count"]) for r in table if r["count"]}
    assert got["records identified"] == 200 and got["duplicate records removed"] == 120
    assert got["records screened"] == 80
    assert got["studies included"] == new_included
    assert runner.invoke(app, ["prisma", "--out", str(tmp_path / "f2"), "--update", "7",
                               "-p", p]).exit_code != 0
    assert not (tmp_path / "f2").exists()


def test_evidence_run_again_without_changes_stores_no_second_snapshot(screened, tmp_path):
    """`evidence`, then `evidence --diff 1` with nothing changed, stored an identical
    snapshot each time; a new include makes a new one."""
    from nlp_review.store.living import list_snapshots

    project, ids = screened
    p = str(project.path)
    first = runner.invoke(app, ["evidence", "-p", p])
    assert first.exit_code == 0 and "Stored evidence snapshot 1" in first.output
    again = runner.invoke(app, ["evidence", "--diff", "1", "-p", p])
    assert again.exit_code == 0, again.output
    assert "unchanged since snapshot 1" in again.output
    assert [s.id for s in list_snapshots(project.conn)] == [1]
    label_works(project.conn, [(ids[5], 1)], reviewer="team", origin="screen")
    later = runner.invoke(app, ["evidence", "--diff", "1", "-p", p])
    assert "Stored evidence snapshot 2" in later.output and "1 new stud" in later.output
    assert [s.n_studies for s in list_snapshots(project.conn)] == [3, 4]


def test_diff_reports_a_study_whose_evidence_source_changed():
    """A study that had only its abstract tagged and now has its full text tagged, with the
    same mechanism rows: the diff said nothing; it now names the study and both sources."""
    rows = [{"study": 5, "mechanism": "SOCIAL_SUPPORT"}, {"study": 9, "mechanism": "TRUST"}]
    old = _snap({5: [5], 9: [9]}, rows)
    new = _snap({5: [5], 9: [9]}, rows)
    new["studies"]["5"]["source"] = "fulltext"
    d = diff_data(old, new, 1, "2026-01-01")
    assert not d.empty
    assert [(c.study, str(c)) for c in d.source_changes] == [
        ("S5", "source: abstract -> full text")]
    assert d.changes == [] and d.new_studies == [] and d.dropped_studies == []
    # an older snapshot without the source is not reported as a change
    del old["studies"]["9"]["source"]
    assert [c.study for c in diff_data(old, new).source_changes] == ["S5"]


def test_evidence_diff_after_a_full_text_is_added_and_tagged(screened):
    """`evidence`, then `fulltext add` + `fulltext tag` of one included study's article:
    `evidence --diff 1` reports that study's source (abstract -> full text) and no other."""
    from tests.living.test_prisma import PLOS

    if not PLOS.is_file():
        pytest.fail(f"{PLOS} not found; ../shared must sit beside the repository")
    project, ids = screened
    p = str(project.path)
    assert runner.invoke(app, ["tag", "-p", p]).exit_code == 0
    first = runner.invoke(app, ["evidence", "-p", p])
    assert first.exit_code == 0 and "Stored evidence snapshot 1" in first.output
    added = runner.invoke(app, ["fulltext", "add", str(PLOS), "-p", p])
    assert added.exit_code == 0 and "linked 1" in added.output, added.output
    assert runner.invoke(app, ["fulltext", "tag", "-p", p]).exit_code == 0
    out = runner.invoke(app, ["evidence", "--diff", "1", "-p", p])
    assert out.exit_code == 0, out.output
    assert "Stored evidence snapshot 2" in out.output
    assert "1 study with evidence from another source" in out.output
    changed = [line for line in out.output.splitlines() if "source:" in line]
    assert len(changed) == 1 and "Acupuncture" in changed[0], out.output
    assert changed[0].strip().endswith("source: abstract -> full text")
    assert "nothing changed" not in out.output


def test_diff_counts_studies_in_the_singular_and_plural(capsys):
    from nlp_review.cli import evidence_cmds
    from nlp_review.living.snapshots import EvidenceDiff

    evidence_cmds._print_diff(EvidenceDiff(2, "2026-11-26", ["Ahn 2020"], ["Bo 2019", "Cy 2018"],
                                           []))
    out = capsys.readouterr().out
    assert "1 new study\n" in out and "1 new studies" not in out
    assert "2 studies no longer included" in out


def test_a_duplicate_joining_an_included_study_stores_no_new_snapshot(screened, tmp_path):
    """After an update whose new records joined included works, `evidence` said 'Stored
    evidence snapshot 2' and `evidence --diff 1` then said 'nothing changed': the snapshot
    held each study's records, and a new record in a study's group made it differ."""
    from nlp_review.living.snapshots import store_snapshot
    from nlp_review.evidence.build import build_evidence
    from nlp_review.records import Record
    from nlp_review.store.living import list_snapshots
    from nlp_review.workflows.deduplicating import run_dedupe
    from nlp_review.workflows.importing import import_file

    from tests.living.conftest import TITLES, write_export

    project, ids = screened
    p = str(project.path)
    assert "Stored evidence snapshot 1" in runner.invoke(app, ["evidence", "-p", p]).output
    again = Record(title=TITLES[0], abstract=f"{TITLES[0]}. A study of children and their "
                   "families.", year=2020, source_id="again",
                   doi="10.1371/journal.pmed.1001518")
    import_file(project, write_export([again], tmp_path / "again.csv"))
    run_dedupe(project.conn)
    assert project.conn.execute("SELECT COUNT(*) FROM records WHERE group_id = ?",
                                (ids[0],)).fetchone()[0] == 2
    out = runner.invoke(app, ["evidence", "-p", p])
    assert out.exit_code == 0, out.output
    assert "unchanged since snapshot 1" in out.output
    assert [s.id for s in list_snapshots(project.conn)] == [1]
    # The study still matches the old snapshot by its records.
    _, new = store_snapshot(project.conn, build_evidence(project.conn))
    assert not new
