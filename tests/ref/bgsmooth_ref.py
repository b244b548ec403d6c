#!/usr/bin/python3
"""Reference for zn-background --smooth: numpy.polyfit of a straight line to
the per-frame background means within SECONDS (centred on the frame,
shifted to the first or last SECONDS of the trace at its ends), evaluated
at the frame; not the running sums of zn-background.

    bgsmooth_ref.py TRACE.tsv CHANNEL SECONDS

TRACE.tsv: zn-view --tsv with sample, role, frame, t and the channel.
Prints: sample, frame, the smoothed background (%.17g)."""
import csv
import sys

import numpy as np

path, ch, S = sys.argv[1], sys.argv[2], float(sys.argv[3])
bg = {}
with open(path) as f:
    for r in csv.DictReader(f, delimiter='\t'):
        if r['role'] != 'bg' or r[ch] == '':
            continue
        bg.setdefault(r['sample'], {}).setdefault(int(r['frame']), [float(r['t']), []])[1].append(float(r[ch]))
for s in bg:
    fr = sorted(bg[s])
    t = np.array([bg[s][k][0] for k in fr])
    y = np.array([np.mean(bg[s][k][1]) for k in fr])
    t0, t1 = t.min(), t.max()
    for k, ti in zip(fr, t):
        lo, hi = ti - S / 2, ti + S / 2
        if lo < t0:
            lo, hi = t0, t0 + S
        elif hi > t1:
            lo, hi = t1 - S, t1
        m = (t >= lo) & (t <= hi)
        v = np.polyval(np.polyfit(t[m], y[m], 1), ti) if m.sum() > 1 else y[m][0]
        print('%s\t%d\t%.17g' % (s, k, v))
