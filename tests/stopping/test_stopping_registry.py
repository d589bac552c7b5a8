"""Rules by name: the registry, parameters in specs, and the presets data file."""

from __future__ import annotations

import json

import pytest

from nlp_review.errors import ConfigError, InputErrors
from nlp_review.stopping import KneeMethod, StatisticalStop, make_rule, rule_names
from nlp_review.stopping.registry import PRESETS_FILE, load_presets


def test_wrong_name_lists_valid_ones():
    with pytest.raises(ConfigError) as err:
        make_rule("kneee")
    assert "kneee" in err.value.message
    for name in ("knee", "buscar", "consecutive", "asreview-100", "safe-50"):
        assert name in err.value.hint


def test_spec_parameters_are_typed():
    rule = make_rule("buscar:recall_target=0.9,confidence=0.99,ranked_as_sample=true")
    assert isinstance(rule, StatisticalStop)
    assert rule.recall_target == 0.9 and rule.confidence == 0.99 and rule.ranked_as_sample is True
    assert make_rule("consecutive:threshold=50").threshold == 50
    assert make_rule("knee").get_params() == KneeMethod().get_params()


def test_preset_with_override():
    assert make_rule("asreview-100").threshold == 100
    assert make_rule("asreview-100:threshold=250").threshold == 250


def test_unknown_or_malformed_parameter():
    with pytest.raises(ConfigError) as err:
        make_rule("knee:slope=6")
    assert "slope" in err.value.message and "ratio" in err.value.hint
    with pytest.raises(ConfigError):
        make_rule("knee:ratio")
    with pytest.raises(ConfigError) as err:
        make_rule("buscar:confidence=95")
    assert "between 0 and 1" in err.value.message


def test_shipped_presets_are_valid_and_documented():
    presets = load_presets()
    assert set(presets) <= set(rule_names())
    raw = json.loads(PRESETS_FILE.read_text())["presets"]
    assert all(entry.get("comment") for entry in raw.values())


def test_bad_presets_file_reports_every_problem(tmp_path):
    path = tmp_path / "presets.json"
    path.write_text(json.dumps({"presets": {
        "a": {"rule": "nope"},
        "b": {"rule": "knee", "params": {"slope": 3}},
        "c": {"rule": "knee", "colour": "red"},
        "ok": {"rule": "knee", "params": {"ratio": 8}},
    }}))
    with pytest.raises(InputErrors) as err:
        load_presets(path)
    text = str(err.value)
    assert "3 problem(s)" in text
    assert "record a" in text and "record b" in text and "record c" in text
