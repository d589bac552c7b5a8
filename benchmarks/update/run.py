"""Living-review update benchmark: does the model warmed by the first round find the
update's relevant records sooner than a model starting cold?

    nice -n 10 /work/venv/bin/python benchmarks/update/run.py [--datasets a b] \
        [--seeds 0 1] [--first-share 0.6]

Protocol, per (dataset, seed):
1. ``nlp_review.living.replay.make_replay`` splits the labelled dataset at random into a
   first search (``--first-share`` of the records) and an update (the rest, plus 60
   duplicates re-made from first-search records and one new version of an included record).
2. Through the tool's own path (a project in a temporary folder): import the first export,
   dedupe, record every first-round decision (a complete first round, simulated from the
   labels), then ``run_update`` (import, dedupe against the project, flags, ranking; no
   tagging, which does not change the ranking).
3. The new unique works (the update's records that are nobody's duplicate) are screened in
   simulation, one at a time, retraining after each decision, with the default preset:
   - warm: the model is trained on every first-round decision plus the new ones;
   - cold: the same works and features, but no first-round decision (the tool's cold start:
     import order until the first include, then similarity to includes, then the model).
   Random screening finds on average 10 % / 25 % at 10 % / 25 % screened.
Reported: share of the update's relevant new works found after screening 10 % and 25 % of
the new works; the new works at or above the update's inclusion threshold ("above") and how
many of those are relevant ("rel>=t", out of "rel"); whether the planted new version was
flagged ("ver"); the relevant new works the model
expects (sum of Platt-calibrated probabilities, "exp"; compare with "rel"); the flags
raised; CPU seconds per row
(2 cores shared with other jobs)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "datasets" / "screening"
sys.path.insert(0, str(ROOT))

from nlp_review.formats import parse  # noqa: E402
from nlp_review.formats.writers import record_to_row, write_csv  # noqa: E402
from nlp_review.living.replay import make_replay  # noqa: E402
from nlp_review.living.update import run_update  # noqa: E402
from nlp_review.screening.ranker import Ranker  # noqa: E402
from nlp_review.screening.session import label_works  # noqa: E402
from nlp_review.store.decisions import current_decisions  # noqa: E402
from nlp_review.store.project import init_project  # noqa: E402
from nlp_review.store.screening import decision_order  # noqa: E402
from nlp_review.workflows.deduplicating import run_dedupe  # noqa: E402
from nlp_review.workflows.importing import import_file  # noqa: E402

DEFAULT_DATASETS = ["ecec_adult_child_ratio", "jeyaraman_2020",
                    "cohen_atypicalantipsychotics", "nagtegaal_2019"]
CHECKPOINTS = (0.10, 0.25)


def _export(records, path: Path) -> Path:
    path.write_text(write_csv(record_to_row(r) for r in records), encoding="utf-8")
    return path


def _truth_of_work(conn, truth: dict[str, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for sid, gid in conn.execute("SELECT source_id, group_id FROM records"):
        out[gid] = max(out.get(gid, 0), truth[sid])
    return out


def ranked_first_round(conn, truth: dict[int, int], share: float) -> list[tuple[int, int]]:
    """A first round screened in ranked order (the default preset, retraining after each
    decision, cold start by import order) and stopped after ``share`` of the works: the
    decisions, in order."""
    works = conn.execute("SELECT id, title, abstract FROM works ORDER BY id").fetchall()
    ranker = Ranker().attach([f"{r['title'] or ''}\n\n{r['abstract'] or ''}".strip()
                              for r in works])
    ids = [r["id"] for r in works]
    rows, labels = [], []
    remaining = set(range(len(ids)))
    rng = np.random.RandomState(0)
    ranker.fit(rows, labels)
    for _ in range(int(np.ceil(share * len(ids)))):
        pick = ranker.query(np.array(sorted(remaining)), rng)
        remaining.discard(pick)
        rows.append(pick)
        labels.append(truth[ids[pick]])
        ranker.fit(rows, labels)
    return [(ids[r], y) for r, y in zip(rows, labels)]


def build_project(name: str, seed: int, first_share: float, folder: Path,
                  first_round: str = "complete", screened: float = 0.3):
    """The replayed project after ``run_update``; ``first_round`` is ``complete`` (every
    first-search work decided) or ``ranked`` (``screened`` of them, in ranked order)."""
    path = DATA / f"{name}.csv"
    records = parse(path.read_bytes(), str(path)).records
    rp = make_replay(records, first_share=first_share, seed=seed)
    project = init_project(folder / "proj")
    import_file(project, _export(rp.first, folder / "first.csv"))
    run_dedupe(project.conn)
    if first_round == "complete":
        ids = {sid: rid for rid, sid in project.conn.execute("SELECT id, source_id FROM records")}
        label_works(project.conn, [(rid, rp.truth[sid]) for sid, rid in ids.items()],
                    reviewer="benchmark", origin="simulate")
    else:
        order = ranked_first_round(project.conn, _truth_of_work(project.conn, rp.truth),
                                   screened)
        label_works(project.conn, order, reviewer="benchmark", origin="simulate")
    report = run_update(project, [_export(rp.update, folder / "update.csv")], tag=False)
    truth_of_work = _truth_of_work(project.conn, rp.truth)
    version_flagged = None
    if rp.new_version is not None:
        (vid,) = [r[0] for r in project.conn.execute(
            "SELECT id FROM records WHERE source_id = ?", (rp.new_version[0],))]
        version_flagged = any(f.record_id == vid for f in report.flags)
    return project, report, truth_of_work, version_flagged


def simulate(project, new_works: list[int], truth: dict[int, int], warm: bool
             ) -> dict[float, float]:
    """Recall of the new relevant works at each checkpoint, screening only new works."""
    rows = project.conn.execute("SELECT id, title, abstract FROM works ORDER BY id").fetchall()
    row_of = {r["id"]: i for i, r in enumerate(rows)}
    ranker = Ranker().attach([f"{r['title'] or ''}\n\n{r['abstract'] or ''}".strip()
                              for r in rows])
    labelled: list[int] = []
    labels: list[int] = []
    if warm:
        for w, label in decision_order(project.conn):
            labelled.append(row_of[w])
            labels.append(label)
    pool = np.array(sorted(row_of[w] for w in new_works))
    relevant = sum(truth[w] for w in new_works)
    work_of_row = {i: w for w, i in row_of.items()}
    rng = np.random.RandomState(0)
    targets = {c: int(np.ceil(c * len(pool))) for c in CHECKPOINTS}
    found, out = 0, {}
    ranker.fit(labelled, labels)
    remaining = set(pool.tolist())
    for step in range(1, max(targets.values()) + 1):
        pick = ranker.query(np.array(sorted(remaining)), rng)
        remaining.discard(pick)
        y = truth[work_of_row[pick]]
        found += y
        labelled.append(pick)
        labels.append(y)
        ranker.fit(labelled, labels)
        for c, n in targets.items():
            if step == n:
                out[c] = found / relevant if relevant else float("nan")
    return out


def calibration_rows(report, truth: dict[int, int], methods: list[tuple[str, str]]
                     ) -> list[dict]:
    """Per estimation method: the update's estimates against the truth."""
    from nlp_review.living.estimate import estimate

    if report.crossfit is None:
        return []
    rel_of = np.array([truth[w] for w in report.estimate_works])
    out = []
    for calibrator, prior in methods:
        est = estimate(report.crossfit, calibrator=calibrator, prior=prior)
        above = est.scores >= est.threshold
        rel = int(rel_of.sum())
        inc = est.scores >= est.includes_threshold
        out.append({
            "inc_above": est.includes_above,
            "recall_inc": rel_of[inc].sum() / rel if rel else float("nan"),
            "method": f"{calibrator}+{prior}", "above": est.above,
            "rel_above": int(rel_of[above].sum()), "exp_above": est.expected_above,
            "recall_t": rel_of[above].sum() / rel if rel else float("nan"),
            "exp_recall_t": est.expected_recall,
            "exp": est.expected, "low": est.low, "high": est.high, "rel": rel,
            "covered": est.low <= rel <= est.high, "prior_decided": est.prior_decided,
            "prior_new": est.prior_new, "new": len(rel_of),
        })
    return out


