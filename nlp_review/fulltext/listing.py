"""The rows ``nlp-review fulltext list`` shows."""

from __future__ import annotations

from nlp_review.errors import ConfigError
from nlp_review.store.fulltexts import StoredFullText, list_fulltexts
from nlp_review.store.project import Project

STATUSES = ("linked", "unlinked", "failed")


def list_rows(project: Project, *, status: str | None = None) -> list[StoredFullText]:
    if status is not None and status not in STATUSES:
        raise ConfigError(f"unknown status {status!r}", hint=f"valid: {', '.join(STATUSES)}")
    rows = list_fulltexts(project.conn)
    return [r for r in rows if status is None or r.status == status]
