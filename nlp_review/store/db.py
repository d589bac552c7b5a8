"""SQLite connection and named, transactional schema migrations.

Each migration is a name and a SQL script; ``migrate`` applies the ones not yet recorded in
``schema_migrations``, each inside its own transaction, so an old project gains new tables
the next time any command opens it. Later stages add migrations by appending to MIGRATIONS
(never edit or reorder a released one).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from nlp_review.store.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def to_minute(stamp: str) -> str:
    """A stored ``utcnow()`` time as people read it: ``2026-11-26 05:30``."""
    return stamp[:16].replace("T", " ")


def connect(path: Path) -> sqlite3.Connection:
    """Open the project database: WAL journal, foreign keys on, a busy timeout.

    The connection is in autocommit mode (``isolation_level=None``); writes go through
    ``transaction`` so each unit of work commits on its own."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One committed unit of work: BEGIN IMMEDIATE ... COMMIT, rolled back on any error
    (including KeyboardInterrupt), so nothing half-written is ever left behind."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    done = set(applied_migrations(conn))
    applied = []
    for name, script in MIGRATIONS:
        if name in done:
            continue
        with transaction(conn):
            # executescript would COMMIT implicitly; run statement by statement instead.
            for statement in _split_sql(script):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, utcnow())
            )
        applied.append(name)
    return applied


def _split_sql(script: str) -> list[str]:
    statements, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        candidate = "\n".join(buf)
        if sqlite3.complete_statement(candidate):
            if candidate.strip().strip(";").strip():
                statements.append(candidate)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements
