"""Screening commands: criteria, screen, rank, label, simulate. Thin: each calls one
library function in ``nlp_review.screening``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from nlp_review.cli.common import ProjectOption, console, default_reviewer, err_console, project_at
from nlp_review.errors import InputError
from nlp_review.io import atomic_open, check_output_file
from nlp_review.screening.presets import default_preset_name

if TYPE_CHECKING:
    from nlp_review.screening.session import ScreeningSession

PRESET_HELP = ("Model preset (see models/screening/presets.json; default: "
               f"{default_preset_name() or 'the one the file names'}, the benchmark winner).")
REVIEWER_HELP = "Name recorded with each decision (default: the OS user)."

criteria_app = typer.Typer(help="The review question and inclusion criteria (used to rank "
                           "records before any decision and highlighted while screening).",
                           no_args_is_help=True)


@criteria_app.command("set")
def criteria_set_cmd(
    text: Optional[str] = typer.Argument(None, help="The criteria text."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the text from a file."),
    project: Path = ProjectOption,
    reviewer: str = typer.Option(None, "--reviewer", help="Name recorded with the "
                                  "criteria (default: the OS user)."),
) -> None:
    """Store the review's question and inclusion criteria."""
    from nlp_review.store.screening import set_criteria

    if (text is None) == (file is None):
        raise InputError("give the criteria as TEXT or with --file, not both or neither")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except IsADirectoryError:
            raise InputError("is a folder, not a text file", file=file,
                             hint="give the file holding the criteria text") from None
        except FileNotFoundError:
            raise InputError("no such file", file=file, hint="check the path") from None
        except UnicodeDecodeError as exc:
            from nlp_review.formats.decode import line_of

            raise InputError(f"not UTF-8 text ({exc.reason})", file=file,
                             line=line_of(file.read_bytes(), exc.start),
                             hint="save the criteria as UTF-8 text (in Word: Plain Text, "
                                  "Unicode UTF-8)") from None
        except OSError as exc:
            raise InputError(f"cannot be read: {exc.strerror or exc}", file=file) from None
    if not text or not text.strip():
        raise InputError("the criteria text is empty", file=file)
    with project_at(project) as proj:
        set_criteria(proj.conn, text.strip(), set_by=reviewer or default_reviewer())
    console.print(f"Criteria stored ({len(text.split())} words).")


@criteria_app.command("show")
def criteria_show_cmd(project: Path = ProjectOption) -> None:
    """Print the current criteria text."""
    from nlp_review.store.screening import get_criteria

    with project_at(project) as proj:
        text = get_criteria(proj.conn)
    console.print(text if text else "[dim]no criteria set[/dim]")


