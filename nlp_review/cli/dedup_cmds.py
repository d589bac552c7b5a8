"""`nlp-review dedupe`: find duplicates, list grey pairs, take human verdicts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from nlp_review.cli.common import (ProjectOption, console, default_reviewer, progress,
                                   project_at)
from nlp_review.io import atomic_write_text
from nlp_review.workflows.deduplicating import (DedupeReport, grey_pairs, grey_pairs_csv,
                                                import_verdicts, run_dedupe, set_verdict)


def _print_report(report: DedupeReport, conn) -> None:
    verb = "would merge" if report.dry_run else "merged"
    console.print(f"{report.records} records, {report.new_records} scored as new; "
                  f"{report.compared} candidate pairs compared")
    console.print(f"{report.groups_after} unique records ({report.duplicates} duplicates); "
                  f"{verb} {len(report.changes)} new or changed duplicate groups")
    if report.grey_pairs:
        console.print(f"{report.grey_pairs} possible duplicates need a human: "
                      "`nlp-review dedupe --review` or `--grey-out FILE`")
    if report.dry_run and report.changes:
        table = Table(title="Groups this run would form or change", title_justify="left")
        table.add_column("records")
        table.add_column("titles")
        for group in report.changes[:50]:
            titles = [conn.execute("SELECT title FROM records WHERE id = ?", (i,)).fetchone()[0]
                      or "" for i in group]
            table.add_row(", ".join(map(str, group)), "\n".join(t[:90] for t in titles))
        console.print(table)
        if len(report.changes) > 50:
            console.print(f"... and {len(report.changes) - 50} more")


def _review(conn, reviewer: str) -> int:
    """Ask a human about each grey pair; each answer is committed at once."""
    pairs = grey_pairs(conn)
    if not pairs:
        console.print("No possible duplicates are waiting for a human.")
        return 0
    done = 0
    for n, row in enumerate(pairs, start=1):
        table = Table(title=f"Pair {n} of {len(pairs)}: score {row['score']:.2f} "
                      f"({row['reason']})", title_justify="left", show_lines=True)
        table.add_column("")
        table.add_column(f"record {row['record_a']}", overflow="fold")
        table.add_column(f"record {row['record_b']}", overflow="fold")
        for field in ("title", "year", "authors", "journal", "doi"):
            a, b = row[f"{field}_a"], row[f"{field}_b"]
            if field == "authors":
                a, b = "; ".join(json.loads(a or "[]")), "; ".join(json.loads(b or "[]"))
            table.add_row(field, str(a or ""), str(b or ""))
        table.add_row("abstract", (row["abstract_a"] or "")[:300], (row["abstract_b"] or "")[:300])
        console.print(table)
        while True:
            try:
                answer = typer.prompt("[s]ame / [d]ifferent / [k] skip / [q]uit", default="k")
            except typer.Abort:  # end of piped answers, or Ctrl-C: as quit
                console.print()
                answer = "q"
            answer = answer.strip().lower()[:1]
            if answer in ("s", "d", "k", "q"):
                break
            console.print("answer s (same), d (different), k (skip) or q (quit)")
        if answer == "q":
            break
        if answer in ("s", "d"):
            set_verdict(conn, row["record_a"], row["record_b"],
                        "same" if answer == "s" else "different", by=reviewer)
            done += 1
    return done


def dedupe_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be merged; change "
                                 "nothing."),
    full: bool = typer.Option(False, "--full", help="Rescore every pair, not only pairs with "
                              "records imported since the last run (human verdicts are kept)."),
    review: bool = typer.Option(False, "--review", help="Ask about each possible duplicate "
                                "(grey pair) in the terminal; each answer is stored at once."),
    grey_out: Optional[Path] = typer.Option(None, "--grey-out", help="Write the grey pairs to a "
                                            "CSV with an empty `verdict` column to fill in."),
    verdicts: Optional[Path] = typer.Option(None, "--verdicts", help="Read a filled grey-pairs "
                                            "CSV (verdict: same/different) and regroup."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who gives verdicts "
                                           "(default: the OS user)."),
    project: Path = ProjectOption,
) -> None:
    """Find duplicate records (DOI, PMID, fuzzy titles confirmed by the other fields).

    Duplicates form groups; nothing is deleted. Pairs in the grey zone are left for a human,
    whose "same" / "not the same" every later run respects. Incremental: new imports are
    matched against what is there."""
    reviewer = reviewer or default_reviewer()
    with project_at(project) as proj:
        if verdicts is not None:
            n = import_verdicts(proj.conn, verdicts, by=reviewer)
            console.print(f"Stored {n} verdicts from {verdicts}")
        if review:
            if not sys.stdin.isatty():
                console.print("(stdin is not a terminal: reading answers line by line)")
            n = _review(proj.conn, reviewer)
            console.print(f"Stored {n} verdicts")
        with progress() as bar:
            task = bar.add_task("comparing", total=None)
            report = run_dedupe(
                proj.conn, dry_run=dry_run, full=full,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        _print_report(report, proj.conn)
        if grey_out is not None:
            atomic_write_text(grey_out, grey_pairs_csv(proj.conn))
            console.print(f"Wrote {report.grey_pairs} grey pairs to {grey_out}")


def register(app: typer.Typer) -> None:
    app.command("dedupe")(dedupe_cmd)
