"""Label Studio tasks (JSON) and the labelling config beside them, as pure functions.

Out: a JSON list of tasks ``{"data": {"text", "key", "text_hash"}, "meta": {...},
"predictions": [{"model_version", "result": [...]}]}``. Each tag is a ``labels`` result
(``from_name`` "label", ``to_name`` "text", ``value.start/end/text/labels``) and, when it is
negated or hedged, a ``choices`` result with the same region ``id`` (``from_name``
"context", per region). ``labelling_config`` writes the matching XML config.

In: Label Studio's JSON export (or our file unchanged). Each user's (``completed_by``)
latest annotation of a task is read, as that user's item (``Annotated.tool_user``; the
import keeps one user's, see ``exchange``); a cancelled one (Label Studio's "skip") is
skipped. A task nobody annotated is skipped too, unless no task of the file has
annotations: then the predictions are read (so an export re-imported unchanged reproduces
the tags). Errors name the task by its position in the list.

Offsets: Label Studio counts code points, as we do (its own test
``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` expects "test" at 21..25 in
"🐱 Warning: This is a test text"), so they go out and come back unchanged. Versions before
its 2022 fix counted UTF-16 code units (a character outside the BMP counted 2; issues
#1008, #1347): a region whose ``text`` is not the text at its offsets but is exactly the
text at those offsets read as UTF-16 is read that way, so such an export lands on the
words the annotator marked instead of being refused.
"""

from __future__ import annotations

from typing import Iterable
from xml.sax.saxutils import quoteattr

from nlp_review.annotate.offsets import OffsetMap
from nlp_review.annotate.tasks import ATTRIBUTES, Annotated, Task, qualified, split_qualified
from nlp_review.errors import InputError

FROM_LABEL = "label"
FROM_CONTEXT = "context"
TO_NAME = "text"


def task_to_labelstudio(task: Task, model_version: str = "nlp_review rules") -> dict:
    result = []
    for n, s in enumerate(task.spans, start=1):
        region = f"r{n}"
        value = {"start": s["start"], "end": s["end"], "text": task.text[s["start"]:s["end"]]}
        result.append({"id": region, "from_name": FROM_LABEL, "to_name": TO_NAME,
                       "type": "labels", "value": {**value, "labels": [qualified(s)]}})
        flags = [a for a in ATTRIBUTES if s.get(a)]
        if flags:
            result.append({"id": region, "from_name": FROM_CONTEXT, "to_name": TO_NAME,
                           "type": "choices", "value": {**value, "choices": flags}})
    return {"data": {"text": task.text, "key": task.key, "text_hash": task.text_hash},
            "meta": {"key": task.key, "text_hash": task.text_hash, **task.meta},
            "predictions": [{"model_version": model_version, "result": result}]}


def dump_labelstudio(tasks: Iterable[Task], model_version: str = "nlp_review rules") -> list:
    return [task_to_labelstudio(t, model_version) for t in tasks]


def labelling_config(labels: Iterable[str]) -> str:
    """The XML labelling config for ``labels`` (``group:LABEL`` names)."""
    lines = ["<View>",
             f'  <Labels name="{FROM_LABEL}" toName="{TO_NAME}">']
    lines += [f"    <Label value={quoteattr(name)}/>" for name in labels]
    lines += ["  </Labels>",
              f'  <Text name="{TO_NAME}" value="$text"/>',
              f'  <Choices name="{FROM_CONTEXT}" toName="{TO_NAME}" perRegion="true" '
              'choice="multiple">']
    lines += [f'    <Choice value="{a}"/>' for a in ATTRIBUTES]
    lines += ["  </Choices>", "</View>", ""]
    return "\n".join(lines)


