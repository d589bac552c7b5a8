import math, warnings
import numpy as np
from scipy.optimize import minimize
from scipy.stats import poisson

def _hyp_L(u1, u2, A, b, k):
    if abs(b-1) < 1e-6:
        return A/k*(np.log1p(k*u2)-np.log1p(k*u1))
    e = 1-1/b
    return A/(k*(1-b))*((1+b*k*u1)**e - (1+b*k*u2)**e)

MODELS = {
 'exponential': dict(
    n=2,
    unpack=lambda t: (math.exp(t[0]), math.exp(t[1])),
    lograte=lambda u, A, k: math.log(A) - k*u,
    L=lambda u1, u2, A, k: A/k*(math.exp(-k*u1)-math.exp(-k*u2)),
    start=lambda n, R, N: [math.log(max(R,1)*N/n*2), math.log(3.0)]),
 'hyperbolic1': dict(
    n=3,
    unpack=lambda t: (math.exp(t[0]), 1/(1+math.exp(-t[1])), math.exp(t[2])),
    lograte=lambda u, A, b, k: math.log(A) - (1/b)*np.log1p(b*k*u),
    L=_hyp_L,
    start=lambda n, R, N: [math.log(max(R,1)*N/n*2), 0.0, math.log(3.0)]),
 'hyperbolic': dict(
    n=3,
    unpack=lambda t: (math.exp(t[0]), math.exp(t[1]), math.exp(t[2])),
    lograte=lambda u, A, b, k: math.log(A) - (1/b)*np.log1p(b*k*u),
    L=_hyp_L,
    start=lambda n, R, N: [math.log(max(R,1)*N/n*2), math.log(0.5), math.log(3.0)]),
}

def nll(theta, model, u, ucut):
    m = MODELS[model]
    try:
        p = m['unpack'](theta)
        ll = np.sum(m['lograte'](u, *p)) - m['L'](0.0, ucut, *p)
    except (OverflowError, ZeroDivisionError, ValueError):
        return 1e12
    if not np.isfinite(ll): return 1e12
    return -ll

def fit(labels, N, model='hyperbolic', start_at=0):
    """MLE of a point-process rate on ranks start_at..n (u = rank/N)."""
    n = labels.size
    idx = np.flatnonzero(labels[start_at:]) + start_at
    u = (idx + 0.5)/N
    u0 = start_at/N; ucut = n/N
    m = MODELS[model]
    # shift u so that window starts at 0 when fitting the recent part
    us = u - u0
    f = lambda t: nll(t, model, us, ucut-u0)
    best = None
    for st in [m['start'](n-start_at, idx.size, N), [*m['start'](n-start_at, idx.size, N)[:-1], math.log(30.0)]]:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            r = minimize(f, np.array(st, float), method='Nelder-Mead', options=dict(xatol=1e-6, fatol=1e-8, maxiter=4000))
        if best is None or r.fun < best.fun: best = r
    th = best.x
    # numerical hessian
    h = 1e-3; d = th.size; H = np.zeros((d,d))
    f0 = f(th)
    for i in range(d):
        for j in range(i, d):
            ei = np.zeros(d); ei[i]=h; ej=np.zeros(d); ej[j]=h
            H[i,j] = H[j,i] = (f(th+ei+ej)-f(th+ei-ej)-f(th-ei+ej)+f(th-ei-ej))/(4*h*h)
    return th, H, u0

def mu_of(th, model, u0, ucut, uend):
    m = MODELS[model]
    try:
        v = m['L'](ucut-u0, uend-u0, *m['unpack'](th))
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf
    return v if math.isfinite(v) else math.inf

