"""Full texts in the project store: one ``fulltexts`` row per file (keyed by its hash) and its
paragraphs, tables and figure captions in ``fulltext_paragraphs`` with section, page and
offsets into the full text's document text (paragraphs joined by blank lines)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from nlp_review.fulltext.model import FullText
from nlp_review.store.db import utcnow

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class StoredFullText:
    id: int
    record_id: int | None
    file_name: str
    file_hash: str
    format: str | None
    pages: int | None
    status: str
    message: str | None
    title: str | None
    doi: str | None
    pmid: str | None
    notice: str | None
    link_method: str | None
    link_score: float | None
    n_paragraphs: int
    seconds: float | None
    added_at: str
    updated_at: str


def _row(row: sqlite3.Row | None) -> StoredFullText | None:
    return StoredFullText(**dict(row)) if row else None


def fulltext_by_hash(conn: sqlite3.Connection, file_hash: str) -> StoredFullText | None:
    return _row(conn.execute("SELECT * FROM fulltexts WHERE file_hash = ?",
                             (file_hash,)).fetchone())


def fulltext_by_id(conn: sqlite3.Connection, fulltext_id: int) -> StoredFullText | None:
    return _row(conn.execute("SELECT * FROM fulltexts WHERE id = ?", (fulltext_id,)).fetchone())


def list_fulltexts(conn: sqlite3.Connection) -> list[StoredFullText]:
    return [StoredFullText(**dict(r)) for r in conn.execute("SELECT * FROM fulltexts ORDER BY id")]


def fulltexts_of_record(conn: sqlite3.Connection, record_id: int) -> list[StoredFullText]:
    return [StoredFullText(**dict(r)) for r in conn.execute(
        "SELECT * FROM fulltexts WHERE record_id = ? AND status = 'linked' ORDER BY id",
        (record_id,))]


def paragraph_rows(text: FullText) -> list[dict]:
    """The rows to store for a FullText: body paragraphs in section order, then tables and
    figure captions, with offsets into the document text."""
    rows: list[dict] = []
    offset = 0

    def add(block: str, kind: str, heading: str | None, page: int | None, body: str,
            taggable: bool, breaks: list | None = None) -> None:
        nonlocal offset
        if rows:
            offset += len(PARAGRAPH_SEPARATOR)
        rows.append(dict(position=len(rows), block=block, section_kind=kind, heading=heading,
                         page=page, start=offset, end=offset + len(body), text=body,
                         taggable=int(taggable),
                         page_breaks=json.dumps([list(b) for b in breaks or []])))
        offset += len(body)

    for section in text.sections:
        for paragraph in section.paragraphs:
            add("text", section.kind, section.heading, paragraph.page, paragraph.text,
                section.taggable, paragraph.page_breaks)
    for flt in text.floats:
        body = flt.caption if not flt.content else f"{flt.caption}\n{flt.content}"
        add(flt.kind, "other", flt.label, flt.page, body, False)
    return rows


def save_fulltext(
    conn: sqlite3.Connection,
    *,
    file_name: str,
    file_hash: str,
    format: str | None,
    text: FullText | None,
    status: str,
    message: str | None = None,
    record_id: int | None = None,
    link_method: str | None = None,
    link_score: float | None = None,
    seconds: float | None = None,
) -> int:
    """Insert (or replace a failed attempt at) a full text and its paragraphs. Call inside a
    transaction. Returns the full text's id."""
    now = utcnow()
    old = fulltext_by_hash(conn, file_hash)
    if old is not None:
        conn.execute("DELETE FROM fulltext_tags WHERE fulltext_id = ?", (old.id,))
        conn.execute("DELETE FROM fulltext_tagged WHERE fulltext_id = ?", (old.id,))
        conn.execute("DELETE FROM fulltext_paragraphs WHERE fulltext_id = ?", (old.id,))
        conn.execute("DELETE FROM fulltexts WHERE id = ?", (old.id,))
    rows = paragraph_rows(text) if text is not None else []
    cur = conn.execute(
        "INSERT INTO fulltexts(id, record_id, file_name, file_hash, format, pages, status,"
        " message, title, doi, pmid, notice, link_method, link_score, n_paragraphs, seconds,"
        " added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (old.id if old else None, record_id, file_name, file_hash, format,
         text.pages if text else None, status, message, text.title if text else None,
         text.doi if text else None, text.pmid if text else None,
         text.notice if text else None, link_method, link_score, len(rows), seconds,
         old.added_at if old else now, now),
    )
    fulltext_id = cur.lastrowid
    conn.executemany(
        "INSERT INTO fulltext_paragraphs(fulltext_id, position, block, section_kind, heading,"
        " page, start, end, text, taggable, page_breaks) VALUES (:fid, :position, :block,"
        " :section_kind, :heading, :page, :start, :end, :text, :taggable, :page_breaks)",
        [dict(r, fid=fulltext_id) for r in rows],
    )
    return fulltext_id


