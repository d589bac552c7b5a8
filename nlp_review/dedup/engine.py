"""One deduplication run: prepare, block, compare, group. No database, no printing."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, Literal, Mapping, Sequence

from nlp_review.dedup.blocking import candidate_pairs
from nlp_review.dedup.compare import DEFAULT_THRESHOLDS, Thresholds, compare
from nlp_review.dedup.groups import build_groups
from nlp_review.dedup.normalise import prepare
from nlp_review.errors import NlpReviewError
from nlp_review.records import Record

PairStatus = Literal["auto", "grey"]
HUMAN_VERDICTS = ("same", "different")


@dataclass(frozen=True, slots=True)
class Pair:
    """A scored pair of record ids (a < b): "auto" = merged, "grey" = listed for a human."""

    a: int
    b: int
    score: float
    status: PairStatus
    reason: str


@dataclass
class DedupResult:
    """Pairs found (auto and grey, never the human-decided ones) and the groups over every
    record id, each group sorted, groups ordered by their smallest id."""

    pairs: list[Pair]
    groups: list[list[int]]
    n_compared: int = 0
    group_of: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.group_of:
            self.group_of = {i: g[0] for g in self.groups for i in g}

    @property
    def auto(self) -> list[Pair]:
        return [p for p in self.pairs if p.status == "auto"]

    @property
    def grey(self) -> list[Pair]:
        return [p for p in self.pairs if p.status == "grey"]

    @property
    def duplicate_groups(self) -> list[list[int]]:
        return [g for g in self.groups if len(g) > 1]


def _check_known(known: Mapping[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for (a, b), verdict in known.items():
        if verdict not in HUMAN_VERDICTS:
            raise NlpReviewError(f"pair {a}-{b}: unknown verdict {verdict!r}",
                                 hint="a human verdict is 'same' or 'different'")
        out[(min(a, b), max(a, b))] = verdict
    return out


def deduplicate(
    records: Iterable[tuple[int, Record]],
    *,
    known: Mapping[tuple[int, int], str] | None = None,
    new_ids: Collection[int] | None = None,
    previous: Iterable[Pair] = (),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    progress: Callable[[int, int], None] | None = None,
) -> DedupResult:
    """Find duplicates among ``records`` ((id, Record) pairs, ids unique).

    ``known``: human verdicts {(a, b): "same" | "different"}; respected absolutely (a
    "different" pair never ends up in one group, not even through a third record).
    ``new_ids`` + ``previous``: incremental mode; only pairs involving a new id are scored,
    ``previous`` carries the earlier run's auto/grey pairs among the old records.
    ``progress(done, total)`` is called while pairs are compared."""
    # Hundreds of thousands of small objects and no reference cycles: the cyclic garbage
    # collector would only rescan them over and over (a third of the run time at 100k).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _deduplicate(records, known, new_ids, previous, thresholds, progress)
    finally:
        if was_enabled:
            gc.enable()


def _deduplicate(
    records: Iterable[tuple[int, Record]],
    known: Mapping[tuple[int, int], str] | None,
    new_ids: Collection[int] | None,
    previous: Iterable[Pair],
    thresholds: Thresholds,
    progress: Callable[[int, int], None] | None,
) -> DedupResult:
    items: Sequence[tuple[int, Record]] = list(records)
    ids = [i for i, _ in items]
    if len(set(ids)) != len(ids):
        raise NlpReviewError("record ids passed to deduplicate are not unique")
    index = {rid: n for n, rid in enumerate(ids)}
    human = _check_known(known or {})
    preps = [prepare(r) for _, r in items]
    focus = None if new_ids is None else [index[i] for i in new_ids if i in index]
    candidates = sorted(candidate_pairs(preps, focus=focus, title_cutoff=thresholds.grey))

    earlier = list(previous)
    if earlier and new_ids is None:
        raise NlpReviewError("earlier pairs were passed without the ids of the new records",
                             hint="pass new_ids with previous (incremental mode), or neither")
    found: dict[tuple[int, int], Pair] = {}
    if new_ids is not None:
        for p in earlier:
            key = (min(p.a, p.b), max(p.a, p.b))
            if key[0] in index and key[1] in index and key not in human:
                found[key] = Pair(key[0], key[1], p.score, p.status, p.reason)
    total = len(candidates)
    for done, (i, j) in enumerate(candidates, start=1):
        if progress is not None and (done % 5000 == 0 or done == total):
            progress(done, total)
        key = (min(ids[i], ids[j]), max(ids[i], ids[j]))
        if key in human or key in found:
            continue
        match = compare(preps[i], preps[j], thresholds)
        if match is not None:
            found[key] = Pair(key[0], key[1], round(match.score, 4), match.status, match.reason)

    auto = [(p.a, p.b, p.score) for p in found.values() if p.status == "auto"]
    keys = {rid: [(k, v) for k, v in (("doi", p.doi), ("pmid", p.pmid)) if v]
            for rid, p in zip(ids, preps) if p.doi or p.pmid}
    groups, vetoed = build_groups(ids, auto, human, keys)
    for a, b in vetoed:
        p = found[(a, b)]
        found[(a, b)] = Pair(a, b, p.score, "grey",
                             f"{p.reason}; not merged: the groups hold records a human marked"
                             " different, or different DOIs/PMIDs")
    group_of = {i: g[0] for g in groups for i in g}
    pairs = [p for p in found.values()
             if p.status == "auto" or group_of[p.a] != group_of[p.b]]
    pairs.sort(key=lambda p: (p.a, p.b))
    return DedupResult(pairs=pairs, groups=groups, n_compared=total, group_of=group_of)