def _summary(rows: list[dict]) -> str:
    exp = np.array([r["exp"] for r in rows])
    rel = np.array([r["rel"] for r in rows])
    ratio = np.where(rel > 0, exp / np.maximum(rel, 1), np.nan)
    worst = float(np.nanmax(np.maximum(ratio, 1 / ratio)))
    exp_a = np.array([r["exp_above"] for r in rows])
    rel_a = np.array([r["rel_above"] for r in rows])
    width = np.mean([r["high"] - r["low"] for r in rows])
    rec_t = np.array([r["recall_t"] for r in rows])
    rec_c = np.array([r["recall_inc"] for r in rows])
    share_t = np.mean([r["above"] / r["new"] for r in rows])
    share_c = np.mean([r["inc_above"] / r["new"] for r in rows])
    return (f"runs {len(rows):>3}  MAE {np.mean(np.abs(exp - rel)):5.1f}  "
            f"mean |rel.err| {np.nanmean(np.abs(ratio - 1)):5.1%}  "
            f"within 20% {np.mean(np.abs(ratio - 1) <= 0.2):4.0%}  "
            f"worst factor {worst:4.2f}  "
            f"coverage {np.mean([r['covered'] for r in rows]):4.0%}  "
            f"mean width {width:5.1f}  "
            f"above-t MAE {np.mean(np.abs(exp_a - rel_a)):5.1f}\n{'':>26}"
            f"threshold (95 % of expected relevant): recall mean {np.nanmean(rec_t):4.0%} "
            f"min {np.nanmin(rec_t):4.0%}, passes {share_t:4.0%} of new works;  "
            f"old (95 % of decided includes): recall mean {np.nanmean(rec_c):4.0%} "
            f"min {np.nanmin(rec_c):4.0%}, passes {share_c:4.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--first-share", type=float, default=0.6)
    ap.add_argument("--first-rounds", nargs="+", default=["complete", "ranked"],
                    choices=["complete", "ranked"],
                    help="complete: every first-search work decided; ranked: --screened "
                         "of them, in ranked order")
    ap.add_argument("--screened", type=float, default=0.3)
    ap.add_argument("--methods", nargs="+", default=["isotonic+none", "platt+none",
                                                      "platt+em", "isotonic+em"],
                    help="calibrator+prior correction pairs to compare")
    ap.add_argument("--estimates-only", action="store_true",
                    help="skip the warm/cold screening simulation")
    args = ap.parse_args()
    methods = [tuple(m.split("+")) for m in args.methods]
    header = (f"{'dataset':<30} {'seed':>4} {'first':>8} {'new':>5} {'rel':>4} {'flags':>5} "
              f"{'ver':>3} {'above':>5} {'rel>=t':>6} {'rec@t':>6} {'exp':>5} {'90% int':>9} "
              f"{'warm@10%':>8} {'cold@10%':>8} {'warm@25%':>8} {'cold@25%':>8} {'s':>5}")
    print(f"default estimate: {args.methods[0]} (printed per run; every method below)")
    print(header)
    sums: dict[str, list[float]] = {k: [] for k in ("w10", "c10", "w25", "c25")}
    calib: dict[str, list[dict]] = {}
    per_run: list[tuple[str, int, str, list[dict]]] = []
    for name in args.datasets:
        for first_round in args.first_rounds:
            for seed in args.seeds:
                t0 = time.process_time()
                with tempfile.TemporaryDirectory() as tmp:
                    project, report, truth, ver = build_project(
                        name, seed, args.first_share, Path(tmp), first_round, args.screened)
                    decided = current_decisions(project.conn)
                    new = [w for w in report.new_works if w not in decided]
                    rel = sum(truth[w] for w in new)
                    rows = calibration_rows(report, truth, methods)
                    if args.estimates_only:
                        warm = cold = {c: float("nan") for c in CHECKPOINTS}
                    else:
                        warm = simulate(project, new, truth, warm=True)
                        cold = simulate(project, new, truth, warm=False)
                        sums["w10"].append(warm[0.10]); sums["c10"].append(cold[0.10])
                        sums["w25"].append(warm[0.25]); sums["c25"].append(cold[0.25])
                    project.close()
                secs = time.process_time() - t0
                for r in rows:
                    calib.setdefault(r["method"], []).append(r)
                per_run.append((name, seed, first_round, rows))
                flag = "-" if ver is None else "yes" if ver else "no"
                if rows:
                    r = rows[0]
                    est = (f"{r['above']:>5} {r['rel_above']:>6} {r['recall_t']:>6.0%} "
                           f"{r['exp']:>5.0f} {str(r['low']) + '-' + str(r['high']):>9}")
                else:
                    est = f"{'-':>5} {'-':>6} {'-':>6} {'-':>5} {'-':>9}"
                print(f"{name:<30} {seed:>4} {first_round:>8} {len(new):>5} {rel:>4} "
                      f"{len(report.flags):>5} {flag:>3} {est} {warm[0.10]:>8.1%} "
                      f"{cold[0.10]:>8.1%} {warm[0.25]:>8.1%} {cold[0.25]:>8.1%} {secs:>5.0f}",
                      flush=True)
    if sums["w10"]:
        mean = {k: float(np.nanmean(v)) for k, v in sums.items()}
        print(f"{'mean':<30} {'':>4} {'':>8} {'':>5} {'':>4} {'':>5} {'':>3} {'':>5} {'':>6} "
              f"{'':>6} {'':>5} {'':>9} {mean['w10']:>8.1%} {mean['c10']:>8.1%} "
              f"{mean['w25']:>8.1%} {mean['c25']:>8.1%}")
    print("\nExpected relevant new works per method (exp [90 % interval] vs rel; "
          "exp>=t: expected relevant above the threshold vs rel>=t):")
    for name, seed, first_round, rows in per_run:
        if not rows:
            continue
        cells = "  ".join(f"{r['exp']:5.1f} [{r['low']:>3}-{r['high']:>3}]"
                          f"{'' if r['covered'] else '*'}" for r in rows)
        print(f"{name[:24]:<24} {seed:>2} {first_round:>8} rel {rows[0]['rel']:>3} "
              f"prior dec/new {rows[0]['prior_decided']:.2f}/"
              f"{rows[0]['rel'] / max(rows[0]['new'], 1):.2f}  {cells}")
    print("  (* interval misses the truth; columns: " + ", ".join(args.methods) + ")")
    print("\nCalibration summary:")
    for method, rows in calib.items():
        for first_round in args.first_rounds:
            sub = [r for (n, s, f, rs) in per_run for r in rs
                   if f == first_round and r["method"] == method]
            if sub:
                print(f"{method:<15} {first_round:>8}  {_summary(sub)}")
        print(f"{method:<15} {'all':>8}  {_summary(rows)}")


if __name__ == "__main__":
    main()
