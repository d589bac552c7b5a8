"""Offsets that mean the same characters in every annotation tool.

Each test exports a project holding a real abstract with a character outside the Basic
Multilingual Plane BEFORE the spans (no abstract in the shared datasets holds one: the
first gold test abstract is used with "6310 parents" written "𝑛 = 6310 parents", as text
copied from a PDF gives U+1D45B), edits the file the way the tool writes it back, in the
tool's own offset units, imports it and checks that every span lands on the same words.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from nlp_review.annotate.offsets import OffsetMap, utf16_length
from nlp_review.annotate.tasks import Task
from nlp_review.cli.app import app
from tests.annotate.conftest import GOLD_TEST, build_tagged_project

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "screening"
ASTRAL = "\U0001d45b"  # MATHEMATICAL ITALIC SMALL N
NEW_WORD = "parents and carers"  # the annotator tags it as one span (rules: two)


def _utf16(text: str, offset: int) -> int:
    """How a JavaScript tool counts ``offset``: UTF-16 code units before it."""
    return len(text[:offset].encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def astral_template(tmp_path_factory) -> Path:
    def astral(n: int, abstract: str) -> str:
        if n:
            return abstract
        assert "6310 parents" in abstract
        return abstract.replace("6310 parents", f"{ASTRAL} = 6310 parents", 1)

    return build_tagged_project(tmp_path_factory.mktemp("offsets") / "proj", 3, astral)


@pytest.fixture
def project(astral_template, tmp_path) -> Path:
    folder = tmp_path / "proj"
    shutil.copytree(astral_template, folder)
    return folder


def _stored(folder: Path) -> tuple[dict[str, str], dict[str, list[tuple]]]:
    """Each record's text and its stored tags as (start, end, group:LABEL)."""
    from nlp_review.store.project import open_project
    from nlp_review.store.records import row_to_record
    from nlp_review.store.tags import tags_of

    proj = open_project(folder)
    try:
        texts, tags = {}, {}
        for row in proj.conn.execute("SELECT * FROM works ORDER BY id"):
            key = f"record:{row['id']}"
            texts[key] = row_to_record(row).text
            tags[key] = sorted((t["start"], t["end"], f"{t['group']}:{t['label']}")
                               for t in tags_of(proj.conn, row["id"]))
        return texts, tags
    finally:
        proj.close()


def _imported(folder: Path, who: str) -> dict[str, list[tuple]]:
    from nlp_review.annotate.storage import current_annotations
    from nlp_review.store.project import open_project

    proj = open_project(folder)
    try:
        return {k: sorted((s["start"], s["end"], f"{s['group']}:{s['label']}")
                          for s in by[who].spans)
                for k, by in current_annotations(proj.conn).items() if who in by}
    finally:
        proj.close()


def _export(runner, folder: Path, fmt: str, out: Path) -> Path:
    result = runner.invoke(app, ["annotate", "export", "-f", fmt, "-o", str(out), "-p",
                                 str(folder)])
    assert result.exit_code == 0, result.output + result.stderr
    return out


def _import(runner, folder: Path, path: Path, who: str = "ann", *extra: str):
    return runner.invoke(app, ["annotate", "import", str(path), "-a", who, "-p",
                               str(folder), *extra])


def _the_astral_text(texts: dict[str, str]) -> tuple[str, str, int, int]:
    key = next(k for k, t in texts.items() if ASTRAL in t)
    text = texts[key]
    start = text.index(NEW_WORD, text.index(ASTRAL))
    return key, text, start, start + len(NEW_WORD)


def _expected(tags: dict[str, list[tuple]], key: str, start: int, end: int,
              dropped: tuple) -> dict[str, list[tuple]]:
    want = {k: list(v) for k, v in tags.items()}
    want[key] = sorted([s for s in want[key] if s != dropped]
                       + [(start, end, "population:PARENTS_CARERS")])
    return want


def _last_after_astral(tags: list[tuple], text: str) -> tuple:
    """A stored tag after the astral character (the annotator deletes it)."""
    after = [s for s in tags if s[0] > text.index(ASTRAL)]
    assert after, "the rules tag words after the astral character"
    return after[-1]


