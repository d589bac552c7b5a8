"""Deduplication benchmark: nlp_review.dedup against bib-dedupe, same files, same run.

    nice -n 10 /work/venv/bin/python benchmarks/dedup/run.py [--scale 100000]
        [--peer-scale 10000] [--skip-peer] [--skip-endnote] [--datasets NAME ...]

1. Pairwise precision/recall and unique-record counts on the sets with true duplicate groups
   in ../shared/datasets/dedup, for us and for the peer (bib-dedupe from PyPI, installed by
   this script into benchmarks/.work/bibdedupe-venv and run there by peer_runner.py); then a
   record-level check on endnote_xml/respiratory.xml (marked duplicates, no group ids).
2. Scale: ``--scale N`` synthetic records (synth.py) deduplicated in a fresh process; prints
   wall and CPU time, peak RSS and precision/recall on the planted duplicates. Then both tools
   on the same ``--peer-scale`` synthetic records (bib-dedupe is too slow for 100k here).
Results go to stdout and benchmarks/dedup/out/results.json."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dedup_data import (DATASETS, DEDUP_DATA, REPO, group_pairs, load_dataset,  # noqa: E402
                  load_endnote_marked, marked_scores, pairwise_scores)

WORK = REPO / "benchmarks" / ".work"
PEER_VENV = WORK / "bibdedupe-venv"
PEER_PY = PEER_VENV / "bin" / "python"
OUT = HERE / "out"


def ensure_peer() -> str:
    """Create the peer's virtualenv and install bib-dedupe into it (once)."""
    if not PEER_PY.exists():
        print(f"creating {PEER_VENV} and installing bib-dedupe ...", flush=True)
        venv.create(PEER_VENV, with_pip=True)
    probe = [str(PEER_PY), "-c", "import importlib.metadata as m; print(m.version('bib-dedupe'))"]
    done = subprocess.run(probe, capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run([str(PEER_PY), "-m", "pip", "install", "-q", "bib-dedupe"], check=True)
        done = subprocess.run(probe, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run_peer(csv_path: Path, timeout: float) -> dict:
    OUT.mkdir(exist_ok=True)
    dst = OUT / f"peer_{csv_path.parent.name}_{csv_path.stem}.json"
    start = time.perf_counter()
    subprocess.run([str(PEER_PY), str(HERE / "peer_runner.py"), str(csv_path), str(dst)],
                   check=True, timeout=timeout, cwd=OUT, stdout=subprocess.DEVNULL)
    result = json.loads(dst.read_text())
    result["wall_seconds"] = time.perf_counter() - start
    return result


def ours(records: list) -> tuple[list[list[int]], float, int]:
    from nlp_review.dedup import deduplicate

    start = time.perf_counter()
    result = deduplicate(records)
    return result.groups, time.perf_counter() - start, len(result.grey)


def bench_datasets(names: list[str], with_peer: bool, timeout: float) -> list[dict]:
    rows = []
    for name in names:
        records, truth = load_dataset(name)
        true_unique = len(records) - sum(len(g) - 1 for g in truth)
        groups, seconds, n_grey = ours(records)
        row = {"dataset": name, "records": len(records), "true_unique": true_unique,
               "ours": {**pairwise_scores(groups, truth), "unique": len(groups),
                        "seconds": round(seconds, 2), "grey_pairs": n_grey}}
        if with_peer:
            by_key = {r.source_id: i for i, r in records}
            peer = run_peer(DEDUP_DATA / name / "records_pre_merged.csv", timeout)
            peer_groups = [[by_key[k] for k in g] for g in peer["groups"]]
            row["bib_dedupe"] = {**pairwise_scores(peer_groups, truth),
                                 "unique": len(peer_groups),
                                 "seconds": round(peer["seconds"], 2)}
        rows.append(row)
        print_row(row)
    return rows


def bench_endnote(with_peer: bool, timeout: float) -> dict:
    """Held-out record-level check on respiratory.xml (duplicates marked, no group ids)."""
    from synth import write_csv

    records, marked = load_endnote_marked()
    print(f"\n## endnote_xml/respiratory.xml: {len(records)} records, {len(marked)} marked"
          " Duplicate (not used for tuning)")
    groups, seconds, n_grey = ours(records)
    row = {"dataset": "respiratory.xml", "ours": {**marked_scores(groups, marked),
                                                  "seconds": round(seconds, 2)}}
    if with_peer:
        OUT.mkdir(exist_ok=True)
        path = OUT / "respiratory.csv"
        write_csv(records, path)
        peer = run_peer(path, timeout)
        peer_groups = [[int(k.split("_")[1]) for k in g] for g in peer["groups"]]
        row["bib_dedupe"] = {**marked_scores(peer_groups, marked),
                             "seconds": round(peer["seconds"], 2)}
    for who in ("ours", "bib_dedupe"):
        if who in row:
            r = row[who]
            print(f"  {who:<10} marked records grouped {r['marked_grouped']:.4f}  unmarked "
                  f"records merged {r['unmarked_merged']}  {r['seconds']:.1f}s", flush=True)
    return row


def print_row(row: dict) -> None:
    print(f"\n## {row['dataset']}: {row['records']} records, {row['true_unique']} true unique")
    for who in ("ours", "bib_dedupe"):
        if who in row:
            r = row[who]
            extra = f"  grey pairs for review {r['grey_pairs']}" if "grey_pairs" in r else ""
            print(f"  {who:<10} precision {r['precision']:.4f}  recall {r['recall']:.4f}  "
                  f"pairs {r['pairs_correct']}/{r['pairs_found']} found, {r['pairs_true']} true"
                  f"  unique {r['unique']}  {r['seconds']:.1f}s{extra}", flush=True)


def scale_child(n: int, seed: int) -> None:
    """Runs in a fresh process: build N records, deduplicate, print JSON figures."""
    from synth import synthesise

    from nlp_review.dedup import deduplicate

    records, truth = synthesise(n, seed=seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    result = deduplicate(records)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # A wrong pair between two original (unperturbed) records is a duplicate the shared
    # datasets already held, or an error; count them apart.
    originals = {i for i, r in records if "#copy" not in (r.source_id or "")}
    wrong = group_pairs(result.groups) - group_pairs(truth)
    scores = pairwise_scores(result.groups, truth)
    print(json.dumps({"records": len(records), "planted_groups": len(truth),
                      "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak,
                      "load_average": os.getloadavg()[0],
                      "rss_before_dedup_mb": rss_before, "grey_pairs": len(result.grey),
                      "pairs_compared": result.n_compared, "unique": len(result.groups),
                      "true_unique": len(records) - sum(len(g) - 1 for g in truth),
                      **scores, "wrong_pairs_between_originals":
                      sum(1 for a, b in wrong if a in originals and b in originals)}))


def bench_scale(n: int, seed: int, peer_n: int, timeout: float) -> dict:
    print(f"\n## scale: {n} synthetic records (seed {seed}), fresh process", flush=True)
    done = subprocess.run([sys.executable, __file__, "--scale-child", str(n), "--seed",
                           str(seed)], capture_output=True, text=True, check=True)
    res = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  ours       {res['seconds']:.1f}s dedupe wall ({res['cpu_seconds']:.1f}s CPU; "
          f"load average {res['load_average']:.1f} on this shared 2-core machine)\n"
          f"             peak RSS {res['peak_rss_mb']:.0f} MB "
          f"(process, incl. building the records; {res['rss_before_dedup_mb']:.0f} MB before "
          f"dedupe)\n             planted duplicates: precision {res['precision']:.4f} recall "
          f"{res['recall']:.4f}  unique {res['unique']} (true {res['true_unique']}), "
          f"{res['pairs_compared']} pairs compared, {res['grey_pairs']} grey;\n             "
          f"{res['pairs_found'] - res['pairs_correct']} wrong pairs, of which "
          f"{res['wrong_pairs_between_originals']} join two unperturbed source records",
          flush=True)
    out = {"ours": res}
    if peer_n:
        out["versus_peer"] = bench_scale_peer(peer_n, seed, timeout)
    return out


def bench_scale_peer(n: int, seed: int, timeout: float) -> dict:
    """Both tools on the same smaller synthetic collection (the peer is slow at 100k)."""
    from synth import synthesise, write_csv

    print(f"\n## scale vs peer: {n} synthetic records (seed {seed}), same CSV", flush=True)
    records, truth = synthesise(n, seed=seed)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"synth_{n}.csv"
    write_csv(records, path)
    groups, seconds, _grey = ours(records)
    s = pairwise_scores(groups, truth)
    out: dict = {"ours": {**s, "seconds": seconds, "unique": len(groups)}}
    print(f"  ours       {seconds:.1f}s; planted duplicates: precision {s['precision']:.4f} "
          f"recall {s['recall']:.4f}  unique {len(groups)}", flush=True)
    try:
        p = run_peer(path, timeout)
    except subprocess.TimeoutExpired:
        print(f"  bib_dedupe did not finish within {timeout:.0f}s", flush=True)
        out["bib_dedupe"] = {"timeout_seconds": timeout}
        return out
    peer_groups = [[int(k.split("_")[1]) for k in g] for g in p["groups"]]
    s = pairwise_scores(peer_groups, truth)
    out["bib_dedupe"] = {**s, "seconds": p["seconds"], "peak_rss_mb": p["peak_rss_mb"],
                         "unique": len(peer_groups)}
    print(f"  bib_dedupe {p['seconds']:.1f}s, peak RSS {p['peak_rss_mb']:.0f} MB; planted "
          f"duplicates: precision {s['precision']:.4f} recall {s['recall']:.4f}  unique "
          f"{len(peer_groups)}", flush=True)
    out["recall_by_fields"] = recall_by_fields(dict(records), truth, groups, peer_groups)
    return out


def recall_by_fields(records: dict, truth: list, ours_groups: list, peer_groups: list) -> dict:
    """Recall of both tools on planted pairs, split by whether both copies have authors and a
    journal (many screening-set records have neither)."""
    def kind(a: int, b: int) -> str:
        ra, rb = records[a], records[b]
        return ("authors" if ra.authors and rb.authors else "no authors") + (
            " + journal" if ra.journal and rb.journal else "")

    true_pairs = group_pairs(truth)
    found = {"ours": group_pairs(ours_groups), "bib_dedupe": group_pairs(peer_groups)}
    table: dict = {}
    for a, b in true_pairs:
        row = table.setdefault(kind(a, b), {"pairs": 0, "ours": 0, "bib_dedupe": 0})
        row["pairs"] += 1
        for who, pairs in found.items():
            row[who] += (a, b) in pairs
    for k, row in sorted(table.items()):
        print(f"    planted pairs with {k:<20} {row['pairs']:>6}: recall ours "
              f"{row['ours'] / row['pairs']:.3f}, bib_dedupe {row['bib_dedupe'] / row['pairs']:.3f}")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="*", default=list(DATASETS))
    ap.add_argument("--skip-peer", action="store_true", help="do not run bib-dedupe")
    ap.add_argument("--scale", type=int, default=100_000, help="synthetic records (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peer-scale", type=int, default=10_000,
                    help="synthetic records for the head-to-head with bib-dedupe (0: skip)")
    ap.add_argument("--peer-timeout", type=float, default=1800.0)
    ap.add_argument("--skip-endnote", action="store_true", help="skip respiratory.xml")
    ap.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_child:
        scale_child(args.scale_child, args.seed)
        return
    with_peer = not args.skip_peer
    version = ensure_peer() if with_peer else None
    print(f"nlp_review.dedup vs bib-dedupe {version or '(skipped)'}; data {DEDUP_DATA.resolve()}")
    results: dict = {"bib_dedupe_version": version,
                     "datasets": bench_datasets(args.datasets, with_peer, args.peer_timeout)}
    if not args.skip_endnote:
        results["endnote"] = bench_endnote(with_peer, args.peer_timeout)
    if args.scale:
        results["scale"] = bench_scale(args.scale, args.seed,
                                       args.peer_scale if with_peer else 0, args.peer_timeout)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
