"""ConText-style scope of negation and hedge cues: direction, window, terminators that end
a scope (both ways, or only backward for a clause subject), and relative clauses."""

from __future__ import annotations

import json

import pytest

from nlp_review.errors import InputErrors
from nlp_review.tagging.patterns import load_cue_file


def flags(tagged, text):
    """(negated, hedged) of the span with this text."""
    found = [(neg, hedge) for span, _, neg, hedge in tagged if span == text]
    assert found, f"{text!r} not tagged in {tagged}"
    return found[0]


def test_could_in_a_relative_clause_does_not_hedge_the_whole_sentence(tag):
    """The known bug: "adults they could trust" hedged every span of the sentence."""
    tagged = tag("Mentoring gave young people emotional support from adults they could "
                 "trust, and it reduced loneliness.")
    assert flags(tagged, "Mentoring") == (False, False)
    assert flags(tagged, "emotional support") == (False, False)
    assert flags(tagged, "loneliness") == (False, False)


def test_a_hedge_inside_a_which_clause_stops_at_the_clause_end(tag):
    tagged = tag("Mentoring, which could build trust, reduced loneliness.")
    assert flags(tagged, "Mentoring") == (False, False)
    assert flags(tagged, "build trust") == (False, True)
    assert flags(tagged, "loneliness") == (False, False)


def test_a_modal_still_hedges_its_subject_and_object(tag):
    tagged = tag("Peer support could reduce loneliness.")
    assert flags(tagged, "Peer support")[1] is True
    assert flags(tagged, "loneliness")[1] is True


def test_but_ends_a_hedge_and_a_negation_starts_after_it(tag):
    tagged = tag("The programme may reduce loneliness but it did not change depression.")
    assert flags(tagged, "loneliness") == (False, True)
    assert flags(tagged, "depression") == (True, False)


def test_the_month_may_is_not_a_hedge(tag):
    tagged = tag("We searched databases from inception to May 2019 for studies of "
                 "depression in adolescents.")
    assert flags(tagged, "depression") == (False, False)


def test_recommended_as_an_adjective_is_not_a_recommendation(tag):
    assert flags(tag("Topics addressed less often than recommended included family "
                     "support."), "family support") == (False, False)
    assert flags(tag("We recommend family support for these parents."),
                 "family support")[1] is True


def test_past_outcomes_are_findings_but_protocol_outcomes_are_hedged(tag):
    assert flags(tag("Secondary outcomes included anxiety."), "anxiety")[1] is False
    assert flags(tag("Secondary outcomes include anxiety."), "anxiety")[1] is True


def test_no_significant_differences_negates_every_outcome_in_the_list(tag):
    tagged = tag("No statistically significant differences were found between the groups "
                 "in satisfaction with conversations (10 days), postnatal depression and "
                 "anxiety scores.")
    assert flags(tagged, "anxiety")[0] is True


def test_exclusion_criteria_are_negated(tag):
    tagged = tag("Exclusion criteria were acute psychosis and learning difficulties.")
    assert flags(tagged, "learning difficulties")[0] is True


def write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_terminators_end_both_sides_unless_told(tmp_path):
    cues = load_cue_file(write(tmp_path, "terminate.jsonl", [
        {"pattern": "but"}, {"pattern": "they", "direction": "backward"}]))
    assert [c["direction"] for c in cues] == ["both", "backward"]


def test_clause_file_needs_a_role_and_other_files_refuse_one(tmp_path):
    with pytest.raises(InputErrors) as info:
        load_cue_file(write(tmp_path, "clause.jsonl", [
            {"pattern": "which", "role": "open"}, {"pattern": ","},
            {"pattern": ";", "role": "middle"}]))
    assert [e.line for e in info.value.errors] == [2, 3]
    with pytest.raises(InputErrors) as info:
        load_cue_file(write(tmp_path, "hedged.jsonl", [{"pattern": "may", "role": "open"}]))
    assert "only there" in str(info.value.errors[0])
