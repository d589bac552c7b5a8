"""PDF to a ``FullText`` with pdfminer.six (MIT); page layout in ``pdf_layout``.

- Reading order: text boxes are put into columns per page; boxes spanning the page middle
  (titles, wide tables, single-column text) cut the page into bands, and each band is read
  left column then right column.
- Running headers / footers and page numbers: lines near the top or bottom of the page
  whose text (digits ignored) repeats on other pages, and bare page numbers, are dropped.
- Line-break hyphens are resolved by ``hyphens.Dehyphenator``; ligatures by NFKC.
- Each paragraph keeps the page it starts on, for citing.

Problems a user can act on (wrong password, no text layer, garbled fonts, a damaged file)
raise ``InputError`` with a hint."""

from __future__ import annotations

import re
import statistics
from collections import Counter

from nlp_review.errors import InputError
from nlp_review.fulltext.hyphens import Dehyphenator
from nlp_review.fulltext.model import Float, FullText, Paragraph, Section
from nlp_review.fulltext.pdf_layout import (Box, Line, drop_running_lines, layout_pages,
                                            reading_order)
from nlp_review.fulltext.quality import garbled_reason
from nlp_review.fulltext.sections import classify_heading, is_exact_heading
from nlp_review.fulltext.textutil import clean, find_dois, find_pmid, notice_kind

_CAPTION = re.compile(r"^(?:Table|Fig\.?|Figure|Supplementary (?:Table|Figure))\s*S?\d+[a-z]?\b"
                      r"\s*[.:|\-–—]?", re.I)
_LABEL_ONLY = re.compile(r"^\W*\[?\d{1,3}[.\])]?\W*$")
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+[A-Z]")
_FOOTNOTE = re.compile(r"(©|copyright|correspondence|e-?mail|licen[cs]e|received|accepted|"
                       r"published|affiliation|\bdoi\b|\*)", re.I)
_ARTICLE_LABEL = re.compile(r"^(?:research|original|review|clinical|brief)?\s*(?:article|"
                            r"paper|report|communication|study)\s+", re.I)
_SENTENCE_END = re.compile(r"[.?!:;]['\")\]]?$")
_BAD_TITLE = re.compile(r"(?:\.docx?|\.pdf|\.tex|\.indd|^untitled|^microsoft|^title$|^doi:"
                        r"|^\d+\s*\.\.\s*\d+$)", re.I)


def read_pdf(data: bytes, *, name: str = "<bytes>", password: str = "") -> FullText:
    """Extract a PDF's text. Raises InputError for encrypted (wrong or no password), damaged,
    image-only (scanned) and garbled (no Unicode map) files."""
    pages, info, damage = layout_pages(data, name=name, password=password)
    n_pages = len(pages)
    boxes = [b for page in pages for b in page[2]]
    n_chars = sum(len(l.text) for b in boxes for l in b.lines)
    if n_chars == 0:
        n_images = sum(page[3] for page in pages)
        raise InputError(
            f"no text layer on any of its {n_pages} page(s)"
            + (f" ({n_images} image(s): a scan?)" if n_images else ""),
            file=name, hint="run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and add the result")
    sample = " ".join(l.text for b in boxes for l in b.lines)
    reason = garbled_reason(sample)
    if reason:
        raise InputError(f"the text layer is unreadable: {reason}", file=name,
                         hint="the PDF's fonts lack a Unicode map; OCR the file "
                              "(e.g. `ocrmypdf --force-ocr`) or get the publisher's HTML/XML")
    drop_running_lines(pages)
    ordered: list[Box] = []
    for width, height, page_boxes, _ in pages:
        ordered.extend(reading_order(page_boxes, width))
    ordered = [b for b in ordered if b.lines]
    heights = {i: page[1] for i, page in enumerate(pages, 1)}
    text = _assemble(ordered, info, n_pages, heights)
    text.warnings.extend(damage)
    text.warnings.extend(
        f"page {i} has no text layer" for i, page in enumerate(pages, 1)
        if not page[2] and n_pages > 1)
    return text


