"""Run bib-dedupe (the peer) on one CSV and write its duplicate groups as JSON.

Executed by the peer's own virtualenv python (see run.py), never by ours:
    python peer_runner.py records.csv groups.json
The CSV uses BibTeX column names (ID, ENTRYTYPE, title, author, year, journal, ...).
Writes {"groups": [[ID, ...], ...], "seconds": float} with every ID in exactly one group."""

from __future__ import annotations

import json
import resource
import sys
import time

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep


def main(src: str, dst: str) -> None:
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    records = prep(df, verbosity_level=0, cpu=1)
    pairs = block(records, verbosity_level=0, cpu=1)
    matched = match(pairs, verbosity_level=0, cpu=1)
    clusters = cluster(matched, verbosity_level=0)
    seconds = time.perf_counter() - start
    seen: set[str] = set()
    groups: list[list[str]] = []
    for c in clusters:
        g = sorted(set(c) - seen)
        seen.update(g)
        if g:
            groups.append(g)
    groups += [[i] for i in df["ID"] if i not in seen]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump({"groups": groups, "seconds": seconds, "peak_rss_mb": peak_mb}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
