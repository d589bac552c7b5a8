"""train-tagger on a tiny gold subset: it trains, saves, reloads, runs after the rules,
and suggests patterns that load as pattern lines. (The real training run is the benchmark
in benchmarks/tagger_training.)"""

from __future__ import annotations

import json

import pytest

from nlp_review.cli.app import app

from tests.annotate.conftest import GOLD_TEST, GOLD_TRAIN, gold_lines


@pytest.mark.slow  # cross-validates and trains on six texts, tags twice (~20-40 s)
def test_train_tagger_on_gold_files(runner, tmp_path, tagged):
    gold, more = tmp_path / "gold.jsonl", tmp_path / "more.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TRAIN, 4)))
    more.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TEST, 2)))
    out = tmp_path / "spancat"
    suggestions = tmp_path / "suggest.jsonl"
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--gold", str(more),
                                 "--out", str(out),
                                 "--epochs", "2", "--folds", "2", "--seed", "3", "--jobs", "2",
                                 "--suggest-patterns", str(suggestions), "--min-count", "1"])
    assert result.exit_code == 0, result.output + result.stderr
    said = " ".join(result.output.split())
    assert ("Cross-validated on 6 texts from gold.jsonl (4), more.jsonl (2) (2 folds of 3/3 "
            "texts, seed 3)") in said
    assert "final model trained on all 6 texts" in said
    assert (out / "meta.json").is_file()
    assert "Combination chosen by cross-validation" in said

    import spacy

    model = spacy.load(out)
    meta = model.meta["nlp_review_training"]
    assert meta["n_train"] == 6 and meta["folds"] == 2 and meta["epochs"] in (1, 2)
    assert meta["gold_files"] == {"gold.jsonl": 4, "more.jsonl": 2}
    assert meta["fold_sizes"] == [3, 3]
    assert sorted(i for part in meta["fold_ids"] for i in part) == sorted(
        g["id"] for g in gold_lines(GOLD_TRAIN, 4) + gold_lines(GOLD_TEST, 2))
    assert meta["sparse_repeat"] == 6 and set(meta["sparse_groups"]) <= {
        "mechanism", "population", "setting", "intervention", "outcome"}
    assert len(meta["cv_f_by_epoch"]) == 2
    combination = model.meta["nlp_review_combination"]
    assert combination["defer_to"] in ("label", "group", "any")
    assert combination["criterion"] == "additions_bound"
    assert set(combination["additions"]) == {
        "mechanism", "population", "setting", "intervention", "outcome"}
    assert combination["texts"] == 6 and combination["passes"] == meta["epochs"]
    assert set(combination["group_thresholds"]) <= set(combination["estimates"])
    assert set(model.meta["nlp_review_groups"].values()) <= {
        "mechanism", "population", "setting", "intervention", "outcome"}

    # the same seed gives the same model whether the folds ran in parallel or not
    again = tmp_path / "again"
    fresh, old = tmp_path / "fresh.jsonl", tmp_path / "old.jsonl"
    fresh.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TEST, 2)))
    old.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TEST, 3)[2:]))
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--gold", str(more),
                                 "--out", str(again),
                                 "--epochs", "2", "--folds", "2", "--seed", "3",
                                 "--test", str(fresh), "--test", str(old)])
    assert result.exit_code == 0, result.output + result.stderr
    said = " ".join(result.output.split())
    assert "fresh.jsonl (2 texts): rules vs rules + model" in said  # one table per file
    assert "old.jsonl (1 texts): rules vs rules + model" in said
    assert spacy.load(again).meta["nlp_review_combination"] == combination
    assert (again / "spancat" / "model").read_bytes() == (out / "spancat" / "model").read_bytes()

    # the combination is chosen on a simulation of the pipeline: it must count exactly
    # what the real rules + model pipeline gives, for the saved choice and for another
    from nlp_review.annotate.combine import combined_counts
    from nlp_review.annotate.model_spans import build_combined_pipeline, candidates_in
    from nlp_review.annotate.train import CONTEXT, _finish, _scored
    from nlp_review.tagging.evaluate import GoldText, evaluate
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy
    from nlp_review.tagging.pipeline import build_pipeline

    models_dir = default_models_dir()
    group_of = {k: v.group for k, v in load_taxonomy(models_dir / "taxonomy.json").items()}
    texts = [GoldText(g["id"], g["text"], g["spans"], "gold", i)
             for i, g in enumerate(gold_lines(GOLD_TRAIN, 12)[6:])]
    rules = build_pipeline(models_dir)
    context = rules.get_pipe(CONTEXT)
    with rules.select_pipes(disable=[CONTEXT]):
        pre = list(rules.pipe(g.text for g in texts))
    scored = [_scored(g, candidates_in(model(g.text), d, model.meta["nlp_review_groups"]),
                      context, d, _finish(context, d, [])) for g, d in zip(texts, pre)]

    def counts(by_group):
        return {k: (c.tp_pred, c.n_pred, c.tp_gold, c.n_gold) for k, c in by_group.items()}

    every_group = sorted(set(group_of.values()))
    gated_pipeline = build_combined_pipeline(models_dir, out, threshold=0.0, defer_to="any")
    gated_pipeline.get_pipe("nlp_review_model_spans").gated = tuple(every_group)
    for thresholds, defer, gated, pipeline in (
            (combination["group_thresholds"], combination["defer_to"],
             combination["gated_groups"], build_combined_pipeline(models_dir, out)),
            ({g: 0.0 for g in every_group}, "label", (),
             build_combined_pipeline(models_dir, out, threshold=0.0, defer_to="label")),
            ({g: 0.0 for g in every_group}, "any", every_group, gated_pipeline)):
        simulated_rules, simulated = combined_counts(scored, group_of, thresholds, defer,
                                                     gated)
        assert counts(simulated) == counts(evaluate(pipeline, texts, group_of)
                                           .by_group["overlap"])
        assert counts(simulated_rules) == counts(evaluate(rules, texts, group_of)
                                                 .by_group["overlap"])

    # the model runs after the rules when tagging a project; a new model means re-tagging
    result = runner.invoke(app, ["tag", "-p", str(tagged), "--spancat", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "8 tagged" in result.output
    result = runner.invoke(app, ["tag", "-p", str(tagged), "--spancat", str(out)])
    assert "0 tagged" in result.output and "8 unchanged" in result.output
    result = runner.invoke(app, ["evaluate", str(gold), "--spancat", str(out), "--no-labels"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["tag", "-p", str(tagged), "--spancat", str(tmp_path)])
    assert result.exit_code == 2 and "no trained model" in result.stderr

    # suggestions are valid pattern lines for their label's group, none already matched
    from nlp_review.tagging.patterns import default_models_dir, load_pattern_file, load_taxonomy

    taxonomy = load_taxonomy(default_models_dir() / "taxonomy.json")
    lines = [json.loads(x) for x in suggestions.read_text().splitlines()]
    assert lines, "six real abstracts always hold gold phrases the rules miss"
    by_group: dict[str, list[dict]] = {}
    for line in lines:
        assert set(line) == {"label", "pattern", "id"}
        by_group.setdefault(taxonomy[line["label"]].group, []).append(line)
    for group, entries in by_group.items():
        path = tmp_path / f"{group}.jsonl"
        path.write_text("".join(json.dumps(e) + "\n" for e in entries))
        assert len(load_pattern_file(path, group, taxonomy)) == len(entries)


def test_model_spans_only_fill_what_rules_miss(tmp_path):
    """The combination component: a model span overlapping a rule span of the same label
    is dropped; others are added to the group with the model's id, and get context."""
    from spacy.tokens import Span

    from nlp_review.annotate.train import MODEL_SPAN_ID, ModelSpans
    from nlp_review.tagging.pipeline import build_pipeline, doc_to_spans

    class FakeModel:
        meta = {"nlp_review_groups": {"CHILDREN": "population", "LONELINESS": "outcome"}}

        def __call__(self, text):
            import spacy

            doc = spacy.blank("en")(text)
            doc.spans["sc"] = [Span(doc, 0, 1, "CHILDREN"), Span(doc, 5, 6, "LONELINESS"),
                               Span(doc, 4, 5, "LONELINESS")]
            doc.spans["sc"].attrs["scores"] = [0.9, 0.8, 0.2]  # the last is under 0.5
            self.doc = doc
            return doc

    nlp = build_pipeline()

    def run(defer_to):
        component = ModelSpans(nlp, "m", "", 0.5, defer_to)
        component.model = FakeModel()
        doc = nlp.make_doc("Children did not report feeling isolated.")
        for name, proc in nlp.pipeline:
            if name == "evidence_context":
                doc = component(doc)
            doc = proc(doc)
        return doc

    # "isolated" is SOCIAL_ISOLATION for the rules (group outcome, like LONELINESS)
    for defer_to in ("group", "any"):
        deferred = run(defer_to)
        assert not [s for s in deferred.spans["outcome"] if s.label_ == "LONELINESS"]
    doc = run("label")
    spans = {(doc.text[s["start"]:s["end"]], s["label"]): s for s in doc_to_spans(doc)}
    assert ("isolated", "LONELINESS") in spans
    assert spans[("isolated", "LONELINESS")]["negated"] is True
    ids = [s.id_ for s in doc.spans["population"] if s.label_ == "CHILDREN"]
    assert ids and MODEL_SPAN_ID not in ids  # the rules already had it
    assert [s.id_ for s in doc.spans["outcome"] if s.label_ == "LONELINESS"] == [MODEL_SPAN_ID]


def test_train_tagger_rejects_bad_options_before_training(runner, tmp_path):
    result = runner.invoke(app, ["train-tagger", "--gold", str(GOLD_TRAIN), "--out",
                                 str(tmp_path / "m"), "--defer-to", "nope"])
    assert result.exit_code == 2
    assert "unknown deferral 'nope'" in result.stderr and "any, group, label" in result.stderr
    gold = tmp_path / "two.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TRAIN, 2)))
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--folds", "3",
                                 "--out", str(tmp_path / "m")])
    assert result.exit_code != 0 and "too few for 3-fold" in result.stderr
    assert not (tmp_path / "m").exists()
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--folds", "2",
                                 "--out", str(tmp_path / "m"), "--criterion", "best"])
    assert result.exit_code == 2
    assert "unknown choice criterion 'best'" in result.stderr
    assert "additions_bound, held_out_gain" in result.stderr
    result = runner.invoke(app, ["train-tagger", "--gold", str(gold), "--folds", "2",
                                 "--out", str(tmp_path / "m"), "--test",
                                 str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "missing.jsonl" in result.stderr
    assert not (tmp_path / "m").exists()  # a bad test file stops it before training


def test_train_tagger_refuses_a_text_given_twice(runner, tmp_path):
    """A text in two gold files (e.g. test_fresh.jsonl, which is part of test.jsonl) would
    sit in a training fold and its own held-out fold: refused before any training, with
    the file and line of both copies."""
    lines = gold_lines(GOLD_TRAIN, 4)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(json.dumps(g) + "\n" for g in lines[:3]))
    copy = {**lines[1], "id": "renamed"}  # same text under another id
    second.write_text("".join(json.dumps(g) + "\n" for g in [lines[3], lines[0], copy]))
    result = runner.invoke(app, ["train-tagger", "--gold", str(first), "--gold", str(second),
                                 "--folds", "2", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "2 problem(s)" in said
    assert (f"second.jsonl, line 2: text {lines[0]['id']!r} is already in the training gold "
            f"({first}, line 1)") in said
    assert "second.jsonl, line 3: text 'renamed' is already" in said
    assert "test_fresh.jsonl is part of test.jsonl" in said
    assert not (tmp_path / "m").exists()


def test_sparse_groups_are_the_rare_ones():
    from nlp_review.annotate.train import sparse_groups
    from nlp_review.tagging.evaluate import GoldText

    def spans(group, n):
        return [{"start": 0, "end": 1, "label": "X", "group": group}] * n

    gold = [GoldText("a", "x", spans("population", 50) + spans("setting", 10), "g", 1),
            GoldText("b", "x", spans("mechanism", 9) + spans("outcome", 11), "g", 2)]
    assert sparse_groups(gold) == ("mechanism",)  # 9 < 0.2 * 50; 10 and 11 are not
    assert sparse_groups([]) == ()


@pytest.mark.slow  # cross-validates and trains on six texts (~10-20 s)
def test_choice_is_judged_against_the_rules_a_round_was_annotated_after(runner, tmp_path):
    """--unseen-rules FILE=DIR: on FILE's texts the held-out choice is judged against the
    rules in DIR (here: an older rule set without population patterns), on the others
    against the current rules; meta.json records it."""
    import shutil

    from nlp_review.tagging.evaluate import GoldText, evaluate
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy
    from nlp_review.tagging.pipeline import build_pipeline

    old = tmp_path / "old" / "models"
    shutil.copytree(default_models_dir(), old, ignore=shutil.ignore_patterns("spancat"))
    (old / "patterns" / "population.jsonl").unlink()
    seen, later = tmp_path / "seen.jsonl", tmp_path / "later.jsonl"
    seen_lines, later_lines = gold_lines(GOLD_TRAIN, 4), gold_lines(GOLD_TEST, 2)
    seen.write_text("".join(json.dumps(g) + "\n" for g in seen_lines))
    later.write_text("".join(json.dumps(g) + "\n" for g in later_lines))
    out = tmp_path / "spancat"
    result = runner.invoke(app, ["train-tagger", "--gold", str(seen), "--gold", str(later),
                                 "--unseen-rules", f"{later}={old}", "--out", str(out),
                                 "--epochs", "1", "--folds", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output + result.stderr

    import spacy

    meta = spacy.load(out).meta
    assert meta["nlp_review_training"]["unseen_rules"] == [
        {"name": f"later.jsonl={old}", "texts": 2}]
    # the rules' held-out population recall the choice saw: the current rules' gold found
    # on the four seen texts, the old rules' on the two later ones
    models_dir = default_models_dir()
    group_of = {k: v.group for k, v in load_taxonomy(models_dir / "taxonomy.json").items()}

    def population(rules, lines):
        texts = [GoldText(g["id"], g["text"], g["spans"], "g", i) for i, g in enumerate(lines)]
        return evaluate(rules, texts, group_of).by_group["overlap"]["population"]

    current, old_rules = build_pipeline(models_dir), build_pipeline(old)
    on_seen, on_later = population(current, seen_lines), population(old_rules, later_lines)
    assert on_later.tp_gold < population(current, later_lines).tp_gold  # a real difference
    _, recall = meta["nlp_review_combination"]["table"]["rules"]["population"]
    assert recall == round((on_seen.tp_gold + on_later.tp_gold)
                           / (on_seen.n_gold + on_later.n_gold), 4)


def test_unseen_rules_option_is_checked_before_training(runner, tmp_path):
    gold = tmp_path / "two.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TRAIN, 2)))
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(g) + "\n" for g in gold_lines(GOLD_TEST, 1)))
    base = ["train-tagger", "--gold", str(gold), "--folds", "2", "--out", str(tmp_path / "m")]
    result = runner.invoke(app, base + ["--unseen-rules", str(other)])
    assert result.exit_code != 0 and "is not FILE=DIR" in result.stderr
    result = runner.invoke(app, base + ["--unseen-rules", f"{other}={tmp_path}"])
    assert result.exit_code != 0 and "is not a models folder" in result.stderr
    from nlp_review.tagging.patterns import default_models_dir

    result = runner.invoke(app, base + ["--unseen-rules", f"{other}={default_models_dir()}"])
    assert result.exit_code != 0
    assert "none of its 1 text(s) is in the training gold" in " ".join(result.stderr.split())
    assert not (tmp_path / "m").exists()


@pytest.mark.slow  # cross-validates and trains on six texts (~10-20 s)
def test_rechoosing_reproduces_the_saved_choice_and_follows_the_rules(tmp_path):
    """``rechoose_combination`` from the held-out predictions of a training run and the
    same rules saves exactly the combination training saved; against other rules (none
    for population here) it judges against those."""
    import shutil

    import spacy

    from nlp_review.annotate.train import rechoose_combination, train_tagger
    from nlp_review.tagging.evaluate import GoldText
    from nlp_review.tagging.patterns import default_models_dir

    models_dir = default_models_dir()
    gold = [GoldText(g["id"], g["text"], g["spans"], "g.jsonl", i)
            for i, g in enumerate(gold_lines(GOLD_TRAIN, 6))]
    out = tmp_path / "spancat"
    report = train_tagger(gold, out, models_dir, folds=2, epochs=1, seed=1)
    saved = spacy.load(out).meta["nlp_review_combination"]
    held = {t.gold.id: t.candidates for t in report.held_out}
    again = rechoose_combination(gold, held, out, models_dir)

    def rounded(x):  # spaCy's JSON writer prints some floats as 0.6667000000000001
        if isinstance(x, dict):
            return {k: rounded(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [rounded(v) for v in x]
        return round(x, 6) if isinstance(x, float) else x

    assert rounded(again) == rounded(saved)
    assert rounded(spacy.load(out).meta["nlp_review_combination"]) == rounded(saved)

    old = tmp_path / "old" / "models"
    shutil.copytree(models_dir, old, ignore=shutil.ignore_patterns("spancat"))
    (old / "patterns" / "population.jsonl").unlink()
    other = rechoose_combination(gold, held, out, old)
    assert other["table"]["rules"]["population"][1] < saved["table"]["rules"]["population"][1]
    saved_now = spacy.load(out).meta["nlp_review_combination"]
    assert rounded(saved_now["table"]) == rounded(other["table"])
    with pytest.raises(Exception, match="not cross-validated on these gold texts"):
        rechoose_combination(gold[:5], held, out, models_dir)
