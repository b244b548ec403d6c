#!/usr/bin/python3
"""Simulated FluoZin-3 traces with a known truth for zn-calibrate's checks
(tests/imaging.bats), written as ZNR traces (background already
subtracted), independent of znflow:

    /usr/bin/python3 tests/ref/cal_sim.py CASE SEED > trace.znr

CASE drift: 40 cells at rest 1.0 nM (Fmin 100, Fmax 600: F = 131.25), 2 %
  noise; cells 1-20 have a TPEN (min) window still falling exponentially
  from 141 to about 100 across it, cells 21-40 a flat noisy one; cells
  41-60 a max window still rising from 540 to about 600.
CASE low002, low005: 100 cells at rest 0.02 / 0.05 nM (F - Fmin = 600
  theta), 4 % noise on every frame, Fmin 100 and Fmax 700 per cell.
Frames every 2 s: baseline 0-118 s, max window 140-198 s, min window
220-278 s.  Deterministic for a seed (numpy's default generator)."""
import sys
import numpy as np

case, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
KD = 15.0
t = np.arange(0, 280, 2.0)
base, wmax, wmin = (t <= 118), (t >= 140) & (t <= 198), (t >= 220) & (t <= 278)
print('##znr=1\n##schema=trace\n##window=baseline:0:118\n##window=max:140:198\n##window=min:220:278\n##unit.t=s')
print('#sample\tcell\trole\tframe\tt\tF')


def cell(name, fmin, fmax, rest, noise, fall=None, rise=None):
    th = rest / (rest + KD)
    F = np.where(base | (t < 140), fmin + (fmax - fmin) * th, 0.0)
    F = np.where(wmax | ((t > 198) & (t < 220)), fmax, F)
    F = np.where(wmin, fmin, F)
    if fall:      # the TPEN phase still falling across the min window
        F = np.where(wmin, fmin + fall * np.exp(-(t - 220) / 30), F)
    if rise:      # the ionophore phase still rising across the max window
        F = np.where(wmax, fmax - rise * np.exp(-(t - 140) / 30), F)
    F = F * (1 + noise * rng.standard_normal(t.size))
    for i in range(t.size):
        print(f'd\t{name}\tcell\t{i}\t{t[i]:g}\t{F[i]:.4f}')


if case == 'drift':
    for c in range(1, 61):
        cell(f'c{c}', 100, 600, 1.0, 0.02, fall=41 if c <= 20 else None, rise=60 if c > 40 else None)
elif case.startswith('low'):
    rest = {'low002': 0.02, 'low005': 0.05}[case]
    for c in range(1, 101):
        cell(f'c{c}', 100, 700, rest, 0.04)
