import math
import numpy as np
from scipy.special import gammaln
from scipy.stats import nbinom

def _G(c1, c2, b, k):
    # integral of (1 + b k u)^(-1/b) du from c1 to c2; b, k arrays (broadcast)
    e = 1 - 1/b
    with np.errstate(all='ignore'):
        out = (np.power(1 + b*k*c2, e) - np.power(1 + b*k*c1, e)) / (k*(b-1))
        one = np.abs(b-1) < 1e-9
        out = np.where(one, (np.log1p(k*c2) - np.log1p(k*c1))/k, out)
    return out

def grid(b_min=0.01, b_max=1.0, nb=25, k_min=0.1, k_max=1e4, nk=60):
    b = np.exp(np.linspace(math.log(b_min), math.log(b_max), nb))
    k = np.exp(np.linspace(math.log(k_min), math.log(k_max), nk))
    B, K = np.meshgrid(b, k, indexing='ij')
    return B.ravel(), K.ravel()

def bayes_bound(labels, N, conf=0.95, b_max=1.0, nb=25, nk=60, k_max=1e4, recent=0.0, prior_R=0.0, ret_post=False):
    n = labels.size
    start = int(recent*n)
    idx = np.flatnonzero(labels[start:]) + start
    R = idx.size
    if R < 1: return None
    B, K = grid(b_max=b_max, nb=nb, nk=nk, k_max=k_max)
    c0, c = start/N, n/N
    u = (idx + 0.5)/N - c0
    logg = -(1/B)[:, None]*np.log1p((B*K)[:, None]*u[None, :])
    G = _G(0.0, c - c0, B, K)
    Gt = _G(c - c0, 1.0 - c0, B, K)
    shape = R + prior_R
    logm = logg.sum(1) + gammaln(shape) - shape*np.log(G)
    ok = np.isfinite(logm) & np.isfinite(G) & np.isfinite(Gt) & (G > 0)
    w = np.zeros_like(logm); w[ok] = np.exp(logm[ok] - logm[ok].max()); w /= w.sum()
    p = G/(G+Gt)
    unscreened = N - n
    lo, hi = 0, unscreened
    sel = w > 1e-12
    while lo < hi:
        mid = (lo+hi)//2
        if (w[sel]*nbinom.cdf(mid, shape, p[sel])).sum() >= conf: hi = mid
        else: lo = mid+1
    if ret_post:
        return float(lo), w, B, K, p
    return float(lo)
