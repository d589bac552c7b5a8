"""Replaying a living review: first search screened, then `update` with a re-run search."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import InputError, NotFoundError
from nlp_review.living.prisma import prisma_counts
from nlp_review.living.update import run_update
from nlp_review.screening.session import label_works
from nlp_review.store.decisions import current_decisions, decision_history
from nlp_review.store.living import add_search, list_updates
from nlp_review.workflows.deduplicating import run_dedupe
from nlp_review.workflows.importing import import_file
from nlp_review.workflows.status import project_status

from .conftest import records_by_source_id as _records_by_source_id, write_export

runner = CliRunner()


def test_update_keeps_every_decision_and_duplicates_inherit(screened_first, tmp_path,
                                                            ecec_replay):
    project = screened_first
    conn = project.conn
    rows_before = len(decision_history(conn))
    decided_before = current_decisions(conn)
    label_of_record = {d.record_id: d.label for d in decided_before.values()}
    n_first = len(ecec_replay.first)
    assert len(decided_before) == conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]

    s2 = add_search(conn, database="ERIC", search_date="2025-07-15", query="same, re-run")
    upd = write_export(ecec_replay.update, tmp_path / "rerun.csv")
    report = run_update(project, [upd], search_id=s2, tag=False)

    # nothing written to the decision log, no decision lost or doubled
    assert len(decision_history(conn)) == rows_before
    after = current_decisions(conn)
    assert report.decided_before == len(decided_before) == len(after) == report.decided_after
    ids = _records_by_source_id(conn)
    for rid, label in label_of_record.items():
        work = conn.execute("SELECT group_id FROM records WHERE id = ?", (rid,)).fetchone()[0]
        assert after[work].label == label
    # each re-run duplicate joined its original's work and shares its decision
    for dup_sid, orig_sid in ecec_replay.duplicates.items():
        dup_work, orig_work = ids[dup_sid][1], ids[orig_sid][1]
        assert dup_work == orig_work, (dup_sid, orig_sid)
        assert after[dup_work].label == ecec_replay.truth[orig_sid]
    assert len(report.inherited) >= len(ecec_replay.duplicates) - 0
    src = report.sources[0]
    assert src.imported == len(ecec_replay.update)
    assert src.duplicates_screened >= len(ecec_replay.duplicates)
    assert src.new_unique + src.duplicates_existing + src.duplicates_within == src.imported
    # the new version of an included record is flagged for a look, not decided silently
    version_sid, orig_sid = ecec_replay.new_version
    flagged = {f.record_id: f for f in report.flags}
    vid = ids[version_sid][0]
    assert vid in flagged, [f.reason for f in report.flags]
    assert flagged[vid].screened_label == 1
    # new records ranked by the trained model, with a threshold and the stopping estimate
    assert report.model_mode == "model" and report.threshold is not None
    assert 0 < report.above_threshold <= len(report.new_works)
    relevant_new = {ids[s][1] for s in ecec_replay.truth
                    if ids[s][0] > n_first and ecec_replay.truth[s] == 1}
    top_ids = [w for w, _, _ in report.top]
    assert relevant_new & set(top_ids), "no relevant new record among the model's top 10"
    # the calibrated expectation of relevant new works is in the right range (whether its
    # interval holds the truth at its rate: tests/living/test_estimate.py)
    rel = sum(1 for w in report.new_works if w in relevant_new)
    assert rel / 2 <= report.expected_relevant <= rel * 2, (report.expected_relevant, rel)
    est = report.estimate
    above = [w for w, s in zip(report.estimate_works, est.scores) if s >= est.threshold]
    assert sorted(report.estimate_works) == sorted(w for w in report.new_works
                                                   if w not in after)
    assert est.above == len(above) == report.above_threshold
    assert report.summary()["expected_interval"] == [est.low, est.high, est.level]
    assert report.stopping.estimate.found == sum(1 for d in after.values() if d.label == 1)

    # status and PRISMA add up, for the project and for the update
    st = project_status(conn)
    whole = prisma_counts(conn)
    assert whole.check() == []
    assert st.records == whole.identified == n_first + len(ecec_replay.update)
    assert st.duplicates_removed == whole.duplicates
    assert st.screened == whole.screened and st.included == whole.included
    assert st.unscreened == whole.awaiting == len(report.new_works) - sum(
        1 for w in report.new_works if w in after)
    (u,) = list_updates(conn)
    part = prisma_counts(conn, u.id)
    assert part.check() == []
    assert part.identified == len(ecec_replay.update)
    assert part.duplicates == report.duplicates
    # the update's diagram splits them: duplicates of earlier searches' records vs within
    assert part.duplicates_of_earlier == sum(s.duplicates_existing for s in report.sources)
    assert part.duplicates - part.duplicates_of_earlier == sum(
        s.duplicates_within for s in report.sources)
    assert whole.duplicates_of_earlier is None
    assert part.unique == len(report.new_works)
    assert part.screened == 0 and part.awaiting == len(report.new_works)
    first_part = whole.unique - part.unique
    assert first_part == conn.execute("SELECT COUNT(DISTINCT group_id) FROM records"
                                      " WHERE id <= ?", (n_first,)).fetchone()[0]


def test_update_refuses_a_bad_file_before_storing_anything(screened_first, tmp_path,
                                                           ecec_replay):
    conn = screened_first.conn
    good = write_export(ecec_replay.update[:20], tmp_path / "good.csv")
    bad = tmp_path / "bad.ris"
    bad.write_text("this is not an export\n")
    before = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    with pytest.raises(InputError) as err:
        run_update(screened_first, [good, bad], tag=False)
    assert "bad.ris" in err.value.message
    assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == before
    assert list_updates(conn) == []
    cli = runner.invoke(app, ["update", str(good), str(bad), "-p", str(screened_first.path)])
    assert cli.exit_code == 2 and "bad.ris" in cli.output
    with pytest.raises(NotFoundError):
        run_update(screened_first, [good], search_id=99, tag=False)
    assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == before


def test_update_of_files_seen_before_records_nothing(screened_first, tmp_path, ecec_replay):
    first = write_export(ecec_replay.first, tmp_path / "first.csv")
    report = run_update(screened_first, [first], tag=False)
    assert report.update_id is None and report.new_records == 0
    assert list_updates(screened_first.conn) == []
    result = runner.invoke(app, ["update", str(first), "-p", str(screened_first.path)])
    assert result.exit_code == 0 and "Nothing new" in result.output


def test_an_export_imported_but_never_updated_is_adopted(screened_first, tmp_path,
                                                         ecec_replay):
    """`import` (or an update interrupted before it was recorded), then `update` with the
    same file: the records join the update instead of being skipped as 'seen before'."""
    upd = write_export(ecec_replay.update, tmp_path / "rerun.csv")
    import_file(screened_first, upd)
    report = run_update(screened_first, [upd], tag=False)
    assert report.sources[0].status == "adopted"
    assert report.new_records == len(ecec_replay.update)
    assert report.sources[0].duplicates_screened >= len(ecec_replay.duplicates)
    part = prisma_counts(screened_first.conn, report.update_id)
    assert part.check() == [] and part.identified == len(ecec_replay.update)
    assert part.unique == len(report.new_works)
    again = run_update(screened_first, [upd], tag=False)
    assert again.update_id is None  # now it belongs to an update


def test_a_screened_work_keeps_its_id_when_a_fuller_duplicate_arrives(project, tmp_path,
                                                                      ecec_replay):
    import dataclasses

    full = next(r for r in ecec_replay.first if r.abstract and r.doi and r.authors and r.year)
    sparse = dataclasses.replace(full, abstract=None, source_id="sparse-1")
    others = [r for r in ecec_replay.first if r is not full][:30]
    import_file(project, write_export([sparse, *others], tmp_path / "first.csv"))
    run_dedupe(project.conn)
    (rid,) = [r[0] for r in project.conn.execute(
        "SELECT id FROM records WHERE source_id = 'sparse-1'")]
    label_works(project.conn, [(rid, 1)], reviewer="sim", origin="simulate")
    rerun = dataclasses.replace(full, source_id="full-1", keywords=["ratio"])
    report = run_update(project, [write_export([rerun], tmp_path / "rerun.csv")], tag=False)
    assert report.inherited == {rid: 1}  # joined the screened work, which kept its id
    work = project.conn.execute("SELECT * FROM works WHERE id = ?", (rid,)).fetchone()
    assert work["n_records"] == 2 and work["abstract"] == full.abstract  # filled in
    assert current_decisions(project.conn)[rid].label == 1


def test_an_export_carrying_decisions_is_said_so_and_not_ranked(screened_first, tmp_path,
                                                                ecec_replay):
    """An update file with a label_included column (a labelled dataset, a colleague's
    screening export): its records arrive decided. The update printed '0 of 20 new unique
    records score at or above the inclusion threshold (inf ...)' and an expectation of 0."""
    import csv

    new = [r for r in ecec_replay.update if r.source_id not in ecec_replay.duplicates][:20]
    path = tmp_path / "labelled.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "year", "label_included"])
        for r in new:
            writer.writerow([r.source_id, r.title, r.abstract or "", r.year or "",
                             ecec_replay.truth[r.source_id]])
    out = runner.invoke(app, ["update", str(path), "--no-tag", "-p",
                              str(screened_first.path)])
    assert out.exit_code == 0, out.output
    assert "came with a decision in the export" in out.output
    assert "nothing to rank" in out.output
    assert "inf" not in out.output and "Expected relevant" not in out.output
    (u,) = list_updates(screened_first.conn)
    assert u.summary["new_decided"] == u.summary["new_unique"] > 0
    assert u.summary["threshold"] is None and u.summary["model_mode"] == "all decided"


