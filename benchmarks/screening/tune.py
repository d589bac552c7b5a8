"""Tune presets on a few datasets, same priors as run.py.

    nice -n 10 /work/venv/bin/python benchmarks/screening/tune.py --split dev --seeds 1 2 \
        [--candidates ...] [--per-dataset]

Candidates are variations of ELAS u4 (our ``elas_u4_fast`` preset); results are cached per
candidate, dataset and seed under benchmarks/.work/screening-tune/. Prints mean loss,
WSS@95 and RRF@10 per candidate, and with ``asreview`` in the cache of run.py also how
many datasets are more than 0.05 WSS@95 worse than ASReview.

Splits: ``dev`` is every other dataset of MANIFEST.csv (1st, 3rd, ...), ``heldout`` the
others, ``all`` every dataset; ``tuning8`` the 8 datasets svm_poly was first tuned on.
Candidates named ``raw_*`` (and the older names without a prefix) use the un-normalised
balancer our first copy of ELAS u4 had; ``n_*`` use ASReview's normalised weights.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import split_datasets  # noqa: E402
from run import CACHE as RUN_CACHE  # noqa: E402
from run import DATA, priors_for  # noqa: E402

from nlp_review.screening.dataset import load_labelled_csv  # noqa: E402
from nlp_review.screening.presets import PRESETS_FILE, _parse  # noqa: E402
from nlp_review.screening.simulate import Simulation  # noqa: E402

CACHE = ROOT / "benchmarks" / ".work" / "screening-tune"
TUNING_SETS = ["clef2017_cd008081", "clef2017_cd009135", "cohen_adhd", "cohen_antihistamines",
               "cohen_estrogens", "donners_2021", "sep_2021", "nelson_2002"]

SPLITS = {
    "tuning8": TUNING_SETS,
    "dev": split_datasets("dev"),
    "heldout": split_datasets("held-out"),
    "all": split_datasets("all"),
}

#: ELAS u4 as ASReview runs it (weights normalised to sum to the training-set size).
BASE = json.loads(PRESETS_FILE.read_text())["presets"]["elas_u4_fast"]
#: Our first copy of ELAS u4 (weights not normalised): the base of the older candidates.
BASE_RAW = copy.deepcopy(BASE)
BASE_RAW["balancer"]["params"] = {"ratio": 9.8, "grid": 0.02}


def variant(base: dict | None = None, **changes: dict) -> dict:
    p = copy.deepcopy(BASE_RAW if base is None else base)
    for part, params in changes.items():
        if "name" in params:
            p[part]["name"] = params.pop("name")
            p[part]["params"] = {}
        p[part]["params"].update(params)
    return p


def nvariant(**changes: dict) -> dict:
    return variant(BASE, **changes)


SVM = {"name": "svm", "params": {"C": 0.11}}
NB = {"name": "nb", "params": {"alpha": 3.822}}
LOGISTIC = {"name": "logistic", "params": {"C": 1.0}}
#: ELAS u4's word TF-IDF settings, for extractors that take them.
TEXT = {"ngram_range": [1, 2], "sublinear_tf": True, "min_df": 1, "max_df": 0.95}

CANDIDATES = {
    "base": variant(),
    "C0.05": variant(classifier={"C": 0.05}),
    "C0.25": variant(classifier={"C": 0.25}),
    "C0.5": variant(classifier={"C": 0.5}),
    "ratio4": variant(balancer={"ratio": 4.0}),
    "ratio25": variant(balancer={"ratio": 25.0}),
    "mindf2": variant(feature_extractor={"min_df": 2}),
    "poly1": variant(classifier={"poly": 1.0}),
    "poly3": variant(classifier={"poly": 3.0}),
    "wordchar": variant(feature_extractor={"name": "tfidf_wordchar"}),
    "stop": variant(feature_extractor={"stop_words": "english"}),
    "hashed": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95}),
    "hashed_C0.25": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                            classifier={"C": 0.25}),
    "hashed_C2": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                         classifier={"C": 2.0}),
    "hashed_C1_ratio3": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                                classifier={"C": 1.0}, balancer={"ratio": 3.0}),
    "hashed_C1_ratio30": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                                 classifier={"C": 1.0}, balancer={"ratio": 30.0}),
    "hashed_C1_poly1": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                               classifier={"C": 1.0, "poly": 1.0}),
    "hashed_C1": variant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95},
                         classifier={"C": 1.0}),
    # ASReview's normalised weights (closes the gap to ASReview's own runs) and variations.
    "n_base": nvariant(),
    "n_hashed": nvariant(feature_extractor={"name": "tfidf_hashed", "max_df": 0.95}),
    "n_C0.05": nvariant(classifier={"C": 0.05}),
    "n_C0.25": nvariant(classifier={"C": 0.25}),
    "n_ratio5": nvariant(balancer={"ratio": 5.0}),
    "n_ratio20": nvariant(balancer={"ratio": 20.0}),
    "n_ratio40": nvariant(balancer={"ratio": 40.0}),
    "n_ratio20_C0.08": nvariant(balancer={"ratio": 20.0}, classifier={"C": 0.08}),
    "n_poly0.5": nvariant(classifier={"poly": 0.5}),
    "n_poly1": nvariant(classifier={"poly": 1.0}),
    "n_wordchar": nvariant(feature_extractor={"name": "tfidf_wordchar"}),
    "n_stop": nvariant(feature_extractor={"stop_words": "english"}),
    "n_mindf2": nvariant(feature_extractor={"min_df": 2}),
    "n_title0.5": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 0.5}),
    "n_title1": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 1.0}),
    "n_title0.3": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 0.3}),
    "n_char0.5": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 0.0,
                                             "char_weight": 0.5}),
    "n_title0.5_char0.5": nvariant(feature_extractor={"name": "tfidf_title", **TEXT,
                                                      "title_weight": 0.5, "char_weight": 0.5}),
    "n_ens_svm_nb_w15": nvariant(classifier={"name": "ensemble", "members": [SVM, NB],
                                             "weights": [0.85, 0.15]}),
    "n_char0.5_r20": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 0.0,
                                                 "char_weight": 0.5}, balancer={"ratio": 20.0}),
    "n_title0.5_char0.5_r20": nvariant(feature_extractor={"name": "tfidf_title", **TEXT,
                                                          "title_weight": 0.5, "char_weight": 0.5},
                                       balancer={"ratio": 20.0}),
    "n_title0.5_r20": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 0.5},
                               balancer={"ratio": 20.0}),
    "n_title1_r20": nvariant(feature_extractor={"name": "tfidf_title", **TEXT, "title_weight": 1.0},
                             balancer={"ratio": 20.0}),
    "n_r20_dry30": nvariant(balancer={"ratio": 20.0, "dry_ratio": 9.8, "dry_after": 30}),
    "n_r40_dry30": nvariant(balancer={"ratio": 40.0, "dry_ratio": 9.8, "dry_after": 30}),
    "n_r20_dry30_5": nvariant(balancer={"ratio": 20.0, "dry_ratio": 5.0, "dry_after": 30}),
    "n_r40_dry50_5": nvariant(balancer={"ratio": 40.0, "dry_ratio": 5.0, "dry_after": 50}),
    "n_r40_dry30_5": nvariant(balancer={"ratio": 40.0, "dry_ratio": 5.0, "dry_after": 30}),
    "n_r20_dry50_5": nvariant(balancer={"ratio": 20.0, "dry_ratio": 5.0, "dry_after": 50}),
    "n_r20_dry20_5": nvariant(balancer={"ratio": 20.0, "dry_ratio": 5.0, "dry_after": 20}),
    "n_C0.15": nvariant(classifier={"C": 0.15}),
    "n_C0.08": nvariant(classifier={"C": 0.08}),
    "n_ens_svm_nb": nvariant(classifier={"name": "ensemble", "members": [SVM, NB]}),
    "n_ens_svm_lr": nvariant(classifier={"name": "ensemble", "members": [SVM, LOGISTIC]}),
    "n_ens_svm_lr_nb": nvariant(classifier={"name": "ensemble",
                                            "members": [SVM, LOGISTIC, NB]}),
}


def run(cand: str, name: str, seed: int) -> dict:
    path = CACHE / cand / f"{name}__seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    preset = _parse(cand, {"comment": "tuning", **CANDIDATES[cand]}, PRESETS_FILE)
    data = load_labelled_csv(DATA / f"{name}.csv")
    priors = [data.row_of(p) for p in priors_for(data.record_ids, data.labels, seed)]
    result = Simulation(data.texts, data.labels, priors, preset=preset, seed=seed).run()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.metrics))
    return result.metrics


def asreview_metrics(name: str, seed: int) -> dict | None:
    path = RUN_CACHE / "asreview" / f"{name}__seed{seed}.json"
    return json.loads(path.read_text())["metrics"] if path.exists() else None


def summary(label: str, names: list[str], seeds: list[int], get) -> str:
    """Mean loss / WSS@95 / RRF@10 over (dataset, seed), and the datasets whose mean
    WSS@95 over the seeds is more than 0.05 below ASReview's."""
    ms = [get(n, s) for n in names for s in seeds]
    worse = []
    for n in names:
        ours = [get(n, s)["wss@95"] for s in seeds]
        peer = [asreview_metrics(n, s) for s in seeds]
        if all(peer) and np.mean(ours) < np.mean([p["wss@95"] for p in peer]) - 0.05:
            worse.append(n)
    return (f"{label:18s} loss {np.mean([m['loss'] for m in ms]):.4f} "
            f"wss@95 {np.mean([m['wss@95'] for m in ms]):.4f} "
            f"rrf@10 {np.mean([m['rrf@10'] for m in ms]):.4f} "
            f"worse>0.05: {len(worse)} {' '.join(worse)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=sorted(SPLITS), default="tuning8")
    ap.add_argument("--datasets", nargs="*", default=None, help="instead of --split")
    ap.add_argument("--candidates", nargs="*", default=list(CANDIDATES))
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    ap.add_argument("--per-dataset", action="store_true")
    args = ap.parse_args()
    names = args.datasets or SPLITS[args.split]
    for cand in args.candidates:
        if cand not in CANDIDATES:
            raise SystemExit(f"unknown candidate {cand!r}; valid: {', '.join(CANDIDATES)}")
    if all(asreview_metrics(n, s) for n in names for s in args.seeds):
        print(summary("asreview (cached)", names, args.seeds, asreview_metrics))
    for cand in args.candidates:
        print(summary(cand, names, args.seeds, lambda n, s: run(cand, n, s)), flush=True)
        if args.per_dataset:
            for n in names:
                ours = [run(cand, n, s) for s in args.seeds]
                peer = [asreview_metrics(n, s) for s in args.seeds]
                line = (f"    {n:30s} loss {np.mean([m['loss'] for m in ours]):.4f} "
                        f"wss@95 {np.mean([m['wss@95'] for m in ours]):.3f}")
                if all(peer):
                    line += (f"  asreview loss {np.mean([p['loss'] for p in peer]):.4f} "
                             f"wss@95 {np.mean([p['wss@95'] for p in peer]):.3f}")
                print(line)


if __name__ == "__main__":
    main()
