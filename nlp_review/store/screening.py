"""Store access for screening: the review's criteria text, undecided works, and deciding a
work only if nobody decided it meanwhile (two reviewers screening one project)."""

from __future__ import annotations

import sqlite3
import time
from typing import Callable

from nlp_review.errors import NotFoundError
from nlp_review.store.db import transaction, utcnow
from nlp_review.store.decisions import add_decision, current_decisions


def set_criteria(conn: sqlite3.Connection, text: str, *, set_by: str) -> None:
    """Store the review question and inclusion criteria (the newest text is current)."""
    with transaction(conn):
        conn.execute("INSERT INTO criteria(text, set_by, created_at) VALUES (?, ?, ?)",
                     (text, set_by, utcnow()))


def get_criteria(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT text FROM criteria ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def decision_order(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(work id, label) of every currently decided work, in the order the work was first
    given its current decision (the order a warm-started model is trained in)."""
    current = current_decisions(conn)
    first: dict[int, int] = {}
    for row in conn.execute(
        "SELECT d.id, r.group_id AS work_id FROM decisions d JOIN records r"
        " ON r.id = d.record_id WHERE d.label IS NOT NULL ORDER BY d.id"
    ):
        first.setdefault(row["work_id"], row["id"])
    ordered = sorted(current, key=lambda w: first.get(w, 0))
    return [(w, current[w].label) for w in ordered]


def _current_label(conn: sqlite3.Connection, work_id: int) -> int | None:
    row = conn.execute(
        "SELECT d.label FROM decisions d JOIN records r ON r.id = d.record_id"
        " WHERE r.group_id = ? ORDER BY d.id DESC LIMIT 1", (work_id,)
    ).fetchone()
    return None if row is None else row[0]


def decide_if_undecided(conn: sqlite3.Connection, work_id: int, label: int, *, reviewer: str,
                        origin: str = "screen", note: str | None = None) -> bool:
    """Record ``label`` for the work unless it already has a decision; the check and the
    write share one transaction, so two sessions never both decide one work. Returns
    whether this call decided it."""
    with transaction(conn):
        if _current_label(conn, work_id) is not None:
            return False
        add_decision(conn, work_id, label, reviewer=reviewer, origin=origin, note=note,
                     commit=False)
    return True


def undo_decision(conn: sqlite3.Connection, work_id: int, *, reviewer: str,
                  origin: str = "screen") -> None:
    """Undo the work's current decision (an append-only undo row)."""
    with transaction(conn):
        if _current_label(conn, work_id) is None:
            raise NotFoundError(f"work {work_id} has no decision to undo")
        add_decision(conn, work_id, None, reviewer=reviewer, origin=origin, commit=False)


def resolve_work_ids(conn: sqlite3.Connection, record_ids: list[int]) -> dict[int, int]:
    """Record id -> its work (group face) id; raises NotFoundError listing unknown ids."""
    out, missing = {}, []
    for rid in record_ids:
        row = conn.execute("SELECT group_id FROM records WHERE id = ?", (rid,)).fetchone()
        if row is None:
            missing.append(rid)
        else:
            out[rid] = row[0]
    if missing:
        raise NotFoundError(f"no record with id {', '.join(map(str, missing))}",
                            hint="record ids are the project's ids (see `nlp-review rank`)")
    return out


#: how long a screening session's claim on the record it shows keeps others off it (a
#: session that crashed or was left open stops blocking the record after this)
CLAIM_SECONDS = 15 * 60


def claim_next(conn: sqlite3.Connection, session: str, reviewer: str,
               choose: Callable[[set[int], set[int]], int | None]) -> int | None:
    """Pick and claim the record a screening session shows next, in one transaction:
    ``choose(shown_elsewhere, decided)`` gets the works other sessions are showing now and
    those found decided since the session last read the decisions, and returns the work to
    show (None: nothing); the session's earlier claim is released. Two sessions asking at
    the same moment are serialised, so they never claim the same work unless ``choose``
    falls back to a claimed one (nothing else left), and never a work already decided."""
    now = time.time()
    with transaction(conn):
        conn.execute("DELETE FROM screen_claims WHERE session = ? OR claimed_at < ?",
                     (session, now - CLAIM_SECONDS))
        others = {row[0] for row in conn.execute("SELECT work_id FROM screen_claims")}
        decided: set[int] = set()
        work = choose(others, decided)
        while work is not None and _current_label(conn, work) is not None:
            decided.add(work)  # decided by another session since this one refreshed
            work = choose(others, decided)
        if work is not None:
            conn.execute("INSERT OR REPLACE INTO screen_claims(work_id, session, reviewer,"
                         " claimed_at) VALUES (?, ?, ?, ?)", (work, session, reviewer, now))
    return work


def release_claims(conn: sqlite3.Connection, session: str) -> None:
    """Drop the session's claim (its reviewer quit)."""
    with transaction(conn):
        conn.execute("DELETE FROM screen_claims WHERE session = ?", (session,))
