"""Normalisation and the confirm/veto rules on small real-shaped cases."""

from __future__ import annotations

import pytest

from nlp_review.dedup import compare_records, deduplicate
from nlp_review.dedup.normalise import (author_surnames, doi_stem, normalise_pages,
                                        normalise_title, split_authors)
from nlp_review.records import Record

T = "Effects of a parenting programme on behaviour problems in early childhood"


def merged(a: Record, b: Record) -> bool:
    m = compare_records(a, b)
    return m is not None and m.status == "auto"


@pytest.mark.parametrize("raw,expected", [
    ("123-9", ("123", "129")), ("123-129", ("123", "129")), ("47--65", ("47", "65")),
    ("1099-103", ("1099", "1103")), ("e12724", ("e12724", None)), ("S45-S47", ("s45", "s47")),
    ("no pagination", (None, None)),
])
def test_pages(raw: str, expected: tuple) -> None:
    assert normalise_pages(raw) == expected


@pytest.mark.parametrize("name", ["Smith J", "Smith, John", "J. Smith", "SMITH, J.",
                                  "Smith, J. A.", "John Smith", "Smíth J"])
def test_author_forms_give_one_surname(name: str) -> None:
    assert "smith" in author_surnames(name)


def test_glued_endnote_authors_are_split() -> None:
    assert len(split_authors("Tan A.Schulze A.O'Donnell C. P.Davis P. G.")) == 4
    assert split_authors("Abrahao, Bruno and Parigi, Paolo") == ["Abrahao, Bruno",
                                                                 "Parigi, Paolo"]


def test_title_normalisation() -> None:
    plain = normalise_title("Mother-child interaction in Zürich: a cohort study")
    assert plain[0] == "mother child interaction in zurich a cohort study"
    assert plain[1] == "mother child interaction in zurich"
    assert normalise_title("Mother&ndash;child interaction in Z{\\\"u}rich: a cohort study")[0] \
        == plain[0]
    assert normalise_title("<i>Mother-child</i> interaction in Z&uuml;rich: A Cohort Study.")[0] \
        == plain[0]
    assert normalise_title("[Mother-child interaction in Zurich: a cohort study].")[0] == plain[0]
    assert normalise_title(
        "Mother-child interaction in Zurich: a cohort study (Structured abstract)")[0] == plain[0]


def test_doi_versions_share_a_stem() -> None:
    assert doi_stem("10.1002/14651858.cd002273.pub3") == doi_stem("10.1002/14651858.cd002273")
    assert doi_stem("https://doi.org/10.1111/cch.12345") != doi_stem("10.1111/cch.12346")


def test_export_noise_still_merges() -> None:
    a = Record(title=T, authors=["Smith, John", "Jones, Mary"], year=2015,
               journal="Journal of Child Psychology and Psychiatry", volume="56",
               pages="123-129", doi="10.1111/jcpp.1")
    b = Record(title=T.upper() + ".", authors=["Smith J", "Jones M"], year=2015,
               journal="J Child Psychol Psychiatry", volume="56", pages="123-9")
    c = Record(title=T.replace("behaviour", "behavior") + ": a randomised trial",
               authors=["J. Smith", "M. Jones"], year=2015, volume="56", pages="123-9")
    assert merged(a, b) and merged(a, c) and merged(b, c)


def test_erratum_protocol_and_reply_are_not_merged_with_the_article() -> None:
    art = Record(title=T, authors=["Smith, John"], year=2015, journal="BMC Pediatrics",
                 volume="15", pages="12")
    for title in ("Erratum to: " + T, "Correction: " + T, "Study protocol: " + T,
                  "Reply to: " + T, T + ": protocol for a randomised controlled trial"):
        other = Record(title=title, authors=["Smith, John"], year=2015,
                       journal="BMC Pediatrics", volume="15")
        assert not merged(art, other), title


def test_conference_abstract_is_not_merged_with_the_journal_article() -> None:
    art = Record(title=T, authors=["Smith, J"], year=2016, journal="Pediatrics",
                 volume="137", pages="e20153412")
    abstract_in_supplement = Record(title=T, authors=["Smith, J"], year=2016,
                                    journal="Pediatrics", volume="137", pages="S112")
    meeting = Record(title=T, authors=["Smith, J"], year=2016,
                     journal="Annual Meeting of the Society for Research in Child Development")
    journal = Record(title=T, authors=["Smith, J"], year=2016,
                     journal="Journal of Child Development")
    assert not merged(art, abstract_in_supplement)
    assert not merged(meeting, journal)


def test_generic_titles_need_venue_volume_and_pages() -> None:
    one = Record(title="Editorial", authors=["Lee, A"], year=2020, journal="Child Dev",
                 volume="91", pages="5-6")
    other_issue = Record(title="Editorial", authors=["Lee, A"], year=2020, journal="Child Dev",
                         volume="91", pages="301-302")
    same = Record(title="EDITORIAL.", authors=["Lee A"], year=2020, journal="Child Dev",
                  volume="91", pages="5-6")
    assert not merged(one, other_issue)
    assert merged(one, same)
    for title in ("Book review", "Reply", "Introduction", "Letter to the editor"):
        assert not merged(Record(title=title, year=2020), Record(title=title, year=2020))


def test_shared_doi_with_different_titles_is_not_merged() -> None:
    a = Record(title="Play in the early years", doi="10.1000/proc.2020", year=2020)
    b = Record(title="Sleep problems of adolescents in care", doi="10.1000/proc.2020",
               year=2020)
    assert compare_records(a, b) is None


def test_different_pmids_are_not_chained_together() -> None:
    # 1 and 3 have different PMIDs; 2 (no PMID) looks like both. No group may hold 1 and 3.
    a = Record(title="The role of laparoscopy in the management of gynecologic malignancy",
               pmid="7855480", year=1995)
    b = Record(title="The role of laparoscopy in the management of gynecologic malignancies",
               year=1995)
    c = Record(title="The role of laparoscopy in the management of gynecologic malignancies.",
               pmid="11025466", year=1995)
    result = deduplicate([(1, a), (2, b), (3, c)])
    assert result.group_of[1] != result.group_of[3]


def test_numbered_parts_are_not_merged() -> None:
    a = Record(title="Rheumatism and arthritis: sixteenth rheumatism review of the literature")
    b = Record(title="Rheumatism and arthritis: thirteenth rheumatism review of the literature")
    assert not merged(a, b)
