"""How the trained span categorizer's spans join the rule spans, as pure functions.

The rules run first. The model proposes candidate spans (``Candidate``: character offsets
aligned to the tagger's tokens, label, group, the model's score). ``select_model_spans``
keeps a candidate when its group has a threshold, its score reaches it, and no span
already there overlaps it: one with the same label (``defer_to="label"``), of the same
group (``"group"``) or any (``"any"``). Spans already there are the rule spans and the
model spans kept before it, so the model never stacks two spans on one phrase.

``choose_combination`` picks the thresholds per group and ``defer_to`` from candidates the
model made on texts it was not trained on (cross-validation over the training gold), so
nothing is chosen on the test split. Two criteria (``CRITERIA``):

``precision_bound`` (the default): per group the LOWEST threshold (most model spans) where
(a) adding n spans of precision p to the rules' N spans of precision P lowers P by
(P - p) * n / (N + n); with p the model's own held-out precision on that group's spans (all
its candidates at or above the threshold, overlap matching as ``nlp-review evaluate``; at
least ``MIN_SUPPORT`` of them), P and N the rules' held-out figures and n the spans the
model adds on the held-out texts, that bound stays within ``safety`` (0.025, half the
target's 0.05); and (b) rules + model on the held-out texts (the pipeline simulated) keep
precision within ``safety`` of the rules'. Neither part asks the model to find gold spans
the rules missed on the training texts: the patterns were written on those texts, so the
rules already find 0.84-0.92 of their spans there and the few left say little about what
the model adds on unseen text (that bias made the old criterion switch the model off, or
keep it only where it added nothing on unseen text). The unweighted form of (a), p >= P -
0.05 whatever n, switched every model span of mechanism and intervention off: the rules'
held-out precision on the training texts (0.92, 0.98) is over-fitted too.

``held_out_gain`` (the previous one): per group the threshold with the largest held-out
recall gain whose precision stays within ``safety`` of the rules' and that finds at least
``min_found`` more gold spans.

A group with no admissible threshold gets no model spans. ``defer_to`` is the deferral with
the largest summed held-out recall gain (the first of ``DEFER_TO`` on a tie).
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
CRITERIA = ("precision_bound", "held_out_gain")
DEFAULT_CRITERION = "precision_bound"
MIN_SUPPORT = 10  # model spans of a group needed to trust its held-out precision


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


def model_precision(texts: Sequence[Scored], group: str, threshold: float
                    ) -> tuple[int, int]:
    """(right, all) of the model's own candidates of ``group`` scoring at least
    ``threshold``: right when it overlaps a gold span with the same label (the overlap
    matching of ``nlp-review evaluate``), whatever the rules found."""
    right = n = 0
    for t in texts:
        for c in t.candidates:
            if c.group != group or c.score < threshold:
                continue
            n += 1
            right += any(g["label"] == c.label and g["start"] < c.end and c.start < g["end"]
                         for g in t.gold.spans)
    return right, n


def _admissible(criterion: str, a: Counts, b: Counts, own: tuple[int, int], safety: float,
                min_found: int) -> bool:
    """Whether a threshold giving held-out counts ``b`` (rules alone: ``a``; the model's own
    candidates: ``own`` = (right, all)) may be used (see the module docstring)."""
    kept = b.precision >= a.precision - safety
    if criterion == "held_out_gain":
        return kept and b.tp_gold - a.tp_gold >= min_found
    right, n = own
    added = b.n_pred - a.n_pred
    if not kept or n < MIN_SUPPORT or added <= 0:
        return False
    return max(0.0, a.precision - right / n) * added / (a.n_pred + added) <= safety


def choose_combination(texts: Sequence[Scored], group_of: dict[str, str], *,
                       thresholds: Sequence[float] = CANDIDATE_THRESHOLDS,
                       safety: float = SAFETY, min_found: int = MIN_FOUND,
                       criterion: str = DEFAULT_CRITERION) -> dict:
    """Per ``defer_to``, per group the threshold ``criterion`` admits (``precision_bound``:
    the lowest; ``held_out_gain``: the one with the largest held-out recall gain); then the
    ``defer_to`` with the largest summed held-out gain. Returns what ``ModelSpans`` reads
    from a model's meta (``defer_to``, ``group_thresholds``) plus the estimates it was
    chosen on."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}")
    best: dict | None = None
    rules: dict[str, Counts] = {}
    table: dict[str, dict] = {}  # every option's held-out (P, R) per group, for the record
    own = {(g, th): model_precision(texts, g, th) for g in GROUPS for th in thresholds}
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
            options = [(tables[th][group].recall - a.recall, th) for th in sorted(thresholds)
                       if _admissible(criterion, a, tables[th][group], own[group, th],
                                      safety, min_found)]
            if not options:
                continue
            g, th = options[0] if criterion == "precision_bound" else max(options)
            chosen[group] = th
            gain += g
            b = tables[th][group]
            right, n = own[group, th]
            estimates[group] = {"threshold": th, "p_rules": round(a.precision, 4),
                                "r_rules": round(a.recall, 4),
                                "p_both": round(b.precision, 4),
                                "r_both": round(b.recall, 4),
                                "p_model": round(right / n, 4) if n else None,
                                "n_model": n}
        if best is None or gain > best["recall_gain"]:
            best = {"defer_to": defer, "group_thresholds": chosen,
                    "recall_gain": round(gain, 4), "estimates": estimates}
    assert best is not None
    table["rules"] = {g: [round(c.precision, 4), round(c.recall, 4)]
                      for g, c in sorted(rules.items()) if g in GROUPS}
    best["table"] = table
    best["model_precision"] = {g: {f"{th:g}": list(own[g, th]) for th in thresholds}
                               for g in GROUPS}
    best["texts"] = len(texts)
    best["criterion"] = criterion
    best["safety"] = safety
    best["min_found"] = min_found
    best["min_support"] = MIN_SUPPORT
    return best