def test_an_update_of_duplicates_only_says_there_is_nothing_to_rank(screened_first, tmp_path,
                                                                    ecec_replay):
    """A re-run export whose every record is already in the project said 'Model: cold
    (needs two includes and an exclude)' on a project with hundreds of decisions."""
    import dataclasses

    rerun = [dataclasses.replace(r, source_id=f"again-{r.source_id}")
             for r in ecec_replay.first[:30]]
    out = runner.invoke(app, ["update", str(write_export(rerun, tmp_path / "again.csv")),
                              "--no-tag", "-p", str(screened_first.path)])
    assert out.exit_code == 0, out.output
    assert "30 new records: 0 new unique, 30 duplicates" in out.output
    assert "No new unique records" in out.output
    assert "needs two includes" not in out.output


def test_a_file_given_twice_is_read_once(screened_first, tmp_path, ecec_replay):
    """`update a.csv a.csv` (or a copy of it) listed the file twice and counted its records
    twice as imported."""
    upd = write_export(ecec_replay.update[:30], tmp_path / "rerun.csv")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(upd.read_bytes())
    report = run_update(screened_first, [upd, upd, copy], tag=False)
    assert [s.file for s in report.sources] == ["rerun.csv"]
    assert report.sources[0].imported == report.new_records == 30
    assert any("given twice" in n for n in report.notes)
    assert any("copy.csv has the same content" in n for n in report.notes)
    part = prisma_counts(screened_first.conn, report.update_id)
    assert part.identified == 30 and part.check() == []


