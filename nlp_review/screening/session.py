"""Screening a project: the queue of undecided works ranked by the model, decisions
committed one at a time, retraining after each. Used by ``nlp-review screen`` (interactive)
and ``nlp-review rank`` / ``label`` (non-interactive). Works are dedup group faces, so
duplicates share one decision.

Several sessions may screen one project at once: before showing the next work the session
reloads the project's decisions (so another reviewer's decisions count), and a decision
is written only if the work is still undecided inside the write transaction."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from nlp_review.errors import InputError, InputErrors, NlpReviewError, NotFoundError
from nlp_review.screening.decisions_file import read_decisions_csv
from nlp_review.screening.presets import Preset
from nlp_review.screening.ranker import Ranker
from nlp_review.store import screening as store
from nlp_review.store.decisions import Decision


@dataclass
class WorkView:
    """What a reviewer sees of one work."""

    work_id: int
    title: str
    abstract: str
    authors: list[str]
    year: int | None
    journal: str | None
    score: float


@dataclass
class Progress:
    works: int
    screened: int
    included: int
    since_last_include: int


@dataclass
class QueueRow:
    rank: int
    work_id: int
    score: float
    title: str
    year: int | None
    doi: str | None


class ScreeningSession:
    """The ranked queue of one project for one reviewer."""

    def __init__(self, conn: sqlite3.Connection, *, reviewer: str,
                 preset: str | Preset | None = None) -> None:
        self.conn = conn
        self.reviewer = reviewer
        rows = conn.execute("SELECT id, title, abstract, authors, year, journal, doi"
                            " FROM works ORDER BY id").fetchall()
        if not rows:
            raise NlpReviewError("the project has no records to screen",
                                 hint="import a search export first (`nlp-review import`)")
        self.work_ids = np.array([r["id"] for r in rows], dtype=np.int64)
        self._row_of = {int(w): i for i, w in enumerate(self.work_ids)}
        self._rows = rows
        self.criteria = store.get_criteria(conn)
        texts = [f"{r['title'] or ''}\n\n{r['abstract'] or ''}".strip() for r in rows]
        self.ranker = Ranker(preset=preset, criteria=self.criteria).attach(texts)
        self.skipped: set[int] = set()
        self.history: list[int] = []  # work ids decided in this session, for undo
        self._trained_on: list[tuple[int, int]] | None = None
        self.retrain_seconds = 0.0
        self.rng = np.random.RandomState(0)
        self.random_sample = False  # True while the statistical stopping rule asks for it
        self._drawn: int | None = None  # work drawn at random, decided with origin "sample"
        self.session_id = uuid.uuid4().hex  # its claim on the record shown (store.claim_next)
        self.refresh()

    # -- model --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the project's decisions and retrain if they changed."""
        decided = [(w, l) for w, l in store.decision_order(self.conn) if w in self._row_of]
        if decided == self._trained_on:
            return
        t0 = time.perf_counter()
        self.ranker.fit([self._row_of[w] for w, _ in decided], [l for _, l in decided])
        self.retrain_seconds = time.perf_counter() - t0
        self._trained_on = decided
        self._decided = {w for w, _ in decided}

    def _pool(self, include_skipped: bool = False) -> np.ndarray:
        mask = np.ones(len(self.work_ids), dtype=bool)
        for w in self._decided:
            mask[self._row_of[w]] = False
        if not include_skipped:
            for w in self.skipped:
                mask[self._row_of[w]] = False
        return np.flatnonzero(mask)

    # -- queue ---------------------------------------------------------------------------
    def next_work(self) -> WorkView | None:
        """The best undecided work not skipped in this session (None: nothing left)."""
        self.refresh()
        pool = self._pool()
        if len(pool) == 0:
            pool = self._pool(include_skipped=True)  # only skipped ones left: show them again
            self.skipped.clear()
            if len(pool) == 0:
                return None
        from nlp_review.stopping.report import wants_random_sample

        self.random_sample = wants_random_sample(self.conn)

        def choose(shown_elsewhere: set[int], decided: set[int]) -> int | None:
            free = self._unclaimed(self._without(pool, decided), shown_elsewhere)
            if len(free) == 0:
                return None
            if self.random_sample:  # uniform draw from the unscreened pool (issue 4)
                return int(self.work_ids[free[np.random.default_rng().integers(len(free))]])
            return int(self.work_ids[self.ranker.query(free, self.rng)])

        work = store.claim_next(self.conn, self.session_id, self.reviewer, choose)
        if work is None:  # the rest was decided elsewhere meanwhile
            return self.next_work()
        self._drawn = work if self.random_sample else None
        return self.view(work)

    def _without(self, pool: np.ndarray, works: set[int]) -> np.ndarray:
        if not works:
            return pool
        return pool[~np.isin(pool, [self._row_of[w] for w in works if w in self._row_of])]

    def _unclaimed(self, pool: np.ndarray, shown_elsewhere: set[int]) -> np.ndarray:
        """The pool without the works other sessions are showing (all of it if nothing
        else is left: two reviewers near the end may see one record)."""
        free = self._without(pool, shown_elsewhere)
        return free if len(free) else pool

    def close(self) -> None:
        """Release the record this session is showing (when the reviewer quits)."""
        store.release_claims(self.conn, self.session_id)

    def view(self, work_id: int) -> WorkView:
        if work_id not in self._row_of:
            raise NotFoundError(f"no work with id {work_id}")
        i = self._row_of[work_id]
        r = self._rows[i]
        return WorkView(work_id=work_id, title=r["title"] or "(no title)",
                        abstract=r["abstract"] or "", authors=json.loads(r["authors"] or "[]"),
                        year=r["year"], journal=r["journal"],
                        score=float(self.ranker.scores_[i]))

    def ranking(self) -> list[QueueRow]:
        """Every undecided work, best first, with its score."""
        self.refresh()
        ranked = self.ranker.ranking(self._pool(include_skipped=True))
        return [QueueRow(rank=k, work_id=int(self.work_ids[i]),
                         score=float(self.ranker.scores_[i]), title=self._rows[i]["title"] or "",
                         year=self._rows[i]["year"], doi=self._rows[i]["doi"])
                for k, i in enumerate(ranked, start=1)]

    # -- decisions -----------------------------------------------------------------------
    def decide(self, work_id: int, label: int, note: str | None = None) -> bool:
        """Commit a decision for the work, then retrain. False if another session decided
        the work meanwhile (nothing is written then)."""
        origin = "sample" if work_id == self._drawn else "screen"
        done = store.decide_if_undecided(self.conn, work_id, label, reviewer=self.reviewer,
                                         origin=origin, note=note)
        if done:
            self.history.append(work_id)
        self.refresh()
        return done

    def decision_on(self, work_id: int) -> Decision | None:
        """The work's current decision (whoever made it), e.g. after ``decide`` found that
        another session had decided it."""
        from nlp_review.store.decisions import current_decisions

        return current_decisions(self.conn).get(work_id)

    def skip(self, work_id: int) -> None:
        self.skipped.add(work_id)

    def undo(self) -> int | None:
        """Undo this session's last decision; returns the work id (None: nothing to undo)."""
        while self.history:
            work_id = self.history.pop()
            try:
                store.undo_decision(self.conn, work_id, reviewer=self.reviewer)
            except NotFoundError:
                continue  # already undone elsewhere
            self.skipped.discard(work_id)
            self.refresh()
            return work_id
        return None

    def progress(self) -> Progress:
        decided = self._trained_on or []
        labels = [l for _, l in decided]
        last_include = max((k for k, l in enumerate(labels) if l == 1), default=-1)
        return Progress(works=len(self.work_ids), screened=len(labels), included=sum(labels),
                        since_last_include=len(labels) - 1 - last_include)


def criteria_terms(criteria: str | None) -> list[str]:
    """Words of the criteria worth highlighting (4+ letters, not stop words)."""
    if not criteria:
        return []
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", criteria)}
    return sorted(w for w in words if w not in ENGLISH_STOP_WORDS)


@dataclass
class LabelResult:
    """What ``record_labels`` did: decisions written, decisions the works already had
    (not written again, so the original reviewer stays on record), and one line per
    decision that replaced a different one (who decided what before)."""

    written: int = 0
    unchanged: int = 0
    replaced: list[str] = field(default_factory=list)

    def __iadd__(self, other: "LabelResult") -> "LabelResult":
        self.written += other.written
        self.unchanged += other.unchanged
        self.replaced += other.replaced
        return self


def label_word(label: int) -> str:
    """"include" or "exclude", as reviewers say it."""
    return "include" if label else "exclude"


def record_labels(conn: sqlite3.Connection, decisions: Iterable[tuple[int, int]], *,
                  reviewer: str, origin: str = "label", file: Path | None = None,
                  lines: list[int] | None = None) -> LabelResult:
    """Record (record id, label) decisions made elsewhere in ONE transaction: any unknown
    id, or a work given both labels through its records, raises before anything is
    written (naming ``file`` and the decisions' ``lines`` when they come from a file).
    A decision the work already has is not written again; one that replaces a different
    decision is written and reported."""
    from nlp_review.store.db import to_minute, transaction
    from nlp_review.store.decisions import add_decision, current_decisions

    decisions = list(decisions)
    works = store.resolve_work_ids(conn, [rid for rid, _ in decisions])
    where = [f" (line {line})" if line else "" for line in lines] if lines else None
    conflicts = _conflicting(works, decisions, where)
    if conflicts:
        raise InputErrors([InputError(message, file=file) for message in conflicts],
                          hint="records of one work (duplicates) share one decision: give "
                               "the work one label; nothing was recorded")
    current = current_decisions(conn)
    result = LabelResult()
    with transaction(conn):
        done: set[int] = set()
        for rid, label in decisions:
            before = current.get(works[rid])
            if works[rid] in done or (before is not None and before.label == label):
                result.unchanged += 1
                continue
            if before is not None:
                result.replaced.append(
                    f"record {works[rid]}: {label_word(before.label)} by {before.reviewer} "
                    f"({to_minute(before.created_at)}) replaced by "
                    f"{label_word(label)} by {reviewer}")
            add_decision(conn, rid, label, reviewer=reviewer, origin=origin, commit=False)
            done.add(works[rid])
            result.written += 1
    return result


