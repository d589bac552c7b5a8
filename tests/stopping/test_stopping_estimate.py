"""The estimate of the number of relevant records, and of recall, with its interval."""

from __future__ import annotations

import numpy as np
import pytest

from nlp_review.stopping import estimate_relevant


def test_point_estimate_from_random_sample_by_hand():
    # 30 found in 200 ranked; then 100 random draws from the 800 left, 2 relevant:
    # estimate 2/100 * 800 = 16 relevant in that pool -> 30 + 16 = 46 in all.
    labels = [1] * 30 + [0] * 170 + [1, 1] + [0] * 98
    sampled = [False] * 200 + [True] * 100
    est = estimate_relevant(labels, sampled, pool_size=1000)
    assert est.method == "random-sample"
    assert est.total == pytest.approx(46)
    assert est.recall == pytest.approx(32 / 46)
    assert est.total_low <= 46 <= est.total_high
    assert est.total_low >= 32  # the 32 already found
    assert est.recall_low < est.recall < est.recall_high <= 1


def test_interval_covers_the_truth_in_most_runs():
    rng = np.random.default_rng(3)
    covered = []
    for _ in range(200):
        pool, screened, n = 1500, 300, 150
        truth_left = int(rng.integers(0, 40))
        rest = np.zeros(pool - screened, dtype=int)
        rest[:truth_left] = 1
        rng.shuffle(rest)
        labels = np.concatenate([np.r_[np.ones(25, int), np.zeros(screened - 25, int)],
                                 rest[:n]])
        sampled = np.r_[np.zeros(screened, bool), np.ones(n, bool)]
        est = estimate_relevant(labels, sampled, pool_size=pool)
        covered.append(est.total_low <= 25 + truth_left <= est.total_high)
    assert np.mean(covered) >= 0.92


def test_ranked_tail_gives_only_a_lower_bound():
    labels = [1] * 20 + [0] * 400
    est = estimate_relevant(labels, pool_size=1000)
    assert est.method == "ranked-tail" and est.recall is None
    assert 0 < est.recall_low < 1 and est.recall_high == 1.0
    # more irrelevant records screened since the last include -> a higher bound
    assert estimate_relevant(labels + [0] * 300, pool_size=1000).recall_low > est.recall_low


def test_no_decisions_and_complete_screening():
    assert estimate_relevant([], pool_size=10).method == "none"
    est = estimate_relevant([1, 0, 0], pool_size=3)
    assert est.method == "complete" and est.recall == 1.0
