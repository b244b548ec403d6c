#!/usr/bin/python3
"""Write znflow's bundled example data (examples/) from a known truth.

    python3 tools/make-examples.py [OUTDIR]      (default: examples/)
    python3 tools/make-examples.py --uptake-seed N OUTDIR
                  only the uptake assays (and their truth), with their noise
                  drawn from seed N: the realizations of the coverage test
    python3 tools/make-examples.py --noise-free OUTDIR
                  only the imaging dishes (and their truth), the same cells
                  without measurement noise: what remains of an error is
                  the method's (bleaching correction, calibration windows)

Three protocols, in the formats the instruments and tools write, so that
`make demo` doubles as an end-to-end accuracy test (tests/demo.bats sets the
results beside examples/truth/):

1. FluoZin-3 imaging, Fiji Multi Measure CSV (" ,Mean1,Mean2,...", Mean1 the
   background ROI): 4 dishes x 30 cells x 300 frames every 2 s.  Baseline
   0-118 s; 100 uM ZnCl2 from 120 s (free Zn2+ rises from rest to a plateau
   with a per-cell time constant; 4 cells in 30 do not respond); 100 uM Zn +
   5 uM pyrithione from 400 s (dye saturated: Fmax, window 440-498 s); 50 uM
   TPEN from 500 s (Fmin, window 540-598 s).  Per cell:
       F = bg(t) + (Fmin + (Fmax - Fmin) * theta(t)) * exp(-t / tau_bleach) + noise
       theta = [Zn] / ([Zn] + Kd),  Kd = 15 nM (FluoZin-3)
   (tau_bleach 15000, 20000, 30000 s: 2-4 % over the 10 min, a well set-up
   widefield microscope at low exposure; and a fourth dish at 5000 s, 11 %
   over the 10 min, higher exposure), with the ionophore and TPEN phases
   reached exponentially (6 s, 8 s).
   One cell per dish (two in dish 3) rounds up during the pyrithione phase:
   its Fmax window scatters and it must fail calibration.
2. ER-targeted ZapCY1 FRET (Kd 2.53 pM), donor (CFP) and acceptor (YFP,
   under donor excitation) channels exported separately by Fiji Multi
   Measure with named ROIs (Mean(Background), Mean(Cell1), ...): 3 control
   (DMSO) and 3 NVS-ZP7-4 dishes x 12 cells x 150 frames every 10 s.
   Baseline 0-170 s; vehicle or 1 uM NVS-ZP7-4 at 180 s (ZIP7 blocked: ER
   free Zn2+ rises from rest to 2-3x rest, time constant 250 s); TPEN at
   1000 s (Rmin, window 1100-1190 s); Zn + pyrithione + digitonin at 1200 s
   (Rmax, window 1300-1490 s).  The unbleached sensor's ratio is
   R = YFP/CFP = Rmin + (Rmax - Rmin) * theta = G E / (1 - E), E its FRET
   efficiency (G = 3).  Donor and acceptor bleach independently: of the
   sensors, a fraction pd = exp(-t / tau_donor) has its donor, pa =
   exp(-t / tau_acceptor) its acceptor (tau_acceptor = 4 tau_donor, tau_donor
   6000-9000 s), and under donor excitation
       CFP ~ pd (1 - E pa),   YFP ~ G pd E pa,   so  YFP/CFP = G E pa / (1 - E pa):
   donor bleaching cancels in the ratio (both channels come from excited
   donors), acceptor bleaching does not (a sensor without its acceptor
   emits as a free donor: YFP falls, CFP rises), and the ratio drifts
   down at about k_acceptor / (1 - E).  One NVS cell detaches
   in the Rmax window and must fail calibration.
3. 65Zn uptake: PerkinElmer Tri-Carb CSV (CPMA) + layout (position -> well,
   construct, conc, time, role, standard pmol) + BCA plate (BMG CLARIOstar
   grid) + its layout: hZIP4 and empty vector, 8 Zn concentrations x 3
   wells, 4 min; 10 uL of each uptake buffer counted as a standard (the
   specific activity per concentration).  Truth: vector v = 4 * S (pmol/mg/min,
   S in uM); hZIP4 v = 4 * S + 240 * S / (3.14 + S): after the vector is
   subtracted, Km 3.14 uM and Vmax 240 pmol/mg/min = 0.24 nmol/mg/min.
   Multiplicative noise 6 % per well.
   And a 109Cd series (mZIP8-like): PerkinElmer Wizard2 gamma counter CSV
   ("Cd-109 CPM") + layout (Pos) + BCA plate (Tecan Spark list) + layout:
   mZIP8 and vector, 8 Cd concentrations x 3 wells, 5 min, one specific
   activity (2 Ci/mmol on 2026-08-03, counted 2026-11-02, counting
   efficiency 0.8).  Truth after the vector: Km 0.48 uM (Liu et al. 2007
   report 0.48 uM for Cd in oocytes), Vmax 90 pmol/mg/min (made up: their
   Vmax is per oocyte).

The noise is deterministic and the same on every machine: a Park-Miller
generator (integer arithmetic) and a normal deviate as the sum of 12
uniforms minus 6 (Irwin-Hall; sd 1, tails cut at 6).  Only the Python 3
standard library is used.  examples/truth/ holds the truth per cell / per
series; examples/manifest.tsv lists the experiments for pipelines/.
"""
import hashlib
import math
import os
import sys

