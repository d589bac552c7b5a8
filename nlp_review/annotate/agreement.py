"""Inter-annotator agreement and adjudication over stored annotations.

Agreement, for every pair of annotators on the texts both annotated (accepted versions):
span-level F1 with the same label, *exact* (same start and end) and *overlap* (sharing a
character; precision = share of A's spans overlapping one of B's, recall the other way),
overall and per label; and Cohen's kappa (scikit-learn) on token labels: per label, each
token is in or out of a span with that label; per group, each token's label in that group
(or none); for all labels, the per-group sequences one after another.

Adjudication makes one gold version per text: ``prefer`` an annotator's version (texts they
did not annotate are left out), or merge all annotators' versions by ``union``,
``intersection`` or ``majority`` (a span kept when more than half of the text's annotators
marked exactly it; negated/hedged by the same majority among those who marked it).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from sklearn.metrics import cohen_kappa_score
from spacy.tokens import Doc

from nlp_review.annotate.storage import current_annotations, set_gold
from nlp_review.annotate.tasks import plain_span, span_sort_key
from nlp_review.errors import ConfigError, NotFoundError, unknown_name
from nlp_review.store.db import transaction

RULES = ("union", "intersection", "majority")


@dataclass
class PairCounts:
    exact_match: int = 0
    a_overlap: int = 0  # A's spans overlapping a same-label span of B
    b_overlap: int = 0
    n_a: int = 0
    n_b: int = 0

    def add(self, other: "PairCounts") -> None:
        for f in ("exact_match", "a_overlap", "b_overlap", "n_a", "n_b"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    @property
    def exact_f1(self) -> float:
        total = self.n_a + self.n_b
        return 2 * self.exact_match / total if total else 1.0

    @property
    def overlap_f1(self) -> float:
        p = self.a_overlap / self.n_a if self.n_a else 1.0
        r = self.b_overlap / self.n_b if self.n_b else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


def _overlaps(s: dict, others: list[dict]) -> bool:
    return any(o["label"] == s["label"] and o["start"] < s["end"] and s["start"] < o["end"]
               for o in others)


def compare_spans(a: list[dict], b: list[dict]) -> dict[str, PairCounts]:
    """Counts per label (and ``"*"`` for all labels) for two annotators' spans."""
    out: dict[str, PairCounts] = defaultdict(PairCounts)
    exact_b = {(s["start"], s["end"], s["label"]) for s in b}
    for s in a:
        for key in (s["label"], "*"):
            c = out[key]
            c.n_a += 1
            c.exact_match += (s["start"], s["end"], s["label"]) in exact_b
            c.a_overlap += _overlaps(s, b)
    for s in b:
        for key in (s["label"], "*"):
            c = out[key]
            c.n_b += 1
            c.b_overlap += _overlaps(s, a)
    return out


def token_labels(doc: Doc, spans: list[dict], label: str | None = None,
                 group: str | None = None) -> list[str]:
    """One label per token: ``label`` in/out (binary), or each token's label in ``group``."""
    out = ["O"] * len(doc)
    for s in sorted(spans, key=span_sort_key):
        if label is not None and s["label"] != label:
            continue
        if group is not None and s["group"] != group:
            continue
        span = doc.char_span(s["start"], s["end"], alignment_mode="expand")
        for i in range(span.start, span.end) if span is not None else ():
            if out[i] == "O":
                out[i] = s["label"]
    return out


@dataclass
class PairAgreement:
    a: str
    b: str
    n_texts: int
    counts: dict[str, PairCounts]
    kappa_label: dict[str, float] = field(default_factory=dict)
    kappa_group: dict[str, float] = field(default_factory=dict)


def _kappa(x: list[str], y: list[str]) -> float:
    if not x:
        return float("nan")
    if len(set(x) | set(y)) == 1:
        return 1.0  # both annotators used the single same value everywhere: full agreement
    return float(cohen_kappa_score(x, y))


