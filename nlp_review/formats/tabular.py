"""CSV, TSV and XLSX exports (Scopus, Web of Science, Ovid, Zotero, ASReview, spreadsheets
made by hand): CSV/TSV through the stdlib ``csv`` reader (so every row error names its line),
XLSX through pandas + openpyxl; columns are recognised by their common names."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any, Iterator, Sequence

import pandas as pd

from nlp_review.errors import InputError
from nlp_review.formats.fields import (OnRecord, ParsedFile, clean, pages, parse_label,
                                       pmid_from_urls, split_authors, split_keywords,
                                       strip_markup, strip_vendor_notice)
from nlp_review.records import Record

#: Canonical field -> accepted column names, in order of preference. Names are compared
#: after lower-casing and dropping everything but letters and digits ("Source title" ==
#: "source_title" == "sourcetitle").
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary_title", "TI", "T1", "Article Title", "Document Title"),
    "abstract": ("abstract", "AB", "N2", "notes_abstract", "Abstract Note"),
    "authors": ("authors", "author", "AU", "A1", "first_authors", "Author full names", "AF"),
    "year": ("year", "publication_year", "Publication Year", "PY", "pubyear", "Y1"),
    "journal": ("journal", "Source title", "SO", "secondary_title", "journal_name",
                "Publication Title", "PublicationName", "JO", "JF", "T2", "journal_title"),
    "doi": ("doi", "DO", "DI"),
    "pmid": ("pmid", "PubMed ID", "PM", "pubmed_id", "UI"),
    "keywords": ("keywords", "Author Keywords", "KW", "DE", "Manual Tags", "MeSH Terms"),
    "volume": ("volume", "VL", "VI", "vol"),
    "issue": ("issue", "number", "IS", "IP"),
    "pages": ("pages", "PG", "page", "page_range"),
    "page_start": ("Page start", "start_page", "SP", "BP"),
    "page_end": ("Page end", "end_page", "EP"),
    "article_number": ("Art. No.", "Article Number", "AR"),
    "type": ("type", "Document Type", "DT", "type_of_reference", "TY", "Reference Type",
             "Publication Type", "PT", "Item Type"),
    "language": ("language", "LA", "Language of Original Document"),
    "url": ("url", "Link", "urls", "UR"),
    "source_id": ("record_id", "UT", "ID", "EID", "Accession Number", "AN", "key"),
    "label": ("label_included", "included", "final_included"),
}


def _norm(column: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(column).lower())


def is_xlsx(data: bytes) -> bool:
    """A ZIP container holding an Excel workbook."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def sniff_delimiter(text: str) -> str | None:
    """The delimiter of the header line (tab, comma or semicolon), or None for one column."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        fields = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in "\t,;"}
    except (csv.Error, StopIteration):
        return None
    best = max("\t,;", key=lambda sep: fields[sep])
    return best if fields[best] > 1 else None


def known_columns(columns: list[str]) -> list[str]:
    """The columns whose names are recognised (used to tell a table from prose)."""
    aliases = {_norm(alias) for names in COLUMNS.values() for alias in names}
    return [c for c in columns if _norm(c) in aliases]


def map_columns(columns: list[str], name: str) -> dict[str, str]:
    """Canonical field -> the file's column; InputError when there is no title column."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
    found = {}
    for field, names in COLUMNS.items():
        for alias in names:
            if _norm(alias) in by_norm:
                found[field] = by_norm[_norm(alias)]
                break
    if "title" not in found:
        shown = ", ".join(repr(str(c)) for c in columns[:30])
        more = f" (and {len(columns) - 30} more)" if len(columns) > 30 else ""
        raise InputError(
            f"no title column: the columns found are {shown}{more}", file=name, line=1,
            hint="name the title column one of: " + ", ".join(COLUMNS["title"]) +
                 " (case and punctuation do not matter)")
    return found


_FIELD_LIMIT = 100_000_000  # one cell may hold a long abstract; the csv default is 128 kB


