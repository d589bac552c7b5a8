"""The tagging pipeline: ``build_pipeline`` assembles it from the data files under
``models/``; ``doc_to_spans`` turns a processed doc into plain span dicts.

Pipeline: tokenizer -> sentencizer (also splitting at blank lines, so a title is its own
sentence) -> normalising lookup lemmatizer -> one SpanRuler per group (``spans_key=group``,
spans may overlap; phrases matched on normalised lemmas) -> a case-sensitive SpanRuler for
COUNTRY names generated from ``pycountry`` -> abbreviations defined in the text -> evidence
context (``negated``, ``hedged``). Every component is a registered spaCy factory, so
``nlp.to_disk(path)`` and ``spacy.load(path)`` round-trip (import ``nlp_review.tagging``
first so the factories are registered).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from nlp_review.errors import ConfigError, InputError, InputErrors
from nlp_review.tagging import abbreviations as _abbreviations  # noqa: F401 (factory)
from nlp_review.tagging import context as _context  # noqa: F401 (factory)
from nlp_review.tagging import lemmatizer as _lemmatizer  # noqa: F401 (factory)
from nlp_review.tagging.patterns import (CONTEXT_CATEGORIES, GROUPS, country_names,
                                         default_models_dir, load_cue_file, load_pattern_file,
                                         load_spelling, load_taxonomy, phrase_variants)

LINE_BREAKS = ["\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", " \n", "\n "]
COUNTRY_RULER = "setting_country_ruler"


def ruler_name(group: str) -> str:
    return f"{group}_ruler"


def build_pipeline(models_dir: str | Path | None = None,
                   base_model: str | None = None) -> Language:
    """The tagger built from ``models_dir`` (default: the repository's ``models/``).

    ``base_model`` names an installed trained spaCy pipeline to run the rules on top of
    (its sentence boundaries and annotations are kept; lemmas are replaced by normalised
    ones). Nothing is downloaded: a name that is not installed is a ``ConfigError``.
    Raises ``InputErrors`` listing every bad line of every data file."""
    models_dir = Path(models_dir) if models_dir is not None else default_models_dir()
    if not models_dir.is_dir():
        raise ConfigError(f"models folder {models_dir} not found",
                          hint="pass --models DIR (the folder holding taxonomy.json)")
    labels = load_taxonomy(models_dir / "taxonomy.json")
    spelling = load_spelling(models_dir / "spelling.tsv")
    errors: list[InputError] = []
    group_patterns: dict[str, list[dict]] = {}
    for group in GROUPS:
        path = models_dir / "patterns" / f"{group}.jsonl"
        if not path.exists():
            continue
        try:
            group_patterns[group] = load_pattern_file(path, group, labels)
        except InputErrors as exc:
            errors.extend(exc.errors)
    cues: list[dict] = []
    for category in CONTEXT_CATEGORIES:
        path = models_dir / "context" / f"{category}.jsonl"
        if not path.exists():
            continue
        try:
            cues.extend(load_cue_file(path, labels))
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors, hint="fix the pattern/cue lines above (JSONL, one pattern "
                                       "per line; see models/README.md)")

    nlp = _base(base_model)
    # Country names are matched case-sensitively on the text ("Turkey", not "turkey"),
    # before the lemmatizer so their patterns need nothing but the tokenizer.
    nlp.add_pipe("span_ruler", name=COUNTRY_RULER,
                 config={"spans_key": "setting", "phrase_matcher_attr": "ORTH",
                         "validate": True, "overwrite": False})
    if "COUNTRY" in labels:
        with warnings.catch_warnings():  # W012: a base model tags the pattern docs too
            warnings.simplefilter("ignore", UserWarning)
            nlp.get_pipe(COUNTRY_RULER).add_patterns(
                [{"label": "COUNTRY", "pattern": name, "id": "pycountry"}
                 for name in country_names()])
    lemmatizer = nlp.add_pipe("nlp_review_lemmatizer", name="normalising_lemmatizer",
                              config={"spelling": spelling})
    lemmatizer.initialize()
    for group in GROUPS:
        nlp.add_pipe("span_ruler", name=ruler_name(group),
                     config={"spans_key": group, "phrase_matcher_attr": "LEMMA",
                             "validate": True, "overwrite": False})
    nlp.add_pipe("nlp_review_abbreviations", name="abbreviations",
                 config={"groups": list(GROUPS)})
    context = nlp.add_pipe("nlp_review_context", name="evidence_context",
                           config={"groups": list(GROUPS)})
    for group, entries in group_patterns.items():
        nlp.get_pipe(ruler_name(group)).add_patterns(
            [p for e in entries for p in _expand(e, lemmatizer.normalise)])
    context.add_cues([_normalise_cue(c, lemmatizer.normalise) for c in cues])
    nlp.meta["name"] = "nlp_review_tagger"
    nlp.meta["description"] = "Realist-review tags (rules from nlp_review models/)"
    return nlp


def _base(base_model: str | None) -> Language:
    if not base_model:
        nlp = spacy.blank("en")
    else:
        try:
            nlp = spacy.load(base_model)
        except OSError:
            raise ConfigError(
                f"spaCy pipeline {base_model!r} is not installed",
                hint="install it as a package (e.g. `pip install en_core_web_sm` from a "
                     "wheel) or pass a folder saved with nlp.to_disk; nothing is downloaded "
                     "at run time. Omit --base-model to use the blank English pipeline.",
            ) from None
        if nlp.lang != "en":
            raise ConfigError(f"base model {base_model!r} is for language {nlp.lang!r}, "
                              "not English")
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("sentencizer",
                     config={"punct_chars": Sentencizer.default_punct_chars + LINE_BREAKS})
    return nlp


_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9&+/.]*[A-Z][A-Z0-9&+/.]*")


def _expand(entry: dict, normalise: Any) -> list[dict]:
    """Spelling/hyphen variants of a phrase; normalised LEMMA values of a token pattern."""
    pattern = entry["pattern"]
    if isinstance(pattern, str) and _ACRONYM.fullmatch(pattern.strip()):
        # Written in capitals: an acronym, matched as written ("SEN", not "sen").
        return [{"label": entry["label"], "id": entry["id"],
                 "pattern": [{"ORTH": w} for w in pattern.split()]}]
    if isinstance(pattern, str):
        return [{"label": entry["label"], "pattern": v, "id": entry["id"]}
                for v in phrase_variants(pattern)]
    return [{"label": entry["label"], "pattern": _normalise_token_pattern(pattern, normalise),
             "id": entry["id"]}]


def _normalise_token_pattern(pattern: list[dict], normalise: Any) -> list[dict]:
    out = []
    for token in pattern:
        token = dict(token)
        for key in list(token):
            if key.upper() != "LEMMA":
                continue
            value = token[key]
            if isinstance(value, str):
                token[key] = normalise(value)
            elif isinstance(value, dict):
                token[key] = {op: [normalise(v) for v in vals] if isinstance(vals, list)
                              else vals for op, vals in value.items()}
        out.append(token)
    return out


def _normalise_cue(cue: dict, normalise: Any) -> dict:
    if isinstance(cue["pattern"], list):
        return {**cue, "pattern": _normalise_token_pattern(cue["pattern"], normalise)}
    return cue


def doc_to_spans(doc: Doc) -> list[dict]:
    """Every tagged span of ``doc`` as a plain dict: character ``start``/``end``, ``label``,
    ``group``, ``negated``, ``hedged`` and the character bounds of its sentence
    (``sent_start``/``sent_end``), ordered by position."""
    out = []
    for key, spans in doc.spans.items():
        if key not in GROUPS:
            continue
        for span in spans:
            sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
            out.append({
                "start": span.start_char,
                "end": span.end_char,
                "label": span.label_,
                "group": span._.group or key,
                "negated": bool(span._.negated),
                "hedged": bool(span._.hedged),
                "sent_start": sent.start_char,
                "sent_end": sent.start_char + len(sent.text.rstrip()),
            })
    out.sort(key=lambda s: (s["start"], s["end"], s["group"], s["label"]))
    return out
