from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import NotFoundError, ProjectError
from nlp_review.evidence.build import build_evidence
from nlp_review.evidence.export import render_html, write_csv, write_xlsx
from nlp_review.fulltext.ingest import add_fulltexts
from nlp_review.fulltext.tagging import tag_fulltexts
from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.decisions import add_decision
from nlp_review.store.project import init_project
from nlp_review.store.records import add_source

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"

ABSTRACT = ("Peer mentors built trusting relationships with looked-after children at school. "
            "Mentoring may reduce loneliness among adolescents in foster care.")


@pytest.fixture(scope="module")
def nlp():
    from nlp_review.tagging.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, nlp):
    """A project with two included studies with full texts, one included study with only an
    abstract, and one excluded study."""
    from nlp_review.tagging.run import tag_project

    path = tmp_path_factory.mktemp("ev") / "proj"
    project = init_project(path)
    recs = [Record(title="Uncovering treatment burden as a key concept for stroke care",
                   doi="10.1371/journal.pmed.1001473", authors=["Gallacher, K"], year=2013),
            Record(title="Patient experiences of structured heart failure programmes",
                   authors=["Tully, NE"], year=2010),
            Record(title="Peer mentoring for children in care", abstract=ABSTRACT,
                   authors=["Smith, J"], year=2020),
            Record(title="Acupuncture and counselling for depression in primary care",
                   doi="10.1371/journal.pmed.1001518")]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="s", file_name="s.ris", file_hash="x",
                            format="ris", records=recs)
    for rid, label in zip(ids, (1, 1, 1, 0)):
        add_decision(project.conn, rid, label, reviewer="t", origin="screen")
    add_fulltexts(project, [FULLTEXT / "jats/allofplos/journal.pmed.1001473.xml",
                            FULLTEXT / "pdf/cermine/test2.pdf",
                            FULLTEXT / "jats/allofplos/journal.pmed.1001518.xml"])
    tag_fulltexts(project.conn, nlp, "p")
    tag_project(project.conn, nlp, "p")
    yield project, ids
    project.close()


def test_rows_per_study_and_mechanism_with_status_and_sources(reviewed):
    project, ids = reviewed
    table = build_evidence(project.conn)
    assert [s.id for s in table.studies] == ids[:3]  # the excluded study is left out
    assert [s.source for s in table.studies] == ["fulltext", "fulltext", "abstract"]
    by = {(r.study_id, r.mechanism): r for r in table.rows}
    support = by[(ids[0], "EMOTIONAL_PRACTICAL_SUPPORT")]
    assert support.status == "reported" and support.n_sentences >= 5
    assert all(s.section in {"abstract", "introduction", "methods", "results", "discussion",
                             "conclusion", "title", "other"} for s in support.sentences)
    assert {"abstract", "results"} <= {s.section for s in support.sentences}
    # test2.pdf: pages kept on the supporting sentences.
    pdf_rows = [r for r in table.rows if r.study_id == ids[1]]
    assert pdf_rows and all(1 <= s.page <= 6 for r in pdf_rows for s in r.sentences)
    # The abstract-only study: trust building in the same sentence as children / school.
    trust = by[(ids[2], "TRUST_BUILDING")]
    assert trust.source == "abstract"
    assert "CARE_EXPERIENCED" in trust.populations or "CHILDREN" in trust.populations
    assert "SCHOOL" in trust.settings
    assert trust.sentences[0].text.startswith("Peer mentors built trusting relationships")


def test_statuses_follow_the_sentences(reviewed):
    project, _ = reviewed
    table = build_evidence(project.conn)
    for r in table.rows:
        statuses = {st for s in r.sentences for g, label, st in s.tags
                    if g == "mechanism" and label == r.mechanism}
        expected = ("reported" if "reported" in statuses else
                    "hedged" if "hedged" in statuses else "negated")
        assert r.status == expected


def test_for_whom_counts_link_to_sentences(reviewed):
    project, ids = reviewed
    table = build_evidence(project.conn)
    pairs = table.for_whom("setting")
    assert ("TRUST_BUILDING", "SCHOOL") in pairs
    assert all(s.study_id == ids[2] for s in pairs[("TRUST_BUILDING", "SCHOOL")])


