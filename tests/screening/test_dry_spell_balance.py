"""The balancer's dry-spell switch: a high relevant:irrelevant ratio while relevant
records keep turning up, a lower one once the last ``dry_after`` screened were all
irrelevant (the irrelevant records then weigh more and push the ranking elsewhere)."""

import numpy as np
import pytest

from nlp_review.errors import ConfigError
from nlp_review.screening import registry
from nlp_review.screening.balance import Balanced


def labels(*runs: tuple[int, int]) -> np.ndarray:
    return np.concatenate([np.full(n, v) for v, n in runs])


def test_ratio_switches_only_after_enough_irrelevant_in_a_row():
    b = Balanced(ratio=20.0, dry_ratio=5.0, dry_after=30)
    assert b.ratio_for(labels((1, 3), (0, 29))) == 20.0
    assert b.ratio_for(labels((1, 3), (0, 30))) == 5.0
    # One relevant record ends the dry spell.
    assert b.ratio_for(labels((1, 3), (0, 40), (1, 1))) == 20.0
    assert b.ratio_for(labels((1, 3), (0, 40), (1, 1), (0, 29))) == 20.0
    # Off by default: ELAS u4's fixed ratio.
    assert Balanced(ratio=9.8).ratio_for(labels((1, 1), (0, 500))) == 9.8


def test_irrelevant_records_weigh_more_during_a_dry_spell():
    b = Balanced(ratio=20.0, dry_ratio=5.0, dry_after=30, normalize=True)
    wet, dry = labels((1, 4), (0, 20), (1, 1), (0, 29)), labels((1, 4), (0, 20), (1, 1), (0, 30))
    w_wet, w_dry = b.sample_weight(wet), b.sample_weight(dry)
    assert np.isclose(w_dry.sum(), len(dry))
    assert w_dry[-1] / w_dry[0] > 3 * w_wet[-1] / w_wet[0]
    assert np.allclose(w_dry, Balanced(ratio=5.0, normalize=True).sample_weight(dry))


def test_picked_by_name_with_its_parameters():
    b = registry.make("balancer", "balanced", {"ratio": 20.0, "dry_ratio": 5.0, "dry_after": 30,
                                               "normalize": True, "grid": 0.02})
    assert b.ratio_for(labels((1, 1), (0, 30))) == 5.0
    with pytest.raises(ConfigError) as exc:
        registry.make("balancer", "balanced", {"dry_spell": 30})
    assert "dry_after" in exc.value.hint and "dry_ratio" in exc.value.hint
    with pytest.raises(ConfigError) as exc:
        registry.make("balancer", "balance")
    assert "balanced" in exc.value.hint
