"""The LODO analysis of ``model_based.py`` (its docstring has the procedure): the stop of
every setting on every recorded run, the pooled leave-one-dataset-out claim of the single
rule and of the combination with ``counting-lodo``, against ``counting`` and
``counting-lodo`` in one table."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np

import model_based as mb

HERE = Path(__file__).resolve().parent


def _load(name: str, filename: str):
    spec = importlib.util.spec_from_file_location(name, HERE / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


calibrate = _load("stopping_calibrate", "calibrate.py")


def load_runs(partial: bool = False) -> list[dict]:
    runs = []
    for name in mb.datasets():
        for seed in mb.SEEDS:
            path = mb.OUT / mb.PRESET / f"{name}__seed{seed}.json"
            if not path.exists():
                if partial:
                    continue
                raise SystemExit(f"{path} is missing: run `model_based.py record` first")
            runs.append(json.loads(path.read_text()))
    return runs


def outcome_at(run: dict, stop: int) -> tuple[float, float]:
    """(recall, work saved) when screening stops after ``stop`` records."""
    cum = run["cum"]
    found = cum[min(stop, len(cum)) - 1] if stop <= len(cum) else run["relevant_total"]
    return found / run["relevant_total"], 1 - stop / run["pool"]


def model_verdicts(run: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check positions, and the verdict of every setting / reference rule at each check."""
    at = np.array([c["n"] for c in run["checks"]], dtype=np.int64)
    ver = np.array([mb.setting_stops(c) for c in run["checks"]]).reshape(len(at), -1)
    ref = np.array([mb.reference_stops(c) for c in run["checks"]]).reshape(len(at), -1)
    return at, ver, ref


def first_stop(at: np.ndarray, fires: np.ndarray, pool: int) -> int:
    hit = np.flatnonzero(fires)
    return int(at[hit[0]]) if hit.size else pool


def counting_verdict(cal_run: dict, q: float, m: int) -> tuple[np.ndarray, np.ndarray]:
    """counting-calibrated's check positions and verdicts with setting (q, m)."""
    at = np.array(cal_run["at"], dtype=np.int64)
    ok = np.array([p is not None and f >= max(need, m, 1) and p >= q
                   for f, need, p in zip(cal_run["found"], cal_run["need"], cal_run["p_ok"])])
    return at, ok


def combined_stop(m_at: np.ndarray, m_ok: np.ndarray, c_at: np.ndarray, c_ok: np.ndarray,
                  pool: int, recorded_to: int) -> tuple[int, bool]:
    """First check of either rule where both latest verdicts say stop; and whether the
    model's verdict had to be carried past the last recorded check."""
    times = np.union1d(m_at, c_at)
    for t in times:
        i = np.searchsorted(m_at, t, side="right") - 1
        j = np.searchsorted(c_at, t, side="right") - 1
        if i >= 0 and j >= 0 and m_ok[i] and c_ok[j]:
            return int(t), bool(t > recorded_to and recorded_to < pool)
    return pool, False


def summary(rec: np.ndarray, sav: np.ndarray) -> dict:
    return calibrate.summary(np.asarray(rec), np.asarray(sav))


#: what to use when no setting is feasible on the training runs: ``"last"`` the grid's
#: last setting (as committed, fdcdf40: meant as the most conservative, but the grid's
#: last setting is ``in_platt, z 5, min 20``, and ``in_platt`` is the over-confident
#: variant); ``"latest"`` the setting that stops latest on the training runs (least mean
#: work saved), an amendment made after seeing 27 of the 84 runs (see RESULTS.md)
FALLBACKS = ("last", "latest")


def choose(rec: np.ndarray, sav: np.ndarray, rows: np.ndarray, margin: int,
           fallback: str) -> int:
    """calibrate.choose, with the fallback when nothing is feasible made explicit."""
    misses = (rec[rows] < calibrate.TARGET - 1e-12).sum(axis=0)
    allowed = math.floor((1 - calibrate.RELIABILITY) * rows.size + 1e-9) - margin
    if (misses <= allowed).any() or fallback == "last":
        return calibrate.choose(rec, sav, rows, margin)
    saved = sav[rows].mean(axis=0)
    return int(np.flatnonzero(np.isclose(saved, saved.min(), atol=1e-12))[-1])


