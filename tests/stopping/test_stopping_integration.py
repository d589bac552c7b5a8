"""Stopping rules wired into `nlp-review simulate --stop` and `nlp-review screen`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.records import Record
from nlp_review.screening.session import ScreeningSession
from nlp_review.stopping.report import stopping_report
from nlp_review.store.db import transaction
from nlp_review.store.decisions import add_decision, current_decisions
from nlp_review.store.records import add_source

SCREENING = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "screening"
runner = CliRunner()


def test_simulate_records_where_each_rule_stops(tmp_path):
    out = tmp_path / "sim"
    data = SCREENING / "cohen_antihistamines.csv"
    result = runner.invoke(app, ["simulate", str(data), "--out", str(out), "--seed", "1",
                                 "--stop", "buscar", "--stop", "safe-50", "--stop", "counting"])
    assert result.exit_code == 0, result.output
    assert "Where each stopping rule stops" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    stops = metrics["stopping"]
    assert set(stops) == {"buscar", "safe-50", "counting"}
    with open(data, newline="", encoding="utf-8") as fh:
        total = len(list(csv.DictReader(fh)))
    for entry in stops.values():
        assert abs(entry["work_saved"] - (1 - entry["screened"] / total)) < 1e-3
    b = stops["buscar"]
    assert b["random_sample"] > 0 and b["switched_to_random_at"] is not None
    assert b["screened"] == b["switched_to_random_at"] + b["random_sample"]
    c = stops["counting"]  # the counting-process rule needs no random sample
    assert c["random_sample"] == 0 and c["switched_to_random_at"] is None
    assert "rate" in c["reason"] or "relevant found" in c["reason"] or c["screened"] == total
    assert (out / "recall.png").stat().st_size > 0


def test_simulate_rejects_unknown_rule_before_writing(tmp_path):
    out = tmp_path / "sim"
    result = runner.invoke(app, ["simulate", str(SCREENING / "cohen_antihistamines.csv"),
                                 "--out", str(out), "--stop", "kneee"])
    assert result.exit_code == 2
    assert "unknown stopping rule 'kneee'" in result.output
    assert not out.exists()


def test_screen_switches_to_random_sample_mode(project):
    with open(SCREENING / "cohen_antihistamines.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="cohen", file_name="c.csv", file_hash="h",
                            format="csv", records=[Record(title=r["title"],
                                                          abstract=r["abstract"])
                                                   for r in rows])
    labels = {i: int(r["label_included"]) for i, r in zip(ids, rows)}
    relevant = [i for i in ids if labels[i]]
    # a few includes, then 50 excludes in a row: the ranking has flattened
    for rid in relevant[:5]:
        add_decision(project.conn, rid, 1, reviewer="ann", origin="screen")
    for rid in [i for i in ids if not labels[i]][:50]:
        add_decision(project.conn, rid, 0, reviewer="ann", origin="screen")
    session = ScreeningSession(project.conn, reviewer="ann")
    work = session.next_work()
    assert session.random_sample
    assert work.work_id not in current_decisions(project.conn)
    assert session.decide(work.work_id, labels[work.work_id])
    assert current_decisions(project.conn)[work.work_id].origin == "sample"
    report = stopping_report(project.conn, rules=["buscar"])
    assert report.random_sample == 1
    assert dict(report.verdicts)["buscar"].numbers["random_sample"] == 1
