"""Classifiers for ranking: scikit-learn estimators, picked by name from the registry.

Every classifier is fitted on the labelled rows only and scores all rows with
``decision_function`` (higher = more likely relevant). ``IncrementalSVM`` is the fast path
for active learning: the same squared-hinge linear SVM as ``LinearSVC`` (what ASReview's
ELAS u4 uses), solved in the dual by coordinate descent and warm-started from the previous
solution, so retraining after one more decision costs a few vector updates instead of a
full fit. It keeps one kernel row ``X @ x_i`` per labelled record, so its memory grows with
``n_records * n_labelled``; ``Ranker`` falls back to a full refit when that gets large.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import daxpy as _axpy
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from nlp_review.screening.blas import one_blas_thread


class SVM(LinearSVC):
    """Linear SVM (squared hinge), the classifier of ASReview's default ELAS u4."""

    def __init__(self, C: float = 0.11, loss: str = "squared_hinge", tol: float = 1e-4,
                 max_iter: int = 1000) -> None:
        super().__init__(C=C, loss=loss, tol=tol, max_iter=max_iter, dual=True)

    def get_params(self, deep: bool = True) -> dict:
        return {"C": self.C, "loss": self.loss, "tol": self.tol, "max_iter": self.max_iter}


class Logistic(LogisticRegression):
    """L2 logistic regression (liblinear)."""

    def __init__(self, C: float = 1.0, max_iter: int = 200) -> None:
        super().__init__(C=C, solver="liblinear", max_iter=max_iter)

    def get_params(self, deep: bool = True) -> dict:
        return {"C": self.C, "max_iter": self.max_iter}


class _LogOddsNB:
    """For naive Bayes classifiers: ``decision_function`` is the log-odds of relevance, and
    the only parameter is ``alpha``."""

    def get_params(self, deep: bool = True) -> dict:
        return {"alpha": self.alpha}

    def decision_function(self, X: sp.spmatrix) -> np.ndarray:
        log_proba = self.predict_joint_log_proba(X)
        pos = list(self.classes_).index(1)
        return log_proba[:, pos] - log_proba[:, 1 - pos]


class NaiveBayes(_LogOddsNB, MultinomialNB):
    """Multinomial naive Bayes; ``decision_function`` is the log-odds of relevance."""

    def __init__(self, alpha: float = 3.822) -> None:
        super().__init__(alpha=alpha)

    def log_odds_of_rows(self, X: sp.csr_matrix, idx: np.ndarray, y: np.ndarray,
                         sample_weight: np.ndarray | None = None) -> np.ndarray:
        """``fit(X[idx], y, sample_weight).decision_function(X)`` in one pass: the same
        smoothed weighted counts, then one product of ``X`` with the difference of the two
        classes' log-probabilities (for an ensemble retrained after every decision)."""
        y = np.asarray(y)
        w = np.ones(len(idx)) if sample_weight is None else np.asarray(sample_weight, float)
        rows = X[idx].T.tocsr()  # terms x labelled rows
        irrelevant = rows @ (w * (y == 0)) + self.alpha
        relevant = rows @ (w * (y == 1)) + self.alpha
        diff = np.log(relevant / irrelevant) - np.log(relevant.sum() / irrelevant.sum())
        prior = np.log(w[y == 1].sum() / w[y == 0].sum())
        return np.asarray(X @ diff).ravel() + prior


