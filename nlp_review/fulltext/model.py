"""The plain data a full-text reader returns: a ``FullText`` with its sections, paragraphs
(with the page each starts on, for citing), and tables / figure captions kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Section kinds, in the order they usually appear.
SECTION_KINDS = ("title", "abstract", "introduction", "methods", "results", "discussion",
                 "conclusion", "references", "acknowledgements", "other")
#: Sections whose text is never tagged (bibliography, thanks, funding, competing interests).
NOT_FOR_TAGGING = frozenset({"references", "acknowledgements"})
#: Kinds of notices that are not articles.
NOTICE_KINDS = ("retraction", "correction", "erratum", "expression of concern")


@dataclass
class Paragraph:
    """One paragraph of running text; ``page`` is the 1-based page it starts on (None for
    formats without pages). A paragraph running on to later pages lists where:
    ``page_breaks`` holds (character offset in ``text``, page) pairs."""

    text: str
    page: int | None = None
    page_breaks: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The page the character at ``offset`` is on."""
        page = self.page
        for start, p in self.page_breaks:
            if offset >= start:
                page = p
        return page


@dataclass
class Section:
    """A run of paragraphs under one heading. ``kind`` is one of SECTION_KINDS."""

    kind: str
    heading: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def taggable(self) -> bool:
        return self.kind not in NOT_FOR_TAGGING


@dataclass
class Float:
    """A table or a figure, kept apart from the body: its label, caption and (for tables)
    cell text, one row per line with cells separated by tabs."""

    kind: str  # "table" or "figure"
    label: str | None
    caption: str
    content: str = ""
    page: int | None = None


@dataclass
class FullText:
    """What a reader makes of one file."""

    format: str  # "pdf", "jats", "html" or "text"
    title: str | None = None
    doi: str | None = None
    pmid: str | None = None
    sections: list[Section] = field(default_factory=list)
    floats: list[Float] = field(default_factory=list)
    pages: int | None = None
    notice: str | None = None  # one of NOTICE_KINDS when the file is a notice, not an article
    #: DOIs seen in the file's metadata or first page other than ``doi`` (linking candidates).
    other_dois: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_notice(self) -> bool:
        return self.notice is not None

    def paragraphs(self, kind: str | None = None) -> list[Paragraph]:
        return [p for s in self.sections if kind is None or s.kind == kind for p in s.paragraphs]

    def section_kinds(self) -> list[str]:
        """Distinct section kinds in document order."""
        seen: list[str] = []
        for s in self.sections:
            if s.kind not in seen:
                seen.append(s.kind)
        return seen

    def body_text(self) -> str:
        """The text of every section (title and abstract included), paragraphs separated by
        blank lines; tables and figures are not included."""
        return "\n\n".join(p.text for s in self.sections for p in s.paragraphs)

    @property
    def n_chars(self) -> int:
        return sum(len(p.text) for s in self.sections for p in s.paragraphs)
