"""Agreement between annotators, adjudication, and scoring the tagger on stored gold."""

from __future__ import annotations

import json

import pytest

from nlp_review.cli.app import app


def test_compare_spans_exact_and_overlap():
    from nlp_review.annotate.agreement import compare_spans

    a = [{"start": 0, "end": 5, "label": "X", "group": "g"},
         {"start": 10, "end": 20, "label": "Y", "group": "g"}]
    b = [{"start": 0, "end": 5, "label": "X", "group": "g"},
         {"start": 12, "end": 20, "label": "Y", "group": "g"},
         {"start": 30, "end": 35, "label": "Y", "group": "g"}]
    c = compare_spans(a, b)
    assert c["*"].exact_f1 == pytest.approx(2 * 1 / 5)
    # overlap: A 2/2 found, B 2/3 found
    assert c["*"].overlap_f1 == pytest.approx(2 * 1 * (2 / 3) / (1 + 2 / 3))
    assert c["X"].exact_f1 == 1.0 and c["Y"].exact_f1 == 0.0


def test_merge_rules():
    from nlp_review.annotate.agreement import merge

    def s(start, label="X", negated=False):
        return {"start": start, "end": start + 3, "label": label, "group": "g",
                "negated": negated, "hedged": False}

    versions = [[s(0), s(10)], [s(0, negated=True), s(20)], [s(0, negated=True), s(10)]]
    assert [x["start"] for x in merge(versions, "union")] == [0, 10, 20]
    assert [x["start"] for x in merge(versions, "intersection")] == [0]
    majority = merge(versions, "majority")
    assert [x["start"] for x in majority] == [0, 10]
    assert majority[0]["negated"] is True  # 2 of 3 said negated


def _edited_doccano(runner, tagged, tmp_path, name, drop_every):
    out = tmp_path / f"{name}.jsonl"
    result = runner.invoke(app, ["annotate", "export", "-f", "doccano", "-o", str(out), "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    for line in lines:
        line["label"] = [x for i, x in enumerate(line["label"], start=1)
                         if not drop_every or i % drop_every]
    out.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["annotate", "import", str(out), "-a", name, "-p",
                                 str(tagged)])
    assert result.exit_code == 0, result.stderr
    return lines


def test_agreement_adjudicate_and_evaluate_stored(runner, tagged, tmp_path):
    result = runner.invoke(app, ["agreement", "-p", str(tagged)])
    assert result.exit_code == 2 and "two or more annotators" in result.stderr
    _edited_doccano(runner, tagged, tmp_path, "ann", drop_every=0)  # keeps every span
    bob = _edited_doccano(runner, tagged, tmp_path, "bob", drop_every=3)  # drops every third span
    result = runner.invoke(app, ["agreement", "-p", str(tagged)])
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.output.split())
    assert "ann vs bob: 8 shared texts" in out
    row = next(line for line in result.output.splitlines() if "all labels" in line)
    cells = [c.strip() for c in row.split("│") if c.strip()]
    n_ann, n_bob = int(cells[3]), int(cells[4])
    assert n_bob == sum(len(x["label"]) for x in bob) and n_bob < n_ann
    assert float(cells[1]) == pytest.approx(2 * n_bob / (n_ann + n_bob), abs=0.006)
    assert "kappa on token labels per group" in out

    result = runner.invoke(app, ["annotate", "adjudicate", "--rule", "intersection",
                                 "--by", "chair", "-p", str(tagged)])
    assert result.exit_code == 0, result.stderr
    assert f"Gold written for 8 texts ({n_bob} spans)" in result.output
    from nlp_review.annotate.storage import stored_gold
    from nlp_review.store.project import open_project

    proj = open_project(tagged)
    try:
        gold = stored_gold(proj.conn)
    finally:
        proj.close()
    assert {g.decided_by for g in gold.values()} == {"chair"}
    assert {g.method for g in gold.values()} == {"rule:intersection"}
    assert all(g.annotators == ["ann", "bob"] for g in gold.values())

    # the stored tags equal "ann"'s version, so the tagger scores 1.0 against it, and
    # against the adjudicated gold (bob's subset) its precision falls and recall stays 1
    result = runner.invoke(app, ["evaluate", "--stored", "--annotator", "ann", "-p",
                                 str(tagged), "--no-labels"])
    assert result.exit_code == 0, result.stderr
    assert "1.00" in result.output
    assert "(annotator ann's annotations)" in result.output  # says what was scored against
    for line in result.output.splitlines():  # no score under 1 but on an empty row (an
        if "0.00 " in line:                    # attribute no text of the sample has)
            counts = [c.strip() for c in line.split("│")[1:-1]][-2:]
            assert counts == ["0", "0"], line
    report = tmp_path / "patterns.json"
    result = runner.invoke(app, ["evaluate", "--stored", "-p", str(tagged), "--no-labels",
                                 "--patterns-json", str(report)])
    assert result.exit_code == 0, result.stderr
    assert "(stored gold)" in result.output
    data = json.loads(report.read_text())
    n_false = sum(r["n_false_hits"] for g in data.values() for r in g.values())
    n_unreached = sum(r["n_unreached"] for g in data.values() for r in g.values())
    assert n_unreached == 0 and n_false > 0
    ann_lines = [json.loads(x) for x in (tmp_path / "ann.jsonl").read_text().splitlines()]
    removed_labels = {item[2].split(":")[1] for a, b in zip(ann_lines, bob)
                      for item in a["label"] if item not in b["label"]}
    false_labels = {label for g in data.values() for label, r in g.items() if r["n_false_hits"]}
    assert false_labels <= removed_labels
    pattern_ids = {p["pattern_id"] for g in data.values() for r in g.values()
                   for p in r["false_hits_by_pattern"]}
    assert any(":" in pid for pid in pattern_ids)  # real pattern ids from the SpanRuler

    result = runner.invoke(app, ["annotate", "adjudicate", "--prefer", "nobody", "-p",
                                 str(tagged)])
    assert result.exit_code == 2 and "valid annotators: ann, bob" in result.stderr
