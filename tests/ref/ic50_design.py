#!/usr/bin/python3
"""Dish means of the NVS-ZP7-4 concentration series, many realizations at
once, without the imaging: the design of tools/make-examples.py er_ic50()
(7 concentrations x 3 dishes x 12 cells, ec50 0.15 uM, hill 1.3, a dish
factor exp(0.08 z), a cell factor exp(0.3 z), a rise of 1.5 x s(c) x
(1 + 0.1 z) weighted over the final window), drawn with Python's own
generator (Mersenne twister, one seed per realization), so that the 4pl
fit's intervals can be checked on hundreds of series in seconds.  The
expected dish mean is exactly the 4pl of examples/truth/er_ic50.tsv.

    ic50_design.py R [SEED]   ->  ZNR text: sample, sim, conc_uM, mean_final
"""
import math
import random
import sys

R = int(sys.argv[1])
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 1
CONCS = [0, 0.01, 0.03, 0.1, 0.3, 1, 3]
EC50, HILL, REST, CELL_SD, DISH_SD, RISE, CELLS, DISHES = 0.15, 1.3, 0.9, 0.3, 0.08, 1.5, 12, 3
GBAR = sum(1 - math.exp(-(t - 180) / 250) for t in range(900, 1000, 10)) / 10

out = ['##znr=1', '##schema=means', '#sample\tsim\tconc_uM\tmean_final']
for r in range(R):
    rng = random.Random(SEED * 1000003 + r)   # Mersenne twister: seeds need no spreading
    for c in CONCS:
        s = c ** HILL / (c ** HILL + EC50 ** HILL) if c > 0 else 0.0
        for d in range(1, DISHES + 1):
            dish = math.exp(DISH_SD * rng.gauss(0, 1))
            tot = sum(REST * dish * math.exp(CELL_SD * rng.gauss(0, 1)) * (1 + RISE * GBAR * s * (1 + 0.1 * rng.gauss(0, 1)))
                      for _ in range(CELLS))
            out.append('c%g-%d\t%d\t%g\t%.10g' % (c, d, r, c, tot / CELLS))
print('\n'.join(out))
