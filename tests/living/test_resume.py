"""An interrupted `update` (crash, Ctrl-C, killed) is reported and finished by the next one:
nothing stored is lost or redone, and the update ends up as if it had never stopped."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.living import update as update_mod
from nlp_review.living.prisma import prisma_counts
from nlp_review.living.update import resume_updates, run_update
from nlp_review.screening.session import label_works
from nlp_review.store.db import migrate
from nlp_review.store.decisions import current_decisions, decision_history
from nlp_review.store.living import list_updates, pending_updates, update_importing

from .conftest import write_export

runner = CliRunner()


class Killed(Exception):
    """Stands for the process dying at that point."""


def _die(*args, **kwargs):
    raise Killed()


def _counts(summary: dict) -> dict:
    keep = ("sources", "new_records", "new_unique", "new_works", "duplicates",
            "duplicates_of_screened", "inherited", "flags", "decided_before", "decided_after")
    return {k: summary[k] for k in keep}


def test_an_update_killed_while_ranking_is_reported_and_finished_by_the_next_update(
        screened_first, tmp_path, ecec_replay, monkeypatch):
    project, conn = screened_first, screened_first.conn
    upd = write_export(ecec_replay.update, tmp_path / "rerun.csv")
    history = len(decision_history(conn))
    twin = _twin(project, tmp_path / "twin")
    real_rank = update_mod._rank_new
    monkeypatch.setattr(update_mod, "_rank_new", _die)
    with pytest.raises(Killed):
        run_update(project, [upd], tag=False)
    (pending,) = pending_updates(conn)
    p = str(project.path)

    # status says what is left and how to finish it
    status = runner.invoke(app, ["status", "-p", p])
    assert status.exit_code == 0, status.output
    assert f"update {pending.id}" in status.output and "did not finish" in status.output
    assert "ranking and the estimates" in status.output
    assert f"nlp-review update -p {p}" in status.output
    listing = runner.invoke(app, ["update", "--list", "-p", p])
    assert "unfinished" in listing.output

    # re-running the same command finishes it (it used to say "Nothing new")
    monkeypatch.setattr(update_mod, "_rank_new", real_rank)
    again = runner.invoke(app, ["update", str(upd), "--no-tag", "-p", p])
    assert again.exit_code == 0, again.output
    assert "did not finish" in again.output and "finished now" in again.output
    assert "inclusion threshold" in again.output and "Stopping estimate" in again.output
    assert pending_updates(conn) == []
    (u,) = list_updates(conn)  # the same update, not a second one
    assert u.id == pending.id and u.completed
    assert _counts(u.summary) == _counts(pending.summary)
    assert u.summary["threshold"] is not None
    assert len(decision_history(conn)) == history
    assert prisma_counts(conn, u.id).check() == []
    assert "unfinished" not in runner.invoke(app, ["status", "-p", p]).output

    # the finished update reads as one that never stopped
    fresh = run_update(twin, [upd], tag=False)
    assert _counts(fresh.summary()) == _counts(u.summary)
    assert fresh.summary()["threshold"] == pytest.approx(u.summary["threshold"])
    assert fresh.summary()["expected_interval"] == u.summary["expected_interval"]
    twin.close()


def _twin(project, folder):
    """A second project holding the same data as ``project`` now."""
    from nlp_review.store.project import DB_NAME, open_project

    folder.mkdir()
    dest = sqlite3.connect(folder / DB_NAME)
    project.conn.backup(dest)
    dest.close()
    return open_project(folder)


def test_estimates_stored_before_an_interruption_are_kept(screened_first, tmp_path,
                                                          ecec_replay, monkeypatch):
    """Killed while tagging: the threshold and expectation were stored when the records were
    ranked; decisions made before the update is finished do not change them."""
    project, conn = screened_first, screened_first.conn
    upd = write_export(ecec_replay.update, tmp_path / "rerun.csv")
    import nlp_review.tagging.run as tagging_run

    real_tag = tagging_run.tag_stream  # the update tags through tag_stream
    monkeypatch.setattr(tagging_run, "tag_stream", _die)
    with pytest.raises(Killed):
        run_update(project, [upd], tag=True)
    (pending,) = pending_updates(conn)
    assert pending.steps == {"ranked"}
    stored = {k: pending.summary[k] for k in ("threshold", "above_threshold",
                                               "expected_relevant", "expected_interval")}
    assert stored["threshold"] is not None
    # the team screens a few new records before anyone notices
    new = [w for w in pending.summary["new_works"] if w not in current_decisions(conn)][:5]
    label_works(conn, [(w, 1) for w in new], reviewer="team", origin="screen")

    monkeypatch.setattr(tagging_run, "tag_stream", real_tag)
    (done,) = resume_updates(project)
    assert done.update_id == pending.id and done.tagged > 0
    (u,) = list_updates(conn)
    assert u.completed and u.steps == {"ranked", "tagged", "completed"}
    assert {k: u.summary[k] for k in stored} == stored
    tagged = conn.execute("SELECT COUNT(*) FROM tagged_texts").fetchone()[0]
    assert tagged == conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]


def test_an_update_killed_while_deduplicating_is_reported_and_adopted(
        screened_first, tmp_path, ecec_replay, monkeypatch):
    """Killed before the update was recorded: status names the files to run it with again;
    `update` without them says so; run again (even with only some of the files), every
    file the interrupted run imported joins the update once."""
    project, conn = screened_first, screened_first.conn
    half = len(ecec_replay.update) // 2
    a = write_export(ecec_replay.update[:half], tmp_path / "part_a.csv")
    b = write_export(ecec_replay.update[half:], tmp_path / "part_b.csv")
    import nlp_review.workflows.deduplicating as dd

    real = dd.run_dedupe
    monkeypatch.setattr(dd, "run_dedupe", _die)
    with pytest.raises(Killed):
        run_update(project, [a, b], tag=False)
    monkeypatch.setattr(dd, "run_dedupe", real)
    assert list_updates(conn) == [] and update_importing(conn) is not None
    p = str(project.path)
    status = runner.invoke(app, ["status", "-p", p])
    assert "interrupted while importing" in status.output
    assert "part_a.csv" in status.output and "part_b.csv" in status.output
    bare = runner.invoke(app, ["update", "-p", p])
    assert bare.exit_code != 0 and "part_a.csv" in bare.output

    report = run_update(project, [b], tag=False)
    assert sorted(s.file for s in report.sources) == ["part_a.csv", "part_b.csv"]
    assert report.new_records == len(ecec_replay.update)
    assert update_importing(conn) is None
    (u,) = list_updates(conn)
    assert u.completed and prisma_counts(conn, u.id).identified == len(ecec_replay.update)
    assert "interrupted" not in runner.invoke(app, ["status", "-p", p]).output


def test_updates_from_before_the_steps_table_are_judged_by_what_they_stored(project):
    conn = project.conn
    done = {"new_records": 3, "threshold": None, "estimated_relevant_total": 12}
    cut = {"new_records": 3, "threshold": None, "estimated_relevant_total": None}
    for summary in (done, cut):
        conn.execute("INSERT INTO updates(started_at, summary) VALUES (?, ?)",
                     ("2026-01-01T00:00:00", json.dumps(summary)))
    conn.execute("DROP TABLE update_steps")
    conn.execute("DELETE FROM schema_migrations WHERE name = '0011_update_steps'")
    conn.commit()
    assert migrate(conn) == ["0011_update_steps"]
    assert [u.id for u in pending_updates(conn)] == [2]


def test_ctrl_c_during_an_update_says_how_to_finish_it(screened_first, tmp_path,
                                                       ecec_replay, monkeypatch):
    """Ctrl-C exited with status 130 and no word on what was left."""
    upd = write_export(ecec_replay.update[:40], tmp_path / "rerun.csv")

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(update_mod, "_rank_new", ctrl_c)
    p = str(screened_first.path)
    out = runner.invoke(app, ["update", str(upd), "--no-tag", "-p", p])
    assert out.exit_code == 130
    assert "Interrupted" in out.output and "did not finish" in out.output
    assert f"Finish it with: nlp-review update -p {p}" in out.output
