"""Round-6 rules: noun classes and constructions the taxonomy names (WELLBEING construct
nouns, domains coordinated before an outcome noun, money words for COST, affection as
RELATIONSHIPS, intervention types: study groups, class-wide peer tutoring, interdisciplinary
teams, coordinated services; access to services, linkage to services). Each class was
counted on rounds 1-5 and on unlabelled abstracts before it was kept (benchmarks/RESULTS.md,
"Gold set"). Sentences are written for the tests, not copied from gold texts."""

from __future__ import annotations

import pytest

from tests.tagging.conftest import labels


@pytest.mark.parametrize("text, label, phrase", [
    ("Hair cortisol was unrelated to ill-being in older women.", "WELLBEING", "ill-being"),
    ("Pupils reported psychosomatic complaints such as headaches.", "WELLBEING",
     "psychosomatic complaints"),
    ("We measured metabolic, psychological and cognitive parameters.", "WELLBEING",
     "psychological and cognitive parameters"),
    ("Room design influences physical and emotional outcomes of mothers.", "WELLBEING",
     "physical and emotional outcomes"),
    ("Centres faced financial constraints after the reform.", "COST", "financial constraints"),
    ("Staff turnover fell when salaries and benefits rose.", "COST", "salaries and benefits"),
    ("Few firms offered family-related benefits to parents.", "COST",
     "family-related benefits"),
    ("Pressure ulcers are costly complications.", "COST", "costly"),
    ("Children with disabilities received affection from peers.", "RELATIONSHIPS", "affection"),
    ("Parent study groups met weekly.", "GROUP_PROGRAMME", "Parent study groups"),
    ("Parent study groups met weekly.", "FAMILY_SUPPORT", "Parent study groups"),
    ("Classwide peer tutoring (CWPT) raised spelling scores.", "PEER_SUPPORT", "CWPT"),
    ("Families were seen by interdisciplinary early intervention teams.",
     "SERVICE_INTEGRATION", "interdisciplinary early intervention teams"),
    ("Coordinated social services reduced waiting times.", "SERVICE_INTEGRATION",
     "Coordinated social services"),
    ("The reform widened access to quality early childhood programs.", "BARRIER_REMOVAL",
     "access to quality early childhood programs"),
    ("Discharge planning included linkage to community services.", "NETWORK_BUILDING",
     "linkage to community services"),
    # collaboration between services or professionals
    ("Support most often meant collaboration with external teams.", "SERVICE_INTEGRATION",
     "collaboration with external teams"),
    ("Care lacked integration with primary and secondary care.", "SERVICE_INTEGRATION",
     "integration with primary and secondary care"),
    # behaviour coordinated with another outcome noun
    ("The programme improved language or behaviour at age three.", "BEHAVIOUR",
     "language or behaviour"),
    ("Teachers rated pupils' relationships and behaviors.", "BEHAVIOUR",
     "relationships and behaviors"),
])
def test_round_6_classes_are_tagged(tag, text, label, phrase):
    assert phrase in labels(tag(text), label)


@pytest.mark.parametrize("text, label", [
    # a trial arm is not a group programme; tutors as staff are not peer support
    ("No difference was observed between the study groups.", "GROUP_PROGRAMME"),
    ("Reading intervention with tutors who are certified teachers.", "PEER_SUPPORT"),
    # substance use is not a WELLBEING term in the guidelines (gold is split on it)
    ("Engagement in substance use was assessed at grade 9.", "WELLBEING"),
    # insurance is not a cost in the guideline's sense
    ("Those with private health insurance were older.", "COST"),
    # "family support" names a service (guideline 2), not the social-support outcome
    ("Typical child care and family support programs rank last.", "SOCIAL_SUPPORT"),
    # a study's and an institute's name
    ("Data from the Cost, Quality, and Outcomes Study are used.", "COST"),
    ("The trial was funded by the National Institute of Mental Health.", "WELLBEING"),
    # "behaviour management" is a practice, not the children's behaviour
    ("A course on the parent-child relationship and behaviour management.", "BEHAVIOUR"),
])
def test_round_6_near_misses_stay_untagged(tag, text, label):
    assert labels(tag(text), label) == []
