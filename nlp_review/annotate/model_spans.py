"""Running a trained span categorizer after the rules: the ``nlp_review_model_spans``
pipeline component and ``build_combined_pipeline``.

The component asks the model for candidate spans (aligned to the tagger's tokens, with the
model's score) and adds those ``combine.select_model_spans`` keeps, with the thresholds per
group, the gated groups (model spans only in texts where the rules found that group) and
the ``defer_to`` saved in the model's ``meta.json`` by ``train-tagger`` (chosen by
cross-validation on the training gold). Model spans carry ``span.id_ == "model:spancat"``
and go through the same context component (negated/hedged) as rule spans.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from nlp_review.annotate.combine import (DEFAULT_DEFER_TO, DEFER_TO, Candidate, Existing,
                                         select_model_spans)
from nlp_review.errors import ConfigError
from nlp_review.tagging.patterns import GROUPS, default_models_dir

SPANS_KEY = "sc"
MODEL_SPAN_ID = "model:spancat"
DEFAULT_THRESHOLD = 0.5


def load_spancat(path: Path) -> Language:
    path = Path(path)
    if not (path / "meta.json").is_file():
        shipped = default_models_dir() / "spancat"
        hint = "train one with nlp-review train-tagger --out DIR"
        if (shipped / "meta.json").is_file() and shipped.resolve() != path.resolve():
            hint = f"the model shipped with nlp-review is {shipped}; or {hint}"
        raise ConfigError(f"no trained model in {path}", hint=hint)
    nlp = spacy.load(path)
    if "nlp_review_groups" not in nlp.meta:
        raise ConfigError(f"{path} is not a model saved by nlp-review train-tagger")
    return nlp


def model_fingerprint(path: Path) -> str:
    """A short hash of a saved model's weights (tagging is redone when the model changes)."""
    digest = hashlib.sha1()
    for file in sorted(Path(path).rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(path).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def candidates_in(model_doc: Doc, doc: Doc, groups: dict[str, str]) -> list[Candidate]:
    """The model's spans on ``model_doc`` (the same text as ``doc``) as candidates whose
    offsets are aligned to ``doc``'s tokens, in the model's order."""
    found = model_doc.spans.get(SPANS_KEY, [])
    scores = found.attrs.get("scores") if hasattr(found, "attrs") else None
    if scores is not None and len(found):  # one score per span ((n, 1) for singlelabel)
        scores = numpy.max(numpy.asarray(scores, dtype=float).reshape(len(found), -1), axis=1)
    out = []
    for k, p in enumerate(list(found)):
        group = groups.get(p.label_)
        if group not in GROUPS:
            continue
        span = doc.char_span(p.start_char, p.end_char, alignment_mode="expand")
        if span is None or not len(span):
            continue
        out.append(Candidate(span.start_char, span.end_char, p.label_, group,
                             1.0 if scores is None else float(scores[k])))
    return out


def existing_spans(doc: Doc) -> list[Existing]:
    return [Existing(s.start_char, s.end_char, s.label_, g)
            for g in GROUPS if g in doc.spans for s in doc.spans[g]]


def add_spans(doc: Doc, kept: list[Candidate]) -> None:
    """Add the kept model spans to their groups' span groups of ``doc``."""
    for c in kept:
        span = doc.char_span(c.start, c.end, label=c.label, span_id=MODEL_SPAN_ID)
        if span is not None:
            doc.spans[c.group] = (list(doc.spans[c.group]) if c.group in doc.spans
                                  else []) + [span]


class ModelSpans:
    """Adds the trained model's spans the rules missed (see the module docstring).

    ``threshold``/``defer_to`` left unset (None / "") take the combination saved with the
    model; a model without one uses threshold 0.5 for every group and defers to same-label
    spans. A ``threshold`` given applies to every group, ungated."""

    def __init__(self, nlp: Language, name: str, path: str, threshold: float | None = None,
                 defer_to: str = "") -> None:
        if defer_to and defer_to not in DEFER_TO:
            raise ConfigError(f"defer_to must be one of {', '.join(DEFER_TO)}")
        self.name = name
        self.model = load_spancat(Path(path)) if path else None
        saved = (self.model.meta.get("nlp_review_combination") or {}) if self.model else {}
        self.defer_to = defer_to or saved.get("defer_to") or DEFAULT_DEFER_TO
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        self.group_thresholds: dict[str, float] | None = None
        self.gated: tuple[str, ...] = ()
        if threshold is None and saved.get("group_thresholds") is not None:
            self.group_thresholds = dict(saved["group_thresholds"])
            self.gated = tuple(saved.get("gated_groups", ()))

    def thresholds(self) -> dict[str, float | None]:
        if self.group_thresholds is None:
            return {g: self.threshold for g in GROUPS}
        return {g: self.group_thresholds.get(g) for g in GROUPS}

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        model_doc = self.model(doc.text)  # kept in scope: its SpanGroup needs the Doc alive
        candidates = candidates_in(model_doc, doc, self.model.meta["nlp_review_groups"])
        add_spans(doc, select_model_spans(candidates, existing_spans(doc), self.thresholds(),
                                          self.defer_to, self.gated))
        return doc

    def to_disk(self, path: Path, exclude: tuple = ()) -> None:
        if self.model is not None:
            self.model.to_disk(path)

    def from_disk(self, path: Path, exclude: tuple = ()) -> "ModelSpans":
        if Path(path).is_dir() and (Path(path) / "meta.json").is_file():
            self.model = load_spancat(Path(path))
        return self


@Language.factory("nlp_review_model_spans",
                  default_config={"path": "", "threshold": None, "defer_to": ""})
def make_model_spans(nlp: Language, name: str, path: str, threshold: float | None,
                     defer_to: str) -> ModelSpans:
    return ModelSpans(nlp, name, path, threshold, defer_to)


def build_combined_pipeline(models_dir: Path, spancat_dir: Path,
                            threshold: float | None = None,
                            base_model: str | None = None,
                            defer_to: str = "") -> Language:
    """The rule tagger with the trained model adding the spans the rules miss."""
    from nlp_review.tagging.pipeline import build_pipeline

    nlp = build_pipeline(models_dir, base_model=base_model)
    nlp.add_pipe("nlp_review_model_spans", before="evidence_context",
                 config={"path": str(spancat_dir), "threshold": threshold,
                         "defer_to": defer_to})
    return nlp
