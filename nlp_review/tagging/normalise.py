"""Lemma normalisation shared by the text and the patterns: lower case, lookup lemma
(tables from ``spacy-lookups-data``), then one spelling for British/American variants.

Because patterns and texts go through the same function, a normalisation that is too eager
("exercise" -> "exercize") is harmless: both sides change alike. It only matters that two
different real words do not collapse into one, which is why the suffix rules have minimum
lengths (``four`` must not become ``for``).
"""

from __future__ import annotations

import re
from typing import Mapping

# (suffix, replacement, minimum word length). Applied to the lemma, first match wins.
_SUFFIX_RULES: tuple[tuple[str, str, int], ...] = (
    ("isations", "izations", 8), ("isation", "ization", 7),
    ("ising", "izing", 6), ("ised", "ized", 5), ("ises", "izes", 5), ("iser", "izer", 5),
    ("isers", "izers", 6), ("ise", "ize", 5),
    ("ysing", "yzing", 6), ("ysed", "yzed", 5), ("yse", "yze", 5),
    ("elling", "eling", 7), ("elled", "eled", 6), ("eller", "eler", 6),
    ("ours", "ors", 7), ("our", "or", 6), ("oured", "ored", 7), ("ouring", "oring", 8),
    ("ourable", "orable", 8),
    ("tres", "ters", 6), ("tre", "ter", 5),
    ("ogue", "og", 6), ("ogues", "ogs", 7),
)
_PREFIX_RULES: tuple[tuple[str, str], ...] = (
    ("paed", "ped"), ("orthopaed", "orthoped"), ("haem", "hem"), ("anaem", "anem"),
    ("anaes", "anes"), ("oestr", "estr"), ("foet", "fet"), ("oedem", "edem"),
    ("gynaec", "gynec"), ("leukaem", "leukem"), ("manoeuv", "maneuv"),
)
_WORD = re.compile(r"^[a-z]+$")


def americanise(word: str, spelling: Mapping[str, str]) -> str:
    """One spelling per word: an explicit map first, then prefix and suffix rules."""
    mapped = spelling.get(word)
    if mapped is not None:
        return mapped
    if not _WORD.match(word):
        return word
    for prefix, repl in _PREFIX_RULES:
        if word.startswith(prefix):
            word = repl + word[len(prefix):]
            break
    for suffix, repl, min_len in _SUFFIX_RULES:
        if len(word) >= min_len and word.endswith(suffix):
            return word[: -len(suffix)] + repl
    return word


#: the Unicode hyphen, non-breaking hyphen and minus sign, read as "-" (publishers' text
#: has "self\u2010esteem"; patterns are written with "-")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2212": "-"})


def normalise(text: str, table: Mapping[str, str], spelling: Mapping[str, str]) -> str:
    """The normalised lemma of one token's text."""
    lower = text.lower().translate(_HYPHENS)
    lemma = table.get(lower)
    if lemma is None:
        # A British form missing from the table may be there under its American spelling
        # ("mobilisations" -> "mobilizations" -> "mobilization"), and vice versa.
        american = americanise(lower, spelling)
        lemma = table.get(american)
        if lemma is None:
            lemma = _strip_plural(american)
    return americanise(lemma, spelling)


def _strip_plural(word: str) -> str:
    """A word the lookup table does not know ("kiddos", "ECECs"): drop a plural -s."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")) \
            and word[-2].isalpha():
        return word[:-1]
    return word
