"""Tagging files without a project, and a project's works incrementally."""

from __future__ import annotations

import json

import pytest

from nlp_review.errors import InputError
from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.records import add_source
from nlp_review.store.tags import tags_of
from nlp_review.tagging.run import read_texts, tag_file, tag_project


def test_jsonl_in_jsonl_out_with_character_offsets(nlp, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Mentoring for refugees in Canada."}) + "\n\n"
                   + json.dumps({"text": "No tags here."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert tag_file(nlp, src, out) == 2
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "3"]
    first = lines[0]
    got = {(first["text"][s["start"]:s["end"]], s["label"], s["group"]) for s in first["spans"]}
    assert got == {("Mentoring", "MENTORING", "intervention"),
                   ("refugees", "MIGRANT_REFUGEE", "population"),
                   ("Canada", "COUNTRY", "setting")}
    assert set(first["spans"][0]) == {"start", "end", "label", "group", "negated", "hedged"}
    assert lines[1]["spans"] == []


def test_csv_text_is_title_blank_line_abstract(nlp, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("record_id,title,abstract\n7,Loneliness in teens,Peer support helped.\n"
                   "8,Only a title,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    tag_file(nlp, src, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == "7"
    assert lines[0]["text"] == Record(title="Loneliness in teens",
                                      abstract="Peer support helped.").text
    assert lines[1]["text"] == "Only a title"
    labels = {s["label"] for s in lines[0]["spans"]}
    assert {"LONELINESS", "ADOLESCENTS", "PEER_SUPPORT"} <= labels


def test_bad_line_names_file_and_line_and_leaves_no_output(nlp, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "fine"}\n{"text": 3}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError) as info:
        tag_file(nlp, src, out)
    assert info.value.line == 2 and info.value.file == str(src)
    assert list(tmp_path.iterdir()) == [src]


def test_csv_without_title_or_abstract_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="title/abstract"):
        list(read_texts(src))


def test_two_processes_give_the_same_tags(nlp, tmp_path):
    src = tmp_path / "in.jsonl"
    texts = [f"Study {i}: young people (YP) in Norway did not report loneliness; YP may "
             "benefit from mentoring." for i in range(40)]
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    tag_file(nlp, src, one, n_process=1)
    tag_file(nlp, src, two, n_process=2)
    assert one.read_text() == two.read_text()
    first = json.loads(one.read_text().splitlines()[0])
    assert any(s["negated"] for s in first["spans"]) and any(s["hedged"] for s in first["spans"])


def _add_works(project, records):
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="test", file_name="t.csv", file_hash="h1",
                            format="csv", records=records)
    return ids


def test_project_tagging_is_incremental(project, nlp):
    ids = _add_works(project, [
        Record(title="Mentoring adolescents", abstract="Mentoring reduced loneliness."),
        Record(title="Parenting programme", abstract="Parents in Kenya were supported."),
    ])
    first = tag_project(project.conn, nlp, "p1")
    assert (first.works, first.tagged, first.unchanged) == (2, 2, 0)
    spans = tags_of(project.conn, ids[0])
    text = Record(title="Mentoring adolescents", abstract="Mentoring reduced loneliness.").text
    assert {(text[s["start"]:s["end"]], s["label"]) for s in spans} >= {
        ("Mentoring", "MENTORING"), ("adolescents", "ADOLESCENTS"),
        ("loneliness", "LONELINESS")}
    again = tag_project(project.conn, nlp, "p1")
    assert (again.tagged, again.unchanged) == (0, 2)
    with transaction(project.conn):
        project.conn.execute("UPDATE works SET abstract = 'Depression fell.' WHERE id = ?",
                             (ids[1],))
    changed = tag_project(project.conn, nlp, "p1")
    assert (changed.tagged, changed.unchanged) == (1, 1)
    assert [s["label"] for s in tags_of(project.conn, ids[1])] == ["FAMILY_SUPPORT",
                                                                   "DEPRESSION"]
    new_patterns = tag_project(project.conn, nlp, "p2")
    assert new_patterns.tagged == 2
