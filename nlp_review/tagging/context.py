"""Evidence context for tagged spans, in the spirit of medspaCy's ConText.

Cues (``models/context/<category>.jsonl``) are matched on normalised lemmas. A ``negated`` or
``hedged`` cue marks the tagged spans in its scope: the same sentence, on the cue's side
(``forward``: after it, ``backward``: before it, ``both``), within ``window`` tokens, and not
past a ``terminate`` cue ("but", "however", "which"...), as in medspaCy's ConText (FORWARD /
BACKWARD / BIDIRECTIONAL modifiers, TERMINATE rules, ``max_scope``). A terminator's own
``direction`` says which scopes it ends: ``both`` (the default: "but", ";"), or only
``backward`` scopes, for clause subjects: in "support from adults they could trust" the
pronoun is the subject of "could", so the hedge cannot reach back past it to "support".
A cue inside a relative or subordinate clause (``clause`` cues with role ``open``: "which",
"who", "that", a subject pronoun, with no ``close`` cue such as "," between it and the cue)
only reaches forward to the end of that clause: in "mentoring, which could build trust,
reduced loneliness" the hedge covers "build trust", not "loneliness". A ``pseudo`` cue ("not only", "no doubt")
cancels any cue inside it; an ``exclude`` cue removes the tagged spans it covers (instrument
names, "child care" for CHILDREN), in every text or, with ``in_texts_with`` /
``unless_texts_with``, only in texts that hold one / none of its phrases ("caregiver" is
staff in a text about child care). This component also finishes the spans: overlapping spans with the
same label in a group are merged into the longest, and each span gets its ``group``.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path
from typing import Any, Iterable, List

import numpy
import srsly
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from nlp_review.tagging.abbreviations import ABBREVIATION_SOURCES

for _name, _default in (("negated", False), ("hedged", False), ("group", None)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)

CUES_FILE = "cues.jsonl"


def _lemmatizer(nlp: Language) -> Any:
    for _, pipe in nlp.pipeline:
        if hasattr(pipe, "normalise"):
            return pipe
    return None


def merge_same_label(spans: Iterable[Span]) -> list[Span]:
    """Keep the longest of overlapping spans that share a label (``perceived social support``
    over ``social support``); spans with different labels may overlap freely."""
    by_label: dict[str, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    kept: list[Span] = []
    for group in by_label.values():
        group.sort(key=lambda s: (-(s.end - s.start), s.start))
        taken: list[tuple[int, int]] = []
        for span in group:
            if all(span.end <= a or span.start >= b for a, b in taken):
                taken.append((span.start, span.end))
                kept.append(span)
    kept.sort(key=lambda s: (s.start, s.end, s.label_))
    return kept


class EvidenceContext:
    """Sets ``span._.negated``, ``span._.hedged`` and ``span._.group`` on every span in
    ``doc.spans[group]`` for the configured groups."""

    def __init__(self, nlp: Language, name: str, groups: List[str],
                 direct_groups: List[str], direct_window: int,
                 claim_labels: List[str]) -> None:
        self.nlp = nlp
        self.name = name
        self.groups = list(groups)
        self.direct_groups = set(direct_groups)
        self.direct_window = direct_window
        self.claim_labels = set(claim_labels)
        self.cues: list[dict] = []
        self._reset()

    def _reset(self) -> None:
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.lower_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self._cue_info: dict[int, dict] = {}

    def add_cues(self, cues: list[dict]) -> None:
        """Add validated cue entries (see ``patterns.load_cue_file``)."""
        lemmatizer = _lemmatizer(self.nlp)
        for cue in cues:
            name = f"{cue['category']}|{cue['id']}"
            self._cue_info[self.nlp.vocab.strings.add(name)] = cue
            pattern = cue["pattern"]
            if isinstance(pattern, str):
                self.phrase_matcher.add(name, [self._phrase_doc(pattern, lemmatizer)])
            elif all(set(t) == {"LOWER"} and isinstance(t["LOWER"], str) for t in pattern):
                # Exact words, any case: a phrase (much faster than the token Matcher).
                self.lower_matcher.add(name, [self.nlp.make_doc(
                    " ".join(t["LOWER"] for t in pattern))])
            else:
                self.matcher.add(name, [pattern])
            for field in ("in_texts_with", "unless_texts_with"):
                if not cue.get(field):
                    continue
                # The condition's phrases are matched like cues; whether the text holds one
                # of them decides whether the exclusion applies (``_applies``).
                key = f"condition|{field}|{cue['id']}|{len(self.cues)}"
                cue[f"{field}_key"] = key
                self._cue_info[self.nlp.vocab.strings.add(key)] = {
                    "category": "condition", "id": key, "labels": []}
                self.phrase_matcher.add(key, [self._phrase_doc(text, lemmatizer)
                                              for text in cue[field]])
            self.cues.append(cue)

    @staticmethod
    def _applies(cue: dict, met: set[str]) -> bool:
        """An exclusion with text conditions applies if the text holds one phrase of
        ``in_texts_with`` and none of ``unless_texts_with``."""
        need = cue.get("in_texts_with_key")
        avoid = cue.get("unless_texts_with_key")
        return (need is None or need in met) and (avoid is None or avoid not in met)

    def _phrase_doc(self, text: str, lemmatizer: Any) -> Doc:
        doc = self.nlp.make_doc(text)
        return lemmatizer(doc) if lemmatizer is not None else doc

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None,
                   cues: list[dict] | None = None) -> None:
        self.cues = []
        self._reset()
        if cues:
            self.add_cues(cues)

    def _find_cues(self, doc: Doc) -> list[tuple[int, int, dict]]:
        found = []
        matches = list(self.phrase_matcher(doc))
        if len(self.lower_matcher):
            matches += self.lower_matcher(doc)
        if len(self.matcher):
            matches += self.matcher(doc)
        for match_id, start, end in matches:
            cue = self._cue_info.get(match_id)
            if cue is not None:
                found.append((start, end, cue))
        pseudo = [(s, e) for s, e, c in found if c["category"] == "pseudo"]
        if pseudo:
            found = [(s, e, c) for s, e, c in found if c["category"] == "pseudo"
                     or not any(ps <= s and e <= pe for ps, pe in pseudo)]
        return [f for f in found if f[2]["category"] != "pseudo"]

    @staticmethod
    def _exclusion(span: Span, excludes: list[tuple[int, int, dict]],
                   copied: dict | None = None, group: str = "") -> dict | None:
        """The first exclude cue covering ``span`` (for its label), or None. A span the
        abbreviation tagger copied onto a short form takes the cue that covers the long-form
        span it was copied from ("Perceived Stress Scale (PSS)": both are dropped)."""
        ranges = [(span.start, span.end)]
        if copied:
            ranges += copied.get((group, span.start, span.end, span.label_), [])
        for start, end in ranges:
            for s, e, c in excludes:
                if s <= start and end <= e and (not c["labels"] or span.label_ in c["labels"]):
                    return c
        return None

    def __call__(self, doc: Doc) -> Doc:
        # Only needed here; removed so that a Doc's user_data stays serialisable.
        copied = doc.user_data.pop(ABBREVIATION_SOURCES, None)
        groups = {g: list(doc.spans[g]) if g in doc.spans else [] for g in self.groups}
        if not any(groups.values()):
            return doc
        cues = self._find_cues(doc)
        met = {c["id"] for _, _, c in cues if c["category"] == "condition"}
        excludes = [c for c in cues if c[2]["category"] == "exclude" and self._applies(c[2], met)]
        if excludes:
            moved: list[tuple[str, Span]] = []
            for group, spans in groups.items():
                kept = []
                for span in spans:
                    cue = self._exclusion(span, excludes, copied, group)
                    if cue is None:
                        kept.append(span)
                    elif cue.get("relabel_group") in groups:
                        moved.append((cue["relabel_group"],
                                      Span(doc, span.start, span.end, label=cue["relabel"])))
                groups[group] = kept
            for group, span in moved:
                if not any(s.start == span.start and s.end == span.end
                           and s.label_ == span.label_ for s in groups[group]):
                    groups[group].append(span)
        for group, spans in groups.items():
            groups[group] = merge_same_label(sorted(spans, key=lambda s: (s.start, s.end)))
        scoped = [(s, e, c) for s, e, c in cues if c["category"] in ("negated", "hedged")]
        terminators = _terminators(cues)
        scoped = _clause_limits(scoped, cues)
        sent_starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() \
            if scoped else [0]
        for group, spans in groups.items():
            # People and places are description: only a negation right before them applies
            # ("children without disabilities"), never an aim or protocol sentence.
            in_direct_group = group in self.direct_groups
            for span in spans:
                direct = in_direct_group and span.label_ not in self.claim_labels
                span._.group = group
                flags = {"negated": False, "hedged": False}
                for start, end, cue in scoped:
                    category = cue["category"]
                    if flags[category]:
                        continue
                    if direct:
                        if category != "negated" or cue["direction"] == "backward":
                            continue
                        cue = {**cue, "window": min(cue["window"], self.direct_window),
                               "direction": "forward"}
                    if _in_scope(span, start, end, cue, sent_starts, terminators):
                        flags[category] = True
                for category, value in flags.items():
                    if value:
                        span._.set(category, True)
            doc.spans[group] = spans
        return doc

    def to_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / CUES_FILE, self.cues)

    def from_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> "EvidenceContext":
        path = Path(path)
        self.cues = []
        self._reset()
        self.add_cues(list(srsly.read_jsonl(path / CUES_FILE)))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return json.dumps(self.cues).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "EvidenceContext":
        self.cues = []
        self._reset()
        self.add_cues(json.loads(data.decode("utf-8")))
        return self


def _sentence_of(token_i: int, sent_starts: list[int]) -> int:
    return bisect.bisect_right(sent_starts, token_i) - 1


def _terminators(cues: list[tuple[int, int, dict]]) -> dict[str, list[int]]:
    """Token positions of the terminators that end forward scopes and backward scopes."""
    ends: dict[str, list[int]] = {"forward": [], "backward": []}
    for start, _, cue in cues:
        if cue["category"] == "terminate":
            for side in ends:
                if cue["direction"] in (side, "both"):
                    ends[side].append(start)
    return {side: sorted(positions) for side, positions in ends.items()}


def _clause_limits(scoped: list[tuple[int, int, dict]],
                   cues: list[tuple[int, int, dict]]) -> list[tuple[int, int, dict]]:
    """Cues that sit in a clause opened by a ``clause`` open cue (with no close cue between
    them) get ``clause_end``: the first close cue after them, where their forward scope
    stops. The sentence check in ``_in_scope`` still applies."""
    opens = sorted(s for s, _, c in cues if c.get("role") == "open")
    closes = sorted(s for s, _, c in cues if c.get("role") == "close")
    if not opens or not closes:
        return scoped
    limited = []
    for start, end, cue in scoped:
        i = bisect.bisect_left(opens, start) - 1
        if i >= 0:
            opener = opens[i]
            j = bisect.bisect_right(closes, opener)
            if j == len(closes) or closes[j] >= start:  # no close between opener and cue
                k = bisect.bisect_left(closes, end)
                if k < len(closes):
                    cue = {**cue, "clause_end": closes[k]}
        limited.append((start, end, cue))
    return limited


def _in_scope(span: Span, start: int, end: int, cue: dict, sent_starts: list[int],
              terminators: dict[str, list[int]]) -> bool:
    if start < span.end and span.start < end:  # the cue is part of the span itself
        return False
    if _sentence_of(start, sent_starts) != _sentence_of(span.start, sent_starts):
        return False
    window, direction = cue["window"], cue["direction"]
    clause_end = cue.get("clause_end")
    if span.start >= end and direction in ("forward", "both") and \
            (clause_end is None or span.start < clause_end):
        if span.start - end < window and \
                not _blocked(end, span.start, terminators["forward"]):
            return True
    if span.end <= start and direction in ("backward", "both"):
        if start - span.end < window and \
                not _blocked(span.end, start, terminators["backward"]):
            return True
    return False


def _blocked(a: int, b: int, terminators: list[int]) -> bool:
    i = bisect.bisect_left(terminators, a)
    return i < len(terminators) and terminators[i] < b


@Language.factory(
    "nlp_review_context",
    assigns=["span._.negated", "span._.hedged", "span._.group"],
    default_config={"groups": [], "direct_groups": ["population", "setting"],
                    "direct_window": 2,
                    "claim_labels": ["LOW_INCOME", "DISABILITY_ILLNESS", "MENTAL_HEALTH_NEED"]},
)
def make_evidence_context(nlp: Language, name: str, groups: List[str],
                          direct_groups: List[str], direct_window: int,
                          claim_labels: List[str]) -> EvidenceContext:
    """``direct_groups``: people and places, which only a negation right before them
    (within ``direct_window`` tokens) applies to; ``claim_labels`` in those groups are
    conditions (poverty, illness) that claims can be made about, so they get full context."""
    return EvidenceContext(nlp, name, groups, direct_groups, direct_window, claim_labels)
