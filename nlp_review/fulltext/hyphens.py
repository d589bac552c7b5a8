"""Re-joining words split across line ends: "interven-\\ntion" becomes "intervention" while
"school-\\nbased" stays "school-based". Decided from the document's own words first, then
from an English word list (spaCy's lookup tables, an installed dependency)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "al", "ally", "ness", "ment", "ments")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """About 100,000 English word forms from spacy-lookups-data (empty if unavailable)."""
    spec = find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    folder = Path(list(spec.submodule_search_locations)[0]) / "data"
    words: set[str] = set()
    try:
        with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
            lookup = json.load(fh)
        words.update(lookup)
        words.update(lookup.values())
        with gzip.open(folder / "en_lemma_index.json.gz", "rt", encoding="utf-8") as fh:
            for forms in json.load(fh).values():
                words.update(forms)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(w.lower() for w in words if w.isalpha())


def _is_word(word: str) -> bool:
    words = english_words()
    w = word.lower()
    if w in words:
        return True
    return any(w.endswith(s) and w[: -len(s)] in words for s in _SUFFIXES if len(w) > len(s) + 2)


class Dehyphenator:
    """Built from all the lines of a document, so its own spelling decides first."""

    def __init__(self, lines: list[str]) -> None:
        self.counts: Counter[str] = Counter()
        for line in lines:
            words = _WORD.findall(line)
            # The last word of a line ending in a hyphen is a fragment: not evidence.
            if line.rstrip().endswith(("-", "\u2010")) and words:
                words = words[:-1]
            self.counts.update(w.lower() for w in words)

    def join(self, head: str, tail: str) -> str:
        """Join a line ending in a hyphen (``head``) to the next line (``tail``)."""
        head = head.rstrip()
        stem = head[:-1]
        match_a = re.search(r"([^\W\d_]+)$", stem)
        match_b = re.match(r"([^\W\d_]+)", tail.lstrip())
        if not match_a or not match_b:
            return stem + "-" + tail.lstrip()  # "COVID-\n19", "2009-\n2010"
        a, b = match_a.group(1), match_b.group(1)
        if not b[0].islower():
            return stem + "-" + tail.lstrip()  # "Anglo-\nSaxon", "non-\nUK"
        joined, hyphenated = (a + b).lower(), f"{a}-{b}".lower()
        if self.counts[hyphenated] > self.counts[joined]:
            keep = True
        elif self.counts[joined]:
            keep = False
        elif _is_word(joined):
            keep = False
        else:
            keep = _is_word(a) and _is_word(b) and len(a) > 1
        return stem + ("-" if keep else "") + tail.lstrip()
