"""Human "same"/"different" verdicts are respected absolutely, also transitively."""

from __future__ import annotations

import pytest

from nlp_review.dedup import ConflictingDecisions, deduplicate
from nlp_review.errors import NlpReviewError
from nlp_review.records import Record

TITLE = "Peer mentoring for young carers: a randomised controlled trial in secondary schools"


def _copies() -> list[tuple[int, Record]]:
    """Three exports of one article (1 ~ 2 ~ 3 automatically) and one unrelated record."""
    return [
        (1, Record(title=TITLE, authors=["Smith, John", "Okafor, Ada"], year=2019,
                   journal="Child Care Health Dev", volume="45", pages="101-9")),
        (2, Record(title=TITLE.upper(), authors=["Smith J", "Okafor A"], year=2019,
                   journal="Child: Care, Health and Development", volume="45",
                   pages="101-109", doi="10.1111/cch.12345")),
        (3, Record(title=TITLE + ".", authors=["J. Smith", "A. Okafor"], year=2019,
                   doi="https://doi.org/10.1111/CCH.12345")),
        (4, Record(title="School nurses and the mental health of adolescents",
                   authors=["Brown, K"], year=2019)),
    ]


def test_without_decisions_the_three_copies_merge() -> None:
    result = deduplicate(_copies())
    assert result.groups == [[1, 2, 3], [4]]
    assert all(p.status == "auto" for p in result.pairs)


def test_different_splits_an_automatic_pair() -> None:
    result = deduplicate(_copies(), known={(2, 3): "different"})
    assert result.group_of[2] != result.group_of[3]
    assert not any({p.a, p.b} == {2, 3} for p in result.pairs)  # decided: not re-listed


def test_different_is_not_bypassed_through_a_third_record() -> None:
    # 1 ~ 2 and 2 ~ 3 are automatic; a human says 1 and 3 differ. However the pairs are
    # ordered, no group may hold both 1 and 3.
    result = deduplicate(_copies(), known={(1, 3): "different"})
    assert result.group_of[1] != result.group_of[3]
    assert sorted(map(len, result.groups)) == [1, 1, 2]
    # The automatic pair that could not be applied is offered to a human instead.
    assert any(p.status == "grey" and "human" in p.reason for p in result.pairs)


def test_same_merges_what_the_rules_keep_apart() -> None:
    result = deduplicate(_copies(), known={(3, 4): "same"})
    assert result.groups == [[1, 2, 3, 4]]


def test_reversed_pair_keys_are_accepted() -> None:
    result = deduplicate(_copies(), known={(3, 1): "different"})
    assert result.group_of[1] != result.group_of[3]


def test_contradictory_decisions_are_reported() -> None:
    with pytest.raises(ConflictingDecisions) as err:
        deduplicate(_copies(), known={(1, 4): "same", (4, 2): "same", (1, 2): "different"})
    assert "1-2" in err.value.message and err.value.hint


def test_unknown_verdict_is_an_error() -> None:
    with pytest.raises(NlpReviewError, match="unknown verdict"):
        deduplicate(_copies(), known={(1, 2): "maybe"})
