"""JATS / NLM XML (PubMed Central ``.nxml`` and publishers' JATS 1.x) to a ``FullText``.

Parsed with defusedxml: no entity expansion bombs, no external DTD or network access.
Sections come from the markup (``sec-type``, else the section title); tables and figures
are kept apart from the body; the reference list and acknowledgements are their own
(not-for-tagging) sections."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from nlp_review.errors import InputError
from nlp_review.fulltext.model import Float, FullText, Paragraph, Section
from nlp_review.fulltext.sections import classify_heading, classify_sec_type
from nlp_review.fulltext.textutil import clean, notice_kind
from nlp_review.records import normalise_doi, normalise_pmid

#: Elements that are not running text: kept apart (floats) or dropped from paragraphs.
_FLOATS = {"table-wrap", "fig", "fig-group", "table-wrap-group"}
_SKIP_INLINE = _FLOATS | {"supplementary-material", "disp-formula-group", "alternatives",
                          "graphic", "media", "object-id"}
_NOTICE_TYPES = {"retraction": "retraction", "correction": "correction",
                 "expression-of-concern": "expression of concern", "erratum": "erratum",
                 "retraction-forward": "retraction", "correction-forward": "correction"}
_SKIPPED_ABSTRACTS = {"toc", "teaser", "graphical", "short"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root: ET.Element) -> None:
    for el in root.iter():
        el.tag = _local(el.tag)


def _text(el: ET.Element | None, skip: set[str] = _SKIP_INLINE) -> str:
    """The element's running text, skipping floats (but keeping the text after them)."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag not in skip:
                walk(child)
                if child.tag in {"p", "list-item", "title", "label"}:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return clean("".join(parts))


def looks_like_jats(data: bytes) -> bool:
    head = data[:20000].lstrip()
    return b"<article" in head and (head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"))


def read_jats(data: bytes, *, name: str = "<bytes>") -> FullText:
    """Parse JATS XML bytes. Raises InputError (naming ``name``) on malformed or unsafe XML."""
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"refused unsafe XML ({type(exc).__name__})", file=name,
                         hint="the file declares entities or external references") from exc
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"malformed XML: {exc}", file=name, line=line,
                         hint="check the file is complete JATS/NLM XML") from exc
    _strip_namespaces(root)
    if root.tag != "article":
        article = root.find(".//article")
        if article is None:
            raise InputError(f"not JATS: the root element is <{root.tag}>, not <article>",
                             file=name, hint="full texts in XML must be JATS / PMC .nxml")
        root = article
    return _Builder(root).build()


