"""The tagging commands as a user runs them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def test_tag_file_then_show_it(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x1", "text": "Befriending lonely older people in "
                                                   "Wales did not reduce loneliness."}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["tag", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    line = json.loads(out.read_text())
    assert {"MENTORING", "SOCIALLY_ISOLATED", "COUNTRY", "LONELINESS"} <= {
        s["label"] for s in line["spans"]}
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", "--input", str(src), "--output", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "x1" in html
    assert "LONELINESS (negated)" in html and "MENTORING" in html
    assert html.count("<h3>") == 5


def test_tag_input_without_output_is_an_error(tmp_path):
    result = runner.invoke(app, ["tag", "--input", str(tmp_path / "x.jsonl")])
    assert result.exit_code != 0
    assert "--input and --output go together" in result.output


def test_bad_pattern_file_is_a_clear_error(tmp_path):
    import shutil

    from nlp_review.tagging.patterns import default_models_dir

    models = tmp_path / "models"
    shutil.copytree(default_models_dir(), models)
    with open(models / "patterns" / "mechanism.jsonl", "a") as f:
        f.write('{"label": "TRUST", "pattern": "trust"}\n{"label": "RECIPROCITY"}\n'
                '{"label": "RECIPROCITY", "pattern": [{"LOWRE": "mutual"}]}\n')
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "trust"}\n')
    result = runner.invoke(app, ["tag", "--input", str(src), "--output",
                                 str(tmp_path / "o.jsonl"), "--models", str(models)])
    assert result.exit_code == 2
    assert "3 problem(s)" in result.output and "mechanism.jsonl" in result.output
    assert "token 1, LOWRE" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_project_tag_and_show(tmp_path):
    from nlp_review.records import Record
    from nlp_review.store.db import transaction
    from nlp_review.store.project import init_project
    from nlp_review.store.records import add_source

    proj = init_project(tmp_path / "p")
    with transaction(proj.conn):
        _, ids = add_source(proj.conn, name="s", file_name="s.csv", file_hash="h", format="csv",
                            records=[Record(title="Peer support for refugees",
                                            abstract="Peer support may reduce anxiety.")])
    proj.close()
    result = runner.invoke(app, ["tag", "-p", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "1 tagged" in result.output
    result = runner.invoke(app, ["tag", "-p", str(tmp_path / "p")])
    assert "0 tagged" in result.output and "1 unchanged" in result.output
    page = tmp_path / "w.html"
    result = runner.invoke(app, ["show", str(ids[0]), "-p", str(tmp_path / "p"), "-o",
                                 str(page)])
    assert result.exit_code == 0, result.output
    assert "ANXIETY (hedged)" in page.read_text()
    result = runner.invoke(app, ["show", "999", "-p", str(tmp_path / "p")])
    assert result.exit_code == 2 and "no work with id 999" in result.output


def test_evaluate_prints_scores_and_writes_errors(tmp_path):
    gold = tmp_path / "gold.jsonl"
    text = "Mentoring for adolescents in Ghana."
    gold.write_text(json.dumps({"id": "g1", "text": text, "spans": [
        {"start": 0, "end": 9, "label": "MENTORING", "group": "intervention"},
        {"start": 14, "end": 25, "label": "CHILDREN", "group": "population"},
    ]}) + "\n")
    errors = tmp_path / "errors.jsonl"
    scores = tmp_path / "scores.json"
    result = runner.invoke(app, ["evaluate", str(gold), "--errors", str(errors), "--json",
                                 str(scores), "--show-errors", "5"])
    assert result.exit_code == 0, result.output
    assert "intervention" in result.output and "per label" in result.output
    kinds = sorted((e["kind"], e["label"]) for e in map(json.loads, errors.read_text().splitlines()))
    assert kinds == [("false_hit", "ADOLESCENTS"), ("false_hit", "COUNTRY"),
                     ("miss", "CHILDREN")]
    data = json.loads(scores.read_text())
    assert data["groups"]["overlap"]["intervention"]["f1"] == 1.0
    assert data["groups"]["overlap"]["population"]["f1"] == 0.0


def test_input_that_is_not_utf8_text_or_is_a_folder_is_named_with_its_line(tmp_path):
    latin1 = tmp_path / "export.csv"
    latin1.write_bytes("title,abstract\nPeer support,children\nCafé study,young people\n"
                       .encode("latin-1"))
    out = tmp_path / "tags.jsonl"
    for command in (["tag", "--input", str(latin1), "--output", str(out)],
                    ["show", "--input", str(latin1), "--output", str(tmp_path / "t.html")]):
        result = runner.invoke(app, command, env={"COLUMNS": "200"})
        assert result.exit_code != 0
        assert "export.csv, line 3: is not UTF-8 text (byte 0xe9)" in result.output
        assert "UnicodeDecodeError" not in result.output
    assert not out.exists() and not (tmp_path / "t.html").exists()
    result = runner.invoke(app, ["tag", "--input", str(tmp_path), "--output", str(out)],
                           env={"COLUMNS": "200"})
    assert result.exit_code != 0 and "is a folder, not a file" in result.output


def test_evaluate_tables_keep_their_figures_in_an_80_column_terminal(tmp_path):
    # a long label folds onto a second line; before, the label column kept its full width
    # and every figure of the per-label table shrank to '0.…'
    gold = tmp_path / "gold.jsonl"
    text = "Emotional support from peers for adolescents in Ghana."
    gold.write_text(json.dumps({"id": "g1", "text": text, "spans": [
        {"start": 0, "end": 17, "label": "EMOTIONAL_PRACTICAL_SUPPORT", "group": "mechanism"},
        {"start": 33, "end": 44, "label": "ADOLESCENTS", "group": "population"},
    ]}) + "\n")
    result = runner.invoke(app, ["evaluate", str(gold)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "ADOLESCENTS" in result.output and "1.00" in result.output
