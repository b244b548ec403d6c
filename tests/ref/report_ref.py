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
def smooth_peak(s, idx, want):
    """highest mean of w consecutive in-window frames that all have values;
    w = want, or the longest such run when shorter -> (npos, w, peak, j)"""
    ok = [not np.isnan(s[i]) for i in idx]
    longest = run = 0
    for v in ok:
        run = run + 1 if v else 0
        longest = max(longest, run)
    w = min(want, longest)
    npos, peak, best = 0, math.nan, 0
    for j in range(len(idx)):
        if w and j + 1 >= w and all(ok[j + 1 - w:j + 1]):
            mu = float(np.mean([s[idx[i]] for i in range(j + 1 - w, j + 1)]))
            if npos == 0 or mu > peak:
                peak, best = mu, j
            npos += 1
    return npos, w, peak, best


def responder(t, u, inb, idx, smooth, alpha):
    """zn-metrics(1): smoothed peak of u against its baseline mean, one-sided
    t at alpha/npos with df nb - 1; sd = max(baseline SD, 1.4826 MAD of the
    consecutive differences in the window / sqrt 2)"""
    bv = u[inb & ~np.isnan(u)]
    if bv.size < 2:
        return ''
    d = np.array([u[b] - u[a] for a, b in zip(idx[:-1], idx[1:]) if not np.isnan(u[a]) and not np.isnan(u[b])])
    sd = bv.std(ddof=1)
    if d.size >= 3:
        sd = max(sd, 1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2))
    npos, w, peak, _ = smooth_peak(u, idx, smooth)
    if not npos:
        return ''
    if sd == 0:
        return '1' if peak > bv.mean() else '0'
    z = (peak - bv.mean()) / (sd * math.sqrt(1 / w + 1 / bv.size))
    return '1' if z > stats.t.isf(alpha / npos, bv.size - 1) else '0'


def half_rise(t, s, idx, w, best, t0, bmean, peak):
    """zn-metrics(1) t_half: the running means of w frames (np.convolve), each
    at the middle of its frames, up to the peak's; the first to reach
    bmean + (peak - bmean) / 2, interpolated (np.interp on the rising pair)
    from the one before it, or from (t0, bmean) for the first"""
    h = bmean + (peak - bmean) / 2
    x, tt = s[idx], t[idx]
    mu = np.convolve(x, np.ones(w) / w, mode='valid')        # mu[i]: frames i .. i + w - 1
    tc = (tt[:len(mu)] + tt[w - 1:]) / 2
    keep = ~np.isnan(mu)
    keep[best + 2 - w:] = False                              # after the peak's running mean
    px, pt = [bmean] + list(mu[keep]), [t0] + list(tc[keep])
    k = next(i for i in range(1, len(px)) if px[i] >= h)
    return float(np.interp(h, px[k - 1:k + 1], pt[k - 1:k + 1])) - t0


def metrics(t, s, u, zflag, base, resp, resp_open, windows, smooth, alpha):
    """the per-cell metrics as zn-metrics(1) defines them (u: the measured
    signal the responder test is made on)"""
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
    peak = tpk = ttp = thalf = amp = auc = math.nan
    resp_ = ''
    npos, w, peak, best = smooth_peak(s, idx, smooth)
    if npos:
        amp = peak - bmean
        # trapezoids between consecutive in-window frames that both have values
        area = 0.0
        for a, b in zip(idx[:-1], idx[1:]):
            if b == a + 1 and not np.isnan(s[a]) and not np.isnan(s[b]):
                area += np.trapz([s[a] - bmean, s[b] - bmean], [t[a], t[b]])
        auc = area if not math.isnan(bmean) else math.nan
        if bv.size >= 2:
            resp_ = responder(t, u, inb, idx, smooth, alpha)
        if resp_ == '1':   # the time of the peak: responders only
            tpk = (t[idx[best + 1 - w]] + t[idx[best]]) / 2
            ttp = tpk - resp[0]
            thalf = half_rise(t, s, idx, w, best, resp[0], bmean, peak)
    means = []
    for (a, b) in windows:
        w_ = s[(t >= a) & (t <= b) & ~np.isnan(s)]
        means.append(w_.mean() if w_.size else math.nan)
    flags = []
    if not bv.size:
        flags.append('no_baseline')
    if not idx.size:
        flags.append('no_response_window')      # no frame in the window
    elif not vals:
        flags.append('no_response_values')      # frames, none with a value
    if np.isnan(s[inb | inr]).any():
        flags.append('missing_values')
    if 'bad_calibration' in zflag:
        flags.append('bad_calibration')
    deltas = [x - bmean for x in means]
    return [bmean, bsd, peak, tpk, ttp, thalf, amp, auc] + means + deltas, resp_, ';'.join(flags)


HEAD = ['sample', 'condition', 'cell', 'baseline_mean', 'baseline_sd', 'peak', 't_peak', 'time_to_peak',
        't_half', 'amplitude', 'auc']


