"""The ranking parts added to match and beat ASReview's default: ASReview's normalised
balanced weights, and the ensemble of classifiers."""

import numpy as np
import pytest
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_sample_weight

from nlp_review.errors import ConfigError
from nlp_review.screening import registry
from nlp_review.screening.balance import Balanced
from nlp_review.screening.classifiers import NaiveBayes
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.ensemble import Ensemble
from nlp_review.screening.features import Tfidf
from nlp_review.screening.ranker import Ranker


@pytest.fixture(scope="module")
def data(antihistamines):
    d = load_labelled_csv(antihistamines)
    X = Tfidf(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95).fit_transform(d.texts)
    return d, X


def asreview_balanced(y: np.ndarray, ratio: float) -> np.ndarray:
    """asreview 3.0.8 models/balancers.py, Balanced.compute_sample_weight."""
    w = compute_sample_weight({1: 1.0, 0: sum(y == 1) / (ratio * sum(y == 0))}, y=y)
    return w * (len(y) / sum(w))


def test_normalised_weights_are_asreviews():
    y = np.array([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    w = Balanced(ratio=9.8, normalize=True).sample_weight(y)
    assert np.allclose(w, asreview_balanced(y, 9.8))
    assert np.isclose(w.sum(), len(y))
    # 2 relevant among 20: each relevant record weighs 9.1 instead of 1.
    assert w[0] > 9 and np.isclose(w[0] / w[1], 9.8 * 18 / 2)
    grid = Balanced(ratio=9.8, grid=0.02, normalize=True).sample_weight(y)
    assert np.all(np.abs(grid / w - 1) <= 0.011)


def test_normalised_weights_change_the_model_as_in_asreview(data):
    """The normalisation is what made ASReview's runs differ from our first copy of its
    model: with few relevant records it acts as a much larger C."""
    d, X = data
    y = d.labels
    rows = np.concatenate([np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 0)[:60]])
    raw = Balanced(ratio=9.8).sample_weight(y[rows])
    norm = Balanced(ratio=9.8, normalize=True).sample_weight(y[rows])
    assert norm.sum() / raw.sum() > 20
    fit = lambda w: LinearSVC(C=0.11).fit(X[rows], y[rows], sample_weight=w).decision_function(X)
    assert np.argsort(-fit(raw))[:30].tolist() != np.argsort(-fit(norm))[:30].tolist()


def test_ensemble_members_are_checked_by_name():
    with pytest.raises(ConfigError) as exc:
        registry.make("classifier", "ensemble", {"members": [{"name": "svn"}]})
    assert "svm" in exc.value.hint and "nb" in exc.value.hint
    with pytest.raises(ConfigError, match="combine"):
        registry.make("classifier", "ensemble", {"combine": "sum"})
    with pytest.raises(ConfigError, match="2 members but 1 weights"):
        registry.make("classifier", "ensemble", {"weights": [1.0]})
    with pytest.raises(ConfigError, match="ensemble"):
        registry.make("classifier", "ensemble", {"members": [{"name": "ensemble"}]})


def test_ensemble_rank_average_of_its_members(data):
    d, X = data
    y = d.labels
    rows = np.concatenate([np.flatnonzero(y == 1)[:4], np.flatnonzero(y == 0)[:40]])
    members = [{"name": "svm", "params": {"C": 0.5, "tol": 1e-4}}, {"name": "nb"}]
    ens = registry.make("classifier", "ensemble", {"members": members})
    scores = ens.fit(X[rows], y[rows]).decision_function(X)
    svm_rank = np.argsort(np.argsort(ens.models_[0].decision_function(X)))
    nb = NaiveBayes().fit(X[rows], y[rows]).decision_function(X)
    nb_rank = np.argsort(np.argsort(nb))
    # A row both members put first is first in the ensemble.
    both = (svm_rank + nb_rank).argmax()
    assert scores.argmax() == both
    # The incremental path (as Ranker uses it, warm-started) gives the same ranking as a
    # plain fit, up to near-ties of the SVM swapping places.
    inc = Ensemble(members=members).attach(X)
    inc.fit_rows(rows[:30], y[rows[:30]])
    inc.fit_rows(rows, y[rows])
    assert np.corrcoef(inc.scores_, scores)[0, 1] > 0.999
    assert np.abs(inc.scores_ - scores).max() < 0.05


def test_ensemble_preset_ranks_relevant_records_first(data):
    d, _ = data
    y = d.labels
    rel, irr = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    ranker = Ranker(preset="svm_nb_ensemble").attach(d.texts)
    train = np.concatenate([rel[:4], irr[:40]])
    ranker.fit(train, y[train])
    pool = np.setdiff1d(np.arange(len(y)), train)
    top = ranker.ranking(pool)[:30]
    # 12 relevant left among 266: random would put about 1.4 in the first 30.
    assert y[top].sum() >= 6


def test_naive_bayes_log_odds_of_rows_is_a_fit_and_score(data):
    d, X = data
    y = d.labels
    rows = np.concatenate([np.flatnonzero(y == 1)[:5], np.flatnonzero(y == 0)[:50]])
    w = Balanced(ratio=9.8, normalize=True).sample_weight(y[rows])
    nb = NaiveBayes(alpha=3.822)
    fast = nb.log_odds_of_rows(X, rows, y[rows], w)
    slow = NaiveBayes(alpha=3.822).fit(X[rows], y[rows], sample_weight=w).decision_function(X)
    assert np.allclose(fast, slow, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["svm_nb_ensemble", "elas_u4_fast", "elas_u4_dry"])
def test_big_projects_fall_back_to_a_full_refit_of_the_same_kind(data, monkeypatch, name):
    """Past the kernel-memory limit the ranker refits from scratch (no kernel rows kept):
    the ensemble stays an ensemble, with liblinear's SVM as its SVM member."""
    from nlp_review.screening import ranker as ranker_module

    d, _ = data
    y = d.labels
    rel, irr = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    train = np.concatenate([rel[:4], irr[:40]])
    ranker = Ranker(preset=name).attach(d.texts)
    monkeypatch.setattr(ranker_module, "KERNEL_MEMORY_LIMIT", 1)
    ranker.fit(train, y[train])
    pool = np.setdiff1d(np.arange(len(y)), train)
    assert y[ranker.ranking(pool)[:30]].sum() >= 6
