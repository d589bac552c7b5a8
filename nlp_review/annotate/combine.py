"""How the trained span categorizer's spans join the rule spans, as pure functions.

The rules run first. The model proposes candidate spans (``Candidate``: character offsets
aligned to the tagger's tokens, label, group, the model's score). ``select_model_spans``
keeps a candidate when its group has a threshold, its score reaches it, and no span
already there overlaps it: one with the same label (``defer_to="label"``), of the same
group (``"group"``) or any (``"any"``). Spans already there are the rule spans and the
model spans kept before it, so the model never stacks two spans on one phrase. A group may
be *gated*: its model spans are added only to texts where the rules found a span of that
group (the rules say the text is about, e.g., mechanisms; the model adds the phrases they
missed). Most wrong held-out additions fall in texts whose gold has no span of their label
at all (mechanism "support", "social skills"; intervention "group settings"), which the
gate removes where the rules are silent.

``choose_combination`` picks the thresholds per group and ``defer_to`` from candidates the
model made on texts it was not trained on (cross-validation over the training gold), so
nothing is chosen on the test split. Two criteria (``CRITERIA``):

``additions_bound`` (the default): per group the option (a threshold, gated or not) that
finds the most held-out gold (on a tie: ungated, then the lower threshold) among those where
the model's *additions* (the candidates ``select_model_spans`` keeps on the held-out texts:
model spans outside the rule spans, the only ones that change the output) are trusted:
(a) there are at least ``MIN_ADDITIONS`` of them; (b) with n their number, p the lower end
of a one-sided 90 % Wilson interval on their precision (right: overlapping a gold span of
the same label), and P and N the rules' precision and spans on the held-out texts, the
precision they cost, (P - p) * n / (N + n), is at most ``safety`` (0.025, half the target's
0.05); (c) rules + model on the held-out texts (the pipeline simulated, context component
included) keep precision within ``safety`` of the rules' and find more gold spans.

The rules' figures on the held-out texts are optimistic, since the patterns were written
on those very texts. How each part of (b) leans: the additions' precision p is
pessimistic there (the tuned rules leave the model few right spans to add; on unseen text
they leave more), the model's wrong additions per text do not depend on the rules, a
higher P only widens P - p (stricter), and N is too high (the rules find more spans on
their own texts than on unseen ones): ``safety`` at half the target's limit covers the
rules finding up to about half as many spans on unseen text.

``held_out_gain`` (an earlier one): per group the threshold with the largest held-out
recall gain whose precision stays within ``safety`` of the rules' and that finds at least
``min_found`` more gold spans.

(The criterion before ``additions_bound``, ``precision_bound``, counted and scored all of
the model's spans of a group, most of which the rules had too, so a group could be trusted
on four additions: intervention, 1 of 4 held-out additions right, added 9 spans on the
fresh test batch, none right.)

A group with no admissible threshold gets no model spans. ``defer_to`` is the deferral with
the largest summed held-out recall gain (the first of ``DEFER_TO`` on a tie).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Sequence

from scipy.stats import binomtest

from nlp_review.tagging.evaluate import Counts, GoldText, score
from nlp_review.tagging.patterns import GROUPS

#: Where the model defers to the spans already there (see the module docstring).
DEFER_TO = ("label", "group", "any")
DEFAULT_DEFER_TO = "label"
MAX_PRECISION_DROP = 0.05
SAFETY = 0.025
MIN_FOUND = 2
CANDIDATE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
CRITERIA = ("additions_bound", "held_out_gain")
DEFAULT_CRITERION = "additions_bound"
MIN_ADDITIONS = 20  # held-out additions of a group needed to trust their precision
CONFIDENCE = 0.9  # one-sided (Wilson lower bound on the additions' precision)


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
                       thresholds: dict[str, float | None], defer_to: str,
                       gated: Collection[str] = ()) -> list[Candidate]:
    """The candidates to add, in candidate order (see the module docstring);
    ``thresholds`` maps a group to its minimum score (missing or None: no model spans);
    for a group in ``gated`` only texts where ``existing`` (the rules) has a span of that
    group get model spans of it."""
    kept: list[Candidate] = []
    present: list[Existing | Candidate] = list(existing)
    in_rules = {e.group for e in existing}
    for c in candidates:
        needed = thresholds.get(c.group)
        if needed is None or c.score < needed:
            continue
        if c.group in gated and c.group not in in_rules:
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

    def added(self, thresholds: dict[str, float | None], defer_to: str,
              gated: Collection[str] = ()) -> list[Candidate]:
        """The model spans the pipeline would add (before the context component)."""
        existing = self.existing if self.existing is not None else [
            Existing(s["start"], s["end"], s["label"], s["group"]) for s in self.rules]
        return select_model_spans(self.candidates, existing, thresholds, defer_to, gated)

    def combined(self, thresholds: dict[str, float | None], defer_to: str,
                 gated: Collection[str] = ()) -> list[dict]:
        added = self.added(thresholds, defer_to, gated)
        if not added:
            return self.rules
        if self.finish is not None:
            return self.finish(added)
        return self.rules + [{"start": c.start, "end": c.end, "label": c.label,
                              "group": c.group} for c in added]


def combined_counts(texts: Sequence[Scored], group_of: dict[str, str],
                    thresholds: dict[str, float | None], defer_to: str,
                    gated: Collection[str] = ()
                    ) -> tuple[dict[str, Counts], dict[str, Counts]]:
    """Overlap-matched counts per group: rules alone, and rules + the selected model spans
    (``nlp_review.tagging.evaluate.score``, the scoring ``nlp-review evaluate`` uses)."""
    rules = score(((t.gold, t.rules) for t in texts), group_of).by_group["overlap"]
    pairs = [(t.gold, t.combined(thresholds, defer_to, gated)) for t in texts]
    return rules, score(pairs, group_of).by_group["overlap"]


def _right(c: Candidate, gold: list[dict]) -> bool:
    """Overlap matching as ``nlp-review evaluate``: a gold span of the same label overlaps."""
    return any(g["label"] == c.label and g["start"] < c.end and c.start < g["end"]
               for g in gold)


def model_precision(texts: Sequence[Scored], group: str, threshold: float
                    ) -> tuple[int, int]:
    """(right, all) of the model's own candidates of ``group`` scoring at least
    ``threshold``, whatever the rules found."""
    right = n = 0
    for t in texts:
        for c in t.candidates:
            if c.group != group or c.score < threshold:
                continue
            n += 1
            right += _right(c, t.gold.spans)
    return right, n


def additions(texts: Sequence[Scored], thresholds: dict[str, float | None], defer_to: str,
              gated: Collection[str] = ()) -> dict[str, tuple[int, int]]:
    """Per group, (right, all) of the model spans the pipeline adds to the rule spans."""
    out: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    for t in texts:
        for c in t.added(thresholds, defer_to, gated):
            counts = out.setdefault(c.group, [0, 0])
            counts[0] += _right(c, t.gold.spans)
            counts[1] += 1
    return {g: (k, n) for g, (k, n) in out.items()}


def wilson_lower(right: int, n: int, confidence: float = CONFIDENCE) -> float:
    """The one-sided lower Wilson score bound at ``confidence`` for a proportion
    ``right / n`` (scipy's ``binomtest(...).proportion_ci``; 0 for ``n == 0``)."""
    if n <= 0:
        return 0.0
    ci = binomtest(right, n, alternative="greater").proportion_ci(
        confidence_level=confidence, method="wilson")
    return float(ci.low)


def addition_bound(a: Counts, added: tuple[int, int]) -> float | None:
    """(P - p) * n / (N + n) of ``additions_bound`` (see the module docstring), or None
    with fewer than ``MIN_ADDITIONS`` additions."""
    right, n = added
    if n < MIN_ADDITIONS:
        return None
    return max(0.0, a.precision - wilson_lower(right, n)) * n / (a.n_pred + n)


def _admissible(criterion: str, a: Counts, b: Counts, added: tuple[int, int],
                safety: float, min_found: int) -> bool:
    """Whether a threshold giving held-out counts ``b`` (rules alone: ``a``; the model's
    additions: ``added`` = (right, all)) may be used (see the module docstring)."""
    kept = b.precision >= a.precision - safety
    if criterion == "held_out_gain":
        return kept and b.tp_gold - a.tp_gold >= min_found
    bound = addition_bound(a, added)
    return kept and b.tp_gold > a.tp_gold and bound is not None and bound <= safety


def choose_combination(texts: Sequence[Scored], group_of: dict[str, str], *,
                       thresholds: Sequence[float] = CANDIDATE_THRESHOLDS,
                       safety: float = SAFETY, min_found: int = MIN_FOUND,
                       criterion: str = DEFAULT_CRITERION) -> dict:
    """Per ``defer_to``, per group the option (a threshold, gated or not) ``criterion``
    admits that finds the most held-out gold (``held_out_gain``: the largest held-out recall
    gain; on a tie the ungated, then the lower threshold); then the ``defer_to`` with the
    largest summed held-out gain. Returns what ``ModelSpans`` reads from a model's meta
    (``defer_to``, ``group_thresholds``, ``gated_groups``) plus the estimates it was chosen
    on (``additions``/``additions_gated``: per group and threshold the held-out additions,
    right/all, for the chosen deferral)."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}")
    best: dict | None = None
    rules: dict[str, Counts] = {}
    table: dict[str, dict] = {}  # every option's held-out (P, R) per group, for the record
    added_table: dict[tuple[str, bool], dict] = {}
    own = {(g, th): model_precision(texts, g, th) for g in GROUPS for th in thresholds}
    options_of = [(gate, th) for gate in (False, True) for th in thresholds]
    for defer in DEFER_TO:
        chosen: dict[str, float] = {}
        gated: list[str] = []
        estimates: dict[str, dict] = {}
        gain = 0.0
        tables, added = {}, {}
        for gate, th in options_of:
            every = {g: th for g in GROUPS}
            gate_groups = GROUPS if gate else ()
            rules, both = combined_counts(texts, group_of, every, defer, gate_groups)
            tables[gate, th] = both
            added[gate, th] = additions(texts, every, defer, gate_groups)
            table[f"{defer}{' gated' if gate else ''} {th:g}"] = {
                g: [round(c.precision, 4), round(c.recall, 4)]
                for g, c in sorted(both.items()) if g in GROUPS}
        for gate in (False, True):
            added_table[defer, gate] = {g: {f"{th:g}": list(added[gate, th][g])
                                            for th in thresholds} for g in GROUPS}
        for group in GROUPS:
            a = rules.get(group)
            if a is None or not a.n_gold:
                continue
            options = [o for o in options_of
                       if _admissible(criterion, a, tables[o][group], added[o][group],
                                      safety, min_found)]
            if not options:
                continue
            # the most gold found (the largest recall gain); on a tie ungated, then lower
            gate, th = max(options, key=lambda o: (tables[o][group].tp_gold, not o[0], -o[1]))
            chosen[group] = th
            if gate:
                gated.append(group)
            b = tables[gate, th][group]
            gain += b.recall - a.recall
            right, n = own[group, th]
            k, n_added = added[gate, th][group]
            bound = addition_bound(a, added[gate, th][group])
            estimates[group] = {"threshold": th, "gated": gate,
                                "p_rules": round(a.precision, 4),
                                "r_rules": round(a.recall, 4),
                                "p_both": round(b.precision, 4),
                                "r_both": round(b.recall, 4),
                                "p_model": round(right / n, 4) if n else None,
                                "n_model": n, "n_added": n_added, "right_added": k,
                                "p_added_low": round(wilson_lower(k, n_added), 4),
                                "bound": None if bound is None else round(bound, 4)}
        if best is None or gain > best["recall_gain"]:
            best = {"defer_to": defer, "group_thresholds": chosen, "gated_groups": gated,
                    "recall_gain": round(gain, 4), "estimates": estimates}
    assert best is not None
    table["rules"] = {g: [round(c.precision, 4), round(c.recall, 4)]
                      for g, c in sorted(rules.items()) if g in GROUPS}
    best["table"] = table
    best["model_precision"] = {g: {f"{th:g}": list(own[g, th]) for th in thresholds}
                               for g in GROUPS}
    best["additions"] = added_table[best["defer_to"], False]
    best["additions_gated"] = added_table[best["defer_to"], True]
    best["texts"] = len(texts)
    best["criterion"] = criterion
    best["safety"] = safety
    best["min_found"] = min_found
    best["min_additions"] = MIN_ADDITIONS
    best["confidence"] = CONFIDENCE
    return best
