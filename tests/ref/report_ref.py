#!/usr/bin/python3
"""Fixtures and reference values for tests/report.bats (zn-metrics and
zn-report), computed independently of znflow with numpy and scipy.stats.
Run from tests/:
    /usr/bin/python3 ref/report_ref.py      (Debian python3-scipy)
It writes fixtures/metrics_trace.znr and fixtures/expected/metrics_*.tsv,
report_*.tsv."""
import math
import numpy as np
from scipy import stats

rng = np.random.default_rng(5)
from common import FIX, EXP, g, g_in, write_tsv


# ---------------------------------------------------------------- the trace
# 3 dishes (conditions), 5 cells and a background ROI each, 45 frames every
# 3 s: baseline 0-27 s, zinc from 30 s, Zn + pyrithione 105-117 s, TPEN
# 120-132 s.  Calibrated already (zn_nM, zn_flag, Fmin, Fmax).
DISHES = [('dish1', 'control', 1.0), ('dish2', 'NVS-ZP7-4', 2.2), ('dish3', 'TPEN-pre', 0.4)]
T = np.arange(45) * 3.0
WIN = {'baseline': (0, 27), 'max': (105, 117), 'min': (120, 132)}
cells = []      # (sample, condition, cell, t, zn, zflag, fmin, fmax)
for d, (sample, cond, gain) in enumerate(DISHES):
    for c in range(1, 6):
        rest = 0.8 + 0.1 * c
        amp = gain * (2 + c) * rng.uniform(0.8, 1.2)
        zn = rest + amp * (1 - np.exp(-np.clip(T - 30, 0, None) / 20)) + rng.normal(0, 0.08, T.size)
        zn[T >= 105] = np.nan          # calibration phases: zn-calibrate flags them
        zflag = ['ok'] * T.size
        for i in range(T.size):
            if T[i] >= 105:
                zflag[i] = 'above_max' if T[i] < 120 else 'below_min'
        fmin, fmax = 100 + 5 * c, 900 + 30 * c + 100 * d
        if sample == 'dish1' and c == 3:
            zn[20] = np.nan            # one missing value in the response
            zflag[20] = 'no_signal'
        if sample == 'dish2' and c == 5:
            zn[:] = np.nan             # calibration failed: no numbers
            zflag = ['bad_calibration'] * T.size
            fmin = fmax = None
        if sample == 'dish3' and c == 2:
            zn[:10] = np.nan           # no baseline
            zflag[:10] = ['no_signal'] * 10
        cells.append((sample, cond, str(c), T, zn, zflag, fmin, fmax))

with open(FIX + 'metrics_trace.znr', 'w') as f:
    f.write('##znr=1\n##schema=trace\n##compartment=ER\n')
    for k, (a, b) in WIN.items():
        f.write(f'##window={k}:{a}:{b}\n')
    f.write('##unit.t=s\n##calibration=kd=15nM;sensor=FluoZin-3;signal=F\n')
    f.write('#sample\tcondition\tcell\trole\tframe\tt\tF\tzn_nM\tzn_flag\tFmin\tFmax\n')
    last = None
    for (sample, cond, cell, t, zn, zflag, fmin, fmax) in cells:
        if sample != last:
            for i in range(T.size):
                f.write(f'{sample}\t{cond}\tbg\tbg\t{i}\t{g_in(t[i])}\t{g_in(round(40 + rng.normal(0, 1), 3))}'
                        '\t\tbg\t\t\n')
            last = sample
        for i in range(T.size):
            F = round(300 + 10 * (0 if np.isnan(zn[i]) else zn[i]), 3)
            f.write(f'{sample}\t{cond}\t{cell}\tcell\t{i}\t{g_in(t[i])}\t{g_in(F)}\t{g_in(zn[i])}\t{zflag[i]}'
                    f'\t{g_in(fmin)}\t{g_in(fmax)}\n')


