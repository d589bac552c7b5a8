"""Tagger training benchmark: does a spaCy spancat trained on the gold, run after the rules
(adding only spans they miss), beat the rules alone on held-aside gold, per group?

Steps, as `nlp-review train-tagger --gold ... --unseen-rules ... --test ...` does them:
k-fold cross-validation over the training gold (--gold, repeatable; default train.jsonl +
test.jsonl + holdout.jsonl ... holdout5.jsonl + train2.jsonl: rounds 1-8, and round 10,
the rest of the pool annotated as training gold)
chooses the number of passes and the combination (per group a model score threshold or no model spans, by --criterion;
whether the model defers to rule spans of the same label, group or any), judged on the
texts of each --unseen-rules FILE against the rules as they were before FILE was annotated
(default: test_fresh.jsonl=478871c, round 3, holdout.jsonl=1cc447f, round 4,
holdout2.jsonl=8881aec, round 5, holdout3.jsonl=3cf4dc9, round 6, and
holdout4.jsonl=072297a, round 7, holdout5.jsonl=738705f, round 8, and train2.jsonl=1b79f86,
round 10, annotated with the rules of session 9's start, untouched until the choice;
COMMIT or a models folder; `git archive COMMIT models` is
unpacked to a temporary folder); the final
model is trained on all the training gold; then rules vs rules + model on each --test file
(default: annotations/gold/holdout6.jsonl, round 9), for that choice only (--all-settings
also prints every single-threshold setting on the test files, for transparency; nothing is
chosen from them). --models: the rule files (default: the repo's models/; give a `git
archive` of the frozen commit to be sure no uncommitted edit is used). --vectors DIR: the
model's tok2vec also reads these word vectors (built by vectors.py beside this file).

    nice -n 10 /work/venv/bin/python benchmarks/tagger_training/vectors.py \
        --out /tmp/vectors          # optional: in-domain word vectors (holdout6 left out)
    nice -n 10 /work/venv/bin/python benchmarks/tagger_training/run.py --out /tmp/spancat \
        --jobs 4 --no-test [--vectors /tmp/vectors]   # train and cross-validate; then, once:
    nice -n 10 /work/venv/bin/python benchmarks/tagger_training/run.py --out /tmp/spancat \
        --skip-training --test annotations/gold/holdout6.jsonl
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "annotations" / "gold"
THRESHOLDS = [0.5, 0.7, 0.9, 0.95]
# the gold rounds annotated after a rules commit: round 3 (test_fresh, complete at 478871c,
# 22:40), round 4 (holdout, scored with the rules frozen at 1cc447f before it was opened),
# round 5 (holdout2, scored with the rules frozen at 8881aec before it was opened),
# round 6 (holdout3, scored with the rules frozen at 3cf4dc9 before it was opened)
# round 7 (holdout4, scored with the rules frozen at 072297a before it was opened),
# round 8 (holdout5, scored with the rules frozen at 738705f before it was opened)
# and round 10 (train2, annotated while the rules stood at 1b79f86, session 9's start; no
# rule was changed from it before the combination was chosen)
UNSEEN_RULES = [("test_fresh.jsonl", "478871c"), ("holdout.jsonl", "1cc447f"),
                ("holdout2.jsonl", "8881aec"), ("holdout3.jsonl", "3cf4dc9"),
                ("holdout4.jsonl", "072297a"), ("holdout5.jsonl", "738705f"),
                ("train2.jsonl", "1b79f86")]
TRAIN_GOLD = ["train.jsonl", "test.jsonl", "holdout.jsonl", "holdout2.jsonl",
              "holdout3.jsonl", "holdout4.jsonl", "holdout5.jsonl",  # rounds 1-8
              "train2.jsonl"]  # round 10: the rest of the pool, as training gold
TEST_GOLD = "holdout6.jsonl"  # round 9


def _rules_at(value: str, tmp: Path) -> Path:
    """A models folder: ``value`` itself, or the repo's models/ at commit ``value``."""
    if Path(value).is_dir():
        return Path(value)
    folder = tmp / value
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", value, "models"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "models"


