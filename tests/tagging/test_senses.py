"""'support' as help given to people versus 'support' meaning promote or agree with
(models/context/senses.jsonl, nlp_review.tagging.senses)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import spacy

from nlp_review.errors import InputErrors
from nlp_review.tagging import build_pipeline, doc_to_spans
from nlp_review.tagging.patterns import default_models_dir

EPS = "EMOTIONAL_PRACTICAL_SUPPORT"


def support_spans(tag, text: str) -> list[str]:
    return [t for t, lab, *_ in tag(text) if lab == EPS]


@pytest.mark.parametrize("text, expected", [
    # noun: after a determiner, possessive, preposition or adjective; before "from"
    ("Teachers said that support from senior staff was required.", ["support from"]),
    ("Working mothers lacked the support to meet both demands.", ["support"]),
    ("Families received little support during the transition.", ["support"]),
    ("Staff training, support, and child-staff ratios are also addressed.", ["support"]),
    ("Violence rose with limited family economic resources and support.", ["support"]),
    ("Children were provided with behavioral supports they require.", ["supports"]),
    ("Improving the support for mothers of preterm infants.", ["support for mothers"]),
    # verb with people as its object, or in the passive with people before it
    ("Interventions that support parents during infant feeding.", ["support"]),
    ("Policy makers who wish to support children and adolescents with anxiety.",
     ["support"]),
    ("It is important that children are supported to manage their diet.", ["supported"]),
    ("Parents were supported by nurses after discharge.", ["supported"]),
    ("Mothers offered support to the families of newborns.", ["support"]),
])
def test_support_given_to_people_is_tagged(tag, text, expected):
    assert support_spans(tag, text) == expected


@pytest.mark.parametrize("text", [
    "Teachers aim to support children's learning and knowledge formation.",
    "These findings support the idea that children construct knowledge.",
    "The results supported significant relationships between loneliness and mood.",
    "There is limited evidence to support the modification of diet.",
    "No support was found for a stress-buffering effect.",
    "Overall, the results yielded support for adopting a functional approach.",
    "The use of computers in support of curriculum goals is viewed as positive.",
    "Parents support the transition to a multiage design.",
    "School management support and organizational support were rated by teachers.",
    "Children in need of special support were more often undiagnosed.",
    "The studies reviewed support the potential influence of the environment.",
    "A support vector machine classified the abstracts.",
    "Infants requiring ventilator support were counted.",
    "Staff were confident in supporting diabetes management.",
    "In students' creative work, the teachers' support student learning by using talk.",
    "Kindergartens are arranged so that children's play is supported in many ways.",
    "Analyses uniformly supported that maltreatment coincides with a rise in cortisol.",
    "The finding provides support to the assumption that the representation is linear.",
    "Employer-supported child care benefits were desirable.",
])
def test_support_meaning_promote_or_evidence_is_not_tagged(tag, text):
    assert support_spans(tag, text) == []


def test_support_spans_carry_evidence_context(tag):
    spans = [s for s in tag("The programme did not provide support to parents.")
             if s[1] == EPS]
    assert spans and all(negated for _, _, negated, _ in spans)


def test_sense_component_round_trips_with_to_disk(tmp_path):
    nlp = build_pipeline()
    assert "word_senses" in nlp.pipe_names
    nlp.to_disk(tmp_path / "tagger")
    loaded = spacy.load(tmp_path / "tagger")
    text = "Nurses offered support to the families."
    assert doc_to_spans(loaded(text)) == doc_to_spans(nlp(text))
    assert any(s["label"] == EPS for s in doc_to_spans(loaded(text)))


def copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(default_models_dir(), target)
    return target


def test_a_broken_sense_file_reports_every_bad_line(tmp_path):
    models = copy_models(tmp_path)
    lines = [
        {"label": EPS, "head": ["support"], "colour": "red"},
        {"label": "NOT_A_LABEL", "head": ["support"]},
        {"label": EPS, "head": "support"},
        {"label": EPS, "head": ["support"], "not_context": ["social support"]},
        {"label": EPS, "head": ["support"]},
    ]
    (models / "context" / "senses.jsonl").write_text(
        "\n".join(json.dumps(x) for x in lines) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        build_pipeline(models)
    message = str(info.value)
    for line, what in [(1, "colour"), (2, "NOT_A_LABEL"), (3, "head"), (4, "'*'"),
                       (6, "not valid JSON")]:
        assert f"senses.jsonl, line {line}" in message and what in message, (line, message)
    assert "line 5" not in message


def test_without_a_sense_file_bare_support_nouns_are_not_tagged(tmp_path):
    models = copy_models(tmp_path)
    (models / "context" / "senses.jsonl").unlink()
    nlp = build_pipeline(models)
    assert "word_senses" not in nlp.pipe_names
    text = "Teachers said that the support was required."
    assert not [s for s in doc_to_spans(nlp(text)) if s["label"] == EPS]


# Round-6 sense fixes: frames where the rule dropped support given to people (judged on all
# 450 texts of rounds 1-5; RESULTS "### Gold set"). Sentences written for the test.
@pytest.mark.parametrize("text, expected", [
    # a participle adjective before the noun ("-ed" counts as adjective-like)
    ("Staff-initiated support was given to the children.", ["support"]),
    ("Parents used web-based support, including a consultant.", ["support"]),
    # "for" + the people's own need or a possessive, not only "for" + people
    ("Some children receive no support for behavior difficulties.", ["support"]),
    ("Children may not receive the support for their development they need.", ["support"]),
    # the subject of a passive giving verb
    ("How support is provided differs between preschools.", ["support"]),
    # a noun form opening a sentence
    ("Support characteristics were associated with quality of life.", ["Support"]),
    # adverbs between "be" and the participle; adjectives before the people object
    ("These children were most frequently supported by staff.", ["supported"]),
    ("Supporting transnational families is a growing task.", ["Supporting"]),
    ("Teachers described supporting highly able students.", ["supporting"]),
])
def test_support_frames_added_in_round_6_are_tagged(tag, text, expected):
    assert support_spans(tag, text) == expected


@pytest.mark.parametrize("text", [
    "The study findings provide support for the value of nurse staffing.",
    "Parent evaluations provided strong support for daycare as a means.",
    "There is also some support for the influence of state opinion.",
    "Schools reported poor support for prekindergarten transitions.",
    "Positive behavior interventions and supports (PBIS) reduce problem behavior.",
    "The results supported differences in the achievement of students.",
])
def test_support_as_evidence_or_a_named_framework_stays_untagged(tag, text):
    assert support_spans(tag, text) == []
