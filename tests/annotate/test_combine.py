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


def _texts_with_additions(n: int, rules_miss_parents: int) -> list[Scored]:
    """n texts whose rules find the children but miss the parents in the first
    ``rules_miss_parents`` texts. The model finds children and parents everywhere (0.9),
    calls "lonely walk" PARENTS everywhere with 0.55, and puts a wrong SCHOOL on "A" (0.97)."""
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
        rules = [gold[0], gold[2]] + ([] if i < rules_miss_parents else [gold[1]])
        out.append(Scored(GoldText(str(i), text, gold, "g", i), rules, cands))
    return out


def test_additions_bound_trusts_precise_additions():
    # the rules miss the parents everywhere: at 0.6 the model adds 40 right spans
    combo = choose_combination(_texts_with_additions(40, 40), GROUP_OF,
                               thresholds=(0.5, 0.6, 0.95))
    assert combo["criterion"] == "additions_bound"
    # population: at 0.5 half the 80 additions are wrong -> the lowest admissible is 0.6;
    # setting: 40 additions, none right -> off
    assert combo["group_thresholds"] == {"population": 0.6}
    e = combo["estimates"]["population"]
    assert (e["n_added"], e["right_added"]) == (40, 40)
    assert 0.9 < e["p_added_low"] < 1.0 and e["bound"] <= 0.025
    assert e["r_rules"] == 0.5 and e["r_both"] == 1.0
    assert combo["additions"]["population"]["0.5"] == [40, 80]
    assert combo["additions"]["setting"]["0.95"] == [0, 40]


def test_additions_bound_ignores_the_spans_the_rules_have_too():
    """The old flaw: the model's own spans were right 81 of 81 times at 0.6, but only one
    of them was an addition; one addition is too few to go on, and at 0.5 its wrong
    "lonely walk" spans are most of what it adds."""
    texts = _texts_with_additions(40, 1)
    combo = choose_combination(texts, GROUP_OF, thresholds=(0.5, 0.6))
    assert combo["model_precision"]["population"]["0.6"] == [80, 80]
    assert combo["additions"]["population"]["0.6"] == [1, 1]
    assert combo["additions"]["population"]["0.5"] == [1, 41]
    assert combo["group_thresholds"] == {}


def test_additions_bound_needs_enough_additions():
    combo = choose_combination(_texts_with_additions(60, 19), GROUP_OF, thresholds=(0.6,))
    assert combo["additions"]["population"]["0.6"] == [19, 19]
    assert combo["group_thresholds"] == {}  # 19 < MIN_ADDITIONS, however right
    combo = choose_combination(_texts_with_additions(60, 20), GROUP_OF, thresholds=(0.6,))
    assert combo["group_thresholds"] == {"population": 0.6}
    # 20 right of 20 next to only 20 rule spans: the lower end of their precision (0.92)
    # would cost (1 - 0.92) * 20 / 40 = 0.04 > 0.025
    combo = choose_combination(_texts_with_additions(20, 20), GROUP_OF, thresholds=(0.6,))
    assert combo["group_thresholds"] == {}


def test_wilson_lower_bound():
    from nlp_review.annotate.combine import wilson_lower

    assert wilson_lower(0, 0) == 0.0 and wilson_lower(0, 10) == 0.0
    # fewer observations, wider interval: 1 of 4 right is weaker evidence than 25 of 100
    assert wilson_lower(1, 4) < wilson_lower(25, 100) < 0.25


def _textbook_wilson_lower(right: int, n: int, z: float) -> float:
    """The hand-written bound combine.py used before scipy's (Wilson 1927)."""
    p = right / n
    centre = p + z * z / (2 * n)
    spread = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return max(0.0, (centre - spread) / (1 + z * z / n))


