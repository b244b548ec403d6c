#!/usr/bin/python3
"""ROUT (Motulsky and Brown 2006) for the simplest curve, a constant (one
parameter, K = 1), written apart from zn-mm-fit with scipy: the Lorentzian
(Cauchy) robust fit with the scale RSDR = P68.27(|r|) n/(n - K) recomputed
from each fit's residuals until both settle, then t = |r|/RSDR with n - K
df, two-tailed p, and the false discovery rate at Q by Benjamini and
Hochberg, among the floor(0.3 n) largest residuals only (GraphPad: ROUT
finds "up to 30% of the sample size"); --uncapped tests every point.
    ref/rout_ref.py FILE [Q] [--uncapped]  ->  the outliers' values, ascending"""
import sys
import numpy as np
from scipy import stats
from scipy.optimize import least_squares

args = [a for a in sys.argv[1:] if not a.startswith('--')]
y = np.loadtxt(args[0], ndmin=1); Q = float(args[1]) if len(args) > 1 else 0.01
capped = '--uncapped' not in sys.argv
n, K = len(y), 1
def rsdr(r): return np.percentile(np.abs(r), 68.27) * n / (n - K)
m = np.array([y.mean()]); s = rsdr(y - m[0])
for _ in range(500):
    m2 = least_squares(lambda q: q[0] - y, m, loss='cauchy', f_scale=s, method='trf',
                       xtol=1e-15, ftol=1e-15, gtol=1e-15).x
    s2 = rsdr(y - m2[0])
    done = abs(m2[0] - m[0]) <= 1e-12 * abs(m2[0]) and abs(s2 - s) <= 1e-12 * s
    m, s = m2, s2
    if done: break
p = 2 * stats.t.sf(np.abs(y - m[0]) / s, n - K)
order = np.argsort(p); k = 0
for i, j in enumerate(order):
    if (not capped or i < 3 * n // 10) and p[j] < (i + 1) * Q / n: k = i + 1
print(' '.join('%g' % v for v in sorted(y[order[:k]])))
