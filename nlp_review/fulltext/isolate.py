"""Read PDFs in a separate worker process, so a file that takes too long or too much memory
is stopped and reported while the other files go on.

The worker is started with the ``spawn`` method (a fresh interpreter: no inherited state or
locks). Before each file it lowers its address-space limit (``RLIMIT_AS``) to
``max_memory_mb``; after it, the limit is lifted again. A file that runs past ``timeout``
seconds gets its worker killed; a new worker is started for the next file."""

from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing.connection import Connection

from nlp_review.errors import InputError, NlpReviewError
from nlp_review.fulltext.model import FullText

try:  # POSIX only; without it the memory limit cannot be enforced.
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

STARTUP_TIMEOUT = 60.0


def _set_memory_limit(limit_bytes: int | None) -> None:
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if limit_bytes is None:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    else:
        cap = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn: Connection) -> None:
    import logging
    import signal

    from nlp_review.fulltext.readers import read_fulltext

    # Ctrl-C reaches the whole process group: the parent stops this worker (and reports);
    # the worker itself printed a KeyboardInterrupt traceback from inside pdfminer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # pdfminer logs every recoverable oddity ("Cannot set non-stroke color") as a warning;
    # the parent reports what matters per file.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    # Load the PDF reader's code before any memory limit is set: imported under the limit
    # (lazily, by the first PDF), a shared library could not be mapped ("failed to map
    # segment from shared object") and a small PDF was reported as unreadable.
    import pdfminer.converter  # noqa: F401
    import pdfminer.layout  # noqa: F401
    import pdfminer.pdfdocument  # noqa: F401
    import pdfminer.pdfinterp  # noqa: F401
    import pdfminer.pdfpage  # noqa: F401
    import pdfminer.pdfparser  # noqa: F401
    import pdfminer.pdftypes  # noqa: F401
    import pdfminer.utils  # noqa: F401

    import nlp_review.fulltext.pdf  # noqa: F401

    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        data, name, password, fmt, limit = job
        try:
            _set_memory_limit(limit)
            try:
                result = read_fulltext(data, name=name, password=password, format=fmt)
            finally:
                _set_memory_limit(None)
            conn.send(("ok", result))
        except MemoryError:
            _set_memory_limit(None)
            conn.send(("memory",))
            return  # the heap may be fragmented: let the parent start a fresh worker
        except ImportError as exc:
            if limit is None:
                conn.send(("error", f"could not be read (ImportError: {exc})",
                           "report this file to the nlp-review developers"))
                continue
            # code loaded under the limit that could not be mapped: the limit was too low
            _set_memory_limit(None)
            conn.send(("memory",))
            return
        except InputError as exc:
            conn.send(("error", exc.detail, exc.hint))
        except Exception as exc:  # a reader bug or an unforeseen damaged file
            conn.send(("error", f"could not be read ({type(exc).__name__}: {exc})",
                       "report this file to the nlp-review developers"))


class IsolatedReader:
    """Read files in a worker process with a time limit (seconds) and a memory limit (MB).
    Use as a context manager, or call ``close``."""

    def __init__(self, timeout: float = 120.0, max_memory_mb: int | None = 2048) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self._process: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> "IsolatedReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child,), daemon=True,
                              name="nlp-review-fulltext-reader")
        process.start()
        child.close()
        try:
            if not parent.poll(STARTUP_TIMEOUT):
                raise EOFError
            parent.recv()
        except (EOFError, OSError):
            process.kill()
            process.join(5)
            raise NlpReviewError("the full-text reader process did not start",
                                 hint="check that Python can start subprocesses here") from None
        self._process, self._conn = process, parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(2)
            except (OSError, BrokenPipeError):
                pass
        self._stop()

    def read(self, data: bytes, *, name: str, password: str = "",
             format: str | None = None) -> tuple[FullText, float]:
        """The file's FullText and the seconds its extraction took. Raises InputError when the
        reader rejects the file, runs out of time or memory, or crashes."""
        conn = self._start()
        limit = self.max_memory_mb * 1024 * 1024 if self.max_memory_mb else None
        started = time.perf_counter()
        conn.send((data, name, password, format, limit))
        if not conn.poll(self.timeout):
            self._stop()
            raise InputError(f"stopped after {self.timeout:g} s: extraction took too long",
                             file=name, hint="raise --timeout, or check the file in a PDF "
                                             "viewer; it may be damaged or enormous")
        try:
            reply = conn.recv()
        except (EOFError, OSError):
            code = self._process.exitcode if self._process is not None else None
            self._stop()
            raise InputError(f"the reader process died (exit code {code})", file=name,
                             hint="the file may be damaged; try re-saving it") from None
        elapsed = time.perf_counter() - started
        if reply[0] == "ok":
            return reply[1], elapsed
        if reply[0] == "memory":
            self._stop()
            raise InputError(f"stopped: extraction needed more than {self.max_memory_mb} MB "
                             "of memory", file=name,
                             hint="raise --max-memory, or split the file")
        raise InputError(reply[1], file=name, hint=reply[2])
