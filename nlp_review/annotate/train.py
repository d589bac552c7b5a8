"""Learning from corrections: a spaCy span categorizer trained on gold, run after the rules.

Model (``_new_model``): blank English, one ``spancat_singlelabel`` (a softmax over the labels
plus "no span" for each suggested n-gram, overlaps allowed; negatives weighted 0.5, since
nearly every n-gram is none) with its own small tok2vec (spaCy's default hash embeddings +
CNN, narrowed to width 64 and depth 2), n-gram suggester of 1-4 tokens (99% of the gold
spans), labels from the gold. Examples are single sentences, every sentence of a training
text (those without spans teach the model what is not a span); a sentence holding a span of
a sparse group (fewer than ``SPARSE_SHARE`` of the commonest group's spans in the gold:
mechanism and intervention in ours, 123-192 spans against 1,689 population spans) is seen
``SPARSE_REPEAT`` (6) times per pass, so those labels are not drowned by the common ones
(3-fold cross-validation on the train split, one seed: the model's own mechanism spans at
score >= 0.9 went from P 0.76 R 0.22 to P 0.79 R 0.34, the other groups about unchanged;
one seed, so part of that is seed-to-seed variation; on 450 texts, 6 repeats instead of 3
gave the combination more held-out gold: population, setting and outcome recall +0.062
summed against +0.054, mechanism and intervention still off); batches of 8, Adam at 0.002,
dropout 0.1. CPU only, seeded (``spacy.util.fix_random_seed``). With ``vectors`` (a
saved spaCy pipeline holding a word-vector table, ``nlp_review.annotate.vectors``) the
tok2vec also reads the table (``include_static_vectors``) and the saved model carries it;
on rounds 1-6, in-domain vectors (20,000 x 64) took the 3-fold held-out span F1 from 0.720
to 0.732 and the combination's held-out recall gain from 0.056 to 0.062.

Training (``train_tagger``): k-fold cross-validation over the training gold (the texts of
every gold file given, each text once: ``check_distinct``; seeded shuffle, ``folds`` parts;
the files, fold sizes and fold ids are saved in ``meta.json``). Each fold's model trains on
the other parts for up to ``epochs`` passes and, after every pass, predicts the held part.
The fewest passes whose pooled held-out span F1 is within ``PASS_TOLERANCE`` (0.005) of the
best is chosen; the held-out candidates of that pass (every training text predicted by a
model that never saw it) choose the combination with the rules
(``combine.choose_combination``: per group a score threshold or no model spans, and where
the model defers to rule spans). The final model is trained on all the training gold for
the chosen number of passes and saved with the label -> group map, the combination and the
cross-validation figures in its ``meta.json``. Nothing here looks at a test split.

Rules as they were (``RuleSnapshot``): the patterns were written on most training texts, so
on them the rules find nearly every gold span and the model's right additions are rare,
while on unseen text the rules miss far more (outcome: recall 0.93 on their own texts, 0.57
on the round-4 holdout). For training texts the rules had not seen at some earlier commit
(a gold round annotated after that commit), ``unseen_rules`` gives the rule files of that
commit: those texts' held-out candidates are combined with, and the choice is judged
against, those rules, which miss on them what rules miss on unseen text. The other texts
keep the current rules. The model itself is trained the same way either way.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import spacy
from spacy.language import Language
from spacy.pipeline.spancat import DEFAULT_SPANCAT_SINGLELABEL_MODEL
from spacy.tokens import Doc
from spacy.vectors import Vectors
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from nlp_review.annotate.combine import (CANDIDATE_THRESHOLDS, CRITERIA, DEFAULT_CRITERION,
                                         DEFAULT_DEFER_TO, DEFER_TO, MAX_PRECISION_DROP,
                                         Scored, choose_combination)
from nlp_review.annotate.measure import pattern_report
from nlp_review.annotate.vectors import load_vectors
from nlp_review.annotate.model_spans import (DEFAULT_THRESHOLD, MODEL_SPAN_ID, SPANS_KEY,
                                             ModelSpans, add_spans, build_combined_pipeline,
                                             candidates_in, existing_spans, load_spancat,
                                             model_fingerprint)
from nlp_review.errors import InputError, InputErrors, NotFoundError, unknown_name
from nlp_review.io import atomic_open
from nlp_review.tagging.evaluate import GoldText, evaluate
from nlp_review.tagging.patterns import GROUPS, load_taxonomy

__all__ = ["CRITERIA", "DEFAULT_CRITERION", "DEFAULT_DEFER_TO", "DEFAULT_THRESHOLD", "DEFER_TO",
           "MODEL_SPAN_ID", "ModelSpans", "RuleSnapshot", "build_combined_pipeline",
           "rechoose_combination", "load_spancat", "model_fingerprint", "train_tagger",
           "TrainReport", "compare_saved", "compare_thresholds", "compare_settings",
           "suggest_patterns", "write_suggestions"]

NGRAM_SIZES = [1, 2, 3, 4]
TOK2VEC_WIDTH = 64
TOK2VEC_DEPTH = 2
SPARSE_SHARE = 0.2
SPARSE_REPEAT = 6  # 3 before; 6 chosen on 450 texts by the combination's held-out gain
DEFAULT_FOLDS = 3
DEFAULT_EPOCHS = 10
PASS_TOLERANCE = 0.005  # fewest passes within this of the best held-out span F1

EpochCallback = Callable[[str, int, float, float], None]  # (stage, epoch, loss, held-out F1)


@dataclass
class TrainReport:
    n_texts: int
    folds: int
    epochs: int  # passes chosen by cross-validation (the final model's)
    cv_p: float
    cv_r: float
    cv_f: float
    cv_f_by_epoch: list[float]
    combination: dict
    fold_ids: list[list[str]] = field(default_factory=list)
    held_out: list[Scored] = field(default_factory=list)  # at the chosen passes
    sources: dict[str, int] = field(default_factory=dict)  # gold file -> texts


@dataclass(frozen=True)
class RuleSnapshot:
    """The rule files (a models folder) as they were before the training texts ``ids`` were
    seen by their authors; ``name`` says which (e.g. ``holdout.jsonl=1cc447f``)."""
    models_dir: Path
    ids: frozenset[str]
    name: str = ""


def check_snapshots(gold: list[GoldText], snapshots: Iterable[RuleSnapshot]) -> None:
    """Each snapshot must cover some training text, and no text may be in two."""
    ids = {g.id for g in gold}
    owner: dict[str, str] = {}
    for snap in snapshots:
        name = snap.name or str(snap.models_dir)
        if not snap.ids & ids:
            raise NotFoundError(f"unseen rules {name}: none of its {len(snap.ids)} text(s) is "
                                "in the training gold",
                                hint="name a gold file whose texts are among the --gold ones")
        for i in sorted(snap.ids & ids):
            if i in owner:
                raise NotFoundError(f"text {i!r} is in two unseen-rules snapshots ({owner[i]} "
                                    f"and {name})", hint="give each gold round once")
            owner[i] = name


def check_distinct(gold: list[GoldText]) -> None:
    """Every text once: a text (same id or same text) in two gold files, or twice in one,
    would sit in a training fold and its held-out fold at once. Every repeat is reported
    at once, with the file and line of both copies."""
    seen_id: dict[str, GoldText] = {}
    seen_text: dict[str, GoldText] = {}
    errors = []
    for g in gold:
        first = seen_id.get(g.id) or seen_text.get(g.text)
        if first is not None:
            errors.append(InputError(
                f"text {g.id!r} is already in the training gold ({first.file}, line "
                f"{first.line})", file=g.file, line=g.line))
        seen_id.setdefault(g.id, g)
        seen_text.setdefault(g.text, g)
    if errors:
        raise InputErrors(errors, hint="pass each gold file once and no file that holds "
                                       "another (test_fresh.jsonl is part of test.jsonl)")


def gold_sources(gold: list[GoldText]) -> dict[str, int]:
    """Texts per gold file (file name -> count), in the order the files came."""
    return dict(Counter(Path(g.file).name for g in gold))


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


def _small_model(static_vectors: bool = False) -> dict:
    """spaCy's default single-label spancat model with a smaller tok2vec (width 64, depth
    2): a few minutes of training on shared CPU cores. ``static_vectors``: the embedding
    also reads the vocab's word vectors (``MultiHashEmbed`` ``include_static_vectors``)."""
    model = copy.deepcopy(dict(DEFAULT_SPANCAT_SINGLELABEL_MODEL))
    model["tok2vec"] = copy.deepcopy(dict(model["tok2vec"]))
    model["tok2vec"]["embed"] = {**model["tok2vec"]["embed"], "width": TOK2VEC_WIDTH,
                                 "include_static_vectors": static_vectors}
    model["tok2vec"]["encode"] = {**model["tok2vec"]["encode"], "width": TOK2VEC_WIDTH,
                                  "depth": TOK2VEC_DEPTH}
    return model