# -- paragraphs, headings, sections ----------------------------------------------------------
def _assemble(boxes: list[Box], info: dict[str, str], n_pages: int,
              heights: dict[int, float]) -> FullText:
    dehyphen = Dehyphenator([l.text for b in boxes for l in b.lines])
    body_size = _body_font_size(boxes)
    title, title_lines = _title(boxes, info, body_size)
    first_page = " ".join(l.text for b in boxes if b.page == 1 for l in b.lines)
    meta_text = " ".join(info.values())
    dois = find_dois(info.get("doi", "") + " " + meta_text) + find_dois(first_page)
    dois = list(dict.fromkeys(dois))
    pmid = find_pmid(first_page)

    sections: list[Section] = []
    if title:
        sections.append(Section("title", None, [Paragraph(title, 1)]))
    current = Section("other", None)
    sections.append(current)
    floats: list[Float] = []
    caption: Float | None = None
    notes = Section("other", "Notes")
    for box in boxes:
        if title_lines:
            box.lines = [l for l in box.lines if id(l) not in title_lines]
            if not box.lines:
                continue
        if _is_footnote(box, body_size, heights.get(box.page, 0.0)):
            notes.paragraphs.append(Paragraph(_join_lines([l.text for l in box.lines],
                                                          dehyphen), box.page))
            continue
        for lines, heading in _split_at_headings(box.lines, body_size, current.kind):
            if heading is not None:
                kind, text = heading
                current = Section(kind or current.kind, text)
                sections.append(current)
                caption = None
            if not lines:
                continue
            text = _join_lines([l.text for l in lines], dehyphen)
            if _LABEL_ONLY.match(text):
                continue  # a reference number or list label set apart from its text
            match = _CAPTION.match(text)
            if match:
                kind_of_float = "table" if text.lower().startswith(("table", "supplementary t")) \
                    else "figure"
                caption = Float(kind_of_float, match.group(0).strip(" .:|-–—"), text,
                                page=box.page)
                floats.append(caption)
                continue
            if caption is not None and caption.page == box.page and not _SENTENCE_END.search(
                    caption.caption) and text[:1].islower():
                caption.caption = _join_lines([caption.caption, text], dehyphen)
                continue
            caption = None
            paragraphs = current.paragraphs
            previous = paragraphs[-1] if paragraphs else None
            if previous is not None and not _SENTENCE_END.search(previous.text) and \
                    text[:1].islower():
                joined = _join_lines([previous.text, text], dehyphen)
                if box.page != previous.page_at(len(previous.text)):
                    previous.page_breaks.append((max(0, len(joined) - len(text)), box.page))
                previous.text = joined
            else:
                paragraphs.append(Paragraph(text, box.page))
    sections.append(notes)
    _find_unheaded_abstract(sections)
    prose_pages = {p.page for sec in sections for p in sec.paragraphs if not _fragment(p.text)}
    for section in sections:
        _move_table_residue(section, floats, prose_pages)
    # Text before any heading on page 1 (authors, affiliations) is front matter ("other");
    # if a heading-less article follows, it stays "other" too.
    result = FullText(format="pdf", title=title or None, doi=dois[0] if dois else None,
                      pmid=pmid, sections=[s for s in sections if s.paragraphs],
                      floats=floats, pages=n_pages, other_dois=dois[1:])
    result.notice = notice_kind(title) or _notice_from_text(first_page, n_pages)
    return result


def _find_unheaded_abstract(sections: list[Section]) -> None:
    """Some publishers print the abstract without an "Abstract" heading: take the long
    paragraphs of the page-1 front matter (not the licence or correspondence) as it."""
    if any(s.kind == "abstract" for s in sections):
        return
    front = next((s for s in sections if s.kind == "other" and s.heading is None), None)
    if front is None or sections.index(front) > 2:
        return
    long = [p for p in front.paragraphs if p.page == 1 and len(p.text.split()) >= 60
            and not _FOOTNOTE.search(p.text[:200]) and "licen" not in p.text.lower()]
    if not long:
        return
    front.paragraphs = [p for p in front.paragraphs if p not in long]
    sections.insert(sections.index(front) + 1, Section("abstract", None, long))


def _fragment(text: str) -> str | None:
    """'strong' for a table row or header (mostly numbers, letter-spaced as in
    "P A R T I C I P A N T S", or a dot leader), 'weak' for a short unpunctuated line that
    may be a table cell, None for prose."""
    words = text.split()
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    if letters < 0.4 * (letters + digits) or re.search(r"\.{8,}|(?:\. ){8,}", text) or \
            sum(len(w) == 1 for w in words) > 0.6 * len(words):
        return "strong"
    if len(words) <= 6 and not _SENTENCE_END.search(text):
        return "weak"
    return None


def _move_table_residue(section: Section, floats: list[Float], prose_pages: set) -> None:
    """Table rows that escaped their table, and runs of 3+ short fragments on one page
    ("Item", "Yes (%)"), are moved out of the running text into the page's last table (or a
    table of their own). Pages without any prose are left alone."""
    if section.kind in {"title", "references"}:
        return
    paragraphs = section.paragraphs
    keep: list[Paragraph] = []
    i = 0
    while i < len(paragraphs):
        j = i
        while j < len(paragraphs) and paragraphs[j].page == paragraphs[i].page and \
                _fragment(paragraphs[j].text):
            j += 1
        run = paragraphs[i:j]
        if run and paragraphs[i].page in prose_pages and (
                len(run) >= 3 or all(_fragment(p.text) == "strong" for p in run)):
            cells = "\n".join(p.text for p in run)
            page = paragraphs[i].page
            target = next((f for f in reversed(floats) if f.kind == "table" and f.page == page),
                          None)
            if target is None:
                floats.append(Float("table", None, "", cells, page=page))
            else:
                target.content = f"{target.content}\n{cells}".strip()
            i = j
        else:
            keep.extend(run or paragraphs[i:i + 1])
            i = max(j, i + 1)
    section.paragraphs = keep


