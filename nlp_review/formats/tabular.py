"""CSV, TSV and XLSX exports (Scopus, Web of Science, Ovid, Zotero, ASReview, spreadsheets
made by hand) read with pandas; columns are recognised by their common names."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pandas as pd

from nlp_review.errors import InputError
from nlp_review.formats.fields import (OnRecord, ParsedFile, clean, first, pages, parse_label,
                                       pmid_from_urls, split_authors, split_keywords,
                                       strip_markup)
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


def _read_csv(text: str, sep: str, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           na_filter=False, engine="c", skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(f"the table is malformed: {str(exc).strip()}", file=name,
                         line=int(match.group(1)) if match else None,
                         hint="check that line for an unclosed quote or a wrong number of "
                              "fields, or save the file again from the spreadsheet") from None
    except pd.errors.EmptyDataError:
        raise InputError("the table has no header line", file=name,
                         hint="the first line must name the columns") from None


def _read_xlsx(data: bytes, name: str) -> pd.DataFrame:
    try:
        return pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl",
                             keep_default_na=False, na_filter=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise InputError(f"the Excel workbook cannot be read ({exc.__class__.__name__}: "
                         f"{exc})", file=name,
                         hint="open it in a spreadsheet and save it again as .xlsx or .csv"
                         ) from None


def row_to_record(row: dict[str, Any], columns: dict[str, str], position: int,
                  name: str) -> Record:
    """One table row as a Record; an unreadable label value is an InputError."""
    def get(field: str) -> str | None:
        column = columns.get(field)
        return clean(row.get(column)) if column else None

    label = parse_label(get("label"))
    if isinstance(label, str):
        raise InputError(f"column {columns['label']!r} has {label!r}; expected 1/0, "
                         f"yes/no, true/false or blank", file=name, record=position,
                         hint="fix that cell (blank means not yet screened)")
    url = get("url")
    return Record(
        title=strip_markup(get("title")),
        abstract=strip_markup(get("abstract")),
        authors=split_authors(get("authors")),
        year=get("year"),
        journal=get("journal"),
        volume=get("volume"),
        issue=get("issue"),
        pages=pages(get("pages") or get("page_start"), None if get("pages") else
                    get("page_end")) or get("article_number"),
        doi=get("doi"),
        pmid=get("pmid") or (pmid_from_urls([url]) if url else None),
        keywords=split_keywords(get("keywords")),
        type=get("type"),
        language=get("language"),
        url=url,
        source_id=first(get("source_id")) or str(position),
        label=label,
    )


def _frame_to_file(frame: pd.DataFrame, fmt: str, name: str,
                   on_record: OnRecord | None) -> ParsedFile:
    result = ParsedFile(fmt)
    columns = map_columns([str(c) for c in frame.columns], name)
    wanted = list(dict.fromkeys(columns.values()))
    rows = frame[wanted].to_dict("records")
    for position, row in enumerate(rows, start=1):
        if not any(clean(v) for v in row.values()):
            continue
        result.records.append(row_to_record(row, columns, position, name))
        if on_record:
            on_record(position)
    return result


def parse_table(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every row of a CSV/TSV export as a ``Record``."""
    sep = sniff_delimiter(text) or ","
    frame = _read_csv(text, sep, name)
    return _frame_to_file(frame, "tsv" if sep == "\t" else "csv", name, on_record)


def parse_xlsx(data: bytes, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every row of the first sheet of an Excel workbook as a ``Record``."""
    return _frame_to_file(_read_xlsx(data, name), "xlsx", name, on_record)
