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
