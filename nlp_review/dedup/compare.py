"""Decide whether two prepared records describe the same work.

Titles propose a match; DOI/PMID, authors, year, venue, volume, pages and abstract confirm
or veto it. The result is "auto" (merge), "grey" (a human should look) or None (different
works), with a score in [0, 1] and a short reason a reviewer can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from nlp_review.dedup.normalise import Prepared, title_language

Status = Literal["auto", "grey"]


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict on one pair: ``status`` "auto" or "grey", ``score`` in [0, 1]."""

    score: float
    status: Status
    reason: str


@dataclass(frozen=True)
class Thresholds:
    """Title similarity cut-offs (rapidfuzz ratio, 0-100). Tuned on the bib-dedupe
    benchmark sets (cytology_screening, digital_work) and the 25 labelled pairs."""

    exact: float = 97.0
    auto: float = 93.0
    confirmed: float = 88.0
    grey: float = 80.0


DEFAULT_THRESHOLDS = Thresholds()


def title_similarity(a: Prepared, b: Prepared) -> tuple[float, str]:
    """(similarity 0-100, kind) where kind is "exact", "fuzzy", "subtitle" or "truncated"."""
    if not a.title or not b.title:
        return 0.0, "none"
    full = fuzz.ratio(a.title, b.title)
    if full >= DEFAULT_THRESHOLDS.exact:
        return full, "exact"
    best, kind = full, "fuzzy"
    if (a.title_main != a.title or b.title_main != b.title) and min(
            len(a.title_main.split()), len(b.title_main.split())) >= 4:
        # "Wilson's disease: a case report" vs "Wilson's disease: review" is no evidence
        main = max(fuzz.ratio(a.title_main, b.title_main), fuzz.ratio(a.title_main, b.title),
                   fuzz.ratio(a.title, b.title_main))
        if main >= 95 and main > best:
            best, kind = main, "subtitle"
    if a.title_alt or b.title_alt:
        alt = max(fuzz.ratio(a.title_alt, b.title) if a.title_alt else 0,
                  fuzz.ratio(a.title, b.title_alt) if b.title_alt else 0)
        if alt >= 95 and alt > best:
            best, kind = alt, "translation"
    short, long = sorted((a.title, b.title), key=len)
    if len(short) >= 30 and len(short.split()) >= 5 and len(short) < len(long):
        prefix = fuzz.ratio(short, long[: len(short)])
        if prefix >= 97 and prefix > best:
            best, kind = prefix, "truncated"
    return best, kind


def _same_name(x: frozenset[str], y: frozenset[str]) -> bool:
    for s in x:
        for t in y:
            if s == t or (min(len(s), len(t)) >= 4 and (s.startswith(t) or t.startswith(s))):
                return True
    return False


def author_agreement(a: Prepared, b: Prepared) -> tuple[float | None, bool, bool]:
    """(share of the shorter list found in the other or None, first authors agree,
    lists agree completely)."""
    if not a.surnames or not b.surnames:
        return None, False, False
    xs, ys = a.surnames[:12], b.surnames[:12]
    if len(xs) > len(ys):
        xs, ys = ys, xs
    hits = sum(1 for x in xs if any(_same_name(x, y) for y in ys))
    share = hits / len(xs)
    first = _same_name(a.surnames[0], b.surnames[0])
    complete = share == 1.0 and len(a.surnames) == len(b.surnames)
    return share, first, complete


def journals_agree(a: Prepared, b: Prepared) -> bool | None:
    """True when the venue names match (allowing abbreviations), False when they clearly
    differ, None when one is missing."""
    if not a.journal or not b.journal:
        return None
    if a.journal == b.journal:
        return True
    xs, ys = sorted((a.journal.split(), b.journal.split()), key=len)
    for one, other in ((xs, ys), (ys, xs)):  # "ICIS ..." and its full name
        if len(other) >= 3 and "".join(w[0] for w in other) in one:
            return True
    # Abbreviation: each word of the shorter name starts a word of the longer, in order.
    pos = 0
    for word in xs:
        while pos < len(ys) and not ys[pos].startswith(word):
            pos += 1
        if pos == len(ys):
            break
        pos += 1
    else:
        return True
    return fuzz.token_set_ratio(a.journal, b.journal) >= 90


