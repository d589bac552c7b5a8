from __future__ import annotations

from pathlib import Path

import pytest

from ft_paths import FULLTEXT


@pytest.fixture
def fulltext_dir() -> Path:
    if not FULLTEXT.is_dir():
        pytest.fail(f"shared full texts not found at {FULLTEXT}")
    return FULLTEXT
