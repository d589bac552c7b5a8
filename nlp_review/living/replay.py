"""Replaying a living review on a labelled dataset: split it into a first search and an
update, the update carrying duplicates made from first-search records (as when a search is
re-run: the same records come back, some with a changed title case or a lost DOI) and one
new version of an included record (a new DOI and a later year for the same title, as for a
journal article after its preprint).

A pure function: labelled records in, the two exports' records and the truth out (labels
are removed from the export records, so importing them carries no prior decision)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from nlp_review.records import Record


@dataclass
class Replay:
    first: list[Record]
    update: list[Record]
    truth: dict[str, int]  # source_id -> label, for every record of both exports
    duplicates: dict[str, str] = field(default_factory=dict)  # update source_id -> original
    new_version: tuple[str, str] | None = None  # (update source_id, original source_id)


def _unlabelled(record: Record, **changes: object) -> Record:
    return dataclasses.replace(record, label=None, **changes)


def make_replay(records: list[Record], *, first_share: float = 0.6, n_duplicates: int = 60,
                seed: int = 0) -> Replay:
    """Split ``records`` (each with a ``label`` and a unique ``source_id``) at random."""
    if any(r.label is None for r in records):
        raise ValueError("every record needs a label for a replay")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(records))
    cut = int(round(first_share * len(records)))
    first = [records[i] for i in order[:cut]]
    rest = [records[i] for i in order[cut:]]
    truth = {r.source_id: int(r.label) for r in records}
    update = [_unlabelled(r) for r in rest]
    duplicates: dict[str, str] = {}
    with_title = [r for r in first if r.title and len(r.title.split()) >= 4]
    picks = rng.choice(len(with_title), size=min(n_duplicates, len(with_title)), replace=False)
    for k, i in enumerate(picks):
        orig = with_title[int(i)]
        sid = f"rerun-{orig.source_id}"
        if k % 3 == 0:
            dup = _unlabelled(orig, source_id=sid)
        elif k % 3 == 1:
            dup = _unlabelled(orig, source_id=sid, title=orig.title.upper())
        else:
            dup = _unlabelled(orig, source_id=sid, doi=None, title=orig.title.rstrip(".") + ".")
        update.append(dup)
        duplicates[sid] = orig.source_id
        truth[sid] = truth[orig.source_id]
    new_version = None
    chosen = {duplicates[s] for s in duplicates}
    included = [r for r in with_title if r.label == 1 and r.source_id not in chosen]
    if included:
        orig = included[int(rng.integers(len(included)))]
        sid = f"version-{orig.source_id}"
        update.append(_unlabelled(orig, source_id=sid, doi=f"10.99999/new-version.{sid}",
                                  year=(orig.year + 1) if orig.year else None, pmid=None))
        truth[sid] = truth[orig.source_id]
        new_version = (sid, orig.source_id)
    shuffled = [update[i] for i in rng.permutation(len(update))]
    return Replay([_unlabelled(r) for r in first], shuffled, truth, duplicates, new_version)
