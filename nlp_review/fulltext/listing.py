"""The rows ``nlp-review fulltext list`` shows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from nlp_review.errors import ConfigError, NotFoundError
from nlp_review.store.fulltexts import (StoredFullText, document_text, fulltext_by_id,
                                        fulltext_is_tagged, list_fulltexts, paragraphs_of,
                                        tags_of_fulltext)
from nlp_review.store.project import Project

STATUSES = ("linked", "unlinked", "failed")


def list_rows(project: Project, *, status: str | None = None) -> list[StoredFullText]:
    if status is not None and status not in STATUSES:
        raise ConfigError(f"unknown status {status!r}", hint=f"valid: {', '.join(STATUSES)}")
    rows = list_fulltexts(project.conn)
    return [r for r in rows if status is None or r.status == status]


@dataclass
class FullTextView:
    fulltext: StoredFullText
    paragraphs: list[sqlite3.Row]
    tags: list[sqlite3.Row]
    text: str
    #: Whether `fulltext tag` has run over this full text (its spans, if any, are stored).
    tagged: bool = False

    def outline(self) -> list[dict]:
        """Runs of body paragraphs under one heading: kind, heading, page range, count."""
        parts: list[dict] = []
        for p in self.paragraphs:
            if p["block"] != "text":
                continue
            if not parts or (parts[-1]["kind"], parts[-1]["heading"]) != (p["section_kind"],
                                                                           p["heading"]):
                parts.append({"kind": p["section_kind"], "heading": p["heading"],
                              "first": p["page"], "last": p["page"], "paragraphs": 0,
                              "taggable": bool(p["taggable"])})
            parts[-1]["paragraphs"] += 1
            parts[-1]["last"] = p["page"] if p["page"] is not None else parts[-1]["last"]
        for part in parts:
            first, last = part.pop("first"), part.pop("last")
            part["pages"] = "" if first is None else (
                str(first) if first == last else f"{first}-{last}")
        return parts

    def tagged_sentences(self) -> list[dict]:
        """Each sentence holding spans: its text, section, page and labels (with negated /
        hedged marks), in document order."""
        by_sentence: dict[tuple[int, int], dict] = {}
        for t in self.tags:
            key = (t["sent_start"], t["sent_end"])
            entry = by_sentence.setdefault(key, {
                "start": key[0], "end": key[1], "text": self.text[key[0]:key[1]],
                "section": t["section_kind"], "page": t["page"], "labels": []})
            mark = " (negated)" if t["negated"] else " (hedged)" if t["hedged"] else ""
            label = f"{t['label']}{mark}"
            if label not in entry["labels"]:
                entry["labels"].append(label)
        return [by_sentence[k] for k in sorted(by_sentence)]


def fulltext_view(project: Project, fulltext_id: int) -> FullTextView:
    conn = project.conn
    ft = fulltext_by_id(conn, fulltext_id)
    if ft is None:
        raise NotFoundError(f"no full text with id {fulltext_id}",
                            hint="ids are listed by `nlp-review fulltext list`")
    return FullTextView(ft, paragraphs_of(conn, fulltext_id), tags_of_fulltext(conn, fulltext_id),
                        document_text(conn, fulltext_id),
                        tagged=fulltext_is_tagged(conn, fulltext_id))
