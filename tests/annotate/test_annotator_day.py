"""What an annotation team trips on when files come back from their tools: a brat file
saved by Notepad (byte-order mark), a file in another encoding, an empty file, ..."""

from __future__ import annotations

import json

import pytest

from nlp_review.cli.app import app


def _export(runner, tagged, out, fmt="prodigy", *extra):
    result = runner.invoke(app, ["annotate", "export", "-f", fmt, "-o", str(out), "-p",
                                 str(tagged), *extra])
    assert result.exit_code == 0, result.output + result.stderr
    return out


def _import(runner, tagged, path, annotator="kim", *extra):
    return runner.invoke(app, ["annotate", "import", str(path), "-a", annotator, "-p",
                               str(tagged), *extra])


def _annotations(folder, annotator):
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(folder)
    try:
        return {k: by[annotator].spans for k, by in current_annotations(proj.conn).items()
                if annotator in by}
    finally:
        proj.close()


def _rows(folder):
    from nlp_review.store.project import open_project

    proj = open_project(folder)
    try:
        return proj.conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
    finally:
        proj.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_brat_ann_saved_with_a_byte_order_mark_keeps_its_first_entity(runner, tagged,
                                                                      tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    ann = sorted(p for p in folder.glob("*.ann") if p.read_text(encoding="utf-8"))[0]
    key = json.loads(ann.with_suffix(".json").read_text())["key"]
    n_entities = sum(1 for line in ann.read_text(encoding="utf-8").splitlines()
                     if line.startswith("T"))
    # Windows Notepad saves UTF-8 with a BOM in front of "T1"
    ann.write_text(ann.read_text(encoding="utf-8"), encoding="utf-8-sig")
    result = _import(runner, tagged, folder)
    assert result.exit_code == 0, result.stderr
    assert len(_annotations(tagged, "kim")[key]) == n_entities


def test_brat_line_of_unknown_kind_is_reported_not_skipped(runner, tagged, tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    ann = sorted(folder.glob("*.ann"))[0]
    ann.write_text(ann.read_text(encoding="utf-8") + "X1\tmechanism-RECIPROCITY 0 4\tword\n",
                   encoding="utf-8")
    result = _import(runner, tagged, folder)
    assert result.exit_code == 2
    assert "not a brat annotation line" in _flat(result.stderr)
    assert _rows(tagged) == 0


@pytest.mark.parametrize("fmt", ["prodigy", "doccano", "labelstudio"])
def test_file_in_another_encoding_is_named_with_its_line(runner, tagged, tmp_path, fmt):
    out = _export(runner, tagged, tmp_path / f"{fmt}.json", fmt)
    text = out.read_text(encoding="utf-8")
    # an editor saved it as Windows-1252 after the annotator typed a note with an accent
    text = text.replace('"key"', '"note": "caf\u00e9", "key"', 1)
    out.write_bytes(text.encode("cp1252", errors="replace"))
    line = text[:text.index("caf\u00e9")].count("\n") + 1
    for extra in ([], ["--format", fmt]):
        result = _import(runner, tagged, out, "kim", *extra)
        assert result.exit_code == 2, result.output
        err = _flat(result.stderr)
        assert f"{out}, line {line}: not UTF-8 text" in err and "Traceback" not in err
    assert _rows(tagged) == 0


def test_brat_file_in_another_encoding_is_named(runner, tagged, tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    ann = sorted(folder.glob("*.ann"))[0]
    ann.write_bytes(ann.read_bytes() + "T99\tsetting-SCHOOL 0 4\tcaf\u00e9\n".encode("cp1252"))
    result = _import(runner, tagged, folder)
    assert result.exit_code == 2
    assert f"{ann}" in _flat(result.stderr) and "not UTF-8" in result.stderr
    assert _rows(tagged) == 0


@pytest.mark.parametrize("content", ["", "\n\n", "[]"])
@pytest.mark.parametrize("fmt", [None, "prodigy", "doccano", "labelstudio"])
def test_empty_file_is_an_error_not_zero_texts_stored(runner, tagged, tmp_path, content, fmt):
    if content == "[]" and fmt in ("prodigy", "doccano"):
        pytest.skip("a JSON list is not a JSONL file")
    empty = tmp_path / "empty.json"
    empty.write_text(content)
    result = _import(runner, tagged, empty, "kim", *(["--format", fmt] if fmt else []))
    assert result.exit_code == 2, result.output
    err = _flat(result.stderr)
    assert str(empty) in err and ("empty" in err or "no annotated texts" in err)


def _brat_sections(conf: str) -> dict[str, list[str]]:
    """annotation.conf sections as brat reads them (comments and blank lines dropped)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in conf.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return sections


def test_brat_conf_lets_the_exported_entities_overlap(runner, tagged, tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    overlapping = 0
    for ann in folder.glob("*.ann"):
        spans = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                offsets = line.split("\t")[1].split(" ", 1)[1].replace(";", " ").split()
                spans.append((int(offsets[0]), int(offsets[-1])))
        overlapping += sum(1 for i, a in enumerate(spans) for b in spans[i + 1:]
                           if a[0] < b[1] and b[0] < a[1])
    assert overlapping  # the real abstracts' tags overlap ("preschool" / "preschool children")
    relations = _brat_sections((folder / "annotation.conf").read_text())["relations"]
    # brat (verify_annotations) reports every overlap as an error unless <OVERLAP> allows it
    overlap_rules = [" ".join(r.split()) for r in relations if r.startswith("<OVERLAP>")]
    assert "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in overlap_rules


def _keys(path):
    return [json.loads(line)["key"] for line in path.read_text().splitlines()]


def test_sample_without_which_sample_draws_a_sample(runner, tagged, tmp_path):
    everything = _keys(_export(runner, tagged, tmp_path / "all.jsonl", "doccano"))
    sampled = _keys(_export(runner, tagged, tmp_path / "s.jsonl", "doccano", "--sample", "3",
                            "--seed", "2"))
    same = _keys(_export(runner, tagged, tmp_path / "w.jsonl", "doccano", "--which",
                         "sample", "--sample", "3", "--seed", "2"))
    assert len(everything) == 8 and len(sampled) == 3 and sampled == same
    assert set(sampled) <= set(everything)


def test_sample_of_the_included_works(runner, tagged, tmp_path):
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        ids = [r[0] for r in proj.conn.execute("SELECT id FROM works ORDER BY id")]
    finally:
        proj.close()
    included = ids[:5]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("record_id,label_included\n" + "".join(
        f"{i},{1 if i in included else 0}\n" for i in ids))
    result = runner.invoke(app, ["label", "--from", str(decisions), "-p", str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    got = _keys(_export(runner, tagged, tmp_path / "inc.jsonl", "doccano", "--which",
                        "included", "--sample", "3", "--seed", "1"))
    assert len(got) == 3 and {int(k.split(":")[1]) for k in got} <= set(included)


def _labelstudio_with_two_users(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "ls.json", "labelstudio")
    tasks = json.loads(out.read_text())
    for task in tasks[:3]:
        regions = [r for r in task["predictions"][0]["result"] if r["type"] == "labels"]
        # user 1 (kim) keeps the first region only; user 2 (lee) keeps them all, later
        task["annotations"] = [
            {"id": 1, "completed_by": 1, "was_cancelled": False, "result": regions[:1]},
            {"id": 2, "completed_by": 2, "was_cancelled": False, "result": regions}]
    out.write_text(json.dumps(tasks))
    return out, tasks


def test_labelstudio_file_with_two_users_is_not_stored_as_one(runner, tagged, tmp_path):
    out, tasks = _labelstudio_with_two_users(runner, tagged, tmp_path)
    result = _import(runner, tagged, out, "kim")
    assert result.exit_code == 2
    err = _flat(result.stderr)
    assert "annotations by 2 users of the tool (1, 2)" in err and "--tool-user" in err
    assert _rows(tagged) == 0
    assert _import(runner, tagged, out, "kim", "--tool-user", "1").exit_code == 0
    assert _import(runner, tagged, out, "lee", "--tool-user", "2").exit_code == 0
    kim, lee = _annotations(tagged, "kim"), _annotations(tagged, "lee")
    keys = [t["data"]["key"] for t in tasks[:3]]
    assert sorted(kim) == sorted(lee) == sorted(keys)  # unannotated tasks are nobody's
    for task in tasks[:3]:
        key, n_regions = task["data"]["key"], len(task["annotations"][1]["result"])
        assert len(kim[key]) == 1 and len(lee[key]) == n_regions
    result = _import(runner, tagged, out, "max", "--tool-user", "9")
    assert result.exit_code == 2 and "users in the file: 1, 2" in _flat(result.stderr)


def test_prodigy_file_with_two_sessions_is_split_by_session(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "p.jsonl")
    tasks = [json.loads(x) for x in out.read_text().splitlines()][:3]
    lines = []
    for task in tasks:  # prodigy db-out of a dataset annotated in two named sessions
        for session, spans in (("corr-kim", task["spans"][:1]), ("corr-lee", task["spans"])):
            lines.append({**task, "spans": spans, "answer": "accept", "_view_id":
                          "spans_manual", "_session_id": session, "_annotator_id": session})
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = _import(runner, tagged, out, "kim")
    assert result.exit_code == 2 and "(corr-kim, corr-lee)" in _flat(result.stderr)
    assert _import(runner, tagged, out, "kim", "--tool-user", "kim").exit_code == 0
    assert _import(runner, tagged, out, "lee", "--tool-user", "corr-lee").exit_code == 0
    kim, lee = _annotations(tagged, "kim"), _annotations(tagged, "lee")
    for task in tasks:
        key = task["meta"]["key"]
        assert len(kim[key]) == 1 and len(lee[key]) == len(task["spans"])


def test_brat_text_with_windows_line_endings_is_explained(runner, tagged, tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    txt = sorted(folder.glob("*.txt"))[0]
    key = json.loads(txt.with_suffix(".json").read_text())["key"]
    # copied through a Windows checkout: every LF became CRLF
    txt.write_bytes(txt.read_bytes().replace(b"\n", b"\r\n"))
    result = _import(runner, tagged, folder)
    assert result.exit_code == 2
    err = _flat(result.stderr)
    assert "1 problem(s)" in err  # not one more per span that shifted
    assert f"record {key}: the text now has Windows line endings (CRLF)" in err
    assert _rows(tagged) == 0


def test_text_with_a_byte_order_mark_is_explained(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "d.jsonl", "doccano")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    lines[0]["text"] = "\ufeff" + lines[0]["text"]
    lines[1]["text"] = lines[1]["text"].replace(" ", "  ", 1)  # a real edit
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    err = _flat(_import(runner, tagged, out).stderr)
    assert "line 1, record record:" in err and "starts with a byte-order mark" in err
    assert "line 2, record record:" in err and "changed in the tool after export" in err


def test_same_file_imported_twice_is_reported_unchanged_not_stored_again(runner, tagged,
                                                                          tmp_path):
    out = _export(runner, tagged, tmp_path / "kim.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    lines[0]["spans"] = lines[0]["spans"][1:]
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    first = _import(runner, tagged, out)
    assert first.exit_code == 0 and "8 texts stored" in _flat(first.output)
    again = _import(runner, tagged, out)
    assert again.exit_code == 0
    assert "0 texts stored" in _flat(again.output)
    assert "8 unchanged since kim's last import" in _flat(again.output)
    assert _rows(tagged) == 8
    # one text corrected again: only that one is stored
    lines[1]["spans"] = lines[1]["spans"][1:]
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    third = _import(runner, tagged, out)
    assert "1 texts stored" in _flat(third.output) and "7 unchanged" in _flat(third.output)
    assert _rows(tagged) == 9


def test_same_file_under_a_second_annotator_name_is_warned(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "kim.jsonl")
    assert _import(runner, tagged, out, "kim").exit_code == 0
    typo = _import(runner, tagged, out, "kym")
    assert typo.exit_code == 0
    assert "kim already hold(s) exactly these annotations" in _flat(typo.stderr)
    # the other annotator's own file (same texts, other spans) is not warned about
    other = _export(runner, tagged, tmp_path / "lee.jsonl")
    lines = [json.loads(x) for x in other.read_text().splitlines()]
    lines[0]["spans"] = []
    other.write_text("".join(json.dumps(x) + "\n" for x in lines))
    lee = _import(runner, tagged, other, "lee")
    assert lee.exit_code == 0 and "already hold" not in _flat(lee.stderr)


def test_span_messages_say_what_is_wrong(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "p.jsonl")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    lines[0]["spans"].append({"start": 10, "end": 5, "label": "population:CHILDREN"})
    lines[1]["spans"].append({"start": 0, "end": 4, "label": "setting:NURSERY"})
    lines[2]["spans"].append({"start": "0", "end": 4, "label": "setting:SCHOOL"})
    out.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = _import(runner, tagged, out)
    assert result.exit_code == 2
    err = _flat(result.stderr)
    assert "line 1" in err and "start 10 is not before end 5" in err
    assert "line 2" in err and "label 'setting:NURSERY' is not in the taxonomy" in err
    assert "line 3" in err and "offsets '0'..4 are not whole numbers" in err
    assert _rows(tagged) == 0


def test_evaluate_stored_with_an_unknown_annotator_lists_the_annotators(runner, tagged,
                                                                       tmp_path):
    out = _export(runner, tagged, tmp_path / "kim.jsonl")
    assert _import(runner, tagged, out, "kim").exit_code == 0
    result = runner.invoke(app, ["evaluate", "--stored", "--annotator", "Kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 2
    err = _flat(result.stderr)
    assert "unknown annotator 'Kim'" in err and "valid annotators: kim" in err
    ok = runner.invoke(app, ["evaluate", "--stored", "--annotator", "kim", "-p", str(tagged)])
    assert ok.exit_code == 0, ok.stderr


def test_labelstudio_json_min_export_is_named(runner, tagged, tmp_path):
    out = _export(runner, tagged, tmp_path / "ls.json", "labelstudio")
    tasks = json.loads(out.read_text())
    # Label Studio's JSON-MIN export: data fields flattened, regions under the tag's name
    flat = [{"id": n, **t["data"], "label": [
        {"start": r["value"]["start"], "end": r["value"]["end"], "text": r["value"]["text"],
         "labels": r["value"]["labels"]} for r in t["predictions"][0]["result"]
        if r["type"] == "labels"], "annotator": "kim@example.org", "annotation_id": n}
        for n, t in enumerate(tasks, start=1)]
    out.write_text(json.dumps(flat))
    result = _import(runner, tagged, out)
    assert result.exit_code == 2
    assert "looks like Label Studio's JSON-MIN export" in _flat(result.stderr)


def test_wrong_format_option_says_what_the_file_is(runner, tagged, tmp_path):
    folder = _export(runner, tagged, tmp_path / "brat", "brat")
    result = _import(runner, tagged, folder, "kim", "--format", "prodigy")
    assert result.exit_code == 2
    assert "this is a folder, not an annotation file" in _flat(result.stderr)
    jsonl = _export(runner, tagged, tmp_path / "p.jsonl", "prodigy")
    result = _import(runner, tagged, jsonl, "kim", "--format", "labelstudio")
    assert result.exit_code == 2
    assert "JSON Lines (one task per line), not Label Studio's JSON list" in \
        _flat(result.stderr)
    assert _rows(tagged) == 0


def test_import_interrupted_midway_stores_nothing(runner, tagged, tmp_path, monkeypatch):
    import nlp_review.annotate.exchange as exchange
    from nlp_review.store.project import open_project
    from nlp_review.tagging.patterns import default_models_dir, load_taxonomy

    out = _export(runner, tagged, tmp_path / "p.jsonl")
    stored = []
    real = exchange.add_annotation

    def add_then_interrupt(*args, **kwargs):
        if len(stored) == 4:
            raise KeyboardInterrupt  # Ctrl-C after half the texts
        real(*args, **kwargs)
        stored.append(args[1])

    monkeypatch.setattr(exchange, "add_annotation", add_then_interrupt)
    proj = open_project(tagged)
    try:
        with pytest.raises(KeyboardInterrupt):
            exchange.import_annotations(proj.conn, out, "kim", load_taxonomy(
                default_models_dir() / "taxonomy.json"))
    finally:
        proj.close()
    assert len(stored) == 4 and _rows(tagged) == 0


@pytest.mark.parametrize("fmt,name,want", [("prodigy", "tasks.json", "tasks.jsonl"),
                                           ("labelstudio", "tasks.jsonl", "tasks.json")])
def test_export_named_so_the_tool_would_misread_it_is_warned(runner, tagged, tmp_path, fmt,
                                                             name, want):
    result = runner.invoke(app, ["annotate", "export", "-f", fmt, "-o", str(tmp_path / name),
                                 "-p", str(tagged)])
    assert result.exit_code == 0
    assert f"picks its reader by the file extension: name it {want}" in _flat(result.stderr)
    good = runner.invoke(app, ["annotate", "export", "-f", fmt, "-o", str(tmp_path / want),
                               "-p", str(tagged)])
    assert good.exit_code == 0 and "file extension" not in _flat(good.stderr)
