"""What a review team trips on when simulating its own spreadsheets (QA walk-through of a
screening week): files saved by a spreadsheet, datasets too small for the drawn priors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlp_review.errors import InputError, InputErrors
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.report import simulate_file
from tests.screening.conftest import read_rows


def _write(path: Path, rows: list[dict], *, delimiter: str = ",", bom: bool = False) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_spreadsheet_csv_with_semicolons_and_a_bom_is_read(tmp_path, delimiter):
    rows = read_rows("cohen_antihistamines")[:60]
    path = _write(tmp_path / "saved.csv", rows, delimiter=delimiter, bom=True)
    data = load_labelled_csv(path)
    assert len(data) == 60
    assert data.record_ids[0] == rows[0]["record_id"]
    assert data.labels.tolist() == [int(r["label_included"]) for r in rows]
    assert data.titles[3] == rows[3]["title"]


def test_one_relevant_record_is_an_error_not_a_traceback(tmp_path):
    rows = read_rows("cohen_antihistamines")
    keep = [r for r in rows if r["label_included"] == "0"][:80]
    keep.append(next(r for r in rows if r["label_included"] == "1"))
    path = _write(tmp_path / "one.csv", keep)
    with pytest.raises(InputError) as err:
        simulate_file(path, tmp_path / "out", plot=False)
    assert "1 relevant record" in err.value.message and "prior" in err.value.message
    assert not (tmp_path / "out").exists()


def test_priors_taking_every_irrelevant_record_are_refused(tmp_path):
    rows = read_rows("cohen_antihistamines")
    keep = [r for r in rows if r["label_included"] == "1"][:5]
    keep.append(next(r for r in rows if r["label_included"] == "0"))
    path = _write(tmp_path / "few.csv", keep)
    with pytest.raises(InputError) as err:
        simulate_file(path, tmp_path / "out", priors=[keep[0]["record_id"],
                                                       keep[-1]["record_id"]], plot=False)
    assert "every irrelevant record" in err.value.message


def test_simulate_names_a_rule_that_never_stopped_and_shows_long_rule_names(small_csv,
                                                                             tmp_path):
    from typer.testing import CliRunner

    from nlp_review.cli.app import app

    result = CliRunner().invoke(app, ["simulate", str(small_csv), "--out", str(tmp_path / "o"),
                                      "--stop", "knee", "--stop", "consecutive:threshold=50"],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output  # 'consecutive:threshold=50' was cut to 'consecutive:thres…'
    assert "reshold=50" in result.output  # folded onto a second line at 80 columns
    assert "never stopped" in result.output and "knee" in result.output


def test_decisions_typed_into_an_excel_workbook_are_read(filled, tmp_path):
    import openpyxl

    from nlp_review.screening.session import labels_from_file
    from nlp_review.store.decisions import current_decisions

    project, ids, rows = filled
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["rank", "record_id", "title", "label_included"])
    sheet.append([1, ids[0], rows[0]["title"] + "\n(second line)", 1])
    sheet.append([2, float(ids[1]), rows[1]["title"], 0.0])  # Excel's own numbers
    sheet.append([3, ids[2], rows[2]["title"], None])  # not decided yet
    sheet.append([4, ids[3], rows[3]["title"], "maybe"])
    path = tmp_path / "queue.xlsx"
    book.save(path)
    with pytest.raises(InputErrors) as err:
        labels_from_file(project.conn, path, reviewer="ana")
    assert "line 5" in str(err.value) and "'maybe'" in str(err.value)
    sheet.delete_rows(5)
    book.save(path)
    assert labels_from_file(project.conn, path, reviewer="ana").written == 2
    assert {w: d.label for w, d in current_decisions(project.conn).items()} == {ids[0]: 1,
                                                                               ids[1]: 0}