def _new_model(labels: Iterable[str], negative_weight: float,
               vectors: Vectors | None = None) -> Language:
    """A blank English span model; with ``vectors`` (a copy of them in its vocab) its
    tok2vec reads them too."""
    nlp = spacy.blank("en")
    if vectors is not None:
        own = Vectors(strings=nlp.vocab.strings)
        own.from_bytes(vectors.to_bytes())
        nlp.vocab.vectors = own
    spancat = nlp.add_pipe("spancat_singlelabel", name="spancat", config={
        "spans_key": SPANS_KEY, "negative_weight": negative_weight, "allow_overlap": True,
        "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": NGRAM_SIZES},
        "model": _small_model(static_vectors=vectors is not None)})
    for label in sorted(labels):
        spancat.add_label(label)
    return nlp


@dataclass
class _Settings:
    seed: int = 0
    batch_size: int = 8
    negative_weight: float = 0.5
    learn_rate: float = 0.002
    sparse_groups: tuple[str, ...] = ()
    sparse_repeat: int = SPARSE_REPEAT
    vectors: Vectors | None = None  # static word vectors the tok2vec reads (None: none)


def sparse_groups(gold: list[GoldText], share: float = SPARSE_SHARE) -> tuple[str, ...]:
    """The groups with fewer than ``share`` of the commonest group's gold spans."""
    counts = Counter(s["group"] for g in gold for s in g.spans)
    if not counts:
        return ()
    most = max(counts.values())
    return tuple(sorted(g for g, n in counts.items() if n < share * most))


