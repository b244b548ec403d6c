#!/usr/bin/python3
"""A FluoZin-3 dish of cells without a response, made as tools/make-examples.py
makes the demo's (Fiji Multi Measure CSV, 300 frames every 2 s, Mean1 the
background ROI; its noise model: the background's noise sd 1, the cells'
sqrt(0.2 F + 1), sums of 12 uniforms; bleaching exp(-t / tau_bleach); the
Zn + pyrithione phase from 400 s, TPEN from 500 s), every cell flat until
the ionophore.  For tests/metrics.bats (false responders).
    fz_sim.py SEED TAU_BLEACH_S OUT.csv [NCELL]"""
import math
import sys

import numpy as np

seed, tau_b, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ncell = int(sys.argv[4]) if len(sys.argv) > 4 else 30
rng = np.random.default_rng(seed)
KD = 15.0


def e():
    return rng.uniform(size=12).sum() - 6


bg0 = rng.uniform(25, 35)
cells = []
for c in range(ncell):
    fmin = rng.uniform(60, 130)
    cells.append(dict(fmin=fmin, fmax=fmin * rng.uniform(5, 9), rest=0.25 + 0.75 * rng.uniform()))
lines = [' ,' + ','.join('Mean%d' % (k + 1) for k in range(ncell + 1))]
for k in range(300):
    t = 2 * k
    row = ['%d' % (k + 1), '%.3f' % (bg0 + 0.004 * t + e())]
    for c in cells:
        if t < 400:
            th = c['th400'] = c['rest'] / (c['rest'] + KD)
        elif t < 500:
            th = c['th500'] = 1 + (c['th400'] - 1) * math.exp(-(t - 400) / 6)
        else:
            th = c['th500'] * math.exp(-(t - 500) / 8)
        dye = (c['fmin'] + (c['fmax'] - c['fmin']) * th) * math.exp(-t / tau_b)
        row.append('%.3f' % (bg0 + 0.004 * t + dye + math.sqrt(0.2 * dye + 1) * e()))
    lines.append(','.join(row))
with open(out, 'w') as f:
    f.write('\n'.join(lines) + '\n')
