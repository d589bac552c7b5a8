"""Add full-text files to a project: read each (PDFs in a time- and memory-limited worker),
link it to its record, and store it with its paragraphs, each file in its own transaction.
A file that fails is recorded with its reason and the others go on."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from nlp_review.errors import InputError, NotFoundError
from nlp_review.fulltext.isolate import IsolatedReader
from nlp_review.fulltext.link import Link, Linker, WorkKey, normalise_title
from nlp_review.fulltext.model import FullText
from nlp_review.fulltext.not_article import NotAnArticle, has_article_body, is_publisher_jats
from nlp_review.fulltext.readers import read_fulltext, sniff_format
from nlp_review.store.db import transaction
from nlp_review.store.fulltexts import (StoredFullText, fulltext_by_hash, list_fulltexts,
                                        save_fulltext, set_link)
from nlp_review.store.project import Project

#: File name endings picked up when a folder is given (a file named explicitly is always read).
FOLDER_SUFFIXES = (".pdf", ".xml", ".nxml", ".html", ".htm", ".xhtml", ".txt")

#: Text or HTML files in a folder of articles that describe the folder rather than hold an
#: article (README.txt, SOURCE.txt, LICENSE.html, CHANGELOG.txt, COPYING, README-plos.txt):
#: skipped when the folder is searched, read when named. PDF and XML files are never skipped
#: by name ("Sources of stress in preschool teachers.pdf" is an article).
NOT_ARTICLE_NAME = re.compile(r"(readme|sources?|licen[cs]es?|changelog|copying)([._-].*)?",
                              re.IGNORECASE)
NOT_ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".xhtml")
SKIPPED_MESSAGE = ("skipped: a README / SOURCE / licence file beside the articles, not an "
                   "article; name the file to add it anyway")
NO_BODY_MESSAGE = ("skipped: JATS XML with front matter only (title, abstract: no article "
                   "body), e.g. a tool's metadata extraction, not a full text; name the file "
                   "to add it anyway")


@dataclass
class FileOutcome:
    """What happened to one file. ``status``: 'linked', 'unlinked', 'failed', 'present'
    (already in the project: nothing done) or 'relinked' (already present, now linked by
    hand)."""

    path: Path
    status: str  # also 'skipped': a file found in a folder that is not an article, not stored
    message: str = ""
    fulltext_id: int | None = None
    record_id: int | None = None
    link: Link | None = None
    format: str | None = None
    pages: int | None = None
    notice: str | None = None
    seconds: float | None = None


def is_folder_note(path: Path) -> bool:
    """Whether a file found in a folder is a README / SOURCE / licence / changelog text."""
    return path.suffix.lower() in NOT_ARTICLE_SUFFIXES and \
        NOT_ARTICLE_NAME.fullmatch(path.stem) is not None


def find_files(paths: Iterable[Path], skipped: list[Path] | None = None) -> list[Path]:
    """The files named, plus the full-text files under the folders named (recursively, in
    name order, hidden files skipped; README / SOURCE / licence texts left out and appended
    to ``skipped`` if given). Raises InputError for a path that does not exist."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and child.suffix.lower() in FOLDER_SUFFIXES and \
                        not any(part.startswith(".") for part in rel.parts):
                    if is_folder_note(child):
                        if skipped is not None and child not in skipped:
                            skipped.append(child)
                        continue
                    found.append(child)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("no such file or folder", file=path,
                             hint="check the path; folders are searched recursively")
    return list(dict.fromkeys(found))


def _works(project: Project) -> list[WorkKey]:
    return [WorkKey(r["id"], r["doi"], r["pmid"], r["title"])
            for r in project.conn.execute("SELECT id, doi, pmid, title FROM works")]


