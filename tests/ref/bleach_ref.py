#!/usr/bin/python3
"""Reference for zn-bleach: the pooled photobleaching rate by another route.

    bleach_ref.py TRACE.tsv CHANNEL WINDOWS [equal]

TRACE.tsv: zn-view --tsv with sample, cell, role, t and the channel.
WINDOWS: START:END,START:END (seconds).  For each sample: every (cell,
window) with at least 2 values whose scatter (1.4826 MAD / median, numpy)
is at most 0.2 is a group; log F = a_group - k t is solved as one weighted
least-squares problem with a column per group (a dummy intercept) and one
for t (numpy.linalg.lstsq on sqrt(w)-scaled rows; weight of a group = its
mean F, or 1 with 'equal').  Not the centred sums zn_bleach.c uses.
Prints: sample, k, SE (s^2 (X'WX)^-1 for the t column, s^2 = weighted
RSS / (n - groups - 1)), the sample's first time t0.
"""
import csv
import math
import sys

import numpy as np

path, chan, wins = sys.argv[1], sys.argv[2], sys.argv[3]
equal = len(sys.argv) > 4 and sys.argv[4] == 'equal'
wins = [tuple(float(x) for x in w.split(':')) for w in wins.split(',')]

samples = {}
with open(path) as f:
    for r in csv.DictReader(f, delimiter='\t'):
        if r['role'] == 'bg':
            continue
        cells = samples.setdefault(r['sample'], {})
        cells.setdefault(r['cell'], []).append((float(r['t']), float(r[chan]) if r[chan] != '' else math.nan))

print('sample\tk\tse\tt0')
for s, cells in samples.items():
    groups = []
    for c, pts in cells.items():
        for a, b in wins:
            v = [(t, y) for t, y in pts if a <= t <= b and not math.isnan(y)]
            if len(v) < 2:
                continue
            y = np.array([p[1] for p in v])
            med = np.median(y)
            if len(v) >= 3 and 1.4826 * np.median(np.abs(y - med)) / med > 0.2:
                continue
            groups.append((np.array([p[0] for p in v]), y))
    n = sum(len(g[0]) for g in groups)
    X = np.zeros((n, len(groups) + 1))
    z = np.zeros(n)
    w = np.zeros(n)
    i = 0
    for j, (t, y) in enumerate(groups):
        m = len(t)
        X[i:i + m, j] = 1
        X[i:i + m, -1] = t
        z[i:i + m] = np.log(y)
        w[i:i + m] = 1.0 if equal else y.mean()
        i += m
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)
    res = (z - X @ beta) * sw
    df = n - len(groups) - 1
    cov = np.linalg.inv((X * w[:, None]).T @ X) * (res @ res) / df
    t0 = min(t for pts in cells.values() for t, _ in pts)
    print('%s\t%r\t%r\t%r' % (s, -beta[-1], math.sqrt(cov[-1, -1]), t0))
