import numpy as np
import pytest

from nlp_review.screening import metrics


def test_perfect_order():
    labels = [1, 1, 1, 0, 0]
    assert metrics.loss(labels, 10) == 0.0
    assert metrics.ndcg(labels, 10) == pytest.approx(1.0)
    # 95 % of 3 relevant needs all 3: screened 3 of 10
    assert metrics.wss(labels, 10, 0.95) == pytest.approx((1 - 3 / 10) - 0.05)
    assert metrics.wss(labels, 10, 1.0) == pytest.approx(0.7)
    assert metrics.rrf(labels, 10, 0.10) == pytest.approx(1 / 3)
    assert metrics.atd(labels, 10) == pytest.approx(2 / 10)


def test_worst_order_and_padding():
    # relevant found last: the order is padded with irrelevant records up to n_records
    labels = [0] * 7 + [1, 1, 1]
    assert metrics.loss(labels, 10) == pytest.approx(1.0)
    assert metrics.loss([0, 0, 1], 3) == pytest.approx(1.0)


def test_loss_matches_asreview_formula_on_a_padded_order():
    rng = np.random.RandomState(0)
    labels = list(rng.binomial(1, 0.2, 50))
    labels[-1] = 1
    padded = np.array(labels + [0] * 30, float)
    ny, nx = padded.sum(), len(padded)
    expected = (ny * (nx - (ny - 1) / 2) - np.cumsum(padded).sum()) / (ny * (nx - ny))
    assert metrics.loss(labels, 80) == pytest.approx(expected)


def test_random_order_saves_about_nothing():
    rng = np.random.RandomState(1)
    vals = []
    for _ in range(200):
        y = np.zeros(1000, int)
        y[rng.choice(1000, 40, replace=False)] = 1
        vals.append((metrics.wss(y, 1000, 0.95), metrics.loss(y, 1000), metrics.atd(y, 1000)))
    wss, loss, atd = np.mean(vals, axis=0)
    assert abs(wss) < 0.03 and abs(loss - 0.5) < 0.03 and abs(atd - 0.5) < 0.03


def test_metrics_need_both_classes():
    with pytest.raises(ValueError):
        metrics.loss([0, 0], 5)
    with pytest.raises(ValueError):
        metrics.all_metrics([], 5)
