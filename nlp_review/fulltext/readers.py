"""Pick a reader by the file's content (not its extension) and run it."""

from __future__ import annotations

from nlp_review.errors import InputError
from nlp_review.fulltext.jats import looks_like_jats, read_jats
from nlp_review.fulltext.model import FullText
from nlp_review.fulltext.not_article import xml_not_article
from nlp_review.fulltext.plain import read_html, read_text

FORMATS = ("pdf", "jats", "html", "text")


def sniff_format(data: bytes) -> str | None:
    """'pdf', 'jats', 'html', 'text', or None for binary data no reader understands."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<!doctype article") or \
            stripped.startswith(b"<article"):
        if looks_like_jats(data):
            return "jats"
        if b"<html" in head.lower():
            return "html"
        return None
    if stripped.startswith((b"<!doctype html", b"<html")) or b"<html" in stripped[:512] or \
            b"<body" in head.lower():
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return "text"


def read_fulltext(data: bytes, *, name: str = "<bytes>", password: str = "",
                  format: str | None = None) -> FullText:
    """Read one full text of any supported format. Raises InputError for a file no reader
    understands or that its reader rejects."""
    fmt = format or sniff_format(data)
    if fmt == "pdf":
        from nlp_review.fulltext.pdf import read_pdf
        return read_pdf(data, name=name, password=password)
    if fmt == "jats":
        return read_jats(data, name=name)
    if fmt == "html":
        return read_html(data, name=name)
    if fmt == "text":
        return read_text(data, name=name)
    not_article = xml_not_article(data, name)
    if not_article is not None:
        raise not_article
    raise InputError("not a PDF, JATS/NLM XML, HTML or plain-text file", file=name,
                     hint="full texts must be PDF, PMC/JATS XML, HTML or UTF-8 text")