def table(path, resp, resp_open, windows, names, smooth, alpha):
    rows, out = [], []
    for (sample, cond, cell, t, zn, zflag, fmin, fmax) in cells:
        F = np.array([round(300 + 10 * (0 if np.isnan(z) else z), 3) for z in zn])   # as written in the fixture
        m, r, fl = metrics(t, zn, F, zflag, WIN['baseline'], resp, resp_open, windows, smooth, alpha)
        rows.append([sample, cond, cell] + [g(x) for x in m] + [r, fl])
        out.append((cond, m, r))
    write_tsv(path, HEAD + ['mean_' + n for n in names] + ['delta_' + n for n in names] + ['responder', 'flag'], rows)
    return out


# the trace has calibration windows: zn-metrics needs the response window (30:102)
default = table(EXP + 'metrics_default.tsv', (30, 102), False, [], [], 5, 0.05)
table(EXP + 'metrics_windows.tsv', (30, 90), False, [(90, 102), WIN['max']], ['plateau', 'max'], 3, 0.01)

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

# ---------------------------------------------------------------- the dish as the unit (issue 16)
# Two conditions, four dishes each, 15 cells a dish.  The dishes differ at
# rest (their own loading and history) but the conditions do not: over
# dishes the resting level is not different, while over cells (taken,
# wrongly, as independent) it looks very different.  Every treated dish
# responds (amplitude about 2 against 0).
rng16 = np.random.default_rng(16)
DISH_REST = {'vehicle': [0.70, 1.00, 0.85, 1.15], 'treated': [0.95, 1.30, 0.80, 1.25]}
DISH_AMP = {'vehicle': [0.05, -0.02, 0.08, 0.01], 'treated': [1.8, 2.3, 1.9, 2.1]}
DISH_RESP = {'vehicle': [0.0, 0.1, 0.2, 0.1], 'treated': [0.8, 1.0, 0.9, 0.95]}
rows16 = []
for cond in ('vehicle', 'treated'):
    for d in range(4):
        sample = f'{cond[:3]}{d + 1}'
        for c in range(15):
            base = DISH_REST[cond][d] + rng16.normal(0, 0.05)
            amp = DISH_AMP[cond][d] + rng16.normal(0, 0.15)
            resp = 1 if rng16.uniform() < DISH_RESP[cond][d] else 0
            rows16.append((sample, cond, str(c + 1), round(base, 4), round(amp, 4), resp))
with open(FIX + 'report_dishes.znr', 'w') as f:
    f.write('##znr=1\n##schema=metrics\n##unit.baseline_mean=nM\n##unit.amplitude=nM\n')
    f.write('#sample\tcondition\tcell\tbaseline_mean\tamplitude\tresponder\n')
    for r in rows16:
        f.write('\t'.join(str(x) for x in r) + '\n')


def holm(p):
    """Holm's step-down adjustment (R p.adjust(p, 'holm'))"""
    order = sorted(range(len(p)), key=lambda i: p[i])
    m, run, adj = len(p), 0.0, [0.0] * len(p)
    for j, i in enumerate(order):
        run = max(run, (m - j) * p[i])
        adj[i] = min(1.0, run)
    return adj


def welch_df(a, b):
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    return (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))


for unit in ('dish', 'cell'):
    names16 = ['baseline_mean', 'amplitude', 'responder_fraction']
    res = []
    for j, nm in enumerate(names16):
        grp = []
        for cond in ('vehicle', 'treated'):
            if unit == 'dish':
                vals = [np.mean([r[3 + j] for r in rows16 if r[0] == f'{cond[:3]}{d + 1}']) for d in range(4)]
            else:
                vals = [r[3 + j] for r in rows16 if r[1] == cond]
            grp.append(np.array(vals, dtype=float))
        if unit == 'cell' and nm == 'responder_fraction':
            continue           # a proportion over cells: not tested (never a t test on 0/1)
        tt = stats.ttest_ind(grp[0], grp[1], equal_var=False)
        res.append([nm, tt.statistic, welch_df(grp[0], grp[1]), tt.pvalue, grp[0].size, grp[1].size])
    adj = holm([r[3] for r in res])
    write_tsv(EXP + f'report_dish_tests_{unit}.tsv', ['metric', 'n', 'statistic', 'df1', 'p', 'p_holm'],
              [[r[0], f'{r[4]}, {r[5]}', g(r[1]), g(r[2]), g(r[3]), g(a)] for r, a in zip(res, adj)])

# the same dishes in three conditions (treated split: tre1, tre2 -> treatedA; tre3, tre4 -> treatedB):
# one-way ANOVA over dish means
def cond3(r):
    return r[1] if r[1] == 'vehicle' else ('treatedA' if r[0] in ('tre1', 'tre2') else 'treatedB')


res = []
for j, nm in enumerate(['baseline_mean', 'amplitude', 'responder_fraction']):
    grp = []
    for c in ('vehicle', 'treatedA', 'treatedB'):
        dishes = sorted({r[0] for r in rows16 if cond3(r) == c})
        grp.append([np.mean([r[3 + j] for r in rows16 if r[0] == d]) for d in dishes])
    an = stats.f_oneway(*grp)
    res.append([nm, an.statistic, an.pvalue])
adj = holm([r[2] for r in res])
write_tsv(EXP + 'report_dish_anova.tsv', ['metric', 'n', 'statistic', 'df1', 'df2', 'p', 'p_holm'],
          [[r[0], '4, 2, 2', g(r[1]), '2', '5', g(r[2]), g(a)] for r, a in zip(res, adj)])