class _Builder:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.meta = root.find("front/article-meta")
        if self.meta is None:
            self.meta = root.find(".//article-meta")
        self.floats: list[Float] = []

    def build(self) -> FullText:
        title = _text(self.meta.find("title-group/article-title")) if self.meta is not None else ""
        ids = {(el.get("pub-id-type") or ""): (el.text or "").strip()
               for el in (self.meta.findall("article-id") if self.meta is not None else [])}
        article_type = (self.root.get("article-type") or "").lower()
        notice = _NOTICE_TYPES.get(article_type) or notice_kind(title)
        sections: list[Section] = []
        if title:
            sections.append(Section("title", None, [Paragraph(title)]))
        sections.extend(self._abstracts())
        sections.extend(self._body(self.root.find("body")))
        sections.extend(self._back(self.root.find("back")))
        # Floats outside body/back (rare: <floats-group>).
        group = self.root.find("floats-group")
        if group is not None:
            self._collect_floats(group)
        return FullText(
            format="jats",
            title=title or None,
            doi=normalise_doi(ids.get("doi")),
            pmid=normalise_pmid(ids.get("pmid")),
            sections=[s for s in sections if s.paragraphs],
            floats=self.floats,
            notice=notice,
        )

    # -- front -----------------------------------------------------------------------
    def _abstracts(self) -> list[Section]:
        if self.meta is None:
            return []
        out: list[Section] = []
        for abstract in self.meta.findall("abstract"):
            if (abstract.get("abstract-type") or "").lower() in _SKIPPED_ABSTRACTS:
                continue
            heading = _text(abstract.find("title")) or "Abstract"
            section = Section("abstract", heading)
            out.append(section)
            for child in abstract:
                if child.tag == "sec":
                    sub = Section("abstract", _text(child.find("title")) or heading)
                    self._fill(child, sub, out, kind="abstract")
                    out.append(sub)
                elif child.tag != "title":
                    self._block(child, section, out, kind="abstract")
        return out

    # -- body ------------------------------------------------------------------------
    def _body(self, body: ET.Element | None) -> list[Section]:
        if body is None:
            return []
        out: list[Section] = []
        top = [c for c in body if c.tag == "sec"]
        explicit_intro = any(self._kind_of(s) == "introduction" for s in top)
        any_titled = any(_text(s.find("title")) for s in top)
        seen_titled = False
        # Text before the first titled section is the introduction of an article that has
        # titled sections but no introduction; a body with no titles at all (an editorial,
        # a notice) is "other".
        lead = Section("introduction" if any_titled and not explicit_intro else "other", None)
        out.append(lead)
        for child in body:
            if child.tag != "sec":
                self._block(child, lead if not seen_titled else out[-1], out,
                            kind=lead.kind if not seen_titled else out[-1].kind)
                continue
            kind = self._kind_of(child)
            heading = _text(child.find("title")) or None
            if kind is None:
                # An untitled opening section is the introduction of an essay; other
                # unknown headings ("Bias", "Corollaries") are body sections of kind other.
                kind = lead.kind if (heading is None and not seen_titled) else "other"
            seen_titled = seen_titled or heading is not None
            section = Section(kind, heading)
            out.append(section)
            self._fill(child, section, out, kind=kind)
        return out

    def _kind_of(self, sec: ET.Element) -> str | None:
        # The visible title wins over sec-type: PLOS marks "Discussion" as sec-type
        # "conclusions".
        return classify_heading(_text(sec.find("title"))) or classify_sec_type(sec.get("sec-type"))

    def _fill(self, sec: ET.Element, section: Section, out: list[Section], *, kind: str) -> None:
        """Add a <sec>'s blocks to ``section``; nested <sec>s become sections of the same
        kind (their own heading) unless their title names a not-for-tagging kind."""
        current = section
        for child in sec:
            if child.tag in {"title", "label"}:
                continue
            if child.tag == "sec":
                heading = _text(child.find("title")) or None
                sub_kind = classify_sec_type(child.get("sec-type")) or classify_heading(heading)
                if sub_kind not in {"references", "acknowledgements"}:
                    sub_kind = kind
                sub = Section(sub_kind, heading)
                out.append(sub)
                self._fill(child, sub, out, kind=sub_kind)
                current = Section(kind, section.heading)
                out.append(current)
            else:
                self._block(child, current, out, kind=kind)

    def _block(self, el: ET.Element, section: Section, out: list[Section], *, kind: str) -> None:
        tag = el.tag
        if tag in _FLOATS:
            self._collect_floats(el)
        elif tag == "p":
            self._collect_floats(el)
            text = _text(el)
            if text:
                section.paragraphs.append(Paragraph(text))
        elif tag in {"list", "def-list"}:
            for item in el:
                if item.tag in {"list-item", "def-item"}:
                    self._collect_floats(item)
                    text = _text(item)
                    if text:
                        section.paragraphs.append(Paragraph(text))
        elif tag in {"disp-quote", "boxed-text", "statement", "verse-group"}:
            for child in el:
                if child.tag == "sec":
                    self._fill(child, section, out, kind=kind)
                elif child.tag not in {"title", "label", "caption"}:
                    self._block(child, section, out, kind=kind)
        elif tag == "sec":
            self._fill(el, section, out, kind=kind)
        elif tag in {"supplementary-material", "title", "label", "graphic", "media"}:
            return
        else:
            text = _text(el)
            if text:
                section.paragraphs.append(Paragraph(text))

    def _collect_floats(self, el: ET.Element) -> None:
        targets = [el] if el.tag in _FLOATS else []
        targets += [d for d in el.iter() if d is not el and d.tag in {"table-wrap", "fig"}]
        for node in targets:
            if node.tag in {"fig-group", "table-wrap-group"}:
                continue
            label = _text(node.find("label")) or None
            caption = _text(node.find("caption"))
            content = ""
            if node.tag == "table-wrap":
                rows = []
                for tr in node.iter("tr"):
                    cells = [_text(td, skip=set()) for td in tr if td.tag in {"td", "th"}]
                    rows.append("\t".join(cells))
                foot = _text(node.find("table-wrap-foot"))
                content = "\n".join(rows + ([foot] if foot else []))
            kind = "table" if node.tag == "table-wrap" else "figure"
            if not any(f.label == label and f.caption == caption for f in self.floats):
                self.floats.append(Float(kind, label, caption, content))

    # -- back ------------------------------------------------------------------------
    def _back(self, back: ET.Element | None) -> list[Section]:
        if back is None:
            return []
        out: list[Section] = []
        for child in back:
            tag = child.tag
            if tag == "ref-list":
                section = Section("references", _text(child.find("title")) or "References")
                out.append(section)
                for ref in child.iter("ref"):
                    text = _text(ref)
                    if text:
                        section.paragraphs.append(Paragraph(text))
            elif tag == "ack":
                section = Section("acknowledgements", _text(child.find("title")) or
                                  "Acknowledgements")
                out.append(section)
                self._fill(child, section, out, kind="acknowledgements")
            elif tag in {"sec", "notes", "fn-group", "app-group", "app", "glossary"}:
                heading = _text(child.find("title")) or None
                kind = self._back_kind(child, heading)
                section = Section(kind, heading)
                out.append(section)
                if tag == "fn-group":
                    for fn in child.iter("fn"):
                        text = _text(fn)
                        if text:
                            section.paragraphs.append(Paragraph(text))
                else:
                    self._fill(child, section, out, kind=kind)
        return out

    def _back_kind(self, el: ET.Element, heading: str | None) -> str:
        if el.tag == "fn-group":
            types = {(fn.get("fn-type") or "").lower() for fn in el.iter("fn")}
            if types & {"conflict", "coi-statement", "financial-disclosure", "con", "supported-by"}:
                return "acknowledgements"
        kind = classify_sec_type(el.get("sec-type")) or classify_heading(heading)
        return kind if kind in {"acknowledgements", "references"} else "other"
