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
``--before`` wrote the same order.csv as the current code.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATA, WORK, ensure_asreview, load_ids_labels, priors_for  # noqa: E402

NLP_REVIEW = Path(sys.executable).parent / "nlp-review"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def best(cmd: list[str], repeat: int, env: dict | None = None) -> tuple[float, float]:
    """Fastest wall and lowest CPU of ``repeat`` runs ("{i}" in ``cmd``: the run number)."""
    runs = [timed([c.replace("{i}", str(i)) for c in cmd], env) for i in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--before", type=Path, help="source tree of an earlier nlp_review")
    args = ap.parse_args()
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
            ours = best([str(NLP_REVIEW), *sim, f"{tmp}/ours"], args.repeat)
            cells = [name, f"{load:.1f}", f"{ours[0]:.2f}", f"{ours[1]:.2f}"]
            if args.before:
                env = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
                cmd = [sys.executable, "-c", "from nlp_review.cli.app import main; main()",
                       *sim, f"{tmp}/before"]
                before = best(cmd, args.repeat, env)
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
