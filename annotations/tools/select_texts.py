"""Pick the abstracts of the tagging gold set (issue 5, item 6), deterministically.

Sources: the screening datasets in ``../shared/datasets/screening/`` whose licence in
``MANIFEST.csv`` is CC0, CC-BY or MIT. ``ecec_adult_child_ratio`` (early childhood education
and care) is the main source; the others are searched for texts about children, young people,
families, parenting, social support, loneliness or mental health.

A text qualifies when its abstract is English, 400-3000 characters long, is not about animals,
and (outside ecec) has a title about a population, setting or outcome of interest and names
at least three distinct topic cues in title and abstract (conference abstract books excluded). Texts that name mechanism cues
(support, trust, networks, skills, empowerment...) are deliberately over-sampled because
mechanism spans are rare. The picks are split half into batch "a", half into batch "b"
(alternating through the picks grouped by dataset) and about a third of each batch into the "test" split.

A second round (issue 7), seeded separately so the first round stays exactly as it was, picks
100 texts not picked before from the same datasets with the same filters, favouring texts
that name mechanism or intervention cues (support, trust, network, mentor, peer, skills,
empowerment, programme/program, intervention, training, coaching, group): the qualifying
texts are ranked by the number of distinct such cues (ties in seeded random order) and the
top 100 taken. They are shuffled, the first 50 go to batch "c", the other 50 to batch "d",
and a seeded random third of each batch is "test". They are appended after the first round.

A third round (issues 5 and 7: a fresh test batch that nobody tunes on), seeded separately
again so rounds one and two stay exactly as they were, picks 60 texts not picked before in
the same way as round two (same datasets, licences and filters, ranked by distinct mechanism
or intervention cues, ties in seeded random order). They are shuffled, the first 30 go to
batch "e", the other 30 to batch "f", and all of them are "test". They are appended after
the second round.

A fourth round (2026-11-26: the third round has now been scored, so a new held-out batch),
seeded separately again so rounds one to three stay exactly as they were, picks 60 more
texts not picked before in the same way. They are shuffled, the first 30 go to batch "g",
the other 30 to batch "h", and their split is "holdout": they are built into their own file
(``annotations/gold/holdout.jsonl``), not into ``test.jsonl``, so that pattern and model
work tuned on train and test never reads them. They are appended after the third round.

A fifth round (2026-11-26, session 5: the fourth round has now been scored and tuned on, so
a new held-out batch again), seeded separately so rounds one to four stay exactly as they
were, picks 60 more texts not picked before in the same way. They are shuffled and dealt in
three batches of 20, "j", "k" and "l" (one annotator each; "i" names the annotator of the
round-four agreement sample), and their split is "holdout2": they are built only into
``annotations/gold/holdout2.jsonl``. They are appended after the fourth round.

A sixth round (2026-11-26, session 6: the fifth round has now been scored and its misses
read, so a new held-out batch again), seeded separately so rounds one to five stay exactly as
they were, picks 60 more texts not picked before in the same way. They are shuffled and dealt
in three batches of 20, "n", "o" and "p" (one annotator each; "M" named the annotator of the
round-five agreement sample), and their split is "holdout3": they are built only into
``annotations/gold/holdout3.jsonl``. They are appended after the fifth round.

A seventh round (2026-11-26, session 7: the sixth round has now been scored and its misses
read), seeded separately again, picks 60 more texts not picked before in the same way. The
pool has run out of texts naming two or more distinct mechanism/intervention cues, so these
texts name at most one: the round measures every group, but holds few mechanism and
intervention spans. They are dealt in three batches of 20, "r", "s" and "t" (one annotator
each; "Q" named the annotator of the round-six agreement sample), and their split is
"holdout4": they are built only into ``annotations/gold/holdout4.jsonl``. They are appended
after the sixth round.

A ninth round (2026-11-26, session 9: the eighth round has now been scored and its misses
read), seeded separately again, picks 60 more texts not picked before in the same way,
dealt in two batches of 30, "y" and "z"; split "holdout6", built only into
``annotations/gold/holdout6.jsonl``.

A tenth round (same day, selected together with the ninth so that the ninth is chosen
first, exactly as it would be alone) takes every qualifying text left in the pool: training
gold for the span model (issue 7), which needs more mechanism and intervention examples than
rounds one to eight hold. In seeded random order, the texts are dealt in turn into batches
"aa", "ab", ... of at most 20 (one annotator each); split "train2", built only into
``annotations/gold/train2.jsonl``. After this round the pool is empty.

Run from anywhere: ``python annotations/tools/select_texts.py`` (writes
``annotations/gold/selection.csv``; the same seeds always give the same file; ``--check``
only compares the file with a fresh selection).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENING = REPO / ".." / "shared" / "datasets" / "screening"
OUTPUT = REPO / "annotations" / "gold" / "selection.csv"

SEED = 20261125
MAIN_SOURCE = "ecec_adult_child_ratio"
N_MAIN_MECHANISM = 55   # ecec texts with >= 2 mechanism cues
N_MAIN_OTHER = 50       # other ecec texts
N_OTHER_SOURCES = 65    # texts from the remaining CC0/CC-BY datasets
MAX_PER_OTHER_SOURCE = 25
SECOND_SEED = SEED + 1  # its own generator: the first round must not change
N_SECOND = 100          # texts of the second round, half batch c, half batch d
THIRD_SEED = SEED + 2   # round three: its own generator again
N_THIRD = 60            # fresh test texts of the third round, half batch e, half batch f
FOURTH_SEED = SEED + 3  # round four: its own generator again
N_FOURTH = 60           # held-out texts of the fourth round, half batch g, half batch h
FIFTH_SEED = SEED + 4   # round five: its own generator again
N_FIFTH = 60            # held-out texts of the fifth round, batches j, k, l of 20
FIFTH_BATCHES = ("j", "k", "l")
SIXTH_SEED = SEED + 5   # round six: its own generator again
N_SIXTH = 60            # held-out texts of the sixth round, batches n, o, p of 20
SIXTH_BATCHES = ("n", "o", "p")
SEVENTH_SEED = SEED + 6  # round seven: its own generator again
N_SEVENTH = 60           # held-out texts of the seventh round, batches r, s, t of 20
SEVENTH_BATCHES = ("r", "s", "t")
EIGHTH_SEED = SEED + 7   # round eight: its own generator again
N_EIGHTH = 60            # held-out texts of the eighth round, batches v, w, x of 20
EIGHTH_BATCHES = ("v", "w", "x")
NINTH_SEED = SEED + 8    # round nine: its own generator again
N_NINTH = 60             # held-out texts of the ninth round, batches y, z of 30
NINTH_BATCHES = ("y", "z")
TENTH_SEED = SEED + 9    # round ten: every text left in the pool, as training gold
TENTH_BATCH_SIZE = 20    # at most this many texts per batch of round ten
MIN_ABSTRACT, MAX_ABSTRACT = 400, 3000
OPEN_LICENCES = re.compile(r"^(CC0|CC-BY(-\d\.\d)?|MIT)$")

TOPIC_CUES = ("child", "adolescen", "youth", "young people", "parent", "mother", "famil",
              "school", "peer", "loneliness", "lonely", "social support", "mentor", "depress",
              "anxiety", "wellbeing", "well-being")
MECHANISM_CUES = ("support", "trust", "network", "skill", "empower", "self-efficacy",
                  "confidence", "reciproc", "rapport", "role model", "stigma", "barrier",
                  "relationship", "mentor", "mutual")
TITLE_CUES = re.compile(r"child|infant|baby|babies|toddler|adolescen|youth|young|teen|pupil|"
                        r"student|kindergarten|preschool|p(a)?ediatric|parent|mother|father|"
                        r"maternal|famil|pregnan|school|peer|lonel|social support|mentor|"
                        r"depress|anxiety|wellbeing|well-being|mental health", re.IGNORECASE)
PROCEEDINGS = re.compile(r"\b(conference|abstracts|sessions|proceedings|congress)\b",
                         re.IGNORECASE)
ANIMALS = re.compile(r"\b(rats?|mice|mouse|murine|rodents?|dogs?|cats?|monkeys?|primates?|"
                     r"zebrafish|piglets?|sheep|animal models?)\b", re.IGNORECASE)
INTERVENTION_CUES = ("support", "trust", "network", "mentor", "peer", "skill", "empower",
                     "programme", "program", "intervention", "training", "coaching", "group")
ENGLISH_WORDS = re.compile(r"\b(the|and|of|to|in|with|was|were|for)\b", re.IGNORECASE)


def open_datasets() -> list[tuple[str, str]]:
    """(dataset, licence) for every dataset in the manifest with an open licence."""
    with open(SCREENING / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        return [(row["name"], row["licence"]) for row in csv.DictReader(handle)
                if OPEN_LICENCES.match(row["licence"].strip())]


def is_english(text: str) -> bool:
    words = text.split()
    ascii_share = sum(ch.isascii() for ch in text) / max(len(text), 1)
    return ascii_share > 0.97 and len(ENGLISH_WORDS.findall(text)) >= 0.12 * len(words)


def cue_count(text: str, cues: tuple[str, ...]) -> int:
    lower = text.lower()
    return sum(cue in lower for cue in cues)


def candidates(dataset: str) -> list[dict[str, object]]:
    """Qualifying rows of one dataset with their topic and mechanism cue counts."""
    rows = []
    with open(SCREENING / f"{dataset}.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = (row.get("title") or "").strip()
            abstract = (row.get("abstract") or "").strip()
            text = f"{title} {abstract}"
            if not (MIN_ABSTRACT <= len(abstract) <= MAX_ABSTRACT) or not title:
                continue
            if ANIMALS.search(text) or not is_english(abstract):
                continue
            on_topic = bool(TITLE_CUES.search(title)) and not PROCEEDINGS.search(title)
            rows.append({"dataset": dataset, "on_topic": on_topic, "record_id": row["record_id"],
                         "topic": cue_count(text, TOPIC_CUES),
                         "mechanism": cue_count(text, MECHANISM_CUES),
                         "intervention": cue_count(text, INTERVENTION_CUES)})
    return rows


def select(rng: random.Random) -> list[dict[str, object]]:
    licences = dict(open_datasets())
    if MAIN_SOURCE not in licences:
        raise SystemExit(f"{MAIN_SOURCE} is missing from MANIFEST.csv or not openly licensed")
    main = [row for row in candidates(MAIN_SOURCE) if row["topic"] >= 1]
    rich = [row for row in main if row["mechanism"] >= 2]
    picked = rng.sample(rich, N_MAIN_MECHANISM)
    chosen = {row["record_id"] for row in picked}
    rest = [row for row in main if row["record_id"] not in chosen]
    picked += rng.sample(rest, N_MAIN_OTHER)

    others = []
    for dataset in sorted(licences):
        if dataset == MAIN_SOURCE:
            continue
        pool = [row for row in candidates(dataset) if row["on_topic"] and (row["topic"] >= 4 or (row["topic"] >= 3 and row["mechanism"] >= 1))]
        rng.shuffle(pool)
        pool.sort(key=lambda row: -(int(row["topic"]) + int(row["mechanism"])))
        others += pool[:MAX_PER_OTHER_SOURCE]
    others.sort(key=lambda row: -(int(row["topic"]) + int(row["mechanism"])))
    picked += others[:N_OTHER_SOURCES]
    for row in picked:
        row["licence"] = licences[str(row["dataset"])]
    return picked


def assign(rows: list[dict[str, object]], rng: random.Random) -> list[dict[str, object]]:
    """Batch a/b alternately within each dataset (in random order); ~1/3 test per batch."""
    rows = sorted(rows, key=lambda row: (row["dataset"], int(str(row["record_id"]))))
    rng.shuffle(rows)
    rows.sort(key=lambda row: str(row["dataset"]))  # stable: random order within a dataset
    for n, row in enumerate(rows):
        row["batch"] = "ab"[n % 2]
    for batch in "ab":
        members = [row for row in rows if row["batch"] == batch]
        test = set(id(row) for row in rng.sample(members, round(len(members) / 3)))
        for row in members:
            row["split"] = "test" if id(row) in test else "train"
    return sorted(rows, key=lambda row: (row["dataset"], int(str(row["record_id"]))))


def _new_pool(taken: set[tuple[str, str]]) -> list[dict[str, object]]:
    """Qualifying texts not in ``taken``, by the filters of rounds two and three."""
    licences = dict(open_datasets())
    pool = []
    for dataset in sorted(licences):
        for row in candidates(dataset):
            if (dataset, str(row["record_id"])) in taken:
                continue
            if dataset == MAIN_SOURCE:
                qualifies = int(row["topic"]) >= 1
            else:
                qualifies = bool(row["on_topic"]) and int(row["topic"]) >= 3
            if qualifies:
                row["licence"] = licences[dataset]
                pool.append(row)
    return pool


def _cue_rich(taken: set[tuple[str, str]], n: int,
              rng: random.Random) -> list[dict[str, object]]:
    """The ``n`` new texts with most distinct mechanism/intervention cues, shuffled."""
    pool = _new_pool(taken)
    rng.shuffle(pool)
    pool.sort(key=lambda row: -int(row["intervention"]))  # stable: random order within ties
    picked = pool[:n]
    rng.shuffle(picked)
    return picked


def _taken(rows: list[dict[str, object]]) -> set[tuple[str, str]]:
    return {(str(row["dataset"]), str(row["record_id"])) for row in rows}


def _by_id(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(rows, key=lambda row: (row["dataset"], int(str(row["record_id"]))))


def select_second(first: list[dict[str, object]], rng: random.Random) -> list[dict[str, object]]:
    """Round two: N_SECOND new texts, most mechanism/intervention cues first; batches c, d."""
    picked = _cue_rich(_taken(first), N_SECOND, rng)
    half = len(picked) // 2
    for batch, members in (("c", picked[:half]), ("d", picked[half:])):
        test = set(id(row) for row in rng.sample(members, round(len(members) / 3)))
        for row in members:
            row["batch"] = batch
            row["split"] = "test" if id(row) in test else "train"
    return _by_id(picked)


def select_third(before: list[dict[str, object]], rng: random.Random) -> list[dict[str, object]]:
    """Round three: N_THIRD new texts picked like round two; batches e, f; all "test"."""
    picked = _cue_rich(_taken(before), N_THIRD, rng)
    half = len(picked) // 2
    for batch, members in (("e", picked[:half]), ("f", picked[half:])):
        for row in members:
            row["batch"] = batch
            row["split"] = "test"
    return _by_id(picked)


def select_fourth(before: list[dict[str, object]],
                  rng: random.Random) -> list[dict[str, object]]:
    """Round four: N_FOURTH new texts picked like round two; batches g, h; all "holdout"."""
    picked = _cue_rich(_taken(before), N_FOURTH, rng)
    half = len(picked) // 2
    for batch, members in (("g", picked[:half]), ("h", picked[half:])):
        for row in members:
            row["batch"] = batch
            row["split"] = "holdout"
    return _by_id(picked)


def _dealt(before: list[dict[str, object]], rng: random.Random, n_texts: int,
           batches: tuple[str, ...], split: str) -> list[dict[str, object]]:
    """``n_texts`` new texts picked like round two, dealt in equal ``batches``, all ``split``."""
    picked = _cue_rich(_taken(before), n_texts, rng)
    size = len(picked) // len(batches)
    for n, batch in enumerate(batches):
        for row in picked[n * size:(n + 1) * size]:
            row["batch"] = batch
            row["split"] = split
    return _by_id(picked)


def select_fifth(before: list[dict[str, object]],
                 rng: random.Random) -> list[dict[str, object]]:
    """Round five: N_FIFTH new texts picked like round two; batches j, k, l; "holdout2"."""
    return _dealt(before, rng, N_FIFTH, FIFTH_BATCHES, "holdout2")


def select_sixth(before: list[dict[str, object]],
                 rng: random.Random) -> list[dict[str, object]]:
    """Round six: N_SIXTH new texts picked like round two; batches n, o, p; "holdout3"."""
    return _dealt(before, rng, N_SIXTH, SIXTH_BATCHES, "holdout3")


def select_seventh(before: list[dict[str, object]],
                   rng: random.Random) -> list[dict[str, object]]:
    """Round seven: N_SEVENTH new texts picked like round two; batches r, s, t; "holdout4"."""
    return _dealt(before, rng, N_SEVENTH, SEVENTH_BATCHES, "holdout4")


def select_eighth(before: list[dict[str, object]],
                  rng: random.Random) -> list[dict[str, object]]:
    """Round eight: N_EIGHTH new texts picked like round two; batches v, w, x; "holdout5"."""
    return _dealt(before, rng, N_EIGHTH, EIGHTH_BATCHES, "holdout5")


def select_ninth(before: list[dict[str, object]],
                 rng: random.Random) -> list[dict[str, object]]:
    """Round nine: N_NINTH new texts picked like round two; batches y, z; "holdout6"."""
    return _dealt(before, rng, N_NINTH, NINTH_BATCHES, "holdout6")


def tenth_batches(n_texts: int) -> tuple[str, ...]:
    """Names of round ten's batches: "aa", "ab", ... enough for TENTH_BATCH_SIZE each."""
    n_batches = -(-n_texts // TENTH_BATCH_SIZE)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return tuple(letters[n // 26] + letters[n % 26] for n in range(n_batches))


def select_tenth(before: list[dict[str, object]],
                 rng: random.Random) -> list[dict[str, object]]:
    """Round ten: every qualifying text not picked before, in seeded random order, dealt in
    turn into batches "aa", "ab", ... of at most TENTH_BATCH_SIZE; split "train2"."""
    picked = _new_pool(_taken(before))
    rng.shuffle(picked)
    batches = tenth_batches(len(picked))
    for n, row in enumerate(picked):
        row["batch"] = batches[n % len(batches)]
        row["split"] = "train2"
    return _by_id(picked)


def all_rows() -> list[dict[str, object]]:
    """All rounds in file order: the first round, then the second, third, ... tenth."""
    rng = random.Random(SEED)
    first = assign(select(rng), rng)
    second = select_second(first, random.Random(SECOND_SEED))
    third = select_third(first + second, random.Random(THIRD_SEED))
    fourth = select_fourth(first + second + third, random.Random(FOURTH_SEED))
    before = first + second + third + fourth
    before = before + select_fifth(before, random.Random(FIFTH_SEED))
    before = before + select_sixth(before, random.Random(SIXTH_SEED))
    before = before + select_seventh(before, random.Random(SEVENTH_SEED))
    before = before + select_eighth(before, random.Random(EIGHTH_SEED))
    before = before + select_ninth(before, random.Random(NINTH_SEED))
    return before + select_tenth(before, random.Random(TENTH_SEED))


def to_csv(rows: list[dict[str, object]]) -> str:
    """The selection as CSV text, exactly as written to ``selection.csv``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["dataset", "record_id", "licence", "batch", "split"],
                            extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Select the texts of the tagging gold set (seeded; the same seeds always "
                    f"give the same file) and write {OUTPUT.relative_to(REPO)}.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the committed file differs from a "
                             "fresh selection")
    args = parser.parse_args(argv)
    text = to_csv(all_rows())
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print(f"{OUTPUT.relative_to(REPO)} is {'current' if same else 'NOT current'}",
              file=sys.stderr)
        return 0 if same else 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=OUTPUT.parent, prefix=OUTPUT.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, OUTPUT)
    print(f"wrote {text.count(chr(10)) - 1} rows to {OUTPUT.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
