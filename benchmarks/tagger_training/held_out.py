"""Compare training runs on their held-out predictions (no test file is read): per group,
the gold spans the rules miss on the held-out texts and how many of them the model's
held-out spans reach (same label, overlapping), and how many of the model's spans outside
the rule spans are right, by score threshold.

Input: the pickles ``run.py --dump-held-out`` writes (every training text predicted by a
fold model that never saw it, with the rules' spans it was judged against). ``--only FILE``
limits the count to the texts of gold FILE(s) (e.g. the rounds judged against the rules
they were annotated after).

    /work/venv/bin/python benchmarks/tagger_training/held_out.py \
        novec=/tmp/fm7/novec_held.pkl vec=/tmp/fm7/vec_held.pkl --group mechanism
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

THRESHOLDS = [0.5, 0.7, 0.9, 0.95]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def reach(texts: list, group: str, thresholds: list[float]) -> dict:
    """For ``group``: gold spans, those no rule span of the same label overlaps (missed),
    and per threshold the missed ones a model span (same label, score >= threshold)
    overlaps (reached); the model's spans overlapping no rule span of their group (outside)
    and those overlapping a gold span of their label (right)."""
    n_gold = missed = 0
    reached = {t: 0 for t in thresholds}
    outside = {t: 0 for t in thresholds}
    right = {t: 0 for t in thresholds}
    for t in texts:
        rules = [((s["start"], s["end"]), s["label"]) for s in t.rules if s["group"] == group]
        gold = [((s["start"], s["end"]), s["label"]) for s in t.gold.spans
                if s["group"] == group]
        cands = [((c.start, c.end), c.label, c.score) for c in t.candidates
                 if c.group == group]
        n_gold += len(gold)
        for g, label in gold:
            if any(lab == label and _overlaps(g, r) for r, lab in rules):
                continue
            missed += 1
            for th in thresholds:
                if any(lab == label and s >= th and _overlaps(g, c) for c, lab, s in cands):
                    reached[th] += 1
        for c, label, s in cands:
            if any(_overlaps(c, r) for r, _ in rules):
                continue
            ok = any(lab == label and _overlaps(c, g) for g, lab in gold)
            for th in thresholds:
                if s >= th:
                    outside[th] += 1
                    right[th] += ok
    return {"gold": n_gold, "missed_by_rules": missed, "reached": reached,
            "outside_rules": outside, "outside_right": right}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="NAME=HELD.pkl")
    ap.add_argument("--group", action="append", help="default: mechanism, intervention")
    ap.add_argument("--only", type=Path, action="append",
                    help="count only the texts of these gold files")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    only = None
    if args.only:
        only = {json.loads(line)["id"] for p in args.only
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()}
    groups = args.group or ["mechanism", "intervention"]
    out = {}
    for run in args.runs:
        name, _, path = run.partition("=")
        texts = pickle.loads(Path(path).read_bytes())
        if only is not None:
            texts = [t for t in texts if t.gold.id in only]
        out[name] = {g: reach(texts, g, THRESHOLDS) for g in groups}
        out[name]["texts"] = len(texts)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for name, by_group in out.items():
        print(f"{name} ({by_group['texts']} held-out texts):")
        for g in groups:
            r = by_group[g]
            print(f"  {g:13} gold {r['gold']}, missed by the rules {r['missed_by_rules']}; "
                  "reached by the model (>= threshold): "
                  + ", ".join(f"{th} {r['reached'][th]}" for th in THRESHOLDS)
                  + "; model spans outside the rules right/all: "
                  + ", ".join(f"{th} {r['outside_right'][th]}/{r['outside_rules'][th]}"
                              for th in THRESHOLDS))


if __name__ == "__main__":
    main()
