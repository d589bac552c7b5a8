"""The screening benchmark's data and prior protocol, shared by the screening and stopping
benchmarks (the stopping benchmark replays the screening benchmark's cached runs, so both
must draw exactly the same priors)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "datasets" / "screening"


def datasets() -> list[str]:
    with open(DATA / "MANIFEST.csv", newline="") as fh:
        return [row["name"] for row in csv.DictReader(fh)]


def split_datasets(split: str = "all") -> list[str]:
    """The datasets of a split: ``dev`` is every other dataset in MANIFEST.csv order (1st,
    3rd, ...), the half settings are chosen on; ``held-out`` the others; ``all`` every one."""
    names = datasets()
    return {"all": names, "dev": names[0::2], "held-out": names[1::2]}[split]


def load_ids_labels(name: str) -> tuple[list[str], np.ndarray]:
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["record_id"] for r in rows], np.array([int(float(r["label_included"]))
                                                     for r in rows])


def priors_for(ids: list[str], labels: np.ndarray, seed: int) -> list[str]:
    """One relevant and one irrelevant record_id: ``RandomState(seed).randint`` over the
    relevant ids, then over the irrelevant ones."""
    rs = np.random.RandomState(seed)
    relevant = [i for i, y in zip(ids, labels) if y == 1]
    irrelevant = [i for i, y in zip(ids, labels) if y == 0]
    return [relevant[rs.randint(len(relevant))], irrelevant[rs.randint(len(irrelevant))]]
