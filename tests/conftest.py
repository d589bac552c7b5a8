from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}; it must sit beside the repository")
    return SHARED


@pytest.fixture
def project(tmp_path):
    from nlp_review.store.project import init_project

    proj = init_project(tmp_path / "proj")
    yield proj
    proj.close()
