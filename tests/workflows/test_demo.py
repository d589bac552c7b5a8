"""The README's main job: the whole path on the bundled demo corpus."""

from typer.testing import CliRunner

from nlp_review.cli.app import app

runner = CliRunner()


def test_demo_runs_the_whole_path_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    assert "120 duplicates removed, 360 unique" in result.output
    assert "studies the review included" in result.output
    assert "Full texts: none added" in result.output
    assert "PRISMA: 480 identified, 120 duplicates removed" in result.output
    for name in ("evidence.html", "evidence.csv", "included.csv", "prisma.png", "prisma.svg",
                 "prisma.csv"):
        assert (out / name).stat().st_size > 0, name
    html = (out / "evidence.html").read_text()
    assert "<html" in html.lower()
    status = runner.invoke(app, ["status", "-p", str(out)])
    assert status.exit_code == 0 and "360" in status.output

    again = runner.invoke(app, ["demo", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(app, ["demo", str(tmp_path / "d2"), "--fulltexts",
                              str(tmp_path / "nowhere")])
    assert bad.exit_code != 0 and "nowhere" in bad.output
    assert not (tmp_path / "d2").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["demo", str(other), "--force"])
    assert refused.exit_code != 0
    assert (other / "notes.txt").read_text() == "keep me"
