"""Which export format a file is, from its content alone (never its name: a PubMed ``.txt``
is MEDLINE, an EndNote ``.txt`` may be RIS, a ``.csv`` may be tab-separated)."""

from __future__ import annotations

import csv
import re

from nlp_review.errors import InputError
from nlp_review.formats.bibtex import looks_like_bibtex
from nlp_review.formats.medline import looks_like_medline
from nlp_review.formats.ris import looks_like_ris
from nlp_review.formats.tabular import known_columns, sniff_delimiter
from nlp_review.formats.wos import looks_like_wos
from nlp_review.formats.xmlsafe import root_tag

#: Every format ``parse`` reads, with what it is, for messages and ``--help``.
FORMATS: dict[str, str] = {
    "ris": "RIS (EndNote, Zotero, Mendeley, Scopus, Web of Science, Ovid, EBSCO, Lens, PubMed)",
    "pubmed-nbib": "PubMed MEDLINE text (.nbib / .txt, 'PMID- ' lines)",
    "pubmed-xml": "PubMed XML (<PubmedArticleSet>)",
    "endnote-xml": "EndNote XML (<xml><records><record>)",
    "bibtex": "BibTeX (@article{...})",
    "csv": "CSV with a title column (Scopus, Web of Science, Ovid, ASReview, Zotero)",
    "tsv": "tab-separated text with a title column (Web of Science, EndNote)",
    "xlsx": "Excel workbook (.xlsx), first sheet, with a title column",
    "wos": "Web of Science plain text ('FN ... Web of Science', 'PT J' ... 'ER')",
}


def supported() -> str:
    """The supported formats as one line for error hints."""
    return "; ".join(FORMATS.values())


def detect_text_format(text: str, name: str) -> str:
    """The format name of a decoded export, or an InputError listing the supported ones."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        root = root_tag(head)
        if root in ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"):
            return "pubmed-xml"
        if root == "xml" and re.search(r"<records\b", head[:5000]):
            return "endnote-xml"
        raise InputError(f"an XML file with root element <{root}> is not a supported export",
                         file=name, hint=f"supported formats: {supported()}")
    if looks_like_medline(head):
        return "pubmed-nbib"
    if looks_like_ris(head):
        return "ris"
    if looks_like_wos(head):
        return "wos"
    delimiter = sniff_delimiter(head)
    if delimiter is not None:
        header = next(csv.reader([head.split("\n", 1)[0].rstrip("\r")], delimiter=delimiter))
        if known_columns(header):
            return "tsv" if delimiter == "\t" else "csv"
    if looks_like_bibtex(head):
        return "bibtex"
    first_line = head.split("\n", 1)[0].strip()[:60]
    raise InputError(f"unknown format: the content does not look like any supported export "
                     f"(it starts with {first_line!r})", file=name, line=1,
                     hint=f"supported formats: {supported()}. A table needs a header line "
                          f"naming its columns (title, abstract, authors, year, doi, ...)")
