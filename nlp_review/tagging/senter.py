"""Rule-based sentence boundaries, computed on whole token arrays.

Same rule as spaCy's ``sentencizer`` (after a sentence-final character, the next token
that is not punctuation starts a sentence) plus blank lines, so a title is its own sentence; it avoids
creating a Python object per token, which is most of the sentencizer's cost."""

from __future__ import annotations

from typing import Any, Iterable, List

import numpy
from spacy.attrs import IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

LINE_BREAKS = ["\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", " \n", "\n ", "\n\n ", " \n\n"]


class ArraySentencizer:
    def __init__(self, nlp: Language, name: str, punct_chars: List[str]) -> None:
        self.name = name
        self.punct_chars = list(punct_chars)
        self._ends = numpy.array(sorted({nlp.vocab.strings.add(c) for c in self.punct_chars}),
                                 dtype=numpy.uint64)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array([ORTH, IS_PUNCT])
        is_end = numpy.isin(arr[:, 0], self._ends).tolist()
        is_punct = arr[:, 1].tolist()
        values = [-1] * n
        values[0] = 1
        seen_end = False
        for i in range(n):
            if seen_end and not is_punct[i] and not is_end[i]:
                values[i] = 1
                seen_end = False
            elif is_end[i]:
                seen_end = True
        values = numpy.array(values, dtype=numpy.int64).astype(numpy.uint64)
        doc.from_array([SENT_START], values)
        return doc

    def to_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> None:
        return None

    def from_disk(self, path: Any, *, exclude: Iterable[str] = tuple()) -> "ArraySentencizer":
        return self


@Language.factory(
    "nlp_review_senter",
    assigns=["token.is_sent_start"],
    default_config={"punct_chars": Sentencizer.default_punct_chars + LINE_BREAKS},
)
def make_array_sentencizer(nlp: Language, name: str, punct_chars: List[str]) -> ArraySentencizer:
    return ArraySentencizer(nlp, name, punct_chars)