def test_exports(reviewed, tmp_path):
    project, ids = reviewed
    table = build_evidence(project.conn)
    n = write_csv(table, tmp_path / "ev.csv")
    rows = list(csv.DictReader((tmp_path / "ev.csv").open(encoding="utf-8")))
    assert len(rows) == n == len(table.rows)
    assert {r["source"] for r in rows} == {"fulltext", "abstract"}
    assert any("p." in r["sentences"] for r in rows)
    write_xlsx(table, tmp_path / "ev.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "ev.xlsx")
    assert wb.sheetnames == ["evidence", "matrix", "for whom - population",
                             "for whom - setting", "sentences", "about"]
    assert wb["evidence"].max_row == n + 1
    page = render_html(table)
    # Every link in the report points at an element that exists.
    targets = set(re.findall(r'href="#([^"]+)"', page))
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert targets and targets <= anchors
    assert '<mark class="g-mechanism' in page and "abstract" in page


def test_one_study_and_errors(reviewed):
    project, ids = reviewed
    table = build_evidence(project.conn, study=ids[3])  # excluded, but asked for by id
    assert [s.id for s in table.studies] == [ids[3]]
    with pytest.raises(NotFoundError):
        build_evidence(project.conn, study=9999)


def test_no_included_studies(tmp_path):
    project = init_project(tmp_path / "p")
    with pytest.raises(ProjectError, match="no included studies"):
        build_evidence(project.conn)
    assert build_evidence(project.conn, include_all=True).studies == []
    project.close()


def test_cli(reviewed, tmp_path):
    project, ids = reviewed
    runner = CliRunner()
    p = str(project.path)
    card = runner.invoke(app, ["evidence", "--study", str(ids[0]), "-p", p])
    assert card.exit_code == 0 and "SKILLS_PRACTICE" in card.output
    out = runner.invoke(app, ["evidence", "-p", p, "--csv", str(tmp_path / "e.csv"),
                              "--html", str(tmp_path / "e.html")])
    assert out.exit_code == 0 and (tmp_path / "e.html").read_text().startswith("<!doctype")
    grid = runner.invoke(app, ["evidence", "-p", p])
    assert grid.exit_code == 0 and "R/H/N" in grid.output


def test_study_label_without_authors_or_year():
    from nlp_review.evidence.build import Study

    def label(**kw):
        return Study(7, Record(**kw), "none", []).label

    assert label(title="Peer mentoring", authors=["Smith, J"], year=2020) == \
        "Smith 2020: Peer mentoring"
    assert label(title="Understanding the barriers") == "Understanding the barriers"
    assert label(authors=["Smith, J"]) == "Smith"
    assert label() == "record 7"


def test_a_study_without_a_mechanism_is_in_every_output_and_the_scope_is_said(tmp_path, nlp):
    """CSV and XLSX had a row per study and mechanism only: an included study with no
    mechanism was missing from them without a word; and no output said whether it held the
    included studies or every work."""
    from openpyxl import load_workbook

    from nlp_review.tagging.run import tag_project

    project = init_project(tmp_path / "p")
    recs = [Record(title="Peer mentoring for children in care", abstract=ABSTRACT,
                   authors=["Smith, J"], year=2020),
            Record(title="Staff ratios in Norwegian kindergartens", authors=["Berg, J"],
                   year=2016),
            Record(title="An excluded record", abstract=ABSTRACT)]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="s", file_name="s.ris", file_hash="y",
                            format="ris", records=recs)
    for rid, label in zip(ids, (1, 1, 0)):
        add_decision(project.conn, rid, label, reviewer="t", origin="screen")
    tag_project(project.conn, nlp, "p")
    with transaction(project.conn):  # added after tagging: nothing of it is tagged
        _, late = add_source(project.conn, name="t", file_name="t.ris", file_hash="z",
                             format="ris", records=[Record(title="A late record")])
    add_decision(project.conn, late[0], 1, reviewer="t", origin="screen")

    table = build_evidence(project.conn)
    assert [st.id for st in table.without_mechanism()] == [ids[1], late[0]]
    assert table.describe().startswith("3 included studies: 1 with a mechanism tagged")
    write_csv(table, tmp_path / "ev.csv")
    rows = list(csv.DictReader((tmp_path / "ev.csv").open(encoding="utf-8")))
    assert {int(r["study_id"]) for r in rows} == {ids[0], ids[1], late[0]}
    bare = {int(r["study_id"]): r for r in rows if not r["mechanism"]}
    assert bare[ids[1]]["status"] == "no mechanism tagged"
    assert bare[late[0]]["status"] == "nothing tagged yet"
    write_xlsx(table, tmp_path / "ev.xlsx")
    wb = load_workbook(tmp_path / "ev.xlsx")
    assert {r[0] for r in wb["evidence"].iter_rows(min_row=2, values_only=True)} == \
        {ids[0], ids[1], late[0]}
    about = dict(wb["about"].iter_rows(min_row=2, values_only=True))
    assert about["scope"] == "studies included in screening"
    assert "3 included studies" in render_html(table)

    everything = build_evidence(project.conn, include_all=True)
    assert everything.scope == "all" and "all 4 works" in render_html(everything)
    out = CliRunner().invoke(app, ["evidence", "-p", str(project.path),
                                   "--csv", str(tmp_path / "e.csv")])
    assert out.exit_code == 0, out.output
    assert "3 included studies: 1 with a mechanism tagged" in out.output
    assert "Pass --all" in out.output and "one with an empty mechanism" in out.output
    assert "1 of these studies has nothing tagged yet" in " ".join(out.output.split())
    project.close()


