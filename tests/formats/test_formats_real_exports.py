"""Real exports from ../shared (read in place): every record comes through, and spot checks on
specific records show titles, authors, years, DOIs and abstracts come out right."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_review.formats import parse


def _parse(path: Path):
    return parse(path.read_bytes(), path.name)


GAMBLING = "multi_database_exports/20221207_gambling-harms_{}.ris"


@pytest.mark.parametrize(("vendor", "n_records", "n_dois"), [
    ("crimjust_41", 41, 41),  # EBSCOhost: no DO tag, the DOI is in L3
    ("lens_49", 49, 42),
    ("psycinfo_124", 124, 118),
    ("pubmed_176", 176, 176),
    ("scopus_255", 255, 253),
])
def test_five_vendor_dialects_read_every_record(dedup_data, vendor, n_records, n_dois):
    parsed = _parse(dedup_data / GAMBLING.format(vendor))
    assert parsed.format == "ris" and parsed.warnings == []
    assert len(parsed.records) == n_records
    assert sum(1 for r in parsed.records if r.doi) == n_dois
    assert all(r.title and r.year for r in parsed.records)
    assert len({r.source_id for r in parsed.records}) == n_records


def test_ebsco_criminal_justice_abstracts(dedup_data):
    first = _parse(dedup_data / GAMBLING.format("crimjust_41")).records[0]
    assert first.title == ("Discourses of responsible gambling and gambling harm: observations "
                           "from Victoria, Australia.")
    assert first.authors == ["Francis, Louise", "Livingstone, Charles"]
    assert (first.year, first.volume, first.issue, first.pages) == (2021, "29", "3", "212-222")
    assert first.doi == "10.1080/16066359.2020.1867111"
    assert first.journal == "Addiction Research & Theory"
    assert first.abstract.startswith("Within a neo-liberal economic orthodoxy")
    # the second AB (a copyright notice) and EBSCO's "[ABSTRACT FROM AUTHOR]" are dropped
    assert first.abstract.endswith("reducing gambling related harm.")


def test_lens_strips_html_and_reads_pubmed_links(dedup_data):
    records = _parse(dedup_data / GAMBLING.format("lens_49")).records
    first = records[0]
    assert first.source_id == "001-257-578-706-377"
    assert first.doi == "10.31234/osf.io/fu4mj"
    assert first.abstract.startswith("Background and aims: Both the Problem Gambling")
    assert "<p>" not in first.abstract and "</p>" not in first.abstract
    assert first.authors[:2] == ["Browne, Matthew", "Russell, Alex M T"]
    assert any(r.pmid for r in records)  # PubMed links in L2


def test_psycinfo_via_ebscohost(dedup_data):
    first = _parse(dedup_data / GAMBLING.format("psycinfo_124")).records[0]
    assert first.title == "Frameworks of gambling harms: A comparative review and synthesis"
    assert first.authors == ["Marionneau, Virve", "Egerer, Michael", "Raisamo, Susanna"]
    assert (first.year, first.doi) == (2022, "10.1080/16066359.2022.2113071")
    assert first.source_id == "2022-96522-001"  # AN
    assert first.journal == "Addiction Research & Theory"


def test_pubmed_via_ris(dedup_data):
    second = _parse(dedup_data / GAMBLING.format("pubmed_176")).records[1]
    assert second.title == ("Challenges in the Conceptualisation and Measurement of "
                            "Gambling-Related Harm.")
    assert second.authors == ["Delfabbro, Paul", "King, Daniel L."]
    assert (second.year, second.doi, second.pages) == (2019, "10.1007/s10899-019-09844-1",
                                                       "743-755")
    assert second.journal == "Journal of gambling studies"
    assert "capture gambling-harm" in second.abstract  # double spaces collapsed


def test_scopus_ris(dedup_data):
    records = _parse(dedup_data / GAMBLING.format("scopus_255")).records
    first = records[0]
    assert first.title.startswith("How gambling problems relate to health and wellbeing")
    assert first.authors[:2] == ["Tulloch, C.", "Hing, N."]
    assert (first.year, first.doi, first.journal) == (2023, "10.1016/j.addbeh.2022.107538",
                                                      "Addictive Behaviors")
    assert first.pages == "107538"  # C7 article number
    assert records[-1].pages == "233-263"


def test_web_of_science_ris_with_bare_cr_line_ends(dedup_data):
    parsed = _parse(dedup_data / "export_formats" / "wos_test.ris")
    assert len(parsed.records) == 50
    first, second = parsed.records[:2]
    assert first.title == ("Microangiography of the humeral condyle in Cocker Spaniel and "
                           "non-Cocker Spaniel dogs")
    assert first.authors == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    assert first.source_id == "WOS:000082252000006"  # AN after a bare CR
    assert first.year == 1999 and first.pages == "134-137"
    # the second abstract paragraph (an indented continuation line) is kept
    assert "Microangiography was performed on four Cocker Spaniel" in first.abstract
    assert second.doi == "10.1590/s0103-84782013005000101" and second.language == "Portuguese"


def test_scopus_ris_with_bom(dedup_data):
    first = _parse(dedup_data / "export_formats" / "scopus.ris").records[0]
    assert first.title.startswith("Development and Validation of a Robust")
    assert first.authors[0] == "Furlanello, T." and first.doi == "10.3390/ani15010003"
    assert first.year == 2025 and first.journal == "Animals"


def test_reference_manager_exports_agree_across_formats(dedup_data):
    folder = dedup_data / "export_formats"
    parsed = {name: _parse(folder / name) for name in
              ("test_export.ris", "test_export.bib", "test_export.csv", "test_export.txt")}
    assert {p.format for p in parsed.values()} == {"ris", "bibtex", "csv", "tsv"}
    for p in parsed.values():
        assert [(r.title, r.authors, r.year, r.journal) for r in p.records] == [
            ("Title 1", ["Author 1"], 2020, "Journal 1"),
            ("Title 2", ["Author 2"], 2021, "Journal 2"),
            ("Title 3", ["Author 3"], 2022, "Journal 3")]
        assert [r.source_id for r in p.records] == ["1", "2", "3"]


def test_endnote_xml_library(dedup_data):
    records = _parse(dedup_data / "endnote_xml" / "respiratory.xml").records
    assert len(records) == 1988
    assert all(r.title for r in records)
    third = records[2]
    assert third.title == ("[A study on the use of mycobacterium vaccine in the treatment of "
                           "tuberculous pleurisy]")
    assert third.authors == ["Zhou, Xiangdong", "Lan, Jian", "Zhang, Ting"]
    assert (third.year, third.pages, third.source_id) == (2002, "595-597", "4")
    assert records[0].journal == "Jpen: Journal of Parenteral & Enteral Nutrition"


@pytest.mark.parametrize(("name", "n_records", "n_included"), [
    ("ecec_adult_child_ratio.csv", 1166, 86), ("appenzeller_herzog_2019.csv", 2333, 23),
    ("sep_2021.csv", 271, 40)])
def test_asreview_screening_csv_with_labels(shared, name, n_records, n_included):
    parsed = _parse(shared / "datasets" / "screening" / name)
    assert len(parsed.records) == n_records
    assert sum(r.label for r in parsed.records) == n_included
    assert all(r.label in (0, 1) for r in parsed.records)


def test_asreview_csv_fields(shared):
    records = _parse(shared / "datasets" / "screening" / "ecec_adult_child_ratio.csv").records
    first = records[0]
    assert first.source_id == "0" and first.year == 2014 and first.label == 1  # "2014.0"
    assert first.title.startswith("Challenges and dilemmas expressed by teachers")
    assert records[5].authors == ["Baardsgaard Eirik", "Åmot Ingvild"]


def _manifest(shared: Path) -> list[dict[str, str]]:
    import csv

    with open(shared / "datasets" / "screening" / "MANIFEST.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_screening_dataset_matches_its_manifest(shared):
    """All 28 ASReview-style CSVs: record and inclusion counts as their MANIFEST states, and
    the share of records with an abstract within 0.01 of it (the MANIFEST does not count a
    few one-word "abstracts" such as "Intervju")."""
    rows = _manifest(shared)
    assert len(rows) == 28
    for row in rows:
        path = shared / "datasets" / "screening" / f"{row['name']}.csv"
        records = _parse(path).records
        assert len(records) == int(row["records"]), row["name"]
        assert sum(r.label for r in records) == int(row["included"]), row["name"]
        with_abstract = sum(1 for r in records if r.abstract) / len(records)
        assert abs(with_abstract - float(row["abstracts"])) < 0.01, row["name"]


def test_ebsco_notices_in_a_csv_abstract_cell_are_dropped_like_in_ris(shared):
    # ecec_adult_child_ratio.csv (MIT) holds EBSCO abstracts whose cell ends in the marker and
    # the copyright notice; the tagger and the evidence table should see the abstract only
    path = shared / "datasets" / "screening" / "ecec_adult_child_ratio.csv"
    records = _parse(path).records
    raw = path.read_text(encoding="utf-8")
    assert raw.count("[ABSTRACT FROM AUTHOR]") >= 5
    assert not any("ABSTRACT FROM" in (r.abstract or "") or
                   "is the property of" in (r.abstract or "") for r in records)
    ebsco = [r for r in records if (r.abstract or "").endswith(
        "efforts to provide intentional language development support.")]
    assert ebsco, "the abstract itself is kept up to its last sentence"


def test_vendor_notice_stripping_keeps_abstracts_that_only_mention_copyright():
    from nlp_review.formats.fields import strip_vendor_notice

    text = "Copyright of student work is discussed. Results follow."
    assert strip_vendor_notice(text) == text
    assert strip_vendor_notice("[ABSTRACT FROM PUBLISHER]") is None
    assert strip_vendor_notice("Peers help. [ABSTRACT FROM AUTHOR] Copyright of J is the "
                               "property of P and its content may not be copied or emailed."
                               ) == "Peers help."
