"""Calibrating the counting-process stopping rule by leave-one-dataset-out (LODO)
cross-validation (issue 4).

    nice -n 10 /work/venv/bin/python benchmarks/stopping/calibrate.py --preset elas_u4_dry \
        [--preset elas_u4_fast ...] [--per-dataset] [--write-preset]

THE PROCEDURE (fixed and committed before any pooled result was looked at)
---------------------------------------------------------------------------
Rule family: ``counting-calibrated`` (``nlp_review/stopping/calibrated.py``): the Bayesian
counting-process model of ``counting-bayes`` (hyperbolic rate over rank, scale integrated
out, log-uniform grid prior on the shape with ``b_max=1``, checks every 2.5 % of the pool,
20 relevant records with the authors' decay before any check) with two free settings:

- ``quantile``: which quantile ``U`` of the posterior predictive relevant records left is
  used in ``found / (found + U) >= 0.95``; grid 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999,
  0.9995, 0.9999;
- ``min_found``: never stop before this many relevant records were found (no decay);
  grid 1, 10, 15, 20, 25, 30.

Data: the 28 datasets x seeds 1-3 of the stopping benchmark, the cached ranked orders of
one ranking preset (nothing re-simulated). A run *reaches the target* when recall at the
stop (prior relevant record included) is >= 95 %; work saved = share of the pool not
screened.

Choosing a setting on a set of training datasets with margin ``k``: among the 54 settings,
those whose training runs miss the target at most ``floor(0.05 * n_train_runs) - k``
times (at least 95 % of runs reach it, tightened by ``k`` runs) are feasible; pick the
feasible setting with the largest mean work saved over the training runs; ties go to the
more conservative setting (larger ``quantile``, then larger ``min_found``). If none is
feasible, the most conservative setting (0.9999, 30) is used.

The margin ``k`` (0-4 runs) is itself chosen the same way, one level down: for a set of
training datasets, run LODO inside it for each ``k`` (choose on all but one training
dataset, apply to that one) and take the smallest ``k`` whose pooled inner result reaches
the target in at least 95 % of the inner left-out runs (``k = 4`` if none does).

The claim: for each of the 28 datasets, choose ``k`` and then the setting on the other 27
only, apply it to the left-out dataset's 3 runs; report the pooled result over the 84
left-out runs (share reaching 95 % recall, mean and worst recall, mean work saved). This
pooled figure is what the rule may claim. The shipped setting is chosen by the same
procedure on all 28 datasets (``k`` by LODO on the 28, then the setting on all 84 runs)
of the default ranking ``elas_u4_dry``; it is written to ``models/stopping/presets.json``
(preset ``counting-lodo``) with ``--write-preset``. Each ranking is calibrated and
reported on its own runs; the shipped (``elas_u4_dry``) setting is also reported on the
other ranking's runs, unchanged.

Speed: the rule's verdict at a check depends on the setting only through two numbers,
``P(M <= m_ok)`` (the posterior probability that at most ``m_ok`` relevant records are
left, ``m_ok`` the most that still gives 95 % recall) and the relevant records found, so
these are computed once per check and run (cached under
``benchmarks/.work/stopping/calibration/``) and every setting's stop is read off them.
``--verify`` replays the shipped setting with the rule itself over every run and checks
that the stops agree.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work"
CACHE = WORK / "stopping" / "calibration"
PRESETS = ROOT / "models" / "stopping" / "presets.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "screening"))
sys.path.insert(0, str(ROOT / "benchmarks" / "stopping"))
from protocol import datasets, load_ids_labels  # noqa: E402

TARGET = 0.95
RELIABILITY = 0.95
SEEDS = (1, 2, 3)
QUANTILES = (0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999)
MIN_FOUND = (1, 10, 15, 20, 25, 30)
MARGINS = (0, 1, 2, 3, 4)
SHIPPED_RANKING = "elas_u4_dry"
SETTINGS = [(q, m) for q in QUANTILES for m in MIN_FOUND]


def _stopping_run():
    """This folder's run.py, loaded by path (``run`` alone may name the screening one)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("stopping_benchmark_run",
                                                  Path(__file__).with_name("run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ranked_labels(name: str, seed: int, preset: str) -> tuple[np.ndarray, int]:
    """The run's labels in screening order (priors first, zeros after the cut), total
    relevant."""
    ranked_order = _stopping_run().ranked_order
    ids, labels = load_ids_labels(name)
    label_of = dict(zip(ids, labels.tolist()))
    run = ranked_order(name, seed, preset)
    seq = [label_of[p] for p in run["priors"]] + [label_of[r] for r in run["order"]]
    full = np.zeros(len(ids), dtype=np.int64)
    full[: len(seq)] = seq
    return full, int(labels.sum())


def check_stats(full: np.ndarray) -> dict:
    """Per check of the rule: records screened, relevant found, relevant needed before a
    check (authors' decay), and ``P(M <= m_ok)`` under the posterior."""
    from nlp_review.stopping.bayes import Posterior
    from nlp_review.stopping.calibrated import CalibratedCounting, allowed_left

    pool = int(full.size)
    rule = CalibratedCounting(quantile=0.95)
    at, found, need, p_ok = [], [], [], []
    for i, n in enumerate(rule.checkpoints(pool), start=1):
        prefix = full[:n]
        f = int(prefix.sum())
        req = rule.required_relevant(i, pool)
        p = None
        if f >= max(req, 1) and n < pool:
            m_ok = allowed_left(f, TARGET)
            if m_ok >= pool - n:
                p = 1.0
            else:
                try:
                    p = Posterior(prefix, pool, 1.0).cdf(m_ok)
                except ValueError:
                    p = None
        at.append(int(n))
        found.append(f)
        need.append(int(req))
        p_ok.append(p)
    return {"at": at, "found": found, "need": need, "p_ok": p_ok}


def load_runs(preset: str) -> list[dict]:
    path = CACHE / f"{preset}.json"
    cached = json.loads(path.read_text()) if path.exists() else {}
    runs, changed = [], False
    for name in datasets():
        for seed in SEEDS:
            key = f"{name}__seed{seed}"
            if key not in cached:
                full, total = ranked_labels(name, seed, preset)
                cached[key] = {"dataset": name, "seed": seed, "pool": int(full.size),
                               "relevant_total": total,
                               "cum": np.cumsum(full).tolist(), **check_stats(full)}
                changed = True
            runs.append(cached[key])
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(cached))
    return runs


