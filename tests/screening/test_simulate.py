import numpy as np
import pytest

from nlp_review.errors import ConfigError
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.simulate import Simulation


@pytest.fixture(scope="module")
def data(antihistamines):
    return load_labelled_csv(antihistamines)


def priors(d, k=0):
    return [int(np.flatnonzero(d.labels == 1)[k]), int(np.flatnonzero(d.labels == 0)[k])]


def test_simulation_finds_every_relevant_record_far_sooner_than_random(data):
    p = priors(data)
    result = Simulation(data.texts, data.labels, p, seed=1).run()
    m = result.metrics
    assert set(result.order).isdisjoint(p)
    assert len(set(result.order)) == len(result.order)
    assert m["relevant"] == data.labels.sum() - 1 and sum(result.labels) == m["relevant"]
    assert result.labels[-1] == 1  # stops at the last relevant record
    assert m["records"] == len(data) - 2
    assert m["loss"] < 0.35 and m["rrf@10"] > 0.2 and m["atd"] < 0.35


def test_all_screens_every_record(data):
    result = Simulation(data.texts, data.labels, priors(data), until="all").run()
    assert len(result.order) == len(data) - 2


def test_hooks_switch_to_random_and_mark_and_stop(data):
    sim = Simulation(data.texts, data.labels, priors(data), seed=3)
    for _ in range(20):
        sim.step()
    sim.mark("rule_a")
    sim.set_querier("random")
    before = sim.scores.copy()
    picked = [sim.step() for _ in range(30)]
    # random picks do not follow the model's ranking
    assert np.mean(before[picked]) < np.sort(before[sim.pool])[-30:].mean()
    calls = []

    def stop_after_five(s):
        calls.append(len(s.order))
        return len(calls) == 5

    result = sim.run([stop_after_five])
    assert result.marks == {"rule_a": 20}
    assert len(result.order) == 55
    with pytest.raises(ConfigError):
        sim.set_querier("sideways")


def test_same_seed_same_order(data):
    a = Simulation(data.texts, data.labels, priors(data, 1), preset="svm_mixed", seed=5).run()
    b = Simulation(data.texts, data.labels, priors(data, 1), preset="svm_mixed", seed=5).run()
    assert a.order == b.order
