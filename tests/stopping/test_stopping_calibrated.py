"""The calibrated counting-process rule (`counting-calibrated`, preset `counting-lodo`) and
its leave-one-dataset-out calibration: it stops near where a known rate says and not
before, later than the uncalibrated Bayesian rule it tightens, never before its minimum of
relevant records, not while relevant records keep arriving; bad parameters are named; the
calibration picks the setting a reviewer would expect and its LODO result counts a
left-out dataset's surprise as a miss."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import ConfigError
from nlp_review.stopping import make_rule
from nlp_review.stopping.calibrated import CalibratedCounting, allowed_left
from nlp_review.stopping.counting import counting_estimate
from nlp_review.stopping.registry import load_presets
from nlp_review.stopping.replay import replay_rule

POOL = 2000
BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "stopping"


def _ranking(seed: int, a: float = 0.6, scale: float = 150.0) -> np.ndarray:
    """Relevant records drawn with the known rate a * exp(-rank / scale) (~90 in all)."""
    rank = np.arange(1, POOL + 1)
    return (np.random.default_rng(seed).random(POOL) < a * np.exp(-rank / scale)).astype(int)


def test_preset_is_the_calibrated_rule_with_its_source_named():
    rule_name, params = load_presets()["counting-lodo"]
    assert rule_name == "counting-calibrated"
    assert 0.95 <= params["quantile"] < 1 and params["min_found"] >= 1
    rule = make_rule("counting-lodo")
    assert isinstance(rule, CalibratedCounting) and rule.quantile == params["quantile"]
    comment = (BENCH.parents[1] / "models" / "stopping" / "presets.json").read_text()
    assert "benchmarks/stopping/calibrate.py" in comment


def test_stops_near_where_a_known_rate_says_and_later_than_the_uncalibrated_rule():
    stops, bayes, recalls = [], [], []
    for seed in range(8):
        y = _ranking(seed)
        total = int(y.sum())
        point = replay_rule(make_rule("counting-lodo"), y, pool_size=POOL, relevant_total=total)
        stops.append(point.screened)
        recalls.append(point.recall)
        bayes.append(replay_rule(make_rule("counting-bayes"), y, pool_size=POOL,
                                 relevant_total=total).screened)
    assert sum(r >= 0.95 for r in recalls) >= 7
    # 95 % of the expected relevant records lie in the first ~450 ranks: it stops after
    # that, but well before the end of the pool
    assert min(stops) >= 400 and max(stops) < 1300
    # a higher quantile can only stop at the same check or a later one
    assert all(s >= b for s, b in zip(stops, bayes)) and np.mean(stops) > np.mean(bayes)


def test_never_stops_before_its_minimum_of_relevant_records():
    y = np.zeros(POOL, dtype=int)
    y[[0, 2, 4, 7, 11, 16, 22, 30]] = 1  # 8 relevant early, then a long dry run
    strict = CalibratedCounting(quantile=0.98, min_found=10)
    d = strict.decide(y[:1500], pool_size=POOL)
    assert not d.stop and "never stops before 10" in d.reason
    assert d.numbers["expected_left"] is not None  # the model's estimate is still shown
    loose = CalibratedCounting(quantile=0.98, min_found=5, min_relevant=5)
    assert loose.decide(y[:1500], pool_size=POOL).stop


def test_does_not_stop_while_relevant_records_keep_arriving():
    rule = make_rule("counting-lodo")
    steady = np.zeros(1200, dtype=int)
    steady[::15] = 1  # one in 15 relevant all along
    for n in (400, 800, 1200):
        d = rule.decide(steady[:n], pool_size=POOL)
        assert not d.stop and d.numbers["expected_left"] > 30, d.reason
    y = _ranking(3)[:900].copy()
    y[800:900:4] = 1  # a burst of relevant records in the latest records
    assert not rule.decide(y, pool_size=POOL).stop


def test_reason_can_go_into_a_methods_section_and_estimate_uses_the_posterior():
    y = _ranking(1)
    rule = make_rule("counting-lodo")
    first = next(n for n in rule.checkpoints(POOL) if rule.decide(y[:n], pool_size=POOL).stop)
    d = rule.decide(y[:first], pool_size=POOL)
    assert "posterior quantile" in d.reason and "leave-one-dataset-out" in d.reason
    found = int(y[:first].sum())
    assert found / (found + d.numbers["upper_left"]) >= 0.95
    est = counting_estimate(y[:first], POOL, 0.95, rule)
    assert est is not None and est.total_low <= found + d.numbers["expected_left"] <= est.total_high


@pytest.mark.parametrize("target", [0.95, 0.9, 0.8])
def test_allowed_left_is_the_verdicts_threshold(target):
    for found in range(400):
        m = allowed_left(found, target)
        assert target * (found + m) <= found + 1e-9
        assert target * (found + m + 1) > found + 1e-9
    assert allowed_left(19, 0.95) == 1 and allowed_left(18, 0.95) == 0


@pytest.mark.parametrize("spec, words", [
    ("counting-calibrated", ["needs a calibrated quantile", "counting-lodo"]),
    ("counting-calibrated:quantile=1.5", ["quantile must be between 0 and 1"]),
    ("counting-lodo:min_found=0", ["min_found must be a whole number >= 1"]),
    ("counting-lodo:min_found=2.5", ["min_found must be a whole number >= 1"]),
    ("counting-lodo:rate=exponential", ["unknown parameter(s) rate", "quantile"]),
])
def test_bad_parameters_are_named(spec, words):
    with pytest.raises(ConfigError) as err:
        make_rule(spec)
    text = f"{err.value.message} {err.value.hint}"
    for w in words:
        assert w in text


def test_cli_names_the_missing_calibration(tmp_path):
    runner = CliRunner()
    proj = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    result = runner.invoke(app, ["stopping", "-p", str(proj), "--rule", "counting-calibrated"])
    assert result.exit_code != 0
    assert "calibrated quantile" in result.output and "Traceback" not in result.output


@pytest.fixture()
def calibrate_module():
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(BENCH.parents[0] / "screening"))
    import calibrate

    yield calibrate
    sys.path.remove(str(BENCH))


def test_calibration_picks_the_most_work_saved_that_keeps_the_promise(calibrate_module):
    C = calibrate_module
    n_runs, n_set = 60, len(C.SETTINGS)
    rec = np.ones((n_runs, n_set))
    # looser settings (lower index) save more work
    sav = np.tile(np.linspace(0.6, 0.1, n_set), (n_runs, 1))
    rec[:6, :10] = 0.9  # the 10 loosest settings miss on 6 runs (10 %): not feasible
    rec[:3, 10:20] = 0.9  # the next 10 miss on 3 runs (5 %): feasible with margin 0
    rows = np.arange(n_runs)
    assert C.choose(rec, sav, rows, margin=0) == 10
    assert C.choose(rec, sav, rows, margin=1) == 20  # one run fewer allowed: stricter
    rec[:, :] = 0.5
    assert C.choose(rec, sav, rows, margin=0) == n_set - 1  # none feasible: strictest


def test_lodo_counts_a_left_out_surprise_as_a_miss(calibrate_module):
    """Three datasets x 3 runs; only the left-out dataset 'hard' needs the strict setting.
    Choosing on the other datasets picks the loose setting, which misses on 'hard': the
    pooled LODO result must show those misses, not the in-sample success."""
    C = calibrate_module
    names = [d for d in ("a", "b", "c", "d", "e", "hard") for _ in range(3)]
    n_set = len(C.SETTINGS)
    rec = np.ones((len(names), n_set))
    sav = np.tile(np.linspace(0.6, 0.1, n_set), (len(names), 1))
    rec[-3:, : n_set - 1] = 0.9  # 'hard' reaches 95 % only with the strictest setting
    res = C.calibrate_table(names, rec, sav)
    assert res["lodo"]["reached"] == len(names) - 3
    assert res["shipped"]["quantile"] == C.SETTINGS[-1][0]


def test_stopping_command_shows_the_calibrated_rule_and_its_estimate(tmp_path):
    from nlp_review.store.decisions import add_decision
    from nlp_review.store.project import open_project

    runner = CliRunner()
    rows = ["record_id,title,abstract"] + [f"{i},Study {i},Abstract of study {i}"
                                           for i in range(1, 1001)]
    data = tmp_path / "search.csv"
    data.write_text("\n".join(rows) + "\n")
    proj = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(proj)]).exit_code == 0
    assert runner.invoke(app, ["import", str(data), "-p", str(proj)]).exit_code == 0
    p = open_project(proj)
    ids = [r[0] for r in p.conn.execute("SELECT id FROM works ORDER BY id")]
    labels = (np.random.default_rng(4).random(700)
              < 0.6 * np.exp(-np.arange(700) / 60)).astype(int)
    for rid, label in zip(ids[:700], labels):
        add_decision(p.conn, rid, int(label), reviewer="ann", origin="screen")
    p.close()
    result = runner.invoke(app, ["stopping", "-p", str(proj), "--rule", "counting-lodo"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "counting-lodo" in out and "posterior quantile" in out
    assert "model-based" in out  # the recall estimate from the calibrated rule's posterior
