import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.svm import LinearSVC

from nlp_review.errors import ConfigError
from nlp_review.screening import registry
from nlp_review.screening.balance import Balanced
from nlp_review.screening.classifiers import IncrementalSVM
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.features import Tfidf
from nlp_review.screening.presets import (default_preset_name, get_preset, load_presets,
                                          preset_names)
from nlp_review.screening.ranker import Ranker


@pytest.fixture(scope="module")
def data(antihistamines):
    d = load_labelled_csv(antihistamines)
    X = Tfidf(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95).fit_transform(d.texts)
    return d, X


def test_wrong_names_list_the_valid_ones():
    with pytest.raises(ConfigError) as exc:
        registry.make("classifier", "svn")
    assert "svm" in exc.value.hint and "logistic" in exc.value.hint and "nb" in exc.value.hint
    with pytest.raises(ConfigError) as exc:
        get_preset("fastest")
    assert get_preset().name in exc.value.hint
    with pytest.raises(ConfigError, match="no parameter"):
        registry.make("classifier", "svm", {"gamma": 1})


def test_every_part_kind_has_the_required_choices():
    assert {"svm", "logistic", "nb"} <= set(registry.names("classifier"))
    assert {"max", "uncertainty", "mixed", "random"} <= set(registry.names("querier"))
    assert "tfidf" in registry.names("feature_extractor")
    assert "balanced" in registry.names("balancer")


def test_presets_are_valid_data_with_comments():
    default, presets = load_presets()
    assert default in presets
    for p in presets.values():
        assert len(p.comment) > 20
        for part in ("feature_extractor", "classifier", "balancer", "querier"):
            p.make(part)
    assert get_preset().name == default
    assert set(preset_names()) == set(presets)


def test_help_names_the_default_preset_and_a_broken_file_does_not_break_help(tmp_path):
    from typer.testing import CliRunner

    from nlp_review.cli.app import app

    default, _ = load_presets()
    assert default_preset_name() == default
    for command in ("rank", "screen", "simulate"):
        result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert f"default: {default}" in result.output
    broken = tmp_path / "presets.json"
    broken.write_text("{not json", encoding="utf-8")
    assert default_preset_name(broken) is None


def test_estimators_refuse_use_before_fit(data):
    d, X = data
    with pytest.raises(NotFittedError):
        IncrementalSVM().decision_function(X)
    with pytest.raises(NotFittedError):
        Tfidf().transform(["a text"])
    with pytest.raises(NotFittedError):
        Ranker().fit([0], [1])


def test_incremental_svm_matches_liblinear_after_warm_updates(data):
    d, X = data
    y = d.labels
    rng = np.random.RandomState(3)
    order = list(np.flatnonzero(y == 1)[:3]) + list(rng.permutation(np.flatnonzero(y == 0))[:60])
    rng.shuffle(order)
    svm = IncrementalSVM(C=0.11, tol=1e-4).attach(X)
    bal = Balanced(ratio=9.8)
    for n in range(2, len(order) + 1):  # retrain after every decision, warm
        rows = np.array(order[:n])
        if y[rows].min() == y[rows].max():
            continue
        svm.fit_rows(rows, y[rows], bal.sample_weight(y[rows]))
    rows = np.array(order)
    ref = LinearSVC(C=0.11, tol=1e-6, max_iter=10000).fit(
        X[rows], y[rows], sample_weight=bal.sample_weight(y[rows])).decision_function(X)
    assert np.corrcoef(ref, svm.scores_)[0, 1] > 0.9999
    assert np.abs(ref - svm.scores_).max() < 0.01
    assert set(np.argsort(-ref)[:20]) == set(np.argsort(-svm.scores_)[:20])
    # the plain sklearn API gives the same scores
    assert np.allclose(svm.decision_function(X), svm.scores_, atol=1e-6)


def test_incremental_svm_restarts_after_a_row_is_removed(data):
    d, X = data
    y = d.labels
    rows = np.concatenate([np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 0)[:20]])
    warm = IncrementalSVM(tol=1e-4).attach(X)
    warm.fit_rows(rows, y[rows])
    warm.fit_rows(rows[:-1], y[rows[:-1]])  # an undo
    cold = IncrementalSVM(tol=1e-4).fit(X[rows[:-1]], y[rows[:-1]])
    assert np.allclose(warm.scores_, cold.decision_function(X), atol=1e-3)


def test_balanced_weights_follow_asreview():
    w = Balanced(ratio=9.8).sample_weight(np.array([1, 0, 0, 0]))
    assert w[0] == 1.0 and np.allclose(w[1:], 1 / (9.8 * 3))
    grid = Balanced(ratio=9.8, grid=0.02).sample_weight(np.array([1, 0, 0, 0]))
    assert abs(grid[1] / w[1] - 1) <= 0.011


@pytest.mark.parametrize("name", ["elas_u4_dry", "elas_u4_fast", "logistic", "elas_u3_nb"])
def test_every_preset_ranks_relevant_records_above_random(data, name):
    d, _ = data
    y = d.labels
    rel, irr = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    ranker = Ranker(preset=name).attach(d.texts)
    train = np.concatenate([rel[:4], irr[:40]])
    ranker.fit(train, y[train])
    pool = np.setdiff1d(np.arange(len(y)), train)
    ranked = ranker.ranking(pool)
    top = y[ranked[: len(ranked) // 5]].sum()
    # a fifth of the pool should hold far more than a fifth of the relevant records
    assert top >= 0.5 * y[pool].sum()


def test_cold_start_ranks_by_criteria(data):
    d, _ = data
    target = next(i for i, t in enumerate(d.texts) if "urticaria" in t.lower())
    ranker = Ranker(criteria="chronic idiopathic urticaria treated with antihistamines")
    ranker.attach(d.texts)
    best = ranker.ranking(np.arange(len(d.texts)))[:5]
    assert any("urticaria" in d.texts[i].lower() for i in best)
    assert target is not None
    plain = Ranker().attach(d.texts)
    assert plain.query(np.arange(len(d.texts)), np.random.RandomState(0)) == 0
