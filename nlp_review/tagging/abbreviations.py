"""Abbreviations defined in the text ("young people (YP)"): later uses of the short form get
the labels of the long form, like scispaCy's AbbreviationDetector.

Definitions are found with the Schwartz & Hearst (2003) algorithm ("A simple algorithm for
identifying abbreviation definitions in biomedical text"): a short form in parentheses, and
the shortest run of preceding words in which the short form's characters occur in order,
the first one starting a word.
"""

from __future__ import annotations

from typing import Any, Iterable, List

import numpy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

MAX_SHORT_FORM_CHARS = 10
# doc.user_data key: (group, start, end, label) of each span copied onto a short form ->
# the token ranges of the long-form spans it was copied from, so that a later exclusion of
# the long form ("Perceived Stress Scale") also drops its short form ("PSS").
ABBREVIATION_SOURCES = ("nlp_review", "abbreviation_sources")
# English compounds are head-final: a short form names what the long form's last word names
# ("child care teachers (CCTs)" are teachers, not a child care setting; "National Day Care
# Study (NDCS)" is a study). A tagged span is copied only if it reaches the long form's last
# word, or stops right before one of these place nouns that complete a tagged place ("intensive
# care unit (ICU)", "family child care homes (FCCHs)").
PLACE_HEADS = {"unit", "units", "home", "homes", "centre", "centres", "center", "centers",
               "facility", "facilities", "setting", "settings", "service", "services"}


def best_long_form(short: str, long: str) -> str | None:
    """Schwartz-Hearst: the end of ``long`` that ``short`` abbreviates, or None."""
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != c or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = long.rfind(" ", 0, l + 1) + 1
    return long[start:]


def is_short_form(text: str) -> bool:
    words = text.split()
    return (2 <= len(text) <= MAX_SHORT_FORM_CHARS and len(words) <= 2
            and text[0].isalnum() and any(c.isalpha() for c in text)
            and any(c.isupper() for c in text))


def find_definitions(doc: Doc) -> list[tuple[Span, Span]]:
    """(long form, short form) pairs defined in ``doc`` as "long form (SF)"."""
    pairs = []
    paren = doc.vocab.strings["("]
    for i in numpy.flatnonzero(doc.to_array(ORTH) == paren).tolist():
        token = doc[i]
        if token.i == 0:
            continue
        close = next((t.i for t in doc[token.i + 1: token.i + 4] if t.text == ")"), None)
        if close is None or close == token.i + 1:
            continue
        short = doc[token.i + 1: close]
        if not is_short_form(short.text):
            continue
        n_chars = len(short.text.replace(" ", ""))
        max_words = min(n_chars + 5, n_chars * 2)
        sent_start = token.sent.start if doc.has_annotation("SENT_START") else 0
        first = max(sent_start, token.i - max_words * 2)  # hyphens are tokens too
        before = doc[first: token.i]
        if not before.text:
            continue
        long_text = best_long_form(short.text, before.text)
        if not long_text or len(long_text.split()) > max_words or \
                len(long_text) <= len(short.text):
            continue
        char_start = before.end_char - len(long_text)
        long_span = doc.char_span(char_start, before.end_char, alignment_mode="expand")
        if long_span is not None and long_span.start < long_span.end:
            pairs.append((long_span, short))
    return pairs


class AbbreviationTagger:
    """Copies the tags of each defined long form onto the later uses of its short form."""

    def __init__(self, name: str, groups: List[str]) -> None:
        self.name = name
        self.groups = list(groups)

    def __call__(self, doc: Doc) -> Doc:
        if "(" not in doc.text:
            return doc
        for long_span, short in find_definitions(doc):
            n_long = long_span.end - long_span.start
            ends = {long_span.end}
            if doc[long_span.end - 1].lower_ in PLACE_HEADS:
                ends.add(long_span.end - 1)
            for group in self.groups:
                if group not in doc.spans:
                    continue
                covering = [s for s in doc.spans[group]
                            if s.start >= long_span.start and s.end <= long_span.end
                            and 2 * (s.end - s.start) >= n_long]
                if not any(s.end in ends for s in covering):
                    continue
                labels = {(s.label_, s.id_) for s in covering}
                sources: dict[str, list[tuple[int, int]]] = {}
                for s in covering:
                    sources.setdefault(s.label_, []).append((s.start, s.end))
                copied = doc.user_data.setdefault(ABBREVIATION_SOURCES, {})
                new = []
                for start, end in _uses(doc, short):
                    for label, span_id in sorted(labels):
                        new.append(Span(doc, start, end, label=label, span_id=span_id))
                        copied[(group, start, end, label)] = sources[label]
                if new:
                    doc.spans[group] = list(doc.spans[group]) + new
        return doc

    # Stateless: nothing to save, but spaCy asks.
    def to_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> None:
        return None

    def from_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> "AbbreviationTagger":
        return self


def _uses(doc: Doc, short: Span) -> Iterable[tuple[int, int]]:
    """Token ranges of the short form (or its plural, "YPs") from its definition on (the
    one in parentheses included, as the annotation guidelines ask)."""
    strings = doc.vocab.strings
    words = [t.orth for t in short]
    n = len(words)
    plural = words[:-1] + [strings.add(short[-1].text + "s")]
    orths = doc.to_array(ORTH).tolist()
    i = short.start
    while i + n <= len(orths):
        window = orths[i: i + n]
        if window == words or window == plural:
            yield i, i + n
            i += n
        else:
            i += 1


@Language.factory(
    "nlp_review_abbreviations",
    assigns=["doc.spans"],
    default_config={"groups": []},
)
def make_abbreviation_tagger(nlp: Language, name: str, groups: List[str]) -> AbbreviationTagger:
    return AbbreviationTagger(name, groups)
