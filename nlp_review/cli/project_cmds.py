"""Project commands: init, import, export, status."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from nlp_review.cli.common import (ProjectOption, console, err_console, print_error, progress,
                                   project_at, warn)
from nlp_review.errors import ConfigError, InputError
from nlp_review.io import atomic_write_text
from nlp_review.store.project import init_project
from nlp_review.workflows.exporting import DECISION_COLUMNS, duplicates_csv, works_for_export
from nlp_review.workflows.status import project_status


def init_cmd(
    path: Path = typer.Argument(Path("."), help="Folder for the new project (created if missing)."),
) -> None:
    """Create a new project: a folder with its SQLite store."""
    project = init_project(path)
    project.close()
    console.print(f"Created project in {path.resolve()}")
    console.print("Next: nlp-review import EXPORT.ris --project " + str(path))


def import_cmd(
    files: List[Path] = typer.Argument(..., help="Search export files (RIS, PubMed MEDLINE/XML, "
                                       "EndNote XML, BibTeX, CSV/TSV/XLSX); format read from "
                                       "the content."),
    source: Optional[str] = typer.Option(None, "--source", "-s",
                                         help="Source (database) name; default: the file "
                                         "name without its extension."),
    search: Optional[int] = typer.Option(None, "--search", help="Id of the recorded "
                                         "database search these exports came from (see "
                                         "`nlp-review search list`)."),
    project: Path = ProjectOption,
) -> None:
    """Import search exports into the project, one transaction per file.

    A file that has an error imports nothing; the other files go on. A file imported before
    (same content) is skipped."""
    from nlp_review.workflows.importing import import_file

    failed = 0
    with project_at(project) as proj:
        if search is not None:
            from nlp_review.store.living import get_search

            get_search(proj.conn, search)  # an unknown id stops before any file is read
        for path in files:
            with progress() as bar:
                task = bar.add_task(f"reading {path.name}", total=None)
                try:
                    report = import_file(proj, path, source=source, search_id=search,
                                         on_record=lambda n: bar.update(task, completed=n))
                except InputError as exc:
                    failed += 1
                    print_error(exc)
                    err_console.print(f"  nothing imported from {path}", highlight=False, soft_wrap=True)
                    continue
            for w in report.warnings:
                warn(f"{path}: {w}")
            if report.status == "skipped":
                console.print(f"{path}: {report.message}", highlight=False, soft_wrap=True)
                continue
            priors = f", {report.n_priors} prior decisions" if report.n_priors else ""
            console.print(f"{path}: imported {report.n_records} records as {report.format} "
                          f"(source {report.source!r}{priors})", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(2)


class ExportFormat(str, Enum):
    ris = "ris"
    csv = "csv"


class Which(str, Enum):
    all = "all"
    included = "included"
    excluded = "excluded"
    unscreened = "unscreened"


def _format_of(out: Path) -> ExportFormat:
    """The export format named by the file's extension (.csv or .ris)."""
    try:
        return ExportFormat(out.suffix.lower().lstrip("."))
    except ValueError:
        raise ConfigError(f"cannot tell the export format from the file name {out.name!r}",
                          hint="name the file .csv or .ris, or pass --format csv|ris") from None


def export_cmd(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write."),
    format: Optional[ExportFormat] = typer.Option(
        None, "--format", "-f", help="csv (ASReview-compatible columns) or ris (default: from "
        "the --out file's extension, .csv or .ris)."),
    which: Which = typer.Option(Which.all, "--which", help="Which unique records to export."),
    duplicates: Optional[Path] = typer.Option(
        None, "--duplicates", help="Also write the duplicate map (source,source_id,group_id,"
        "record_id) as CSV to this file."),
    project: Path = ProjectOption,
) -> None:
    """Export unique records with their decisions (label_included), or the duplicate map.

    The CSV has ASReview's columns, then who decided each record, when, and the note given
    while screening (decided_by, decided_at, decision_note); the RIS file carries each
    decision as ASReview's N1 note. Either reads back with `nlp-review label --from`."""
    from nlp_review.formats import write_csv, write_ris

    if out is None and duplicates is None:
        raise ConfigError("nothing to write", hint="pass --out FILE and/or --duplicates FILE")
    if out is not None and format is None:
        format = _format_of(out)  # an unknown extension: reported before anything is written
    with project_at(project) as proj:
        if duplicates is not None:
            atomic_write_text(duplicates, duplicates_csv(proj.conn))
            console.print(f"Wrote the duplicate map to {duplicates}")
        if out is not None:
            with err_console.status(f"Exporting {which.value} records..."):
                rows = works_for_export(proj.conn, which.value)
            if format is ExportFormat.ris:
                text = write_ris([r["record"] for r in rows])
            else:
                text = write_csv([
                    {**r["record"].to_dict(), **{c: r[c] for c in DECISION_COLUMNS},
                     "record_id": r["record_id"], "label_included": r["label_included"]}
                    for r in rows
                ], extra=DECISION_COLUMNS)
            atomic_write_text(out, text)
            console.print(f"Wrote {len(rows)} records ({which.value}) to {out}")


def status_cmd(project: Path = ProjectOption) -> None:
    """Where the project stands: records, duplicates, screening, recall and stopping verdicts.

    The identification part of a PRISMA 2020 flow diagram, then the screening progress:
    records since the last include, estimated recall with its interval, and each stopping
    rule's verdict with its reason."""
    with project_at(project) as proj:
        with err_console.status("Counting records and decisions..."):
            st = project_status(proj.conn)
        table = Table(title="Records identified", title_justify="left")
        for col in ("source", "file", "format", "records", "found only here"):
            table.add_column(col, justify="right" if col in ("records", "found only here")
                             else "left", overflow="fold")  # long names wrap, not "…"
        for s in st.sources:
            table.add_row(s.source, s.file_name, s.format, str(s.imported), str(s.unique_here))
        console.print(table)
        console.print(f"records imported      {st.records:>8}")
        console.print(f"duplicates removed    {st.duplicates_removed:>8}")
        console.print(f"unique records        {st.unique:>8}")
        console.print(f"screened              {st.screened:>8}")
        console.print(f"  included            {st.included:>8}")
        console.print(f"  excluded            {st.excluded:>8}")
        console.print(f"not yet screened      {st.unscreened:>8}")
        if len(st.by_reviewer) > 1:  # a team: who made the current decisions
            console.print("decided by            " + "; ".join(
                f"{escape(name)} {n} ({i} included)" for name, (n, i) in st.by_reviewer.items()),
                highlight=False, soft_wrap=True)
        if st.grey_pairs:
            console.print(f"possible duplicates waiting for a human: {st.grey_pairs} "
                          "(nlp-review dedupe --review)")
        from nlp_review.living.update import importing_note, pending_note
        from nlp_review.store.living import pending_updates

        for row in pending_updates(proj.conn):
            console.print(f"[bold yellow]unfinished:[/bold yellow] {pending_note(row)}; "
                          f"finish it with: nlp-review update -p {project}",
                          highlight=False, soft_wrap=True)
        importing = importing_note(proj.conn)
        if importing:
            console.print(f"[bold yellow]unfinished:[/bold yellow] {importing}",
                          highlight=False, soft_wrap=True)
        if st.unique:
            from nlp_review.cli.stopping_view import render_stopping
            from nlp_review.stopping.report import stopping_report

            console.print()
            with err_console.status("Checking the stopping rules..."):
                report = stopping_report(proj.conn)
            console.print(render_stopping(report))


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.command("status")(status_cmd)
