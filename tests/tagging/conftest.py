from __future__ import annotations

import pytest


def labels(tagged, label):
    """The texts of the spans with ``label`` in ``tag``'s output."""
    return [text for text, lab, _, _ in tagged if lab == label]


@pytest.fixture(scope="session")
def nlp():
    from nlp_review.tagging import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def tag(nlp):
    """Tag a text; returns [(text, label, negated, hedged)]."""
    from nlp_review.tagging import doc_to_spans

    def run(text: str) -> list[tuple[str, str, bool, bool]]:
        return [(text[s["start"]:s["end"]], s["label"], s["negated"], s["hedged"])
                for s in doc_to_spans(nlp(text))]

    return run


@pytest.fixture
def models_copy(tmp_path):
    """A copy of the bundled ``models/`` folder in ``tmp_path`` and a function adding lines
    to one of its files: ``models, add = models_copy; add("context/exclude.jsonl", line)``."""
    import shutil

    from nlp_review.tagging.patterns import default_models_dir

    models = tmp_path / "models"
    shutil.copytree(default_models_dir(), models)

    def add(name: str, *lines: str) -> None:
        with open(models / name, "a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)

    return models, add