def test_wilson_lower_is_the_textbook_bound():
    """scipy's one-sided 90 % Wilson bound is the textbook formula at z = the 90 % normal
    quantile, for every count of right out of n (n from 1 to 300); the rounded z = 1.2816
    used before moves it by under 2e-5, so the figures saved with a choice (4 decimals)
    are those of the hand-written bound."""
    from scipy.stats import norm

    from nlp_review.annotate.combine import wilson_lower

    z = norm.ppf(0.9)
    for n in (1, 2, 3, 4, 5, 7, 10, 18, 20, 25, 42, 70, 113, 129, 300):
        for right in range(n + 1):
            low = wilson_lower(right, n)
            assert abs(low - _textbook_wilson_lower(right, n, z)) < 1e-12, (right, n)
            assert abs(low - _textbook_wilson_lower(right, n, 1.2816)) < 2e-5, (right, n)
    # the lower bounds published with the rounds 1-4 model (RESULTS.md, Tagger training)
    assert [round(wilson_lower(k, n), 3) for k, n in [(61, 129), (39, 113), (6, 20)]] == [
        0.417, 0.290, 0.188]


def test_a_gated_group_gets_model_spans_only_in_texts_where_the_rules_found_it():
    cands = [Candidate(20, 26, "SCHOOL", "setting", 0.9),
             Candidate(30, 40, "LONELINESS", "outcome", 0.9)]
    th = {"setting": 0.5, "outcome": 0.5}
    no_setting = [Existing(0, 8, "CHILDREN", "population")]
    assert [c.label for c in select_model_spans(cands, no_setting, th, "label",
                                                gated=("setting",))] == ["LONELINESS"]
    setting_elsewhere = no_setting + [Existing(50, 54, "SCHOOL", "setting")]
    assert [c.label for c in select_model_spans(cands, setting_elsewhere, th, "label",
                                                gated=("setting",))] == ["SCHOOL",
                                                                         "LONELINESS"]


def _texts_right_only_where_rules_found_the_group(n: int) -> list[Scored]:
    """2n texts "Children at school and home."; in the first n the gold and the rules have
    the school and the gold also the home, which the rules miss and the model finds (0.9);
    in the other n the gold and the rules have no setting at all, and the model still
    calls "home" HOME (0.9): right only where the rules found a setting."""
    text = "Children at school and home."
    children = {"start": 0, "end": 8, "label": "CHILDREN", "group": "population"}
    school = {"start": 12, "end": 18, "label": "SCHOOL", "group": "setting"}
    home = {"start": 23, "end": 27, "label": "HOME", "group": "setting"}
    cands = [Candidate(23, 27, "HOME", "setting", 0.9)]
    out = []
    for i in range(2 * n):
        gold, rules = ([children, school, home], [children, school]) if i < n else (
            [children], [children])
        out.append(Scored(GoldText(str(i), text, gold, "g", i), rules, cands))
    return out


def test_additions_bound_gates_a_group_whose_additions_are_right_only_with_the_rules():
    group_of = {"CHILDREN": "population", "SCHOOL": "setting", "HOME": "setting"}
    combo = choose_combination(_texts_right_only_where_rules_found_the_group(40), group_of,
                               thresholds=(0.5,))
    # ungated: 40 right of 80 additions next to 40 rule spans -> off; gated: 40 of 40
    assert combo["additions"]["setting"]["0.5"] == [40, 80]
    assert combo["additions_gated"]["setting"]["0.5"] == [40, 40]
    assert combo["group_thresholds"] == {"setting": 0.5}
    assert combo["gated_groups"] == ["setting"] and combo["estimates"]["setting"]["gated"]
    rules, both = combined_counts(_texts_right_only_where_rules_found_the_group(40),
                                  group_of, combo["group_thresholds"], combo["defer_to"],
                                  combo["gated_groups"])
    assert (rules["setting"].tp_gold, both["setting"].tp_gold) == (40, 80)
    assert both["setting"].precision == 1.0


def test_additions_bound_prefers_ungated_when_it_finds_as_much():
    combo = choose_combination(_texts_with_additions(40, 40), GROUP_OF, thresholds=(0.6,))
    # the rules find population in every text: gating changes nothing, so it is not used
    assert combo["group_thresholds"] == {"population": 0.6} and combo["gated_groups"] == []