def test_cli_output_paths_are_checked_before_anything_is_written(reviewed, tmp_path):
    """A bad --html path left the --csv file written (and a snapshot stored) before failing;
    a file standing where a folder should be gave a traceback; an existing file was replaced
    without a word; --all runs were stored as snapshots, so a later --diff listed every
    excluded record as 'no longer included'."""
    from nlp_review.store.living import list_snapshots

    project, ids = reviewed
    runner = CliRunner()
    p = str(project.path)
    n_snaps = len(list_snapshots(project.conn))
    bad = runner.invoke(app, ["evidence", "-p", p, "--csv", str(tmp_path / "ok.csv"),
                              "--html", str(tmp_path)])
    assert bad.exit_code == 2 and "is a folder" in bad.output
    assert not (tmp_path / "ok.csv").exists()
    assert len(list_snapshots(project.conn)) == n_snaps
    (tmp_path / "afile").write_text("x")
    under = runner.invoke(app, ["evidence", "-p", p, "--csv", str(tmp_path / "afile" / "e.csv")])
    assert under.exit_code == 2 and "cannot write" in under.output
    assert under.exception is None or isinstance(under.exception, SystemExit)
    (tmp_path / "old.csv").write_text("old")
    again = runner.invoke(app, ["evidence", "-p", p, "--csv", str(tmp_path / "old.csv")])
    assert again.exit_code == 0 and "replacing the earlier file" in again.output
    n_snaps = len(list_snapshots(project.conn))
    every = runner.invoke(app, ["evidence", "-p", p, "--all"])
    assert every.exit_code == 0 and "No snapshot stored" in every.output
    assert len(list_snapshots(project.conn)) == n_snaps
    swapped = runner.invoke(app, ["evidence", "-p", p, "--xlsx", str(tmp_path / "t.csv")])
    assert swapped.exit_code == 2 and "the file name says .csv" in swapped.output
    assert not (tmp_path / "t.csv").exists()
    mixed = runner.invoke(app, ["evidence", "-p", p, "--all", "--diff", "1"])
    assert mixed.exit_code == 2 and "--diff compares the included studies" in mixed.output


