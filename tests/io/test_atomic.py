import os
import stat

import pytest

from nlp_review.io import atomic_open, atomic_write_text


def test_written_file_has_the_usual_mode_not_mkstemps_0600(tmp_path):
    target = tmp_path / "out.csv"
    atomic_write_text(target, "a,b\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert target.read_text() == "a,b\n"


def test_crash_leaves_the_old_file_and_no_part_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_folder_as_the_output_is_a_clear_error_and_leaves_nothing(tmp_path):
    from nlp_review.errors import ConfigError

    (tmp_path / "results").mkdir()
    with pytest.raises(ConfigError, match="is a folder, not a file to write"):
        atomic_write_text(tmp_path / "results", "a,b\n")
    assert [p.name for p in tmp_path.iterdir()] == ["results"]
    assert not any((tmp_path / "results").iterdir())
