from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from nlp_review.errors import InputError
from nlp_review.fulltext.compare import body_text, similarity
from nlp_review.fulltext.jats import read_jats
from nlp_review.fulltext.model import FullText
from nlp_review.fulltext.pdf import read_pdf
from nlp_review.fulltext.quality import garbled_reason

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"

CERMINE = FULLTEXT / "pdf" / "cermine"
EDGE = FULLTEXT / "pdf_edge" / "pdfminer"
BODY = ("introduction", "methods", "results", "discussion", "conclusion")


@lru_cache(maxsize=None)
def pdf(name: str) -> FullText:
    return read_pdf((CERMINE / name).read_bytes(), name=name)


def test_two_column_text_matches_the_reference_extraction():
    # CERMINE's expected JATS for test2.pdf (a two-column Hindawi article).
    reference = read_jats((CERMINE / "test2.cermine-expected-content.xml").read_bytes())
    ours = pdf("test2.pdf")
    score = similarity(body_text(ours, BODY), body_text(reference, BODY + ("other",)))
    assert score >= 95


def test_reading_order_follows_columns():
    text = pdf("test2.pdf").body_text()
    anchors = ["The combined effects of an ageing population",
               "Heart failure presents a diagnostic and management challenge",
               "Heart failure places significant burden on primary and secondary care",
               "Structured cardiac rehabilitation plays an essential role",
               "Neglected in the literature around the subject of heart failure",
               "While much quantitative research seeks to draw conclusions"]
    positions = [text.find(a) for a in anchors]
    assert -1 not in positions
    assert positions == sorted(positions)


@pytest.mark.parametrize("name,header", [
    ("test2.pdf", "Rehabilitation Research and Practice"),
    ("example2.pdf", "Agyeman-Duah et al. BMC Health Services Research"),
    ("example1.pdf", "A. Sundström et al."),
    ("test6.pdf", "Webb et al. (2017), PeerJ Comput. Sci."),
])
def test_running_headers_and_page_numbers_are_removed(name, header):
    text = pdf(name)
    paragraphs = [p.text for s in text.sections for p in s.paragraphs]
    assert not [p for p in paragraphs if p.startswith(header) or p.endswith(header)]
    assert not [p for p in paragraphs if re.fullmatch(r"\W*\d{1,3}\W*", p)]


@pytest.mark.parametrize("name", ["test2.pdf", "example1.pdf", "example3.pdf"])
def test_ligatures_are_normalised(name):
    text = pdf(name)
    assert not re.search("[\ufb00-\ufb06]", text.body_text())
    assert "fi" in text.body_text()


def test_line_break_hyphens_are_joined_and_real_hyphens_kept():
    text = pdf("test2.pdf").body_text()
    # In the PDF these words are split at line ends ("pro-\ngrammes", "self-\nmanagement").
    assert "rehabilitation programmes. They felt" in text
    assert "self-management" in text
    assert not re.search(r"[a-z]- [a-z]", text)
    text3 = pdf("example3.pdf").body_text()
    assert "N-domain" in text3 and "Ndomain" not in text3


@pytest.mark.parametrize("name,kinds", [
    ("example1.pdf", ["abstract", "introduction", "methods", "results", "discussion",
                      "references"]),
    ("example2.pdf", ["abstract", "introduction", "methods", "results", "discussion",
                      "conclusion", "references"]),
    ("test2.pdf", ["introduction", "methods", "results", "discussion", "references"]),
    ("test6.pdf", ["abstract", "introduction", "methods", "results", "discussion",
                   "conclusion", "references"]),
])
def test_sections_from_headings(name, kinds):
    found = pdf(name).section_kinds()
    assert [k for k in found if k in kinds] == kinds


