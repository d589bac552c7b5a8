"""Evidence over time: a dated snapshot of the evidence table, and the difference between a
snapshot and the table now (new studies; studies whose evidence now comes from another
source, e.g. their full text instead of their abstract; new, dropped or changed mechanism
rows; new or dropped populations and settings per mechanism).

Studies are matched across snapshots by their records, not by the work id: a later dedupe
may pick another record of the group as its face, but the records stay."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from nlp_review.evidence.build import EvidenceTable
from nlp_review.store.living import add_snapshot, get_snapshot, list_snapshots

DIFF_GROUPS = ("populations", "settings")
#: how a study's evidence source (``Study.source``) reads in a diff
SOURCE_NAMES = {"fulltext": "full text", "abstract": "abstract", "none": "nothing tagged"}


def snapshot_data(conn: sqlite3.Connection, table: EvidenceTable) -> dict:
    """The table as plain JSON-able data: studies with their records, and each row's
    mechanism, status and context labels."""
    studies = {}
    for st in table.studies:
        records = [r[0] for r in conn.execute("SELECT id FROM records WHERE group_id = ?"
                                              " ORDER BY id", (st.id,))]
        studies[str(st.id)] = {"label": st.label, "source": st.source,
                               "records": records or [st.id]}
    rows = [{"study": r.study_id, "mechanism": r.mechanism, "status": r.status,
             "n_sentences": r.n_sentences, "populations": sorted(r.populations),
             "settings": sorted(r.settings), "interventions": sorted(r.interventions),
             "outcomes": sorted(r.outcomes)} for r in table.rows]
    return {"studies": studies, "rows": rows}


def save_snapshot(conn: sqlite3.Connection, table: EvidenceTable) -> int:
    """Store a dated snapshot of ``table``; returns its id (see ``store_snapshot``)."""
    return store_snapshot(conn, table)[0]


def store_snapshot(conn: sqlite3.Connection, table: EvidenceTable) -> tuple[int, bool]:
    """Store a dated snapshot of ``table`` unless the latest snapshot holds the same
    evidence (then nothing is stored: running `evidence` again, or `evidence --diff`, does
    not pile up copies). Returns the id of the snapshot holding it and whether it is new."""
    data = snapshot_data(conn, table)
    latest = list_snapshots(conn)
    if latest and _evidence_only(get_snapshot(conn, latest[-1].id).data) == _evidence_only(data):
        return latest[-1].id, False
    return add_snapshot(conn, data, n_studies=len(table.studies), n_rows=len(table.rows)), True


def _evidence_only(data: dict) -> dict:
    """A snapshot without its studies' record lists: a new duplicate record joining a study
    (an update) changes no evidence, and the study still matches by its earlier records."""
    return {"studies": {sid: {k: v for k, v in st.items() if k != "records"}
                        for sid, st in data["studies"].items()}, "rows": data["rows"]}


@dataclass
class RowChange:
    study: str
    mechanism: str
    change: str  # "new", "dropped" or "changed"
    details: list[str] = field(default_factory=list)


@dataclass
class SourceChange:
    """A study still included whose evidence now comes from another source."""

    study: str
    before: str  # "full text", "abstract" or "nothing tagged"
    after: str

    def __str__(self) -> str:
        return f"source: {self.before} -> {self.after}"


@dataclass
class EvidenceDiff:
    snapshot_id: int
    snapshot_date: str
    new_studies: list[str]
    dropped_studies: list[str]
    changes: list[RowChange]
    source_changes: list[SourceChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new_studies or self.dropped_studies or self.changes
                    or self.source_changes)


def diff_against(conn: sqlite3.Connection, snapshot_id: int, table: EvidenceTable
                 ) -> EvidenceDiff:
    """What changed in the evidence since snapshot ``snapshot_id``."""
    snap = get_snapshot(conn, snapshot_id)
    return diff_data(snap.data, snapshot_data(conn, table), snap.id, snap.created_at)


def diff_data(old: dict, new: dict, snapshot_id: int = 0, snapshot_date: str = ""
              ) -> EvidenceDiff:
    old_by_record = {rid: sid for sid, st in old["studies"].items() for rid in st["records"]}
    match: dict[str, str] = {}  # new study id -> old study id
    for sid, st in new["studies"].items():
        for rid in st["records"]:
            if rid in old_by_record:
                match[sid] = old_by_record[rid]
                break
    matched_old = set(match.values())
    new_studies = [new["studies"][s]["label"] for s in new["studies"] if s not in match]
    source_changes = []
    for sid, old_sid in match.items():
        before = old["studies"][old_sid].get("source")
        after = new["studies"][sid].get("source")
        if before and after and before != after:
            source_changes.append(SourceChange(new["studies"][sid]["label"],
                                               SOURCE_NAMES.get(before, before),
                                               SOURCE_NAMES.get(after, after)))
    dropped = [st["label"] for s, st in old["studies"].items() if s not in matched_old]
    old_rows = {(str(r["study"]), r["mechanism"]): r for r in old["rows"]}
    new_rows = {(str(r["study"]), r["mechanism"]): r for r in new["rows"]}
    changes: list[RowChange] = []
    seen_old: set[tuple[str, str]] = set()
    for (sid, mech), row in sorted(new_rows.items()):
        if sid not in match:
            changes.append(RowChange(new["studies"][sid]["label"], mech, "new",
                                     [f"{row['status']}"] + _context(row)))
            continue
        key = (match[sid], mech)
        before = old_rows.get(key)
        label = new["studies"][sid]["label"]
        if before is None:
            changes.append(RowChange(label, mech, "new", [row["status"]] + _context(row)))
            continue
        seen_old.add(key)
        details = []
        if before["status"] != row["status"]:
            details.append(f"status {before['status']} -> {row['status']}")
        for group in DIFF_GROUPS:
            added = sorted(set(row[group]) - set(before[group]))
            gone = sorted(set(before[group]) - set(row[group]))
            if added:
                details.append(f"{group} added: {', '.join(added)}")
            if gone:
                details.append(f"{group} dropped: {', '.join(gone)}")
        if details:
            changes.append(RowChange(label, mech, "changed", details))
    for (sid, mech), row in sorted(old_rows.items()):
        # a study no longer included loses its entries too, as a new study's are listed
        if (sid, mech) not in seen_old:
            changes.append(RowChange(old["studies"][sid]["label"], mech, "dropped",
                                     [row["status"]]))
    return EvidenceDiff(snapshot_id, snapshot_date, new_studies, dropped, changes,
                        source_changes)


def _context(row: dict) -> list[str]:
    return [f"{g}: {', '.join(row[g])}" for g in DIFF_GROUPS if row[g]]
