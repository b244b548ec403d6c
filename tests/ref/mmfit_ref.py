#!/usr/bin/python3
"""Fixtures and reference values for tests/mmfit.bats, computed independently
of znflow: scipy.optimize.least_squares, a central-difference Jacobian (not
the analytic derivatives the C code uses), numpy linear algebra and
scipy.stats for t and F.  Run from tests/:
    /usr/bin/python3 ref/mmfit_ref.py      (Debian python3-scipy)
It writes fixtures/mm_*.znr (synthetic data with known truth, fixed seed)
and fixtures/expected/mmfit_*.tsv (the fit records without the iterations
column, which depends on the algorithm)."""
import math
import numpy as np
from scipy.optimize import least_squares, brentq
from scipy import stats

rng = np.random.default_rng(20261121)

# ------------------------------------------------------------------ models
def mm(S, I, p): V, K = p; return V * S / (K + S)
def hill(S, I, p):
    V, K, h = p; u = np.where(S > 0, S, 0.0) ** h; return V * u / (K ** h + u)
def subinh(S, I, p): V, K, Ki = p; return V * S / (K + S * (1 + S / Ki))
def comp(S, I, p): V, K, Ki = p; return V * S / (K * (1 + I / Ki) + S)
def noncomp(S, I, p): V, K, Ki = p; return V / (1 + I / Ki) * S / (K + S)
def uncomp(S, I, p): V, K, Ki = p; return V * S / (K + S * (1 + I / Ki))
def mixed(S, I, p):
    V, K, Ki, a = p
    Vapp = V / (1 + I / (a * Ki)); Kapp = K * (1 + I / Ki) / (1 + I / (a * Ki))
    return Vapp * S / (Kapp + S)
def mmlin(S, I, p): V, K, kd = p; return V * S / (K + S) + kd * S

MODELS = {'mm': (mm, ['Vmax', 'Km']), 'hill': (hill, ['Vmax', 'Khalf', 'h']),
          'subinh': (subinh, ['Vmax', 'Km', 'Ki']), 'comp': (comp, ['Vmax', 'Km', 'Ki']),
          'noncomp': (noncomp, ['Vmax', 'Km', 'Ki']), 'uncomp': (uncomp, ['Vmax', 'Km', 'Ki']),
          'mixed': (mixed, ['Vmax', 'Km', 'Ki', 'alpha']), 'mm+linear': (mmlin, ['Vmax', 'Km', 'kd'])}

def jac(f, S, I, p):
    """central differences, step relative to each parameter"""
    p = np.asarray(p, float); J = np.empty((len(S), len(p)))
    for j in range(len(p)):
        h = 1e-6 * max(abs(p[j]), 1e-8)
        a = p.copy(); b = p.copy(); a[j] += h; b[j] -= h
        J[:, j] = (f(S, I, a) - f(S, I, b)) / (2 * h)
    return J

def lsq(f, S, I, y, w, p0):
    r = least_squares(lambda p: (f(S, I, p) - y) * np.sqrt(w), p0, method='lm',
                      xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=100000)
    return r.x

class Fit:
    pass

def fit(model, S, I, y, w=None, p0=None, rep=None, sd=None, weight='none', level=0.95, profile=False):
    f, names = MODELS[model]
    S, I, y = map(lambda a: np.asarray(a, float), (S, I, y))
    rep = np.ones_like(y) if rep is None else np.asarray(rep, float)
    sd = np.zeros_like(y) if sd is None else np.asarray(sd, float)
    wd = np.ones_like(y) if w is None else np.asarray(w, float)
    w = wd * rep
    p = lsq(f, S, I, y, w, p0)
    if weight in ('1/y', '1/y2'):                  # weights from the curve
        k = 1 if weight == '1/y' else 2
        for _ in range(200):
            w = wd * rep / f(S, I, p) ** k
            q = lsq(f, S, I, y, w, p)
            done = np.max(np.abs(q - p) / np.abs(q)) < 1e-12
            p = q
            if done: break
    F = Fit(); F.p = p; F.names = names; F.model = model
    within = np.sum(w / rep * (rep - 1) * sd ** 2)
    F.ss = np.sum(w * (f(S, I, p) - y) ** 2) + within
    F.N = rep.sum(); F.df = F.N - len(p)
    J = jac(f, S, I, p) * np.sqrt(w)[:, None]
    F.cov = np.linalg.inv(J.T @ J)
    F.s2 = F.ss / F.df
    F.se = np.sqrt(np.diag(F.cov) * F.s2)
    t = stats.t.ppf(1 - (1 - level) / 2, F.df)
    F.lo, F.hi = p - t * F.se, p + t * F.se
    m = np.sum(w * y) / np.sum(w)
    F.r2 = 1 - F.ss / (np.sum(w * (y - m) ** 2) + within)
    K = len(p) + 1
    F.aicc = F.N * math.log(F.ss / F.N) + 2 * K + 2 * K * (K + 1) / (F.N - K - 1)
    if profile:
        thr = F.ss * (1 + stats.f.ppf(level, 1, F.df) / F.df)
        F.lo, F.hi = np.empty(len(p)), np.empty(len(p))
        for j in range(len(p)):
            rest = [i for i in range(len(p)) if i != j]
            def prof(v, j=j, rest=rest):
                def g(q):
                    full = np.empty(len(p)); full[j] = v; full[rest] = q
                    return (f(S, I, full) - y) * np.sqrt(w)
                q = least_squares(g, p[rest], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15).x if rest else []
                return np.sum(g(q) ** 2) + within - thr
            for side, arr in ((-1, F.lo), (1, F.hi)):
                step = F.se[j]
                while True:
                    v = p[j] + side * step
                    if v <= 0: v = p[j] * 0.5 ** (step / F.se[j])
                    if prof(v) > 0: break
                    step *= 2
                arr[j] = brentq(prof, p[j], v, xtol=1e-14 * abs(p[j]), rtol=1e-14)
    return F

