"""Incremental runs (new records against earlier results) give the full run's groups."""

from __future__ import annotations

import random

import pytest
from dedup_data import load_dataset

from nlp_review.dedup import deduplicate
from nlp_review.errors import NlpReviewError


def test_incremental_equals_full_run() -> None:
    records, _truth = load_dataset("cytology_screening")
    rng = random.Random(3)
    shuffled = records[:]
    rng.shuffle(shuffled)
    old, new = shuffled[:1200], shuffled[1200:]
    known = {}
    first = deduplicate(old)
    # A human looked at two earlier grey pairs: one "same", one "different".
    grey = first.grey
    if len(grey) >= 2:
        known[(grey[0].a, grey[0].b)] = "same"
        known[(grey[1].a, grey[1].b)] = "different"
        first = deduplicate(old, known=known)
    new_ids = [i for i, _ in new]
    incremental = deduplicate(records, known=known, new_ids=new_ids, previous=first.pairs)
    full = deduplicate(records, known=known)
    assert incremental.groups == full.groups
    assert {(p.a, p.b, p.status) for p in incremental.pairs} == {
        (p.a, p.b, p.status) for p in full.pairs}
    # Only pairs touching a new record were scored.
    assert incremental.n_compared < full.n_compared


def test_incremental_keeps_earlier_pairs_without_rescoring() -> None:
    records, _ = load_dataset("special_cases")
    old, new = records[:6], records[6:]
    first = deduplicate(old)
    assert first.groups[0] == [1, 2]
    # Without ``previous`` the old-old pair is not scored again, so it is not merged:
    # the caller must pass the earlier pairs (or decisions) back in.
    bare = deduplicate(records, new_ids=[i for i, _ in new])
    assert bare.group_of[1] != bare.group_of[2]
    again = deduplicate(records, new_ids=[i for i, _ in new], previous=first.pairs)
    assert again.group_of[1] == again.group_of[2]


def test_previous_without_new_ids_is_refused() -> None:
    records, _ = load_dataset("special_cases")
    first = deduplicate(records)
    with pytest.raises(NlpReviewError, match="new records"):
        deduplicate(records, previous=first.pairs)
