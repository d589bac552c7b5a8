"""Files in and out: writing an export in one tool's format, reading any of them back,
validating every span and storing the result. The format modules stay pure; this module
opens the files and the project store.

Import is all-or-nothing per file: every problem in the file is collected and reported at
once (file, line or task, text key, what is wrong) and nothing is stored; a clean file is
stored in one transaction, one annotation per text for the given annotator.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from spacy.tokens import Doc

from nlp_review.annotate import brat, doccano, labelstudio, prodigy
from nlp_review.annotate.storage import StoredAnnotation, add_annotation, current_annotations
from nlp_review.annotate.tasks import Annotated, Task, plain_span, span_sort_key, text_hash
from nlp_review.annotate.texts import current_text
from nlp_review.errors import ConfigError, InputError, InputErrors, unknown_name
from nlp_review.formats.decode import line_of
from nlp_review.io import atomic_open, atomic_write_text
from nlp_review.store.db import transaction

FORMATS = ("prodigy", "doccano", "labelstudio", "brat")


def qualified_labels(taxonomy: dict) -> list[str]:
    """Every ``group:LABEL`` of the taxonomy, in taxonomy order."""
    return [f"{info.group}:{name}" for name, info in taxonomy.items()]


def config_path_for(out: Path) -> Path:
    """Where the Label Studio labelling config is written beside the tasks file."""
    return out.with_name(out.stem + ".config.xml")


#: The file name ending each tool picks its reader by (Prodigy's loaders and Label Studio's
#: import go by the extension: a JSONL file named .json is read as one JSON list).
TOOL_SUFFIX = {"prodigy": ".jsonl", "labelstudio": ".json"}


def suffix_advice(fmt: str, out: Path) -> str | None:
    """What to rename ``out`` to when the tool would read its extension as another format."""
    want = TOOL_SUFFIX.get(fmt)
    if want is None or Path(out).suffix.lower() == want:
        return None
    what = "JSON Lines (one task per line)" if want == ".jsonl" else "one JSON list of tasks"
    return (f"{out} holds {what}, but {fmt} picks its reader by the file extension: name it "
            f"{Path(out).with_suffix(want).name}")


def write_export(tasks: list[Task], fmt: str, out: Path, taxonomy: dict,
                 tokenizer: Callable[[str], Doc]) -> list[Path]:
    """Write ``tasks`` in ``fmt`` to ``out``; returns the paths written. Files appear only
    when complete (temporary file or folder renamed into place)."""
    out = Path(out)
    if fmt not in FORMATS:
        raise unknown_name("format", fmt, FORMATS)
    if fmt == "prodigy":
        return [_write_lines(out, prodigy.dump_prodigy(tasks, tokenizer))]
    if fmt == "doccano":
        return [_write_lines(out, doccano.dump_doccano(tasks))]
    if fmt == "labelstudio":
        atomic_write_text(out, json.dumps(labelstudio.dump_labelstudio(tasks),
                                          ensure_ascii=False, indent=1))
        config = config_path_for(out)
        atomic_write_text(config, labelstudio.labelling_config(qualified_labels(taxonomy)))
        return [out, config]
    return [_write_brat(tasks, out, taxonomy)]


def _write_lines(out: Path, lines: Iterable[str]) -> Path:
    with atomic_open(out) as handle:
        for line in lines:
            handle.write(line + "\n")
    return out


def _write_brat(tasks: list[Task], out: Path, taxonomy: dict) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out} already exists and is not an empty folder",
                          hint="brat exports go to a new folder: pick another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o777 & ~mask)  # mkdtemp makes 0700: a brat server (another user) can read
    try:
        types = [f"{info.group}-{name}" for name, info in taxonomy.items()]
        (tmp / "annotation.conf").write_text(brat.annotation_conf(types), encoding="utf-8")
        for task in tasks:
            stem = brat.file_stem(task.key)
            (tmp / f"{stem}.txt").write_text(task.text, encoding="utf-8", newline="")
            (tmp / f"{stem}.ann").write_text(brat.task_to_ann(task), encoding="utf-8")
            (tmp / f"{stem}.json").write_text(json.dumps(
                {"key": task.key, "text_hash": task.text_hash, **task.meta}), encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# -- reading ---------------------------------------------------------------------------------
def detect_format(path: Path) -> str:
    """The format of an annotation file, read from its content (a folder is brat)."""
    path = Path(path)
    if path.is_dir():
        return "brat"
    head = read_text(path).lstrip()
    if not head:
        raise InputError("the file is empty: it holds no annotations", file=path,
                         hint="import the file the annotation tool exported")
    if head.startswith("["):
        return "labelstudio"
    first = head.split("\n", 1)[0]
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        if "data" in obj:
            return "labelstudio"
        if prodigy.looks_like_prodigy(obj):
            return "prodigy"
        if any(k in obj for k in ("label", "labels", "entities")):
            return "doccano"
    raise InputError("cannot tell the annotation format from the content", file=path,
                     line=1, hint="give --format prodigy|doccano|labelstudio|brat (a brat "
                     "export is a folder)")


def read_annotations(path: Path, fmt: str = "auto") -> list[Annotated]:
    """Every text of an annotation file or brat folder; structural problems (bad JSON,
    missing fields) raise ``InputErrors`` listing all of them."""
    path = Path(path)
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise unknown_name("format", fmt, FORMATS + ("auto",))
    errors: list[InputError] = []
    if fmt == "brat":
        items = _read_brat(path, errors)
    else:
        content = read_text(path)
        if fmt == "labelstudio":
            try:
                data = json.loads(content)
            except json.JSONDecodeError as exc:
                jsonl = exc.msg == "Extra data" and content.lstrip().startswith("{")
                raise InputError(f"not valid JSON ({exc.msg})", file=path, line=exc.lineno,
                                 hint="this is JSON Lines (one task per line), not Label "
                                      "Studio's JSON list: a Prodigy or doccano file? Leave "
                                      "out --format" if jsonl else
                                 "the file may be cut short or edited by hand: fix the JSON "
                                 "there, or export it from Label Studio again (Export > JSON)"
                                 ) from None
            items = labelstudio.parse_labelstudio(data, str(path), errors)
        elif fmt == "prodigy":
            items = prodigy.parse_prodigy(content.split("\n"), str(path), errors)
        else:
            items = doccano.parse_doccano(content.split("\n"), str(path), errors)
    if errors:
        raise InputErrors(errors, hint=f"is this a {fmt} file exported by nlp-review?")
    if not items:
        raise InputError("no annotated texts in this file", file=path,
                         hint="import the file the annotation tool exported")
    return items


def read_text(path: Path) -> str:
    """A file's text as UTF-8 (a byte-order mark dropped); a file in another encoding is
    an InputError naming the line, not a traceback."""
    path = Path(path)
    if path.is_dir():
        raise InputError("this is a folder, not an annotation file", file=path,
                         hint="a folder is read as a brat export: leave out --format (or "
                              "give --format brat)")
    if not path.is_file():
        raise InputError("file not found", file=path)
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise _zip_error(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)",
                         file=path, line=line,
                         hint="save it as UTF-8: the annotation tools write UTF-8; an "
                              "editor may have saved it in another encoding") from None


def _zip_error(path: Path) -> InputError:
    """A zip given as an annotation file (doccano exports a non-collaborative project as a
    zip with one USERNAME.jsonl per member): name the members and how to import them."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile:
        names = []
    example = next((n for n in names if n.endswith(".jsonl")), "USERNAME.jsonl")
    who = Path(example).stem
    return InputError("a zip archive, not an annotation file" + (
        f" (it holds {', '.join(names)})" if names else ""), file=path,
        hint="unzip it and import each file with its annotator's name (doccano writes one "
             f"USERNAME.jsonl per project member): nlp-review annotate import {example} "
             f"--annotator {who}")


