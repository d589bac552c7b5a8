"""Build the tagging gold set (``annotations/gold/{train,test}.jsonl``) from the part files.

It also writes ``annotations/gold/test_fresh.jsonl``: only the texts of the third round
(batches ``e`` and ``f``, all in the test split and also in ``test.jsonl``), the fresh test
batch that no rule or model was tuned on (until it was scored, 2026-11-26), and
``annotations/gold/holdout.jsonl``: the texts of the fourth round (batches ``g`` and ``h``,
split ``holdout``), kept out of ``train.jsonl`` and ``test.jsonl`` so that work tuned on
those two files never reads them, and ``annotations/gold/holdout2.jsonl``: the texts of the
fifth round (batches ``j``, ``k``, ``l``, split ``holdout2``), kept out of every other file
for the same reason once the fourth round had been scored and tuned on, and
``annotations/gold/holdout3.jsonl``: the sixth round (batches ``n``, ``o``, ``p``, split
``holdout3``), kept out of every other file once the fifth round had been scored and read, and
``annotations/gold/holdout4.jsonl``: the seventh round (batches ``r``, ``s``, ``t``, split
``holdout4``), kept out of every other file once the sixth round had been scored and read, and
``annotations/gold/holdout5.jsonl``: the eighth round (batches ``v``, ``w``, ``x``, split
``holdout5``), kept out of every other file once the seventh round had been scored and read,
``annotations/gold/holdout6.jsonl``: the ninth round (batches ``y``, ``z``, split
``holdout6``), the same once the eighth round had been scored and read, and
``annotations/gold/train2.jsonl``: the tenth round (batches ``aa``, ``ab``, ..., split
``train2``), the rest of the pool, annotated as training gold for the span model. Selected texts that
have no part file yet are simply not built, so a partly annotated batch builds.

Annotators write one human-friendly part file per text,
``annotations/gold/parts/<batch>/<dataset>__<record_id>.txt`` (format in
``annotations/GUIDELINES.md`` section 9)::

    annotator: A
    low-income -> population:LOW_INCOME
    families@2 -> population:FAMILIES
    reduce loneliness -> outcome:LONELINESS neg hedge

This script resolves every phrase to exact character offsets in the text the tagger reads,
``Record(title, abstract).text`` built from the source dataset row, and writes one JSON line
per text, sorted by id::

    {"id": "<dataset>:<record_id>", "text": ..., "spans": [{"start", "end", "label", "group",
     "negated", "hedged"}], "meta": {"dataset", "record_id", "licence", "split", "annotator"}}

Every problem in every part file (unknown file, phrase not found, ambiguous phrase without an
occurrence index, unknown label...) is reported at once with file and line, and nothing is
written. Run from anywhere: ``python annotations/tools/build_gold.py``; it also refreshes the
counts section of ``annotations/README.md`` (``--stats`` prints the span counts per group and
label as a Markdown table; ``--check`` resolves every part file and reports, writing nothing).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
SCREENING = SHARED / "datasets" / "screening"
TAXONOMY = SHARED / "docs" / "TAXONOMY.md"
GOLD = REPO / "annotations" / "gold"
SELECTION = GOLD / "selection.csv"
README = REPO / "annotations" / "README.md"
COUNTS_START, COUNTS_END = "<!-- counts:start -->", "<!-- counts:end -->"
PARTS = GOLD / "parts"
GROUPS = ("mechanism", "population", "setting", "intervention", "outcome")
FRESH_BATCHES = ("e", "f")  # round three: a fresh test batch nobody tunes on
SPLITS = ("train", "test", "holdout", "holdout2", "holdout3", "holdout4",
          "holdout5", "holdout6",  # rounds four to nine
          "train2")  # round ten: training gold for the span model

sys.path.insert(0, str(REPO))
from nlp_review.records import Record  # noqa: E402

_LINE = re.compile(
    r"^(?P<phrase>.+?)(?:@(?P<occ>\*|\d+(?:\s*,\s*\d+)*))?\s*->\s*"
    r"(?P<group>[a-z]+)\s*:\s*(?P<label>[A-Z_]+)(?P<flags>(?:\s+\w+)*)\s*$")
_FLAGS = {"neg": "negated", "hedge": "hedged"}


class GoldError(Exception):
    """One or more problems in the part files; ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    group: str
    negated: bool
    hedged: bool

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label,
                "group": self.group, "negated": self.negated, "hedged": self.hedged}


def _show(path: Path) -> str:
    """A path relative to the repository when it is inside it (for messages)."""
    try:
        return str(path.resolve().relative_to(REPO.resolve()))
    except ValueError:
        return str(path)


def taxonomy_labels(path: Path = TAXONOMY) -> dict[str, set[str]]:
    """{group: {LABEL, ...}} read from the label tables of the shared taxonomy."""
    labels: dict[str, set[str]] = {}
    group = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+):", line)
        if heading:
            group = heading.group(1)
            labels[group] = set()
            continue
        cell = re.match(r"^\| ([A-Z][A-Z_]+) \|", line)
        if cell and group:
            labels[group].add(cell.group(1))
    return labels


