"""Export the project's unique records (with their current decisions) and its duplicate map."""

from __future__ import annotations

import csv
import io
import sqlite3

from nlp_review.errors import unknown_name
from nlp_review.store.decisions import current_decisions
from nlp_review.store.records import iter_works, row_to_record

WHICH = ("all", "included", "excluded", "unscreened")
#: Written after the ASReview-compatible columns of the CSV export.
DECISION_COLUMNS = ("decided_by", "decided_at", "decision_note")


def _keep(which: str, label: int | None) -> bool:
    return {
        "all": True,
        "included": label == 1,
        "excluded": label == 0,
        "unscreened": label is None,
    }[which]


def works_for_export(conn: sqlite3.Connection, which: str = "all") -> list[dict]:
    """One row per unique work: ``record_id`` (the work's id = its face record's id), the
    bibliographic fields, ``label_included`` (1, 0 or None when not screened; also the
    record's ``label``) and who decided it, when, with which note (``DECISION_COLUMNS``)."""
    if which not in WHICH:
        raise unknown_name("selection", which, WHICH)
    decisions = current_decisions(conn)
    rows = []
    for row in iter_works(conn):
        decision = decisions.get(row["id"])
        label = decision.label if decision else None
        if not _keep(which, label):
            continue
        record = row_to_record(row, source_id=str(row["id"]))
        record.label = label  # written as ASReview's N1 note in RIS, so decisions survive
        rows.append({"record": record, "record_id": row["id"], "label_included": label,
                     "n_records": row["n_records"],
                     "decided_by": decision.reviewer if decision else None,
                     "decided_at": decision.created_at if decision else None,
                     "decision_note": decision.note if decision else None})
    return rows


def duplicates_csv(conn: sqlite3.Connection) -> str:
    """``source,source_id,group_id``: one row per imported record, in import order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["source", "source_id", "group_id", "record_id"])
    for row in conn.execute(
        "SELECT s.name, r.source_id, r.group_id, r.id FROM records r"
        " JOIN sources s ON s.id = r.source_ref ORDER BY r.id"
    ):
        writer.writerow(list(row))
    return out.getvalue()


