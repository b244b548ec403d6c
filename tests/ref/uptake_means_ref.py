#!/usr/bin/python3
"""Reference for the uptake chain's fit of specific means (tests/demo.bats,
NOTES.md "Uptake: the subtracted control's error"), independent of znflow's
fitting: reads well rates (zn-view --tsv of an ASSAY.uptake.znr.gz: columns
construct, conc_uM, role, rate) and fits Michaelis-Menten to the non-vector
construct three ways with scipy:

  means  the specific means d = mean(T) - mean(V) per concentration, weights
         1/SE^2, SE^2 = s^2 (mean(T)^2/nT + mean(V)^2/nV), s^2 the wells'
         relative variance pooled over both; residual variance from the
         means' weighted SS plus the wells' pooled SS, df = sum(nT + nV - 1) - 2
         (what the pipeline does: zn-background --means | zn-mm-fit)
  joint  every well: T = c_i + MM(S_i), V = c_i, one free c_i per
         concentration, weights 1/fitted^2 iterated (the full model)
  wells  T - mean(V) per well, 1/fitted^2, df n - 2 (the chain before)

    python3 tests/ref/uptake_means_ref.py RATES.tsv
prints: method df Vmax Vmax_lo Vmax_hi Km Km_lo Km_hi (95 % Wald, t(df))."""
import csv
import sys
import numpy as np
from scipy import stats
from scipy.optimize import least_squares


def mm(p, S):
    return p[0] * S / (p[1] + S)


def jmm(p, S):
    return np.column_stack([S / (p[1] + S), -p[0] * S / (p[1] + S) ** 2])


def ci(p, cov, df):
    t = stats.t.ppf(0.975, df)
    se = np.sqrt(np.diag(cov))
    return [v for i in (0, 1) for v in (p[i], p[i] - t * se[i], p[i] + t * se[i])]


def lsq(fun, p0):
    return least_squares(fun, p0, method='lm', x_scale='jac', xtol=1e-15, ftol=1e-15, gtol=1e-15)


def reweighted(y, model, jac, p0):
    """1/fitted^2 weights, refitted until the parameters settle"""
    p, w = np.array(p0, float), np.ones_like(y)
    for _ in range(200):
        q = lsq(lambda q: np.sqrt(w) * (y - model(q)), p).x
        w = 1 / model(q) ** 2
        done = np.allclose(q, p, rtol=1e-13)
        p = q
        if done:
            break
    r = np.sqrt(w) * (y - model(p))
    J = jac(p) * np.sqrt(w)[:, None]
    return p, np.linalg.inv(J.T @ J), r @ r


def main(path):
    d = {}
    with open(path) as f:
        for r in csv.DictReader(f, delimiter='\t'):
            if r['role'] == 'sample' and r['rate'] != '':
                d.setdefault(r['construct'], []).append((float(r['conc_uM']), float(r['rate'])))
    con = [c for c in d if c != 'vector'][0]
    S, T = map(np.array, zip(*d[con]))
    SV, V = map(np.array, zip(*d['vector']))
    cs = np.unique(S)
    # means
    Tb = np.array([T[S == c].mean() for c in cs])
    Vb = np.array([V[SV == c].mean() for c in cs])
    nT = np.array([(S == c).sum() for c in cs])
    nV = np.array([(SV == c).sum() for c in cs])
    ss = sum(((T[S == c] - Tb[i]) ** 2).sum() / Tb[i] ** 2 + ((V[SV == c] - Vb[i]) ** 2).sum() / Vb[i] ** 2
             for i, c in enumerate(cs))
    dfw = int((nT - 1).sum() + (nV - 1).sum())
    se2 = ss / dfw * (Tb ** 2 / nT + Vb ** 2 / nV)
    dm, w = Tb - Vb, 1 / se2
    res = lsq(lambda q: np.sqrt(w) * (dm - mm(q, cs)), [dm.max(), np.median(cs)])
    J = jmm(res.x, cs) * np.sqrt(w)[:, None]
    df = dfw + len(cs) - 2
    out = [('means', df, ci(res.x, np.linalg.inv(J.T @ J) * (res.fun @ res.fun + dfw) / df, df))]
    # joint
    k = len(cs)
    it, iv = np.searchsorted(cs, S), np.searchsorted(cs, SV)
    y = np.concatenate([T, V])

    def model(q):
        return np.concatenate([q[2:][it] + mm(q[:2], S), q[2:][iv]])

    def jac(q):
        J = np.zeros((len(y), 2 + k))
        J[:len(S), :2] = jmm(q[:2], S)
        J[np.arange(len(S)), 2 + it] = 1
        J[len(S) + np.arange(len(SV)), 2 + iv] = 1
        return J
    p, inv, rss = reweighted(y, model, jac, np.concatenate([[dm.max(), np.median(cs)], Vb]))
    df = len(y) - 2 - k
    out.append(('joint', df, ci(p[:2], inv[:2, :2] * rss / df, df)))
    # wells
    yw = T - np.array([Vb[np.searchsorted(cs, s)] for s in S])
    p, inv, rss = reweighted(yw, lambda q: mm(q, S), lambda q: jmm(q, S), [dm.max(), np.median(cs)])
    df = len(yw) - 2
    out.append(('wells', df, ci(p, inv * rss / df, df)))
    for name, df, v in out:
        print('%s\t%d\t%s' % (name, df, '\t'.join('%.10g' % x for x in v)))


if __name__ == '__main__':
    main(sys.argv[1])