# ---------------------------------------------------------------- metrics
def metrics(t, s, zflag, base, resp, resp_open, windows, k):
    """the per-cell metrics as zn-metrics(1) defines them"""
    inb = (t >= base[0]) & (t <= base[1])
    bv = s[inb & ~np.isnan(s)]
    bmean = bv.mean() if bv.size else math.nan
    bsd = bv.std(ddof=1) if bv.size > 1 else math.nan
    if resp_open:
        inr = (t > resp[0]) & (t < resp[1])
    else:
        inr = (t >= resp[0]) & (t <= resp[1])
    idx = np.where(inr)[0]
    vals = [(t[i], s[i]) for i in idx if not np.isnan(s[i])]
    peak = tpk = ttp = amp = auc = math.nan
    if vals:
        tpk, peak = max(vals, key=lambda v: (v[1], -v[0]))
        ttp = tpk - resp[0]
        amp = peak - bmean
        # trapezoids between consecutive in-window frames that both have values
        area = 0.0
        for a, b in zip(idx[:-1], idx[1:]):
            if b == a + 1 and not np.isnan(s[a]) and not np.isnan(s[b]):
                area += np.trapz([s[a] - bmean, s[b] - bmean], [t[a], t[b]])
        auc = area if not math.isnan(bmean) else math.nan
    means = []
    for (a, b) in windows:
        w = s[(t >= a) & (t <= b) & ~np.isnan(s)]
        means.append(w.mean() if w.size else math.nan)
    resp_ = '' if math.isnan(amp) or math.isnan(bsd) else ('1' if amp > k * bsd else '0')
    flags = []
    if not bv.size:
        flags.append('no_baseline')
    if not vals:
        flags.append('no_response_window')
    if np.isnan(s[inb | inr]).any():
        flags.append('missing_values')
    if 'bad_calibration' in zflag:
        flags.append('bad_calibration')
    return [bmean, bsd, peak, tpk, ttp, amp, auc] + means, resp_, ';'.join(flags)


HEAD = ['sample', 'condition', 'cell', 'baseline_mean', 'baseline_sd', 'peak', 't_peak', 'time_to_peak',
        'amplitude', 'auc']


def table(path, resp, resp_open, windows, names, k):
    rows, out = [], []
    for (sample, cond, cell, t, zn, zflag, fmin, fmax) in cells:
        m, r, fl = metrics(t, zn, zflag, WIN['baseline'], resp, resp_open, windows, k)
        rows.append([sample, cond, cell] + [g(x) for x in m] + [r, fl])
        out.append((cond, m, r))
    write_tsv(path, HEAD + ['mean_' + n for n in names] + ['responder', 'flag'], rows)
    return out


default = table(EXP + 'metrics_default.tsv', (27, 105), True, [], [], 3)
table(EXP + 'metrics_windows.tsv', (30, 90), False, [(90, 102), WIN['max']], ['plateau', 'max'], 2)

# ---------------------------------------------------------------- report
# per condition: n, mean and SEM of each metric over the cells that have it;
# Welch t (first two conditions) and one-way ANOVA (all three) per metric
conds = [c for (_, c, _) in DISHES]
names = HEAD[3:]
rows = []
for j, nm in enumerate(names):
    for c in conds:
        v = np.array([m[j] for (cc, m, _) in default if cc == c and not math.isnan(m[j])])
        sem = v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else math.nan
        rows.append([nm, c, g(v.size), g(v.mean()), g(sem)])
write_tsv(EXP + 'report_metrics.tsv', ['metric', 'condition', 'n', 'mean', 'sem'], rows)
rows = []
for j, nm in enumerate(names):
    grp = [np.array([m[j] for (cc, m, _) in default if cc == c and not math.isnan(m[j])]) for c in conds]
    tt = stats.ttest_ind(grp[0], grp[1], equal_var=False)
    an = stats.f_oneway(*grp)
    rows.append([nm, g(tt.statistic), g(tt.pvalue), g(an.statistic), g(an.pvalue)])
write_tsv(EXP + 'report_tests.tsv', ['metric', 'welch_t', 'welch_p', 'anova_F', 'anova_p'], rows)
