"""Records out: RIS (via rispy) and CSV with ASReview-compatible columns."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Mapping

import rispy
from rispy.config import TYPE_OF_REFERENCE_MAPPING

from nlp_review.records import Record

#: ASReview-compatible CSV columns, in order.
CSV_COLUMNS: tuple[str, ...] = (
    "record_id", "title", "abstract", "authors", "year", "doi", "pmid", "journal", "volume",
    "issue", "pages", "keywords", "type", "language", "url", "label_included")

_LIST_SEPARATOR = "; "
#: Common reference type names (CSV exports, EndNote XML) -> RIS type codes.
_RIS_TYPES = {
    "article": "JOUR", "journal article": "JOUR", "review": "JOUR", "journal": "JOUR",
    "book": "BOOK", "book chapter": "CHAP", "book section": "CHAP", "chapter": "CHAP",
    "conference paper": "CPAPER", "conference proceedings": "CONF", "inproceedings": "CPAPER",
    "thesis": "THES", "phdthesis": "THES", "mastersthesis": "THES", "report": "RPRT",
    "techreport": "RPRT", "misc": "GEN", "generic": "GEN", "web page": "ELEC",
}


def _ris_type(value: str | None) -> str:
    if not value:
        return "JOUR"
    if value.upper() in TYPE_OF_REFERENCE_MAPPING:
        return value.upper()
    return _RIS_TYPES.get(value.lower(), "GEN")


def record_to_ris_entry(record: Record) -> dict[str, Any]:
    """A Record as a rispy entry (keys of ``rispy.TAG_KEY_MAPPING``)."""
    entry: dict[str, Any] = {"type_of_reference": _ris_type(record.type)}
    if record.source_id:
        entry["id"] = record.source_id
    if record.title:
        entry["title"] = record.title
    if record.authors:
        entry["authors"] = list(record.authors)
    if record.year:
        entry["year"] = str(record.year)
    if record.journal:
        entry["secondary_title"] = record.journal
    if record.volume:
        entry["volume"] = record.volume
    if record.issue:
        entry["number"] = record.issue
    if record.pages:
        start, _, end = record.pages.partition("-")
        entry["start_page"] = start
        if end:
            entry["end_page"] = end
    if record.abstract:
        entry["abstract"] = record.abstract
    if record.doi:
        entry["doi"] = record.doi
    if record.pmid:
        entry["accession_number"] = record.pmid
        entry["name_of_database"] = "PubMed"
    if record.keywords:
        entry["keywords"] = list(record.keywords)
    if record.language:
        entry["language"] = record.language
    if record.url:
        entry["urls"] = [record.url]
    if record.label is not None:
        entry["notes"] = ["ASReview_relevant" if record.label else "ASReview_irrelevant"]
    return entry


def _one_line(value: str) -> str:
    """RIS values are one line each: line breaks inside a value become spaces."""
    return re.sub(r"\s*[\r\n]+\s*", " ", value)


def write_ris(records: Iterable[Record]) -> str:
    """RIS text for the records (``rispy.dumps``), readable by every reference manager."""
    entries = []
    for record in records:
        entry = record_to_ris_entry(record)
        entries.append({k: ([_one_line(v) for v in val] if isinstance(val, list)
                            else _one_line(val)) for k, val in entry.items()})
    return rispy.dumps(entries, skip_unknown_tags=True)


def record_to_row(record: Record, record_id: str | int | None = None) -> dict[str, Any]:
    """A Record as a CSV row dict (``record_id`` defaults to the record's ``source_id``)."""
    row = {name: getattr(record, name) for name in CSV_COLUMNS if hasattr(record, name)}
    row["record_id"] = record.source_id if record_id is None else record_id
    row["label_included"] = record.label
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return _LIST_SEPARATOR.join(str(v) for v in value if v is not None and str(v) != "")
    return str(value)


def write_csv(rows: Iterable[Mapping[str, Any]], extra: tuple[str, ...] = ()) -> str:
    """CSV text with the ASReview-compatible ``CSV_COLUMNS`` and then the ``extra`` columns;
    lists (authors, keywords) are joined with "; ", None is blank, other keys are not
    written."""
    columns = CSV_COLUMNS + tuple(c for c in extra if c not in CSV_COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()
