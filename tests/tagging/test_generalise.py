"""Mechanism and intervention rules written from the taxonomy's definitions, not from
particular gold texts: other ways an author says the same thing, and programme names
(guideline 1.7)."""

from __future__ import annotations

import pytest

from tests.tagging.conftest import labels


@pytest.mark.parametrize("text, label, phrase", [
    ("Young people learned to give and receive support in the group.",
     "RECIPROCITY", "give and receive support"),
    ("Mothers described the network as mutually supportive.", "RECIPROCITY",
     "mutually supportive"),
    ("Each pupil was paired with a trusted adult at school.", "TRUST_BUILDING", "trusted adult"),
    ("Families reported a greater sense of security after the visits.", "TRUST_BUILDING",
     "sense of security"),
    ("The therapeutic alliance predicted engagement.", "TRUST_BUILDING",
     "therapeutic alliance"),
    ("Sessions taught problem-solving skills to adolescents.", "SKILLS_PRACTICE",
     "taught problem-solving skills"),
    ("Parents rehearsed their communication skills with the facilitator.", "SKILLS_PRACTICE",
     "rehearsed their communication skills"),
    ("The programme includes anger management and assertiveness training.", "SKILLS_PRACTICE",
     "anger management"),
    ("Staff used video modelling to show turn-taking.", "ROLE_MODELLING", "video modelling"),
    ("Mentors modelled prosocial behaviour for the boys.", "ROLE_MODELLING",
     "modelled prosocial behaviour"),
    ("Workers helped connect families to local services.", "NETWORK_BUILDING",
     "connect families"),
    ("The scheme aimed to widen their networks of support.", "NETWORK_BUILDING",
     "networks"),
    ("We measured attitudes towards seeking help among students.", "ATTITUDE_MOTIVATION",
     "attitudes towards seeking help"),
    ("Help-seeking intentions rose after the lessons.", "ATTITUDE_MOTIVATION",
     "Help-seeking intentions"),
    ("Caregivers felt empowered to ask questions.", "EMPOWERMENT", "empowered"),
    ("Parents gained a sense of mastery over daily routines.", "EMPOWERMENT",
     "sense of mastery"),
    ("Families seeking help for their child were interviewed.", "PARENT_MOBILISATION",
     "seeking help"),
    ("Mothers learned to advocate for their child at school.", "PARENT_MOBILISATION",
     "advocate for their child"),
    ("Refugee families faced language barriers and transport barriers.", "BARRIER_REMOVAL",
     "language barriers"),
    ("The clinic removed barriers to accessing care for migrant parents.", "BARRIER_REMOVAL",
     "barriers to accessing"),
    ("Continuity of staff and a consistent caregiver matter for infants.",
     "SUSTAINED_RELATIONSHIP", "consistent caregiver"),
    ("Households received financial support during the pandemic.",
     "EMOTIONAL_PRACTICAL_SUPPORT", "financial support"),
])
def test_mechanism_phrasings_beyond_the_cue_list(tag, text, label, phrase):
    assert any(phrase in found for found in labels(tag(text), label))


@pytest.mark.parametrize("text, label, phrase", [
    ("Peer educators delivered the sessions; the peer-delivered format was liked.",
     "PEER_SUPPORT", "peer-delivered"),
    ("A nurse home visitor saw each mother monthly.", "FAMILY_SUPPORT", "home visitor"),
    ("Parent coaching was offered to all families.", "FAMILY_SUPPORT", "Parent coaching"),
    ("The study compared a befriending scheme with usual care.", "MENTORING",
     "befriending scheme"),
    ("Teachers and parents met through family-school collaboration.", "SCHOOL_LINKAGE",
     "family-school collaboration"),
    ("Care coordination and co-located services were introduced.", "SERVICE_INTEGRATION",
     "co-located services"),
    ("The treatment was group-delivered over eight weeks.", "GROUP_PROGRAMME",
     "group-delivered"),
    ("Volunteers led community building activities in the estate.", "COMMUNITY_CAPACITY",
     "community building"),
])
def test_intervention_phrasings_beyond_the_cue_list(tag, text, label, phrase):
    assert any(phrase in found for found in labels(tag(text), label))


def test_programme_names_only_type_words_unless_the_taxonomy_lists_them(tag):
    """Guideline 1.7 (lead's ruling): taxonomy-listed names are marked whole, other names
    only on their type words."""
    tagged = tag("Mothers joined the Incredible Years parenting programme or the Family "
                 "Check-Up; their sons were matched through Big Brothers Big Sisters.")
    assert labels(tagged, "FAMILY_SUPPORT") == ["parenting programme"]
    assert "Big Brothers Big Sisters" in labels(tagged, "MENTORING")
    assert not any("Incredible" in text or "Check-Up" in text for text, *_ in tagged)


@pytest.mark.parametrize("text", [
    "Two focus group discussions were held with nurses.",
    "In total 23% of the therapy group and 20% of controls were admitted.",
    "Parents support the use of the mother tongue at home.",
    "Laughter is used and reciprocated in play.",
    "High staff turnover was reported by directors.",
    "Practices in primary care trusts took part.",
    "Teachers working with smaller groups and better ratios were observed.",
    "Patients often seek help at emergency departments.",
])
def test_words_unrelated_to_an_interventions_working_are_not_tagged(tag, text):
    groups = {"mechanism", "intervention"}
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy
    group_of = {label: info["group"] if isinstance(info, dict) else info
                for label, info in load_taxonomy(default_models_dir() / "taxonomy.json").items()}
    assert [t for t in tag(text) if group_of.get(t[1]) in groups] == []
