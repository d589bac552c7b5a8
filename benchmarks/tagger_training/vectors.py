"""Build the in-domain word vectors the span model can use (``train-tagger --vectors``).

Texts: the title and abstract of every record of the screening datasets
(``--datasets``, default ../shared/datasets/screening/*.csv), except the records of the
gold splits named by ``--exclude-split`` (default holdout6, the round-9 held-out gold,
looked up by (dataset, record_id) in annotations/gold/selection.csv; a record elsewhere with
the same title or abstract text as an excluded one is left out too), so the measure stays
unseen. Method: nlp_review.annotate.vectors (PPMI + truncated SVD, scikit-learn; nothing is
downloaded). Output: a blank spaCy pipeline folder holding the table in its vocab
(``spacy.load`` reads it), build figures in its meta.json.

    nice -n 10 /work/venv/bin/python benchmarks/tagger_training/vectors.py \
        --out /tmp/nlp_review_vectors
    nlp-review train-tagger --vectors /tmp/nlp_review_vectors ...
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SELECTION = REPO / "annotations" / "gold" / "selection.csv"
DATASETS = REPO.parent / "shared" / "datasets" / "screening"
DEFAULT_EXCLUDE = "holdout6"  # round 9, the held-out gold being measured
NEIGHBOURS = ["support", "trust", "mentoring", "peer", "adherence", "teachers", "rural",
              "coaching", "motivation", "stigma"]


def excluded_records(selection: Path, splits: set[str]) -> set[tuple[str, str]]:
    """(dataset, record_id) of the selection rows in ``splits`` (only those two columns and
    the split are read)."""
    with open(selection, newline="", encoding="utf-8") as handle:
        return {(row["dataset"], row["record_id"]) for row in csv.DictReader(handle)
                if row.get("split") in splits}


def read_texts(paths: list[Path], excluded: set[tuple[str, str]]
               ) -> tuple[list[str], dict[str, int], int]:
    """Titles and abstracts of the records not excluded, the records kept per dataset, and
    how many records were left out."""
    csv.field_size_limit(sys.maxsize)
    records: list[tuple[str, str, list[str]]] = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                parts = [(row.get(k) or "").strip() for k in ("title", "abstract")]
                records.append((path.stem, str(row.get("record_id", "")),
                                [p for p in parts if p]))
    held = {t for ds, rid, parts in records if (ds, rid) in excluded for t in parts}
    texts: list[str] = []
    kept: dict[str, int] = {}
    left_out = 0
    for ds, rid, parts in records:
        if (ds, rid) in excluded or any(p in held for p in parts):
            left_out += 1
            continue
        kept[ds] = kept.get(ds, 0) + 1
        texts.extend(parts)
    return texts, kept, left_out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    from nlp_review.annotate import vectors as v

    ap.add_argument("--out", type=Path, default=Path("/tmp/nlp_review_vectors"))
    ap.add_argument("--datasets", type=Path, nargs="*",
                    help=f"screening CSVs (default: {DATASETS}/*.csv)")
    ap.add_argument("--selection", type=Path, default=SELECTION)
    ap.add_argument("--exclude-split", action="append",
                    help="gold split whose records are left out (repeatable; default "
                         "holdout6; 'none': none)")
    ap.add_argument("--rows", type=int, default=v.DEFAULT_ROWS)
    ap.add_argument("--dims", type=int, default=v.DEFAULT_DIMS)
    ap.add_argument("--window", type=int, default=v.DEFAULT_WINDOW)
    ap.add_argument("--min-count", type=int, default=v.DEFAULT_MIN_COUNT)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.time()
    paths = args.datasets or sorted(DATASETS.glob("*.csv"))
    paths = [p for p in paths if p.name != "MANIFEST.csv"]
    if not paths:
        sys.exit(f"no screening CSVs found ({DATASETS})")
    splits = set(args.exclude_split or [DEFAULT_EXCLUDE]) - {"none"}
    excluded = excluded_records(args.selection, splits) if splits else set()
    texts, kept, left_out = read_texts(paths, excluded)
    print(f"{sum(kept.values())} records from {len(kept)} datasets ({len(texts)} titles and "
          f"abstracts); left out {left_out} records of split(s) {sorted(splits)} "
          f"({len(excluded)} in {args.selection.name}) or with the same text", flush=True)
    words, table, info = v.build_vectors(texts, rows=args.rows, dims=args.dims,
                                         window=args.window, min_count=args.min_count,
                                         seed=args.seed)
    info.update({"records": sum(kept.values()), "datasets": kept,
                 "excluded_splits": sorted(splits), "excluded_records": left_out})
    v.save_vectors(args.out, words, table, info)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{info['tokens']} tokens, {info['rows']} rows x {info['dims']} dims "
          f"(token coverage {info['token_coverage']:.3f}); {args.out} {size / 1e6:.1f} MB; "
          f"{time.time() - t0:.0f} s", flush=True)
    index = {w: i for i, w in enumerate(words)}
    for word in NEIGHBOURS:
        if word not in index:
            continue
        sims = table @ table[index[word]]
        near = [words[i] for i in sims.argsort()[::-1][1:9]]
        print(f"  {word}: {', '.join(near)}")


if __name__ == "__main__":
    main()