class ComplementNaiveBayes(_LogOddsNB, ComplementNB):
    """Complement naive Bayes (better than multinomial NB on imbalanced classes)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__(alpha=alpha)


class IncrementalSVM(BaseEstimator, ClassifierMixin):
    """Squared-hinge linear SVM with intercept (as ``LinearSVC(loss="squared_hinge")``)
    solved by dual coordinate descent over labelled rows, warm-started between fits.

    Use through ``Ranker``: ``attach(X)`` once, then ``fit_rows(idx, y, sample_weight)``
    with a training set that extends the previous one (rows may also be dropped, e.g. an
    undo: the solver then restarts), and ``scores_`` holds the decision values of every
    row of ``X``. ``fit(X, y)`` / ``decision_function(X)`` give the plain sklearn API
    (one cold fit on the given rows).
    """

    def __init__(self, C: float = 0.11, tol: float = 1e-2, max_updates: int = 20000,
                 poly: float = 0.0) -> None:
        self.C = C
        self.tol = tol
        self.max_updates = max_updates
        self.poly = poly

    def refit_model(self) -> SVM:
        """The same linear model fitted from scratch by liblinear, keeping no kernel rows
        (for projects too big for this one's memory; the quadratic term is dropped)."""
        return SVM(C=self.C)

    # -- plain sklearn API -------------------------------------------------------------
    def fit(self, X: sp.spmatrix, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> "IncrementalSVM":
        X = sp.csr_matrix(X)
        self.attach(X)
        self.fit_rows(np.arange(X.shape[0]), np.asarray(y), sample_weight)
        return self

    def decision_function(self, X: sp.spmatrix) -> np.ndarray:
        check_is_fitted(self, "alpha_")
        gram = (sp.csr_matrix(X, dtype=np.float64) @ self.X_[self.rows_].T).toarray()
        return self._kernel(gram) @ (self.alpha_ * self.y_)

    def _kernel(self, gram: np.ndarray) -> np.ndarray:
        # Linear kernel plus the intercept's constant feature (value 1, as liblinear), and
        # with ``poly`` > 0 a weighted quadratic term (pairs of co-occurring terms).
        out = gram + 1.0
        if self.poly:
            out += self.poly * gram * gram
        return out

    # -- incremental API ---------------------------------------------------------------
    def attach(self, X: sp.csr_matrix) -> "IncrementalSVM":
        """Bind the full feature matrix (all rows that will ever be scored)."""
        self.X_ = sp.csr_matrix(X, dtype=np.float64)
        self.XT_ = self.X_.T.tocsr()
        n = self.X_.shape[0]
        self.rows_ = np.zeros(0, dtype=np.int64)
        self.alpha_ = np.zeros(0)
        self.y_ = np.zeros(0)
        self._buf = np.zeros((0, n))
        self._kll = np.zeros((0, 0))
        self.K_ = self._buf
        self.scores_ = np.zeros(n)
        self.classes_ = np.array([0, 1])
        return self

    def _kernel_rows(self, idx: np.ndarray) -> np.ndarray:
        return self._kernel((self.X_[idx] @ self.XT_).toarray())

    def fit_rows(self, idx: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
                 ) -> "IncrementalSVM":
        check_is_fitted(self, "X_")
        idx = np.asarray(idx, dtype=np.int64)
        n_old = len(self.rows_)
        if len(idx) < n_old or not np.array_equal(idx[:n_old], self.rows_):
            # Not an extension of the last training set (an undo): restart cold.
            self._buf = np.zeros((0, self.X_.shape[0]))
            self._kll = np.zeros((0, 0))
            self.alpha_ = np.zeros(0)
            self.scores_ = np.zeros(self.X_.shape[0])
            n_old = 0
        if len(idx) > n_old:
            self._append_rows(self._kernel_rows(idx[n_old:]), idx, n_old)
            self.alpha_ = np.concatenate([self.alpha_, np.zeros(len(idx) - n_old)])
        self.rows_ = idx
        self.K_ = self._buf[: len(idx)]
        self.y_ = np.where(np.asarray(y) == 1, 1.0, -1.0)
        weight = np.ones(len(idx)) if sample_weight is None else np.asarray(sample_weight, float)
        with one_blas_thread():  # thousands of axpy over all scores: see blas.py
            self._solve(1.0 / (2.0 * self.C * weight))
        return self

    def _append_rows(self, rows: np.ndarray, idx: np.ndarray, at: int) -> None:
        """Store new kernel rows (against all rows) and grow the labelled-by-labelled block."""
        need = at + rows.shape[0]
        if need > self._buf.shape[0]:
            cap = max(need, 2 * self._buf.shape[0], 64)
            grown = np.zeros((cap, self.X_.shape[0]))
            grown[:at] = self._buf[:at]
            self._buf = grown
            kll = np.zeros((cap, cap))
            kll[:at, :at] = self._kll[:at, :at]
            self._kll = kll
        self._buf[at:need] = rows
        self._kll[at:need, :need] = rows[:, idx[:need]]
        self._kll[:at, at:need] = self._kll[at:need, :at].T

    def _solve(self, diag: np.ndarray) -> None:
        # Few labelled rows among many (a big project): coordinate descent over the
        # labelled rows only, then one update of all scores. Otherwise apply each update to
        # all scores at once (fewer passes over memory when most rows are labelled).
        if self.X_.shape[0] > 8 * max(len(self.rows_), 1):
            self._solve_labelled(diag)
        else:
            self._solve_full(diag)

    def _solve_full(self, diag: np.ndarray) -> None:
        K, y, alpha, f, rows = self.K_, self.y_, self.alpha_, self.scores_, self.rows_
        n = len(rows)
        qdiag = self._kll[np.arange(n), np.arange(n)] + diag
        lists = y.tolist(), diag.tolist(), qdiag.tolist(), rows.tolist()
        self._descend(lists, diag, alpha, f, K, at=rows)
        self.alpha_, self.scores_ = alpha, f

    def _descend(self, lists: tuple, diag: np.ndarray, alpha: np.ndarray, f: np.ndarray,
                 K: np.ndarray, at: np.ndarray | slice) -> None:
        """Coordinate-descent passes over the violators, largest first, until none is left
        or the update budget is spent; ``f[at]`` are the decision values at the labelled
        rows (``alpha`` and ``f`` are updated in place)."""
        y = self.y_
        for _ in range(self.max_updates // max(len(alpha), 1) + 1):
            grad = y * f[at] - 1.0 + diag * alpha
            pg = np.where(alpha > 0, grad, np.minimum(grad, 0.0))
            viol = np.flatnonzero(np.abs(pg) > self.tol)
            if len(viol) == 0:
                break
            order = viol[np.argsort(-np.abs(pg[viol]))].tolist()
            _cd_pass(order, lists, alpha, f, K, f, lists[3])

    def _solve_labelled(self, diag: np.ndarray) -> None:
        """Dual coordinate descent on the labelled rows only (each update costs
        O(n_labelled)); the scores of all rows are then updated once, from the rows whose
        dual variable changed."""
        n = len(self.rows_)
        kll, y, alpha, rows = self._kll[:n, :n], self.y_, self.alpha_, self.rows_
        start = alpha.copy()
        f = self.scores_[rows].copy()  # decision values at the labelled rows
        qdiag = kll[np.arange(n), np.arange(n)] + diag
        lists = y.tolist(), diag.tolist(), qdiag.tolist(), list(range(n))
        self._descend(lists, diag, alpha, f, kll, at=slice(None))
        step = (alpha - start) * y
        changed = np.flatnonzero(step)
        if len(changed) < n:
            scores, K, m = self.scores_, self.K_, len(self.scores_)
            for i, a in zip(changed.tolist(), step[changed].tolist()):
                _axpy(K[i], scores, m, a)
        elif len(changed):
            self.scores_ = self.scores_ + step @ self.K_
        self.alpha_ = alpha


def _cd_pass(order: list[int], lists: tuple[list, list, list, list], alpha: np.ndarray,
             f: np.ndarray, K: np.ndarray, target: np.ndarray, at: list[int]) -> None:
    """One pass of dual coordinate descent over the rows in ``order``: update ``alpha``
    in place and add each change times its kernel row ``K[i]`` to ``target`` (BLAS axpy,
    in the same order). ``f[at[i]]`` is row i's current decision value.

    The scalar arithmetic runs on Python floats (the same IEEE double operations, in the
    same order, as on numpy scalars, but several times faster), so the solution is
    bit-for-bit the one the plain numpy loop gives."""
    y, diag, qdiag = lists[0], lists[1], lists[2]
    a = alpha.tolist()
    m = len(target)
    item = f.item
    for i in order:
        ai = a[i]
        g = y[i] * item(at[i]) - 1.0 + diag[i] * ai
        new = ai - g / qdiag[i]
        if new < 0.0:  # max(new, 0.0)
            new = 0.0
        delta = new - ai
        if delta != 0.0:
            a[i] = new
            _axpy(K[i], target, m, delta * y[i])
    alpha[:] = a
