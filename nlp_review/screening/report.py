"""Simulating from a labelled CSV and writing the results: ``order.csv``, ``metrics.json``
and ``recall.png`` per seed, and a summary over seeds. Everything is validated before
anything is written, and files are written under temporary names then renamed, so a
failed run leaves nothing half-written.

recall.png is drawn by a child process (``plotter.PlotWorker``) started before anything
heavy is imported, so matplotlib loads on the other core while the simulation runs; this
module therefore imports pandas, scikit-learn and the simulation only when called."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from nlp_review.errors import InputError, NlpReviewError
from nlp_review.screening.plotter import PlotWorker, draw_recall

if TYPE_CHECKING:
    from nlp_review.screening.dataset import LabelledDataset
    from nlp_review.screening.simulate import SimulationResult

SUMMARY_KEYS = ("wss@95", "wss@100", "rrf@10", "atd", "loss", "ndcg", "screened")


@dataclass
class SeedRun:
    seed: int
    priors: list[str]
    result: SimulationResult
    folder: Path
    stop_points: list = field(default_factory=list)  # nlp_review.stopping.replay.StopPoint


def default_priors(data: LabelledDataset, seed: int) -> list[str]:
    """One relevant and one irrelevant record id, drawn as the benchmark does."""
    rs = np.random.RandomState(seed)
    relevant = [r for r, y in zip(data.record_ids, data.labels) if y == 1]
    irrelevant = [r for r, y in zip(data.record_ids, data.labels) if y == 0]
    return [relevant[rs.randint(len(relevant))], irrelevant[rs.randint(len(irrelevant))]]


def _check_left_after_priors(data: LabelledDataset, data_path: Path,
                             priors: Sequence[str]) -> None:
    """Both classes must remain beyond the priors (the drawn priors take one of each):
    with none left there is nothing to measure WSS, recall or loss on."""
    prior_labels = ([int(data.labels[data.row_of(str(p))]) for p in set(priors)] if priors
                    else [1, 0])
    relevant = int(data.labels.sum())
    irrelevant = len(data) - relevant
    relevant_left = relevant - sum(prior_labels)
    irrelevant_left = irrelevant - (len(prior_labels) - sum(prior_labels))
    if relevant_left > 0 and irrelevant_left > 0:
        return
    which = "relevant" if relevant_left <= 0 else "irrelevant"
    if priors:
        raise InputError(f"the priors include every {which} record; nothing left to "
                         "measure the ranking on", file=data_path,
                         hint=f"give priors that leave at least one {which} record")
    count = relevant if which == "relevant" else irrelevant
    raise InputError(f"the data has {count} {which} record{'s' if count != 1 else ''}, "
                     f"and the drawn prior takes one; nothing left to measure the ranking on",
                     file=data_path, hint=f"simulation needs at least 2 {which} records "
                     "(or name --prior records that leave one)")


def simulate_file(data_path: Path, out_dir: Path, *, priors: Sequence[str] = (),
                  seeds: Sequence[int] = (0,), preset: str | None = None,
                  until: str = "last_relevant", plot: bool = True,
                  stops: Sequence[str] = ()) -> list[SeedRun]:
    """Simulate screening of a labelled CSV once per seed and write the results into
    ``out_dir`` (one seed) or ``out_dir/seed_N`` (several, plus ``summary.csv``).
    ``stops``: stopping rule specs whose stop points are added (see nlp_review.stopping)."""
    plotter = PlotWorker() if plot else None  # first: it imports matplotlib meanwhile
    try:
        runs = _simulate(data_path, out_dir, priors, seeds, preset, until, stops, plotter)
    except BaseException:
        if plotter is not None:
            plotter.cancel()
        raise
    if plotter is not None:
        plotter.close()
    return runs


def _simulate(data_path: Path, out_dir: Path, priors: Sequence[str], seeds: Sequence[int],
              preset: str | None, until: str, stops: Sequence[str],
              plotter: PlotWorker | None) -> list[SeedRun]:
    from nlp_review.screening.dataset import load_labelled_csv
    from nlp_review.screening.presets import get_preset
    from nlp_review.screening.simulate import Simulation

    preset_obj = get_preset(preset)  # unknown preset: fail before reading anything
    if stops:
        from nlp_review.stopping.registry import make_rule

        for spec in stops:
            make_rule(spec)  # unknown stopping rule: fail before reading anything
    data = load_labelled_csv(data_path)
    for p in priors:
        try:
            data.row_of(str(p))
        except KeyError:
            raise InputError(f"prior record_id {p} is not in the data", file=data_path,
                             hint="--prior takes values of the record_id column") from None
    if priors and len(set(priors)) >= len(data):
        raise InputError("every record is a prior; nothing left to simulate", file=data_path)
    _check_left_after_priors(data, data_path, priors)
    seeds = list(seeds) or [0]
    runs: list[SeedRun] = []
    for seed in seeds:
        seed_priors = [str(p) for p in priors] or default_priors(data, seed)
        rows = [data.row_of(p) for p in dict.fromkeys(seed_priors)]
        sim = Simulation(data.texts, data.labels, rows, preset=preset_obj, seed=seed,
                         until=until)
        folder = out_dir if len(seeds) == 1 else out_dir / f"seed_{seed}"
        run = SeedRun(seed, seed_priors, sim.run(), folder)
        if stops:
            from nlp_review.stopping.replay import stop_points_for_simulation

            run.stop_points = stop_points_for_simulation(
                stops, run.result.labels, [int(data.labels[r]) for r in rows],
                pool_size=len(data), seed=seed)
        runs.append(run)
    for run in runs:
        write_run(run, data, preset_obj.name, plot=plotter is not None, plotter=plotter)
    if len(seeds) > 1:
        _write_text(out_dir / "summary.csv", summary_csv(runs))
    return runs


def write_run(run: SeedRun, data: LabelledDataset, preset: str, plot: bool = True,
              plotter: PlotWorker | None = None) -> None:
    """Write ``order.csv``, ``metrics.json`` and (``plot``) ``recall.png`` for one run; the
    figure is drawn by ``plotter`` when given, else here."""
    try:
        run.folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NlpReviewError(f"cannot create the output folder {run.folder}: {exc.strerror}",
                             hint="pass --out a folder path that can be created") from exc
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["position", "record_id", "label"])
    for pos, (row, label) in enumerate(zip(run.result.order, run.result.labels), start=1):
        w.writerow([pos, data.record_ids[row], label])
    _write_text(run.folder / "order.csv", buf.getvalue())
    meta = {"dataset": str(data.path), "preset": preset, "seed": run.seed,
            "priors": run.priors, **run.result.metrics,
            "seconds": round(run.result.seconds, 3)}
    if run.result.marks:
        meta["marks"] = run.result.marks
    if run.stop_points:
        from nlp_review.stopping.replay import stop_metrics

        meta["stopping"] = stop_metrics(run.stop_points)
    _write_text(run.folder / "metrics.json", json.dumps(meta, indent=2) + "\n")
    if plot:
        title = f"{data.path.name} (seed {run.seed})"
        if plotter is not None:
            plotter.draw(run.folder / "recall.png", run.result.labels, run.result.metrics,
                         run.result.marks, run.stop_points, title)
        else:
            plot_recall(run, run.folder / "recall.png", title=title)


def plot_recall(run: SeedRun, path: Path, title: str = "") -> None:
    """Recall against share of records screened, with random screening and 95 % recall
    (drawn in this process)."""
    draw_recall(path, run.result.labels, run.result.metrics, run.result.marks,
                run.stop_points, title)


def summary_csv(runs: list[SeedRun]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["seed", "priors", *SUMMARY_KEYS])
    for run in runs:
        w.writerow([run.seed, " ".join(run.priors),
                    *[run.result.metrics[k] for k in SUMMARY_KEYS]])
    w.writerow(["mean", "", *[round(float(np.mean([r.result.metrics[k] for r in runs])), 6)
                              for k in SUMMARY_KEYS]])
    return buf.getvalue()


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NlpReviewError(f"cannot write {path}: {exc}") from exc
