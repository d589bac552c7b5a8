"""Create and open project folders. A project is a folder holding ``project.sqlite``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nlp_review import __version__
from nlp_review.errors import ProjectError
from nlp_review.store.db import connect, migrate, transaction, utcnow

DB_NAME = "project.sqlite"


@dataclass
class Project:
    """An open project: its folder and its database connection."""

    path: Path
    conn: sqlite3.Connection

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def init_project(path: Path) -> Project:
    """Create a project in ``path`` (created if missing). Refuses an existing project."""
    path = Path(path)
    if (path / DB_NAME).exists():
        raise ProjectError(
            f"{path} is already a project", hint="use it with --project, or pick another folder"
        )
    if path.exists() and not path.is_dir():
        raise ProjectError(f"{path} exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    conn = connect(path / DB_NAME)
    migrate(conn)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO project_meta(key, value) VALUES (?, ?)",
            [("created_at", utcnow()), ("created_with", __version__)],
        )
    return Project(path, conn)


def open_project(path: Path) -> Project:
    """Open an existing project, applying any pending migrations."""
    path = Path(path)
    if not (path / DB_NAME).is_file():
        raise ProjectError(
            f"{path.resolve()} is not an nlp-review project (no {DB_NAME})",
            hint="create one with `nlp-review init PATH`, or pass --project PATH",
        )
    restore = (f"restore {DB_NAME} from a backup (or the copy a sync tool kept); the "
               "search exports can be imported again into a new project (`nlp-review init`)")
    if (path / DB_NAME).stat().st_size == 0:
        # a failed copy or sync leaves an empty file: never treat it as a new, empty project
        raise ProjectError(f"{path / DB_NAME} is empty: the project's store holds nothing",
                           hint=restore)
    try:
        conn = connect(path / DB_NAME)
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path / DB_NAME} cannot be opened: {exc}",
                           hint=f"the file is damaged or not a project store: {restore}"
                           ) from exc
    return Project(path, conn)
