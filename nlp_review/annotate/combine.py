"""How the trained span categorizer's spans join the rule spans, as pure functions.

The rules run first. The model proposes candidate spans (``Candidate``: character offsets
aligned to the tagger's tokens, label, group, the model's score). ``select_model_spans``
keeps a candidate when its group has a threshold, its score reaches it, and no span
already there overlaps it: one with the same label (``defer_to="label"``), of the same
group (``"group"``) or any (``"any"``). Spans already there are the rule spans and the
model spans kept before it, so the model never stacks two spans on one phrase.

``choose_combination`` picks the thresholds per group and ``defer_to`` from candidates the
model made on texts it was not trained on (cross-validation over the training gold), so
nothing is chosen on the test split. Per group it takes the threshold with the largest
recall gain whose precision stays within ``safety`` (default 0.025, half the 0.05 the
target allows, because an estimate from ~100 texts varies) of the rules' and that finds
at least ``min_found`` more gold spans; a group with no such threshold gets no model spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from nlp_review.tagging.evaluate import Counts, GoldText, score
from nlp_review.tagging.patterns import GROUPS

#: Where the model defers to the spans already there (see the module docstring).
DEFER_TO = ("label", "group", "any")
DEFAULT_DEFER_TO = "label"
MAX_PRECISION_DROP = 0.05
SAFETY = 0.025
MIN_FOUND = 2
CANDIDATE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    group: str
    score: float


@dataclass(frozen=True)
class Existing:
    start: int
    end: int
    label: str
    group: str


def select_model_spans(candidates: Iterable[Candidate], existing: Sequence[Existing],
                       thresholds: dict[str, float | None], defer_to: str
                       ) -> list[Candidate]:
    """The candidates to add, in candidate order (see the module docstring);
    ``thresholds`` maps a group to its minimum score (missing or None: no model spans)."""
    kept: list[Candidate] = []
    present: list[Existing | Candidate] = list(existing)
    for c in candidates:
        needed = thresholds.get(c.group)
        if needed is None or c.score < needed:
            continue
        if any(e.start < c.end and c.start < e.end
               and (defer_to == "any" or e.group == c.group)
               and (defer_to != "label" or e.label == c.label) for e in present):
            continue
        kept.append(c)
        present.append(c)
    return kept


@dataclass
class Scored:
    """One gold text with the rule spans and the model's candidates for it.

    ``rules`` are the tagger's final spans. ``existing`` are the rule spans the model
    component sees (before the context component; None: ``rules``), and ``finish`` turns
    the model spans kept into the final spans as the rest of the pipeline would (the
    context component drops spans inside exclusion cues and merges same-label overlaps;
    None: ``rules`` plus the kept spans)."""
    gold: GoldText
    rules: list[dict]
    candidates: list[Candidate]
    existing: list[Existing] | None = None
    finish: Callable[[list[Candidate]], list[dict]] | None = None

    def combined(self, thresholds: dict[str, float | None], defer_to: str) -> list[dict]:
        existing = self.existing if self.existing is not None else [
            Existing(s["start"], s["end"], s["label"], s["group"]) for s in self.rules]
        added = select_model_spans(self.candidates, existing, thresholds, defer_to)
        if not added:
            return self.rules
        if self.finish is not None:
            return self.finish(added)
        return self.rules + [{"start": c.start, "end": c.end, "label": c.label,
                              "group": c.group} for c in added]


def combined_counts(texts: Sequence[Scored], group_of: dict[str, str],
                    thresholds: dict[str, float | None], defer_to: str
                    ) -> tuple[dict[str, Counts], dict[str, Counts]]:
    """Overlap-matched counts per group: rules alone, and rules + the selected model spans
    (``nlp_review.tagging.evaluate.score``, the scoring ``nlp-review evaluate`` uses)."""
    rules = score(((t.gold, t.rules) for t in texts), group_of).by_group["overlap"]
    pairs = [(t.gold, t.combined(thresholds, defer_to)) for t in texts]
    return rules, score(pairs, group_of).by_group["overlap"]


def choose_combination(texts: Sequence[Scored], group_of: dict[str, str], *,
                       thresholds: Sequence[float] = CANDIDATE_THRESHOLDS,
                       safety: float = SAFETY, min_found: int = MIN_FOUND) -> dict:
    """Per ``defer_to``, per group the threshold with the largest recall gain within the
    precision ``safety`` margin (and at least ``min_found`` more gold spans found); then
    the ``defer_to`` with the largest summed gain. Returns what ``ModelSpans`` reads from a
    model's meta (``defer_to``, ``group_thresholds``) plus the estimates it was chosen on."""
    best: dict | None = None
    rules: dict[str, Counts] = {}
    table: dict[str, dict] = {}  # every option's held-out (P, R) per group, for the record
    for defer in DEFER_TO:
        chosen: dict[str, float] = {}
        estimates: dict[str, dict] = {}
        gain = 0.0
        tables = {}
        for th in thresholds:
            rules, both = combined_counts(texts, group_of, {g: th for g in GROUPS}, defer)
            tables[th] = both
            table[f"{defer} {th:g}"] = {g: [round(c.precision, 4), round(c.recall, 4)]
                                         for g, c in sorted(both.items()) if g in GROUPS}
        for group in GROUPS:
            a = rules.get(group)
            if a is None or not a.n_gold:
                continue
            options = []
            for th, both in tables.items():
                b = both[group]
                if b.tp_gold - a.tp_gold >= min_found and \
                        b.precision >= a.precision - safety:
                    options.append((b.recall - a.recall, th))
            if options:
                g, th = max(options)
                chosen[group] = th
                gain += g
                b = tables[th][group]
                estimates[group] = {"threshold": th, "p_rules": round(a.precision, 4),
                                    "r_rules": round(a.recall, 4),
                                    "p_both": round(b.precision, 4),
                                    "r_both": round(b.recall, 4)}
        if best is None or gain > best["recall_gain"]:
            best = {"defer_to": defer, "group_thresholds": chosen,
                    "recall_gain": round(gain, 4), "estimates": estimates}
    assert best is not None
    table["rules"] = {g: [round(c.precision, 4), round(c.recall, 4)]
                      for g, c in sorted(rules.items()) if g in GROUPS}
    best["table"] = table
    best["texts"] = len(texts)
    best["safety"] = safety
    best["min_found"] = min_found
    return best
