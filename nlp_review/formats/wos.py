"""Web of Science "Plain text file" exports (``FN Clarivate Analytics Web of Science``,
``PT J`` ... ``ER``): two-letter tags, continuation lines indented three spaces. Records are
cut out here (for line numbers and truncation errors) and read by ``rispy.WokParser``."""

from __future__ import annotations

import re
from typing import Any, Iterator

import rispy

from nlp_review.errors import InputError
from nlp_review.formats.fields import (OnRecord, ParsedFile, first, pages, split_keywords,
                                       strip_markup, strip_vendor_notice, unique)
from nlp_review.formats.ris import iter_lines
from nlp_review.records import Record

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |$)")


def looks_like_wos(text: str) -> bool:
    """Starts with ``FN ... Web of Science`` or a ``PT`` record line."""
    for _, line in zip(range(20), iter_lines(text[:5000])):
        if line[1].strip():
            return bool(re.match(r"^FN .*Web of Science|^PT [A-Z]\s*$", line[1]))
    return False


def iter_wos_records(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Each record's lines (PT to ER) with the line where it starts."""
    current: list[str] | None = None
    start = 0
    for number, line in iter_lines(text):
        match = _TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "PT":
            if current is not None:
                raise InputError(f"the record starting at line {start} has no 'ER' before the "
                                 f"next record starts at line {number}", file=name, line=start,
                                 hint="the export is damaged: export it again")
            current, start = [line], number
        elif current is None:
            continue  # FN/VR header, blank lines, EF
        elif tag == "ER":
            current.append(line)
            yield start, current
            current = None
        else:
            current.append(line)
    if current is not None:
        raise InputError(f"the last record, starting at line {start}, has no 'ER': the file "
                         f"looks truncated", file=name, line=start,
                         hint="export the records from Web of Science again")


def wos_entry_to_record(entry: dict[str, Any], position: int) -> Record:
    """One ``rispy.WokParser`` entry as a canonical Record."""
    get = entry.get
    authors = get("author_full_name") or get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    keywords = split_keywords(first(get("author_keywords"))) + split_keywords(
        first(get("keywords_plus")))
    return Record(
        title=strip_markup(first(get("document_title"))),
        abstract=strip_vendor_notice(strip_markup(first(get("abstract")))),
        authors=unique(authors),
        year=first(get("publication_year"), get("early_access_year")),
        journal=first(get("publication_name")),
        volume=first(get("volume")),
        issue=first(get("issue")),
        pages=pages(first(get("beginning_page")), first(get("ending_page")))
        or first(get("article_number")),
        doi=first(get("doi")),
        pmid=first(get("pubmed_id")),
        keywords=unique(keywords),
        type=first(get("document_type")),
        language=first(get("language")),
        source_id=first(get("accession_number")) or str(position),
    )


def parse_wos(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every record of a Web of Science plain-text export as a ``Record``."""
    result = ParsedFile("wos")
    parser = rispy.WokParser()
    for position, (_, lines) in enumerate(iter_wos_records(text, name), start=1):
        entries = parser.parse_lines(iter(lines))
        result.records.append(wos_entry_to_record(entries[0], position))
        if on_record:
            on_record(position)
    return result
