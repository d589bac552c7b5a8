"""The Bayesian counting-process rule (``counting-bayes``): the counting-process rule of
Sneyd & Stevenson (2019) and Stevenson & Bin-Hezam (2024) with its rate fitted by the
point-process likelihood and its uncertainty integrated out, instead of a least-squares fit
to window rates plus a fixed widening.

Model. Relevant records met in ranked order are the events of a Poisson process over the
share of the pool screened, ``u = rank / pool``, with the hyperbolic rate of Stevenson &
Bin-Hezam

    lambda(u) = A (1 + b k u) ** (-1 / b),   0 < b <= b_max, k > 0

(``b -> 0`` is the exponential rate, ``b = 1`` the rate ``A / (1 + k u)``). Priors: ``1/A``
on the scale (the usual scale-invariant prior), and log-uniform on a grid of ``b`` (25
values, 0.01 .. ``b_max``) and ``k`` (60 values, 0.1 .. 10,000: from a nearly flat rate to
one that falls by half within the first 0.01 % of the pool).

For a grid point ``(b, k)``, with ``g(u) = (1 + b k u) ** (-1/b)``, ``G`` its integral over
the screened ranks and ``Gt`` over the unscreened ones, and ``R`` relevant records found at
ranks ``u_1 .. u_R``:

- the scale integrates out exactly: ``A | data ~ Gamma(R, G)``, so the relevant records
  left are negative binomial, ``M ~ NegBin(R, G / (G + Gt))`` (a gamma-mixed Poisson,
  i.e. a Cox process whose intensity is uncertain as the data say, not by a fixed amount);
- the grid point's posterior weight is its marginal likelihood
  ``prod_i g(u_i) * Gamma(R) / G ** R`` (normalised over the grid).

The predictive distribution of ``M`` is the weighted mixture of those negative binomials;
its ``confidence`` quantile is the bound ``U`` and the rule stops when
``found / (found + U) >= recall_target``. Everything else (checks every ``check_every`` of
the pool, ``min_relevant`` with the authors' decay, random draws not used) is as in
:class:`~nlp_review.stopping.counting.CountingProcess`.

No optimiser is involved, so the verdict does not depend on where a fit happened to
converge, and a flat run of excluded records after the last relevant one is weighed by the
likelihood rather than by a single fitted curve.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln
from scipy.stats import nbinom

from nlp_review.errors import ConfigError
from nlp_review.stopping.base import check_probabilities
from nlp_review.stopping.counting import CountingProcess, _check_share_or_count

#: the grid over the rate's shape: b (log-spaced 0.01 .. b_max) and k (log-spaced)
B_MIN, B_POINTS = 0.01, 25
K_MIN, K_MAX, K_POINTS = 0.1, 1e4, 60
#: grid points below this posterior weight are left out of the predictive mixture
MIN_WEIGHT = 1e-12


def _shape_integral(c1: float, c2: float, b: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Integral of ``(1 + b k u) ** (-1/b)`` over ``c1 <= u <= c2`` for each grid point."""
    with np.errstate(all="ignore"):
        e = 1.0 - 1.0 / b
        out = (np.power(1.0 + b * k * c2, e) - np.power(1.0 + b * k * c1, e)) / (k * (b - 1.0))
        return np.where(np.abs(b - 1.0) < 1e-9,
                        (np.log1p(k * c2) - np.log1p(k * c1)) / k, out)


def shape_grid(b_max: float) -> tuple[np.ndarray, np.ndarray]:
    """The (b, k) grid points, flattened."""
    b = np.exp(np.linspace(math.log(B_MIN), math.log(b_max), B_POINTS))
    k = np.exp(np.linspace(math.log(K_MIN), math.log(K_MAX), K_POINTS))
    bb, kk = np.meshgrid(b, k, indexing="ij")
    return bb.ravel(), kk.ravel()


