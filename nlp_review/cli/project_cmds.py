"""Project commands: init, import, dedupe, export, status."""

from __future__ import annotations

from pathlib import Path

import typer

from nlp_review.cli.common import console
from nlp_review.store.project import init_project


def init_cmd(
    path: Path = typer.Argument(Path("."), help="Folder for the new project (created if missing)."),
) -> None:
    """Create a new project: a folder with its SQLite store."""
    project = init_project(path)
    project.close()
    console.print(f"Created project in {path.resolve()}")


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
