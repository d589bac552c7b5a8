from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.records import add_source

SCREENING = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "screening"


def read_rows(name: str) -> list[dict]:
    with open(SCREENING / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def antihistamines() -> Path:
    """310 real records (16 relevant) from Cohen et al. 2006."""
    return SCREENING / "cohen_antihistamines.csv"


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """The first 120 records of cohen_antihistamines plus every relevant one."""
    rows = read_rows("cohen_antihistamines")
    keep = rows[:120] + [r for r in rows[120:] if r["label_included"] == "1"]
    path = tmp_path / "small.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(keep)
    return path


def fill_project(project, name: str = "cohen_antihistamines", n: int | None = None
                 ) -> tuple[list[int], list[dict]]:
    rows = read_rows(name)[:n]
    records = [Record(title=r["title"], abstract=r["abstract"],
                      authors=[a.strip() for a in r["authors"].split(";") if a.strip()],
                      year=r["year"] or None, doi=r["doi"] or None, source_id=r["record_id"])
               for r in rows]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name=name, file_name=f"{name}.csv",
                            file_hash=f"hash-{name}", format="csv", records=records)
    return ids, rows


@pytest.fixture
def filled(project):
    """A project holding cohen_antihistamines: (project, record ids, csv rows)."""
    ids, rows = fill_project(project)
    return project, ids, rows
