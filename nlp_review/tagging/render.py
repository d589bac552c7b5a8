"""A self-contained HTML page showing tagged texts with displaCy's span style, one section
per group, for reading and checking tags."""

from __future__ import annotations

import html
from typing import Iterable

from spacy import displacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp_review.tagging.patterns import GROUPS

COLORS = {"mechanism": "#f4b183", "population": "#9dc3e6", "setting": "#a9d18e",
          "intervention": "#ffd966", "outcome": "#c9a0dc"}


def spans_doc(nlp: Language, text: str, spans: list[dict]) -> Doc:
    """A tokenized doc carrying ``spans`` (dicts with character offsets) in
    ``doc.spans[group]``; negated/hedged spans are labelled so."""
    doc = nlp.make_doc(text)
    groups: dict[str, list[Span]] = {g: [] for g in GROUPS}
    for s in spans:
        label = s["label"] + "".join(f" ({a})" for a in ("negated", "hedged") if s.get(a))
        span = doc.char_span(s["start"], s["end"], label=label, alignment_mode="expand")
        if span is not None:
            groups.setdefault(s["group"], []).append(span)
    for group, items in groups.items():
        doc.spans[group] = items
    return doc


def render_page(nlp: Language, items: Iterable[tuple[str, str, list[dict]]],
                title: str = "nlp-review tags") -> str:
    """HTML page for ``(id, text, spans)`` items."""
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             "</title><style>body{font-family:sans-serif;max-width:60em;margin:auto;}"
             "h2{border-top:2px solid #888;padding-top:.5em}h3{color:#555}"
             ".none{color:#999}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    for rid, text, spans in items:
        doc = spans_doc(nlp, text, spans)
        parts.append(f"<h2>{html.escape(str(rid))}</h2>")
        for group in GROUPS:
            n = len(doc.spans[group])
            parts.append(f"<h3>{group} ({n})</h3>")
            if not n:
                parts.append("<p class='none'>no tags</p>")
                continue
            labels = sorted({s.label_ for s in doc.spans[group]})
            parts.append(displacy.render(
                doc, style="span", page=False, jupyter=False,
                options={"spans_key": group,
                         "colors": {label: COLORS.get(group, "#ddd") for label in labels}}))
    parts.append("</body></html>")
    return "\n".join(parts)
