"""What a reviewer sees the tagger find in real-looking sentences."""

from __future__ import annotations

import spacy

from nlp_review.tagging import build_pipeline, doc_to_spans


def labels_of(spans, label):
    return [t for t, lab, *_ in spans if lab == label]


def test_inflections_and_multiword_variants(tag):
    spans = tag("Mentors built trust with the mentees. Trusting relationships took "
                "months; the programme was trust-building.")
    assert labels_of(spans, "TRUST_BUILDING") == ["built trust", "Trusting relationships",
                                                  "trust-building"]
    assert "Mentors" in labels_of(spans, "MENTORING")


def test_british_and_american_spellings(tag):
    british = tag("Behaviour problems fell after the parenting programme; parents practised "
                  "social skills and organisations mobilised support.")
    american = tag("Behavior problems fell after the parenting program; parents practiced "
                   "social skills and organizations mobilized support.")
    assert [lab for _, lab, *_ in british] == [lab for _, lab, *_ in american]
    assert "Behaviour problems" in labels_of(british, "BEHAVIOUR")
    assert "parenting program" in labels_of(american, "FAMILY_SUPPORT")


def test_hyphen_and_space_variants(tag):
    for text in ("a school-based programme", "a school based programme",
                 "an after-school club", "an afterschool club", "an after school club"):
        assert labels_of(tag(text), "SCHOOL"), text
    assert labels_of(tag("peer-led groups"), "PEER_SUPPORT")
    assert labels_of(tag("peer led groups"), "PEER_SUPPORT")
    assert labels_of(tag("well-being and wellbeing and well being"), "WELLBEING") == [
        "well-being", "wellbeing", "well being"]


def test_unicode_hyphens_match_like_the_ascii_hyphen(tag):
    # publishers write U+2010 (hyphen) and U+2011 (non-breaking hyphen) for "-"
    for hyphen in ("-", "\u2010", "\u2011"):
        text = f"Children's self{hyphen}esteem rose in the school{hyphen}based programme."
        assert labels_of(tag(text), "SELF_ESTEEM") == [f"self{hyphen}esteem"], hyphen
        assert labels_of(tag(text), "SCHOOL") == [f"school{hyphen}based"], hyphen


def test_abbreviation_defined_in_text(tag):
    spans = tag("We interviewed young people (YP) in care. Most YP valued their mentors.")
    assert labels_of(spans, "ADOLESCENTS") == ["young people", "YP", "YP"]


def test_abbreviation_not_tagged_without_a_tagged_long_form(tag):
    spans = tag("A randomised controlled trial (RCT) was run. The RCT enrolled children.")
    assert all(t != "RCT" for t, *_ in spans)


def test_countries_from_pycountry_case_sensitive(tag):
    spans = tag("Studies in Norway, the United Kingdom, Viet Nam and Kentucky. "
                "A guinea pig study ran in Guinea.")
    assert labels_of(spans, "COUNTRY") == ["Norway", "United Kingdom", "Viet Nam", "Kentucky",
                                           "Guinea"]


def test_negated_and_hedged(tag):
    spans = tag("The intervention did not reduce loneliness. "
                "It is expected to foster reciprocity. "
                "The programme may build trust. "
                "There was no evidence of improved self-esteem, but anxiety fell.")
    got = {t: (neg, hed) for t, _, neg, hed in spans}
    assert got["loneliness"] == (True, False)
    assert got["reciprocity"] == (False, True)
    assert got["build trust"] == (False, True)
    assert got["self-esteem"] == (True, False)
    assert got["anxiety"] == (False, False)  # "but" ends the negation's scope


def test_population_is_description_not_hedged(tag):
    spans = tag("This trial aims to reduce loneliness among children without parents.")
    got = {t: (neg, hed) for t, _, neg, hed in spans}
    assert got["loneliness"] == (False, True)
    assert got["children"] == (False, False)
    assert got["parents"] == (True, False)


def test_conditions_are_claims_in_context(tag):
    spans = tag("Low SES may be associated with chronic stress.")
    assert ("Low SES", "LOW_INCOME", False, True) in spans


def test_overlapping_spans_across_groups_and_one_sentence_each(nlp):
    text = "Home visiting programme for low-income families.\n\nA second sentence."
    spans = doc_to_spans(nlp(text))
    by = {(text[s["start"]:s["end"]], s["label"]) for s in spans}
    assert ("Home visiting programme", "FAMILY_SUPPORT") in by
    assert ("Home visiting", "HOME") in by
    assert ("low-income", "LOW_INCOME") in by and ("families", "FAMILIES") in by
    for s in spans:
        assert set(s) == {"start", "end", "label", "group", "negated", "hedged", "sent_start",
                          "sent_end"}
        assert s["sent_start"] == 0 and text[s["sent_end"] - 1] == "."


def test_title_is_its_own_sentence(nlp):
    doc = nlp("Loneliness in adolescents\n\nWe did not find depression.")
    spans = {s["label"]: s for s in doc_to_spans(doc)}
    assert spans["LONELINESS"]["negated"] is False
    assert spans["DEPRESSION"]["negated"] is True


def test_spans_in_doc_spans_by_group_with_extensions(nlp):
    doc = nlp("Parents may seek support.")
    assert set(doc.spans) >= {"mechanism", "population", "setting", "intervention", "outcome"}
    parents = doc.spans["population"][0]
    assert parents.label_ == "PARENTS_CARERS" and parents._.group == "population"
    assert parents.sent.text == "Parents may seek support."


def test_to_disk_and_spacy_load_round_trip(nlp, tmp_path):
    text = ("Young people (YP) in the UK did not report loneliness; YP may gain self-esteem "
            "from mentoring in after-school clubs.")
    nlp.to_disk(tmp_path / "tagger")
    loaded = spacy.load(tmp_path / "tagger")
    assert loaded.pipe_names == nlp.pipe_names
    assert doc_to_spans(loaded(text)) == doc_to_spans(nlp(text))
    assert doc_to_spans(loaded(text))


def test_missing_base_model_is_a_clear_error():
    import pytest

    from nlp_review.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        build_pipeline(base_model="en_core_web_nonexistent")
    assert "not installed" in info.value.message
    assert "nothing is downloaded" in info.value.hint


def test_base_model_from_a_saved_folder(tmp_path, tag):
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    blank.to_disk(tmp_path / "base")
    nlp = build_pipeline(base_model=str(tmp_path / "base"))
    assert nlp.pipe_names[0] == "sentencizer"
    text = "Mentoring reduced loneliness among refugees."
    assert [(text[s["start"]:s["end"]], s["label"]) for s in doc_to_spans(nlp(text))] == [
        (t, lab) for t, lab, *_ in tag(text)]