def test_the_project_text_has_tags_after_the_astral_character(project):
    texts, tags = _stored(project)
    key, text, start, _ = _the_astral_text(texts)
    assert utf16_length(text) == len(text) + 1
    assert sum(1 for s in tags[key] if s[0] > text.index(ASTRAL)) >= 3
    assert (start, start + len(NEW_WORD), "population:PARENTS_CARERS") not in tags[key]


# -- doccano: UTF-16 code units ------------------------------------------------------------
def test_doccano_offsets_are_utf16_out_and_back(project, tmp_path, runner):
    """doccano's editor (v-annotator) indexes the JavaScript string: a span after an astral
    character sits one unit later than in Python. The export must write doccano's units,
    and what doccano writes back (its export, 'label' lists or, with relations on,
    'entities' dicts with ids) must land on the same words."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "doccano", tmp_path / "d.jsonl")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    line = next(x for x in lines if x["key"] == key)
    # what doccano shows at each exported offset is what we tagged
    for (a, b, label), (s, e, _) in zip(sorted(line["label"]), tags[key]):
        assert a == _utf16(text, s) and b == _utf16(text, e), label
    dropped = _last_after_astral(tags[key], text)
    # doccano's export: ids, the annotator's spans in UTF-16 units, extra fields kept
    line["id"] = 17
    line["label"] = [x for x in line["label"]
                     if (x[0], x[1]) != (_utf16(text, dropped[0]), _utf16(text, dropped[1]))]
    line["label"].append([_utf16(text, start), _utf16(text, end),
                          "population:PARENTS_CARERS"])
    line["Comments"] = []
    out.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                   encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, dropped)


def test_doccano_relation_project_export_is_read(project, tmp_path, runner):
    """With relation labelling on, doccano exports 'entities' dicts (id, label,
    start_offset, end_offset) and 'relations' (data_export/models.py ExportedSpan.to_dict)."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "doccano", tmp_path / "d.jsonl")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    for n, line in enumerate(lines):
        spans = line.pop("label")
        if line["key"] == key:
            spans.append([_utf16(text, start), _utf16(text, end),
                          "population:PARENTS_CARERS"])
        line["entities"] = [{"id": 100 * n + i, "label": c, "start_offset": a,
                             "end_offset": b} for i, (a, b, c) in enumerate(spans)]
        line["relations"] = []
        line["id"] = n + 1
    out.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                   encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, ())


def test_doccano_offset_inside_a_surrogate_pair_is_named(project, tmp_path, runner):
    texts, _ = _stored(project)
    key, text, _, _ = _the_astral_text(texts)
    out = _export(runner, project, "doccano", tmp_path / "d.jsonl")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    line_no = next(n for n, x in enumerate(lines, 1) if x["key"] == key)
    middle = _utf16(text, text.index(ASTRAL)) + 1
    lines[line_no - 1]["label"].append([middle, middle + 5, "population:PARENTS_CARERS"])
    out.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                   encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code != 0
    message = " ".join((result.output + result.stderr).split())
    assert f"line {line_no}" in message and "U+1D45B" in message and "UTF-16" in message
    assert _imported(project, "ann") == {}


# -- Label Studio: code points (UTF-16 before its 2022 fix) ----------------------------------
def _labelstudio_annotation(tasks: list, key: str, region: dict) -> None:
    """Label Studio's JSON export: the annotator kept the predictions and added a region."""
    for task in tasks:
        result = [dict(r) for r in task["predictions"][0]["result"]]
        if task["data"]["key"] == key:
            result.append(region)
        task["id"] = tasks.index(task) + 1
        task["annotations"] = [{"id": task["id"], "completed_by": 1, "result": result,
                                "was_cancelled": False}]


def _region(start: int, end: int, text: str) -> dict:
    return {"id": "new1", "from_name": "label", "to_name": "text", "type": "labels",
            "origin": "manual", "value": {"start": start, "end": end, "text": text,
                                          "labels": ["population:PARENTS_CARERS"]}}


