"""A labelled CSV that cannot be simulated is reported with the file, the line on which the
bad row starts (abstracts may hold line breaks) and what to do; never a traceback."""

from __future__ import annotations

import csv

import pytest

from nlp_review.errors import InputError
from nlp_review.screening.dataset import load_labelled_csv

ABSTRACT = "Peer mentors met pupils weekly.\nLoneliness fell.\nTeachers noticed it too."


def _write(path, labels):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i, label in enumerate(labels, start=1):
            writer.writerow([i, f"Study {i} of peer mentoring", ABSTRACT, label])


def test_a_bad_label_names_the_line_its_row_starts_on_after_multiline_abstracts(tmp_path):
    path = tmp_path / "labelled.csv"
    _write(path, ["1", "0", "0", "maybe"])
    with pytest.raises(InputError) as info:
        load_labelled_csv(path)
    assert info.value.line == 11  # header, then three rows of three lines each
    assert info.value.record == 4
    assert path.read_text().splitlines()[10].startswith("4,")


def test_a_repeated_record_id_names_both_lines(tmp_path):
    path = tmp_path / "labelled.csv"
    _write(path, ["1", "0", "0"])
    with open(path, "a", newline="") as handle:
        csv.writer(handle).writerow(["2", "Again", ABSTRACT, "0"])
    with pytest.raises(InputError) as info:
        load_labelled_csv(path)
    assert info.value.line == 11
    assert "record_id 2 repeats line 5" in str(info.value)


def test_a_folder_or_a_non_utf8_file_is_an_input_error_with_a_hint(tmp_path):
    with pytest.raises(InputError) as info:
        load_labelled_csv(tmp_path)
    assert "is a folder" in str(info.value) and info.value.hint
    path = tmp_path / "latin1.csv"
    path.write_bytes("record_id,title,abstract,label_included\n1,Ni\u00f1os,x,1\n"
                     .encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_labelled_csv(path)
    assert info.value.line == 2 and "UTF-8" in info.value.hint