def _split_at_headings(lines: list[Line], body_size: float, current: str):
    """Cut a box's lines at headings: yields (lines, (kind, heading) or None). A heading is a
    short line set apart (alone, bold, larger, capitals, or numbered) that names a known
    section; a numbered or bold unknown heading ("4. Experience of Programmes") starts a
    sub-section of the current kind (kind None)."""
    chunk: list[Line] = []
    heading = None
    for i, line in enumerate(lines):
        found = _heading_at(lines, i, body_size, current)
        if found is not None:
            if chunk or heading is not None:
                yield chunk, heading
            chunk, heading = [], found
        else:
            chunk.append(line)
    yield chunk, heading


def _heading_at(lines: list[Line], i: int, body_size: float,
                current: str) -> tuple[str | None, str] | None:
    line = lines[i]
    text = line.text.strip()
    words = text.split()
    if not words or len(words) > 10 or text.endswith((",", ";", "-")) or len(text) < 4:
        return None
    if i > 0 and not _SENTENCE_END.search(lines[i - 1].text) and not _is_set_apart(
            lines[i - 1], line):
        return None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    alone = nxt is None and i == 0
    set_apart = alone or (nxt is not None and _is_set_apart(line, nxt)) or \
        line.size > body_size + 0.4 or (line.bold and line.size >= body_size - 0.5)
    kind = classify_heading(text) if len(words) <= 6 else None
    if kind and (set_apart or text.isupper() or (is_exact_heading(text) and (
            i == 0 or _SENTENCE_END.search(lines[i - 1].text)))):
        return kind, text.rstrip(".: ")
    if current == "references" or text.endswith(".") or len(words) > 8 or \
            re.search(r"\b(?:19|20)\d\d\b|:", text):
        return None  # in a reference list, "38. Pittman GR: ..." is a reference
    if _NUMBERED_HEADING.match(text) and (set_apart or alone):
        return None, text
    if alone and line.bold and len(words) >= 2 and text[0].isupper() and \
            not re.search(r"[=<>()\[\]]", text) and text.lower() != "open access":
        return None, text
    return None


def _is_set_apart(line: Line, nxt: Line) -> bool:
    return (line.bold and not nxt.bold) or line.size > nxt.size + 0.4 or \
        (line.text.isupper() and not nxt.text.isupper())


def _is_footnote(box: Box, body_size: float, height: float) -> bool:
    """Small print at the foot of a page (correspondence, licence, affiliations)."""
    sizes = [l.size for l in box.lines]
    return bool(height) and box.y1 < height * 0.3 and statistics.median(sizes) < body_size - 0.9 \
        and bool(_FOOTNOTE.search(" ".join(l.text for l in box.lines[:3])))


def _join_lines(lines: list[str], dehyphen: Dehyphenator) -> str:
    out = ""
    for line in lines:
        line = line.strip()
        if not out:
            out = line
        elif re.search(r"[^\W\d_][-\u2010]$", out):
            out = dehyphen.join(out, line)
        else:
            out = out + " " + line
    return out


def _body_font_size(boxes: list[Box]) -> float:
    """The commonest type size over the first half of the pages (the back half may be mostly
    small-print references)."""
    sizes: Counter[float] = Counter()
    last = max((b.page for b in boxes), default=1)
    for b in boxes:
        if b.page > max(1, (last + 1) // 2):
            continue
        for l in b.lines:
            sizes[l.size] += len(l.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _title(boxes: list[Box], info: dict[str, str], body_size: float) -> tuple[str, set[int]]:
    """The title: the largest-type lines in the top part of page 1 (at least 3 words), else
    the PDF's Title metadata when it looks like a real title."""
    first = [b for b in boxes if b.page == 1]
    candidates = [(l, b) for b in first for l in b.lines
                  if len(re.findall(r"[^\W\d_]{2,}", l.text)) >= 1 and l.size > body_size]
    if candidates:
        biggest = max(l.size for l, _ in candidates)
        lines = [(l, b) for l, b in candidates if abs(l.size - biggest) < 0.3]
        # Keep the first run of such lines (a title may wrap over 2-4 lines).
        top = max(lines, key=lambda lb: lb[0].y1)
        run = [lb for lb in lines if lb[1] is top[1] or abs(lb[0].y1 - top[0].y1) < biggest * 6]
        run.sort(key=lambda lb: -lb[0].y1)
        text = clean(" ".join(l.text for l, _ in run))
        text = _ARTICLE_LABEL.sub("", text)  # "Research Article Patient Experiences ..."
        if len(text.split()) >= 3 and not _BAD_TITLE.search(text):
            return text, {id(l) for l, _ in run}
    meta = clean(info.get("Title", ""))
    if len(meta.split()) >= 3 and not _BAD_TITLE.search(meta):
        return meta, set()
    return "", set()


def _notice_from_text(first_page: str, n_pages: int) -> str | None:
    if n_pages > 2:
        return None
    head = first_page[:600].lower()
    if re.search(r"\b(this article has been retracted|notice of retraction|retraction notice)", head):
        return "retraction"
    if re.search(r"\b(erratum|corrigendum)\b", head[:200]):
        return "erratum"
    return None
