"""Files that sit in a folder of articles but are not articles: search exports (EndNote or
PubMed XML, RIS, MEDLINE), TEI or other XML, JATS holding only front matter (a tool's
metadata extraction), and a JATS-like extraction of a PDF beside it (CERMINE's output).
Pure functions over a file's bytes or its ``FullText``; ``fulltext add`` skips such files
found in a folder and names each with its reason."""

from __future__ import annotations

import re

from nlp_review.errors import InputError
from nlp_review.formats.xmlsafe import root_tag
from nlp_review.fulltext.model import FullText

#: Section kinds that a JATS record without an article body still has.
_FRONT_KINDS = {"title", "abstract", "references", "acknowledgements"}


class NotAnArticle(InputError):
    """A file that is readable but is not an article (a search export, a non-article XML).
    Named on its own it fails with this message; found in a folder it is skipped."""


def _head_text(data: bytes, size: int = 40000) -> str:
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace").lstrip("\ufeff")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def xml_not_article(data: bytes, name: str) -> NotAnArticle | None:
    """Why an XML file that no full-text reader takes is not an article (None if it is not
    XML at all): a search export, TEI, or XML with another root element."""
    from nlp_review.formats.detect import FORMATS

    head = _head_text(data).lstrip(" \t\r\n")
    if not head.startswith("<"):
        return None
    root = root_tag(head)
    if root is None:
        return None
    if root in ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"):
        kind = FORMATS["pubmed-xml"]
    elif root == "xml" and re.search(r"<records\b", head[:5000]):
        kind = FORMATS["endnote-xml"]
    else:
        kind = None
    if kind is not None:
        return NotAnArticle(f"this is a search export ({kind}), not a full text", file=name,
                            hint="import its records with `nlp-review import FILE`")
    if root.rsplit(":", 1)[-1] == "TEI":
        return NotAnArticle("TEI XML (e.g. GROBID's output) is not a full-text format the "
                            "readers take", file=name,
                            hint="add the article's PDF or JATS/PMC XML instead")
    return NotAnArticle(f"an XML file with root element <{root}>, not a JATS/NLM article",
                        file=name, hint="full texts in XML must be JATS / PMC .nxml")


def has_article_body(text: FullText) -> bool:
    """Whether a full text holds more than front and back matter (title, abstract,
    references, acknowledgements): a JATS file of metadata only has no body."""
    return any(s.paragraphs for s in text.sections if s.kind not in _FRONT_KINDS)


_PUBLISHER_MARK = re.compile(rb"<!DOCTYPE\s+article\b|<article\b[^>]*\b(dtd-version|article-type)\s*=",
                             re.IGNORECASE)


def is_publisher_jats(data: bytes) -> bool:
    """Whether a JATS file carries the marks publishers' and PMC's files carry (the JATS /
    NLM DOCTYPE, or ``dtd-version`` / ``article-type`` on <article>). A JATS-like file
    without them (CERMINE's output) may be a tool's extraction of a PDF."""
    return _PUBLISHER_MARK.search(data[:20000]) is not None
