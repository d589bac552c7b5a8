"""The numbers of a PRISMA 2020 flow diagram, for the whole project or for one update.

PRISMA 2020 (Page et al., BMJ 2021;372:n71) counts *records* (a title/abstract indexed in a
database) up to screening, then *reports* (the documents, i.e. full texts) sought,
not retrieved and assessed for eligibility, then *studies* included. What the project
knows of each box:

- identified: records imported, per source name (the exports imported under one name
  are added up);
- duplicates removed: records whose dedup group holds a record imported before them
  (project: records - unique works, the same as ``nlp-review status``);
- screened: unique works with a title/abstract decision; excluded: those decided exclude;
  awaiting screening: works without a decision;
- the report boxes need full texts. A project with none (title/abstract screening only)
  recorded nothing about reports, so those boxes are "not recorded" (``fulltext_stage``
  False), never numbers that read as if every report had been sought and lost. A project
  holding full texts (read and stored, linked to a record or not: files that failed to
  read do not count) is at the full-text stage: sought = works included at screening;
  "not retrieved" = those without a full text linked in the project (not obtained, not
  added yet, or added but not linked: the project cannot tell which); "with a full text" =
  the rest (there is no full-text eligibility decision in the tool, so none is counted as
  assessed-and-excluded). A linked retraction or correction notice is not the study's
  report and does not count as its full text (the evidence table does not use it either).
  Full texts linked to no record are counted apart (``unlinked``): they may be reports of
  included studies the linker could not match;
- included: works included at title/abstract screening (one decision per work).

For an update, the records counted are those of the update's sources, and the works its new
unique works (groups whose earliest record came with the update); whether the report boxes
are recorded is decided for the project as a whole."""

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
    assessed: int  # included works with a full text in the project
    included: int
    fulltext_stage: bool = True  # False: no full texts in the project (report boxes unknown)
    #: update only: duplicates of records already in the project (the earlier searches);
    #: the rest of ``duplicates`` are duplicates within the update
    duplicates_of_earlier: int | None = None
    #: full texts stored in the project but linked to no record (whole project)
    unlinked: int = 0

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
        if self.excluded + self.included != self.screened:
            problems.append("excluded + included != screened")
        if self.fulltext_stage and self.assessed + self.not_retrieved != self.sought:
            problems.append("with a full text + not retrieved != sought")
        return problems

    def rows(self) -> list[tuple[str, str, int | None, str]]:
        """(stage, box, count, note) rows, in diagram order (the CSV); count None: not
        recorded in the project."""
        out = [("identification", f"records from {name}", n, "")
               for name, n in self.sources]
        out += [("identification", "records identified", self.identified, ""),
                ("identification", "duplicate records removed", self.duplicates, "")]
        if self.duplicates_of_earlier is not None:
            out += [("identification", "duplicates of records from earlier searches",
                     self.duplicates_of_earlier, "part of the duplicates removed"),
                    ("identification", "duplicates within this update",
                     self.duplicates - self.duplicates_of_earlier,
                     "part of the duplicates removed")]
        out += [
                ("screening", "records screened", self.screened,
                 "unique records with a title/abstract decision"),
                ("screening", "records excluded", self.excluded, ""),
                ("screening", "records awaiting screening", self.awaiting, "")]
        if self.fulltext_stage:
            out += [("retrieval", "reports sought for retrieval", self.sought,
                     "records included at title/abstract screening"),
                    ("retrieval", "reports not retrieved", self.not_retrieved,
                     "no full text linked in the project: not obtained, not added yet, or "
                     "added but not linked")]
            if self.unlinked:
                out += [("retrieval", "full texts linked to no record", self.unlinked,
                         UNLINKED_NOTE)]
            out += [("eligibility", "full-text reports assessed", self.assessed,
                     "full text in the project; full-text exclusions are not recorded")]
        else:
            none = NO_FULLTEXT_NOTE
            out += [("retrieval", "reports sought for retrieval", None, none),
                    ("retrieval", "reports not retrieved", None, none),
                    ("eligibility", "full-text reports assessed", None, none)]
        out += [("included", "studies included", self.included,
                 "included at title/abstract screening")]
        return out

    def sentence(self) -> str:
        """The diagram in one line (printed by `prisma` and `demo`)."""
        if self.fulltext_stage:
            reports = (f"{self.assessed} of them with a full text in the project, "
                       f"{self.not_retrieved} without")
            if self.unlinked:
                reports += (f"; {self.unlinked} full text{'s' if self.unlinked != 1 else ''}"
                            " in the project linked to no record")
        else:
            reports = "no full texts in the project: report boxes not recorded"
        return (f"{self.identified} identified, {self.duplicates} duplicates removed, "
                f"{self.screened} screened, {self.excluded} excluded, {self.included} "
                f"included at title/abstract screening ({reports})"
                + (f", {self.awaiting} not yet screened" if self.awaiting else "") + ".")


#: what the CSV says of full texts linked to no record
UNLINKED_NOTE = ("in the project but not linked to any record, so not counted above: see "
                 "`nlp-review fulltext list --status unlinked`; link one with "
                 "`nlp-review fulltext add FILE --record ID`")

#: what the report boxes say in a project without full texts
NO_FULLTEXT_NOTE = ("not recorded: the project holds no full texts (title/abstract "
                    "screening only)")


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
    of_earlier = None
    if update_id is not None:
        of_earlier = sum(1 for ms in members.values() if min(ms) not in counted
                         for m in ms if m in counted)
    decisions = current_decisions(conn)
    screened = [w for w in works if w in decisions]
    included = [w for w in screened if decisions[w].label == 1]
    with_text = {r[0] for r in conn.execute(
        "SELECT DISTINCT r.group_id FROM fulltexts f JOIN records r ON r.id = f.record_id"
        " WHERE f.status = 'linked' AND f.notice IS NULL")}
    assessed = sum(1 for w in included if w in with_text)
    stored = dict(conn.execute("SELECT status, COUNT(*) FROM fulltexts"
                               " WHERE status IN ('linked', 'unlinked') GROUP BY status"))
    return PrismaCounts(
        title=title,
        sources=_by_name(source_names, per_source),
        identified=identified, duplicates=identified - len(works), screened=len(screened),
        excluded=len(screened) - len(included), awaiting=len(works) - len(screened),
        sought=len(included), not_retrieved=len(included) - assessed, assessed=assessed,
        included=len(included), fulltext_stage=bool(stored),
        duplicates_of_earlier=of_earlier, unlinked=stored.get("unlinked", 0))


def _by_name(names: dict[int, str], per_source: dict[int, int]) -> list[tuple[str, int]]:
    """Records per source name, in import order: exports given one source name (files
    imported with the same --source, or the same file name from several folders) are one
    box line, not several lines with the same name."""
    out: dict[str, int] = {}
    for source, n in sorted(per_source.items()):
        out[names[source]] = out.get(names[source], 0) + n
    return list(out.items())


def prisma_csv(counts: PrismaCounts) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "stage", "box", "count", "note"])
    for stage, box, n, note in counts.rows():
        writer.writerow([counts.title, stage, box, "" if n is None else n, note])
    return out.getvalue()
