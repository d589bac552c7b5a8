"""File output at the edges: written to a temporary file beside the target and renamed
into place, so a crash or Ctrl-C never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from nlp_review.errors import ConfigError


@contextmanager
def atomic_open(path: Path, mode: str = "w", encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    check_output_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets the usual mode
    try:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_output_file(path: Path) -> None:
    """Refuse an output path that is a folder, or whose folder cannot be made or written to
    (call it before long work that ends in a write)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a file to write",
                          hint="give a file name (a file inside that folder is fine)")
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest folder that exists: missing ones are made
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise _cannot_write(path, PermissionError(
            "not a folder" if not folder.is_dir() else "permission denied"), folder)


def _cannot_write(path: Path, exc: OSError, folder: Path | None = None) -> ConfigError:
    where = folder or Path(path).absolute().parent
    return ConfigError(f"cannot write {path}: {exc.strerror or exc} ({where})",
                       hint="choose a file in a folder you can write to")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path, "w", newline="") as handle:
        handle.write(text)
