"""The ``evidence`` command: the how / for-whom evidence table and its exports."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from nlp_review.cli.common import ProjectOption, console, project_at, warn
from nlp_review.errors import ConfigError


def evidence_cmd(
    csv: Optional[Path] = typer.Option(None, "--csv", help="Write the study x mechanism rows "
                                       "(and one row per study with no mechanism) to this CSV "
                                       "file."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Write an XLSX workbook: rows, "
                                        "study x mechanism matrix, for-whom tables, sentences, "
                                        "and what the table holds."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML "
                                        "report; each cell links to its highlighted sentences."),
    study: Optional[int] = typer.Option(None, "--study", help="Print this study's (record "
                                        "id's) evidence card in the terminal."),
    all_works: bool = typer.Option(False, "--all", help="Use every work, not only the "
                                   "studies included in screening (not kept as a snapshot)."),
    diff: Optional[int] = typer.Option(None, "--diff", help="Show what changed in the included "
                                       "studies since this snapshot id: new studies, studies "
                                       "no longer included, studies whose evidence source "
                                       "changed (abstract -> full text), new, dropped or "
                                       "changed mechanism entries (status, populations, "
                                       "settings)."),
    snapshots: bool = typer.Option(False, "--snapshots", help="List the stored snapshots "
                                   "(one per run over the included studies that changed the "
                                   "evidence) and exit."),
    project: Path = ProjectOption,
) -> None:
    """Build the evidence table: one row per study and mechanism, with the populations,
    settings, interventions and outcomes in the same sentence or paragraph, the supporting
    sentences (section, page) and the evidence status (reported, hedged, negated).

    Uses each study's tagged full text, else its tagged abstract (marked as such); a study
    with no mechanism is kept (an empty row), and a retraction or other notice linked to a
    study is flagged. Run `nlp-review fulltext tag` (and `nlp-review tag`) first."""
    from nlp_review.evidence.build import build_evidence
    from nlp_review.evidence.export import write_csv, write_html, write_xlsx

    from nlp_review.io import check_output_file
    from nlp_review.living.snapshots import diff_against, store_snapshot
    from nlp_review.store.living import list_snapshots

    if diff is not None and (all_works or study is not None):
        raise ConfigError("--diff compares the included studies with a snapshot of them",
                          hint="drop --all / --study")
    outputs = [path for path in (csv, xlsx, html) if path is not None]
    for path in outputs:  # before any work: a bad path must not leave the others written
        check_output_file(path)
    kinds = {".csv": "--csv", ".xlsx": "--xlsx", ".html": "--html", ".htm": "--html"}
    for option, path in (("--csv", csv), ("--xlsx", xlsx), ("--html", html)):
        meant = kinds.get(path.suffix.lower()) if path is not None else None
        if meant is not None and meant != option:
            raise ConfigError(f"{option} {path}: the file name says {path.suffix} ({meant})",
                              hint=f"write it with {meant} {path}, or give {option} a file "
                                   "name of its kind")
    replaced = {path for path in outputs if path.exists()}
    with project_at(project) as proj:
        if snapshots:
            _print_snapshots(list_snapshots(proj.conn))
            return
        table = build_evidence(proj.conn, study=study, include_all=all_works)
        changes = diff_against(proj.conn, diff, table) if diff is not None else None
        snap = None
        if table.scope == "included":  # each run over the review's studies is kept as a
            snap, stored = store_snapshot(proj.conn, table)  # dated snapshot (not --all)
    if snap is not None:
        console.print(f"Stored evidence snapshot {snap} (compare later with --diff {snap})."
                      if stored else f"Evidence unchanged since snapshot {snap} (nothing "
                      f"new stored; compare later with --diff {snap}).", highlight=False)
    elif all_works:
        console.print("No snapshot stored: snapshots follow the included studies, not --all.")
    if changes is not None:
        _print_diff(changes)
    if study is not None:
        _print_card(table)
    else:
        console.print(table.describe()[0].upper() + table.describe()[1:] + "." + (
            " Pass --all for every work, included or not." if table.scope == "included"
            else ""), highlight=False)
    for message in table.warnings():
        warn(message)
    rows_are = ("one per study and mechanism, and one with an empty mechanism per study with"
                " none" if table.without_mechanism() else "one per study and mechanism")

    def again(path: Path) -> str:
        return " (replacing the earlier file)" if path in replaced else ""

    if csv:
        n = write_csv(table, csv)
        console.print(f"Wrote {n} rows ({rows_are}) to {csv}{again(csv)}", highlight=False)
    if xlsx:
        n = write_xlsx(table, xlsx)
        console.print(f"Wrote {n} rows ({rows_are}; and matrix, for-whom, sentence and about "
                      f"sheets) to {xlsx}{again(xlsx)}", highlight=False)
    if html:
        write_html(table, html)
        console.print(f"Wrote the HTML report to {html}{again(html)}", highlight=False)
    if study is None and changes is None and not outputs:
        _print_matrix(table)


def _print_card(table) -> None:
    from nlp_review.evidence.export import notice_note, row_summary, sections_of

    for st in table.studies:
        console.print(f"[bold]{st.label}[/bold] (record {st.id}; evidence from {st.source})",
                      highlight=False)
        if st.notices:
            console.print(f"  [red]{notice_note(st)}[/red]: check the study's status; the "
                          "notice's text is not used as evidence", highlight=False)
        rows = [r for r in table.rows if r.study_id == st.id]
        if not rows:
            console.print("  no mechanism tagged" + (
                " (nothing tagged yet: run `nlp-review fulltext tag` or `nlp-review tag`)"
                if st.source == "none" else ""))
        for r in rows:
            console.print(f"\n  [bold]{r.mechanism}[/bold] [{_colour(r.status)}]{r.status}"
                          f"[/{_colour(r.status)}] ({r.n_sentences} sentence(s): "
                          f"{sections_of(r)})",
                          highlight=False)
            summary = row_summary(r)
            if summary:
                console.print(f"    {summary}", highlight=False)
            for s in r.sentences:
                page = f" p.{s.page}" if s.page else ""
                console.print(f"    [cyan]{s.section}{page}[/cyan] {s.text}", highlight=False)


def _colour(status: str) -> str:
    return {"reported": "green", "hedged": "yellow", "negated": "red"}.get(status, "white")


def _print_matrix(table) -> None:
    mechanisms, cells = table.matrix()
    if not mechanisms:
        console.print(f"{len(table.studies)} studies; no mechanism tagged yet. Run "
                      "`nlp-review fulltext tag` / `nlp-review tag` first.")
        return
    codes = _short_names(mechanisms)
    # Full names if they fit the terminal, else short codes with a legend (rich cut
    # 'BARRIER_REMOVAL' to 'BARRI…' and 'abstract' to 'abstr…' in 80 columns).
    fits = 22 + sum(len(m) + 3 for m in mechanisms) <= console.width
    grid = Table("study", "source", *(mechanisms if fits else [codes[m] for m in mechanisms]))
    for column in grid.columns:
        column.no_wrap = True
    for st in table.studies:
        grid.add_row(f"{st.id}", st.source + (" [red]![/red]" if st.notices else ""), *[
            f"{cells[st.id][m].status[0].upper()}{cells[st.id][m].n_sentences}"
            if m in cells.get(st.id, {}) else "" for m in mechanisms])
    console.print(grid)
    flagged = [st for st in table.studies if st.notices]
    if flagged:
        console.print("[red]![/red] a notice is linked to the study: " + "; ".join(
            f"{st.id} ({', '.join(dict.fromkeys(st.notices))})" for st in flagged) +
            " (see --study ID)", highlight=False)
    if not fits:
        console.print("Mechanisms: " + ", ".join(f"{codes[m]} = {m}" for m in mechanisms) + ".",
                      highlight=False)
    console.print("R/H/N = reported / hedged / negated, then the number of sentences. "
                  "Export with --csv, --xlsx or --html; one study: --study ID.")


def _short_names(labels: list[str]) -> dict[str, str]:
    """A short, distinct code per label: the initials of its words (BARRIER_REMOVAL: BR)."""
    codes: dict[str, str] = {}
    for label in labels:
        code = "".join(word[:1] for word in label.split("_")) or label[:2]
        base, n = code, 2
        while code in codes.values():
            code, n = f"{base}{n}", n + 1
        codes[label] = code
    return codes


def _print_snapshots(rows) -> None:
    if not rows:
        console.print("No evidence snapshots yet: each `nlp-review evidence` run stores one.")
        return
    grid = Table("id", "date (UTC)", "studies", "rows")
    for r in rows:
        grid.add_row(str(r.id), r.created_at, str(r.n_studies), str(r.n_rows))
    console.print(grid)


def _print_diff(d) -> None:
    console.print(f"Changes since snapshot {d.snapshot_id} ({d.snapshot_date}):",
                  highlight=False)
    if d.empty:
        console.print("  nothing changed.")
        return

    def studies(n: int, adjective: str = "") -> str:
        return f"{n} {adjective}{'study' if n == 1 else 'studies'}"

    if d.new_studies:
        console.print(f"[bold]{studies(len(d.new_studies), 'new ')}[/bold]")
        for label in d.new_studies:
            console.print(f"  + {label}", highlight=False)
    if d.dropped_studies:
        console.print(f"[bold]{studies(len(d.dropped_studies))} no longer included[/bold]")
        for label in d.dropped_studies:
            console.print(f"  - {label}", highlight=False)
    if d.source_changes:
        console.print(f"[bold]{studies(len(d.source_changes))} with evidence from another "
                      "source[/bold]")
        for sc in d.source_changes:
            console.print(f"  ~ {sc.study}: {sc}", highlight=False, soft_wrap=True)
    if d.changes:
        console.print("[bold]Mechanism entries[/bold]")
        sign = {"new": "+", "dropped": "-", "changed": "~"}
        for c in d.changes:
            console.print(f"  {sign[c.change]} {c.mechanism} in {c.study}: "
                          f"{'; '.join(c.details)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence_cmd)
