"""What every command shares: the --project option, opening a project, progress bars,
and console output. Only the CLI prints or exits."""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from nlp_review.errors import NlpReviewError
from nlp_review.store.project import Project, open_project

console = Console()
err_console = Console(stderr=True)

PROJECT_HELP = "Project folder (default: the current folder)."
ProjectOption = typer.Option(Path("."), "--project", "-p", help=PROJECT_HELP,
                             show_default=False)

# The tagger's rule files and optional base pipeline, shared by every command that tags.
ModelsOption = typer.Option(None, "--models", help="Folder with taxonomy.json, patterns/ and "
                            "context/ (default: the models/ folder shipped with nlp-review).")
BaseModelOption = typer.Option(None, "--base-model", help="Run the rules on top of this "
                               "installed trained spaCy pipeline (package name or folder); "
                               "nothing is downloaded.")


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers)
        return "reviewer"


@contextmanager
def project_at(path: Path) -> Iterator[Project]:
    project = open_project(path)
    try:
        yield project
    finally:
        project.close()


def progress(transient: bool = True) -> Progress:
    """A progress bar on stderr (quiet when stderr is not a terminal)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )


def print_error(exc: NlpReviewError) -> None:
    """A library error as the user sees it: the message, then what to do."""
    err_console.print(f"[bold red]error:[/bold red] {exc.message}", highlight=False,
                      soft_wrap=True)
    if exc.hint:
        err_console.print(f"[dim]hint:[/dim] {exc.hint}", highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True)