def _supplement(page: str | None) -> bool:
    return bool(page) and page[0] == "s" and page[1:].isdigit()  # type: ignore[index]


def _pages_conflict(a: Prepared, b: Prepared) -> bool:
    """Both records have pages and they cannot be the same article's pages. An article
    number ("e12724") against a page range, or overlapping ranges, is no conflict."""
    fa, fb = a.first_page, b.first_page
    if not fa or not fb or fa == fb:
        return False
    if _supplement(fa) != _supplement(fb):
        return True
    if not fa.isdigit() or not fb.isdigit():
        return False
    la = int(a.last_page) if a.last_page and a.last_page.isdigit() else int(fa)
    lb = int(b.last_page) if b.last_page and b.last_page.isdigit() else int(fb)
    return not (int(fa) <= lb and int(fb) <= la)


def _same_place(a: Prepared, b: Prepared) -> bool:
    """Same journal, volume, first (and last) page: one article, whatever its title."""
    if not (a.volume and a.volume == b.volume and a.first_page and a.first_page == b.first_page):
        return False
    if a.last_page and b.last_page and a.last_page != b.last_page:
        return False
    if a.issue and b.issue and a.issue != b.issue:
        return False
    return journals_agree(a, b) is True


def _online_first(a: Prepared, b: Prepared) -> bool:
    """One record carries the online-first pagination ("1-17") or no volume."""
    return (a.first_page == "1" or b.first_page == "1" or not a.volume or not b.volume)


def _abstracts(a: Prepared, b: Prepared) -> float | None:
    if len(a.abstract) < 100 or len(b.abstract) < 100:
        return None
    n = min(len(a.abstract), len(b.abstract), 600)
    return fuzz.ratio(a.abstract[:n], b.abstract[:n])