def g(x):
    """the number as zn-mm-fit's shortest round-trip would read back"""
    return repr(float(x))

def row(keys, F, weight='none', extra=()):
    out = list(keys) + [F.model, g(F.N)]
    for j in range(len(F.p)):
        out += [g(F.p[j]), g(F.se[j]), g(F.lo[j]), g(F.hi[j])]
    out += [g(F.ss), g(F.df), g(math.sqrt(F.s2)), g(F.r2), g(F.aicc), weight, 'ok', '']
    return '\t'.join(list(out) + list(extra))

def header(by, names, extra=()):
    h = list(by) + ['model', 'n']
    for n in names: h += [n, n + '_se', n + '_lo', n + '_hi']
    h += ['rss', 'df', 'sy_x', 'r2', 'aicc', 'weight', 'status', 'reason']
    return '\t'.join(h + list(extra))

def write(path, lines):
    with open(path, 'w') as fh:
        fh.write('\n'.join(lines) + '\n')

def fmt(v):
    return '%.6g' % v

# ------------------------------------------------------------------ fixtures
# 65Zn uptake, two transporters, 8 concentrations x 3 replicates;
# truth hZIP4 Km 3.14 uM, Vmax 240 pmol/mg/min; ZIP8 Km 0.26 uM, Vmax 60
conc = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20]
truth = {'hZIP4': (240, 3.14), 'ZIP8': (60, 0.26)}
up = []
for c, (V, K) in truth.items():
    for s in conc:
        for r in range(3):
            v = V * s / (K + s)
            up.append((c, s, round(v * (1 + 0.06 * rng.standard_normal()) + 0.5 * rng.standard_normal(), 3)))
lines = ['##znr=1', '##schema=uptake', '#construct\tconc_uM\ttime_min\trate']
lines += ['%s\t%s\t5\t%s' % (c, s, v) for c, s, v in up]
write('fixtures/mm_uptake.znr', lines)
# the same as mean, SD, n per concentration
lines = ['##znr=1', '##schema=uptake', '#construct\tconc_uM\trate\trate_sd\trate_n']
means = {}
for c in truth:
    for s in conc:
        v = np.array([x[2] for x in up if x[0] == c and x[1] == s])
        means[(c, s)] = (v.mean(), v.std(ddof=1), len(v))
        lines.append('%s\t%s\t%s\t%s\t3' % (c, s, repr(v.mean()), repr(v.std(ddof=1))))
write('fixtures/mm_means.znr', lines)

# inhibition: 7 substrate x 4 inhibitor concentrations x 2 replicates,
# truth mixed Vmax 200, Km 3, Ki 2, alpha 4
Ss = [0.5, 1, 2, 4, 8, 16, 32]; Is = [0, 1, 3, 10]
inh = []
for i in Is:
    for s in Ss:
        for r in range(2):
            v = mixed(s, i, (200, 3, 2, 4))
            inh.append((s, i, round(v * (1 + 0.05 * rng.standard_normal()), 3)))
lines = ['##znr=1', '##schema=uptake', '#conc_uM\tinhibitor_uM\trate']
lines += ['%s\t%s\t%s' % x for x in inh]
write('fixtures/mm_inhib.znr', lines)

# substrate inhibition: Vmax 100, Km 2, Ki 40
sub = []
for s in [0.5, 1, 2, 5, 10, 20, 50, 100, 200]:
    for r in range(2):
        sub.append((s, round(subinh(s, 0, (100, 2, 40)) * (1 + 0.04 * rng.standard_normal()), 3)))
lines = ['##znr=1', '##schema=uptake', '#conc_uM\trate']
lines += ['%s\t%s' % x for x in sub]
write('fixtures/mm_subinh.znr', lines)

# ------------------------------------------------------------------ references
def groups(c):
    d = [x for x in up if x[0] == c]
    return [x[1] for x in d], [0] * len(d), [x[2] for x in d]

start = {'mm': [100, 1], 'hill': [100, 1, 1], 'mm+linear': [100, 1, 0.1]}
lines = [header(['construct'], ['Vmax', 'Km'])]
for c in truth:
    S, I, y = groups(c)
    lines.append(row([c], fit('mm', S, I, y, p0=[100, 1])))
write('fixtures/expected/mmfit_mm.tsv', lines)

lines = [header(['construct'], ['Vmax', 'Km'])]
for c in truth:
    S, I, y = groups(c)
    lines.append(row([c], fit('mm', S, I, y, p0=[100, 1], profile=True)))
write('fixtures/expected/mmfit_profile.tsv', lines)

for wt in ('1/y', '1/y2'):
    lines = [header(['construct'], ['Vmax', 'Km'])]
    for c in truth:
        S, I, y = groups(c)
        lines.append(row([c], fit('mm', S, I, y, p0=[100, 1], weight=wt), weight=wt))
    write('fixtures/expected/mmfit_w%s.tsv' % wt.replace('/', ''), lines)

# mean, SD, n: the same fit as the replicates
lines = [header(['construct'], ['Vmax', 'Km'])]
for c in truth:
    k = [(s, means[(c, s)]) for s in conc]
    lines.append(row([c], fit('mm', [s for s, _ in k], [0] * len(k), [m[0] for _, m in k], p0=[100, 1],
                              rep=[m[2] for _, m in k], sd=[m[1] for _, m in k])))
write('fixtures/expected/mmfit_means.tsv', lines)

