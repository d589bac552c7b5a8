"""The stopping rules: consecutive-irrelevant heuristic, the knee method, and the
statistical (hypergeometric) stopping criterion. See ``docs/stopping.md`` for what each one
promises and how to cite it."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import hypergeom

from nlp_review.errors import ConfigError
from nlp_review.stopping.base import (StopDecision, StoppingRule, check_probabilities,
                                      sampled_suffix_start, trailing_irrelevant)


def _run_length(threshold: int | float, pool_size: int, minimum: int = 1) -> int:
    """A run length given as a number of records (int >= 1) or a share of the pool (0-1)."""
    if isinstance(threshold, float) and 0 < threshold < 1:
        return max(minimum, math.ceil(threshold * pool_size))
    return max(minimum, int(threshold))


def _check_threshold(kind: str, value: int | float) -> None:
    ok = (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1) or (
        isinstance(value, float) and (0 < value < 1 or (value >= 1 and value.is_integer())))
    if not ok:
        raise ConfigError(f"{kind} must be a number of records (1, 2, ...) or a share of the "
                          f"pool between 0 and 1, not {value!r}",
                          hint="e.g. threshold=100 or threshold=0.05")


class ConsecutiveIrrelevant(StoppingRule):
    """Stop after ``threshold`` excluded records in a row.

    ``threshold`` is a number of records (ASReview users commonly pick 50-500; the SAFE
    procedure uses 50) or, if between 0 and 1, a share of the pool (e.g. 0.05 = 5 % of the
    records). A heuristic: it makes no statement about recall."""

    name = "consecutive"

    def __init__(self, threshold: int | float = 100) -> None:
        self.threshold = threshold

    def _check_params(self) -> None:
        _check_threshold("threshold", self.threshold)

    def _decide(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> StopDecision:
        need = _run_length(self.threshold, pool_size)
        run = trailing_irrelevant(labels)
        numbers = {"since_last_include": run, "threshold": need}
        if run >= need:
            return StopDecision(self.name, True, f"{run} records excluded in a row "
                                f"(threshold {need})", numbers=numbers)
        return StopDecision(self.name, False, f"{run} records excluded in a row; stop at {need}",
                            numbers=numbers)


def knee_slope_ratio(labels: np.ndarray) -> tuple[float | None, int | None]:
    """The gain curve's knee and the slope ratio there (Cormack & Grossman 2016).

    The knee is the point of the gain curve (relevant found against records screened)
    farthest above the straight line from the origin to the current point; the slope ratio
    is the slope before the knee over the slope after it, with one relevant record added
    after the knee: ``(rel(i)/i) / ((rel(s) - rel(i) + 1) / (s - i))``.
    Returns (ratio, knee position) or (None, None) when there is no knee yet."""
    s = labels.size
    found = np.cumsum(labels)
    rel = int(found[-1]) if s else 0
    if s < 2 or rel == 0:
        return None, None
    i = np.arange(1, s)  # candidate knees strictly before the current point
    gain = found[:-1]
    distance = gain / rel - i / s
    k = int(np.argmax(distance))
    knee, rel_knee = int(i[k]), int(gain[k])
    if rel_knee == 0:
        return None, None
    ratio = (rel_knee / knee) / ((rel - rel_knee + 1) / (s - knee))
    return float(ratio), knee


class KneeMethod(StoppingRule):
    """Cormack & Grossman (2016) knee method.

    Stop once at least ``min_screened`` records are screened and the gain curve's slope
    ratio at its knee reaches ``ratio``; with ``adjust`` (their default) the required ratio
    is raised when few relevant records have been found: ``ratio + 150 - min(rel, 150)``,
    i.e. ``156 - min(rel, 150)`` for ratio 6. A heuristic with good empirical reliability,
    but no stated confidence."""

    name = "knee"

    def __init__(self, ratio: float = 6.0, min_screened: int = 150, adjust: bool = True) -> None:
        self.ratio = ratio
        self.min_screened = min_screened
        self.adjust = adjust

    def _check_params(self) -> None:
        if not float(self.ratio) > 0:
            raise ConfigError(f"ratio must be positive, not {self.ratio!r}", hint="e.g. ratio=6")
        if int(self.min_screened) < 0:
            raise ConfigError(f"min_screened must be >= 0, not {self.min_screened!r}")

    def required_ratio(self, relevant: int) -> float:
        return float(self.ratio) + (150 - min(relevant, 150) if self.adjust else 0)

    def _decide(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> StopDecision:
        ratio, knee = knee_slope_ratio(labels)
        rel = int(labels.sum())
        need = self.required_ratio(rel)
        numbers = {"slope_ratio": ratio, "required_ratio": need, "knee_at": knee,
                   "screened": int(labels.size), "min_screened": int(self.min_screened)}
        if ratio is None:
            return StopDecision(self.name, False, "no knee in the gain curve yet",
                                numbers=numbers)
        text = f"slope ratio {ratio:.1f} at the knee (record {knee}), need {need:g}"
        if labels.size < int(self.min_screened):
            return StopDecision(self.name, False, f"{text}; but only {labels.size} of the "
                                f"minimum {self.min_screened} records screened", numbers=numbers)
        return StopDecision(self.name, ratio >= need, text, numbers=numbers)


def h0_pvalues(labels: np.ndarray, pool_size: int, recall_target: float,
               starts: np.ndarray) -> np.ndarray:
    """p-values of H0 "recall < recall_target", treating the records screened from each
    position in ``starts`` to now as a sample drawn without replacement from the records
    unscreened at that position (Callaghan & Müller-Hansen 2020).

    For a window starting at j: population N - j, sample n - j, relevant in the sample k;
    under H0 at least K = floor(r_seen / target) + 1 - r_before relevant records were in
    that population; p = P(X <= k) for X ~ Hypergeometric(N - j, K, n - j)."""
    n = labels.size
    r_seen = int(labels.sum())
    before = np.concatenate([[0], np.cumsum(labels)])[starts]
    k = r_seen - before
    population = pool_size - starts
    sample = n - starts
    # smallest total making recall < target; the epsilon guards r/target landing on an integer
    total_h0 = math.floor(r_seen / recall_target + 1e-9) + 1
    k_h0 = total_h0 - before
    p = np.zeros(starts.size, dtype=float)
    possible = k_h0 <= population - (sample - k)  # room for that many relevant records
    if possible.any():
        p[possible] = hypergeom.cdf(k[possible], population[possible], k_h0[possible],
                                    sample[possible])
    return p


def window_starts(labels: np.ndarray) -> np.ndarray:
    """The windows worth testing when every screened record may start one: the first
    record and each record right after an include. Among windows holding the same number of
    includes the longest has the smallest p-value (more excluded records seen, same unseen
    pool), so the minimum over all windows is reached at one of these."""
    after_hits = np.flatnonzero(labels == 1) + 1
    return np.unique(np.concatenate([[0], after_hits[after_hits < labels.size]]))



def _below(p: float, alpha: float) -> str:
    """``p`` (< ``alpha``) with 4 significant digits, or as many more as it takes to show it
    below ``alpha`` (0.049996 is not "0.0500 < 0.05")."""
    for digits in range(4, 12):
        text = f"{p:.{digits}g}"
        if float(text) < alpha:
            return text
    return repr(p)


class StatisticalStop(StoppingRule):
    """Callaghan & Müller-Hansen (2020) statistical stopping criterion ("buscar", bias 1).

    Screen in ranked order until the ranking flattens (``switch_after`` excluded records
    in a row: a number, or a share of the pool, at least ``min_switch``); then ask for
    records drawn at random from the unscreened pool and, after each one, test H0 "recall
    is below ``recall_target``" with the hypergeometric distribution. Stop when H0 is
    rejected at ``1 - confidence``: "we reject, at the 5 % level, that recall is below
    95 %".

    With ``ranked_as_sample`` the records screened in ranked order are also treated as if
    drawn at random (every window ending now is tested and the smallest p taken, as in the
    buscar package); this is conservative only if the ranking puts relevant records first
    at least as often as chance would, an assumption the pure random-sample test does not
    need."""

    name = "buscar"
    uses_random_sample = True

    def __init__(self, recall_target: float = 0.95, confidence: float = 0.95,
                 switch_after: int | float = 0.05, min_switch: int = 50,
                 ranked_as_sample: bool = False) -> None:
        self.recall_target = recall_target
        self.confidence = confidence
        self.switch_after = switch_after
        self.min_switch = min_switch
        self.ranked_as_sample = ranked_as_sample

    def _check_params(self) -> None:
        check_probabilities(self, "recall_target", "confidence")
        _check_threshold("switch_after", self.switch_after)

    def p_value(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> float | None:
        """The test's p-value now, or None when there is nothing to test yet."""
        if labels.size == 0:
            return None
        j0 = sampled_suffix_start(sampled)
        if self.ranked_as_sample:
            starts = window_starts(labels)
        elif j0 is not None:
            starts = np.array([j0])
        else:
            return None
        if starts.size == 0:
            return None
        return float(h0_pvalues(labels, pool_size, float(self.recall_target), starts).min())

    def _decide(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> StopDecision:
        alpha = 1 - float(self.confidence)
        target = f"{float(self.recall_target):.0%}"
        j0 = sampled_suffix_start(sampled)
        p = self.p_value(labels, sampled, pool_size)
        sample = 0 if j0 is None else labels.size - j0
        numbers = {"p_value": p, "alpha": alpha, "recall_target": float(self.recall_target),
                   "random_sample": sample,
                   "random_sample_relevant": 0 if j0 is None else int(labels[j0:].sum()),
                   "unscreened": pool_size - labels.size}
        if p is not None and p < alpha:
            return StopDecision(
                self.name, True, f"H0 'recall < {target}' rejected: p = {_below(p, alpha)} "
                f"< {alpha:g} "
                f"({sample} records drawn at random)", numbers=numbers)
        if j0 is not None:
            return StopDecision(
                self.name, False, f"random sample of {sample} records: p = {p:.3g}, needs "
                f"< {alpha:.3g}; keep screening records drawn at random",
                wants_random_sample=True, numbers=numbers)
        need = _run_length(self.switch_after, pool_size, int(self.min_switch))
        run = trailing_irrelevant(labels)
        numbers["since_last_include"] = run
        numbers["switch_after"] = need
        shown = "" if p is None else f"; p = {p:.3g} treating ranked records as a sample"
        if run >= need:
            return StopDecision(
                self.name, False, f"the ranking has flattened ({run} excluded in a row): "
                f"screen records drawn at random so recall can be tested{shown}",
                wants_random_sample=True, numbers=numbers)
        return StopDecision(self.name, False, f"ranking still finding records ({run} excluded "
                            f"in a row; random sampling starts after {need} excluded in a row){shown}",
                            numbers=numbers)
