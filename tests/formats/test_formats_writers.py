"""Writers: RIS and ASReview-style CSV that our own reader (and rispy, and a CSV reader) read
back to the same records."""

from __future__ import annotations

import csv
import io

import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_review.formats import CSV_COLUMNS, parse, record_to_row, write_csv, write_ris
from nlp_review.records import Record


def _same(a: Record, b: Record) -> None:
    assert a.to_dict() == b.to_dict()


def test_ris_round_trip_of_real_vendor_exports(dedup_data):
    for name in ("multi_database_exports/20221207_gambling-harms_scopus_255.ris",
                 "multi_database_exports/20221207_gambling-harms_crimjust_41.ris",
                 "export_formats/wos_test.ris"):
        records = parse((dedup_data / name).read_bytes(), name).records
        again = parse(write_ris(records).encode("utf-8"), "again.ris")
        assert again.format == "ris" and len(again.records) == len(records)
        for a, b in zip(records, again.records):
            _same(a, b)


def test_ris_round_trip_keeps_pmid_label_and_pages(parse_fixture):
    records = parse_fixture("asreview_labels.xlsx").records + parse_fixture(
        "pubmed_medline.txt").records
    again = parse(write_ris(records).encode(), "again.ris").records
    assert [r.label for r in again] == [1, 0, None, None, None]
    assert [r.pmid for r in again] == ["9258262", None, None, "30888575", "31618226"]
    assert again[3].pages == "743-755" and again[3].doi == "10.1007/s10899-019-09844-1"
    assert [r.title for r in again] == [r.title for r in records]


def test_ris_output_is_standard_ris():
    text = write_ris([Record(title="A\ntitle on two lines", authors=["Smith, J"], year=2020,
                             journal="J Child Psychol", pages="12-19", doi="10.1000/x",
                             keywords=["peer support"], source_id="7", type="Article")])
    entry = rispy.loads(text)[0]
    assert entry["type_of_reference"] == "JOUR"
    assert entry["title"] == "A title on two lines"
    assert (entry["start_page"], entry["end_page"], entry["id"]) == ("12", "19", "7")
    assert entry["secondary_title"] == "J Child Psychol" and entry["doi"] == "10.1000/x"


def test_csv_has_asreview_columns_and_joins_lists():
    rows = [record_to_row(Record(title='Title with "quotes", commas', authors=["A, B", "C, D"],
                                 keywords=["x", "y"], year=2019, label=0, source_id="s1")),
            {"record_id": 2, "title": "Only a title", "ignored": "not written"}]
    text = write_csv(rows)
    table = list(csv.DictReader(io.StringIO(text)))
    assert tuple(table[0]) == CSV_COLUMNS
    assert table[0]["authors"] == "A, B; C, D" and table[0]["keywords"] == "x; y"
    assert table[0]["label_included"] == "0" and table[0]["record_id"] == "s1"
    assert table[1]["label_included"] == "" and table[1]["authors"] == ""
    assert "ignored" not in table[1]


def test_csv_round_trip_of_an_asreview_dataset(shared):
    path = shared / "datasets" / "screening" / "sep_2021.csv"
    records = parse(path.read_bytes(), path.name).records
    again = parse(write_csv(record_to_row(r) for r in records).encode(), "again.csv")
    assert again.format == "csv" and len(again.records) == len(records)
    for a, b in zip(records, again.records):
        _same(a, b)


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
_name = st.from_regex(r"[A-Z][a-z]{1,10}, [A-Z]\.", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(title=_text, abstract=st.none() | _text, authors=st.lists(_name, max_size=4, unique=True),
       year=st.none() | st.integers(1900, 2030), label=st.sampled_from([None, 0, 1]),
       keywords=st.lists(st.from_regex(r"[a-z]{2,12}( [a-z]{2,12})?", fullmatch=True),
                         max_size=3, unique=True))
def test_round_trips_for_generated_records(title, abstract, authors, year, label, keywords):
    record = Record(title=title, abstract=abstract, authors=authors, year=year, label=label,
                    keywords=keywords, source_id="r1", type="JOUR")
    from_ris = parse(write_ris([record]).encode(), "x.ris").records[0]
    from_csv = parse(write_csv([record_to_row(record)]).encode(), "x.csv").records[0]
    _same(record, from_ris)
    _same(record, from_csv)
