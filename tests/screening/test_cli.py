import csv
import json

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.decisions import current_decisions, decision_history

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_criteria_label_rank(filled, tmp_path):
    project, ids, rows = filled
    p = project.path
    r = run("criteria", "set", "Allergic rhinitis treated with loratadine", "-p", p)
    assert r.exit_code == 0, r.output
    assert "rhinitis" in run("criteria", "show", "-p", p).output
    f = tmp_path / "c.txt"
    f.write_text("Urticaria and antihistamines\n")
    assert run("criteria", "set", "--file", f, "-p", p).exit_code == 0
    r = run("label", "--include", ids[0], "--exclude", ids[1], "--exclude", ids[2], "-p", p,
            "--reviewer", "ana")
    assert r.exit_code == 0, r.output
    decided = current_decisions(project.conn)
    assert decided[ids[0]].label == 1 and decided[ids[1]].label == 0
    assert decided[ids[0]].reviewer == "ana" and decided[ids[0]].origin == "label"
    out = tmp_path / "queue.csv"
    r = run("rank", "--out", out, "-p", p)
    assert r.exit_code == 0, r.output
    queue = list(csv.DictReader(out.open()))
    assert len(queue) == len(ids) - 3
    assert [int(q["rank"]) for q in queue] == list(range(1, len(queue) + 1))
    scores = [float(q["score"]) for q in queue]
    assert scores == sorted(scores, reverse=True)
    assert not {ids[0], ids[1], ids[2]} & {int(q["record_id"]) for q in queue}


def test_label_bad_file_names_the_line_and_imports_nothing(filled, tmp_path):
    project, ids, _ = filled
    f = tmp_path / "d.csv"
    f.write_text(f"record_id,label_included\n{ids[0]},1\n{ids[1]},2\n")
    r = run("label", "--from", f, "-p", project.path)
    assert r.exit_code != 0
    assert "line 3" in r.output and "d.csv" in r.output
    assert current_decisions(project.conn) == {}
    r = run("label", "--include", 987654, "-p", project.path)
    assert r.exit_code != 0 and "987654" in r.output


def test_screen_with_piped_keys(filled):
    project, ids, rows = filled
    # include the first shown, exclude the next, skip one, note + exclude, undo, quit
    keys = "i\ne\ns\nn\nabstract unclear\ne\nu\nq\n"
    r = run("screen", "-p", project.path, "--reviewer", "ben", input=keys)
    assert r.exit_code == 0, r.output
    assert "since last include" in r.output and "record" in r.output
    hist = decision_history(project.conn)
    assert [h["label"] for h in hist] == [1, 0, 0, None]
    assert all(h["reviewer"] == "ben" and h["origin"] == "screen" for h in hist)
    assert hist[2]["note"] == "abstract unclear"
    assert len(current_decisions(project.conn)) == 2


def test_screen_highlights_criteria_terms(filled):
    project, ids, _ = filled
    run("criteria", "set", "rhinitis", "-p", project.path)
    r = run("screen", "-p", project.path, input="q\n")
    assert r.exit_code == 0 and "rhinitis" in r.output.lower()


def test_simulate_writes_order_metrics_and_plot(small_csv, tmp_path):
    out = tmp_path / "sim"
    rows = list(csv.DictReader(small_csv.open()))
    rel = next(r["record_id"] for r in rows if r["label_included"] == "1")
    irr = next(r["record_id"] for r in rows if r["label_included"] == "0")
    r = run("simulate", small_csv, "--prior", rel, "--prior", irr, "--seed", 1, "--out", out)
    assert r.exit_code == 0, r.output
    order = list(csv.DictReader((out / "order.csv").open()))
    assert list(order[0]) == ["position", "record_id", "label"]
    assert {rel, irr}.isdisjoint(o["record_id"] for o in order)
    m = json.loads((out / "metrics.json").read_text())
    for key in ("records", "relevant", "wss@95", "wss@100", "rrf@10", "atd", "loss", "ndcg"):
        assert key in m
    assert m["records"] == len(rows) - 2
    assert (out / "recall.png").read_bytes()[:4] == b"\x89PNG"
    r = run("simulate", small_csv, "--seed", 1, "--seed", 2, "--out", tmp_path / "multi",
            "--all", "--preset", "logistic")
    assert r.exit_code == 0, r.output
    summary = list(csv.DictReader((tmp_path / "multi" / "summary.csv").open()))
    assert [s["seed"] for s in summary] == ["1", "2", "mean"]
    assert len(list(csv.DictReader((tmp_path / "multi" / "seed_2" / "order.csv").open()))) \
        == len(rows) - 2


