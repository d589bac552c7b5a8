"""Deduplicating a project: groups written back, human verdicts respected, incremental."""

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.decisions import add_decision, current_decisions
from nlp_review.workflows.deduplicating import (grey_pairs_csv, import_verdicts, run_dedupe,
                                                set_verdict)
from nlp_review.workflows.exporting import duplicates_csv
from nlp_review.workflows.importing import import_file

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"
runner = CliRunner()


def _works(project):
    return project.conn.execute("SELECT COUNT(*) FROM works").fetchone()[0]


def _groups_by_source_id(project):
    groups = {}
    for sid, gid in project.conn.execute("SELECT source_id, group_id FROM records"):
        groups.setdefault(sid, set()).add(gid)
    return groups


def test_demo_exports_reduce_to_the_true_unique_records(project):
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    report = run_dedupe(project.conn)
    assert report.records == 480
    assert _works(project) == 360
    # both exports carry the same source id for the same work: each id is one group
    assert all(len(g) == 1 for g in _groups_by_source_id(project).values())
    # the face has the DOI even when the CSV copy lost it
    rows = list(csv.DictReader(io.StringIO(duplicates_csv(project.conn))))
    assert len(rows) == 480 and {r["source"] for r in rows} == {"eric_export",
                                                                "psycinfo_export"}


def test_dry_run_changes_nothing(project):
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    report = run_dedupe(project.conn, dry_run=True)
    assert report.groups_after == 360 and len(report.changes) == 120
    assert _works(project) == 480
    assert project.conn.execute("SELECT COUNT(*) FROM dedup_pairs").fetchone()[0] == 0


def test_incremental_run_matches_new_records_against_old_ones(project):
    import_file(project, DEMO / "eric_export.ris")
    first = run_dedupe(project.conn)
    assert first.groups_after == 280
    import_file(project, DEMO / "psycinfo_export.csv")
    second = run_dedupe(project.conn)
    assert second.new_records == 200
    assert _works(project) == 360


def test_human_different_splits_a_group_and_survives_later_runs(project):
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    run_dedupe(project.conn)
    a, b = project.conn.execute(
        "SELECT MIN(id), MAX(id) FROM records GROUP BY group_id HAVING COUNT(*) = 2"
        " LIMIT 1").fetchone()
    set_verdict(project.conn, a, b, "different", by="ann")
    run_dedupe(project.conn)
    assert _works(project) == 361
    run_dedupe(project.conn, full=True)
    assert _works(project) == 361
    ga, gb = (project.conn.execute("SELECT group_id FROM records WHERE id = ?", (i,))
              .fetchone()[0] for i in (a, b))
    assert ga != gb


def test_decision_made_before_dedupe_is_shared_by_the_group(project):
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    csv_copy = project.conn.execute(
        "SELECT id FROM records WHERE source_id = 'ECEC916' ORDER BY id DESC").fetchone()[0]
    add_decision(project.conn, csv_copy, 1, reviewer="ann", origin="screen")
    run_dedupe(project.conn)
    decisions = current_decisions(project.conn)
    work = project.conn.execute("SELECT group_id FROM records WHERE id = ?",
                                (csv_copy,)).fetchone()[0]
    assert decisions[work].label == 1
    assert len(decisions) == 1


