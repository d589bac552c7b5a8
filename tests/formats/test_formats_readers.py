"""Each reader on a small export in its own dialect: the fields a reviewer sees come out right,
and the format is recognised from the content, whatever the file is called."""

from __future__ import annotations

import pytest

from nlp_review.errors import InputError
from nlp_review.formats import detect_format, parse


def test_medline_nbib(parse_fixture):
    parsed = parse_fixture("pubmed_medline.txt")  # a PubMed .txt is MEDLINE, not RIS
    assert parsed.format == "pubmed-nbib" and len(parsed.records) == 2
    first, second = parsed.records
    assert first.title == ("Challenges in the Conceptualisation and Measurement of "
                           "Gambling-Related Harm.")
    assert first.authors == ["Delfabbro, Paul", "King, Daniel L"]  # FAU preferred to AU
    assert (first.year, first.volume, first.issue, first.pages) == (2019, "35", "3", "743-755")
    assert first.doi == "10.1007/s10899-019-09844-1" and first.pmid == "30888575"
    assert first.journal == "Journal of gambling studies"
    assert first.abstract.startswith("This paper examines") and "\n" not in first.abstract
    assert first.abstract.endswith("policy and regulation.")
    assert "Gambling harm" in first.keywords and "Humans" in first.keywords
    assert (first.language, first.type, first.source_id) == ("eng", "Journal Article",
                                                             "30888575")
    # continuation line of the title, DOI only in AID, e-page
    assert second.title == ("Avoiding gambling harm: An evidence-based set of safe gambling "
                            "practices for consumers.")
    assert second.doi == "10.1371/journal.pone.0224083" and second.pages == "e0224083"


def test_pubmed_xml(parse_fixture):
    parsed = parse_fixture("pubmed.xml")
    assert parsed.format == "pubmed-xml"
    first, second = parsed.records
    assert first.authors == ["Browne, Matthew", "Rawat, Vijay", "Gambling Harms Study Group"]
    assert (first.pmid, first.doi, first.year) == ("33919425", "10.3390/ijerph18094395", 2021)
    assert first.journal == "International journal of environmental research and public health"
    assert first.keywords[:2] == ["gambling harm", "measurement"] and "Humans" in first.keywords
    # inline markup in the title, structured abstract, MedlineDate
    assert second.title == "Avoiding gambling harm in regular gamblers: safe gambling practices."
    assert second.abstract.startswith("BACKGROUND: Guidelines") and "METHODS: A sample" in \
        second.abstract
    assert second.year == 2019 and second.doi == "10.1371/journal.pone.0224083"


def test_endnote_xml_saved_as_utf16_on_windows(parse_fixture, fixtures_dir):
    assert (fixtures_dir / "endnote_utf16.xml").read_bytes()[:2] == b"\xff\xfe"
    parsed = parse_fixture("endnote_utf16.xml")
    assert parsed.format == "endnote-xml" and parsed.warnings == []
    first, second = parsed.records
    assert first.journal == "Addiction Research & Theory"
    assert first.doi == "10.1080/16066359.2020.1767588"  # doi.org prefix removed
    assert first.pages == "212-222" and first.source_id == "12"
    assert first.keywords == ["gambling", "public health", "discourse"]  # one per line
    assert second.title == "Kinderarmut und Gesundheit: Übersicht"
    assert second.authors == ["Böhm, Anna"] and second.pmid == "29123456"


def test_ovid_ris(parse_fixture):
    parsed = parse_fixture("ovid.ris")
    first, second = parsed.records
    assert first.title.startswith("Avoiding gambling harm") and first.year == 2019
    assert first.authors == ["Hing, Nerilee", "Browne, Matthew"]  # A1 tags
    assert first.abstract.endswith("protective if used.")  # N2 with a continuation line
    assert first.journal == "PLoS ONE"  # JF, without " [Electronic Resource]"
    assert first.doi == "10.1371/journal.pone.0224083"  # from the doi.org link
    assert first.pmid == "31618226" and first.source_id == "31618226"
    assert second.pages == "743-755"  # SP 743, EP 55


