"""Deduplicate a project: run the dedup engine over the stored records and write the
groups back (records.group_id, the works table), respecting every human verdict.

Nothing is deleted: every record and its provenance stays; a group's face is its most
complete record with missing fields filled from the others, except that a group that had a
face after the last run keeps it (its id is the work id users and other tables refer to).
Decisions, tags and annotations are keyed by record, so they follow the record into its
group."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from nlp_review.dedup import DedupResult, Pair, choose_face, deduplicate, merge_group
from nlp_review.errors import InputError, NotFoundError
from nlp_review.formats.tabular import sniff_delimiter
from nlp_review.records import Record
from nlp_review.store.db import transaction, utcnow
from nlp_review.store.records import COLUMNS, _to_db, row_to_record

_META_LAST = "dedup_last_record_id"


@dataclass
class DedupeReport:
    records: int
    groups_before: int
    groups_after: int
    merged_pairs: int
    grey_pairs: int
    new_records: int
    compared: int
    dry_run: bool
    changes: list[list[int]]  # duplicate groups that are new or changed by this run

    @property
    def duplicates(self) -> int:
        return self.records - self.groups_after


def _load_records(conn: sqlite3.Connection) -> list[tuple[int, Record]]:
    return [(row["id"], row_to_record(row, source_id=row["source_id"]))
            for row in conn.execute("SELECT * FROM records ORDER BY id")]


def human_verdicts(conn: sqlite3.Connection) -> dict[tuple[int, int], str]:
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT record_a, record_b, status FROM dedup_pairs WHERE status IN ('same','different')")}


def _machine_pairs(conn: sqlite3.Connection) -> list[Pair]:
    return [Pair(r[0], r[1], r[2], r[3], r[4] or "") for r in conn.execute(
        "SELECT record_a, record_b, score, status, reason FROM dedup_pairs"
        " WHERE status IN ('auto','grey')")]


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM project_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def run_dedupe(
    conn: sqlite3.Connection,
    *,
    dry_run: bool = False,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DedupeReport:
    """Deduplicate the project. Incremental by default: only pairs involving records imported
    since the last run are scored (with none, it only regroups, e.g. after human verdicts);
    ``full`` rescores everything. Human verdicts are always respected."""
    records = _load_records(conn)
    last = _meta(conn, _META_LAST)
    if full or last is None:
        new_ids, previous = None, []
    else:
        new_ids = [i for i, _ in records if i > int(last)]
        previous = _machine_pairs(conn)
    result = deduplicate(records, known=human_verdicts(conn), new_ids=new_ids,
                         previous=previous, progress=progress)
    before = {}
    for rid, gid in conn.execute("SELECT id, group_id FROM records"):
        before.setdefault(gid, set()).add(rid)
    old_groups = {frozenset(g) for g in before.values()}
    changes = [g for g in result.duplicate_groups if frozenset(g) not in old_groups]
    report = DedupeReport(
        records=len(records), groups_before=len(before), groups_after=len(result.groups),
        merged_pairs=len(result.auto), grey_pairs=len(result.grey),
        new_records=len(records) if new_ids is None else len(new_ids),
        compared=result.n_compared, dry_run=dry_run, changes=changes)
    if not dry_run:
        _write(conn, records, result)
    return report


def _write(conn: sqlite3.Connection, records: list[tuple[int, Record]],
           result: DedupResult) -> None:
    by_id = dict(records)
    cols = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    with transaction(conn):
        # a group that held a work before keeps that work's id (living reviews: the ids
        # users saw, and anything keyed by them, stay valid when new records join)
        last = _meta(conn, _META_LAST)  # works up to here were faces after the last run
        previous_faces = set() if last is None else {r[0] for r in conn.execute(
            "SELECT id FROM works WHERE id <= ?", (int(last),))}
        conn.execute("DELETE FROM dedup_pairs WHERE status IN ('auto', 'grey')")
        conn.executemany(
            "INSERT INTO dedup_pairs(record_a, record_b, score, status, reason)"
            " VALUES (?, ?, ?, ?, ?)",
            [(p.a, p.b, p.score, p.status, p.reason) for p in result.pairs])
        conn.execute("DELETE FROM works")
        updates, works = [], []
        for group in result.groups:
            members = [(i, by_id[i]) for i in group]
            kept = [(i, r) for i, r in members if i in previous_faces]
            face = choose_face(kept or members)
            merged = merge_group(members, face=face) if len(members) > 1 else by_id[face]
            updates.extend((face, i) for i in group)
            works.append([face, *[_to_db(c, getattr(merged, c)) for c in COLUMNS],
                          len(group)])
        conn.executemany("UPDATE records SET group_id = ? WHERE id = ?", updates)
        conn.executemany(f"INSERT INTO works(id, {cols}, n_records) VALUES (?, {marks}, ?)",
                         works)
        last_id = max(by_id, default=0)
        conn.execute("INSERT INTO project_meta(key, value) VALUES (?, ?) ON CONFLICT(key)"
                     " DO UPDATE SET value = excluded.value", (_META_LAST, str(last_id)))


# --- human review of grey pairs ------------------------------------------------------------

GREY_COLUMNS = ("record_a", "record_b", "score", "reason", "title_a", "title_b", "year_a",
                "year_b", "authors_a", "authors_b", "journal_a", "journal_b", "doi_a", "doi_b",
                "verdict")


def grey_pairs(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Pairs waiting for a human, with both records' fields, highest score first."""
    return conn.execute(
        """SELECT p.record_a, p.record_b, p.score, p.reason,
                  a.title AS title_a, b.title AS title_b, a.year AS year_a, b.year AS year_b,
                  a.authors AS authors_a, b.authors AS authors_b, a.journal AS journal_a,
                  b.journal AS journal_b, a.doi AS doi_a, b.doi AS doi_b,
                  a.abstract AS abstract_a, b.abstract AS abstract_b
           FROM dedup_pairs p JOIN records a ON a.id = p.record_a
           JOIN records b ON b.id = p.record_b
           WHERE p.status = 'grey' ORDER BY p.score DESC, p.record_a, p.record_b""").fetchall()


