"""How model spans join the rule spans, and how the combination is chosen from held-out
predictions (pure functions: no model is trained here)."""

from __future__ import annotations

from nlp_review.annotate.combine import (Candidate, Existing, Scored, choose_combination,
                                         combined_counts, select_model_spans)
from nlp_review.tagging.evaluate import GoldText

GROUP_OF = {"CHILDREN": "population", "PARENTS": "population", "SCHOOL": "setting",
            "LONELINESS": "outcome"}


def test_select_defers_to_overlapping_spans_and_thresholds():
    rule = [Existing(0, 8, "CHILDREN", "population")]
    cands = [Candidate(0, 8, "CHILDREN", "population", 0.99),   # same label: rules have it
             Candidate(0, 8, "PARENTS", "population", 0.9),     # same group, other label
             Candidate(20, 26, "SCHOOL", "setting", 0.4),       # under the threshold
             Candidate(30, 40, "LONELINESS", "outcome", 0.8),
             Candidate(32, 40, "LONELINESS", "outcome", 0.95)]  # overlaps the model's own
    th = {"population": 0.5, "setting": 0.5, "outcome": 0.5}
    kept = select_model_spans(cands, rule, th, "label")
    assert [(c.label, c.start) for c in kept] == [("PARENTS", 0), ("LONELINESS", 30)]
    assert [c.label for c in select_model_spans(cands, rule, th, "group")] == ["LONELINESS"]
    assert [c.label for c in select_model_spans(cands, rule, {**th, "outcome": None},
                                                "any")] == []
    assert [c.label for c in select_model_spans(cands, rule, {"setting": 0.3},
                                                "any")] == ["SCHOOL"]


def _texts(n: int) -> list[Scored]:
    """n texts: the rules find the children but miss the parents; the model finds the
    parents (score 0.9) and wrongly calls "lonely walk" LONELINESS (score 0.6), and in the
    setting group it is always wrong."""
    text = "Children and parents. A lonely walk. Home."
    gold = [{"start": 0, "end": 8, "label": "CHILDREN", "group": "population"},
            {"start": 13, "end": 20, "label": "PARENTS", "group": "population"},
            {"start": 37, "end": 41, "label": "SCHOOL", "group": "setting"}]
    rules = [{"start": 0, "end": 8, "label": "CHILDREN", "group": "population"},
             {"start": 37, "end": 41, "label": "SCHOOL", "group": "setting"},
             {"start": 24, "end": 30, "label": "LONELINESS", "group": "outcome"}]
    cands = [Candidate(13, 20, "PARENTS", "population", 0.9),
             Candidate(24, 35, "LONELINESS", "outcome", 0.6),
             Candidate(22, 23, "SCHOOL", "setting", 0.97)]
    return [Scored(GoldText(str(i), text, gold, "g", i), rules, cands) for i in range(n)]


def test_choice_adds_model_spans_only_where_they_help():
    texts = _texts(5)
    combo = choose_combination(texts, GROUP_OF, thresholds=(0.5, 0.95),
                               criterion="held_out_gain")
    # population: +5 gold found, no false hit -> on; setting: every added span is false
    # -> off; outcome: no gold at all -> off
    assert combo["group_thresholds"] == {"population": 0.5}
    e = combo["estimates"]["population"]
    assert e["r_rules"] == 0.5 and e["r_both"] == 1.0 and e["p_both"] == 1.0
    rules, both = combined_counts(texts, GROUP_OF, combo["group_thresholds"],
                                  combo["defer_to"])
    assert both["setting"].n_pred == rules["setting"].n_pred  # nothing added there
    assert both["population"].tp_gold == 10 and rules["population"].tp_gold == 5


def test_choice_needs_enough_gold_found():
    combo = choose_combination(_texts(1), GROUP_OF, min_found=2, criterion="held_out_gain")
    assert combo["group_thresholds"] == {}  # one more gold span is too little to go on


def _tuned_texts(n: int) -> list[Scored]:
    """n texts whose rules were tuned on them: they miss the parents in the first text
    only. The model finds children and parents everywhere (0.9), calls "lonely walk"
    PARENTS in every text with 0.55, and its setting spans are always wrong."""
    text = "Children and parents. A lonely walk. Home."
    gold = [{"start": 0, "end": 8, "label": "CHILDREN", "group": "population"},
            {"start": 13, "end": 20, "label": "PARENTS", "group": "population"},
            {"start": 37, "end": 41, "label": "SCHOOL", "group": "setting"}]
    cands = [Candidate(0, 8, "CHILDREN", "population", 0.9),
             Candidate(13, 20, "PARENTS", "population", 0.9),
             Candidate(24, 35, "PARENTS", "population", 0.55),
             Candidate(22, 23, "SCHOOL", "setting", 0.97)]
    out = []
    for i in range(n):
        rules = [gold[0], gold[2]] + ([gold[1]] if i else [])
        out.append(Scored(GoldText(str(i), text, gold, "g", i), rules, cands))
    return out


def test_precision_bound_trusts_a_precise_model_where_tuned_rules_leave_little_to_find():
    texts = _tuned_texts(12)
    old = choose_combination(texts, GROUP_OF, thresholds=(0.5, 0.6, 0.95),
                             criterion="held_out_gain")
    assert old["group_thresholds"] == {}  # one more gold span found: too little for it
    new = choose_combination(texts, GROUP_OF, thresholds=(0.5, 0.6, 0.95))
    assert new["criterion"] == "precision_bound"
    # population: at 0.5 the model's own spans are right 24 of 36 times (0.67 < 1.0 - 0.05)
    # -> the lowest admissible threshold is 0.6 (24 of 24); setting: 0 of 12 right -> off
    assert new["group_thresholds"] == {"population": 0.6}
    e = new["estimates"]["population"]
    assert e["p_model"] == 1.0 and e["n_model"] == 24 and e["r_both"] > e["r_rules"]
    assert new["model_precision"]["population"]["0.5"] == [24, 36]


def test_precision_bound_needs_enough_model_spans():
    combo = choose_combination(_tuned_texts(4), GROUP_OF, thresholds=(0.6,))
    assert combo["group_thresholds"] == {}  # 8 population spans < MIN_SUPPORT
