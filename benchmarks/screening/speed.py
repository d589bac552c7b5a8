"""Head-to-head speed of one full simulation, both tools run the same way: as a command
line, back to back, same priors (seed 1 as in run.py), measuring wall time and CPU time
(user + system of the child process, which includes interpreter start-up and imports).

    nice -n 10 /work/venv/bin/python benchmarks/screening/speed.py cohen_adhd clef2017_cd010023
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATA, WORK, ensure_asreview, load_ids_labels, priors_for  # noqa: E402

NLP_REVIEW = Path(sys.executable).parent / "nlp-review"


def timed(cmd: list[str]) -> tuple[float, float]:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    exe = ensure_asreview()
    print("| dataset | ours wall s | ours CPU s | ASReview wall s | ASReview CPU s | "
          "wall ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|")
    for name in sys.argv[1:]:
        ids, labels = load_ids_labels(name)
        priors = priors_for(ids, labels, 1)
        data = DATA / f"{name}.csv"
        with tempfile.TemporaryDirectory(dir=WORK) as tmp:
            ours = timed([str(NLP_REVIEW), "simulate", str(data), "--prior", priors[0],
                          "--prior", priors[1], "--seed", "1", "--out", f"{tmp}/ours"])
            rows = [str(ids.index(p)) for p in priors]
            peer = timed([str(exe), "simulate", str(data), "--prior-idx", *rows, "--seed", "1",
                          "-o", f"{tmp}/x.asreview"])
        print(f"| {name} | {ours[0]:.1f} | {ours[1]:.1f} | {peer[0]:.1f} | {peer[1]:.1f} | "
              f"{peer[0] / ours[0]:.1f}x | {peer[1] / ours[1]:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
