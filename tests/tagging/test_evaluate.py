"""Scores on gold files: overlap vs exact, per label and group, misses and false hits."""

from __future__ import annotations

import json

import pytest

from nlp_review.errors import InputErrors
from nlp_review.tagging.evaluate import GoldText, read_gold, score
from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

GROUP_OF = {k: v.group for k, v in load_taxonomy(default_models_dir() / "taxonomy.json").items()}


def span(start, end, label):
    return {"start": start, "end": end, "label": label, "group": GROUP_OF[label]}


def test_overlap_and_exact_scores():
    text = "young people and their parents in schools"
    gold = GoldText("1", text, [span(0, 12, "ADOLESCENTS"), span(23, 30, "PARENTS_CARERS"),
                                span(34, 41, "SCHOOL")], "g.jsonl", 1)
    pred = [span(6, 12, "ADOLESCENTS"),     # overlaps, not exact
            span(23, 30, "PARENTS_CARERS"),  # exact
            span(34, 41, "COMMUNITY")]       # wrong label: false hit, and SCHOOL missed
    ev = score([(gold, pred)], GROUP_OF)
    pop_o, pop_e = ev.by_group["overlap"]["population"], ev.by_group["exact"]["population"]
    assert (pop_o.precision, pop_o.recall) == (1.0, 1.0)
    assert (pop_e.precision, pop_e.recall) == (0.5, 0.5)
    setting = ev.by_group["overlap"]["setting"]
    assert (setting.precision, setting.recall, setting.f1) == (0.0, 0.0, 0.0)
    kinds = sorted((e["kind"], e["label"], e["text"]) for e in ev.errors)
    assert kinds == [("false_hit", "COMMUNITY", "schools"), ("miss", "SCHOOL", "schools")]
    assert ev.by_label["exact"]["ADOLESCENTS"].f1 == 0.0


def test_gold_file_problems_are_all_reported(tmp_path):
    labels = load_taxonomy(default_models_dir() / "taxonomy.json")
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "1", "text": "kids", "spans": [span(0, 4, "CHILDREN")]}),
        json.dumps({"id": "2", "text": "kids", "spans": [span(0, 9, "CHILDREN")]}),
        json.dumps({"id": "3", "text": "kids", "spans": [{"start": 0, "end": 4,
                                                          "label": "KIDS"}]}),
        "{broken",
    ]) + "\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        read_gold(path, labels)
    assert [e.line for e in info.value.errors] == [2, 3, 4]


def test_gold_files_in_the_repository_are_valid():
    from pathlib import Path

    labels = load_taxonomy(default_models_dir() / "taxonomy.json")
    gold = Path(__file__).resolve().parents[2] / "annotations" / "gold"
    for path in sorted(gold.glob("*.jsonl")):
        read_gold(path, labels)
