"""The counting-process stopping rule (Sneyd & Stevenson 2021; Stevenson & Bin-Hezam 2023).

Relevant records are modelled as events of an inhomogeneous Poisson process over rank:
a rate function (relevant records per record screened, falling with rank) is fitted to the
ranking screened so far, its integral over the unscreened ranks is the expected number of
relevant records left, ``mu``, and the Poisson upper bound on that number at the stated
confidence gives a lower bound on recall. Stop when that bound reaches the target.

Following the authors' procedure (their code, ``ReemBinHezam/TAR_Stopping_Point_Processes``):

- the rule is checked at fixed points, every ``check_every`` of the pool (2.5 %), and
  between checks keeps the verdict of the last one;
- the screened prefix is cut into ``n_windows`` (10) equal windows; each gives a point
  (window midpoint, share of its records that are relevant) and the rate function is fitted
  to those points by least squares (``scipy.optimize.curve_fit``);
- fitting starts once ``min_relevant`` relevant records (20) were found; with
  ``min_relevant_decay`` that minimum shrinks at each check by the share of the pool
  screened (their "dynamic" minimum: 20, 19, 18, 16, 14, ... 0 after about a third);
- a fit is used only if its normalised error, the sum of squared residuals over the range
  of the window rates, is below ``max_fit_error``;
- ``process="poisson"`` (the inhomogeneous Poisson process, preset ``counting-poisson``):
  upper bound ``poisson.ppf(confidence, mu)``; ``process="cox"`` (a Cox process; our
  default, because the Poisson bound missed its confidence on our benchmark) averages that
  bound over the fitted parameters moved by their standard errors in the direction that
  leaves more relevant records (normal weights over +-2.33 sd), and never less than the
  Poisson bound of the fit itself; ``process="bootstrap"``
  (our addition) keeps the Poisson bound unless it would stop, and then widens it to the
  mixed-Poisson quantile over rates refitted to window counts redrawn from the fit.

Differences from the authors' code, each a correction: window rates count every record
of the window (their slice drops its last record) and divide by its own length; the
hyperbolic integral is ``a / (k (b - 1))`` times the bracket (their line reads
``a / k * (b - 1)``, which underestimates what is left by a factor ``1 / (1 - b)^2``);
the Cox process pairs each parameter with its own standard error.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.stats import norm, poisson

from nlp_review.errors import ConfigError
from nlp_review.stopping.base import (StopDecision, StoppingRule, check_count,
                                      check_probabilities)


def _exp_rate(x, a, k):
    return a * np.exp(-k * x)


def _exp_integral(x, a, k):
    return -(a / k) * np.exp(-k * x)


def _hyp_rate(x, a, b, k):
    return a / np.power(1.0 + b * k * x, 1.0 / b)


def _hyp_integral(x, a, b, k):
    if abs(b - 1.0) < 1e-9:
        return (a / k) * np.log1p(k * x)
    return a / (k * (b - 1.0)) * np.power(1.0 + b * k * x, 1.0 - 1.0 / b)


def _power_rate(x, a, k):
    return a * np.power(x, k)


def _power_integral(x, a, k):
    if abs(k + 1.0) < 1e-9:
        return a * np.log(x)
    return a / (k + 1.0) * np.power(x, k + 1.0)


@dataclass(frozen=True)
class RateFunction:
    """A rate of relevant records over rank, its antiderivative, the start point and
    bounds for the fit, and each parameter's direction of 'more relevant records left'."""

    name: str
    rate: Callable[..., np.ndarray]
    integral: Callable[..., float]
    params: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    more_left: tuple[int, ...]

    def start(self, y: np.ndarray) -> list[float]:
        first = max(float(y.max()), 1e-3)
        return {"exponential": [first, 1e-3], "hyperbolic": [first, 0.5, 1e-3],
                "power": [first, -0.5]}[self.name]

    def expected(self, params: np.ndarray, start: float, end: float) -> float:
        """Expected relevant records between ranks ``start`` and ``end``."""
        return float(self.integral(end, *params) - self.integral(start, *params))


RATES: dict[str, RateFunction] = {
    "hyperbolic": RateFunction("hyperbolic", _hyp_rate, _hyp_integral, ("a", "b", "k"),
                               (0.0, 1e-3, 1e-9), (np.inf, 1.0, np.inf), (1, 1, -1)),
    "exponential": RateFunction("exponential", _exp_rate, _exp_integral, ("a", "k"),
                                (0.0, 1e-9), (np.inf, np.inf), (1, -1)),
    "power": RateFunction("power", _power_rate, _power_integral, ("a", "k"),
                          (0.0, -np.inf), (np.inf, np.inf), (1, 1)),
}
PROCESSES = ("poisson", "cox", "bootstrap")


