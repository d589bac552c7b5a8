"""Word senses decided from neighbouring words: "support" as help given to people (a noun:
"the support from senior staff", "support for parents"; or a verb with people as its object:
"interventions that support parents") versus "support" meaning promote or agree with ("support
children's learning", "results support the hypothesis", "no support was found for").

The blank English pipeline has no part-of-speech tagger, so each rule in
``models/context/senses.jsonl`` lists the cue words that decide it (validated by
``patterns.load_sense_file``). For every token whose normalised lemma is a rule's ``head``:

1. a ``not_context`` pattern around it (lemmas, ``*`` for the head: ``"social *"``,
   ``"in * of"``) cancels it;
2. it is a **verb** after a ``verb_before`` word ("to", "can", "that") or in a form that is
   never the noun ("supported", "supporting"): tagged only with a people object right after it
   (a population span or a ``people`` word, ``skip`` words or adverbs/adjective-like words
   between, not followed by a possessive: "support parents", "supporting highly able
   students", not "support children's learning"), or in the passive with people before
   ("children are supported"; ``passive_adverbs`` or -ly words may stand between: "were
   most frequently supported");
3. otherwise it is a **noun** after a ``noun_before`` word (determiners, possessives,
   prepositions, verbs taking it as object) or an adjective-like word (``adjective_suffixes``,
   "-ed" included: "staff-initiated support"), before a ``noun_after`` word (also after
   "be": "support is provided"), opening a sentence ("Support characteristics"), or alone
   in a list ("training, support, and ratios"); a noun followed by an ``object_preps`` word
   ("for", "to") must name people there ("support for mothers", not "support for the
   idea") or their own need (``object_possessives``: "support for their development";
   ``object_needs``: "support for behavior difficulties");
4. undecided words are tagged only with a people object.

The span is the head word; longer phrase patterns ("emotional support") cover it and win
when spans are merged.
"""

from __future__ import annotations

from typing import Any, Iterable, List

import numpy
from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.tokens import Doc, Span

#: After a people word, these make it a modifier ("children's learning", "child-initiated").
NOT_OBJECT_AFTER = {"'s", "’s", "'", "’", "-", "–"}
PUNCT_END = {".", ";", ":", ")", "(", "!", "?"}


class _Lemmas:
    """The lemma strings of a doc, looked up only where a rule reads them."""

    def __init__(self, doc: Doc, ids: numpy.ndarray) -> None:
        self.strings = doc.vocab.strings
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return [self.strings[int(x)] for x in self.ids[key]]
        return self.strings[int(self.ids[key])]