# hill and mm+linear, compared with mm (nested: F test), per construct
for alt in ('hill', 'mm+linear'):
    lines = [header(['construct'], ['Vmax', 'Km'], ['compare', 'compare_status', 'compare_aicc', 'daicc', 'F', 'F_p', 'prefer'])]
    for c in truth:
        S, I, y = groups(c)
        a = fit('mm', S, I, y, p0=[100, 1]); b = fit(alt, S, I, y, p0=list(a.p) + [1 if alt == 'hill' else 0.01])
        dfn = a.df - b.df
        Fv = ((a.ss - b.ss) / dfn) / (b.ss / b.df)
        p = stats.f.sf(Fv, dfn, b.df)
        lines.append(row([c], a, extra=[alt, 'ok', g(b.aicc), g(a.aicc - b.aicc), g(Fv), g(p), alt if p < 0.05 else 'mm']))
    write('fixtures/expected/mmfit_compare_%s.tsv' % alt.replace('+', ''), lines)

# inhibition models on one data set
S = [x[0] for x in inh]; I = [x[1] for x in inh]; y = [x[2] for x in inh]
for m in ('comp', 'noncomp', 'uncomp', 'mixed'):
    f, names = MODELS[m]
    F = fit(m, S, I, y, p0=[200, 3, 2, 4][:len(names)])
    write('fixtures/expected/mmfit_%s.tsv' % m, [header([], names), row([], F)])

S = [x[0] for x in sub]; y = [x[1] for x in sub]
write('fixtures/expected/mmfit_subinh.tsv', [header([], ['Vmax', 'Km', 'Ki']),
                                             row([], fit('subinh', S, [0] * len(S), y, p0=[100, 2, 40]))])

# global fit: Km shared between the two constructs, against separate fits
c0, c1 = list(truth)
S0, _, y0 = groups(c0); S1, _, y1 = groups(c1)
n0 = len(S0)
Sg = np.array(S0 + S1); yg = np.array(y0 + y1); grp = np.array([0] * n0 + [1] * len(S1))
def gmodel(S, grp_, p):      # p = Km, Vmax0, Vmax1
    V = np.where(grp_ == 0, p[1], p[2]); return V * S / (p[0] + S)
res = least_squares(lambda p: gmodel(Sg, grp, p) - yg, [1, 200, 60], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15)
p = res.x; ss = np.sum((gmodel(Sg, grp, p) - yg) ** 2); N = len(yg); df = N - 3
J = np.empty((N, 3))
for j in range(3):
    h = 1e-6 * abs(p[j]); a = p.copy(); b = p.copy(); a[j] += h; b[j] -= h
    J[:, j] = (gmodel(Sg, grp, a) - gmodel(Sg, grp, b)) / (2 * h)
cov = np.linalg.inv(J.T @ J) * ss / df; se = np.sqrt(np.diag(cov))
A = fit('mm', S0, [0] * n0, y0, p0=[100, 1]); B = fit('mm', S1, [0] * len(S1), y1, p0=[100, 1])
sss, sdf = A.ss + B.ss, A.df + B.df
Fv = ((ss - sss) / (df - sdf)) / (sss / sdf); pv = stats.f.sf(Fv, df - sdf, sdf)
Ks, Kg = 5, 4
aic_s = N * math.log(sss / N) + 2 * Ks + 2 * Ks * (Ks + 1) / (N - Ks - 1)
aic_g = N * math.log(ss / N) + 2 * Kg + 2 * Kg * (Kg + 1) / (N - Kg - 1)
t = stats.t.ppf(0.975, df)
lines = [header(['construct'], ['Vmax', 'Km'], ['shared', 'share_F', 'share_p', 'share_daicc', 'share_prefer'])]
for k, (c, Sx, yx) in enumerate(((c0, S0, y0), (c1, S1, y1))):
    F = Fit(); F.model = 'mm'; F.N = len(Sx)
    iv = 1 + k
    F.p = np.array([p[iv], p[0]]); F.se = np.array([se[iv], se[0]])
    F.lo = F.p - t * F.se; F.hi = F.p + t * F.se
    r = gmodel(np.array(Sx), np.full(len(Sx), k), p) - np.array(yx)
    F.ss = np.sum(r ** 2); F.df = df; F.s2 = ss / df
    F.r2 = 1 - F.ss / np.sum((np.array(yx) - np.mean(yx)) ** 2)
    F.aicc = aic_g
    lines.append(row([c], F, extra=['Km', g(Fv), g(pv), g(aic_g - aic_s), 'separate' if pv < 0.05 else 'shared']))
write('fixtures/expected/mmfit_share.tsv', lines)

# the curve and its 95% confidence band for hZIP4 at x = 0, 10, 20
S, I, y = groups('hZIP4')
F = fit('mm', S, I, y, p0=[100, 1])
lines = ['construct\tmodel\tx\ty\ty_lo\ty_hi']
for x in (0.0, 10.0, 20.0):
    yy = mm(x, 0, F.p)
    gj = jac(mm, np.array([x]), np.array([0.0]), F.p)[0]
    h = stats.t.ppf(0.975, F.df) * math.sqrt(gj @ (F.cov * F.s2) @ gj)
    lines.append('hZIP4\tmm\t%s\t%s\t%s\t%s' % (g(x), g(yy), g(yy - h), g(yy + h)))
write('fixtures/expected/mmfit_curve.tsv', lines)

# --fix for the Michaelis-Menten family: held parameters leave the fitted
# vector (df, covariance, profile count only the fitted ones)
def fit_fixed(model, fix, S, I, y, p0, **kw):
    f, names = MODELS[model]
    free = [j for j in range(len(names)) if names[j] not in fix]
    def ff(S_, I_, q):
        p = []; k = 0
        for n in names:
            if n in fix: p.append(fix[n])
            else: p.append(q[k]); k += 1
        return f(S_, I_, p)
    MODELS['_held'] = (ff, [names[j] for j in free])
    F = fit('_held', S, I, y, p0=[p0[j] for j in free], **kw)
    del MODELS['_held']
    F.model = model; F.allnames = names; F.fix = fix
    return F

