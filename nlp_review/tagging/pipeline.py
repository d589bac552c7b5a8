"""The tagging pipeline: ``build_pipeline`` assembles it from the data files under
``models/``; ``doc_to_spans`` turns a processed doc into plain span dicts.

Pipeline: tokenizer -> rule-based sentence splitter (also splitting at blank lines, so a title is its own
sentence) -> normalising lookup lemmatizer -> one SpanRuler per group (``spans_key=group``,
spans may overlap; phrases matched on normalised lemmas) -> case-sensitive SpanRulers for
acronyms and the COUNTRY names generated from ``pycountry`` -> abbreviations defined in the text -> evidence
context (``negated``, ``hedged``). Every component is a registered spaCy factory, so
``nlp.to_disk(path)`` and ``spacy.load(path)`` round-trip (import ``nlp_review.tagging``
first so the factories are registered).
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp_review.errors import ConfigError, InputError, InputErrors
from nlp_review.tagging import abbreviations as _abbreviations  # noqa: F401 (factory)
from nlp_review.tagging import context as _context  # noqa: F401 (factory)
from nlp_review.tagging import lemmatizer as _lemmatizer  # noqa: F401 (factory)
from nlp_review.tagging import senses as _senses  # noqa: F401 (factory)
from nlp_review.tagging import senter as _senter  # noqa: F401 (factory)
from nlp_review.tagging.patterns import (CONTEXT_CATEGORIES, GROUPS, country_names,
                                         SENSE_LIST_KEYS, default_models_dir, load_cue_file,
                                         load_pattern_file, load_sense_file, load_spelling,
                                         load_taxonomy, phrase_variants)



SENSES_FILE = "senses.jsonl"


def ruler_name(group: str) -> str:
    return f"{group}_ruler"


def case_ruler_name(group: str) -> str:
    return f"{group}_case_ruler"


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
    senses: list[dict] = []
    if (models_dir / "context" / SENSES_FILE).exists():
        try:
            senses = load_sense_file(models_dir / "context" / SENSES_FILE, labels)
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors, hint="fix the pattern/cue lines above (JSONL, one pattern "
                                       "per line; see models/patterns/README.md)")

    nlp = _base(base_model)
    # Case-sensitive phrases (acronyms written in capitals, and for setting the country
    # names from pycountry: "Turkey", not "turkey") go to one ORTH ruler per group, placed
    # before the lemmatizer since they need nothing but the tokenizer.
    case_phrases: dict[str, list[dict]] = {g: [] for g in GROUPS}
    lemma_patterns: dict[str, list[dict]] = {g: [] for g in GROUPS}
    for group, entries in group_patterns.items():
        for entry in entries:
            phrase = _case_sensitive_phrase(entry["pattern"])
            if phrase is not None:
                case_phrases[group].append({"label": entry["label"], "id": entry["id"],
                                            "pattern": phrase})
            else:
                lemma_patterns[group].append(entry)
    if "COUNTRY" in labels:
        case_phrases["setting"] += [{"label": "COUNTRY", "pattern": name, "id": "pycountry"}
                                    for name in country_names()]
    for group in GROUPS:
        if not case_phrases[group]:
            continue
        nlp.add_pipe("span_ruler", name=case_ruler_name(group),
                     config={"spans_key": group, "phrase_matcher_attr": "ORTH",
                             "validate": True, "overwrite": False})
        _add_patterns(nlp, case_ruler_name(group), case_phrases[group], needs=())
    lemmatizer_name = "normalising_lemmatizer"
    lemmatizer = nlp.add_pipe("nlp_review_lemmatizer", name=lemmatizer_name,
                              config={"spelling": spelling})
    lemmatizer.initialize()
    for group in GROUPS:
        nlp.add_pipe("span_ruler", name=ruler_name(group),
                     config={"spans_key": group, "phrase_matcher_attr": "LEMMA",
                             "validate": True, "overwrite": False})
    if senses:
        nlp.add_pipe("nlp_review_word_senses", name="word_senses",
                     config={"rules": [_normalise_sense(r, lemmatizer.normalise)
                                       for r in senses]})
    nlp.add_pipe("nlp_review_abbreviations", name="abbreviations",
                 config={"groups": list(GROUPS)})
    context = nlp.add_pipe("nlp_review_context", name="evidence_context",
                           config={"groups": list(GROUPS)})
    for group, entries in lemma_patterns.items():
        _add_patterns(nlp, ruler_name(group),
                      [p for e in entries for p in _expand(e, lemmatizer.normalise)],
                      needs=(lemmatizer_name,))
    context.add_cues([_normalise_cue(c, lemmatizer.normalise) for c in cues])
    # Tokenizing thousands of pattern phrases leaves the tokenizer's cache in a state where
    # tokenizing abstracts ran at about 40 % of a fresh tokenizer's speed (measured: 248k vs
    # 612k tokens/s). Re-setting the (unchanged) rules gives it a fresh cache.
    nlp.tokenizer.rules = nlp.tokenizer.rules
    nlp.meta["name"] = "nlp_review_tagger"
    nlp.meta["description"] = "Realist-review tags (rules from nlp_review models/)"
    return nlp


def _add_patterns(nlp: Language, ruler: str, patterns: list[dict],
                  needs: tuple[str, ...]) -> None:
    """``SpanRuler.add_patterns`` with only the components its phrase patterns ``needs``
    enabled besides the tokenizer: spaCy runs phrase patterns through every component
    before the ruler, and running the sentence splitter, the other rulers (and a base
    model) over ~45,000 phrases took two thirds of the build time."""
    keep = {ruler, *needs}
    with nlp.select_pipes(disable=[name for name in nlp.pipe_names if name not in keep]):
        nlp.get_pipe(ruler).add_patterns(patterns)


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
        nlp.add_pipe("nlp_review_senter", name="senter")
    _split_unicode_hyphens(nlp)
    return nlp


def _split_unicode_hyphens(nlp: Language) -> None:
    """Split words at the Unicode hyphen and non-breaking hyphen (U+2010, U+2011) as the
    tokenizer does at "-": "self\u2010esteem" -> self, \u2010, esteem, whose lemma (see
    normalise.py) is "-", so patterns written "self-esteem" match it."""
    pattern = nlp.tokenizer.infix_finditer.__self__.pattern  # type: ignore[union-attr]
    extra = r"(?<=\w)[\u2010\u2011](?=\w)"
    if extra not in pattern:
        nlp.tokenizer.infix_finditer = re.compile(f"{pattern}|{extra}").finditer


_ACRONYM = re.compile(r"[A-Z0-9][A-Z0-9&+/.]*[A-Z][A-Z0-9&+/.]*")


def _case_sensitive_phrase(pattern: str | list) -> str | None:
    """The text to match as written, for a phrase in capitals (an acronym: "SEN", not
    "sen") or a token pattern of plain ``ORTH`` values (``[{"ORTH": "Black"}]``)."""
    if isinstance(pattern, str):
        return pattern.strip() if _ACRONYM.fullmatch(pattern.strip()) else None
    if all(set(t) == {"ORTH"} and isinstance(t["ORTH"], str) for t in pattern):
        return " ".join(t["ORTH"] for t in pattern)
    return None


def _expand(entry: dict, normalise: Any) -> list[dict]:
    """Spelling/hyphen variants of a phrase; normalised LEMMA values of a token pattern."""
    pattern = entry["pattern"]
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


def _normalise_sense(rule: dict, normalise: Any) -> dict:
    """Word lists as normalised lemmas (``noun_forms`` and suffixes stay as written, in
    lower case)."""
    out = dict(rule)
    for key in SENSE_LIST_KEYS:
        if key == "condition_labels":
            out[key] = list(rule[key])
        elif key in ("noun_forms", "adjective_suffixes", "compound_forms"):
            out[key] = [w.lower() for w in rule[key]]
        else:
            out[key] = [" ".join(w if w == "*" else normalise(w) for w in text.split())
                        for text in rule[key]]
    return out


def _normalise_cue(cue: dict, normalise: Any) -> dict:
    if isinstance(cue["pattern"], list):
        return {**cue, "pattern": _normalise_token_pattern(cue["pattern"], normalise)}
    return cue


def doc_to_spans(doc: Doc) -> list[dict]:
    """Every tagged span of ``doc`` as a plain dict: character ``start``/``end``, ``label``,
    ``group``, ``negated``, ``hedged`` and the character bounds of its sentence
    (``sent_start``/``sent_end``), ordered by position."""
    out: list[dict] = []
    keys = [k for k in doc.spans if k in GROUPS and len(doc.spans[k])]
    if not keys:
        return out
    text = doc.text
    starts = [0]
    if doc.has_annotation("SENT_START"):
        starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() or [0]
    bounds: dict[int, tuple[int, int]] = {}
    for key in keys:
        for span in doc.spans[key]:
            k = bisect.bisect_right(starts, span.start) - 1
            if k not in bounds:
                first = doc[starts[k]].idx
                last = doc[starts[k + 1]].idx if k + 1 < len(starts) else len(text)
                bounds[k] = (first, first + len(text[first:last].rstrip()))
            sent_start, sent_end = bounds[k]
            out.append({
                "start": span.start_char,
                "end": span.end_char,
                "label": span.label_,
                "group": key,
                "negated": bool(span._.negated),
                "hedged": bool(span._.hedged),
                "sent_start": sent_start,
                "sent_end": sent_end,
            })
    out.sort(key=lambda s: (s["start"], s["end"], s["group"], s["label"]))
    return out
