"""The plain data the format modules exchange: a ``Task`` (one text with its spans, going
out) and an ``Annotated`` text (one text with an annotator's spans, coming back).

A text is named by a *key*: ``record:ID`` for a work's title + abstract (ID is the work id)
or ``paragraph:ID`` for a full-text paragraph. Every task carries ``text_hash`` (SHA-1 of
the UTF-8 text, as the tagger stores it) so an import can tell whether the text changed
since export. Labels travel with their group, ``group:LABEL`` (``mechanism:TRUST_BUILDING``);
brat, whose type names cannot hold ``:``, uses ``group-LABEL`` (groups never hold ``-``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

ATTRIBUTES = ("negated", "hedged")
SPAN_KEYS = ("start", "end", "label", "group", "negated", "hedged")
ANSWERS = ("accept", "reject", "ignore")


def json_lines(lines: Iterable[str], file: str, errors: list,
               expected: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank JSONL line holding an object with a
    ``text`` string; other lines become InputErrors in ``errors`` (``expected`` says what a
    line should be)."""
    from nlp_review.errors import InputError

    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(InputError(f"not valid JSON ({exc.msg})", file=file, line=lineno))
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            errors.append(InputError(f"expected {expected}", file=file, line=lineno))
            continue
        yield lineno, obj


def text_hash(text: str) -> str:
    """SHA-1 of the UTF-8 text (the same hash ``nlp_review.tagging.run`` stores)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def qualified(span: dict) -> str:
    """``group:LABEL`` for a span dict."""
    return f"{span['group']}:{span['label']}"


def split_qualified(name: str) -> tuple[str, str]:
    """``("group", "LABEL")`` from ``group:LABEL`` (or brat's ``group-LABEL``); a bare
    ``LABEL`` gives ``("", "LABEL")`` (the caller looks its group up)."""
    for sep in (":", "-"):
        group, found, label = name.partition(sep)
        if found and group.islower() and label:
            return group, label
    return "", name


def brat_type(span: dict) -> str:
    return f"{span['group']}-{span['label']}"


def plain_span(span: dict) -> dict:
    """A span reduced to what annotation exchange keeps (start, end, label, group, negated,
    hedged), booleans as bool."""
    return {"start": int(span["start"]), "end": int(span["end"]), "label": span["label"],
            "group": span["group"], "negated": bool(span.get("negated", False)),
            "hedged": bool(span.get("hedged", False))}


def span_sort_key(span: dict) -> tuple:
    return (span["start"], span["end"], span["group"], span["label"])


@dataclass
class Task:
    """One text going out for correction, with the current tags as pre-annotations, and
    the annotation tool's own ids from an earlier import of the same text (``tool_ids``:
    Prodigy's ``_input_hash``/``_task_hash``; empty when there are none)."""
    key: str
    text: str
    spans: list[dict]
    meta: dict = field(default_factory=dict)
    tool_ids: dict = field(default_factory=dict)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass
class Annotated:
    """One text coming back: an annotator's spans, where it was read from, the hash the
    export wrote (``None`` if the file lost it), the answer (accept/reject/ignore) and the
    tool's own ids for the task where it has them (Prodigy's ``_input_hash``/``_task_hash``),
    kept as read, and the tool's name for who annotated it where the file says
    (``tool_user``: Label Studio's ``completed_by``, Prodigy's ``_session_id``)."""
    key: str
    text: str
    spans: list[dict]
    exported_hash: str | None
    answer: str = "accept"
    file: str = ""
    line: int | None = None
    task: str = ""
    annotator: str | None = None
    problems: list[str] = field(default_factory=list)
    tool_ids: dict = field(default_factory=dict)
    tool_user: str | None = None  # who made it in the tool (Label Studio user, Prodigy session)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)
