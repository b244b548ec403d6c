#!/usr/bin/python3
"""Reference for zn-bleach --fret: G, the donor's and the acceptor's rates by
another route (numpy least squares with dummy intercepts, scipy's bounded
Brent search for G; not the centred sums and golden section of zn-bleach).

    fret_ref.py TRACE.tsv DONOR ACCEPTOR WINDOWS [equal]

TRACE.tsv: zn-view --tsv with sample, cell, role, t and both channels.
WINDOWS: START:END,... (seconds).  A group is a (cell, window) with >= 2
frames holding both channels, neither scattering (1.4826 MAD / median) more
than 0.2.  Weight of a group: the mean of D + A over its frames (or 1).
  G:  minimises the weighted RSS of log(D + A/G) = a_cell - kD t over every
      group of a cell together (one intercept per cell);
  kD: log(D + A/G) = a_group - kD t;   kA: log(A / (A + G D)) = a_group - kA t.
Prints: sample, G, kD, SE(kD), kA, SE(kA).
"""
import csv
import math
import sys

import numpy as np
from scipy.optimize import minimize_scalar

path, dn, an, wins = sys.argv[1:5]
equal = len(sys.argv) > 5 and sys.argv[5] == 'equal'
wins = [tuple(float(x) for x in w.split(':')) for w in wins.split(',')]

samples = {}
with open(path) as f:
    for r in csv.DictReader(f, delimiter='\t'):
        if r['role'] == 'bg':
            continue
        if r[dn] == '' or r[an] == '':
            continue
        samples.setdefault(r['sample'], {}).setdefault(r['cell'], []).append((float(r['t']), float(r[dn]), float(r[an])))


def mad(x):
    x = np.asarray(x)
    return 1.4826 * np.median(np.abs(x - np.median(x)))


def lsq(groups, slope_name):
    """groups: list of (t array, y array, weight); log y = a_g - k t. Returns k, se, rss, df."""
    n = sum(len(g[0]) for g in groups)
    X = np.zeros((n, len(groups) + 1))
    Y = np.zeros(n)
    W = np.zeros(n)
    i = 0
    for j, (t, y, w) in enumerate(groups):
        m = len(t)
        X[i:i + m, j] = 1
        X[i:i + m, -1] = -t
        Y[i:i + m] = np.log(y)
        W[i:i + m] = w
        i += m
    sw = np.sqrt(W)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], Y * sw, rcond=None)
    res = (Y - X @ beta) * sw
    rss = float(res @ res)
    df = n - len(groups) - 1
    cov = np.linalg.inv((X * W[:, None]).T @ X)
    se = math.sqrt(rss / df * cov[-1, -1]) if df > 0 else float('nan')
    return beta[-1], se, rss, df


for s in sorted(samples):
    groups = []  # (cell, t, d, a, w)
    for c in sorted(samples[s]):
        rows = samples[s][c]
        for lo, hi in wins:
            g = [r for r in rows if lo <= r[0] <= hi]
            if len(g) < 2:
                continue
            t, d, a = (np.array(v) for v in zip(*g))
            if len(g) >= 3 and any(np.median(x) > 0 and mad(x) / np.median(x) > 0.2 for x in (d, a)):
                continue
            groups.append((c, t, d, a, 1.0 if equal else float(np.mean(d + a))))

    def rss(u):
        G = math.exp(u)
        cells = {}
        for c, t, d, a, w in groups:
            cells.setdefault(c, []).append((t, d + a / G, d, a))
        gg = []
        for c, v in cells.items():
            t = np.concatenate([x[0] for x in v])
            y = np.concatenate([x[1] for x in v])
            dd = np.concatenate([x[2] for x in v])
            aa = np.concatenate([x[3] for x in v])
            gg.append((t, y, 1.0 if equal else float(np.mean(dd + aa))))
        return lsq(gg, 'kD')[2]

    grid = np.linspace(math.log(0.01), math.log(100), 81)
    i = int(np.argmin([rss(u) for u in grid]))
    u = minimize_scalar(rss, bounds=(grid[i - 1], grid[i + 1]), method='bounded', options={'xatol': 1e-11}).x
    G = math.exp(u)
    kd, sed, _, _ = lsq([(t, d + a / G, w) for c, t, d, a, w in groups], 'kD')
    ka, sea, _, _ = lsq([(t, a / (a + G * d), w) for c, t, d, a, w in groups], 'kA')
    print('%s\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g' % (s, G, kd, sed, ka, sea))
