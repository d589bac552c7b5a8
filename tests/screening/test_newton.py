"""The primal Newton solver (``svm_newton``) must reach the same SVM as liblinear's
``LinearSVC``: same scores to tolerance, same top of the queue, after warm retraining
decision by decision as a simulation does, and after an undo."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.svm import LinearSVC

from nlp_review.screening import ranker as ranker_module
from nlp_review.screening import registry
from nlp_review.screening.balance import Balanced
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.features import Tfidf
from nlp_review.screening.newton import NewtonSVM
from nlp_review.screening.ranker import Ranker
from nlp_review.screening.simulate import Simulation


@pytest.fixture(scope="module")
def data(antihistamines):
    d = load_labelled_csv(antihistamines)
    X = Tfidf(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95).fit_transform(d.texts)
    return d, X


def _screening_order(y: np.ndarray, seed: int, n_irrelevant: int) -> list[int]:
    rng = np.random.RandomState(seed)
    order = list(np.flatnonzero(y == 1)[:6]) + list(rng.permutation(np.flatnonzero(y == 0))
                                                   [:n_irrelevant])
    rng.shuffle(order)
    return order


def _liblinear(X, y, weight, C=0.11):
    return LinearSVC(C=C, tol=1e-8, max_iter=100000).fit(X, y, sample_weight=weight)


def test_warm_newton_reaches_liblinears_svm_on_real_records(data):
    d, X = data
    y = d.labels
    order = _screening_order(y, 5, 120)
    bal = Balanced(ratio=20, grid=0.02, normalize=True, dry_ratio=5, dry_after=50)
    svm = registry.make("classifier", "svm_newton", {"C": 0.11, "tol": 1e-3}).attach(X)
    for n in range(2, len(order) + 1):  # retrain after every decision, warm
        rows = np.array(order[:n])
        if y[rows].min() == y[rows].max():
            continue
        svm.fit_rows(rows, y[rows], bal.sample_weight(y[rows]))
    rows = np.array(order)
    ref = _liblinear(X[rows], y[rows], bal.sample_weight(y[rows])).decision_function(X)
    pool = np.setdiff1d(np.arange(X.shape[0]), rows)
    assert np.abs(ref - svm.scores_).max() < 1e-3
    # what a reviewer sees: the same next record and the same top of the queue
    assert pool[np.argmax(svm.scores_[pool])] == pool[np.argmax(ref[pool])]
    assert list(pool[np.argsort(-ref[pool])[:10]]) == list(pool[np.argsort(-svm.scores_[pool])[:10]])
    # the plain sklearn API gives the same scores
    assert np.allclose(svm.decision_function(X), svm.scores_, atol=1e-9)


def test_cold_fit_matches_liblinear_coefficients_and_intercept(data):
    d, X = data
    y = d.labels
    rows = np.array(_screening_order(y, 2, 80))
    weight = Balanced(ratio=9.8, normalize=True).sample_weight(y[rows])
    ours = NewtonSVM(C=0.5, tol=1e-6).fit(X[rows], y[rows], weight)
    ref = _liblinear(X[rows], y[rows], weight, C=0.5)
    assert abs(ours.intercept_ - ref.intercept_[0]) < 1e-4
    assert np.abs(ours.coef_ - ref.coef_.ravel()).max() < 1e-4


def test_an_undo_gives_the_svm_of_the_shorter_training_set(data):
    d, X = data
    y = d.labels
    rows = np.array(_screening_order(y, 7, 40))
    warm = NewtonSVM(tol=1e-6).attach(X)
    warm.fit_rows(rows, y[rows])
    warm.fit_rows(rows[:-1], y[rows[:-1]])  # an undo: not an extension of the last set
    cold = NewtonSVM(tol=1e-6).fit(X[rows[:-1]], y[rows[:-1]])
    assert np.allclose(warm.scores_, cold.decision_function(X), atol=1e-5)
    warm.fit_rows(rows, y[rows])  # and redoing it extends the rebuilt rows again
    again = NewtonSVM(tol=1e-6).fit(X[rows], y[rows])
    assert np.allclose(warm.scores_, again.decision_function(X), atol=1e-5)


def test_rows_outside_the_margin_drop_out_as_in_liblinear():
    # Separable toy data with a large C: most rows end beyond the margin, so the loss is
    # no longer one quadratic and the line search and active set matter.
    rng = np.random.RandomState(0)
    X = sp.random(200, 50, density=0.2, random_state=rng, format="csr")
    y = (np.asarray(X[:, :5].sum(axis=1)).ravel() > 0.3).astype(int)
    ours = NewtonSVM(C=50.0, tol=1e-8).fit(X, y)
    ref = _liblinear(X, y, None, C=50.0)
    assert (y * 2 - 1) @ np.sign(ref.decision_function(X)) > 190  # mostly separated
    assert np.abs(ours.decision_function(X) - ref.decision_function(X)).max() < 1e-3


def test_refuses_use_before_fit(data):
    _, X = data
    with pytest.raises(NotFittedError):
        NewtonSVM().decision_function(X)
    with pytest.raises(NotFittedError):
        NewtonSVM().fit_rows(np.array([0]), np.array([1]))


def test_ranker_keeps_the_newton_solver_when_kernel_rows_would_not_fit(data, monkeypatch):
    # The kernel-memory guard is for solvers that keep one kernel row per labelled record;
    # the primal solver keeps none, so it stays incremental on any project size.
    d, _ = data
    monkeypatch.setattr(ranker_module, "KERNEL_MEMORY_LIMIT", 0)
    rk = Ranker(preset="elas_u4_dry_newton").attach(d.texts)
    rows = np.concatenate([np.flatnonzero(d.labels == 1)[:2], np.flatnonzero(d.labels == 0)[:8]])
    rk.fit(rows, d.labels[rows])
    assert rk.mode_ == "model" and len(rk.classifier_.rows_) == len(rows)
    assert np.array_equal(rk.scores_, rk.classifier_.scores_)


def test_simulation_with_the_newton_preset_ranks_as_the_dual_solver_does(data):
    d, _ = data
    priors = [int(np.flatnonzero(d.labels == 1)[0]), int(np.flatnonzero(d.labels == 0)[0])]
    runs = {p: Simulation(d.texts, d.labels, priors, preset=p, seed=1).run()
            for p in ("elas_u4_dry_newton", "elas_u4_dry")}
    newton = runs["elas_u4_dry_newton"]
    assert sum(newton.labels) == int(d.labels.sum()) - 1  # every relevant record found
    assert newton.metrics["loss"] < 0.3  # random screening: 0.5
    assert abs(newton.metrics["loss"] - runs["elas_u4_dry"].metrics["loss"]) < 0.02


def test_attach_leaves_the_callers_matrix_alone(data):
    _, X = data
    before = (X.data.copy(), X.indices.copy())
    NewtonSVM().attach(X)
    assert np.array_equal(X.data, before[0]) and np.array_equal(X.indices, before[1])
