"""The stopping benchmark's random samples must be independent between runs: before the
fix every dataset's seed-1 run drew records at the same relative positions of its
unscreened pool (one shared ``default_rng(seed)`` stream), so 84 runs held only 3
independent random samples and buscar's misses came in correlated groups."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "stopping"


@pytest.fixture()
def run_module():
    spec = importlib.util.spec_from_file_location("stopping_benchmark_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_seeds_differ_between_datasets_and_are_stable(run_module):
    seeds = {(n, s): run_module.sample_seed(n, s)
             for n in ("cohen_adhd", "nelson_2002", "menon_2022") for s in (1, 2, 3)}
    assert len(set(seeds.values())) == len(seeds)
    assert run_module.sample_seed("cohen_adhd", 1) == seeds[("cohen_adhd", 1)]


def test_two_datasets_with_the_same_run_seed_draw_at_unrelated_positions(run_module):
    """With one shared stream the first draws land at the same share of each pool; with
    per-dataset seeds they do not."""
    def shares(pool: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.array([rng.integers(pool) / pool for _ in range(50)])

    shared = np.corrcoef(shares(2333, 1), shares(1993, 1))[0, 1]
    assert shared > 0.99  # the old seeding: the same positions
    fixed = np.corrcoef(shares(2333, run_module.sample_seed("appenzeller_herzog_2019", 1)),
                        shares(1993, run_module.sample_seed("bannach_brown_2019", 1)))[0, 1]
    assert abs(fixed) < 0.5