def test_an_update_says_how_many_possible_duplicates_wait_for_a_human(screened_first,
                                                                       tmp_path, ecec_replay):
    """An update whose dedupe left doubtful pairs among the new records said nothing about
    them (on a real update, 18 new pairs; only `status` showed 'possible duplicates waiting
    for a human'), so a team screened both records of a pair."""
    import dataclasses

    new = [r for r in ecec_replay.update[:40] if r.year][:20]
    twin = dataclasses.replace(new[0], source_id="twin", doi=None, year=new[0].year + 1)
    out = runner.invoke(app, ["update", str(write_export(new + [twin], tmp_path / "new.csv")),
                              "--no-tag", "-p", str(screened_first.path)])
    assert out.exit_code == 0, out.output
    grey = screened_first.conn.execute(
        "SELECT COUNT(*) FROM dedup_pairs WHERE status = 'grey'").fetchone()[0]
    assert grey >= 1
    flat = " ".join(out.output.split())
    assert f"{grey} possible duplicate pair(s) wait for a human" in flat
    assert "nlp-review dedupe --review" in flat


def test_an_update_leaves_works_tagged_with_other_options_as_they_are(screened_first,
                                                                      tmp_path, ecec_replay):
    """A project tagged with `tag --spancat` (or `--models DIR`): `update` tagged every
    work again with the bundled rules alone (on a real project, 'Tagged 1156 records' for
    361 new ones), replacing the span model's tags without a word. Now the update tags the
    new works (and any whose text changed), leaves works tagged with other options as they
    are and says how many; `update --spancat/--models` tag the new ones as `tag` does."""
    from nlp_review.store.db import transaction
    from nlp_review.store.records import row_to_record
    from nlp_review.store.tags import replace_tags, tagged_state
    from nlp_review.tagging.run import text_hash

    conn = screened_first.conn
    span = {"start": 0, "end": 1, "label": "CHILDREN", "group": "population",
            "negated": False, "hedged": False, "sent_start": 0, "sent_end": 1}
    old = conn.execute("SELECT * FROM works").fetchall()
    with transaction(conn):
        for row in old:
            replace_tags(conn, row["id"], [span], text_hash=text_hash(row_to_record(row).text),
                         patterns_hash="rules+spancat:trained")
    new = ecec_replay.update[:15]
    out = runner.invoke(app, ["update", str(write_export(new, tmp_path / "new.csv")), "-p",
                              str(screened_first.path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    state = tagged_state(conn)
    assert all(state[row["id"]][1] == "rules+spancat:trained" for row in old)
    new_works = [w for w in state if w not in {row["id"] for row in old}]
    assert new_works and all(state[w][1] != "rules+spancat:trained" for w in new_works)
    flat = " ".join(out.output.split())
    assert f"Tagged {len(new_works)} records" in flat
    assert f"{len(old)} works tagged with other rules or options" in flat
    assert "left as they are" in flat and "nlp-review tag" in flat
