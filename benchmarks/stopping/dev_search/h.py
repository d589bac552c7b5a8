"""Scratch replay of candidate bounds on the dev half (every other dataset, seeds 1-2) of the
cached orders; checks every 2.5 % with the authors' decaying minimum of relevant records."""
import json, math, sys, warnings
from pathlib import Path
import numpy as np
from scipy.optimize import minimize
from scipy.stats import poisson, nbinom
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
RUNS_JSON = str(ROOT / 'benchmarks/.work/stopping/dev_search_runs.json')
from nlp_review.stopping.counting import CountingProcess, fit_rate, RATES, expected_left, upper_left, cox_upper_left

RUNS = json.load(open(RUNS_JSON))
NAMES = []
for k in RUNS:
    n = k.split('|')[0]
    if n not in NAMES: NAMES.append(n)
DEV = NAMES[0::2]; HELD = NAMES[1::2]

def runs(split='dev', seeds=(1,2)):
    names = DEV if split=='dev' else HELD if split=='held' else NAMES
    for n in names:
        for s in seeds:
            r, N = RUNS[f"{n}|{s}"]
            lab = np.zeros(N, dtype=np.int64); lab[:len(r)] = r
            yield n, s, lab, N

def simulate(bound_fn, split='dev', seeds=(1,2), target=0.95, check_every=0.025, min_rel=20, decay=True, verbose=False, confirm=1):
    res = []
    for n, s, lab, N in runs(split, seeds):
        R = lab.sum()
        steps = np.arange(1, math.ceil(1/check_every)+1)
        pts = np.unique(np.round(N*np.minimum(steps*check_every,1.0)).astype(int))
        pts = pts[(pts >= 10) & (pts <= N)]
        need = min_rel; stop_at = N; streak = 0
        for j, at in enumerate(pts, 1):
            if j > 1 and decay:
                share = (j-1)*check_every
                need = max(0, int(need - share*need))
            if at >= N: break
            pre = lab[:at]; found = int(pre.sum())
            if found < max(need,1): streak = 0; continue
            U = bound_fn(pre, N)
            if U is None: streak = 0; continue
            if target*(found+U) <= found + 1e-9:
                streak += 1
                if streak >= confirm:
                    stop_at = at; break
            else:
                streak = 0
        rec = lab[:stop_at].sum()/R
        res.append((n, s, rec, 1-stop_at/N))
    rec = np.array([r[2] for r in res]); sv = np.array([r[3] for r in res])
    ok = np.mean(rec >= target-1e-12)
    if verbose:
        for r in res:
            if r[2] < target: print('   miss', r)
    return ok, sv.mean(), rec.min(), res

def rule_bound(**kw):
    rule = CountingProcess(**kw)
    def f(pre, N):
        res = rule.assess(pre, N, 1)  # need handled outside; min_relevant=1
        return res['upper_left']
    rule.min_relevant = 1
    return f
