"""Living-review commands: `search add/list/report`, `update`, `prisma`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Column, Table

from nlp_review.cli.common import (BaseModelOption, ModelsOption, ProjectOption, console,
                                   err_console, progress, project_at, warn)
from nlp_review.cli.tagging_cmds import SpancatOption, tagging_fingerprint, tagging_pipeline
from nlp_review.errors import InputError
from nlp_review.io import atomic_write_text

search_app = typer.Typer(help="Record the database searches (for the methods section and "
                         "the PRISMA-S search appendix).", no_args_is_help=True)


def _query_text(query: str) -> str:
    if not query.startswith("@"):
        return query
    path = Path(query[1:])
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the query file: {exc.strerror or exc}", file=path,
                         hint="--query @FILE reads the query from FILE; give the text "
                              "itself without @") from None
    except UnicodeDecodeError:
        raise InputError("the query file is not UTF-8 text", file=path) from None


@search_app.command("add")
def search_add_cmd(
    database: str = typer.Option(..., "--database", "-d", help="Database or platform "
                                 "searched, e.g. 'MEDLINE (Ovid)'."),
    date: str = typer.Option(..., "--date", help="Day the search was run, YYYY-MM-DD."),
    query: str = typer.Option(..., "--query", "-q", help="The search string verbatim, or "
                              "@FILE to read it from a file."),
    hits: Optional[int] = typer.Option(None, "--hits", help="Number of hits the database "
                                       "reported."),
    notes: Optional[str] = typer.Option(None, "--notes", help="Limits, filters or other "
                                        "notes for the appendix."),
    project: Path = ProjectOption,
) -> None:
    """Record one database search (string, date, database, hits)."""
    from nlp_review.store.living import add_search

    text = _query_text(query)
    with project_at(project) as proj:
        sid = add_search(proj.conn, database=database, search_date=date, query=text,
                         hits=hits, notes=notes)
    console.print(f"Recorded search {sid} ({database}, {date}). Tie its export to it: "
                  f"nlp-review import FILE --search {sid}  (or update FILE --search {sid})",
                  highlight=False, soft_wrap=True)


@search_app.command("list")
def search_list_cmd(project: Path = ProjectOption) -> None:
    """The recorded searches with the records imported from each."""
    from nlp_review.living.searches import search_counts

    with project_at(project) as proj:
        counts = search_counts(proj.conn)
    if not counts:
        console.print("No searches recorded yet (nlp-review search add).")
        return
    table = Table("id", "database", "date", "hits", "imported", "duplicates", "query")
    for c in counts:
        q = " ".join(c.search.query.split())
        table.add_row(str(c.search.id), c.search.database, c.search.search_date,
                      "" if c.search.hits is None else str(c.search.hits), str(c.imported),
                      str(c.duplicates), q if len(q) <= 60 else q[:57] + "...")
    console.print(table)


@search_app.command("report")
def search_report_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Markdown file to write."),
    project: Path = ProjectOption,
) -> None:
    """Write the PRISMA-S search appendix: each database, date, query verbatim, hits,
    records imported and duplicates."""
    from nlp_review.living.searches import search_appendix

    with project_at(project) as proj:
        text = search_appendix(proj.conn)
    atomic_write_text(out, text)
    console.print(f"Wrote the search appendix to {out}", highlight=False)


def update_cmd(
    files: List[Path] = typer.Argument(None, help="The new search exports (any format "
                                       "`import` reads). Without files: finish an update "
                                       "that was interrupted."),
    search: Optional[int] = typer.Option(None, "--search", help="Id of the recorded search "
                                         "these exports came from."),
    tag: bool = typer.Option(True, "--tag/--no-tag", help="Tag the new records, and any "
                             "whose text changed (on by default)."),
    list_updates: bool = typer.Option(False, "--list", help="List the earlier updates "
                                      "instead."),
    spancat: Optional[Path] = SpancatOption,
    models: Optional[Path] = ModelsOption,
    base_model: Optional[str] = BaseModelOption,
    project: Path = ProjectOption,
) -> None:
    """Fold new search results into the project in one step.

    Imports the files, removes duplicates against everything already in the project
    (earlier decisions carry over to duplicates), flags possible new versions of screened
    records, ranks the new records with the model trained on all decisions so far, tags
    them, and prints what changed. The update is recorded for `nlp-review prisma --update`.

    An update that was interrupted (Ctrl-C, crash) after its records were imported and
    counted is finished first by the next `nlp-review update` (with or without files): the
    steps it had not done run then, and nothing stored is redone or lost. One interrupted
    while importing is run again with the same files (the ones already imported join it).
    `nlp-review status` says when either is pending.

    The new records (and any whose text changed) are tagged with the bundled rules, or
    with --spancat / --models / --base-model as `nlp-review tag` takes them: give the
    options you tag with. Works tagged with other rules or options are left as they are
    (and counted): run `nlp-review tag` to bring them up to date."""
    from nlp_review.living.update import (importing_note, pending_note, resume_updates,
                                          run_update)
    from nlp_review.store.living import list_updates as all_updates, pending_updates
    from nlp_review.workflows.deduplicating import count_grey_pairs

    with project_at(project) as proj:
        if list_updates:
            _print_updates(all_updates(proj.conn))
            return
        pending = pending_updates(proj.conn)
        if not files and not pending:
            note = importing_note(proj.conn)
            raise InputError("no export files given",
                             hint=note or "nlp-review update FILE... [--search ID]; --list "
                                          "shows earlier updates (none is unfinished)")
        for row in pending:
            warn(pending_note(row) + ": finishing it now")
        with progress() as bar:
            task = bar.add_task("comparing records", total=None, visible=False)

            def step(text: str) -> None:
                bar.console.print(f"[bold]>[/bold] {text} ...", highlight=False)

            def dd(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, visible=True)

            tag_task = bar.add_task("tagging", total=None, visible=False)

            def tp(done: int, total: int) -> None:
                bar.update(tag_task, completed=done, total=total, visible=True)

            def tagger():
                return (tagging_pipeline(models, base_model, spancat),
                        tagging_fingerprint(models, base_model, spancat))

            try:
                resumed = resume_updates(proj, step=step, pending=pending, tagger=tagger,
                                         tag_progress=tp)
                rep = run_update(proj, files, search_id=search, tag=tag, step=step,
                                 dedupe_progress=dd, tagger=tagger,
                                 tag_progress=tp) if files else None
            except KeyboardInterrupt:
                _interrupted(proj, project)
        grey = count_grey_pairs(proj.conn)
    for i, done in enumerate(resumed):
        _print_report(done, project, grey=grey if rep is None and i == len(resumed) - 1
                      else 0)
    if rep is None:
        return
    if rep.update_id is None:
        console.print("Nothing new: every file was imported before"
                      + (" (its update is finished above)." if resumed else
                         " (and belongs to an earlier update or has decisions)."),
                      highlight=False, soft_wrap=True)
        for note in rep.notes[1:]:
            warn(note)
        return
    _print_report(rep, project, grey=grey)


def _interrupted(proj, project: Path) -> None:
    """Ctrl-C during an update: say what is on file and how to finish it; exit 130."""
    from nlp_review.living.update import importing_note, pending_note
    from nlp_review.store.living import pending_updates

    left = [pending_note(u) for u in pending_updates(proj.conn)]
    note = importing_note(proj.conn)
    err_console.print("[bold]Interrupted:[/bold] " + "; ".join(
        [*left, *([note] if note else [])] or ["nothing was stored"])
        + (f". Finish it with: nlp-review update -p {project}" if left else "."),
        highlight=False, soft_wrap=True)
    raise typer.Exit(130)


def _print_report(rep, project: Path, grey: int = 0) -> None:
    """One update's report: sources, counts, flags, estimates, tagging, stopping, and the
    possible duplicates (``grey`` pairs in the project) that wait for a human."""
    from nlp_review.cli.stopping_view import estimate_line

    counts = rep.summary()
    title = f"Update {rep.update_id}" + (" (finished now; interrupted before)"
                                         if rep.resumed else "")
    table = Table(Column("source", overflow="fold"), Column("file", overflow="fold"),
                  "records", "new unique", "dup. of earlier records",
                  "of them screened", "dup. within update", title=title,
                  title_justify="left")
    for s in rep.sources:
        if s.status == "skipped":
            table.add_row(s.source, s.file, "skipped (imported before)", "", "", "", "")
        else:
            table.add_row(s.source, s.file, str(s.imported), str(s.new_unique),
                          str(s.duplicates_existing), str(s.duplicates_screened),
                          str(s.duplicates_within))
    console.print(table)
    joined = sum(s.duplicates_screened for s in rep.sources)
    works = counts.get("duplicates_of_screened", len(rep.inherited))
    split = ""
    if rep.inherited:
        inc = sum(rep.inherited.values())
        split = f" ({inc} include, {len(rep.inherited) - inc} exclude)"
    came = counts.get("new_decided") or 0
    if came:
        warn(f"{came} of the {counts['new_unique']} new unique records came with a decision "
             "in the export (its label column, e.g. label_included): they count as screened "
             "and are not ranked (a fresh database export carries none).")
    console.print(f"{counts['new_records']} new records: {counts['new_unique']} new unique, "
                  f"{counts['duplicates']} duplicate{'' if counts['duplicates'] == 1 else 's'}; "
                  f"{joined} joined "
                  f"{'' if works == joined else f'{works} '}screened works and share "
                  f"their decision{split}. Decided works: "
                  f"{counts['decided_before']} before, {counts['decided_after']} after.",
                  highlight=False, soft_wrap=True)
    for note in counts.get("notes", []):
        warn(note)
    if rep.flags:
        console.print(f"\n[bold]{len(rep.flags)} possible new version(s) of screened "
                      "records[/bold] (not decided for you: look at them):")
        for f in rep.flags:
            label = "included" if f.screened_label == 1 else "excluded"
            console.print(f"  record {f.record_id} (work {f.work_id}) vs {label} work "
                          f"{f.screened_work}: {f.reason}\n    {f.title[:100]}",
                          highlight=False, soft_wrap=True)
    _print_estimate(rep)
    if rep.top:
        console.print("Top new records" + (" (when they were ranked)" if
                                          "ranked" in rep.done_before else "") + ":")
        room = max(console.width - 21, 30)  # one line per record, not a wrapped tail
        for w, score, title in rep.top[:5]:
            title = " ".join(title.split())
            short = title if len(title) <= room else title[:room - 1] + "…"
            console.print(f"  {w:>7}  {score:7.3f}  {short}", highlight=False)
    if rep.tag:
        console.print(f"Tagged {counts.get('tagged') or 0} records (the new ones, and any "
                      "whose text changed since they were tagged)"
                      + (", before the interruption." if "tagged" in rep.done_before
                         else "."), highlight=False, soft_wrap=True)
        if rep.tag_left:
            console.print(f"{rep.tag_left} works tagged with other rules or options (e.g. "
                          "`tag --spancat`, `--models`, or patterns edited since) are left as "
                          "they are; give `update` the options you tag with, and run "
                          f"`nlp-review tag` (with them) -p {project} to bring those up to "
                          "date.", highlight=False, soft_wrap=True)
    if rep.stopping is not None:
        console.print(f"Stopping estimate after the update: {estimate_line(rep.stopping.estimate)}",
                      highlight=False, soft_wrap=True)
        for name, verdict in rep.stopping.verdicts:
            console.print(f"  {name}: {'stop' if verdict.stop else 'go on'} ({verdict.reason})",
                          highlight=False, soft_wrap=True)
    if grey:
        console.print(f"{grey} possible duplicate pair(s) wait for a human (doubtful pairs "
                      "dedupe does not merge on its own; judge them before screening so that "
                      f"no study is screened twice): nlp-review dedupe --review -p {project} "
                      "(or --grey-out FILE)", highlight=False, soft_wrap=True)
    console.print(f"\nNext: nlp-review screen -p {project}   |   "
                  f"nlp-review prisma --out DIR --update {rep.update_id} -p {project}",
                  highlight=False, soft_wrap=True)


def _print_estimate(rep) -> None:
    """The update's estimates and what they mean (see docs/living.md); from the figures
    stored with the update, so a finished interrupted update prints the same."""
    from nlp_review.living.estimate import BENCHMARK_NOTE, THRESHOLD_RECALL

    fig = rep.estimate_figures()
    if not rep.new_works:
        console.print("\nNo new unique records: every record of the update is a duplicate of "
                      "one already in the project (or of another in the update), so there is "
                      "nothing to rank or estimate.", highlight=False, soft_wrap=True)
        return
    if fig["model_mode"] == "all decided":
        console.print("\nEvery new unique record already has a decision (the export "
                      "carried them): nothing to rank, no inclusion threshold and no "
                      "expected number of relevant records.", highlight=False, soft_wrap=True)
        return
    if fig["threshold"] is None:
        console.print(f"\nModel: {fig['model_mode']} (needs two includes and an exclude): no "
                      "inclusion threshold and no expected number of relevant records yet.",
                      soft_wrap=True)
        return
    low, high, level = fig["expected_interval"]
    basis = ""
    if fig.get("estimate_decided") is not None:
        basis = (f", calibrated on the {fig['estimate_decided']} decided works "
                 f"({fig['estimate_included']} included)")
    console.print(
        f"\n{fig['above_threshold']} of {len(rep.new_works)} new unique records score at or "
        f"above the inclusion threshold ({fig['threshold']:.3f}: the records above it hold "
        f"{THRESHOLD_RECALL:.0%} of the relevant new records the model expects).\n"
        f"Expected relevant among the new records: {fig['expected_relevant']:.0f} "
        f"({level:.0%} interval {low}-{high}).\n"
        f"Both come from the model's scores{basis}. {BENCHMARK_NOTE} See docs/living.md.",
        highlight=False, soft_wrap=True)


def _print_updates(updates) -> None:
    from nlp_review.store.db import to_minute

    if not updates:
        console.print("No updates yet.")
        return
    table = Table(*(Column(name, overflow="fold") for name in (
        "id", "started (UTC)", "sources", "records", "new unique", "dups",
        "dups of screened", "flags", "state")))
    for u in updates:
        s = u.summary
        table.add_row(str(u.id), to_minute(u.started_at),
                      ", ".join(x["file"] for x in s["sources"]),
                      str(s["new_records"]), str(s["new_unique"]), str(s["duplicates"]),
                      str(s["duplicates_of_screened"]), str(len(s["flags"])),
                      "done" if u.completed else "unfinished")
    console.print(table)
    from nlp_review.living.update import pending_note

    for u in updates:
        if not u.completed:
            console.print(f"unfinished: {pending_note(u)}; `nlp-review update` finishes it",
                          highlight=False, soft_wrap=True)


def prisma_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Folder for prisma.svg, prisma.png "
                             "and prisma.csv (prisma_updateN.* with --update; created if "
                             "missing)."),
    update: Optional[int] = typer.Option(None, "--update", help="Draw one update's flow "
                                         "(see `nlp-review update --list`)."),
    project: Path = ProjectOption,
) -> None:
    """Draw the PRISMA 2020 flow diagram (SVG, PNG) with its numbers as CSV.

    Records identified per source, duplicates removed, screened, excluded and included at
    title/abstract screening. The boxes for reports (full texts sought, not retrieved,
    assessed) are counted from the full texts in the project; without any they read "not
    recorded" (see docs/living.md)."""
    from nlp_review.living.prisma import prisma_counts
    from nlp_review.living.prisma_draw import write_prisma

    with project_at(project) as proj:
        counts = prisma_counts(proj.conn, update)
    for problem in counts.check():
        warn(problem)
    stem = "prisma" if update is None else f"prisma_update{update}"
    paths = write_prisma(counts, out, stem)
    console.print(f"{counts.title}: {counts.sentence()}", highlight=False, soft_wrap=True)
    for kind, path in paths.items():
        console.print(f"  {kind}: {path}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(search_app, name="search")
    app.command("update")(update_cmd)
    app.command("prisma")(prisma_cmd)
