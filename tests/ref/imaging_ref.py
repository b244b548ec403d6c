#!/usr/bin/python3
"""Reference values for tests/imaging.bats, computed independently of znflow
(plain Python + numpy/scipy on the fixtures' raw numbers).  Run from tests/:
    /usr/bin/python3 ref/imaging_ref.py   (Debian python3-scipy)
It rewrites fixtures/expected/*.tsv; the bats suite compares znflow's output
with them (relative tolerance 1e-12, 1e-7 for the fitted bleaching rate)."""
import csv, math, statistics
import numpy as np
from scipy.optimize import curve_fit

# --- Fiji Multi Measure export of a FluoZin-3 dish: Mean1 is background ---
# frames 1-based in the file -> frame 0.., t = 5 s * frame
# windows: baseline 0:15, max 30:40, min 45:55 (seconds, inclusive)
rows = list(csv.reader(open('fixtures/fiji_fluozin3.csv')))
data = [[float(x) for x in r[1:]] for r in rows[1:]]
t = [5.0 * i for i in range(len(data))]
KD = 15.0  # nM, FluoZin-3
out = open('fixtures/expected/fiji_fluozin3.tsv', 'w')
out.write('cell\tframe\tF\tF0\tF_F0\tdF_F0\tzn_nM\tzn_flag\tFmin\tFmax\n')
for c in (1, 2):  # Mean2, Mean3 -> cells "2", "3"
    F = [row[c] - row[0] for row in data]          # minus the background ROI
    base = [f for f, tt in zip(F, t) if 0 <= tt <= 15]
    F0 = sum(base) / len(base)
    fmax = statistics.median([f for f, tt in zip(F, t) if 30 <= tt <= 40])
    fmin = statistics.median([f for f, tt in zip(F, t) if 45 <= tt <= 55])
    for i, f in enumerate(F):
        # zn-calibrate(1): below Fmin the equation's value (<= 0), flagged; at or
        # above 90 % of Fmin..Fmax near_max
        if f >= fmax: z, fl = '', 'above_max'
        else:
            z = repr(KD * (f - fmin) / (fmax - f))
            fl = 'below_min' if f <= fmin else 'near_max' if f - fmin >= 0.9 * (fmax - fmin) else 'ok'
        out.write(f'{c + 1}\t{i}\t{f!r}\t{F0!r}\t{f / F0!r}\t{(f - F0) / F0!r}\t{z}\t{fl}\t{fmin!r}\t{fmax!r}\n')
out.close()

# --- photobleaching: a*exp(-k t) fitted to the baseline window 0:120 s ---
tt, ff = [], []
for line in open('fixtures/bleach.znr'):
    if line.startswith('#'): continue
    f = line.rstrip('\n').split('\t')
    tt.append(float(f[5])); ff.append(float(f[6]))
tt, ff = np.array(tt), np.array(ff)
m = (tt >= 0) & (tt <= 120)
p, _ = curve_fit(lambda x, a, k: a * np.exp(-k * x), tt[m], ff[m], p0=(ff[0], 0.0), xtol=1e-14, ftol=1e-14)
a, k = p
corr = ff * np.exp(k * tt)
F0 = corr[m].mean()
with open('fixtures/expected/bleach.tsv', 'w') as o:
    o.write('frame\tbleach_k\tF\tF0\tF_F0\n')
    for i in range(len(tt)):
        o.write(f'{i}\t{k!r}\t{corr[i]!r}\t{F0!r}\t{corr[i] / F0!r}\n')
