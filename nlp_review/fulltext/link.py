"""Which project record a full text belongs to: by DOI, then PMID, then a fuzzy title match
(rapidfuzz) above a threshold. Pure: built from the works' identifiers and titles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from rapidfuzz import fuzz, process

from nlp_review.fulltext.model import FullText
from nlp_review.records import normalise_doi, normalise_pmid

#: Minimum rapidfuzz ``ratio`` (0-100) between normalised titles for a title link.
TITLE_THRESHOLD = 90.0


@dataclass(frozen=True)
class WorkKey:
    id: int
    doi: str | None
    pmid: str | None
    title: str | None


@dataclass(frozen=True)
class Link:
    record_id: int | None
    method: str | None  # "doi", "pmid", "title", or None when unlinked
    score: float | None = None
    #: For an unlinked file: the closest title and its score, to help linking by hand.
    best_record_id: int | None = None

    @property
    def linked(self) -> bool:
        return self.record_id is not None


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class Linker:
    def __init__(self, works: Iterable[WorkKey], threshold: float = TITLE_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_doi: dict[str, int] = {}
        self.by_pmid: dict[str, int] = {}
        self.titles: dict[int, str] = {}
        for w in works:
            doi, pmid = normalise_doi(w.doi), normalise_pmid(w.pmid)
            if doi:
                self.by_doi.setdefault(doi, w.id)
            if pmid:
                self.by_pmid.setdefault(pmid, w.id)
            if w.title and len(normalise_title(w.title)) >= 10:
                self.titles[w.id] = normalise_title(w.title)

    def link(self, text: FullText) -> Link:
        for doi in [text.doi, *text.other_dois]:
            if doi and doi in self.by_doi:
                return Link(self.by_doi[doi], "doi", 100.0)
        if text.pmid and text.pmid in self.by_pmid:
            return Link(self.by_pmid[text.pmid], "pmid", 100.0)
        if not text.title or not self.titles:
            return Link(None, None)
        query = normalise_title(text.title)
        best = process.extractOne(query, self.titles, scorer=fuzz.ratio)
        if best is None:
            return Link(None, None)
        _, score, work_id = best
        if score >= self.threshold:
            return Link(work_id, "title", round(score, 1))
        return Link(None, None, round(score, 1), best_record_id=work_id)
