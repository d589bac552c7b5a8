"""A group's face: its most complete record, with missing fields filled from the others."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Mapping, Sequence

from nlp_review.records import RECORD_FIELDS, Record

_SCALARS = tuple(f for f in RECORD_FIELDS if f not in {"authors", "keywords", "label",
                                                       "source_id"})


def completeness(record: Record) -> tuple[int, int, int, int]:
    """Sort key, higher is better: abstract and DOI both, abstract, DOI, fields filled."""
    filled = sum(1 for f in RECORD_FIELDS if getattr(record, f) not in (None, "", []))
    has_abs, has_doi = bool(record.abstract), bool(record.doi)
    return (int(has_abs and has_doi), int(has_abs), int(has_doi), filled)


def rank_members(members: Sequence[tuple[int, Record]]) -> list[tuple[int, Record]]:
    """Members from the best face candidate down; ties go to the lowest id."""
    return sorted(members, key=lambda m: tuple(-x for x in completeness(m[1])) + (m[0],))


def choose_face(members: Sequence[tuple[int, Record]]) -> int:
    """The id of the record that represents the group."""
    if not members:
        raise ValueError("a group needs at least one record")
    return rank_members(members)[0][0]


def merge_group(members: Sequence[tuple[int, Record]], face: int | None = None) -> Record:
    """The face record with each missing field taken from the next most complete member.

    ``face`` picks the face by id (e.g. to keep an earlier run's face); by default it is
    ``choose_face(members)``. Keywords are the union of all members' keywords; a prior label
    is the face's, else the highest among members (an inclusion anywhere is kept);
    ``source_id`` is the face's."""
    ranked = rank_members(members)
    if not ranked:
        raise ValueError("a group needs at least one record")
    if face is not None:
        chosen = [m for m in ranked if m[0] == face]
        if not chosen:
            raise ValueError(f"face {face} is not a member of the group")
        ranked = chosen + [m for m in ranked if m[0] != face]
    merged = dataclasses.replace(ranked[0][1])
    merged.authors = list(merged.authors)
    others = [r for _, r in ranked[1:]]
    for name in _SCALARS:
        if getattr(merged, name) in (None, ""):
            for other in others:
                value = getattr(other, name)
                if value not in (None, ""):
                    setattr(merged, name, value)
                    break
    if not merged.authors:
        for other in others:
            if other.authors:
                merged.authors = list(other.authors)
                break
    seen = {k.lower() for k in merged.keywords}
    keywords = list(merged.keywords)
    for other in others:
        for k in other.keywords:
            if k.lower() not in seen:
                seen.add(k.lower())
                keywords.append(k)
    merged.keywords = keywords
    if merged.label is None:
        labels = [r.label for r in others if r.label is not None]
        merged.label = max(labels) if labels else None
    return merged


def group_faces(records: Mapping[int, Record],
                groups: Iterable[Sequence[int]]) -> list[tuple[int, list[int], Record]]:
    """For each group: (face id, member ids, merged face record). Singletons are their own
    face, returned unchanged."""
    out: list[tuple[int, list[int], Record]] = []
    for group in groups:
        members = [(i, records[i]) for i in group]
        if len(members) == 1:
            out.append((members[0][0], [members[0][0]], members[0][1]))
            continue
        out.append((choose_face(members), sorted(group), merge_group(members)))
    return out
