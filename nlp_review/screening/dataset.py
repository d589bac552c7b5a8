"""A fully labelled screening dataset read from a CSV (``record_id,title,abstract,...,
label_included``), for simulation. Validated: unique ids, both classes, some abstracts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlp_review.errors import InputError
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
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         sep=sniff_delimiter(text) or ",")  # ... and ';' or tabs
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable CSV ({exc})", file=path) from None
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
    for i, value in enumerate(df[label_col], start=2):
        v = value.strip().lower()
        if v in ("1", "1.0", "true", "yes", "y"):
            labels.append(1)
        elif v in ("0", "0.0", "false", "no", "n"):
            labels.append(0)
        else:
            raise InputError(f"label {value!r} in column {label_col} is not 0 or 1", file=path,
                             line=i, hint="every record needs a 0/1 label for simulation")
    y = np.array(labels, dtype=np.int64)
    if len(y) == 0 or y.min() == y.max():
        raise InputError(f"the data has {int(y.sum())} relevant and {int((y == 0).sum())} "
                         "irrelevant records; simulation needs both classes", file=path)
    if "record_id" in cols:
        ids = [v.strip() for v in df[cols["record_id"]]]
        seen: dict[str, int] = {}
        for i, rid in enumerate(ids, start=2):
            if not rid:
                raise InputError("empty record_id", file=path, line=i)
            if rid in seen:
                raise InputError(f"record_id {rid} repeats line {seen[rid]}", file=path, line=i)
            seen[rid] = i
    else:
        ids = [str(i) for i in range(1, len(df) + 1)]
    title = df[cols["title"]] if "title" in cols else pd.Series([""] * len(df))
    abstract = df[cols["abstract"]]
    texts = [f"{t}\n\n{a}".strip() for t, a in zip(title, abstract)]
    return LabelledDataset(path=path, record_ids=ids, titles=list(title), texts=texts, labels=y)