def _train(train: list[GoldText], labels: dict[str, str], epochs: int, st: _Settings,
           after_epoch: Callable[[Language, int, float], bool | None] | None = None
           ) -> Language:
    """A model trained on ``train`` for ``epochs`` passes (``labels``: label -> group);
    ``after_epoch(nlp, epoch, loss)`` is called after each pass (training stops early when it returns True)."""
    fix_random_seed(st.seed)
    nlp = _new_model(labels, st.negative_weight, st.vectors)
    examples = []
    for g in train:
        for ex in _sentence_examples(nlp, g):
            sparse = any(labels.get(sp.label_) in st.sparse_groups
                         for sp in ex.reference.spans[SPANS_KEY])
            examples.extend([ex] * (st.sparse_repeat if sparse else 1))
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = st.learn_rate
    rng = random.Random(st.seed)
    for epoch in range(1, epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=st.batch_size):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        if after_epoch and after_epoch(nlp, epoch, losses.get("spancat", 0.0)):
            break
    return nlp


CONTEXT = "evidence_context"


def _finish(context: Callable[[Doc], Doc], pre: Doc, kept: list) -> list[dict]:
    """The final spans of a doc that went through every rule component but the context
    one, with the model spans ``kept`` added: what the combined pipeline outputs."""
    from nlp_review.tagging.pipeline import doc_to_spans

    doc = pre.copy()
    add_spans(doc, kept)
    return [{k: s[k] for k in ("start", "end", "label", "group")}
            for s in doc_to_spans(context(doc))]


def _scored(g: GoldText, candidates: list, context: Callable[[Doc], Doc], pre: Doc,
            rules: list[dict]) -> Scored:
    return Scored(g, rules, candidates, existing_spans(pre),
                  lambda kept: _finish(context, pre, kept))


View = tuple  # (context component, doc before it, the rules' final spans) of one text


