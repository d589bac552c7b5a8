"""What a user trips on in the project commands, found by walking through a review on real
exports: record ids of duplicates, export file names, long source names."""

from __future__ import annotations

from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()

RIS = """TY  - JOUR
TI  - Peer mentoring and loneliness in secondary school pupils: a randomised trial
AU  - Smith, Jane
PY  - 2021
DO  - 10.1234/peer.mentoring.2021
AB  - A peer mentoring programme in secondary schools reduced loneliness among pupils.
ER  - 
"""


def _project_with_a_duplicate(tmp_path):
    project = tmp_path / "review"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    for name, db in (("medline.ris", "MEDLINE"), ("psycinfo.ris", "APA PsycInfo")):
        (tmp_path / name).write_text(RIS.replace("ER  - ", f"DB  - {db}\nER  - "))
        result = runner.invoke(app, ["import", str(tmp_path / name), "-p", str(project)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["dedupe", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert "1 unique records (1 duplicates)" in result.output
    return project


def test_show_takes_the_id_of_a_record_merged_as_a_duplicate(tmp_path):
    project = _project_with_a_duplicate(tmp_path)
    page = tmp_path / "tags.html"
    result = runner.invoke(app, ["show", "2", "-o", str(page), "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert "record 2 is a duplicate within work 1" in result.output
    assert "Peer mentoring and loneliness" in page.read_text()


def test_export_reads_the_format_from_the_file_name(tmp_path):
    project = _project_with_a_duplicate(tmp_path)
    out = tmp_path / "included.ris"
    result = runner.invoke(app, ["export", "--out", str(out), "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert out.read_text().lstrip("0123456789.\n").startswith("TY  - JOUR")
    out = tmp_path / "all.csv"
    assert runner.invoke(app, ["export", "--out", str(out), "-p", str(project)]).exit_code == 0
    assert out.read_text().startswith("record_id,title")


def test_export_to_an_unknown_extension_asks_for_the_format(tmp_path):
    project = _project_with_a_duplicate(tmp_path)
    out = tmp_path / "table.xlsx"
    dups = tmp_path / "dups.csv"
    result = runner.invoke(app, ["export", "--out", str(out), "--duplicates", str(dups),
                                 "-p", str(project)])
    assert result.exit_code != 0
    assert "cannot tell the export format" in result.output and "--format" in result.output
    assert not out.exists() and not dups.exists()
    result = runner.invoke(app, ["export", "--out", str(out), "-f", "csv", "-p", str(project)])
    assert result.exit_code == 0, result.output


def test_status_shows_long_source_names_whole(tmp_path):
    # database exports are often named like 20221207_gambling-harms_scopus_255.ris: cut to
    # the terminal's width ("20221207_gambling…") every source looked the same
    project = tmp_path / "review"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    names = [f"20221207_gambling-harms_{db}" for db in ("pubmed_176", "scopus_255")]
    for name, db in zip(names, ("MEDLINE", "Scopus")):
        (tmp_path / f"{name}.ris").write_text(RIS.replace("ER  - ", f"DB  - {db}\nER  - "))
        assert runner.invoke(app, ["import", str(tmp_path / f"{name}.ris"), "-p",
                                   str(project)]).exit_code == 0
    result = runner.invoke(app, ["status", "-p", str(project)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output.split("records imported")[0]
    cells = "".join(line.split("│")[1].strip() for line in result.output.splitlines()
                    if line.startswith("│"))
    assert all(name in cells for name in names)


def test_output_paths_that_are_folders_or_files_are_clear_errors(tmp_path):
    project = _project_with_a_duplicate(tmp_path)
    folder = tmp_path / "results"
    folder.mkdir()
    for args in (["rank", "--out", str(folder)], ["export", "-f", "csv", "--out", str(folder)]):
        result = runner.invoke(app, [*args, "-p", str(project)])
        assert result.exit_code != 0 and "is a folder, not a file to write" in result.output
        assert isinstance(result.exception, SystemExit)  # an error message, no traceback
    # rank used to leave results.tmp beside the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["review", "results", "medline.ris", "psycinfo.ris"])
    a_file = tmp_path / "medline.ris"
    result = runner.invoke(app, ["prisma", "--out", str(a_file), "-p", str(project)])
    assert result.exit_code != 0 and "is a file; --out names a folder" in result.output
