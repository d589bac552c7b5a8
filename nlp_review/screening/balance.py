"""Class balancing for screening data (typically 1-5 % relevant): each balancer turns the
labels of the training rows into sample weights. Picked by name from the registry."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator


class Balanced(BaseEstimator):
    """Relevant rows weigh 1, irrelevant rows ``n_relevant / (ratio * n_irrelevant)``, so
    the relevant class carries ``ratio`` times the total weight of the irrelevant class
    (ASReview LAB's ``balanced`` balancer; ELAS u4 uses ratio 9.8).

    ``grid`` > 0 rounds the irrelevant weight to a geometric grid of that relative step
    (0.02: weights move in 2 % steps), so it changes only every few decisions and a
    warm-started classifier need not re-balance every support vector after each one.

    ``normalize=True`` then scales all weights so they sum to the number of training rows,
    as ASReview LAB's ``balanced`` does (``weights * len(y) / sum(weights)``). With few
    relevant rows among many this multiplies every weight, so a classifier's ``C`` acts
    much larger (about ``n / n_relevant`` times): ELAS u4's C=0.11 is tuned for that.

    ``dry_ratio`` > 0 switches to that ratio during a dry spell: while the last
    ``dry_after`` or more labels (``y`` in the order the records were screened) are all
    irrelevant. A high ``ratio`` makes the model exploit what the relevant records found so
    far have in common; a lower one during a dry spell gives the irrelevant records just
    screened more say, pushing the ranking away from a region that has run dry."""

    def __init__(self, ratio: float = 9.8, grid: float = 0.0, normalize: bool = False,
                 dry_ratio: float = 0.0, dry_after: int = 50) -> None:
        self.ratio = ratio
        self.grid = grid
        self.normalize = normalize
        self.dry_ratio = dry_ratio
        self.dry_after = dry_after

    def ratio_for(self, y: np.ndarray) -> float:
        """The ratio in use for labels ``y`` (in screening order)."""
        if self.dry_ratio > 0 and len(y) >= self.dry_after:
            if not np.asarray(y)[len(y) - self.dry_after:].any():
                return self.dry_ratio
        return self.ratio

    def sample_weight(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        n1, n0 = int((y == 1).sum()), int((y == 0).sum())
        if n1 == 0 or n0 == 0:
            return np.ones(len(y))
        w0 = n1 / (self.ratio_for(y) * n0)
        if self.grid > 0:
            step = np.log1p(self.grid)
            w0 = float(np.exp(np.round(np.log(w0) / step) * step))
        weight = np.where(y == 1, 1.0, w0)
        if self.normalize:
            weight = weight * (len(y) / weight.sum())
            if self.grid > 0:
                weight = _on_grid(weight, self.grid)
        return weight


def _on_grid(weight: np.ndarray, grid: float) -> np.ndarray:
    """Round each weight to a geometric grid of relative step ``grid``."""
    step = np.log1p(grid)
    return np.exp(np.round(np.log(weight) / step) * step)


class NoBalance(BaseEstimator):
    """Every row weighs 1."""

    def sample_weight(self, y: np.ndarray) -> np.ndarray:
        return np.ones(len(y))


class ClassBalanced(BaseEstimator):
    """scikit-learn's ``class_weight="balanced"`` (each class carries half the weight),
    scaled so the relevant rows weigh 1."""

    def sample_weight(self, y: np.ndarray) -> np.ndarray:
        return Balanced(ratio=1.0).sample_weight(y)
