"""The tagger-training benchmark's defaults: rounds 1-8 and 10 train, each scored round is
judged against the rules frozen before it was scored, and the round being measured (holdout6)
is neither trained on nor in the word vectors' texts."""

from __future__ import annotations

import importlib.util
import subprocess

import pytest

from tests.annotate.conftest import REPO

BENCH = REPO / "benchmarks" / "tagger_training"
GOLD = REPO / "annotations" / "gold"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"tt_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rounds_one_to_eight_and_ten_train_and_round_nine_is_the_measure():
    run = _load("run")
    assert run.TRAIN_GOLD[-2:] == ["holdout5.jsonl", "train2.jsonl"]
    assert len(run.TRAIN_GOLD) == 8
    assert run.TEST_GOLD == "holdout6.jsonl"
    assert run.TEST_GOLD not in run.TRAIN_GOLD
    for name in run.TRAIN_GOLD:
        assert (GOLD / name).is_file(), name
    # the word vectors leave out the measured round's texts, not a training round's
    vectors = _load("vectors")
    assert vectors.DEFAULT_EXCLUDE == run.TEST_GOLD.removesuffix(".jsonl")
    excluded = vectors.excluded_records(GOLD / "selection.csv", {vectors.DEFAULT_EXCLUDE})
    assert len(excluded) == 60
    assert not excluded & vectors.excluded_records(GOLD / "selection.csv",
                                                   {"holdout5", "train2"})


def test_every_scored_round_is_judged_against_the_rules_frozen_before_it():
    run = _load("run")
    files = [f for f, _ in run.UNSEEN_RULES]
    # round 8 joined the training gold with the rules it was scored with; round 10 with the
    # rules it was annotated under
    assert ("holdout5.jsonl", "738705f") in run.UNSEEN_RULES
    assert ("train2.jsonl", "1b79f86") in run.UNSEEN_RULES
    assert len(set(files)) == len(files)
    for file, commit in run.UNSEEN_RULES:
        assert file in run.TRAIN_GOLD or file == "test_fresh.jsonl", file
        assert (GOLD / file).is_file(), file


@pytest.mark.parametrize("commit", ["478871c", "1cc447f", "8881aec", "3cf4dc9", "072297a",
                                    "738705f", "1b79f86"])
def test_the_rule_snapshots_exist_and_hold_the_rule_files(commit):
    run = _load("run")
    assert commit in dict(run.UNSEEN_RULES).values()
    listed = subprocess.run(["git", "-C", str(REPO), "ls-tree", "-r", "--name-only", commit,
                             "models/taxonomy.json", "models/patterns"],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip(f"no git history here ({listed.stderr.strip()})")
    assert "models/taxonomy.json" in listed.stdout.split()
    assert any(p.startswith("models/patterns/") for p in listed.stdout.split())
