"""Stopping in a project: verdicts read from the decision log, random-sample mode, and
the status view."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from nlp_review.cli.stopping_view import render_stopping
from nlp_review.errors import ConfigError, NotFoundError
from nlp_review.records import Record
from nlp_review.stopping.report import (draw_random_work, record_sample_decision,
                                        screening_sequence, stopping_report,
                                        wants_random_sample)
from nlp_review.store.db import transaction
from nlp_review.store.decisions import add_decision
from nlp_review.store.records import add_source


def _fill(project, n: int) -> list[int]:
    records = [Record(title=f"Study {i}", abstract=f"Abstract {i}") for i in range(n)]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="db", file_name="x.ris", file_hash="h",
                            format="ris", records=records)
    return ids


def _screen(project, ids, labels, origin="screen"):
    for rid, label in zip(ids, labels):
        add_decision(project.conn, rid, label, reviewer="ann", origin=origin)


def test_sequence_follows_the_log_with_undo_and_changes(project):
    ids = _fill(project, 10)
    _screen(project, ids[:4], [1, 0, 0, 1])
    add_decision(project.conn, ids[1], None, reviewer="ann", origin="screen")  # undo
    add_decision(project.conn, ids[2], 1, reviewer="ann", origin="screen")  # change of mind
    _screen(project, [ids[1]], [0])  # screened again, now last
    seq = screening_sequence(project.conn)
    assert seq.work_ids == [ids[0], ids[2], ids[3], ids[1]]
    assert seq.labels.tolist() == [1, 1, 1, 0]
    assert seq.pool_size == 10 and not seq.sampled.any()


def test_report_counts_and_verdicts(project):
    ids = _fill(project, 400)
    _screen(project, ids[:60], [1] * 5 + [0] * 55)
    report = stopping_report(project.conn, rules=["consecutive:threshold=50", "knee", "buscar"])
    assert (report.records, report.screened, report.included) == (400, 60, 5)
    assert report.since_last_include == 55
    verdicts = dict(report.verdicts)
    assert verdicts["consecutive:threshold=50"].stop
    assert not verdicts["knee"].stop and "minimum 150" in verdicts["knee"].reason
    assert verdicts["buscar"].wants_random_sample and report.wants_random_sample
    assert report.estimate.method == "ranked-tail"


def test_unknown_rule_name_fails_before_reading(project):
    with pytest.raises(ConfigError):
        stopping_report(project.conn, rules=["nope"])


def test_random_sample_mode_end_to_end(project):
    ids = _fill(project, 300)
    _screen(project, ids[:20], [1] * 10 + [0] * 10)
    assert not wants_random_sample(project.conn)
    _screen(project, ids[20:70], [0] * 50)  # 50 excluded in a row: the ranking flattened
    assert wants_random_sample(project.conn)
    rng = np.random.default_rng(0)
    drawn = set()
    while wants_random_sample(project.conn):
        work = draw_random_work(project.conn, rng)
        assert work not in drawn and work not in ids[:70]
        drawn.add(work)
        record_sample_decision(project.conn, work, 0, reviewer="ann")
    report = stopping_report(project.conn, rules=["buscar"])
    verdict = dict(report.verdicts)["buscar"]
    assert verdict.stop and "rejected" in verdict.reason
    assert report.random_sample == len(drawn) > 0
    assert report.estimate.method == "random-sample"
    assert report.estimate.recall_low <= report.estimate.recall <= 1


def test_draw_and_record_errors(project):
    ids = _fill(project, 3)
    _screen(project, ids, [1, 0, 0])
    assert draw_random_work(project.conn) is None
    with pytest.raises(NotFoundError):
        record_sample_decision(project.conn, 999, 1, reviewer="ann")


def test_status_view_shows_rules_and_estimate(project):
    ids = _fill(project, 200)
    _screen(project, ids[:80], [1] * 8 + [0] * 72)
    console = Console(record=True, width=200)
    console.print(render_stopping(stopping_report(project.conn)))
    text = console.export_text()
    for needle in ("screened 80", "included 8", "since last include 72", "buscar", "knee",
                   "asreview-100", "recall at least", "drawn at random"):
        assert needle in text


def _fresh_sequence(conn):
    """The sequence as a new connection-less reading of the whole log would give it."""
    from nlp_review.stopping.report import _SequenceTracker

    return _SequenceTracker(conn).update()


def test_sequence_is_read_incrementally_and_stays_right(project):
    ids = _fill(project, 3000)
    _screen(project, ids[:2000], [1 if i % 40 == 0 else 0 for i in range(2000)])
    first = screening_sequence(project.conn)
    assert first.labels.size == 2000 and first.pool_size == 3000
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    try:
        _screen(project, ids[2000:2003], [0, 1, 0])
        add_decision(project.conn, ids[5], None, reviewer="ann", origin="screen")  # undo
        add_decision(project.conn, ids[7], 1, reviewer="ann", origin="screen")  # relabel
        statements.clear()
        seq = screening_sequence(project.conn)
    finally:
        project.conn.set_trace_callback(None)
    # only the decisions written since the last call were read, and the works were not
    # counted again (that scan was the 0.48 s per next record at 100k records)
    reads = [s for s in statements if "FROM decisions d" in s]
    assert reads and all("d.id > 2000" in s for s in reads)
    assert not any("FROM works" in s for s in statements)
    fresh = _fresh_sequence(project.conn)
    assert seq.work_ids == fresh.work_ids and seq.labels.tolist() == fresh.labels.tolist()
    assert seq.labels.size == 2002 and ids[5] not in seq.work_ids
    assert seq.labels[seq.work_ids.index(ids[7])] == 1


def test_sequence_follows_regrouped_records(project):
    ids = _fill(project, 10)
    _screen(project, ids[:3], [1, 0, 0])
    assert screening_sequence(project.conn).pool_size == 10
    # deduplication merges record 3 into record 2's work: the decision on record 3 now
    # belongs to that work, and the pool has one work fewer
    with transaction(project.conn):
        project.conn.execute("UPDATE records SET group_id = ? WHERE id = ?", (ids[1], ids[2]))
        project.conn.execute("DELETE FROM works WHERE id = ?", (ids[2],))
    seq = screening_sequence(project.conn)
    assert seq.pool_size == 9 and seq.work_ids == [ids[0], ids[1]]


def test_status_shows_the_counting_process_verdict_and_model_estimate(project):
    ids = _fill(project, 2000)
    rank = np.arange(1, 1301)  # the relevant records have stopped arriving long ago
    labels = (np.random.default_rng(4).random(1300) < 0.6 * np.exp(-rank / 150)).astype(int)
    _screen(project, ids[:1300], labels.tolist())
    report = stopping_report(project.conn, rules=["counting", "buscar"])
    verdict = dict(report.verdicts)["counting"]
    assert verdict.stop and "hyperbolic rate fitted to" in verdict.reason
    est = report.model_estimate
    assert est is not None and est.method == "counting-process"
    assert est.total_low <= est.total <= est.total_high
    assert est.recall_low <= est.recall <= est.recall_high <= 1
    # the interval's low end uses the rule's own (Cox) bound, so it never promises more
    # than the verdict does
    assert est.recall_low <= verdict.numbers["recall_low"] + 1e-9
    console = Console(record=True, width=250)
    console.print(render_stopping(report))
    text = console.export_text()
    assert "model-based (counting process): estimated recall" in text and "counting" in text
