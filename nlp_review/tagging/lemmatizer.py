"""A lookup lemmatizer whose lemmas are normalised (lower case, one spelling), so that
``LEMMA`` patterns match inflections, capitalisation and British/American variants.

It is spaCy's own ``Lemmatizer`` in lookup mode (tables from ``spacy-lookups-data``, saved
with the pipeline), with a per-word cache so each distinct word is normalised once.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional

import numpy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from spacy.training import Example

from nlp_review.tagging.normalise import normalise


class NormalisingLemmatizer(Lemmatizer):
    """Lookup lemmatizer with normalised lemmas (see ``nlp_review.tagging.normalise``)."""

    def __init__(self, vocab: Any, name: str, *, spelling: Dict[str, str]) -> None:
        super().__init__(vocab, None, name, mode="lookup", overwrite=True)
        self.spelling = dict(spelling)
        self._cache: dict[int, int] = {}

    def initialize(
        self,
        get_examples: Optional[Callable[[], Iterable[Example]]] = None,
        *,
        nlp: Optional[Language] = None,
        lookups: Optional[Lookups] = None,
    ) -> None:
        super().initialize(get_examples, nlp=nlp, lookups=lookups)
        self._cache = {}

    def from_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> "NormalisingLemmatizer":
        super().from_disk(path, exclude=exclude)
        self._cache = {}
        return self

    def normalise(self, text: str) -> str:
        """The normalised lemma of a word (used for texts and for patterns alike)."""
        return normalise(text, self.lookups.get_table("lemma_lookup"), self.spelling)

    def lookup_lemmatize(self, token: Token) -> list[str]:
        return [self.normalise(token.text)]

    def __call__(self, doc: Doc) -> Doc:
        if not self._validated:
            self._validate_tables()
        if not len(doc):
            return doc
        # Whole-array work: creating a Token object per word costs more than the lookup.
        cache = self._cache
        strings = self.vocab.strings
        orths = doc.to_array(ORTH)
        lemmas = numpy.empty(len(orths), dtype=numpy.uint64)
        for i, orth in enumerate(orths.tolist()):
            lemma = cache.get(orth)
            if lemma is None:
                lemma = strings.add(self.normalise(strings[orth]))
                cache[orth] = lemma
            lemmas[i] = lemma
        doc.from_array([LEMMA], lemmas)
        return doc


@Language.factory(
    "nlp_review_lemmatizer",
    assigns=["token.lemma"],
    default_config={"spelling": {}},
)
def make_normalising_lemmatizer(
    nlp: Language, name: str, spelling: Dict[str, str]
) -> NormalisingLemmatizer:
    return NormalisingLemmatizer(nlp.vocab, name, spelling=spelling)