ARGS = sys.argv[1:]
UPTAKE_SEED = None
IC50_SEED = None
NOISE_FREE = False
if ARGS[:1] == ['--uptake-seed']:
    UPTAKE_SEED = int(ARGS[1])
    ARGS = ARGS[2:]
elif ARGS[:1] == ['--ic50-seed']:
    IC50_SEED = int(ARGS[1])
    ARGS = ARGS[2:]
elif ARGS[:1] == ['--noise-free']:
    NOISE_FREE = True
    ARGS = ARGS[1:]
OUT = ARGS[0] if ARGS else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'examples')


class Rng:
    def __init__(self, seed):
        self.s = seed

    def u(self):
        self.s = self.s * 16807 % 2147483647
        return self.s / 2147483647

    def n(self):
        return sum(self.u() for _ in range(12)) - 6

    def e(self):
        """A measurement error (sd 1): drawn alike with --noise-free, so the
        cells are the same, but 0 then."""
        z = self.n()
        return 0.0 if NOISE_FREE else z

    def between(self, a, b):
        return a + (b - a) * self.u()


def realization_seed(stream, n):
    """The seed of realization n of one stream of draws (the coverage tests'
    --uptake-seed, --ic50-seed).  Hashed, not n times a constant: with this
    generator (Park-Miller, x <- 16807 x mod M) the state after k draws from
    seed c*n is n times that from seed c, so realizations seeded c, 2c, 3c...
    are not independent (u(2c) = frac(2 u(c))).  Over 400 realizations of the
    NVS-ZP7-4 series the dish means so seeded gave a log(ec50) bias of +0.17
    and a profile interval covering 0.932 (sd of log ec50 0.46); these hashed
    seeds +0.07 and 0.954 (sd 0.39) with the same fits: the draws, not the
    interval, were off."""
    h = hashlib.sha256(('%s:%d' % (stream, n)).encode()).digest()
    return int.from_bytes(h[:8], 'big') % 2147483646 + 1


def g(x):
    """Numbers in the truth files: up to 10 significant digits."""
    return '%.10g' % x


