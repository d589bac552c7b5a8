"""Tag stored full texts sentence by sentence with the tagging pipeline
(``nlp_review.tagging.pipeline``). Only taggable body paragraphs are tagged (not references,
acknowledgements, tables or captions); each span is stored with its sentence, section and
the page its sentence starts on. Full texts whose text and pattern set are unchanged since their last tagging are
skipped; each full text's spans are written in one transaction."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Callable

from spacy.language import Language

from nlp_review.store.db import transaction
from nlp_review.store.fulltexts import (document_text, page_at, paragraphs_of,
                                        replace_fulltext_tags, tagged_fulltexts)
from nlp_review.tagging.pipeline import doc_to_spans

BATCH_SIZE = 64


@dataclass
class FullTextTagReport:
    fulltexts: int
    tagged: int
    unchanged: int
    sentences: int
    spans: int
    #: of ``tagged``: full texts tagged before with another patterns/models fingerprint (0
    #: with ``force``, which redoes every one anyway)
    repatterned: int = 0


def tag_fulltext(nlp: Language, paragraphs: list[sqlite3.Row]) -> tuple[list[dict], int]:
    """Spans (document offsets) over a full text's taggable paragraphs, and the number of
    sentences read."""
    todo = [p for p in paragraphs if p["taggable"] and p["block"] == "text"]
    spans: list[dict] = []
    n_sentences = 0
    for para, doc in zip(todo, nlp.pipe((p["text"] for p in todo), batch_size=BATCH_SIZE)):
        n_sentences += sum(1 for _ in doc.sents) if doc.has_annotation("SENT_START") else 1
        base = para["start"]
        for span in doc_to_spans(doc):
            spans.append(dict(span, start=span["start"] + base, end=span["end"] + base,
                              sent_start=span["sent_start"] + base,
                              sent_end=span["sent_end"] + base, paragraph_id=para["id"],
                              section_kind=para["section_kind"],
                              page=page_at(para, span["sent_start"])))
    return spans, n_sentences


def tag_fulltexts(conn: sqlite3.Connection, nlp: Language, patterns_hash: str, *,
                  force: bool = False,
                  on_progress: Callable[[int, int], None] | None = None) -> FullTextTagReport:
    """Tag every stored (not failed) full text that changed since it was last tagged."""
    state = tagged_fulltexts(conn)
    ids = [r[0] for r in conn.execute("SELECT id FROM fulltexts WHERE status != 'failed'"
                                      " ORDER BY id")]
    todo = []
    repatterned = 0
    for fid in ids:
        digest = hashlib.sha1(document_text(conn, fid).encode("utf-8")).hexdigest()
        stored = state.get(fid)
        if force or stored != (digest, patterns_hash):
            todo.append((fid, digest))
            repatterned += not force and stored is not None and stored[1] != patterns_hash
    n_sent = n_spans = 0
    for i, (fid, digest) in enumerate(todo, 1):
        spans, sentences = tag_fulltext(nlp, paragraphs_of(conn, fid))
        with transaction(conn):
            n_spans += replace_fulltext_tags(conn, fid, spans, text_hash=digest,
                                             patterns_hash=patterns_hash,
                                             n_sentences=sentences)
        n_sent += sentences
        if on_progress:
            on_progress(i, len(todo))
    return FullTextTagReport(len(ids), len(todo), len(ids) - len(todo), n_sent, n_spans,
                             repatterned)
