"""Drawing ``recall.png``: the recall curve of a simulation against random screening, with
the 95 % recall line and any stopping rule's stop.

matplotlib takes about half a second to import, which a simulation never needs, so the
command line draws in a separate process: ``PlotWorker()`` starts
``python -m nlp_review.screening.plotter`` at once (it imports matplotlib on the other core
while the simulation runs), ``draw(...)`` sends it one figure as a JSON line, and
``close()`` waits for it and raises ``NlpReviewError`` with its message if a figure could
not be written. ``draw_recall(...)`` draws in the calling process. This module imports
nothing heavy at load time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from nlp_review.errors import NlpReviewError


def draw_recall(path: Path, labels: Sequence[int], metrics: dict[str, Any],
                marks: dict[str, int] | None = None, stop_points: Sequence[Any] = (),
                title: str = "") -> None:
    """Write the recall curve of ``labels`` (the screening order's 0/1 labels, priors
    excluded) to ``path`` (PNG, written under a temporary name then renamed).
    ``stop_points``: ``nlp_review.stopping.replay.StopPoint`` objects or their dicts."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig = _figure(labels, metrics, marks, stop_points, title)
    tmp = path.with_name(path.name + ".tmp.png")
    try:
        fig.savefig(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NlpReviewError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)


def _figure(labels: Sequence[int], metrics: dict[str, Any], marks: dict[str, int] | None,
            stop_points: Sequence[Any], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    n, ny = metrics["records"], metrics["relevant"]
    found = np.concatenate([[0], np.cumsum(labels)]) / ny
    x = np.arange(len(found)) / n
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    ax.plot(np.append(x, 1.0), np.append(found, 1.0), label="this tool", color="tab:blue")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="random screening")
    ax.axhline(0.95, color="tab:red", lw=0.8, ls=":", label="95 % recall")
    for name, pos in (marks or {}).items():
        ax.axvline(pos / n, color="tab:green", lw=0.8)
        ax.annotate(name, (pos / n, 0.05), rotation=90, fontsize=7)
    if stop_points:
        from nlp_review.stopping.replay import StopPoint, mark_stop_points

        points = [p if isinstance(p, StopPoint) else StopPoint(**p) for p in stop_points]
        first = points[0]
        mark_stop_points(ax, points, priors=first.pool_size - n,
                         prior_relevant=first.relevant_total - ny, fraction=True)
    ax.set_xlabel("share of records screened")
    ax.set_ylabel("recall")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{title}  WSS@95 {metrics['wss@95']:.3f}, loss {metrics['loss']:.3f}",
                 fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


class PlotWorker:
    """A child process that draws recall curves (see the module docstring)."""

    def __init__(self) -> None:
        # The child imports this very nlp_review (not another one on its default path),
        # and writes its messages to a file, so a chatty child can never block on a pipe.
        here = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [here, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._err = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self._proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "nlp_review.screening.plotter"],  # -P: no cwd
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._err,
            text=True, encoding="utf-8", env=env)

    def draw(self, path: Path, labels: Sequence[int], metrics: dict[str, Any],
             marks: dict[str, int] | None = None, stop_points: Sequence[Any] = (),
             title: str = "") -> None:
        from dataclasses import asdict, is_dataclass

        job = {"path": str(path), "labels": [int(v) for v in labels],
               "metrics": {k: metrics[k] for k in ("records", "relevant", "wss@95", "loss")},
               "marks": dict(marks or {}), "title": title,
               "stop_points": [asdict(p) if is_dataclass(p) else dict(p) for p in stop_points]}
        try:
            self._proc.stdin.write(json.dumps(job, default=_plain) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child has died; close() reports why

    def close(self) -> None:
        """Wait for every figure; raise ``NlpReviewError`` if one was not written."""
        try:
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        code = self._proc.wait()
        self._err.seek(0)
        err = self._err.read()
        self._err.close()
        if code != 0:
            lines = [ln for ln in err.strip().splitlines() if ln.strip()]
            why = lines[-1] if lines else "the plotting process failed"
            raise NlpReviewError(f"could not draw recall.png: {why}",
                                 hint="order.csv and metrics.json were written")

    def cancel(self) -> None:
        """Stop the child without drawing anything more (e.g. the simulation failed)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._err.close()
        try:
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (e.g. in a stop point's numbers) as JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot send {type(value).__name__} to the plotting process")


def _serve() -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (the slow import, done while the parent works)

    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            draw_recall(Path(job["path"]), job["labels"], job["metrics"], job["marks"],
                        job["stop_points"], job["title"])
        except NlpReviewError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