def test_a_retraction_notice_is_flagged_and_not_used_as_evidence(tmp_path, nlp):
    """A retraction notice titled 'Retraction: <the study's title>' links to the study by
    title; its text was used as the study's evidence and nothing said the study was
    retracted."""
    from nlp_review.tagging.run import tag_project

    project = init_project(tmp_path / "p")
    title = "Measures of Clade Confidence Do Not Correlate with Accuracy of Phylogenetic Trees"
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="s", file_name="s.ris", file_hash="r",
                            format="ris", records=[Record(title=title, abstract=ABSTRACT,
                                                          authors=["Hall, B"], year=2007)])
    add_decision(project.conn, ids[0], 1, reviewer="t", origin="screen")
    added = add_fulltexts(project, [FULLTEXT / "jats/allofplos/journal.pcbi.0030158.xml"])
    assert added[0].status == "linked" and added[0].notice == "retraction"
    tag_fulltexts(project.conn, nlp, "p")
    tag_project(project.conn, nlp, "p")
    table = build_evidence(project.conn)
    (study,) = table.studies
    assert study.notices == ["retraction"]
    assert study.source == "abstract"  # the notice's sentences are not the study's evidence
    assert all(s.source == "abstract" for s in study.sentences)
    assert "1 with a retraction or other notice linked" in table.describe()
    write_csv(table, tmp_path / "ev.csv")
    rows = list(csv.DictReader((tmp_path / "ev.csv").open(encoding="utf-8")))
    assert rows and all(r["notices"] == "retraction notice linked" for r in rows)
    assert "retraction notice linked" in render_html(table)
    card = CliRunner().invoke(app, ["evidence", "-p", str(project.path), "--study",
                                    str(ids[0])])
    assert "retraction notice linked: check the study's status" in card.output
    project.close()


def test_for_whom_cells_keep_negated_only_studies_apart(tmp_path):
    """'TRUST_BUILDING x CHILDREN: 2 studies' counted a study whose only mention said trust
    was *not* built for children as evidence for it."""
    from openpyxl import load_workbook

    from nlp_review.evidence.build import EvidenceTable, Sentence, Study, _rows_for

    def study(sid: int, status: str) -> Study:
        text = "Mentors built trust with children."
        s = Sentence("", sid, "abstract", None, "abstract", None, text, paragraph=0,
                     tags=[("mechanism", "TRUST_BUILDING", status),
                           ("population", "CHILDREN", "reported")],
                     spans=[(15, 20, "mechanism", "TRUST_BUILDING", status),
                            (26, 34, "population", "CHILDREN", "reported")])
        s.id = f"s{sid}-1"
        return Study(sid, Record(title=f"Study {sid}"), "abstract", [s])

    studies = [study(1, "reported"), study(2, "negated"), study(3, "hedged")]
    table = EvidenceTable(studies, [r for st in studies for r in _rows_for(st)])
    write_xlsx(table, tmp_path / "ev.xlsx")
    sheet = list(load_workbook(tmp_path / "ev.xlsx")["for whom - population"].values)
    assert sheet[0] == ("mechanism", "CHILDREN")
    assert sheet[1] == ("TRUST_BUILDING", "2 + 1 negated")
    assert "2 studies <span class=\"status-negated\">+ 1 negated</span>" in render_html(table)


def test_terminal_matrix_is_readable_in_80_columns(reviewed):
    """In 80 columns rich cut the mechanism names to 'BARRI…' and the source to 'abstr…'."""
    project, ids = reviewed
    narrow = CliRunner().invoke(app, ["evidence", "-p", str(project.path)],
                                env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert "…" not in narrow.output
    assert "Mechanisms: " in narrow.output and "SP = SKILLS_PRACTICE" in narrow.output
    assert "│ abstract" in narrow.output and "│ fulltext" in narrow.output
    wide = CliRunner().invoke(app, ["evidence", "-p", str(project.path)],
                              env={"COLUMNS": "300"})
    assert "SKILLS_PRACTICE" in wide.output.split("\n", 3)[3] and "Mechanisms:" not in \
        wide.output


def test_full_texts_not_used_yet_are_said(tmp_path, nlp):
    """`fulltext add` then `evidence` (forgetting `fulltext tag`) silently used the abstracts;
    full texts linked to no record were silently left out."""
    from nlp_review.tagging.run import tag_project

    project = init_project(tmp_path / "p")
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="s", file_name="s.ris", file_hash="u",
                            format="ris", records=[Record(title="Peer mentoring for children "
                                                          "in care", abstract=ABSTRACT)])
    add_decision(project.conn, ids[0], 1, reviewer="t", origin="screen")
    tag_project(project.conn, nlp, "p")
    (tmp_path / "a.txt").write_text("Peer mentoring for children in care\n\n" + ABSTRACT)
    (tmp_path / "b.txt").write_text("Outdoor play in Nordic kindergartens\n\nChildren played.")
    assert [o.status for o in add_fulltexts(project, [tmp_path / "a.txt", tmp_path / "b.txt"])
            ] == ["linked", "unlinked"]
    table = build_evidence(project.conn)
    assert table.untagged == [ids[0]] and table.unlinked_fulltexts == 1
    assert table.studies[0].source == "abstract"
    out = CliRunner().invoke(app, ["evidence", "-p", str(project.path)])
    said = " ".join(out.output.split())
    assert "1 of these studies has a full text not tagged yet" in said
    assert "1 full text is linked to no record and not used" in said
    assert "Not used yet: 1 of these studies" in render_html(table)
    tag_fulltexts(project.conn, nlp, "p")
    table = build_evidence(project.conn)
    assert table.untagged == [] and table.studies[0].source == "fulltext"
    project.close()


