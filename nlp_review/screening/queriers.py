"""Query strategies: which unscreened record to show next, given the model's scores.
Scikit-learn style (inert ``__init__``), picked by name from the registry."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator


class MaxQuerier(BaseEstimator):
    """Most likely relevant first (the highest score)."""

    def query(self, scores: np.ndarray, pool: np.ndarray, rng: np.random.RandomState) -> int:
        return int(pool[np.argmax(scores[pool])])


class UncertaintyQuerier(BaseEstimator):
    """The record the model is least sure about (score closest to the decision boundary).
    Good for training a classifier; slow at finding relevant records."""

    def query(self, scores: np.ndarray, pool: np.ndarray, rng: np.random.RandomState) -> int:
        return int(pool[np.argmin(np.abs(scores[pool]))])


class RandomQuerier(BaseEstimator):
    """A uniformly random unscreened record (for random-sample stopping rules)."""

    def query(self, scores: np.ndarray, pool: np.ndarray, rng: np.random.RandomState) -> int:
        return int(pool[rng.randint(len(pool))])


class MixedQuerier(BaseEstimator):
    """Mostly ``max``; with probability ``1 - share_max`` an ``uncertainty`` or ``random``
    pick (``other``) to explore."""

    def __init__(self, share_max: float = 0.95, other: str = "random") -> None:
        self.share_max = share_max
        self.other = other

    def query(self, scores: np.ndarray, pool: np.ndarray, rng: np.random.RandomState) -> int:
        if rng.random_sample() < self.share_max:
            return MaxQuerier().query(scores, pool, rng)
        if self.other == "uncertainty":
            return UncertaintyQuerier().query(scores, pool, rng)
        return RandomQuerier().query(scores, pool, rng)
