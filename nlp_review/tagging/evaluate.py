"""Scoring the tagger against hand-annotated gold files.

Two matchings, both requiring the same label: *overlap* (a predicted span counts if it shares
at least one character with a gold span; a gold span is found if any prediction overlaps
it) and *exact* (same start and end). Precision, recall and F1 per label and per group
(micro-averaged over the group's labels), the ``negated``/``hedged`` attributes scored on
overlap-matched pairs, and every miss and false hit listed to guide pattern work.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language

from nlp_review.errors import InputError, InputErrors
from nlp_review.tagging.run import tag_stream

MODES = ("overlap", "exact")


@dataclass
class GoldText:
    id: str
    text: str
    spans: list[dict]
    file: str
    line: int
    meta: dict = field(default_factory=dict)


def read_gold(path: Path, labels: dict | None = None) -> list[GoldText]:
    """Read and validate a gold JSONL file; every bad line is reported at once."""
    path = Path(path)
    if not path.is_file():
        raise InputError("gold file not found", file=path)
    errors: list[InputError] = []
    out: list[GoldText] = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = dict(file=path, line=lineno)
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(InputError(f"not valid JSON ({exc.msg})", **where))
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) \
                    or not isinstance(obj.get("spans"), list):
                errors.append(InputError('expected {"id", "text", "spans": [...]}', **where))
                continue
            text, good = obj["text"], []
            for k, s in enumerate(obj["spans"], start=1):
                problem = _span_problem(s, len(text), labels)
                if problem:
                    errors.append(InputError(f"span {k}: {problem}", **where))
                else:
                    good.append(s)
            out.append(GoldText(str(obj.get("id", lineno)), text, good, str(path), lineno,
                                obj.get("meta") or {}))
    if errors:
        raise InputErrors(errors, hint="fix the gold file (format: annotations/GUIDELINES.md)")
    return out


def _span_problem(s: object, n: int, labels: dict | None) -> str | None:
    if not isinstance(s, dict):
        return "not an object"
    for key in ("start", "end", "label"):
        if key not in s:
            return f"missing {key!r}"
    if not (isinstance(s["start"], int) and isinstance(s["end"], int)
            and 0 <= s["start"] < s["end"] <= n):
        return f"offsets {s['start']}..{s['end']} outside the text (length {n})"
    if labels is not None:
        info = labels.get(s["label"])
        if info is None:
            return f"unknown label {s['label']!r}"
        if s.get("group", info.group) != info.group:
            return f"label {s['label']} is in group {info.group}, not {s['group']}"
    return None


@dataclass
class Counts:
    tp_pred: int = 0  # predictions matched
    n_pred: int = 0
    tp_gold: int = 0  # gold spans found
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Counts") -> None:
        self.tp_pred += other.tp_pred
        self.n_pred += other.n_pred
        self.tp_gold += other.tp_gold
        self.n_gold += other.n_gold


@dataclass
class Evaluation:
    n_texts: int = 0
    by_label: dict[str, dict[str, Counts]] = field(default_factory=dict)  # mode -> label
    by_group: dict[str, dict[str, Counts]] = field(default_factory=dict)  # mode -> group
    attributes: dict[str, Counts] = field(default_factory=dict)  # negated/hedged
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        def table(d: dict[str, dict[str, Counts]]) -> dict:
            return {mode: {k: {"precision": round(c.precision, 4), "recall": round(c.recall, 4),
                               "f1": round(c.f1, 4), "predicted": c.n_pred, "gold": c.n_gold}
                           for k, c in sorted(rows.items())} for mode, rows in d.items()}
        return {"texts": self.n_texts, "groups": table(self.by_group),
                "labels": table(self.by_label),
                "attributes": {k: {"precision": round(c.precision, 4),
                                   "recall": round(c.recall, 4), "f1": round(c.f1, 4),
                                   "predicted": c.n_pred, "gold": c.n_gold}
                               for k, c in self.attributes.items()}}


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def score(pairs: Iterable[tuple[GoldText, list[dict]]], group_of: dict[str, str]) -> Evaluation:
    """Score ``(gold text, predicted spans)`` pairs."""
    ev = Evaluation()
    label_counts = {m: defaultdict(Counts) for m in MODES}
    attrs = {a: Counts() for a in ("negated", "hedged")}
    for gold, pred in pairs:
        ev.n_texts += 1
        for mode in MODES:
            match = _overlaps if mode == "overlap" else \
                (lambda a, b: a["start"] == b["start"] and a["end"] == b["end"])
            for p in pred:
                c = label_counts[mode][p["label"]]
                c.n_pred += 1
                hit = [g for g in gold.spans if g["label"] == p["label"] and match(p, g)]
                if hit:
                    c.tp_pred += 1
                    if mode == "overlap":
                        g = hit[0]
                        for a in attrs:
                            pa, ga = bool(p.get(a)), bool(g.get(a))
                            attrs[a].n_pred += pa
                            attrs[a].n_gold += ga
                            attrs[a].tp_pred += pa and ga
                            attrs[a].tp_gold += pa and ga
                elif mode == "overlap":
                    ev.errors.append(_error("false_hit", gold, p, group_of))
            for g in gold.spans:
                c = label_counts[mode][g["label"]]
                c.n_gold += 1
                if any(p["label"] == g["label"] and match(p, g) for p in pred):
                    c.tp_gold += 1
                elif mode == "overlap":
                    ev.errors.append(_error("miss", gold, g, group_of))
    ev.by_label = {m: dict(v) for m, v in label_counts.items()}
    for mode in MODES:
        groups: dict[str, Counts] = defaultdict(Counts)
        for label, c in label_counts[mode].items():
            groups[group_of.get(label, "?")].add(c)
        ev.by_group[mode] = dict(groups)
    ev.attributes = attrs
    return ev


def _error(kind: str, gold: GoldText, span: dict, group_of: dict[str, str]) -> dict:
    text = gold.text
    a, b = span["start"], span["end"]
    return {"kind": kind, "id": gold.id, "file": gold.file, "line": gold.line,
            "label": span["label"], "group": group_of.get(span["label"], "?"),
            "text": text[a:b], "start": a, "end": b,
            "context": (text[max(0, a - 60):a] + "[[" + text[a:b] + "]]" +
                        text[b:b + 60]).replace("\n", " ")}


def evaluate(nlp: Language, gold: list[GoldText], group_of: dict[str, str]) -> Evaluation:
    """Tag the gold texts with ``nlp`` and score the result."""
    predicted = {rid: spans for rid, _, spans in
                 tag_stream(nlp, ((str(i), g.text) for i, g in enumerate(gold)))}
    return score(((g, predicted[str(i)]) for i, g in enumerate(gold)), group_of)


def iter_error_lines(ev: Evaluation) -> Iterator[str]:
    for e in sorted(ev.errors, key=lambda e: (e["group"], e["label"], e["kind"], e["id"])):
        yield json.dumps(e, ensure_ascii=False)
