"""The identification part of a PRISMA 2020 flow: per source, then overall."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from nlp_review.store.decisions import current_decisions
from nlp_review.workflows.deduplicating import count_grey_pairs


@dataclass(frozen=True)
class SourceCounts:
    source: str
    file_name: str
    format: str
    imported: int
    unique_here: int  # works whose only records come from this source


@dataclass(frozen=True)
class ProjectStatus:
    sources: list[SourceCounts]
    records: int
    duplicates_removed: int
    unique: int
    screened: int
    included: int
    excluded: int
    grey_pairs: int
    #: reviewer -> (current decisions, of which includes), most decisions first
    by_reviewer: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def unscreened(self) -> int:
        return self.unique - self.screened


def project_status(conn: sqlite3.Connection) -> ProjectStatus:
    sources = []
    for row in conn.execute(
        """
        SELECT s.id, s.name, s.file_name, s.format, COUNT(r.id) AS imported,
               SUM(CASE WHEN NOT EXISTS (
                   SELECT 1 FROM records o WHERE o.group_id = r.group_id
                   AND o.source_ref <> r.source_ref) AND r.id = r.group_id THEN 1 ELSE 0 END)
        FROM sources s JOIN records r ON r.source_ref = s.id
        GROUP BY s.id ORDER BY s.id
        """
    ):
        sources.append(SourceCounts(row[1], row[2], row[3], row[4], row[5] or 0))
    records = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    unique = conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]
    decisions = current_decisions(conn)
    included = sum(1 for d in decisions.values() if d.label == 1)
    grey = count_grey_pairs(conn)
    by_reviewer: dict[str, list[int]] = {}
    for d in decisions.values():
        counts = by_reviewer.setdefault(d.reviewer, [0, 0])
        counts[0] += 1
        counts[1] += d.label == 1
    return ProjectStatus(
        sources=sources, records=records, duplicates_removed=records - unique, unique=unique,
        screened=len(decisions), included=included, excluded=len(decisions) - included,
        grey_pairs=grey,
        by_reviewer={r: (n, i) for r, (n, i) in sorted(by_reviewer.items(),
                                                         key=lambda kv: (-kv[1][0], kv[0]))},
    )