@dataclass(frozen=True)
class RateFit:
    """A rate function fitted to the first ``screened`` records of a ranking."""

    rate: str
    params: np.ndarray
    stderr: np.ndarray
    error: float  # normalised fit error: sum of squared residuals / range of window rates
    x: np.ndarray
    y: np.ndarray


def window_points(labels: np.ndarray, n_windows: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut the screened prefix into ``n_windows`` equal windows: x = midpoint rank
    (1-based), y = share of the window's records that are relevant."""
    parts = np.array_split(np.arange(labels.size), n_windows)
    x = np.array([(p[0] + 1 + p[-1] + 1) / 2 for p in parts], dtype=float)
    y = np.array([labels[p].mean() for p in parts], dtype=float)
    return x, y


def fit_rate(labels: np.ndarray, rate: str = "hyperbolic", n_windows: int = 10
             ) -> RateFit | None:
    """Least-squares fit of a rate function to the window rates (None if it fails)."""
    fn = RATES[rate]
    x, y = window_points(labels, n_windows)
    spread = float(y.max() - y.min())
    if spread <= 0:  # a flat rate has no decline to extrapolate
        return None
    start = np.clip(fn.start(y), np.nextafter(np.array(fn.lower), np.inf),
                    np.nextafter(np.array(fn.upper), -np.inf))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (OptimizeWarning, RuntimeWarning))
            params, cov = curve_fit(fn.rate, x, y, p0=start, bounds=(fn.lower, fn.upper),
                                    maxfev=5000)
            residuals = y - fn.rate(x, *params)
    except (RuntimeError, ValueError, FloatingPointError):
        return None
    if not np.all(np.isfinite(params)) or not np.all(np.isfinite(residuals)):
        return None
    stderr = np.sqrt(np.clip(np.diag(cov), 0, None)) if np.all(np.isfinite(cov)) else \
        np.full(params.size, np.nan)
    return RateFit(rate, params, stderr, float(np.sum(residuals ** 2) / spread), x, y)


def expected_left(fit: RateFit, screened: int, pool_size: int) -> float:
    """Expected relevant records among the unscreened ranks ``screened+1 .. pool_size``."""
    mu = RATES[fit.rate].expected(fit.params, screened, pool_size)
    return max(0.0, mu) if math.isfinite(mu) else math.inf


def upper_left(mu: float, confidence: float, unscreened: int) -> int:
    """Poisson upper bound at ``confidence`` on relevant records left (at most all)."""
    if not math.isfinite(mu):
        return unscreened
    return int(min(unscreened, poisson.ppf(confidence, mu)))


def cox_upper_left(fit: RateFit, screened: int, pool_size: int, confidence: float,
                   points: int = 100) -> float | None:
    """The Cox-process bound: the Poisson bound averaged over parameter values moved
    ``s`` standard errors towards more relevant records left, ``s`` ~ N(0, 1) on
    +-2.33 sd (None when the fit gives no standard errors)."""
    fn = RATES[fit.rate]
    if not np.all(np.isfinite(fit.stderr)):
        return None
    unscreened = pool_size - screened
    s = np.linspace(norm.ppf(0.01), norm.ppf(0.99), points)
    lower = np.nextafter(np.array(fn.lower), np.inf)
    upper = np.nextafter(np.array(fn.upper), -np.inf)
    mus = np.empty(points)
    for i, si in enumerate(s):
        params = np.clip(fit.params + si * np.array(fn.more_left) * fit.stderr, lower, upper)
        mus[i] = fn.expected(params, screened, pool_size)
    mus = np.where(np.isfinite(mus), np.maximum(mus, 0.0), np.inf)
    finite = np.isfinite(mus)
    bounds = np.full(points, float(unscreened))
    bounds[finite] = np.minimum(unscreened, poisson.ppf(confidence, mus[finite]))
    weights = norm.pdf(s)
    mixed = float(np.trapezoid(weights * bounds, s) / np.trapezoid(weights, s))
    # Never below the Poisson bound of the fit itself: near a parameter's limit (a flat rate,
    # b -> 1) the moves towards more records left are clipped and those towards fewer are
    # not, which pulled the average under the fitted expectation ("expect 1689 left, at
    # most 1293").
    return max(mixed, float(upper_left(expected_left(fit, screened, pool_size), confidence,
                                       unscreened)))


