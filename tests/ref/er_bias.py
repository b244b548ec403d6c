#!/usr/bin/env python3
"""ER-ZapCY1 chain against the generator's truth (NOTES.md, branch bleach2).

    er_bias.py OUTDIR TRUTH.tsv      (OUTDIR: DISH.zn.znr.gz, DISH.metrics.znr.gz)

Per cell: resting [Zn] (baseline_mean) and mean_final against rest_pM and
final_pM, Rmin/Rmax against rmin/rmax; per dish: the vehicle drift
mean_final - baseline_mean (truth: flat) and the dish mean of mean_final
against the dish mean of final_pM (the quantity the IC50 fit sees), by
concentration when the truth has conc_uM.  zn-view must be on PATH."""
import glob, os, statistics as st, sys

from chain_truth import read_truth, view

out, truthf = sys.argv[1], sys.argv[2]
truth = read_truth(truthf)


rest, fin, rmin, rmax, dish = [], [], [], [], {}
for mf in sorted(glob.glob(os.path.join(out, '*.metrics.znr.gz'))):
    zf = mf.replace('.metrics.', '.zn.')
    cal = {}
    for r in view(zf, ['sample', 'cell', 'Rmin', 'Rmax']):
        cal.setdefault((r['sample'], r['cell']), (r['Rmin'], r['Rmax']))
    for r in view(mf, ['sample', 'cell', 'baseline_mean', 'mean_final']):
        k = (r['sample'], r['cell'])
        t = truth[k]
        if not r['baseline_mean'] or not r['mean_final']:
            continue
        b, m = float(r['baseline_mean']), float(r['mean_final'])
        tr, tf = float(t['rest_pM']), float(t['final_pM'])
        rest.append((b - tr, (b - tr) / tr))
        fin.append((m - tf, (m - tf) / tf))
        lo, hi = cal[k]
        if lo and hi:
            rmin.append(float(lo) / float(t['rmin']) - 1)
            rmax.append(float(hi) / float(t['rmax']) - 1)
        d = dish.setdefault(r['sample'], dict(conc=t.get('conc_uM', t.get('condition')), est=[], tru=[], drift=[], tdrift=[]))
        d['est'].append(m)
        d['tru'].append(tf)
        d['drift'].append(m - b)
        d['tdrift'].append(tf - tr)


def s(v, i):
    x = [a[i] if isinstance(a, tuple) else a for a in v]
    return '%+.4f (mean |.| %.4f)' % (st.mean(x), st.mean(abs(a) for a in x))


print('cells %d' % len(rest))
print('rest  error %s pM, relative %s' % (s(rest, 0), s(rest, 1)))
print('final error %s pM, relative %s' % (s(fin, 0), s(fin, 1)))
print('Rmin  relative error %s' % s(rmin, 0))
print('Rmax  relative error %s' % s(rmax, 0))
print('dish\tconc\tn\tmean_final\ttruth\trel_bias\tdrift(final-rest)\ttrue drift')
byc = {}
for name, d in sorted(dish.items(), key=lambda kv: (kv[1]['conc'], kv[0])):
    e, t = st.mean(d['est']), st.mean(d['tru'])
    byc.setdefault(d['conc'], []).append(e / t - 1)
    print('%s\t%s\t%d\t%.4f\t%.4f\t%+.4f\t%+.4f\t%+.4f' % (name, d['conc'], len(d['est']), e, t, e / t - 1,
                                                      st.mean(d['drift']), st.mean(d['tdrift'])))
print('by concentration: mean relative bias of the dish means')
for c, v in sorted(byc.items()):
    print('  %s\t%+.4f' % (c, st.mean(v)))