def rowfix(keys, F, weight='none', extra=()):
    out = list(keys) + [F.model, g(F.N)]; k = 0
    for n in F.allnames:
        if n in F.fix: out += [g(F.fix[n]), '', '', '']
        else: out += [g(F.p[k]), g(F.se[k]), g(F.lo[k]), g(F.hi[k])]; k += 1
    out += [g(F.ss), g(F.df), g(math.sqrt(F.s2)), g(F.r2), g(F.aicc), weight, 'ok', '']
    return '\t'.join(out + list(extra))

# mm+linear with the nonspecific (linear) uptake held: --fix kd=0.5
lines = [header(['construct'], ['Vmax', 'Km', 'kd'])]
for c in truth:
    S, I, y = groups(c)
    lines.append(rowfix([c], fit_fixed('mm+linear', {'kd': 0.5}, S, I, y, [100, 1, 0.5])))
write('fixtures/expected/mmfit_fix_mmlinear.tsv', lines)

# mm with Vmax held (rarely wanted, but allowed), profile interval of Km
lines = [header(['construct'], ['Vmax', 'Km'])]
for c in truth:
    S, I, y = groups(c)
    lines.append(rowfix([c], fit_fixed('mm', {'Vmax': 250.0}, S, I, y, [250, 1], profile=True)))
write('fixtures/expected/mmfit_fix_vmax_profile.tsv', lines)

# competitive inhibition with Km known from another experiment (--fix
# Km=3), compared with mixed inhibition holding the same Km (nested: F test)
S = [x[0] for x in inh]; I = [x[1] for x in inh]; y = [x[2] for x in inh]
a = fit_fixed('comp', {'Km': 3.0}, S, I, y, [200, 3, 2])
b = fit_fixed('mixed', {'Km': 3.0}, S, I, y, [200, 3, 2, 4])
dfn = a.df - b.df; Fv = ((a.ss - b.ss) / dfn) / (b.ss / b.df); pF = stats.f.sf(Fv, dfn, b.df)
write('fixtures/expected/mmfit_fix_comp.tsv',
      [header([], ['Vmax', 'Km', 'Ki'], ['compare', 'compare_status', 'compare_aicc', 'daicc', 'F', 'F_p', 'prefer']),
       rowfix([], a, extra=['mixed', 'ok', g(b.aicc), g(a.aicc - b.aicc), g(Fv), g(pF), 'mixed' if pF < 0.05 else 'comp'])])
print('wrote fixtures/mm_*.znr and fixtures/expected/mmfit_*.tsv')

# ================================================================== issue 18
# Concentration-response (4pl, 3pl) and model adequacy, computed here
# independently: scipy least_squares (central-difference Jacobian),
# scipy.stats.normaltest, the runs distribution by enumerating every
# arrangement of the signs, ROUT with scipy's Cauchy (Lorentzian) loss,
# Benjamini-Hochberg written out.
from itertools import combinations
import subprocess

def shapiro_R(r):
    """R's shapiro.test (AS R94 in double precision; scipy 1.10's shapiro is
    the same algorithm in single precision, which agrees only to ~1e-6)"""
    out = subprocess.run(['Rscript', '-e', 'x <- scan(file("stdin"), quiet = TRUE); t <- shapiro.test(x); '
                          'cat(sprintf("%.17g %.17g", t$statistic, t$p.value))'],
                         input='\n'.join(repr(float(v)) for v in r), capture_output=True, text=True, check=True)
    W, p = map(float, out.stdout.split())
    sp = stats.shapiro(r)
    # single precision (sums of n float32 terms): W within 1e-6, p within 1e-5
    assert abs(sp.statistic - W) <= 1e-6 and abs(sp.pvalue - p) <= 1e-5, (W, p, sp)
    print('shapiro n=%d: R W %.17g p %.17g; scipy W %.9g (%.2g float32 ulps) p %.9g (rel %.2g)' %
          (len(r), W, p, sp.statistic, abs(sp.statistic - W) / np.spacing(np.float32(W)), sp.pvalue,
           abs(sp.pvalue - p) / p))
    return W, p

rng18 = np.random.default_rng(18)

def f4(S, I, p):
    b, t, e, h = p
    S = np.asarray(S, float)
    pos = S > 0
    u = (e / np.where(pos, S, 1.0)) ** h
    lim = 0.0 if np.real(h) > 0 else 1.0     # x = 0: bottom when rising, top when falling
    return b + (t - b) * np.where(pos, 1 / (1 + u), lim)

def jac_cs(f, S, I, p):
    """complex-step derivatives (exact to rounding, no difference error)"""
    p = np.asarray(p, float); J = np.empty((len(S), len(p)))
    for j in range(len(p)):
        q = p.astype(complex); h = 1e-30 * max(abs(p[j]), 1.0); q[j] += 1j * h
        J[:, j] = np.imag(f(S, I, q)) / h
    return J

