"""Rules after round 10's first look (train2, 346 texts, scored once with 1b79f86, then
development data; holdout6 not yet opened). Precision by sense: "continuity" alone is
SUSTAINED_RELATIONSHIP only as continuity of care (care, caregivers, continuity classrooms),
not continuity of work, change, experience or sleep; coping strategies are SKILLS_PRACTICE
only as a taught programme, not as what people use or are measured on. Recall by frame:
a link, relation or collaboration between home/family/parents and school/preschool/staff
(either order) is SCHOOL_LINKAGE; cooperation or coordination among agencies, services or
systems is SERVICE_INTEGRATION (guidelines section 13). Counts on rounds 1-10's development
texts and unlabelled abstracts are in benchmarks/RESULTS.md. Sentences are written for the
tests, not copied from gold texts."""

from __future__ import annotations

import pytest

from tests.tagging.conftest import labels


@pytest.mark.parametrize("text", [
    "Teachers valued continuity in their work across the year.",
    "The museum's exhibits show continuity and change in childhood.",
    "Sleep continuity improved with the new medicine.",
])
def test_continuity_of_other_things_is_not_a_sustained_relationship(tag, text):
    assert labels(tag(text), "SUSTAINED_RELATIONSHIP") == []


@pytest.mark.parametrize("text, phrase", [
    ("Infants in continuity classrooms kept the same caregiver.", "continuity classrooms"),
    ("Continuity of care was a recommended practice.", "Continuity of care"),
    ("Caregiver continuity predicted secure attachment.", "Caregiver continuity"),
])
def test_continuity_of_care_stays_a_sustained_relationship(tag, text, phrase):
    assert phrase in labels(tag(text), "SUSTAINED_RELATIONSHIP")


def test_coping_strategies_people_use_are_not_skills_practice(tag):
    tagged = tag("Mothers most often used problem-focused coping strategies in hospital.")
    assert labels(tagged, "SKILLS_PRACTICE") == []


@pytest.mark.parametrize("text, phrase", [
    ("Carers joined a manual-based coping strategy programme.",
     "manual-based coping strategy"),
    ("The coping strategy intervention ran for eight weeks.",
     "coping strategy intervention"),
])
def test_a_taught_coping_strategy_programme_is_skills_practice(tag, text, phrase):
    assert any(phrase in found for found in labels(tag(text), "SKILLS_PRACTICE"))


@pytest.mark.parametrize("text, phrase", [
    ("Poor communication between the school and the families hurt trust.",
     "communication between the school and the families"),
    ("We studied the partnership between parents and teachers in Year 1.",
     "partnership between parents and teachers"),
    ("Parents described home and preschool collaboration as uneven.",
     "home and preschool collaboration"),
    ("The essay rethinks home-school relations.", "home-school relations"),
])
def test_links_between_home_and_school_are_school_linkage(tag, text, phrase):
    assert phrase in labels(tag(text), "SCHOOL_LINKAGE")


@pytest.mark.parametrize("text, phrase", [
    ("The plan calls for cooperation among state agencies.",
     "cooperation among state agencies"),
    ("Coordination between health and social services was weak.",
     "Coordination between health and social services"),
])
def test_cooperation_among_agencies_is_service_integration(tag, text, phrase):
    assert phrase in labels(tag(text), "SERVICE_INTEGRATION")


def test_communication_between_teachers_and_children_is_not_school_linkage(tag):
    assert labels(tag("Communication between teachers and children was warm."),
                  "SCHOOL_LINKAGE") == []


@pytest.mark.parametrize("text, expected", [
    ("Stigmata of chronic liver disease were found in 18% of patients.", []),
    ("Facial stigmata of the syndrome were recorded.", []),
    ("Stigma about mental illness stops young people asking for help.", ["Stigma"]),
])
def test_stigmata_as_physical_signs_are_not_stigma(tag, text, expected):
    assert labels(tag(text), "ATTITUDE_MOTIVATION") == expected
