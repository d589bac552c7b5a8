"""PDF page layout with pdfminer.six (MIT): text lines with their position, size and weight,
grouped in boxes per page; running headers / footers and page numbers dropped; boxes put in
reading order (columns). ``pdf.read_pdf`` turns the result into a ``FullText``."""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from nlp_review.errors import InputError
from nlp_review.fulltext.textutil import clean

#: Fraction of the page height treated as the header / footer band.
MARGIN_BAND = 0.09
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I)


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool


@dataclass
class Box:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    lines: list[Line] = field(default_factory=list)


# -- layout --------------------------------------------------------------------------------
#: One page: width, height, its text boxes, and how many images / figures it holds.
Page = tuple[float, float, list["Box"], int]


def layout_pages(data: bytes, *, name: str, password: str
                 ) -> tuple[list[Page], dict[str, str], list[str]]:
    """The PDF's pages, its metadata (Info dictionary) and warnings about damage."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import (LAParams, LTChar, LTFigure, LTImage, LTTextBox,
                                 LTTextBoxVertical, LTTextLine, LTTextLineVertical)
    from pdfminer.pdfdocument import (PDFDocument, PDFEncryptionError, PDFPasswordIncorrect)
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser, password=password)
    except PDFPasswordIncorrect as exc:
        raise InputError("the PDF is encrypted and " + (
            "the password given is wrong" if password else "needs a password"), file=name,
            hint="pass the user password with --password") from exc
    except PDFEncryptionError as exc:
        raise InputError(f"unsupported PDF encryption: {exc}", file=name,
                         hint="decrypt it first (e.g. `qpdf --decrypt`)") from exc
    except MemoryError:
        raise
    except Exception as exc:  # PDFSyntaxError, PSEOF, and plain errors from damaged files
        raise InputError(f"damaged or not a PDF: {type(exc).__name__}: {exc}", file=name,
                         hint="re-download the file or repair it (e.g. `qpdf in.pdf out.pdf`)"
                         ) from exc
    info = {}
    for entry in document.info or []:
        for key, value in entry.items():
            info[key] = _decode(value)

    rsrc = PDFResourceManager(caching=True)
    device = PDFPageAggregator(rsrc, laparams=LAParams(boxes_flow=None, detect_vertical=True))
    interpreter = PDFPageInterpreter(rsrc, device)
    pages = []
    warnings: list[str] = []
    try:
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            layout = device.get_result()
            boxes: list[Box] = []
            vertical: list[Box] = []
            n_images = 0
            for item in layout:
                if isinstance(item, (LTFigure, LTImage)):
                    n_images += 1
                if isinstance(item, LTTextLine):
                    item = [item]  # a stray line outside any box: its own box
                    bbox = (item[0].x0, item[0].y0, item[0].x1, item[0].y1)
                elif isinstance(item, LTTextBox):
                    bbox = (item.x0, item.y0, item.x1, item.y1)
                else:
                    continue
                box = Box(len(pages) + 1, *bbox)
                for line in item:
                    if not isinstance(line, LTTextLine):
                        continue
                    text = clean(line.get_text())
                    if not text:
                        continue
                    chars = [c for c in line if isinstance(c, LTChar)]
                    size = statistics.median(c.size for c in chars) if chars else 0.0
                    bold = bool(chars) and sum("bold" in c.fontname.lower() for c in chars) \
                        > len(chars) / 2
                    box.lines.append(Line(text, line.x0, line.y0, line.x1, line.y1,
                                           round(size, 1), bold))
                if box.lines:
                    is_vertical = isinstance(item, LTTextBoxVertical) or isinstance(
                        item, list) and isinstance(item[0], LTTextLineVertical)
                    (vertical if is_vertical else boxes).append(box)
            # Vertical text is read only when the page has (almost) nothing else: otherwise
            # it is a margin stamp ("Downloaded from ...", an arXiv id).
            if sum(len(l.text) for b in boxes for l in b.lines) < 20:
                boxes.extend(vertical)
            pages.append((layout.width, layout.height, boxes, n_images))
    except PDFPasswordIncorrect as exc:
        raise InputError("the PDF is encrypted and needs a password", file=name,
                         hint="pass the user password with --password") from exc
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises many kinds of error on damaged streams
        if not pages:
            raise InputError(f"damaged PDF: {type(exc).__name__}: {exc}", file=name,
                             hint="re-download the file or repair it (e.g. `qpdf`)") from exc
        # Keep what was read; the later pages are lost.
        warnings.append(f"damaged after page {len(pages)}: {type(exc).__name__}; "
                        "the later pages are missing")
    if not pages:
        raise InputError("the PDF has no pages", file=name,
                         hint="re-download the file; it may be damaged")
    return pages, info, warnings


def _decode(value: object) -> str:
    from pdfminer.pdftypes import resolve1
    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        return value.decode("latin-1", "replace")
    return str(value) if value is not None else ""


# -- running headers and footers -------------------------------------------------------------
def drop_running_lines(pages: list[Page]) -> None:
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text.lower()).strip()

    def in_band(line: Line, height: float) -> bool:
        return line.y1 > height * (1 - MARGIN_BAND) or line.y0 < height * MARGIN_BAND

    seen: Counter[str] = Counter()
    for _, height, boxes, _ in pages:
        keys = {key(l.text) for b in boxes for l in b.lines if in_band(l, height)}
        seen.update(keys)
    n = len(pages)
    repeated = {k for k, c in seen.items() if c >= 2 and (n <= 3 or c >= max(2, n // 4))}
    for _, height, boxes, _ in pages:
        for box in boxes:
            box.lines = [l for l in box.lines if not (in_band(l, height) and (
                key(l.text) in repeated or _PAGE_NUMBER.match(l.text)))]
        boxes[:] = [b for b in boxes if b.lines]


# -- reading order ---------------------------------------------------------------------------
def reading_order(boxes: list[Box], width: float) -> list[Box]:
    """Bands cut by boxes spanning the middle; in each band the left column, then the right."""
    mid = width / 2
    slack = width * 0.03
    ordered: list[Box] = []
    left: list[Box] = []
    right: list[Box] = []

    def flush() -> None:
        ordered.extend(sorted(left, key=lambda b: -b.y1))
        ordered.extend(sorted(right, key=lambda b: -b.y1))
        left.clear()
        right.clear()

    for box in sorted(boxes, key=lambda b: (-b.y1, b.x0)):
        if box.x1 <= mid + slack:
            left.append(box)
        elif box.x0 >= mid - slack:
            right.append(box)
        else:
            flush()
            ordered.append(box)
    flush()
    return ordered
