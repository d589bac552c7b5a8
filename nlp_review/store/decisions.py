"""Screening decisions: an append-only log keyed by record, read per work (dedup group).

A work's current decision is the newest row over all records of its group; a row with
``label`` NULL is an undo. Every write is its own committed transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from nlp_review.errors import NotFoundError
from nlp_review.store.db import transaction, utcnow

ORIGINS = ("prior", "screen", "label", "simulate", "update", "sample")  # sample: drawn at random (stopping)


@dataclass(frozen=True)
class Decision:
    work_id: int
    record_id: int
    label: int
    reviewer: str
    origin: str
    created_at: str
    note: str | None = None


def add_decision(
    conn: sqlite3.Connection,
    record_id: int,
    label: int | None,
    *,
    reviewer: str,
    origin: str,
    note: str | None = None,
    commit: bool = True,
) -> int:
    """Append one decision (label 1 include, 0 exclude, None undo). With ``commit`` (the
    default) it is its own committed transaction; pass ``commit=False`` inside a caller's
    transaction that writes many at once (one file of imported decisions)."""
    if conn.execute("SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is None:
        raise NotFoundError(f"no record with id {record_id}", hint="see `nlp-review export`")
    sql = (
        "INSERT INTO decisions(record_id, label, reviewer, origin, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    args = (record_id, label, reviewer, origin, note, utcnow())
    if not commit:
        return conn.execute(sql, args).lastrowid
    with transaction(conn):
        return conn.execute(sql, args).lastrowid




def current_decisions(conn: sqlite3.Connection) -> dict[int, Decision]:
    """Work id -> its current decision (undone works are left out)."""
    out: dict[int, Decision] = {}
    latest: dict[int, sqlite3.Row] = {}
    for row in conn.execute(
        "SELECT r.group_id AS work_id, d.id, d.record_id, d.label, d.reviewer, d.origin,"
        " d.created_at, d.note FROM decisions d JOIN records r ON r.id = d.record_id"
        " ORDER BY d.id"
    ):
        latest[row["work_id"]] = row
    for work_id, row in latest.items():
        if row["label"] is None:
            continue
        out[work_id] = Decision(
            work_id=work_id, record_id=row["record_id"], label=row["label"],
            reviewer=row["reviewer"], origin=row["origin"], created_at=row["created_at"],
            note=row["note"],
        )
    return out


def decision_history(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every decision row ever written, oldest first, with the record's current work."""
    return conn.execute(
        "SELECT d.*, r.group_id AS work_id FROM decisions d JOIN records r ON r.id = d.record_id"
        " ORDER BY d.id"
    ).fetchall()
