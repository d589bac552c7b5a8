from __future__ import annotations

from pathlib import Path

import pytest

from nlp_review.formats import parse
from nlp_review.formats.writers import record_to_row, write_csv
from nlp_review.living.replay import Replay, make_replay
from nlp_review.records import Record

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / ".." / "shared" / "datasets" / "screening" / "ecec_adult_child_ratio.csv"


def read_labelled(path: Path) -> list[Record]:
    return parse(path.read_bytes(), str(path)).records


def write_export(records: list[Record], path: Path) -> Path:
    path.write_text(write_csv(record_to_row(r) for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ecec_replay() -> Replay:
    if not DATASET.is_file():
        pytest.fail(f"{DATASET} not found; ../shared must sit beside the repository")
    return make_replay(read_labelled(DATASET), first_share=0.6, n_duplicates=60, seed=3)
