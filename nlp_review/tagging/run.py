"""Tagging texts at scale: streaming from files to JSONL, and incrementally in a project."""

from __future__ import annotations

import collections
import csv
import itertools
import multiprocessing
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from spacy.language import Language

from nlp_review.errors import InputError, NotFoundError
from nlp_review.formats.decode import line_of
from nlp_review.io import atomic_open
from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.records import row_to_record
from nlp_review.store.tags import replace_tags, tagged_state, tagged_state_of, tags_of
from nlp_review.tagging.pipeline import doc_to_spans

OUTPUT_SPAN_FIELDS = ("start", "end", "label", "group", "negated", "hedged")
BATCH_SIZE = 64


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def record_text(title: str | None, abstract: str | None) -> str:
    """Title, a blank line, abstract: exactly ``Record.text``."""
    return Record(title=title, abstract=abstract).text


def read_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Stream ``(id, text)`` from a JSONL file (``text`` and optional ``id`` per line) or a
    CSV file with ``title``/``abstract`` columns (optional ``id`` or ``record_id``). The
    format is read from the content, not the file name."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a folder, not a file", file=path,
                         hint="give one JSONL or CSV file of texts")
    if not path.is_file():
        raise InputError("file not found", file=path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            head = handle.read(4096)
            handle.seek(0)
            if head.lstrip().startswith("{"):
                yield from _read_jsonl(path, handle)
            else:
                yield from _read_csv(path, handle)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> InputError:
    """The error for a file that is not UTF-8 text, naming the line of the first bad byte
    (the file is read again in full only on this path)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, byte = line_of(data, exc.start), data[exc.start]
    else:  # pragma: no cover - the streamed read failed, so the whole file cannot decode
        line, byte = None, 0
    return InputError(f"is not UTF-8 text (byte 0x{byte:02x})", file=path, line=line,
                      hint="save it as UTF-8 (in Excel: 'CSV UTF-8'), or give JSONL lines "
                           'like {"id": "1", "text": "..."}')


def _read_jsonl(path: Path, handle: Iterable[str]) -> Iterator[tuple[str, str]]:
    for lineno, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", file=path, line=lineno,
                             hint='each line must be an object like {"id": "1", "text": "..."}'
                             ) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError('expected an object with a "text" string', file=path,
                             line=lineno, hint='e.g. {"id": "1", "text": "..."}')
        yield str(obj.get("id", lineno)), obj["text"]


def _read_csv(path: Path, handle: Iterable[str]) -> Iterator[tuple[str, str]]:
    reader = csv.DictReader(handle)
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    if "title" not in fields and "abstract" not in fields:
        raise InputError("neither JSONL nor a CSV with title/abstract columns", file=path,
                         line=1, hint="give JSONL lines with a \"text\" field, or a CSV with "
                         f"title and abstract columns (found: {', '.join(fields) or 'none'})")
    id_col = fields.get("id") or fields.get("record_id")
    for n, row in enumerate(reader, start=1):
        if None in row:
            raise InputError("more fields than the header", file=path,
                             line=reader.line_num, record=n)
        title = row.get(fields["title"]) if "title" in fields else None
        abstract = row.get(fields["abstract"]) if "abstract" in fields else None
        rid = (row.get(id_col) or "").strip() if id_col else ""
        yield rid or str(n), record_text(title, abstract)


def tag_stream(nlp: Language, items: Iterable[tuple[str, str]], *, n_process: int = 1,
               batch_size: int = BATCH_SIZE) -> Iterator[tuple[str, str, list[dict]]]:
    """``(id, text, spans)`` for each ``(id, text)``, in input order, streamed: at most a
    few batches are in memory at any time.

    With ``n_process > 1`` batches go to forked worker processes that send back plain span
    dicts, which is much cheaper than ``nlp.pipe(n_process=...)`` shipping whole Docs."""
    if n_process <= 1:
        yield from _tag_batch_docs(nlp, items, batch_size)
        return
    yield from _tag_parallel(nlp, items, n_process, batch_size)


def _tag_batch_docs(nlp: Language, items: Iterable[tuple[str, str]],
                    batch_size: int) -> Iterator[tuple[str, str, list[dict]]]:
    pairs = ((text, rid) for rid, text in items)
    for doc, rid in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield rid, doc.text, doc_to_spans(doc)


_WORKER_NLP: Language | None = None


def _work(batch: list[tuple[str, str]]) -> list[tuple[str, str, list[dict]]]:
    assert _WORKER_NLP is not None
    return list(_tag_batch_docs(_WORKER_NLP, batch, len(batch) or 1))


def _tag_parallel(nlp: Language, items: Iterable[tuple[str, str]], n_process: int,
                  batch_size: int) -> Iterator[tuple[str, str, list[dict]]]:
    global _WORKER_NLP
    _WORKER_NLP = nlp  # inherited by the forked workers
    context = multiprocessing.get_context("fork")
    pending: collections.deque = collections.deque()
    iterator = iter(items)
    with context.Pool(n_process) as pool:
        while True:
            while len(pending) < 2 * n_process:
                batch = list(itertools.islice(iterator, batch_size))
                if not batch:
                    break
                pending.append(pool.apply_async(_work, (batch,)))
            if not pending:
                break
            yield from pending.popleft().get()
    _WORKER_NLP = None


def tag_file(nlp: Language, input_path: Path, output_path: Path, *, n_process: int = 1,
             on_record: Callable[[int], None] | None = None) -> int:
    """Tag every text of ``input_path`` into ``output_path`` (JSONL), written as it goes to a
    temporary file renamed at the end. Returns the number of texts."""
    n = 0
    with atomic_open(Path(output_path)) as out:
        for rid, text, spans in tag_stream(nlp, read_texts(input_path), n_process=n_process):
            line = {"id": rid, "text": text,
                    "spans": [{k: s[k] for k in OUTPUT_SPAN_FIELDS} for s in spans]}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
            if on_record:
                on_record(n)
    return n


@dataclass
class TagReport:
    works: int
    tagged: int
    unchanged: int
    spans: int
    #: of ``tagged``: works tagged before with another patterns/models fingerprint (0 with
    #: ``force``, which redoes every work anyway)
    repatterned: int = 0
    #: works left as they are because they were tagged with another fingerprint
    #: (``keep_other_fingerprints``; counted in ``unchanged``)
    left: int = 0


def tag_project(conn: sqlite3.Connection, nlp: Language, patterns_hash: str, *,
                force: bool = False, n_process: int = 1,
                keep_other_fingerprints: bool = False,
                on_progress: Callable[[int, int], None] | None = None) -> TagReport:
    """Tag the project's works (title + abstract). Only works whose text or pattern set
    changed since they were last tagged are redone (all with ``force``). With
    ``keep_other_fingerprints`` a work whose text is unchanged but that was tagged with other
    rules or options (`tag --spancat`, `--models`, patterns edited since) is left as it is
    and counted in ``left``: `update` must not replace a span model's tags with the rules'.
    Each record's spans are written in one transaction."""
    state = tagged_state(conn)
    todo: list[tuple[int, str]] = []
    works = repatterned = left = 0
    for row in conn.execute("SELECT * FROM works ORDER BY id").fetchall():
        works += 1
        text = row_to_record(row).text
        stored = state.get(row["id"])
        digest = text_hash(text)
        if not force and stored == (digest, patterns_hash):
            continue
        if keep_other_fingerprints and stored is not None and stored[0] == digest:
            left += 1
            continue
        repatterned += not force and stored is not None and stored[1] != patterns_hash
        todo.append((row["id"], text))
    spans_total = 0
    done = 0
    for rid, text, spans in tag_stream(nlp, ((str(i), t) for i, t in todo),
                                       n_process=n_process):
        with transaction(conn):
            spans_total += replace_tags(conn, int(rid), spans, text_hash=text_hash(text),
                                        patterns_hash=patterns_hash)
        done += 1
        if on_progress:
            on_progress(done, len(todo))
    return TagReport(works=works, tagged=done, unchanged=works - len(todo), spans=spans_total,
                     repatterned=repatterned, left=left)


def work_text_and_tags(conn: sqlite3.Connection, record_id: int
                       ) -> tuple[str, list[dict] | None, bool, str | None]:
    """A work's text, its stored spans (None if never tagged), whether they are for the
    current text, and the patterns fingerprint they were made with (None if never tagged)."""
    row = conn.execute("SELECT * FROM works WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no work with id {record_id}",
                            hint="ids are the record_id column of `nlp-review export` and "
                                 "`nlp-review rank --out`")
    text = row_to_record(row).text
    state = tagged_state_of(conn, record_id)
    if state is None:
        return text, None, False, None
    return text, tags_of(conn, record_id), state[0] == text_hash(text), state[1]