def test_zotero_bibtex_with_latex_and_strings(parse_fixture):
    parsed = parse_fixture("zotero.bib")
    assert parsed.format == "bibtex"
    first, second = parsed.records
    assert first.title == "Peer support for Young Carers in München: a qualitative study"
    assert first.authors == ["Müller, Jörg", "García, María", "World Health Organization"]
    assert first.journal == "Children and Youth Services Review"  # @string macro
    assert first.abstract.startswith("Young carers described") and "openly. We" in \
        first.abstract
    assert first.keywords == ["young carers", "peer support", "qualitative"]
    assert (first.doi, first.source_id, first.type) == (
        "10.1016/j.childyouth.2020.105731", "muller_peer_2021", "article")
    assert second.journal.startswith("Proceedings of the 12th European Conference")
    assert second.pages == "211-219" and second.pmid == "31234567"


def test_scopus_csv(parse_fixture):
    parsed = parse_fixture("scopus.csv")
    assert parsed.format == "csv"
    first, second = parsed.records
    assert first.authors == ["Tulloch C.", "Hing N.", "Browne M."]  # "Authors", not ids
    assert first.journal == "Addictive Behaviors" and first.pmid == "36265339"
    assert first.pages == "107538"  # article number when there are no pages
    assert first.source_id == "2-s2.0-85141483180"  # EID
    assert first.keywords == ["Concerned significant others", "Gambling harm", "Health"]
    assert (first.type, first.language) == ("Article", "English")
    assert second.pages == "743-755" and second.issue == "3"


def test_web_of_science_tab_delimited(parse_fixture):
    parsed = parse_fixture("wos_tab.txt")
    assert parsed.format == "tsv"
    first, second = parsed.records
    assert first.authors == ["Larsen, LJ", "Roush, JK"]
    assert first.journal == "VETERINARY AND COMPARATIVE ORTHOPAEDICS AND TRAUMATOLOGY"
    assert first.pages == "134-137" and first.source_id == "WOS:000082252000006"  # BP/EP, UT
    assert second.doi == "10.1590/s0103-84782013005000101" and second.pmid == "23456789"
    assert second.keywords == ["retinal", "cataract"]  # DE (author keywords)


def test_xlsx_with_asreview_labels(parse_fixture):
    parsed = parse_fixture("asreview_labels.xlsx")
    assert parsed.format == "xlsx"
    assert [r.label for r in parsed.records] == [1, 0, None]
    first = parsed.records[0]
    assert first.source_id == "101" and first.year == 1997 and first.pmid == "9258262"
    assert first.doi == "10.1001/jama.1997.03550080047038"
    assert first.authors == ["Olds, David L.", "Kitzman, Harriet"]


def test_web_of_science_plain_text(parse_fixture):
    parsed = parse_fixture("wos_plain.txt")
    assert parsed.format == "wos"
    first, second = parsed.records
    assert first.title == ("Microangiography of the humeral condyle in Cocker Spaniel and "
                           "non-Cocker Spaniel dogs")  # continuation line joined
    assert first.authors == ["Larsen, Lisa J.", "Roush, James K.", "McLaughlin, Ronald M."]
    assert first.keywords == ["humeral condylar fractures", "microangiography",
                              "Cocker Spaniels", "blood supply", "FRACTURES"]
    assert (first.year, first.pages, first.pmid, first.source_id) == (
        1999, "134-137", "10527823", "WOS:000082252000006")
    assert second.doi == "10.1590/s0103-84782013005000101" and second.type == "Review"


def test_web_of_science_plain_text_truncated(fixtures_dir):
    data = (fixtures_dir / "wos_plain.txt").read_bytes()
    cut = data[: data.rindex(b"ER")]
    with pytest.raises(InputError) as caught:
        parse(cut, "savedrecs.txt")
    assert caught.value.line == 30 and "truncated" in caught.value.detail