def count_grey_pairs(conn: sqlite3.Connection) -> int:
    """How many pairs wait for a human (``dedupe --review`` / ``--grey-out``)."""
    return conn.execute("SELECT COUNT(*) FROM dedup_pairs WHERE status = 'grey'").fetchone()[0]


def set_verdict(conn: sqlite3.Connection, a: int, b: int, verdict: str, *, by: str,
                commit: bool = True) -> None:
    """Store a human's "same" / "different" for a pair; every later run respects it."""
    if verdict not in ("same", "different"):
        raise InputError(f"verdict {verdict!r} is not 'same' or 'different'")
    a, b = min(a, b), max(a, b)
    for rid in (a, b):
        if conn.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone() is None:
            raise NotFoundError(f"no record with id {rid}")
    sql = ("INSERT INTO dedup_pairs(record_a, record_b, score, status, reason, decided_by,"
           " decided_at) VALUES (?, ?, 1.0, ?, 'human verdict', ?, ?)"
           " ON CONFLICT(record_a, record_b) DO UPDATE SET status = excluded.status,"
           " decided_by = excluded.decided_by, decided_at = excluded.decided_at")
    args = (a, b, verdict, by, utcnow())
    if commit:
        with transaction(conn):
            conn.execute(sql, args)
    else:
        conn.execute(sql, args)


def grey_pairs_csv(conn: sqlite3.Connection) -> str:
    """The grey pairs as a CSV for a human to fill the ``verdict`` column (same/different)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GREY_COLUMNS)
    for row in grey_pairs(conn):
        writer.writerow([row[c] if c != "verdict" else "" for c in GREY_COLUMNS])
    return out.getvalue()


def _rows_with_lines(reader: csv.DictReader) -> Iterator[tuple[int, dict]]:
    """Each row with the file line it starts on (a title with a line break spans lines)."""
    start = 2
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def import_verdicts(conn: sqlite3.Connection, path: Path, *, by: str) -> int:
    """Read a filled grey-pairs CSV (``record_a,record_b,verdict``; blank verdicts skipped)
    in one transaction: a bad row names its line and stores nothing."""
    grey_out = "write it with `nlp-review dedupe --grey-out FILE` and fill in `verdict`"
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError("is a folder, not the grey-pairs CSV", file=path,
                         hint=grey_out) from None
    except FileNotFoundError:
        raise InputError("no such file", file=path, hint=f"check the path, or {grey_out}"
                         ) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", file=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # a spreadsheet saving 'CSV' on Windows writes Windows-1252: only the ids and the
        # verdicts are read, which are ASCII either way
        text = data.decode("cp1252", errors="replace")
    # a spreadsheet saving in a locale with decimal commas writes ';' between the cells
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text) or ",")
    missing = {"record_a", "record_b", "verdict"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"missing column(s) {', '.join(sorted(missing))}", file=path,
                         hint="use the file written by `nlp-review dedupe --grey-out`")
    rows = []
    for line, row in _rows_with_lines(reader):
        verdict = (row["verdict"] or "").strip().lower()
        if not verdict:
            continue
        if verdict not in ("same", "different"):
            raise InputError(f"verdict {verdict!r} is not 'same' or 'different'", file=path,
                             line=line)
        try:
            a, b = int(row["record_a"]), int(row["record_b"])
        except ValueError:
            raise InputError("record_a and record_b must be record ids", file=path,
                             line=line) from None
        for rid in (a, b):
            if conn.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone() is None:
                raise InputError(f"no record with id {rid} in this project", file=path,
                                 line=line, hint="fill in the file `nlp-review dedupe "
                                 "--grey-out` wrote for this project; nothing was stored")
        rows.append((a, b, verdict))
    with transaction(conn):
        for a, b, verdict in rows:
            set_verdict(conn, a, b, verdict, by=by, commit=False)
    return len(rows)
