"""Pattern and cue files are validated, with every bad line reported at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp_review.errors import InputErrors
from nlp_review.tagging import build_pipeline
from nlp_review.tagging.patterns import (default_models_dir, load_taxonomy, patterns_fingerprint,
                                         phrase_variants)

TAXONOMY_MD = Path(__file__).resolve().parents[2] / ".." / "shared" / "docs" / "TAXONOMY.md"


@pytest.fixture
def models(tmp_path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(default_models_dir(), target)
    return target


def test_taxonomy_covers_every_label_of_the_taxonomy_document():
    import re

    labels = load_taxonomy(default_models_dir() / "taxonomy.json")
    documented = set(re.findall(r"^\| ([A-Z][A-Z_]+) \|", TAXONOMY_MD.read_text(), re.M))
    assert len(documented) >= 50
    assert documented <= set(labels)
    for info in labels.values():
        assert info.definition and info.examples


def test_every_bad_line_is_reported_at_once(models):
    path = models / "patterns" / "population.jsonl"
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"label": "CHILDREN", "pattern": "kiddos"}\n')  # fine
        f.write('{"label": "CHILDRN", "pattern": "kids"}\n')  # unknown label
        f.write('{"label": "CHILDREN", "pattern": [{"LOWRE": "kid"}]}\n')  # bad token attr
        f.write('not json\n')
        f.write('{"label": "SCHOOL", "pattern": "school"}\n')  # wrong group
        f.write('{"label": "CHILDREN", "pattern": "kids", "colour": "red"}\n')  # unknown key
    n = sum(1 for _ in open(path, encoding="utf-8"))
    with pytest.raises(InputErrors) as info:
        build_pipeline(models)
    errors = info.value.errors
    assert [e.line for e in errors] == [n - 4, n - 3, n - 2, n - 1, n]
    assert all(e.file == str(path) for e in errors)
    text = str(info.value)
    assert "unknown label 'CHILDRN'" in text and "valid: ADOLESCENTS" in text
    assert "LOWRE" in text
    assert "not valid JSON" in text
    assert "belongs to group setting" in text
    assert "colour" in text


def test_errors_across_files_are_collected(models):
    with open(models / "patterns" / "outcome.jsonl", "a", encoding="utf-8") as f:
        f.write('{"label": "LONELINESS"}\n')
    with open(models / "context" / "negated.jsonl", "a", encoding="utf-8") as f:
        f.write('{"pattern": "nope", "direction": "sideways"}\n')
    with pytest.raises(InputErrors) as info:
        build_pipeline(models)
    files = {Path(e.file).name for e in info.value.errors}
    assert files == {"outcome.jsonl", "negated.jsonl"}


def test_users_add_patterns_without_code(models, tmp_path):
    text = "Grandmas and kiddos met weekly."
    with open(models / "patterns" / "population.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"label": "CHILDREN", "pattern": "kiddo", "id": "mine"}) + "\n")
        f.write(json.dumps({"label": "PARENTS_CARERS",
                            "pattern": [{"LEMMA": "grandma"}], "id": "mine2"}) + "\n")
    nlp = build_pipeline(models)
    doc = nlp(text)
    got = {(text[s.start_char:s.end_char], s.label_) for s in doc.spans["population"]}
    assert {("kiddos", "CHILDREN"), ("Grandmas", "PARENTS_CARERS")} <= got


def test_fingerprint_changes_when_patterns_change(models):
    before = patterns_fingerprint(models)
    assert before == patterns_fingerprint(models)
    with open(models / "patterns" / "setting.jsonl", "a", encoding="utf-8") as f:
        f.write('{"label": "HOME", "pattern": "kitchen table"}\n')
    assert patterns_fingerprint(models) != before


def test_phrase_variants():
    assert set(phrase_variants("after-school")) == {"after-school", "after school",
                                                    "afterschool", "after\u2013school"}
    assert set(phrase_variants("trust building")) == {"trust building", "trust-building"}
    assert phrase_variants("school") == ["school"]
