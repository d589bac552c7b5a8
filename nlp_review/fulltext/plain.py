"""Plain text and HTML full texts to a ``FullText``. Headings are recognised by the heading
vocabulary (plain text: short lines alone in their block; HTML: ``<h1>``-``<h6>``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from nlp_review.errors import InputError
from nlp_review.fulltext.hyphens import Dehyphenator
from nlp_review.fulltext.model import Float, FullText, Paragraph, Section
from nlp_review.fulltext.not_article import NotAnArticle
from nlp_review.fulltext.sections import classify_heading
from nlp_review.fulltext.textutil import clean, find_dois, find_pmid, notice_kind
from nlp_review.records import normalise_doi, normalise_pmid

_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+[A-Z]")
_CAPTION = re.compile(r"^(?:Table|Fig\.?|Figure)\s*S?\d+[a-z]?\b\s*[.:|\-–—]?", re.I)


def decode(data: bytes, *, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode the text (not UTF-8 or Windows-1252): {exc}",
                         file=name, hint="save the file as UTF-8") from exc


# -- plain text ------------------------------------------------------------------------------
def read_text(data: bytes, *, name: str = "<bytes>") -> FullText:
    text = decode(data, name=name).replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if not blocks:
        raise InputError("the file is empty", file=name, hint="check the file")
    _refuse_search_export(text, name)
    dehyphen = Dehyphenator(text.splitlines())
    sections: list[Section] = []
    current = Section("other", None)
    title = None
    first = clean(blocks[0])
    if len(first.split()) <= 40 and not classify_heading(first):
        title = first
        sections.append(Section("title", None, [Paragraph(first)]))
        blocks = blocks[1:]
    sections.append(current)
    for block in blocks:
        lines = [l.strip() for l in block.splitlines() if l.strip()]
        head = clean(lines[0])
        kind = classify_heading(head) if len(head.split()) <= 6 else None
        if kind or (_NUMBERED.match(head) and len(head.split()) <= 10 and
                    not head.endswith(".")):
            current = Section(kind or current.kind, head.rstrip(".: "))
            sections.append(current)
            lines = lines[1:]
            if not lines:
                continue
        joined = ""
        for line in lines:
            line = clean(line)
            if joined and re.search(r"[^\W\d_][-\u2010]$", joined):
                joined = dehyphen.join(joined, line)
            else:
                joined = f"{joined} {line}" if joined else line
        current.paragraphs.append(Paragraph(joined))
    head_text = text[:5000]
    dois = find_dois(head_text)
    return FullText(format="text", title=title, doi=dois[0] if dois else None,
                    pmid=find_pmid(head_text), other_dois=dois[1:],
                    sections=[s for s in sections if s.paragraphs], notice=notice_kind(title))


def _refuse_search_export(text: str, name: str) -> None:
    """A search export (RIS, MEDLINE, BibTeX, Web of Science, or a table whose header names
    record columns) given as a full text is refused: it would be stored as one article."""
    from nlp_review.formats.detect import FORMATS, detect_text_format

    try:
        fmt = detect_text_format(text[:20000], name)
    except InputError:
        return
    if fmt in ("csv", "tsv"):  # a header naming record columns, and rows under it
        lines = [line for line in text.splitlines()[:3] if line.strip()]
        sep = "\t" if fmt == "tsv" else ","
        if len(lines) < 2 or lines[1].count(sep) < 1:
            return
    raise NotAnArticle(f"this is a search export ({FORMATS[fmt]}), not a full text", file=name,
                     hint="import its records with `nlp-review import FILE`")


# -- HTML ------------------------------------------------------------------------------------
_SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "button",
         "svg", "template", "select"}
_BLOCK = {"p", "div", "li", "blockquote", "section", "article", "main", "dd", "dt", "pre",
          "ul", "ol", "dl", "br", "body", "tr", "figure", "caption", "figcaption", "table"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "img", "meta", "link", "hr", "input", "source", "wbr", "area", "col", "embed"}


class _HtmlEvents(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, int]] = []  # (kind, text, heading level)
        self.meta: dict[str, str] = {}
        self.buffer: list[str] = []
        self.skip_depth = 0
        self.stack: list[str] = []
        self.html_title: list[str] = []
        self.in_title = False
        self.table_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.table_caption = ""

    def flush(self, kind: str = "p", level: int = 0) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if text:
            self.events.append((kind, text, level))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            key = (a.get("name") or a.get("property") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
            return
        if tag in _VOID:
            if tag == "br" and not self.skip_depth:
                self.buffer.append(" ")
            return
        self.stack.append(tag)
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if tag == "title":
            self.in_title = True
        if self.skip_depth:
            return
        if tag == "table":
            self.flush()
            self.table_depth += 1
            if self.table_depth == 1:
                self.rows, self.table_caption = [], ""
        elif self.table_depth and tag in {"td", "th"}:
            self.cell = []
        elif tag in _HEADINGS or tag in _BLOCK:
            if not self.table_depth:
                self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in _SKIP:
                self.skip_depth -= 1
            if top == tag:
                break
        if tag == "title":
            self.in_title = False
        if self.skip_depth:
            return
        if tag in _HEADINGS:
            self.flush("heading", int(tag[1]))
        elif self.table_depth and tag in {"td", "th"} and self.cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(clean("".join(self.cell)))
            self.cell = None
        elif self.table_depth and tag == "tr":
            self.rows.append([])
        elif self.table_depth and tag == "caption":
            self.table_caption = clean("".join(self.buffer))
            self.buffer = []
        elif tag == "table" and self.table_depth:
            self.table_depth -= 1
            if self.table_depth == 0:
                content = "\n".join("\t".join(r) for r in self.rows if r)
                self.events.append(("table", self.table_caption + "\x00" + content, 0))
        elif tag == "figcaption":
            self.flush("figcaption")
        elif tag in _BLOCK and not self.table_depth:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.html_title.append(data)
            return
        if self.skip_depth:
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.buffer.append(data)


def read_html(data: bytes, *, name: str = "<bytes>") -> FullText:
    parser = _HtmlEvents()
    parser.feed(decode(data, name=name))
    parser.close()
    parser.flush()
    meta = parser.meta
    title = clean(meta.get("citation_title") or meta.get("dc.title") or "") or None
    sections: list[Section] = []
    floats: list[Float] = []
    current = Section("other", None)
    sections.append(current)
    for kind, text, level in parser.events:
        if kind == "heading":
            if title is None and level == 1:
                title = text
                continue
            if title is not None and text == title:
                continue
            section_kind = classify_heading(text)
            if section_kind is None:
                section_kind = current.kind if level >= 3 else "other"
            current = Section(section_kind, text)
            sections.append(current)
        elif kind == "table":
            caption, content = text.split("\x00", 1)
            label = _CAPTION.match(caption)
            floats.append(Float("table", label.group(0).strip(" .:|-–—") if label else None,
                                caption, content))
        elif kind == "figcaption" or _CAPTION.match(text) and len(text) < 1500:
            label = _CAPTION.match(text)
            floats.append(Float("figure" if not text.lower().startswith("table") else "table",
                                label.group(0).strip(" .:|-–—") if label else None, text))
        else:
            current.paragraphs.append(Paragraph(text))
    if title is None:
        title = clean("".join(parser.html_title)) or None
    if title:
        sections.insert(0, Section("title", None, [Paragraph(title)]))
    doi = normalise_doi(meta.get("citation_doi") or meta.get("dc.identifier") or "")
    first = " ".join(p.text for s in sections[:3] for p in s.paragraphs)[:5000]
    dois = find_dois(first)
    if doi is None and dois:
        doi = dois[0]
    pmid = normalise_pmid(meta.get("citation_pmid")) or find_pmid(first)
    sections = [s for s in sections if s.paragraphs]
    if not any(s.kind != "title" for s in sections):
        raise InputError("no text found in the HTML page", file=name,
                         hint="save the article page itself (not a login or cookie page)")
    return FullText(format="html", title=title, doi=doi, pmid=pmid, sections=sections,
                    floats=floats, other_dois=[d for d in dois if d != doi],
                    notice=notice_kind(title))
