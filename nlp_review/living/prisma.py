"""The numbers of a PRISMA 2020 flow diagram, for the whole project or for one update.

- identified: records imported, per source (export file);
- duplicates removed: records whose dedup group holds a record imported before them
  (project: records - unique works, the same as ``nlp-review status``);
- screened: unique works with a title/abstract decision; excluded: those decided exclude;
  awaiting screening: works without a decision;
- reports sought for retrieval: works included at screening; full texts assessed: those with
  a full text linked in the project; not retrieved: the rest;
- included: works included at screening. The tool records one decision per work (no
  separate full-text eligibility decision), so no full-text exclusions are counted and
  "included" equals "included at screening".

For an update, the records counted are those of the update's sources, and the works its new
unique works (groups whose earliest record came with the update)."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass

from nlp_review.store.decisions import current_decisions
from nlp_review.store.living import get_update


@dataclass(frozen=True)
class PrismaCounts:
    title: str
    sources: list[tuple[str, int]]  # (source name, records imported)
    identified: int
    duplicates: int
    screened: int
    excluded: int
    awaiting: int
    sought: int
    not_retrieved: int
    assessed: int
    included: int

    @property
    def unique(self) -> int:
        return self.identified - self.duplicates

    def check(self) -> list[str]:
        """Sums that must hold; returns the ones that do not (empty: all add up)."""
        problems = []
        if sum(n for _, n in self.sources) != self.identified:
            problems.append("sources do not add up to records identified")
        if self.screened + self.awaiting != self.unique:
            problems.append("screened + awaiting != unique records")
        if self.excluded + self.sought != self.screened:
            problems.append("excluded + sought != screened")
        if self.assessed + self.not_retrieved != self.sought:
            problems.append("assessed + not retrieved != sought")
        return problems

    def rows(self) -> list[tuple[str, str, int]]:
        """(stage, box, count) rows, in diagram order (the CSV)."""
        out = [("identification", f"records from {name}", n) for name, n in self.sources]
        out += [("identification", "records identified", self.identified),
                ("identification", "duplicate records removed", self.duplicates),
                ("screening", "records screened", self.screened),
                ("screening", "records excluded", self.excluded),
                ("screening", "records awaiting screening", self.awaiting),
                ("retrieval", "reports sought for retrieval", self.sought),
                ("retrieval", "reports not retrieved", self.not_retrieved),
                ("eligibility", "full-text reports assessed", self.assessed),
                ("included", "studies included", self.included)]
        return out


def prisma_counts(conn: sqlite3.Connection, update_id: int | None = None) -> PrismaCounts:
    """The diagram's numbers for the project, or for one update with ``update_id``."""
    title, source_ids = "whole project", None
    if update_id is not None:
        upd = get_update(conn, update_id)
        source_ids = set(upd.source_ids)
        title = f"update {upd.id} ({upd.started_at[:10]})"
    members: dict[int, list[int]] = {}
    source_names = dict(conn.execute("SELECT id, name FROM sources"))
    per_source: dict[int, int] = {}
    counted: set[int] = set()
    for rid, gid, src in conn.execute("SELECT id, group_id, source_ref FROM records"
                                      " ORDER BY id"):
        members.setdefault(gid, []).append(rid)
        if source_ids is None or src in source_ids:
            per_source[src] = per_source.get(src, 0) + 1
            counted.add(rid)
    identified = sum(per_source.values())
    works = [g for g, ms in members.items() if min(ms) in counted]
    decisions = current_decisions(conn)
    screened = [w for w in works if w in decisions]
    included = [w for w in screened if decisions[w].label == 1]
    with_text = {r[0] for r in conn.execute(
        "SELECT DISTINCT r.group_id FROM fulltexts f JOIN records r ON r.id = f.record_id"
        " WHERE f.status = 'linked'")}
    assessed = sum(1 for w in included if w in with_text)
    return PrismaCounts(
        title=title,
        sources=[(source_names[s], n) for s, n in sorted(per_source.items())],
        identified=identified, duplicates=identified - len(works), screened=len(screened),
        excluded=len(screened) - len(included), awaiting=len(works) - len(screened),
        sought=len(included), not_retrieved=len(included) - assessed, assessed=assessed,
        included=len(included))


def prisma_csv(counts: PrismaCounts) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "stage", "box", "count"])
    for stage, box, n in counts.rows():
        writer.writerow([counts.title, stage, box, n])
    return out.getvalue()
