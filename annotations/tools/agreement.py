"""Inter-annotator agreement on double-annotated samples of the gold set.

Seven studies, picked with ``--study`` (default ``a_on_b``):

``a_on_b`` (round one): annotator A re-annotated a seeded random sample of 20 batch-"b" texts
independently (without reading B's part files), in ``annotations/agreement/a_on_b/``. By default
B's part files are read from git at ``B_FIRST_PASS``, the commit where batch b was first
complete, because B later revised batch b to guideline sections 10-12, which were partly
written from this very comparison: comparing with the revised files would overstate agreement.

``i_on_gh`` (round four, the holdout split): annotator I annotated a seeded sample of 10 batch-g
and 10 batch-h texts (``I_SAMPLE_SEED``) independently, without reading G's or H's part files
or ``holdout.jsonl``, in ``annotations/agreement/i_on_gh/``. G's and H's part files are read from
git at the commits where each batch was finished (``GH_FINAL``), so later edits of the holdout
batches do not change the figure.

``m_on_jkl`` (round five, the second holdout split): annotator M annotated 18 texts, 6 of each of
batches j, k and l, chosen so that the sparse groups are represented (``m_sample_ids``: per batch
the 3 texts naming the most distinct mechanism/intervention cue words in the raw text, plus 3
drawn at random from the rest), without reading J's, K's or L's part files or ``holdout2.jsonl``,
in ``annotations/agreement/m_on_jkl/``. J's, K's and L's part files are read from git at the
commits where each batch was finished (``JKL_FINAL``); mechanism and intervention are also
reported per label.

``q_on_nop`` (round six, the third holdout split): annotator Q annotated 18 texts, 6 of each of
batches n, o and p, chosen by the rule of ``m_on_jkl`` (``cue_ranked_sample``) with the study's
own seed (``Q_SAMPLE_SEED``), without reading N's, O's or P's part files or ``holdout3.jsonl``,
in ``annotations/agreement/q_on_nop/``. The batch part files are read from git at the commits
where each batch was finished (``NOP_FINAL``); mechanism, intervention and outcome are also
reported per label.

``u_on_rst`` (round seven, the fourth holdout split): annotator U annotated 18 texts, 6 of each
of batches r, s and t, chosen by the same rule (``cue_ranked_sample``) with the study's own seed
(``U_SAMPLE_SEED``), without reading R's, S's or T's part files or ``holdout4.jsonl``, in
``annotations/agreement/u_on_rst/``. The batch part files are read from git at the commits where
each batch was finished (``RST_FINAL``); mechanism, intervention and outcome are also reported
per label. Every cue-ranked study carries its rule as ``Study.cue_sample`` (seed, top, drawn).

``y_on_vwx`` (round eight, the fifth holdout split): annotator Y annotated 18 texts, 6 of each
of batches v, w and x, chosen by the same rule with the study's own seed (``Y_SAMPLE_SEED``),
without reading V's, W's or X's part files or ``holdout5.jsonl``, in
``annotations/agreement/y_on_vwx/``. The batch part files are read from git at the commits where
each batch was finished (``VWX_FINAL``); the sample comes from ``study_sample`` and the
study's ``cue_sample`` alone (no study-specific sampling function).

``r9_on_yz`` (round nine, the sixth holdout split): annotator R9 annotated 18 texts, 9 of each of
batches y and z (30 texts each), chosen by the same rule with the study's own seed
(``R9_SAMPLE_SEED``) and 4 cue-richest plus 5 drawn per batch, without reading Y's or Z's part
files or ``holdout6.jsonl``, in ``annotations/agreement/r9_on_yz/``. The batch part files are
read from git at the commits where each batch was finished (``YZ_FINAL``); like ``y_on_vwx``
the study is only a ``Study`` entry.

The second annotations are not part of the gold set (``build_gold.py`` reads only
``annotations/gold/parts/``). Both sides are resolved with ``build_gold.py``; the report gives,
per group and overall, the agreement as F1 with the batch annotator's spans as the reference
(F1 is symmetric in the two annotators): ``exact`` = same start, end and label; ``overlap`` =
same label and overlapping offsets (the same two matching modes as ``nlp-review evaluate``),
plus agreement on ``negated`` and ``hedged`` for spans matched exactly.

    python annotations/tools/agreement.py                     # a_on_b table
    python annotations/tools/agreement.py --current           # against the part files as they are now
    python annotations/tools/agreement.py --sample            # the sample ids to annotate
    python annotations/tools/agreement.py --study i_on_gh     # round-four table (G/H vs I)
    python annotations/tools/agreement.py --study i_on_gh --disagreements  # + kinds, and every one
    python annotations/tools/agreement.py --study m_on_jkl --disagreements # round five (J/K/L vs M)
    python annotations/tools/agreement.py --study q_on_nop --disagreements # round six (N/O/P vs Q)
    python annotations/tools/agreement.py --study u_on_rst --disagreements # round seven (R/S/T vs U)
    python annotations/tools/agreement.py --study y_on_vwx --disagreements # round eight (V/W/X vs Y)
    python annotations/tools/agreement.py --study r9_on_yz --disagreements # round nine (Y/Z vs R9)
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
AGREEMENT = HERE.parent / "agreement"
SAMPLE_SEED = 5
SAMPLE_SIZE = 20
SECOND = AGREEMENT / "a_on_b"
B_FIRST_PASS = "90061d534c12fb7fa965110ba32ee56753110ce1"
I_SAMPLE_SEED = 20261126
I_PER_BATCH = 10
# The commits where G and H finished their batches ("batch g final" / "batch h final" or
# "round 4 complete" in `git log -- annotations/gold/parts/g annotations/gold/parts/h`).
GH_FINAL: dict[str, str] = {
    "g": "7f54b32e6acf1c657cf83c2e53b25e19de6d6bbd",  # round 4 complete ... batch g final
    "h": "04a173c3bca32cfab861a0b2d0034a5a39c1053c",  # gold holdout batch h final
}
M_SAMPLE_SEED = 20261130
M_TOP_PER_BATCH = 3
M_RANDOM_PER_BATCH = 3
# The commits where J, K and L finished their round-five batches.
JKL_FINAL: dict[str, str] = {
    "j": "81918caefcad548e9ab06bfcae9bcbad2114f249",  # gold round 5: batch j final
    "k": "862c020f90572d5ccce7cf874ef49998600de7c3",  # gold round 5: batch k final
    "l": "160821bc4f710df8acf570247b70100ffafd5009",  # gold round 5: batch l final
}
Q_SAMPLE_SEED = 20261201
Q_TOP_PER_BATCH = 3
Q_RANDOM_PER_BATCH = 3
# The commits where N, O and P finished their round-six batches.
NOP_FINAL: dict[str, str] = {
    "n": "bbe201575f206ade77c0e04d2b1ad6f2639be499",  # gold round 6: batch n final
    "o": "16a4fee3fa52c40193838845b0a4d1db0c6a07a4",  # gold round 6: batch o final
    "p": "6dbb9e26130610b526c95d865b02870f845e6a2d",  # gold round 6: batch p final
}
U_SAMPLE_SEED = 20261202
U_TOP_PER_BATCH = 3
U_RANDOM_PER_BATCH = 3
# The commits where R, S and T finished their round-seven batches.
RST_FINAL: dict[str, str] = {
    "r": "0f9f13a0ed94ef72edcf2ed76fbad2de47365b63",  # batch r final
    "s": "226921ac43dbb2cb7fff7d09917eb6ca8dd3836b",  # batch s final
    "t": "f91ee215b87ad334fcf2f53f243be04beea5b4ec",  # batch t final
}
Y_SAMPLE_SEED = 20261203
Y_TOP_PER_BATCH = 3
Y_RANDOM_PER_BATCH = 3
# The commits where V, W and X finished their round-eight batches.
VWX_FINAL: dict[str, str] = {
    "v": "c3590ed55073a84ea34c38ff9d20bcee3c67f112",  # gold round 8: batch v final
    "w": "c8e757f2183b8720f7f32d6c125421a26b0ca1eb",  # gold batch w final
    "x": "2d0762b364bdede2c6f460959ac09f411122a031",  # gold round 8: batch x final
}
R9_SAMPLE_SEED = 20261204
R9_TOP_PER_BATCH = 4
R9_RANDOM_PER_BATCH = 5
# The commits where Y and Z finished their round-nine batches.
YZ_FINAL: dict[str, str] = {
    "y": "915711dcfae066ab8af12174e01c0d9223affcbb",  # gold batch y final (holdout6)
    "z": "d5cb67c8b71b8e3bd328131bbdd0fce73c7fb3ac",  # gold batch z (holdout6) final
}


@dataclass(frozen=True)
class Study:
    """One double-annotation study: which texts, who annotated them, which commit is reference."""

    name: str
    second: Path
    second_annotator: str
    batches: tuple[str, ...]
    commits: dict[str, str] = field(default_factory=dict)
    # groups whose agreement is also printed per label (the sparse groups of m_on_jkl)
    label_groups: tuple[str, ...] = ()
    # cue-ranked samples (``cue_ranked_sample``): the study's seed, top and drawn per batch
    cue_sample: tuple[int, int, int] | None = None

    @property
    def reference_annotator(self) -> str:
        return "/".join(batch.upper() for batch in self.batches)


STUDIES = {
    "a_on_b": Study("a_on_b", SECOND, "A", ("b",), {"b": B_FIRST_PASS}),
    "i_on_gh": Study("i_on_gh", AGREEMENT / "i_on_gh", "I", ("g", "h"), GH_FINAL),
    "m_on_jkl": Study("m_on_jkl", AGREEMENT / "m_on_jkl", "M", ("j", "k", "l"), JKL_FINAL,
                      label_groups=("mechanism", "intervention"),
                      cue_sample=(M_SAMPLE_SEED, M_TOP_PER_BATCH, M_RANDOM_PER_BATCH)),
    "q_on_nop": Study("q_on_nop", AGREEMENT / "q_on_nop", "Q", ("n", "o", "p"), NOP_FINAL,
                      label_groups=("mechanism", "intervention", "outcome"),
                      cue_sample=(Q_SAMPLE_SEED, Q_TOP_PER_BATCH, Q_RANDOM_PER_BATCH)),
    "u_on_rst": Study("u_on_rst", AGREEMENT / "u_on_rst", "U", ("r", "s", "t"), RST_FINAL,
                      label_groups=("mechanism", "intervention", "outcome"),
                      cue_sample=(U_SAMPLE_SEED, U_TOP_PER_BATCH, U_RANDOM_PER_BATCH)),
    "y_on_vwx": Study("y_on_vwx", AGREEMENT / "y_on_vwx", "Y", ("v", "w", "x"), VWX_FINAL,
                      label_groups=("mechanism", "intervention", "outcome"),
                      cue_sample=(Y_SAMPLE_SEED, Y_TOP_PER_BATCH, Y_RANDOM_PER_BATCH)),
    "r9_on_yz": Study("r9_on_yz", AGREEMENT / "r9_on_yz", "R9", ("y", "z"), YZ_FINAL,
                      label_groups=("mechanism", "intervention", "outcome"),
                      cue_sample=(R9_SAMPLE_SEED, R9_TOP_PER_BATCH, R9_RANDOM_PER_BATCH)),
}


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


def i_sample_ids(selection: dict[str, dict[str, str]]) -> list[str]:
    """The seeded sample of holdout texts annotator I annotates: 10 of batch g, 10 of batch h.

    One ``random.Random(I_SAMPLE_SEED)`` draws from batch g's sorted ids, then from batch h's."""
    rng = random.Random(I_SAMPLE_SEED)
    picked: list[str] = []
    for batch in ("g", "h"):
        ids = sorted(key for key, row in selection.items() if row["batch"] == batch)
        picked += rng.sample(ids, I_PER_BATCH)
    return sorted(picked)


def _sparse_cues() -> tuple[str, ...]:
    """``MECHANISM_CUES`` + ``INTERVENTION_CUES`` of ``select_texts.py``, each once."""
    spec = importlib.util.spec_from_file_location("select_texts", HERE / "select_texts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(dict.fromkeys(module.MECHANISM_CUES + module.INTERVENTION_CUES))


def sparse_cue_rank(text: str, cues: tuple[str, ...]) -> tuple[int, int]:
    """(distinct cue words present, cue occurrences) in the raw text, case-insensitive."""
    lower = text.lower()
    return sum(cue in lower for cue in cues), sum(lower.count(cue) for cue in cues)


def cue_ranked_sample(selection: dict[str, dict[str, str]], texts: dict[str, str],
                      batches: tuple[str, ...], seed: int, top: int,
                      drawn: int) -> list[str]:
    """Per batch, the ``top`` texts naming the most sparse cues plus ``drawn`` random others.

    Mechanism and intervention spans are rare, so a plain random sample would hold almost
    none (round four's held 7 mechanism and no intervention span). Within each batch the texts
    are ranked by the number of distinct mechanism or intervention cue words
    (``MECHANISM_CUES`` + ``INTERVENTION_CUES`` of ``select_texts.py``) in the RAW text, never
    the gold spans; ties (frequent: most selected texts name only one to three distinct cue
    words) are broken by the number of cue occurrences, then at random (the sorted ids shuffled by the study's generator
    before a stable sort). The top ``top`` are taken, and ``drawn`` more are drawn from the
    rest (sorted ids). One ``random.Random(seed)`` serves all the batches, in the order given.
    ``texts`` maps each id to its text (title, blank line, abstract)."""
    rng = random.Random(seed)
    cues = _sparse_cues()
    picked: list[str] = []
    for batch in batches:
        ids = sorted(key for key, row in selection.items() if row["batch"] == batch)
        rank = {key: sparse_cue_rank(texts[key], cues) for key in ids}
        shuffled = list(ids)
        rng.shuffle(shuffled)
        ranked = sorted(shuffled, key=lambda key: (-rank[key][0], -rank[key][1]))
        rest = sorted(ranked[top:])
        picked += ranked[:top] + rng.sample(rest, drawn)
    return sorted(picked)


def m_sample_ids(selection: dict[str, dict[str, str]],
                 texts: dict[str, str]) -> list[str]:
    """The round-five sample annotator M annotates: 6 of each of batches j, k and l.

    ``cue_ranked_sample`` with ``random.Random(M_SAMPLE_SEED)``, j first, then k, then l:
    per batch the ``M_TOP_PER_BATCH`` cue-richest texts plus ``M_RANDOM_PER_BATCH`` drawn
    from the rest."""
    return cue_ranked_sample(selection, texts, ("j", "k", "l"), M_SAMPLE_SEED,
                             M_TOP_PER_BATCH, M_RANDOM_PER_BATCH)


def q_sample_ids(selection: dict[str, dict[str, str]],
                 texts: dict[str, str]) -> list[str]:
    """The round-six sample annotator Q annotates: 6 of each of batches n, o and p.

    The rule of ``m_sample_ids`` (``cue_ranked_sample``) with its own generator,
    ``random.Random(Q_SAMPLE_SEED)``, n first, then o, then p: per batch the
    ``Q_TOP_PER_BATCH`` cue-richest texts plus ``Q_RANDOM_PER_BATCH`` drawn from the rest."""
    return cue_ranked_sample(selection, texts, ("n", "o", "p"), Q_SAMPLE_SEED,
                             Q_TOP_PER_BATCH, Q_RANDOM_PER_BATCH)


def u_sample_ids(selection: dict[str, dict[str, str]],
                 texts: dict[str, str]) -> list[str]:
    """The round-seven sample annotator U annotates: 6 of each of batches r, s and t.

    The rule of ``q_sample_ids`` (``cue_ranked_sample``) with its own generator,
    ``random.Random(U_SAMPLE_SEED)``, r first, then s, then t: per batch the
    ``U_TOP_PER_BATCH`` cue-richest texts plus ``U_RANDOM_PER_BATCH`` drawn from the rest."""
    return cue_ranked_sample(selection, texts, ("r", "s", "t"), U_SAMPLE_SEED,
                             U_TOP_PER_BATCH, U_RANDOM_PER_BATCH)


def _texts(gold, selection: dict[str, dict[str, str]],  # type: ignore[no-untyped-def]
           batches: tuple[str, ...]) -> dict[str, str]:
    """{"<dataset>__<record_id>": text} of every selected text of the batches, from the CSVs."""
    wanted: dict[str, set[str]] = {}
    for row in selection.values():
        if row["batch"] in batches:
            wanted.setdefault(row["dataset"], set()).add(row["record_id"])
    return {f"{dataset}__{record_id}": text for dataset, ids in sorted(wanted.items())
            for record_id, text in gold.source_texts(dataset, ids).items()}


def study_sample(study: Study, selection: dict[str, dict[str, str]],
                 gold=None) -> list[str]:  # type: ignore[no-untyped-def]
    """The sample ids (``<dataset>__<record_id>``) of a study."""
    if study.name == "a_on_b":
        return sample_ids(selection)
    if study.name == "i_on_gh":
        return i_sample_ids(selection)
    if study.cue_sample is None:
        raise ValueError(f"study {study.name!r} has no sampling rule")
    gold = gold or _build_gold()
    texts = _texts(gold, selection, study.batches)
    seed, top, drawn = study.cue_sample
    return cue_ranked_sample(selection, texts, study.batches, seed, top, drawn)


def _f1(matched: int, n_gold: int, n_other: int) -> float:
    precision = matched / n_other if n_other else 1.0
    recall = matched / n_gold if n_gold else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _pairs(reference: list[dict], other: list[dict], overlap: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of spans with the same label: (reference, other) indices."""
    used: set[int] = set()
    pairs = []
    for ref_index, ref in enumerate(reference):
        for index, span in enumerate(other):
            if index in used or span["label"] != ref["label"]:
                continue
            same = (span["start"], span["end"]) == (ref["start"], ref["end"])
            if same or (overlap and span["start"] < ref["end"] and ref["start"] < span["end"]):
                used.add(index)
                pairs.append((ref_index, index))
                break
    return pairs


def _matches(reference: list[dict], other: list[dict], overlap: bool) -> int:
    """Greedy one-to-one matching of spans with the same label."""
    return len(_pairs(reference, other, overlap))


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


def label_agreement(first: list[dict], second: list[dict], group: str) -> list[tuple]:
    """Rows (label, n_first, n_second, exact F1, overlap F1) for every label of ``group``
    that either annotator used, most frequent first (then by name)."""
    by_id = {record["id"]: record for record in first}
    counts: Counter[str] = Counter()
    for record in second:
        for span in by_id[record["id"]]["spans"] + record["spans"]:
            if span["group"] == group:
                counts[span["label"]] += 1
    rows = []
    for label in sorted(counts, key=lambda name: (-counts[name], name)):
        n_a = n_b = exact = loose = 0
        for record in second:
            ref = [s for s in by_id[record["id"]]["spans"] if s["label"] == label]
            oth = [s for s in record["spans"] if s["label"] == label]
            n_a, n_b = n_a + len(ref), n_b + len(oth)
            exact += _matches(ref, oth, overlap=False)
            loose += _matches(ref, oth, overlap=True)
        rows.append((label, n_a, n_b, _f1(exact, n_a, n_b), _f1(loose, n_a, n_b)))
    return rows


def attribute_agreement(first: list[dict], second: list[dict]) -> dict[str, float]:
    """Share of exactly matched spans whose negated / hedged values agree."""
    return {key: value for key, value in _attribute_counts(first, second).items()
            if key in ("negated", "hedged")}


def _attribute_counts(first: list[dict], second: list[dict]) -> dict[str, float]:
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
    shares: dict[str, float] = {key: value / total if total else 1.0
                                for key, value in same.items()}
    shares["matched"] = total
    shares.update({f"{key}_differ": total - value for key, value in same.items()})
    return shares


KINDS = ("boundary", "label", "reference only", "second only")


def disagreements(first: list[dict], second: list[dict]) -> list[dict]:
    """Every span without an exact match on the other side, with the kind of disagreement.

    ``boundary``: the other side has an overlapping span with the same label (counted once,
    on the pair); ``label``: the other side has a span with the same offsets but another label,
    of any group (counted once, on the pair, in the reference span's group); otherwise the span
    is ``reference only`` (marked by the batch annotator alone) or ``second only``."""
    by_id = {record["id"]: record for record in first}
    found = []
    for record in second:
        ref, oth = by_id[record["id"]]["spans"], record["spans"]
        text = record["text"]
        exact = _pairs(ref, oth, overlap=False)
        ref_left = [i for i in range(len(ref)) if i not in {p[0] for p in exact}]
        oth_left = [i for i in range(len(oth)) if i not in {p[1] for p in exact}]
        rest_ref, rest_oth = [ref[i] for i in ref_left], [oth[i] for i in oth_left]
        done_ref: set[int] = set()
        done_oth: set[int] = set()
        for r, o in _pairs(rest_ref, rest_oth, overlap=True):
            done_ref.add(r)
            done_oth.add(o)
            found.append(_row(record["id"], "boundary", text, rest_ref[r], rest_oth[o]))
        for r, span in enumerate(rest_ref):
            if r in done_ref:
                continue
            for o, other in enumerate(rest_oth):
                if o not in done_oth and \
                        (other["start"], other["end"]) == (span["start"], span["end"]):
                    done_ref.add(r)
                    done_oth.add(o)
                    found.append(_row(record["id"], "label", text, span, other))
                    break
        found += [_row(record["id"], "reference only", text, span, None)
                  for r, span in enumerate(rest_ref) if r not in done_ref]
        found += [_row(record["id"], "second only", text, None, span)
                  for o, span in enumerate(rest_oth) if o not in done_oth]
    return found


def _row(key: str, kind: str, text: str, ref: dict | None, other: dict | None) -> dict:
    def show(span: dict | None) -> str:
        if span is None:
            return "-"
        flags = "".join(f" {flag}" for flag, on in (("neg", span["negated"]),
                                                     ("hedge", span["hedged"])) if on)
        return f"{text[span['start']:span['end']]!r} {span['label']}{flags}"
    group = (ref or other or {}).get("group", "")
    return {"id": key, "kind": kind, "group": group, "reference": show(ref),
            "second": show(other)}


def _from_git(gold, study: Study, sample: list[str],  # type: ignore[no-untyped-def]
              selection: dict[str, dict[str, str]]) -> list[dict]:
    """The batch annotators' part files of the sample as committed at the study's commits."""
    with tempfile.TemporaryDirectory() as tmp:
        for key in sample:
            batch = selection[key]["batch"]
            folder = Path(tmp) / batch
            folder.mkdir(exist_ok=True)
            shown = subprocess.run(
                ["git", "show", f"{study.commits[batch]}:annotations/gold/parts/{batch}/"
                 f"{key}.txt"], cwd=HERE, capture_output=True, text=True)
            if shown.returncode == 0:
                (folder / f"{key}.txt").write_text(shown.stdout, encoding="utf-8")
        return gold.build(Path(tmp))


def _from_tree(gold, sample: list[str], folder_of) -> list[dict]:  # type: ignore[no-untyped-def]
    """Build only the sample's part files (so other texts' half-done files cannot interfere)."""
    with tempfile.TemporaryDirectory() as tmp:
        for key in sample:
            source = folder_of(key) / f"{key}.txt"
            if source.exists():
                target = Path(tmp) / source.parent.name
                target.mkdir(exist_ok=True)
                shutil.copy(source, target / source.name)
        return gold.build(Path(tmp), check_batch=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", default="a_on_b", choices=sorted(STUDIES),
                        help="which double-annotation study (default a_on_b)")
    parser.add_argument("--sample", action="store_true", help="print the sample ids and exit")
    parser.add_argument("--current", action="store_true",
                        help="compare with the batch part files in the working tree, "
                             "not the study's pinned commit(s)")
    parser.add_argument("--disagreements", action="store_true",
                        help="also count the kinds of disagreement and list every one")
    args = parser.parse_args(argv)
    study = STUDIES[args.study]
    gold = _build_gold()
    selection = gold.read_selection()
    sample = study_sample(study, selection, gold)
    if args.sample:
        print("\n".join(sample))
        return 0
    missing = [key for key in sample if not (study.second / f"{key}.txt").exists()]
    if missing:
        print(f"second annotation missing for {missing}", file=sys.stderr)
        return 1
    unpinned = [batch for batch in study.batches if batch not in study.commits]
    if unpinned and not args.current:
        print(f"no pinned commit for batch(es) {unpinned} yet (set it in agreement.py once the "
              "batch is finished) or use --current", file=sys.stderr)
        return 1
    if args.current:
        primary = _from_tree(gold, sample,
                             lambda key: gold.PARTS / selection[key]["batch"])
    else:
        primary = _from_git(gold, study, sample, selection)
    if len(primary) != len(sample):
        print(f"batch {'/'.join(study.batches)} is not fully annotated yet for the sample",
              file=sys.stderr)
        return 1
    secondary = _from_tree(gold, sample, lambda key: study.second)
    rows = agreement(primary, secondary, gold.GROUPS)
    ref, sec = study.reference_annotator, study.second_annotator
    if args.current:
        where = "working tree"
    else:
        where = ", ".join(f"commit {study.commits[b][:7]}" for b in study.batches)
    print(f"{len(sample)} texts annotated by {ref} (reference, {where}) and {sec} (second)")
    print(f"| group | spans {ref} | spans {sec} | exact F1 | overlap F1 |")
    print("|---|---:|---:|---:|---:|")
    for scope, n_a, n_b, exact, loose in rows:
        print(f"| {scope} | {n_a} | {n_b} | {exact:.2f} | {loose:.2f} |")
    attrs = attribute_agreement(primary, secondary)
    print(f"\nOn exactly matched spans: negated agrees {attrs['negated']:.0%}, "
          f"hedged agrees {attrs['hedged']:.0%}.")
    if len(study.batches) > 1:
        _per_batch(gold, study, primary, secondary, selection)
    for group in study.label_groups:
        _per_label(study, group, primary, secondary)
    if args.disagreements:
        _print_disagreements(primary, secondary, study)
    return 0


def _per_batch(gold, study: Study, primary: list[dict], secondary: list[dict],  # type: ignore[no-untyped-def]
               selection: dict[str, dict[str, str]]) -> None:
    print(f"\n| batch | texts | spans {study.reference_annotator} | spans "
          f"{study.second_annotator} | exact F1 | overlap F1 |")
    print("|---|---:|---:|---:|---:|---:|")
    for batch in study.batches:
        ids = {r["id"] for r in secondary
               if selection[r["id"].replace(":", "__")]["batch"] == batch}
        rows = agreement([r for r in primary if r["id"] in ids],
                         [r for r in secondary if r["id"] in ids], gold.GROUPS)
        _, n_a, n_b, exact, loose = rows[-1]
        print(f"| {batch} | {len(ids)} | {n_a} | {n_b} | {exact:.2f} | {loose:.2f} |")


def _per_label(study: Study, group: str, primary: list[dict], secondary: list[dict]) -> None:
    ref, sec = study.reference_annotator, study.second_annotator
    print(f"\n| {group} label | spans {ref} | spans {sec} | exact F1 | overlap F1 |")
    print("|---|---:|---:|---:|---:|")
    for label, n_a, n_b, exact, loose in label_agreement(primary, secondary, group):
        print(f"| {label} | {n_a} | {n_b} | {exact:.2f} | {loose:.2f} |")


def _print_disagreements(primary: list[dict], secondary: list[dict], study: Study) -> None:
    found = disagreements(primary, secondary)
    counts = Counter((row["group"], row["kind"]) for row in found)
    groups = sorted({row["group"] for row in found})
    ref, sec = study.reference_annotator, study.second_annotator
    names = {"reference only": f"{ref} only", "second only": f"{sec} only"}
    print("\nSpans without an exact match, by kind (a boundary or label pair counts once):")
    print("| group | " + " | ".join(names.get(k, k) for k in KINDS) + " |")
    print("|---|" + "---:|" * len(KINDS))
    for group in groups:
        print(f"| {group} | " + " | ".join(str(counts[(group, k)]) for k in KINDS) + " |")
    print("| all | " + " | ".join(str(sum(counts[(g, k)] for g in groups)) for k in KINDS)
          + " |")
    attrs = _attribute_counts(primary, secondary)
    print(f"\nOf {attrs['matched']:.0f} exactly matched spans, negated differs on "
          f"{attrs['negated_differ']:.0f} and hedged on {attrs['hedged_differ']:.0f}.")
    print(f"\n{'id':<40} {'kind':<15} {ref:<40} {sec}")
    for row in sorted(found, key=lambda r: (r["group"], r["kind"], r["id"])):
        print(f"{row['id']:<40} {row['kind']:<15} {row['reference']:<40} {row['second']}")
    for row in attribute_differences(primary, secondary):
        print(f"{row['id']:<40} {row['kind']:<15} {row['reference']:<40} {row['second']}")


def attribute_differences(first: list[dict], second: list[dict]) -> list[dict]:
    """Exactly matched spans whose ``negated`` or ``hedged`` differ (kind ``neg/hedge``)."""
    by_id = {record["id"]: record for record in first}
    rows = []
    for record in second:
        ref = {(s["start"], s["end"], s["label"]): s for s in by_id[record["id"]]["spans"]}
        for span in record["spans"]:
            match = ref.get((span["start"], span["end"], span["label"]))
            if match and (match["negated"], match["hedged"]) != (span["negated"], span["hedged"]):
                rows.append(_row(record["id"], "neg/hedge", record["text"], match, span))
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
