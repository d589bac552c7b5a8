"""The update's estimates: calibrated expectations of relevant new works and their interval."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import ConfigError
from nlp_review.living.estimate import (CrossFit, cross_fit, em_prior, estimate,
                                       recall_threshold)
from nlp_review.screening.ranker import Ranker
from nlp_review.screening.session import label_works
from nlp_review.workflows.deduplicating import run_dedupe
from nlp_review.workflows.importing import import_file

from .conftest import DATASET, read_labelled, write_export

runner = CliRunner()


def synthetic_update(rng: np.random.Generator, n_decided: int, n_new: int,
                     intercept: float = -3.0, slope: float = 1.5, folds: int = 5
                     ) -> tuple[CrossFit, int, float]:
    """Scores whose relevance follows a known logistic curve: the decided works' labels and
    the true number of relevant new works are drawn from it (returned with its expectation);
    each fold model scores a new work with a little noise around its true score."""
    s = rng.normal(size=n_decided)
    y = (rng.random(n_decided) < 1 / (1 + np.exp(-(intercept + slope * s)))).astype(int)
    true_new = rng.normal(size=n_new)
    new = true_new + 0.1 * rng.normal(size=(folds, n_new))
    p_new = 1 / (1 + np.exp(-(intercept + slope * true_new)))
    return CrossFit(s, y, new), int((rng.random(n_new) < p_new).sum()), float(p_new.sum())


def test_the_interval_holds_the_truth_at_about_its_stated_rate():
    rng = np.random.default_rng(7)
    held, errors, means = 0, [], []
    runs = 20
    for run in range(runs):
        fit, truth, mean = synthetic_update(rng, n_decided=500, n_new=400)
        est = estimate(fit, n_bootstrap=100, seed=run)
        assert est.low <= est.expected <= est.high
        held += est.low <= truth <= est.high
        errors.append(abs(est.expected - mean))
        means.append(mean)
    # nominal 90 %: 18 of 20 on average; 15 or fewer happens with probability < 5 %
    assert held >= 16, f"interval held the truth in {held} of {runs} runs"
    # the expectation itself is close to the true one (the count varies around it)
    assert np.mean(errors) < 0.15 * np.mean(means), (np.mean(errors), np.mean(means))


def test_the_interval_widens_with_fewer_decisions():
    rng = np.random.default_rng(3)
    fit, _, _ = synthetic_update(rng, n_decided=1200, n_new=400)
    many = estimate(fit, n_bootstrap=150)
    few_idx = np.concatenate([np.flatnonzero(fit.y == 1)[:8], np.flatnonzero(fit.y == 0)[:100]])
    few = estimate(CrossFit(fit.oof[few_idx], fit.y[few_idx], fit.new), n_bootstrap=150)
    assert few.n_decided == 108 and many.n_decided == 1200
    assert (few.high - few.low) > 1.5 * (many.high - many.low), (few, many)


def test_em_recovers_a_shifted_share_of_relevant_works():
    rng = np.random.default_rng(1)
    # class-conditional scores fixed, share of relevant works 10 % where calibrated, 30 % new
    def draw(n: int, share: float) -> tuple[np.ndarray, np.ndarray]:
        y = (rng.random(n) < share).astype(int)
        return np.where(y == 1, rng.normal(2.0, 1.0, n), rng.normal(0.0, 1.0, n)), y

    s_new, y_new = draw(4000, 0.30)
    # exact posterior under the 10 % prior (likelihood ratio of the two normals)
    odds = 0.1 / 0.9 * np.exp(2.0 * s_new - 2.0)
    prior, adjusted = em_prior(odds / (1 + odds), 0.1)
    assert abs(prior - y_new.mean()) < 0.03, (prior, y_new.mean())
    assert abs(adjusted.sum() - y_new.sum()) < 0.1 * y_new.sum()


def test_a_wrong_calibrator_name_lists_the_valid_ones():
    fit, _, _ = synthetic_update(np.random.default_rng(0), 100, 10)
    with pytest.raises(ConfigError) as err:
        estimate(fit, calibrator="beta")
    assert "isotonic" in err.value.hint and "platt" in err.value.hint


def test_replayed_updates_fall_within_their_intervals():
    """Five random first-search / update splits of a labelled dataset, the first search
    fully decided: the update's expected relevant works against the truth."""
    records = read_labelled(DATASET)
    y_all = np.array([r.label for r in records])
    ranker = Ranker().attach([f"{r.title or ''}\n\n{r.abstract or ''}".strip()
                              for r in records])
    held, ratios = 0, []
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(len(records))
        first, update = order[: int(0.6 * len(order))], order[int(0.6 * len(order)):]
        est = estimate(cross_fit(ranker, first, y_all[first], update), n_bootstrap=200)
        truth = int(y_all[update].sum())
        held += est.low <= truth <= est.high
        ratios.append(est.expected / truth)
        # the threshold keeps about the share of relevant new works it promises
        kept = y_all[update][est.scores >= est.threshold].sum() / truth
        assert kept >= est.expected_recall - 0.15, (seed, kept, est.expected_recall)
    assert held >= 4, f"the 90 % interval held the truth on {held} of 5 splits"
    assert np.mean(np.abs(np.log(ratios))) < np.log(1.25), ratios


def test_without_a_trained_model_the_update_says_so(project, tmp_path, ecec_replay):
    first = write_export(ecec_replay.first[:80], tmp_path / "first.csv")
    import_file(project, first)
    run_dedupe(project.conn)
    rid = project.conn.execute("SELECT MIN(id) FROM records").fetchone()[0]
    label_works(project.conn, [(rid, 0)], reviewer="sim")  # one exclude: no model
    path = project.path
    project.close()
    upd = write_export(ecec_replay.update[:60], tmp_path / "update.csv")
    out = runner.invoke(app, ["update", str(upd), "--no-tag", "-p", str(path)])
    assert out.exit_code == 0, out.output
    assert "no expected number of relevant records yet" in out.output
    assert "Expected relevant" not in out.output


def test_the_threshold_keeps_the_share_of_expected_relevant_works():
    scores = np.array([3.0, 2.0, 1.0, 0.0, -1.0])
    p = np.array([0.5, 0.3, 0.1, 0.06, 0.04])
    assert recall_threshold(scores, p, 0.95) == (0.0, 4)  # 0.96 of 1.0 by the top four
    assert recall_threshold(scores, p, 0.5) == (3.0, 1)
    assert recall_threshold(scores, p, 1.0) == (-1.0, 5)
