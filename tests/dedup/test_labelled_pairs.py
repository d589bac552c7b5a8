"""The 25 hand-labelled pairs of bib-dedupe's test cases (../shared/datasets/dedup)."""

from __future__ import annotations

import pytest
from dedup_data import load_test_pairs

from nlp_review.dedup import compare_records, deduplicate

CASES = load_test_pairs()


def test_all_cases_loaded() -> None:
    assert len(CASES) == 25
    assert sum(c["expected"] for c in CASES) == 10


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pair_verdict(case: dict) -> None:
    match = compare_records(case["record_a"], case["record_b"])
    merged = match is not None and match.status == "auto"
    assert merged == case["expected"], f"{case['note']} -> {match}"
    result = deduplicate([(1, case["record_a"]), (2, case["record_b"])])
    assert (result.groups == [[1, 2]]) == case["expected"]
