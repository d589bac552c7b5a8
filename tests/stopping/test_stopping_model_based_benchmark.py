"""The model-based stopping measurement (benchmarks/stopping/model_based.py) decides the
claim in RESULTS.md, so its verdict arithmetic and the combination with counting-lodo are
checked here on hand-made checks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "stopping"


@pytest.fixture(scope="module")
def mb():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("model_based", BENCH / "model_based.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["model_based"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def analysis(mb):
    spec = importlib.util.spec_from_file_location("model_based_analysis",
                                                  BENCH / "model_based_analysis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check(found: int, s: float, v: float, sk: float = 0.0, vk: float = 0.0) -> dict:
    probs = {"S": s, "V": v}
    return {"n": 100, "found": found, "cf_iso": probs, "cf_platt": probs,
            "in_platt": {"S": s, "V": v, "Sk": sk, "Vk": vk}}


def test_a_setting_stops_only_when_the_bound_leaves_95_percent_recall(mb):
    # 19 found: at most 1 relevant record may be left for 95 % recall
    idx = {s: i for i, s in enumerate(mb.SETTINGS)}
    loose = _check(19, s=0.5, v=0.25)  # U = 0.5 + z * 0.5
    stops = mb.setting_stops(loose)
    assert stops[idx[("cf_iso", 0.0, 1)]] and stops[idx[("cf_iso", 1.0, 10)]]
    assert not stops[idx[("cf_iso", 1.5, 1)]]  # 0.5 + 0.75 > 1
    assert not stops[idx[("cf_iso", 0.0, 20)]]  # fewer than 20 found
    assert not mb.setting_stops(_check(19, s=1.2, v=0.0)).any()


def test_reference_quant_rules_follow_the_published_ratio(mb):
    # estimated recall = Sk / (Sk + S) = 19 / 20 = 0.95: Quant stops, QuantCI (2 sd) not
    quant, quantci = mb.reference_stops(_check(19, s=1.0, v=0.5, sk=19.0, vk=1.0))
    assert quant and not quantci
    assert mb.reference_stops(_check(19, s=0.0, v=0.0, sk=19.0, vk=0.0)).all()


def test_checks_every_2_5_percent_of_the_pool(mb):
    assert mb.check_every(2000) == 50 and mb.check_every(64) == 2 and mb.check_every(10) == 1


def test_the_combination_waits_for_both_rules(analysis):
    m_at, m_ok = np.array([20, 40, 60, 80]), np.array([False, True, True, True])
    c_at, c_ok = np.array([25, 50, 75]), np.array([False, False, True])
    assert analysis.combined_stop(m_at, m_ok, c_at, c_ok, pool=100, recorded_to=100) == \
        (75, False)
    # the model changes its mind at the counting rule's check: keep going
    m_ok2 = np.array([False, True, False, True])
    assert analysis.combined_stop(m_at, m_ok2, c_at, c_ok, pool=100, recorded_to=100) == \
        (80, False)
    # neither agrees: screen everything
    assert analysis.combined_stop(m_at, ~m_ok, c_at, c_ok, pool=100, recorded_to=100)[0] == 100


def test_recall_and_work_saved_at_a_stop(analysis):
    run = {"cum": [1, 1, 2, 2, 3], "relevant_total": 4, "pool": 10}
    assert analysis.outcome_at(run, 3) == (0.5, 0.7)
    # past the recorded sequence (the simulation ran to its end): everything was found
    assert analysis.outcome_at({"cum": [1, 2], "relevant_total": 2, "pool": 10}, 10) == \
        (1.0, 0.0)
