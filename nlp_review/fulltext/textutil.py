"""Small text helpers shared by the readers: Unicode normalisation, identifiers, notices."""

from __future__ import annotations

import re
import unicodedata

from nlp_review.records import normalise_doi, normalise_pmid

_SPACES = re.compile(r"\s+")
_LOOSE_ACCENT = re.compile(r"(?:^| )([\u0300-\u036f])([^\W\d_])")
_CID_BULLET = re.compile(r"^\s*\(cid:\d+\)\s*")
_CID = re.compile(r"\(cid:\d+\)")
_STRAY_ACCENT = re.compile(r" ?[\u0300-\u036f](?![^\W\d_])")
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_PMID_IN_TEXT = re.compile(r"\bPMID\s*:?\s*(\d{4,9})\b", re.IGNORECASE)
# A notice's title is the word alone, or the word then ':' / 'to' / 'notice' and the cited
# title; "Correction of hypoxaemia in children" is an article.
_NOTICE_TITLE = re.compile(
    r"^\s*(?:notice of\s+)?(retraction|retracted|correction|corrigendum|erratum|errata|"
    r"expression of concern)(?:\s*[:\-–—]|\s+(?:notice|note|to|for)\b|\s*$)", re.IGNORECASE)
_NOTICE_OF = {"retraction": "retraction", "retracted": "retraction", "correction": "correction",
              "corrigendum": "correction", "erratum": "erratum", "errata": "erratum",
              "expression of concern": "expression of concern"}


def clean(text: str) -> str:
    """NFKC (ligatures such as "ﬁ" become "fi"), soft hyphens and zero-width characters
    dropped, runs of white space collapsed to one space."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    # PDF accents set apart from their letter ("Dahlstr \u0308om"): put them back on it.
    text = _LOOSE_ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + m.group(1)),
                             text)
    text = _STRAY_ACCENT.sub("", text)
    # Glyphs without a Unicode mapping come out of pdfminer as "(cid:12)"; at the start of a
    # line they are list bullets.
    text = _CID.sub("", _CID_BULLET.sub("• ", text))
    return _SPACES.sub(" ", text).strip()


def find_dois(text: str) -> list[str]:
    """Every distinct DOI in a text, normalised, in order of appearance."""
    found: list[str] = []
    for match in _DOI_IN_TEXT.finditer(text):
        doi = normalise_doi(match.group(1))
        if doi and doi not in found:
            found.append(doi)
    return found


def find_pmid(text: str) -> str | None:
    match = _PMID_IN_TEXT.search(text)
    return normalise_pmid(match.group(1)) if match else None


def notice_kind(title: str | None) -> str | None:
    """'retraction', 'correction', 'erratum' or 'expression of concern' when a title announces
    a notice ("Retraction: ...", "Correction to ...", "Erratum"), else None."""
    if not title:
        return None
    match = _NOTICE_TITLE.match(title)
    return _NOTICE_OF[match.group(1).lower()] if match else None
