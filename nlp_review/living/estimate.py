"""The update's estimates: how many new works pass the inclusion threshold, how many
relevant works the model expects among the new ones, and an interval for that number.

Cross-fitting: the decided works are split into k stratified folds; the model of fold j
(the ranking's classifier and class balancing) is trained on the other folds and scores
its held-out decided works (their out-of-fold scores) and every new work. Each score a
calibrator sees therefore comes from a model that had not seen that work, and the new
works' scores are on the same scale as the out-of-fold ones (the model trained on all
decisions, which orders the queue, can score on another scale).

- **Probabilities**: a calibrator (``platt``: logistic fit of the label on the score;
  ``isotonic``: monotone step fit) learned on the out-of-fold scores maps each fold model's
  score of a new work to a probability; a work's probability is the mean over the folds.
  Works decided in ranked order are not a random sample of the pool, but the choice of
  which work to screen depended on its text, not its label, so P(relevant | score) learned
  on them carries over (a covariate shift); the decided works' share of includes does not.
- **Prior shift** (``prior="em"``): the update's share of relevant works may differ from
  the decided works'; Saerens, Latinne & Decaestecker (2002) re-estimate it by EM on the
  new works' probabilities and adjust them. Off by default (see the benchmark).
- **Interval**: the count of relevant new works is a sum of Bernoulli draws (Poisson-
  binomial) with probabilities that are themselves uncertain; a bootstrap over the decided
  works refits the calibrator (and the prior) and draws one count each time; the interval
  is the central ``level`` share of those counts.
- **Inclusion threshold**: the highest score such that the new works at or above it hold
  ``recall`` (95 %) of the expected relevant new works (a work's score: its mean over the
  fold models). The benchmark compared it with the out-of-fold score 95 % of the decided
  includes reach (still computed, ``includes_threshold``): as good after a complete first
  round, far better after a first round screened in ranked order, whose includes are the
  easy-to-find ones (recall over the update's relevant works at least 84 % vs 45 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from nlp_review.errors import unknown_name

#: share of the expected relevant new works the inclusion threshold keeps
THRESHOLD_RECALL = 0.95
#: the interval's nominal coverage
LEVEL = 0.90
#: bootstrap replicates for the interval
N_BOOTSTRAP = 300
FOLDS = 5
#: how reliable the estimates were on the replay benchmark (benchmarks/update/run.py,
#: benchmarks/RESULTS.md "Living review update"); printed by ``nlp-review update``
BENCHMARK_NOTE = (
    "On replayed updates (default ranking preset) the expected count was off by 15 % on "
    "average after a fully screened first round (at most 1.5x; the 90 % interval held the "
    "truth in 25 of 26 runs) and by 37 % after a first round screened in ranked order and "
    "stopped early (mostly too high, up to 2.9x; interval held it in 21 of 26); the "
    "threshold kept a mean 91-97 % of the relevant new records (as little as 72 % in one "
    "run).")


class PlattCalibrator(BaseEstimator):
    """Logistic regression of the label on the score (Platt 1999)."""

    def fit(self, scores: np.ndarray, y: np.ndarray) -> "PlattCalibrator":
        model = LogisticRegression(C=1e4, solver="newton-cholesky")
        self.model_ = model.fit(np.reshape(scores, (-1, 1)), y)
        return self

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "model_")
        s = np.asarray(scores, dtype=float)
        return self.model_.predict_proba(s.reshape(-1, 1))[:, 1].reshape(s.shape)


class IsotonicCalibrator(BaseEstimator):
    """Monotone step function of the score (Zadrozny & Elkan 2002), clipped outside the
    range seen; probabilities kept off 0 and 1 by half a work (a step with no include is
    not proof that none exists)."""

    def fit(self, scores: np.ndarray, y: np.ndarray) -> "IsotonicCalibrator":
        floor = 0.5 / len(y)
        self.model_ = IsotonicRegression(y_min=floor, y_max=1 - floor, out_of_bounds="clip")
        self.model_.fit(np.ravel(scores), y)
        return self

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "model_")
        s = np.asarray(scores, dtype=float)
        return self.model_.predict(s.ravel()).reshape(s.shape)


CALIBRATORS = {"platt": PlattCalibrator, "isotonic": IsotonicCalibrator}
PRIORS = ("none", "em")
DEFAULT_CALIBRATOR = "isotonic"
DEFAULT_PRIOR = "none"


def make_calibrator(name: str) -> BaseEstimator:
    if name not in CALIBRATORS:
        raise unknown_name("calibrator", name, list(CALIBRATORS))
    return CALIBRATORS[name]()


@dataclass
class CrossFit:
    """Out-of-fold scores of the decided works and every fold model's scores of the new
    works (folds x new works)."""

    oof: np.ndarray
    y: np.ndarray
    new: np.ndarray

    @property
    def new_mean(self) -> np.ndarray:
        return self.new.mean(axis=0)


@dataclass
class UpdateEstimate:
    threshold: float  # the new works at or above it hold ``recall`` of the expected relevant
    above: int  # new works whose (mean fold) score reaches the threshold
    expected: float  # relevant new works the model expects (sum of probabilities)
    low: int  # the interval for the count of relevant new works
    high: int
    level: float
    expected_above: float  # ... of them above the threshold
    probabilities: np.ndarray  # per new work, in the order given
    scores: np.ndarray  # per new work: mean fold-model score (compare with threshold)
    includes_threshold: float  # out-of-fold score ``recall`` of the decided includes reach
    includes_above: int  # new works at or above ``includes_threshold``
    prior_decided: float  # share of includes among the decided works
    prior_new: float  # estimated share of relevant works among the new ones
    n_decided: int
    n_included: int
    calibrator: str
    prior: str

    @property
    def expected_recall(self) -> float | None:
        """Expected share of the relevant new works that are above the threshold."""
        return self.expected_above / self.expected if self.expected > 0 else None


def cross_fit(ranker, rows: np.ndarray, y: np.ndarray, new_rows: np.ndarray,
              folds: int = FOLDS, seed: int = 0) -> CrossFit:
    """Cross-fitted scores (see the module doc); ``ranker`` is an attached ``Ranker``,
    ``rows``/``new_rows`` row numbers into its feature matrix."""
    k = int(min(folds, (y == 1).sum(), (y == 0).sum()))
    oof = np.zeros(len(rows))
    new = np.zeros((k, len(new_rows)))
    split = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(rows, y)
    for j, (train, test) in enumerate(split):
        model = ranker.preset_.make("classifier")
        weight = ranker.balancer_.sample_weight(y[train])
        model.fit(ranker.X_[rows[train]], y[train], sample_weight=weight)
        oof[test] = np.asarray(model.decision_function(ranker.X_[rows[test]]), dtype=float)
        if len(new_rows):
            new[j] = np.asarray(model.decision_function(ranker.X_[new_rows]), dtype=float)
    return CrossFit(oof, y, new)


def inclusion_threshold(oof: np.ndarray, y: np.ndarray, recall: float = THRESHOLD_RECALL
                        ) -> float:
    """The score that ``recall`` of the included works reach out of fold."""
    return float(np.quantile(oof[y == 1], 1 - recall, method="lower"))


def recall_threshold(scores: np.ndarray, p: np.ndarray, recall: float = THRESHOLD_RECALL
                        ) -> tuple[float, int]:
    """The highest score such that the new works at or above it hold ``recall`` of the
    expected relevant new works (their probabilities' sum), and how many works that is."""
    if len(scores) == 0:
        return float("inf"), 0
    order = np.argsort(-scores, kind="stable")
    cum = np.cumsum(p[order])
    k = int(np.searchsorted(cum, recall * cum[-1] - 1e-12)) + 1
    k = min(k, len(order))
    cut = float(scores[order[k - 1]])
    return cut, int((scores >= cut).sum())


def em_prior(p: np.ndarray, prior: float, tol: float = 1e-6, max_iter: int = 1000
             ) -> tuple[float, np.ndarray]:
    """Saerens et al. (2002): the share of relevant works in the set ``p`` was computed
    for (probabilities calibrated under ``prior``), re-estimated by EM; returns it and the
    adjusted probabilities."""
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    prior = min(max(prior, 1e-6), 1 - 1e-6)
    new_prior, q = float(p.mean()), p
    for _ in range(max_iter):
        a = new_prior / prior * p
        b = (1 - new_prior) / (1 - prior) * (1 - p)
        q = a / (a + b)
        nxt = float(q.mean())
        if abs(nxt - new_prior) < tol:
            new_prior = nxt
            break
        new_prior = nxt
    return new_prior, q


def new_work_probabilities(fit: CrossFit, calibrator: str = DEFAULT_CALIBRATOR,
                           prior: str = DEFAULT_PRIOR, idx: np.ndarray | None = None
                           ) -> np.ndarray:
    """Each new work's probability of being relevant (calibrated on the decided works
    ``idx``, all by default)."""
    if prior not in PRIORS:
        raise unknown_name("prior correction", prior, list(PRIORS))
    idx = np.arange(len(fit.y)) if idx is None else idx
    cal = make_calibrator(calibrator).fit(fit.oof[idx], fit.y[idx])
    p = cal.predict_proba(fit.new).mean(axis=0) if fit.new.size else np.zeros(0)
    if prior == "em" and len(p):
        p = em_prior(p, float(fit.y[idx].mean()))[1]
    return p


def estimate(fit: CrossFit, *, calibrator: str = DEFAULT_CALIBRATOR,
             prior: str = DEFAULT_PRIOR, level: float = LEVEL,
             n_bootstrap: int = N_BOOTSTRAP, recall: float = THRESHOLD_RECALL,
             seed: int = 0) -> UpdateEstimate:
    """The threshold, the count above it and the expected relevant new works with an
    interval (see the module doc)."""
    p = new_work_probabilities(fit, calibrator, prior)
    scores = fit.new_mean if fit.new.size else np.zeros(0)
    threshold, n_above = recall_threshold(scores, p, recall)
    above = scores >= threshold
    includes_threshold = inclusion_threshold(fit.oof, fit.y, recall)
    rng = np.random.default_rng(seed)
    counts = []
    n = len(fit.y)
    while len(counts) < n_bootstrap:
        idx = rng.integers(0, n, n)
        if fit.y[idx].min() == fit.y[idx].max():
            continue
        pb = new_work_probabilities(fit, calibrator, prior, idx)
        counts.append(int((rng.random(len(pb)) < pb).sum()))
    tail = (1 - level) / 2
    low, high = np.quantile(counts, [tail, 1 - tail], method="nearest") if counts else (0, 0)
    return UpdateEstimate(
        includes_threshold=includes_threshold,
        includes_above=int((scores >= includes_threshold).sum()),
        threshold=threshold, above=n_above, expected=float(p.sum()),
        low=int(low), high=int(high), level=level,
        expected_above=float(p[above].sum()), probabilities=p, scores=scores,
        prior_decided=float(fit.y.mean()), prior_new=float(p.mean()) if len(p) else 0.0,
        n_decided=n, n_included=int(fit.y.sum()), calibrator=calibrator, prior=prior)