def bootstrap_upper_left(fit: RateFit, labels: np.ndarray, pool_size: int,
                         confidence: float, draws: int = 40, seed: int = 0) -> float:
    """Upper bound on relevant records left that includes the uncertainty of the fit:
    window counts are redrawn from the fitted rate (binomial per window, fixed seed), the
    rate refitted to each redraw, and the bound is the ``confidence`` quantile of the
    mixed Poisson over the refitted ``mu`` (a failed refit counts as everything left)."""
    fn = RATES[fit.rate]
    screened, unscreened = labels.size, pool_size - labels.size
    parts = np.array_split(np.arange(screened), fit.x.size)
    sizes = np.array([p.size for p in parts])
    p_hat = np.clip(fn.rate(fit.x, *fit.params), 0.0, 1.0)
    rng = np.random.default_rng(seed)
    lower = np.nextafter(np.array(fn.lower), np.inf)
    upper = np.nextafter(np.array(fn.upper), -np.inf)
    mus = np.full(draws, float(unscreened))
    for i in range(draws):
        y = rng.binomial(sizes, p_hat) / sizes
        if y.max() <= y.min():
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", (OptimizeWarning, RuntimeWarning))
                params, _ = curve_fit(fn.rate, fit.x, y, p0=np.clip(fit.params, lower, upper),
                                      bounds=(fn.lower, fn.upper), maxfev=2000)
        except (RuntimeError, ValueError, FloatingPointError):
            continue
        mu = fn.expected(params, screened, pool_size)
        if math.isfinite(mu):
            mus[i] = min(max(mu, 0.0), unscreened)
    lo, hi = 0, unscreened
    while lo < hi:  # smallest m with mean P(X <= m) >= confidence
        mid = (lo + hi) // 2
        if poisson.cdf(mid, mus).mean() >= confidence:
            hi = mid
        else:
            lo = mid + 1
    return float(lo)


def _check_share_or_count(key: str, value: int | float) -> None:
    ok = (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1) \
        or (isinstance(value, float) and 0 < value < 1)
    if not ok:
        raise ConfigError(f"{key} must be a share of the pool between 0 and 1 or a number "
                          f"of records (1, 2, ...), not {value!r}",
                          hint=f"e.g. {key}=0.025 (every 2.5 % of the pool) or {key}=50")