def add_fulltexts(
    project: Project,
    paths: Iterable[Path],
    *,
    record_id: int | None = None,
    password: str = "",
    timeout: float = 120.0,
    max_memory_mb: int | None = 2048,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Read, link and store each file; returns one outcome per file, in order (files
    skipped in a folder first, with status 'skipped')."""
    skipped: list[Path] = []
    files = find_files(paths, skipped)
    if not files:
        names = ", ".join(p.name for p in skipped)
        raise InputError("no full-text files found" + (
            f" (skipped {names}: README / SOURCE / licence files)" if skipped else ""),
            file=", ".join(map(str, paths)),
            hint=f"folders are searched for {', '.join(FOLDER_SUFFIXES)} files" + (
                "; name a skipped file to add it anyway" if skipped else ""))
    conn = project.conn
    if record_id is not None:
        if len(files) != 1:
            raise InputError(f"--record links one file, but {len(files)} were given",
                             hint="add the file to link by hand on its own")
        if conn.execute("SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is None:
            raise NotFoundError(f"no record with id {record_id}",
                                hint="record ids are shown by `nlp-review fulltext list` and "
                                     "the export commands")
    linker = Linker(_works(project))
    named = {Path(p) for p in paths if Path(p).is_file()}
    outcomes: list[FileOutcome] = []

    def done(outcome: FileOutcome) -> None:
        outcomes.append(outcome)
        if on_file is not None:
            on_file(outcome)

    for path in skipped:
        done(FileOutcome(path, "skipped", SKIPPED_MESSAGE))
    # JATS-like XML without a publisher's marks, found in a folder, is read after the other
    # files: if it repeats the article of another full text, it is a tool's extraction.
    extractions = [p for p in files if p not in named and _may_be_extraction(p)]
    with IsolatedReader(timeout=timeout, max_memory_mb=max_memory_mb) as reader:
        for path in files:
            if path not in extractions:
                done(_add_one(project, path, linker, reader, record_id, password,
                              in_folder=path not in named))
        for path in extractions:
            twin = _extraction_twin(project, path)
            done(twin or _add_one(project, path, linker, reader, record_id, password,
                                  in_folder=True))
    return outcomes


def _may_be_extraction(path: Path) -> bool:
    if path.suffix.lower() not in {".xml", ".nxml"}:
        return False  # PDFs and the rest are not read twice
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return sniff_format(data) == "jats" and not is_publisher_jats(data)


def _extraction_twin(project: Project, path: Path) -> FileOutcome | None:
    """A 'skipped' outcome when the JATS-like file at ``path`` (no publisher marks) holds
    the article of a full text already in the project (same DOI or same title): CERMINE's
    output beside the PDF it came from. None when it is new or cannot be read here."""
    data = path.read_bytes()
    if fulltext_by_hash(project.conn, hashlib.sha256(data).hexdigest()) is not None:
        return None
    try:
        text = read_fulltext(data, name=path.name, format="jats")
    except InputError:
        return None
    if not has_article_body(text):
        return FileOutcome(path, "skipped", NO_BODY_MESSAGE, format="jats")
    title = normalise_title(text.title) if text.title else ""
    twin: StoredFullText | None = None
    for stored in list_fulltexts(project.conn):
        if stored.status == "failed":
            continue
        if (text.doi and stored.doi == text.doi) or \
                (len(title) >= 10 and stored.title and normalise_title(stored.title) == title):
            twin = stored
            break
    if twin is None:
        return None
    same = f"DOI {text.doi}" if text.doi and twin.doi == text.doi else "the same title"
    return FileOutcome(path, "skipped", f"skipped: the same article as {twin.file_name} (full "
                       f"text {twin.id}, {same}); a JATS-like XML without the JATS DOCTYPE, "
                       "dtd-version or article-type that repeats another file's article is "
                       "taken for a tool's extraction of it (e.g. CERMINE's output), not a "
                       "second full text; name the file to add it anyway", format="jats")


def _relinked_message(message: str | None, record_id: int) -> str:
    """A stored full text's message once linked by hand: the old link note (first, e.g. "no
    DOI, PMID or title match; ...; link it with --record ID") is replaced, other notes kept."""
    rest = message or ""
    marker = "link it with --record ID"
    if marker in rest:
        rest = rest.split(marker, 1)[1]
    elif rest.startswith("linked "):
        rest = rest.partition("; ")[2]
    return "; ".join(filter(None, [f"linked by hand to record {record_id}",
                                   rest.lstrip("; ")]))


def _add_one(project: Project, path: Path, linker: Linker, reader: IsolatedReader,
             record_id: int | None, password: str, *, in_folder: bool = False) -> FileOutcome:
    """Read, link and store one file. A file found in a folder (``in_folder``) that is not
    an article (a search export, non-article XML, JATS of front matter only) is skipped:
    nothing is stored."""
    conn = project.conn
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileOutcome(path, "failed", f"cannot read the file: {exc.strerror or exc}")
    digest = hashlib.sha256(data).hexdigest()
    old = fulltext_by_hash(conn, digest)
    if old is not None and old.status != "failed":
        if record_id is not None and old.record_id != record_id:
            with transaction(conn):
                set_link(conn, old.id, record_id, method="hand",
                         message=_relinked_message(old.message, record_id))
            return FileOutcome(path, "relinked", f"already added as full text {old.id}; now "
                               f"linked by hand to record {record_id}", old.id, record_id,
                               format=old.format, pages=old.pages, notice=old.notice)
        where = f"linked to record {old.record_id}" if old.record_id else "not linked"
        return FileOutcome(path, "present", f"already added as full text {old.id} ({where}); "
                           "nothing done", old.id, old.record_id, format=old.format,
                           pages=old.pages, notice=old.notice)
    fmt = sniff_format(data)
    started = time.perf_counter()
    text: FullText | None = None
    try:
        if path.suffix.lower() == ".pdf" and fmt != "pdf":
            raise _not_a_pdf(fmt, path)
        if fmt == "pdf":
            text, seconds = reader.read(data, name=path.name, password=password, format=fmt)
        else:
            text = read_fulltext(data, name=path.name, format=fmt)
            seconds = time.perf_counter() - started
    except InputError as exc:
        seconds = time.perf_counter() - started
        message = exc.detail + (f" ({exc.hint})" if exc.hint else "")
        if in_folder and isinstance(exc, NotAnArticle):
            return FileOutcome(path, "skipped", f"skipped: {message}", format=fmt)
        with transaction(conn):
            fid = save_fulltext(conn, file_name=path.name, file_hash=digest, format=fmt,
                                text=None, status="failed", message=message, seconds=seconds)
        return FileOutcome(path, "failed", message, fid, format=fmt, seconds=seconds)
    if in_folder and text.format == "jats" and not has_article_body(text):
        return FileOutcome(path, "skipped", NO_BODY_MESSAGE, format="jats")

    if record_id is not None:
        link = Link(record_id, "hand")
    else:
        link = linker.link(text)
    notes = []
    if text.notice:
        notes.append(f"a {text.notice} notice, not an article")
    notes.extend(text.warnings)
    if link.method == "hand":
        notes.insert(0, f"linked by hand to record {link.record_id}")
    elif link.linked:
        how = {"doi": "DOI", "pmid": f"PMID {text.pmid}"}.get(link.method or "") or \
            f"title match {link.score:g}"
        notes.insert(0, f"linked to record {link.record_id} by {how}")
    elif link.ambiguous:
        ids = ", ".join(map(str, link.ambiguous))
        score = f" (score {link.score:g})" if link.ambiguous_by == "title" else ""
        notes.insert(0, f"not linked: its {link.ambiguous_by} fits {len(link.ambiguous)} "
                        f"records equally{score}: {ids}; if they are one study, merge them "
                        "with `nlp-review dedupe --review`; else link it with --record ID")
    else:
        why = "no DOI, PMID or title match"
        if link.best_record_id is not None:
            why += (f"; closest title: record {link.best_record_id} (score {link.score:g} < "
                    f"{linker.threshold:g})")
        notes.insert(0, why + "; link it with --record ID")
    message = "; ".join(notes)
    status = "linked" if link.linked else "unlinked"
    with transaction(conn):
        fid = save_fulltext(conn, file_name=path.name, file_hash=digest, format=text.format,
                            text=text, status=status, message=message,
                            record_id=link.record_id, link_method=link.method,
                            link_score=link.score if link.linked else None, seconds=seconds)
    return FileOutcome(path, status, message, fid, link.record_id, link, text.format,
                       text.pages, text.notice, seconds)


def summarise(outcomes: list[FileOutcome]) -> dict[str, int]:
    counts = {"files": len(outcomes), "added": 0, "linked": 0, "unlinked": 0, "failed": 0,
              "present": 0, "relinked": 0, "skipped": 0, "notices": 0}
    for o in outcomes:
        counts[o.status] += 1
        if o.status in {"linked", "unlinked"}:
            counts["added"] += 1
        if o.notice and o.status in {"linked", "unlinked"}:
            counts["notices"] += 1
    return counts


def _not_a_pdf(fmt: str | None, path: Path) -> InputError:
    """A file named .pdf that holds no PDF: usually a publisher's login or error page saved
    in the article's place, which would otherwise be stored and linked as its full text."""
    held = {"html": "an HTML page", "jats": "XML", "text": "plain text"}.get(fmt or "",
                                                                          "unreadable data")
    return InputError(f"named .pdf but holds no PDF ({held}; often a login or error page "
                      "saved instead of the article)", file=path.name,
                      hint="download the article's PDF again")
