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


def build_project(name: str, seed: int, first_share: float, folder: Path):
    path = DATA / f"{name}.csv"
    records = parse(path.read_bytes(), str(path)).records
    rp = make_replay(records, first_share=first_share, seed=seed)
    project = init_project(folder / "proj")
    import_file(project, _export(rp.first, folder / "first.csv"))
    run_dedupe(project.conn)
    ids = {sid: rid for rid, sid in project.conn.execute("SELECT id, source_id FROM records")}
    label_works(project.conn, [(rid, rp.truth[sid]) for sid, rid in ids.items()],
                reviewer="benchmark", origin="simulate")
    report = run_update(project, [_export(rp.update, folder / "update.csv")], tag=False)
    truth_of_work: dict[int, int] = {}
    for sid, gid in project.conn.execute("SELECT source_id, group_id FROM records"):
        truth_of_work[gid] = max(truth_of_work.get(gid, 0), rp.truth[sid])
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--first-share", type=float, default=0.6)
    args = ap.parse_args()
    header = (f"{'dataset':<30} {'seed':>4} {'new':>5} {'rel':>4} {'flags':>5} {'ver':>3} "
              f"{'above':>5} {'rel>=t':>6} {'exp':>5} {'warm@10%':>8} {'cold@10%':>8} "
              f"{'warm@25%':>8} {'cold@25%':>8} {'s':>5}")
    print(header)
    sums: dict[str, list[float]] = {k: [] for k in ("w10", "c10", "w25", "c25")}
    for name in args.datasets:
        for seed in args.seeds:
            t0 = time.process_time()
            with tempfile.TemporaryDirectory() as tmp:
                project, report, truth, ver = build_project(name, seed, args.first_share,
                                                            Path(tmp))
                decided = current_decisions(project.conn)
                new = [w for w in report.new_works if w not in decided]
                rel = sum(truth[w] for w in new)
                warm = simulate(project, new, truth, warm=True)
                cold = simulate(project, new, truth, warm=False)
                project.close()
            secs = time.process_time() - t0
            sums["w10"].append(warm[0.10]); sums["c10"].append(cold[0.10])
            sums["w25"].append(warm[0.25]); sums["c25"].append(cold[0.25])
            above = "-" if report.above_threshold is None else str(report.above_threshold)
            exp = "-" if report.expected_relevant is None else f"{report.expected_relevant:.0f}"
            rel_above = "-" if report.threshold is None else str(sum(
                1 for w, v in report.scores.items() if v >= report.threshold and truth[w]))
            flag = "-" if ver is None else "yes" if ver else "no"
            print(f"{name:<30} {seed:>4} {len(new):>5} {rel:>4} {len(report.flags):>5} "
                  f"{flag:>3} {above:>5} {rel_above:>6} {exp:>5} {warm[0.10]:>8.1%} "
                  f"{cold[0.10]:>8.1%} {warm[0.25]:>8.1%} {cold[0.25]:>8.1%} {secs:>5.0f}",
                  flush=True)
    mean = {k: float(np.nanmean(v)) for k, v in sums.items()}
    print(f"{'mean':<30} {'':>4} {'':>5} {'':>4} {'':>5} {'':>3} {'':>5} {'':>6} {'':>5} "
          f"{mean['w10']:>8.1%} {mean['c10']:>8.1%} {mean['w25']:>8.1%} {mean['c25']:>8.1%}")


if __name__ == "__main__":
    main()