def write(path, text, crlf=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(text.replace('\n', '\r\n') if crlf else text)


def approach(x0, x1, t, tau):
    return x1 + (x0 - x1) * math.exp(-t / tau)


# ------------------------------------------------------------ FluoZin-3
FZ_KD = 15.0
FZ_DT, FZ_NF = 2, 300


def fluozin3():
    truth = ['dish\tcell\tfmin\tfmax\ttau_bleach_s\trest_nM\tplateau_nM\ttau_s\tresponder\tcalibrates']
    rng = Rng(20261121)
    for d in (1, 2, 3, 4):
        ncell = 30
        tau_b = (15000, 20000, 30000, 5000)[d - 1]
        bg0 = rng.between(25, 35)
        cells = []
        for c in range(1, ncell + 1):
            fmin = rng.between(60, 130)
            dr = rng.between(5, 9)
            rest = 0.25 + 0.75 * rng.u()
            responder = rng.u() > 4 / 30
            amp = rng.between(3, 15) if responder else 0.0
            tau = rng.between(40, 90)
            rounds = (c == 7) or (d == 3 and c == 22)
            cells.append(dict(fmin=fmin, fmax=fmin * dr, rest=rest, amp=amp, tau=tau, rounds=rounds,
                              responder=responder))
            # the mean true [Zn] over the frames of the plateau window 340-398 s
            plateau = sum(rest + amp * (1 - math.exp(-(t - 120) / tau)) for t in range(340, 400, FZ_DT)) / 30
            truth.append('dish%d\t%d\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d' % (
                d, c + 1, g(fmin), g(fmin * dr), tau_b, g(rest), g(plateau), g(tau), responder, not rounds))
        lines = [' ,' + ','.join('Mean%d' % (k + 1) for k in range(ncell + 1))]
        theta = [0.0] * ncell
        for k in range(FZ_NF):
            t = k * FZ_DT
            bg = bg0 + 0.004 * t + 1.0 * rng.e()
            row = ['%d' % (k + 1), '%.3f' % bg]
            for i, c in enumerate(cells):
                if t < 400:
                    zn = c['rest'] + (c['amp'] * (1 - math.exp(-(t - 120) / c['tau'])) if t >= 120 else 0)
                    th = zn / (zn + FZ_KD)
                    th400 = th
                    c['th400'] = th400
                elif t < 500:
                    th = approach(c['th400'], 1.0, t - 400, 6.0)
                    c['th500'] = th
                else:
                    th = approach(c['th500'], 0.0, t - 500, 8.0)
                theta[i] = th
                dye = (c['fmin'] + (c['fmax'] - c['fmin']) * th) * math.exp(-t / tau_b)
                if c['rounds'] and 420 <= t < 500:
                    dye *= 0.35 + 0.65 * rng.u()       # the cell rounds up and drifts out of focus
                f = bg0 + 0.004 * t + dye + math.sqrt(0.2 * dye + 1) * rng.e()
                row.append('%.3f' % f)
            lines.append(','.join(row))
        write(os.path.join(OUT, 'fluozin3', 'dish%d.csv' % d), '\n'.join(lines) + '\n')
    write(os.path.join(OUT, 'truth', 'fluozin3_cells.tsv'), '\n'.join(truth) + '\n')


# ------------------------------------------------------------ ER ZapCY1 FRET
ER_KD = 2.53       # pM
ER_DT, ER_NF = 10, 150
ER_G = 3.0         # YFP/CFP detection: R = G E / (1 - E) for FRET efficiency E
ER_ACC = 4.0       # the acceptor bleaches 4 times slower than the donor


def er_frames(rng, cells, tau_b):
    """One dish's donor and acceptor exports (lists of CSV lines): the cells'
    [Zn] over the protocol (inhibitor or vehicle at 180 s, TPEN at 1000 s,
    Zn + pyrithione + digitonin at 1200 s), bleaching and noise."""
    ncell = len(cells)
    names = ['Background'] + ['Cell%d' % c for c in range(1, ncell + 1)]
    head = ' ,' + ','.join('Mean(%s)' % n for n in names)
    cfp, yfp = [head], [head]
    for k in range(ER_NF):
        t = k * ER_DT
        bgc, bgy = 95 + 2 * rng.e(), 70 + 2 * rng.e()
        rc, ry = ['%d' % (k + 1), '%.3f' % bgc], ['%d' % (k + 1), '%.3f' % bgy]
        for c in cells:
            if t < 1000:
                zn = c['rest'] * (1 + (c['fold'] - 1) * (1 - math.exp(-(t - 180) / 250)) if t >= 180 else 1)
                th = zn / (zn + ER_KD)
                c['th1000'] = th
            elif t < 1200:
                th = approach(c['th1000'], 0.0, t - 1000, 20.0)
                c['th1200'] = th
            else:
                th = approach(c['th1200'], 1.0, t - 1200, 25.0)
            r = c['rmin'] + (c['rmax'] - c['rmin']) * th       # the ratio of an unbleached sensor
            e = r / (ER_G + r)                                   # its FRET efficiency: r = G e / (1 - e)
            e0 = c['rmin'] / (ER_G + c['rmin'])
            pd, pa = math.exp(-t / tau_b), math.exp(-t / (ER_ACC * tau_b))   # intact donors, acceptors
            d_ = c['don'] * pd * (1 - e * pa) / (1 - e0)
            a_ = c['don'] * pd * ER_G * e * pa / (1 - e0)
            if c['detaches'] and t >= 1330:
                lost = 0.1 + 0.6 * rng.u()
                d_ *= lost
                a_ *= lost * (0.6 + 0.8 * rng.u())
            rc.append('%.3f' % (95 + d_ + math.sqrt(0.1 * d_ + 4) * rng.e()))
            ry.append('%.3f' % (70 + a_ + math.sqrt(0.1 * a_ + 4) * rng.e()))
        cfp.append(','.join(rc))
        yfp.append(','.join(ry))
    return cfp, yfp


def er_fret():
    truth = ['dish\tcondition\tcell\trmin\trmax\trest_pM\tfinal_pM\tcalibrates\ttau_donor_s\ttau_acceptor_s']
    rng = Rng(7351)
    for cond, tag in (('control', 'ctrl'), ('NVS-ZP7-4', 'nvs')):
        for d in (1, 2, 3):
            ncell = 12
            tau_b = rng.between(6000, 9000)
            cells = []
            for c in range(1, ncell + 1):
                rmin = rng.between(1.5, 1.8)
                rmax = rmin * rng.between(1.8, 2.2)
                rest = 0.9 * math.exp(0.3 * rng.n())
                fold = rng.between(2.0, 3.0) if cond != 'control' else 1.0
                don = rng.between(350, 900)
                detaches = cond != 'control' and d == 2 and c == 5
                cells.append(dict(rmin=rmin, rmax=rmax, rest=rest, fold=fold, don=don, detaches=detaches))
                # the mean true [Zn] over the frames of the final window 900-990 s
                final = sum(rest * (1 + (fold - 1) * (1 - math.exp(-(t - 180) / 250))) for t in range(900, 1000, ER_DT)) / 10
                truth.append('%s%d\t%s\tCell%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s' % (
                    tag, d, cond, c, g(rmin), g(rmax), g(rest), g(final), not detaches, g(tau_b), g(ER_ACC * tau_b)))
            cfp, yfp = er_frames(rng, cells, tau_b)
            write(os.path.join(OUT, 'er-fret', '%s%d_CFP.csv' % (tag, d)), '\n'.join(cfp) + '\n')
            write(os.path.join(OUT, 'er-fret', '%s%d_YFP.csv' % (tag, d)), '\n'.join(yfp) + '\n')
    write(os.path.join(OUT, 'truth', 'er_cells.tsv'), '\n'.join(truth) + '\n')


# ------------------------------------------------------------ NVS-ZP7-4 concentration series
IC_CONCS = [0, 0.01, 0.03, 0.1, 0.3, 1, 3]    # uM NVS-ZP7-4; 0 = vehicle (DMSO)
IC_DISHES = 3                                  # dishes per concentration: the replicates
IC_EC50, IC_HILL = 0.15, 1.3                   # uM; the inhibitor raises ER zinc (hill > 0)
IC_REST, IC_CELL_SD, IC_DISH_SD = 0.9, 0.3, 0.08
IC_RISE = 1.5                                  # fold - 1 at saturating inhibitor (2.5-fold)
IC_CELLS = 12


def ic_name(conc, d):
    return 'veh-%d' % d if conc == 0 else 'nvs%s-%d' % (g(conc), d)


def irwin_hall_mgf(s):
    """E exp(s Z) for Z = the sum of 12 uniforms - 6 (Rng.n): (2 sinh(s/2) / s)^12."""
    return (2 * math.sinh(s / 2) / s) ** 12


def er_ic50():
    """ER-ZapCY1 dishes as in er_fret(), at IC_CONCS of NVS-ZP7-4 added at
    180 s; IC_DISHES dishes each.  A dish's cells share a dish factor
    exp(IC_DISH_SD z) on their resting zinc (loading, passage: what makes
    dishes, not cells, the replicates); a cell's [Zn] rises to
    rest (1 + IC_RISE s(c) (1 + 0.1 z)), s(c) = c^h / (c^h + EC50^h).  The
    expected dish mean of the final-window [Zn] is then exactly a 4pl in c
    with ec50 = IC_EC50 and hill = IC_HILL; bottom and top are that
    expectation at c = 0 and c -> infinity."""
    seed = 90547 if IC50_SEED is None else realization_seed('ic50', IC50_SEED)
    rng = Rng(seed)
    gbar = sum(1 - math.exp(-(t - 180) / 250) for t in range(900, 1000, ER_DT)) / 10
    truth = ['dish\tconc_uM\tcell\trmin\trmax\trest_pM\tfinal_pM\tcalibrates\ttau_donor_s\ttau_acceptor_s']
    rows = []
    for conc in IC_CONCS:
        s = conc ** IC_HILL / (conc ** IC_HILL + IC_EC50 ** IC_HILL)
        for d in range(1, IC_DISHES + 1):
            name = ic_name(conc, d)
            tau_b = rng.between(6000, 9000)
            dish = math.exp(IC_DISH_SD * rng.n())
            cells = []
            for c in range(1, IC_CELLS + 1):
                rmin = rng.between(1.5, 1.8)
                rmax = rmin * rng.between(1.8, 2.2)
                rest = IC_REST * dish * math.exp(IC_CELL_SD * rng.n())
                fold = 1 + IC_RISE * s * (1 + 0.1 * rng.n())
                don = rng.between(350, 900)
                cells.append(dict(rmin=rmin, rmax=rmax, rest=rest, fold=fold, don=don, detaches=False))
                final = sum(rest * (1 + (fold - 1) * (1 - math.exp(-(t - 180) / 250))) for t in range(900, 1000, ER_DT)) / 10
                truth.append('%s\t%s\tCell%d\t%s\t%s\t%s\t%s\t1\t%s\t%s' % (
                    name, g(conc), c, g(rmin), g(rmax), g(rest), g(final), g(tau_b), g(ER_ACC * tau_b)))
            cfp, yfp = er_frames(rng, cells, tau_b)
            write(os.path.join(OUT, 'er-ic50', '%s_CFP.csv' % name), '\n'.join(cfp) + '\n')
            write(os.path.join(OUT, 'er-ic50', '%s_YFP.csv' % name), '\n'.join(yfp) + '\n')
            rows.append('%s\ter-ic50\t%s\t%s_CFP.csv,%s_YFP.csv\tconc=%s' % (
                name, 'vehicle' if conc == 0 else 'NVS-ZP7-4 %s uM' % g(conc), name, name, g(conc)))
    write(os.path.join(OUT, 'truth', 'er_ic50_cells.tsv'), '\n'.join(truth) + '\n')
    bottom = IC_REST * irwin_hall_mgf(IC_CELL_SD) * irwin_hall_mgf(IC_DISH_SD)
    top = bottom * (1 + IC_RISE * gbar)
    write(os.path.join(OUT, 'truth', 'er_ic50.tsv'), '\n'.join([
        'parameter\tvalue\tunit\tmeaning',
        'ec50\t%s\tuM\tNVS-ZP7-4 concentration of the half-maximal rise of the dish mean' % g(IC_EC50),
        'hill\t%s\t\tslope (> 0: the response rises)' % g(IC_HILL),
        'bottom\t%s\tpM\texpected dish mean of mean_final with vehicle' % g(bottom),
        'top\t%s\tpM\texpected dish mean of mean_final at saturating inhibitor' % g(top)]) + '\n')
    write(os.path.join(OUT, 'er-ic50', 'manifest.tsv'),
          '\n'.join(['experiment\tprotocol\tcondition\tinputs\toptions'] + rows) + '\n')



# ------------------------------------------------------------ uptake
BCA_STD = [0, 25, 125, 250, 500, 750, 1000, 1500, 2000]   # ug/mL, Pierce series
LYSATE_UL = 250.0


def bca_abs(c):
    return 0.095 + 1.16e-3 * c - 1.6e-7 * c * c


def sample_wells(rng, constructs, concs):
    """Uptake wells A1.. (3 per concentration and construct), each lysed at
    a random protein concentration (ug/mL); the vials in counting order."""
    vials, lysate = [], {}
    wells = iter('%s%d' % (r, c) for r in 'ABCDEF' for c in range(1, 9))
    for construct in constructs:
        for s in concs:
            for rep in range(3):
                w = next(wells)
                lysate[w] = rng.between(400, 900)
                vials.append(dict(well=w, construct=construct, conc=s, role='sample', mg=lysate[w] * LYSATE_UL * 1e-6))
    return vials, lysate


def bca_plate(rng, lysate):
    """The BCA absorbances: the lysates at their wells, the Pierce standards
    in duplicate in rows G and H; and the plate's layout lines."""
    plate = {w: bca_abs(c) + 0.004 * rng.n() for w, c in lysate.items()}
    layout = ['well,role,std_ug_ml'] + ['%s,sample,' % w for w in lysate]
    for j, c in enumerate(BCA_STD):
        for row in 'GH':
            plate['%s%d' % (row, j + 1)] = bca_abs(c) + 0.004 * rng.n()
            layout.append('%s%d,%s,%s' % (row, j + 1, 'blank' if c == 0 else 'standard', c))
    return plate, layout


def uptake_zn(truth):
    rng = Rng(314 if UPTAKE_SEED is None else realization_seed('uptake-zn', UPTAKE_SEED))
    concs = [0.5, 1, 2, 3, 5, 10, 20, 40]
    km, vmax, lin = 3.14, 240.0, 4.0
    time_min, tracer_cpm, blank_cpm = 4.0, 20000.0, 42.0
    vials, lysate = sample_wells(rng, ('hZIP4', 'vector'), concs)
    for s in concs:
        for rep in range(2):
            vials.append(dict(well='', construct='-', conc=s, role='standard', std=s * 10))
    for rep in range(2):
        vials.append(dict(well='', construct='-', conc='', role='blank'))
    rows = []
    for i, v in enumerate(vials):
        if v['role'] == 'blank':
            cpm = blank_cpm + 3 * rng.n()
        elif v['role'] == 'standard':
            cpm = tracer_cpm * (1 + 0.01 * rng.n()) + blank_cpm
        else:
            s = v['conc']
            rate = lin * s + (vmax * s / (km + s) if v['construct'] == 'hZIP4' else 0)
            cpm = rate * v['mg'] * time_min * (1 + 0.06 * rng.n()) * tracer_cpm / (s * 10) + blank_cpm
        v['pos'] = i + 1
        rows.append('%d,1.00,%.2f,%.1f,%.2f,' % (i + 1, cpm, cpm / 0.95, 300 + 2 * rng.n()))
    d = os.path.join(OUT, 'uptake-65zn')
    write(os.path.join(d, 'zn_tricarb.csv'), '\n'.join(
        ['Assay Definition', '', 'Count Time (min): 1.00', '', 'Nuclide: Zn-65', '',
         'S#,Count Time,CPMA,DPM1,tSIE,MESSAGES'] + rows) + '\n', crlf=True)
    lay = ['position,well,construct,conc_uM,time_min,role,std_pmol']
    for v in vials:
        lay.append('%d,%s,%s,%s,%s,%s,%s' % (v['pos'], v['well'], v['construct'], g(v['conc']) if v['conc'] != '' else '',
                                             g(time_min) if v['role'] == 'sample' else '', v['role'],
                                             g(v['std']) if v['role'] == 'standard' else ''))
    write(os.path.join(d, 'zn_layout.csv'), '\n'.join(lay) + '\n')
    grid, bl = bca_plate(rng, lysate)
    lines = ['User: core,Path: C:\\Data\\BCA,Test run no.: 31', 'Test name: BCA 562,Date: 11/2/2026,Time: 2:41:07 PM',
             '', 'ID1: hZIP4 65Zn uptake,ID2: Plate 1,', 'Absorbance', '', 'Raw Data (562)', '',
             ',' + ','.join(str(i) for i in range(1, 13)) + ',']
    for row in 'ABCDEFGH':
        lines.append(row + ',' + ','.join('%.3f' % grid['%s%d' % (row, c)] if '%s%d' % (row, c) in grid else ''
                                          for c in range(1, 13)))
    write(os.path.join(d, 'zn_bca.csv'), '\n'.join(lines) + '\n', crlf=True)
    write(os.path.join(d, 'zn_bca_layout.csv'), '\n'.join(bl) + '\n')
    truth += ['zn\thZIP4\tZn\tKm\t%s\tuM' % g(km), 'zn\thZIP4\tZn\tVmax\t%s\tpmol/mg/min' % g(vmax),
              'zn\tvector\tZn\tslope\t%s\tpmol/mg/min/uM' % g(lin)]


def uptake_cd(truth):
    rng = Rng(482 if UPTAKE_SEED is None else realization_seed('uptake-cd', UPTAKE_SEED))
    concs = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8]
    km, vmax, lin = 0.48, 90.0, 2.0
    time_min, blank_cpm, eff = 5.0, 35.0, 0.8
    sa_ref = 2 * 2220.0                                   # 2 Ci/mmol = 4440 dpm/pmol on the reference day
    days = 91.0                                           # 2026-08-03 -> 2026-11-02
    sa_now = sa_ref * 2 ** (-days / 461.4)
    vials, lysate = sample_wells(rng, ('mZIP8', 'vector'), concs)
    for rep in range(3):
        vials.append(dict(well='', construct='-', conc='', role='blank'))
    lines = ['Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,Time,'
             'Sample code,Cd-109 Counts,Cd-109 CPM,Cd-109 Error %,Cd-109 Info']
    for i, v in enumerate(vials):
        if v['role'] == 'blank':
            cpm = blank_cpm + 3 * rng.n()
        else:
            s = v['conc']
            rate = lin * s + (vmax * s / (km + s) if v['construct'] == 'mZIP8' else 0)
            cpm = rate * v['mg'] * time_min * (1 + 0.06 * rng.n()) * sa_now * eff + blank_cpm
        counts = round(cpm)          # 60 s counts
        minute = 10 + i // 60
        sec = i % 60
        v['rack'], v['pos'] = 1 + i // 10, 1 + i % 10        # racks of 10 tubes
        lines.append('12,Cd109 uptake,2026-11-02 %02d:%02d:00,0,214,%d,%d,%d,60.00,,%d,%.2f,%.2f,' % (
            minute, sec, v['rack'], 1 + i % 5, v['pos'], counts, cpm, 100 / math.sqrt(max(counts, 1))))
    d = os.path.join(OUT, 'uptake-65zn')
    write(os.path.join(d, 'cd_wizard.csv'), '\n'.join(lines) + '\n', crlf=True)
    lay = ['position,well,construct,conc_uM,time_min,role']
    for v in vials:
        lay.append('%d:%d,%s,%s,%s,%s,%s' % (v['rack'], v['pos'], v['well'], v['construct'], g(v['conc']) if v['conc'] != '' else '',
                                          g(time_min) if v['role'] == 'sample' else '', v['role']))
    write(os.path.join(d, 'cd_layout.csv'), '\n'.join(lay) + '\n')
    plate, bl = bca_plate(rng, lysate)
    out = ['\ufeffApplication: SparkControl,,,,V3.1', 'Mode,Absorbance,,', 'Name,BCA 562,,', '<>,Value,Time [ms]']
    for row in 'ABCDEFGH':
        for col in range(1, 13):
            w = '%s%d' % (row, col)
            if w in plate:
                out.append('%s,%.4f,%d' % (w, plate[w], 1200 + 35 * len(out)))
    write(os.path.join(d, 'cd_bca.csv'), '\n'.join(out) + '\n', crlf=True)
    write(os.path.join(d, 'cd_bca_layout.csv'), '\n'.join(bl) + '\n')
    truth += ['cd\tmZIP8\tCd\tKm\t%s\tuM' % g(km), 'cd\tmZIP8\tCd\tVmax\t%s\tpmol/mg/min' % g(vmax),
              'cd\tvector\tCd\tslope\t%s\tpmol/mg/min/uM' % g(lin)]