def outcome(run: dict, q: float, min_found: int) -> tuple[float, float, int]:
    """(recall, work saved, records screened) where the setting stops on this run."""
    pool = run["pool"]
    stop = pool
    for n, f, need, p in zip(run["at"], run["found"], run["need"], run["p_ok"]):
        if p is not None and f >= max(need, min_found, 1) and p >= q:
            stop = n
            break
    found = run["cum"][stop - 1]
    return found / run["relevant_total"], 1 - stop / pool, stop


def outcome_table(runs: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """recall[run, setting], saved[run, setting]."""
    rec = np.empty((len(runs), len(SETTINGS)))
    sav = np.empty_like(rec)
    for i, run in enumerate(runs):
        for j, (q, m) in enumerate(SETTINGS):
            rec[i, j], sav[i, j], _ = outcome(run, q, m)
    return rec, sav


def choose(rec: np.ndarray, sav: np.ndarray, rows: np.ndarray, margin: int) -> int:
    """The setting index chosen on the training ``rows`` with margin ``margin``."""
    misses = (rec[rows] < TARGET - 1e-12).sum(axis=0)
    allowed = math.floor((1 - RELIABILITY) * rows.size + 1e-9) - margin
    feasible = np.flatnonzero(misses <= allowed)
    if feasible.size == 0:
        return rec.shape[1] - 1  # (0.9999, 30): SETTINGS is ordered from loose to strict
    saved = sav[rows][:, feasible].mean(axis=0)
    best = saved.max()
    ties = feasible[np.isclose(saved, best, atol=1e-12)]
    return int(ties[-1])  # later in SETTINGS = larger quantile, then larger min_found


def lodo_margin(rec: np.ndarray, sav: np.ndarray, names: list[str],
                train: list[str]) -> int:
    """The smallest margin whose inner LODO over ``train`` reaches the target in >= 95 %
    of the inner left-out runs."""
    idx = {d: np.array([i for i, n in enumerate(names) if n == d]) for d in train}
    for k in MARGINS:
        hits = total = 0
        for d in train:
            rows = np.concatenate([idx[o] for o in train if o != d])
            j = choose(rec, sav, rows, k)
            hits += int((rec[idx[d], j] >= TARGET - 1e-12).sum())
            total += idx[d].size
        if hits >= RELIABILITY * total - 1e-9:
            return k
    return MARGINS[-1]


def calibrate(runs: list[dict]) -> dict:
    rec, sav = outcome_table(runs)
    return calibrate_table([r["dataset"] for r in runs], rec, sav)


def calibrate_table(names: list[str], rec: np.ndarray, sav: np.ndarray) -> dict:
    """The LODO result, each fold's setting and the shipped setting, from the recall and
    work saved of every run (rows, named by dataset) under every setting (columns)."""
    all_names = list(dict.fromkeys(names))
    folds = []
    for d in all_names:
        train = [o for o in all_names if o != d]
        k = lodo_margin(rec, sav, names, train)
        rows = np.array([i for i, n in enumerate(names) if n in train])
        j = choose(rec, sav, rows, k)
        test = np.array([i for i, n in enumerate(names) if n == d])
        folds.append({"dataset": d, "margin": k, "quantile": SETTINGS[j][0],
                      "min_found": SETTINGS[j][1], "recall": rec[test, j].tolist(),
                      "saved": sav[test, j].tolist()})
    k_all = lodo_margin(rec, sav, names, all_names)
    j_all = choose(rec, sav, np.arange(len(names)), k_all)
    lodo_rec = np.concatenate([f["recall"] for f in folds])
    lodo_sav = np.concatenate([f["saved"] for f in folds])
    return {"folds": folds, "lodo": summary(lodo_rec, lodo_sav),
            "shipped": {"margin": k_all, "quantile": SETTINGS[j_all][0],
                        "min_found": SETTINGS[j_all][1],
                        "in_sample": summary(rec[:, j_all], sav[:, j_all])},
            "rec": rec, "sav": sav, "names": names}


def summary(rec: np.ndarray, sav: np.ndarray) -> dict:
    return {"runs": int(rec.size), "reached": int((rec >= TARGET - 1e-12).sum()),
            "share_reached": float(np.mean(rec >= TARGET - 1e-12)),
            "mean_recall": float(rec.mean()), "worst_recall": float(rec.min()),
            "mean_saved": float(sav.mean())}


def fmt(s: dict) -> str:
    return (f"{s['reached']}/{s['runs']} runs reach 95 % recall ({s['share_reached']:.1%}); "
            f"mean recall {s['mean_recall']:.3f}, worst {s['worst_recall']:.3f}; "
            f"mean work saved {s['mean_saved']:.1%}")


def write_preset(setting: dict, preset: str, result: dict) -> None:
    data = json.loads(PRESETS.read_text(encoding="utf-8"))
    lodo = result["lodo"]
    data["presets"]["counting-lodo"] = {
        "rule": "counting-calibrated",
        "params": {"quantile": setting["quantile"], "min_found": setting["min_found"]},
        "comment": (
            f"Chosen by benchmarks/stopping/calibrate.py --preset {preset} --write-preset "
            "(leave-one-dataset-out calibration; the procedure is in that script's "
            "docstring): on all 28 datasets x seeds 1-3 of the stopping benchmark with the "
            f"ranking {preset}, safety margin {setting['margin']} run(s) chosen by LODO, "
            "then the setting with the most work saved among those reaching 95 % recall in "
            f">= 95 % of runs. Claim (pooled LODO, each dataset's setting chosen on the "
            f"other 27): {lodo['reached']}/{lodo['runs']} runs reached 95 % recall "
            f"({lodo['share_reached']:.1%}; the 95 % aimed for: "
            f"{'met' if lodo['share_reached'] >= RELIABILITY else 'NOT met'}), mean work saved "
            f"{lodo['mean_saved']:.1%}. See benchmarks/RESULTS.md (## Stopping).")}
    PRESETS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def verify(runs: list[dict], preset: str, q: float, m: int) -> int:
    """Replay the rule itself with (q, m) over every run; count disagreements."""
    from nlp_review.stopping.calibrated import CalibratedCounting

    bad = 0
    for run in runs:
        full, total = ranked_labels(run["dataset"], run["seed"], preset)
        rule = CalibratedCounting(quantile=q, min_found=m)
        stop = full.size
        for n in rule.checkpoints(full.size):
            if rule.decide(full[:n], pool_size=full.size).stop:
                stop = int(n)
                break
        expected = outcome(run, q, m)[2]
        if stop != expected:
            bad += 1
            print(f"  MISMATCH {run['dataset']} seed {run['seed']}: rule {stop}, table "
                  f"{expected}")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", nargs="*", default=[SHIPPED_RANKING, "elas_u4_fast"])
    ap.add_argument("--per-dataset", action="store_true")
    ap.add_argument("--write-preset", action="store_true",
                    help=f"store the setting chosen on {SHIPPED_RANKING} in presets.json")
    ap.add_argument("--verify", action="store_true",
                    help="replay the shipped setting with the rule itself over every run")
    args = ap.parse_args()
    results = {}
    for preset in args.preset:
        t0 = time.perf_counter()
        runs = load_runs(preset)
        res = calibrate(runs)
        results[preset] = (runs, res)
        sh = res["shipped"]
        print(f"\n## ranking {preset} ({len(runs)} runs, {time.perf_counter() - t0:.0f} s)")
        print(f"LODO (the claim): {fmt(res['lodo'])}")
        chosen = {}
        for f in res["folds"]:
            chosen[(f["quantile"], f["min_found"], f["margin"])] = \
                chosen.get((f["quantile"], f["min_found"], f["margin"]), 0) + 1
        print("settings chosen in the 28 folds (quantile, min_found, margin): "
              + ", ".join(f"{k} x{v}" for k, v in sorted(chosen.items())))
        print(f"chosen on all 28: quantile={sh['quantile']}, min_found={sh['min_found']} "
              f"(margin {sh['margin']}); in-sample: {fmt(sh['in_sample'])}")
        if args.per_dataset:
            print("| dataset | setting (q, min_found, margin) | recall per seed | saved |")
            print("|---|---|---|---|")
            for f in res["folds"]:
                print(f"| {f['dataset']} | {f['quantile']}, {f['min_found']}, {f['margin']} | "
                      + " ".join(f"{r:.2f}" for r in f["recall"])
                      + f" | {np.mean(f['saved']):.0%} |")
        if args.verify:
            bad = verify(runs, preset, sh["quantile"], sh["min_found"])
            print(f"verify: the rule itself stops where the table says in "
                  f"{len(runs) - bad}/{len(runs)} runs")
    if SHIPPED_RANKING in results:
        sh = results[SHIPPED_RANKING][1]["shipped"]
        j = SETTINGS.index((sh["quantile"], sh["min_found"]))
        for preset, (runs, res) in results.items():
            if preset != SHIPPED_RANKING:
                print(f"\nshipped {SHIPPED_RANKING} setting on {preset} (unchanged): "
                      f"{fmt(summary(res['rec'][:, j], res['sav'][:, j]))}")
        if args.write_preset:
            write_preset(sh, SHIPPED_RANKING, results[SHIPPED_RANKING][1])
            print(f"\nwrote preset counting-lodo to {PRESETS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
