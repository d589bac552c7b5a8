"""Where train-tagger saves by default, and what a user is told when --spancat names no
model: the model shipped in models/spancat/ is never replaced by accident."""

from __future__ import annotations

import json

import pytest

from nlp_review.cli.app import app
from nlp_review.tagging.patterns import default_models_dir

from tests.annotate.conftest import GOLD_TRAIN, gold_lines


@pytest.mark.slow  # trains on four texts (two folds, one pass), ~10-20 s
def test_train_tagger_saves_into_the_project_folder_not_over_the_shipped_model(
        runner, tmp_path):
    shipped = default_models_dir() / "spancat" / "meta.json"
    before = shipped.read_bytes()
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TRAIN, 4)))
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--epochs", "1",
                                 "--folds", "2", "-p", str(tmp_path)])
    assert result.exit_code == 0, result.output + result.stderr
    assert (tmp_path / "spancat" / "meta.json").is_file()
    assert shipped.read_bytes() == before


def test_a_missing_spancat_folder_points_to_the_shipped_model(runner, tmp_path):
    text = tmp_path / "t.jsonl"
    text.write_text(json.dumps({"id": "1", "text": "Peer mentoring for adolescents."}) + "\n")
    result = runner.invoke(app, ["tag", "--input", str(text), "--output",
                                 str(tmp_path / "out.jsonl"), "--spancat",
                                 str(tmp_path / "models" / "spancat")])
    assert result.exit_code != 0
    said = " ".join(result.stderr.split())
    assert "no trained model in" in said
    assert "the model shipped with nlp-review is" in said
    assert not (tmp_path / "out.jsonl").exists()
