"""A fully labelled screening dataset read from a CSV (``record_id,title,abstract,...,
label_included``), for simulation. Validated: unique ids, both classes, some abstracts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlp_review.errors import InputError
from nlp_review.formats.decode import line_of
from nlp_review.formats.tabular import sniff_delimiter

LABEL_COLUMNS = ("label_included", "included", "label")


@dataclass
class LabelledDataset:
    path: Path
    record_ids: list[str]
    titles: list[str]
    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.record_ids)

    def row_of(self, record_id: str) -> int:
        try:
            return self._index[str(record_id)]
        except AttributeError:
            self._index = {r: i for i, r in enumerate(self.record_ids)}
            return self.row_of(record_id)


def load_labelled_csv(path: Path) -> LabelledDataset:
    """Read a labelled CSV; raise ``InputError`` naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may save a BOM ...
        sep = sniff_delimiter(text) or ","  # ... and ';' or tabs
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except FileNotFoundError:
        raise InputError("file not found", file=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a CSV file", file=path,
                         hint="give the labelled CSV file inside it") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=path,
                         line=line_of(path.read_bytes(), exc.start),
                         hint="save it as CSV UTF-8 from the spreadsheet") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV ({str(exc).strip()})", file=path,
                         hint="give a CSV with a header row (record_id,title,abstract,"
                              "label_included); a quote left open may mean the file was cut "
                              "short: export it again") from None
    cols = {c.lower().strip(): c for c in df.columns}
    label_col = next((cols[c] for c in LABEL_COLUMNS if c in cols), None)
    if label_col is None:
        raise InputError("no label column", file=path,
                         hint=f"simulation needs a column {' or '.join(LABEL_COLUMNS)} of 0/1")
    if "title" not in cols and "abstract" not in cols:
        raise InputError("no title or abstract column", file=path)
    if "abstract" not in cols or not df[cols["abstract"]].str.strip().any():
        raise InputError("the abstract column is missing or empty in every row", file=path,
                         hint="ranking reads titles and abstracts; add the abstracts")
    labels = []
    for i, value in enumerate(df[label_col]):
        v = value.strip().lower()
        if v in ("1", "1.0", "true", "yes", "y"):
            labels.append(1)
        elif v in ("0", "0.0", "false", "no", "n"):
            labels.append(0)
        else:
            raise InputError(f"label {value!r} in column {label_col} is not 0 or 1", file=path,
                             line=_row_line(text, sep, i), record=i + 1,
                             hint="every record needs a 0/1 label for simulation")
    y = np.array(labels, dtype=np.int64)
    if len(y) == 0 or y.min() == y.max():
        raise InputError(f"the data has {int(y.sum())} relevant and {int((y == 0).sum())} "
                         "irrelevant records; simulation needs both classes", file=path)
    if "record_id" in cols:
        ids = [v.strip() for v in df[cols["record_id"]]]
        seen: dict[str, int] = {}
        for i, rid in enumerate(ids):
            if not rid:
                raise InputError("empty record_id", file=path, line=_row_line(text, sep, i),
                                 record=i + 1)
            if rid in seen:
                raise InputError(f"record_id {rid} repeats line "
                                 f"{_row_line(text, sep, seen[rid])}", file=path,
                                 line=_row_line(text, sep, i), record=i + 1)
            seen[rid] = i
    else:
        ids = [str(i) for i in range(1, len(df) + 1)]
    title = df[cols["title"]] if "title" in cols else pd.Series([""] * len(df))
    abstract = df[cols["abstract"]]
    texts = [f"{t}\n\n{a}".strip() for t, a in zip(title, abstract)]
    return LabelledDataset(path=path, record_ids=ids, titles=list(title), texts=texts, labels=y)


def _row_line(text: str, sep: str, row: int) -> int:
    """The file line on which data row ``row`` (0-based, header excluded) starts: an abstract
    with line breaks spans several lines, so rows and lines part after it."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    end, k = 0, -1
    for cells in reader:
        start, end = end + 1, reader.line_num
        if not cells:  # a blank line, which pandas skips too
            continue
        if k == row:
            return start
        k += 1
    return end
