"""Simulation: replay a fully labelled dataset as if a reviewer screened in the model's
order, retraining after every decision (ASReview's simulate protocol).

The loop is a library object so that stopping rules (issue 4) can hook into it::

    from nlp_review.screening.simulate import Simulation

    sim = Simulation(dataset.texts, dataset.labels, priors=[row_a, row_b],
                     preset="elas_u4_fast", seed=1)
    while not sim.finished:             # finished: last relevant found (or pool empty
        row = sim.step()                #   when until="all")
        if my_rule.stop(sim.labels_so_far(), sim.n_records):
            sim.mark("my_rule")         # remember where the rule would have stopped
        if my_rule.wants_random_sample:
            sim.set_querier("random")   # or any object with query(scores, pool, rng)

Or pass callbacks to ``run``: each is called as ``callback(sim)`` after every decision; a
callback returning True stops the run early. Public state after each step:

- ``order``: rows screened so far (priors excluded), in order; ``labels_so_far()`` their
  0/1 labels; ``pool``: rows not yet screened; ``n_records``: rows excluding priors;
  ``n_relevant``: relevant rows excluding priors; ``found``: relevant rows found so far;
  ``scores``: the current model scores of every row; ``marks``: {name: position} recorded
  by ``mark``; ``step_seconds``: wall time of each step.
- ``set_querier(name_or_object)`` switches the querier from the next step on (e.g. to
  ``"random"`` to sample the unscreened pool); ``querier`` is the one in use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from nlp_review.errors import ConfigError
from nlp_review.screening import metrics, registry
from nlp_review.screening.presets import Preset
from nlp_review.screening.ranker import Ranker

Callback = Callable[["Simulation"], bool | None]


class Simulation:
    """One simulated screening of ``texts`` with true ``labels`` from the ``priors`` rows.

    ``until``: ``"last_relevant"`` (default, as ASReview) or ``"all"``."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], priors: Sequence[int],
                 preset: str | Preset | None = None, seed: int = 0,
                 until: str = "last_relevant", criteria: str | None = None) -> None:
        if until not in ("last_relevant", "all"):
            raise ConfigError(f"unknown stop point {until!r}", hint="last_relevant or all")
        self.labels = np.asarray(labels, dtype=np.int64)
        self.priors = [int(p) for p in priors]
        self.until = until
        self.rng = np.random.RandomState(seed)
        t0 = time.perf_counter()
        self.ranker = Ranker(preset=preset, criteria=criteria).attach(texts)
        self.vectorise_seconds = time.perf_counter() - t0
        self.querier: Any = None  # None: the preset's querier (via the ranker)
        self._labelled = np.zeros(len(self.labels), dtype=bool)
        self._labelled[self.priors] = True
        self.order: list[int] = []
        self.marks: dict[str, int] = {}
        self.step_seconds: list[float] = []
        self.n_records = len(self.labels) - len(set(self.priors))
        self.n_relevant = int(self.labels.sum() - self.labels[list(set(self.priors))].sum())
        self.found = 0
        self._train_rows = list(self.priors)
        t0 = time.perf_counter()
        self.ranker.fit(self._train_rows, self.labels[self._train_rows])
        self.step_seconds.append(time.perf_counter() - t0)

    # -- state ------------------------------------------------------------------------
    @property
    def pool(self) -> np.ndarray:
        return np.flatnonzero(~self._labelled)

    @property
    def scores(self) -> np.ndarray:
        return self.ranker.scores_

    @property
    def finished(self) -> bool:
        if not (~self._labelled).any():
            return True
        return self.until == "last_relevant" and self.found >= self.n_relevant

    def labels_so_far(self) -> np.ndarray:
        return self.labels[self.order]

    # -- hooks ------------------------------------------------------------------------
    def set_querier(self, querier: str | Any | None) -> None:
        """Use ``querier`` (a registry name, an object with ``query``, or None for the
        preset's) from the next step on."""
        self.querier = registry.make("querier", querier) if isinstance(querier, str) else querier

    def mark(self, name: str) -> None:
        """Record that ``name`` (e.g. a stopping rule) fired at the current position."""
        self.marks.setdefault(name, len(self.order))

    # -- the loop ---------------------------------------------------------------------
    def step(self) -> int:
        """Screen one more record: pick it, reveal its label, retrain. Returns its row."""
        if self.finished:
            raise RuntimeError("the simulation is finished")
        t0 = time.perf_counter()
        pool = self.pool
        if self.querier is None:
            row = self.ranker.query(pool, self.rng)
        else:
            row = int(self.querier.query(self.scores, pool, self.rng))
        self._labelled[row] = True
        self.order.append(row)
        self.found += int(self.labels[row])
        self._train_rows.append(row)
        if not self.finished:
            self.ranker.fit(self._train_rows, self.labels[self._train_rows])
        self.step_seconds.append(time.perf_counter() - t0)
        return row

    def run(self, callbacks: Iterable[Callback] = ()) -> "SimulationResult":
        callbacks = list(callbacks)
        while not self.finished:
            self.step()
            if any(cb(self) for cb in callbacks):
                break
        return self.result()

    def result(self) -> "SimulationResult":
        labels = self.labels_so_far()
        return SimulationResult(
            order=list(self.order), labels=[int(v) for v in labels],
            metrics=metrics.all_metrics(labels, self.n_records), marks=dict(self.marks),
            seconds=self.vectorise_seconds + sum(self.step_seconds),
        )


@dataclass
class SimulationResult:
    order: list[int]
    labels: list[int]
    metrics: dict[str, Any]
    marks: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
