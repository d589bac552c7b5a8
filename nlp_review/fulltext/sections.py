"""Which section a heading announces. The vocabulary is data (``models/fulltext/headings.json``),
validated when loaded; JATS ``sec-type`` values are mapped here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp_review import MODELS_DIR
from nlp_review.errors import InputError, InputErrors
from nlp_review.fulltext.model import SECTION_KINDS

HEADINGS_FILE = MODELS_DIR / "fulltext" / "headings.json"

#: JATS sec-type values (first part of values such as ``materials|methods``).
SEC_TYPES = {
    "intro": "introduction", "introduction": "introduction", "background": "introduction",
    "methods": "methods", "materials": "methods", "method": "methods", "subjects": "methods",
    "cases": "methods", "results": "results", "discussion": "discussion",
    "conclusions": "conclusion", "conclusion": "conclusion",
    "supplementary-material": "other", "display-objects": "other", "ack": "acknowledgements",
    "funding": "acknowledgements", "COI-statement": "acknowledgements",
}

# "1.", "2.3", "II.", "A." or "(a)" before a heading.
_NUMBERING = re.compile(r"^\s*(?:\(?[0-9]{1,2}(?:\.[0-9]{1,2})*\.?\)?|[IVX]{1,4}\.|[A-H]\.|\([a-h]\))\s+")


@dataclass(frozen=True)
class HeadingVocabulary:
    exact: dict[str, str]
    keywords: list[tuple[re.Pattern[str], str]]
    max_words: int


def load_vocabulary(path: Path = HEADINGS_FILE) -> HeadingVocabulary:
    """Read and validate a heading vocabulary file; every problem is reported at once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read heading vocabulary: {exc}", file=path) from exc
    errors: list[InputError] = []
    unknown = set(data) - {"_comment", "max_heading_words", "kinds"}
    if unknown:
        errors.append(InputError(f"unknown keys {sorted(unknown)}", file=path))
    kinds = data.get("kinds")
    if not isinstance(kinds, dict):
        raise InputError("'kinds' must be an object of section kind -> phrases", file=path)
    exact: dict[str, str] = {}
    keywords: list[tuple[re.Pattern[str], str]] = []
    for kind, spec in kinds.items():
        if kind not in SECTION_KINDS:
            errors.append(InputError(f"unknown section kind {kind!r}", file=path, record=kind,
                                     hint=f"valid kinds: {', '.join(SECTION_KINDS)}"))
            continue
        if not isinstance(spec, dict) or set(spec) - {"exact", "keywords"}:
            errors.append(InputError("expected an object with 'exact' and 'keywords' lists",
                                     file=path, record=kind))
            continue
        for phrase in spec.get("exact", []):
            if not isinstance(phrase, str) or not phrase.strip():
                errors.append(InputError(f"bad phrase {phrase!r}", file=path, record=kind))
            else:
                exact[normalise_heading(phrase)] = kind
        for phrase in spec.get("keywords", []):
            if not isinstance(phrase, str) or not phrase.strip():
                errors.append(InputError(f"bad keyword {phrase!r}", file=path, record=kind))
            else:
                keywords.append((re.compile(rf"\b{re.escape(normalise_heading(phrase))}\b"), kind))
    if errors:
        raise InputErrors(errors)
    return HeadingVocabulary(exact, keywords, int(data.get("max_heading_words", 8)))


@lru_cache(maxsize=1)
def _vocabulary() -> HeadingVocabulary:
    return load_vocabulary()


def normalise_heading(text: str) -> str:
    """Lower case, numbering and punctuation removed, spaces collapsed."""
    text = _NUMBERING.sub("", text.strip())
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[^\w\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" -")


def classify_heading(heading: str | None) -> str | None:
    """The section kind a heading announces, or None when it is not a known section heading
    ("Corollaries", "Study sites in Zambezia")."""
    if not heading:
        return None
    vocab = _vocabulary()
    norm = normalise_heading(heading)
    if not norm:
        return None
    if norm in vocab.exact:
        return vocab.exact[norm]
    if len(norm.split()) > vocab.max_words:
        return None
    best: tuple[int, str] | None = None
    for pattern, kind in vocab.keywords:
        match = pattern.search(norm)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else None


def is_exact_heading(heading: str) -> bool:
    """True when the whole heading is a known section heading ("Competing interests")."""
    return normalise_heading(heading) in _vocabulary().exact


def classify_sec_type(sec_type: str | None) -> str | None:
    """The section kind for a JATS ``sec-type`` attribute such as ``materials|methods``."""
    if not sec_type:
        return None
    for part in re.split(r"[|\s]+", sec_type.strip()):
        if part in SEC_TYPES:
            return SEC_TYPES[part]
        if part.lower() in SEC_TYPES:
            return SEC_TYPES[part.lower()]
    return None
