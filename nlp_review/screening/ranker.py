"""The active-learning model for one set of works: texts are vectorised once, then the
classifier is retrained on the labelled rows after each decision and scores every row.

Before both classes have been labelled there is nothing to train a classifier on; the
ranker then scores rows by cosine similarity to the review's criteria text and to the
records already included (a cold start that is not random)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from nlp_review.screening.presets import Preset, get_preset

#: Above this many kernel-row bytes the incremental SVM gives way to a full refit.
KERNEL_MEMORY_LIMIT = 1_500_000_000


class Ranker(BaseEstimator):
    """Ranking model from a preset (name or ``Preset``; None: the default preset).

    ``attach(texts)`` vectorises once; ``fit(rows, labels)`` retrains on labelled rows
    (row numbers into ``texts``); ``scores_`` then holds one score per row (higher = more
    likely relevant) and ``query(pool, rng)`` picks the next row with the preset's querier.
    """

    def __init__(self, preset: str | Preset | None = None, criteria: str | None = None) -> None:
        self.preset = preset
        self.criteria = criteria

    def _preset(self) -> Preset:
        return self.preset if isinstance(self.preset, Preset) else get_preset(self.preset)

    def attach(self, texts: Sequence[str]) -> "Ranker":
        preset = self._preset()
        self.preset_ = preset
        self.features_ = preset.make("feature_extractor")
        self.X_ = self.features_.fit_transform(list(texts))
        self.classifier_ = preset.make("classifier")
        self.balancer_ = preset.make("balancer")
        self.querier_ = preset.make("querier")
        self.incremental_ = hasattr(self.classifier_, "fit_rows")
        if self.incremental_:
            self.classifier_.attach(self.X_)
        self.criteria_vector_ = None
        if self.criteria and self.criteria.strip():
            vec = self.features_.transform([self.criteria])
            if vec.nnz:
                self.criteria_vector_ = normalize(vec)
        self.scores_ = self._cold_scores(np.zeros(0, dtype=np.int64), np.zeros(0))
        self.mode_ = "cold"
        return self

    @property
    def n_rows(self) -> int:
        check_is_fitted(self, "X_")
        return self.X_.shape[0]

    def fit(self, rows: Sequence[int], labels: Sequence[int]) -> "Ranker":
        """Retrain on the labelled ``rows`` (in the order they were labelled)."""
        check_is_fitted(self, "X_")
        rows = np.asarray(rows, dtype=np.int64)
        y = np.asarray(labels, dtype=np.int64)
        if len(rows) == 0 or y.min() == y.max():
            self.scores_ = self._cold_scores(rows, y)
            self.mode_ = "cold"
            return self
        weight = self.balancer_.sample_weight(y)
        too_big = (hasattr(self.classifier_, "refit_model")  # keeps kernel rows
                   and self.X_.shape[0] * len(rows) * 8 > KERNEL_MEMORY_LIMIT)
        if self.incremental_ and not too_big:
            self.classifier_.fit_rows(rows, y, weight)
            self.scores_ = self.classifier_.scores_
        else:
            model = self.classifier_
            if self.incremental_:  # memory guard: the same model by a full refit
                model = self.classifier_.refit_model()
            model.fit(self.X_[rows], y, sample_weight=weight)
            self.scores_ = np.asarray(model.decision_function(self.X_), dtype=float)
        self.mode_ = "model"
        return self

    def _cold_scores(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Similarity to the criteria text and to the included rows (0 when neither)."""
        query = None
        if self.criteria_vector_ is not None:
            query = self.criteria_vector_
        if len(rows) and (y == 1).any():
            included = sp.csr_matrix(self.X_[rows[y == 1]].mean(axis=0))
            query = included if query is None else query + included
        if query is None:
            # No signal at all: keep the import order (first rows first).
            return -np.arange(self.X_.shape[0], dtype=float) / max(self.X_.shape[0], 1)
        return np.asarray(self.X_ @ normalize(sp.csr_matrix(query)).T.toarray()).ravel()

    def query(self, pool: np.ndarray, rng: np.random.RandomState) -> int:
        """The next row to screen from ``pool`` (unlabelled row numbers)."""
        check_is_fitted(self, "scores_")
        if self.mode_ == "cold":
            return int(pool[np.argmax(self.scores_[pool])])
        return self.querier_.query(self.scores_, pool, rng)

    def ranking(self, pool: np.ndarray) -> np.ndarray:
        """``pool`` sorted best first (ties by row order)."""
        return pool[np.argsort(-self.scores_[pool], kind="stable")]
