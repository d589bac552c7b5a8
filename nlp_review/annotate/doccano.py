"""doccano sequence-labelling JSONL, as pure functions.

Out: ``{"text", "label": [[start, end, "group:LABEL"], ...], "key", "text_hash",
"attributes"}`` per line. doccano keeps every extra top-level field as the example's
metadata and writes it back on export, so ``key``, ``text_hash`` and ``attributes`` (the
``"start:end:group:LABEL"`` of negated/hedged spans -> their attributes; doccano spans have
no attributes of their own) survive a round trip through the tool.

In: doccano's export (``label`` as lists, or ``entities``/``spans`` dicts as newer versions
write them with ``start_offset``/``end_offset``). Every line is an accepted annotation.

Offsets: doccano's editor indexes the JavaScript string, so its offsets count UTF-16 code
units (a character outside the Basic Multilingual Plane counts 2; its backend stores and
exports the numbers as given). Spans go out converted to those units and come back
converted to code points; an offset that splits such a character is reported. The
``attributes`` keys are written in doccano's units too, as the spans they name.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from nlp_review.annotate.offsets import OffsetMap
from nlp_review.annotate.tasks import (ATTRIBUTES, Annotated, Task, json_lines, qualified,
                                      split_qualified)
from nlp_review.errors import InputError


def _attr_key(start: int, end: int, name: str) -> str:
    return f"{start}:{end}:{name}"


def task_to_doccano(task: Task) -> dict:
    units = OffsetMap(task.text, "utf16")
    at = {id(s): (units.to_tool(s["start"]), units.to_tool(s["end"])) for s in task.spans}
    label = [[*at[id(s)], qualified(s)] for s in task.spans]
    attributes = {_attr_key(*at[id(s)], qualified(s)):
                  [a for a in ATTRIBUTES if s.get(a)]
                  for s in task.spans if any(s.get(a) for a in ATTRIBUTES)}
    return {"text": task.text, "label": label, "key": task.key,
            "text_hash": task.text_hash, "attributes": attributes, **task.meta}


def dump_doccano(tasks: Iterable[Task]) -> Iterator[str]:
    for task in tasks:
        yield json.dumps(task_to_doccano(task), ensure_ascii=False)


def _raw_spans(obj: dict) -> list | None:
    for field in ("label", "labels", "entities", "spans"):
        if isinstance(obj.get(field), list):
            return obj[field]
    return None


def parse_doccano(lines: Iterable[str], file: str,
                  errors: list[InputError]) -> list[Annotated]:
    out: list[Annotated] = []
    expected = 'a doccano line with "text" and "label"'
    for lineno, obj in json_lines(lines, file, errors, expected):
        raw = _raw_spans(obj)
        if raw is None:
            errors.append(InputError(f"expected {expected}", file=file, line=lineno))
            continue
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        key = str(obj.get("key") or meta.get("key") or "")
        attributes = obj.get("attributes") or meta.get("attributes") or {}
        spans, problems = [], []
        units = OffsetMap(obj["text"], "utf16")
        for k, item in enumerate(raw, start=1):
            if isinstance(item, list) and len(item) == 3:
                start, end, name = item
            elif isinstance(item, dict) and "label" in item:
                start = item.get("start_offset", item.get("start"))
                end = item.get("end_offset", item.get("end"))
                name = item["label"]
            else:
                problems.append(f"span {k}: expected [start, end, label]")
                continue
            group, label = split_qualified(str(name))
            flags = attributes.get(_attr_key(start, end, str(name)), []) \
                if isinstance(attributes, dict) else []
            ours = [units.to_ours_or_raw(x) for x in (start, end)]
            if None in ours:
                inside = start if ours[0] is None else end
                problems.append(f"span {k} ({name}): {units.describe_inside(inside)}; "
                                "doccano counts UTF-16 code units (was the text edited "
                                "outside doccano?)")
                continue
            spans.append({"start": ours[0], "end": ours[1], "label": label, "group": group,
                          **{a: a in flags for a in ATTRIBUTES}})
        out.append(Annotated(key=key, text=obj["text"], spans=spans,
                             exported_hash=obj.get("text_hash") or meta.get("text_hash"),
                             file=file, line=lineno, task=key, problems=problems))
    return out
