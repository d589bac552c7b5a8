"""Stopping in a project: each rule's verdict and the estimated recall, read from the
decision log; and the random-sample mode that ``nlp-review screen`` switches to when the
statistical rule asks for it.

A decision made on a record drawn at random for the statistical rule is stored with
origin ``"sample"`` (see ``record_sample_decision``), so the log itself says which
decisions form the random sample."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from nlp_review.errors import NotFoundError
from nlp_review.stopping.base import StopDecision
from nlp_review.stopping.counting import CountingProcess, counting_estimate
from nlp_review.stopping.estimate import RelevantEstimate, estimate_relevant
from nlp_review.stopping.registry import DEFAULT_RULES, make_rule
from nlp_review.store.decisions import add_decision

#: decision origin for records drawn at random from the unscreened pool
SAMPLE_ORIGIN = "sample"
#: the statistical rule whose request switches ``screen`` to random-sample mode
SAMPLING_RULE = "buscar"


@dataclass(frozen=True)
class ScreeningSequence:
    """Current decisions in the order the works were screened."""

    work_ids: list[int]
    labels: np.ndarray
    sampled: np.ndarray
    pool_size: int


@dataclass(frozen=True)
class StoppingReport:
    records: int  # unique records (works) in the pool
    screened: int
    included: int
    since_last_include: int
    random_sample: int
    estimate: RelevantEstimate
    verdicts: list[tuple[str, StopDecision]] = field(default_factory=list)
    #: the counting-process (model-based) estimate, when the rate can be fitted
    model_estimate: RelevantEstimate | None = None

    @property
    def wants_random_sample(self) -> bool:
        return any(d.wants_random_sample and not d.stop for _, d in self.verdicts)


class _SequenceTracker:
    """A project's screening sequence, kept up to date by reading only the decisions
    written since the last call (the log is append-only). It starts over when the log
    shrank or the records were regrouped (deduplication changes which work a decision
    belongs to) or imported (the pool changes)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.reset()

    def reset(self) -> None:
        self.last_id = 0
        self.rows = 0
        self.groups: tuple | None = None
        self.pool = 0
        # work -> (order key, label, sampled); insertion order is screening order: a
        # relabel keeps its place, an undo pops, a new entry has the largest key so far
        self.entered: dict[int, tuple[int, int, bool]] = {}
        self.sequence: ScreeningSequence | None = None

    def _restart(self, groups: tuple) -> None:
        """Forget everything read; the works count scans the whole works table, so it is
        taken only here, when the records changed."""
        self.reset()
        self.groups = groups
        self.pool = int(self.conn.execute("SELECT COUNT(*) FROM works").fetchone()[0])

    def update(self) -> ScreeningSequence:
        conn = self.conn
        groups = tuple(conn.execute("SELECT COUNT(*), TOTAL(group_id) FROM records").fetchone())
        max_id, rows = conn.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM decisions"
                                    ).fetchone()
        if groups != self.groups or max_id < self.last_id or rows < self.rows:
            self._restart(groups)
        elif max_id == self.last_id and rows == self.rows and self.sequence is not None:
            return self.sequence
        new = conn.execute(
            "SELECT d.id, d.label, d.origin, r.group_id AS work_id FROM decisions d "
            "JOIN records r ON r.id = d.record_id WHERE d.id > ? ORDER BY d.id",
            (self.last_id,)).fetchall()
        if rows != self.rows + len(new):  # rows changed below last_id: read it all again
            self._restart(groups)
            return self.update()
        entered = self.entered
        for row_id, label, origin, work in new:
            if label is None:
                entered.pop(work, None)
            elif work in entered:
                key, _, was_sampled = entered[work]
                entered[work] = (key, int(label), was_sampled)
            else:
                entered[work] = (int(row_id), int(label), origin == SAMPLE_ORIGIN)
        self.rows += len(new)
        self.last_id = int(max_id)
        values = list(entered.values())
        self.sequence = ScreeningSequence(
            work_ids=list(entered),
            labels=np.fromiter((v[1] for v in values), dtype=np.int64, count=len(values)),
            sampled=np.fromiter((v[2] for v in values), dtype=bool, count=len(values)),
            pool_size=self.pool,
        )
        return self.sequence


#: one tracker per open connection (a few at most; the oldest is dropped)
_TRACKERS: dict[int, _SequenceTracker] = {}


def screening_sequence(conn: sqlite3.Connection) -> ScreeningSequence:
    """The decision log replayed (oldest first): a work enters the sequence with its first
    decision, keeps its place if its label is changed, and leaves it when undone. Repeated
    calls on the same connection read only the decisions written since the last one."""
    tracker = _TRACKERS.get(id(conn))
    if tracker is None or tracker.conn is not conn:
        tracker = _SequenceTracker(conn)
        _TRACKERS[id(conn)] = tracker
        while len(_TRACKERS) > 8:
            del _TRACKERS[next(iter(_TRACKERS))]
    return tracker.update()


def stopping_report(conn: sqlite3.Connection, rules: Sequence[str] = DEFAULT_RULES,
                    confidence: float = 0.95) -> StoppingReport:
    """Every named rule's verdict on the project's decisions so far, with the estimated
    total of relevant records and recall (interval at ``confidence``)."""
    built = [(spec, make_rule(spec)) for spec in rules]  # bad names fail before any work
    seq = screening_sequence(conn)
    verdicts = [(spec, rule.decide(seq.labels, seq.sampled, pool_size=seq.pool_size))
                for spec, rule in built]
    counting = next((r for _, r in built if isinstance(r, CountingProcess)), None)
    hits = np.flatnonzero(seq.labels == 1)
    since = int(seq.labels.size if hits.size == 0 else seq.labels.size - 1 - hits[-1])
    return StoppingReport(
        records=seq.pool_size, screened=int(seq.labels.size), included=int(seq.labels.sum()),
        since_last_include=since, random_sample=int(seq.sampled.sum()),
        estimate=estimate_relevant(seq.labels, seq.sampled, pool_size=seq.pool_size,
                                   confidence=confidence),
        verdicts=verdicts,
        model_estimate=counting_estimate(seq.labels, seq.pool_size, confidence, counting))


def wants_random_sample(conn: sqlite3.Connection, rule: str = SAMPLING_RULE) -> bool:
    """Whether the statistical rule asks for the next record to be drawn at random."""
    seq = screening_sequence(conn)
    decision = make_rule(rule).decide(seq.labels, seq.sampled, pool_size=seq.pool_size)
    return decision.wants_random_sample and not decision.stop


def draw_random_work(conn: sqlite3.Connection, rng: np.random.Generator | None = None
                     ) -> int | None:
    """A work drawn uniformly at random from those without a current decision (None when
    every work has one)."""
    seq = screening_sequence(conn)
    screened = set(seq.work_ids)
    unscreened = [r[0] for r in conn.execute("SELECT id FROM works ORDER BY id")
                  if r[0] not in screened]
    if not unscreened:
        return None
    rng = rng or np.random.default_rng()
    return int(unscreened[int(rng.integers(len(unscreened)))])


def record_sample_decision(conn: sqlite3.Connection, work_id: int, label: int | None, *,
                           reviewer: str, note: str | None = None) -> int:
    """Store a decision on a randomly drawn work (origin ``sample``), committed at once."""
    if conn.execute("SELECT 1 FROM works WHERE id = ?", (work_id,)).fetchone() is None:
        raise NotFoundError(f"no record with id {work_id}", hint="see `nlp-review export`")
    return add_decision(conn, work_id, label, reviewer=reviewer, origin=SAMPLE_ORIGIN,
                        note=note)
