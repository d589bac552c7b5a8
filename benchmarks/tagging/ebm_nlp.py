"""External check of population tagging on EBM-NLP participant spans (development split).

Precision: the share of our population tags that lie inside a participant span marked by the
EBM-NLP annotators. Recall: the share of participant spans that contain at least one of our
population tags. Both are given for "inside" (the tag lies wholly within the span) and
"overlap" (they share at least one character). EBM-NLP is about clinical trials, mostly
adults, and marks conditions as participants, so low recall is expected for a taxonomy
about children, young people and families.

    nice -n 10 /work/venv/bin/python benchmarks/tagging/ebm_nlp.py
"""

from __future__ import annotations

import collections
import json
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / ".." / "shared" / "datasets" / "ebm_nlp" / "participants_dev.jsonl"


def main() -> None:
    from nlp_review.tagging import build_pipeline
    from nlp_review.tagging.run import tag_stream

    nlp = build_pipeline()
    gold = {}
    with open(DATA, encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            gold[obj["id"]] = [(s["start"], s["end"]) for s in obj["spans"]]
    items = ((obj_id, text) for obj_id, text in _texts())
    tags = inside = overlap = 0
    spans_total = spans_inside = spans_overlap = 0
    by_label: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    start = time.perf_counter()
    n = 0
    for rid, text, spans in tag_stream(nlp, items):
        n += 1
        parts = gold[rid]
        pop = [(s["start"], s["end"], s["label"]) for s in spans if s["group"] == "population"]
        for a, b, label in pop:
            tags += 1
            is_in = any(s <= a and b <= e for s, e in parts)
            inside += is_in
            overlap += any(a < e and s < b for s, e in parts)
            by_label[label][0] += 1
            by_label[label][1] += is_in
        for s, e in parts:
            spans_total += 1
            spans_inside += any(s <= a and b <= e for a, b, _ in pop)
            spans_overlap += any(a < e and s < b for a, b, _ in pop)
    took = time.perf_counter() - start
    print(f"{n} abstracts, {spans_total} participant spans, {tags} population tags "
          f"({took:.0f} s)")
    print(f"precision (tag inside a participant span):  {inside / tags:.3f}  "
          f"(overlapping: {overlap / tags:.3f})")
    print(f"recall (span holds >= 1 population tag):    {spans_inside / spans_total:.3f}  "
          f"(overlapping: {spans_overlap / spans_total:.3f})")
    print("per label: tags, share inside a participant span")
    for label, (count, hit) in sorted(by_label.items(), key=lambda kv: -kv[1][0]):
        print(f"  {label:22} {count:6} {hit / count:6.3f}")


def _texts():
    with open(DATA, encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            yield obj["id"], obj["text"]


if __name__ == "__main__":
    main()
