"""How close an extracted text is to a reference text (for checking PDF extraction against
the JATS or a reference extraction of the same article)."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from nlp_review.fulltext.model import FullText

BODY_KINDS = ("abstract", "introduction", "methods", "results", "discussion", "conclusion")


def normalise_for_comparison(text: str) -> str:
    """NFKC, lower case, dashes unified, punctuation spacing and white space collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[\u2018\u2019\u201c\u201d`\"']", "'", text)
    text = re.sub(r"\s+([,.;:)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def body_text(text: FullText, kinds: tuple[str, ...] = BODY_KINDS) -> str:
    return " ".join(p.text for s in text.sections if s.kind in kinds for p in s.paragraphs)


def similarity(extracted: str, reference: str) -> float:
    """Character-level similarity in [0, 100] (rapidfuzz ``ratio``: 100 - normalised
    Indel distance) of the two normalised texts."""
    return fuzz.ratio(normalise_for_comparison(extracted), normalise_for_comparison(reference))