def manifest():
    rows = ['experiment\tprotocol\tcondition\tinputs\toptions']
    for d in (1, 2, 3, 4):
        rows.append('dish%d\tfluozin3\tZnCl2 100 uM\tfluozin3/dish%d.csv\t' % (d, d))
    for cond, tag in (('control', 'ctrl'), ('NVS-ZP7-4', 'nvs')):
        for d in (1, 2, 3):
            rows.append('%s%d\ter-fret-zip7\t%s\ter-fret/%s%d_CFP.csv,er-fret/%s%d_YFP.csv\t' % (tag, d, cond, tag, d, tag, d))
    rows.append('zn\tuptake-65zn\tZn\tuptake-65zn/zn_tricarb.csv,uptake-65zn/zn_layout.csv,'
                'uptake-65zn/zn_bca.csv,uptake-65zn/zn_bca_layout.csv\t--sa-by conc_uM --protein-curve quadratic --lysate-volume 250')
    rows.append('cd\tuptake-65zn\tCd\tuptake-65zn/cd_wizard.csv,uptake-65zn/cd_layout.csv,'
                'uptake-65zn/cd_bca.csv,uptake-65zn/cd_bca_layout.csv\t--efficiency 0.8 '
                '--specific-activity 2Ci/mmol --isotope Cd-109 --reference-date 2026-08-03 --protein-curve quadratic --lysate-volume 250')
    write(os.path.join(OUT, 'manifest.tsv'), '\n'.join(rows) + '\n')


if __name__ == '__main__':
    if IC50_SEED is not None:
        er_ic50()
        sys.exit(0)
    if UPTAKE_SEED is None:
        fluozin3()
        er_fret()
    if NOISE_FREE:
        manifest()
        sys.exit(0)
    truth = ['experiment\tconstruct\tmetal\tparameter\tvalue\tunit']
    uptake_zn(truth)
    uptake_cd(truth)
    write(os.path.join(OUT, 'truth', 'uptake.tsv'), '\n'.join(truth) + '\n')
    manifest()
    if UPTAKE_SEED is None:
        er_ic50()
