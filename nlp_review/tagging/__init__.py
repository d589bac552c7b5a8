"""Tagging: mechanisms, populations, settings, interventions and outcomes in abstracts, with
spaCy rules kept as data under ``models/`` (see ``pipeline.build_pipeline``)."""

#: Bumped when code changes what the pipeline tags, so stored tags are redone.
PIPELINE_VERSION = "3"

from nlp_review.tagging.pipeline import build_pipeline, doc_to_spans  # noqa: E402

__all__ = ["build_pipeline", "doc_to_spans", "PIPELINE_VERSION"]
