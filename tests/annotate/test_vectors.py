"""In-domain word vectors: the counts, the table, the builder script's exclusions, and a
span model trained with them that reads them and carries them."""

from __future__ import annotations

import csv
import importlib.util
import json

import numpy
import pytest
import spacy

from nlp_review.annotate import vectors as v
from nlp_review.cli.app import app
from nlp_review.errors import ConfigError

from tests.annotate.conftest import GOLD_TEST, GOLD_TRAIN, REPO, gold_lines


def _script():
    spec = importlib.util.spec_from_file_location(
        "vectors_script", REPO / "benchmarks" / "tagger_training" / "vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cooccurrence_weights_by_distance_and_never_crosses_texts():
    words = ["a", "b", "c"]
    counts = v.cooccurrence([["a", "b", "c"], ["c", "x", "a"]], words, window=2).toarray()
    assert counts[0, 1] == counts[1, 0] == 1.0  # a b adjacent
    assert counts[0, 2] == counts[2, 0] == 0.5 + 0.5  # a..c two apart in both texts
    assert counts[1, 2] == 1.0
    # the end of one text and the start of the next do not pair
    assert v.cooccurrence([["a"], ["b"]], words, window=2).nnz == 0


def test_ppmi_keeps_only_positive_association():
    counts = v.cooccurrence([["a", "b"]] * 5 + [["c", "d"]] * 5 + [["a", "d"]], list("abcd"))
    m = v.ppmi(counts).toarray()
    assert (m >= 0).all()
    assert m[0, 1] > 0  # a meets b far more often than chance
    assert m[0, 3] == 0  # a meets d once: less than chance, not kept
    assert m[0, 2] == 0  # a never meets c


def test_words_in_the_same_contexts_get_close_vectors(tmp_path):
    contexts = ["the trained {} taught the pupils in class", "a {} marked the homework",
                "each {} met the parents after school", "the {} planned the lesson"]
    other = ["the {} ripened on the tree", "a {} was peeled and eaten",
             "the {} juice was sweet", "we picked a {} in the orchard"]
    texts = ([c.format(w) for c in contexts for w in ("teacher", "tutor", "Teacher")]
             + [c.format(w) for c in other for w in ("apple", "pear")]) * 3
    words, table, info = v.build_vectors(texts, rows=200, dims=4, window=3, min_count=1)
    assert "teacher" in words and "Teacher" not in words  # lower-cased tokens
    row = {w: table[i] for i, w in enumerate(words)}
    assert row["teacher"] @ row["tutor"] > row["teacher"] @ row["apple"]
    assert row["apple"] @ row["pear"] > row["apple"] @ row["tutor"]
    assert numpy.allclose(numpy.linalg.norm(table, axis=1), 1.0, atol=1e-5)
    assert info["rows"] == len(words) and info["dims"] == 4 and info["texts"] == len(texts)

    # saved as a spaCy pipeline: every casing of a word finds its row after loading
    out = tmp_path / "vectors"
    v.save_vectors(out, words, table, info)
    nlp = spacy.load(out)
    assert nlp.meta["nlp_review_vectors"]["rows"] == len(words)
    doc = nlp("Teacher TEACHER teacher zebra")
    rows = nlp.vocab.vectors.find(keys=[t.orth for t in doc])
    assert rows[0] == rows[1] == rows[2] == words.index("teacher") and rows[3] == -1
    loaded = v.load_vectors(out)
    assert loaded.shape == (len(words), 4)


def test_too_few_words_and_missing_tables_are_clear_errors(tmp_path):
    from nlp_review.errors import NotFoundError

    with pytest.raises(NotFoundError, match="too few"):
        v.build_vectors(["one"], min_count=1)
    with pytest.raises(ConfigError, match="not a saved spaCy pipeline"):
        v.load_vectors(tmp_path)
    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ConfigError, match="holds no word vectors"):
        v.load_vectors(tmp_path / "blank")


def test_builder_leaves_out_the_held_out_records_and_their_copies(tmp_path):
    script = _script()
    selection = tmp_path / "selection.csv"
    selection.write_text("dataset,record_id,licence,batch,split\n"
                         "one,2,x,r,holdout4\none,1,x,a,train\n")
    fields = ["record_id", "title", "abstract"]
    for name, rows in (("one", [("1", "Kept title", "Kept abstract."),
                                ("2", "Secret title", "Secret abstract.")]),
                       ("two", [("7", "Other", "Secret abstract."),  # same text elsewhere
                                ("2", "Also kept", "")])):  # same id, other dataset
        with open(tmp_path / f"{name}.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(fields)
            writer.writerows(rows)
    excluded = script.excluded_records(selection, {"holdout4"})
    assert excluded == {("one", "2")}
    texts, kept, left_out = script.read_texts([tmp_path / "one.csv", tmp_path / "two.csv"],
                                              excluded)
    assert texts == ["Kept title", "Kept abstract.", "Also kept"]
    assert kept == {"one": 1, "two": 1} and left_out == 2


@pytest.mark.slow  # builds a small table, cross-validates and trains on four texts (~20 s)
def test_train_tagger_with_vectors_reads_and_carries_them(runner, tmp_path):
    words, table, info = v.build_vectors([g["text"] for g in gold_lines(GOLD_TRAIN, 60)],
                                         rows=2000, dims=16, min_count=2)
    vectors = tmp_path / "vectors"
    v.save_vectors(vectors, words, table, info)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TEST, 4)))
    out = tmp_path / "spancat"
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--out", str(out),
                                 "--epochs", "1", "--folds", "2", "--vectors", str(vectors)])
    assert result.exit_code == 0, result.output + result.stderr
    assert "with the word vectors of" in " ".join(result.output.split())
    model = spacy.load(out)  # nothing else needed: the model folder holds the table
    assert model.vocab.vectors.shape == (len(words), 16)
    assert model.meta["nlp_review_training"]["vectors"]["rows"] == len(words)
    embed = model.config["components"]["spancat"]["model"]["tok2vec"]["embed"]
    assert embed["include_static_vectors"] is True

    # the model reads the vectors: with the table zeroed its token encodings change
    tok2vec = model.get_pipe("spancat").model.get_ref("tok2vec")
    doc = model.make_doc(gold_lines(GOLD_TEST, 5)[4]["text"])
    before = tok2vec.predict([doc])[0].copy()
    model.vocab.vectors.data[:] = 0
    assert not numpy.allclose(before, tok2vec.predict([doc])[0])

    # a model trained with vectors can give them to the next training
    assert v.load_vectors(out).shape == (len(words), 16)

    # a folder without vectors: a clear error before any training, nothing written
    bad = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--out",
                              str(tmp_path / "none"), "--epochs", "1", "--folds", "2",
                              "--vectors", str(tmp_path / "missing")])
    assert bad.exit_code != 0 and "not a saved spaCy pipeline" in bad.stderr
    assert not (tmp_path / "none").exists()