def fit4(S, y, w=None, fix=None, p0=None, weight='none', level=0.95, profile=False, ecf_prof=()):
    """4pl with parameters in fix held; returns estimates of the free ones"""
    S = np.asarray(S, float); y = np.asarray(y, float)
    wd = np.ones_like(y) if w is None else np.asarray(w, float)
    fix = fix or {}
    free = [j for j in range(4) if j not in fix]
    def full(q):
        p = np.empty(4, dtype=np.result_type(q, float)); p[free] = q
        for j, v in fix.items(): p[j] = v
        return p
    fq = lambda S_, I_, q: f4(S_, I_, full(q))
    w = wd.copy()
    q = lsq(fq, S, 0 * S, y, w, np.asarray(p0, float)[free])
    if weight in ('1/y', '1/y2'):
        k = 1 if weight == '1/y' else 2
        for _ in range(200):
            w = wd / fq(S, 0, q) ** k
            q2 = lsq(fq, S, 0 * S, y, w, q)
            done = np.max(np.abs(q2 - q) / np.abs(q2)) < 1e-12
            q = q2
            if done: break
    F = Fit(); F.q = q; F.free = free; F.fix = fix; F.p = full(q); F.w = w; F.S = S; F.y = y; F.fq = fq
    F.ss = np.sum(w * (fq(S, 0, q) - y) ** 2); F.N = len(y); F.df = F.N - len(q)
    J = jac_cs(fq, S, 0 * S, q) * np.sqrt(w)[:, None]
    F.cov = np.linalg.inv(J.T @ J); F.s2 = F.ss / F.df
    F.se = np.sqrt(np.diag(F.cov) * F.s2)
    F.t = stats.t.ppf(1 - (1 - level) / 2, F.df)
    F.lo, F.hi = q - F.t * F.se, q + F.t * F.se
    m = np.sum(w * y) / np.sum(w)
    F.r2 = 1 - F.ss / np.sum(w * (y - m) ** 2)
    K = len(q) + 1
    F.aicc = F.N * math.log(F.ss / F.N) + 2 * K + 2 * K * (K + 1) / (F.N - K - 1)
    if profile:   # every free parameter; ec50 by factors, the others by steps
        thr = F.ss * (1 + stats.f.ppf(level, 1, F.df) / F.df)
        for j in range(len(q)):
            rest = [i for i in range(len(q)) if i != j]
            def prof(v, j=j, rest=rest):
                def g_(r):
                    qq = np.empty(len(q)); qq[j] = v; qq[rest] = r
                    return (fq(S, 0, qq) - y) * np.sqrt(w)
                r = least_squares(g_, q[rest], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15).x
                return np.sum(g_(r) ** 2) - thr
            for side in (-1, 1):
                if free[j] == 2:
                    v = q[j] * math.exp(side * F.se[j] / q[j])
                    while prof(v) < 0: v = q[j] * (v / q[j]) ** 2
                else:
                    st = F.se[j]
                    v = q[j] + side * st
                    while prof(v) < 0: st *= 2; v = q[j] + side * st
                lim = brentq(prof, q[j], v, xtol=1e-14 * abs(q[j]), rtol=1e-14)
                if side < 0: F.lo[j] = lim
                else: F.hi[j] = lim
        # each ECp: the curve with ec50 = ECp (p/(100-p))^(-1/|hill|), ECp held
        F.ecp_prof = {}
        je = free.index(2); rest = [i for i in range(len(q)) if i != je]
        for pc in ecf_prof:
            def profp(v, pc=pc):
                def g_(r):
                    qq = np.empty(len(q)); qq[rest] = r; qq[je] = 1.0
                    pp = full(qq); pp[2] = v * (pc / (100 - pc)) ** (-1 / abs(pp[3]))
                    return (f4(S, 0, pp) - y) * np.sqrt(w)
                r = least_squares(g_, q[rest], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15).x
                return np.sum(g_(r) ** 2) - thr
            p_ = full(q); est = p_[2] * (pc / (100 - pc)) ** (1 / abs(p_[3]))
            lims = []
            for side in (-1, 1):
                v = est * math.exp(side * 0.1)
                while profp(v) < 0: v = est * (v / est) ** 2
                lims.append(brentq(profp, est, v, xtol=1e-14 * est, rtol=1e-14))
            F.ecp_prof[pc] = lims
    return F

def canon(F):
    """Prism's orientation: top > bottom, hill's sign says the direction"""
    if 0 in F.fix or 1 in F.fix or F.p[1] >= F.p[0]: return F
    perm = list(range(len(F.q))); perm[0], perm[1] = 1, 0
    sg = np.ones(len(F.q))
    if 3 in F.free: sg[F.free.index(3)] = -1
    else: F.fix[3] = -F.fix[3]
    P = np.eye(len(F.q))[perm] * sg[:, None]
    F.q = P @ F.q; F.cov = P @ F.cov @ P.T; F.se = np.sqrt(np.diag(F.cov) * F.s2)
    F.lo, F.hi = F.q - F.t * F.se, F.q + F.t * F.se
    F.p = np.empty(4); F.p[F.free] = F.q
    for j, v in F.fix.items(): F.p[j] = v
    return F

def runs_p(signs):
    """exact P(runs <= observed) by enumerating all arrangements"""
    s = [x for x in signs if x != 0]
    def runs(seq): return 1 + sum(1 for a, b in zip(seq, seq[1:]) if a != b)
    n, npos = len(s), sum(1 for x in s if x > 0)
    obs = runs(s); tot = 0; le = 0
    for pos in combinations(range(n), npos):
        seq = [-1] * n
        for i in pos: seq[i] = 1
        tot += 1; le += runs(seq) <= obs
    return obs, le / tot

