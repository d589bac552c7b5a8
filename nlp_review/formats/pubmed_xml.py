"""PubMed XML (``<PubmedArticleSet>``, from PubMed's "Save as XML" or E-utilities efetch)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from nlp_review.formats.fields import OnRecord, ParsedFile, first, pages, unique
from nlp_review.formats.xmlsafe import iter_elements, text_of
from nlp_review.records import Record

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _authors(article: Element | None) -> list[str]:
    names: list[str] = []
    if article is None:
        return names
    for author in article.findall("./AuthorList/Author"):
        last = text_of(author.find("LastName"))
        fore = text_of(author.find("ForeName")) or text_of(author.find("Initials"))
        collective = text_of(author.find("CollectiveName"))
        if last:
            names.append(f"{last}, {fore}" if fore else last)
        elif collective:
            names.append(collective)
    return unique(names)


def _abstract(article: Element | None) -> str | None:
    if article is None:
        return None
    parts = []
    for node in article.findall("./Abstract/AbstractText"):
        text = text_of(node)
        if not text:
            continue
        label = node.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _year(article: Element | None, citation: Element) -> str | None:
    candidates = []
    if article is not None:
        date = article.find("./Journal/JournalIssue/PubDate")
        if date is not None:
            candidates += [text_of(date.find("Year")), text_of(date.find("MedlineDate"))]
        candidates.append(text_of(article.find("./ArticleDate/Year")))
    candidates.append(text_of(citation.find("./DateCompleted/Year")))
    return first(*candidates)


def _doi(node: Element) -> str | None:
    for location in node.iter("ELocationID"):
        if location.get("EIdType") == "doi":
            return text_of(location)
    for article_id in node.iter("ArticleId"):
        if article_id.get("IdType") == "doi":
            return text_of(article_id)
    return None


def pubmed_article_to_record(node: Element, position: int) -> Record:
    """One ``<PubmedArticle>`` (or ``<PubmedBookArticle>``) as a canonical Record."""
    citation = node.find("MedlineCitation")
    if citation is None:
        citation = node.find("BookDocument")
    if citation is None:
        citation = node
    article = citation.find("Article")
    if article is None and citation.tag == "BookDocument":
        article = citation
    journal = article.find("Journal") if article is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    pmid = text_of(citation.find("PMID"))
    keywords = [text_of(k) for k in citation.iter("Keyword")]
    keywords += [text_of(d) for d in citation.findall("./MeshHeadingList/MeshHeading/"
                                                      "DescriptorName")]
    return Record(
        title=first(text_of(article.find("ArticleTitle")) if article is not None else None,
                    text_of(citation.find("./Book/BookTitle")),
                    text_of(article.find("VernacularTitle")) if article is not None else None),
        abstract=_abstract(article),
        authors=_authors(article),
        year=_year(article, citation),
        journal=first(text_of(journal.find("Title")) if journal is not None else None,
                      text_of(journal.find("ISOAbbreviation")) if journal is not None else None),
        volume=text_of(issue.find("Volume")) if issue is not None else None,
        issue=text_of(issue.find("Issue")) if issue is not None else None,
        pages=pages(text_of(article.find("./Pagination/MedlinePgn"))
                    if article is not None else None),
        doi=_doi(node),
        pmid=pmid,
        keywords=unique(keywords),
        type=first(*[text_of(t) for t in citation.iter("PublicationType")]),
        language=first(*[text_of(t) for t in citation.iter("Language")]),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        source_id=pmid or str(position),
    )


def parse_pubmed_xml(text: str, name: str, on_record: OnRecord | None = None) -> ParsedFile:
    """Every article of a PubMed XML file as a ``Record`` (streamed: flat memory)."""
    result = ParsedFile("pubmed-xml")
    for position, node in iter_elements(text, ("PubmedArticle", "PubmedBookArticle"), name):
        result.records.append(pubmed_article_to_record(node, position))
        if on_record:
            on_record(position)
    return result
