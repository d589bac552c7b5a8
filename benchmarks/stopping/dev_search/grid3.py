from h import *
from bayes import *
import sys, time
for line in sys.argv[1:]:
    kw, sk = eval(line)
    t=time.time(); ok, sv, mn, res = simulate(lambda p,N: bayes_bound(p,N,**kw), **sk)
    miss = [(r[0][:12], r[1], round(r[2],3), round(r[3],3)) for r in res if r[2] < 0.95-1e-12]
    print('bayes', kw, sk, f"ok={ok:.3f} saved={sv:.3f} worst={mn:.3f}", round(time.time()-t), miss, flush=True)
