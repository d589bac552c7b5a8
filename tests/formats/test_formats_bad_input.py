"""Bad input gets a clear InputError naming the file and the place, and a hint; recoverable
oddities become warnings. One fixture per case."""

from __future__ import annotations

import pytest

from nlp_review.errors import InputError
from nlp_review.formats import parse


@pytest.fixture
def error_of(parse_fixture):
    return lambda name: _error(parse_fixture, name)


def _error(parse_fixture, name: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_fixture(name)
    error = caught.value
    assert error.file == name
    assert error.hint, "every input error says what to do"
    return error


@pytest.mark.parametrize("name", ["empty.ris", "blank.txt"])
def test_empty_file(name, error_of):
    assert "empty" in error_of(name).detail


@pytest.mark.parametrize(("name", "what"), [
    ("image.png", "PNG image"), ("article.pdf", "PDF document"), ("exports.zip", "ZIP archive")])
def test_binary_file_is_named_for_what_it_is(name, what, error_of):
    error = error_of(name)
    assert what in error.detail and "not a bibliographic export" in error.detail


def test_random_binary_bytes_are_refused():
    with pytest.raises(InputError, match="binary"):
        parse(bytes(range(256)) * 40, "dump.bin")


def test_truncated_ris_names_the_line_where_the_unterminated_record_starts(error_of):
    error = error_of("truncated.ris")
    assert error.line == 7
    assert "no end tag" in error.detail and "truncated" in error.detail


def test_missing_er_before_next_record_names_both_lines(error_of):
    error = error_of("missing_er.ris")
    assert error.line == 1
    assert "line 6" in error.detail


def test_record_without_ty_is_kept_with_a_warning(parse_fixture):
    parsed = parse_fixture("no_ty.ris")
    assert [r.title for r in parsed.records] == [
        "Mentoring programmes for children in care",
        "School-based social support for adolescents: a cluster randomised trial"]
    assert parsed.records[1].doi == "10.1000/example.2019.17"
    assert parsed.records[1].type is None
    assert any("line 7" in w and "TY" in w for w in parsed.warnings)


def test_csv_without_title_column_lists_columns_found_and_names_accepted(error_of):
    error = error_of("no_title.csv")
    assert "'Authors', 'Year', 'Source title', 'DOI'" in error.detail
    assert "primary_title" in error.hint and "Article Title" in error.hint


def test_unreadable_label_value_names_the_row(error_of):
    error = error_of("bad_label.csv")
    assert error.record == 2 and "'maybe'" in error.detail


def test_bibtex_unbalanced_brace_names_the_entry_line(error_of):
    error = error_of("unbalanced_brace.bib")
    assert error.line == 9
    assert "unbalanced brace" in error.detail and "line 16" in error.detail


def test_bibtex_never_closed_at_end_of_file():
    text = b"@article{a,\n  title = {One},\n}\n\n@article{b,\n  title = {Two\n}\n"
    with pytest.raises(InputError) as caught:
        parse(text, "cut.bib")
    assert caught.value.line == 5 and "never closed" in caught.value.detail


def test_bibtex_extra_closing_brace():
    with pytest.raises(InputError) as caught:
        parse(b"@article{a,\n  title = {One}},\n}\n}\n", "extra.bib")
    assert "closes nothing" in caught.value.detail


def test_xml_with_external_entity_is_refused_and_nothing_is_read(error_of):
    error = error_of("xxe.xml")
    assert error.line == 3 and "entity" in error.detail


def test_malformed_xml_names_the_line(fixtures_dir):
    data = (fixtures_dir / "pubmed.xml").read_bytes()
    cut = data[: data.index(b"<ArticleTitle>Avoiding")] + b"<ArticleTitle>Avoiding</Article>"
    with pytest.raises(InputError) as caught:
        parse(cut, "cut.xml")
    assert "not well formed" in caught.value.detail and caught.value.line > 40


def test_mixed_encodings_decode_with_a_warning_naming_the_first_bad_line(parse_fixture):
    parsed = parse_fixture("mixed_encoding.ris")
    assert parsed.records[0].title == "Frühe Hilfen für Familien: eine Evaluation"  # UTF-8
    assert parsed.records[1].title == "Soutien social des élèves en difficulté"  # cp1252
    assert parsed.records[1].authors == ["Lefèvre, Hélène"]
    assert len(parsed.warnings) == 1
    assert "mixed encodings" in parsed.warnings[0] and "line 8" in parsed.warnings[0]


def test_latin1_file_is_read_with_a_warning(parse_fixture):
    parsed = parse_fixture("windows1252.csv")
    assert parsed.records[0].title == "Crèches et développement de l’enfant"
    assert parsed.records[1].authors == ["Müller, Jörg"]
    assert "not UTF-8" in parsed.warnings[0] and "line 2" in parsed.warnings[0]


def test_unknown_text_format_lists_the_supported_formats(error_of):
    error = error_of("unknown.txt")
    assert "unknown format" in error.detail
    for fmt in ("RIS", "MEDLINE", "PubMed XML", "EndNote XML", "BibTeX", "CSV", "xlsx"):
        assert fmt in error.hint


def test_unknown_xml_root_is_named(error_of):
    error = error_of("other_root.xml")
    assert "<rss>" in error.detail and "PubMed XML" in error.hint


def test_header_only_table_has_no_records():
    with pytest.raises(InputError, match="no records"):
        parse(b"title,abstract\n", "header_only.csv")


def test_malformed_csv_names_the_line():
    data = b"title\tyear\nA\t2001\nB\t2002\textra\tcells\n"
    with pytest.raises(InputError) as caught:
        parse(data, "bad.tsv")
    assert caught.value.line == 3


def test_csv_unclosed_quote_names_the_row_where_it_opens():
    data = b'title,year\nFirst,2001\n"Second, never closed,2002\nThird,2003\n'
    with pytest.raises(InputError) as caught:
        parse(data, "quote.csv")
    assert caught.value.line == 3 and "never closed" in caught.value.detail


def test_csv_row_errors_name_the_line_even_after_multiline_cells():
    data = (b'title,abstract,included\n"A","line one\nline two\nline three",1\n'
            b'"B","short",perhaps\n')
    with pytest.raises(InputError) as caught:
        parse(data, "labels.csv")
    assert (caught.value.line, caught.value.record) == (5, 2)
    assert "'included'" in caught.value.detail


def test_xml_entity_expansion_bomb_is_refused():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE xml [\n <!ENTITY a "aaaaaaaaaa">\n'
            b' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
            b"<xml><records><record><titles><title>&b;</title></titles></record></records></xml>")
    with pytest.raises(InputError) as caught:
        parse(data, "lol.xml")
    assert caught.value.line == 3 and "entity" in caught.value.detail


def test_medline_cut_off_mid_line_is_read_with_a_warning(fixtures_dir):
    data = (fixtures_dir / "pubmed_medline.txt").read_bytes()
    cut = data[: data.index(b"FAU - Browne")] + b"FAU - Bro"
    parsed = parse(cut, "pubmed.nbib")
    assert len(parsed.records) == 2 and parsed.records[1].authors[-1] == "Bro"
    assert "truncated" in parsed.warnings[0] and "PMID 31618226, line 47" in parsed.warnings[0]


def test_csv_cut_off_mid_row_is_read_with_a_warning():
    parsed = parse(b"title,abstract,year\nA,one,2001\nB,tw", "cut.csv")
    assert [r.title for r in parsed.records] == ["A", "B"]
    assert "line 3, record 2" in parsed.warnings[0] and "truncated" in parsed.warnings[0]


def test_csv_rows_with_missing_cells_mid_file_are_named_in_a_warning():
    # an edited export: rows 2 and 3 lost their last cells (the decision with them); they
    # used to be read silently as undecided (a row with extra cells is an error already)
    parsed = parse(b"title,abstract,year,label_included\nA,one,2001,1\nB,two\n"
                   b"C,three\nD,four,2004,1\n", "edited.csv")
    assert [r.label for r in parsed.records] == [True, None, None, True]
    [short] = parsed.warnings
    assert "2 row(s) have fewer cells than the header (line 3, record 2; line 4, record 3)" \
        in short
    assert "the decision" in short


def test_a_complete_csv_gets_no_cell_count_warning():
    parsed = parse(b"title,abstract,year\nA,one,2001\nB,two,2002\n", "fine.csv")
    assert parsed.warnings == []


def test_truncated_xlsx_is_named_as_possibly_damaged(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["title", "year"])
    book.active.append(["Peer support for young carers", "2020"])
    book.save(tmp_path / "scopus.xlsx")
    data = (tmp_path / "scopus.xlsx").read_bytes()
    with pytest.raises(InputError) as caught:
        parse(data[: len(data) // 2], "scopus.xlsx")
    assert "damaged or truncated .xlsx" in caught.value.detail
