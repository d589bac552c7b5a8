"""Simulation metrics over a screening order. ``labels`` is the 0/1 relevance of the
records in the order they were screened, priors excluded; ``n_records`` is the number of
non-prior records (the order is padded with irrelevant ones up to it, as ASReview does).
Definitions are in docs/screening.md."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def _padded(labels: Sequence[int], n_records: int) -> np.ndarray:
    y = np.asarray(labels, dtype=float)
    if len(y) > n_records:
        raise ValueError("more screened labels than records")
    return np.concatenate([y, np.zeros(n_records - len(y))])


def _check(y: np.ndarray) -> tuple[int, int]:
    ny, nx = int(y.sum()), len(y)
    if ny == 0 or ny == nx:
        raise ValueError("metrics need both relevant and irrelevant records beyond the priors")
    return nx, ny


def screened_at_recall(labels: Sequence[int], n_records: int, recall: float) -> int:
    """How many records must be screened to reach ``recall`` (ceil(recall * relevant))."""
    y = _padded(labels, n_records)
    _, ny = _check(y)
    need = max(1, math.ceil(recall * ny - 1e-9))
    return int(np.searchsorted(np.cumsum(y), need) + 1)


def wss(labels: Sequence[int], n_records: int, recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall``: share of records not screened when reaching
    that recall, minus the share random screening would save (1 - recall)."""
    n = screened_at_recall(labels, n_records, recall)
    return (1.0 - n / n_records) - (1.0 - recall)


def rrf(labels: Sequence[int], n_records: int, share: float = 0.10) -> float:
    """Relevant records found (recall) after screening ``share`` of the records."""
    y = _padded(labels, n_records)
    _, ny = _check(y)
    k = int(round(share * n_records))
    return float(y[:k].sum() / ny)


def atd(labels: Sequence[int], n_records: int) -> float:
    """Average time to discovery: mean 1-based position of the relevant records, divided
    by the number of records (0 best; about 0.5 for random screening)."""
    y = _padded(labels, n_records)
    nx, _ = _check(y)
    positions = np.flatnonzero(y) + 1
    return float(positions.mean() / nx)


def loss(labels: Sequence[int], n_records: int) -> float:
    """ASReview LAB's loss: the area between the perfect and the actual recall curves,
    normalised: (Ny*(Nx-(Ny-1)/2) - sum(cumsum(labels))) / (Ny*(Nx-Ny)); 0 is perfect."""
    y = _padded(labels, n_records)
    nx, ny = _check(y)
    return float((ny * (nx - (ny - 1) / 2) - np.cumsum(y).sum()) / (ny * (nx - ny)))


def ndcg(labels: Sequence[int], n_records: int) -> float:
    """Normalised discounted cumulative gain of the order (ASReview LAB's definition)."""
    y = _padded(labels, n_records)
    nx, ny = _check(y)
    dcg = np.sum(y / np.log2(np.arange(2, nx + 2)))
    idcg = np.sum(1 / np.log2(np.arange(2, ny + 2)))
    return float(dcg / idcg)


def all_metrics(labels: Sequence[int], n_records: int) -> dict[str, float | int]:
    y = _padded(labels, n_records)
    return {
        "records": n_records,
        "relevant": int(y.sum()),
        "screened": len(labels),
        "wss@95": round(wss(labels, n_records, 0.95), 6),
        "wss@100": round(wss(labels, n_records, 1.0), 6),
        "rrf@10": round(rrf(labels, n_records, 0.10), 6),
        "atd": round(atd(labels, n_records), 6),
        "loss": round(loss(labels, n_records), 6),
        "ndcg": round(ndcg(labels, n_records), 6),
    }
