"""Replaying rules over a real ranked screening run. The run comes from a small TF-IDF +
logistic regression loop of our own (tests only), on a shared dataset."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from nlp_review.errors import ConfigError  # noqa: E402
from nlp_review.stopping import make_rule  # noqa: E402
from nlp_review.stopping.replay import (mark_stop_points, replay_rule, replay_specs,  # noqa: E402
                                        stop_metrics, stop_points_for_simulation)




@lru_cache(maxsize=1)
def _ranked_run(shared: Path) -> tuple[np.ndarray, np.ndarray]:
    """Labels of cohen_antihistamines in a logistic-regression screening order from one
    relevant and one irrelevant prior (retraining every 10 decisions)."""
    with open(shared / "datasets" / "screening" / "cohen_antihistamines.csv",
              newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    y = np.array([int(float(r["label_included"])) for r in rows])
    X = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(
        [f"{r['title']} {r['abstract']}" for r in rows])
    rs = np.random.RandomState(1)
    rel, irr = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    order = [int(rel[rs.randint(rel.size)]), int(irr[rs.randint(irr.size)])]
    seen = np.zeros(y.size, bool)
    seen[order] = True
    while not seen.all():
        clf = LogisticRegression(C=10, class_weight="balanced", solver="liblinear")
        clf.fit(X[order], y[order])
        scores = clf.decision_function(X)
        scores[seen] = -np.inf
        for row in np.argsort(-scores)[: min(10, int((~seen).sum()))]:
            order.append(int(row))
            seen[row] = True
    return y[order], y


def test_replay_on_a_real_ranking(shared):
    ranked, y = _ranked_run(shared)
    n, relevant = y.size, int(y.sum())
    assert ranked[:2].tolist() == [1, 0]
    last = int(np.flatnonzero(ranked == 1)[-1]) + 1
    cut = ranked[:last]  # what simulate writes by default: up to the last relevant record
    points = {p.rule: p for p in replay_specs(["consecutive:threshold=30", "knee", "buscar"],
                                              cut, pool_size=n, relevant_total=relevant,
                                              seed=1)}
    # the heuristic stops exactly where 30 excluded records in a row first occur
    run, expect = 0, None
    for i, v in enumerate(ranked, start=1):
        run = 0 if v else run + 1
        if run >= 30:
            expect = i
            break
    assert points["consecutive:threshold=30"].screened == expect
    # the statistical rule switched to random draws and reached its target here
    b = points["buscar"]
    assert b.switched_at is not None and b.random_sample > 0 and b.stopped
    assert b.screened == b.switched_at + b.random_sample
    assert b.recall >= 0.95 and 0 <= b.work_saved < 1
    # its estimate at the stop comes from the random sample and holds the true total
    est = b.estimate
    assert est["method"] == "random-sample" and est["sample_size"] == b.random_sample
    assert est["total_low"] <= relevant <= est["total_high"]
    # the same replay from the full order gives the same stops (the tail is irrelevant)
    again = replay_specs(["buscar"], ranked, pool_size=n, relevant_total=relevant, seed=1)[0]
    assert again.screened == b.screened and again.recall == b.recall


def test_simulation_hooks_metrics_and_plot(shared):
    ranked, y = _ranked_run(shared)
    last = int(np.flatnonzero(ranked == 1)[-1]) + 1
    points = stop_points_for_simulation(["asreview-100", "buscar"], ranked[2:last],
                                        ranked[:2], pool_size=y.size, seed=3)
    block = stop_metrics(points)
    assert set(block) == {"asreview-100", "buscar"}
    for entry in block.values():
        assert {"recall", "work_saved", "screened", "reason"} <= set(entry)
        assert 0 <= entry["recall"] <= 1 and 0 <= entry["work_saved"] <= 1
    fig, ax = plt.subplots()
    mark_stop_points(ax, points, priors=2, prior_relevant=1)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.startswith("stop: buscar") for label in labels)
    plt.close(fig)


def test_replay_refuses_an_order_missing_relevant_records():
    with pytest.raises(ConfigError) as err:
        replay_rule(make_rule("knee"), [1, 0, 0], pool_size=10, relevant_total=3)
    assert "last relevant" in err.value.hint