def lodo_margin(rec: np.ndarray, sav: np.ndarray, names: list[str], train: list[str],
                fallback: str) -> int:
    """calibrate.lodo_margin with ``choose``'s fallback."""
    idx = {d: np.array([i for i, n in enumerate(names) if n == d]) for d in train}
    for k in calibrate.MARGINS:
        hits = total = 0
        for d in train:
            rows = np.concatenate([idx[o] for o in train if o != d])
            j = choose(rec, sav, rows, k, fallback)
            hits += int((rec[idx[d], j] >= calibrate.TARGET - 1e-12).sum())
            total += idx[d].size
        if hits >= calibrate.RELIABILITY * total - 1e-9:
            return k
    return calibrate.MARGINS[-1]


def lodo(names: list[str], rec: np.ndarray, sav: np.ndarray, fallback: str = "last",
         per_fold: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> dict:
    """calibrate.py's procedure over any settings matrix (columns in grid order).
    ``per_fold``: the matrices to use in the fold that leaves dataset d out (for the
    combination, whose counting-lodo part has that fold's setting on every run)."""
    all_names = list(dict.fromkeys(names))
    folds = []
    for d in all_names:
        r, s = per_fold[d] if per_fold else (rec, sav)
        train = [o for o in all_names if o != d]
        k = lodo_margin(r, s, names, train, fallback)
        rows = np.array([i for i, n in enumerate(names) if n in train])
        j = choose(r, s, rows, k, fallback)
        test = np.array([i for i, n in enumerate(names) if n == d])
        allowed = math.floor(0.05 * rows.size + 1e-9) - k
        used_fallback = not ((r[rows] < 0.95 - 1e-12).sum(axis=0) <= allowed).any()
        folds.append({"dataset": d, "margin": k, "setting": j,
                      "fallback": bool(used_fallback),
                      "recall": r[test, j].tolist(), "saved": s[test, j].tolist()})
    k_all = lodo_margin(rec, sav, names, all_names, fallback)
    j_all = choose(rec, sav, np.arange(len(names)), k_all, fallback)
    return {"folds": folds,
            "lodo": summary(np.concatenate([f["recall"] for f in folds]),
                            np.concatenate([f["saved"] for f in folds])),
            "all": {"margin": k_all, "setting": j_all,
                    "in_sample": summary(rec[:, j_all], sav[:, j_all])}}


def setting_name(j: int) -> str:
    v, z, m = mb.SETTINGS[j]
    return f"{v}, z {z:g}, min {m}"


def analyse(per_dataset: bool = False, partial: bool = False) -> None:
    runs = load_runs(partial)
    names = [r["dataset"] for r in runs]
    same = sum(r["reproduces_cached_order"] for r in runs)
    print(f"{len(runs)} runs recorded ({mb.PRESET}); cached order reproduced exactly in "
          f"{same}/{len(runs)}; {sum(len(r['checks']) for r in runs)} checks; "
          f"{sum(r['cpu_seconds'] for r in runs):.0f} s CPU")
    for r in runs:
        if not r["reproduces_cached_order"]:
            print(f"  differs: {r['dataset']} seed {r['seed']} at position "
                  f"{r['first_difference']} of {r['cached_length']}")

    n_set = len(mb.SETTINGS)
    rec = np.empty((len(runs), n_set))
    sav = np.empty_like(rec)
    ref_rec = np.empty((len(runs), len(mb.REFERENCE)))
    ref_sav = np.empty_like(ref_rec)
    verdicts = []
    for i, run in enumerate(runs):
        at, ver, ref = model_verdicts(run)
        verdicts.append((at, ver))
        for j in range(n_set):
            rec[i, j], sav[i, j] = outcome_at(run, first_stop(at, ver[:, j], run["pool"]))
        for j in range(len(mb.REFERENCE)):
            ref_rec[i, j], ref_sav[i, j] = outcome_at(run, first_stop(at, ref[:, j],
                                                                      run["pool"]))

    single = lodo(names, rec, sav)
    single_latest = lodo(names, rec, sav, "latest")

    # counting-lodo: calibrate.py's folds (each dataset's setting chosen on the other 27)
    cal_runs = calibrate.load_runs(mb.PRESET)
    cal_key = {(c["dataset"], c["seed"]): c for c in cal_runs}
    cal = calibrate.calibrate(cal_runs)
    fold_setting = {f["dataset"]: (f["quantile"], f["min_found"]) for f in cal["folds"]}
    cl_rec = np.concatenate([f["recall"] for f in cal["folds"]])
    cl_sav = np.concatenate([f["saved"] for f in cal["folds"]])

    # the combination: counting-lodo AND the model rule (each setting); in the fold that
    # leaves d out, counting-lodo has the setting calibrate.py chose for that fold, on the
    # training runs and the left-out ones alike
    matrices: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for q, m in set(fold_setting.values()):
        b_rec, b_sav = np.empty_like(rec), np.empty_like(rec)
        carried = np.zeros_like(rec, dtype=bool)
        for i, run in enumerate(runs):
            c_at, c_ok = counting_verdict(cal_key[(run["dataset"], run["seed"])], q, m)
            at, ver = verdicts[i]
            for j in range(n_set):
                stop, carry = combined_stop(at, ver[:, j], c_at, c_ok, run["pool"],
                                            len(run["cum"]))
                b_rec[i, j], b_sav[i, j] = outcome_at(run, stop)
                carried[i, j] = carry
        matrices[(q, m)] = (b_rec, b_sav, carried)
    per_fold = {d: matrices[fold_setting[d]][:2] for d in fold_setting}
    shipped = (cal["shipped"]["quantile"], cal["shipped"]["min_found"])
    both_rec, both_sav = matrices[shipped][:2] if shipped in matrices else per_fold[names[0]]
    both = lodo(names, both_rec, both_sav, per_fold=per_fold)
    both_latest = lodo(names, both_rec, both_sav, "latest", per_fold=per_fold)
    n_carried = sum(int(matrices[fold_setting[f["dataset"]]][2][
        [k for k, n in enumerate(names) if n == f["dataset"]], f["setting"]].sum())
        for f in both["folds"])

    # post hoc (not declared, so not a claim): both rules with their own LODO settings,
    # no new choice (counting-lodo's fold setting AND quant-calibrated's fold setting)
    q_fold = {f["dataset"]: f["setting"] for f in single["folds"]}
    ph_rec, ph_sav = [], []
    for i, run in enumerate(runs):
        q, m = fold_setting[run["dataset"]]
        c_at, c_ok = counting_verdict(cal_key[(run["dataset"], run["seed"])], q, m)
        at, ver = verdicts[i]
        stop, _ = combined_stop(at, ver[:, q_fold[run["dataset"]]], c_at, c_ok, run["pool"],
                                len(run["cum"]))
        r, s_ = outcome_at(run, stop)
        ph_rec.append(r)
        ph_sav.append(s_)

    # counting (the recommended rule), from run.py's cached replays
    results = mb.WORK / "stopping" / "results" / mb.PRESET
    c_rec, c_sav = [], []
    for run in runs:
        pts = json.loads((results / f"{run['dataset']}__seed{run['seed']}.json").read_text())
        c_rec.append(pts["points"]["counting"]["recall"])
        c_sav.append(pts["points"]["counting"]["work_saved"])

    print("\n| rule (ranking elas_u4_dry, 84 runs) | how the setting was chosen | runs at 95 % "
          "recall | 95 % claim | mean recall | worst recall | mean work saved |")
    print("|---|---|---|---|---|---|---|")

    def row(label: str, how: str, s: dict) -> None:
        ok = "met" if s["share_reached"] >= 0.95 - 1e-12 else "NOT met"
        print(f"| {label} | {how} | {s['reached']}/{s['runs']} ({s['share_reached']:.1%}) | "
              f"{ok} | {s['mean_recall']:.3f} | {s['worst_recall']:.3f} | "
              f"{s['mean_saved']:.1%} |")

    row("counting (recommended)", "fixed (95 % Cox bound)",
        summary(np.array(c_rec), np.array(c_sav)))
    row("counting-lodo", "LODO (calibrate.py)", summary(cl_rec, cl_sav))
    row("quant-calibrated", "LODO (this procedure)", single["lodo"])
    row("both: counting-lodo AND quant-calibrated", "LODO (this procedure)", both["lodo"])
    row("quant-calibrated", "LODO, fallback amended (latest stop)", single_latest["lodo"])
    row("both", "LODO, fallback amended (latest stop)", both_latest["lodo"])
    row("both, each with its own LODO setting", "post hoc, NOT a claim",
        summary(np.array(ph_rec), np.array(ph_sav)))
    for j, label in enumerate(mb.REFERENCE):
        row(f"{label} (published form, in_platt)", "none (reference)",
            summary(ref_rec[:, j], ref_sav[:, j]))
    for label, res in (("quant-calibrated", single), ("both", both),
                       ("quant-calibrated, amended fallback", single_latest),
                       ("both, amended fallback", both_latest)):
        chosen: dict[str, int] = {}
        for f in res["folds"]:
            key = f"{setting_name(f['setting'])}, margin {f['margin']}"
            chosen[key] = chosen.get(key, 0) + 1
        a = res["all"]
        print(f"\n{label}: settings chosen in the 28 folds: "
              + "; ".join(f"{k} x{v}" for k, v in sorted(chosen.items(), key=lambda x: -x[1])))
        print(f"{label}: folds where no setting was feasible (fallback used): "
              f"{sum(f['fallback'] for f in res['folds'])}")
        print(f"{label}: chosen on all 28: {setting_name(a['setting'])}, margin {a['margin']}"
              f"; in-sample (not a claim): {calibrate.fmt(a['in_sample'])}")
    print(f"(combination: in {n_carried} left-out runs the model verdict was carried past "
          f"the last recorded check)")

    # best in hindsight per variant (descriptive, not a claim)
    print("\nin hindsight (not a claim): per probability variant, the setting with the most "
          "work saved among those reaching 95 % recall in >= 95 % of all 84 runs")
    for v in mb.VARIANTS:
        cols = [j for j, s in enumerate(mb.SETTINGS) if s[0] == v]
        ok = [j for j in cols if (rec[:, j] >= 0.95 - 1e-12).mean() >= 0.95]
        if ok:
            j = max(ok, key=lambda j: sav[:, j].mean())
            print(f"  {setting_name(j)}: {calibrate.fmt(summary(rec[:, j], sav[:, j]))}")
        else:
            j = max(cols, key=lambda j: (rec[:, j] >= 0.95 - 1e-12).mean())
            print(f"  {v}: none; most reliable {setting_name(j)}: "
                  f"{calibrate.fmt(summary(rec[:, j], sav[:, j]))}")

    # how good the estimate is where 95 % recall is first reached (descriptive)
    print("\nestimate of the relevant records left where each run first reaches 95 % recall "
          "(nearest check at or after it): median and range of estimated / true left")
    for v in mb.VARIANTS:
        ratios, est_rec = [], []
        for run in runs:
            need = math.ceil(0.95 * run["relevant_total"] - 1e-9)
            n95 = int(np.searchsorted(np.array(run["cum"]), need)) + 1
            c = next((c for c in run["checks"] if c["n"] >= n95), None)
            if c is None:
                continue
            left = run["relevant_total"] - c["found"]
            ratios.append((c[v]["S"] + 0.5) / (left + 0.5))
            est_rec.append(c["found"] / (c["found"] + c[v]["S"]))
        print(f"  {v}: estimated/true left median {np.median(ratios):.2f} (10-90 %: "
              f"{np.quantile(ratios, 0.1):.2f}-{np.quantile(ratios, 0.9):.2f}); estimated "
              f"recall there median {np.median(est_rec):.3f} (true >= 0.95), "
              f"{np.mean(np.array(est_rec) >= 0.95):.0%} of runs >= 0.95")

    if per_dataset:
        print("\n| dataset | relevant | counting | counting-lodo (LODO) | quant-calibrated "
              "(LODO) | setting | both (LODO) |")
        print("|---|---|---|---|---|---|---|")
        cl = {f["dataset"]: f for f in cal["folds"]}
        for fs, fb in zip(single["folds"], both["folds"]):
            d = fs["dataset"]
            idx = [i for i, n in enumerate(names) if n == d]
            total = runs[idx[0]]["relevant_total"]
            cnt = f"{np.mean([c_rec[i] for i in idx]):.2f} / {np.mean([c_sav[i] for i in idx]):.0%}"
            print(f"| {d} | {total} | {cnt} | "
                  f"{np.mean(cl[d]['recall']):.2f} / {np.mean(cl[d]['saved']):.0%} | "
                  + " ".join(f"{r:.2f}" for r in fs["recall"])
                  + f" / {np.mean(fs['saved']):.0%} | {setting_name(fs['setting'])} | "
                  + " ".join(f"{r:.2f}" for r in fb["recall"])
                  + f" / {np.mean(fb['saved']):.0%} |")
