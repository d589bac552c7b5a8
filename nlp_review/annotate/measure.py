"""Measuring the tagger on stored gold, and a pattern-level error report.

``gold_from_project`` turns the project's adjudicated gold (or one annotator's current
annotations) into the tagging stage's ``GoldText`` so ``nlp_review.tagging.evaluate`` scores
it like a gold file; texts whose annotation was made on an older version of the text are
left out and counted.

``pattern_report`` says, per label, which pattern ids (SpanRuler keeps a pattern's ``id`` in
``span.id_``) make the most false hits (no gold span of that label overlaps them) and which
gold spans no pattern reaches (no predicted span of that label overlaps them), with the
phrases missed most often: what a pattern author acts on.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from spacy.language import Language

from nlp_review.annotate.storage import current_annotations, stored_gold
from nlp_review.annotate.tasks import text_hash
from nlp_review.annotate.texts import current_text
from nlp_review.errors import NotFoundError, unknown_name
from nlp_review.tagging.evaluate import GoldText, read_gold
from nlp_review.tagging.patterns import GROUPS

#: The id given to spans that came from no pattern (e.g. abbreviations defined in the text).
NO_PATTERN = "(no pattern id)"


def gold_from_files(paths: Iterable[Path], taxonomy: dict) -> list[GoldText]:
    return [g for p in paths for g in read_gold(Path(p), taxonomy)]


@dataclass
class StoredGoldSet:
    texts: list[GoldText]
    stale: int = 0


def stored_gold_texts(conn: sqlite3.Connection, annotator: str | None = None
                      ) -> StoredGoldSet:
    """The adjudicated gold (or ``annotator``'s annotations) as ``GoldText``s."""
    if annotator is None:
        versions = {k: (g.text_hash, g.spans) for k, g in stored_gold(conn).items()}
        what = "adjudicated gold"
    else:
        annotations = current_annotations(conn)
        versions = {k: (by[annotator].text_hash, by[annotator].spans)
                    for k, by in annotations.items() if annotator in by}
        what = f"annotation by {annotator!r}"
        names = sorted({a for by in annotations.values() for a in by})
        if not versions and names:
            raise unknown_name("annotator", annotator, names)
    if not versions:
        raise NotFoundError(f"no stored {what}",
                            hint="nlp-review annotate import / annotate adjudicate first")
    out = StoredGoldSet([])
    for key, (hash_, spans) in sorted(versions.items()):
        text = current_text(conn, key)
        if text is None or text_hash(text) != hash_:
            out.stale += 1
            continue
        out.texts.append(GoldText(key, text, spans, "project", 0, {"key": key}))
    return out


def gold_from_project(conn: sqlite3.Connection, taxonomy: dict) -> list[GoldText]:
    texts = stored_gold_texts(conn).texts
    if not texts:
        raise NotFoundError("no adjudicated gold matches the current texts",
                            hint="re-export, annotate and adjudicate the changed texts")
    return texts


@dataclass
class PatternReport:
    false_hits: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    hit_examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    hits: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    unreached: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    other_label: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    group_of: dict[str, str] = field(default_factory=dict)

    def as_dict(self, top: int = 10) -> dict:
        out: dict = {}
        for label in sorted(set(self.false_hits) | set(self.unreached)):
            group = self.group_of.get(label, "?")
            out.setdefault(group, {})[label] = {
                "false_hits_by_pattern": [
                    {"pattern_id": pid, "false_hits": n, "true_hits": self.hits[label][pid],
                     "examples": self.hit_examples.get((label, pid), [])}
                    for pid, n in self.false_hits[label].most_common(top)],
                "unreached_gold_phrases": [
                    {"phrase": phrase, "count": n,
                     "tagged_as_other_label": dict(self.other_label[label + "|" + phrase])}
                    for phrase, n in self.unreached[label].most_common(top)],
                "n_false_hits": sum(self.false_hits[label].values()),
                "n_unreached": sum(self.unreached[label].values()),
            }
        return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def pattern_report(nlp: Language, gold: list[GoldText], group_of: dict[str, str],
                   examples: int = 3) -> PatternReport:
    report = PatternReport(group_of=dict(group_of))
    docs = nlp.pipe((g.text for g in gold), batch_size=32)
    for g, doc in zip(gold, docs):
        predicted = [(s.start_char, s.end_char, s.label_, s.id_ or NO_PATTERN)
                     for key in GROUPS if key in doc.spans for s in doc.spans[key]]
        gold_spans = [(s["start"], s["end"], s["label"]) for s in g.spans]
        for start, end, label, pid in predicted:
            if any(gl == label and _overlap((start, end), (gs, ge))
                   for gs, ge, gl in gold_spans):
                report.hits[label][pid] += 1
                continue
            report.false_hits[label][pid] += 1
            shown = report.hit_examples.setdefault((label, pid), [])
            if len(shown) < examples:
                shown.append(f"{g.id}: {doc.text[max(0, start - 40):start]}[["
                             f"{doc.text[start:end]}]]{doc.text[end:end + 40]}"
                             .replace("\n", " "))
        for start, end, label in gold_spans:
            if any(pl == label and _overlap((start, end), (ps, pe))
                   for ps, pe, pl, _ in predicted):
                continue
            phrase = " ".join(g.text[start:end].lower().split())
            report.unreached[label][phrase] += 1
            for ps, pe, pl, _ in predicted:
                if _overlap((start, end), (ps, pe)):
                    report.other_label[label + "|" + phrase][pl] += 1
    return report
