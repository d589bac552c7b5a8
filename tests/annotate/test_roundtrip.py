"""Export then import without edits reproduces exactly the stored tags, for every format."""

from __future__ import annotations

import json

import pytest

from nlp_review.cli.app import app

FORMATS = ["prodigy", "doccano", "labelstudio", "brat"]


def _stored_tags(folder):
    from nlp_review.annotate.tasks import plain_span
    from nlp_review.store.project import open_project
    from nlp_review.store.tags import tags_of

    proj = open_project(folder)
    try:
        ids = [r[0] for r in proj.conn.execute("SELECT id FROM works ORDER BY id")]
        return {f"record:{i}": sorted(tuple(plain_span(s).items()) for s in tags_of(proj.conn, i))
                for i in ids}
    finally:
        proj.close()


def _annotations(folder, annotator):
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(folder)
    try:
        return {k: sorted(tuple(s.items()) for s in by[annotator].spans)
                for k, by in current_annotations(proj.conn).items() if annotator in by}
    finally:
        proj.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_round_trip_is_exact(fmt, tagged, tmp_path, runner):
    out = tmp_path / ("export" if fmt == "brat" else f"export.{fmt}")
    result = runner.invoke(app, ["annotate", "export", "--format", fmt, "--out", str(out),
                                 "-p", str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    result = runner.invoke(app, ["annotate", "import", str(out), "--annotator", "ann",
                                 "-p", str(tagged)])
    assert result.exit_code == 0, result.output + result.stderr
    expected = _stored_tags(tagged)
    assert sum(len(v) for v in expected.values()) > 20  # real abstracts carry real tags
    assert any(dict(s)["negated"] or dict(s)["hedged"] for v in expected.values() for s in v)
    assert _annotations(tagged, "ann") == expected


def test_prodigy_tokens_and_spans_follow_prodigy(tagged, tmp_path, runner):
    out = tmp_path / "p.jsonl"
    runner.invoke(app, ["annotate", "export", "-f", "prodigy", "-o", str(out), "-p",
                        str(tagged)])
    task = json.loads(out.read_text().splitlines()[0])
    assert set(task) == {"text", "tokens", "spans", "meta", "_input_hash", "_task_hash"}
    text, tokens = task["text"], task["tokens"]
    assert all(text[t["start"]:t["end"]] == t["text"] for t in tokens)
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    for s in task["spans"]:
        assert ":" in s["label"]
        assert tokens[s["token_start"]]["start"] == s["start"]
        assert tokens[s["token_end"]]["end"] == s["end"]
    assert task["meta"]["key"].startswith("record:") and len(task["meta"]["text_hash"]) == 40


def test_prodigy_hashes_follow_set_hashes(tagged, tmp_path, runner):
    """_input_hash depends on the text only, _task_hash on the text and the spans; both
    are 32-bit murmurhash values, the same on every export, and kept on import."""
    from nlp_review.annotate.prodigy import parse_prodigy, set_hashes

    out = tmp_path / "p.jsonl"
    again = tmp_path / "p2.jsonl"
    for path in (out, again):
        runner.invoke(app, ["annotate", "export", "-f", "prodigy", "-o", str(path), "-p",
                            str(tagged)])
    tasks = [json.loads(x) for x in out.read_text().splitlines()]
    assert out.read_text() == again.read_text()
    assert len({t["_input_hash"] for t in tasks}) == len(tasks)
    for t in tasks:
        assert -2**31 <= t["_input_hash"] < 2**31 and -2**31 <= t["_task_hash"] < 2**31
    task = tasks[0]
    assert task["spans"]
    fewer = set_hashes({k: v for k, v in task.items() if not k.startswith("_")} |
                       {"spans": task["spans"][1:]})
    assert fewer["_input_hash"] == task["_input_hash"]
    assert fewer["_task_hash"] != task["_task_hash"]
    same_spans = set_hashes({"text": task["text"], "spans": task["spans"]})
    assert same_spans["_task_hash"] == task["_task_hash"]  # tokens/meta are not hashed
    other_text = set_hashes({"text": task["text"] + " ", "spans": task["spans"]})
    assert other_text["_input_hash"] != task["_input_hash"]
    kept = set_hashes({"text": "x", "_input_hash": 1, "_task_hash": 2})
    assert (kept["_input_hash"], kept["_task_hash"]) == (1, 2)  # Prodigy keeps them too
    items = parse_prodigy(out.read_text().splitlines(), str(out), [])
    assert [i.tool_ids for i in items] == [
        {"_input_hash": t["_input_hash"], "_task_hash": t["_task_hash"]} for t in tasks]


def test_labelstudio_config_matches_tasks(tagged, tmp_path, runner):
    out = tmp_path / "ls.json"
    runner.invoke(app, ["annotate", "export", "-f", "labelstudio", "-o", str(out), "-p",
                        str(tagged)])
    config = (tmp_path / "ls.config.xml").read_text()
    from xml.etree import ElementTree

    root = ElementTree.fromstring(config)
    labels = root.find("Labels")
    choices = root.find("Choices")
    assert root.find("Text").get("value") == "$text"
    assert choices.get("perRegion") == "true"
    values = {el.get("value") for el in labels}
    assert "mechanism:TRUST_BUILDING" in values
    for task in json.loads(out.read_text()):
        for item in task["predictions"][0]["result"]:
            if item["type"] == "labels":
                assert item["from_name"] == labels.get("name")
                assert item["to_name"] == root.find("Text").get("name")
                assert item["value"]["labels"][0] in values
                v = item["value"]
                assert task["data"]["text"][v["start"]:v["end"]] == v["text"]
            else:
                assert item["from_name"] == choices.get("name")


def test_brat_files_follow_standoff(tagged, tmp_path, runner):
    out = tmp_path / "brat"
    runner.invoke(app, ["annotate", "export", "-f", "brat", "-o", str(out), "-p",
                        str(tagged)])
    conf = (out / "annotation.conf").read_text()
    assert "mechanism-TRUST_BUILDING" in conf and "Negated\tArg:<ENTITY>" in conf
    ann_files = sorted(out.glob("*.ann"))
    assert len(ann_files) == 8
    seen_attr = False
    for ann in ann_files:
        text = ann.with_suffix(".txt").read_text()
        for line in ann.read_text().splitlines():
            ident, body = line.split("\t")[:2]
            if ident.startswith("T"):
                kind, where = body.split(" ", 1)
                assert ":" not in kind and "-" in kind
                frags = [tuple(map(int, f.split())) for f in where.split(";")]
                shown = line.split("\t")[2]
                assert shown == " ".join(text[a:b] for a, b in frags)
            else:
                seen_attr = True
                assert body.split()[0] in ("Negated", "Hedged")
    assert seen_attr
    # exporting over a non-empty folder is refused, and the folder is untouched
    result = runner.invoke(app, ["annotate", "export", "-f", "brat", "-o", str(out), "-p",
                                 str(tagged)])
    assert result.exit_code == 2 and "not an empty folder" in result.stderr


def test_fulltext_paragraphs_round_trip_with_paragraph_offsets(tagged, tmp_path, runner):
    from nlp_review.store.db import transaction, utcnow
    from nlp_review.store.project import open_project

    first = "Methods\n\nWe recruited foster carers."
    second = "Peer mentoring did not reduce loneliness among care leavers."
    doc_start = len(first) + 2
    proj = open_project(tagged)
    try:
        work = proj.conn.execute("SELECT MIN(id) FROM works").fetchone()[0]
        with transaction(proj.conn):
            fid = proj.conn.execute(
                "INSERT INTO fulltexts(record_id, file_name, file_hash, status, added_at,"
                " updated_at) VALUES (?, 'a.pdf', 'x', 'linked', ?, ?)",
                (work, utcnow(), utcnow())).lastrowid
            for pos, (text, start, taggable) in enumerate([(first, 0, 0),
                                                           (second, doc_start, 1)]):
                proj.conn.execute(
                    "INSERT INTO fulltext_paragraphs(fulltext_id, position, block,"
                    " section_kind, start, end, text, taggable) VALUES (?, ?, 'text',"
                    " 'results', ?, ?, ?, ?)", (fid, pos, start, start + len(text), text,
                                                 taggable))
            pid = proj.conn.execute("SELECT id FROM fulltext_paragraphs WHERE taggable = 1"
                                    ).fetchone()[0]
            a = second.index("loneliness")
            proj.conn.execute(
                "INSERT INTO fulltext_tags(fulltext_id, paragraph_id, start, end, label,"
                " tag_group, negated, hedged, sent_start, sent_end, section_kind) VALUES"
                " (?, ?, ?, ?, 'LONELINESS', 'outcome', 1, 0, ?, ?, 'results')",
                (fid, pid, doc_start + a, doc_start + a + 10, doc_start,
                 doc_start + len(second)))
            proj.conn.execute(
                "INSERT INTO fulltext_tagged(fulltext_id, text_hash, patterns_hash,"
                " n_sentences, n_spans, tagged_at) VALUES (?, 'h', 'p', 1, 1, ?)",
                (fid, utcnow()))
    finally:
        proj.close()
    out = tmp_path / "para.jsonl"
    result = runner.invoke(app, ["annotate", "export", "-f", "doccano", "--unit", "paragraphs",
                                 "-o", str(out), "-p", str(tagged)])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["key"] for r in rows] == [f"paragraph:{pid}"]  # the Methods heading is not taggable
    (start, end, label), = rows[0]["label"]
    assert rows[0]["text"][start:end] == "loneliness" and label == "outcome:LONELINESS"
    assert rows[0]["attributes"] == {f"{start}:{end}:outcome:LONELINESS": ["negated"]}
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", "kim", "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.stderr
    got = _annotations(tagged, "kim")[f"paragraph:{pid}"]
    assert [dict(s) for s in got] == [{"start": start, "end": end, "label": "LONELINESS",
                                       "group": "outcome", "negated": True, "hedged": False}]


def test_brat_folder_gets_the_usual_folder_mode(tagged, tmp_path, runner):
    """The brat export folder was made with mkdtemp and kept its mode 0700: a brat server
    running as another user (the web server's) could not read it. It now gets the mode a
    folder made by the user gets (0755 under umask 022), like the exported files."""
    import os
    import stat

    out = tmp_path / "brat"
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["annotate", "export", "-f", "brat", "-o", str(out), "-p",
                                     str(tagged)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o644 for f in out.iterdir())