@pytest.mark.parametrize(("name", "fmt"), [
    ("pubmed_medline.txt", "pubmed-nbib"), ("pubmed.xml", "pubmed-xml"), ("ovid.ris", "ris"),
    ("zotero.bib", "bibtex"), ("scopus.csv", "csv"), ("wos_tab.txt", "tsv"),
    ("endnote_utf16.xml", "endnote-xml"), ("asreview_labels.xlsx", "xlsx"),
    ("wos_plain.txt", "wos")])
def test_format_comes_from_content_not_name(fixtures_dir, name, fmt):
    data = (fixtures_dir / name).read_bytes()
    assert detect_format(data, "export.ris") == fmt
    assert parse(data, "whatever.csv").format == fmt


def test_ris_with_crlf_bare_cr_and_bom_and_no_blank_lines():
    text = ("\ufeffTY  - JOUR\r\nTI  - First\r\nAU  - A, B\rAU  - C, D\r\nER  - \r\n"
            "TY  - JOUR\nTI  - Second\nER  -")
    parsed = parse(text.encode("utf-8"), "x.ris")
    assert [r.title for r in parsed.records] == ["First", "Second"]
    assert parsed.records[0].authors == ["A, B", "C, D"]


def test_utf16_without_bom():
    data = "TY  - JOUR\r\nTI  - Wohlbefinden von Kindern\r\nER  - \r\n".encode("utf-16-le")
    assert parse(data, "x.ris").records[0].title == "Wohlbefinden von Kindern"


def test_repeated_abstract_tags_drop_ebsco_copyright_notice():
    text = ("TY  - JOUR\nTI  - T\nAB  - The study found effects.\nAB  - Copyright of Journal is "
            "the property of Taylor & Francis Ltd and its content may not be copied\n\nER  - \n")
    assert parse(text.encode(), "x.ris").records[0].abstract == "The study found effects."


def test_source_id_falls_back_to_position(parse_fixture):
    parsed = parse_fixture("no_ty.ris")
    assert [r.source_id for r in parsed.records] == ["1", "2"]


def test_on_record_reports_progress(parse_fixture, fixtures_dir):
    seen: list[int] = []
    data = (fixtures_dir / "pubmed.xml").read_bytes()
    parse(data, "pubmed.xml", on_record=seen.append)
    assert seen == [1, 2]


def test_semicolon_csv_from_european_excel():
    data = 'Nr;Title;Year;Authors\r\n7;Kinder im Heim;2020;"Meier, A; Huber, B"\r\n'
    parsed = parse(data.encode("cp1252"), "export.csv")
    assert parsed.format == "csv" and parsed.records[0].title == "Kinder im Heim"
    assert parsed.records[0].year == 2020
    assert parsed.records[0].authors == ["Meier, A", "Huber, B"]


def test_csv_with_utf8_bom_keeps_its_first_column():
    data = "\ufeffTitle,Year\r\nFamily support in early years,2018\r\n".encode("utf-8")
    parsed = parse(data, "scopus.csv")
    assert parsed.records[0].title == "Family support in early years"
    assert parsed.warnings == []


def test_repeated_ids_are_kept_with_a_warning():
    parsed = parse(b"record_id,title\n7,First\n8,Second\n7,Third\n", "ids.csv")
    assert [r.source_id for r in parsed.records] == ["7", "8", "7"]
    assert "id '7' at records 1 and 3" in parsed.warnings[0]


def test_older_ris_title_tags():
    text = b"TY  - BOOK\nBT  - Child Care in Context\nA1  - Lamb, M\nER  - \n"
    record = parse(text, "old.ris").records[0]
    assert (record.title, record.authors, record.type) == ("Child Care in Context", ["Lamb, M"],
                                                           "BOOK")