def label_works(conn: sqlite3.Connection, decisions: Iterable[tuple[int, int]], *,
                reviewer: str, origin: str = "label", file: Path | None = None,
                lines: list[int] | None = None) -> int:
    """``record_labels``, returning the number of decisions written."""
    return record_labels(conn, decisions, reviewer=reviewer, origin=origin, file=file,
                         lines=lines).written


def _conflicting(works: dict[int, int], decisions: list[tuple[int, int]],
                 where: list[str] | None = None) -> list[str]:
    """One message per work given both include and exclude through its records."""
    by_work: dict[int, list[tuple[int, int, str]]] = {}
    for n, (rid, label) in enumerate(decisions):
        by_work.setdefault(works[rid], []).append((rid, label, where[n] if where else ""))
    out = []
    for work, given in by_work.items():
        if len({label for _, label, _ in given}) > 1:
            parts = ", ".join(f"record {rid}{where_} {label_word(label)}"
                              for rid, label, where_ in given)
            out.append(f"work {work} is given both decisions: {parts}")
    return out


def labels_from_file(conn: sqlite3.Connection, path: Path, *, reviewer: str) -> LabelResult:
    """Import decisions from a CSV (``record_id,label_included``; empty labels are skipped)
    or an RIS file written by ``nlp-review export``, all or nothing: a bad line (unknown
    id, label not 0/1) names the line and nothing is written."""
    known = {r[0] for r in conn.execute("SELECT id FROM records")}
    rows = read_decisions_csv(path, known=known)  # every bad line at once, unknown ids too
    return record_labels(conn, [(rid, label) for _, rid, label in rows], reviewer=reviewer,
                         file=path, lines=[line for line, _, _ in rows])


def label_from_file(conn: sqlite3.Connection, path: Path, *, reviewer: str) -> int:
    """``labels_from_file``, returning the number of decisions written."""
    return labels_from_file(conn, path, reviewer=reviewer).written


def rank_works(conn: sqlite3.Connection, preset: str | None = None) -> list[QueueRow]:
    """The undecided works of a project, ranked best first (for ``nlp-review rank``)."""
    works = conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]
    if works and works <= len(store.decision_order(conn)):
        return []  # every work decided: nothing to rank (training would take minutes)
    return ScreeningSession(conn, reviewer="rank", preset=preset).ranking()
