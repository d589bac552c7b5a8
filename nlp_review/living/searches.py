"""The PRISMA-S style search appendix: each recorded database search with its query
verbatim, the hits the database reported, the records imported from its exports and how
many of them were duplicates.

A record counts as a duplicate when its dedup group holds a record imported before it, so
over all sources the duplicates add up to the project's "duplicates removed"."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from nlp_review.store.living import Search, list_searches


@dataclass(frozen=True)
class SearchCounts:
    search: Search
    sources: list[str]  # file names of the exports tied to the search
    imported: int
    duplicates: int


def duplicate_record_ids(conn: sqlite3.Connection) -> set[int]:
    """Records whose dedup group holds a record imported before them."""
    return {r[0] for r in conn.execute(
        "SELECT r.id FROM records r WHERE EXISTS (SELECT 1 FROM records o"
        " WHERE o.group_id = r.group_id AND o.id < r.id)")}


def search_counts(conn: sqlite3.Connection) -> list[SearchCounts]:
    dups = duplicate_record_ids(conn)
    out = []
    for s in list_searches(conn):
        files = [r[0] for r in conn.execute(
            "SELECT file_name FROM sources WHERE search_id = ? ORDER BY id", (s.id,))]
        ids = [r[0] for r in conn.execute(
            "SELECT r.id FROM records r JOIN sources src ON src.id = r.source_ref"
            " WHERE src.search_id = ?", (s.id,))]
        out.append(SearchCounts(s, files, len(ids), sum(1 for i in ids if i in dups)))
    return out


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def search_appendix(conn: sqlite3.Connection) -> str:
    """The appendix as Markdown: a summary table, then each search's query verbatim."""
    counts = search_counts(conn)
    untied = conn.execute("SELECT COUNT(*), COALESCE(SUM(n_records), 0) FROM sources"
                          " WHERE search_id IS NULL").fetchone()
    lines = ["# Search appendix (PRISMA-S)", "",
             "| # | Database | Date searched | Hits reported | Records imported |"
             " Duplicates | Export files |",
             "|---|---|---|---:|---:|---:|---|"]
    for c in counts:
        hits = "" if c.search.hits is None else str(c.search.hits)
        lines.append(f"| {c.search.id} | {c.search.database} | {c.search.search_date} | "
                     f"{hits} | {c.imported} | {c.duplicates} | "
                     f"{', '.join(c.sources) or 'none imported yet'} |")
    lines += ["", "Duplicates: records whose duplicate group holds a record imported earlier "
              "(from this or another search).", ""]
    if untied[0]:
        lines += [f"Not tied to a recorded search: {untied[0]} export file(s), {untied[1]} "
                  "records.", ""]
    for c in counts:
        lines += [f"## Search {c.search.id}: {c.search.database}, {c.search.search_date}", ""]
        if c.search.hits is not None:
            lines += [f"Hits reported by the database: {c.search.hits}; records imported: "
                      f"{c.imported}.", ""]
        if c.search.notes:
            lines += [c.search.notes, ""]
        lines += [_fence(c.search.query), ""]
    if not counts:
        lines += ["No searches recorded (`nlp-review search add`).", ""]
    return "\n".join(lines)