class CountingProcess(StoppingRule):
    """Counting-process stopping rule (inhomogeneous Poisson or Cox process over rank).

    Stop when ``found / (found + U) >= recall_target``, where ``U`` is the upper bound at
    ``confidence`` on the relevant records left according to the rate function fitted to
    the ranking so far. See the module docstring and ``docs/stopping.md``."""

    name = "counting"

    def __init__(self, recall_target: float = 0.95, confidence: float = 0.95,
                 rate: str = "hyperbolic", process: str = "cox",
                 check_every: int | float = 0.025, n_windows: int = 10,
                 min_relevant: int = 20, min_relevant_decay: bool = True,
                 max_fit_error: float = 0.1) -> None:
        self.recall_target = recall_target
        self.confidence = confidence
        self.rate = rate
        self.process = process
        self.check_every = check_every
        self.n_windows = n_windows
        self.min_relevant = min_relevant
        self.min_relevant_decay = min_relevant_decay
        self.max_fit_error = max_fit_error

    def _check_params(self) -> None:
        check_probabilities(self, "recall_target", "confidence")
        if self.rate not in RATES:
            raise ConfigError(f"unknown rate function {self.rate!r}",
                              hint=f"valid rate functions: {', '.join(RATES)}")
        if self.process not in PROCESSES:
            raise ConfigError(f"unknown process {self.process!r}",
                              hint=f"valid processes: {', '.join(PROCESSES)}")
        _check_share_or_count("check_every", self.check_every)
        n_params = len(RATES[self.rate].params)
        if isinstance(self.n_windows, bool) or not isinstance(self.n_windows, (int, np.integer)) \
                or self.n_windows <= n_params:
            raise ConfigError(f"n_windows must be a whole number above {n_params} (the "
                              f"{self.rate} rate has {n_params} parameters), not "
                              f"{self.n_windows!r}", hint="e.g. n_windows=10")
        self._check_min_relevant()
        if isinstance(self.max_fit_error, bool) or not isinstance(
                self.max_fit_error, (int, float)) or not self.max_fit_error > 0:
            raise ConfigError(f"max_fit_error must be a positive number, not "
                              f"{self.max_fit_error!r}", hint="e.g. max_fit_error=0.1")

    def _check_min_relevant(self) -> None:
        """``min_relevant`` and ``min_relevant_decay`` (shared with ``counting-bayes``)."""
        check_count(self, "min_relevant", 20)
        if not isinstance(self.min_relevant_decay, (bool, np.bool_)):
            raise ConfigError(f"min_relevant_decay must be true or false, not "
                              f"{self.min_relevant_decay!r}", hint="e.g. min_relevant_decay=false")

    # -- where the rule is checked ------------------------------------------------------
    def checkpoints(self, pool_size: int) -> np.ndarray:
        """Numbers of records screened at which the rule is checked (increasing)."""
        if isinstance(self.check_every, float):
            steps = np.arange(1, math.ceil(1 / self.check_every) + 1)
            points = np.round(pool_size * np.minimum(steps * self.check_every, 1.0))
        else:
            points = np.arange(int(self.check_every), pool_size + 1, int(self.check_every))
        points = np.unique(points.astype(np.int64))
        return points[(points >= max(self.n_windows, 1)) & (points <= pool_size)]

    def required_relevant(self, check_index: int, pool_size: int) -> int:
        """Relevant records needed before fitting at the ``check_index``-th check
        (1-based), with the authors' dynamic decay when ``min_relevant_decay``."""
        need = int(self.min_relevant)
        if not self.min_relevant_decay:
            return need
        for j in range(1, check_index):
            share = (j * self.check_every if isinstance(self.check_every, float)
                     else j * int(self.check_every) / pool_size)
            need = max(0, int(need - share * need))
        return need

    # -- the test at one checkpoint -----------------------------------------------------
    def _assessment(self, labels: np.ndarray, pool_size: int, check_index: int) -> dict:
        """The start of ``assess``'s answer: counts, settings and empty estimates; with
        ``why`` set when too few relevant records were found to fit anything yet."""
        screened, found = int(labels.size), int(labels.sum())
        need = (self.required_relevant(check_index, pool_size) if check_index
                else int(self.min_relevant))
        out: dict = {"screened": screened, "found": found, "unscreened": pool_size - screened,
                     "min_relevant": need, "rate": self.rate, "process": self.process,
                     "recall_target": float(self.recall_target),
                     "confidence": float(self.confidence), "expected_left": None,
                     "upper_left": None, "recall_low": None, "recall_estimate": None,
                     "fit_error": None, "stop": False}
        if found < max(need, 1):
            out["why"] = f"{found} relevant found, the fit needs {max(need, 1)}"
        return out

    def _verdict(self, out: dict, mu: float, bound: float) -> dict:
        """``out`` completed from the expected and upper-bound relevant records left."""
        found = out["found"]
        out["expected_left"], out["upper_left"] = mu, bound
        out["recall_low"] = found / (found + bound) if found + bound > 0 else 1.0
        out["recall_estimate"] = found / (found + mu) if found + mu > 0 else 1.0
        out["stop"] = bool(float(self.recall_target) * (found + bound) <= found + 1e-9)
        return out

    def assess(self, labels: np.ndarray, pool_size: int, check_index: int = 0) -> dict:
        """The fit, the bound and the verdict for the screened prefix ``labels``."""
        out = self._assessment(labels, pool_size, check_index)
        if "why" in out:
            return out
        screened, found, unscreened = out["screened"], out["found"], out["unscreened"]
        fit = fit_rate(labels, self.rate, int(self.n_windows))
        if fit is None:
            out["why"] = f"the {self.rate} rate could not be fitted to the ranking so far"
            return out
        out["fit_error"] = fit.error
        out.update({f"param_{k}": float(v) for k, v in zip(RATES[self.rate].params,
                                                             fit.params)})
        if fit.error >= float(self.max_fit_error):
            out["why"] = (f"the {self.rate} rate fits poorly (error {fit.error:.3f} >= "
                          f"{float(self.max_fit_error):g})")
            return out
        mu = expected_left(fit, screened, pool_size)
        if self.process == "cox":
            bound = cox_upper_left(fit, screened, pool_size, float(self.confidence))
            if bound is None:
                out["why"] = "the fit gave no standard errors for the Cox process"
                return out
        else:
            bound = float(upper_left(mu, float(self.confidence), unscreened))
            if self.process == "bootstrap" and \
                    float(self.recall_target) * (found + bound) <= found + 1e-9:
                bound = max(bound, bootstrap_upper_left(fit, labels, pool_size,
                                                        float(self.confidence)))
        return self._verdict(out, mu, bound)

    def lower_left(self, labels: np.ndarray, pool_size: int, q: float, assessed: dict) -> int:
        """The ``q`` quantile of the relevant records left (for an interval's low end):
        the Poisson quantile of the expectation in ``assessed`` (this rule's ``assess``)."""
        return upper_left(assessed["expected_left"], q, pool_size - labels.size)

    def _decide(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> StopDecision:
        drawn = np.flatnonzero(sampled)
        if drawn.size:  # the rate is a property of the ranking: random draws are not used
            decision = self._decide(labels[: drawn[0]], sampled[: drawn[0]], pool_size)
            note = (f" [fitted to the {drawn[0]} records screened in ranked order; the "
                    f"{labels.size - drawn[0]} screened since then are not used]")
            return StopDecision(self.name, decision.stop, decision.reason + note,
                                numbers={**decision.numbers, "ranked_only": int(drawn[0])})
        points = self.checkpoints(pool_size)
        done = int(np.searchsorted(points, labels.size, side="right"))
        target, conf = f"{float(self.recall_target):.0%}", f"{float(self.confidence):.0%}"
        next_at = int(points[done]) if done < points.size else pool_size
        if done == 0:
            return StopDecision(self.name, False, f"first check after {next_at} records "
                                f"({labels.size} screened)",
                                numbers={"screened": int(labels.size), "next_check": next_at})
        at = int(points[done - 1])
        prefix = labels[:at]
        key = (pool_size, at, prefix.tobytes())
        memo = getattr(self, "_memo", None)
        if memo is None or memo[0] != key:
            memo = (key, self.assess(prefix, pool_size, done))
            self._memo = memo
        res = dict(memo[1])
        res["checked_at"], res["next_check"] = at, next_at
        if "why" in res:
            return StopDecision(self.name, False, f"at the check after {at} records: "
                                f"{res.pop('why')}; next check after {next_at}", numbers=res)
        text = self._bound_text(res, at, conf)
        if res["stop"]:
            return StopDecision(self.name, True, f"{text} (target {target})", numbers=res)
        return StopDecision(self.name, False, f"{text}, below the {target} target; next "
                            f"check after {next_at} records", numbers=res)


    def _bound_text(self, res: dict, at: int, conf: str) -> str:
        """The verdict's reasoning at the check after ``at`` records (``res``: ``assess``)."""
        return (f"{self.rate} rate fitted to {at} ranked records ({res['found']} relevant): "
                f"expect {res['expected_left']:.1f} relevant in the {res['unscreened']} "
                f"ranked after them, at most {res['upper_left']:.0f} with {conf} confidence "
                f"({self.process}), so recall >= {res['recall_low']:.1%}")

    def upper_at(self, labels: np.ndarray, pool_size: int, q: float,
                 check_index: int) -> float | None:
        """This rule's upper bound on the relevant records left at level ``q`` (for an
        interval's high end; None when it cannot be computed)."""
        return type(self)(**{**self.get_params(), "confidence": q}).assess(
            labels, pool_size, check_index)["upper_left"]


def counting_estimate(labels: np.ndarray, pool_size: int, confidence: float = 0.95,
                      rule: CountingProcess | None = None):
    """Model-based estimate of the relevant records in all and the recall reached, from
    the rate function fitted to the whole ranking so far: point ``found + mu``; interval
    from the Poisson quantile at ``(1 - confidence) / 2`` to the rule's own upper bound
    (Cox or Poisson) at ``1 - (1 - confidence) / 2`` (None when the rule cannot fit yet).
    Valid only as far as the fitted rate describes the rest."""
    from nlp_review.stopping.estimate import RelevantEstimate

    rule = rule or CountingProcess()
    y = np.asarray(labels, dtype=np.int64)
    if y.size == 0 or y.size >= pool_size:
        return None
    check_index = int(np.searchsorted(rule.checkpoints(pool_size), y.size, side="right"))
    res = rule.assess(y, pool_size, max(check_index, 1))
    if res["expected_left"] is None:
        return None
    found, mu, left = res["found"], res["expected_left"], pool_size - y.size
    alpha = 1 - confidence
    lo = found + rule.lower_left(y, pool_size, alpha / 2, res)
    # the upper end uses the rule's own bound (with the Cox process or the Bayesian rule,
    # the fitted rate's uncertainty included), so the interval agrees with the verdict
    upper = rule.upper_at(y, pool_size, 1 - alpha / 2, max(check_index, 1))
    hi = found + math.ceil(upper if upper is not None else upper_left(mu, 1 - alpha / 2, left))
    total = found + mu
    return RelevantEstimate(
        "counting-process", confidence, found, total, int(lo), int(hi),
        found / total if total else None, found / hi if hi else None,
        found / lo if lo else None,
        note=f"{rule.rate} rate of relevant records fitted to the {y.size} records screened "
        f"in ranked order ({rule.process} process); assumes the rate keeps falling as fitted")