def test_grey_pairs_round_trip_through_a_csv(project, tmp_path):
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    run_dedupe(project.conn)
    rows = list(csv.DictReader(io.StringIO(grey_pairs_csv(project.conn))))
    assert rows, "the demo has grey pairs"
    rows[0]["verdict"] = "same"
    out = tmp_path / "grey.csv"
    with open(out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert import_verdicts(project.conn, out, by="ann") == 1
    run_dedupe(project.conn)
    assert _works(project) == 359
    remaining = list(csv.DictReader(io.StringIO(grey_pairs_csv(project.conn))))
    assert len(remaining) == len(rows) - 1


def test_bad_verdict_file_names_the_line_and_stores_nothing(project, tmp_path):
    import_file(project, DEMO / "eric_export.ris")
    run_dedupe(project.conn)
    bad = tmp_path / "v.csv"
    bad.write_text("record_a,record_b,verdict\n1,2,same\n3,4,maybe\n")
    result = runner.invoke(app, ["dedupe", "--verdicts", str(bad), "-p", str(project.path)])
    assert result.exit_code != 0
    assert "v.csv, line 3" in result.output
    assert project.conn.execute(
        "SELECT COUNT(*) FROM dedup_pairs WHERE status = 'same'").fetchone()[0] == 0


def test_cli_dedupe_and_export(project, tmp_path):
    for f in ("eric_export.ris", "psycinfo_export.csv"):
        assert runner.invoke(app, ["import", str(DEMO / f), "-p", str(project.path)]).exit_code == 0
    result = runner.invoke(app, ["dedupe", "-p", str(project.path)])
    assert result.exit_code == 0, result.output
    assert "360 unique records (120 duplicates)" in result.output
    out = tmp_path / "all.csv"
    dups = tmp_path / "dups.csv"
    result = runner.invoke(app, ["export", "--out", str(out), "--duplicates", str(dups),
                                 "-p", str(project.path)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == 360
    assert {"record_id", "title", "abstract", "authors", "year", "doi",
            "label_included"} <= set(rows[0])
    assert len(list(csv.DictReader(open(dups)))) == 480
    ris = tmp_path / "all.ris"
    assert runner.invoke(app, ["export", "-f", "ris", "--out", str(ris), "-p",
                               str(project.path)]).exit_code == 0
    assert ris.read_text().count("ER  -") == 360


def test_cli_review_stores_each_answer_and_regroups(project):
    for f in ("eric_export.ris", "psycinfo_export.csv"):
        runner.invoke(app, ["import", str(DEMO / f), "-p", str(project.path)])
    assert runner.invoke(app, ["dedupe", "-p", str(project.path)]).exit_code == 0
    grey = project.conn.execute("SELECT COUNT(*) FROM dedup_pairs WHERE status = 'grey'"
                                ).fetchone()[0]
    assert grey >= 2
    # first pair: same; second: different; then quit
    result = runner.invoke(app, ["dedupe", "--review", "--reviewer", "ann", "-p",
                                 str(project.path)], input="s\nd\nq\n")
    assert result.exit_code == 0, result.output
    assert "Stored 2 verdicts" in result.output
    verdicts = dict(project.conn.execute(
        "SELECT status, COUNT(*) FROM dedup_pairs WHERE decided_by = 'ann' GROUP BY status"))
    assert verdicts == {"same": 1, "different": 1}
    assert _works(project) == 359


def test_cli_review_answers_ending_early_keep_and_apply_the_verdicts(project):
    # answers piped from a file that ends before the last pair: the end of the input is a
    # quit (the verdicts given are stored and the groups redone), not "Aborted." and exit 1
    for f in ("eric_export.ris", "psycinfo_export.csv"):
        runner.invoke(app, ["import", str(DEMO / f), "-p", str(project.path)])
    assert runner.invoke(app, ["dedupe", "-p", str(project.path)]).exit_code == 0
    result = runner.invoke(app, ["dedupe", "--review", "-p", str(project.path)],
                           input="yes\ns\n")
    assert result.exit_code == 0, result.output
    assert "answer s (same), d (different), k (skip) or q (quit)" in result.output
    assert "Stored 1 verdicts" in result.output
    assert _works(project) == 359


def _grey_pairs_saved_as(project, out, encoding, delimiter=",", title_prefix=""):
    """The demo's grey pairs with the first one answered "same", saved as a spreadsheet
    would save them (``encoding``, ``delimiter``; ``title_prefix`` before its first title)."""
    import_file(project, DEMO / "eric_export.ris")
    import_file(project, DEMO / "psycinfo_export.csv")
    run_dedupe(project.conn)
    rows = list(csv.DictReader(io.StringIO(grey_pairs_csv(project.conn))))
    rows[0]["verdict"] = "same"
    rows[0]["title_a"] = title_prefix + rows[0]["title_a"]
    with open(out, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_grey_pairs_saved_by_a_spreadsheet_with_semicolons_are_read(project, tmp_path):
    # Excel in a locale with decimal commas saves "CSV" with ';' between the cells
    out = _grey_pairs_saved_as(project, tmp_path / "grey.csv", "utf-8-sig", delimiter=";")
    assert import_verdicts(project.conn, out, by="ann") == 1
    run_dedupe(project.conn)
    assert _works(project) == 359


def test_verdict_for_an_unknown_record_names_the_line_and_stores_nothing(project, tmp_path):
    import_file(project, DEMO / "eric_export.ris")
    run_dedupe(project.conn)
    bad = tmp_path / "v.csv"
    bad.write_text("record_a,record_b,verdict\n1,2,same\n3,99999,different\n")
    result = runner.invoke(app, ["dedupe", "--verdicts", str(bad), "-p", str(project.path)])
    assert result.exit_code != 0
    assert "v.csv, line 3: no record with id 99999" in result.output
    assert project.conn.execute(
        "SELECT COUNT(*) FROM dedup_pairs WHERE status = 'same'").fetchone()[0] == 0


def test_grey_pairs_saved_as_windows_1252_are_read(project, tmp_path):
    # Excel's plain "CSV" on Windows writes Windows-1252: an accented title in the file was a
    # UnicodeDecodeError traceback; only the ids and the verdicts are read
    out = _grey_pairs_saved_as(project, tmp_path / "grey.csv", "cp1252",
                               title_prefix="Ni\u00f1os y j\u00f3venes: ")
    result = runner.invoke(app, ["dedupe", "--verdicts", str(out), "-p", str(project.path)])
    assert result.exit_code == 0, result.output
    assert "Stored 1 verdicts" in result.output
    assert _works(project) == 359


def test_a_bad_verdict_after_a_title_with_a_line_break_names_its_own_line(project, tmp_path):
    import_file(project, DEMO / "eric_export.ris")
    run_dedupe(project.conn)
    bad = tmp_path / "v.csv"
    bad.write_text('record_a,record_b,title_a,verdict\n1,2,"Peer support:\na trial",same\n'
                   "3,4,Mentoring,maybe\n")
    result = runner.invoke(app, ["dedupe", "--verdicts", str(bad), "-p", str(project.path)])
    assert result.exit_code != 0
    assert "v.csv, line 4: verdict 'maybe'" in result.output


def test_a_missing_verdicts_file_or_a_folder_says_how_to_write_one(project, tmp_path):
    for path, problem in ((tmp_path / "nope.csv", "no such file"),
                          (tmp_path, "is a folder, not the grey-pairs CSV")):
        result = runner.invoke(app, ["dedupe", "--verdicts", str(path), "-p",
                                     str(project.path)])
        assert result.exit_code == 2, result.output
        assert f"{path}: {problem}" in result.output
        assert "nlp-review dedupe --grey-out FILE" in result.output
