"""EndNote XML (``<xml><records><record>``; values wrapped in ``<style>`` elements)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from nlp_review.formats.fields import OnRecord, ParsedFile, first, pages, pmid_from_urls, unique
from nlp_review.formats.xmlsafe import iter_elements, text_of
from nlp_review.records import Record


def _all(node: Element, path: str) -> list[str]:
    return [t for t in (text_of(e) for e in node.findall(path)) if t]


def _pmid(node: Element, urls: list[str]) -> str | None:
    accession = text_of(node.find("accession-num"))
    database = " ".join(_all(node, "remote-database-name") + _all(node, "remote-database-provider"))
    if accession and accession.isdigit() and (
            len(accession) <= 8 or any(k in database.lower() for k in ("pubmed", "medline",
                                                                      "nlm"))):
        return accession
    return pmid_from_urls(urls)


def _keywords(node: Element) -> list[str]:
    words: list[str] = []
    for element in node.findall("./keywords/keyword"):
        raw = "".join(element.itertext())
        # EndNote sometimes stores all keywords of a record in one element, one per line.
        words += [w for w in raw.replace("\r", "\n").split("\n")]
    return unique(words)


def endnote_record_to_record(node: Element, position: int) -> Record:
    """One EndNote ``<record>`` as a canonical Record."""
    urls = _all(node, "./urls/related-urls/url") + _all(node, "./urls/web-urls/url")
    ref_type = node.find("ref-type")
    doi = text_of(node.find("electronic-resource-num"))
    if not doi:
        doi = next((u for u in urls if "doi.org/" in u), None)
    return Record(
        title=first(text_of(node.find("./titles/title")),
                    text_of(node.find("./titles/short-title"))),
        abstract=text_of(node.find("abstract")),
        authors=unique(_all(node, "./contributors/authors/author")),
        year=first(text_of(node.find("./dates/year")),
                   text_of(node.find("./dates/pub-dates/date"))),
        journal=first(text_of(node.find("./periodical/full-title")),
                      text_of(node.find("./titles/secondary-title")),
                      text_of(node.find("./periodical/abbr-1")),
                      text_of(node.find("./alt-periodical/full-title"))),
        volume=text_of(node.find("volume")),
        issue=text_of(node.find("number")),
        pages=pages(text_of(node.find("pages"))),
        doi=doi,
        pmid=_pmid(node, urls),
        keywords=_keywords(node),
        type=ref_type.get("name") if ref_type is not None else None,
        language=text_of(node.find("language")),
        url=urls[0] if urls else None,
        source_id=text_of(node.find("rec-number")) or str(position),
    )


def parse_endnote_xml(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every record of an EndNote XML library export as a ``Record`` (streamed)."""
    result = ParsedFile("endnote-xml")
    for position, node in iter_elements(text, ("record",), name):
        result.records.append(endnote_record_to_record(node, position))
        if on_record:
            on_record(position)
    return result
