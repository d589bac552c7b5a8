"""``NewtonSVM``: the squared-hinge linear SVM of ``LinearSVC`` (and of ``IncrementalSVM``)
solved in the primal by a truncated Newton method, warm-started between fits.

The objective is liblinear's ``-s 2`` (L2-regularised squared hinge, primal), with the
intercept handled as liblinear and ``LinearSVC`` do (an extra constant feature of value 1,
regularised with the weights)::

    f(w, b) = 0.5 * (|w|^2 + b^2) + C * sum_i s_i * max(0, 1 - y_i * (x_i . w + b))^2

with sample weights ``s_i``. Each Newton step solves ``H d = -g`` with the generalised
Hessian ``I + 2 C X_I' S_I X_I`` (``I``: rows inside the margin) by conjugate gradients,
preconditioned by the Hessian's diagonal plus the exact terms of the relevant rows
(``_Preconditioner``), then backtracks along ``d`` if needed; one product ``X @ w`` over
all rows per step gives both the new scores and the line search's values. The products
of the solve run over the labelled rows only (scipy.sparse), in the space of the features
those rows use. It stops when the gradient's norm is at most ``tol``, so it reaches the
optimum of the dual solvers (``LinearSVC``, ``IncrementalSVM``) to a known tolerance and
rankings agree except near ties, without the dual coordinate descent's Python-level step
per update and without keeping one kernel row per labelled record (memory grows with the
labelled rows' non-zeros).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from nlp_review.screening.blas import one_blas_thread


class _LabelledRows:
    """The labelled rows of ``X`` as a CSR matrix over the columns they use (local column
    numbers in order of first use), grown in place as rows are appended; ``sq`` holds the
    squared values (for the Hessian's diagonal)."""

    def __init__(self, X: sp.csr_matrix) -> None:
        self.X = X
        self.local = np.full(X.shape[1], -1, dtype=np.int32)  # global -> local column
        self.cols = np.zeros(0, dtype=np.int64)  # local -> global column
        self.indptr = np.zeros(1, dtype=np.int32)
        self.indices = np.zeros(0, dtype=np.int32)
        self.data = np.zeros(0)
        self.sq = np.zeros(0)
        self.nnz = 0
        self._sums: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # see column_sums
        self.preconditioner: "_Preconditioner | None" = None  # see _cg

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def append(self, rows: np.ndarray) -> int:
        """Append ``X[rows]``; returns how many new columns they brought."""
        part = self.X[rows]
        glob = part.indices
        new = np.unique(glob[self.local[glob] < 0])
        self.local[new] = np.arange(len(self.cols), len(self.cols) + len(new))
        self.cols = np.concatenate([self.cols, new])
        need = self.nnz + part.nnz
        if need > len(self.data):
            cap = max(need, 2 * len(self.data), 4096)
            self.indices = np.resize(self.indices, cap)
            self.data = np.resize(self.data, cap)
            self.sq = np.resize(self.sq, cap)
        self.indices[self.nnz:need] = self.local[glob]
        self.data[self.nnz:need] = part.data
        self.sq[self.nnz:need] = part.data * part.data
        self.indptr = np.concatenate([self.indptr, (self.nnz + part.indptr[1:]).astype(np.int32)])
        self.nnz = need
        return len(new)

    def column_sums(self, key: str, M: sp.csr_matrix, factors: np.ndarray) -> np.ndarray:
        """``M' @ factors`` for ``M`` the rows (``key`` "x") or squared rows ("sq"),
        updated from the last call with the same key when the row factors of the rows
        that were there then are unchanged (rows appended, weights and margins the same:
        most decisions)."""
        last = self._sums.get(key)
        n_old = 0 if last is None else len(last[0])
        if last is not None and n_old <= len(factors) and \
                np.array_equal(last[0], factors[:n_old]):
            out = np.zeros(M.shape[1])
            out[:len(last[1])] = last[1]
            if len(factors) > n_old:
                start = self.indptr[n_old]
                part = sp.csr_matrix((M.data[start:], M.indices[start:],
                                      self.indptr[n_old:] - start),
                                     shape=(len(factors) - n_old, M.shape[1]))
                out += part.T @ factors[n_old:]
        else:
            out = M.T @ factors
        self._sums[key] = (factors.copy(), out)
        return out

    def matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(rows, squared rows) as CSR matrices sharing the buffers."""
        n, shape = self.nnz, (self.n_rows, len(self.cols))
        return (sp.csr_matrix((self.data[:n], self.indices[:n], self.indptr), shape=shape),
                sp.csr_matrix((self.sq[:n], self.indices[:n], self.indptr), shape=shape))


class NewtonSVM(BaseEstimator, ClassifierMixin):
    """Squared-hinge linear SVM with intercept (as ``LinearSVC(loss="squared_hinge")``),
    solved in the primal by truncated Newton, warm-started between fits.

    Use through ``Ranker``: ``attach(X)`` once, then ``fit_rows(idx, y, sample_weight)``;
    a training set that extends the previous one appends rows, any other (an undo)
    rebuilds the labelled rows but still starts from the previous weights. ``scores_``
    holds the decision values of every row of ``X``. ``fit`` / ``decision_function`` give
    the plain sklearn API.

    ``tol``: stop when the gradient's norm is at most ``tol``. The Hessian is at least the
    identity, so the weights (intercept included) are then within ``tol`` of the optimum
    and every score (rows have unit norm) within ``sqrt(2) * tol``; in practice closer:
    at the default, replaying cohen_adhd, the largest score error against liblinear
    (tol 1e-7) was 2e-4 to 3e-2 (every 50th decision; ``IncrementalSVM`` at its default:
    3e-3 to 8e-3; ``tol=0.02``: 1e-4 to 8e-3). After most irrelevant decisions the
    gradient is already below ``tol`` and the model is left as it is (that is most of
    the speed).
    """

    def __init__(self, C: float = 0.11, tol: float = 0.05, max_iter: int = 100) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter

    # -- plain sklearn API -------------------------------------------------------------
    def fit(self, X: sp.spmatrix, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> "NewtonSVM":
        X = sp.csr_matrix(X)
        self.attach(X)
        self.fit_rows(np.arange(X.shape[0]), np.asarray(y), sample_weight)
        return self

    def decision_function(self, X: sp.spmatrix) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(sp.csr_matrix(X, dtype=np.float64) @ self.coef_).ravel() \
            + self.intercept_

    # -- incremental API ---------------------------------------------------------------
    def attach(self, X: sp.csr_matrix) -> "NewtonSVM":
        """Bind the full feature matrix (all rows that will ever be scored)."""
        self.X_ = sp.csr_matrix(X, dtype=np.float64, copy=True)  # never sort the caller's
        self.X_.sort_indices()
        self._labelled = _LabelledRows(self.X_)
        self.rows_ = np.zeros(0, dtype=np.int64)
        self._w = np.zeros(0)  # weights of the labelled rows' columns (local order)
        self.intercept_ = 0.0
        self.coef_ = np.zeros(self.X_.shape[1])
        self.scores_ = np.zeros(self.X_.shape[0])
        self.classes_ = np.array([0, 1])
        self.n_iter_ = 0
        return self

    def fit_rows(self, idx: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
                 ) -> "NewtonSVM":
        check_is_fitted(self, "X_")
        idx = np.asarray(idx, dtype=np.int64)
        n_old = len(self.rows_)
        rebuilt = len(idx) < n_old or not np.array_equal(idx[:n_old], self.rows_)
        if rebuilt:
            # Not an extension of the last training set (an undo): rebuild the labelled
            # rows, keeping the previous weights as the starting point.
            w_global = self.coef_
            self._labelled = _LabelledRows(self.X_)
            if len(idx):
                self._labelled.append(idx)
            self._w = w_global[self._labelled.cols].copy()
        elif len(idx) > n_old:
            added = self._labelled.append(idx[n_old:])
            self._w = np.concatenate([self._w, np.zeros(added)])
        self.rows_ = idx
        signs = np.where(np.asarray(y) == 1, 1.0, -1.0)
        weight = np.ones(len(idx)) if sample_weight is None else np.asarray(sample_weight, float)
        self.n_iter_ = 0
        if rebuilt:  # the scores of the kept weights, as the starting point
            self.scores_ = self._score(self._w, self.intercept_)
        if len(idx):
            self._w, self.intercept_, self.scores_, self.n_iter_ = _newton(
                self._labelled, signs, self.C * weight, self._w, self.intercept_,
                self.scores_, idx, self._score, self.tol, self.max_iter)
        if self.n_iter_ or rebuilt:
            self.coef_ = self._coef(self._w)
        return self

    def _coef(self, w: np.ndarray) -> np.ndarray:
        coef = np.zeros(self.X_.shape[1])
        coef[self._labelled.cols] = w
        return coef

    def _score(self, w: np.ndarray, b: float) -> np.ndarray:
        """Decision values of every row for local weights ``w`` and intercept ``b``."""
        return self.X_ @ self._coef(w) + b


def _newton(rows: _LabelledRows, y: np.ndarray, c: np.ndarray, w: np.ndarray, b: float,
            scores: np.ndarray, idx: np.ndarray, score: Callable[[np.ndarray, float], np.ndarray],
            tol: float, max_iter: int) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Minimise the objective over the labelled ``rows`` (row numbers ``idx`` of the full
    matrix) from ``(w, b)``, whose decision values on every row are ``scores``; ``c`` is
    ``C * sample_weight`` and ``score(w, b)`` scores every row. Each step scores every row
    once, which also gives the line search its values at the labelled rows. Returns
    ``(w, b, scores, Newton steps)``."""
    X, sq = rows.matrices()
    XT = X.T  # a CSC view: X' r without a copy
    z = scores[idx]
    for step in range(max_iter):
        active = y * z < 1.0
        ca = np.where(active, c, 0.0)
        r = 2.0 * ca * (z - y)
        # the gradient (at the first step updated from the last fit's, usually unchanged)
        gw = w + (rows.column_sums("x", X, r) if step == 0 else XT @ r)
        gb = b + r.sum()
        gnorm = np.sqrt(_sq(gw) + gb * gb)
        if gnorm <= tol:
            return w, b, scores, step
        target = max(0.5 * tol, min(0.5, np.sqrt(gnorm)) * gnorm)
        dw, db, residual = _cg(rows, X, XT, sq, ca, y > 0, gw, gb, target)
        full = score(w + dw, b + db)
        t = _step_length(w, b, z, full[idx] - z, dw, db, y, c, _dot(gw, dw) + gb * db)
        scores = full if t == 1.0 else scores + t * (full - scores)
        w, b, z = w + t * dw, b + t * db, scores[idx]
        if t == 1.0 and residual <= tol and np.array_equal(active, y * z < 1.0):
            # The loss stayed one quadratic along the step, so the new gradient is the
            # conjugate-gradient residual: converged without another pass.
            return w, b, scores, step + 1
    return w, b, scores, max_iter


class _Preconditioner:
    """The Hessian's diagonal from the ordinary rows plus the exact terms of the heavy
    rows (the few relevant records: they carry most of the weight, so most of the
    Hessian's large eigenvalues), inverted by the Woodbury identity. Any symmetric
    positive definite preconditioner leaves the solution unchanged, so one is reused over
    the next decisions while the heavy rows and their weights stay the same."""

    def __init__(self, X: sp.csr_matrix, rows: np.ndarray, s: np.ndarray, dg_w: np.ndarray,
                 dg_b: float) -> None:
        self.key = (rows.tobytes(), s.tobytes())
        self.n_rows, self.dg_w, self.dg_b, self.rows = X.shape[0], dg_w, dg_b, rows
        self.XR = X[rows]
        self.XRs = self.XR.copy()
        self.XRs.data = self.XR.data / dg_w[self.XR.indices]
        inner = (self.XRs @ self.XR.T).toarray() + 1.0 / dg_b + np.diag(1.0 / s)
        self.factor = None
        if len(rows):
            # One thread: OpenBLAS's threaded Cholesky took 0.5 s instead of milliseconds
            # for 260 rows on 2 busy cores.
            with one_blas_thread():
                self.factor = cho_factor(inner)

    def fits(self, rows: np.ndarray, s: np.ndarray, n_rows: int) -> bool:
        return (rows.tobytes(), s.tobytes()) == self.key and n_rows <= 1.1 * self.n_rows + 5

    def extend(self, dg_w: np.ndarray) -> None:
        """Columns new since it was built (in no heavy row) take their current diagonal."""
        if len(dg_w) > len(self.dg_w):
            self.dg_w = np.concatenate([self.dg_w, dg_w[len(self.dg_w):]])

    def __call__(self, vw: np.ndarray, vb: float) -> tuple[np.ndarray, float]:
        sw, sb = vw / self.dg_w, vb / self.dg_b
        if self.factor is None:
            return sw, sb
        m = self.XR.shape[1]  # columns new since it was built are in no heavy row
        u = cho_solve(self.factor, self.XR @ sw[:m] + sb)
        sw[:m] -= self.XRs.T @ u
        return sw, sb - u.sum() / self.dg_b


def _cg(rows_store: _LabelledRows, X: sp.csr_matrix, XT: sp.spmatrix, sq: sp.csr_matrix,
        ca: np.ndarray, heavy: np.ndarray, gw: np.ndarray, gb: float, target: float
        ) -> tuple[np.ndarray, float, float]:
    """Solve ``H d = -g`` by preconditioned conjugate gradients (``_Preconditioner``)
    until the residual's norm is below ``target`` (a truncated Newton step); returns
    ``(d, residual norm)``."""
    two_ca = 2.0 * ca
    light = np.where(heavy, 0.0, two_ca)
    dg_w = 1.0 + rows_store.column_sums("sq", sq, light)  # diagonal part
    rows = np.flatnonzero(heavy & (ca > 0))
    precondition = rows_store.preconditioner
    if precondition is None or not precondition.fits(rows, two_ca[rows], X.shape[0]):
        precondition = _Preconditioner(X, rows, two_ca[rows], dg_w, 1.0 + light.sum())
        rows_store.preconditioner = precondition
    precondition.extend(dg_w)

    dw, db = np.zeros_like(gw), 0.0
    rw, rb = -gw, -gb
    zw, zb = precondition(rw, rb)
    pw, pb = zw.copy(), zb
    rz = _dot(rw, zw) + rb * zb
    for _ in range(len(gw) + 1):
        t = two_ca * (X @ pw + pb)
        hw, hb = pw + XT @ t, pb + t.sum()
        alpha = rz / (_dot(pw, hw) + pb * hb)
        dw += alpha * pw
        db += alpha * pb
        rw -= alpha * hw
        rb -= alpha * hb
        residual = np.sqrt(_sq(rw) + rb * rb)
        if residual <= target:
            break
        zw, zb = precondition(rw, rb)
        rz_new = _dot(rw, zw) + rb * zb
        beta = rz_new / rz
        rz = rz_new
        pw = zw + beta * pw
        pb = zb + beta * pb
    return dw, db, residual


def _step_length(w: np.ndarray, b: float, z: np.ndarray, u: np.ndarray, dw: np.ndarray,
                 db: float, y: np.ndarray, c: np.ndarray, gd: float) -> float:
    """Backtracking (Armijo) along ``d`` from step 1: the objective at ``w + t d`` needs
    only ``z + t u`` (``u = X d`` at the labelled rows) and three dot products."""
    ww, wd, dd = _sq(w) + b * b, _dot(w, dw) + b * db, _sq(dw) + db * db

    def objective(t: float) -> float:
        m = np.maximum(1.0 - y * (z + t * u), 0.0)
        return 0.5 * (ww + 2.0 * t * wd + t * t * dd) + _dot(c, m * m)

    f0, t = objective(0.0), 1.0
    for _ in range(30):
        if objective(t) <= f0 + 0.01 * t * gd:
            break
        t *= 0.5
    return t


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a . b`` without BLAS: OpenBLAS runs ``ddot`` on several threads from 10,000
    elements on, which costs milliseconds per call on a busy machine (measured 20 ms
    against 0.01 ms on 2 shared cores)."""
    return float(np.einsum("i,i->", a, b))


def _sq(a: np.ndarray) -> float:
    return _dot(a, a)
