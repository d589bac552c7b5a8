"""Head-to-head speed of one full simulation, both tools run the same way: as a command
line, back to back, same priors (seed 1 as in run.py), measuring wall time and CPU time
(user + system of the child process and its own children, which includes interpreter
start-up, imports and our recall.png drawing process).

    nice -n 10 /work/venv/bin/python benchmarks/screening/speed.py cohen_adhd clef2017_cd010023

Options: ``--repeat N`` runs each command N times and keeps the fastest wall and the lowest
CPU time (the machine is shared); ``--before DIR`` also times ``nlp-review`` from another
source tree in the same run, e.g. the code before a change::

    mkdir /tmp/before && git archive COMMIT nlp_review models | tar -x -C /tmp/before
    python benchmarks/screening/speed.py --before /tmp/before cohen_adhd

Each row also gives the 1-minute load average when the dataset started, and checks that
``--before`` wrote the same order.csv as the current code. ``--preset NAME`` runs ours
(not ``--before``) with that preset instead of the default.

``--in-process`` instead times only the simulation loop (vectorising + every retrain, no
imports, no files), current code against ``--before``, alternating, as CPU seconds:

    python benchmarks/screening/speed.py --in-process --before /tmp/before cohen_adhd

or, with ``--presets A B``, our presets against each other in the same run (alternating;
the table gives each one's loop CPU seconds and how many of the decisions' records agree
with the first preset's order, position by position):

    python benchmarks/screening/speed.py --in-process --presets elas_u4_dry,elas_u4_dry_newton cohen_adhd
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATA, WORK, ensure_asreview, load_ids_labels, priors_for  # noqa: E402

NLP_REVIEW = Path(sys.executable).parent / "nlp-review"


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None
          ) -> tuple[float, float]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def best(cmd: list[str], repeat: int, env: dict | None = None, cwd: Path | None = None
         ) -> tuple[float, float]:
    """Fastest wall and lowest CPU of ``repeat`` runs ("{i}" in ``cmd``: the run number)."""
    runs = [timed([c.replace("{i}", str(i)) for c in cmd], env, cwd) for i in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


IN_PROCESS = """
import sys, time
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.simulate import Simulation
data = load_labelled_csv(sys.argv[1])
rows = [data.row_of(p) for p in sys.argv[2:4]]
preset = sys.argv[4] if len(sys.argv) > 4 else None
t = time.process_time()
result = Simulation(data.texts, data.labels, rows, seed=1, preset=preset).run()
print(time.process_time() - t, len(result.order), ",".join(map(str, result.order)))
"""


def in_process_presets(name: str, data: Path, priors: list[str], presets: list[str],
                       repeat: int) -> str:
    """Loop CPU seconds of each preset on one dataset, alternating, best of ``repeat``."""
    cpu: dict[str, list[float]] = {p: [] for p in presets}
    orders: dict[str, list[str]] = {}
    for _ in range(repeat):
        for p in presets:
            out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(data), *priors, p],
                                 check=True, capture_output=True, text=True, cwd=ROOT).stdout
            seconds, steps, order = out.split()
            cpu[p].append(float(seconds))
            orders[p] = order.split(",")
    first = orders[presets[0]]
    cells = [name, f"{os.getloadavg()[0]:.1f}"]
    for p in presets:
        same = sum(a == b for a, b in zip(first, orders[p]))
        cells += [f"{min(cpu[p]):.2f}", f"{len(orders[p])}", f"{same}"]
    cells.append(f"{min(cpu[presets[0]]) / min(cpu[presets[-1]]):.2f}x")
    return "| " + " | ".join(cells) + " |"


def in_process(name: str, data: Path, priors: list[str], before: Path | None,
               repeat: int) -> str:
    trees = {"ours": None, "before": before} if before else {"ours": None}
    cpu: dict[str, list[float]] = {k: [] for k in trees}
    orders = {}
    for _ in range(repeat):
        for key, tree in trees.items():
            # python -c puts the working folder first on sys.path: run in the tree itself
            env = {**os.environ, **({"PYTHONPATH": str(tree.resolve())} if tree else {})}
            out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(data), *priors],
                                 check=True, capture_output=True, text=True, env=env,
                                 cwd=tree or ROOT).stdout
            seconds, steps, orders[key] = out.split()
            cpu[key].append(float(seconds))
    cells = [name, f"{os.getloadavg()[0]:.1f}", steps, f"{min(cpu['ours']):.2f}"]
    if before:
        cells += [f"{min(cpu['before']):.2f}", f"{min(cpu['before']) / min(cpu['ours']):.2f}x",
                  "same" if orders["ours"] == orders["before"] else "DIFFERENT"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--before", type=Path, help="source tree of an earlier nlp_review")
    ap.add_argument("--in-process", action="store_true",
                    help="time only the simulation loop (CPU s), ours against --before")
    ap.add_argument("--preset", help="our preset (default: the default preset)")
    ap.add_argument("--presets", type=lambda v: v.split(","),
                    help="with --in-process: compare these presets (comma-separated)")
    args = ap.parse_args()
    if args.in_process and args.presets:
        cols = ["dataset", "load"]
        for p in args.presets:
            cols += [f"{p} loop CPU s", "decisions", f"same position as {args.presets[0]}"]
        cols.append(f"speed-up {args.presets[-1]} over {args.presets[0]}")
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for name in args.datasets:
            ids, labels = load_ids_labels(name)
            print(in_process_presets(name, DATA / f"{name}.csv", priors_for(ids, labels, 1),
                                     args.presets, args.repeat), flush=True)
        return
    if args.in_process:
        cols = ["dataset", "load", "decisions", "ours loop CPU s"]
        if args.before:
            cols += ["before loop CPU s", "speed-up", "order"]
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for name in args.datasets:
            ids, labels = load_ids_labels(name)
            print(in_process(name, DATA / f"{name}.csv", priors_for(ids, labels, 1),
                             args.before, args.repeat), flush=True)
        return
    exe = ensure_asreview()
    cols = ["dataset", "load", "ours wall s", "ours CPU s"]
    if args.before:
        cols += ["before wall s", "before CPU s"]
    cols += ["ASReview wall s", "ASReview CPU s", "wall ratio", "CPU ratio"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for name in args.datasets:
        ids, labels = load_ids_labels(name)
        priors = priors_for(ids, labels, 1)
        data = DATA / f"{name}.csv"
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            sim = ["simulate", str(data), "--prior", priors[0], "--prior", priors[1],
                   "--seed", "1", "--out"]
            mine = ["--preset", args.preset] if args.preset else []
            ours = best([str(NLP_REVIEW), *sim, f"{tmp}/ours", *mine], args.repeat)
            cells = [name, f"{load:.1f}", f"{ours[0]:.2f}", f"{ours[1]:.2f}"]
            if args.before:
                env = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
                cmd = [sys.executable, "-c", "from nlp_review.cli.app import main; main()",
                       *sim, f"{tmp}/before"]
                before = best(cmd, args.repeat, env, cwd=args.before)  # cwd: sys.path[0]
                same = filecmp.cmp(f"{tmp}/ours/order.csv", f"{tmp}/before/order.csv",
                                   shallow=False)
                cells += [f"{before[0]:.2f}", f"{before[1]:.2f}" + ("" if same else
                                                                     " (order differs!)")]
            rows = [str(ids.index(p)) for p in priors]
            peer = best([str(exe), "simulate", str(data), "--prior-idx", *rows, "--seed", "1",
                         "-o", f"{tmp}/x{{i}}.asreview"], args.repeat)
        cells += [f"{peer[0]:.2f}", f"{peer[1]:.2f}", f"{peer[0] / ours[0]:.1f}x",
                  f"{peer[1] / ours[1]:.1f}x"]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