class Posterior:
    """The predictive distribution of the relevant records left after the screened prefix
    ``labels`` of a pool of ``pool_size`` records (see the module docstring)."""

    def __init__(self, labels: np.ndarray, pool_size: int, b_max: float = 1.0) -> None:
        n = int(labels.size)
        hits = np.flatnonzero(labels)
        self.found = int(hits.size)
        self.unscreened = int(pool_size - n)
        b, k = shape_grid(b_max)
        c = n / pool_size
        u = (hits + 0.5) / pool_size
        with np.errstate(all="ignore"):
            log_shape = -(1.0 / b)[:, None] * np.log1p((b * k)[:, None] * u[None, :])
            screened = _shape_integral(0.0, c, b, k)
            left = _shape_integral(c, 1.0, b, k)
            log_ml = log_shape.sum(axis=1) + gammaln(self.found) - self.found * np.log(screened)
        ok = np.isfinite(log_ml) & np.isfinite(left) & (screened > 0) & (left >= 0)
        if not ok.any():
            raise ValueError("no grid point gives a finite likelihood")
        w = np.zeros(b.size)
        w[ok] = np.exp(log_ml[ok] - log_ml[ok].max())
        keep = w / w.sum() > MIN_WEIGHT
        self.weights = w[keep] / w[keep].sum()
        self.b, self.k = b[keep], k[keep]
        self.p = screened[keep] / (screened[keep] + left[keep])

    @property
    def expected_left(self) -> float:
        """Posterior mean of the relevant records left."""
        return float(np.sum(self.weights * self.found * (1.0 - self.p) / self.p))

    def cdf(self, m: int) -> float:
        """P(at most ``m`` relevant records left)."""
        return float(np.sum(self.weights * nbinom.cdf(m, self.found, self.p)))

    def quantile(self, q: float) -> int:
        """The smallest ``m`` with ``P(M <= m) >= q`` (at most every unscreened record)."""
        lo, hi = 0, self.unscreened
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cdf(mid) >= q:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def mean_shape(self) -> tuple[float, float]:
        """Posterior means of b and k."""
        return float(np.sum(self.weights * self.b)), float(np.sum(self.weights * self.k))


class BayesCountingProcess(CountingProcess):
    """Counting-process rule with the hyperbolic rate integrated over its posterior.

    Stop when ``found / (found + U) >= recall_target``, ``U`` the ``confidence`` quantile
    of the posterior predictive number of relevant records left. See the module docstring
    and ``docs/stopping.md``."""

    name = "counting-bayes"
    #: shown in the verdict's reason and numbers (not parameters of this rule)
    rate = "hyperbolic"
    process = "bayes"
    #: the first check needs at least this many records screened
    n_windows = 10

    def __init__(self, recall_target: float = 0.95, confidence: float = 0.95,
                 b_max: float = 1.0, check_every: int | float = 0.025,
                 min_relevant: int = 20, min_relevant_decay: bool = True) -> None:
        self.recall_target = recall_target
        self.confidence = confidence
        self.b_max = b_max
        self.check_every = check_every
        self.min_relevant = min_relevant
        self.min_relevant_decay = min_relevant_decay

    def _check_params(self) -> None:
        check_probabilities(self, "recall_target", "confidence")
        if isinstance(self.b_max, bool) or not isinstance(self.b_max, (int, float)) \
                or not B_MIN < float(self.b_max) <= 5:
            raise ConfigError(f"b_max must be a number above {B_MIN} and at most 5, not "
                              f"{self.b_max!r}", hint="e.g. b_max=1 (the authors' range "
                              "0 < b <= 1; larger allows heavier tails)")
        _check_share_or_count("check_every", self.check_every)
        self._check_min_relevant()

    def posterior(self, labels: np.ndarray, pool_size: int) -> Posterior:
        return Posterior(np.asarray(labels, dtype=np.int64), int(pool_size), float(self.b_max))

    def assess(self, labels: np.ndarray, pool_size: int, check_index: int = 0) -> dict:
        """The posterior, the bound and the verdict for the screened prefix ``labels``."""
        out = self._assessment(labels, pool_size, check_index)
        if "why" in out:
            return out
        try:
            post = self.posterior(labels, pool_size)
        except ValueError:
            out["why"] = "the hyperbolic rate gives no finite likelihood for the ranking so far"
            return out
        out["param_b"], out["param_k"] = post.mean_shape()
        return self._verdict(out, post.expected_left,
                             float(post.quantile(self._bound_level())))

    def _bound_level(self) -> float:
        """The posterior predictive quantile used as the bound on the records left."""
        return float(self.confidence)

    def lower_left(self, labels: np.ndarray, pool_size: int, q: float, assessed: dict) -> int:
        """The ``q`` quantile of the posterior predictive relevant records left (for an
        interval's low end)."""
        return self.posterior(labels, pool_size).quantile(q)
