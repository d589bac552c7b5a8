"""How many relevant records are there in all, and so what recall has screening reached?

Two estimates, picked by what the decisions allow:

- ``random-sample``: once records have been drawn at random from the unscreened pool (the
  statistical rule's sampling phase), the number of relevant records left in that pool is
  estimated from the sample: point ``k * M / n`` and an exact two-sided hypergeometric
  confidence interval (the set of totals not rejected at ``(1 - confidence) / 2`` in either
  tail). Assumption-free apart from the sample being random.
- ``ranked-tail``: before any random sample, a one-sided lower bound on recall: the highest
  recall target whose H0 "recall < target" the buscar test rejects when the records
  screened in ranked order are treated as if drawn at random. Valid only if the ranking
  finds relevant records at least as often as chance, so it is shown as a bound, with that
  caveat, and no point estimate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
from scipy.stats import hypergeom

from nlp_review.stopping.base import as_sequences, sampled_suffix_start
from nlp_review.stopping.rules import h0_pvalues, window_starts


@dataclass(frozen=True)
class RelevantEstimate:
    method: str  # "random-sample", "ranked-tail" or "none"
    confidence: float
    found: int
    total: float | None
    total_low: int | None
    total_high: int | None
    recall: float | None
    recall_low: float | None
    recall_high: float | None
    sample_size: int = 0
    sample_relevant: int = 0
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _sample_interval(k: int, population: int, n: int, alpha: float) -> tuple[int, int]:
    """Exact two-sided interval for the number of relevant records in a population of
    ``population`` from ``k`` found in a random sample of ``n`` drawn without replacement."""
    candidates = np.arange(k, population - (n - k) + 1)
    upper_tail = hypergeom.sf(k - 1, population, candidates, n)  # P(X >= k | K)
    lower_tail = hypergeom.cdf(k, population, candidates, n)  # P(X <= k | K)
    keep = (upper_tail > alpha / 2) & (lower_tail > alpha / 2)
    if not keep.any():  # cannot happen for a valid sample; fall back to the observed count
        return k, k
    kept = candidates[keep]
    return int(kept.min()), int(kept.max())


def recall_lower_bound(labels: np.ndarray, pool_size: int, alpha: float,
                       starts: np.ndarray) -> float:
    """Highest recall target whose H0 "recall < target" is rejected at ``alpha`` over the
    given windows (0 when none is)."""
    lo, hi = 0.0, 0.999
    if h0_pvalues(labels, pool_size, hi, starts).min() < alpha:
        return hi
    for _ in range(14):  # bisection to ~1e-4
        mid = (lo + hi) / 2
        if mid > 0 and h0_pvalues(labels, pool_size, mid, starts).min() < alpha:
            lo = mid
        else:
            hi = mid
    return lo


def estimate_relevant(labels: Sequence[int] | np.ndarray, sampled: Sequence[bool] | None = None,
                      *, pool_size: int, confidence: float = 0.95) -> RelevantEstimate:
    """Estimate the total number of relevant records and the recall reached so far."""
    y, s = as_sequences(labels, sampled, pool_size)
    found = int(y.sum())
    alpha = 1 - confidence
    if y.size >= pool_size:
        return RelevantEstimate("complete", confidence, found, float(found), found, found,
                                1.0, 1.0, 1.0, note="every record has been screened")
    j0 = sampled_suffix_start(s)
    if j0 is not None:
        population, n = pool_size - j0, y.size - j0
        k = int(y[j0:].sum())
        before = found - k
        low, high = _sample_interval(k, population, n, alpha)
        total = before + k * population / n
        return RelevantEstimate(
            "random-sample", confidence, found, total, before + low, before + high,
            found / total if total else None,
            found / (before + high) if before + high else None,
            found / (before + low) if before + low else None,
            sample_size=n, sample_relevant=k,
            note=f"from {n} records drawn at random from the {population} then unscreened")
    if y.size == 0:
        return RelevantEstimate("none", confidence, 0, None, None, None, None, None, None,
                                note="no decisions yet")
    bound = recall_lower_bound(y, pool_size, alpha, window_starts(y))
    return RelevantEstimate(
        "ranked-tail", confidence, found, None, found, None, None, bound, 1.0,
        note="lower bound treating the ranked records as a random sample; assumes the "
        "ranking is no worse than chance; screen a random sample for an unbiased estimate")
