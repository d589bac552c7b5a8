"""Tagger training benchmark: does a spaCy spancat trained on the gold train split, run
after the rules (adding only spans the rules miss), beat the rules alone on the held-aside
gold test split, per group?

Steps: train on annotations/gold/train.jsonl (seeded train/dev split inside it), choose the
combination (per group a model score threshold or no model spans; whether the model defers
to rule spans of the same label, group or any) on the DEV split only, exactly as
`nlp-review train-tagger` does, then report rules vs rules + model on the TEST split for
that choice (with --all-settings also every single-threshold setting, for transparency).

    nice -n 10 /work/venv/bin/python benchmarks/tagger_training/run.py --epochs 15 \
        --out /tmp/spancat
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "annotations" / "gold"
THRESHOLDS = [0.5, 0.7, 0.8, 0.9, 0.95]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("/tmp/nlp_review_spancat"))
    ap.add_argument("--skip-training", action="store_true", help="reuse the model in --out")
    ap.add_argument("--all-settings", action="store_true",
                    help="also print the test split for every single threshold/deferral")
    args = ap.parse_args()

    import spacy

    from nlp_review.annotate.measure import gold_from_files
    from nlp_review.annotate.train import (DEFER_TO, choose_combination, compare_saved,
                                           compare_settings, save_combination,
                                           train_spancat)
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

    models = default_models_dir()
    taxonomy = load_taxonomy(models / "taxonomy.json")
    train = gold_from_files([GOLD / "train.jsonl"], taxonomy)
    test = gold_from_files([GOLD / "test.jsonl"], taxonomy)
    t0, c0 = time.time(), time.process_time()
    if not args.skip_training:
        r = train_spancat(train, args.out, epochs=args.epochs, seed=args.seed,
                          on_epoch=lambda e, loss, f: print(f"epoch {e}: loss {loss:.1f} "
                                                            f"dev F1 {f:.3f}", flush=True))
        print(f"trained: {r.n_train} train / {r.n_dev} dev texts, best epoch {r.best_epoch}, "
              f"dev P {r.dev_p:.3f} R {r.dev_r:.3f} F1 {r.dev_f:.3f}; "
              f"{time.time() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU")
    meta = spacy.load(args.out).meta["nlp_review_training"]
    dev_ids = set(meta["dev_ids"])
    dev = [g for g in train if g.id in dev_ids]
    combination = choose_combination(dev, models, args.out)
    save_combination(args.out, combination)
    print(f"combination chosen on DEV ({len(dev)} texts): {json.dumps(combination)}")
    header = (f"  {'group':13} {'P rules':>8} {'R rules':>8} {'F1 rules':>8} {'P +m':>8} "
              f"{'R +m':>8} {'F1 +m':>8}  verdict")

    def show(rows):
        print(header)
        for r in rows:
            print(f"  {r['group']:13} {r['p_rules']:8.3f} {r['r_rules']:8.3f} "
                  f"{r['f_rules']:8.3f} {r['p_both']:8.3f} {r['r_both']:8.3f} "
                  f"{r['f_both']:8.3f}  {r['verdict']}", flush=True)

    print("TEST split (annotations/gold/test.jsonl, 56 texts), overlap matching:")
    print("rules vs rules + model, combination chosen on dev (the result):")
    show(compare_saved(test, models, args.out))
    if args.all_settings:
        tables = compare_settings(test, models, args.out, THRESHOLDS, DEFER_TO)
        for defer in DEFER_TO:
            for th, rows in tables[defer].items():
                print(f"one threshold {th} for every group, defer_to={defer} "
                      "(not chosen; for transparency):")
                show(rows)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"total {time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
