"""Read the bib-dedupe benchmark sets (../shared/datasets/dedup) into Records and truth.

Shared by the benchmark (run.py) and the tests (tests/dedup/conftest.py puts this folder on
sys.path). The CSVs use BibTeX field names; ``bib_row_to_record`` maps them onto Record."""

from __future__ import annotations

import csv
import json
import re
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

from nlp_review.records import Record

REPO = Path(__file__).resolve().parents[2]
DEDUP_DATA = REPO / ".." / "shared" / "datasets" / "dedup"
DATASETS = ("cytology_screening", "digital_work", "special_cases")


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in {"", "nan", "None"} else text


def bib_row_to_record(row: dict[str, Any]) -> Record:
    """A record from BibTeX-named fields (title, author "A and B", journal/booktitle,
    number, ENTRYTYPE, ID ...)."""
    author = _clean(row.get("author")) or ""
    authors = [a.strip() for a in re.split(r"\s+and\s+", author) if a.strip()]
    return Record(
        title=_clean(row.get("title")),
        abstract=_clean(row.get("abstract")),
        authors=authors,
        year=_clean(row.get("year")),  # type: ignore[arg-type]
        journal=_clean(row.get("journal")) or _clean(row.get("booktitle")),
        volume=_clean(row.get("volume")),
        issue=_clean(row.get("number")) or _clean(row.get("issue")),
        pages=_clean(row.get("pages")),
        doi=_clean(row.get("doi")),
        pmid=_clean(row.get("pmid")),
        type=_clean(row.get("ENTRYTYPE")),
        url=_clean(row.get("url")),
        source_id=_clean(row.get("ID")),
    )


def load_dataset(name: str, root: Path = DEDUP_DATA) -> tuple[list[tuple[int, Record]],
                                                                 list[list[int]]]:
    """((id, Record) with ids 1..n in file order, true duplicate groups as id lists)."""
    folder = root / name
    with open(folder / "records_pre_merged.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = [(n, bib_row_to_record(row)) for n, row in enumerate(rows, start=1)]
    by_key = {r.source_id: n for n, r in records}
    with open(folder / "merged_record_ids.csv", newline="", encoding="utf-8") as fh:
        truth = [[by_key[k] for k in row["merged_ids"].split(";") if k in by_key]
                 for row in csv.DictReader(fh)]
    return records, [g for g in truth if len(g) > 1]


def load_test_pairs(root: Path = DEDUP_DATA) -> list[dict[str, Any]]:
    """The 25 labelled pairs: dicts with id, note, record_a, record_b (Records), expected."""
    data = json.loads((root / "test_cases_pairs.json").read_text(encoding="utf-8"))
    return [{"id": c["id"], "note": c["note"], "expected": bool(c["expected_duplicate"]),
             "record_a": bib_row_to_record(c["record_a"]),
             "record_b": bib_row_to_record(c["record_b"])} for c in data["cases"]]


def group_pairs(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    """Every unordered pair of ids that share a group."""
    out: set[tuple[int, int]] = set()
    for g in groups:
        out.update(combinations(sorted(set(g)), 2))
    return out


def pairwise_scores(found: Iterable[Iterable[int]],
                    truth: Iterable[Iterable[int]]) -> dict[str, float]:
    """Pairwise precision, recall and counts of found groups against true groups."""
    fp, tp = group_pairs(found), group_pairs(truth)
    hit = len(fp & tp)
    return {
        "precision": hit / len(fp) if fp else 1.0,
        "recall": hit / len(tp) if tp else 1.0,
        "pairs_found": len(fp),
        "pairs_true": len(tp),
        "pairs_correct": hit,
    }


def _text(node: Any) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


def load_endnote_marked(path: Path | None = None) -> tuple[list[tuple[int, Record]], set[int]]:
    """EndNote XML (respiratory.xml) as ((id, Record), ids captioned "Duplicate").

    The file marks every member of a duplicate set but gives no group ids, so it supports a
    record-level check only: is a marked record grouped with another, is an unmarked one
    left alone."""
    from defusedxml import ElementTree

    path = path or DEDUP_DATA / "endnote_xml" / "respiratory.xml"
    root = ElementTree.parse(str(path)).getroot()
    records: list[tuple[int, Record]] = []
    marked: set[int] = set()
    for n, rec in enumerate(root.iter("record"), start=1):
        authors = [a for a in (_text(x) for x in rec.iterfind("contributors/authors/author"))
                   if a]
        records.append((n, Record(
            title=_text(rec.find("titles/title")),
            journal=_text(rec.find("titles/secondary-title")),
            authors=authors,
            year=_text(rec.find("dates/year")),  # type: ignore[arg-type]
            volume=_text(rec.find("volume")), issue=_text(rec.find("number")),
            pages=_text(rec.find("pages")), abstract=_text(rec.find("abstract")),
            doi=_text(rec.find("electronic-resource-num")),
            source_id=_text(rec.find("rec-number")),
        )))
        if (_text(rec.find("caption")) or "").lower() == "duplicate":
            marked.add(n)
    return records, marked


def marked_scores(groups: Iterable[Iterable[int]], marked: set[int]) -> dict[str, float]:
    """Share of marked records grouped with another record (recall-like) and of unmarked
    records grouped with anything (false merges)."""
    in_group = {i for g in groups for i in g if len(list(g)) > 1}
    n_unmarked_merged = len(in_group - marked)
    return {"marked_grouped": len(in_group & marked) / len(marked) if marked else 1.0,
            "unmarked_merged": n_unmarked_merged, "marked": len(marked),
            "records_in_groups": len(in_group)}
