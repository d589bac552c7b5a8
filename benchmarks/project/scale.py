"""Scale of the project path: 100,000 records written as two exports (RIS and CSV) are
imported into a fresh project, then deduplicated through the store, as a user would with
`nlp-review import` and `nlp-review dedupe`. Prints wall time and peak memory of each step
(each step runs in its own process so its peak RSS is its own) and the pairwise precision
and recall of the duplicate groups against the planted truth.

    python benchmarks/project/scale.py [--n 100000] [--seed 1]

Targets (issue 2): import < 60 s, dedupe < 60 s, each under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "dedup"))


def _step(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; return its JSON result plus time and peak RSS."""
    wrapper = (
        "import json, resource, time, sys\n"
        "t0 = time.perf_counter()\n" + code +
        "\nresult['seconds'] = round(time.perf_counter() - t0, 2)\n"
        "result['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"
        " / 1024)\nprint(json.dumps(result))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pairs(groups):
    return {(a, b) for g in groups for a, b in combinations(sorted(g), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from synth import synthesise

    from nlp_review.formats import write_csv, write_ris

    work = Path(tempfile.mkdtemp(prefix="nlp-review-scale-"))
    t0 = time.perf_counter()
    records, truth = synthesise(args.n, seed=args.seed)
    half = len(records) // 2
    ris_path, csv_path = work / "part1.ris", work / "part2.csv"
    ris_path.write_text(write_ris([r for _, r in records[:half]]), encoding="utf-8")
    csv_path.write_text(write_csv([{**r.to_dict(), "record_id": i}
                                   for i, r in records[half:]]), encoding="utf-8")
    print(f"built {len(records)} records ({len(truth)} planted duplicate groups) in "
          f"{time.perf_counter() - t0:.1f} s; files {ris_path.stat().st_size >> 20} MB RIS + "
          f"{csv_path.stat().st_size >> 20} MB CSV", flush=True)

    proj = work / "project"
    imp = _step(
        "from pathlib import Path\n"
        "from nlp_review.store.project import init_project\n"
        "from nlp_review.workflows.importing import import_file\n"
        f"p = init_project(Path({str(proj)!r}))\n"
        f"n = sum(import_file(p, Path(f)).n_records for f in ({str(ris_path)!r}, "
        f"{str(csv_path)!r}))\n"
        "result = {'records': n}\n")
    print(f"import: {imp['records']} records in {imp['seconds']} s, peak {imp['peak_rss_mb']} MB",
          flush=True)
    ded = _step(
        "from pathlib import Path\n"
        "from nlp_review.store.project import open_project\n"
        "from nlp_review.workflows.deduplicating import run_dedupe\n"
        f"p = open_project(Path({str(proj)!r}))\n"
        "r = run_dedupe(p.conn)\n"
        "groups = {}\n"
        "for rid, gid in p.conn.execute('SELECT id, group_id FROM records'):\n"
        "    groups.setdefault(gid, []).append(rid)\n"
        "result = {'unique': r.groups_after, 'grey': r.grey_pairs,\n"
        "          'groups': [g for g in groups.values() if len(g) > 1]}\n")
    # store ids are 1..n in file order, synth ids are the records' order too
    order = [i for i, _ in records]
    to_synth = {n + 1: sid for n, sid in enumerate(order)}
    found = _pairs([[to_synth[i] for i in g] for g in ded["groups"]])
    true = _pairs(truth)
    tp = len(found & true)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(true) if true else 1.0
    print(f"dedupe: {ded['unique']} unique records, {ded['grey']} grey pairs, in "
          f"{ded['seconds']} s, peak {ded['peak_rss_mb']} MB; pairwise precision "
          f"{precision:.4f}, recall {recall:.4f}")
    print(json.dumps({"n": len(records), "import_s": imp["seconds"],
                      "import_peak_mb": imp["peak_rss_mb"], "dedupe_s": ded["seconds"],
                      "dedupe_peak_mb": ded["peak_rss_mb"], "precision": round(precision, 4),
                      "recall": round(recall, 4)}))


if __name__ == "__main__":
    main()
