"""Bad input found by feeding each file-reading command empty, damaged and non-UTF-8 files
(QA session 9): a clear message naming the file (and line), a non-zero exit, no traceback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()

TEXT = ("Peer mentoring reduced loneliness among pupils in secondary schools; teachers "
        "reported better relationships.")


def _gold_line(text: str = TEXT) -> str:
    return json.dumps({"id": "1", "text": text, "spans": []}, ensure_ascii=False) + "\n"


def test_evaluate_names_the_line_of_a_gold_file_that_is_not_utf8(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(_gold_line().encode() + _gold_line("Ni\u00f1os en la escuela.")
                     .encode("latin-1"))
    result = runner.invoke(app, ["evaluate", str(gold)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{gold}, line 2: not UTF-8 text" in result.output
    assert "save the gold file as UTF-8" in result.output


def test_evaluate_refuses_a_gold_file_with_no_texts_instead_of_scoring_nothing(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n\n")
    result = runner.invoke(app, ["evaluate", str(gold)])
    assert result.exit_code == 2, result.output
    assert f"{gold}: the gold file holds no texts" in result.output
    assert "P ex" not in result.output  # no table of zeros


def test_criteria_from_a_file_that_is_not_utf8_names_the_line_and_what_to_do(tmp_path):
    criteria = tmp_path / "criteria.txt"
    criteria.write_bytes("Children and young people\nNi\u00f1os en la escuela\n"
                         .encode("latin-1"))
    result = runner.invoke(app, ["criteria", "set", "--file", str(criteria), "-p",
                                 str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert f"{criteria}, line 2: not UTF-8 text" in result.output
    assert "save the criteria as UTF-8" in result.output
    for path, problem in ((tmp_path / "nope.txt", "no such file"),
                          (tmp_path, "is a folder, not a text file")):
        result = runner.invoke(app, ["criteria", "set", "--file", str(path), "-p",
                                     str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert f"{path}: {problem}" in result.output
        assert "Errno" not in result.output
