"""Each rule on decision sequences whose right answer can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from nlp_review.errors import ConfigError, InputError
from nlp_review.stopping import ConsecutiveIrrelevant, KneeMethod, StatisticalStop, make_rule
from nlp_review.stopping.replay import replay_rule
from nlp_review.stopping.rules import h0_pvalues, knee_slope_ratio, window_starts


def first_stop(rule, labels, pool_size, sampled=None):
    """Smallest number of decisions after which the rule says stop (None: never)."""
    for n in range(len(labels) + 1):
        s = None if sampled is None else sampled[:n]
        if rule.decide(labels[:n], s, pool_size=pool_size).stop:
            return n
    return None


# -- consecutive irrelevant -------------------------------------------------------------

def test_consecutive_stops_exactly_at_threshold():
    labels = [1, 0, 1] + [0] * 60
    rule = ConsecutiveIrrelevant(threshold=50)
    assert first_stop(rule, labels, 1000) == 3 + 50
    d = rule.decide(labels[:52], pool_size=1000)
    assert not d.stop and d.numbers["since_last_include"] == 49


def test_consecutive_share_of_pool():
    rule = ConsecutiveIrrelevant(threshold=0.05)  # 5 % of 400 = 20
    labels = [1] + [0] * 30
    assert first_stop(rule, labels, 400) == 21


@pytest.mark.parametrize("bad", [0, -3, 1.5, "many", True])
def test_consecutive_rejects_bad_threshold(bad):
    with pytest.raises(ConfigError) as err:
        ConsecutiveIrrelevant(threshold=bad).decide([0, 1], pool_size=10)
    assert "threshold" in str(err.value)


def test_every_rule_stops_when_pool_is_exhausted():
    labels = [1, 0, 0, 1, 0]
    for rule in (ConsecutiveIrrelevant(), KneeMethod(), StatisticalStop()):
        d = rule.decide(labels, pool_size=5)
        assert d.stop and "every one of the 5" in d.reason


def test_bad_labels_and_lengths_are_reported():
    with pytest.raises(InputError) as err:
        KneeMethod().decide([0, 1, 2], pool_size=10)
    assert "record 3" in str(err.value)
    with pytest.raises(ConfigError):
        KneeMethod().decide([0, 1], [True], pool_size=10)
    with pytest.raises(ConfigError):
        KneeMethod().decide([0, 1, 0], pool_size=2)


# -- knee method -------------------------------------------------------------------------

def test_knee_ratio_by_hand():
    # 10 relevant in the first 20 records, then nothing: the knee is at record 20 and the
    # slope ratio at s records is (10/20) / (1 / (s - 20)) = (s - 20) / 2.
    labels = np.array([1, 0] * 10 + [0] * 400)
    ratio, knee = knee_slope_ratio(labels[:120])
    assert knee == 19 or knee == 20
    assert ratio == pytest.approx((10 / knee) / (1 / (120 - knee)))
    # required ratio with 10 relevant found: 156 - 10 = 146 -> (s - knee) / 2 >= 146
    rule = KneeMethod()
    stop = first_stop(rule, labels, 5000)
    ratio_at, knee_at = knee_slope_ratio(labels[:stop])
    assert ratio_at >= 146 > knee_slope_ratio(labels[: stop - 1])[0]
    assert rule.decide(labels[:stop], pool_size=5000).numbers["required_ratio"] == 146


def test_knee_minimum_screened_guard():
    labels = np.array([1] * 40 + [0] * 200)
    unguarded = first_stop(KneeMethod(min_screened=0, adjust=False), labels, 5000)
    guarded = first_stop(KneeMethod(adjust=False), labels, 5000)
    assert unguarded < 150 and guarded == 150
    d = KneeMethod().decide(labels[:100], pool_size=5000)
    assert not d.stop and "minimum 150" in d.reason


def test_knee_never_stops_without_relevant_records():
    assert first_stop(KneeMethod(min_screened=0), [0] * 300, 5000) is None


# -- statistical stopping criterion ----------------------------------------------------

def test_h0_pvalue_matches_hand_computation():
    # 20 relevant found in 300 ranked records, then 100 random draws with none relevant,
    # pool 1000. H0 recall < 95 % means >= floor(20 / .95) + 1 = 22 relevant in all, so
    # >= 2 among the 700 unscreened when sampling began.
    labels = np.array([1] * 20 + [0] * 280 + [0] * 100)
    p = h0_pvalues(labels, 1000, 0.95, np.array([300]))[0]
    assert p == pytest.approx(hypergeom.cdf(0, 700, 2, 100))
    assert p == pytest.approx((600 * 599) / (700 * 699))


def test_statistical_rule_asks_for_random_sample_then_stops_when_h0_rejected():
    rule = StatisticalStop(switch_after=50)
    ranked = [1] * 20 + [0] * 49
    d = rule.decide(ranked, pool_size=1000)
    assert not d.stop and not d.wants_random_sample
    # the reason counts excludes in a row, not a record number (it read "starts at 50")
    assert "(49 excluded in a row; random sampling starts after 50 excluded in a row)" \
        in d.reason
    d = rule.decide(ranked + [0], pool_size=1000)
    assert d.wants_random_sample and not d.stop and "flattened" in d.reason
    # random draws, none relevant: stop at the first n with P(X=0 | 930, K=2, n) < .05
    start = len(ranked) + 1
    population = 1000 - start
    need = next(n for n in range(1, population) if hypergeom.cdf(0, population, 2, n) < 0.05)
    labels = ranked + [0] + [0] * need
    sampled = [False] * start + [True] * need
    assert first_stop(rule, labels, 1000, sampled) == start + need
    d = rule.decide(labels, sampled, pool_size=1000)
    assert d.stop and d.numbers["random_sample"] == need and d.numbers["p_value"] < 0.05


def test_statistical_rule_ignores_random_draws_that_are_not_the_latest():
    # an old random run followed by ranked screening is not a sample of today's pool
    labels = [1] * 5 + [0] * 500 + [0] * 10
    sampled = [False] * 5 + [True] * 500 + [False] * 10
    d = StatisticalStop(switch_after=1000).decide(labels, sampled, pool_size=1000)
    assert d.numbers["p_value"] is None and not d.stop


def test_window_starts_give_the_minimum_over_all_windows():
    rng = np.random.default_rng(0)
    for _ in range(100):
        pool = int(rng.integers(50, 300))
        labels = (rng.random(int(rng.integers(1, pool))) < 0.1).astype(int)
        every = h0_pvalues(labels, pool, 0.9, np.arange(labels.size)).min()
        assert h0_pvalues(labels, pool, 0.9, window_starts(labels)).min() == pytest.approx(every)


def test_statistical_rule_keeps_its_promise_on_adversarial_orders():
    """The ranking is random (the model learned nothing): the random-sample test must
    still reach 95 % recall in at least ~95 % of runs, whatever it costs."""
    rng = np.random.default_rng(42)
    rule = make_rule("buscar:switch_after=30,min_switch=30")
    met = []
    for run in range(40):
        pool, relevant = 300, int(rng.integers(15, 40))
        labels = np.zeros(pool, dtype=int)
        labels[rng.choice(pool, relevant, replace=False)] = 1
        point = replay_rule(rule, labels, pool_size=pool, relevant_total=relevant, seed=run)
        met.append(point.recall >= 0.95)
    assert np.mean(met) >= 0.9


def test_knee_and_heuristics_do_not_make_that_promise():
    """The same adversarial orders make the heuristics stop early with poor recall:
    the reason a statistical rule exists."""
    rng = np.random.default_rng(7)
    recalls = []
    for run in range(20):
        pool, relevant = 2000, 20
        labels = np.zeros(pool, dtype=int)
        labels[rng.choice(pool, relevant, replace=False)] = 1
        point = replay_rule(make_rule("safe-50"), labels, pool_size=pool,
                            relevant_total=relevant, seed=run)
        recalls.append(point.recall)
    assert np.mean(recalls) < 0.5


def test_a_p_value_just_under_alpha_is_never_shown_as_alpha():
    from nlp_review.stopping.rules import _below

    # the demo stopped with "p = 0.0500 < 0.05": rounded to 4 places, 0.049996 reads as alpha
    assert _below(0.049996, 0.05) == "0.049996"
    assert _below(0.0123456, 0.05) == "0.01235"
    assert _below(1.23456e-7, 0.05) == "1.235e-07"  # was "0.0000"
    for p in (0.04999999, 0.0499, 0.001):
        assert float(_below(p, 0.05)) < 0.05
