"""Tune presets on a few datasets (the tuning set below), same priors as run.py.

    nice -n 10 /work/venv/bin/python benchmarks/screening/tune.py [--datasets ...] [--candidates ...]

Candidates are variations of the default preset; results are cached per candidate, dataset
and seed under benchmarks/.work/screening-tune/. Prints mean loss and WSS@95 per candidate.
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
from run import DATA, priors_for  # noqa: E402

from nlp_review.screening.dataset import load_labelled_csv  # noqa: E402
from nlp_review.screening.presets import PRESETS_FILE, _parse  # noqa: E402
from nlp_review.screening.simulate import Simulation  # noqa: E402

CACHE = ROOT / "benchmarks" / ".work" / "screening-tune"
TUNING_SETS = ["clef2017_cd008081", "clef2017_cd009135", "cohen_adhd", "cohen_antihistamines",
               "cohen_estrogens", "donners_2021", "sep_2021", "nelson_2002"]

BASE = json.loads(PRESETS_FILE.read_text())["presets"]["elas_u4_fast"]


def variant(**changes: dict) -> dict:
    p = copy.deepcopy(BASE)
    for part, params in changes.items():
        if "name" in params:
            p[part]["name"] = params.pop("name")
            p[part]["params"] = {}
        p[part]["params"].update(params)
    return p


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", nargs="*", default=TUNING_SETS)
    ap.add_argument("--candidates", nargs="*", default=list(CANDIDATES))
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    args = ap.parse_args()
    for cand in args.candidates:
        ms = [run(cand, n, s) for n in args.datasets for s in args.seeds]
        print(f"{cand:12s} loss {np.mean([m['loss'] for m in ms]):.4f} "
              f"wss@95 {np.mean([m['wss@95'] for m in ms]):.4f} "
              f"rrf@10 {np.mean([m['rrf@10'] for m in ms]):.4f}", flush=True)


if __name__ == "__main__":
    main()
