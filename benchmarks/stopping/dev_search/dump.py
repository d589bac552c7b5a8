"""Dump the 84 cached elas_u4_fast ranked label sequences (priors first) for the scratch
dev search (run from the repository root)."""
import sys, json, numpy as np
from pathlib import Path
RUNS_JSON = str(Path('benchmarks/.work/stopping/dev_search_runs.json'))
sys.path.insert(0,'benchmarks/stopping'); sys.path.insert(0,'benchmarks/screening'); sys.path.insert(0,'.')
import importlib.util; spec=importlib.util.spec_from_file_location("srun","benchmarks/stopping/run.py"); run=importlib.util.module_from_spec(spec); spec.loader.exec_module(run)
from protocol import datasets, load_ids_labels
out={}
for name in datasets():
    ids, labels = load_ids_labels(name)
    lab=dict(zip(ids, labels.tolist()))
    for seed in (1,2,3):
        r=run.ranked_order(name, seed, 'elas_u4_fast')
        ranked=[lab[p] for p in r['priors']]+[lab[x] for x in r['order']]
        out[f"{name}|{seed}"]=(ranked, len(ids))
json.dump(out, open(RUNS_JSON,'w'))
print(len(out))
