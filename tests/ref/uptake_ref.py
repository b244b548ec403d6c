#!/usr/bin/python3
"""Fixtures and reference values for tests/uptake.bats, computed independently
of znflow: the instrument files are written here (fixed seed, known truth)
and read back here with Python's csv module; the arithmetic is numpy
(polyfit for the standard curves, lstsq for the time courses) and
scipy.stats.  Run from tests/:
    /usr/bin/python3 ref/uptake_ref.py      (Debian python3-scipy)
It writes fixtures/uptake_*.{csv,znr} and fixtures/expected/uptake_*.tsv."""
import csv
import datetime as dt
import math
import numpy as np
from scipy import stats, optimize

rng = np.random.default_rng(20261121)
from common import FIX, EXP, g, g_in, write_tsv


CONCS = [0.5, 1, 2, 3, 5, 10, 20, 40]   # uM, up to 13 Km as in a real assay
VMAX, KM = 240.0, 3.14          # hZIP4, pmol/mg/min, uM
KD_VEC = 4.0                    # vector: a small linear component, pmol/mg/min/uM


def v_true(construct, S):
    base = KD_VEC * S
    return base + (VMAX * S / (KM + S) if construct == 'hZIP4' else 0)


# ---------------------------------------------------------------- A: Hidex, DPM,
# one specific activity stated on another day, decay per vial, protein_mg column
def fixture_a():
    sa_uci_umol = 200.0
    sa_ref = sa_uci_umol * 2.22e6 / 1e6            # dpm/pmol on the reference day
    ref = dt.datetime(2025, 10, 1)
    t0 = dt.datetime(2025, 11, 30, 23, 40, 0)       # the run crosses midnight
    half = 243.93
    time_min = 5.0
    vials = []
    for k in range(2):
        vials.append(dict(well='H%d' % (k + 11), construct='-', conc='', role='blank', protein=''))
    wells = iter('%s%d' % (r, c) for r in 'ABCDEFGH' for c in range(1, 5))
    for construct in ('hZIP4', 'vector'):
        for S in CONCS:
            for rep in range(2):
                prot = round(rng.uniform(0.06, 0.12), 4)
                vials.append(dict(well=next(wells), construct=construct, conc=S, role='sample', protein=prot))
    blank_dpm = 30.0
    lines = ['Zn-65 run', 'Start Time 23:38:00']
    for i, v in enumerate(vials):
        end = t0 + dt.timedelta(minutes=3 * i)
        days = (end - ref).total_seconds() / 86400
        sa_now = sa_ref * math.exp(-math.log(2) * days / half)
        if v['role'] == 'blank':
            dpm = blank_dpm + rng.normal(0, 2)
        else:
            pmol = v_true(v['construct'], v['conc']) * v['protein'] * time_min * (1 + rng.normal(0, 0.05))
            dpm = pmol * sa_now + blank_dpm
        dpm = round(dpm, 1)
        v['dpm'] = dpm
        v['end'] = end
        lines += ['Sample start', 'Samp.;%d' % (i + 1), 'Repe.;1', 'Vial;%d' % (i + 1), 'WName;%s' % v['well'],
                  'CPM;%.3f' % (dpm * 0.62), 'DPM;%.1f' % dpm, 'Counts;%d' % round(dpm * 0.62 * 2),
                  'Time;120', 'EndTime;%s' % end.strftime('%d/%m/%Y %H:%M:%S'),
                  'Spectrum:;Alpha;Beta', '1;0;0', '2;0;1']
    with open(FIX + 'uptake_hidex.csv', 'w', newline='') as f:
        f.write('\r\n'.join(lines) + '\r\n')
    with open(FIX + 'uptake_hidex_layout.csv', 'w') as f:
        f.write('well,construct,conc_uM,time_min,role,protein_mg\n')
        for v in vials:
            f.write('%s,%s,%s,%s,%s,%s\n' % (v['well'], v['construct'], g_in(v['conc']) if v['conc'] != '' else '',
                                             '5' if v['role'] == 'sample' else '', v['role'], g_in(v['protein'])
                                             if v['protein'] != '' else ''))
    # ---- the reference, from the file as written (re-read, not the truth)
    recs, cur = [], None
    for line in open(FIX + 'uptake_hidex.csv', newline=''):
        line = line.rstrip('\r\n')
        if line == 'Sample start':
            cur = {}
            recs.append(cur)
        elif cur is not None and ';' in line:
            k, val = line.split(';', 1)
            if k in ('WName', 'DPM', 'EndTime') and k not in cur:
                cur[k] = val
    lay = {r['well']: r for r in csv.DictReader(open(FIX + 'uptake_hidex_layout.csv'))}
    blank = np.mean([float(r['DPM']) for r in recs if lay[r['WName']]['role'] == 'blank'])
    out = []
    for r in recs:
        L = lay[r['WName']]
        if L['role'] != 'sample':
            continue
        end = dt.datetime.strptime(r['EndTime'], '%d/%m/%Y %H:%M:%S')
        days = (end - ref).total_seconds() / 86400
        sa = sa_ref * 2 ** (-days / half)
        pmol = (float(r['DPM']) - blank) / sa
        prot = float(L['protein_mg'])
        out.append([r['WName'], L['construct'], L['conc_uM'], g(blank), g(sa), g(pmol), g(pmol / prot),
                    g(pmol / prot / 5.0)])
    write_tsv(EXP + 'uptake_hidex.tsv', ['well', 'construct', 'conc_uM', 'blank', 'sa', 'pmol', 'pmol_mg', 'rate'],
              out)


