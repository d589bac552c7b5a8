"""Small pure helpers shared by the readers: the result type, author lists, pages, ids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from nlp_review.records import Record

#: Called with the number of records read so far (for a progress bar on large files).
OnRecord = Callable[[int], None]


@dataclass
class ParsedFile:
    """What one export file holds: its detected ``format``, ``records`` and ``warnings``."""

    format: str
    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean(value: object) -> str | None:
    """A stripped string with inner whitespace runs collapsed, or None when empty."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\xa0" in text:
        text = " ".join(text.split())
    else:
        text = text.strip()
    return text or None


_MARKUP = re.compile(r"</?(?:jats:)?(?:p|i|b|em|strong|sup|sub|br|span|div|italic|bold|sc|"
                     r"title|sec|list|list-item|u|inf)\b[^<>]{0,200}>", re.IGNORECASE)


def strip_markup(value: object) -> str | None:
    """Text without the inline HTML/JATS tags some exports leave in titles and abstracts
    (Lens "<p>", Crossref "<jats:p>", PubMed "<i>"), cleaned."""
    text = clean(value)
    if text and "<" in text:
        text = clean(_MARKUP.sub(" ", text))
    return text


#: EBSCO's notices at the end of an abstract: its "[ABSTRACT FROM AUTHOR]" marker and the
#: copyright notice that follows it ("Copyright of <journal> is the property of <publisher>
#: and its content may not be copied ...").
_EBSCO_COPYRIGHT = re.compile(r"\s*Copyright of .{1,500}? is the property of .{1,300}? may not "
                              r"be copied\b.*$", re.DOTALL)
_EBSCO_MARKER = re.compile(r"\s*\[ABSTRACT FROM (?:AUTHOR|PUBLISHER)\]\s*$")


def strip_vendor_notice(text: str | None) -> str | None:
    """An abstract without EBSCO's trailing marker and copyright notice (a CSV export keeps
    both in the abstract cell: "... support. [ABSTRACT FROM AUTHOR] Copyright of Early Years
    is the property of Routledge and its content may not be copied ..."); None when nothing
    else is left."""
    if not text or ("[ABSTRACT FROM" not in text and "Copyright of " not in text):
        return text
    return _EBSCO_MARKER.sub("", _EBSCO_COPYRIGHT.sub("", text)) or None


def first(*values: object) -> str | None:
    """The first value that is not empty after cleaning."""
    for value in values:
        if isinstance(value, (list, tuple)):
            value = next((v for v in value if clean(v)), None)
        text = clean(value)
        if text:
            return text
    return None


def unique(items: Iterable[str | None]) -> list[str]:
    """Cleaned, non-empty items in order, without exact repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        text = clean(item)
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


# One "Surname I.J." item of Scopus's older author lists; items are checked one at a time
# (a single regex over the whole list backtracks catastrophically on long lists).
_INITIALS_ITEM = re.compile(r"[^,;\s][^,;]*\s[A-Z]\.?(?:-?[A-Z]\.?)*")


def _initials_list(text: str) -> bool:
    items = text.split(",")
    return len(items) > 1 and all(_INITIALS_ITEM.fullmatch(i.strip()) for i in items)

_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)\s*$")


def split_authors(value: str | None) -> list[str]:
    """Authors from one cell: "A, B.; C, D." (most exports), "A and B" (BibTeX), or Scopus's
    older "Smith J., Jones K.". Scopus author ids in brackets are dropped."""
    text = clean(value)
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    elif " and " in text:
        parts = text.split(" and ")
    elif "|" in text:
        parts = text.split("|")
    elif _initials_list(text):
        parts = text.split(",")
    else:
        parts = [text]
    return unique(_AUTHOR_ID.sub("", part) for part in parts)


def split_keywords(value: str | None) -> list[str]:
    """Keywords from one cell, separated by ";" (or "," when there is no ";")."""
    text = clean(value)
    if not text:
        return []
    return unique(text.split(";") if ";" in text else text.split(","))


_NO_PAGES = re.compile(r"^(?:n\.?\s?pag\.?|n/?a|unknown|-)$", re.IGNORECASE)  # EBSCO "N.PAG"
_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]?)(\d+)\s*[-\u2010-\u2015\u2212]+\s*([A-Za-z]?)(\d+)\s*$")


def pages(start: object, end: object = None) -> str | None:
    """Pages as "start-end" with the end page written in full ("123-9" becomes "123-129",
    an en dash becomes "-"); a single page or an article number is kept as it is."""
    start_text, end_text = (None if _NO_PAGES.match(v or "") else v
                            for v in (clean(start), clean(end)))
    if start_text and end_text and not re.search(r"[-\u2013]", start_text):
        if end_text == start_text:
            return start_text
        start_text = f"{start_text}-{end_text}"
    if not start_text:
        return end_text
    match = _PAGE_RANGE.match(start_text)
    if not match:
        return start_text
    prefix, first_page, end_prefix, last_page = match.groups()
    if len(last_page) < len(first_page) and not end_prefix:
        last_page = first_page[: len(first_page) - len(last_page)] + last_page
    if last_page == first_page:
        return f"{prefix}{first_page}"
    return f"{prefix}{first_page}-{end_prefix or prefix}{last_page}"


_PMID_IN_URL = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)")


def pmid_from_urls(urls: Iterable[str]) -> str | None:
    """A PMID from a PubMed link, if any."""
    for url in urls:
        match = _PMID_IN_URL.search(url or "")
        if match:
            return match.group(1)
    return None


_TRUE = {"1", "1.0", "yes", "y", "true", "t", "included", "include", "relevant"}
_FALSE = {"0", "0.0", "no", "n", "false", "f", "excluded", "exclude", "irrelevant", "-1"}


def parse_label(value: object) -> int | None | str:
    """1, 0 or None for a prior include decision; the cleaned text itself if unrecognised."""
    text = clean(value)
    if text is None or text.lower() in {"nan", "none", "null", ""}:
        return None
    low = text.lower()
    if low in _TRUE:
        return 1
    if low in _FALSE:
        return 0
    return text
