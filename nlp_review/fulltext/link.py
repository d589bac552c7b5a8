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
    #: For an unlinked file whose DOIs, PMID or title fit several records equally: them all.
    ambiguous: tuple[int, ...] = ()
    #: What the ambiguous records matched on: "DOI", "PMID" or "title".
    ambiguous_by: str | None = None

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
        self.by_doi: dict[str, list[int]] = {}
        self.by_pmid: dict[str, list[int]] = {}
        self.titles: dict[int, str] = {}
        for w in works:
            doi, pmid = normalise_doi(w.doi), normalise_pmid(w.pmid)
            if doi:
                self.by_doi.setdefault(doi, []).append(w.id)
            if pmid:
                self.by_pmid.setdefault(pmid, []).append(w.id)
            if w.title and len(normalise_title(w.title)) >= 10:
                self.titles[w.id] = normalise_title(w.title)

    def link(self, text: FullText) -> Link:
        """The one record the file belongs to. A file whose DOIs (a list of sources, a page
        citing other papers), PMID or best title fit several records is not linked: the
        records are named instead, to link by hand."""
        by_doi = _distinct(w for doi in [text.doi, *text.other_dois] if doi
                           for w in self.by_doi.get(doi, []))
        if len(by_doi) == 1:
            return Link(by_doi[0], "doi", 100.0)
        if by_doi:
            return Link(None, None, ambiguous=tuple(by_doi), ambiguous_by="DOI")
        by_pmid = self.by_pmid.get(text.pmid, []) if text.pmid else []
        if len(by_pmid) == 1:
            return Link(by_pmid[0], "pmid", 100.0)
        if by_pmid:
            return Link(None, None, ambiguous=tuple(by_pmid), ambiguous_by="PMID")
        if not text.title or not self.titles:
            return Link(None, None)
        query = normalise_title(text.title)
        best = process.extract(query, self.titles, scorer=fuzz.ratio, limit=None)
        if not best:
            return Link(None, None)
        _, score, work_id = best[0]
        if score < self.threshold:
            return Link(None, None, round(score, 1), best_record_id=work_id)
        tied = [w for _, s, w in best if s == score]
        if len(tied) > 1:
            return Link(None, None, round(score, 1), ambiguous=tuple(sorted(tied)),
                        ambiguous_by="title")
        return Link(work_id, "title", round(score, 1))


def _distinct(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))