def read_selection(path: Path = SELECTION) -> dict[str, dict[str, str]]:
    """{"<dataset>__<record_id>": selection row}."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {f"{row['dataset']}__{row['record_id']}": row for row in csv.DictReader(handle)}


def source_texts(dataset: str, record_ids: set[str]) -> dict[str, str]:
    """{record_id: title + blank line + abstract} for the wanted rows of a screening dataset."""
    texts = {}
    with open(SCREENING / f"{dataset}.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["record_id"] in record_ids:
                texts[row["record_id"]] = Record(title=row.get("title"),
                                                 abstract=row.get("abstract")).text
    return texts


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The phrase with flexible whitespace, anchored at word boundaries where it has words."""
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    before = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    after = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return re.compile(before + body + after)


def resolve(text: str, phrase: str, occurrence: str | None) -> list[tuple[int, int]]:
    """Offsets of the chosen occurrence(s) of ``phrase``; ValueError says what is wrong."""
    found = [(m.start(), m.end()) for m in phrase_pattern(phrase).finditer(text)]
    if not found:
        raise ValueError(f"phrase {phrase!r} not found in the text")
    if occurrence is None:
        if len(found) > 1:
            raise ValueError(f"phrase {phrase!r} occurs {len(found)} times; add @n "
                             f"(1..{len(found)}), @n,m or @*")
        return found
    if occurrence == "*":
        return found
    picked = []
    for number in (int(n) for n in occurrence.split(",")):
        if not 1 <= number <= len(found):
            raise ValueError(f"phrase {phrase!r} has {len(found)} occurrence(s), not @{number}")
        picked.append(found[number - 1])
    return picked


def parse_part(path: Path, text: str, labels: dict[str, set[str]],
               problems: list[str]) -> tuple[str | None, list[Span]]:
    """The annotator and spans of one part file; problems are appended, not raised."""
    annotator = None
    spans: list[Span] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{_show(path)}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("annotator:"):
            annotator = line.split(":", 1)[1].strip() or None
            continue
        match = _LINE.match(line)
        if not match:
            problems.append(f"{where}: cannot read {line!r}; expected "
                            "'phrase[@n] -> group:LABEL [neg] [hedge]'")
            continue
        group, label = match["group"], match["label"]
        if group not in labels:
            problems.append(f"{where}: unknown group {group!r}; valid: {', '.join(GROUPS)}")
            continue
        if label not in labels[group]:
            problems.append(f"{where}: {label!r} is not a {group} label; valid: "
                            f"{', '.join(sorted(labels[group]))}")
            continue
        flags = match["flags"].split()
        bad = [flag for flag in flags if flag not in _FLAGS]
        if bad:
            problems.append(f"{where}: unknown flag(s) {bad}; valid: neg, hedge")
            continue
        try:
            offsets = resolve(text, match["phrase"].strip(), match["occ"])
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        for start, end in offsets:
            spans.append(Span(start, end, label, group, "neg" in flags, "hedge" in flags))
    keys = Counter((s.start, s.end, s.label) for s in spans)
    for (start, end, label), count in keys.items():
        if count > 1:
            problems.append(f"{_show(path)}: span {text[start:end]!r} "
                            f"[{start}:{end}] marked {label} {count} times")
    return annotator, sorted(spans, key=lambda s: (s.start, s.end, s.group, s.label))


def build(parts_dir: Path = PARTS, selection_path: Path = SELECTION,
          check_batch: bool = True) -> list[dict[str, object]]:
    """Every annotated text as a gold record, sorted by id; GoldError lists all problems.

    ``check_batch=False`` accepts part files in any sub-folder (used for the second,
    agreement annotations, which are not part of the gold set)."""
    selection = read_selection(selection_path)
    labels = taxonomy_labels()
    problems: list[str] = []
    wanted: dict[str, list[tuple[Path, dict[str, str]]]] = {}
    for path in sorted(parts_dir.glob("*/*.txt")):
        row = selection.get(path.stem)
        if row is None:
            problems.append(f"{_show(path)}: not in {selection_path.name}; the file name "
                            "must be <dataset>__<record_id>.txt of a selected text")
        elif check_batch and path.parent.name != row["batch"]:
            problems.append(f"{_show(path)}: selected for batch {row['batch']!r}, "
                            f"not {path.parent.name!r}")
        else:
            wanted.setdefault(row["dataset"], []).append((path, row))
    records = []
    for dataset, items in sorted(wanted.items()):
        texts = source_texts(dataset, {row["record_id"] for _, row in items})
        for path, row in items:
            text = texts.get(row["record_id"])
            if text is None:
                problems.append(f"{_show(path)}: record {row['record_id']} not found "
                                f"in {dataset}.csv")
                continue
            annotator, spans = parse_part(path, text, labels, problems)
            records.append({
                "id": f"{dataset}:{row['record_id']}", "text": text,
                "spans": [span.to_dict() for span in spans],
                "meta": {"dataset": dataset, "record_id": row["record_id"],
                         "licence": row["licence"], "split": row["split"],
                         "annotator": annotator or row["batch"].upper()}})
    if problems:
        raise GoldError(problems)
    return sorted(records, key=lambda record: str(record["id"]))