def _iter_csv_rows(text: str, sep: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for each row after the header, via the stdlib
    ``csv`` reader (strict quoting); a row with more cells than the header is an error."""
    if text.count('"') % 2:
        # an odd number of quotes: a quoted cell is never closed and would swallow the rest
        # of the file; find the row where that happens
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        start = 1
        last_start = 1
        for _ in reader:
            last_start, start = start, reader.line_num + 1
        raise InputError("a quoted cell is never closed (an unmatched '\"')", file=name,
                         line=last_start, hint="close the quote in that row, or save the "
                                               "file again from the spreadsheet")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("the table has no header line", file=name,
                             hint="the first line must name the columns")
        yield 1, header
        width = len(header)
        start = reader.line_num + 1
        for row in reader:
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise InputError(f"the row has {len(row)} cells but the header names {width} "
                                 f"columns", file=name, line=start,
                                 hint="check that row for a delimiter inside an unquoted "
                                      "cell, or save the file again from the spreadsheet")
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"the table is malformed ({exc})", file=name, line=start,
                         hint="check that line for a stray quote, or save the file again "
                              "from the spreadsheet") from None


def read_xlsx_sheet(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the first sheet of an Excel workbook, every cell as text (empty cells
    as ""); a workbook that cannot be read is an InputError naming ``name``."""
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl",
                              keep_default_na=False, na_filter=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise InputError(f"the Excel workbook cannot be read ({exc.__class__.__name__}: "
                         f"{exc})", file=name,
                         hint="open it in a spreadsheet and save it again as .xlsx or .csv"
                         ) from None
    return [str(c) for c in frame.columns], frame.values.tolist()


def row_to_record(row: Sequence[Any], columns: dict[str, int], position: int, name: str,
                  line: int | None = None, label_column: str = "label") -> Record:
    """One table row (cells in file order) as a Record; ``columns`` maps canonical fields to
    cell indexes. An unreadable label value is an InputError naming the line and row."""
    width = len(row)

    def get(field: str) -> str | None:
        index = columns.get(field)
        return clean(row[index]) if index is not None and index < width else None

    label = parse_label(get("label"))
    if isinstance(label, str):
        raise InputError(f"column {label_column!r} has {label!r}; expected 1/0, yes/no, "
                         f"true/false or blank", file=name, line=line, record=position,
                         hint="fix that cell (blank means not yet screened)")
    url = get("url")
    start, end = get("page_start"), get("page_end")
    return Record(
        title=strip_markup(get("title")),
        abstract=strip_vendor_notice(strip_markup(get("abstract"))),
        authors=split_authors(get("authors")),
        year=get("year"),
        journal=get("journal"),
        volume=get("volume"),
        issue=get("issue"),
        # BP/EP first: in Web of Science tables PG is the page count, not the range
        pages=(pages(start, end) if start else pages(get("pages"))) or get("article_number"),
        doi=get("doi"),
        pmid=get("pmid") or (pmid_from_urls([url]) if url else None),
        keywords=split_keywords(get("keywords")),
        type=get("type"),
        language=get("language"),
        url=url,
        source_id=get("source_id") or str(position),
        label=label,
    )


def _rows_to_file(rows: Iterator[tuple[int, list[str]]], fmt: str, name: str,
                  on_record: OnRecord | None, ends_with_newline: bool = True) -> ParsedFile:
    result = ParsedFile(fmt)
    _, header = next(rows)
    by_name = map_columns(header, name)
    columns = {field: header.index(column) for field, column in by_name.items()}
    position = 0
    short_last = None
    short: list[tuple[int, int]] = []
    for line, row in rows:
        if not any(cell and str(cell).strip() for cell in row):
            continue  # blank line or empty spreadsheet row
        position += 1
        result.records.append(row_to_record(row, columns, position, name, line,
                                            by_name.get("label", "label")))
        if short_last:
            short.append(short_last)
        short_last = (line, position) if len(row) < len(header) else None
        if on_record:
            on_record(position)
    if short_last and not ends_with_newline:
        result.warnings.append(
            f"the last row (line {short_last[0]}, record {short_last[1]}) has fewer cells than "
            f"the header and the file does not end with a line break: it may be truncated")
    elif short_last:
        short.append(short_last)
    if short:
        result.warnings.append(
            f"{len(short)} row(s) have fewer cells than the header ({_rows(short)}): their "
            "missing cells (for a decision column, the decision) are read as empty; check "
            "those rows, which may have been damaged when the file was edited")
    return result


def _rows(where: list[tuple[int, int]], most: int = 5) -> str:
    shown = "; ".join(f"line {line}, record {record}" for line, record in where[:most])
    return shown + (f" and {len(where) - most} more" if len(where) > most else "")


def parse_table(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every row of a CSV/TSV export as a ``Record``."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    sep = sniff_delimiter(text) or ","
    return _rows_to_file(_iter_csv_rows(text, sep, name), "tsv" if sep == "\t" else "csv",
                         name, on_record, text.endswith(("\n", "\r")))


def parse_xlsx(data: bytes, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every row of the first sheet of an Excel workbook as a ``Record``; lines in messages
    are spreadsheet row numbers (the header is row 1)."""
    header, cells = read_xlsx_sheet(data, name)
    rows = iter([(1, header)] + [(i, row) for i, row in enumerate(cells, start=2)])
    return _rows_to_file(rows, "xlsx", name, on_record)
