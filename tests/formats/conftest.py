from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from nlp_review.formats import ParsedFile, parse

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/formats/fixtures: one small hand-written export per edge case."""
    return FIXTURES


@pytest.fixture
def parse_fixture() -> Callable[[str], ParsedFile]:
    """Parse a fixture file by name (the name is what messages show)."""
    return lambda name: parse((FIXTURES / name).read_bytes(), name)


@pytest.fixture
def dedup_data(shared: Path) -> Path:
    """The real exports in ../shared/datasets/dedup (read in place, never copied)."""
    return shared / "datasets" / "dedup"
