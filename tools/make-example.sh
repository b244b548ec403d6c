#!/bin/bash
# Write the bundled example: a Fiji Multi Measure export of one FluoZin-3
# dish, made from a known truth so that the demo can be checked against it.
# 8 cells + 1 background ROI, 120 frames every 5 s: baseline 0-95 s, a zinc
# stimulus from 100 s, Zn + pyrithione (max) 400-495 s, TPEN (min) 500-595 s.
# F = bg + Fmin + (Fmax - Fmin) * [Zn]/([Zn] + Kd), Kd = 15 nM, bleaching
# exp(-t/3000 s), and deterministic "noise" from a linear congruential
# generator (Park-Miller: every product is exact in a double), so the
# file is the same with any awk on any machine.
set -eu
awk 'BEGIN {
    srand(1); seed = 12345
    ncell = 8; nf = 120; dt = 5; kd = 15
    printf " ,Mean1"; for (c = 1; c <= ncell; c++) printf ",Mean%d", c + 1; printf "\n"
    for (c = 1; c <= ncell; c++) { fmin[c] = 80 + 10 * c; fmax[c] = 900 + 40 * c; rest[c] = 0.5 + 0.1 * c; peak[c] = 5 + 2 * c }
    for (k = 0; k < nf; k++) {
        t = k * dt; bleach = exp(-t / 3000)
        bg = 40 + 0.5 * sin(k / 7)
        printf "%d,%.3f", k + 1, bg
        for (c = 1; c <= ncell; c++) {
            if (t < 100) zn = rest[c]
            else if (t < 400) zn = rest[c] + (peak[c] - rest[c]) * (1 - exp(-(t - 100) / 60))
            else if (t < 500) zn = 1e9
            else zn = 0
            occ = zn / (zn + kd)
            seed = (seed * 16807) % 2147483647
            noise = (seed / 2147483647 - 0.5) * 4
            f = bg + (fmin[c] + (fmax[c] - fmin[c]) * occ) * bleach + noise
            printf ",%.3f", f
        }
        printf "\n"
    }
}'