def agreement(conn: sqlite3.Connection, text_of: Callable[[str], str | None],
              tokenizer: Callable[[str], Doc]) -> list[PairAgreement]:
    """Agreement for every pair of annotators sharing at least one text."""
    annotations = current_annotations(conn)
    shared = {k: v for k, v in annotations.items() if len(v) >= 2}
    if not shared:
        raise NotFoundError("no text has annotations from two or more annotators",
                            hint="import the same texts for a second --annotator first")
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, by in shared.items():
        for a, b in itertools.combinations(sorted(by), 2):
            pairs[(a, b)].append(key)
    out = []
    for (a, b), keys in sorted(pairs.items()):
        counts: dict[str, PairCounts] = defaultdict(PairCounts)
        labels_a: dict[str, list[str]] = defaultdict(list)
        labels_b: dict[str, list[str]] = defaultdict(list)
        groups_a: dict[str, list[str]] = defaultdict(list)
        groups_b: dict[str, list[str]] = defaultdict(list)
        all_labels = {s["label"] for k in keys for who in (a, b)
                      for s in shared[k][who].spans}
        all_groups = {s["group"] for k in keys for who in (a, b)
                      for s in shared[k][who].spans}
        for key in keys:
            sa, sb = shared[key][a].spans, shared[key][b].spans
            for label, c in compare_spans(sa, sb).items():
                counts[label].add(c)
            text = text_of(key)
            if text is None:
                continue
            doc = tokenizer(text)
            for label in all_labels:
                labels_a[label] += token_labels(doc, sa, label=label)
                labels_b[label] += token_labels(doc, sb, label=label)
            for group in all_groups:
                groups_a[group] += token_labels(doc, sa, group=group)
                groups_b[group] += token_labels(doc, sb, group=group)
        kappa_label = {lab: _kappa(labels_a[lab], labels_b[lab]) for lab in sorted(all_labels)}
        # all labels: every token once per group, labelled with its label in that group
        kappa_label["*"] = _kappa([x for g in sorted(all_groups) for x in groups_a[g]],
                                  [x for g in sorted(all_groups) for x in groups_b[g]])
        out.append(PairAgreement(
            a, b, len(keys), dict(counts), kappa_label,
            {g: _kappa(groups_a[g], groups_b[g]) for g in sorted(all_groups)}))
    return out


# -- adjudication ----------------------------------------------------------------------------
def _exact(s: dict) -> tuple:
    return (s["start"], s["end"], s["label"], s["group"])


def merge(versions: list[list[dict]], rule: str) -> list[dict]:
    """Merge several annotators' spans of one text by ``rule``."""
    if rule not in RULES:
        raise unknown_name("rule", rule, RULES)
    marks: dict[tuple, list[dict]] = defaultdict(list)
    for spans in versions:
        for s in {_exact(s): s for s in spans}.values():
            marks[_exact(s)].append(s)
    n = len(versions)
    need = {"union": 1, "intersection": n, "majority": n // 2 + 1}[rule]
    out = []
    for key, marked in marks.items():
        if len(marked) < need:
            continue
        span = plain_span(marked[0])
        for attr in ("negated", "hedged"):
            votes = Counter(bool(m[attr]) for m in marked)
            span[attr] = votes[True] > votes[False] if rule != "union" else votes[True] > 0
        out.append(span)
    return sorted(out, key=span_sort_key)


@dataclass
class AdjudicationReport:
    texts: int = 0
    skipped: int = 0
    spans: int = 0


def adjudicate(conn: sqlite3.Connection, *, decided_by: str, prefer: str | None = None,
               rule: str | None = None) -> AdjudicationReport:
    """Write one gold version per annotated text (see the module docstring), in one
    transaction."""
    if (prefer is None) == (rule is None):
        raise ConfigError("give exactly one of --prefer NAME or --rule "
                          f"{'|'.join(RULES)}")
    if rule is not None and rule not in RULES:
        raise unknown_name("rule", rule, RULES)
    annotations = current_annotations(conn)
    if not annotations:
        raise NotFoundError("no annotations stored yet", hint="nlp-review annotate import")
    if prefer is not None and not any(prefer in by for by in annotations.values()):
        names = sorted({a for by in annotations.values() for a in by})
        raise unknown_name("annotator", prefer, names)
    report = AdjudicationReport()
    with transaction(conn):
        for key, by in sorted(annotations.items()):
            hashes = {v.text_hash for v in by.values()}
            if prefer is not None:
                if prefer not in by:
                    report.skipped += 1
                    continue
                chosen = by[prefer]
                spans, method, who = chosen.spans, f"prefer:{prefer}", [prefer]
                text_hash = chosen.text_hash
            else:
                if len(hashes) > 1:  # annotators saw different versions of the text
                    report.skipped += 1
                    continue
                spans = merge([v.spans for v in by.values()], rule)
                method, who, text_hash = f"rule:{rule}", sorted(by), hashes.pop()
            set_gold(conn, key, text_hash, spans, decided_by=decided_by, method=method,
                     annotators=who)
            report.texts += 1
            report.spans += len(spans)
    return report