@pytest.mark.parametrize("case", ["preset", "prior", "one_class", "no_abstracts", "bad_label"])
def test_simulate_bad_input(small_csv, tmp_path, case):
    out = tmp_path / "out"
    args = ["simulate", small_csv, "--out", out]
    text = small_csv.read_text()
    if case == "preset":
        args += ["--preset", "turbo"]
        expect = "elas_u4_fast"
    elif case == "prior":
        args += ["--prior", "no-such-id"]
        expect = "no-such-id"
    else:
        rows = list(csv.DictReader(small_csv.open()))
        for r in rows:
            if case == "one_class":
                r["label_included"] = "0"
            elif case == "no_abstracts":
                r["abstract"] = ""
        if case == "bad_label":
            rows[4]["label_included"] = "maybe"
        bad = tmp_path / "bad.csv"
        with bad.open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        args[1] = bad
        expect = {"one_class": "both classes", "no_abstracts": "abstract",
                  "bad_label": "line 6"}[case]
    del text
    r = run(*args)
    assert r.exit_code != 0
    assert expect in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_commands_have_help():
    for cmd in (["screen"], ["rank"], ["label"], ["simulate"], ["criteria", "set"]):
        r = run(*cmd, "--help")
        assert r.exit_code == 0 and len(r.output) > 100


def test_rank_unknown_preset_and_bad_out_folder(filled, small_csv, tmp_path):
    project, _, _ = filled
    r = run("rank", "--out", tmp_path / "q.csv", "--preset", "quick", "-p", project.path)
    assert r.exit_code != 0 and "svm_poly" in r.output and not (tmp_path / "q.csv").exists()
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    r = run("simulate", small_csv, "--out", blocker / "sub")
    assert r.exit_code != 0 and "cannot create the output folder" in r.output
    assert "Traceback" not in r.output


def test_label_from_a_semicolon_csv_and_a_folder(filled, tmp_path):
    project, ids, _ = filled
    f = tmp_path / "decisions.csv"  # as a spreadsheet saves it in many locales
    f.write_text(f"record_id;label_included\n{ids[0]};1\n{ids[1]};0\n")
    r = run("label", "--from", f, "-p", project.path)
    assert r.exit_code == 0, r.output
    decided = current_decisions(project.conn)
    assert decided[ids[0]].label == 1 and decided[ids[1]].label == 0
    r = run("label", "--from", tmp_path, "-p", project.path)
    assert r.exit_code != 0
    assert "is a folder" in r.output and "Traceback" not in r.output


def _two_exports_of_one_study(tmp_path):
    header = "title,abstract,doi\n"
    study = "Peer mentoring for lonely adolescents,A school programme.,10.1000/peer.1\n"
    other = "Parenting groups in primary care,Parents met weekly.,10.1000/parent.2\n"
    (tmp_path / "pubmed.csv").write_text(header + study + other)
    (tmp_path / "scopus.csv").write_text(header + study)
    p = tmp_path / "proj"
    assert run("init", p).exit_code == 0
    for name in ("pubmed.csv", "scopus.csv"):
        assert run("import", tmp_path / name, "-p", p).exit_code == 0
    assert run("dedupe", "-p", p).exit_code == 0
    return p