def adequacy(F, Q=0.01):
    S, y, w = F.S, F.y, F.w
    r = (y - F.fq(S, 0, F.q)) * np.sqrt(w)
    xs = sorted(set(S.tolist()))
    sspe = 0.0; signs = []
    for x in xs:
        k = S == x
        m = np.sum(w[k] * y[k]) / np.sum(w[k])
        sspe += np.sum(w[k] * (y[k] - m) ** 2)
        signs.append(np.sign(np.sum(w[k] * (y[k] - F.fq(S[k], 0, F.q)))))
    K = len(F.q); d1 = len(xs) - K; d2 = F.N - len(xs)
    lofF = ((F.ss - sspe) / d1) / (sspe / d2); lofp = stats.f.sf(lofF, d1, d2)
    nr, rp = runs_p(signs)
    K2, np_ = stats.normaltest(r)
    W, pW = shapiro_R(r)
    # ROUT: Lorentzian fit, scale RSDR from each round's residuals
    n = len(y)
    def rsdr(res): return np.percentile(np.abs(res), 68.27) * n / (n - K)
    q = F.q.copy(); s = rsdr(r)
    for _ in range(200):
        q2 = least_squares(lambda qq: (F.fq(S, 0, qq) - y) * np.sqrt(w), q, loss='cauchy', f_scale=s,
                           method='trf', xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=100000).x
        s2 = rsdr((y - F.fq(S, 0, q2)) * np.sqrt(w))
        done = np.max(np.abs(q2 - q) / np.abs(q2)) < 1e-10 and abs(s2 - s) <= 1e-10 * s
        q, s = q2, s2
        if done: break
    rr = (y - F.fq(S, 0, q)) * np.sqrt(w)
    pv = 2 * stats.t.sf(np.abs(rr) / s, n - K)
    order = np.argsort(pv)          # Benjamini-Hochberg: largest k with p(k) <= kQ/n
    k = 0                           # among the 30 % largest residuals (k <= floor(0.3 n))
    for i, j in enumerate(order):
        if i < 3 * n // 10 and pv[j] <= (i + 1) * Q / n: k = i + 1
    out = sorted(order[:k], key=lambda j: (S[j], j))
    num = lambda v: str(int(v)) if float(v) == int(v) else repr(float(v))
    pts = ';'.join('%s:%s' % (num(S[j]), num(y[j])) for j in out)
    return [g(lofF), g(lofp), g(nr), g(rp), g(K2), g(np_), g(W), g(pW), g(len(out)), pts]

def ecp(F, pc):
    """ECp = ec50 (p/(100-p))^(1/|hill|), SE by the delta method (numerical gradient)"""
    def fn(q):
        p = np.empty(4, dtype=q.dtype); p[F.free] = q
        for j, v in F.fix.items(): p[j] = v
        h = p[3] if np.real(p[3]) > 0 else -p[3]     # |hill|, complex-step safe
        return p[2] * (pc / (100 - pc)) ** (1 / h)
    v = np.real(fn(F.q.astype(complex))); gr = np.empty(len(F.q))
    for j in range(len(F.q)):
        q = F.q.astype(complex); h = 1e-30 * max(abs(F.q[j]), 1.0); q[j] += 1j * h
        gr[j] = np.imag(fn(q)) / h
    se = math.sqrt(gr @ (F.cov * F.s2) @ gr)
    return [g(v), g(se), g(v - F.t * se), g(v + F.t * se)]

def row4(keys, model, F, weight='none', ecf=(), extra=(), adeq=None):
    out = list(keys) + [model, g(F.N)]
    for j in range(4):
        if j in F.fix: out += [g(F.fix[j]), '', '', '']
        else:
            k = F.free.index(j); out += [g(F.q[k]), g(F.se[k]), g(F.lo[k]), g(F.hi[k])]
    k = F.free.index(2); e = F.q[k]; lse = F.se[k] / (e * math.log(10))
    out += [g(math.log10(e)), g(lse), g(math.log10(e) - F.t * lse), g(math.log10(e) + F.t * lse)]
    for pc in ecf:
        c = ecp(F, pc)
        if getattr(F, 'ecp_prof', None) and pc in F.ecp_prof:
            c[2], c[3] = g(F.ecp_prof[pc][0]), g(F.ecp_prof[pc][1])
        out += c
    out += [g(F.ss), g(F.df), g(math.sqrt(F.s2)), g(F.r2), g(F.aicc), weight, 'ok', '']
    out += adequacy(F) if adeq is None else adeq
    return '\t'.join(out + list(extra))

def header4(by, ecf=(), extra=()):
    h = list(by) + ['model', 'n']
    for n in ['bottom', 'top', 'ec50', 'hill', 'logec50'] + ['ec%g' % p for p in ecf]:
        h += [n, n + '_se', n + '_lo', n + '_hi']
    h += ['rss', 'df', 'sy_x', 'r2', 'aicc', 'weight', 'status', 'reason',
          'lof_F', 'lof_p', 'runs', 'runs_p', 'normality_K2', 'normality_p', 'shapiro_W', 'shapiro_p',
          'outliers', 'outlier_points']
    return '\t'.join(h + list(extra))

# ER zinc (ZapCY1 ratio, % of the vehicle's) against NVS-ZP7-4 (uM): 8
# concentrations with the vehicle at 0, triplicate dishes; two cell lines,
# truth bottom 20, top 100, hill -1.2, IC50 0.25 and 1.5 uM; one dish in
# line A came out 45 above its neighbours (a planted outlier for ROUT)
conc18 = [0, 0.03, 0.1, 0.3, 1, 3, 10, 30]
truth18 = {'A': (20, 100, 0.25, -1.2), 'B': (20, 100, 1.5, -1.2)}
ic = []
for line, p in truth18.items():
    for s in conc18:
        for r in range(3):
            v = f4([s], [0], p)[0] + 4 * rng18.standard_normal()
            if line == 'A' and s == 1 and r == 1: v += 45
            ic.append((line, s, round(v, 3)))
lines = ['##znr=1', '##schema=response', '#line\tconc_uM\tresponse']
lines += ['%s\t%s\t%s' % x for x in ic]
write('fixtures/mm_ic50.znr', lines)

def grp18(line):
    d = [x for x in ic if x[0] == line]
    return np.array([x[1] for x in d], float), np.array([x[2] for x in d], float)

P0 = [20, 100, 1, -1]
ecf18 = (10, 90)
lines = [header4(['line'], ecf18)]
for line in truth18:
    S, y = grp18(line)
    lines.append(row4([line], '4pl', canon(fit4(S, y, p0=P0)), ecf=ecf18))
