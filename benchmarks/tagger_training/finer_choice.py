"""Would a finer combination than one threshold per group pay, by nested cross-validation?

Reads a training run's held-out predictions (``run.py --dump-held-out``; every training
text predicted by a fold model that never saw it) and its fold ids (the model's
``meta.json``), judges them against the rules as ``--rechoose`` does (``--models``, the
``--unseen-rules`` snapshots) and, per group, compares three ways of choosing the model
spans to add (deferring to any rule span, as the shipped combination does):

- ``group``: the shipped criterion (``combine``'s ``additions_bound``): one threshold for
  the group, ungated or gated to texts where the rules found the group;
- ``label``: a threshold per label (per label the threshold whose own held-out additions,
  at least 5, have the highest Wilson lower bound; labels in that order; the admissible
  prefix finding the most gold), ungated or text-gated;
- ``sentence``: ``group`` plus the option of gating to sentences where the rules found a
  span of the group.

Nested: for each outer fold, each way chooses on the other folds' held-out texts only and
is scored on that fold's (rules alone vs rules + the chosen additions, overlap matching,
the pipeline simulated); the outer folds are pooled. No test file is read.

    /work/venv/bin/python benchmarks/tagger_training/finer_choice.py HELD.pkl MODEL_DIR \\
        --models MODELS --unseen-rules FILE=MODELS_DIR ... [--group outcome]
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "annotations" / "gold"
TRAIN_GOLD = ["train.jsonl", "test.jsonl", "holdout.jsonl", "holdout2.jsonl",
              "holdout3.jsonl", "holdout4.jsonl", "holdout5.jsonl", "train2.jsonl"]
WAYS = {"group": (None, "text"), "label": (None, "text"),
        "sentence": (None, "text", "sentence")}


class Study:
    def __init__(self, texts: list, group_of: dict[str, str]) -> None:
        import spacy

        from nlp_review.annotate.combine import CANDIDATE_THRESHOLDS

        self.texts, self.group_of = texts, group_of
        self.thresholds = CANDIDATE_THRESHOLDS
        splitter = spacy.blank("en")
        splitter.add_pipe("sentencizer")
        self.sentences = {t.gold.id: [(s.start_char, s.end_char)
                                      for s in splitter(t.gold.text).sents] for t in texts}

    def select(self, t, label_th: dict[str, float], gate: str | None) -> list:
        """The candidates the pipeline would add (defer to any span already there)."""
        existing = list(t.existing or [])
        present, kept = list(existing), []
        for c in t.candidates:
            th = label_th.get(c.label)
            if th is None or c.score < th:
                continue
            if gate == "text" and not any(e.group == c.group for e in existing):
                continue
            if gate == "sentence":
                a, b = next(((x, y) for x, y in self.sentences[t.gold.id]
                             if x <= c.start < y), (0, 0))
                if not any(e.group == c.group and a <= e.start < b for e in existing):
                    continue
            if any(e.start < c.end and c.start < e.end for e in present):
                continue
            kept.append(c)
            present.append(c)
        return kept

    def counts(self, texts: list, label_th: dict[str, float], gate: str | None, group: str):
        from nlp_review.annotate.combine import _right
        from nlp_review.tagging.evaluate import score

        rules = score(((t.gold, t.rules) for t in texts),
                      self.group_of).by_group["overlap"][group]
        pairs, right, n = [], 0, 0
        for t in texts:
            kept = self.select(t, label_th, gate)
            mine = [c for c in kept if c.group == group]
            right += sum(_right(c, t.gold.spans) for c in mine)
            n += len(mine)
            pairs.append((t.gold, t.finish(kept) if kept else t.rules))
        both = score(pairs, self.group_of).by_group["overlap"][group]
        return rules, both, (right, n)

    @staticmethod
    def admissible(a, b, added) -> bool:
        from nlp_review.annotate.combine import SAFETY, addition_bound

        bound = addition_bound(a, added)
        return (b.precision >= a.precision - SAFETY and b.tp_gold > a.tp_gold
                and bound is not None and bound <= SAFETY)

    def labels(self, texts: list, group: str) -> list[str]:
        return sorted({c.label for t in texts for c in t.candidates if c.group == group})

    def by_group(self, texts: list, group: str, gates) -> tuple[dict, str | None]:
        best = None
        for gate in gates:
            for th in self.thresholds:
                label_th = {label: th for label in self.labels(texts, group)}
                a, b, added = self.counts(texts, label_th, gate, group)
                if self.admissible(a, b, added) and (best is None or b.tp_gold > best[0]):
                    best = (b.tp_gold, label_th, gate)
        return (best[1], best[2]) if best else ({}, None)

    def by_label(self, texts: list, group: str, gates) -> tuple[dict, str | None]:
        from nlp_review.annotate.combine import _right, wilson_lower

        best = None
        for gate in gates:
            options = []
            for label in self.labels(texts, group):
                top = None
                for th in self.thresholds:
                    kept = [(c, t) for t in texts for c in self.select(t, {label: th}, gate)]
                    if len(kept) >= 5:
                        low = wilson_lower(sum(_right(c, t.gold.spans) for c, t in kept),
                                           len(kept))
                        if top is None or low > top[0]:
                            top = (low, th)
                if top:
                    options.append((top[0], label, top[1]))
            chosen: dict[str, float] = {}
            for _, label, th in sorted(options, reverse=True):
                chosen[label] = th
                a, b, added = self.counts(texts, dict(chosen), gate, group)
                if self.admissible(a, b, added) and (best is None or b.tp_gold > best[0]):
                    best = (b.tp_gold, dict(chosen), gate)
        return (best[1], best[2]) if best else ({}, None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("held", type=Path, help="held-out predictions (run.py --dump-held-out)")
    ap.add_argument("model", type=Path, help="the trained model folder (its fold ids)")
    ap.add_argument("--models", type=Path, required=True, help="rule files (models folder)")
    ap.add_argument("--gold", type=Path, action="append",
                    help="training gold (default: rounds 1-7 in annotations/gold)")
    ap.add_argument("--unseen-rules", action="append", default=[], help="FILE=DIR")
    ap.add_argument("--group", action="append",
                    help="default: mechanism, intervention, outcome")
    args = ap.parse_args()

    from nlp_review.annotate.measure import gold_from_files
    from nlp_review.annotate.train import (RuleSnapshot, _rule_views, _scored,
                                           _unseen_views)
    from nlp_review.tagging.patterns import load_taxonomy

    taxonomy = load_taxonomy(args.models / "taxonomy.json")
    gold = gold_from_files(args.gold or [GOLD / f for f in TRAIN_GOLD], taxonomy)
    held = {t.gold.id: t.candidates for t in pickle.loads(args.held.read_bytes())}
    snaps = []
    for value in args.unseen_rules:
        file, _, folder = value.partition("=")
        ids = frozenset(g.id for g in gold_from_files([Path(file)], taxonomy))
        snaps.append(RuleSnapshot(Path(folder), ids, value))
    views = {**_rule_views(gold, args.models), **_unseen_views(gold, snaps)}
    texts = [_scored(g, held[g.id], *views[g.id]) for g in gold]
    folds = json.loads((args.model / "meta.json").read_text())["nlp_review_training"][
        "fold_ids"]
    fold_of = {i: k for k, part in enumerate(folds) for i in part}
    study = Study(texts, {k: v.group for k, v in taxonomy.items()})
    print(f"{len(texts)} held-out texts, {len(folds)} outer folds; rules {args.models}")
    for group in args.group or ["mechanism", "intervention", "outcome"]:
        pooled = defaultdict(lambda: defaultdict(int))
        for k in range(len(folds)):
            inner = [t for t in texts if fold_of[t.gold.id] != k]
            outer = [t for t in texts if fold_of[t.gold.id] == k]
            for way, gates in WAYS.items():
                choose = study.by_label if way == "label" else study.by_group
                label_th, gate = choose(inner, group, gates)
                a, b, (right, n) = study.counts(outer, label_th, gate, group)
                ths = sorted(set(label_th.values()))
                what = ("off" if not label_th else
                        f"{ths[0]:g} for every label" if way != "label" else
                        ", ".join(f"{lab} {th:g}" for lab, th in label_th.items()))
                print(f"  {group} fold {k + 1} {way:8}: {what}"
                      f"{f' (gated: {gate})' if gate else ''}; on the fold R {a.recall:.3f} "
                      f"-> {b.recall:.3f}, P {a.precision:.3f} -> {b.precision:.3f}, "
                      f"additions {right}/{n}", flush=True)
                s = pooled[way]
                for key, v in (("gold", a.n_gold), ("found_a", a.tp_gold),
                               ("found_b", b.tp_gold), ("tp_a", a.tp_pred),
                               ("n_a", a.n_pred), ("tp_b", b.tp_pred), ("n_b", b.n_pred),
                               ("right", right), ("added", n)):
                    s[key] += v
        for way, s in pooled.items():
            print(f"{group} {way:8} (outer folds pooled): R {s['found_a'] / s['gold']:.3f} -> "
                  f"{s['found_b'] / s['gold']:.3f} (+{s['found_b'] - s['found_a']} of "
                  f"{s['gold']} gold), P {s['tp_a'] / s['n_a']:.3f} -> "
                  f"{s['tp_b'] / max(s['n_b'], 1):.3f}; additions {s['right']}/{s['added']}",
                  flush=True)


if __name__ == "__main__":
    main()
