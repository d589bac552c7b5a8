"""Records in and out: bibliographic export formats as pure functions.

Contract (used by the import command; the CLI and store never parse files themselves):

- ``parse(data: bytes, name: str) -> ParsedFile``: detect the format from the content (never
  the file name, which is used only in messages), decode (UTF-8 with/without BOM, UTF-16,
  Latin-1 fallback with a warning), and return every record. Raises
  ``nlp_review.errors.InputError`` naming the file, line or record and what is wrong.
- ``ParsedFile``: ``format`` (e.g. "ris", "pubmed-nbib", "pubmed-xml", "endnote-xml",
  "bibtex", "csv", "tsv", "xlsx", "wos"), ``records: list[Record]``, ``warnings: list[str]``.
- Writers: ``write_ris(records) -> str`` and ``write_csv(rows) -> str``.

Warnings are plain sentences that name the line or record but not the file (the caller
knows which file it passed). ``parse`` also takes an optional ``on_record`` callback, called with the number of records
read so far, for a progress bar on large files.
"""

from __future__ import annotations

from typing import Callable

from nlp_review.errors import InputError
from nlp_review.formats.bibtex import parse_bibtex
from nlp_review.formats.decode import decode
from nlp_review.formats.detect import FORMATS, detect_text_format
from nlp_review.formats.endnote_xml import parse_endnote_xml
from nlp_review.formats.fields import OnRecord, ParsedFile
from nlp_review.formats.medline import parse_medline
from nlp_review.formats.pubmed_xml import parse_pubmed_xml
from nlp_review.formats.ris import parse_ris
from nlp_review.formats.tabular import is_xlsx, parse_table, parse_xlsx
from nlp_review.formats.wos import parse_wos
from nlp_review.formats.writers import CSV_COLUMNS, record_to_row, write_csv, write_ris

__all__ = ["CSV_COLUMNS", "FORMATS", "OnRecord", "ParsedFile", "detect_format", "parse",
           "record_to_row", "write_csv", "write_ris"]

_TEXT_READERS: dict[str, Callable[[str, str, OnRecord | None], ParsedFile]] = {
    "ris": parse_ris,
    "pubmed-nbib": parse_medline,
    "pubmed-xml": parse_pubmed_xml,
    "endnote-xml": parse_endnote_xml,
    "bibtex": parse_bibtex,
    "csv": parse_table,
    "tsv": parse_table,
    "wos": parse_wos,
}


def detect_format(data: bytes, name: str) -> str:
    """The format of an export (a key of ``FORMATS``), from its content alone."""
    if is_xlsx(data):
        return "xlsx"
    text, _ = decode(data, name)
    return detect_text_format(text, name)


def parse(data: bytes, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every record of one export file.

    ``name`` is used only in messages. Raises ``InputError`` (file, line or record, and a
    hint) for an empty, binary, truncated or malformed file, or an unknown format; nothing is
    returned half-read. Recoverable oddities (an encoding fallback, a record without ``TY``)
    are listed in ``ParsedFile.warnings``."""
    if is_xlsx(data):
        return _check_not_empty(parse_xlsx(data, name, on_record), name)
    text, warnings = decode(data, name)
    fmt = detect_text_format(text, name)
    result = _TEXT_READERS[fmt](text, name, on_record)
    result.warnings[:0] = warnings
    return _check_not_empty(result, name)


def _check_not_empty(result: ParsedFile, name: str) -> ParsedFile:
    if not result.records:
        raise InputError(f"no records found in this {result.format} file", file=name,
                         hint="the export holds no records; check the search and export again")
    untitled = [i for i, r in enumerate(result.records, start=1) if not r.title]
    if untitled:
        shown = ", ".join(str(i) for i in untitled[:5]) + (", ..." if len(untitled) > 5 else "")
        result.warnings.append(f"{len(untitled)} record(s) have no title (record "
                               f"{shown}); they are kept, but screening sees only their "
                               f"abstract")
    seen: dict[str | None, int] = {}
    repeats = []
    for position, record in enumerate(result.records, start=1):
        first_at = seen.setdefault(record.source_id, position)
        if first_at != position:
            repeats.append((record.source_id, first_at, position))
    if repeats:
        source_id, first_at, again = repeats[0]
        result.warnings.append(f"{len(repeats)} record(s) repeat an id used earlier in the file "
                               f"(first: id {source_id!r} at records {first_at} and {again}); "
                               f"all are kept, but the ids no longer name one record each")
    return result
