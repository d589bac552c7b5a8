"""Importing corrections: answers, validation of every span, text-hash checks."""

from __future__ import annotations

import json

from nlp_review.cli.app import app


def _export(runner, tagged, out, fmt="prodigy", *extra):
    result = runner.invoke(app, ["annotate", "export", "-f", fmt, "-o", str(out), "-p",
                                 str(tagged), *extra])
    assert result.exit_code == 0, result.output + result.stderr
    return out


def _count(tagged, sql="SELECT COUNT(*) FROM annotations"):
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        return proj.conn.execute(sql).fetchone()[0]
    finally:
        proj.close()


def test_prodigy_answers_reject_and_ignore(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "p.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    lines[0]["answer"] = "reject"
    lines[1]["answer"] = "ignore"
    lines[2]["answer"] = "accept"
    lines[2]["spans"] = lines[2]["spans"][:1]  # the annotator removed all but one span
    lines[2]["_input_hash"], lines[2]["_task_hash"] = 123, 456  # as Prodigy adds them
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    assert "6 texts stored" in result.output and "1 rejected" in result.output \
        and "1 ignored" in result.output
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        accepted = current_annotations(proj.conn)
        everything = current_annotations(proj.conn, accepted_only=False)
    finally:
        proj.close()
    assert len(accepted) == 6 and len(everything) == 7  # ignored: not stored at all
    assert len(accepted[lines[2]["meta"]["key"]]["kim"].spans) == 1
    assert everything[lines[0]["meta"]["key"]]["kim"].answer == "reject"


def test_bad_spans_and_edited_text_are_all_reported_and_nothing_stored(runner, tagged,
                                                                        tmp_path):
    out = _export(runner, tagged, tmp_path / "d.jsonl", "doccano")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    n = len(lines[0]["text"])
    lines[0]["label"].append([n - 2, n + 5, "population:CHILDREN"])
    lines[1]["label"].append([0, 4, "population:ALIENS"])
    lines[2]["text"] = lines[2]["text"].replace(" ", "  ", 1)
    lines[3]["label"].append([0, 4, "setting:CHILDREN"])
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert "4 problem(s)" in err
    assert f"{out}, line 1" in err and "outside the text" in err
    assert "line 2" in err and "'population:ALIENS' is not in the taxonomy" in err
    assert "line 3" in err and "changed in the tool after export" in err
    assert "line 4" in err and "belongs to group population, not setting" in err
    assert "record:" in err  # the task is named by its text key
    assert _count(tagged) == 0


def test_text_changed_in_project_since_export(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "ls.json", "labelstudio")
    from nlp_review.store.db import transaction
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        first = proj.conn.execute("SELECT MIN(id) FROM works").fetchone()[0]
        with transaction(proj.conn):
            proj.conn.execute("UPDATE works SET abstract = abstract || ' Updated.' WHERE id = ?",
                              (first,))
    finally:
        proj.close()
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert f"text record:{first} changed in the project since export" in err
    assert "task 1" in err


def test_labelstudio_annotations_and_cancelled_tasks(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "ls.json", "labelstudio")
    tasks = json.loads(out.read_text())
    # as Label Studio exports: an annotation replaces the predictions; a skipped task
    tasks[0]["annotations"] = [{"completed_by": 1, "was_cancelled": False,
                                "result": [r for r in tasks[0]["predictions"][0]["result"]
                                           if r["type"] == "labels"][:2]}]
    tasks[1]["annotations"] = [{"completed_by": 1, "was_cancelled": True, "result": []}]
    out.write_text(json.dumps(tasks))
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "lee", "-p",
                                 str(tagged), "--format", "labelstudio"])
    assert result.exit_code == 0, result.stderr
    # the 6 tasks nobody annotated are not read as the annotator's (their predictions are
    # the rule tags, which no one checked)
    assert "1 texts stored" in result.output and "7 ignored" in result.output
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        got = current_annotations(proj.conn)[tasks[0]["data"]["key"]]["lee"].spans
    finally:
        proj.close()
    assert len(got) == 2 and not any(s["negated"] or s["hedged"] for s in got)