def laplace_bound(labels, N, conf=0.95, model='hyperbolic', draws=400, inflate=1.0, recent=0.0, seed=0, importance=False):
    n = labels.size
    start = int(recent*n)
    if labels[start:].sum() < 2: return None
    th, H, u0 = fit(labels, N, model, start)
    unscreened = N - n
    try:
        cov = np.linalg.inv(H)
        w = np.linalg.eigvalsh(cov)
        if np.any(w <= 0) or not np.all(np.isfinite(cov)): return float(unscreened)
    except np.linalg.LinAlgError:
        return float(unscreened)
    rng = np.random.default_rng(seed)
    T = rng.multivariate_normal(th, cov*inflate, size=draws)
    mus = np.array([mu_of(t, model, u0, n/N, 1.0) for t in T])
    mus = np.where(np.isfinite(mus), np.clip(mus, 0, unscreened), unscreened)
    wts = np.ones(draws)
    if importance:
        idx = np.flatnonzero(labels[start:]) + start
        us = (idx+0.5)/N - u0
        f0 = nll(th, model, us, n/N-u0)
        ci = np.linalg.inv(cov*inflate)
        dd = T - th
        logq = -0.5*np.einsum('ij,jk,ik->i', dd, ci, dd)
        logp = np.array([-(nll(t, model, us, n/N-u0) - f0) for t in T])
        lw = logp - logq; lw -= lw.max(); wts = np.exp(lw)
    wts = wts/wts.sum()
    lo, hi = 0, unscreened
    while lo < hi:
        mid = (lo+hi)//2
        if (wts*poisson.cdf(mid, mus)).sum() >= conf: hi = mid
        else: lo = mid+1
    return float(lo)

def plugin_bound(labels, N, conf=0.95, model='hyperbolic', recent=0.0):
    n = labels.size; start = int(recent*n)
    if labels[start:].sum() < 2: return None
    th, H, u0 = fit(labels, N, model, start)
    mu = mu_of(th, model, u0, n/N, 1.0)
    if not math.isfinite(mu): return float(N-n)
    return float(min(N-n, poisson.ppf(conf, mu)))

from scipy.stats import nbinom
def dispersion(labels, N, th, model, u0, start, windows=10):
    n = labels.size
    edges = np.linspace(start, n, windows+1).round().astype(int)
    m = MODELS[model]; p = m['unpack'](th)
    o = np.array([labels[a:b].sum() for a, b in zip(edges[:-1], edges[1:])], float)
    e = np.array([m['L'](a/N-u0, b/N-u0, *p) for a, b in zip(edges[:-1], edges[1:])], float)
    e = np.maximum(e, 1e-9)
    chi = float(np.sum((o-e)**2/e))
    return max(1.0, chi/max(windows - m['n'], 1))

def quasi_bound(labels, N, conf=0.95, model='hyperbolic', draws=400, seed=0, windows=10, nb=True, covscale=True, recent=0.0):
    n = labels.size; start = int(recent*n)
    if labels[start:].sum() < 2: return None
    th, H, u0 = fit(labels, N, model, start)
    unscreened = N - n
    try:
        cov = np.linalg.inv(H)
        if np.any(np.linalg.eigvalsh(cov) <= 0) or not np.all(np.isfinite(cov)): return float(unscreened)
    except np.linalg.LinAlgError:
        return float(unscreened)
    phi = dispersion(labels, N, th, model, u0, start, windows)
    rng = np.random.default_rng(seed)
    T = rng.multivariate_normal(th, cov*(phi if covscale else 1.0), size=draws)
    mus = np.array([mu_of(t, model, u0, n/N, 1.0) for t in T])
    mus = np.where(np.isfinite(mus), np.clip(mus, 0, unscreened), unscreened)
    mus = np.maximum(mus, 1e-12)
    def cdf(m):
        if nb and phi > 1.0 + 1e-9:
            return nbinom.cdf(m, mus/(phi-1), 1/phi)
        return poisson.cdf(m, mus)
    lo, hi = 0, unscreened
    while lo < hi:
        mid = (lo+hi)//2
        if cdf(mid).mean() >= conf: hi = mid
        else: lo = mid+1
    return float(lo)
