"""Bytes to text: refuse binary files, honour byte-order marks, fall back to Latin-1 with a
warning that names the first line that was not UTF-8."""

from __future__ import annotations

import re

from nlp_review.errors import InputError

#: Magic numbers of binary files people upload by mistake, and what to call them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (an Office document other than .xlsx, or a damaged or "
                     "truncated .xlsx workbook)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.xls/.doc)"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"{\\rtf", "an RTF document"),
)

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def sniff_binary(data: bytes) -> str | None:
    """What kind of binary file ``data`` is (e.g. "a PDF document"), or None if it may be text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        return None
    if b"\x00" in head:
        return "a binary file"
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.05:
        return "a binary file"
    return None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII-heavy text is NUL."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) > 0.4 * len(odd) and even.count(0) == 0) or (
        even.count(0) > 0.4 * len(even) and odd.count(0) == 0)


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset`` (CRLF, CR and LF all end a line)."""
    return len(_LINE_BREAK.findall(data, 0, offset)) + 1


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode an export to text and return ``(text, warnings)``.

    UTF-8 with or without BOM and UTF-16 with BOM (EndNote on Windows) or without are read as
    such; a file that is not valid UTF-8 is read line by line, UTF-8 where it can be and
    Windows-1252/Latin-1 where it cannot, with a warning naming the first such line."""
    if not data.strip():
        raise InputError("the file is empty", file=name,
                         hint="export the search results again; the file has no content")
    binary = sniff_binary(data)
    if binary:
        raise InputError(f"this is {binary}, not a bibliographic export", file=name,
                         hint="export the search results as RIS, PubMed/MEDLINE, XML, BibTeX, "
                              "CSV, TSV or XLSX and import that file")
    if data.startswith(b"\xef\xbb\xbf"):
        return _utf8(data[3:], name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(data, "utf-16", name), []
    if _looks_utf16(data[:8192]):
        encoding = "utf-16-le" if data[1] == 0 else "utf-16-be"
        return _utf16(data, encoding, name), []
    return _utf8(data, name)


def _utf16(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"the file starts as UTF-16 but is not valid UTF-16 ({exc.reason} at "
                         f"byte {exc.start})", file=name,
                         hint="the file may be damaged; export it again") from None


def _utf8(data: bytes, name: str) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    lines = data.splitlines(keepends=True)
    out: list[str] = []
    n_bad = 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(_cp1252(line))
            n_bad += 1
    bad_line = line_of(data, first_bad)
    others = f" (and {n_bad - 1} other line(s)) are" if n_bad > 1 else " is"
    if _has_utf8_multibyte(data):
        warning = (f"mixed encodings: the file is UTF-8 but line {bad_line}{others} "
                   f"not; read those lines as Windows-1252/Latin-1. Check the accented "
                   f"characters there, or re-export the file as UTF-8.")
    else:
        warning = (f"the file is not UTF-8 (first non-UTF-8 byte on line {bad_line}); "
                   f"read it as Windows-1252/Latin-1. Check the accented characters, or "
                   f"re-export the file as UTF-8.")
    return "".join(out), [warning]


def _cp1252(line: bytes) -> str:
    """Windows-1252 (what Windows exports mean by "ANSI"); Latin-1 if a byte is not in it."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _has_utf8_multibyte(data: bytes) -> bool:
    return re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data) is not None
