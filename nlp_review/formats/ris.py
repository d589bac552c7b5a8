"""RIS in the dialects of EndNote, Zotero, Mendeley, Scopus, Web of Science, Ovid, EBSCO, Lens
and PubMed-via-RIS. Records are cut out line by line here (so errors can name a line and a
record without ``ER`` is not silently dropped) and each is read by ``rispy``'s tag map."""

from __future__ import annotations

import re
from typing import Any, Iterator

import rispy

from nlp_review.errors import InputError
from nlp_review.formats.fields import (OnRecord, ParsedFile, first, pages, pmid_from_urls,
                                       strip_markup, strip_vendor_notice, unique)
from nlp_review.records import Record, normalise_doi

#: A tag line as rispy reads it: two characters, two spaces, a dash.
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_LINES = re.compile(r"\r\n|\r|\n")
#: ASReview writes its labels into N1 notes.
_ASREVIEW_LABEL = {"ASReview_relevant": 1, "ASReview_irrelevant": 0}


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) for CRLF, LF and bare-CR (Web of Science) line ends."""
    lines = _LINES.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return enumerate(lines, start=1)


def iter_record_lines(text: str, name: str,
                      warnings: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Each record's lines (TY to ER) with the line number where it starts.

    A record that reaches the end of the file, or a new ``TY``, without ``ER`` is an error
    naming the line where it starts: the export was cut off or damaged, and importing the
    part that is there would silently lose fields."""
    current: list[str] | None = None
    start = 0
    for number, line in iter_lines(text):
        match = TAG_LINE.match(line)
        tag = match.group(1) if match else None
        if current is None:
            if tag is None or tag == "ER":
                continue  # blank lines, "1." headers, provider banners between records
            start = number
            if tag != "TY":
                warnings.append(f"line {number}: a record starts with {tag} instead "
                                f"of TY; read it with no reference type")
                current = ["TY  - "]
            else:
                current = []
            current.append(line)
        elif tag == "TY":
            raise InputError(
                f"the record starting at line {start} has no end tag 'ER  - ' before the "
                f"next record starts at line {number}", file=name, line=start,
                hint="the export is damaged: export it again, or add a line 'ER  - ' at the "
                     "end of that record")
        elif tag == "ER":
            current.append(line)
            yield start, current
            current = None
        else:
            current.append(line)
    if current is not None:
        raise InputError(
            f"the last record, starting at line {start}, has no end tag 'ER  - ': the file "
            f"looks truncated", file=name, line=start,
            hint="export the search results again (the download may have been cut off), or "
                 "add a line 'ER  - ' at the end of the file to import what is there")


class _Parser(rispy.RisParser):
    """rispy's parser with repeated tags kept as lists (``enforce_list_tags=False``) and a
    continuation line after a repeated tag added to its last value instead of failing."""

    def _add_single_value(self, record: dict, name: str, value: Any,
                          is_multi: bool = False) -> None:
        if is_multi and isinstance(record.get(name), list) and isinstance(value, str):
            record[name][-1] = f"{record[name][-1]} {value}"
            return
        super()._add_single_value(record, name, value, is_multi)


def looks_like_ris(text: str) -> bool:
    """A ``TY  - `` line among the first lines (banners or headers may come before it)."""
    for _, line in zip(range(200), iter_lines(text[:20000])):
        if line[1].startswith("TY  -"):
            return True
    return False


def parse_ris(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every record of an RIS export as a ``Record``."""
    result = ParsedFile("ris")
    parser = _Parser(enforce_list_tags=False)
    for position, (line, lines) in enumerate(
            iter_record_lines(text, name, result.warnings), start=1):
        entries = parser.parse_lines(iter(lines))
        if not entries:  # pragma: no cover - iter_record_lines always yields TY..ER
            continue
        result.records.append(ris_entry_to_record(entries[0], position))
        if on_record:
            on_record(position)
    return result


def _values(entry: dict[str, Any], key: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _abstract(entry: dict[str, Any]) -> str | None:
    """AB (or N2, Ovid/EBSCO): several AB lines are joined, except a trailing copyright
    notice (EBSCO's "Copyright of ... is the property of ...")."""
    parts = _values(entry, "abstract") or _values(entry, "notes_abstract")
    kept = [p for p in parts if not (p.startswith("Copyright of ") and "property of" in p)]
    text = strip_markup(" ".join(kept or parts[:1]))
    return strip_vendor_notice(text)


def _pmid(entry: dict[str, Any]) -> str | None:
    unknown = entry.get("unknown_tag") or {}
    for value in unknown.get("PM", []) + unknown.get("PI", []):
        if value.strip().isdigit():
            return value.strip()
    urls = _values(entry, "urls") + _values(entry, "file_attachments2")  # Lens: links in L2
    from_url = pmid_from_urls(urls)
    if from_url:
        return from_url
    for note in _values(entry, "notes"):
        match = re.search(r"\bPMID:?\s*(\d{1,9})\b", note)
        if match:
            return match.group(1)
    database = " ".join(_values(entry, "name_of_database") +
                        _values(entry, "database_provider")).lower()
    for value in _values(entry, "accession_number"):
        if value.strip().isdigit() and ("medline" in database or "pubmed" in database
                                        or len(value.strip()) <= 8):
            return value.strip()
    return None


def _label(entry: dict[str, Any]) -> int | None:
    for note in _values(entry, "notes"):
        for marker, label in _ASREVIEW_LABEL.items():
            if marker in note:
                return label
    return None


def _journal(*values: Any) -> str | None:
    """The first journal name, without Ovid's " [Electronic Resource]" suffix."""
    name = first(*values)
    return re.sub(r"\s*\[Electronic Resource\]$", "", name, flags=re.IGNORECASE) if name else None


def ris_entry_to_record(entry: dict[str, Any], position: int) -> Record:
    """One rispy entry (tag names as in ``rispy.TAG_KEY_MAPPING``) as a canonical Record."""
    urls = [u for u in _values(entry, "urls") if u.strip()]
    unknown = entry.get("unknown_tag") or {}
    # EBSCOhost puts the DOI in L3; several exports give only a doi.org link.
    doi = first(entry.get("doi"), [v for v in unknown.get("L3", []) if normalise_doi(v)],
                [u for u in urls if "doi.org/" in u])
    accession = first(entry.get("accession_number"))
    return Record(
        title=strip_markup(first(entry.get("title"), entry.get("primary_title"),
                                 unknown.get("CT"), unknown.get("BT"),  # older RIS
                                 entry.get("translated_title"), entry.get("short_title"))),
        abstract=_abstract(entry),
        authors=unique(_values(entry, "authors") + _values(entry, "first_authors")),
        year=first(entry.get("year"), entry.get("publication_year"), entry.get("date")),
        journal=_journal(entry.get("alternate_title3"), entry.get("secondary_title"),
                      entry.get("journal_name"), entry.get("alternate_title2"),
                      entry.get("alternate_title1")),
        volume=first(entry.get("volume")),
        issue=first(entry.get("number")),
        pages=pages(first(entry.get("start_page")), first(entry.get("end_page")))
        or first(entry.get("custom7")),  # article number (Scopus, EndNote)
        doi=doi,
        pmid=_pmid(entry),
        keywords=unique(_values(entry, "keywords")),
        type=first(entry.get("type_of_reference")),
        language=first(entry.get("language")),
        url=urls[0].strip() if urls else None,
        source_id=first(entry.get("id"), accession) or str(position),
        label=_label(entry),
    )
