"""The tagging gold set: its files agree with the sources, the taxonomy and the part files."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "annotations" / "gold"
SCREENING = REPO / ".." / "shared" / "datasets" / "screening"


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"gold_{name}",
                                                  REPO / "annotations" / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build_gold = _tool("build_gold")
select = _tool("select_texts")


def _read(split: str) -> list[dict]:
    path = GOLD / f"{split}.jsonl"
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def gold() -> dict[str, list[dict]]:
    return {split: _read(split) for split in ("train", "test")}


def test_gold_has_both_batches_and_at_least_150_texts(gold):
    records = gold["train"] + gold["test"]
    assert len(records) >= 150
    annotators = {record["meta"]["annotator"] for record in records}
    assert len(annotators) >= 2, annotators
    # batches a and b are complete; c and d (second round) are built as their parts appear
    selection = {key for key, row in build_gold.read_selection().items()
                 if row["batch"] in ("a", "b")}
    parts = {path.stem for path in (GOLD / "parts").glob("*/*.txt")}
    missing = sorted(selection - parts)
    assert not missing, f"{len(missing)} selected texts have no part file, e.g. {missing[:5]}"


def test_ids_unique_sorted_and_in_one_split_only(gold):
    for split, records in gold.items():
        ids = [record["id"] for record in records]
        assert ids == sorted(ids)
        assert len(ids) == len(set(ids))
        assert all(record["meta"]["split"] == split for record in records)
    assert not {r["id"] for r in gold["train"]} & {r["id"] for r in gold["test"]}


def test_test_split_is_about_a_third(gold):
    # rounds one and two; the third round (batches e, f) is a fresh all-test batch
    fresh = {r["id"] for r in build_gold.fresh_records(gold["test"])}
    test = [r for r in gold["test"] if r["id"] not in fresh]
    share = len(test) / (len(gold["train"]) + len(test))
    assert 0.25 <= share <= 0.40


def test_spans_lie_inside_text_on_word_boundaries_with_taxonomy_labels(gold):
    labels = build_gold.taxonomy_labels()
    for record in gold["train"] + gold["test"]:
        text = record["text"]
        for span in record["spans"]:
            start, end = span["start"], span["end"]
            assert 0 <= start < end <= len(text), (record["id"], span)
            surface = text[start:end]
            assert surface == surface.strip(), (record["id"], surface)
            assert not (start > 0 and text[start - 1].isalnum() and surface[0].isalnum())
            assert not (end < len(text) and text[end].isalnum() and surface[-1].isalnum())
            assert span["label"] in labels[span["group"]], (record["id"], span)
            assert isinstance(span["negated"], bool) and isinstance(span["hedged"], bool)


def test_every_group_is_represented_in_both_splits(gold):
    for split, records in gold.items():
        groups = {span["group"] for record in records for span in record["spans"]}
        assert groups == set(build_gold.GROUPS), (split, groups)


def test_texts_match_the_source_rows_and_licences_are_open(gold):
    with open(SCREENING / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        licences = {row["name"]: row["licence"] for row in csv.DictReader(handle)}
    by_dataset: dict[str, dict[str, str]] = {}
    for record in gold["train"] + gold["test"]:
        meta = record["meta"]
        assert record["id"] == f"{meta['dataset']}:{meta['record_id']}"
        assert re.fullmatch(r"CC0|CC-BY(-\d\.\d)?|MIT", licences[meta["dataset"]])
        assert meta["licence"] == licences[meta["dataset"]]
        if meta["dataset"] not in by_dataset:
            with open(SCREENING / f"{meta['dataset']}.csv", newline="",
                      encoding="utf-8") as handle:
                by_dataset[meta["dataset"]] = {
                    row["record_id"]: f"{row['title'].strip()}\n\n{row['abstract'].strip()}"
                    for row in csv.DictReader(handle)}
        assert record["text"] == by_dataset[meta["dataset"]][meta["record_id"]]
        assert len(record["text"].split("\n\n", 1)[1]) >= 400


def test_committed_gold_files_are_the_build_of_the_part_files(gold):
    rebuilt = build_gold.build()
    for split in build_gold.SPLITS:
        assert [r for r in rebuilt if r["meta"]["split"] == split] == _read(split), split


def test_selection_is_reproducible():
    rows = select.all_rows()
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    assert [(r["dataset"], str(r["record_id"]), r["batch"], r["split"]) for r in rows] == [
        (r["dataset"], r["record_id"], r["batch"], r["split"]) for r in committed]
    assert not any(r["dataset"].startswith(("clef2017", "cohen_")) for r in committed)
    # the first round alone is still what it was before the second round was added
    rng = select.random.Random(select.SEED)
    first = select.assign(select.select(rng), rng)
    assert [(r["dataset"], str(r["record_id"])) for r in first] == [
        (r["dataset"], r["record_id"]) for r in committed[:len(first)]]
    assert {r["batch"] for r in committed[:len(first)]} == {"a", "b"}


def test_second_round_is_new_texts_split_into_batches_c_and_d():
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    second = [r for r in committed if r["batch"] in ("c", "d")]
    first = [r for r in committed if r["batch"] in ("a", "b")]
    third = [r for r in committed if r["batch"] in ("e", "f")]
    fourth = [r for r in committed if r["batch"] in ("g", "h")]
    fifth = [r for r in committed if r["batch"] in select.FIFTH_BATCHES]
    sixth = [r for r in committed if r["batch"] in select.SIXTH_BATCHES]
    seventh = [r for r in committed if r["batch"] in select.SEVENTH_BATCHES]
    eighth = [r for r in committed if r["batch"] in select.EIGHTH_BATCHES]
    ninth = [r for r in committed if r["batch"] in select.NINTH_BATCHES]
    tenth = [r for r in committed if r["split"] == "train2"]
    assert len(second) == select.N_SECOND
    rounds = (first, second, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth)
    assert sum(len(rows) for rows in rounds) == len(committed)
    assert committed[len(first):len(first) + len(second)] == second
    keys = [(r["dataset"], r["record_id"]) for r in committed]
    assert len(keys) == len(set(keys)), "a text is selected twice"
    for batch in ("c", "d"):
        members = [r for r in second if r["batch"] == batch]
        assert len(members) == select.N_SECOND // 2
        assert sum(r["split"] == "test" for r in members) == round(len(members) / 3)


def test_third_round_is_a_fresh_all_test_batch_split_into_e_and_f():
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    third = [r for r in committed if r["batch"] in build_gold.FRESH_BATCHES]
    later = [r for r in committed if r["batch"] in _later_batches(build_gold.FRESH_BATCHES)]
    assert len(third) == select.N_THIRD
    assert committed[-len(third) - len(later):len(committed) - len(later)] == third, \
        "round three is appended after round two"
    keys = [(r["dataset"], r["record_id"]) for r in committed]
    assert len(keys) == len(set(keys)), "a text is selected twice"
    assert {r["split"] for r in third} == {"test"}
    for batch in build_gold.FRESH_BATCHES:
        assert sum(r["batch"] == batch for r in third) == select.N_THIRD // 2


def test_fourth_round_is_a_holdout_batch_split_into_g_and_h_kept_out_of_test(gold):
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    fourth = [r for r in committed if r["batch"] in ("g", "h")]
    later = [r for r in committed if r["batch"] in _later_batches(("g", "h"))]
    assert len(fourth) == select.N_FOURTH
    assert committed[-len(fourth) - len(later):len(committed) - len(later)] == fourth, \
        "round four is appended after round three"
    assert {r["split"] for r in fourth} == {"holdout"}
    for batch in "gh":
        assert sum(r["batch"] == batch for r in fourth) == select.N_FOURTH // 2
    held = {f"{r['dataset']}:{r['record_id']}" for r in fourth}
    assert not held & {r["id"] for r in gold["train"] + gold["test"]}
    assert {r["id"] for r in _read("holdout")} <= held


def _tenth_batches() -> tuple[str, ...]:
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        return tuple(sorted({r["batch"] for r in csv.DictReader(handle)
                             if r["split"] == "train2"}))


# every round's batches in selection order; a round's rows come after all earlier rounds' rows
ROUND_BATCHES = (("a", "b"), ("c", "d"), build_gold.FRESH_BATCHES, ("g", "h"),
                 select.FIFTH_BATCHES, select.SIXTH_BATCHES, select.SEVENTH_BATCHES,
                 select.EIGHTH_BATCHES, select.NINTH_BATCHES, _tenth_batches())


def _later_batches(batches: tuple[str, ...]) -> tuple[str, ...]:
    """The batches of every round selected after the round of ``batches``."""
    index = ROUND_BATCHES.index(tuple(batches))
    return tuple(b for later in ROUND_BATCHES[index + 1:] for b in later)


@pytest.mark.parametrize("batches, n_texts, split, earlier_files", [
    (select.FIFTH_BATCHES, select.N_FIFTH, "holdout2", ("holdout",)),
    (select.SIXTH_BATCHES, select.N_SIXTH, "holdout3", ("holdout", "holdout2")),
    (select.SEVENTH_BATCHES, select.N_SEVENTH, "holdout4", ("holdout", "holdout2", "holdout3")),
    (select.EIGHTH_BATCHES, select.N_EIGHTH, "holdout5",
     ("holdout", "holdout2", "holdout3", "holdout4")),
    (select.NINTH_BATCHES, select.N_NINTH, "holdout6",
     ("holdout", "holdout2", "holdout3", "holdout4", "holdout5")),
], ids=["round5", "round6", "round7", "round8", "round9"])
def test_later_rounds_are_holdouts_in_equal_batches_kept_out_of_the_rest(
        gold, batches, n_texts, split, earlier_files):
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    rows = [r for r in committed if r["batch"] in batches]
    assert len(rows) == n_texts
    later = [r for r in committed if r["batch"] in _later_batches(batches)]
    assert committed[-len(rows) - len(later):len(committed) - len(later)] == rows, \
        f"the {split} round is appended after the round before it"
    assert {r["split"] for r in rows} == {split}
    for batch in batches:
        assert sum(r["batch"] == batch for r in rows) == n_texts // len(batches)
    held = {f"{r['dataset']}:{r['record_id']}" for r in rows}
    earlier = gold["train"] + gold["test"] + [r for name in earlier_files for r in _read(name)]
    assert not held & {r["id"] for r in earlier}
    assert {r["id"] for r in _read(split)} <= held
    # the README's label counts (train and test) never include a held-out round
    readme = (GOLD.parent / "README.md").read_text(encoding="utf-8")
    assert not any(key.replace(":", "__") in readme for key in held)


def test_tenth_round_takes_the_whole_rest_of_the_pool_as_training_gold_in_its_own_file(gold):
    with open(GOLD / "selection.csv", newline="", encoding="utf-8") as handle:
        committed = list(csv.DictReader(handle))
    rows = [r for r in committed if r["split"] == "train2"]
    assert committed[-len(rows):] == rows, "round ten is appended after round nine"
    earlier = [(r["dataset"], r["record_id"]) for r in committed[:-len(rows)]]
    # the pool is empty afterwards: no qualifying text is left unselected
    assert not select._new_pool(set(earlier) | {(r["dataset"], r["record_id"]) for r in rows})
    sizes = Counter(r["batch"] for r in rows)
    assert set(sizes) == set(select.tenth_batches(len(rows))) == set(ROUND_BATCHES[-1])
    assert max(sizes.values()) <= select.TENTH_BATCH_SIZE
    assert max(sizes.values()) - min(sizes.values()) <= 1
    assert not set(sizes) & {b for batches in ROUND_BATCHES[:-1] for b in batches}
    built = _read("train2")
    assert {r["id"] for r in built} <= {f"{r['dataset']}:{r['record_id']}" for r in rows}
    others = {r["id"] for name in build_gold.SPLITS if name != "train2" for r in _read(name)}
    assert not others & {r["id"] for r in built}


def test_test_fresh_holds_exactly_the_built_third_round_texts(gold):
    fresh = _read("test_fresh")
    assert fresh == build_gold.fresh_records(gold["test"])
    selection = build_gold.read_selection()
    built = {path.stem for path in (GOLD / "parts").glob("*/*.txt")
             if selection[path.stem]["batch"] in build_gold.FRESH_BATCHES}
    assert {r["id"].replace(":", "__", 1) for r in fresh} == built
    assert all(r["meta"]["split"] == "test" for r in fresh)


def test_a_partly_annotated_fresh_batch_builds_only_its_part_files(tmp_path):
    selection = tmp_path / "selection.csv"
    selection.write_text("dataset,record_id,licence,batch,split\n"
                         "ecec_adult_child_ratio,51,MIT,e,test\n"
                         "ecec_adult_child_ratio,52,MIT,e,test\n"
                         "ecec_adult_child_ratio,53,MIT,a,test\n", encoding="utf-8")
    for batch, record_id in (("e", 51), ("a", 53)):
        folder = tmp_path / "parts" / batch
        folder.mkdir(parents=True)
        (folder / f"ecec_adult_child_ratio__{record_id}.txt").write_text(
            "annotator: E\n", encoding="utf-8")
    records = build_gold.build(tmp_path / "parts", selection)
    assert [r["id"] for r in records] == ["ecec_adult_child_ratio:51",
                                          "ecec_adult_child_ratio:53"]
    fresh = build_gold.fresh_records(records, selection)
    assert [r["id"] for r in fresh] == ["ecec_adult_child_ratio:51"]


# --- the part-file resolver, on a tiny fake part folder -------------------------------------

def _parts(tmp_path: Path, body: str) -> Path:
    batch = tmp_path / "parts" / "a"
    batch.mkdir(parents=True)
    (batch / "ecec_adult_child_ratio__51.txt").write_text(body, encoding="utf-8")
    return tmp_path / "parts"


def test_resolver_turns_phrases_into_offsets(tmp_path):
    parts = _parts(tmp_path, "annotator: A\nfathers@1 -> population:PARENTS_CARERS\n"
                             "infants@1,2 -> population:INFANTS\n"
                             "daycare center@* -> setting:SCHOOL hedge\n")
    (record,) = build_gold.build(parts)
    text = record["text"]
    surfaces = [(text[s["start"]:s["end"]], s["label"], s["hedged"]) for s in record["spans"]]
    assert surfaces == [("infants", "INFANTS", False), ("fathers", "PARENTS_CARERS", False),
                        ("infants", "INFANTS", False), ("daycare center", "SCHOOL", True),
                        ("daycare center", "SCHOOL", True)]
    assert record["meta"]["annotator"] == "A"


def test_resolver_reports_every_bad_line_with_file_and_line(tmp_path):
    parts = _parts(tmp_path, "infants -> population:INFANTS\n"       # ambiguous (3 times)
                             "unicorns -> population:CHILDREN\n"     # not found
                             "mothers@1 -> population:MOTHERS\n"     # unknown label
                             "mothers@9 -> population:PARENTS_CARERS\n"  # no 9th occurrence
                             "fant -> population:INFANTS\n")         # inside a word
    with pytest.raises(build_gold.GoldError) as raised:
        build_gold.build(parts)
    problems = raised.value.problems
    assert len(problems) == 5
    assert all("ecec_adult_child_ratio__51.txt:" in p for p in problems)
    assert "occurs 3 times" in problems[0] and ":1:" in problems[0]
    assert "not found" in problems[1] and "not found" in problems[4]
    assert "PARENTS_CARERS" in problems[2]
    assert "not @9" in problems[3]


def test_part_for_an_unselected_text_is_refused(tmp_path):
    batch = tmp_path / "parts" / "a"
    batch.mkdir(parents=True)
    (batch / "cohen_adhd__1.txt").write_text("", encoding="utf-8")
    with pytest.raises(build_gold.GoldError, match="not in selection.csv"):
        build_gold.build(tmp_path / "parts")


def test_readme_counts_are_current(gold):
    readme = (REPO / "annotations" / "README.md").read_text(encoding="utf-8")
    records = sorted(gold["train"] + gold["test"], key=lambda record: record["id"])
    assert build_gold.counts_block(records) in readme


# --- inter-annotator agreement ---------------------------------------------------------------

agreement = _tool("agreement")


def _record(*spans: tuple[int, int, str, str]) -> dict:
    return {"id": "x:1", "spans": [{"start": s, "end": e, "label": lab, "group": grp,
                                    "negated": False, "hedged": False}
                                   for s, e, lab, grp in spans]}


def test_agreement_scores_exact_and_overlap_matches():
    first = [_record((0, 8, "CHILDREN", "population"), (10, 25, "BEHAVIOUR", "outcome"))]
    same = agreement.agreement(first, first, ("population", "outcome"))
    assert [row[3:] for row in same] == [(1.0, 1.0)] * 3
    wider = [_record((0, 8, "CHILDREN", "population"), (4, 25, "BEHAVIOUR", "outcome"))]
    rows = {row[0]: row for row in agreement.agreement(first, wider, ("population", "outcome"))}
    assert rows["outcome"][3] == 0.0 and rows["outcome"][4] == 1.0
    other_label = [_record((0, 8, "INFANTS", "population"))]
    rows = {row[0]: row for row in agreement.agreement(first, other_label, ("population",))}
    assert rows["population"][4] == 0.0


def test_second_annotations_cover_the_seeded_sample_and_resolve():
    sample = agreement.sample_ids(build_gold.read_selection())
    assert len(sample) == agreement.SAMPLE_SIZE
    assert all(build_gold.read_selection()[key]["batch"] == "b" for key in sample)
    assert sorted(path.stem for path in agreement.SECOND.glob("*.txt")) == sample
    second = agreement._from_tree(build_gold, sample, lambda key: agreement.SECOND)
    assert sorted(r["id"].replace(":", "__") for r in second) == sample


def _second_annotation(study, sample: list[str], letter: str) -> list[dict]:
    """The study's second annotator covers exactly ``sample``, signs every part file with
    ``letter`` and marks spans in every text; returns the second annotation as built."""
    assert sorted(path.stem for path in study.second.glob("*.txt")) == sample
    assert all(path.read_text(encoding="utf-8").startswith(f"annotator: {letter}\n")
               for path in study.second.glob("*.txt"))
    second = agreement._from_tree(build_gold, sample, lambda key: study.second)
    assert sorted(r["id"].replace(":", "__") for r in second) == sample
    assert all(r["meta"]["annotator"] == letter and r["spans"] for r in second)
    return second


def test_holdout_sample_is_ten_of_each_batch_and_annotator_i_covers_it():
    selection = build_gold.read_selection()
    sample = agreement.i_sample_ids(selection)
    assert sample == agreement.i_sample_ids(selection)  # seeded: the same every run
    batches = [selection[key]["batch"] for key in sample]
    assert batches.count("g") == batches.count("h") == agreement.I_PER_BATCH
    assert all(selection[key]["split"] == "holdout" for key in sample)
    study = agreement.STUDIES["i_on_gh"]
    _second_annotation(study, sample, "I")


def test_agreement_studies_keep_a_on_b_as_default_and_print_their_samples(capsys):
    assert agreement.main(["--sample"]) == 0
    a_on_b = capsys.readouterr().out.split()
    assert a_on_b == agreement.sample_ids(build_gold.read_selection())
    assert agreement.main(["--study", "i_on_gh", "--sample"]) == 0
    i_on_gh = capsys.readouterr().out.split()
    assert i_on_gh == agreement.i_sample_ids(build_gold.read_selection())
    assert not set(a_on_b) & set(i_on_gh)
    with pytest.raises(SystemExit):
        agreement.main(["--study", "x_on_y"])
    assert "i_on_gh" in capsys.readouterr().err


def test_disagreements_are_sorted_into_kinds_once_per_pair():
    text = "low-income children at home and school"
    first = [{"id": "x:1", "text": text, "spans": [
        {"start": 0, "end": 10, "label": "LOW_INCOME", "group": "population",
         "negated": False, "hedged": False},
        {"start": 11, "end": 19, "label": "CHILDREN", "group": "population",
         "negated": False, "hedged": False},
        {"start": 23, "end": 27, "label": "HOME", "group": "setting",
         "negated": False, "hedged": False}]}]
    second = [{"id": "x:1", "text": text, "spans": [
        {"start": 0, "end": 19, "label": "LOW_INCOME", "group": "population",
         "negated": False, "hedged": False},
        {"start": 11, "end": 19, "label": "ADOLESCENTS", "group": "population",
         "negated": False, "hedged": False},
        {"start": 32, "end": 38, "label": "SCHOOL", "group": "setting",
         "negated": False, "hedged": False}]}]
    found = agreement.disagreements(first, second)
    kinds = sorted((row["kind"], row["group"]) for row in found)
    assert kinds == [("boundary", "population"), ("label", "population"),
                     ("reference only", "setting"), ("second only", "setting")]
    boundary = next(row for row in found if row["kind"] == "boundary")
    assert boundary["reference"] == "'low-income' LOW_INCOME"
    assert boundary["second"] == "'low-income children' LOW_INCOME"
    assert agreement.disagreements(first, first) == []


def test_selection_help_and_check_write_nothing(capsys):
    before = (GOLD / "selection.csv").stat().st_mtime_ns
    with pytest.raises(SystemExit) as raised:
        select.main(["--help"])
    assert raised.value.code == 0
    assert "--check" in capsys.readouterr().out
    assert select.main(["--check"]) == 0
    assert (GOLD / "selection.csv").stat().st_mtime_ns == before


def test_attribute_differences_list_matched_spans_whose_flags_differ():
    span = {"start": 0, "end": 7, "label": "ANXIETY", "group": "outcome",
            "negated": False, "hedged": False}
    first = [{"id": "x:1", "text": "anxiety fell", "spans": [span]}]
    second = [{"id": "x:1", "text": "anxiety fell", "spans": [dict(span, negated=True)]}]
    rows = agreement.attribute_differences(first, second)
    assert [(row["kind"], row["reference"], row["second"]) for row in rows] == [
        ("neg/hedge", "'anxiety' ANXIETY", "'anxiety' ANXIETY neg")]
    assert agreement.attribute_agreement(first, second) == {"negated": 0.0, "hedged": 1.0}
    assert agreement.attribute_differences(first, first) == []


# --- round five: annotator M on batches j, k and l --------------------------------------------

def _round_five_texts() -> dict[str, str]:
    selection = build_gold.read_selection()
    return agreement._texts(build_gold, selection, ("j", "k", "l"))


def test_round_five_sample_takes_the_cue_richest_texts_of_each_batch_plus_random_ones():
    selection = build_gold.read_selection()
    texts = _round_five_texts()
    sample = agreement.m_sample_ids(selection, texts)
    assert sample == agreement.m_sample_ids(selection, texts)  # seeded: the same every run
    assert len(sample) == 18
    cues = agreement._sparse_cues()
    assert set(select.MECHANISM_CUES) | set(select.INTERVENTION_CUES) == set(cues)
    for batch in ("j", "k", "l"):
        ids = [key for key in texts if selection[key]["batch"] == batch]
        picked = [key for key in sample if selection[key]["batch"] == batch]
        assert len(picked) == 6
        assert all(selection[key]["split"] == "holdout2" for key in picked)
        # the batch's top-ranked texts by distinct cues (then occurrences) are all in the sample
        ranks = {key: agreement.sparse_cue_rank(texts[key], cues) for key in ids}
        best = max(ranks.values())
        assert all(key in picked for key in ids if ranks[key] == best)
        assert sum(ranks[key] >= sorted(ranks.values())[-3] for key in picked) >= 3


def test_round_five_sample_rule_on_made_up_batches():
    selection, texts = {}, {}
    for batch in ("j", "k", "l"):
        for number in range(10):
            key = f"d__{batch}{number}"
            selection[key] = {"batch": batch}
            # text 0 names 4 distinct cues, 1 and 2 name 3 (2 has more occurrences), the rest 1
            texts[key] = {0: "peer support trust network", 1: "peer support group",
                          2: "peer support group group"}.get(number, f"skill {number}")
    sample = agreement.m_sample_ids(selection, texts)
    for batch in ("j", "k", "l"):
        picked = [key for key in sample if selection[key]["batch"] == batch]
        assert len(picked) == 6
        assert {f"d__{batch}0", f"d__{batch}1", f"d__{batch}2"} <= set(picked)
    # the three random picks per batch change with the seed, the top three do not
    seed = agreement.M_SAMPLE_SEED
    try:
        agreement.M_SAMPLE_SEED = seed + 1
        other = agreement.m_sample_ids(selection, texts)
    finally:
        agreement.M_SAMPLE_SEED = seed
    assert other != sample
    assert {key for key in other if key[-1] in "012"} == {key for key in sample if key[-1] in "012"}


def test_sparse_cue_rank_counts_distinct_cue_words_then_occurrences():
    cues = agreement._sparse_cues()
    assert agreement.sparse_cue_rank("Peer support and peer mentoring groups.", cues) == (4, 5)
    assert agreement.sparse_cue_rank("Children in day care.", cues) == (0, 0)
    # "program" is found inside "programme" too, as select_texts.cue_count counts it
    assert agreement.sparse_cue_rank("a programme", cues) == (2, 2)


def test_annotator_m_covers_the_round_five_sample_and_is_kept_out_of_the_gold():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["m_on_jkl"]
    sample = agreement.study_sample(study, selection, build_gold)
    second = _second_annotation(study, sample, "M")
    assert {"mechanism", "intervention"} <= {s["group"] for r in second for s in r["spans"]}
    holdout2 = [json.loads(line) for line in (GOLD / "holdout2.jsonl").open(encoding="utf-8")]
    assert all(r["meta"]["annotator"] in ("J", "K", "L") for r in holdout2)
    assert set(study.commits) == {"j", "k", "l"}
    assert all(len(commit) == 40 for commit in study.commits.values())


def test_label_agreement_scores_each_label_of_a_group_on_its_own():
    first = [_record((0, 7, "EMPOWERMENT", "mechanism"), (10, 17, "RECIPROCITY", "mechanism"),
                     (20, 28, "CHILDREN", "population"))]
    second = [_record((0, 7, "EMPOWERMENT", "mechanism"), (10, 15, "RECIPROCITY", "mechanism"),
                      (30, 38, "TRUST_BUILDING", "mechanism"))]
    rows = agreement.label_agreement(first, second, "mechanism")
    assert [row[0] for row in rows] == ["EMPOWERMENT", "RECIPROCITY", "TRUST_BUILDING"]
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["EMPOWERMENT"] == (1, 1, 1.0, 1.0)
    assert by_label["RECIPROCITY"] == (1, 1, 0.0, 1.0)  # overlapping, not the same extent
    assert by_label["TRUST_BUILDING"] == (0, 1, 0.0, 0.0)  # marked by the second side only
    assert agreement.label_agreement(first, second, "intervention") == []


def test_round_five_study_prints_mechanism_and_intervention_per_label(capsys):
    assert agreement.main(["--study", "m_on_jkl", "--sample"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == agreement.study_sample(agreement.STUDIES["m_on_jkl"],
                                             build_gold.read_selection(), build_gold)
    assert agreement.main(["--study", "m_on_jkl", "--current"]) == 0
    tables = _tables(capsys.readouterr().out)
    groups = {row[0]: row for row in tables["group"]}
    for group in ("mechanism", "intervention"):
        rows = tables[f"{group} label"]
        assert rows, group
        # the per-label spans add up to the group's spans on each side
        assert sum(int(row[1]) for row in rows) == int(groups[group][1])
        assert sum(int(row[2]) for row in rows) == int(groups[group][2])
        assert all(0.0 <= float(row[3]) <= float(row[4]) <= 1.0 for row in rows)
    assert [row[0] for row in tables["batch"]] == ["j", "k", "l"]
    # the earlier studies print no per-label table (their output is unchanged)
    assert agreement.main(["--study", "i_on_gh", "--current"]) == 0
    assert "label |" not in capsys.readouterr().out


# --- round six: annotator Q on batches n, o and p ---------------------------------------------

M_SAMPLE = ["ecec_adult_child_ratio__1049", "ecec_adult_child_ratio__1077",
            "ecec_adult_child_ratio__1125", "ecec_adult_child_ratio__114",
            "ecec_adult_child_ratio__1148", "ecec_adult_child_ratio__251",
            "ecec_adult_child_ratio__294", "ecec_adult_child_ratio__365",
            "ecec_adult_child_ratio__381", "ecec_adult_child_ratio__488",
            "ecec_adult_child_ratio__546", "ecec_adult_child_ratio__550",
            "ecec_adult_child_ratio__584", "ecec_adult_child_ratio__694",
            "ecec_adult_child_ratio__739", "nagtegaal_2019__1848", "nagtegaal_2019__542",
            "van_der_valk_2021__256"]


def _round_six_texts() -> dict[str, str]:
    return agreement._texts(build_gold, build_gold.read_selection(), ("n", "o", "p"))


def test_generalised_sampling_rule_keeps_the_published_round_five_sample():
    # m_on_jkl's 18 texts were annotated by M and published: the shared rule must not move them
    assert agreement.m_sample_ids(build_gold.read_selection(), _round_five_texts()) == M_SAMPLE
    assert sorted(path.stem for path in agreement.STUDIES["m_on_jkl"].second.glob("*.txt")) \
        == M_SAMPLE


def test_round_six_sample_is_the_round_five_rule_with_its_own_seed():
    selection = build_gold.read_selection()
    texts = _round_six_texts()
    sample = agreement.q_sample_ids(selection, texts)
    assert sample == agreement.q_sample_ids(selection, texts)  # seeded: the same every run
    assert sample == agreement.cue_ranked_sample(selection, texts, ("n", "o", "p"),
                                                 agreement.Q_SAMPLE_SEED, 3, 3)
    assert agreement.Q_SAMPLE_SEED != agreement.M_SAMPLE_SEED
    cues = agreement._sparse_cues()
    for batch in ("n", "o", "p"):
        ids = [key for key in texts if selection[key]["batch"] == batch]
        picked = [key for key in sample if selection[key]["batch"] == batch]
        assert len(ids) == 20 and len(picked) == 6
        assert all(selection[key]["split"] == "holdout3" for key in picked)
        ranks = {key: agreement.sparse_cue_rank(texts[key], cues) for key in ids}
        best = max(ranks.values())
        assert all(key in picked for key in ids if ranks[key] == best)
        assert sum(ranks[key] >= sorted(ranks.values())[-3] for key in picked) >= 3
    assert not set(sample) & set(M_SAMPLE)


def test_cue_ranked_sample_takes_any_batches_top_and_draw_counts():
    selection, texts = {}, {}
    for batch in ("x", "y"):
        for number in range(8):
            key = f"d__{batch}{number}"
            selection[key] = {"batch": batch}
            texts[key] = {0: "peer support trust network", 1: "peer support group"}.get(
                number, f"skill {number}")
    sample = agreement.cue_ranked_sample(selection, texts, ("x", "y"), 7, 2, 1)
    for batch in ("x", "y"):
        picked = [key for key in sample if key.startswith(f"d__{batch}")]
        assert len(picked) == 3
        assert {f"d__{batch}0", f"d__{batch}1"} <= set(picked)
    # another seed changes only the random draws
    other = agreement.cue_ranked_sample(selection, texts, ("x", "y"), 8, 2, 1)
    assert {key for key in other if key[-1] in "01"} == {key for key in sample if key[-1] in "01"}
    assert agreement.cue_ranked_sample(selection, texts, ("x",), 7, 2, 0) == ["d__x0", "d__x1"]


def test_annotator_q_covers_the_round_six_sample_and_is_kept_out_of_the_gold():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["q_on_nop"]
    sample = agreement.study_sample(study, selection, build_gold)
    assert sample == agreement.q_sample_ids(selection, _round_six_texts())
    second = _second_annotation(study, sample, "Q")
    holdout3 = [json.loads(line) for line in (GOLD / "holdout3.jsonl").open(encoding="utf-8")]
    assert all(r["meta"]["annotator"] in ("N", "O", "P") for r in holdout3)
    assert {r["id"] for r in holdout3} >= {r["id"] for r in second}
    assert set(study.commits) == {"n", "o", "p"}
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in study.commits.values())


def _tables(out: str) -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    current = None
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and (cells[0] in ("group", "batch") or
                                      cells[0].endswith(" label")):
            current = cells[0]
            tables[current] = []
        elif line.startswith("| ") and current:
            tables[current].append(cells)
        elif not line.strip():
            current = None
    return tables


def test_round_six_study_prints_mechanism_intervention_and_outcome_per_label(capsys):
    assert agreement.main(["--study", "q_on_nop", "--sample"]) == 0
    assert capsys.readouterr().out.split() == agreement.study_sample(
        agreement.STUDIES["q_on_nop"], build_gold.read_selection(), build_gold)
    assert agreement.main(["--study", "q_on_nop", "--current"]) == 0
    tables = _tables(capsys.readouterr().out)
    groups = {row[0]: row for row in tables["group"]}
    for group in ("mechanism", "intervention", "outcome"):
        rows = tables[f"{group} label"]
        assert rows, group
        assert sum(int(row[1]) for row in rows) == int(groups[group][1])
        assert sum(int(row[2]) for row in rows) == int(groups[group][2])
        assert all(0.0 <= float(row[3]) <= float(row[4]) <= 1.0 for row in rows)
    assert [row[0] for row in tables["batch"]] == ["n", "o", "p"]
    assert [int(row[1]) for row in tables["batch"]] == [6, 6, 6]
    # round five keeps its two per-label tables only
    assert agreement.main(["--study", "m_on_jkl", "--current"]) == 0
    assert "outcome label" not in _tables(capsys.readouterr().out)


def _have_commits(*commits: str) -> bool:
    import subprocess
    return all(subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=REPO,
                              capture_output=True).returncode == 0 for commit in commits)


@pytest.mark.skipif(not _have_commits(*agreement.NOP_FINAL.values()),
                    reason="the pinned n/o/p commits are not in this clone")
def test_readme_round_six_table_is_what_the_pinned_comparison_prints(capsys):
    assert agreement.main(["--study", "q_on_nop"]) == 0
    printed = _tables(capsys.readouterr().out)["group"]
    readme = (REPO / "annotations" / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Round six")[1].split("\n\n**")[0]
    for scope, n_ref, n_q, exact, overlap in printed:
        assert f"| {scope} | {n_ref} | {n_q} | {exact} | {overlap} |" in section, scope


# Round seven: annotator U on batches r, s and t (study u_on_rst).

U_SAMPLE = ["ecec_adult_child_ratio__1012", "ecec_adult_child_ratio__1079",
            "ecec_adult_child_ratio__123", "ecec_adult_child_ratio__185",
            "ecec_adult_child_ratio__223", "ecec_adult_child_ratio__259",
            "ecec_adult_child_ratio__313", "ecec_adult_child_ratio__477",
            "ecec_adult_child_ratio__48", "ecec_adult_child_ratio__485",
            "ecec_adult_child_ratio__819", "ecec_adult_child_ratio__920",
            "ecec_adult_child_ratio__958", "ecec_adult_child_ratio__960",
            "ecec_adult_child_ratio__984", "nagtegaal_2019__1016", "van_der_valk_2021__364",
            "van_der_valk_2021__645"]


def _round_seven_texts() -> dict[str, str]:
    return agreement._texts(build_gold, build_gold.read_selection(), ("r", "s", "t"))


def test_round_seven_sample_is_the_shared_rule_with_its_own_seed():
    selection = build_gold.read_selection()
    texts = _round_seven_texts()
    sample = agreement.u_sample_ids(selection, texts)
    # U annotated exactly these 18 texts: the rule must never move them
    assert sample == U_SAMPLE
    assert sample == agreement.cue_ranked_sample(selection, texts, ("r", "s", "t"),
                                                 agreement.U_SAMPLE_SEED, 3, 3)
    assert len({agreement.U_SAMPLE_SEED, agreement.Q_SAMPLE_SEED,
                agreement.M_SAMPLE_SEED}) == 3
    cues = agreement._sparse_cues()
    for batch in ("r", "s", "t"):
        ids = [key for key in texts if selection[key]["batch"] == batch]
        picked = [key for key in sample if selection[key]["batch"] == batch]
        assert len(ids) == 20 and len(picked) == 6
        assert all(selection[key]["split"] == "holdout4" for key in picked)
        ranks = {key: agreement.sparse_cue_rank(texts[key], cues) for key in ids}
        best = max(ranks.values())
        assert all(key in picked for key in ids if ranks[key] == best)
    # another seed keeps the per-batch rule but draws other texts
    other = agreement.cue_ranked_sample(selection, texts, ("r", "s", "t"),
                                        agreement.U_SAMPLE_SEED + 1, 3, 3)
    assert len(other) == 18 and other != sample


def test_every_cue_ranked_study_samples_by_its_own_rule():
    selection = build_gold.read_selection()
    published = {"m_on_jkl": M_SAMPLE, "u_on_rst": U_SAMPLE, "y_on_vwx": Y_SAMPLE,
                 "r9_on_yz": R9_SAMPLE}
    for name in ("m_on_jkl", "q_on_nop", "u_on_rst", "y_on_vwx", "r9_on_yz"):
        study = agreement.STUDIES[name]
        assert study.cue_sample is not None
        seed, top, drawn = study.cue_sample
        texts = agreement._texts(build_gold, selection, study.batches)
        sample = agreement.study_sample(study, selection, build_gold)
        assert sample == agreement.cue_ranked_sample(selection, texts, study.batches, seed,
                                                     top, drawn)
        # the sample is exactly what the second annotator annotated
        assert sorted(path.stem for path in study.second.glob("*.txt")) == sample
        assert sample == published.get(name, sample)
    assert agreement.q_sample_ids(selection, _round_six_texts()) == agreement.study_sample(
        agreement.STUDIES["q_on_nop"], selection, build_gold)
    # a study without a sampling rule is refused rather than given another study's sample
    ruleless = agreement.Study("x_on_y", agreement.AGREEMENT / "x_on_y", "X", ("r",))
    with pytest.raises(ValueError, match="x_on_y"):
        agreement.study_sample(ruleless, selection, build_gold)


def test_annotator_u_covers_the_round_seven_sample_and_is_kept_out_of_the_gold():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["u_on_rst"]
    sample = agreement.study_sample(study, selection, build_gold)
    second = _second_annotation(study, sample, "U")
    holdout4 = _read("holdout4")
    assert all(r["meta"]["annotator"] in ("R", "S", "T") for r in holdout4)
    assert {r["id"] for r in holdout4} >= {r["id"] for r in second}
    # U's files are built into no gold file: every gold record is its batch annotator's
    assert not any(r["meta"]["annotator"] == "U" for split in build_gold.SPLITS
                   for r in _read(split))
    assert {r["id"] for r in second} <= {r["id"] for r in holdout4}
    assert set(study.commits) == {"r", "s", "t"}
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in study.commits.values())


# Round eight: annotator Y on batches v, w and x (study y_on_vwx).

Y_SAMPLE = ["ecec_adult_child_ratio__1015", "ecec_adult_child_ratio__106",
            "ecec_adult_child_ratio__1091", "ecec_adult_child_ratio__1120",
            "ecec_adult_child_ratio__154", "ecec_adult_child_ratio__248",
            "ecec_adult_child_ratio__291", "ecec_adult_child_ratio__347",
            "ecec_adult_child_ratio__4", "ecec_adult_child_ratio__425",
            "ecec_adult_child_ratio__469", "ecec_adult_child_ratio__598",
            "ecec_adult_child_ratio__617", "ecec_adult_child_ratio__888",
            "ecec_adult_child_ratio__923", "menon_2022__639", "menon_2022__909",
            "van_der_valk_2021__575"]


def test_round_eight_sample_is_the_shared_rule_with_its_own_seed():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["y_on_vwx"]
    assert study.batches == ("v", "w", "x") and study.second_annotator == "Y"
    assert study.cue_sample == (agreement.Y_SAMPLE_SEED, 3, 3)
    sample = agreement.study_sample(study, selection, build_gold)
    # Y annotated exactly these 18 texts: the rule must never move them
    assert sample == Y_SAMPLE
    assert len({agreement.Y_SAMPLE_SEED, agreement.U_SAMPLE_SEED, agreement.Q_SAMPLE_SEED,
                agreement.M_SAMPLE_SEED}) == 4
    _assert_cue_ranked_per_batch(selection, study, sample, "holdout5", batch_size=20)


def _assert_cue_ranked_per_batch(selection, study, sample, split, batch_size):
    """Each batch of ``study`` gives its ``top`` cue-richest texts plus ``drawn`` more to
    ``sample``; another seed keeps the per-batch rule but draws other texts."""
    seed, top_n, drawn = study.cue_sample
    texts = agreement._texts(build_gold, selection, study.batches)
    cues = agreement._sparse_cues()
    for batch in study.batches:
        ids = [key for key in texts if selection[key]["batch"] == batch]
        picked = [key for key in sample if selection[key]["batch"] == batch]
        assert len(ids) == batch_size and len(picked) == top_n + drawn
        assert all(selection[key]["split"] == split for key in picked)
        ranks = {key: agreement.sparse_cue_rank(texts[key], cues) for key in ids}
        # the cue-richest texts of the batch are in, whatever the draw
        top = sorted(ranks.values(), reverse=True)[:top_n]
        assert sorted((ranks[key] for key in picked), reverse=True)[:top_n] == top
    other = agreement.cue_ranked_sample(selection, texts, study.batches, seed + 1, top_n, drawn)
    assert len(other) == len(sample) and other != sample


def test_annotator_y_covers_the_round_eight_sample_and_is_kept_out_of_the_gold():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["y_on_vwx"]
    second = _second_annotation(study, Y_SAMPLE, "Y")
    holdout5 = _read("holdout5")
    assert all(r["meta"]["annotator"] in ("V", "W", "X") for r in holdout5)
    assert {r["id"] for r in second} <= {r["id"] for r in holdout5}
    # the texts Y annotated are the ones V, W and X annotated, character for character
    by_id = {r["id"]: r["text"] for r in holdout5}
    assert all(by_id[r["id"]] == r["text"] for r in second)
    # Y's files are built into no gold file: every gold record is its batch annotator's (the
    # round-nine batch y was annotated by an annotator also called Y: its records are batch y's)
    assert not any(r["meta"]["annotator"] == "Y"
                   and selection[r["id"].replace(":", "__")]["batch"] != "y"
                   for split in build_gold.SPLITS for r in _read(split))
    assert set(study.commits) == {"v", "w", "x"}
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in study.commits.values())
    assert all(selection[key]["batch"] in study.commits for key in Y_SAMPLE)


# Round nine: annotator R9 on batches y and z (study r9_on_yz), 9 of each batch of 30.

R9_SAMPLE = ["appenzeller_herzog_2019__174", "ecec_adult_child_ratio__1150",
             "ecec_adult_child_ratio__195", "ecec_adult_child_ratio__221",
             "ecec_adult_child_ratio__224", "ecec_adult_child_ratio__341",
             "ecec_adult_child_ratio__35", "ecec_adult_child_ratio__354",
             "ecec_adult_child_ratio__434", "ecec_adult_child_ratio__483",
             "ecec_adult_child_ratio__495", "ecec_adult_child_ratio__525",
             "ecec_adult_child_ratio__624", "ecec_adult_child_ratio__801",
             "ecec_adult_child_ratio__84", "ecec_adult_child_ratio__869",
             "nagtegaal_2019__133", "nagtegaal_2019__334"]


def test_round_nine_sample_is_the_shared_rule_with_four_top_and_five_drawn_per_batch():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["r9_on_yz"]
    assert study.batches == ("y", "z") and study.second_annotator == "R9"
    assert study.cue_sample == (agreement.R9_SAMPLE_SEED, 4, 5)
    assert study.label_groups == ("mechanism", "intervention", "outcome")
    sample = agreement.study_sample(study, selection, build_gold)
    # R9 annotated exactly these 18 texts: the rule must never move them
    assert sample == R9_SAMPLE
    seeds = {agreement.R9_SAMPLE_SEED, agreement.Y_SAMPLE_SEED, agreement.U_SAMPLE_SEED,
             agreement.Q_SAMPLE_SEED, agreement.M_SAMPLE_SEED}
    assert len(seeds) == 5
    _assert_cue_ranked_per_batch(selection, study, sample, "holdout6", batch_size=30)
    # the earlier studies keep their own rule (three top, three drawn per batch of 20)
    for name in ("m_on_jkl", "q_on_nop", "u_on_rst", "y_on_vwx"):
        assert agreement.STUDIES[name].cue_sample[1:] == (3, 3)


def test_annotator_r9_covers_the_round_nine_sample_and_is_kept_out_of_the_gold():
    selection = build_gold.read_selection()
    study = agreement.STUDIES["r9_on_yz"]
    second = _second_annotation(study, R9_SAMPLE, "R9")
    assert (study.second / "NOTES.md").exists()
    assert all(selection[r["id"].replace(":", "__")]["split"] == "holdout6" for r in second)
    holdout6 = {r["id"]: r for r in _read("holdout6")}
    assert all(holdout6[r["id"]]["text"] == r["text"] for r in second)
    assert {holdout6[r["id"]]["meta"]["annotator"] for r in second} == {"Y", "Z"}
    # R9's files are built into no gold file: every gold record is its batch annotator's
    assert not any(r["meta"]["annotator"] == "R9" for split in build_gold.SPLITS
                   for r in _read(split))
    assert set(study.commits) == {"y", "z"}
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in study.commits.values())
    if not _have_commits(*study.commits.values()):
        pytest.skip("the pinned batch commits are not in this clone")
    # the texts R9 annotated are the ones Y and Z annotated, character for character
    reference = agreement._from_git(build_gold, study, R9_SAMPLE, selection)
    assert [r["id"] for r in reference] == [r["id"] for r in second]
    assert [r["text"] for r in reference] == [r["text"] for r in second]
    assert {r["meta"]["annotator"] for r in reference} == {"Y", "Z"}


def test_round_nine_comparison_uses_the_pinned_final_commits_not_the_working_tree(capsys):
    study = agreement.STUDIES["r9_on_yz"]
    if not _have_commits(*study.commits.values()):
        pytest.skip("the pinned batch commits are not in this clone")
    assert agreement.main(["--study", "r9_on_yz"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("18 texts annotated by Y/Z (reference, commit 915711d, commit d5cb67c) "
                     "and R9 (second)")
    # a study whose batch has no pinned commit yet is refused unless --current is asked for
    unpinned = agreement.Study("r9_on_yz", study.second, "R9", ("y", "z"),
                               {"y": study.commits["y"]}, cue_sample=study.cue_sample)
    try:
        agreement.STUDIES["r9_on_yz"] = unpinned
        assert agreement.main(["--study", "r9_on_yz"]) == 1
        assert "no pinned commit for batch(es) ['z']" in capsys.readouterr().err
    finally:
        agreement.STUDIES["r9_on_yz"] = study


# The round-seven to round-nine studies print and publish the same tables (study, sample,
# batches, where the README section starts and ends, whether its kinds table counts single
# disagreements: round seven's counts some kinds in pairs of spans).
LATER_STUDIES = [
    ("u_on_rst", U_SAMPLE, ["r", "s", "t"], "**Round seven", "\n**Round eight", False),
    ("y_on_vwx", Y_SAMPLE, ["v", "w", "x"], "**Round eight", "\n**Round nine", True),
    ("r9_on_yz", R9_SAMPLE, ["y", "z"], "**Round nine", None, True)]


@pytest.mark.parametrize("study, sample, batches", [row[:3] for row in LATER_STUDIES],
                         ids=["round7", "round8", "round9"])
def test_later_studies_print_per_batch_and_per_label_tables(capsys, study, sample, batches):
    assert agreement.main(["--study", study, "--sample"]) == 0
    assert capsys.readouterr().out.split() == sample
    assert agreement.main(["--study", study, "--current"]) == 0
    tables = _tables(capsys.readouterr().out)
    groups = {row[0]: row for row in tables["group"]}
    assert set(groups) == {*build_gold.GROUPS, "all"}
    for group in ("mechanism", "intervention", "outcome"):
        rows = tables[f"{group} label"]
        assert sum(int(row[1]) for row in rows) == int(groups[group][1])
        assert sum(int(row[2]) for row in rows) == int(groups[group][2])
    assert [row[0] for row in tables["batch"]] == batches
    assert [int(row[1]) for row in tables["batch"]] == [len(sample) // len(batches)] * len(batches)
    assert sum(int(row[2]) for row in tables["batch"]) == int(groups["all"][1])
    assert sum(int(row[3]) for row in tables["batch"]) == int(groups["all"][2])


@pytest.mark.parametrize("study, start, end, kinds_add_up",
                         [(row[0], *row[3:]) for row in LATER_STUDIES],
                         ids=["round7", "round8", "round9"])
def test_readme_later_study_tables_are_what_the_pinned_comparison_prints(capsys, study, start,
                                                                         end, kinds_add_up):
    if not _have_commits(*agreement.STUDIES[study].commits.values()):
        pytest.skip("the pinned batch commits are not in this clone")
    assert agreement.main(["--study", study]) == 0
    printed = _tables(capsys.readouterr().out)
    readme = (REPO / "annotations" / "README.md").read_text(encoding="utf-8")
    section = readme.split(start)[1].split("\n## ")[0]
    if end:
        section = section.split(end)[0]
    flat = " ".join(section.split())
    for scope, n_ref, n_second, exact, overlap in printed["group"]:
        assert f"| {scope} | {n_ref} | {n_second} | {exact} | {overlap} |" in section, scope
    for group in ("mechanism", "intervention", "outcome"):
        for label, n_ref, n_second, exact, overlap in printed[f"{group} label"]:
            assert (f"| {group} | {label} | {n_ref} | {n_second} | {exact} | {overlap} |"
                    in section)
    for batch, _, n_ref, n_second, exact, overlap in printed["batch"]:
        stated = re.search(rf"\b{batch} {n_ref}/{n_second}(?: spans)?, (?:exact )?(\d\.\d\d), "
                           rf"(?:overlap )?(\d\.\d\d)", flat)
        assert stated and stated.groups() == (exact, overlap), batch
    # the negated/hedged counts and the number of disagreements the README discusses are the
    # ones the script prints and lists
    assert agreement.main(["--study", study, "--disagreements"]) == 0
    out = capsys.readouterr().out
    matched = re.search(r"Of (\d+) exactly matched spans, negated differs on (\d+) and hedged "
                        r"on (\d+)", out)
    assert matched
    total, negated, hedged = (int(value) for value in matched.groups())
    assert f"Of the {total} exactly matched spans `negated` agrees on all {total - negated}" in flat
    assert f"`hedged` on {total - hedged}" in flat
    listed = [line for line in out.splitlines()
              if re.match(r"^(ecec|nagtegaal|van_der_valk|menon|appenzeller|bannach)\S* ", line)]
    assert f"of the {len(listed)} disagreements" in flat
    if not kinds_add_up:
        return
    # the kinds table accounts for every listed disagreement
    counts = [int(m) for m in re.findall(r"^\| [^|]+ \| (\d+)\b[^|]*\|",
                                           section.split("| kind | count |")[1],
                                           flags=re.MULTILINE)]
    assert sum(counts) == len(listed)
