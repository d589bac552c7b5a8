"""The speed work must not change results: the fast solver and the report path (recall.png
drawn by a child process) give exactly the orders the plain code gave."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg.blas import daxpy
from typer.testing import CliRunner

from nlp_review.cli.app import app
from nlp_review.errors import NlpReviewError
from nlp_review.screening.classifiers import IncrementalSVM
from nlp_review.screening.dataset import load_labelled_csv
from nlp_review.screening.plotter import PlotWorker
from nlp_review.screening.simulate import Simulation

from .conftest import SCREENING

EXPECTED = json.loads((Path(__file__).with_name("expected_orders.json")).read_text())["runs"]


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: f"{c['preset']}-seed{c['seed']}")
def test_simulation_order_is_unchanged(case):
    data = load_labelled_csv(SCREENING / f"{case['dataset']}.csv")
    rows = [data.row_of(p) for p in case["priors"]]
    result = Simulation(data.texts, data.labels, rows, preset=case["preset"],
                        seed=case["seed"], until=case["until"]).run()
    assert [data.record_ids[r] for r in result.order] == case["order"]


def test_cli_order_csv_is_unchanged_and_plot_drawn(tmp_path):
    case = EXPECTED[0]
    out = tmp_path / "sim"
    args = ["simulate", str(SCREENING / f"{case['dataset']}.csv"), "--seed", str(case["seed"]),
            "--preset", case["preset"], "--out", str(out)]
    for p in case["priors"]:
        args += ["--prior", p]
    if case["until"] == "all":
        args.append("--all")
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    order = [row["record_id"] for row in csv.DictReader((out / "order.csv").open())]
    assert order == case["order"]
    assert (out / "recall.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "order.csv", "recall.png"]


def _reference_solve_full(svm: IncrementalSVM, diag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The solver as first written: the same loop on numpy scalars."""
    K, y, alpha, f, rows = svm.K_, svm.y_, svm.alpha_.copy(), svm.scores_.copy(), svm.rows_
    n = len(rows)
    qdiag = svm._kll[np.arange(n), np.arange(n)] + diag
    for _ in range(svm.max_updates // max(n, 1) + 1):
        grad = y * f[rows] - 1.0 + diag * alpha
        pg = np.where(alpha > 0, grad, np.minimum(grad, 0.0))
        viol = np.flatnonzero(np.abs(pg) > svm.tol)
        if len(viol) == 0:
            break
        for i in viol[np.argsort(-np.abs(pg[viol]))]:
            g = y[i] * f[rows[i]] - 1.0 + diag[i] * alpha[i]
            new = max(alpha[i] - g / qdiag[i], 0.0)
            delta = new - alpha[i]
            if delta != 0.0:
                alpha[i] = new
                daxpy(K[i], f, a=delta * y[i])
    return alpha, f


def test_fast_coordinate_descent_is_bit_identical_to_the_numpy_loop():
    rng = np.random.RandomState(0)
    X = sp.random(120, 400, density=0.05, random_state=rng, format="csr")
    y = (rng.random_sample(120) < 0.2).astype(int)
    svm = IncrementalSVM(C=1.0, poly=1.0).attach(X)
    rows = rng.permutation(120)[:60]
    svm.fit_rows(rows[:30], y[rows[:30]])  # warm start from a smaller set
    weight = np.where(y[rows] == 1, 1.0, 0.3)
    diag = 1.0 / (2.0 * svm.C * weight)
    # Extend the training set as fit_rows does, then solve both ways from the same state.
    svm._append_rows(svm._kernel_rows(rows[30:]), rows, 30)
    svm.alpha_ = np.concatenate([svm.alpha_, np.zeros(30)])
    svm.rows_, svm.K_ = rows, svm._buf[:60]
    svm.y_ = np.where(y[rows] == 1, 1.0, -1.0)
    alpha, f = _reference_solve_full(svm, diag)
    svm._solve_full(diag)
    assert np.array_equal(svm.alpha_, alpha) and np.array_equal(svm.scores_, f)
    assert (alpha > 0).any()


def test_plot_worker_reports_a_figure_it_could_not_write(tmp_path):
    worker = PlotWorker()
    metrics = {"records": 4, "relevant": 2, "wss@95": 0.1, "loss": 0.2}
    worker.draw(tmp_path / "ok.png", [1, 0, 1, 0], metrics, title="fine")
    worker.draw(tmp_path / "missing" / "recall.png", [1, 0, 1, 0], metrics)
    with pytest.raises(NlpReviewError, match="recall.png"):
        worker.close()
    assert (tmp_path / "ok.png").read_bytes()[:4] == b"\x89PNG"
    assert not list((tmp_path).glob("*.tmp.png"))


def test_plot_worker_cancel_leaves_no_process():
    worker = PlotWorker()
    worker.cancel()
    assert worker._proc.poll() is not None


def test_plot_worker_draws_stop_points_with_numpy_numbers(tmp_path):
    from nlp_review.stopping.replay import StopPoint

    point = StopPoint(rule="knee", stopped=True, screened=6, pool_size=8, relevant_total=3,
                      relevant_found=3, recall=1.0, work_saved=0.25, switched_at=None,
                      random_sample=0, reason="knee", numbers={"slope": np.float64(6.5)})
    worker = PlotWorker()
    worker.draw(tmp_path / "recall.png", [1, 0, 1, 0, 0, 0],
                {"records": 6, "relevant": 2, "wss@95": 0.1, "loss": 0.2}, {"rule": 3}, [point])
    worker.close()
    assert (tmp_path / "recall.png").read_bytes()[:4] == b"\x89PNG"