write('fixtures/expected/mmfit_4pl.tsv', lines)

# profile intervals of every parameter and of EC10, EC90
lines = [header4(['line'], ecf18)]
for line in truth18:
    S, y = grp18(line)
    F = canon(fit4(S, y, p0=P0, profile=True, ecf_prof=ecf18))
    k = F.free.index(2); e = F.q[k]
    row = row4([line], '4pl', F, ecf=ecf18).split('\t')
    # logec50's interval: the log of ec50's profile limits
    row[3 + 4 * 4 + 2] = g(math.log10(F.lo[k])); row[3 + 4 * 4 + 3] = g(math.log10(F.hi[k]))
    lines.append('\t'.join(row))
write('fixtures/expected/mmfit_4pl_profile.tsv', lines)

# weights 1/y2 from the curve
lines = [header4(['line'])]
for line in truth18:
    S, y = grp18(line)
    lines.append(row4([line], '4pl', canon(fit4(S, y, p0=P0, weight='1/y2')), weight='1/y2'))
write('fixtures/expected/mmfit_4pl_w1y2.tsv', lines)

# 3pl (hill held at -1: both plateaus free, so the sign is the data's) and
# the comparison with 4pl (nested: F test)
lines = [header4(['line'], extra=['compare', 'compare_status', 'compare_aicc', 'daicc', 'F', 'F_p', 'prefer'])]
for line in truth18:
    S, y = grp18(line)
    a3 = canon(fit4(S, y, p0=[20, 100, 1, 1], fix={3: 1.0})); b4 = canon(fit4(S, y, p0=P0))
    dfn = a3.df - b4.df; Fv = ((a3.ss - b4.ss) / dfn) / (b4.ss / b4.df); pF = stats.f.sf(Fv, dfn, b4.df)
    lines.append(row4([line], '3pl', a3, extra=['4pl', 'ok', g(b4.aicc), g(a3.aicc - b4.aicc), g(Fv), g(pF),
                                                  '4pl' if pF < 0.05 else '3pl']))
write('fixtures/expected/mmfit_3pl_compare.tsv', lines)

# --fix bottom=0,top=100 with --ki S=2,Km=0.5 (Cheng-Prusoff)
lines = [header4(['line'], extra=())]
hdr = lines[0].split('\t'); i = hdr.index('rss')
hdr[i:i] = ['Ki', 'Ki_se', 'Ki_lo', 'Ki_hi', 'ki_equation']
lines = ['\t'.join(hdr)]
for line in truth18:
    S, y = grp18(line)
    F = canon(fit4(S, y, p0=P0, fix={0: 0.0, 1: 100.0}))
    row = row4([line], '4pl', F).split('\t')
    k = F.free.index(2); fcp = 1 + 2 / 0.5
    row[i:i] = [g(F.q[k] / fcp), g(F.se[k] / fcp), g(F.lo[k] / fcp), g(F.hi[k] / fcp),
                'Cheng-Prusoff: Ki = IC50/(1+S/Km), S=2, Km=0.5']
    lines.append('\t'.join(row))
write('fixtures/expected/mmfit_4pl_fix_ki.tsv', lines)

# --share hill: one global fit (hill common, the rest per line), F test of
# parallelism against the separate fits
SA, yA = grp18('A'); SB, yB = grp18('B')
Sg = np.concatenate([SA, SB]); yg = np.concatenate([yA, yB]); gi = np.array([0] * len(SA) + [1] * len(SB))
def gm(p):   # p = hill, bA, tA, eA, bB, tB, eB
    out = np.empty(len(Sg), dtype=np.result_type(p, float))
    for k in (0, 1):
        m = gi == k
        out[m] = f4(Sg[m], 0, [p[1 + 3 * k], p[2 + 3 * k], p[3 + 3 * k], p[0]])
    return out
res = least_squares(lambda p: gm(p) - yg, [-1, 20, 100, 0.25, 20, 100, 1.5], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15)
p = res.x; ss = np.sum((gm(p) - yg) ** 2); N = len(yg); df = N - 7
J = np.empty((N, 7))
for j in range(7):
    q = p.astype(complex); h = 1e-30 * max(abs(p[j]), 1.0); q[j] += 1j * h
    J[:, j] = np.imag(gm(q)) / h
cov = np.linalg.inv(J.T @ J) * ss / df; se = np.sqrt(np.diag(cov)); t = stats.t.ppf(0.975, df)
A = canon(fit4(SA, yA, p0=P0)); B = canon(fit4(SB, yB, p0=P0))
sss, sdf = A.ss + B.ss, A.df + B.df
Fv = ((ss - sss) / (df - sdf)) / (sss / sdf); pv = stats.f.sf(Fv, df - sdf, sdf)
Ks, Kg = 9, 8
aic_s = N * math.log(sss / N) + 2 * Ks + 2 * Ks * (Ks + 1) / (N - Ks - 1)
aic_g = N * math.log(ss / N) + 2 * Kg + 2 * Kg * (Kg + 1) / (N - Kg - 1)
h = header4(['line'], extra=['shared', 'share_F', 'share_p', 'share_daicc', 'share_prefer']).split('\t')
lines = ['\t'.join(h)]