def _rule_views(gold: list[GoldText], models_dir: Path) -> dict[str, View]:
    """Each text as the model component sees it under the rules in ``models_dir``: the doc
    after every rule component but the context one (which runs after the model and also
    applies to its spans), that component, and the rules' final spans."""
    from nlp_review.tagging.pipeline import build_pipeline

    nlp = build_pipeline(models_dir)
    context = nlp.get_pipe(CONTEXT)
    with nlp.select_pipes(disable=[CONTEXT]):
        return {g.id: (context, d, _finish(context, d, []))
                for g, d in zip(gold, nlp.pipe(g.text for g in gold))}


def _unseen_views(gold: list[GoldText], unseen_rules: list[RuleSnapshot]
                  ) -> dict[str, View]:
    """The views of the texts each snapshot's rules had not seen, under those rules."""
    check_snapshots(gold, unseen_rules)
    out: dict[str, View] = {}
    for snap in unseen_rules:
        out.update(_rule_views([g for g in gold if g.id in snap.ids], Path(snap.models_dir)))
    return out


def rechoose_combination(gold: list[GoldText], held_out: dict[str, list], spancat_dir: Path,
                         models_dir: Path, *, unseen_rules: Iterable[RuleSnapshot] = (),
                         thresholds: Iterable[float] = CANDIDATE_THRESHOLDS,
                         criterion: str = DEFAULT_CRITERION) -> dict:
    """The combination of a trained model chosen again, against the rules in
    ``models_dir`` (and ``unseen_rules``), from the held-out candidates its
    cross-validation made (``held_out``: text id -> candidates; they depend on the gold and
    the seed only, not on the rules); saved in the model's ``meta.json``. What
    ``train_tagger`` with the same gold and seed would save with these rules, without
    training again."""
    if criterion not in CRITERIA:
        raise unknown_name("choice criterion", criterion, CRITERIA)
    meta_path = Path(spancat_dir) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    training = meta.get("nlp_review_training", {})
    if sorted(i for part in training.get("fold_ids", []) for i in part) != sorted(
            g.id for g in gold) or set(held_out) != {g.id for g in gold}:
        raise InputError(f"{spancat_dir} was not cross-validated on these gold texts",
                         hint="give the gold files and held-out predictions of its training")
    unseen_rules = list(unseen_rules)
    views = {**_rule_views(gold, Path(models_dir)), **_unseen_views(gold, unseen_rules)}
    full_group_of = {k: v.group for k, v in
                     load_taxonomy(Path(models_dir) / "taxonomy.json").items()}
    oof = [_scored(g, held_out[g.id], *views[g.id]) for g in gold]
    combination = choose_combination(oof, full_group_of, thresholds=tuple(thresholds),
                                     criterion=criterion)
    combination["passes"] = meta.get("nlp_review_combination", {}).get("passes",
                                                                       training.get("epochs"))
    meta["nlp_review_combination"] = combination
    training["unseen_rules"] = [{"name": snap.name or str(snap.models_dir),
                                 "texts": len(snap.ids & set(held_out))}
                                for snap in unseen_rules]
    meta["nlp_review_training"] = training
    with atomic_open(meta_path) as handle:
        handle.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return combination