def fresh_records(records: list[dict[str, object]],
                  selection_path: Path = SELECTION) -> list[dict[str, object]]:
    """The built records of the third round (batches e and f), in the given order."""
    selection = read_selection(selection_path)
    fresh = {f"{row['dataset']}:{row['record_id']}" for row in selection.values()
             if row["batch"] in FRESH_BATCHES}
    return [record for record in records if record["id"] in fresh]


def write_jsonl(records: list[dict[str, object]], path: Path) -> None:
    """Write atomically: a temporary file in the same folder, renamed over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def stats_table(records: list[dict[str, object]]) -> str:
    """Markdown table of span counts (train / test / all) per group and label."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for record in records:
        split = record["meta"]["split"]  # type: ignore[index]
        for span in record["spans"]:  # type: ignore[union-attr]
            counts[(span["group"], span["label"], split)] += 1  # type: ignore[index]
    labels = taxonomy_labels()
    lines = ["| group | label | train | test | all |", "|---|---|---:|---:|---:|"]
    for group in GROUPS:
        totals = [0, 0]
        for label in sorted(labels[group]):
            train, test = counts[(group, label, "train")], counts[(group, label, "test")]
            totals[0] += train
            totals[1] += test
            lines.append(f"| {group} | {label} | {train} | {test} | {train + test} |")
        lines.append(f"| **{group}** | **all** | **{totals[0]}** | **{totals[1]}** | "
                     f"**{sum(totals)}** |")
    return "\n".join(lines)


def dataset_table(records: list[dict[str, object]]) -> str:
    """Markdown table of texts per source dataset, licence and split."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for record in records:
        meta = record["meta"]
        counts[(meta["dataset"], meta["licence"], meta["split"])] += 1  # type: ignore[index]
    lines = ["| dataset | licence | train | test |", "|---|---|---:|---:|"]
    for dataset, licence in sorted({(d, lic) for d, lic, _ in counts}):
        lines.append(f"| {dataset} | {licence} | {counts[(dataset, licence, 'train')]} | "
                     f"{counts[(dataset, licence, 'test')]} |")
    return "\n".join(lines)


def counts_block(records: list[dict[str, object]]) -> str:
    """The generated counts section of annotations/README.md (between the markers)."""
    n_train = sum(1 for r in records if r["meta"]["split"] == "train")  # type: ignore[index]
    n_spans = sum(len(r["spans"]) for r in records)  # type: ignore[arg-type]
    return (f"{COUNTS_START}\n{len(records)} texts ({n_train} train, {len(records) - n_train} "
            f"test), {n_spans} spans.\n\n{dataset_table(records)}\n\n{stats_table(records)}\n"
            f"{COUNTS_END}")


def update_readme(records: list[dict[str, object]], path: Path = README) -> None:
    """Rewrite the counts section of the README, if it has the markers."""
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    start, end = text.find(COUNTS_START), text.find(COUNTS_END)
    if start < 0 or end < start:
        return
    new = text[:start] + counts_block(records) + text[end + len(COUNTS_END):]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(new)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stats", action="store_true",
                        help="also print span counts per group and label (Markdown)")
    parser.add_argument("--check", action="store_true",
                        help="resolve every part file and report problems; write nothing")
    args = parser.parse_args(argv)
    try:
        records = build()
    except GoldError as error:
        print(f"{len(error.problems)} problem(s) in the part files; nothing written:",
              file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    if args.check:
        print(f"{len(records)} texts, {sum(len(r['spans']) for r in records)} spans: "  # type: ignore[arg-type]
              "every part file resolves (nothing written)", file=sys.stderr)
        return 0
    for split in SPLITS:
        chosen = [r for r in records if r["meta"]["split"] == split]  # type: ignore[index]
        write_jsonl(chosen, GOLD / f"{split}.jsonl")
        n_spans = sum(len(r["spans"]) for r in chosen)  # type: ignore[arg-type]
        print(f"{split}: {len(chosen)} texts, {n_spans} spans -> "
              f"annotations/gold/{split}.jsonl", file=sys.stderr)
    fresh = fresh_records(records)
    write_jsonl(fresh, GOLD / "test_fresh.jsonl")
    print(f"test_fresh: {len(fresh)} texts (round three, also in test.jsonl), "
          f"{sum(len(r['spans']) for r in fresh)} spans -> "  # type: ignore[arg-type]
          "annotations/gold/test_fresh.jsonl", file=sys.stderr)
    # the README counts train and test; the holdout batches stay out of them (and their label
    # counts out of sight of pattern work) until they have been scored, and so does train2
    update_readme([r for r in records  # type: ignore[index]
                   if r["meta"]["split"] in ("train", "test")])
    if args.stats:
        print(stats_table(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
