from __future__ import annotations

import json

import pytest

from nlp_review.errors import InputError, InputErrors
from nlp_review.fulltext.hyphens import Dehyphenator
from nlp_review.fulltext.readers import read_fulltext, sniff_format
from nlp_review.fulltext.sections import classify_heading, load_vocabulary
from nlp_review.fulltext.textutil import clean, notice_kind

HTML = b"""<!doctype html><html><head><title>Journal site</title>
<meta name="citation_title" content="School-based peer support for young carers: a trial">
<meta name="citation_doi" content="10.1234/abc.5"></head>
<body><nav>Home | Journals</nav><h1>School-based peer support for young carers: a trial</h1>
<h2>Abstract</h2><p>We tested a peer-support <i>programme</i>.</p>
<h2>Methods</h2><p>Pupils aged 11&ndash;16 took part.</p><h3>Participants</h3><p>Young carers.</p>
<table><caption>Table 1. Baseline</caption><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
<h2>Results</h2><p>Support improved wellbeing.</p>
<figure><img src="f.png"><figcaption>Figure 1. Flow of pupils</figcaption></figure>
<h2>References</h2><ol><li>Ref one.</li><li>Ref two.</li></ol>
<script>var tracking = 1;</script><footer>Cookie policy</footer></body></html>"""

TEXT = """Peer mentoring for looked-after children

Abstract
We evaluated a mentoring scheme. doi:10.1111/cfs.12345

1. Introduction
Children in care often lack a trusted adult. Inter-
vention studies are few; school-
based schemes exist.

Methods
We ran a trial.

References
1. Smith J. A paper.
""".encode()


def test_html_sections_floats_and_metadata():
    text = read_fulltext(HTML, name="a.html")
    assert text.format == "html" and text.doi == "10.1234/abc.5"
    assert text.title.startswith("School-based peer support")
    assert [(s.kind, s.heading) for s in text.sections] == [
        ("title", None), ("abstract", "Abstract"), ("methods", "Methods"),
        ("methods", "Participants"), ("results", "Results"), ("references", "References")]
    body = text.body_text()
    assert "tracking" not in body and "Cookie" not in body and "Home" not in body
    assert "Pupils aged 11–16 took part." in body
    assert [(f.kind, f.label) for f in text.floats] == [("table", "Table 1"),
                                                        ("figure", "Figure 1")]
    assert text.floats[0].content == "a\tb\n1\t2"


def test_plain_text_headings_and_hyphens():
    text = read_fulltext(TEXT, name="a.txt")
    assert text.format == "text" and text.title == "Peer mentoring for looked-after children"
    assert text.doi == "10.1111/cfs.12345"
    assert text.section_kinds() == ["title", "abstract", "introduction", "methods", "references"]
    assert text.paragraphs("introduction")[0].text == (
        "Children in care often lack a trusted adult. Intervention studies are few; "
        "school-based schemes exist.")


def test_format_is_sniffed_from_content_not_name(make_text_pdf):
    assert sniff_format(make_text_pdf([["Hello"]])) == "pdf"
    assert sniff_format(HTML) == "html"
    assert sniff_format(b'<?xml version="1.0"?>\n<article><front/></article>') == "jats"
    assert sniff_format(TEXT) == "text"
    assert sniff_format(bytes(range(256))) is None
    assert read_fulltext(make_text_pdf([["Peer support helps."]]), name="x.txt").format == "pdf"


def test_empty_text_and_non_utf8():
    with pytest.raises(InputError, match="empty"):
        read_fulltext(b"\n\n  \n", name="empty.txt")
    assert "naïve" in read_fulltext("A naïve title here\n\nText.".encode("cp1252")).title


@pytest.mark.parametrize("heading,kind", [
    ("Results and Discussion", "results"), ("1. Introduction", "introduction"),
    ("MATERIALS AND METHODS", "methods"), ("2.3 Statistical analysis", "methods"),
    ("Background", "introduction"), ("Conclusions", "conclusion"),
    ("Authors' contributions", "acknowledgements"), ("Competing interests", "acknowledgements"),
    ("Literature Cited", "references"), ("Supporting Information", "other"),
    ("Corollaries", None), ("Modeling the Framework for False Positive Findings", None),
])
def test_heading_classifier(heading, kind):
    assert classify_heading(heading) == kind


def test_heading_vocabulary_is_validated(tmp_path):
    bad = tmp_path / "headings.json"
    bad.write_text(json.dumps({"kinds": {"methodz": {"exact": ["methods"]},
                                         "results": {"exact": [""], "extra": []}},
                               "surprise": 1}))
    with pytest.raises(InputErrors) as err:
        load_vocabulary(bad)
    text = err.value.message
    assert "unknown section kind 'methodz'" in text and "unknown keys" in text
    assert "results" in text


@pytest.mark.parametrize("head,tail,joined", [
    ("the interven-", "tion was", "the intervention was"),
    ("a school-", "based programme", "a school-based programme"),
    ("self-", "esteem rose", "self-esteem rose"),
    ("COVID-", "19 cases", "COVID-19 cases"),
    ("non-", "UK sites", "non-UK sites"),
    ("partici-", "pants", "participants"),
])
def test_line_break_hyphens(head, tail, joined):
    assert Dehyphenator([]).join(head, tail) == joined


def test_document_spelling_decides_hyphens():
    doc = Dehyphenator(["we used a multi-component approach", "the multi-"])
    assert doc.join("a multi-", "component") == "a multi-component"


def test_clean_and_notices():
    assert clean("ef\ufb01cient  \ufb02ow\u00ad") == "efficient flow"
    assert clean("Dahlstr \u0308om") == "Dahlström"
    assert notice_kind("Retraction: Measures of clade confidence") == "retraction"
    assert notice_kind("Correction to: Peer support") == "correction"
    assert notice_kind("Correction of hypoxaemia in children") is None


def test_a_search_export_is_not_read_as_a_full_text():
    """`fulltext add search.csv` stored the review's own export as one 'plain text' article
    (unlinked, or linked to whichever record's DOI came first)."""
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "corpora" / "demo"
    for name in ("eric_export.ris", "psycinfo_export.csv"):
        with pytest.raises(InputError, match="this is a search export") as err:
            read_fulltext((demo / name).read_bytes(), name=name)
        assert "nlp-review import" in err.value.hint
    # Prose that merely starts like a table header is still a full text.
    prose = ("Title, abstract and keywords were screened twice\n\nWe screened 812 records "
             "of peer mentoring trials for children.\n").encode()
    assert read_fulltext(prose, name="notes.txt").format == "text"