def test_unknown_format_content_is_named(runner, tagged, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\n")
    result = runner.invoke(app, ["annotate", "import", str(bad), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    assert "cannot tell the annotation format" in result.stderr


def test_sample_and_least_confident_selection(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "s.jsonl", "doccano", "--which", "sample",
                  "--sample", "3", "--seed", "4")
    assert len(out.read_text().splitlines()) == 3
    again = _export(runner, tagged, tmp_path / "s2.jsonl", "doccano", "--which", "sample",
                    "--sample", "3", "--seed", "4")
    assert again.read_text() == out.read_text()
    out = _export(runner, tagged, tmp_path / "lc.jsonl", "doccano", "--least-confident", "2")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 2

    def unsure(row):
        flagged = sum(1 for v in row["attributes"].values() if v)
        return flagged / len(row["label"]) if row["label"] else 0.0

    everything = [json.loads(x) for x in _export(runner, tagged, tmp_path / "all.jsonl",
                                                 "doccano").read_text().splitlines()]
    assert min(unsure(r) for r in rows) >= max(
        unsure(r) for r in everything if r["key"] not in {x["key"] for x in rows})
    result = runner.invoke(app, ["annotate", "export", "-f", "doccano", "-o",
                                 str(tmp_path / "x.jsonl"), "-p", str(tagged), "--which",
                                 "included"])
    assert result.exit_code == 2 and "no work is included yet" in result.stderr


def test_span_text_that_disagrees_with_its_offsets_is_reported(runner, tagged, tmp_path):
    out = tmp_path / "brat"
    _export(runner, tagged, out, "brat")
    ann = sorted(out.glob("*.ann"))[0]
    ann.write_text(ann.read_text() + "T99\toutcome-ANXIETY 0 5\tworry\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert f"{ann}" in err and "T99 says 'worry' but the text at 0..5 is" in err
    assert _count(tagged) == 0


def test_prodigy_hashes_survive_a_round_trip(runner, tagged, tmp_path):
    """Prodigy's _input_hash/_task_hash on an imported task are stored with the annotation
    and written back when the same text is exported again; a text changed since gets
    fresh hashes (Prodigy must see it as new)."""
    out = _export(runner, tagged, tmp_path / "p.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    computed = {x["meta"]["key"]: (x["_input_hash"], x["_task_hash"]) for x in lines}
    for k, x in enumerate(lines):  # as a Prodigy dataset holds them (its own numbers)
        x["answer"] = "accept"
        x["_input_hash"], x["_task_hash"] = 1000 + k, -2000 - k
    lines[1]["spans"] = lines[1]["spans"][1:]  # an edit does not change what was stored
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.db import transaction
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        stored = current_annotations(proj.conn)
        assert stored[lines[0]["meta"]["key"]]["kim"].tool_ids == {
            "_input_hash": 1000, "_task_hash": -2000}
        changed = int(lines[2]["meta"]["key"].split(":")[1])
        with transaction(proj.conn):
            proj.conn.execute("UPDATE works SET abstract = abstract || ' Updated.' "
                              "WHERE id = ?", (changed,))
    finally:
        proj.close()
    again = [json.loads(x) for x in _export(runner, tagged, tmp_path / "p2.jsonl")
             .read_text().splitlines()]
    by_key = {x["meta"]["key"]: x for x in again}
    for k, x in enumerate(lines):
        back = by_key[x["meta"]["key"]]
        if k == 2:
            assert (back["_input_hash"], back["_task_hash"]) != (1002, -2002)
            assert back["_input_hash"] != computed[x["meta"]["key"]][0]  # new text
        else:
            assert (back["_input_hash"], back["_task_hash"]) == (1000 + k, -2000 - k)
    # the other formats carry no tool ids and are unchanged by it
    doccano = _export(runner, tagged, tmp_path / "d.jsonl", "doccano").read_text()
    assert "_input_hash" not in doccano


def test_prodigy_partial_or_non_integer_hashes_are_not_stored(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "p.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    del lines[0]["_task_hash"]
    lines[1]["_input_hash"] = "abc"
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        stored = current_annotations(proj.conn)
    finally:
        proj.close()
    assert stored[lines[0]["meta"]["key"]]["kim"].tool_ids == {}
    assert stored[lines[1]["meta"]["key"]]["kim"].tool_ids == {}
    assert stored[lines[2]["meta"]["key"]]["kim"].tool_ids == {
        "_input_hash": lines[2]["_input_hash"], "_task_hash": lines[2]["_task_hash"]}


def test_a_doccano_zip_is_named_with_its_members(runner, tagged, tmp_path):
    """doccano exports a non-collaborative project as a zip of USERNAME.jsonl files; given
    the zip, `annotate import` said 'line 1: not UTF-8 text (byte 0x.. cannot be read)' and
    'save it as UTF-8'. It now says it is a zip, lists the members and how to import each."""
    import zipfile

    out = tmp_path / "tasks.jsonl"
    runner.invoke(app, ["annotate", "export", "-f", "doccano", "-o", str(out), "-p",
                        str(tagged)])
    archive = tmp_path / "project.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(out, "kim.jsonl")
        z.write(out, "lee.jsonl")
    result = runner.invoke(app, ["annotate", "import", str(archive), "--annotator", "kim",
                                 "-p", str(tagged)])
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "a zip archive, not an annotation file (it holds kim.jsonl, lee.jsonl)" in said
    assert "nlp-review annotate import kim.jsonl --annotator kim" in said
    assert "UTF-8" not in said


def test_a_label_studio_export_cut_short_says_what_to_do(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "ls.json", "labelstudio")
    data = out.read_text()
    out.write_text(data[: len(data) // 2])  # a download or copy cut off
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    assert f"{out}, line " in result.stderr and "not valid JSON" in result.stderr
    assert "export it from Label Studio again" in result.stderr
    assert _count(tagged) == 0
