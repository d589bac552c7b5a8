"""A group's face and the filling of its missing fields."""

from __future__ import annotations

from nlp_review.dedup import choose_face, group_faces, merge_group
from nlp_review.records import Record


def test_face_prefers_abstract_and_doi_then_fills_from_others() -> None:
    bare = Record(title="Play-based learning in kindergarten", year=2020, pages="12-19",
                  keywords=["play"], source_id="scopus-7")
    full = Record(title="Play-based learning in kindergarten.", abstract="We studied play.",
                  doi="10.1000/xyz", authors=["Lee, A"], keywords=["Play", "kindergarten"],
                  source_id="pubmed-3")
    middle = Record(title="Play based learning in kindergarten", journal="Early Years",
                    volume="40", issue="2", pmid="123456", label=1, source_id="ris-9")
    members = [(5, bare), (9, full), (7, middle)]
    assert choose_face(members) == 9
    face = merge_group(members)
    assert face.title == "Play-based learning in kindergarten."  # the face's own title
    assert face.source_id == "pubmed-3"
    assert (face.abstract, face.doi, face.authors) == ("We studied play.", "10.1000/xyz",
                                                       ["Lee, A"])
    assert (face.journal, face.volume, face.issue, face.pmid) == ("Early Years", "40", "2",
                                                                  "123456")
    assert (face.year, face.pages) == (2020, "12-19")
    assert face.keywords == ["Play", "kindergarten"]  # union, case-insensitive
    assert face.label == 1
    assert full.journal is None  # members are not modified


def test_ties_go_to_the_lowest_id() -> None:
    a = Record(title="Same", abstract="x", doi="10.1/a")
    b = Record(title="Same", abstract="x", doi="10.1/a")
    assert choose_face([(8, a), (3, b)]) == 3


def test_group_faces_covers_every_group() -> None:
    recs = {1: Record(title="A study of play", year=2020),
            2: Record(title="A study of play.", abstract="About play.", year=2020),
            3: Record(title="Something else")}
    faces = group_faces(recs, [[1, 2], [3]])
    assert [(face, members) for face, members, _ in faces] == [(2, [1, 2]), (3, [3])]
    assert faces[0][2].abstract == "About play." and faces[1][2] is recs[3]


def test_an_earlier_face_can_be_kept() -> None:
    old_face = Record(title="Play in preschool", year=2019, source_id="ris-1")
    richer = Record(title="Play in preschool.", abstract="Abstract.", doi="10.1000/p1",
                    source_id="pubmed-2")
    merged = merge_group([(1, old_face), (2, richer)], face=1)
    assert merged.source_id == "ris-1" and merged.title == "Play in preschool"
    assert merged.abstract == "Abstract." and merged.doi == "10.1000/p1"
