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
    steps: frozenset[str] = frozenset()  # of UPDATE_STEPS done

    @property
    def completed(self) -> bool:
        return "completed" in self.steps


#: project_meta key set while an update imports and deduplicates its files (before it is
#: recorded); left behind by an interrupted run, so `status` and `update` can say so
IMPORTING_KEY = "update_importing"


def mark_update_importing(conn: sqlite3.Connection, started_at: str,
                          files: list[str]) -> None:
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO project_meta(key, value) VALUES (?, ?)",
                     (IMPORTING_KEY, json.dumps({"started_at": started_at, "files": files})))


def clear_update_importing(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM project_meta WHERE key = ?", (IMPORTING_KEY,))


def update_importing(conn: sqlite3.Connection) -> dict | None:
    """{started_at, files} of an update interrupted before it was recorded, or None."""
    row = conn.execute("SELECT value FROM project_meta WHERE key = ?",
                       (IMPORTING_KEY,)).fetchone()
    return None if row is None else json.loads(row[0])


def add_update(conn: sqlite3.Connection, *, started_at: str, first_record: int | None,
               last_record: int | None, source_ids: list[int], summary: dict) -> int:
    """Record an update (and clear the importing mark in the same transaction)."""
    with transaction(conn):
        conn.execute("DELETE FROM project_meta WHERE key = ?", (IMPORTING_KEY,))
        uid = conn.execute(
            "INSERT INTO updates(started_at, first_record, last_record, summary)"
            " VALUES (?, ?, ?, ?)",
            (started_at, first_record, last_record, json.dumps(summary))).lastrowid
        conn.executemany("INSERT INTO update_sources(update_id, source_id) VALUES (?, ?)",
                         [(uid, s) for s in source_ids])
    return uid


#: the steps after an update's records are counted, in order (migration 0011_update_steps)
UPDATE_STEPS = ("ranked", "tagged", "completed")


def mark_update_step(conn: sqlite3.Connection, update_id: int, step: str,
                     summary: dict | None = None) -> None:
    """Record that ``step`` of the update is done (with its new summary, in the same
    transaction, so the figures and the step are stored together or not at all)."""
    if step not in UPDATE_STEPS:
        raise ValueError(f"unknown update step {step!r}")
    with transaction(conn):
        if summary is not None:
            conn.execute("UPDATE updates SET summary = ? WHERE id = ?",
                         (json.dumps(summary), update_id))
        conn.execute("INSERT OR REPLACE INTO update_steps(update_id, step, done_at)"
                     " VALUES (?, ?, ?)", (update_id, step, utcnow()))


def update_steps(conn: sqlite3.Connection, update_id: int) -> set[str]:
    """The steps of the update done so far."""
    return {r[0] for r in conn.execute("SELECT step FROM update_steps WHERE update_id = ?",
                                       (update_id,))}


def pending_updates(conn: sqlite3.Connection) -> list[UpdateRow]:
    """Updates whose records are in the project but whose later steps (ranking, tagging,
    the stopping estimate) never finished: an interrupted `nlp-review update`."""
    return [u for u in list_updates(conn) if not u.completed]


def list_updates(conn: sqlite3.Connection) -> list[UpdateRow]:
    out = []
    for row in conn.execute("SELECT * FROM updates ORDER BY id").fetchall():
        sources = [r[0] for r in conn.execute(
            "SELECT source_id FROM update_sources WHERE update_id = ? ORDER BY source_id",
            (row["id"],))]
        out.append(UpdateRow(row["id"], row["started_at"], row["first_record"],
                             row["last_record"], sources, json.loads(row["summary"]),
                             frozenset(update_steps(conn, row["id"]))))
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
