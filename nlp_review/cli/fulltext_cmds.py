"""Full-text commands: ``fulltext add`` and ``fulltext list``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from nlp_review.cli.common import (BaseModelOption, ModelsOption, ProjectOption, console,
                                   err_console, progress, project_at)
from nlp_review.cli.tagging_cmds import SpancatOption

fulltext_app = typer.Typer(help="Full texts (PDF, JATS/PMC XML, HTML, plain text): add and "
                                "link them to the project's records, list, tag and show them, "
                                "remove one added by mistake.",
                           no_args_is_help=True)

#: Terminal width from which `fulltext list` shows messages in a table column.
_WIDE = 150

_STYLE = {"linked": "green", "relinked": "green", "unlinked": "yellow", "failed": "red",
          "present": "dim", "skipped": "dim"}


@fulltext_app.command("add")
def add_cmd(
    paths: List[Path] = typer.Argument(..., help="Full-text files, or folders searched "
                                       "recursively for .pdf, .xml, .nxml, .html, .htm, .xhtml "
                                       "and .txt files. In a folder, files that are not "
                                       "articles are skipped and named with why: README, "
                                       "SOURCE, LICENSE, CHANGELOG texts, search exports, XML "
                                       "that is not a JATS article, JATS of metadata only, a "
                                       "JATS-like extraction of another file's article."),
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
        skipped: list[Path] = []
        n_files = len(find_files(paths, skipped)) + len(skipped)
        with progress() as bar:
            task = bar.add_task("reading full texts", total=n_files)

            stored: list[str] = []

            def report(outcome) -> None:
                style = _STYLE.get(outcome.status, "")
                err_console.print(f"[{style}]{outcome.status:>8}[/{style}] {outcome.path}: "
                                  f"{outcome.message}", highlight=False)
                if outcome.status in {"linked", "unlinked", "failed", "relinked"}:
                    stored.append(outcome.status)
                bar.advance(task)

            try:
                outcomes = add_fulltexts(proj, paths, record_id=record, password=password,
                                         timeout=timeout, max_memory_mb=max_memory,
                                         on_file=report)
            except KeyboardInterrupt:
                err_console.print(
                    f"[bold]Interrupted:[/bold] {len(stored)} file(s) handled before the "
                    "interruption are stored (each in its own transaction; the file being "
                    "read is not). Run the same command again to add the rest: files "
                    "already added are recognised and left as they are.", highlight=False)
                raise typer.Exit(130) from None
    counts = summarise(outcomes)
    console.print(
        f"{counts['files']} file(s): added {counts['added']} (linked {counts['linked']}, "
        f"unlinked {counts['unlinked']}), already present {counts['present']}, "
        f"linked by hand {counts['relinked']}, failed {counts['failed']}"
        + (f", skipped {counts['skipped']} (not articles: README / SOURCE / licence texts, "
           "search exports, non-article XML, each named above with why)"
           if counts["skipped"] else "")
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
    if len(failed) == len(outcomes) - counts["skipped"]:
        if not failed:
            err_console.print("Nothing added: every file found was skipped as not an "
                              "article (see above); name a file to read it on its own.",
                              highlight=False)
        raise typer.Exit(1)


@fulltext_app.command("list")
def list_cmd(
    status: Optional[str] = typer.Option(None, "--status", help="Only full texts with this "
                                         "status: linked, unlinked or failed."),
    project: Path = ProjectOption,
) -> None:
    """List the project's full texts: file, format, pages, status, record, how it was linked,
    paragraphs, whether it is tagged, and any message."""
    from nlp_review.fulltext.listing import list_rows
    from nlp_review.store.fulltexts import tagged_fulltexts

    with project_at(project) as proj:
        rows = list_rows(proj, status=status)
        tagged = tagged_fulltexts(proj.conn)
    if not rows:
        console.print("No full texts" + (f" with status {status}" if status else "") +
                      ". Add some with: nlp-review fulltext add PATH")
        return
    # In a narrow terminal the message column got a few characters and each message ran
    # down dozens of lines: there, messages follow the table, one line each.
    wide = console.width >= _WIDE
    table = Table("id", "file", "format", "pages", "status", "record", "link", "paras",
                  "tagged", *(["message"] if wide else []))
    table.columns[1].overflow = "fold"
    if wide:
        table.columns[9].overflow = "fold"
        table.columns[9].ratio = 3
    for r in rows:
        style = _STYLE.get(r.status, "")
        link = r.link_method or ""
        if r.link_method == "title" and r.link_score is not None:
            link += f" {r.link_score:g}"
        table.add_row(str(r.id), r.file_name, r.format or "?", str(r.pages or ""),
                      f"[{style}]{r.status}[/{style}]", str(r.record_id or ""), link,
                      str(r.n_paragraphs),
                      "" if r.status == "failed" else "yes" if r.id in tagged else "no",
                      *([r.message or ""] if wide else []))
    console.print(table)
    if not wide and any(r.message for r in rows):
        console.print("Messages:")
        for r in rows:
            if r.message:
                console.print(f"  {r.id} {r.file_name}: {r.message}", highlight=False)
    untagged = [r for r in rows if r.status != "failed" and r.id not in tagged]
    if untagged:
        console.print(f"{len(untagged)} full text(s) not tagged yet: run `nlp-review "
                      "fulltext tag`.", highlight=False)


@fulltext_app.command("tag")
def tag_cmd(
    force: bool = typer.Option(False, "--force", help="Re-tag every full text, even "
                               "unchanged ones."),
    spancat: Optional[Path] = SpancatOption,
    models: Optional[Path] = ModelsOption,
    base_model: Optional[str] = BaseModelOption,
    project: Path = ProjectOption,
) -> None:
    """Tag the stored full texts sentence by sentence (references, acknowledgements, tables
    and captions are not tagged); spans are stored with section, page and sentence. Use the
    same --spancat / --models as `nlp-review tag`, so that full texts and abstracts are
    tagged alike."""
    from nlp_review.cli.tagging_cmds import tagging_fingerprint, tagging_pipeline
    from nlp_review.fulltext.tagging import tag_fulltexts

    nlp = tagging_pipeline(models, base_model, spancat)
    fingerprint = tagging_fingerprint(models, base_model, spancat)

    with project_at(project) as proj, progress() as bar:
        task = bar.add_task("tagging full texts", total=None)
        report = tag_fulltexts(proj.conn, nlp, fingerprint, force=force,
                               on_progress=lambda i, n: bar.update(task, completed=i, total=n))
    console.print(f"{report.fulltexts} full text(s): tagged {report.tagged} "
                  f"({report.sentences} sentences, {report.spans} spans), unchanged "
                  f"{report.unchanged}" + (
                      " (--force: all tagged again)" if force else
                      f" ({report.repatterned} tagged again because the patterns or options "
                      "differ from their last run)" if report.repatterned else ""),
                  highlight=False)


@fulltext_app.command("show")
def show_cmd(
    fulltext_id: int = typer.Argument(..., help="Full-text id (see `nlp-review fulltext list`)."),
    tags: bool = typer.Option(False, "--tags", help="Print each tagged sentence with its "
                              "labels instead of the section outline."),
    project: Path = ProjectOption,
) -> None:
    """Show one full text: its sections with pages, or its tagged sentences."""
    from nlp_review.fulltext.listing import fulltext_view

    with project_at(project) as proj:
        view = fulltext_view(proj, fulltext_id)
    ft = view.fulltext
    console.print(f"[bold]{ft.title or ft.file_name}[/bold]  ({ft.file_name}, {ft.format}, "
                  + (f"{ft.pages} page(s), " if ft.pages else "") + f"{ft.status}"
                  + (f", record {ft.record_id}" if ft.record_id else "") + ")", highlight=False)
    if ft.message:
        console.print(ft.message, style="dim", highlight=False)
    if not tags:
        table = Table("section", "heading", "pages", "paragraphs", "tagged")
        for part in view.outline():
            tagged = ("yes" if view.tagged else "not yet") if part["taggable"] else "never"
            table.add_row(part["kind"], part["heading"] or "", part["pages"],
                          str(part["paragraphs"]), tagged)
        console.print(table)
        if not view.tagged and ft.status != "failed":
            console.print("Not tagged yet: run `nlp-review fulltext tag`. References and "
                          "acknowledgements are never tagged.")
        return
    sentences = view.tagged_sentences()
    if not sentences:
        console.print("No tags stored: run `nlp-review fulltext tag` first.")
    for sent in sentences:
        labels = ", ".join(sent["labels"])
        page = f" p.{sent['page']}" if sent["page"] else ""
        console.print(f"[cyan]{sent['section']}{page}[/cyan] {sent['text']}"
                      f"\n   [green]{labels}[/green]", highlight=False)


@fulltext_app.command("remove")
def remove_cmd(
    fulltext_ids: List[int] = typer.Argument(..., help="Full-text ids (see `nlp-review "
                                             "fulltext list`)."),
    project: Path = ProjectOption,
) -> None:
    """Remove full texts added by mistake (a file that is not an article, the wrong
    article), with their paragraphs and tags; the PRISMA counts and the evidence table no
    longer use them. The files themselves are not touched. All ids are checked first: an
    unknown one removes nothing."""
    from nlp_review.errors import NotFoundError
    from nlp_review.store.db import transaction
    from nlp_review.store.fulltexts import delete_fulltext, fulltext_by_id

    with project_at(project) as proj:
        missing = [i for i in fulltext_ids if fulltext_by_id(proj.conn, i) is None]
        if missing:
            raise NotFoundError(f"no full text with id {', '.join(map(str, missing))}",
                                hint="nothing was removed; the ids are shown by "
                                     "`nlp-review fulltext list`")
        with transaction(proj.conn):
            gone = [delete_fulltext(proj.conn, i) for i in dict.fromkeys(fulltext_ids)]
    for ft in gone:
        link = f"linked to record {ft.record_id}" if ft.record_id else ft.status
        console.print(f"Removed full text {ft.id} ({ft.file_name}, {link}, "
                      f"{ft.n_paragraphs} paragraph(s)) with its tags.", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(fulltext_app, name="fulltext")
