"""What a two-reviewer team trips on in a screening week (QA walk-through on real exports):
exported decisions read back with `label --from`, decisions given twice or changed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.db import connect
from nlp_review.store.decisions import current_decisions, decision_history
from nlp_review.store.project import DB_NAME

runner = CliRunner()
EXPORTS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "dedup"
           / "multi_database_exports")
PSYCINFO = EXPORTS / "20221207_gambling-harms_psycinfo_124.ris"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _project(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    _run("init", str(project))
    _run("import", str(PSYCINFO), "-p", str(project))
    return project


def _decisions(project: Path) -> dict[int, tuple[int, str]]:
    conn = connect(project / DB_NAME)
    try:
        return {w: (d.label, d.reviewer) for w, d in current_decisions(conn).items()}
    finally:
        conn.close()


@pytest.mark.parametrize("suffix", ["csv", "ris"])
def test_an_export_of_every_record_reads_back_with_label_from(tmp_path, suffix):
    screened = _project(tmp_path, "screened")
    _run("label", "--include", "3", "--include", "40", "--exclude", "1", "--exclude", "77",
         "--reviewer", "ana", "-p", str(screened))
    out = tmp_path / f"all.{suffix}"
    _run("export", "--which", "all", "--out", str(out), "-p", str(screened))
    # the same search imported by the second reviewer's copy of the project
    copy = _project(tmp_path, "copy")
    output = _run("label", "--from", str(out), "--reviewer", "ben", "-p", str(copy))
    assert "Recorded 4 decision(s)" in output
    assert {w: l for w, (l, _) in _decisions(copy).items()} == {3: 1, 40: 1, 1: 0, 77: 0}
    # read back into the project it came from: nothing new, the reviewer stays ana
    output = _run("label", "--from", str(out), "--reviewer", "ben", "-p", str(screened))
    assert "Recorded 0 decision(s); 4 already recorded, unchanged" in output
    assert {r for _, (_, r) in _decisions(screened).items()} == {"ana"}


def test_a_changed_decision_says_whose_decision_it_replaced(tmp_path):
    project = _project(tmp_path, "review")
    _run("label", "--include", "5", "--reviewer", "ana", "-p", str(project))
    output = _run("label", "--include", "5", "--reviewer", "ben", "-p", str(project))
    assert "Recorded 0 decision(s); 1 already recorded, unchanged" in output
    output = _run("label", "--exclude", "5", "--reviewer", "ben", "-p", str(project))
    assert "1 decision(s) changed" in output
    assert "record 5: include by ana" in output and "replaced by exclude by ben" in output
    conn = connect(project / DB_NAME)
    assert [(r["label"], r["reviewer"]) for r in decision_history(conn)] == [(1, "ana"),
                                                                              (0, "ben")]
    conn.close()


def test_a_ris_file_without_decisions_is_refused_with_what_to_do(tmp_path):
    project = _project(tmp_path, "review")
    result = runner.invoke(app, ["label", "--from", str(PSYCINFO), "-p", str(project)])
    assert result.exit_code != 0
    assert "none of the 124 RIS records carries a decision" in result.output
    assert _decisions(project) == {}


def test_rank_when_every_record_is_decided_says_so(tmp_path, monkeypatch):
    project = _project(tmp_path, "review")
    out = tmp_path / "all.csv"
    _run("export", "--out", str(out), "-p", str(project))
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    decided = tmp_path / "decided.csv"
    decided.write_text("record_id,label_included\n" +
                       "".join(f"{r['record_id']},0\n" for r in rows))
    _run("label", "--from", str(decided), "-p", str(project))
    import nlp_review.screening.session as session

    def no_model(*args, **kwargs):
        raise AssertionError("the model was built although nothing is left to rank")

    monkeypatch.setattr(session, "ScreeningSession", no_model)
    output = _run("rank", "--out", str(tmp_path / "queue.csv"), "-p", str(project))
    assert "Nothing left to rank: every record has a decision" in output
    assert (tmp_path / "queue.csv").read_text().startswith("rank,record_id,score")


def _second_reviewer_decides_first(monkeypatch, project: Path, label: int) -> list[int]:
    """Make 'ben', in another connection, decide each record just after it is shown."""
    import nlp_review.screening.session as session
    from nlp_review.store.screening import decide_if_undecided

    shown: list[int] = []
    original = session.ScreeningSession.next_work

    def next_work(self):
        work = original(self)
        if work is not None and not shown:
            shown.append(work.work_id)
            other = connect(project / DB_NAME)
            decide_if_undecided(other, work.work_id, label, reviewer="ben")
            other.close()
        return work

    monkeypatch.setattr(session.ScreeningSession, "next_work", next_work)
    return shown


def test_screening_a_record_another_reviewer_decided_differently_says_so(tmp_path,
                                                                        monkeypatch):
    project = _project(tmp_path, "review")
    shown = _second_reviewer_decides_first(monkeypatch, project, 0)
    result = runner.invoke(app, ["screen", "--reviewer", "ana", "-p", str(project)],
                           input="i\nq\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"Disagreement: ben had already decided record {shown[0]} (exclude)" in text
    assert f"nlp-review label --include {shown[0]} --reviewer ana" in text
    assert _decisions(project) == {shown[0]: (0, "ben")}


def test_screening_a_record_another_reviewer_decided_alike_says_so(tmp_path, monkeypatch):
    project = _project(tmp_path, "review")
    shown = _second_reviewer_decides_first(monkeypatch, project, 1)
    result = runner.invoke(app, ["screen", "--reviewer", "ana", "-p", str(project)],
                           input="i\nq\n")
    assert result.exit_code == 0, result.output
    assert "ben had already decided this record the same way (include)" in \
        " ".join(result.output.split())
    assert _decisions(project) == {shown[0]: (1, "ben")}


def test_the_csv_export_says_who_decided_each_record_and_their_note(tmp_path):
    project = _project(tmp_path, "review")
    result = runner.invoke(app, ["screen", "--reviewer", "ana", "-p", str(project)],
                           input="n\nchildren under 12 only\ni\ne\nq\n")
    assert result.exit_code == 0, result.output
    _run("label", "--exclude", "100", "--reviewer", "ben", "-p", str(project))
    out = tmp_path / "all.csv"
    _run("export", "--out", str(out), "-p", str(project))
    with open(out, newline="", encoding="utf-8") as fh:
        rows = {int(r["record_id"]): r for r in csv.DictReader(fh)}
    decided = {rid: (r["label_included"], r["decided_by"], r["decision_note"])
               for rid, r in rows.items() if r["label_included"]}
    assert sorted(decided.values()) == [("0", "ana", ""), ("0", "ben", ""),
                                        ("1", "ana", "children under 12 only")]
    assert decided[100] == ("0", "ben", "")
    assert all(r["decided_at"].startswith("20") for r in rows.values() if r["label_included"])
    assert all(not r["decided_by"] for r in rows.values() if not r["label_included"])


def test_status_says_who_made_the_current_decisions_in_a_team(tmp_path):
    project = _project(tmp_path, "review")
    _run("label", "--include", "3", "--exclude", "4", "--exclude", "5", "--reviewer", "ana",
         "-p", str(project))
    output = _run("status", "-p", str(project))
    assert "decided by" not in output  # one reviewer: nothing to tell apart
    _run("label", "--include", "6", "--exclude", "5", "--reviewer", "ben", "-p", str(project))
    _run("label", "--include", "4", "--reviewer", "ben", "-p", str(project))
    output = " ".join(_run("status", "-p", str(project)).split())
    assert "decided by ana 2 (1 included); ben 2 (2 included)" in output


def test_quitting_says_what_this_reviewer_decided_apart_from_the_project(tmp_path):
    project = _project(tmp_path, "review")
    _run("label", "--include", "50", "--exclude", "51", "--reviewer", "ben", "-p", str(project))
    result = runner.invoke(app, ["screen", "--reviewer", "ana", "-p", str(project)],
                           input="e\ne\ne\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert ("You decided 2 record(s) in this session; the project has 4 screened, 1 included"
            in " ".join(result.output.split()))


def test_dedupe_help_shows_no_machine_user_as_the_reviewer_default(tmp_path):
    import getpass

    output = _run("dedupe", "--help")
    text = " ".join(output.split())
    assert "Who gives verdicts (default: the OS user)." in text
    assert f"[default: {getpass.getuser()}]" not in text  # was '[default: root]'
