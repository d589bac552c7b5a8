from __future__ import annotations

import pytest


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
