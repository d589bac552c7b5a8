"""``nlp-review update``: fold new search exports into a screened project in one step.

Imports the files (each checked before anything is stored), deduplicates them against
everything already in the project, flags new versions of already-screened works for a look,
ranks the new unique works with the model trained on every decision so far, tags them, and
records the update (its sources and counts) so a PRISMA diagram can be drawn for it.

Decisions, tags and full texts are keyed by record and read through the record's dedup group,
so a new record that joins a screened group shares its decision without anything being
written; the update itself never writes a decision (an export's own label column is
imported as prior decisions, as `import` does, and reported).

Resumable: the update is recorded once its records are imported and counted; each later
step (ranked, tagged, completed) is recorded when done (``update_steps``), so an
interrupted update is finished by ``resume_updates`` without redoing or changing what was
stored. An interruption while importing leaves a mark (``update_importing``) naming the
files; run with them again, the files already imported join the update.

The estimates printed with the update (``nlp_review.living.estimate``): the inclusion
threshold (the out-of-fold score 95 % of the included works reach), how many new works
reach it, and how many relevant works the model expects among the new ones with an
interval, from cross-fitted, calibrated scores. Without two includes and an exclude there
is no trained model, no threshold and no expectation (reported as such)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from nlp_review.errors import InputError
from nlp_review.living.estimate import CrossFit, UpdateEstimate, cross_fit, estimate
from nlp_review.store.db import to_minute, utcnow
from nlp_review.store.decisions import Decision, current_decisions
from nlp_review.store.living import (UpdateRow, add_update, clear_update_importing,
                                     get_search, mark_update_importing, mark_update_step,
                                     pending_updates, update_importing)
from nlp_review.store.project import Project

if TYPE_CHECKING:
    from spacy.language import Language

#: title similarity (rapidfuzz ratio on normalised titles) that flags a new unique work as a
#: possible new version of a screened one that dedupe kept apart
TITLE_FLAG_RATIO = 95.0


@dataclass
class SourceChange:
    source: str
    file: str
    status: str  # "imported" or "skipped" (same file imported before)
    imported: int = 0
    new_unique: int = 0
    duplicates_existing: int = 0  # joined a work that was in the project before
    duplicates_screened: int = 0  # ... and that work had a decision (it carries over)
    duplicates_within: int = 0  # duplicate of another record of this update only
    source_ref: int | None = None


@dataclass
class Flag:
    """A new record that may be a new version of a screened work: for a human to look at."""

    record_id: int
    work_id: int  # the new record's current work
    screened_work: int
    screened_label: int
    reason: str
    title: str


@dataclass
class UpdateReport:
    update_id: int | None
    sources: list[SourceChange]
    new_records: int
    new_works: list[int]  # work ids of the new unique works
    inherited: dict[int, int]  # work id -> label, for new records that joined screened works
    flags: list[Flag]
    model_mode: str  # "model" (trained on both classes), "cold", "none new" (no new unique
    # work) or "all decided" (no new work is without a decision): nothing to rank
    top: list[tuple[int, float, str]]  # (work id, score, title), best first, new works only
    tagged: int
    decided_before: int
    decided_after: int
    stopping: object = None  # StoppingReport of the project after the update
    scores: dict[int, float] = field(default_factory=dict)  # new undecided work -> score
    notes: list[str] = field(default_factory=list)
    estimate: UpdateEstimate | None = None  # None: no trained model (see estimate.py)
    crossfit: CrossFit | None = None  # the cross-fitted scores the estimate came from
    estimate_works: list[int] = field(default_factory=list)  # work id per estimate entry
    tag: bool = True  # whether the update tags the new records (--tag/--no-tag)
    new_decided: int = 0  # new unique works that came with a decision (the export's labels)
    #: what an earlier, interrupted run of this update stored (empty for a fresh one); its
    #: counts and any estimate in it are kept as they were, never recomputed
    stored: dict = field(default_factory=dict)
    #: steps of this update that were done before this run (resumed: an earlier run was
    #: interrupted after the records were counted)
    done_before: frozenset[str] = frozenset()
    #: works the tagging step left because they were tagged with other rules or options
    tag_left: int = 0

    @property
    def resumed(self) -> bool:
        return bool(self.stored)

    @property
    def threshold(self) -> float | None:
        return self.estimate_figures()["threshold"]

    @property
    def above_threshold(self) -> int | None:
        return self.estimate_figures()["above_threshold"]

    @property
    def expected_relevant(self) -> float | None:
        return self.estimate_figures()["expected_relevant"]

    @property
    def duplicates(self) -> int:
        return self.new_records - len(self.new_works)

    def counts(self) -> dict:
        """What the import and dedupe found (stored when the update is recorded)."""
        if self.stored:
            return {k: self.stored[k] for k in _COUNT_KEYS if k in self.stored}
        return {
            "sources": [vars(s) for s in self.sources],
            "new_records": self.new_records, "new_unique": len(self.new_works),
            "new_works": list(self.new_works),
            "duplicates": self.duplicates,
            "duplicates_of_screened": len(self.inherited),
            "new_decided": self.new_decided,
            "inherited": {str(w): label for w, label in self.inherited.items()},
            "flags": [vars(f) for f in self.flags], "notes": list(self.notes),
            "decided_before": self.decided_before, "decided_after": self.decided_after,
            "tag": self.tag,
        }

    def estimate_figures(self) -> dict:
        """The ranking step's figures: from this run's estimate, else those an earlier run
        stored, else none (not ranked yet, or no trained model)."""
        if self.estimate is None and "ranked" in self.done_before:
            return {k: self.stored.get(k) for k in _ESTIMATE_KEYS}
        est = self.estimate
        return {
            "model_mode": self.model_mode,
            "threshold": None if est is None else est.threshold,
            "above_threshold": None if est is None else est.above,
            "expected_relevant": None if est is None else est.expected,
            "expected_interval": None if est is None else [est.low, est.high, est.level],
            "expected_above_threshold": None if est is None else est.expected_above,
            "estimate_decided": None if est is None else est.n_decided,
            "estimate_included": None if est is None else est.n_included,
            "top": [list(t) for t in self.top],
        }

    def summary(self) -> dict:
        """The counts, figures and stopping estimate stored with the update (JSON)."""
        est = getattr(self.stopping, "estimate", None)
        stored_stop = {k: self.stored.get(k) for k in _STOPPING_KEYS}
        return {
            **self.counts(), **self.estimate_figures(),
            "tagged": self.tagged if "tagged" not in self.done_before
            else self.stored.get("tagged"),
            **(stored_stop if est is None else {
                "estimated_relevant_total": est.total, "estimated_recall": est.recall}),
        }


_COUNT_KEYS = ("sources", "new_records", "new_unique", "new_works", "duplicates",
               "duplicates_of_screened", "new_decided", "inherited", "flags", "notes",
               "decided_before", "decided_after", "tag")
_ESTIMATE_KEYS = ("model_mode", "threshold", "above_threshold", "expected_relevant",
                  "expected_interval", "expected_above_threshold", "estimate_decided",
                  "estimate_included", "top")
_STOPPING_KEYS = ("estimated_relevant_total", "estimated_recall")


def _check_files(paths: Sequence[Path]) -> None:
    """Read and parse every file first, so a bad file stops the update before anything is
    stored (the error names the file and the place)."""
    from nlp_review.formats import parse
    from nlp_review.workflows.importing import read_export

    if not paths:
        raise InputError("no export files given", hint="nlp-review update FILE... ")
    for path in paths:
        path = Path(path)
        data = read_export(path)
        if not parse(data, str(path)).records:
            raise InputError("holds no records", file=path, hint="is this the right file?")


def _groups(conn: sqlite3.Connection) -> tuple[dict[int, int], dict[int, list[int]]]:
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for rid, gid in conn.execute("SELECT id, group_id FROM records ORDER BY id"):
        group_of[rid] = gid
        members.setdefault(gid, []).append(rid)
    return group_of, members


def run_update(
    project: Project,
    paths: Sequence[Path],
    *,
    search_id: int | None = None,
    tag: bool = True,
    preset: str | None = None,
    step: Callable[[str], None] = lambda s: None,
    dedupe_progress: Callable[[int, int], None] | None = None,
    tagger: Callable[[], tuple[Language, str]] | None = None,
    tag_progress: Callable[[int, int], None] | None = None,
) -> UpdateReport:
    """Run the whole update; see the module docstring."""
    from nlp_review.workflows.deduplicating import run_dedupe
    from nlp_review.workflows.importing import import_file

    conn = project.conn
    paths = [Path(p) for p in paths]
    if search_id is not None:
        get_search(conn, search_id)
    _check_files(paths)
    paths, same_notes = _distinct_files(paths)
    started = utcnow()
    before_max = conn.execute("SELECT COALESCE(MAX(id), 0) FROM records").fetchone()[0]
    decided_before = current_decisions(conn)
    # marked until the update is recorded: an interruption while importing or deduplicating
    # is reported by `status` and `update` (run it again with the files: see _adopt)
    given = {p.resolve() for p in paths}
    earlier = [Path(f) for f in (update_importing(conn) or {}).get("files", [])
               if Path(f).resolve() not in given]
    mark_update_importing(conn, started, [str(p) for p in [*paths, *earlier]])
    step("import the new exports")
    changes: list[SourceChange] = []
    for path in paths:
        rep = import_file(project, path, search_id=search_id)
        change = SourceChange(rep.source or path.stem, path.name, rep.status,
                              imported=rep.n_records, source_ref=rep.source_ref)
        if rep.status == "skipped":
            _adopt(conn, path, change, search_id)
        changes.append(change)
    interrupted_notes = list(same_notes)
    for path in earlier:  # files of an update interrupted before it was recorded
        change = SourceChange(path.stem, path.name, "skipped")
        if path.is_file():
            _adopt(conn, path, change, None)
        if change.status == "adopted":
            change.source = _source_name(conn, change.source_ref)
            changes.append(change)
        else:
            interrupted_notes.append(
                f"{path} was given to an update that was interrupted before importing it; "
                f"it is not in the project (run nlp-review update {path} to add it)")
    adopted = [c.source_ref for c in changes if c.status == "adopted"]
    new_ids = sorted({r[0] for r in conn.execute(
        "SELECT id FROM records WHERE id > ?", (before_max,))} | {
        r[0] for ref in adopted for r in conn.execute(
            "SELECT id FROM records WHERE source_ref = ?", (ref,))})
    if not new_ids:
        clear_update_importing(conn)
        return UpdateReport(None, changes, 0, [], {}, [], "cold", [], 0,
                            len(decided_before), len(decided_before),
                            notes=["every file was imported before (and belongs to an "
                                   "earlier update or has decisions): nothing new",
                                   *interrupted_notes])
    step("deduplicate against the whole project")
    run_dedupe(conn, progress=dedupe_progress)
    group_of, members = _groups(conn)
    decided_after = current_decisions(conn)
    new = set(new_ids)
    source_of = {r[0]: r[1] for r in conn.execute("SELECT id, source_ref FROM records")
                 if r[0] in new}
    by_ref = {c.source_ref: c for c in changes if c.source_ref is not None}
    new_works: list[int] = []
    inherited: dict[int, int] = {}
    for rid in new_ids:
        gid = group_of[rid]
        change = by_ref[source_of[rid]]
        earlier = [m for m in members[gid] if m < rid]
        if not earlier:
            new_works.append(gid)
            change.new_unique += 1
        elif any(m not in new for m in earlier):
            change.duplicates_existing += 1
            if gid in decided_after:
                if _old_work(members[gid], decided_before) is not None:
                    change.duplicates_screened += 1
                    inherited[gid] = decided_after[gid].label
        else:
            change.duplicates_within += 1
    flags = find_new_versions(conn, new_ids, decided_before, group_of, members)
    notes = interrupted_notes + _merge_conflicts(decided_before, group_of, members,
                                                 decided_after)
    report = UpdateReport(None, changes, len(new_ids), new_works, inherited, flags, "cold",
                          [], 0, len(decided_before), len(decided_after),
                          notes=notes)
    # recorded now, so an interruption while ranking or tagging still leaves the update
    # (its records and counts) on file; `update` finishes it later (finish_update)
    report.tag = tag
    report.new_decided = sum(1 for w in new_works if w in decided_after)
    report.update_id = add_update(
        conn, started_at=started, first_record=new_ids[0], last_record=new_ids[-1],
        source_ids=sorted(by_ref), summary=report.summary())
    return finish_update(project, report, preset=preset, step=step, tagger=tagger,
                         tag_progress=tag_progress)


def _bundled_tagger() -> tuple[Language, str]:
    from nlp_review.tagging.patterns import default_models_dir, patterns_fingerprint
    from nlp_review.tagging.pipeline import build_pipeline

    return build_pipeline(), patterns_fingerprint(default_models_dir())


def finish_update(project: Project, report: UpdateReport, *, preset: str | None = None,
                  step: Callable[[str], None] = lambda s: None,
                  tagger: Callable[[], tuple[Language, str]] | None = None,
                  tag_progress: Callable[[int, int], None] | None = None) -> UpdateReport:
    """The steps after the records are counted, each recorded in the store when done
    (``update_steps``), so an interrupted update can be finished without redoing or
    losing anything: rank the new works and store the estimates (kept if an earlier run
    stored them), tag (unless the update was run with ``tag=False``), then the stopping
    estimate; the update is complete when that is stored. ``tagger`` builds the tagging
    pipeline and its fingerprint (`tag`'s options; default: the bundled rules)."""
    conn = project.conn
    uid = report.update_id
    if "ranked" not in report.done_before:
        step("rank the new records with the model trained on every decision")
        mode, est, scores, top = _rank_new(conn, report.new_works, current_decisions(conn),
                                           preset)
        report.model_mode, report.scores, report.top = mode, scores, top
        if est is not None:
            report.estimate, report.crossfit, report.estimate_works = est
        mark_update_step(conn, uid, "ranked", report.summary())
    if report.tag and "tagged" not in report.done_before:
        step("tag the new records")
        nlp, fingerprint = (tagger or _bundled_tagger)()
        from nlp_review.tagging.run import tag_project

        tagged = tag_project(conn, nlp, fingerprint, keep_other_fingerprints=True,
                             on_progress=tag_progress)
        report.tagged, report.tag_left = tagged.tagged, tagged.left
        mark_update_step(conn, uid, "tagged", report.summary())
    from nlp_review.stopping.report import stopping_report

    report.stopping = stopping_report(conn)
    mark_update_step(conn, uid, "completed", report.summary())
    return report


def resume_updates(project: Project, *, preset: str | None = None,
                   step: Callable[[str], None] = lambda s: None,
                   pending: Sequence[UpdateRow] | None = None,
                   tagger: Callable[[], tuple[Language, str]] | None = None,
                   tag_progress: Callable[[int, int], None] | None = None
                   ) -> list[UpdateReport]:
    """Finish every update that was interrupted after its records were imported and
    counted (see ``finish_update``; ``pending``: those updates as the caller already read
    them, else read here); returns their reports, oldest first."""
    rows = pending_updates(project.conn) if pending is None else pending
    return [finish_update(project, resumable_report(project.conn, row), preset=preset,
                          step=step, tagger=tagger, tag_progress=tag_progress)
            for row in rows]


def resumable_report(conn: sqlite3.Connection, row: UpdateRow) -> UpdateReport:
    """The report of a stored update as its first run left it (counts, and the estimate
    figures if it got that far), ready for ``finish_update``."""
    s = row.summary
    new_works = s.get("new_works")
    if new_works is None:  # stored before the list was kept: the groups it started
        new_works = _new_works_of_sources(conn, row.source_ids)
    report = UpdateReport(
        row.id, [SourceChange(**c) for c in s["sources"]], s["new_records"],
        list(new_works), {int(w): label for w, label in s.get("inherited", {}).items()},
        [Flag(**f) for f in s["flags"]], s.get("model_mode", "cold"),
        [tuple(t) for t in s.get("top", [])], 0, s["decided_before"], s["decided_after"],
        notes=list(s.get("notes", [])), tag=bool(s.get("tag", True)), stored=dict(s),
        done_before=frozenset(row.steps))
    return report


def pending_note(row: UpdateRow) -> str:
    """What an unfinished update still needs, for `status` and `update`."""
    left = [name for key, name in (("ranked", "ranking and the estimates"),
                                   ("tagged", "tagging"), ("completed",
                                                           "the stopping estimate"))
            if key not in row.steps and (key != "tagged" or row.summary.get("tag", True))]
    return (f"update {row.id} (started {to_minute(row.started_at)} UTC) did not "
            f"finish: its {row.summary.get('new_records', '?')} records are imported and "
            f"deduplicated, but {_and(left)} {'are' if len(left) > 1 else 'is'} not done")


def importing_note(conn: sqlite3.Connection) -> str | None:
    """What to do about an update interrupted before it was recorded (while importing or
    deduplicating its files), or None."""
    mark = update_importing(conn)
    if mark is None:
        return None
    return (f"an update started {to_minute(mark['started_at'])} UTC was "
            "interrupted while importing or deduplicating; run it again with the same "
            f"files (nlp-review update {' '.join(mark['files'])}): the files it had "
            "imported join it, nothing is imported twice")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _new_works_of_sources(conn: sqlite3.Connection, source_ids: list[int]) -> list[int]:
    """Works whose earliest record came from these sources."""
    group_of, members = _groups(conn)
    src = dict(conn.execute("SELECT id, source_ref FROM records"))
    wanted = set(source_ids)
    return sorted(g for g, ms in members.items() if src[min(ms)] in wanted)


def _adopt(conn: sqlite3.Connection, path: Path, change: SourceChange,
           search_id: int | None) -> None:
    """A file imported before joins this update when its records belong to no update and
    none has a decision yet (imported with `import`, or an update interrupted before it was
    recorded); otherwise it stays skipped."""
    from nlp_review.store.records import source_by_hash
    from nlp_review.workflows.importing import file_hash

    src = source_by_hash(conn, file_hash(path.read_bytes()))
    if src is None:
        return
    in_update = conn.execute("SELECT 1 FROM update_sources WHERE source_id = ?",
                             (src.id,)).fetchone()
    decided = conn.execute("SELECT 1 FROM decisions d JOIN records r ON r.id = d.record_id"
                           " WHERE r.source_ref = ? LIMIT 1", (src.id,)).fetchone()
    if in_update or decided:
        return
    change.status, change.imported, change.source_ref = "adopted", src.n_records, src.id
    if search_id is not None and src.search_id is None:
        from nlp_review.store.db import transaction
        from nlp_review.store.living import tie_source

        with transaction(conn):
            tie_source(conn, src.id, search_id)


def _distinct_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files with the same content given twice (the same path, or a copy) kept once,
    and a note for each one left out."""
    from nlp_review.workflows.importing import file_hash

    seen: dict[str, Path] = {}
    keep, notes = [], []
    for path in paths:
        digest = file_hash(path.read_bytes())
        if digest in seen:
            same = path.resolve() == seen[digest].resolve()
            notes.append(f"{path} was given twice: read once" if same else
                         f"{path} has the same content as {seen[digest]}: read once")
            continue
        seen[digest] = path
        keep.append(path)
    return keep, notes


def _source_name(conn: sqlite3.Connection, source_id: int | None) -> str:
    row = conn.execute("SELECT name FROM sources WHERE id = ?", (source_id,)).fetchone()
    return "" if row is None else row[0]


def _old_work(group: list[int], decided_before: dict[int, Decision]) -> int | None:
    """The screened work (before the update) an updated group descends from, if any."""
    for d in decided_before.values():
        if d.record_id in group:
            return d.work_id
    return None


def _merge_conflicts(decided_before: dict[int, Decision], group_of: dict[int, int],
                     members: dict[int, list[int]], decided_after: dict[int, Decision]
                     ) -> list[str]:
    """Works screened apart that a new record joined into one group (their decisions now
    share one work; the newest wins, so a human should look when the labels differ)."""
    joined: dict[int, list[Decision]] = {}
    for d in decided_before.values():
        joined.setdefault(group_of[d.record_id], []).append(d)
    notes = []
    for gid, ds in joined.items():
        if len(ds) > 1:
            labels = sorted({d.label for d in ds})
            notes.append(f"works {', '.join(str(d.work_id) for d in ds)} were screened apart "
                         f"and are now one work ({gid}) through a new record; labels "
                         f"{labels} (now {decided_after[gid].label})"
                         + (": check it" if len(labels) > 1 else ""))
    return notes


def find_new_versions(conn: sqlite3.Connection, new_ids: list[int],
                      decided_before: dict[int, Decision], group_of: dict[int, int],
                      members: dict[int, list[int]]) -> list[Flag]:
    """New records that may be a new version of a screened work (journal article after a
    preprint, corrected reprint): (1) a grey pair (possible duplicate) with a screened work's
    record; (2) merged into a screened work although its DOI (else its year) differs from
    every earlier member's; (3) a new unique work whose normalised title matches a
    screened work's."""
    from rapidfuzz import fuzz, process

    from nlp_review.dedup.normalise import normalise_title

    new = set(new_ids)
    label_of_record: dict[int, tuple[int, int]] = {}  # old record -> (screened work, label)
    for d in decided_before.values():
        for m in members[group_of[d.record_id]]:
            if m not in new:
                label_of_record[m] = (d.work_id, d.label)
    rows = {r["id"]: r for r in conn.execute("SELECT id, title, doi, year FROM records")
            if r["id"] in new}
    flags: list[Flag] = []
    seen: set[int] = set()

    def add(rid: int, old: int, reason: str) -> None:
        if rid in seen:
            return
        seen.add(rid)
        work, label = label_of_record[old]
        flags.append(Flag(rid, group_of[rid], work, label, reason, rows[rid]["title"] or ""))

    for a, b, score in conn.execute("SELECT record_a, record_b, score FROM dedup_pairs"
                                    " WHERE status = 'grey'"):
        for rid, old in ((a, b), (b, a)):
            if rid in new and old in label_of_record:
                add(rid, old, f"possible duplicate of a screened record (score {score:.2f})")
    for rid in new_ids:
        olds = [m for m in members[group_of[rid]] if m not in new]
        if not olds or olds[0] not in label_of_record:
            continue
        marks = ",".join("?" * len(olds))
        old_dois = {r[0] for r in conn.execute(
            f"SELECT doi FROM records WHERE id IN ({marks}) AND doi IS NOT NULL", olds)}
        old_years = {r[0] for r in conn.execute(
            f"SELECT year FROM records WHERE id IN ({marks}) AND year IS NOT NULL", olds)}
        doi, year = rows[rid]["doi"], rows[rid]["year"]
        if doi and old_dois and doi not in old_dois:
            add(rid, olds[0], f"merged into a screened work but its DOI {doi} differs "
                              f"from {', '.join(sorted(old_dois))}")
        elif year and old_years and year not in old_years:
            add(rid, olds[0], f"merged into a screened work but its year {year} differs "
                              f"from {', '.join(map(str, sorted(old_years)))}")
    screened_titles: dict[str, int] = {}
    for old in label_of_record:
        t = conn.execute("SELECT title FROM records WHERE id = ?", (old,)).fetchone()[0]
        full = normalise_title(t)[0]
        if len(full.split()) >= 4:
            screened_titles.setdefault(full, old)
    choices = list(screened_titles)
    for rid in new_ids:
        if group_of[rid] != rid or rid in seen or not choices:
            continue  # only new unique works (their face is themselves)
        if any(m not in new for m in members[group_of[rid]]):
            continue
        full = normalise_title(rows[rid]["title"])[0]
        if len(full.split()) < 4:
            continue
        hit = process.extractOne(full, choices, scorer=fuzz.ratio,
                                 score_cutoff=TITLE_FLAG_RATIO)
        if hit is not None:
            add(rid, screened_titles[hit[0]],
                f"title matches a screened work ({hit[1]:.0f}%) that dedupe kept apart")
    return flags


def _rank_new(conn: sqlite3.Connection, new_works: list[int],
              decided: dict[int, Decision], preset: str | None
              ) -> tuple[str, tuple[UpdateEstimate, CrossFit, list[int]] | None,
                         dict[int, float], list[tuple[int, float, str]]]:
    """Score every work with the model trained on all decisions: the mode, the estimates
    (with the cross-fit they came from and the new works they are for, in that order; None
    without a trained model), the new works' scores, the top ten."""
    if not new_works:
        return "none new", None, {}, []
    if all(w in decided for w in new_works):  # e.g. the export carried a label column
        return "all decided", None, {}, []
    from nlp_review.screening.session import ScreeningSession

    session = ScreeningSession(conn, reviewer="update", preset=preset)
    ranker = session.ranker
    row_of = session._row_of
    scores = ranker.scores_
    new_rows = [(w, float(scores[row_of[w]])) for w in new_works if w in row_of
                and w not in decided]
    new_rows.sort(key=lambda t: -t[1])
    titles = dict(conn.execute("SELECT id, title FROM works"))
    top = [(w, s, titles.get(w) or "") for w, s in new_rows[:10]]
    included = [w for w, d in decided.items() if d.label == 1 and w in row_of]
    if ranker.mode_ != "model" or len(included) < 2:
        return ranker.mode_, None, dict(new_rows), top
    rows = np.array([row_of[w] for w in decided if w in row_of])
    y = np.array([decided[w].label for w in decided if w in row_of])
    works = [w for w, _ in new_rows]
    fit = cross_fit(ranker, rows, y, np.array([row_of[w] for w in works], dtype=np.int64))
    return "model", (estimate(fit), fit, works), dict(new_rows), top
