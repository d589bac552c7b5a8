"""Where would each rule have stopped? Replaying rules over a fully labelled screening run.

The ranked order comes from a simulation (the tool's order from the prior decisions).
Rules that ask for random sampling change that order: from the moment a rule asks, the
next records are drawn at random (seeded) from the records not yet screened, exactly as
``nlp-review screen`` does in random-sample mode. A random draw's label is known because
the dataset is fully labelled, so no model is needed after the switch, and the replay is
honest: the rule only ever sees the labels of records screened before it decides.

If the ranked order was cut at the last relevant record (simulate's default), the records
after it are all irrelevant, so their order cannot change any label the rule sees.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from nlp_review.errors import ConfigError
from nlp_review.stopping.base import StoppingRule
from nlp_review.stopping.estimate import estimate_relevant
from nlp_review.stopping.registry import make_rule


@dataclass(frozen=True)
class StopPoint:
    """Where one rule stopped in one run."""

    rule: str
    stopped: bool  # False: the rule never said stop before the pool ran out
    screened: int  # records screened at the stop, prior decisions included
    pool_size: int
    relevant_total: int
    relevant_found: int
    recall: float
    work_saved: float  # share of the pool not screened
    switched_at: int | None  # records screened when random sampling began (None: never)
    random_sample: int
    reason: str
    numbers: dict = field(default_factory=dict)
    estimate: dict | None = None  # estimate_relevant(...) at the stop, as a dict

    def as_dict(self) -> dict:
        return asdict(self)


def replay_rule(rule: StoppingRule, ranked_labels: Sequence[int], *, pool_size: int,
                relevant_total: int, seed: int = 0, label: str | None = None) -> StopPoint:
    """Replay ``rule`` over ``ranked_labels`` (prior decisions first, then the tool's
    order; may stop at the last relevant record) in a pool of ``pool_size`` records
    holding ``relevant_total`` relevant ones."""
    ranked = np.zeros(pool_size, dtype=np.int64)
    given = np.asarray(ranked_labels, dtype=np.int64)
    if given.size > pool_size:
        raise ConfigError(f"{given.size} ranked decisions for a pool of {pool_size} records")
    ranked[: given.size] = given
    if int(ranked.sum()) != relevant_total:
        raise ConfigError(f"the ranked order holds {int(ranked.sum())} relevant records, "
                          f"the pool {relevant_total}",
                          hint="replay needs the order at least up to the last relevant record")
    rng = np.random.default_rng(seed)
    screened = np.zeros(pool_size, dtype=bool)
    labels: list[int] = []
    sampled: list[bool] = []
    next_ranked = 0
    switched_at = None
    decision = rule.decide(labels, sampled, pool_size=pool_size)
    while not decision.stop:
        if decision.wants_random_sample:
            if switched_at is None:
                switched_at = len(labels)
            left = np.flatnonzero(~screened)
            pos = int(left[rng.integers(left.size)])
        else:
            while screened[next_ranked]:
                next_ranked += 1
            pos = next_ranked
        screened[pos] = True
        labels.append(int(ranked[pos]))
        sampled.append(bool(decision.wants_random_sample))
        decision = rule.decide(labels, sampled, pool_size=pool_size)
    n = len(labels)
    found = int(sum(labels))
    return StopPoint(
        rule=label or rule.name, stopped=n < pool_size,
        screened=n, pool_size=pool_size, relevant_total=relevant_total, relevant_found=found,
        recall=found / relevant_total if relevant_total else 1.0,
        work_saved=1 - n / pool_size, switched_at=switched_at,
        random_sample=int(sum(sampled)), reason=decision.reason,
        numbers={k: v for k, v in decision.numbers.items()},
        estimate=estimate_relevant(labels, sampled, pool_size=pool_size).as_dict())


def replay_specs(specs: Sequence[str], ranked_labels: Sequence[int], *, pool_size: int,
                 relevant_total: int, seed: int = 0) -> list[StopPoint]:
    """Replay each rule spec (see ``registry.make_rule``) over the same ranked run."""
    rules = [(spec, make_rule(spec)) for spec in specs]
    return [replay_rule(rule, ranked_labels, pool_size=pool_size,
                        relevant_total=relevant_total, seed=seed, label=spec)
            for spec, rule in rules]


def stop_points_for_simulation(specs: Sequence[str], order_labels: Sequence[int],
                               prior_labels: Sequence[int], *, pool_size: int,
                               seed: int = 0) -> list[StopPoint]:
    """Stop points for a simulation run: ``order_labels`` are the labels in the tool's
    order with the priors left out (as in order.csv), ``prior_labels`` the priors' labels,
    ``pool_size`` all records (priors included). The order must reach the last relevant
    record (simulate's default and ``--all`` both do)."""
    ranked = [int(v) for v in prior_labels] + [int(v) for v in order_labels]
    return replay_specs(specs, ranked, pool_size=pool_size, relevant_total=sum(ranked),
                        seed=seed)


def stop_metrics(points: Sequence[StopPoint]) -> dict[str, dict]:
    """The ``stopping`` block of a simulation's metrics.json, keyed by rule spec."""
    return {p.rule: {"stopped": p.stopped, "screened": p.screened, "recall": round(p.recall, 4),
                     "work_saved": round(p.work_saved, 4), "relevant_found": p.relevant_found,
                     "switched_to_random_at": p.switched_at, "random_sample": p.random_sample,
                     "reason": p.reason} for p in points}


def mark_stop_points(ax, points: Sequence[StopPoint], *, priors: int = 0,
                     prior_relevant: int = 0, fraction: bool = False) -> None:
    """Mark each rule's stop on a recall curve drawn with matplotlib.

    When the plot leaves the prior decisions out (x: records screened after the priors,
    y: share of the non-prior relevant records found), pass ``priors`` and
    ``prior_relevant`` so the marks land on the same scale; with ``fraction`` the x axis is
    the share of the non-prior records screened. A dotted line marks where a rule switched
    to random sampling."""
    markers = "ovs^Dp*hX"
    for i, p in enumerate(points):
        x = p.screened - priors
        y = ((p.relevant_found - prior_relevant) / (p.relevant_total - prior_relevant)
             if p.relevant_total > prior_relevant else 1.0)
        scale = (p.pool_size - priors) if fraction else 1
        ax.plot([x / scale], [y], marker=markers[i % len(markers)], linestyle="none",
                markersize=8, label=f"stop: {p.rule} ({p.recall:.0%} recall, "
                f"{p.work_saved:.0%} saved)")
        if p.switched_at is not None:
            ax.axvline((p.switched_at - priors) / scale, linestyle=":", linewidth=0.8,
                       color="grey")