@pytest.mark.parametrize("name,title,doi", [
    ("example1.pdf", "Stressful life events are not associated with the development of "
                     "dementia", "10.1017/s1041610213001804"),
    ("test2.pdf", "Patient Experiences of Structured Heart Failure Programmes",
     "10.1155/2010/157939"),
    ("test1.pdf", "Complications related to deep venous thrombosis prophylaxis in trauma: a "
                  "systematic review of the literature", "10.1186/1752-2897-4-1"),
    ("test6.pdf", "VESPA: Very large-scale Evolutionary and Selective Pressure Analyses",
     "10.7717/peerj-cs.118"),
    ("example2.pdf", "Understanding the barriers to setting up a healthcare quality "
                     "improvement process in resource-limited settings", None),
])
def test_title_and_doi(name, title, doi):
    text = pdf(name)
    assert text.title.startswith(title)
    assert text.doi == doi


def test_pages_are_kept_per_paragraph():
    text = pdf("test6.pdf")
    assert text.pages == 16
    pages = [p.page for s in text.sections for p in s.paragraphs]
    assert min(pages) == 1 and max(pages) == 16
    refs = text.paragraphs("references")
    assert refs and all(p.page >= 12 for p in refs)
    tables = [f for f in text.floats if f.kind == "table"]
    assert tables and tables[0].label == "Table 1" and tables[0].page == 3


@pytest.mark.parametrize("name,password,content", [
    ("aes-128.pdf", "foo", "Secret!"), ("rc4-40.pdf", "foo", "Secret!"),
    ("aes-256-r6.pdf", "usersecret", "Hello World")])
def test_encrypted_pdfs_need_their_password(name, password, content):
    data = (EDGE / name).read_bytes()
    with pytest.raises(InputError, match="needs a password") as err:
        read_pdf(data, name=name)
    assert "--password" in err.value.hint and name in err.value.message
    with pytest.raises(InputError, match="password given is wrong"):
        read_pdf(data, name=name, password="nope")
    assert read_pdf(data, name=name, password=password).body_text() == content


def test_image_only_pdf_is_reported_as_needing_ocr():
    with pytest.raises(InputError, match="no text layer") as err:
        read_pdf((EDGE / "pdf-with-jbig2.pdf").read_bytes(), name="pdf-with-jbig2.pdf")
    assert "OCR" in err.value.hint


def test_damaged_pdf_is_recovered():
    text = read_pdf((EDGE / "zen_of_python_corrupted.pdf").read_bytes())
    assert "Beautiful is better than ugly." in text.body_text()


def test_not_a_pdf_is_reported():
    with pytest.raises(InputError, match="damaged or not a PDF"):
        read_pdf(b"%PDF-1.4\nthis is not really a pdf", name="fake.pdf")


def test_vertical_and_non_unicode_fonts():
    assert "Vertical" in read_pdf((EDGE / "issue-449-vertical.pdf").read_bytes()).body_text()
    text = read_pdf((EDGE / "issue-791-non-unicode-cmap.pdf").read_bytes()).body_text()
    assert "Peněžní prostředky" in text


def test_garbled_text_is_detected():
    prose = pdf("test2.pdf").body_text()
    assert garbled_reason(prose) is None
    # The same text through a font without a Unicode map: every letter shifted.
    shifted = "".join(chr(ord(c) - 29) if c.isalpha() else c for c in prose[:5000])
    assert "common words" in garbled_reason(shifted)


def test_abstract_without_a_heading_is_found():
    # Hindawi prints the abstract under the authors with no "Abstract" heading.
    (abstract,) = pdf("test2.pdf").paragraphs("abstract")
    assert abstract.text.startswith("Objectives. Patient experiences of structured heart")
    assert abstract.page == 1


def test_truncated_download_is_reported_as_damaged():
    data = (CERMINE / "test2.pdf").read_bytes()
    with pytest.raises(InputError, match="damaged or not a PDF") as err:
        read_pdf(data[: len(data) // 2], name="half.pdf")
    assert "re-download" in err.value.hint


def test_paragraphs_running_on_to_the_next_page_record_where():
    text = pdf("example1.pdf")
    (para,) = [p for p in text.paragraphs("introduction") if p.page_breaks]
    (offset, page), = para.page_breaks
    assert para.page == 1 and page == 2
    assert para.text[offset:].startswith("animal models increased cortisol levels")
    assert para.page_at(0) == 1 and para.page_at(offset) == 2
