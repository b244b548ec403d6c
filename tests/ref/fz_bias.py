#!/usr/bin/env python3
"""FluoZin-3 chain against the generator's truth (NOTES.md, branch bleach2).

    fz_bias.py OUTDIR TRUTH.tsv     (OUTDIR: dishN.zn.znr.gz, dishN.metrics.znr.gz)

Per dish: the bleaching rate zn-bleach fitted (bleach_k_F +- SE) against
1/tau_bleach_s, and the mean error of resting [Zn] (baseline_mean -
rest_nM); over dishes 1-3 and all cells: mean error and mean |error|, and
the RMS of the rates' errors.  zn-view must be on PATH."""
import glob, math, os, statistics as st, sys

from chain_truth import read_truth, view

out, truthf = sys.argv[1], sys.argv[2]
truth = read_truth(truthf)


allerr, err13, rerr = [], [], []
print('dish\tk (1e-5/s)\tSE\ttrue\t(k-true)/SE\tcells\trest error (nM)\tmean |.|')
for mf in sorted(glob.glob(os.path.join(out, '*.metrics.znr.gz'))):
    zf = mf.replace('.metrics.', '.zn.')
    k = view(zf, ['sample', 'bleach_k_F', 'bleach_k_se_F'])[0]
    e = []
    for r in view(mf, ['sample', 'cell', 'baseline_mean']):
        if not r['baseline_mean']:
            continue
        t = truth[(r['sample'], r['cell'].lstrip('r'))] if (r['sample'], r['cell']) not in truth else truth[(r['sample'], r['cell'])]
        e.append(float(r['baseline_mean']) - float(t['rest_nM']))
    kt = 1 / float(t['tau_bleach_s'])
    kk, se = float(k['bleach_k_F']), float(k['bleach_k_se_F'])
    rerr.append(kk - kt)
    print('%s\t%.3f\t%.3f\t%.3f\t%+.2f\t%d\t%+.4f\t%.4f' % (k['sample'], kk * 1e5, se * 1e5, kt * 1e5, (kk - kt) / se, len(e),
                                                    st.mean(e), st.mean(abs(x) for x in e)))
    allerr += e
    if k['sample'] != 'dish4':
        err13 += e
print('dishes 1-3: %+.4f (mean |.| %.4f), n %d' % (st.mean(err13), st.mean(abs(x) for x in err13), len(err13)))
print('all:        %+.4f (mean |.| %.4f), n %d' % (st.mean(allerr), st.mean(abs(x) for x in allerr), len(allerr)))
print('rate error RMS %.3f e-5/s' % (1e5 * math.sqrt(st.mean(x * x for x in rerr))))