class WordSenseTagger:
    """Adds a span for each head word whose neighbours select the rule's sense."""

    def __init__(self, nlp: Language, name: str, rules: List[dict],
                 people_group: str) -> None:
        self.name = name
        self.people_group = people_group
        self.rules = [dict(r) for r in rules]
        strings = nlp.vocab.strings
        self._compiled = []
        for rule in self.rules:
            sets = {k: set(rule.get(k, [])) for k in (
                "noun_before", "noun_after", "verb_before", "passive_before", "people",
                "skip", "object_preps", "list_before", "object_start", "determined_preps",
                "people_modifies", "passive_adverbs", "object_needs", "object_possessives")}
            contexts = []
            for text in rule.get("not_context", []):
                words = text.split()
                at = words.index("*")
                contexts.append((words[:at], words[at + 1:]))
            self._compiled.append({
                "rule": rule, "sets": sets, "contexts": contexts,
                "heads": numpy.array([strings.add(h) for h in rule["head"]], dtype=numpy.uint64),
                "noun_forms": set(rule.get("noun_forms", [])),
                "suffixes": tuple(rule.get("adjective_suffixes", [])),
                "conditions": set(rule.get("condition_labels", [])),
                "compound_forms": set(rule.get("compound_forms", [])),
            })

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc) or not self._compiled:
            return doc
        lemma_ids = doc.to_array(LEMMA)
        for comp in self._compiled:
            where = numpy.flatnonzero(numpy.isin(lemma_ids, comp["heads"])).tolist()
            if not where:
                continue
            lemmas = _Lemmas(doc, lemma_ids)
            people_starts, people_ends, conditions = self._people(doc, comp["conditions"])
            new = [Span(doc, i, i + 1, label=comp["rule"]["label"],
                        span_id=f"sense:{comp['rule']['id']}")
                   for i in where if self._selected(doc, lemmas, i, comp,
                                                    people_starts, people_ends,
                                                    conditions)]
            if new:
                group = comp["rule"]["group"]
                old = list(doc.spans[group]) if group in doc.spans else []
                doc.spans[group] = old + new
        return doc

    def _people(self, doc: Doc, conditions: set[str]) -> tuple[set[int], set[int], dict]:
        """Starts and ends of the people spans, and the conditions ("with autism",
        "diabetes"), which are not people themselves: start -> end."""
        spans = doc.spans[self.people_group] if self.people_group in doc.spans else []
        people = [s for s in spans if s.label_ not in conditions]
        return ({s.start for s in people}, {s.end for s in people},
                {s.start: s.end for s in spans if s.label_ in conditions})

    def _selected(self, doc: Doc, lemmas: _Lemmas, i: int, comp: dict,
                  people_starts: set[int], people_ends: set[int],
                  conditions: dict[int, int]) -> bool:
        sets = comp["sets"]
        for before, after in comp["contexts"]:
            if i - len(before) >= 0 and lemmas[i - len(before):i] == before and \
                    lemmas[i + 1:i + 1 + len(after)] == after:
                return False
        prev = lemmas[i - 1] if i > 0 else ""
        nxt = lemmas[i + 1] if i + 1 < len(doc) else ""
        form = doc[i].lower_

        def is_people(k: int) -> bool:
            return k in people_starts or (0 <= k < len(doc) and lemmas[k] in sets["people"])

        def modifier(j: int) -> bool:
            # "highly able", "transnational", "disadvantaged": adverbs and adjective-like
            # words before the people word.
            t = doc[j]
            return t.is_alpha and len(t) > 3 and not is_people(j) and (
                t.lower_.endswith("ly") or t.lower_.endswith(comp["suffixes"]))

        def people_object(k: int) -> bool:
            j = k
            while j < len(doc) and j - k < 3 and (lemmas[j] in sets["skip"] or j in conditions
                                                  or modifier(j)):
                j = conditions.get(j, j + 1)
            if j >= len(doc) or not is_people(j):
                return False
            end = j + 1
            while j in people_starts and end < len(doc) and end not in people_ends and end - j < 4 \
                    and lemmas[end] not in sets["skip"] and not doc[end].is_punct:
                end += 1  # the end of a multi-word population span ("young people")
            # "children's learning", "child-initiated", "student learning", "child care":
            # the people word only modifies the real object.
            return not (end < len(doc) and (doc[end].text in NOT_OBJECT_AFTER
                                            or lemmas[end] in sets["people_modifies"]))

        def needs_object(k: int) -> bool:
            # "support for their development", "support for behavior difficulties": the
            # object of "for" is the people's own (a possessive) or a need they have.
            if k < len(doc) and lemmas[k] in sets["object_possessives"]:
                return True
            for j in range(k, min(k + 3, len(doc))):
                if lemmas[j] in sets["object_needs"]:
                    return True
                if doc[j].is_punct or lemmas[j] in sets["object_start"]:
                    return False
            return False

        if prev in sets["verb_before"] or form not in comp["noun_forms"]:
            if people_object(i + 1):
                return True
            if prev in sets["passive_before"]:
                # "children are supported", "parents felt well supported": people right
                # before the verb "be" (an -ly adverb may sit between it and the head).
                be = i - 1
                if be > 0 and lemmas[be - 1] in sets["passive_before"]:
                    be -= 1
                return be in people_ends or is_people(be - 1)
            # "children were (most) frequently supported": adverbs between "be" and the head.
            be = i - 1
            while be > 0 and i - be <= 3 and (lemmas[be].endswith("ly")
                                              or lemmas[be] in sets["passive_adverbs"]):
                be -= 1
            if be < i - 1 and lemmas[be] in sets["passive_before"]:
                return be in people_ends or is_people(be - 1)
            return False
        prev_token = doc[i - 1] if i > 0 else None
        # "play support", "teacher support": a singular lower-case word before the head
        # (a plural subject would be "parents support"; adverbs end in -ly).
        compound = (form in comp["compound_forms"] and prev_token is not None
                    and prev_token.is_lower and prev_token.is_alpha and len(prev_token) > 2
                    and prev == prev_token.lower_ and not prev.endswith("ly")
                    and not prev_token.is_stop and prev not in sets["verb_before"])
        adjective = i > 0 and len(doc[i - 1]) > 4 and doc[i - 1].lower_.endswith(comp["suffixes"])
        in_list = prev in sets["list_before"] and (
            nxt in sets["list_before"] or nxt in sets["object_preps"] or nxt in PUNCT_END
            or not nxt)
        # A determiner next starts a verb's object ("intervention support its potential").
        weak = (compound or adjective) and nxt not in sets["object_start"]
        # "How support is provided": the subject of a passive giving verb.
        given = nxt == "be" and i + 2 < len(doc) and lemmas[i + 2] in sets["noun_after"]
        # "Support characteristics ...", "Supports and aid to parenting": a noun form
        # opening a sentence (a verb there would be an imperative with people after it).
        opening = doc[i].is_sent_start and not doc[i].is_lower
        noun = prev in sets["noun_before"] or nxt in sets["noun_after"] or weak or in_list \
            or given or opening
        if not noun:
            return people_object(i + 1)
        if nxt in sets["object_preps"]:
            return people_object(i + 2) or needs_object(i + 2)
        # "support to the families" names people; "support to the assumption" does not;
        # "support to meet demands" is fine.
        if nxt in sets["determined_preps"] and i + 2 < len(doc) \
                and lemmas[i + 2] in sets["object_start"]:
            return people_object(i + 2)
        return True

    def to_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> None:
        return None  # the rules live in the component's config

    def from_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> "WordSenseTagger":
        return self


@Language.factory(
    "nlp_review_word_senses",
    assigns=["doc.spans"],
    default_config={"rules": [], "people_group": "population"},
)
def make_word_sense_tagger(nlp: Language, name: str, rules: List[dict],
                           people_group: str) -> WordSenseTagger:
    """``rules``: validated, normalised lines of ``models/context/senses.jsonl`` (each with
    its ``group``); ``people_group``: the spans key whose spans count as people."""
    return WordSenseTagger(nlp, name, rules, people_group)