def _commit(*paths: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h", "--",
                               *paths], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=10, help="most passes tried per fold")
    ap.add_argument("--dump-held-out", type=Path, help="pickle the held-out predictions here")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="processes training folds at once")
    ap.add_argument("--out", type=Path, default=Path("/tmp/nlp_review_spancat"))
    ap.add_argument("--skip-training", action="store_true", help="reuse the model in --out")
    ap.add_argument("--no-test", action="store_true", help="train and cross-validate only")
    ap.add_argument("--rechoose", type=Path, help="with --skip-training: choose the "
                    "combination of the model in --out again, against the rules in --models "
                    "(and the unseen-rules snapshots), from the held-out predictions its "
                    "training dumped here (--dump-held-out); the model is not retrained")
    ap.add_argument("--criterion", default="additions_bound",
                    choices=["additions_bound", "held_out_gain"])
    ap.add_argument("--gold", type=Path, action="append",
                    help="gold JSONL to train and cross-validate on (repeatable; default: "
                         "annotations/gold/" + ", ".join(TRAIN_GOLD) + ": rounds 1-7)")
    ap.add_argument("--unseen-rules", action="append",
                    help="FILE=COMMIT or FILE=DIR (repeatable; 'none': no snapshot; default: "
                         + " ".join(f"{f}={c}" for f, c in UNSEEN_RULES) + ")")
    ap.add_argument("--tok2vec-depth", type=int, help="CNN layers of the model's tok2vec "
                    "(default: nlp_review.annotate.train.TOK2VEC_DEPTH)")
    ap.add_argument("--sparse-repeat", type=int, help="times per pass a sentence holding "
                    "a span of a sparse group is seen (default: "
                    "nlp_review.annotate.train.SPARSE_REPEAT)")
    ap.add_argument("--vectors", type=Path, help="word vectors the model's tok2vec reads "
                    "(a folder benchmarks/tagger_training/vectors.py built, or a span model "
                    "trained with vectors; default: none)")
    ap.add_argument("--models", type=Path, help="models folder with the rule files "
                    "(default: the repo's models/)")
    ap.add_argument("--test", type=Path, action="append",
                    help="gold JSONL to report on (repeatable; default: "
                         f"annotations/gold/{TEST_GOLD})")
    ap.add_argument("--all-settings", action="store_true",
                    help="also print the test split for every single threshold/deferral")
    args = ap.parse_args()

    import spacy

    from nlp_review.annotate.measure import gold_from_files
    from nlp_review.annotate.train import (DEFER_TO, compare_saved, compare_settings,
                                           train_tagger)
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

    if args.tok2vec_depth:
        import nlp_review.annotate.train as train_module

        train_module.TOK2VEC_DEPTH = args.tok2vec_depth
    models = args.models or default_models_dir()
    taxonomy = load_taxonomy(models / "taxonomy.json")
    gold_paths = args.gold or [GOLD / name for name in TRAIN_GOLD]
    train = gold_from_files(gold_paths, taxonomy)
    from nlp_review.annotate.train import RuleSnapshot

    tmp = Path(tempfile.mkdtemp(prefix="unseen_rules_"))
    pairs = ([] if args.unseen_rules == ["none"] else
             [tuple(v.split("=", 1)) for v in args.unseen_rules] if args.unseen_rules else
             [(str(GOLD / f), c) for f, c in UNSEEN_RULES])
    snapshots = []
    if not args.skip_training or args.rechoose:
        for file, rules in pairs:
            ids = frozenset(g.id for g in gold_from_files([Path(file)], taxonomy))
            snapshots.append(RuleSnapshot(_rules_at(rules, tmp), ids,
                                          f"{Path(file).name}={rules}"))
    test_paths = args.test or [GOLD / TEST_GOLD]
    tests = [] if args.no_test else [(p, gold_from_files([p], taxonomy)) for p in test_paths]
    from nlp_review.annotate.train import gold_sources

    print(f"gold: {len(train)} training texts from "
          + ", ".join(f"{name} ({n})" for name, n in gold_sources(train).items())
          + "; test files: "
          + (", ".join(f"{p.name} ({len(t)} texts)" for p, t in tests) or "none")
          + f" (annotations/gold at commit {_commit('annotations/gold')}; patterns at "
          f"{_commit('models/patterns')}; HEAD {_commit()}; rules from {models}; "
          "unseen rules: " + (", ".join(s.name for s in snapshots) or "none") + ")",
          flush=True)
    t0, c0 = time.time(), time.process_time()
    if not args.skip_training:
        r = train_tagger(train, args.out, models, folds=args.folds, epochs=args.epochs,
                         seed=args.seed, jobs=args.jobs, criterion=args.criterion,
                         unseen_rules=snapshots, vectors=args.vectors,
                         **({"sparse_repeat": args.sparse_repeat} if args.sparse_repeat else {}),
                         on_epoch=lambda stage, e, loss, f: print(
                             f"{stage} epoch {e}: loss {loss:.1f} held-out F1 {f:.3f}",
                             flush=True))
        print(f"cross-validation ({r.folds} folds of "
              f"{'/'.join(str(len(f)) for f in r.fold_ids)} over {r.n_texts} texts): held-out "
              f"span F1 by passes {[round(x, 3) for x in r.cv_f_by_epoch]}; chosen "
              f"{r.epochs} passes: P {r.cv_p:.3f} R {r.cv_r:.3f} F1 {r.cv_f:.3f}; "
              f"{time.time() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU "
              f"(main process; the folds train in --jobs workers)", flush=True)
        if args.dump_held_out:
            import pickle

            from nlp_review.annotate.combine import Scored

            args.dump_held_out.write_bytes(pickle.dumps(  # without the pipeline closures
                [Scored(t.gold, t.rules, t.candidates, t.existing) for t in r.held_out]))
    if args.skip_training and args.rechoose:
        import pickle

        from nlp_review.annotate.train import rechoose_combination

        held = {t.gold.id: t.candidates for t in pickle.loads(args.rechoose.read_bytes())}
        rechoose_combination(train, held, args.out, models, unseen_rules=snapshots,
                             criterion=args.criterion)
        print(f"combination chosen again from {args.rechoose} against the rules in {models} "
              f"({time.time() - t0:.0f} s)", flush=True)
    meta = spacy.load(args.out).meta
    combination = meta["nlp_review_combination"]
    thresholds = {g: round(t, 3) for g, t in combination["group_thresholds"].items()}
    print(f"combination chosen by cross-validation ({combination.get('criterion', '?')}): "
          f"defer_to={combination['defer_to']}, "
          f"thresholds {json.dumps(thresholds)}, gated (only where the rules found the "
          f"group) {combination.get('gated_groups', [])}, "
          f"{combination['passes']} passes")
    print("held-out estimates (train split, overlap matching) for the chosen groups:")
    for group, e in combination["estimates"].items():
        own = (f"; model's own spans P {e['p_model']:.3f} of {e['n_model']}"
               if e.get("p_model") is not None else "")
        if "n_added" in e:
            own += (f"; additions {e['right_added']}/{e['n_added']} right (lower bound "
                    f"{e['p_added_low']:.3f}), bound {e['bound']}")
        print(f"  {group:13} >= {e['threshold']:g}{' gated' if e.get('gated') else ''}: "
              f"P {e['p_rules']:.3f} -> "
              f"{e['p_both']:.3f}, R {e['r_rules']:.3f} -> {e['r_both']:.3f}{own}")
    if "model_precision" in combination:
        print("the model's own held-out spans per group, right/all by threshold:")
        for group, by_th in combination["model_precision"].items():
            print(f"  {group:13} " + "  ".join(f"{th} {k}/{n}" for th, (k, n) in
                                              by_th.items()))
    for key, how in (("additions", ""), ("additions_gated", ", gated")):
        if key not in combination:
            continue
        print(f"the model's held-out additions (defer_to={combination['defer_to']}{how}) per "
              "group, right/all by threshold:")
        for group, by_th in combination[key].items():
            print(f"  {group:13} " + "  ".join(f"{th} {k}/{n}" for th, (k, n) in
                                              by_th.items()))
    print("held-out P/R per group for every option (rules: the rules alone):")
    for option, groups in combination["table"].items():
        print(f"  {option:10} " + "  ".join(f"{g[:5]} {p:.3f}/{r:.3f}"
                                           for g, (p, r) in groups.items()))
    if args.no_test:
        return
    header = (f"  {'group':13} {'P rules':>8} {'R rules':>8} {'F1 rules':>8} {'P +m':>8} "
              f"{'R +m':>8} {'F1 +m':>8}  verdict")

    def show(rows):
        print(header)
        for r in rows:
            print(f"  {r['group']:13} {r['p_rules']:8.3f} {r['r_rules']:8.3f} "
                  f"{r['f_rules']:8.3f} {r['p_both']:8.3f} {r['r_both']:8.3f} "
                  f"{r['f_both']:8.3f}  {r['verdict']}", flush=True)

    for path, test in tests:
        print(f"TEST {path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
              f"({len(test)} texts), overlap matching:")
        print("rules vs rules + model, combination chosen by cross-validation (the result):")
        rows = compare_saved(test, models, args.out)
        show(rows)
        print("as Markdown:")
        print("| group | P rules | R rules | F1 rules | P +model | R +model | F1 +model | target |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            dp, dr = r["p_both"] - r["p_rules"], r["r_both"] - r["r_rules"]
            if r["verdict"] == "better":
                verdict = f"met (R {dr:+.3f}, P {dp:+.3f})"
            elif r["verdict"] == "precision drop":
                verdict = f"not met: P {dp:+.3f} (limit -0.05), R {dr:+.3f}"
            else:
                verdict = f"not met: no recall gain (R {dr:+.3f}, P {dp:+.3f})"
            print(f"| {r['group']} | " + " | ".join(f"{r[k]:.3f}" for k in (
                "p_rules", "r_rules", "f_rules", "p_both", "r_both", "f_both"))
                + f" | {verdict} |")
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
