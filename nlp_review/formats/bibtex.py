"""BibTeX (Zotero, Mendeley, JabRef, Google Scholar, Scopus, Web of Science) via
``bibtexparser`` 1.x. Braces are checked first, so a damaged file is reported at the entry
where it goes wrong instead of bibtexparser silently dropping the entries after it."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode

from nlp_review.errors import InputError
from nlp_review.formats.fields import (OnRecord, ParsedFile, clean, first, pages, parse_label,
                                       split_authors, split_keywords)
from nlp_review.records import Record

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(]", re.MULTILINE)
_TOKENS = re.compile(r"[{}]|\n|^[ \t]*@[ \t]*\w+[ \t]*[{(]", re.MULTILINE)
_DOTLESS = re.compile(r"\\([ij])(?![A-Za-z])")
_ACCENT_GROUP = re.compile(r"\{\\[^{}]*\}")
_NON_ENTRIES = {"comment", "string", "preamble"}
_KEY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)


def looks_like_bibtex(text: str) -> bool:
    """An ``@type{`` entry start near the top (comments and blank lines may come first)."""
    return _ENTRY_START.search(text[:20000]) is not None


def check_braces(text: str, name: str) -> list[tuple[int, str, str]]:
    """Verify that every entry's braces balance; return (line, type, key) of each entry.

    Raises an InputError naming the line of the entry whose brace is not closed (or the line
    of a '}' that closes nothing)."""
    entries: list[tuple[int, str, str]] = []
    depth = 0
    line = 1
    entry_line = 0
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token == "\n":
            line += 1
        elif token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise InputError("a '}' closes nothing (unbalanced brace)", file=name,
                                 line=line, hint="remove the extra '}' or add the missing '{'")
        else:
            start_line = line
            if depth > 0 and entries:
                raise InputError(
                    f"unbalanced brace: the entry starting at line {entry_line} is not closed "
                    f"before the next entry starts at line {start_line}", file=name,
                    line=entry_line, hint="add the missing '}' (or remove the extra '{') in "
                                          "that entry and import again")
            key = _KEY.match(text, match.start())
            kind = key.group(1).lower() if key else ""
            entries.append((line, kind, key.group(2).strip() if key else ""))
            entry_line = line
            depth = 1 if token.rstrip().endswith("{") else 0
    if depth > 0:
        raise InputError(f"unbalanced brace: the entry starting at line {entry_line} is never "
                         f"closed (the file may be truncated)", file=name, line=entry_line,
                         hint="add the missing '}' at the end of that entry, or export again")
    return [e for e in entries if e[1] not in _NON_ENTRIES]


def _latex(value: Any) -> str | None:
    text = clean(value)
    if not text:
        return None
    if "\\" in text or "{" in text:
        # dotless i/j under an accent ({\'\i}) are written as plain letters first
        text = _DOTLESS.sub(r"\1", text)
        # one accent group at a time: latex_to_unicode garbles a second "{\'i}" in a string
        text = _ACCENT_GROUP.sub(lambda m: latex_to_unicode(m.group(0)), text)
        if "\\" in text:
            text = latex_to_unicode(text)
        text = unicodedata.normalize("NFC", text)
    return clean(text.replace("{", "").replace("}", ""))


def _authors(value: Any) -> list[str]:
    text = clean(value)
    if not text:
        return []
    return [a for a in (_latex(p) for p in re.split(r"\s+and\s+", text)) if a]


def bibtex_entry_to_record(entry: dict[str, Any], position: int) -> Record:
    """One bibtexparser entry (lower-case field names, ``ID``, ``ENTRYTYPE``) as a Record."""
    get = entry.get
    pmid = get("pmid")
    if not pmid and (get("eprinttype") or "").lower() == "pubmed":
        pmid = get("eprint")
    label = parse_label(first(get("label_included"), get("included")))
    return Record(
        title=_latex(get("title")),
        abstract=_latex(get("abstract")),
        authors=_authors(get("author")) or split_authors(_latex(get("editor"))),
        year=first(get("year"), get("date")),
        journal=_latex(first(get("journal"), get("journaltitle"), get("booktitle"))),
        volume=_latex(get("volume")),
        issue=_latex(first(get("number"), get("issue"))),
        pages=pages(_latex(get("pages"))),
        doi=_latex(get("doi")),
        pmid=pmid,
        keywords=split_keywords(_latex(first(get("keywords"), get("mesh")))),
        type=get("ENTRYTYPE"),
        language=_latex(first(get("language"), get("langid"))),
        url=first(get("url")),
        source_id=first(get("ID")) or str(position),
        label=label if isinstance(label, int) else None,
    )


def parse_bibtex(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every entry of a BibTeX file as a ``Record``."""
    result = ParsedFile("bibtex")
    found = check_braces(text, name)
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False,
                          interpolate_strings=True)
    database = bibtexparser.loads(text, parser=parser)
    entries = database.entries
    if len(entries) < len(found):
        parsed_keys = {e.get("ID") for e in entries}
        missing = next(((line, key) for line, _, key in found if key not in parsed_keys),
                       found[len(entries)][0::2])
        raise InputError(f"the entry {missing[1]!r} could not be read ({len(found)} entries "
                         f"found, {len(entries)} read)", file=name, line=missing[0],
                         hint="check that entry for a missing comma, '=' or quote")
    for position, entry in enumerate(entries, start=1):
        result.records.append(bibtex_entry_to_record(entry, position))
        if on_record:
            on_record(position)
    return result