def _read_brat(folder: Path, errors: list[InputError]) -> list[Annotated]:
    if not folder.is_dir():
        raise InputError("brat import needs the export folder", file=folder)
    out = []
    for ann in sorted(folder.glob("*.ann")):
        txt, side = ann.with_suffix(".txt"), ann.with_suffix(".json")
        if not txt.is_file():
            errors.append(InputError("no .txt beside this .ann", file=ann))
            continue
        meta: dict = {}
        if side.is_file():
            try:
                meta = json.loads(side.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                errors.append(InputError(f"not valid JSON ({exc.msg})", file=side))
        try:
            text = txt.read_bytes().decode("utf-8")
            ann_text = read_text(ann)
        except UnicodeDecodeError as exc:
            errors.append(InputError(f"not UTF-8 text ({exc.reason})", file=txt,
                                     hint="save it as UTF-8, as exported"))
            continue
        except InputError as exc:
            errors.append(exc)
            continue
        out.append(brat.parse_ann(text, ann_text,
                                  key=str(meta.get("key", "")),
                                  exported_hash=meta.get("text_hash"), file=str(ann),
                                  errors=errors))
    if not out and not errors:
        errors.append(InputError("no .ann files in this folder", file=folder))
    return out


# -- validating and storing ------------------------------------------------------------------
def _where(item: Annotated, **extra) -> dict:
    return dict(file=item.file, line=item.line, record=item.task or item.key or None, **extra)


def how_changed(text: str, exported_hash: str) -> str:
    """What happened to a text whose hash is not the export's, in words an annotator can
    act on: only line endings turned Windows (CRLF) or a byte-order mark added (an editor
    or a copy did that, not the annotator), or an edit."""
    plain = text.lstrip("\ufeff").replace("\r\n", "\n")
    if text_hash(plain) == exported_hash:
        what = [w for w, changed in (("has Windows line endings (CRLF) where the export had "
                                      "LF", "\r\n" in text),
                                     ("starts with a byte-order mark", text.startswith(
                                         "\ufeff"))) if changed]
        return (f"the text now {' and '.join(what)} (an editor or a copy changed it); spans "
                "are not re-aligned: convert it back (e.g. dos2unix) or re-export")
    return ("the text was changed in the tool after export; spans are not re-aligned "
            "(annotate the text as exported)")


def validate(items: list[Annotated], taxonomy: dict,
             text_of: Callable[[str], str | None]) -> list[InputError]:
    """Check every text and span; fills in each span's group from the taxonomy when the
    tool dropped it. Returns the problems (none: safe to store)."""
    errors: list[InputError] = []
    seen: dict[str, Annotated] = {}
    for item in items:
        if item.answer == "ignore":
            continue
        where = _where(item)
        edited = bool(item.exported_hash) and item.text_hash != item.exported_hash
        for problem in item.problems if not edited else ():  # (an edit explains them)
            errors.append(InputError(problem, **where))
        if not item.key:
            errors.append(InputError("no text key (the export's key/meta was removed)",
                                     **where, hint="re-export and keep the meta fields"))
            continue
        if item.key in seen:
            errors.append(InputError(f"text {item.key} appears twice in the file", **where))
        seen[item.key] = item
        current = text_of(item.key)
        if current is None:
            errors.append(InputError(f"text {item.key} is not in this project", **where))
            continue
        if not item.exported_hash:
            errors.append(InputError("no text hash (the export's text_hash was removed)",
                                     **where))
        elif edited:
            errors.append(InputError(how_changed(item.text, item.exported_hash), **where))
            continue
        elif item.exported_hash != Task(item.key, current, []).text_hash:
            errors.append(InputError(f"text {item.key} changed in the project since export; "
                                     "spans are not re-aligned", **where,
                                     hint="export it again and redo its annotation"))
            continue
        n = len(item.text)
        for k, s in enumerate(item.spans, start=1):
            start, end = s["start"], s["end"]
            if not (isinstance(start, int) and isinstance(end, int)):
                errors.append(InputError(f"span {k}: offsets {start!r}..{end!r} are not "
                                         "whole numbers", **where))
                continue
            if 0 <= start and end <= n and start >= end:
                errors.append(InputError(f"span {k}: start {start} is not before end {end}",
                                         **where))
                continue
            if not 0 <= start < end <= n:
                errors.append(InputError(f"span {k}: offsets {start}..{end} outside the text "
                                         f"(length {n})", **where))
                continue
            info = taxonomy.get(s["label"])
            if info is None:
                written = f"{s['group']}:{s['label']}" if s["group"] else s["label"]
                errors.append(InputError(f"span {k}: label {written!r} is not in the "
                                         "taxonomy (labels are group:LABEL, as in the "
                                         "export's label list)", **where))
                continue
            if s["group"] and s["group"] != info.group:
                errors.append(InputError(f"span {k}: {s['label']} belongs to group "
                                         f"{info.group}, not {s['group']}", **where))
                continue
            s["group"] = info.group
    return errors


@dataclass
class ImportReport:
    accepted: int = 0
    rejected: int = 0
    ignored: int = 0
    spans: int = 0
    unchanged: int = 0  # the same as the annotator's newest version: not stored again
    # other annotators holding exactly these annotations, from a file of the same name (the
    # same file imported under two names: their agreement would compare it with itself)
    same_as: list[str] = field(default_factory=list)


def _same_user(found: str, wanted: str) -> bool:
    # Prodigy names a session DATASET-NAME (``/?session=NAME``): NAME is enough
    return found == wanted or found.endswith("-" + wanted)


def pick_tool_user(items: list[Annotated], tool_user: str | None,
                   path: Path) -> list[Annotated]:
    """The items of one annotator: those ``tool_user`` made (Label Studio user id or email,
    Prodigy session), or all of them when the file names at most one user. A file holding
    several users' annotations without ``tool_user`` is refused (whose would be stored?)."""
    users = sorted({i.tool_user for i in items if i.tool_user is not None})
    if tool_user is not None:
        kept = [i for i in items if i.tool_user is not None
                and _same_user(i.tool_user, tool_user)]
        if not kept:
            raise InputError(f"no annotations by tool user {tool_user!r} in this file",
                             file=path, hint=f"users in the file: {', '.join(users)}"
                             if users else "the file names no users: leave out --tool-user")
        return kept
    if len(users) > 1:
        raise InputError(f"the file holds annotations by {len(users)} users of the tool "
                         f"({', '.join(users)}); nothing was imported", file=path,
                         hint="import each user's as their own annotator: --tool-user USER "
                              "--annotator NAME")
    return items


def _version(item: Annotated) -> tuple:
    """(text hash, answer, spans as stored) of an item, to compare with a stored one."""
    spans = sorted({tuple(plain_span(s).items()): plain_span(s)
                    for s in item.spans}.values(), key=span_sort_key)
    return (item.text_hash, item.answer, tuple(spans if item.answer == "accept" else []))


def _stored_version(stored: StoredAnnotation) -> tuple:
    return (stored.text_hash, stored.answer, tuple(stored.spans))


def import_annotations(conn: sqlite3.Connection, path: Path, annotator: str, taxonomy: dict,
                       fmt: str = "auto", tool_user: str | None = None) -> ImportReport:
    """Read, validate and store one file's annotations as ``annotator``'s, all in one
    transaction (or nothing, with every problem listed). ``tool_user`` picks whose
    annotations to read from a file holding several users' (see ``pick_tool_user``)."""
    if not annotator.strip():
        raise ConfigError("--annotator must not be empty")
    items = pick_tool_user(read_annotations(path, fmt), tool_user, path)
    errors = validate(items, taxonomy, lambda key: current_text(conn, key))
    if errors:
        raise InputErrors(errors, hint="nothing was imported; fix the file or re-export")
    report = ImportReport()
    before = current_annotations(conn, accepted_only=False)
    versions = {item.key: _version(item) for item in items if item.answer != "ignore"}
    report.same_as = sorted(
        other for other in {a for k in versions for a in before.get(k, {})} - {annotator}
        if all(k in before and other in before[k] and _stored_version(before[k][other]) == v
               and Path(before[k][other].source_file or "").name == Path(path).name
               for k, v in versions.items())) if versions else []
    with transaction(conn):
        for item in items:
            if item.answer == "ignore":
                report.ignored += 1
                continue
            mine = before.get(item.key, {}).get(annotator)
            if mine is not None and _stored_version(mine) == versions[item.key] \
                    and mine.tool_ids == (item.tool_ids or {}):
                report.unchanged += 1
                continue
            spans = list(versions[item.key][2])
            add_annotation(conn, item.key, item.text_hash, annotator, item.answer, spans,
                           source_file=str(path), tool_ids=item.tool_ids)
            if item.answer == "accept":
                report.accepted += 1
                report.spans += len(spans)
            else:
                report.rejected += 1
    return report
