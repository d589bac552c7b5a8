"""Inter-annotator agreement on a double-annotated sample of the gold set.

Annotator A re-annotated a seeded random sample of batch "b" texts independently (without
reading B's part files), in ``annotations/agreement/a_on_b/`` (same part-file format). This
script resolves both annotations with ``build_gold.py`` and reports, per group and overall,
the agreement as F1 with B's spans as the reference (F1 is symmetric in the two annotators):
``exact`` = same start, end and label; ``overlap`` = same label and overlapping offsets
(the same two matching modes as ``nlp-review evaluate``), plus agreement on ``negated`` and
``hedged`` for spans matched exactly.

    python annotations/tools/agreement.py            # print the table
    python annotations/tools/agreement.py --current  # against B's part files as they are now
    python annotations/tools/agreement.py --sample   # print the sample ids to annotate

By default B's part files are read from git at ``B_FIRST_PASS``, the commit where batch b was
first complete, because B later revised batch b to guideline sections 10-12, which were partly
written from this very comparison: comparing with the revised files would overstate agreement.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE_SEED = 5
SAMPLE_SIZE = 20
SECOND = HERE.parent / "agreement" / "a_on_b"
B_FIRST_PASS = "90061d534c12fb7fa965110ba32ee56753110ce1"


def _build_gold():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_gold", HERE / "build_gold.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def sample_ids(selection: dict[str, dict[str, str]]) -> list[str]:
    """The seeded sample of batch-b texts that annotator A annotates a second time."""
    batch_b = sorted(key for key, row in selection.items() if row["batch"] == "b")
    return sorted(random.Random(SAMPLE_SEED).sample(batch_b, SAMPLE_SIZE))


def _f1(matched: int, n_gold: int, n_other: int) -> float:
    precision = matched / n_other if n_other else 1.0
    recall = matched / n_gold if n_gold else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _matches(reference: list[dict], other: list[dict], overlap: bool) -> int:
    """Greedy one-to-one matching of spans with the same label."""
    used: set[int] = set()
    count = 0
    for ref in reference:
        for index, span in enumerate(other):
            if index in used or span["label"] != ref["label"]:
                continue
            same = (span["start"], span["end"]) == (ref["start"], ref["end"])
            if same or (overlap and span["start"] < ref["end"] and ref["start"] < span["end"]):
                used.add(index)
                count += 1
                break
    return count


def agreement(first: list[dict], second: list[dict], groups: tuple[str, ...]) -> list[tuple]:
    """Rows (scope, n_first, n_second, exact F1, overlap F1) per group and overall."""
    by_id = {record["id"]: record for record in first}
    rows = []
    for scope in (*groups, "all"):
        n_a = n_b = exact = loose = 0
        for record in second:
            ref = [s for s in by_id[record["id"]]["spans"] if scope in ("all", s["group"])]
            oth = [s for s in record["spans"] if scope in ("all", s["group"])]
            n_a, n_b = n_a + len(ref), n_b + len(oth)
            exact += _matches(ref, oth, overlap=False)
            loose += _matches(ref, oth, overlap=True)
        rows.append((scope, n_a, n_b, _f1(exact, n_a, n_b), _f1(loose, n_a, n_b)))
    return rows


def attribute_agreement(first: list[dict], second: list[dict]) -> dict[str, float]:
    """Share of exactly matched spans whose negated / hedged values agree."""
    by_id = {record["id"]: record for record in first}
    same = {"negated": 0, "hedged": 0}
    total = 0
    for record in second:
        ref = {(s["start"], s["end"], s["label"]): s for s in by_id[record["id"]]["spans"]}
        for span in record["spans"]:
            match = ref.get((span["start"], span["end"], span["label"]))
            if match:
                total += 1
                for key in same:
                    same[key] += match[key] == span[key]
    return {key: value / total if total else 1.0 for key, value in same.items()}


def _first_pass(gold, sample: list[str]) -> list[dict]:  # type: ignore[no-untyped-def]
    """B's annotations of the sample as committed at B_FIRST_PASS."""
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "b"
        batch.mkdir()
        for key in sample:
            text = subprocess.run(
                ["git", "show", f"{B_FIRST_PASS}:annotations/gold/parts/b/{key}.txt"],
                cwd=HERE, capture_output=True, text=True, check=True).stdout
            (batch / f"{key}.txt").write_text(text, encoding="utf-8")
        return gold.build(Path(tmp))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", action="store_true", help="print the sample ids and exit")
    parser.add_argument("--current", action="store_true",
                        help="compare with B's part files in the working tree, not B_FIRST_PASS")
    args = parser.parse_args(argv)
    gold = _build_gold()
    sample = sample_ids(gold.read_selection())
    if args.sample:
        print("\n".join(sample))
        return 0
    missing = [key for key in sample if not (SECOND / f"{key}.txt").exists()]
    if missing:
        print(f"second annotation missing for {missing}", file=sys.stderr)
        return 1
    if args.current:
        primary = [r for r in gold.build() if r["id"].replace(":", "__") in sample]
    else:
        primary = _first_pass(gold, sample)
    if len(primary) != len(sample):
        print("batch b is not fully annotated yet for the sample", file=sys.stderr)
        return 1
    secondary = gold.build(SECOND.parent, check_batch=False)
    rows = agreement(primary, secondary, gold.GROUPS)
    where = "working tree" if args.current else f"commit {B_FIRST_PASS[:7]}"
    print(f"{len(sample)} texts annotated by B (reference, {where}) and A (second)")
    print("| group | spans B | spans A | exact F1 | overlap F1 |")
    print("|---|---:|---:|---:|---:|")
    for scope, n_a, n_b, exact, loose in rows:
        print(f"| {scope} | {n_a} | {n_b} | {exact:.2f} | {loose:.2f} |")
    attrs = attribute_agreement(primary, secondary)
    print(f"\nOn exactly matched spans: negated agrees {attrs['negated']:.0%}, "
          f"hedged agrees {attrs['hedged']:.0%}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