def compare(a: Prepared, b: Prepared, t: Thresholds = DEFAULT_THRESHOLDS) -> Match | None:
    """The verdict on a pair of prepared records, or None when they are different works."""
    sim, kind = title_similarity(a, b)
    if kind in ("exact", "fuzzy"):
        numbers_differ = bool(a.numbers) and bool(b.numbers) and a.numbers != b.numbers
    else:  # the shorter title's numbers must all be in the longer one
        short, long = sorted((a, b), key=lambda p: len(p.title))
        numbers_differ = not short.numbers <= long.numbers
    if a.markers != b.markers and kind != "exact":
        return None  # erratum vs article, protocol vs results, reply vs paper
    same_id = (a.doi is not None and a.doi == b.doi) or (a.pmid is not None and a.pmid == b.pmid)
    if same_id:
        key = "DOI" if a.doi is not None and a.doi == b.doi else "PMID"
        if sim >= 80 or (not a.title or not b.title):
            return Match(1.0, "auto", f"same {key}")
        if _same_place(a, b) and author_agreement(a, b)[2]:
            return Match(0.95, "auto", f"same {key}, journal, volume, pages and authors")
        if sim >= 60:
            return Match(0.7, "grey", f"same {key} but titles differ ({sim:.0f})")
        return None  # a DOI shared by a whole supplement/proceedings, or a data error
    if a.generic or b.generic:
        return _generic(a, b, sim)
    id_conflict = (a.doi and b.doi and a.doi != b.doi) or (a.pmid and b.pmid and a.pmid != b.pmid)
    share, first, complete = author_agreement(a, b)
    if share is not None and share == 0.0:
        if not a.name_tokens & b.name_tokens:
            return None  # no author name in common: different people
        share = None  # "Andrea, C." vs "Carignani, Andrea": name order garbled, no evidence
    if sim < t.grey:
        if (not id_conflict and complete and a.year == b.year and a.markers == b.markers
                and _same_place(a, b)):
            la, lb = title_language(a.title), title_language(b.title)
            if la and lb and la != lb and a.last_page and b.last_page:
                return Match(0.9, "auto", f"same journal, volume, pages and authors; titles in"
                             f" {la} and {lb} (translation)")
            return Match(0.8, "grey", "same journal, volume, pages and authors; titles differ")
        return None
    authors_ok = share is None or share >= 0.5 or first
    dy = abs(a.year - b.year) if a.year is not None and b.year is not None else 0
    if dy > 1:
        return None
    venue_conflict = a.venue is not None and b.venue is not None and a.venue != b.venue
    jour = journals_agree(a, b)
    score = sim / 100
    if id_conflict:
        if kind == "exact" and complete and dy == 0 and not venue_conflict:
            return Match(score * 0.9, "grey", "titles and authors match but DOI/PMID differ")
        return None
    if venue_conflict:
        if kind == "exact" and authors_ok and dy == 0:
            return Match(score * 0.9, "grey", f"same title but {a.venue} vs {b.venue}")
        return None
    same_volume = a.volume is not None and a.volume == b.volume
    if dy == 1:
        if kind == "exact" and complete and jour is True and (same_volume or _online_first(a, b)):
            return Match(score * 0.97, "auto", "same title, authors and journal; year +-1")
        if kind == "exact" and authors_ok:
            return Match(score * 0.9, "grey", "same title; years differ by one")
        return None
    pages_conflict = _pages_conflict(a, b)
    volume_conflict = a.volume is not None and b.volume is not None and a.volume != b.volume
    abstract = _abstracts(a, b)
    if abstract is not None and abstract < 50:
        return Match(score * 0.8, "grey", "same title, abstracts differ") if kind == "exact" \
            else None
    if (pages_conflict and not volume_conflict and kind == "exact" and share is not None
            and share >= 0.8 and jour is True and same_volume
            and not (_supplement(a.first_page) or _supplement(b.first_page))):
        return Match(score * 0.95, "auto", "same title, authors, journal and volume;"
                     " pages differ")
    if pages_conflict or volume_conflict:
        what = "pages" if pages_conflict else "volume"
        if sim >= t.auto and authors_ok:
            return Match(score * 0.85, "grey", f"same title but {what} differ")
        return None
    if numbers_differ and _same_place(a, b) and share is not None and share >= 0.8:
        return Match(score * 0.95, "auto", "same journal, volume, pages and authors; a number"
                     " in the title differs")
    if numbers_differ:  # "Part 1" vs "Part 2", "Sixteenth review" vs "Thirteenth review"
        return Match(score * 0.85, "grey", "titles alike but their numbers differ") \
            if authors_ok else None
    confirmations = sum([
        bool(jour), bool(a.first_page and a.first_page == b.first_page),
        bool(a.volume and a.volume == b.volume), bool(abstract is not None and abstract >= 90),
        bool(share is not None and share >= 0.8),
    ])
    same_year = a.year is not None and a.year == b.year
    if len(a.title.split()) <= 3 or len(b.title.split()) <= 3:  # short: title says little
        if kind == "exact" and authors_ok and confirmations + same_year >= 2:
            return Match(score * 0.95, "auto", "short title confirmed by other fields")
        return Match(score * 0.8, "grey", "short title, not confirmed") \
            if kind == "exact" and (confirmations + same_year) >= 1 else None
    if kind == "exact" or (kind == "fuzzy" and sim >= t.auto and confirmations >= 1):
        if authors_ok:
            return Match(score, "auto", f"{kind} title match ({sim:.0f})")
        return Match(score * 0.9, "grey", f"{kind} title match, authors differ")
    shorter_words = min(len(a.title.split()), len(b.title.split()))
    needed = 1 if kind in ("subtitle", "truncated") and shorter_words >= 6 else 2
    if sim >= t.confirmed and authors_ok and confirmations + same_year >= needed:
        return Match(score, "auto", f"{kind} title match ({sim:.0f}) confirmed by other fields")
    if authors_ok:
        return Match(score * 0.9, "grey", f"{kind} title match ({sim:.0f}), not confirmed")
    return None


def _generic(a: Prepared, b: Prepared, sim: float) -> Match | None:
    """Generic titles ("Editorial", "Reply") match only on venue, volume and pages."""
    if sim < 97 or not a.first_page or a.first_page != b.first_page:
        return None
    if not a.volume or a.volume != b.volume or journals_agree(a, b) is not True:
        return None
    if (a.doi and b.doi and a.doi != b.doi) or (a.last_page and b.last_page
                                                 and a.last_page != b.last_page):
        return None
    share, _first, _complete = author_agreement(a, b)
    if share is not None and share < 0.5:
        return None
    if a.year is not None and b.year is not None and a.year != b.year:
        return None
    return Match(0.9, "auto", "generic title; same journal, volume and pages")
