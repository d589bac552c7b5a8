from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
GOLD_TEST = REPO / "annotations" / "gold" / "test.jsonl"
GOLD_TRAIN = REPO / "annotations" / "gold" / "train.jsonl"
N_TEXTS = 8


def gold_lines(path: Path, n: int) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(n), handle)]


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


def build_tagged_project(folder: Path, n_texts: int,
                         edit: Callable[[int, str], str] | None = None) -> Path:
    """A project in ``folder`` holding the first ``n_texts`` real abstracts of the gold test
    split (each abstract passed through ``edit(n, abstract)`` if given), tagged."""
    from nlp_review.records import Record
    from nlp_review.store.db import transaction
    from nlp_review.store.project import init_project
    from nlp_review.store.records import add_source
    from nlp_review.tagging.patterns import default_models_dir, patterns_fingerprint
    from nlp_review.tagging.pipeline import build_pipeline
    from nlp_review.tagging.run import tag_project

    proj = init_project(folder)
    records = []
    for n, g in enumerate(gold_lines(GOLD_TEST, n_texts)):
        title, _, abstract = g["text"].partition("\n\n")
        records.append(Record(title=title, abstract=edit(n, abstract) if edit else abstract))
    with transaction(proj.conn):
        add_source(proj.conn, name="gold", file_name="gold.csv", file_hash="h", format="csv",
                   records=records)
    tag_project(proj.conn, build_pipeline(), patterns_fingerprint(default_models_dir()))
    proj.close()
    return folder


@pytest.fixture(scope="session")
def tagged_template(tmp_path_factory) -> Path:
    """A project holding the first real abstracts of the gold test split, tagged."""
    return build_tagged_project(tmp_path_factory.mktemp("annotate") / "proj", N_TEXTS)


@pytest.fixture
def tagged(tagged_template, tmp_path) -> Path:
    folder = tmp_path / "proj"
    shutil.copytree(tagged_template, folder)
    return folder