def _folds(gold: list[GoldText], k: int, seed: int) -> list[list[GoldText]]:
    order = list(gold)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def _span_prf(texts: list[Scored]) -> tuple[float, float, float]:
    """The model alone on held-out texts: exact spans, same label (spaCy's spans scorer
    counts the same way)."""
    tp = n_pred = n_gold = 0
    for t in texts:
        gold = {(s["start"], s["end"], s["label"]) for s in t.gold.spans}
        pred = {(c.start, c.end, c.label) for c in t.candidates}
        tp += len(gold & pred)
        n_pred += len(pred)
        n_gold += len(gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_JOB: dict = {}  # what a training task needs (inherited by forked workers)


def _run_task(k: int) -> dict:
    """Fold ``k`` (train on the other folds; return the held-out candidates after every
    pass, ``{epoch: {text id: candidates}}``) or, for ``k == -1``, the final model on all
    the gold (return its weights after every pass, ``{epoch: bytes}``)."""
    job = _JOB
    on_epoch: EpochCallback | None = job["on_epoch"]
    out: dict = {}
    if k < 0:
        def keep(nlp: Language, epoch: int, loss: float) -> bool:
            out[epoch] = nlp.to_bytes()
            if on_epoch:
                on_epoch("all texts", epoch, loss, float("nan"))
            # once the folds have chosen the passes, no need to go further
            return 0 < job["stop_at"].value <= epoch

        _train(job["gold"], job["group_of"], job["epochs"], job["settings"], keep)
        return out
    parts = job["parts"]
    part = parts[k]
    train = [g for j, p in enumerate(parts) if j != k for g in p]

    def predict(nlp: Language, epoch: int, loss: float) -> None:
        found = {}
        for g, model_doc in zip(part, nlp.pipe(g.text for g in part)):
            found[g.id] = candidates_in(model_doc, job["docs"][g.id], job["group_of"])
        out[epoch] = found
        if on_epoch:
            scored = [Scored(g, job["rule_spans"][g.id], found[g.id]) for g in part]
            on_epoch(f"fold {k + 1}/{len(parts)}", epoch, loss, _span_prf(scored)[2])

    _train(train, job["group_of"], job["epochs"], job["settings"], predict)
    return out


def _choose_passes(gold: list[GoldText], held_out: list[dict], rule_spans: dict,
                   epochs: int) -> tuple[int, list[tuple[float, float, float]], dict]:
    """The fewest passes whose pooled held-out span F1 is within ``PASS_TOLERANCE`` of the
    best (more passes than that buy nothing held-out; on 330 texts F1 went 0.697 after 3
    passes, 0.700 after 10), the (P, R, F1) after each pass, and the held-out candidates
    ``held[epoch][text id]``."""
    held: dict[int, dict[str, list]] = defaultdict(dict)
    for result in held_out:
        for epoch, found in result.items():
            held[epoch].update(found)
    by_epoch = [_span_prf([Scored(g, rule_spans[g.id], held[epoch][g.id]) for g in gold])
                for epoch in range(1, epochs + 1)]
    top = max(f for _, _, f in by_epoch)
    best = min(e for e in range(epochs) if by_epoch[e][2] >= top - PASS_TOLERANCE)
    return best + 1, by_epoch, held


def train_tagger(gold: list[GoldText], out: Path, models_dir: Path, *,
                 folds: int = DEFAULT_FOLDS, epochs: int = DEFAULT_EPOCHS, seed: int = 0,
                 thresholds: Iterable[float] = CANDIDATE_THRESHOLDS, jobs: int = 1,
                 criterion: str = DEFAULT_CRITERION,
                 on_epoch: EpochCallback | None = None,
                 unseen_rules: Iterable[RuleSnapshot] = (),
                 sparse_repeat: int = SPARSE_REPEAT,
                 vectors: Path | None = None) -> TrainReport:
    """Cross-validate, choose passes and combination, train on all ``gold``, save to
    ``out`` (see the module docstring; ``unseen_rules``: the rules the combination is
    judged against on the texts they had not seen; ``sparse_repeat``: how often a sentence
    holding a span of a sparse group is seen per pass; ``vectors``: a saved spaCy pipeline
    folder whose word vectors the model's tok2vec reads and the saved model carries, see
    ``nlp_review.annotate.vectors``)."""

    if folds < 2:
        raise NotFoundError("cross-validation needs at least 2 folds", hint="--folds 3")
    if criterion not in CRITERIA:
        raise unknown_name("choice criterion", criterion, CRITERIA)
    check_distinct(gold)
    if len(gold) < folds:
        raise NotFoundError(f"{len(gold)} gold text(s): too few for {folds}-fold "
                            "cross-validation",
                            hint="import and adjudicate annotations, or pass --gold FILE")
    group_of = {s["label"]: s["group"] for g in gold for s in g.spans}
    if not group_of:
        raise NotFoundError("the gold texts hold no spans to learn from")
    table = load_vectors(Path(vectors)) if vectors is not None else None
    st = _Settings(seed=seed, sparse_groups=sparse_groups(gold), sparse_repeat=sparse_repeat,
                   vectors=table)
    taxonomy = load_taxonomy(Path(models_dir) / "taxonomy.json")
    full_group_of = {k: v.group for k, v in taxonomy.items()}
    views = _rule_views(gold, Path(models_dir))
    docs = {i: d for i, (_, d, _) in views.items()}
    rule_spans = {i: r for i, (_, _, r) in views.items()}
    # the texts some earlier rules had not seen: judged against those rules (built before
    # training, so a bad folder stops it early)
    unseen_rules = list(unseen_rules)
    as_unseen = _unseen_views(gold, unseen_rules)
    parts = _folds(gold, folds, seed)
    _JOB.update(gold=gold, parts=parts, docs=docs, rule_spans=rule_spans, group_of=group_of,
                epochs=epochs, settings=st, on_epoch=on_epoch)
    # the folds and the final model (trained on everything, kept after every pass) are
    # independent: with jobs > 1 they train in parallel worker processes
    import multiprocessing

    context_fork = multiprocessing.get_context("fork")
    stop_at = context_fork.Value("i", 0)  # passes chosen (0: not yet), read by the final task
    _JOB["stop_at"] = stop_at
    try:
        if jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=jobs, mp_context=context_fork) as pool:
                fold_futures = [pool.submit(_run_task, k) for k in range(folds)]
                final_future = pool.submit(_run_task, -1)
                held_out = [f.result() for f in fold_futures]
                chosen_epochs, by_epoch, held = _choose_passes(gold, held_out, rule_spans,
                                                               epochs)
                stop_at.value = chosen_epochs
                snapshots: dict[int, bytes] = final_future.result()
        else:
            held_out = [_run_task(k) for k in range(folds)]
            chosen_epochs, by_epoch, held = _choose_passes(gold, held_out, rule_spans, epochs)
            stop_at.value = chosen_epochs
            snapshots = _run_task(-1)
    finally:
        _JOB.clear()
    best = chosen_epochs - 1
    oof = [_scored(g, held[chosen_epochs][g.id], *as_unseen.get(g.id, views[g.id]))
           for g in gold]
    combination = choose_combination(oof, full_group_of, thresholds=tuple(thresholds),
                                     criterion=criterion)
    combination["passes"] = chosen_epochs
    final = _new_model(group_of, st.negative_weight, table)
    final.from_bytes(snapshots[chosen_epochs])
    p, r, f = by_epoch[best]
    final.meta["name"] = "nlp_review_spancat"
    final.meta["nlp_review_groups"] = group_of
    final.meta["nlp_review_training"] = {
        "n_train": len(gold), "folds": folds, "seed": seed, "max_epochs": epochs,
        "epochs": chosen_epochs, "cv_p": round(p, 4), "cv_r": round(r, 4), "cv_f": round(f, 4),
        "sparse_groups": list(st.sparse_groups), "sparse_repeat": st.sparse_repeat,
        "tok2vec_width": TOK2VEC_WIDTH, "tok2vec_depth": TOK2VEC_DEPTH,
        "vectors": _vectors_info(Path(vectors), table) if table is not None else None,
        "cv_f_by_epoch": [round(x[2], 4) for x in by_epoch],
        "gold_files": gold_sources(gold), "fold_sizes": [len(part) for part in parts],
        "fold_ids": [[g.id for g in part] for part in parts],
        "unseen_rules": [{"name": snap.name or str(snap.models_dir),
                          "texts": len(snap.ids & set(docs))} for snap in unseen_rules]}
    final.meta["nlp_review_combination"] = combination
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final.to_disk(out)
    return TrainReport(len(gold), folds, chosen_epochs, p, r, f, [x[2] for x in by_epoch],
                       combination, [[g.id for g in part] for part in parts], oof,
                       gold_sources(gold))


def _vectors_info(path: Path, table: Vectors) -> dict:
    """What the saved model says of the word vectors it was trained with."""
    built = {}
    meta = path / "meta.json"
    if meta.is_file():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        built = saved.get("nlp_review_vectors") or (
            saved.get("nlp_review_training") or {}).get("vectors") or {}
    return {**built, "rows": int(table.shape[0]), "dims": int(table.shape[1]),
            "from": path.name}


def held_out_table(combination: dict) -> list[dict]:
    """The cross-validation estimates saved with a combination, as comparison rows."""
    return [{"group": g, **e} for g, e in combination.get("estimates", {}).items()]


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
