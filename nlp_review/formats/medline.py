"""PubMed MEDLINE text (the "PubMed" format, ``.nbib`` and ``.txt`` downloads).

Each record starts with ``PMID- ``; a tag is up to four capitals padded to four characters,
then ``- ``; continuation lines are indented six spaces; records are separated by blank lines.
"""

from __future__ import annotations

import re
from typing import Iterator

from nlp_review.errors import InputError
from nlp_review.formats.fields import OnRecord, ParsedFile, first, pages, unique
from nlp_review.formats.ris import iter_lines
from nlp_review.records import Record

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_ID_TYPE = re.compile(r"^(.*?)\s*\[(\w+)\]\s*$")


def looks_like_medline(text: str) -> bool:
    """A ``PMID-`` line among the first tagged lines."""
    for _, line in zip(range(200), iter_lines(text[:20000])):
        if line[1].strip():
            return bool(re.match(r"^PMID- ?\d", line[1]))
    return False


def iter_medline_records(text: str, name: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """(line where it starts, {tag: [values]}) for each record."""
    record: dict[str, list[str]] | None = None
    start = 0
    last_tag: str | None = None
    for number, line in iter_lines(text):
        if not line.strip():
            continue
        if line[:1] in (" ", "\t"):
            if record is None or last_tag is None:
                raise InputError("a continuation line (indented) comes before any tag",
                                 file=name, line=number,
                                 hint="this does not look like a PubMed/MEDLINE export; "
                                      "download it again in PubMed format")
            record[last_tag][-1] = f"{record[last_tag][-1]} {line.strip()}"
            continue
        match = TAG_LINE.match(line)
        if not match:
            raise InputError(f"not a MEDLINE tag line: {line[:60]!r}", file=name, line=number,
                             hint="MEDLINE lines start with a tag such as 'TI  - ' or are "
                                  "indented six spaces; download the file again from PubMed")
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID":
            if record is not None:
                yield start, record
            record, start = {}, number
        elif record is None:
            raise InputError(f"the first record starts with {tag} instead of PMID",
                             file=name, line=number,
                             hint="each PubMed/MEDLINE record starts with a 'PMID- ' line")
        record.setdefault(tag, []).append(value)
        last_tag = tag
    if record is not None:
        yield start, record


def _tagged(values: list[str], kind: str) -> str | None:
    """The value tagged ``[kind]`` in LID/AID lines, e.g. "10.1000/x [doi]"."""
    for value in values:
        match = _ID_TYPE.match(value)
        if match and match.group(2).lower() == kind:
            return match.group(1)
    return None


def medline_to_record(fields: dict[str, list[str]]) -> Record:
    """One MEDLINE record ({tag: [values]}) as a canonical Record."""
    get = fields.get
    ids = get("LID", []) + get("AID", [])
    pmid = first(get("PMID"))
    return Record(
        title=first(get("TI"), get("BTI"), get("TT")),
        abstract=first(get("AB")),
        authors=unique(get("FAU") or get("AU") or []) or unique(get("CN", [])),
        year=first(get("DP"), get("DEP"), get("DA")),
        journal=first(get("JT"), get("TA")),
        volume=first(get("VI")),
        issue=first(get("IP")),
        pages=pages(first(get("PG"))),
        doi=_tagged(ids, "doi"),
        pmid=pmid,
        keywords=unique(get("OT", []) + get("MH", [])),
        type=first(get("PT")),
        language=first(get("LA")),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        source_id=pmid,
    )


def parse_medline(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every record of a PubMed MEDLINE/.nbib export as a ``Record``."""
    result = ParsedFile("pubmed-nbib")
    start = 0
    for position, (start, fields) in enumerate(iter_medline_records(text, name), start=1):
        record = medline_to_record(fields)
        if record.source_id is None:
            record.source_id = str(position)
        result.records.append(record)
        if on_record:
            on_record(position)
    if result.records and not text.endswith(("\n", "\r")):
        # PubMed ends every download with a line break; a file cut off mid-line is not
        result.warnings.append(
            f"the file does not end with a line break, so it may be truncated: check the "
            f"last record (PMID {result.records[-1].pmid}, line {start}) against PubMed")
    return result
