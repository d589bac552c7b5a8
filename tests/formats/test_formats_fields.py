"""The small field rules every reader shares: pages, author lists, labels."""

from __future__ import annotations

import pytest

from nlp_review.formats.fields import pages, parse_label, split_authors, strip_markup


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("123-9", None, "123-129"), ("123-129", None, "123-129"), ("123\u2013129", None, "123-129"),
    ("1234-40", None, "1234-1240"), ("123", "9", "123-129"), ("743", "755", "743-755"),
    ("S12-S19", None, "S12-S19"), ("e0224083", None, "e0224083"), ("12", "12", "12"),
    ("211--9", None, "211-219"), ("N.PAG", "N.PAG", None), (None, None, None),
    ("iii-xii", None, "iii-xii")])
def test_pages_are_start_end_in_full(start, end, expected):
    assert pages(start, end) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("Smith, John; Doe, Jane", ["Smith, John", "Doe, Jane"]),
    ("Smith, John and Doe, Jane", ["Smith, John", "Doe, Jane"]),
    ("Smith J., Jones K.L., van Dijk A.", ["Smith J.", "Jones K.L.", "van Dijk A."]),
    ("Tulloch, Catherine (57195544520); Hing, Nerilee (6602186034)",
     ["Tulloch, Catherine", "Hing, Nerilee"]),
    ("Smith, John", ["Smith, John"]), ("", []),
    # a long Scopus initials list (a whole-list regex once backtracked for minutes on these)
    ("Francis L., Livingstone C., Rintoul A., Thomas S.L., Young M.M., van der Berg J.-P.",
     ["Francis L.", "Livingstone C.", "Rintoul A.", "Thomas S.L.", "Young M.M.",
      "van der Berg J.-P."]),
    ("Organisation for Economic Co-operation, Paris, France " * 20,
     [("Organisation for Economic Co-operation, Paris, France " * 20).strip()])])
def test_split_authors(cell, expected):
    assert split_authors(cell) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), ("1.0", 1), ("yes", 1), ("True", 1), ("0", 0), ("no", 0), ("", None),
    ("nan", None), (None, None), ("maybe", "maybe")])
def test_labels(value, expected):
    assert parse_label(value) == expected


def test_strip_markup_keeps_comparisons():
    assert strip_markup("<p>Risk was lower (p < 0.05) in <i>all</i> groups</p>") == \
        "Risk was lower (p < 0.05) in all groups"
    assert strip_markup("<jats:p>Children <jats:italic>aged</jats:italic> 3-5</jats:p>") == \
        "Children aged 3-5"