def test_xlsx_takes_control_characters_and_very_long_cells(tmp_path):
    """An abstract of a real export (nagtegaal_2019.csv) holds U+0001: --xlsx stopped with
    openpyxl's IllegalCharacterError traceback. A mechanism with hundreds of supporting
    sentences joins them into one cell over Excel's 32,767-character limit."""
    from openpyxl import load_workbook

    from nlp_review.evidence.build import EvidenceTable, Sentence, Study, _rows_for

    sentences = []
    for i in range(1, 601):
        text = f"OBJECTIVE:\x01 Mentors built trust with children in care at school {i}."
        s = Sentence(f"s1-{i}", 1, "fulltext", 1, "results", 2, text, paragraph=i,
                     tags=[("mechanism", "TRUST_BUILDING", "reported")],
                     spans=[(19, 24, "mechanism", "TRUST_BUILDING", "reported")])
        sentences.append(s)
    study = Study(1, Record(title="Mentoring\x01 study"), "fulltext", sentences)
    table = EvidenceTable([study], _rows_for(study))
    write_xlsx(table, tmp_path / "ev.xlsx")
    wb = load_workbook(tmp_path / "ev.xlsx")
    row = dict(zip(*list(wb["evidence"].values)[:2]))
    assert "\x01" not in row["study"] and row["study"].startswith("Mentoring study")
    assert len(row["sentences"]) <= 32767 and "cut at Excel's cell limit" in row["sentences"]
    first = list(wb["sentences"].values)[1]
    assert first[5] == "OBJECTIVE: Mentors built trust with children in care at school 1."


def test_a_sentence_repeated_in_a_study_supports_its_mechanism_once():
    """Record 13 of ecec_adult_child_ratio.csv holds its abstract twice: each mechanism had
    the same supporting sentence twice and counted 2 sentences."""
    from nlp_review.evidence.build import Sentence, Study, _rows_for

    text = "Findings suggest that staff consistency may support language development."
    sentences = []
    for i, start in enumerate((0, 400), 1):
        s = Sentence(f"s1-{i}", 1, "abstract", None, "abstract", None, text, paragraph=0,
                     tags=[("mechanism", "SUSTAINED_RELATIONSHIP", "hedged")],
                     spans=[(22, 39, "mechanism", "SUSTAINED_RELATIONSHIP", "hedged")])
        sentences.append(s)
    (row,) = _rows_for(Study(1, Record(title="Infant educators"), "abstract", sentences))
    assert row.n_sentences == 1 and len(row.sentences) == 1 and row.status == "hedged"


def test_rows_say_which_sections_support_them(tmp_path):
    """A mechanism met only in a full text's introduction is usually another study's finding;
    nothing in the CSV/XLSX row said where its sentences were without reading each one."""
    from nlp_review.evidence.build import EvidenceTable, Sentence, Study, _rows_for

    sentences = []
    for i, section in enumerate(("introduction", "results", "results"), 1):
        sentences.append(Sentence(f"s1-{i}", 1, "fulltext", 1, section, i,
                                  f"Mentors built trust with children ({i}).", paragraph=i,
                                  tags=[("mechanism", "TRUST_BUILDING", "reported")],
                                  spans=[(8, 13, "mechanism", "TRUST_BUILDING", "reported")]))
    study = Study(1, Record(title="Mentoring"), "fulltext", sentences)
    table = EvidenceTable([study], _rows_for(study))
    write_csv(table, tmp_path / "ev.csv")
    (row,) = csv.DictReader((tmp_path / "ev.csv").open(encoding="utf-8"))
    assert row["sections"] == "results (2); introduction (1)"
    assert "supporting sentences (results (2); introduction (1))" in render_html(table)
