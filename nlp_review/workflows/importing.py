"""Import search exports into a project: one transaction per file, nothing half-written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from nlp_review.errors import InputError
from nlp_review.formats import parse
from nlp_review.store.db import transaction
from nlp_review.store.decisions import add_decision
from nlp_review.store.living import get_search, tie_source
from nlp_review.store.project import Project
from nlp_review.store.records import add_source, source_by_hash


@dataclass
class FileReport:
    path: Path
    status: str  # "imported" | "skipped"
    format: str | None = None
    source: str | None = None
    n_records: int = 0
    n_priors: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    source_ref: int | None = None  # the new source's id (None when skipped)
    record_ids: list[int] = field(default_factory=list)


def read_export(path: Path) -> bytes:
    """The bytes of an export file, or an InputError naming it and what is wrong."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputError("is a folder, not an export file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", file=path) from None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_file(
    project: Project,
    path: Path,
    *,
    source: str | None = None,
    on_record: Callable[[int], None] | None = None,
    search_id: int | None = None,
) -> FileReport:
    """Parse one export and store its records (and any prior include/exclude labels it
    carries) in a single transaction. A file already imported (same content hash) is skipped.
    Raises InputError, leaving the project unchanged, when the file cannot be read.
    ``search_id`` ties the export to a recorded database search (NotFoundError if unknown)."""
    path = Path(path)
    if search_id is not None:
        get_search(project.conn, search_id)
    data = read_export(path)
    digest = file_hash(data)
    known = source_by_hash(project.conn, digest)
    if known is not None:
        message = f"already imported as source {known.name!r} on {known.imported_at}; skipped"
        if search_id is not None and known.search_id is None:
            # the search was recorded after the export was imported: tie them now
            with transaction(project.conn) as conn:
                tie_source(conn, known.id, search_id)
            message = (f"already imported as source {known.name!r} on {known.imported_at}; "
                       f"not imported again, now tied to search {search_id}")
        elif search_id is not None and known.search_id != search_id:
            message += (f" (it is tied to search {known.search_id}, not {search_id}; "
                        "left as it is)")
        return FileReport(path, "skipped", format=known.format, source=known.name,
                          message=message)
    parsed = parse(data, str(path), **({"on_record": on_record} if on_record else {}))
    if not parsed.records:
        raise InputError("holds no records", file=path,
                         hint=f"read as {parsed.format}; is this the right file?")
    name = source or path.stem
    with transaction(project.conn) as conn:
        source_ref, ids = add_source(conn, name=name, file_name=path.name, file_hash=digest,
                            format=parsed.format, records=parsed.records)
        if search_id is not None:
            tie_source(conn, source_ref, search_id)
        n_priors = 0
        for rid, record in zip(ids, parsed.records):
            if record.label is not None:
                add_decision(conn, rid, int(record.label), reviewer=f"import:{name}",
                             origin="prior", commit=False)
                n_priors += 1
    return FileReport(path, "imported", format=parsed.format, source=name,
                      n_records=len(parsed.records), n_priors=n_priors,
                      warnings=list(parsed.warnings), source_ref=source_ref,
                      record_ids=ids)


def import_files(
    project: Project, paths: Sequence[Path], *, source: str | None = None,
    on_record: Callable[[int], None] | None = None, search_id: int | None = None,
) -> list[FileReport]:
    """Import several files, each in its own transaction. Stops at the first bad file
    (files before it stay imported; the bad one and those after it are not)."""
    return [import_file(project, p, source=source, on_record=on_record, search_id=search_id)
            for p in paths]
