"""Streaming XML without resolving entities: ``defusedxml`` refuses entity declarations
(external ones included) and never fetches a DTD, so a hostile export cannot read local files
or reach the network."""

from __future__ import annotations

import io
import re
from typing import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from nlp_review.errors import InputError

_ENCODING_DECL = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*['\"][^'\"]*['\"]")


def root_tag(text: str) -> str | None:
    """The name of the first element (after the prolog, doctype and comments)."""
    head = re.sub(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", "", text[:20000],
                  flags=re.DOTALL)
    match = re.search(r"<([A-Za-z_][\w.:-]*)", head)
    return match.group(1) if match else None


def iter_elements(text: str, tags: tuple[str, ...], name: str) -> Iterator[tuple[int, Element]]:
    """Each complete element named in ``tags`` as (1-based index, element), freed once consumed.

    The text was already decoded, so the XML declaration's encoding is dropped and the parser
    reads UTF-8. Entity declarations are refused with an InputError naming the line."""
    body = _ENCODING_DECL.sub(r"\1", text, count=1).encode("utf-8")
    index = 0
    stack: list[Element] = []
    try:
        for event, element in SafeET.iterparse(io.BytesIO(body), events=("start", "end"),
                                               forbid_dtd=False, forbid_entities=True,
                                               forbid_external=True):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            if element.tag in tags:
                index += 1
                yield index, element
                element.clear()
                if stack:
                    stack[-1].remove(element)  # keep memory flat on large files
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden,
            defusedxml.DTDForbidden, defusedxml.NotSupportedError) as exc:
        line = _line_of(text, "<!ENTITY") or _line_of(text, "<!DOCTYPE")
        raise InputError(
            f"the XML declares an entity ({exc.__class__.__name__}: "
            f"{getattr(exc, 'name', '') or ''}); entities are refused because they can read "
            f"local files or the network", file=name, line=line,
            hint="remove the <!ENTITY ...> declarations (a real export has none) and import "
                 "again") from None
    except ParseError as exc:
        line, column = exc.position
        raise InputError(f"the XML is not well formed ({_reason(exc)}, column {column})",
                         file=name, line=line,
                         hint="the file may be truncated or damaged: export it again") from None


def _reason(exc: ParseError) -> str:
    return str(exc).split(":")[0]


def _line_of(text: str, needle: str) -> int | None:
    offset = text.find(needle)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else None


def text_of(element: Element | None) -> str | None:
    """All text inside an element (inline markup such as <i> or <style> flattened)."""
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None
