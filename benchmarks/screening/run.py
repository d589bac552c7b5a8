"""Screening benchmark: our simulation against ASReview LAB's default (ELAS u4) on every
dataset in ../shared/datasets/screening (MANIFEST.csv), 3 seeds, the same priors.

    nice -n 10 /work/venv/bin/python benchmarks/screening/run.py [--datasets a b] \
        [--seeds 1 2 3] [--tools ours asreview] [--presets elas_u4_fast ...] [--table]

Priors per (dataset, seed): RandomState(seed).randint over the relevant record_ids, then
over the irrelevant ones. ASReview is installed by this script into
benchmarks/.work/asreview-venv (pip install asreview) and run as
``asreview simulate DATA --prior-idx ROW ROW --seed 1 -o X.asreview`` (its row numbers are
0-based CSV rows); its order is read from the results table of results.db in the project.
Every run's result is cached as JSON under benchmarks/.work/screening/, so the script is
resumable; ``--table`` prints the comparison table from whatever is cached.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work"
CACHE = WORK / "screening"
VENV = WORK / "asreview-venv"

sys.path.insert(0, str(ROOT))
from nlp_review.screening import metrics  # noqa: E402
from protocol import DATA, datasets, load_ids_labels, priors_for  # noqa: E402


def cache_path(tool: str, name: str, seed: int) -> Path:
    return CACHE / tool / f"{name}__seed{seed}.json"


def run_ours(name: str, seed: int, preset: str) -> dict:
    from nlp_review.screening.dataset import load_labelled_csv
    from nlp_review.screening.simulate import Simulation

    t0, c0 = time.perf_counter(), time.process_time()
    data = load_labelled_csv(DATA / f"{name}.csv")
    priors = priors_for(data.record_ids, data.labels, seed)
    sim = Simulation(data.texts, data.labels, [data.row_of(p) for p in priors], preset=preset,
                     seed=seed)
    t1 = time.perf_counter()
    result = sim.run()
    t2, c2 = time.perf_counter(), time.process_time()
    return {"tool": f"ours:{preset}", "dataset": name, "seed": seed, "priors": priors,
            "metrics": result.metrics, "wall_seconds": round(t2 - t0, 3),
            "cpu_seconds": round(c2 - c0, 3),
            "loop_seconds": round(t2 - t1, 3),
            "order": [data.record_ids[r] for r in result.order]}


def ensure_asreview() -> Path:
    exe = VENV / "bin" / "asreview"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "asreview"], check=True)
    return exe


def run_asreview(name: str, seed: int) -> dict:
    exe = ensure_asreview()
    ids, labels = load_ids_labels(name)
    priors = priors_for(ids, labels, seed)
    rows = [str(ids.index(p)) for p in priors]
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        out = Path(tmp) / "sim.asreview"
        t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([str(exe), "simulate", str(DATA / f"{name}.csv"), "--prior-idx", *rows,
                        "--seed", "1", "-o", str(out)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        with zipfile.ZipFile(out) as zf:
            db_name = next(n for n in zf.namelist() if n.endswith("results.db"))
            zf.extract(db_name, tmp)
        conn = sqlite3.connect(Path(tmp) / db_name)
        row_of = dict(conn.execute("SELECT record_id, dataset_row FROM record"))
        results = conn.execute("SELECT record_id, label, training_set, time FROM results"
                               " ORDER BY rowid").fetchall()
        conn.close()
    screened = [r for r in results if r[2] is not None]
    order_rows = [row_of[r[0]] for r in screened]
    order_labels = [int(labels[i]) for i in order_rows]
    n_records = len(ids) - len(set(priors))
    loop = screened[-1][3] - results[0][3] if screened else 0.0
    return {"tool": "asreview", "dataset": name, "seed": seed, "priors": priors,
            "metrics": metrics.all_metrics(order_labels, n_records),
            "wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "loop_seconds": round(loop, 3), "order": [ids[i] for i in order_rows]}


def cached_run(tool: str, name: str, seed: int, fn) -> dict:
    path = cache_path(tool, name, seed)
    if path.exists():
        return json.loads(path.read_text())
    result = fn()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(path)
    return result


def table(tools: list[str], names: list[str], seeds: list[int]) -> str:
    """Per dataset (mean over the seeds every tool has run) and overall mean: loss, WSS@95,
    RRF@10, CPU and wall seconds of one simulation, for each tool."""
    keys = ["loss", "wss@95", "rrf@10", "cpu", "wall"]
    head = "| dataset | seeds | " + " | ".join(f"{k} {t}" for k in keys for t in tools) + " |"
    lines = [head, "|" + "---|" * (2 + len(tools) * len(keys))]
    means: dict[tuple[str, str], list[float]] = {}
    worse = []
    for name in names:
        per = {t: {s: json.loads(cache_path(t, name, s).read_text()) for s in seeds
                   if cache_path(t, name, s).exists()} for t in tools}
        common = sorted(set.intersection(*[set(v) for v in per.values()]))
        if not common:
            continue
        cells, row = [], {}
        for k in keys:
            for t in tools:
                vals = [per[t][s]["metrics"][k] if k not in ("cpu", "wall") else
                        per[t][s].get(f"{k}_seconds") for s in common]
                vals = [v for v in vals if v is not None]
                v = float(np.mean(vals)) if vals else float("nan")
                row[(k, t)] = v
                if vals:
                    means.setdefault((k, t), []).append(v)
                cells.append("-" if not vals else f"{v:.1f}" if k in ("cpu", "wall")
                             else f"{v:.3f}")
        if len(tools) == 2 and row[("wss@95", tools[0])] < row[("wss@95", tools[1])] - 0.05:
            worse.append(name)
        lines.append(f"| {name} | {','.join(map(str, common))} | " + " | ".join(cells) + " |")
    if means:
        cells = [(f"{np.mean(means[(k, t)]):.1f}" if k in ("cpu", "wall") else
                  f"{np.mean(means[(k, t)]):.4f}") if (k, t) in means else "-"
                 for k in keys for t in tools]
        n = len(means[(keys[0], tools[0])])
        lines.append(f"| **mean ({n} datasets)** | | " + " | ".join(cells) + " |")
    if len(tools) == 2:
        lines.append("")
        lines.append(f"Datasets where {tools[0]} is more than 0.05 WSS@95 worse than "
                     f"{tools[1]}: {', '.join(worse) or 'none'}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", nargs="*", default=None, help="dataset names (default all)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    ap.add_argument("--tools", nargs="*", default=["ours", "asreview"])
    ap.add_argument("--presets", nargs="*", default=[None],
                    help="our presets to run (default: the default preset)")
    ap.add_argument("--table", action="store_true", help="only print the table from the cache")
    args = ap.parse_args()
    from nlp_review.screening.presets import get_preset

    names = args.datasets or datasets()
    presets = [get_preset(p).name for p in args.presets]
    tools = [f"ours:{p}" for p in presets if "ours" in args.tools]
    if "asreview" in args.tools:
        tools.append("asreview")
    if not args.table:
        for name in names:
            for seed in args.seeds:
                for tool in tools:
                    if tool == "asreview":
                        fn = lambda: run_asreview(name, seed)  # noqa: E731
                    else:
                        fn = lambda p=tool.split(":", 1)[1]: run_ours(name, seed, p)  # noqa: E731
                    r = cached_run(tool, name, seed, fn)
                    m = r["metrics"]
                    print(f"{tool:28s} {name:30s} seed {seed}: loss {m['loss']:.3f} "
                          f"wss@95 {m['wss@95']:.3f} rrf@10 {m['rrf@10']:.3f} "
                          f"wall {r['wall_seconds']:.1f}s", flush=True)
    print(table(tools, names, args.seeds))


if __name__ == "__main__":
    main()
