"""brat standoff folders, as pure functions over file contents.

Out: per text ``<name>.txt`` (the text), ``<name>.ann`` (``T1\\tgroup-LABEL start end\\ttext``
and ``A1\\tNegated T1`` / ``A2\\tHedged T1``) and a sidecar ``<name>.json`` with ``key`` and
``text_hash`` (brat ignores it and never rewrites it), plus one ``annotation.conf`` listing
every entity type, the two attributes and an ``<OVERLAP>`` line letting entities of
any type overlap (brat flags overlapping entities as errors otherwise, and tags of different
groups often share words). brat type names cannot hold ``:``, so
``mechanism:TRUST_BUILDING`` is written ``mechanism-TRUST_BUILDING`` and mapped back on
import. A span running over a line break is written as brat fragments
(``start end;start end``) and read back as one span from the first start to the last end.

Offsets: brat's server reads the ``.txt`` with universal newlines
(``server/src/annotation.py`` ``open_textfile``, mode ``'rU'``), so a Windows line end
``\r\n`` is one character in its count (nlplab/brat#853). The ``.txt`` is written as the
text is; offsets go out in brat's count and come back converted. A character outside the
BMP counts 1, as in Python (brat's browser client counts it 2: nlplab/brat#1115, open).
"""

from __future__ import annotations

import re
from typing import Iterable

from nlp_review.annotate.offsets import OffsetMap
from nlp_review.annotate.tasks import Annotated, Task, brat_type, split_qualified
from nlp_review.errors import InputError

BRAT_ATTRIBUTES = {"Negated": "negated", "Hedged": "hedged"}
#: brat's special relation type saying which entity spans may overlap (brat >= 1.3).
OVERLAP = "<OVERLAP>"


def file_stem(key: str) -> str:
    """A safe file name for a text key: ``record:12`` -> ``record-12``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for piece in re.finditer(r"[^\r\n]+", text[start:end]):
        out.append((start + piece.start(), start + piece.end()))
    return out or [(start, end)]


def task_to_ann(task: Task) -> str:
    lines, n_attr = [], 0
    units = OffsetMap(task.text, "crlf_as_one")
    for n, s in enumerate(task.spans, start=1):
        frags = _fragments(task.text, s["start"], s["end"])
        where = ";".join(f"{units.to_tool(a)} {units.to_tool(b)}" for a, b in frags)
        shown = " ".join(task.text[a:b] for a, b in frags)
        lines.append(f"T{n}\t{brat_type(s)} {where}\t{shown}")
        for brat_name, attr in BRAT_ATTRIBUTES.items():
            if s.get(attr):
                n_attr += 1
                lines.append(f"A{n_attr}\t{brat_name} T{n}")
    return "\n".join(lines) + ("\n" if lines else "")


def annotation_conf(types: Iterable[str]) -> str:
    """``annotation.conf`` for these entity type names (``group-LABEL``)."""
    types = list(types)
    lines = ["# nlp-review export: entity types are group-LABEL (mechanism-TRUST_BUILDING",
             "# stands for mechanism:TRUST_BUILDING).", "[entities]", *types, "",
             "[relations]",
             "# tags of different groups share words (\"preschool\" in \"preschool children\"):",
             "# brat marks overlapping entities as errors unless this line allows them",
             f"{OVERLAP}\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "",
             "[events]", "", "[attributes]"]
    lines += [f"{name}\tArg:<ENTITY>" for name in BRAT_ATTRIBUTES]
    return "\n".join(lines) + "\n"


def parse_ann(text: str, ann: str, *, key: str, exported_hash: str | None, file: str,
              errors: list[InputError]) -> Annotated:
    """Read one ``.ann`` file's entities and attributes against its ``.txt`` text."""
    entities: dict[str, dict] = {}
    flags: dict[str, set[str]] = {}
    problems: list[str] = []
    units = OffsetMap(text, "crlf_as_one")
    for lineno, line in enumerate(ann.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        ident = parts[0]
        if ident.startswith("T"):
            try:
                kind, _, where = parts[1].partition(" ")
                frags = [tuple(int(x) for x in f.split()) for f in where.split(";")]
                start, end = min(f[0] for f in frags), max(f[1] for f in frags)
            except (IndexError, ValueError):
                errors.append(InputError("expected 'T1<TAB>TYPE start end<TAB>text'",
                                         file=file, line=lineno, record=key or None))
                continue
            start, end = units.to_ours_or_raw(start), units.to_ours_or_raw(end)
            group, label = split_qualified(kind)
            shown = parts[2] if len(parts) > 2 else None
            if shown is not None and 0 <= start < end <= len(text) \
                    and shown.split() != text[start:end].split():
                problems.append(f"line {lineno}: {ident} says {shown!r} but the text at "
                                f"{start}..{end} is {text[start:end]!r}")
            entities[ident] = {"start": start, "end": end, "label": label, "group": group}
        elif ident.startswith("A") or ident.startswith("M"):
            fields = parts[1].split() if len(parts) > 1 else []
            if len(fields) >= 2 and fields[0] in BRAT_ATTRIBUTES:
                flags.setdefault(fields[1], set()).add(BRAT_ATTRIBUTES[fields[0]])
            else:
                problems.append(f"line {lineno}: unknown attribute {parts[1:]!r}")
        elif ident[:1] not in ("R", "E", "N", "*"):
            problems.append(f"line {lineno}: not a brat annotation line: {line[:40]!r}")
        # relations (R), events (E), normalizations (N), notes (#) and equivalences (*)
        # carry no spans
    for ident in flags:
        if ident not in entities:
            problems.append(f"attribute on unknown entity {ident}")
    spans = [{**s, "negated": "negated" in flags.get(i, ()), "hedged": "hedged" in
              flags.get(i, ())} for i, s in entities.items()]
    return Annotated(key=key, text=text, spans=spans, exported_hash=exported_hash, file=file,
                     task=key, problems=problems)
