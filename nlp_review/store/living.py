"""Store access for living reviews: database searches, the updates that folded new
exports in, and dated evidence snapshots (tables from migration ``0008_living_review``)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from nlp_review.errors import InputError, NotFoundError
from nlp_review.store.db import transaction, utcnow


@dataclass(frozen=True)
class Search:
    id: int
    database: str
    search_date: str
    query: str
    hits: int | None
    notes: str | None
    created_at: str


def _search(row: sqlite3.Row) -> Search:
    return Search(row["id"], row["database"], row["search_date"], row["query"], row["hits"],
                  row["notes"], row["created_at"])


def add_search(conn: sqlite3.Connection, *, database: str, search_date: str, query: str,
               hits: int | None = None, notes: str | None = None) -> int:
    """Record one database search; returns its id. The date must be YYYY-MM-DD."""
    if not database.strip():
        raise InputError("the database name is empty", hint="e.g. --database MEDLINE")
    if not query.strip():
        raise InputError("the search query is empty",
                         hint="give the query text, or @FILE to read it from a file")
    try:
        date.fromisoformat(search_date)
    except ValueError:
        raise InputError(f"date {search_date!r} is not YYYY-MM-DD",
                         hint="the day the search was run, e.g. 2026-03-01") from None
    if hits is not None and hits < 0:
        raise InputError(f"hits must be 0 or more, not {hits}")
    with transaction(conn):
        return conn.execute(
            "INSERT INTO searches(database, search_date, query, hits, notes, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (database.strip(), search_date, query, hits, notes, utcnow())).lastrowid


def list_searches(conn: sqlite3.Connection) -> list[Search]:
    return [_search(r) for r in conn.execute("SELECT * FROM searches ORDER BY id")]


def get_search(conn: sqlite3.Connection, search_id: int) -> Search:
    row = conn.execute("SELECT * FROM searches WHERE id = ?", (search_id,)).fetchone()
    if row is None:
        known = ", ".join(str(s.id) for s in list_searches(conn)) or "none yet"
        raise NotFoundError(f"no search with id {search_id} (searches: {known})",
                            hint="record it first with `nlp-review search add`; "
                                 "`nlp-review search list` shows the ids")
    return _search(row)


def tie_source(conn: sqlite3.Connection, source_id: int, search_id: int) -> None:
    """Mark an imported source as the export of a search (inside the caller's transaction)."""
    conn.execute("UPDATE sources SET search_id = ? WHERE id = ?", (search_id, source_id))


# --- updates ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateRow:
    id: int
    started_at: str
    first_record: int | None
    last_record: int | None
    source_ids: list[int]
    summary: dict


def add_update(conn: sqlite3.Connection, *, started_at: str, first_record: int | None,
               last_record: int | None, source_ids: list[int], summary: dict) -> int:
    with transaction(conn):
        uid = conn.execute(
            "INSERT INTO updates(started_at, first_record, last_record, summary)"
            " VALUES (?, ?, ?, ?)",
            (started_at, first_record, last_record, json.dumps(summary))).lastrowid
        conn.executemany("INSERT INTO update_sources(update_id, source_id) VALUES (?, ?)",
                         [(uid, s) for s in source_ids])
    return uid


def set_update_summary(conn: sqlite3.Connection, update_id: int, summary: dict) -> None:
    with transaction(conn):
        conn.execute("UPDATE updates SET summary = ? WHERE id = ?",
                     (json.dumps(summary), update_id))


def list_updates(conn: sqlite3.Connection) -> list[UpdateRow]:
    out = []
    for row in conn.execute("SELECT * FROM updates ORDER BY id").fetchall():
        sources = [r[0] for r in conn.execute(
            "SELECT source_id FROM update_sources WHERE update_id = ? ORDER BY source_id",
            (row["id"],))]
        out.append(UpdateRow(row["id"], row["started_at"], row["first_record"],
                             row["last_record"], sources, json.loads(row["summary"])))
    return out


def get_update(conn: sqlite3.Connection, update_id: int) -> UpdateRow:
    for u in list_updates(conn):
        if u.id == update_id:
            return u
    known = ", ".join(str(u.id) for u in list_updates(conn)) or "none yet"
    raise NotFoundError(f"no update with id {update_id} (updates: {known})",
                        hint="`nlp-review update --list` shows the updates")


# --- evidence snapshots -----------------------------------------------------------------------

@dataclass(frozen=True)
class SnapshotRow:
    id: int
    created_at: str
    n_studies: int
    n_rows: int
    data: dict


def add_snapshot(conn: sqlite3.Connection, data: dict, *, n_studies: int, n_rows: int) -> int:
    with transaction(conn):
        return conn.execute(
            "INSERT INTO evidence_snapshots(created_at, n_studies, n_rows, data)"
            " VALUES (?, ?, ?, ?)",
            (utcnow(), n_studies, n_rows, json.dumps(data, ensure_ascii=False))).lastrowid


def list_snapshots(conn: sqlite3.Connection) -> list[SnapshotRow]:
    return [SnapshotRow(r["id"], r["created_at"], r["n_studies"], r["n_rows"], {})
            for r in conn.execute("SELECT id, created_at, n_studies, n_rows"
                                  " FROM evidence_snapshots ORDER BY id")]


def get_snapshot(conn: sqlite3.Connection, snapshot_id: int) -> SnapshotRow:
    row = conn.execute("SELECT * FROM evidence_snapshots WHERE id = ?",
                       (snapshot_id,)).fetchone()
    if row is None:
        known = ", ".join(str(s.id) for s in list_snapshots(conn)) or "none yet"
        raise NotFoundError(f"no evidence snapshot {snapshot_id} (snapshots: {known})",
                            hint="each `nlp-review evidence` run stores one; "
                                 "`nlp-review evidence --snapshots` lists them")
    return SnapshotRow(row["id"], row["created_at"], row["n_studies"], row["n_rows"],
                       json.loads(row["data"]))
