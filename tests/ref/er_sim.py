#!/usr/bin/python3
"""Simulated ER-ZapCY1 FRET dishes like the demo's (tools/make-examples.py:
same model of rest, Rmin, Rmax, donor level, bleaching, shot noise and
background ROI), with FACTOR times as many frames over the same protocol
(interval 10/FACTOR s): the false-responder check of zn-metrics on cells
known not to respond (fold 1), and its power on cells that do (fold 2-3).

    /usr/bin/python3 tests/ref/er_sim.py OUTDIR FACTOR DISHES CELLS FOLD SEED

writes OUTDIR/simN_CFP.csv and OUTDIR/simN_YFP.csv (Fiji Multi Measure
layout: first column the frame, Mean(Background) then Mean(CellK)) and
OUTDIR/truth.tsv (dish, cell, rest_pM, fold).  Deterministic for a seed
(numpy's default generator)."""
import math, os, sys
import numpy as np

out, factor, dishes, ncell, fold_hi, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(seed)
KD, DT, NF = 2.53, 10.0 / factor, 150 * factor
os.makedirs(out, exist_ok=True)
truth = ['dish\tcell\trest_pM\tfold']
for d in range(1, dishes + 1):
    tau_b = rng.uniform(6000, 9000)
    cells = []
    for c in range(1, ncell + 1):
        rmin = rng.uniform(1.5, 1.8)
        rmax = rmin * rng.uniform(1.8, 2.2)
        rest = 0.9 * math.exp(0.3 * rng.standard_normal())
        fold = rng.uniform(2.0, 3.0) if fold_hi > 1 else 1.0
        cells.append((rmin, rmax, rest, fold, rng.uniform(350, 900)))
        truth.append('sim%d\tCell%d\t%.10g\t%.10g' % (d, c, rest, fold))
    head = ' ,' + ','.join('Mean(%s)' % n for n in ['Background'] + ['Cell%d' % c for c in range(1, ncell + 1)])
    cfp, yfp = [head], [head]
    th1000 = [0.0] * ncell
    th1200 = [0.0] * ncell
    for k in range(NF):
        t = k * DT
        rc = ['%d' % (k + 1), '%.3f' % (95 + 2 * rng.standard_normal())]
        ry = ['%d' % (k + 1), '%.3f' % (70 + 2 * rng.standard_normal())]
        for i, (rmin, rmax, rest, fold, don) in enumerate(cells):
            if t < 1000:
                zn = rest * (1 + (fold - 1) * (1 - math.exp(-(t - 180) / 250)) if t >= 180 else 1)
                th = zn / (zn + KD)
                th1000[i] = th
            elif t < 1200:
                th = th1000[i] * math.exp(-(t - 1000) / 20.0)
                th1200[i] = th
            else:
                th = 1 + (th1200[i] - 1) * math.exp(-(t - 1200) / 25.0)
            r = rmin + (rmax - rmin) * th
            d_ = don * (1 - 0.15 * th) * math.exp(-t / tau_b)
            a_ = r * d_
            rc.append('%.3f' % (95 + d_ + math.sqrt(0.1 * d_ + 4) * rng.standard_normal()))
            ry.append('%.3f' % (70 + a_ + math.sqrt(0.1 * a_ + 4) * rng.standard_normal()))
        cfp.append(','.join(rc))
        yfp.append(','.join(ry))
    for ch, rows in (('CFP', cfp), ('YFP', yfp)):
        with open(os.path.join(out, 'sim%d_%s.csv' % (d, ch)), 'w') as f:
            f.write('\n'.join(rows) + '\n')
with open(os.path.join(out, 'truth.tsv'), 'w') as f:
    f.write('\n'.join(truth) + '\n')
