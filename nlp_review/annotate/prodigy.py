"""Prodigy JSONL (``ner_manual`` / ``spans_manual`` tasks), as pure functions.

Out: one task per line, ``{"text", "tokens", "spans", "meta"}``. ``tokens`` are spaCy
tokens (``text``, ``start``, ``end``, ``id``, ``ws``); each span has ``start``, ``end``,
``token_start``, ``token_end`` (inclusive, as Prodigy counts), ``label`` (``group:LABEL``)
and our own ``negated``/``hedged`` keys. ``meta`` holds ``key`` and ``text_hash`` (Prodigy
shows meta in its card) and, for tools that drop unknown span keys, ``attributes``: the
``"start:end:group:LABEL"`` of every negated or hedged span.

``_input_hash`` and ``_task_hash`` are set as Prodigy's ``set_hashes`` documents them: the
input hash is a 32-bit murmurhash of the task's input keys (``text``, ``image``, ``html``,
``input``: here the text), the task hash a murmurhash of the input hash followed by the
task keys (``spans``, ``label``, ``options``, ``arcs``: here the spans). So two tasks on the
same text share ``_input_hash`` and differ in ``_task_hash`` when their spans differ, and
Prodigy, which keeps hashes a task already has (``set_hashes(overwrite=False)``), uses ours
to skip texts already in its dataset. Prodigy does not publish how it serialises the
values before hashing, so the numbers are ours, not guaranteed to equal the ones Prodigy
would compute for a task without hashes; they are stable across runs and machines. A text imported from Prodigy before and unchanged
since goes out with the hashes it came back with (stored with the annotation,
``Task.tool_ids``), so a round trip keeps the Prodigy dataset's hashes.


Offsets: Prodigy is Python and counts code points, as we do; its manual interfaces build a
span from the task's tokens. Every span boundary is therefore made a token boundary: a
tokenizer token holding one inside (the tagger splits "child\u2010sized" at the hyphen,
spaCy's blank English does not) is cut there, so ``token_start``/``token_end`` name exactly
the span's characters and the card shows the span as tagged.

In: Prodigy's ``db-out`` lines (or our export unchanged). ``answer``: ``accept`` (or no
answer: the file as exported) stores the spans; ``reject`` is stored as the annotator's
statement that the shown spans are wrong, without spans to learn from (it is never used as
gold); ``ignore`` is skipped.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from typing import Callable, Iterable, Iterator

from murmurhash import hash as murmurhash
from spacy.tokens import Doc

from nlp_review.annotate.tasks import (ANSWERS, ATTRIBUTES, Annotated, Task, json_lines,
                                      qualified, split_qualified)
from nlp_review.errors import InputError

Tokenizer = Callable[[str], Doc]

#: Prodigy's documented hash keys (``prodigy.util.INPUT_HASH_KEYS`` / ``TASK_HASH_KEYS``).
INPUT_HASH_KEYS = ("text", "image", "html", "input")
TASK_HASH_KEYS = ("spans", "label", "options", "arcs")
HASH_ATTRS = ("_input_hash", "_task_hash")


def _hash_of(task: dict, keys: tuple[str, ...], prefix: int | None = None) -> int:
    parts = [] if prefix is None else [str(prefix)]
    parts += [f"{key}={json.dumps(task[key], sort_keys=True, ensure_ascii=False)}"
              for key in keys if key in task]
    return murmurhash(" ".join(parts))


def set_hashes(task: dict, overwrite: bool = False) -> dict:
    """Add ``_input_hash`` and ``_task_hash`` to ``task`` (in place, returned), as Prodigy's
    ``set_hashes``: kept if both are already there unless ``overwrite``."""
    if not overwrite and all(a in task for a in HASH_ATTRS):
        return task
    input_hash = _hash_of(task, INPUT_HASH_KEYS)
    task["_input_hash"] = input_hash
    task["_task_hash"] = _hash_of(task, TASK_HASH_KEYS, prefix=input_hash)
    return task


def attribute_key(span: dict) -> str:
    return f"{span['start']}:{span['end']}:{qualified(span)}"


def prodigy_tokens(text: str, doc: Doc, spans: list[dict]) -> list[dict]:
    """Prodigy's ``tokens`` for ``text``: the tokenizer's tokens, each cut at any span
    boundary inside it (the cut pieces have ``ws`` false)."""
    bounds = sorted({b for s in spans for b in (s["start"], s["end"])})
    tokens: list[dict] = []
    for t in doc:
        start, end = t.idx, t.idx + len(t.text)
        inner = bounds[bisect_right(bounds, start):bisect_left(bounds, end)]
        edges = [start, *inner, end]
        for k, (a, b) in enumerate(zip(edges, edges[1:])):
            last = k == len(edges) - 2
            tokens.append({"text": text[a:b], "start": a, "end": b, "id": len(tokens),
                           "ws": bool(t.whitespace_) if last else False})
    return tokens


def _token_range(starts: list[int], ends: list[int], start: int,
                 end: int) -> tuple[int, int] | None:
    """(first, last) index of the tokens (their ``starts`` and ``ends``) covering
    start..end, or None."""
    first = bisect_right(ends, start)
    last = bisect_left(starts, end) - 1
    return (first, last) if first <= last < len(starts) else None


def task_to_prodigy(task: Task, tokenizer: Tokenizer) -> dict:
    tokens = prodigy_tokens(task.text, tokenizer(task.text), task.spans)
    starts, ends = [t["start"] for t in tokens], [t["end"] for t in tokens]
    spans = []
    for s in task.spans:
        span = {"start": s["start"], "end": s["end"], "label": qualified(s)}
        covered = _token_range(starts, ends, s["start"], s["end"])
        if covered is not None:
            span["token_start"], span["token_end"] = covered
        span.update({a: bool(s.get(a)) for a in ATTRIBUTES})
        spans.append(span)
    attributes = {attribute_key(s): [a for a in ATTRIBUTES if s.get(a)]
                  for s in task.spans if any(s.get(a) for a in ATTRIBUTES)}
    meta = {"key": task.key, "text_hash": task.text_hash, **task.meta}
    if attributes:
        meta["attributes"] = attributes
    out = {"text": task.text, "tokens": tokens, "spans": spans, "meta": meta,
           **_hashes(task.tool_ids)}  # the hashes of an earlier import, if any
    return set_hashes(out)


def dump_prodigy(tasks: Iterable[Task], tokenizer: Tokenizer) -> Iterator[str]:
    """JSONL lines (without newline) for ``tasks``."""
    for task in tasks:
        yield json.dumps(task_to_prodigy(task, tokenizer), ensure_ascii=False)


def parse_prodigy(lines: Iterable[str], file: str,
                  errors: list[InputError]) -> list[Annotated]:
    """Read Prodigy JSONL; problems go to ``errors`` (file, line, task)."""
    out: list[Annotated] = []
    for lineno, obj in json_lines(lines, file, errors, 'a Prodigy task with "text"'):
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        key = str(meta.get("key") or "")
        answer = obj.get("answer", "accept")
        if answer not in ANSWERS:
            errors.append(InputError(f"answer {answer!r} is not one of {', '.join(ANSWERS)}",
                                     file=file, line=lineno, record=key or None))
            continue
        attributes = meta.get("attributes") if isinstance(meta.get("attributes"), dict) else {}
        spans, problems = [], []
        raw_spans = obj.get("spans") or []
        if not isinstance(raw_spans, list):
            raw_spans, problems = [], ['"spans" is not a list']
        for k, s in enumerate(raw_spans, start=1):
            if not isinstance(s, dict) or not {"start", "end", "label"} <= set(s):
                problems.append(f"span {k}: needs start, end and label")
                continue
            group, label = split_qualified(str(s["label"]))
            span = {"start": s["start"], "end": s["end"], "label": label, "group": group}
            from_meta = attributes.get(f"{s['start']}:{s['end']}:{s['label']}", [])
            for a in ATTRIBUTES:
                span[a] = bool(s[a]) if a in s else a in from_meta
            spans.append(span)
        out.append(Annotated(key=key, text=obj["text"], spans=spans,
                             exported_hash=meta.get("text_hash"), answer=answer, file=file,
                             line=lineno, task=key, problems=problems,
                             tool_ids=_hashes(obj), tool_user=_session(obj)))
    return out


def _session(obj: dict) -> str | None:
    """Who answered, as Prodigy records it: ``_session_id`` (``DATASET-NAME`` with named
    sessions, ``/?session=NAME``) or ``_annotator_id``; None for a file not from Prodigy."""
    for attr in ("_session_id", "_annotator_id"):
        if isinstance(obj.get(attr), (str, int)) and not isinstance(obj.get(attr), bool):
            return str(obj[attr])
    return None


def _hashes(obj: dict) -> dict:
    """The task's ``_input_hash``/``_task_hash`` when it has both as integers, else {}."""
    ids = {a: obj.get(a) for a in HASH_ATTRS}
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in ids.values())
    return ids if ok else {}


def looks_like_prodigy(obj: dict) -> bool:
    return "tokens" in obj or "_input_hash" in obj or "answer" in obj or (
        isinstance(obj.get("spans"), list) and "label" not in obj)