def _user(annotation: dict) -> str | None:
    """Label Studio's ``completed_by``: a user id, or (older exports) a user object."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return None if who is None or isinstance(who, bool) else str(who)


def _results_of(task: dict, any_annotated: bool) -> list[tuple[list | None, str, str | None]]:
    """(result list, answer, user) per user who annotated the task: each user's latest
    annotation (a cancelled one is the answer ``ignore``). A task nobody annotated gives its
    predictions when no task of the file has annotations (the export as written), else
    ``ignore`` (nobody looked at it)."""
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    if annotations:
        latest = {_user(a): a for a in annotations}
        return [(None, "ignore", user) if a.get("was_cancelled")
                else (a.get("result") or [], "accept", user) for user, a in latest.items()]
    if any_annotated:
        return [(None, "ignore", None)]
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if predictions:
        return [(predictions[-1].get("result") or [], "accept", None)]
    return [([], "accept", None)]


def parse_labelstudio(tasks: object, file: str, errors: list[InputError]) -> list[Annotated]:
    if not isinstance(tasks, list):
        errors.append(InputError("expected a JSON list of Label Studio tasks", file=file))
        return []
    out: list[Annotated] = []
    any_annotated = any(isinstance(t, dict) and t.get("annotations") for t in tasks)
    for n, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            flat = isinstance(task, dict) and isinstance(task.get("text"), str)
            errors.append(InputError(
                "this looks like Label Studio's JSON-MIN export, which drops the negated/"
                "hedged choices of each region: export as JSON" if flat else
                'expected a task with "data": {"text": ...}', file=file, record=f"task {n}"))
            continue
        meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        key = str(data.get("key") or meta.get("key") or "")
        for result, answer, user in _results_of(task, any_annotated):
            out.append(_annotated(data, meta, key, n, result, answer, user, file))
    return out


def _annotated(data: dict, meta: dict, key: str, n: int, result: list | None, answer: str,
               user: str | None, file: str) -> Annotated:
    """One task's result list read into spans (problems kept on the item)."""
    regions: dict[str, dict] = {}
    problems: list[str] = []
    flags: dict[str, list[str]] = {}
    for k, item in enumerate(result or [], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            problems.append(f"result {k}: not a result object")
            continue
        value, region = item["value"], str(item.get("id", f"#{k}"))
        if item.get("type") == "labels":
            names = value.get("labels") or []
            if len(names) != 1 or "start" not in value or "end" not in value:
                problems.append(f"result {k}: a region needs start, end and one label")
                continue
            group, label = split_qualified(str(names[0]))
            a, b, shown = value["start"], value["end"], value.get("text")
            a, b = _code_points(data["text"], a, b, shown)
            if isinstance(shown, str) and isinstance(a, int) and isinstance(b, int) \
                    and 0 <= a < b <= len(data["text"]) \
                    and shown.split() != data["text"][a:b].split():
                problems.append(f"result {k}: region text {shown!r} is not the text at "
                                f"{a}..{b} ({data['text'][a:b]!r})")
            regions[region] = {"start": a, "end": b, "label": label, "group": group}
        elif item.get("type") == "choices" and item.get("from_name") == FROM_CONTEXT:
            flags[region] = [c for c in value.get("choices") or [] if c in ATTRIBUTES]
    spans = [{**s, **{a: a in flags.get(r, []) for a in ATTRIBUTES}}
             for r, s in regions.items()]
    return Annotated(key=key, text=data["text"], spans=spans,
                     exported_hash=data.get("text_hash") or meta.get("text_hash"),
                     answer=answer, file=file, line=None, task=f"task {n}"
                     + (f" ({key})" if key else ""), problems=problems, tool_user=user)


def _code_points(text: str, a: object, b: object, shown: object) -> tuple:
    """A region's offsets in code points: as written, unless its ``text`` is not what
    they name and is exactly what they name read as UTF-16 code units (Label Studio before
    its 2022 fix)."""
    if not (isinstance(shown, str) and isinstance(a, int) and isinstance(b, int)) \
            or text.isascii() or text[a:b] == shown:
        return a, b
    units = OffsetMap(text, "utf16")
    if units.identity:
        return a, b
    ours = units.to_ours(a), units.to_ours(b)
    if None not in ours and text[ours[0]:ours[1]] == shown:
        return ours
    return a, b
