"""A large collection with planted duplicates, built from the shared datasets.

Base works: every record of ``../shared/datasets/screening/*.csv`` plus one record per true
group of the bib-dedupe sets (cytology_screening, digital_work), made unique by PMID, DOI and
normalised title. Copies of randomly chosen works are added until the collection has ``n``
records; each copy gets realistic export noise: case, punctuation, truncated or
subtitle-less titles, a typo, missing DOI/PMID/abstract/journal, authors as initials in
another name order, pages "123-9" for "123-129", HTML entities. Deterministic for a seed.

    records, truth = synthesise(100_000, seed=1)   # [(id, Record)], [[id, ...], ...]
    write_csv(records, path)                       # BibTeX-named CSV (the peer reads it)
"""

from __future__ import annotations

import csv
import dataclasses
import random
import re
from pathlib import Path
from typing import Iterator

import pandas as pd

from dedup_data import DEDUP_DATA, REPO, load_dataset
from nlp_review.dedup.normalise import normalise_title, split_authors
from nlp_review.records import Record

SCREENING = REPO / ".." / "shared" / "datasets" / "screening"


def _screening_records() -> Iterator[Record]:
    for path in sorted(SCREENING.glob("*.csv")):
        if path.name == "MANIFEST.csv":
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for row in df.to_dict("records"):
            authors = row.get("authors", "")
            yield Record(
                title=row.get("title") or None, abstract=row.get("abstract") or None,
                authors=split_authors(authors) if authors else [],
                year=row.get("year") or None,  # type: ignore[arg-type]
                doi=row.get("doi") or None, pmid=row.get("pmid") or None,
                source_id=f"{path.stem}:{row.get('record_id', '')}")


def base_works() -> list[Record]:
    """Unique works (by PMID, DOI and normalised title) from the shared datasets."""
    works: list[Record] = []
    seen: set[str] = set()
    candidates: list[Record] = list(_screening_records())
    for name in ("cytology_screening", "digital_work"):
        records, truth = load_dataset(name, DEDUP_DATA)
        later = {i for g in truth for i in sorted(g)[1:]}
        candidates += [r for i, r in records if i not in later]
    for r in candidates:
        title = normalise_title(r.title)[0]
        if len(title.split()) < 4:
            continue
        keys = {f"t:{title}"} | ({f"d:{r.doi}"} if r.doi else set()) | (
            {f"p:{r.pmid}"} if r.pmid else set())
        if keys & seen:
            continue
        seen.update(keys)
        works.append(r)
    return works


def _initials_style(author: str, rng: random.Random) -> str:
    author = author.strip()
    if "," in author:
        surname, given = (p.strip() for p in author.split(",", 1))
    else:
        parts = author.split()
        if len(parts) > 1 and all(len(p.strip(".")) <= 2 for p in parts[1:]):
            surname, given = parts[0], " ".join(parts[1:])  # "Reimer EJ"
        else:
            surname, given = parts[-1], " ".join(parts[:-1])  # "E J Reimer"
    initials = [w[0].upper() for w in re.split(r"[\s.\-]+", given) if w]
    style = rng.randrange(3)
    if style == 0:
        return f"{surname}, {'. '.join(initials)}{'.' if initials else ''}"
    if style == 1:
        return f"{surname} {''.join(initials)}"
    return f"{'. '.join(initials)}{'. ' if initials else ''}{surname}"


def _short_pages(pages: str) -> str:
    m = re.match(r"^\s*(\d+)\s*-+\s*(\d+)\s*$", pages)
    if not m or len(m.group(1)) != len(m.group(2)):
        return pages
    a, b = m.groups()
    k = 0
    while k < len(a) - 1 and a[k] == b[k]:
        k += 1
    return f"{a}-{b[k:]}"


def perturb(record: Record, rng: random.Random) -> Record:
    """One noisy copy of a record, as another database would export it."""
    r = dataclasses.replace(record, authors=list(record.authors), keywords=[])
    title = r.title or ""
    if ":" in title and rng.random() < 0.15:
        title = title.split(":")[0]
    elif rng.random() < 0.08:
        words = title.split()
        if len(words) > 8:
            title = " ".join(words[: max(6, int(len(words) * rng.uniform(0.6, 0.85)))])
    if rng.random() < 0.3:
        title = title.upper() if rng.random() < 0.5 else title.lower()
    if rng.random() < 0.4:
        title = title.rstrip(".") if title.endswith(".") else title + "."
        title = title.replace(": ", " - ") if rng.random() < 0.5 else title.replace(",", "")
    if rng.random() < 0.08 and len(title) > 20:
        k = rng.randrange(5, len(title) - 1)
        title = title[:k] + rng.choice("aeiourstn") + title[k + 1:]
    if rng.random() < 0.05:
        title = title.replace("&", "&amp;").replace("'", "&#39;")
    r.title = title
    if rng.random() < 0.5:
        r.doi = None
    if rng.random() < 0.5:
        r.pmid = None
    if rng.random() < 0.3:
        r.abstract = None
    if rng.random() < 0.2:
        r.journal = None
    if r.authors and rng.random() < 0.6:
        r.authors = [_initials_style(a, rng) for a in r.authors]
    if r.pages and rng.random() < 0.5:
        r.pages = _short_pages(r.pages)
    if rng.random() < 0.03:
        r.year = None
    return r


def synthesise(n: int = 100_000, seed: int = 1) -> tuple[list[tuple[int, Record]],
                                                         list[list[int]]]:
    """``n`` records (ids 1..n, shuffled) and the true groups (lists of ids)."""
    rng = random.Random(seed)
    works = base_works()
    n_works = min(len(works), max(1, int(n * 0.43)))  # ~57 % of the records are copies
    if n_works < len(works):
        works = rng.sample(works, n_works)
    copies: list[tuple[int, Record]] = [(w, r) for w, r in enumerate(works)]
    while len(copies) < n:
        w = rng.randrange(len(works))
        copy = perturb(works[w], rng)
        copy.source_id = f"{works[w].source_id}#copy{len(copies)}"
        copies.append((w, copy))
    rng.shuffle(copies)
    records = [(i, r) for i, (_, r) in enumerate(copies, start=1)]
    groups: dict[int, list[int]] = {}
    for i, (w, _) in enumerate(copies, start=1):
        groups.setdefault(w, []).append(i)
    return records, [g for g in groups.values() if len(g) > 1]


def write_csv(records: list[tuple[int, Record]], path: Path) -> None:
    """BibTeX-named CSV (ID, ENTRYTYPE, title, author "A and B", ...), readable by the peer."""
    cols = ["ID", "ENTRYTYPE", "title", "author", "year", "journal", "volume", "number",
            "pages", "doi", "abstract", "pmid"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for i, r in records:
            w.writerow([f"id_{i:07d}", r.type or "article", r.title or "",
                        " and ".join(r.authors), r.year or "", r.journal or "", r.volume or "",
                        r.issue or "", r.pages or "", r.doi or "", r.abstract or "",
                        r.pmid or ""])
