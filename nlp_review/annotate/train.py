"""Learning from corrections: a spaCy span categorizer trained on gold, run after the rules.

Training (``train_spancat``): blank English, one ``spancat_singlelabel`` (a softmax over the
labels plus "no span" for each suggested n-gram, overlaps allowed; negatives weighted 0.5,
since nearly every n-gram is none) with its own small tok2vec (spaCy's default hash embeddings +
CNN, narrowed to width 64 and depth 2), n-gram suggester of 1-4 tokens (99% of the gold
spans),
labels from the taxonomy. The gold texts are shuffled with the
seed and split into train and dev; training examples are single sentences (batches of 8,
Adam at 0.002), dev texts whole; the epoch with the best dev F1 is kept. CPU only, seeded
(``spacy.util.fix_random_seed``). The label -> group map is saved in the model's meta.

Combination (``nlp_review_model_spans`` factory, ``build_combined_pipeline``): the rules run
first; the model then adds each span whose label it scores at least the threshold
(per group, chosen on the dev split by ``choose_combination`` and saved with the model;
a group where model spans did not help on dev gets none), unless a rule span overlaps it:
one with the same label, of the same group, or any (``defer_to``, also chosen on dev).
Rules win where they fire; the model only fills what they miss. Model spans carry ``span.id_ == "model:spancat"`` and go through the
same context component (negated/hedged) as rule spans.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy
import spacy
from spacy.language import Language
from spacy.pipeline.spancat import DEFAULT_SPANCAT_SINGLELABEL_MODEL
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from nlp_review.annotate.measure import pattern_report
from nlp_review.errors import ConfigError, NotFoundError
from nlp_review.io import atomic_open
from nlp_review.tagging.evaluate import GoldText, evaluate
from nlp_review.tagging.patterns import GROUPS, load_taxonomy

SPANS_KEY = "sc"
MODEL_SPAN_ID = "model:spancat"
NGRAM_SIZES = [1, 2, 3, 4]
TOK2VEC_WIDTH = 64
TOK2VEC_DEPTH = 2
MAX_PRECISION_DROP = 0.05
#: Where the model defers to the rules: it adds no span overlapping a rule span with the
#: same label ("label"), of the same group ("group"), or any rule span ("any").
DEFER_TO = ("label", "group", "any")
DEFAULT_DEFER_TO = "label"
DEFAULT_THRESHOLD = 0.5
CANDIDATE_THRESHOLDS = [0.5, 0.7, 0.8, 0.9, 0.95]


@dataclass
class TrainResult:
    n_train: int
    n_dev: int
    best_epoch: int
    dev_p: float
    dev_r: float
    dev_f: float
    dev_ids: list[str]


def _example(nlp: Language, text: str, gold_spans: list[dict]) -> Example:
    doc = nlp.make_doc(text)
    ref = nlp.make_doc(text)
    spans = []
    for s in gold_spans:
        span = ref.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
        if span is not None and len(span) <= max(NGRAM_SIZES):
            spans.append(span)
    ref.spans[SPANS_KEY] = spans
    return Example(doc, ref)


_SENTENCES = None


def _sentence_examples(nlp: Language, g: GoldText) -> list[Example]:
    """Training examples one sentence each (many more updates per pass over the same
    text than whole abstracts); a gold span crossing a sentence boundary is dropped."""
    global _SENTENCES
    if _SENTENCES is None:
        _SENTENCES = spacy.blank("en")
        _SENTENCES.add_pipe("sentencizer")
    out = []
    for sent in _SENTENCES(g.text).sents:
        a, b = sent.start_char, sent.end_char
        if not g.text[a:b].strip():
            continue
        inside = [{**s, "start": s["start"] - a, "end": s["end"] - a} for s in g.spans
                  if a <= s["start"] and s["end"] <= b]
        out.append(_example(nlp, g.text[a:b], inside))
    return out


def _small_model() -> dict:
    """spaCy's default single-label spancat model with a smaller tok2vec (width 64, depth
    2): a few minutes of training on shared CPU cores."""
    model = copy.deepcopy(dict(DEFAULT_SPANCAT_SINGLELABEL_MODEL))
    model["tok2vec"] = copy.deepcopy(dict(model["tok2vec"]))
    model["tok2vec"]["embed"] = {**model["tok2vec"]["embed"], "width": TOK2VEC_WIDTH}
    model["tok2vec"]["encode"] = {**model["tok2vec"]["encode"], "width": TOK2VEC_WIDTH,
                                  "depth": TOK2VEC_DEPTH}
    return model


def train_spancat(gold: list[GoldText], out: Path, *, epochs: int = 20, dev_share: float = 0.2,
                  seed: int = 0, batch_size: int = 8, negative_weight: float = 0.5,
                  learn_rate: float = 0.002,
                  on_epoch: Callable[[int, float, float], None] | None = None) -> TrainResult:
    """Train on ``gold``, save the best-on-dev model to ``out``."""
    if len(gold) < 2:
        raise NotFoundError(f"{len(gold)} gold text(s): too few to train on",
                            hint="import and adjudicate annotations, or pass --gold FILE")
    group_of = {s["label"]: s["group"] for g in gold for s in g.spans}
    if not group_of:
        raise NotFoundError("the gold texts hold no spans to learn from")
    fix_random_seed(seed)
    order = list(gold)
    random.Random(seed).shuffle(order)
    n_dev = int(round(len(order) * dev_share)) if dev_share > 0 else 0
    n_dev = min(max(n_dev, 1 if dev_share > 0 else 0), len(order) - 1)
    dev, train = order[:n_dev], order[n_dev:]
    nlp = spacy.blank("en")
    spancat = nlp.add_pipe("spancat_singlelabel", name="spancat", config={
        "spans_key": SPANS_KEY, "negative_weight": negative_weight, "allow_overlap": True,
        "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": NGRAM_SIZES},
        "model": _small_model()})
    for label in sorted(group_of):
        spancat.add_label(label)
    train_ex = [ex for g in train for ex in _sentence_examples(nlp, g)]
    dev_ex = [_example(nlp, g.text, g.spans) for g in dev]
    optimizer = nlp.initialize(lambda: train_ex)
    optimizer.learn_rate = learn_rate
    nlp.meta["name"] = "nlp_review_spancat"
    nlp.meta["nlp_review_groups"] = group_of
    nlp.meta["nlp_review_training"] = {"n_train": len(train), "n_dev": len(dev),
                                       "seed": seed, "epochs": epochs,
                                       "dev_ids": [g.id for g in dev]}
    best = (-1.0, 0, {}, None)
    rng = random.Random(seed)
    for epoch in range(1, epochs + 1):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in minibatch(train_ex, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        scores = nlp.evaluate(dev_ex) if dev_ex else {}
        f = float(scores.get(f"spans_{SPANS_KEY}_f") or 0.0)
        if on_epoch:
            on_epoch(epoch, losses.get("spancat", 0.0), f)
        if not dev_ex or f > best[0]:
            best = (f, epoch, scores, nlp.to_bytes())
    f, epoch, scores, blob = best
    nlp.from_bytes(blob)
    nlp.meta["nlp_review_training"]["best_epoch"] = epoch
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return TrainResult(len(train), len(dev), epoch,
                       float(scores.get(f"spans_{SPANS_KEY}_p") or 0.0),
                       float(scores.get(f"spans_{SPANS_KEY}_r") or 0.0), f,
                       [g.id for g in dev])


def load_spancat(path: Path) -> Language:
    path = Path(path)
    if not (path / "meta.json").is_file():
        raise ConfigError(f"no trained model in {path}",
                          hint="nlp-review train-tagger --out DIR first")
    nlp = spacy.load(path)
    if "nlp_review_groups" not in nlp.meta:
        raise ConfigError(f"{path} is not a model saved by nlp-review train-tagger")
    return nlp


def model_fingerprint(path: Path) -> str:
    """A short hash of a saved model's weights (tagging is redone when the model changes)."""
    import hashlib

    digest = hashlib.sha1()
    for file in sorted(Path(path).rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(path).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


class ModelSpans:
    """Adds the trained model's spans the rules missed (see the module docstring).

    ``threshold``/``defer_to`` left unset (None / "") take the combination saved with the
    model by ``train-tagger`` (chosen on its dev split: per group a threshold, or no model
    spans at all for a group where they did not help on dev); a model without one uses
    threshold 0.5 for every group and defers to same-label rule spans. ``group_thresholds``
    None means one ``threshold`` for every group."""

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
        if threshold is None and saved.get("group_thresholds") is not None:
            self.group_thresholds = dict(saved["group_thresholds"])

    def _threshold(self, group: str) -> float | None:
        if self.group_thresholds is None:
            return self.threshold
        return self.group_thresholds.get(group)

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        groups = self.model.meta["nlp_review_groups"]
        model_doc = self.model(doc.text)  # kept in scope: its SpanGroup needs the Doc alive
        group_spans = model_doc.spans.get(SPANS_KEY, [])
        scores = group_spans.attrs.get("scores") if hasattr(group_spans, "attrs") else None
        if scores is not None:  # one score per span ((n, 1) for spancat_singlelabel)
            scores = numpy.ravel(numpy.asarray(scores, dtype=float))
        for k, p in enumerate(list(group_spans)):
            group = groups.get(p.label_)
            if group not in GROUPS:
                continue
            needed = self._threshold(group)
            if needed is None or (scores is not None and float(scores[k]) < needed):
                continue
            span = doc.char_span(p.start_char, p.end_char, label=p.label_,
                                 span_id=MODEL_SPAN_ID, alignment_mode="expand")
            if span is None:
                continue
            existing = list(doc.spans[group]) if group in doc.spans else []
            rivals = existing if self.defer_to != "any" else [
                e for g in GROUPS if g in doc.spans for e in doc.spans[g]]
            if any((self.defer_to != "label" or e.label_ == span.label_)
                   and e.start < span.end and span.start < e.end for e in rivals):
                continue
            doc.spans[group] = existing + [span]
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


def compare_thresholds(test: list[GoldText], models_dir: Path, spancat_dir: Path,
                       thresholds: list[float], defer_to: str = DEFAULT_DEFER_TO
                       ) -> dict[float, list[dict]]:
    """Per group (overlap matching), for each model score threshold: rules alone vs rules +
    model, with a verdict (the target: recall up, precision down by no more than 0.05)."""
    return compare_settings(test, models_dir, spancat_dir, thresholds, [defer_to])[defer_to]


def compare_settings(test: list[GoldText], models_dir: Path, spancat_dir: Path,
                     thresholds: list[float], defer_tos: Iterable[str] = DEFER_TO
                     ) -> dict[str, dict[float, list[dict]]]:
    """``compare_thresholds`` for several ``defer_to`` values; both pipelines are built
    and the rules scored once."""
    from nlp_review.tagging.pipeline import build_pipeline

    taxonomy = load_taxonomy(Path(models_dir) / "taxonomy.json")
    group_of = {k: v.group for k, v in taxonomy.items()}
    rules = evaluate(build_pipeline(models_dir), test, group_of)
    combined = build_combined_pipeline(models_dir, spancat_dir, threshold=DEFAULT_THRESHOLD)
    component = combined.get_pipe("nlp_review_model_spans")
    out: dict[str, dict[float, list[dict]]] = {}
    for defer in defer_tos:
        component.defer_to = defer
        for threshold in thresholds:
            component.threshold = threshold
            out.setdefault(defer, {})[threshold] = _rows(rules,
                                                         evaluate(combined, test, group_of))
    return out


def compare_saved(test: list[GoldText], models_dir: Path, spancat_dir: Path) -> list[dict]:
    """Rules alone vs rules + model with the combination saved with the model."""
    from nlp_review.tagging.pipeline import build_pipeline

    taxonomy = load_taxonomy(Path(models_dir) / "taxonomy.json")
    group_of = {k: v.group for k, v in taxonomy.items()}
    return _rows(evaluate(build_pipeline(models_dir), test, group_of),
                 evaluate(build_combined_pipeline(models_dir, spancat_dir), test, group_of))


def choose_combination(dev: list[GoldText], models_dir: Path, spancat_dir: Path,
                       thresholds: list[float] = CANDIDATE_THRESHOLDS) -> dict:
    """The combination to save with a model, chosen on the DEV texts only: for each
    ``defer_to``, per group the threshold with the largest recall gain among those losing
    at most 0.05 precision (a group with no such gain gets no model spans); then the
    ``defer_to`` with the largest summed gain. Groups are independent here: a group's
    scores depend only on the model spans added to that group."""
    best: dict | None = None
    tables = compare_settings(dev, models_dir, spancat_dir, thresholds, DEFER_TO)
    for defer in DEFER_TO:
        table = tables[defer]
        chosen: dict[str, float] = {}
        gain = 0.0
        for group in GROUPS:
            options = [(row["r_both"] - row["r_rules"], -th, th)
                       for th, rows in table.items() for row in rows
                       if row["group"] == group and row["r_both"] > row["r_rules"]
                       and row["p_both"] >= row["p_rules"] - MAX_PRECISION_DROP]
            if options:
                g, _, th = max(options)
                chosen[group] = th
                gain += g
        if best is None or gain > best["dev_recall_gain"]:
            best = {"defer_to": defer, "group_thresholds": chosen,
                    "dev_recall_gain": round(gain, 4), "dev_texts": len(dev)}
    assert best is not None
    return best


def save_combination(spancat_dir: Path, combination: dict) -> None:
    """Store the chosen combination in the model's meta.json."""
    path = Path(spancat_dir) / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["nlp_review_combination"] = combination
    with atomic_open(path) as handle:
        handle.write(json.dumps(meta, indent=2))


def _rows(rules, both) -> list[dict]:
    rows = []
    for group in GROUPS:
        a = rules.by_group["overlap"].get(group)
        b = both.by_group["overlap"].get(group)
        if a is None or b is None:
            continue
        up = b.recall > a.recall
        kept = b.precision >= a.precision - MAX_PRECISION_DROP
        verdict = ("better" if up and kept else "precision drop" if up else
                   "no recall gain")
        rows.append({"group": group, "p_rules": a.precision, "r_rules": a.recall,
                     "f_rules": a.f1, "p_both": b.precision, "r_both": b.recall,
                     "f_both": b.f1, "verdict": verdict})
    return rows


def _slug(phrase: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


def suggest_patterns(gold: list[GoldText], models_dir: Path, *, min_count: int = 2,
                     max_words: int = 6) -> list[tuple[dict, int]]:
    """Frequent gold phrases that no pattern of their label reaches (and that no pattern
    matches even on their own), as pattern lines
    ``{"label", "pattern", "id"}`` (ids ``<label>:suggested_<phrase>``), most frequent first,
    with their counts."""
    from nlp_review.tagging.pipeline import build_pipeline

    taxonomy = load_taxonomy(Path(models_dir) / "taxonomy.json")
    nlp = build_pipeline(models_dir)
    report = pattern_report(nlp, gold, {k: v.group for k, v in taxonomy.items()})
    lemmatize = nlp.get_pipe("normalising_lemmatizer")
    rows = []
    for label, phrases in report.unreached.items():
        # Inflections of one phrase ("student", "students") count together: patterns match
        # on normalised lemmas, so one line covers them all; the commonest form is shown.
        merged: dict[str, Counter] = defaultdict(Counter)
        for phrase, n in phrases.items():
            key = " ".join(t.lemma_ for t in lemmatize(nlp.make_doc(phrase)))
            merged[key][phrase] += n
        for forms in merged.values():
            phrase, n = forms.most_common(1)[0][0], sum(forms.values())
            if n < min_count or len(phrase.split()) > max_words or not _slug(phrase):
                continue
            alone = nlp(phrase)  # a pattern already matches the phrase on its own: the
            if any(sp.label_ == label for g in GROUPS if g in alone.spans  # misses are
                   for sp in alone.spans[g]):  # about context, not a missing pattern
                continue
            rows.append(({"label": label, "pattern": phrase,
                          "id": f"{label.lower()}:suggested_{_slug(phrase)}"}, n))
    rows.sort(key=lambda r: (-r[1], r[0]["label"], r[0]["pattern"]))
    return rows


def write_suggestions(rows: list[tuple[dict, int]], out: Path) -> None:
    with atomic_open(Path(out)) as handle:
        for line, _ in rows:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