# ---------------------------------------------------------------- B: Tri-Carb CPM,
# standards per concentration, blanks, BCA plate (BMG grid + layout)
BCA_STD = [0, 25, 125, 250, 500, 750, 1000, 1500, 2000]   # ug/mL, Pierce series
LYSATE_UL = 250.0


def bca_abs(c):
    return 0.095 + 1.16e-3 * c - 1.6e-7 * c * c


def fixture_b():
    time_min = 4.0
    tracer_cpm = 20000.0          # cpm of 65Zn in 10 uL of every uptake buffer
    vials = []
    wells = iter('%s%d' % (r, c) for r in 'ABCDEF' for c in range(1, 9))
    lysate = {}
    for construct in ('hZIP4', 'vector'):
        for S in CONCS:
            for rep in range(3):
                w = next(wells)
                c = rng.uniform(350, 900)
                if construct == 'hZIP4' and S == 5 and rep == 2:
                    c = 2400.0    # above the top standard: flagged, no rate
                lysate[w] = c
                vials.append(dict(well=w, construct=construct, conc=S, role='sample', mg=c * LYSATE_UL * 1e-6))
    for S in CONCS:
        for rep in range(2):
            vials.append(dict(well='', construct='-', conc=S, role='standard', std_pmol=S * 10))
    for rep in range(2):
        vials.append(dict(well='', construct='-', conc='', role='blank'))
    blank_cpm = 42.0
    rows = []
    for i, v in enumerate(vials):
        if v['role'] == 'blank':
            cpm = blank_cpm + rng.normal(0, 3)
        elif v['role'] == 'standard':
            cpm = tracer_cpm * (1 + rng.normal(0, 0.01)) + blank_cpm
        else:
            sa = tracer_cpm / (v['conc'] * 10)
            pmol = v_true(v['construct'], v['conc']) * v['mg'] * time_min * (1 + rng.normal(0, 0.06))
            cpm = pmol * sa + blank_cpm
        v['position'] = i + 1
        rows.append('%d,1.00,%.2f,%.1f,%.2f,' % (i + 1, cpm, cpm / 0.95, 300 + rng.normal(0, 2)))
    with open(FIX + 'uptake_tricarb.csv', 'w', newline='') as f:
        f.write('\r\n'.join(['Assay Definition', '', 'Count Time (min): 1.00', '', 'Nuclide: Zn-65', '',
                             'S#,Count Time,CPMA,DPM1,tSIE,MESSAGES'] + rows) + '\r\n')
    with open(FIX + 'uptake_tricarb_layout.csv', 'w') as f:
        f.write('position,well,construct,conc_uM,time_min,role,std_pmol\n')
        for v in vials:
            f.write('%d,%s,%s,%s,%s,%s,%s\n' % (v['position'], v['well'], v['construct'],
                                                g_in(v['conc']) if v['conc'] != '' else '',
                                                g_in(time_min) if v['role'] == 'sample' else '', v['role'],
                                                g_in(v['std_pmol']) if v['role'] == 'standard' else ''))
    # BCA plate: samples at the uptake wells, standards in duplicate in rows G and H
    grid = {}
    for w, c in lysate.items():
        grid[w] = bca_abs(c) + rng.normal(0, 0.004)
    for j, c in enumerate(BCA_STD):
        for row in 'GH':
            grid['%s%d' % (row, j + 1)] = bca_abs(c) + rng.normal(0, 0.004)
    lines = ['User: core,Path: C:\\Data\\BCA,Test run no.: 12', 'Test name: BCA 562,Date: 12/1/2025,Time: 10:05:11 AM',
             '', 'ID1: uptake lysates,ID2: Plate 1,', 'Absorbance', '', 'Raw Data (562)', '',
             ',' + ','.join(str(i) for i in range(1, 13)) + ',']
    for row in 'ABCDEFGH':
        vals = []
        for col in range(1, 13):
            w = '%s%d' % (row, col)
            vals.append('%.3f' % grid[w] if w in grid else '')
        lines.append(row + ',' + ','.join(vals))
    with open(FIX + 'uptake_bca.csv', 'w', newline='') as f:
        f.write('\r\n'.join(lines) + '\r\n')
    with open(FIX + 'uptake_bca_layout.csv', 'w') as f:
        f.write('well,role,std_ug_ml\n')
        for w in lysate:
            f.write('%s,sample,\n' % w)
        for j, c in enumerate(BCA_STD):
            for row in 'GH':
                f.write('%s%d,%s,%s\n' % (row, j + 1, 'blank' if c == 0 else 'standard', c))
    # ---- the reference, from the files as written
    tri = [l.rstrip('\r\n').split(',') for l in open(FIX + 'uptake_tricarb.csv', newline='')]
    start = next(i for i, l in enumerate(tri) if l[0] == 'S#')
    cpm = {int(l[0]): float(l[2]) for l in tri[start + 1:] if l and l[0].isdigit()}
    lay = list(csv.DictReader(open(FIX + 'uptake_tricarb_layout.csv')))
    blank = np.mean([cpm[int(r['position'])] for r in lay if r['role'] == 'blank'])
    sa = {}
    for r in lay:
        if r['role'] == 'standard':
            sa.setdefault(float(r['conc_uM']), []).append((cpm[int(r['position'])] - blank) / float(r['std_pmol']))
    sa = {k: np.mean(v) for k, v in sa.items()}
    bl = [l.rstrip('\r\n').split(',') for l in open(FIX + 'uptake_bca.csv', newline='')]
    gi = next(i for i, l in enumerate(bl) if l[0] == '' and len(l) > 2 and l[1] == '1')
    A = {}
    for l in bl[gi + 1:gi + 9]:
        for col, val in enumerate(l[1:13], 1):
            if val:
                A['%s%d' % (l[0], col)] = float(val)
    blay = list(csv.DictReader(open(FIX + 'uptake_bca_layout.csv')))
    xs = np.array([float(r['std_ug_ml']) for r in blay if r['role'] in ('standard', 'blank')])
    ys = np.array([A[r['well']] for r in blay if r['role'] in ('standard', 'blank')])
    lo, hi = xs.min(), xs.max()
    meta = {}
    full = {'linear': [], 'quadratic': []}
    for deg, name in ((1, 'linear'), (2, 'quadratic')):
        coef = np.polyfit(xs, ys, deg)          # highest power first
        fit = np.polyval(coef, xs)
        r2 = 1 - np.sum((ys - fit) ** 2) / np.sum((ys - ys.mean()) ** 2)
        meta[name] = (coef[::-1], r2)

        def conc(a):
            if deg == 1:
                return (a - coef[1]) / coef[0]
            roots = np.roots([coef[0], coef[1], coef[2] - a])
            roots = roots[np.isreal(roots)].real
            # the root on the standards' side of the vertex
            v = -coef[1] / (2 * coef[0])
            side = [x for x in roots if (x >= v) == ((lo + hi) / 2 >= v)]
            return side[0] if side else float('nan')
        out = []
        for r in lay:
            if r['role'] != 'sample':
                continue
            w, S = r['well'], float(r['conc_uM'])
            c = conc(A[w])
            pmol = (cpm[int(r['position'])] - blank) / sa[S]
            if not (lo <= c <= hi):
                out.append([w, r['construct'], r['conc_uM'], g(sa[S]), g(pmol), '', '', '', 'protein_out_of_range'])
                continue
            mg = c * LYSATE_UL * 1e-6
            out.append([w, r['construct'], r['conc_uM'], g(sa[S]), g(pmol), g(mg), g(pmol / mg),
                        g(pmol / mg / float(r['time_min'])), ''])
            full[name].append([w, r['construct'], r['conc_uM'], '', '', '', '', g_in(pmol / mg / float(r['time_min']))])
        write_tsv(EXP + 'uptake_tricarb_%s.tsv' % name,
                  ['well', 'construct', 'conc_uM', 'sa', 'pmol', 'protein_mg', 'pmol_mg', 'rate', 'flag'], out)
        with open(EXP + 'uptake_tricarb_%s.curve' % name, 'w') as f:
            f.write(' '.join(g(c) for c in meta[name][0]) + ' ' + g(meta[name][1]) + '\n')
    # ---- the chain: control (vector) subtracted per concentration, then MM
    rows = full['quadratic']  # the rates at full precision, not as the table rounds them
    ctrl = {}
    for r in rows:
        if r[1] == 'vector' and r[7]:
            ctrl.setdefault(float(r[2]), []).append(float(r[7]))
    S, y = [], []
    for r in rows:
        if r[1] == 'hZIP4' and r[7]:
            S.append(float(r[2]))
            y.append(float(r[7]) - np.mean(ctrl[float(r[2])]))
    S, y = np.array(S), np.array(y)
    f = lambda p: p[0] * S / (p[1] + S) - y
    jac = lambda p: np.column_stack([S / (p[1] + S), -p[0] * S / (p[1] + S) ** 2])
    res = optimize.least_squares(f, [200, 3], jac=jac, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    J = res.jac
    dof = len(S) - 2
    s2 = np.sum(res.fun ** 2) / dof
    cov = np.linalg.inv(J.T @ J) * s2
    with open(EXP + 'uptake_chain_mm.tsv', 'w') as f:
        f.write('Vmax\tVmax_se\tKm\tKm_se\n')
        f.write('\t'.join(g(v) for v in (res.x[0], math.sqrt(cov[0, 0]), res.x[1], math.sqrt(cov[1, 1]))) + '\n')
    # ---- the chain with the specific means (zn-background --means): per
    # concentration mean(hZIP4) - mean(vector), SE^2 = s^2 (m^2/n + mc^2/nc)
    # with s^2 the wells' relative variance pooled over both constructs; the
    # MM fit of the means weighted by 1/SE^2, residual variance from the
    # means' weighted SS plus the wells' pooled relative SS (the within part
    # is s^2 * df), df = sum(n + nc - 1) - 2
    tot = {}
    for r in rows:
        if r[1] == 'hZIP4' and r[7]:
            tot.setdefault(float(r[2]), []).append(float(r[7]))
    cs = sorted(tot)
    ss = sum(np.sum((np.array(v) - np.mean(v)) ** 2) / np.mean(v) ** 2 for d in (tot, ctrl) for c, v in d.items() if c in tot)
    dfw = sum(len(d[c]) - 1 for d in (tot, ctrl) for c in cs)
    s2w = ss / dfw
    out = []
    Sm, ym, sem = [], [], []
    for c in cs:
        t, v = np.array(tot[c]), np.array(ctrl[c])
        se = math.sqrt(s2w * (t.mean() ** 2 / len(t) + v.mean() ** 2 / len(v)))
        neq = len(t) + len(v) - 1
        out.append([g(c), g(t.mean() - v.mean()), g(se), str(dfw), g(se * math.sqrt(neq)), str(neq), g(t.mean()),
                    g(np.std(t, ddof=1)), str(len(t)), g(v.mean()), g(np.std(v, ddof=1)), str(len(v))])
        Sm.append(c), ym.append(t.mean() - v.mean()), sem.append(se)
    write_tsv(EXP + 'uptake_chain_means.tsv', ['conc_uM', 'rate', 'rate_se', 'rate_se_df', 'rate_sd_eq', 'rate_n_eq',
                                               'rate_total_mean', 'rate_total_sd', 'rate_total_n', 'rate_ctrl_mean',
                                               'rate_ctrl_sd', 'rate_ctrl_n'], out)
    Sm, ym, wm = np.array(Sm), np.array(ym), 1 / np.array(sem) ** 2
    f = lambda p: np.sqrt(wm) * (p[0] * Sm / (p[1] + Sm) - ym)
    jac = lambda p: np.sqrt(wm)[:, None] * np.column_stack([Sm / (p[1] + Sm), -p[0] * Sm / (p[1] + Sm) ** 2])
    res = optimize.least_squares(f, [200, 3], jac=jac, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    J = res.jac
    dof = dfw + len(cs) - 2
    s2 = (np.sum(res.fun ** 2) + dfw) / dof   # the within part in units of the pooled variance: dfw
    cov = np.linalg.inv(J.T @ J) * s2
    tq = stats.t.ppf(0.975, dof)
    se = np.sqrt(np.diag(cov))
    with open(EXP + 'uptake_chain_means_mm.tsv', 'w') as f:
        f.write('df\tVmax\tVmax_se\tVmax_lo\tVmax_hi\tKm\tKm_se\tKm_lo\tKm_hi\n')
        f.write('\t'.join([str(dof)] + [g(v) for i in (0, 1) for v in (res.x[i], se[i], res.x[i] - tq * se[i],
                                                                          res.x[i] + tq * se[i])]) + '\n')


# ---------------------------------------------------------------- C: time course
def fixture_c():
    times = [1, 2, 4, 8, 15, 30]
    lines = ['##znr=1', '##schema=counts', '#position\twell\tcpm\tconstruct\tconc_uM\ttime_min\trole\tprotein_mg']
    pos = 0
    sa = 150.0
    data = []
    for S in (1, 10):
        for t in times:
            for rep in range(2):
                pos += 1
                prot = round(rng.uniform(0.08, 0.11), 4)
                if S == 1:   # linear over 30 min
                    u = 20.0 * t + 3
                else:        # saturating: 90 pmol/mg/min initially, plateau ~ 1500
                    u = 1500 * (1 - math.exp(-0.06 * t)) + 3
                cpm = round(u * prot * sa * (1 + rng.normal(0, 0.03)), 1)
                lines.append('%d\tE%d\t%s\thZIP4\t%s\t%s\tsample\t%s' % (pos, pos, g_in(cpm), S, t, g_in(prot)))
                data.append((S, t, cpm, prot))
    with open(FIX + 'uptake_timecourse.znr', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    out = []
    for S in (1, 10):
        d = [(t, cpm / sa / prot) for (s, t, cpm, prot) in data if s == S]
        t = np.array([x[0] for x in d], float)
        y = np.array([x[1] for x in d])
        X = np.column_stack([np.ones_like(t), t])
        b, rss, *_ = np.linalg.lstsq(X, y, rcond=None)
        n = len(y)
        s2 = rss[0] / (n - 2)
        cov = s2 * np.linalg.inv(X.T @ X)
        tq = stats.t.ppf(0.975, n - 2)
        r2 = 1 - rss[0] / np.sum((y - y.mean()) ** 2)
        X2 = np.column_stack([np.ones_like(t), t, t * t])
        b2, rss2, *_ = np.linalg.lstsq(X2, y, rcond=None)
        cov2 = rss2[0] / (n - 3) * np.linalg.inv(X2.T @ X2)
        p = 2 * stats.t.sf(abs(b2[2] / math.sqrt(cov2[2, 2])), n - 3)
        lin = 'curved' if p < 0.05 else 'ok'
        flag = ('curved_saturating' if b2[2] < 0 else 'curved_accelerating') if p < 0.05 else ''
        se = math.sqrt(cov[1, 1])
        out.append(['hZIP4', str(S), str(n), str(len(times)), g(b[1]), g(se), g(b[1] - tq * se), g(b[1] + tq * se),
                    g(b[0]), g(math.sqrt(cov[0, 0])), g(r2), g(p), lin, flag])
    write_tsv(EXP + 'uptake_initial.tsv', ['construct', 'conc_uM', 'n', 'n_times', 'rate', 'rate_se', 'rate_lo',
                                           'rate_hi', 'intercept', 'intercept_se', 'r2', 'curvature_p',
                                           'linearity', 'flag'], out)


fixture_a()
fixture_b()
fixture_c()
