"""Duplicate detection: exact keys and fuzzy titles within blocks, confirmed or vetoed by the
other fields; groups by union-find that respect human decisions. A pure library: records in,
pairs and groups out (the store glue and the CLI live elsewhere).

    result = deduplicate(
        [(record_id, Record), ...],
        known={(a, b): "same" | "different"},   # human verdicts, a < b (either order accepted)
        new_ids=None,          # incremental: ids of the newly imported records ...
        previous=(),           # ... and the earlier run's auto/grey Pairs among the old ones
    )
    result.pairs        # [Pair(a, b, score, status "auto"|"grey", reason)], human pairs excluded
    result.groups       # [[id, ...], ...] over every id (singletons included), sorted
    result.group_of     # {id: smallest id of its group}
    group_faces({id: Record}, result.groups)  # [(face id, member ids, merged face Record)]
"""

from nlp_review.dedup.compare import DEFAULT_THRESHOLDS, Match, Thresholds, compare
from nlp_review.dedup.engine import DedupResult, Pair, deduplicate
from nlp_review.dedup.groups import ConflictingDecisions, build_groups
from nlp_review.dedup.merge import choose_face, completeness, group_faces, merge_group
from nlp_review.dedup.normalise import Prepared, prepare
from nlp_review.records import Record


def compare_records(a: Record, b: Record) -> Match | None:
    """The verdict on two records: a Match ("auto" or "grey") or None (different works)."""
    return compare(prepare(a), prepare(b))


__all__ = [
    "DEFAULT_THRESHOLDS", "ConflictingDecisions", "DedupResult", "Match", "Pair", "Prepared",
    "Thresholds", "build_groups", "choose_face", "compare", "compare_records", "completeness",
    "deduplicate", "group_faces", "merge_group", "prepare",
]