def test_labelstudio_counts_code_points(project, tmp_path, runner):
    """Label Studio's own test (web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts)
    expects "test" in "🐱 Warning: This is a test text" at 21..25: code points, as we
    write them. Pinned: the export is unchanged and the annotator's region lands."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "labelstudio", tmp_path / "ls.json")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    task = next(t for t in tasks if t["data"]["key"] == key)
    for r in task["predictions"][0]["result"]:
        if r["type"] == "labels":
            v = r["value"]
            assert text[v["start"]:v["end"]] == v["text"]
    _labelstudio_annotation(tasks, key, _region(start, end, NEW_WORD))
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, ())


def test_labelstudio_before_2022_counted_utf16(project, tmp_path, runner):
    """Label Studio 1.x before the fix (issues #1008, #1347; label-studio-frontend PR
    #308) wrote regions after an astral character one unit late. Each region carries its
    text, so such a region is read in UTF-16 when that, and only that, matches."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "labelstudio", tmp_path / "ls.json")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    _labelstudio_annotation(tasks, key, _region(_utf16(text, start), _utf16(text, end),
                                                NEW_WORD))
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, ())


# -- Prodigy: code points (Python), token indices from our spaCy tokens -----------------------
def test_prodigy_counts_code_points_and_tokens(project, tmp_path, runner):
    """Prodigy is Python; its manual interfaces build a span from the task's tokens (start,
    end, token_start, token_end). Pinned: tokens and spans in code points, the astral
    character its own token, and a span the annotator added from tokens lands."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "prodigy", tmp_path / "p.jsonl")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    line = next(x for x in lines if x["meta"]["key"] == key)
    tokens = line["tokens"]
    assert all(text[t["start"]:t["end"]] == t["text"] for t in tokens)
    assert any(t["text"] == ASTRAL for t in tokens)
    for s in line["spans"]:
        assert tokens[s["token_start"]]["start"] == s["start"]
        assert tokens[s["token_end"]]["end"] == s["end"]
    first = next(t for t in tokens if t["start"] == start)
    last = next(t for t in tokens if t["end"] == end)
    line["spans"].append({"start": first["start"], "end": last["end"],
                          "token_start": first["id"], "token_end": last["id"],
                          "label": "population:PARENTS_CARERS"})
    for x in lines:
        x["answer"] = "accept"
    out.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                   encoding="utf-8")
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, ())


# -- brat: the server's count (code points on a wide Python build; \r\n counts one) ----------
def _brat_add(folder: Path, stem: str, text_as_brat_reads: str, start: int, end: int) -> None:
    """What brat's server writes for a new entity: the next T id, offsets in its own count
    of the text it read (universal newlines), and that text's characters."""
    ann = folder / f"{stem}.ann"
    lines = ann.read_text(encoding="utf-8").splitlines()
    n = 1 + max([int(x.split("\t")[0][1:]) for x in lines if x.startswith("T")] or [0])
    lines.append(f"T{n}\tpopulation-PARENTS_CARERS {start} {end}\t"
                 f"{text_as_brat_reads[start:end]}")
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_brat_counts_code_points(project, tmp_path, runner):
    """brat's server is Python and reads the .txt as text: an astral character counts 1
    (wide build). Pinned: the exported .ann names the tagged words; an entity added the
    way brat's server writes it lands."""
    texts, tags = _stored(project)
    key, text, start, end = _the_astral_text(texts)
    out = _export(runner, project, "brat", tmp_path / "brat")
    stem = key.replace(":", "-")
    with open(out / f"{stem}.txt", encoding="utf-8") as handle:  # universal newlines
        as_read = handle.read()
    for line in (out / f"{stem}.ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _, where, shown = line.split("\t")
            a, b = where.split(" ")[1], where.split(";")[-1].split(" ")[-1]
            assert as_read[int(a):int(b)].split() == shown.split()
    _brat_add(out, stem, as_read, start, end)
    result = _import(runner, project, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert _imported(project, "ann") == _expected(tags, key, start, end, ())


def _crlf_abstract() -> str:
    """A real abstract with Windows line ends (jeyaraman_2020.csv, the first with CRLF)."""
    with open(SHARED / "jeyaraman_2020.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if "\r\n" in (row["abstract"] or ""):
                return row["title"] + "\n\n" + row["abstract"]
    raise AssertionError("no CRLF abstract in jeyaraman_2020.csv")


def test_brat_counts_a_windows_line_end_as_one_character():
    """brat opens the .txt with universal newlines (server/src/annotation.py open_textfile,
    mode 'rU'), so '\\r\\n' is one character there (nlplab/brat#853). Our text keeps both
    characters: offsets after a line end must be converted both ways."""
    from nlp_review.annotate.brat import parse_ann, task_to_ann

    text = _crlf_abstract()
    assert text.count("\r\n") >= 2
    brat_text = text.replace("\r\n", "\n")
    # spans on words after each line end, as our tagger would store them, plus one
    # running over a line end (written as two brat fragments)
    spans = []
    at = 0
    for _ in range(text.count("\r\n")):
        at = text.index("\r\n", at) + 2
        word = re.search(r"[A-Za-z]{6,}", text[at:])
        spans.append({"start": at + word.start(), "end": at + word.end(), "label": "CHILDREN",
                      "group": "population", "negated": False, "hedged": False})
    first = text.index("\r\n")
    spans.append({"start": first - 4, "end": first + 6, "label": "CHILDREN",
                  "group": "population", "negated": False, "hedged": False})
    cut = text.index("\r\n", first + 1)
    assert any(s["start"] > cut for s in spans)
    ann = task_to_ann(Task("record:1", text, spans))
    for line in ann.splitlines():  # brat shows the words we tagged
        _, where, shown = line.split("\t")
        frags = [[int(x) for x in f.split(" ")[-2:]] for f in where.split(";")]
        assert " ".join(brat_text[a:b] for a, b in frags) == shown
    errors: list = []
    back = parse_ann(text, ann, key="record:1", exported_hash=None, file="x.ann",
                     errors=errors)
    assert not errors and not back.problems
    assert sorted((s["start"], s["end"]) for s in back.spans) == \
        sorted((s["start"], s["end"]) for s in spans)


def test_crlf_offsets_convert_both_ways_on_a_real_abstract():
    text = _crlf_abstract()
    units = OffsetMap(text, "crlf_as_one")
    brat_text = text.replace("\r\n", "\n")
    assert units.length == len(brat_text)
    for offset in range(len(text) + 1):
        if offset and text[offset - 1] == "\r" and text[offset:offset + 1] == "\n":
            continue  # between \r and \n: no place in brat's count
        tool = units.to_tool(offset)
        assert brat_text[:tool] == text[:offset].replace("\r\n", "\n")
        assert units.to_ours(tool) == offset


def test_prodigy_tokens_are_cut_at_every_span_boundary():
    """The tagger splits "child\u2010sized" at the Unicode hyphen and tags "child"; spaCy's
    blank English tokenizer (the export's) keeps "child\u2010sized" whole, so the span's
    token_start..token_end covered "child\u2010sized" (3 of 9,667 rule spans in the gold
    texts of rounds 1-6). Real text: holdout line 23 (ecec_adult_child_ratio:518)."""
    import spacy

    from nlp_review.annotate.prodigy import task_to_prodigy

    text = json.loads((GOLD_TEST.parent / "holdout.jsonl").read_text(
        encoding="utf-8").splitlines()[22])["text"]
    start = text.index("child\u2010sized")
    spans = [{"start": start, "end": start + 5, "label": "CHILDREN", "group": "population",
              "negated": False, "hedged": False}]
    task = task_to_prodigy(Task("record:1", text, spans), spacy.blank("en").tokenizer)
    tokens, span = task["tokens"], task["spans"][0]
    assert tokens[span["token_start"]]["start"] == start
    assert tokens[span["token_end"]]["end"] == start + 5
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
