"""Annotations and adjudicated gold in the project store (migrations ``0007_annotations``,
``0010_annotation_tool_ids``).

``annotations`` is append-only: an annotator's current version of a text is their newest
row for its key. ``gold`` holds one adjudicated version per text with who decided and how.
Texts are named by key (``record:ID`` / ``paragraph:ID``, see ``annotate.tasks``); rows keep
the text hash they were made on, so an annotation of an older text is recognised. An
annotation also keeps the annotation tool's own ids for the task (Prodigy's ``_input_hash``
and ``_task_hash``), so an export of the same, unchanged text can write them back."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from nlp_review.annotate.tasks import plain_span, span_sort_key
from nlp_review.store.db import utcnow


@dataclass(frozen=True)
class StoredAnnotation:
    key: str
    text_hash: str
    annotator: str
    answer: str
    spans: list[dict]
    source_file: str | None
    created_at: str
    tool_ids: dict = field(default_factory=dict)


def _dump(spans: list[dict]) -> str:
    return json.dumps(sorted((plain_span(s) for s in spans), key=span_sort_key),
                      ensure_ascii=False)


def add_annotation(conn: sqlite3.Connection, key: str, text_hash: str, annotator: str,
                   answer: str, spans: list[dict], source_file: str | None = None,
                   tool_ids: dict | None = None) -> None:
    """Append one annotation (call inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO annotations(text_key, text_hash, annotator, answer, spans, source_file,"
        " created_at, tool_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (key, text_hash, annotator, answer, _dump(spans if answer == "accept" else []),
         source_file, utcnow(), json.dumps(tool_ids or {}, sort_keys=True)))


def current_annotations(conn: sqlite3.Connection, *, accepted_only: bool = True
                        ) -> dict[str, dict[str, StoredAnnotation]]:
    """{text key: {annotator: newest annotation}}; rejections left out by default."""
    out: dict[str, dict[str, StoredAnnotation]] = {}
    for r in conn.execute("SELECT * FROM annotations ORDER BY id"):
        out.setdefault(r["text_key"], {})[r["annotator"]] = StoredAnnotation(
            r["text_key"], r["text_hash"], r["annotator"], r["answer"], json.loads(r["spans"]),
            r["source_file"], r["created_at"], json.loads(r["tool_ids"]))
    if accepted_only:
        out = {k: {a: v for a, v in d.items() if v.answer == "accept"} for k, d in out.items()}
        out = {k: d for k, d in out.items() if d}
    return out


def tool_ids_for(conn: sqlite3.Connection, texts: dict[str, str]) -> dict[str, dict]:
    """{text key: the tool ids of the newest annotation that has them} for the keys of
    ``texts`` ({key: current text hash}) whose annotation was made on that same text."""
    out: dict[str, dict] = {}
    for r in conn.execute("SELECT text_key, text_hash, tool_ids FROM annotations"
                          " WHERE tool_ids != '{}' ORDER BY id"):
        if texts.get(r["text_key"]) == r["text_hash"]:
            out[r["text_key"]] = json.loads(r["tool_ids"])
    return out


@dataclass(frozen=True)
class StoredGold:
    key: str
    text_hash: str
    spans: list[dict]
    decided_by: str
    method: str
    annotators: list[str]
    created_at: str


def set_gold(conn: sqlite3.Connection, key: str, text_hash: str, spans: list[dict], *,
             decided_by: str, method: str, annotators: list[str]) -> None:
    """Store (replace) a text's adjudicated gold (call inside a transaction)."""
    conn.execute(
        "INSERT INTO gold(text_key, text_hash, spans, decided_by, method, annotators,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(text_key) DO UPDATE SET"
        " text_hash = excluded.text_hash, spans = excluded.spans,"
        " decided_by = excluded.decided_by, method = excluded.method,"
        " annotators = excluded.annotators, created_at = excluded.created_at",
        (key, text_hash, _dump(spans), decided_by, method, json.dumps(sorted(annotators)),
         utcnow()))


def stored_gold(conn: sqlite3.Connection) -> dict[str, StoredGold]:
    return {r["text_key"]: StoredGold(r["text_key"], r["text_hash"], json.loads(r["spans"]),
                                      r["decided_by"], r["method"],
                                      json.loads(r["annotators"]), r["created_at"])
            for r in conn.execute("SELECT * FROM gold ORDER BY text_key")}
