"""Which texts go out for annotation, and what each key's current text is.

Units: ``records`` (a work's title + abstract, key ``record:ID``) or ``paragraphs``
(taggable full-text paragraphs, key ``paragraph:ID``), each with its stored tags as
pre-annotations (tags made on an older text are not offered: the text goes out untagged).

Choosing texts (``which``): ``all``; ``included`` (works whose current screening decision
is include, or their full texts' paragraphs); ``sample`` (all, then a sample). ``sample``
draws that many of the chosen texts at random with ``seed`` (so ``included`` + ``sample``
is a random sample of the included works). ``least_confident`` then keeps the ``n`` texts
whose rule tags are least sure.
Rules give no probabilities, so "least confident" is a documented proxy: a text ranks
higher the larger the share of its spans that are negated or hedged (the evidence is
uncertain there), then the fewer spans it has per 100 words (the rules found little, so
misses are likely), then the longer it is.

A text imported before from Prodigy, and unchanged since, goes out with the
``_input_hash``/``_task_hash`` it came back with (``Task.tool_ids``), so the annotator's
Prodigy dataset recognises it.
"""

from __future__ import annotations

import random
import sqlite3

from nlp_review.annotate.storage import tool_ids_for
from nlp_review.annotate.tasks import Task, plain_span, span_sort_key
from nlp_review.errors import ConfigError, NotFoundError, unknown_name
from nlp_review.store.decisions import current_decisions
from nlp_review.store.records import row_to_record
from nlp_review.store.tags import tagged_state, tags_of
from nlp_review.annotate.tasks import text_hash

UNITS = ("records", "paragraphs")
WHICH = ("all", "included", "sample")


def _record_tasks(conn: sqlite3.Connection, included: set[int] | None) -> list[Task]:
    state = tagged_state(conn)
    out = []
    for row in conn.execute("SELECT * FROM works ORDER BY id"):
        if included is not None and row["id"] not in included:
            continue
        text = row_to_record(row).text
        if not text.strip():
            continue
        current = state.get(row["id"], ("", ""))[0] == text_hash(text)
        spans = [plain_span(s) for s in tags_of(conn, row["id"])] if current else []
        out.append(Task(f"record:{row['id']}", text, sorted(spans, key=span_sort_key),
                        {"untagged": True} if not current else {}))
    return out


def _paragraph_tasks(conn: sqlite3.Connection, included: set[int] | None) -> list[Task]:
    rows = conn.execute(
        "SELECT p.id, p.start, p.end, p.text, f.record_id, f.id AS fulltext_id, p.section_kind"
        " FROM fulltext_paragraphs p JOIN fulltexts f ON f.id = p.fulltext_id"
        " WHERE p.taggable = 1 ORDER BY f.id, p.position").fetchall()
    tagged = {r[0] for r in conn.execute("SELECT fulltext_id FROM fulltext_tagged")}
    out = []
    for r in rows:
        if included is not None and r["record_id"] not in included:
            continue
        spans = []
        if r["fulltext_id"] in tagged:
            for t in conn.execute("SELECT * FROM fulltext_tags WHERE paragraph_id = ?",
                                  (r["id"],)):
                spans.append(plain_span({"start": t["start"] - r["start"],
                                         "end": t["end"] - r["start"], "label": t["label"],
                                         "group": t["tag_group"], "negated": t["negated"],
                                         "hedged": t["hedged"]}))
        out.append(Task(f"paragraph:{r['id']}", r["text"], sorted(spans, key=span_sort_key),
                        {"record_id": r["record_id"], "section": r["section_kind"]}))
    return out


def uncertainty(task: Task) -> tuple:
    """Sort key, most uncertain first (see the module docstring)."""
    n = len(task.spans)
    words = max(1, len(task.text.split()))
    unsure = sum(1 for s in task.spans if s["negated"] or s["hedged"]) / n if n else 0.0
    return (-unsure, n * 100 / words, -words, task.key)


def select_tasks(conn: sqlite3.Connection, *, unit: str = "records", which: str = "all",
                 sample: int | None = None, seed: int = 0,
                 least_confident: int | None = None) -> list[Task]:
    """The texts to export, in key order (or most uncertain first)."""
    if unit not in UNITS:
        raise unknown_name("unit", unit, UNITS)
    if which not in WHICH:
        raise unknown_name("text selection", which, WHICH)
    included = None
    if which == "included":
        included = {w for w, d in current_decisions(conn).items() if d.label == 1}
        if not included:
            raise NotFoundError("no work is included yet",
                                hint="screen first, or use --which all / --which sample")
    tasks = (_record_tasks if unit == "records" else _paragraph_tasks)(conn, included)
    if not tasks:
        raise NotFoundError(f"the project has no {unit} to export",
                            hint="import records (or full texts for --unit paragraphs) first")
    if which == "sample" and not sample:
        raise ConfigError("--which sample needs --sample N (N >= 1)")
    if sample is not None:  # a random sample of whichever texts ``which`` picked
        if sample < 1:
            raise ConfigError("--sample N needs N >= 1")
        tasks = random.Random(seed).sample(tasks, min(sample, len(tasks)))
        tasks.sort(key=lambda t: t.key)
    if least_confident:
        tasks = sorted(tasks, key=uncertainty)[:least_confident]
    ids = tool_ids_for(conn, {t.key: t.text_hash for t in tasks})
    for task in tasks:
        task.tool_ids = ids.get(task.key, {})
    return tasks


def current_text(conn: sqlite3.Connection, key: str) -> str | None:
    """The text a key names now (None if it no longer exists)."""
    kind, _, ident = key.partition(":")
    if not ident.isdigit():
        return None
    if kind == "record":
        row = conn.execute("SELECT * FROM works WHERE id = ?", (int(ident),)).fetchone()
        return row_to_record(row).text if row is not None else None
    if kind == "paragraph":
        row = conn.execute("SELECT text FROM fulltext_paragraphs WHERE id = ?",
                           (int(ident),)).fetchone()
        return row["text"] if row is not None else None
    return None
