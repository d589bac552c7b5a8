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
from nlp_review.stopping.estimate import RelevantEstimate, estimate_relevant
from nlp_review.stopping.registry import DEFAULT_RULES, make_rule
from nlp_review.store.decisions import add_decision, decision_history

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

    @property
    def wants_random_sample(self) -> bool:
        return any(d.wants_random_sample and not d.stop for _, d in self.verdicts)


def screening_sequence(conn: sqlite3.Connection) -> ScreeningSequence:
    """Replay the decision log (oldest first): a work enters the sequence with its first
    decision, keeps its place if its label is changed, and leaves it when undone."""
    entered: dict[int, tuple[int, int, bool]] = {}  # work -> (order key, label, sampled)
    for row in decision_history(conn):
        work = row["work_id"]
        if row["label"] is None:
            entered.pop(work, None)
        elif work in entered:
            key, _, was_sampled = entered[work]
            entered[work] = (key, int(row["label"]), was_sampled)
        else:
            entered[work] = (int(row["id"]), int(row["label"]), row["origin"] == SAMPLE_ORIGIN)
    ordered = sorted(entered.items(), key=lambda item: item[1][0])
    pool = conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]
    return ScreeningSequence(
        work_ids=[w for w, _ in ordered],
        labels=np.array([v[1] for _, v in ordered], dtype=np.int64),
        sampled=np.array([v[2] for _, v in ordered], dtype=bool),
        pool_size=int(pool),
    )


def stopping_report(conn: sqlite3.Connection, rules: Sequence[str] = DEFAULT_RULES,
                    confidence: float = 0.95) -> StoppingReport:
    """Every named rule's verdict on the project's decisions so far, with the estimated
    total of relevant records and recall (interval at ``confidence``)."""
    built = [(spec, make_rule(spec)) for spec in rules]  # bad names fail before any work
    seq = screening_sequence(conn)
    verdicts = [(spec, rule.decide(seq.labels, seq.sampled, pool_size=seq.pool_size))
                for spec, rule in built]
    hits = np.flatnonzero(seq.labels == 1)
    since = int(seq.labels.size if hits.size == 0 else seq.labels.size - 1 - hits[-1])
    return StoppingReport(
        records=seq.pool_size, screened=int(seq.labels.size), included=int(seq.labels.sum()),
        since_last_include=since, random_sample=int(seq.sampled.sum()),
        estimate=estimate_relevant(seq.labels, seq.sampled, pool_size=seq.pool_size,
                                   confidence=confidence),
        verdicts=verdicts)


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
