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
                q = least_squares(g, p[rest], method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15).x
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
print('wrote fixtures/mm_*.znr and fixtures/expected/mmfit_*.tsv')
