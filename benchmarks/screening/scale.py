"""Scale check for screening: a project of N records (default 100,000) built by
concatenating the shared screening datasets and lightly perturbing the copies, then:
import, vectorise + rank (open a screening session), and the time from each decision to
the next record being ready; peak memory (max RSS) of the process.

    nice -n 10 /work/venv/bin/python benchmarks/screening/scale.py [--records 100000] [--decisions 30] [--preset NAME]

Targets (issue 3): 100k records import + vectorise + rank < 2 min; next record < 1 s after
a decision; peak memory < 4 GB. For 10,000 records the next record should be ready within
about 0.2 s (run with --records 10000).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "datasets" / "screening"
WORK = ROOT / "benchmarks" / ".work" / "scale"
sys.path.insert(0, str(ROOT))

from nlp_review.screening.session import ScreeningSession  # noqa: E402
from nlp_review.store.project import init_project  # noqa: E402
from nlp_review.workflows.importing import import_file  # noqa: E402


def perturb(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 5:
        for _ in range(max(1, len(words) // 40)):
            i = rng.randrange(len(words))
            op = rng.random()
            if op < 0.4:
                del words[i]
            elif op < 0.7:
                words[i] = words[i].lower() if rng.random() < 0.5 else words[i].upper()
            elif i + 1 < len(words):
                words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def build_csv(n: int, path: Path) -> dict[str, int]:
    """A CSV of n unlabelled records; returns record_id -> true label (kept aside)."""
    rows = []
    for f in sorted(DATA.glob("*.csv")):
        if f.name == "MANIFEST.csv":
            continue
        with open(f, newline="", encoding="utf-8") as fh:
            rows += [dict(r, _src=f.stem) for r in csv.DictReader(fh)]
    rng = random.Random(0)
    labels: dict[str, int] = {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "title", "abstract", "authors", "year"])
        for k in range(n):
            r = rows[k % len(rows)]
            copy = k // len(rows)
            title = r["title"] if copy == 0 else perturb(r["title"], rng)
            abstract = r["abstract"] if copy == 0 else perturb(r["abstract"], rng)
            rid = f"s{k + 1}"
            w.writerow([rid, title, abstract, r["authors"], r["year"]])
            labels[rid] = int(r["label_included"])
    return labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=30)
    ap.add_argument("--preset", default=None, help="model preset (default: the default one)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    csv_path = WORK / f"records_{args.records}.csv"
    t = time.perf_counter()
    labels = build_csv(args.records, csv_path)
    print(f"built {csv_path.name}: {args.records} records in {time.perf_counter() - t:.1f} s")
    proj_dir = WORK / f"project_{args.records}"
    shutil.rmtree(proj_dir, ignore_errors=True)
    project = init_project(proj_dir)

    t0, c0 = time.perf_counter(), time.process_time()
    report = import_file(project, csv_path)
    t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
    t1, c1 = time.perf_counter(), time.process_time()
    session = ScreeningSession(project.conn, reviewer="scale", preset=args.preset)
    work = session.next_work()
    t_rank, c_rank = time.perf_counter() - t1, time.process_time() - c1
    print(f"import: {report.n_records} records in {t_import:.1f} s wall, {c_import:.1f} s CPU")
    print(f"vectorise + first ranking: {t_rank:.1f} s wall, {c_rank:.1f} s CPU "
          f"({session.ranker.X_.shape[1]} features)")
    print(f"preset: {session.ranker.preset_.name}")
    print(f"import + vectorise + rank: {t_import + t_rank:.1f} s wall, "
          f"{c_import + c_rank:.1f} s CPU (target < 120 s)")

    source_id = dict(project.conn.execute("SELECT id, source_id FROM records"))
    waits, cpus = [], []
    for _ in range(args.decisions):
        label = labels[source_id[work.work_id]]
        t, c = time.perf_counter(), time.process_time()
        session.decide(work.work_id, label)
        work = session.next_work()
        waits.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    p = session.progress()
    print(f"{args.decisions} decisions ({p.included} included): decision -> next record "
          f"median {statistics.median(waits):.3f} s wall ({statistics.median(cpus):.3f} s CPU), "
          f"max {max(waits):.3f} s wall ({max(cpus):.3f} s CPU)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak memory (max RSS): {peak:.2f} GB (target < 4 GB)")
    project.close()


if __name__ == "__main__":
    main()