def adequacy_share(Sg, yg, gi, p, model, J, Q=0.01):
    """Per group adequacy of a global fit: the group's residuals of the
    global curve; the replicates test with df1 = k - (sum of the group's
    leverages, the diagonal of J (J'J)^-1 J'); ROUT once over all points
    (one Cauchy fit, one RSDR with n - K, Benjamini-Hochberg over all)"""
    r = yg - model(p); n = len(yg); K = len(p)
    hat = np.einsum('ij,jk,ik->i', J, np.linalg.inv(J.T @ J), J)
    assert abs(hat.sum() - K) < 1e-9
    def rsdr(res): return np.percentile(np.abs(res), 68.27) * n / (n - K)
    q = p.copy(); sc = rsdr(r)
    for _ in range(200):
        q2 = least_squares(lambda qq: model(qq) - yg, q, loss='cauchy', f_scale=sc, method='trf',
                           xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=100000).x
        s2 = rsdr(yg - model(q2))
        done = np.max(np.abs(q2 - q) / np.abs(q2)) < 1e-10 and abs(s2 - sc) <= 1e-10 * sc
        q, sc = q2, s2
        if done: break
    pv = 2 * stats.t.sf(np.abs(yg - model(q)) / sc, n - K)
    order = np.argsort(pv); kk = 0
    for i, j in enumerate(order):
        if i < 3 * n // 10 and pv[j] <= (i + 1) * Q / n: kk = i + 1
    outl = set(order[:kk].tolist())
    res = []
    for k in sorted(set(gi.tolist())):
        m = gi == k; S_, y_, r_ = Sg[m], yg[m], r[m]; Kg = hat[m].sum()
        xs = sorted(set(S_.tolist())); sspe = 0.0; signs = []
        for x in xs:
            e = S_ == x
            sspe += np.sum((y_[e] - y_[e].mean()) ** 2); signs.append(np.sign(np.sum(r_[e])))
        d1 = len(xs) - Kg; d2 = len(y_) - len(xs)
        lofF = ((np.sum(r_ ** 2) - sspe) / d1) / (sspe / d2); lofp = stats.f.sf(lofF, d1, d2)
        nr, rp = runs_p(signs); K2, np_ = stats.normaltest(r_); W, pW = shapiro_R(r_)
        idx = [j for j in np.flatnonzero(m) if j in outl]
        idx.sort(key=lambda j: (Sg[j], j))
        num = lambda v: str(int(v)) if float(v) == int(v) else repr(float(v))
        pts = ';'.join('%s:%s' % (num(Sg[j]), num(yg[j])) for j in idx)
        res.append([g(lofF), g(lofp), g(nr), g(rp), g(K2), g(np_), g(W), g(pW), g(len(idx)), pts])
        print('--share, group %d: K_g = %.6f (sum of leverages)' % (k, Kg))
    return res

adeq_sh = adequacy_share(Sg, yg, gi, p, gm, J)
for k, (line, Sx, yx) in enumerate((('A', SA, yA), ('B', SB, yB))):
    ix = [1 + 3 * k, 2 + 3 * k, 3 + 3 * k, 0]
    F = Fit(); F.N = len(Sx); F.fix = {}; F.free = [0, 1, 2, 3]
    F.q = p[ix]; F.se = se[ix]; F.t = t; F.lo = F.q - t * F.se; F.hi = F.q + t * F.se
    r = gm(p)[gi == k] - yx
    F.ss = np.sum(r ** 2); F.df = df; F.s2 = ss / df
    F.r2 = 1 - F.ss / np.sum((yx - np.mean(yx)) ** 2); F.aicc = aic_g
    lines.append(row4([line], '4pl', F, adeq=adeq_sh[k],
                      extra=['hill', g(Fv), g(pv), g(aic_g - aic_s), 'separate' if pv < 0.05 else 'shared']))
write('fixtures/expected/mmfit_4pl_share.tsv', lines)
print('wrote the concentration-response fixtures and expected tables')

# the 4pl curve and its 95% band for line B at x = 0 (the vehicle's limit),
# 0.03 and 30 (zn-mm-fit --curve 3: 0, then log-spaced lowest..highest)
S, y = grp18('B')
F = canon(fit4(S, y, p0=P0))
lines = ['line\tmodel\tx\ty\ty_lo\ty_hi']
for x in (0.0, 0.03, 30.0):
    yy = float(f4([x], [0], F.p)[0])
    gj = jac_cs(lambda S_, I_, q: f4(S_, I_, q), np.array([x]), np.array([0.0]), F.q)[0]
    h = F.t * math.sqrt(gj @ (F.cov * F.s2) @ gj)
    lines.append('B\t4pl\t%s\t%s\t%s\t%s' % (g(x), g(yy), g(yy - h), g(yy + h)))
write('fixtures/expected/mmfit_4pl_curve.tsv', lines)

# --share Km --adequacy (Michaelis-Menten, Km fitted as log Km in zn-mm-fit:
# the leverages do not depend on the parametrisation): the per-group tests
# of the global fit, as for 4pl --share hill above
c0, c1 = list(truth)
S0, _, y0 = groups(c0); S1, _, y1 = groups(c1)
Sm = np.array(S0 + S1); ym = np.array(y0 + y1); gm_i = np.array([0] * len(S0) + [1] * len(S1))
mmg = lambda q: np.where(gm_i == 0, q[1], q[2]) * Sm / (q[0] + Sm)
res = least_squares(lambda q: mmg(q) - ym, [1, 200, 60], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15)
q = res.x; Jm = np.empty((len(ym), 3))
for j in range(3):
    qq = q.astype(complex); h = 1e-30 * max(abs(q[j]), 1.0); qq[j] += 1j * h
    Jm[:, j] = np.imag(np.where(gm_i == 0, qq[1], qq[2]) * Sm / (qq[0] + Sm)) / h
ad = adequacy_share(Sm, ym, gm_i, q, mmg, Jm)
lines = ['construct\tlof_F\tlof_p\truns\truns_p\tnormality_K2\tnormality_p\tshapiro_W\tshapiro_p\toutliers\toutlier_points']
lines += ['\t'.join([c] + ad[k]) for k, c in enumerate((c0, c1))]
write('fixtures/expected/mmfit_share_adequacy.tsv', lines)
