"""What every stopping rule shares: the verdict object and the estimator contract.

A rule is a scikit-learn style estimator (inert ``__init__`` that only stores parameters,
``fit`` returns ``self``, learned state ends in ``_``). It is fed the decisions so far, in
screening order, and the pool size:

- ``labels``: 1 included / 0 excluded, oldest first (prior decisions first);
- ``sampled``: for each decision, whether its record was drawn at random from the
  unscreened pool (the random-sample mode that statistical rules ask for);
- ``pool_size``: the number of unique records (works) in the project.

``fit`` leaves its answer in ``decision_``, a :class:`StopDecision`; ``decide`` is the
one-call shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from nlp_review.errors import ConfigError, InputError


@dataclass(frozen=True)
class StopDecision:
    """A rule's answer to "stop now?" with its reasoning.

    ``wants_random_sample`` is True when the rule needs the next records to be drawn at
    random from the unscreened pool before it can decide (statistical rules)."""

    rule: str
    stop: bool
    reason: str
    wants_random_sample: bool = False
    numbers: dict[str, float | int | None] = field(default_factory=dict)


def as_sequences(
    labels: Sequence[int] | np.ndarray,
    sampled: Sequence[bool] | np.ndarray | None,
    pool_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert a decision sequence; raise a clear error on bad input."""
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    if y.size and not np.isin(y, (0, 1)).all():
        bad = int(np.flatnonzero(~np.isin(y, (0, 1)))[0])
        raise InputError(f"label {y[bad]} is not 0 or 1", record=bad + 1,
                         hint="labels are 1 (included) or 0 (excluded)")
    s = (np.zeros(y.size, dtype=bool) if sampled is None
         else np.asarray(sampled, dtype=bool).reshape(-1))
    if s.size != y.size:
        raise ConfigError(f"{y.size} labels but {s.size} sampled flags",
                          hint="pass one sampled flag per decision")
    if int(pool_size) < y.size:
        raise ConfigError(f"pool size {pool_size} is smaller than the {y.size} decisions made",
                          hint="the pool size is the number of unique records in the project")
    return y, s


def check_probabilities(rule: object, *keys: str) -> None:
    """Raise ``ConfigError`` unless each parameter ``keys`` of ``rule`` (a recall target, a
    confidence) is a number strictly between 0 and 1."""
    for key in keys:
        value = getattr(rule, key)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not 0 < float(value) < 1:
            raise ConfigError(f"{key} must be between 0 and 1, not {value!r}",
                              hint=f"e.g. {key}=0.95")


def check_count(rule: object, key: str, example: int) -> None:
    """Raise ``ConfigError`` unless parameter ``key`` of ``rule`` is a whole number >= 1."""
    value = getattr(rule, key)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{key} must be a whole number >= 1, not {value!r}",
                          hint=f"e.g. {key}={example}")


def trailing_irrelevant(labels: np.ndarray) -> int:
    """How many decisions since the last include (all of them if there is none)."""
    hits = np.flatnonzero(labels == 1)
    return int(labels.size if hits.size == 0 else labels.size - 1 - hits[-1])


def sampled_suffix_start(sampled: np.ndarray) -> int | None:
    """Index where the final unbroken run of randomly sampled decisions begins, or None
    when the latest decision was not drawn at random."""
    if sampled.size == 0 or not sampled[-1]:
        return None
    not_sampled = np.flatnonzero(~sampled)
    return int(not_sampled[-1] + 1) if not_sampled.size else 0


class StoppingRule(BaseEstimator):
    """Base class: subclasses implement ``_decide(labels, sampled, pool_size)``."""

    #: registry name, set by each subclass
    name = "rule"
    #: whether the rule can ask for records drawn at random
    uses_random_sample = False

    def fit(self, labels: Sequence[int] | np.ndarray, sampled: Sequence[bool] | None = None,
            *, pool_size: int) -> "StoppingRule":
        y, s = as_sequences(labels, sampled, pool_size)
        self._check_params()
        if int(pool_size) == 0:
            self.decision_ = StopDecision(
                self.name, False, "no records to screen yet: import search results first",
                numbers={"screened": 0, "pool": 0})
        elif y.size >= int(pool_size):
            self.decision_ = StopDecision(
                self.name, True, f"every one of the {pool_size} records has been screened",
                numbers={"screened": int(y.size), "pool": int(pool_size)})
        else:
            self.decision_ = self._decide(y, s, int(pool_size))
        return self

    def decide(self, labels: Sequence[int] | np.ndarray, sampled: Sequence[bool] | None = None,
               *, pool_size: int) -> StopDecision:
        return self.fit(labels, sampled, pool_size=pool_size).decision_

    @property
    def verdict(self) -> StopDecision:
        check_is_fitted(self, "decision_")
        return self.decision_

    def _check_params(self) -> None:  # pragma: no cover - overridden where needed
        pass

    def _decide(self, labels: np.ndarray, sampled: np.ndarray, pool_size: int) -> StopDecision:
        raise NotImplementedError

    def describe(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(self.get_params().items()))
        return f"{self.name}({params})"
