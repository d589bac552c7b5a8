"""Tags (tagged spans) in the project store, keyed by record id (the work's face), with the
hashes of the text and of the pattern set each record was tagged with."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from nlp_review.store.db import utcnow

SPAN_FIELDS = ("start", "end", "label", "group", "negated", "hedged", "sent_start", "sent_end")


def tagged_state(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    """{record id: (text hash, patterns hash)} for every tagged record."""
    return {r[0]: (r[1], r[2]) for r in
            conn.execute("SELECT record_id, text_hash, patterns_hash FROM tagged_texts")}


def tagged_state_of(conn: sqlite3.Connection, record_id: int) -> tuple[str, str] | None:
    """(text hash, patterns hash) of one tagged record, None if it was never tagged."""
    row = conn.execute("SELECT text_hash, patterns_hash FROM tagged_texts WHERE record_id = ?",
                       (record_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def replace_tags(conn: sqlite3.Connection, record_id: int, spans: Iterable[dict], *,
                 text_hash: str, patterns_hash: str) -> int:
    """Replace one record's spans (call inside a transaction). Returns the span count."""
    conn.execute("DELETE FROM tags WHERE record_id = ?", (record_id,))
    rows = [(record_id, s["start"], s["end"], s["label"], s["group"], int(s["negated"]),
             int(s["hedged"]), s["sent_start"], s["sent_end"]) for s in spans]
    conn.executemany(
        "INSERT INTO tags(record_id, start, end, label, tag_group, negated, hedged,"
        " sent_start, sent_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute(
        "INSERT INTO tagged_texts(record_id, text_hash, patterns_hash, n_spans, tagged_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(record_id) DO UPDATE SET"
        " text_hash = excluded.text_hash, patterns_hash = excluded.patterns_hash,"
        " n_spans = excluded.n_spans, tagged_at = excluded.tagged_at",
        (record_id, text_hash, patterns_hash, len(rows), utcnow()))
    return len(rows)


def tags_of(conn: sqlite3.Connection, record_id: int) -> list[dict]:
    """A record's stored spans, by position."""
    rows = conn.execute(
        "SELECT start, end, label, tag_group, negated, hedged, sent_start, sent_end FROM tags"
        " WHERE record_id = ? ORDER BY start, end, tag_group, label", (record_id,))
    return [{"start": r[0], "end": r[1], "label": r[2], "group": r[3], "negated": bool(r[4]),
             "hedged": bool(r[5]), "sent_start": r[6], "sent_end": r[7]} for r in rows]


def label_counts(conn: sqlite3.Connection) -> list[tuple[str, str, int, int]]:
    """(group, label, spans, records) over all stored tags."""
    return [tuple(r) for r in conn.execute(
        "SELECT tag_group, label, COUNT(*), COUNT(DISTINCT record_id) FROM tags"
        " GROUP BY tag_group, label ORDER BY tag_group, label")]
