"""What a realist reviewer trips on between screening and the evidence table, found by
walking through tag, fulltext and evidence on real exports."""

from __future__ import annotations

import sqlite3

from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def said(result) -> str:
    return " ".join(result.output.split())

RIS = """TY  - JOUR
TI  - Peer mentoring and loneliness in secondary school pupils: a randomised trial
AU  - Smith, Jane
PY  - 2021
AB  - Peer mentors built trusting relationships with pupils at school. Mentoring may reduce loneliness among adolescents.
ER  - 
"""  # noqa: E501


def test_tag_says_why_everything_was_tagged_again(tmp_path):
    """After the pattern files changed, a second `tag` said '0 unchanged since last run' and
    nothing more: it read as if the incremental run did not work."""
    project = tmp_path / "review"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    (tmp_path / "s.ris").write_text(RIS)
    assert runner.invoke(app, ["import", str(tmp_path / "s.ris"), "-p", str(project)]
                         ).exit_code == 0
    (tmp_path / "paper.txt").write_text(
        "Peer mentoring at school\n\nPeer mentors built trusting relationships with pupils "
        "at school.\n")
    added = runner.invoke(app, ["fulltext", "add", str(tmp_path / "paper.txt"), "-r", "1",
                                "-p", str(project)])
    assert added.exit_code == 0, added.output
    first = runner.invoke(app, ["tag", "-p", str(project)])
    assert first.exit_code == 0 and "tagged again" not in first.output
    assert runner.invoke(app, ["fulltext", "tag", "-p", str(project)]).exit_code == 0
    same = runner.invoke(app, ["tag", "-p", str(project)])
    assert "0 tagged (0 spans), 1 unchanged since last run" in said(same)
    assert "tagged again" not in said(same)
    with sqlite3.connect(project / "project.sqlite") as conn:  # as if tagged by older patterns
        conn.execute("UPDATE tagged_texts SET patterns_hash = 'older'")
        conn.execute("UPDATE fulltext_tagged SET patterns_hash = 'older'")
    again = runner.invoke(app, ["tag", "-p", str(project)])
    assert again.exit_code == 0, again.output
    assert "1 tagged again because the patterns, models or options differ" in said(again)
    ft = runner.invoke(app, ["fulltext", "tag", "-p", str(project)])
    assert "1 tagged again because the patterns or options differ" in said(ft)
    forced = runner.invoke(app, ["tag", "--force", "-p", str(project)])
    assert "(--force: all tagged again)" in said(forced)


def test_show_says_when_the_stored_tags_are_from_other_patterns(tmp_path):
    """After the pattern files changed, `show` drew the stored (older) tags without a word,
    so a reviewer checking an edited pattern saw no change."""
    project = tmp_path / "review"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    (tmp_path / "s.ris").write_text(RIS)
    assert runner.invoke(app, ["import", str(tmp_path / "s.ris"), "-p", str(project)]
                         ).exit_code == 0
    assert runner.invoke(app, ["tag", "-p", str(project)]).exit_code == 0
    page = tmp_path / "tags.html"
    fresh = runner.invoke(app, ["show", "1", "-o", str(page), "-p", str(project)])
    assert fresh.exit_code == 0 and "other patterns" not in said(fresh)
    with sqlite3.connect(project / "project.sqlite") as conn:  # as if tagged by older patterns
        conn.execute("UPDATE tagged_texts SET patterns_hash = 'older'")
    stale = runner.invoke(app, ["show", "1", "-o", str(page), "-p", str(project)])
    assert stale.exit_code == 0 and page.exists()
    assert "stored tags were made with other patterns" in said(stale)
    assert "run `nlp-review tag`" in said(stale)


def test_fulltext_tag_takes_the_span_categorizer_like_tag(tmp_path):
    """`tag --spancat` adds the trained model's spans to the abstracts, but `fulltext tag` had
    no --spancat: full-text studies were tagged by the rules alone, abstract-only studies by
    rules plus model, and the evidence table mixed the two."""
    from pathlib import Path

    spancat = Path(__file__).resolve().parents[2] / "models" / "spancat"
    project = tmp_path / "review"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    (tmp_path / "paper.txt").write_text(
        "Peer mentoring at school\n\nPeer mentors built trusting relationships with pupils "
        "at school.\n")
    assert runner.invoke(app, ["fulltext", "add", str(tmp_path / "paper.txt"), "-p",
                               str(project)]).exit_code == 0
    assert runner.invoke(app, ["fulltext", "tag", "-p", str(project)]).exit_code == 0
    both = runner.invoke(app, ["fulltext", "tag", "--spancat", str(spancat), "-p",
                               str(project)])
    assert both.exit_code == 0, both.output
    assert "1 tagged again because the patterns or options differ" in said(both)
    same = runner.invoke(app, ["fulltext", "tag", "--spancat", str(spancat), "-p",
                               str(project)])
    assert "tagged 0" in said(same)