def test_one_work_given_both_decisions_through_its_duplicates_is_refused(tmp_path):
    from nlp_review.store.project import open_project

    p = _two_exports_of_one_study(tmp_path)
    proj = open_project(p)
    groups = proj.conn.execute("SELECT id, group_id FROM records ORDER BY id").fetchall()
    proj.close()
    first, second = [rid for rid, gid in groups if gid == groups[0][1]]
    r = run("label", "--include", first, "--exclude", second, "-p", p)
    assert r.exit_code != 0
    assert "both decisions" in r.output and f"record {first}" in r.output
    f = tmp_path / "d.csv"
    f.write_text(f"record_id,label_included\n{first},1\n{second},0\n")
    r = run("label", "--from", f, "-p", p)
    assert r.exit_code != 0
    assert "(line 2)" in r.output and "(line 3)" in r.output and "d.csv" in r.output
    proj = open_project(p)
    assert current_decisions(proj.conn) == {}  # nothing recorded by either call
    proj.close()
    assert run("label", "--include", first, "--include", second, "-p", p).exit_code == 0


@pytest.mark.parametrize("n", [1, 4])
def test_rank_works_on_a_project_of_a_handful_of_records(tmp_path, n):
    rows = ["title,abstract"] + [f"Study {i} of peer support,Abstract {i} about loneliness"
                                 for i in range(n)]
    (tmp_path / "few.csv").write_text("\n".join(rows) + "\n")
    p = tmp_path / "proj"
    assert run("init", p).exit_code == 0
    assert run("import", tmp_path / "few.csv", "-p", p).exit_code == 0
    out = tmp_path / "queue.csv"
    r = run("rank", "--out", out, "-p", p)
    assert r.exit_code == 0, r.output
    assert len(list(csv.DictReader(out.open()))) == n


def test_label_lists_unknown_ids_with_the_other_bad_lines(filled, tmp_path):
    """A decisions file with a bad label (line 3) and an unknown record id (line 4) named
    only line 3; fixed, it failed again on line 4. Every bad line is now listed at once,
    in CSV and in RIS."""
    project, ids, _ = filled
    f = tmp_path / "d.csv"
    f.write_text(f"record_id,label_included\n{ids[0]},1\n{ids[1]},maybe\n99999,0\nabc,1\n")
    r = run("label", "--from", f, "-p", project.path)
    assert r.exit_code != 0
    flat = " ".join(r.output.split())
    assert "3 problem(s)" in flat
    assert "line 3: label_included 'maybe'" in flat
    assert "line 4: no record with id 99999 in the project" in flat
    assert "line 5: record_id 'abc'" in flat
    assert "see `nlp-review rank`" in flat and "nothing was imported" in flat
    assert current_decisions(project.conn) == {}
    ris = tmp_path / "d.ris"
    ris.write_text(f"TY  - JOUR\nID  - {ids[0]}\nTI  - A\nN1  - ASReview_relevant\nER  - \n\n"
                   "TY  - JOUR\nID  - 99999\nTI  - B\nN1  - ASReview_irrelevant\nER  - \n")
    r = run("label", "--from", ris, "-p", project.path)
    assert r.exit_code != 0
    assert "record 2: no record with id 99999" in " ".join(r.output.split())


def test_label_from_a_workbook_cut_short_is_not_called_a_text_encoding_problem(filled,
                                                                              tmp_path):
    import openpyxl

    project, ids, _ = filled
    book = openpyxl.Workbook()
    book.active.append(["record_id", "label_included"])
    book.active.append([ids[0], 1])
    book.save(tmp_path / "decisions.xlsx")
    data = (tmp_path / "decisions.xlsx").read_bytes()
    (tmp_path / "decisions.xlsx").write_bytes(data[: len(data) // 2])  # a cut download
    r = run("label", "--from", tmp_path / "decisions.xlsx", "-p", project.path)
    assert r.exit_code == 2, r.output
    assert "damaged or truncated .xlsx" in r.output
    assert "UTF-8" not in r.output
    assert ids[0] not in current_decisions(project.conn)