def rank_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write the ranked queue to "
                             "(rank,record_id,score,title,year,doi)."),
    project: Path = ProjectOption,
    preset: Optional[str] = typer.Option(None, "--preset", help=PRESET_HELP),
) -> None:
    """Rank the undecided records (best first) and write them with their scores."""
    from nlp_review.screening.session import rank_works

    check_output_file(out)
    with project_at(project) as proj:
        # reading every title and abstract into the model takes minutes on 30,000 records
        with err_console.status("Ranking records (reading every title and abstract)..."):
            rows = rank_works(proj.conn, preset=preset)
    with atomic_open(out, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rank", "record_id", "score", "title", "year", "doi"])
        for r in rows:
            w.writerow([r.rank, r.work_id, f"{r.score:.6f}", r.title, r.year or "", r.doi or ""])
    if rows:
        console.print(f"Wrote {len(rows)} ranked records to {out}")
    else:
        console.print(f"Nothing left to rank: every record has a decision (wrote the header "
                      f"only to {out}).")


def label_cmd(
    include: List[int] = typer.Option([], "--include", "-i", help="Record id to include."),
    exclude: List[int] = typer.Option([], "--exclude", "-x", help="Record id to exclude."),
    from_file: Optional[Path] = typer.Option(None, "--from", help="CSV or Excel workbook "
                                             "with record_id,label_included columns (empty "
                                             "label: left undecided) or an RIS file from "
                                             "`nlp-review export`; all or nothing."),
    project: Path = ProjectOption,
    reviewer: str = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
) -> None:
    """Record decisions made elsewhere (any record of a duplicate group decides the group).

    A decision the record already has is not recorded again; one that changes another
    decision replaces it and is listed (who decided what before)."""
    from nlp_review.screening.session import LabelResult, labels_from_file, record_labels

    if not include and not exclude and from_file is None:
        raise InputError("nothing to label", hint="use --include ID, --exclude ID or --from FILE")
    reviewer = reviewer or default_reviewer()
    result = LabelResult()
    with project_at(project) as proj:
        if include or exclude:
            result += record_labels(proj.conn, [(i, 1) for i in include] +
                                    [(x, 0) for x in exclude], reviewer=reviewer)
        if from_file is not None:
            result += labels_from_file(proj.conn, from_file, reviewer=reviewer)
    unchanged = (f"; {result.unchanged} already recorded, unchanged" if result.unchanged
                 else "")
    console.print(f"Recorded {result.written} decision(s){unchanged}.")
    if result.replaced:
        console.print(f"[yellow]{len(result.replaced)} decision(s) changed:[/yellow]")
        for line in result.replaced:
            console.print(f"  {escape(line)}", highlight=False)


def simulate_cmd(
    data: Path = typer.Argument(..., help="Labelled CSV (record_id,title,abstract,..."
                                "label_included)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for order.csv, metrics.json, "
                             "recall.png."),
    prior: List[str] = typer.Option([], "--prior", help="record_id of a prior decision "
                                    "(repeat; default: one relevant and one irrelevant drawn "
                                    "with the seed)."),
    seed: List[int] = typer.Option([0], "--seed", help="Random seed (repeat for several runs "
                                   "and a summary table)."),
    preset: Optional[str] = typer.Option(None, "--preset", help=PRESET_HELP),
    all_records: bool = typer.Option(False, "--all", help="Screen to the end instead of "
                                     "stopping at the last relevant record."),
    stop: List[str] = typer.Option([], "--stop", help="Stopping rule to evaluate (repeat), "
                                   "e.g. counting, buscar, knee, asreview-100, "
                                   "consecutive:threshold=50;"
                                   " where it stops goes into metrics.json and recall.png."),
) -> None:
    """Replay a labelled dataset as if screened in this tool's order; report WSS@95, WSS@100,
    RRF@10, ATD, loss and nDCG per seed (and where each --stop rule stops)."""
    from nlp_review.screening.report import SUMMARY_KEYS, simulate_file

    runs = simulate_file(data, out, priors=prior, seeds=seed, preset=preset,
                         until="all" if all_records else "last_relevant", stops=stop)
    table = Table(title=f"Simulation of {data.name}")
    table.add_column("seed")
    for k in SUMMARY_KEYS:
        table.add_column(k, justify="right")
    for run in runs:
        m = run.result.metrics
        table.add_row(str(run.seed), *[f"{m[k]:.3f}" if isinstance(m[k], float) else str(m[k])
                                       for k in SUMMARY_KEYS])
    console.print(table)
    if stop:
        stops = Table(title="Where each stopping rule stops")
        for col in ("seed", "rule", "recall", "work saved", "screened", "drawn at random"):
            stops.add_column(col, justify="left" if col == "rule" else "right",
                             overflow="fold")  # 'consecutive:threshold=50' whole, not '…'
        for run in runs:
            for p in run.stop_points:
                screened = str(p.screened) if p.stopped else f"never stopped ({p.screened})"
                stops.add_row(str(run.seed), p.rule, f"{p.recall:.3f}", f"{p.work_saved:.1%}",
                              screened, str(p.random_sample))
        console.print(stops)
        if any(not p.stopped for run in runs for p in run.stop_points):
            console.print("never stopped: the rule did not say stop before every record was "
                          "screened.")
    console.print(f"Results in {out}")


# -- interactive screening ---------------------------------------------------------------

KEYS = "[i]nclude  [e]xclude  [s]kip  [u]ndo  [n]ote  [q]uit"


def _line_reader() -> Callable[[str], str]:
    def read(prompt: str) -> str:
        console.print(escape(prompt), end="")
        line = sys.stdin.readline()
        if not line:
            return "q"
        return line.strip().lower()[:1] or " "
    return read


def _key_reader() -> Callable[[str], str]:
    """Single keys without Enter on a terminal; line input otherwise (pipes, tests)."""
    if not sys.stdin.isatty():
        return _line_reader()
    import termios
    import tty

    def read(prompt: str) -> str:
        console.print(escape(prompt), end="")
        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            ch = sys.stdin.read(1)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
        console.print(escape(ch))
        return "q" if ch in ("\x04", "\x03") else ch.lower()
    return read


def _highlight(text: str, terms: list[str]) -> Text:
    t = Text(text)
    for term in terms:
        t.highlight_words([term], style="bold yellow", case_sensitive=False)
    return t


def _decided_elsewhere(other, work_id: int, label: int, reviewer: str) -> None:
    """Tell the reviewer whose decision came first, and how to change it if they differ."""
    from nlp_review.screening.session import label_word

    word = {label: label_word(label) for label in (0, 1)}
    if other is None:  # decided and undone meanwhile: rare, say it plainly
        console.print("[yellow]Another session changed this record meanwhile; your decision "
                      "was not recorded; moving on.[/yellow]")
        return
    who = escape(other.reviewer)
    if other.label == label:
        console.print(f"[yellow]{who} had already decided this record the same way "
                      f"({word[label]}); moving on.[/yellow]")
        return
    console.print(f"[bold yellow]Disagreement:[/bold yellow] {who} had already decided record "
                  f"{work_id} ({word[other.label]}) before you chose {word[label]}; {who}'s "
                  f"decision stands and yours was not recorded. If {word[label]} is the "
                  f"team's decision: nlp-review label --{word[label]} {work_id} --reviewer "
                  f"{escape(reviewer)}", highlight=False)


def screen_cmd(
    project: Path = ProjectOption,
    reviewer: str = typer.Option(None, "--reviewer", help=REVIEWER_HELP),
    preset: Optional[str] = typer.Option(None, "--preset", help=PRESET_HELP),
) -> None:
    """Screen records one at a time, best first; each decision is saved at once.

    Keys: i include, e exclude, s skip, u undo, n note, q quit. The criteria's terms are
    highlighted. When the random-sample stopping rule (buscar) asks for it, records are
    drawn at random from those not yet screened, and the screen says so."""
    from nlp_review.screening.session import ScreeningSession

    reviewer = reviewer or default_reviewer()
    read = _key_reader()
    with project_at(project) as proj:
        with err_console.status("Ranking records (reading every title and abstract)..."):
            session = ScreeningSession(proj.conn, reviewer=reviewer, preset=preset)
        try:
            _screen_loop(session, read, reviewer)
        finally:
            session.close()  # other reviewers' sessions may show its record now


def _screen_loop(session: ScreeningSession, read: Callable[[str], str],
                 reviewer: str) -> None:
    """Show records best first and take keys until quit or nothing is left."""
    from nlp_review.screening.session import criteria_terms

    terms = criteria_terms(session.criteria)
    note: str | None = None
    while True:
        work = session.next_work()
        p = session.progress()
        if work is None:
            console.print(f"Nothing left to screen: {p.screened} screened, "
                          f"{p.included} included.")
            return
        body = Text()
        body.append(_highlight(work.title, terms))
        body.stylize("bold", 0, len(work.title))
        meta = ", ".join(x for x in ["; ".join(work.authors[:6]) +
                                     (" et al." if len(work.authors) > 6 else ""),
                                     str(work.year or ""), work.journal or ""] if x)
        body.append("\n" + meta + "\n\n", style="dim")
        body.append(_highlight(work.abstract or "(no abstract)", terms))
        if session.random_sample:
            console.print("[yellow]random-sample mode:[/yellow] the statistical stopping "
                          "rule asks for records drawn at random from the unscreened "
                          "pool; please decide each one (see `nlp-review stopping`).")
        console.print(Panel(body, title=f"record {work.work_id}  score {work.score:.3f}",
                            subtitle=f"screened {p.screened} · included {p.included} · "
                            f"since last include {p.since_last_include} · "
                            f"left {p.works - p.screened}"))
        while True:
            key = read(f"{KEYS}{'  (note set)' if note else ''} > ")
            if key == "q":
                console.print(f"Saved. You decided {len(session.history)} record(s) in "
                              f"this session; the project has {p.screened} screened, "
                              f"{p.included} included.")
                return
            if key in ("i", "e"):
                label = 1 if key == "i" else 0
                ok = session.decide(work.work_id, label, note=note)
                note = None
                if not ok:
                    _decided_elsewhere(session.decision_on(work.work_id), work.work_id,
                                       label, reviewer)
                break
            if key == "s":
                session.skip(work.work_id)
                break
            if key == "u":
                undone = session.undo()
                console.print(f"Undid the decision on record {undone}." if undone
                              else "Nothing to undo in this session.")
                break
            if key == "n":
                console.print("Note (Enter to finish): ", end="")
                note = sys.stdin.readline().strip() or None
                continue
            console.print(f"[dim]keys: {escape(KEYS)}[/dim]")


def register(app: typer.Typer) -> None:
    app.add_typer(criteria_app, name="criteria")
    app.command("screen")(screen_cmd)
    app.command("rank")(rank_cmd)
    app.command("label")(label_cmd)
    app.command("simulate")(simulate_cmd)
