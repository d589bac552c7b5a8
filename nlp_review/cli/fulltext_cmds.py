"""Full-text commands: ``fulltext add`` and ``fulltext list``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from nlp_review.cli.common import ProjectOption, console, err_console, progress, project_at

fulltext_app = typer.Typer(help="Add full texts (PDF, JATS/PMC XML, HTML, plain text) and "
                                "link them to the project's records.", no_args_is_help=True)

_STYLE = {"linked": "green", "relinked": "green", "unlinked": "yellow", "failed": "red",
          "present": "dim"}


@fulltext_app.command("add")
def add_cmd(
    paths: List[Path] = typer.Argument(..., help="Full-text files, or folders searched "
                                       "recursively for .pdf, .xml, .nxml, .html and .txt files."),
    record: Optional[int] = typer.Option(None, "--record", "-r", help="Link the (single) file "
                                         "to this record id by hand."),
    password: str = typer.Option("", "--password", help="User password for encrypted PDFs."),
    timeout: float = typer.Option(120.0, "--timeout", min=0.1, help="Seconds allowed to "
                                  "extract one PDF before it is stopped and reported."),
    max_memory: int = typer.Option(2048, "--max-memory", min=64, help="Memory (MB of address "
                                   "space) allowed to extract one PDF."),
    project: Path = ProjectOption,
) -> None:
    """Read full texts, link each to its record (DOI, PMID, else title) and store them.

    Each file is handled on its own: a file that is encrypted, scanned, damaged, too slow or
    too big is reported and the others go on. Re-adding a file already added does nothing."""
    from nlp_review.fulltext.ingest import add_fulltexts, find_files, summarise

    with project_at(project) as proj:
        n_files = len(find_files(paths))
        with progress() as bar:
            task = bar.add_task("reading full texts", total=n_files)

            def report(outcome) -> None:
                style = _STYLE.get(outcome.status, "")
                err_console.print(f"[{style}]{outcome.status:>8}[/{style}] {outcome.path}: "
                                  f"{outcome.message}", highlight=False)
                bar.advance(task)

            outcomes = add_fulltexts(proj, paths, record_id=record, password=password,
                                     timeout=timeout, max_memory_mb=max_memory,
                                     on_file=report)
    counts = summarise(outcomes)
    console.print(
        f"{counts['files']} file(s): added {counts['added']} (linked {counts['linked']}, "
        f"unlinked {counts['unlinked']}), already present {counts['present']}, "
        f"linked by hand {counts['relinked']}, failed {counts['failed']}"
        + (f"; {counts['notices']} notice(s) rather than articles" if counts["notices"] else ""),
        highlight=False)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        console.print("Failed:", highlight=False)
        for o in failed:
            console.print(f"  {o.path}: {o.message}", highlight=False, soft_wrap=True)
    if counts["unlinked"]:
        console.print("Link unlinked files by hand: nlp-review fulltext add FILE --record ID",
                      highlight=False)
    if failed and len(failed) == len(outcomes):
        raise typer.Exit(1)


@fulltext_app.command("list")
def list_cmd(
    status: Optional[str] = typer.Option(None, "--status", help="Only full texts with this "
                                         "status: linked, unlinked or failed."),
    project: Path = ProjectOption,
) -> None:
    """List the project's full texts: file, format, pages, status, record and message."""
    from nlp_review.fulltext.listing import list_rows

    with project_at(project) as proj:
        rows = list_rows(proj, status=status)
    if not rows:
        console.print("No full texts" + (f" with status {status}" if status else "") +
                      ". Add some with: nlp-review fulltext add PATH")
        return
    table = Table("id", "file", "format", "pages", "status", "record", "link", "paras",
                  "message")
    table.columns[1].overflow = "fold"
    table.columns[8].overflow = "fold"
    table.columns[8].ratio = 3
    for r in rows:
        style = _STYLE.get(r.status, "")
        link = r.link_method or ""
        if r.link_method == "title" and r.link_score is not None:
            link += f" {r.link_score:g}"
        table.add_row(str(r.id), r.file_name, r.format or "?", str(r.pages or ""),
                      f"[{style}]{r.status}[/{style}]", str(r.record_id or ""), link,
                      str(r.n_paragraphs), r.message or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(fulltext_app, name="fulltext")
