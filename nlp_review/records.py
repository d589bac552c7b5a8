"""The plain data type every stage shares: one bibliographic record."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"10\.\d{4,9}/\S+")


def normalise_doi(value: str | None) -> str | None:
    """Lower case, no ``https://doi.org/`` or ``doi:`` prefix, no trailing punctuation.

    Returns None when the value does not look like a DOI at all."""
    if not value:
        return None
    text = _DOI_PREFIX.sub("", str(value).strip()).strip()
    match = _DOI_SHAPE.search(text)
    if not match:
        return None
    return match.group(0).rstrip(".,;)]}>").lower()


def normalise_pmid(value: Any) -> str | None:
    """A PMID as a string of digits, or None ("12345.0" from spreadsheets becomes "12345")."""
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    text = re.sub(r"^(?:pmid:?\s*)", "", text, flags=re.IGNORECASE)
    return text if text.isdigit() and text != "0" else None


def normalise_year(value: Any) -> int | None:
    """The first plausible four-digit year in a value ("2014.0", "2014/05/01", "c2014")."""
    if value is None:
        return None
    match = re.search(r"(1[5-9]\d\d|20\d\d)", str(value))
    return int(match.group(1)) if match else None


@dataclass
class Record:
    """One canonical bibliographic record as read from an export.

    ``source_id`` is the record's id in its file (an id column or RIS ``ID``/``AN`` tag),
    else its 1-based position. ``label`` is a prior include (1) / exclude (0) decision carried
    by the export (``label_included`` or ``included`` columns), else None.
    """

    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    keywords: list[str] = field(default_factory=list)
    type: str | None = None
    language: str | None = None
    url: str | None = None
    source_id: str | None = None
    label: int | None = None

    def __post_init__(self) -> None:
        self.doi = normalise_doi(self.doi)
        self.pmid = normalise_pmid(self.pmid)
        if self.year is not None and not isinstance(self.year, int):
            self.year = normalise_year(self.year)
        for name in ("title", "abstract", "journal", "volume", "issue", "pages", "type",
                     "language", "url", "source_id"):
            value = getattr(self, name)
            if value is not None:
                value = str(value).strip()
                setattr(self, name, value or None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def text(self) -> str:
        """Title, a blank line, then abstract: the text that ranking and tagging read."""
        return f"{self.title or ''}\n\n{self.abstract or ''}".strip()


RECORD_FIELDS: tuple[str, ...] = tuple(Record.__dataclass_fields__)
