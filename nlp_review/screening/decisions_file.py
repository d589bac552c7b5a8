"""Reading a file of decisions made elsewhere: a CSV with columns ``record_id`` and
``label_included`` (1 include, 0 exclude, empty: not decided, skipped; other columns are
ignored) as CSV or the first sheet of an Excel workbook, or a RIS file written by ``nlp-review export`` (or ASReview: the record's ``ID``
and its ``ASReview_relevant``/``ASReview_irrelevant`` N1 note). Pure parsing: every bad
line is reported at once, with its line number."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from nlp_review.errors import InputError, InputErrors
from nlp_review.formats.tabular import sniff_delimiter

INCLUDE = {"1", "1.0", "true", "yes", "y", "include", "included"}
EXCLUDE = {"0", "0.0", "false", "no", "n", "exclude", "excluded"}


UNKNOWN_ID_HINT = "record ids are the project's ids (see `nlp-review rank`)"


def _unknown(rid: int, known: set[int] | None) -> bool:
    return known is not None and rid not in known


def parse_decisions_csv(text: str, file: str | Path = "<decisions>", *,
                        known: set[int] | None = None) -> list[tuple[int, int, int]]:
    """(line number, record id, label) for every data row of the CSV ``text``; with
    ``known`` (the project's record ids) an unknown id is one of the problems listed."""
    text = text.lstrip("\ufeff")
    # a spreadsheet may save with ';' (or tab) between cells
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text) or ",")
    fields = {f.strip().lower(): f for f in (reader.fieldnames or [])}
    missing = [c for c in ("record_id", "label_included") if c not in fields]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=file, line=1,
                         hint="the header needs record_id,label_included")
    out, errors = [], []
    unknown = False
    for row in reader:
        line = reader.line_num
        rid = (row[fields["record_id"]] or "").strip()
        value = (row[fields["label_included"]] or "").strip().lower()
        if not value:
            continue  # not decided (an export of every record leaves these blank)
        if not rid.isdigit():
            errors.append(InputError(f"record_id {rid!r} is not a record id", file=file,
                                     line=line))
            continue
        if _unknown(int(rid), known):
            unknown = True
            errors.append(InputError(f"no record with id {rid} in the project", file=file,
                                     line=line))
        if value in INCLUDE:
            out.append((line, int(rid), 1))
        elif value in EXCLUDE:
            out.append((line, int(rid), 0))
        else:
            errors.append(InputError(f"label_included {value!r} is not 0 or 1", file=file,
                                     line=line))
    if errors:
        raise InputErrors(errors, hint="fix these lines; nothing was imported" + (
            f"; {UNKNOWN_ID_HINT}" if unknown else ""))
    if not out:
        raise InputError("no decisions in the file", file=file,
                         hint="every label_included cell is empty; fill in 1 or 0")
    return out


def parse_decisions_ris(text: str, file: str | Path = "<decisions>", *,
                        known: set[int] | None = None) -> list[tuple[None, int, int]]:
    """(None, record id, label) for every RIS record with an ASReview label note; the ``ID``
    of each is the project's record id (as ``nlp-review export --format ris`` writes)."""
    from nlp_review.formats.ris import parse_ris

    out, errors = [], []
    records = parse_ris(text, str(file)).records
    for n, record in enumerate(records, start=1):
        if record.label is None:
            continue
        if not (record.source_id or "").isdigit():
            errors.append(InputError(f"ID {record.source_id!r} is not a record id",
                                     file=file, record=n))
            continue
        if _unknown(int(record.source_id), known):
            errors.append(InputError(f"no record with id {record.source_id} in the project",
                                     file=file, record=n))
            continue
        out.append((None, int(record.source_id), record.label))
    if errors:
        raise InputErrors(errors, hint="the ID of each record must be the project's record "
                          "id (as `nlp-review export` writes it); nothing was imported")
    if not out:
        raise InputError(f"none of the {len(records)} RIS records carries a decision",
                         file=file, hint="decisions are read from the N1 notes "
                         "ASReview_relevant / ASReview_irrelevant that `nlp-review export` "
                         "writes; or give a CSV with record_id,label_included")
    return out


def xlsx_as_csv(data: bytes, name: str | Path) -> str:
    """The first sheet of an Excel workbook as CSV text, one line per spreadsheet row (cells
    holding line breaks are flattened, so line numbers are row numbers); whole numbers that
    Excel stored as 12.0 are written 12."""
    from nlp_review.formats.tabular import read_xlsx_sheet

    header, cells = read_xlsx_sheet(data, str(name))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in [header] + cells:
        writer.writerow([re.sub(r"^(\d+)\.0$", r"\1", " ".join(str(c).split())) for c in row])
    return out.getvalue()


def read_decisions_csv(path: Path, *, known: set[int] | None = None
                       ) -> list[tuple[int | None, int, int]]:
    """The decisions of a CSV, Excel or RIS file (see the module): (line or None, record
    id, label); with ``known`` an id not in it is reported with the other problems."""
    from nlp_review.formats.decode import sniff_binary
    from nlp_review.formats.tabular import is_xlsx

    try:
        data = Path(path).read_bytes()
        if is_xlsx(data):
            return parse_decisions_csv(xlsx_as_csv(data, path), file=path, known=known)
        binary = sniff_binary(data)
        if binary:  # e.g. a workbook cut short: not 'not UTF-8, save it as .xlsx'
            raise InputError(f"this is {binary}, not a decisions file", file=path,
                             hint="give a CSV or .xlsx workbook with columns record_id,"
                                  "label_included, or an RIS file from `nlp-review export`")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a decisions file", file=path,
                         hint="give the CSV file inside it (columns record_id,label_included)"
                         ) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path,
                         hint="save it as CSV UTF-8 (or .xlsx) with columns record_id,"
                         "label_included") from None
    from nlp_review.formats.ris import looks_like_ris

    if looks_like_ris(text.lstrip("\ufeff")):
        return parse_decisions_ris(text.lstrip("\ufeff"), file=path, known=known)
    return parse_decisions_csv(text, file=path, known=known)