def set_link(conn: sqlite3.Connection, fulltext_id: int, record_id: int | None, *,
             method: str | None, score: float | None = None,
             message: str | None = None) -> None:
    """Link (or unlink, with ``record_id`` None) a stored full text; ``message`` (if given)
    replaces the stored one. Inside a transaction."""
    conn.execute(
        "UPDATE fulltexts SET record_id = ?, link_method = ?, link_score = ?, status = ?,"
        " message = COALESCE(?, message), updated_at = ? WHERE id = ?",
        (record_id, method, score, "linked" if record_id is not None else "unlinked", message,
         utcnow(), fulltext_id),
    )


def page_at(paragraph: sqlite3.Row, offset: int) -> int | None:
    """The page of the character at ``offset`` (within the paragraph's text)."""
    page = paragraph["page"]
    for start, p in json.loads(paragraph["page_breaks"] or "[]"):
        if offset >= start:
            page = p
    return page


def paragraphs_of(conn: sqlite3.Connection, fulltext_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM fulltext_paragraphs WHERE fulltext_id = ? ORDER BY"
                        " position", (fulltext_id,)).fetchall()


def document_text(conn: sqlite3.Connection, fulltext_id: int) -> str:
    """The full text's document text; paragraph offsets index into it."""
    return PARAGRAPH_SEPARATOR.join(r["text"] for r in paragraphs_of(conn, fulltext_id))


# -- tags ------------------------------------------------------------------------------------
def tagged_fulltexts(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    """{fulltext id: (text hash, patterns hash)} of the full texts tagged so far."""
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT fulltext_id, text_hash, patterns_hash FROM fulltext_tagged")}


def fulltext_is_tagged(conn: sqlite3.Connection, fulltext_id: int) -> bool:
    """Whether `fulltext tag` has run over this full text."""
    return conn.execute("SELECT 1 FROM fulltext_tagged WHERE fulltext_id = ?",
                        (fulltext_id,)).fetchone() is not None


def replace_fulltext_tags(conn: sqlite3.Connection, fulltext_id: int, spans: list[dict], *,
                          text_hash: str, patterns_hash: str, n_sentences: int) -> int:
    """Store a full text's spans (document offsets, with paragraph id, section and page),
    replacing earlier ones. Call inside a transaction. Returns the number of spans."""
    conn.execute("DELETE FROM fulltext_tags WHERE fulltext_id = ?", (fulltext_id,))
    conn.executemany(
        "INSERT INTO fulltext_tags(fulltext_id, paragraph_id, start, end, label, tag_group,"
        " negated, hedged, sent_start, sent_end, section_kind, page) VALUES (?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?)",
        [(fulltext_id, s["paragraph_id"], s["start"], s["end"], s["label"], s["group"],
          int(s["negated"]), int(s["hedged"]), s["sent_start"], s["sent_end"],
          s["section_kind"], s["page"]) for s in spans],
    )
    conn.execute(
        "INSERT OR REPLACE INTO fulltext_tagged(fulltext_id, text_hash, patterns_hash,"
        " n_sentences, n_spans, tagged_at) VALUES (?, ?, ?, ?, ?, ?)",
        (fulltext_id, text_hash, patterns_hash, n_sentences, len(spans), utcnow()),
    )
    return len(spans)


def tags_of_fulltext(conn: sqlite3.Connection, fulltext_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM fulltext_tags WHERE fulltext_id = ? ORDER BY start, end,"
                        " tag_group, label", (fulltext_id,)).fetchall()


def delete_fulltext(conn: sqlite3.Connection, fulltext_id: int) -> StoredFullText | None:
    """Remove one full text with its paragraphs and tags (they cascade); returns what was
    removed, or None when there is no such full text. The caller holds the transaction."""
    gone = fulltext_by_id(conn, fulltext_id)
    if gone is not None:
        conn.execute("DELETE FROM fulltexts WHERE id = ?", (fulltext_id,))
    return gone
