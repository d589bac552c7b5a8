"""Candidate pairs: records sharing a block key whose titles are close enough to compare.

Keys: DOI, PMID (every pair in the block is a candidate), the first and the last 16
characters of the normalised title, its first three content words, its two longest words, the
first author's surname with the year (and the next year), and journal + volume + first page
(every pair: generic titles such as "Editorial", translated titles). Within a title/author block, pairs are pre-filtered with ``rapidfuzz.process.cdist`` on the
full title, the main title (before any subtitle) and the first 40 characters (truncated
titles), so a block of thousands costs one vectorised call. Every key depends only on the
record itself, so a pair is a candidate whatever else is in the collection and an incremental
run finds the pairs a full run would (one exception: a DOI/PMID or venue key shared by more
than 50 records stops pairing blindly, and then depends on how many share it)."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Collection, Iterator, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from nlp_review.dedup.normalise import STOPWORDS, Prepared

#: Blocks larger than this are pre-filtered with cdist; smaller ones pair by pair.
_SMALL_BLOCK = 8
#: A key shared by more records than this identifies nothing (e.g. a proceedings DOI used
#: for every paper); such blocks are still compared on titles, never paired blindly.
_MAX_ID_BLOCK = 50
_HEAD = 40


def _content_words(title: str) -> list[str]:
    return [w for w in title.split() if w not in STOPWORDS]


def block_keys(p: Prepared) -> Iterator[tuple[str, ...]]:
    """The title and author keys of one record (DOI/PMID keys are handled apart)."""
    words = _content_words(p.title)
    if len(p.title) >= 24:  # typos early or late in a long title still meet one of these
        yield ("p", p.title[:16])
        yield ("s", p.title[-16:])
    if len(words) >= 2:
        yield ("t",) + tuple(words[:3])
        longest = sorted(set(w for w in words if len(w) > 3), key=lambda w: (-len(w), w))[:2]
        if len(longest) == 2:
            yield ("r",) + tuple(sorted(longest))
    if p.surnames and p.year is not None:
        for name in p.surnames[0]:
            yield ("a", name, str(p.year))
            yield ("a", name, str(p.year + 1))
    if p.first_page and p.volume and p.journal:
        yield ("j", p.journal[:20], p.volume, p.first_page)


def _title_close(a: Prepared, b: Prepared, cutoff: float) -> bool:
    return (fuzz.ratio(a.title, b.title) >= cutoff
            or fuzz.ratio(a.title_main, b.title_main) >= cutoff
            or fuzz.ratio(a.title[:_HEAD], b.title[:_HEAD]) >= cutoff
            or bool(a.title_alt and fuzz.ratio(a.title_alt, b.title) >= cutoff)
            or bool(b.title_alt and fuzz.ratio(a.title, b.title_alt) >= cutoff))


def _close_pairs(members: list[int], preps: Sequence[Prepared], cutoff: float,
                 seen: set[tuple[int, int]] | None = None) -> Iterator[tuple[int, int]]:
    if len(members) <= _SMALL_BLOCK:
        for i, j in combinations(members, 2):
            if seen is not None and ((i, j) in seen or (j, i) in seen):
                continue  # already a candidate through another key
            if _title_close(preps[i], preps[j], cutoff):
                yield i, j
        return
    close = None
    for get in (lambda p: p.title, lambda p: p.title_main, lambda p: p.title[:_HEAD]):
        texts = [get(preps[i]) for i in members]
        scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=cutoff,
                               dtype=np.uint8, workers=1)
        hit = scores >= cutoff
        close = hit if close is None else (close | hit)
    assert close is not None
    rows, cols = np.nonzero(np.triu(close, 1))
    for r, c in zip(rows.tolist(), cols.tolist()):
        yield members[r], members[c]


def candidate_pairs(
    preps: Sequence[Prepared],
    *,
    focus: Collection[int] | None = None,
    title_cutoff: float = 80.0,
) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth comparing. With ``focus`` (indexes of new records), only
    pairs involving at least one of them."""
    focus_set = set(focus) if focus is not None else None
    id_blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, p in enumerate(preps):
        if p.doi:
            id_blocks[("doi", p.doi)].append(i)
        if p.pmid:
            id_blocks[("pmid", p.pmid)].append(i)
        for key in block_keys(p):
            blocks[key].append(i)

    pairs: set[tuple[int, int]] = set()

    def keep(i: int, j: int) -> None:
        if i > j:
            i, j = j, i
        if focus_set is None or i in focus_set or j in focus_set:
            pairs.add((i, j))

    for members in id_blocks.values():
        if len(members) < 2 or (focus_set is not None and not focus_set.intersection(members)):
            continue
        if len(members) <= _MAX_ID_BLOCK:
            for i, j in combinations(members, 2):
                keep(i, j)
        else:
            for i, j in _close_pairs(members, preps, title_cutoff):
                keep(i, j)
    for key, members in blocks.items():
        if len(members) < 2 or (focus_set is not None and not focus_set.intersection(members)):
            continue
        if key[0] == "j":  # venue, volume and page decide (generic or translated titles)
            if len(members) <= _MAX_ID_BLOCK:
                for i, j in combinations(members, 2):
                    keep(i, j)
            continue
        for i, j in _close_pairs(members, preps, title_cutoff, pairs):
            keep(i, j)
    return pairs
