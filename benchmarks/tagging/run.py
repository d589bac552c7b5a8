"""Throughput and memory of the tagger on every abstract in ../shared/datasets/screening/.

Prints tokens per second for spaCy's tokenizer alone (the ceiling), the tagger in one process
and with --n-process 2 (the same code path as `nlp-review tag --input ... --output ...`), and
the peak RSS of one-process runs over half and over all of the input (memory should be flat:
texts are streamed). Each measurement runs in its own subprocess so its peak RSS is its own.

    nice -n 10 /work/venv/bin/python benchmarks/tagging/run.py [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENING = REPO / ".." / "shared" / "datasets" / "screening"


def write_corpus(path: Path, limit: int | None) -> int:
    from nlp_review.records import Record

    csv.field_size_limit(sys.maxsize)
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for src in sorted(SCREENING.glob("*.csv")):
            with open(src, encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    text = Record(title=row.get("title"), abstract=row.get("abstract")).text
                    if not text:
                        continue
                    out.write(json.dumps({"id": f"{src.stem}:{row.get('record_id')}",
                                          "text": text}) + "\n")
                    n += 1
                    if limit and n >= limit:
                        return n
    return n


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def worker(mode: str, corpus: Path, limit: int, n_process: int) -> dict:
    import itertools

    from nlp_review.tagging import build_pipeline
    from nlp_review.tagging.run import read_texts, tag_file

    nlp = build_pipeline()
    items = itertools.islice(read_texts(corpus), limit)
    wall, cpu = time.perf_counter(), time.process_time()
    if mode == "tokenizer":
        texts = tokens = 0
        for doc in nlp.tokenizer.pipe(text for _, text in items):
            texts += 1
            tokens += len(doc)
        result = {"texts": texts, "tokens": tokens}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            part = Path(tmp) / "part.jsonl"
            with open(part, "w", encoding="utf-8") as out:
                for rid, text in items:
                    out.write(json.dumps({"id": rid, "text": text}) + "\n")
            wall, cpu = time.perf_counter(), time.process_time()
            texts = tag_file(nlp, part, Path(tmp) / "out.jsonl", n_process=n_process)
            spans = sum(len(json.loads(line)["spans"]) for line in open(Path(tmp) / "out.jsonl"))
        result = {"texts": texts, "spans": spans}
    result["wall_s"] = time.perf_counter() - wall
    result["cpu_s"] = time.process_time() - cpu  # this process only
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_worker(mode: str, corpus: Path, limit: int, n_process: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--worker", mode, "--corpus", str(corpus),
           "--limit", str(limit), "--n-process", str(n_process)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="Only the first N abstracts.")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus, args.limit or None,
                                args.n_process)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "abstracts.jsonl"
        n = write_corpus(corpus, args.limit or None)
        half = n // 2
        print(f"{n} abstracts from {SCREENING.resolve()} ({os.cpu_count()} CPUs)")
        tok_half = run_worker("tokenizer", corpus, half)
        tok_all = run_worker("tokenizer", corpus, n)
        tokens = tok_all["tokens"]
        rows = [("spaCy tokenizer alone", tok_all, tokens)]
        rows.append(("tagger, 1 process, half input", run_worker("tag", corpus, half),
                     tok_half["tokens"]))
        rows.append(("tagger, 1 process", run_worker("tag", corpus, n), tokens))
        rows.append(("tagger, --n-process 2", run_worker("tag", corpus, n, 2), tokens))
    print(f"{'run':32} {'texts':>7} {'tokens':>10} {'wall s':>8} {'tok/s wall':>11} "
          f"{'tok/s cpu':>10} {'peak RSS MB':>12}")
    for name, r, toks in rows:
        cpu_rate = f"{toks / r['cpu_s']:,.0f}" if "2" not in name.split(",")[-1] else "-"
        print(f"{name:32} {r['texts']:>7} {toks:>10,} {r['wall_s']:>8.1f} "
              f"{toks / r['wall_s']:>11,.0f} {cpu_rate:>10} {r['peak_rss_mb']:>12.0f}")
    print("tok/s cpu = tokens / CPU seconds of the main process (not meaningful with 2 "
          "processes); the machine is shared, so wall-clock rates vary with load.")


if __name__ == "__main__":
    main()
