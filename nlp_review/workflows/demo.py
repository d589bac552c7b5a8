"""The main job on the bundled demo corpus, end to end, as a user would run it:
import two overlapping exports, deduplicate, screen in the model's order with a simulated
reviewer who answers from the demo's labels until the statistical stopping rule says stop,
tag the records, add full texts (from ``fulltexts``: the repository bundles none, see
below), and build the evidence report, a dated evidence snapshot, the PRISMA 2020 flow
diagram and exports.

Full texts: the demo corpus's articles are not openly licensed, and no openly licensed full
text of any of them is on the machine or in a sensible PyPI dependency, so none is bundled
(fabricated articles are not acceptable). ``--fulltexts DIR`` adds the files found in DIR
through the same path as `nlp-review fulltext add` / `fulltext tag`; those that match a
record are linked and feed the evidence table, the others are stored as unlinked (and
counted as such in the PRISMA numbers); README / SOURCE / licence texts in the folder are
skipped, as `fulltext add` does.

Every step uses the same library functions as the CLI commands."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from nlp_review import CORPORA_DIR
from nlp_review.errors import InputError, ProjectError
from nlp_review.store.project import DB_NAME, Project, init_project

DEMO_DIR = CORPORA_DIR / "demo"
DEMO_EXPORTS = (("ERIC", "eric_export.ris"), ("PsycINFO", "psycinfo_export.csv"))
DEMO_CRITERIA = (
    "Effects of adult-child ratios, staff-child ratios, group size and class size in early "
    "childhood education and care (preschool, kindergarten, nursery, child care centres) on "
    "children's development, wellbeing, learning and the quality of care and teacher-child "
    "interaction."
)
DEMO_REVIEWER = "demo-reviewer (answers from corpora/demo/labels.csv)"


@dataclass
class DemoReport:
    project: Path
    imported: dict[str, int] = field(default_factory=dict)
    unique: int = 0
    duplicates: int = 0
    screened: int = 0
    included_found: int = 0
    included_total: int = 0
    last_include_at: int = 0  # position (1-based) of the last include in screening order
    stop_reason: str = ""
    tagged: int = 0
    spans: int = 0
    fulltexts: dict[str, int] = field(default_factory=dict)  # status -> files
    skipped: list[str] = field(default_factory=list)  # README/SOURCE/licence files left out
    prisma: object = None  # PrismaCounts
    outputs: dict[str, Path] = field(default_factory=dict)


def _prepare_folder(out: Path, force: bool) -> None:
    if not out.exists():
        return
    is_demo = (out / DB_NAME).is_file() and (out / ".nlp-review-demo").is_file()
    if not force or not is_demo:
        raise ProjectError(
            f"{out} already exists",
            hint=("pass --force to replace this earlier demo project" if is_demo else
                  "pick a folder that does not exist yet; the demo never overwrites other "
                  "files"))
    shutil.rmtree(out)


def demo_labels(corpus: Path = DEMO_DIR) -> dict[str, int]:
    with open(corpus / "labels.csv", newline="", encoding="utf-8") as handle:
        return {row["source_id"]: int(row["label_included"]) for row in csv.DictReader(handle)}


def _oracle(project: Project, labels: dict[str, int]) -> dict[int, int]:
    """Work id -> the review's decision, through any record of the work's group."""
    out: dict[int, int] = {}
    for source_id, group_id in project.conn.execute("SELECT source_id, group_id FROM records"):
        if source_id in labels:
            out[group_id] = labels[source_id]
    return out


def simulate_reviewer(project: Project, oracle: dict[int, int], *, reviewer: str,
                      stop_rule: str = "buscar",
                      on_decision: Callable[[int], None] | None = None) -> tuple[int, str]:
    """Screen in the tool's order (random draws when the statistical rule asks for them),
    answering from ``oracle``, until ``stop_rule`` says stop or nothing is left. Each
    decision is committed as in `nlp-review screen`. Returns (decisions made, why stopped)."""
    from nlp_review.screening.session import ScreeningSession
    from nlp_review.stopping.report import stopping_report

    session = ScreeningSession(project.conn, reviewer=reviewer)
    made = 0
    while True:
        verdict = stopping_report(project.conn, rules=[stop_rule]).verdicts[0][1]
        if verdict.stop:
            return made, f"{stop_rule}: {verdict.reason}"
        work = session.next_work()
        if work is None:
            return made, "every record screened"
        session.decide(work.work_id, oracle.get(work.work_id, 0))
        made += 1
        if on_decision:
            on_decision(made)


def run_demo(out: Path, *, force: bool = False, corpus: Path = DEMO_DIR,
             fulltexts: Path | None = None,
             step: Callable[[str], None] = lambda s: None,
             on_decision: Callable[[int], None] | None = None) -> DemoReport:
    """Run the whole path on the demo corpus into the new project folder ``out``."""
    from nlp_review.evidence.build import build_evidence
    from nlp_review.evidence.export import write_csv as write_evidence_csv
    from nlp_review.evidence.export import write_html
    from nlp_review.formats import write_csv
    from nlp_review.io import atomic_write_text
    from nlp_review.store import screening as screening_store
    from nlp_review.stopping.report import screening_sequence
    from nlp_review.tagging.patterns import default_models_dir, patterns_fingerprint
    from nlp_review.tagging.pipeline import build_pipeline
    from nlp_review.tagging.run import tag_project
    from nlp_review.workflows.deduplicating import run_dedupe
    from nlp_review.workflows.exporting import works_for_export
    from nlp_review.workflows.importing import import_file

    from nlp_review.living.prisma import prisma_counts
    from nlp_review.living.prisma_draw import write_prisma
    from nlp_review.living.snapshots import save_snapshot

    out = Path(out)
    if fulltexts is not None and not Path(fulltexts).is_dir():
        raise InputError("is not a folder of full texts", file=fulltexts,
                         hint="give a folder of PDF / JATS XML / HTML files, e.g. "
                              "../shared/datasets/fulltext/jats/allofplos")
    _prepare_folder(out, force)
    project = init_project(out)
    (out / ".nlp-review-demo").write_text("made by `nlp-review demo`\n")
    report = DemoReport(project=out)
    try:
        step("import two search exports")
        for source, name in DEMO_EXPORTS:
            report.imported[source] = import_file(project, corpus / name,
                                                  source=source).n_records
        step("deduplicate")
        dd = run_dedupe(project.conn)
        report.unique, report.duplicates = dd.groups_after, dd.duplicates
        step("set the review question and screen with a simulated reviewer")
        screening_store.set_criteria(project.conn, DEMO_CRITERIA, set_by=DEMO_REVIEWER)
        oracle = _oracle(project, demo_labels(corpus))
        report.included_total = sum(oracle.values())
        report.screened, report.stop_reason = simulate_reviewer(
            project, oracle, reviewer=DEMO_REVIEWER, on_decision=on_decision)
        labels = screening_sequence(project.conn).labels
        report.included_found = int(labels.sum())
        report.last_include_at = int(labels.nonzero()[0].max()) + 1 if labels.any() else 0
        step("tag mechanisms, populations, settings, interventions, outcomes")
        nlp = build_pipeline()
        tagged = tag_project(project.conn, nlp, patterns_fingerprint(default_models_dir()))
        report.tagged, report.spans = tagged.tagged, tagged.spans
        if fulltexts is not None:
            from nlp_review.fulltext.ingest import add_fulltexts, summarise
            from nlp_review.fulltext.tagging import tag_fulltexts

            step(f"add and tag the full texts in {fulltexts}")
            added = add_fulltexts(project, [Path(fulltexts)])
            report.fulltexts = summarise(added)
            report.skipped = [o.path.name for o in added if o.status == "skipped"]
            tag_fulltexts(project.conn, nlp, patterns_fingerprint(default_models_dir()))
        step("build the evidence report, PRISMA diagram and exports")
        table = build_evidence(project.conn)
        save_snapshot(project.conn, table)
        outputs = {"evidence report (HTML)": out / "evidence.html",
                   "evidence table (CSV)": out / "evidence.csv",
                   "included records (CSV)": out / "included.csv"}
        write_html(table, outputs["evidence report (HTML)"],
                   title="Evidence table: demo corpus")
        write_evidence_csv(table, outputs["evidence table (CSV)"])
        rows = works_for_export(project.conn, "included")
        atomic_write_text(outputs["included records (CSV)"], write_csv(
            [{**r["record"].to_dict(), "record_id": r["record_id"],
              "label_included": r["label_included"]} for r in rows]))
        report.prisma = prisma_counts(project.conn)
        drawn = write_prisma(report.prisma, out)
        outputs["PRISMA 2020 flow diagram (PNG)"] = drawn["png"]
        outputs["PRISMA 2020 flow diagram (SVG)"] = drawn["svg"]
        outputs["PRISMA numbers (CSV)"] = drawn["csv"]
        report.outputs = outputs
    finally:
        project.close()
    return report


