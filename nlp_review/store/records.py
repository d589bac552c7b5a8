"""Sources, records and works (deduplicated groups) in the project store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Sequence

from nlp_review.records import Record
from nlp_review.store.db import utcnow

#: Record fields stored as columns (lists are stored as JSON).
COLUMNS = ("title", "abstract", "authors", "year", "journal", "volume", "issue", "pages",
           "doi", "pmid", "keywords", "type", "language", "url")
_LIST_COLUMNS = {"authors", "keywords"}


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    file_name: str
    file_hash: str
    format: str
    n_records: int
    imported_at: str
    search_id: int | None = None  # the database search this export came from (0008)


def source_by_hash(conn: sqlite3.Connection, file_hash: str) -> Source | None:
    row = conn.execute("SELECT * FROM sources WHERE file_hash = ?", (file_hash,)).fetchone()
    return Source(**dict(row)) if row else None


def list_sources(conn: sqlite3.Connection) -> list[Source]:
    return [Source(**dict(r)) for r in conn.execute("SELECT * FROM sources ORDER BY id")]


def add_source(
    conn: sqlite3.Connection,
    *,
    name: str,
    file_name: str,
    file_hash: str,
    format: str,
    records: Sequence[Record],
) -> tuple[int, list[int]]:
    """Insert a source and its records (call inside a transaction). Each new record is its
    own group and work until dedupe says otherwise. Returns the source id and record ids."""
    now = utcnow()
    cur = conn.execute(
        "INSERT INTO sources(name, file_name, file_hash, format, n_records, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (name, file_name, file_hash, format, len(records), now),
    )
    source_ref = cur.lastrowid
    ids: list[int] = []
    cols = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    for position, record in enumerate(records, start=1):
        values = [_to_db(c, getattr(record, c)) for c in COLUMNS]
        cur = conn.execute(
            f"INSERT INTO records(source_ref, source_id, position, {cols}, imported_at)"
            f" VALUES (?, ?, ?, {marks}, ?)",
            [source_ref, record.source_id or str(position), position, *values, now],
        )
        rid = cur.lastrowid
        ids.append(rid)
    conn.execute(
        "UPDATE records SET group_id = id WHERE source_ref = ? AND group_id IS NULL", (source_ref,)
    )
    conn.execute(
        f"INSERT INTO works(id, {cols}, n_records) SELECT id, {cols}, 1 FROM records"
        " WHERE source_ref = ?",
        (source_ref,),
    )
    return source_ref, ids


def _to_db(column: str, value: object) -> object:
    if column in _LIST_COLUMNS:
        return json.dumps(list(value or []), ensure_ascii=False)
    return value


def row_to_record(row: sqlite3.Row, *, source_id: str | None = None) -> Record:
    data = {c: row[c] for c in COLUMNS}
    for c in _LIST_COLUMNS:
        data[c] = json.loads(data[c] or "[]")
    return Record(**data, source_id=source_id)


def iter_records(conn: sqlite3.Connection) -> Iterable[sqlite3.Row]:
    """Every imported record with its provenance (source name), in import order."""
    return conn.execute(
        "SELECT r.*, s.name AS source_name FROM records r JOIN sources s ON s.id = r.source_ref"
        " ORDER BY r.id"
    )


def iter_works(conn: sqlite3.Connection) -> Iterable[sqlite3.Row]:
    """Every unique work (group face, fields filled from its duplicates), by id."""
    return conn.execute("SELECT * FROM works ORDER BY id")


def work_id_of(conn: sqlite3.Connection, record_id: int) -> int | None:
    row = conn.execute("SELECT group_id FROM records WHERE id = ?", (record_id,)).fetchone()
    return row[0] if row else None


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "sources": one("SELECT COUNT(*) FROM sources"),
        "records": one("SELECT COUNT(*) FROM records"),
        "works": one("SELECT COUNT(*) FROM works"),
    }
