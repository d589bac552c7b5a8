"""A ranking ensemble: several classifiers from the registry, each fitted on the same
labelled rows, their scores combined into one (higher = more likely relevant).

Members are given as data, e.g. ``[{"name": "svm", "params": {"C": 0.11}}, {"name": "nb"}]``.
``combine="rank"`` averages each member's rank of every row (scale-free: an SVM margin and
a naive Bayes log-odds cannot be added as they are); ``"zscore"`` averages the scores after
standardising each member's scores over all rows. ``weights`` weigh the members (default
equal). Members with ``fit_rows`` (the incremental SVM) are warm-started as in ``Ranker``;
the others are refitted on the labelled rows each time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from nlp_review.errors import ConfigError

COMBINE = ("rank", "zscore")


class Ensemble(BaseEstimator, ClassifierMixin):
    """Average of several classifiers' rankings (see the module docstring)."""

    def __init__(self, members: list[dict[str, Any]] | None = None, combine: str = "rank",
                 weights: list[float] | None = None) -> None:
        self.members = members
        self.combine = combine
        self.weights = weights

    # -- building ----------------------------------------------------------------------
    def _specs(self) -> list[tuple[str, dict[str, Any]]]:
        members = self.members or [{"name": "svm"}, {"name": "nb"}]
        specs = []
        for m in members:
            if not isinstance(m, dict) or "name" not in m or set(m) - {"name", "params"}:
                raise ConfigError(f"ensemble member {m!r} must be "
                                  '{"name": ..., "params": {...}}')
            if m["name"] == "ensemble":
                raise ConfigError("an ensemble cannot contain an ensemble")
            specs.append((m["name"], dict(m.get("params") or {})))
        if self.combine not in COMBINE:
            raise ConfigError(f"ensemble combine {self.combine!r} is not one of "
                              f"{', '.join(COMBINE)}")
        if self.weights is not None and len(self.weights) != len(specs):
            raise ConfigError(f"ensemble has {len(specs)} members but {len(self.weights)} "
                              "weights")
        return specs

    def _build(self) -> None:
        from nlp_review.screening import registry  # the registry imports this module

        self.models_ = [registry.make("classifier", n, p) for n, p in self._specs()]
        w = np.ones(len(self.models_)) if self.weights is None else np.asarray(self.weights, float)
        self.weights_ = w / w.sum()
        self.classes_ = np.array([0, 1])

    def validate(self) -> "Ensemble":
        """Check the members now (presets call this when they are loaded)."""
        self._build()
        return self

    def refit_model(self) -> "Ensemble":
        """The same ensemble with members that keep no kernel rows (for projects too big
        for the incremental SVM's memory): each member's own ``refit_model`` if it has
        one (the incremental SVM gives liblinear's SVM), else the member itself."""
        self._build()
        models = [m.refit_model() if hasattr(m, "refit_model") else m for m in self.models_]
        out = Ensemble(members=self.members, combine=self.combine, weights=self.weights)
        out._build()
        out.models_ = models
        out._keep_models = True
        return out

    # -- plain sklearn API -------------------------------------------------------------
    def fit(self, X: sp.spmatrix, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> "Ensemble":
        if not getattr(self, "_keep_models", False):
            self._build()
        for model in self.models_:
            model.fit(X, y, sample_weight=sample_weight)
        return self

    def decision_function(self, X: sp.spmatrix) -> np.ndarray:
        check_is_fitted(self, "models_")
        return self._combine([np.asarray(m.decision_function(X), float) for m in self.models_])

    # -- incremental API (as IncrementalSVM, used by Ranker) ----------------------------
    def attach(self, X: sp.csr_matrix) -> "Ensemble":
        self._build()
        self.X_ = sp.csr_matrix(X)
        for model in self.models_:
            if hasattr(model, "fit_rows"):
                model.attach(self.X_)
        self.scores_ = np.zeros(self.X_.shape[0])
        return self

    def fit_rows(self, idx: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
                 ) -> "Ensemble":
        check_is_fitted(self, "X_")
        idx = np.asarray(idx, dtype=np.int64)
        scores = []
        for model in self.models_:
            if hasattr(model, "fit_rows"):
                model.fit_rows(idx, y, sample_weight)
                scores.append(np.asarray(model.scores_, float))
            elif hasattr(model, "log_odds_of_rows"):  # naive Bayes: no refit needed
                scores.append(model.log_odds_of_rows(self.X_, idx, y, sample_weight))
            else:
                model.fit(self.X_[idx], y, sample_weight=sample_weight)
                scores.append(np.asarray(model.decision_function(self.X_), float))
        self.scores_ = self._combine(scores)
        return self

    def _combine(self, scores: list[np.ndarray]) -> np.ndarray:
        out = np.zeros(len(scores[0]))
        for w, s in zip(self.weights_, scores):
            if self.combine == "rank":
                out += w * rankdata(s) / len(s)
            else:
                sd = s.std()
                out += w * ((s - s.mean()) / sd if sd > 0 else 0.0)
        return out
