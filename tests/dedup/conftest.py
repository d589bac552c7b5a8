"""Shared helpers: the benchmark's loaders for ../shared/datasets/dedup (benchmarks/dedup)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "dedup"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
