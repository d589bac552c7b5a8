from __future__ import annotations

import zlib
from pathlib import Path

import pytest

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"


@pytest.fixture
def fulltext_dir() -> Path:
    if not FULLTEXT.is_dir():
        pytest.fail(f"shared full texts not found at {FULLTEXT}")
    return FULLTEXT


# -- small real PDFs for edge cases the shared files do not cover ---------------------------


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _stream(content: bytes, compress: bool = False) -> bytes:
    head = b"<< /Length %d%s >>" % (len(content), b" /Filter /FlateDecode" if compress else b"")
    return head + b"\nstream\n" + content + b"\nendstream"


def text_pdf(pages: list[list[str]], size: int = 11) -> bytes:
    """A PDF with one Helvetica line per string, top to bottom, one list per page."""
    n = len(pages)
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    font_ref = 3 + 2 * n
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 %d Tf 72 740 Td %d TL" % (size, size + 3)]
        for line in lines:
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + esc.encode("latin-1") + b") Tj T*")
        ops.append(b"ET")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font_ref))
        objects.append(_stream(b"\n".join(ops)))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf(objects)


def inflating_pdf(megabytes: int) -> bytes:
    """One page whose compressed content stream inflates to ``megabytes`` MB of spaces."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                 _stream(body, compress=True)])


@pytest.fixture
def make_text_pdf():
    """A function building a PDF with one Helvetica line per string, one list per page."""
    return text_pdf


@pytest.fixture
def make_inflating_pdf():
    """A function building a one-page PDF whose content inflates to N MB."""
    return inflating_pdf
