/* zn-calibrate - fluorescence or ratio -> free [Zn2+], per cell, with
 * Fmin/Fmax (Rmin/Rmax) from in-situ calibration windows or constants. */
#include "zn.h"

#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-calibrate [OPTIONS] [FILE...]\n"
    "Free zinc from fluorescence (F) or a ratio (R), per cell:\n"
    "  [Zn] = Kd * (beta * (S - Smin) / (Smax - S))^(1/n)\n"
    "intensity dyes: beta = n = 1, S = F; ratiometric dyes (Grynkiewicz): beta =\n"
    "Sf2/Sb2; sensors with a Hill coefficient: n.\n"
    "\n"
    "Sensor:\n"
    "      --sensor NAME     Kd, kind, n and beta from the catalogue\n"
    "      --sensors FILE    use this catalogue instead of the built-in one\n"
    "      --list-sensors    print the catalogue and exit\n"
    "      --kd CONC         Kd with its unit (15nM, 811pM, 1uM); overrides the\n"
    "                        sensor's\n"
    "      --hill N          Hill coefficient n (default: the sensor's, else 1)\n"
    "      --beta B          Sf2/Sb2 of a ratiometric dye (default: the sensor's;\n"
    "                        for a ratio sensor without one, measured per cell as\n"
    "                        the denominator channel's min-window over max-window\n"
    "                        level when the trace has both; else 1)\n"
    "Signal and calibration:\n"
    "      --signal COL      the column S (default F; R when there is no F)\n"
    "      --max-window S:E  Smax window, seconds (default ##window=max: Zn +\n"
    "                        pyrithione)\n"
    "      --min-window S:E  Smin window, seconds (default ##window=min: TPEN)\n"
    "      --stat median|mean  statistic over a window's frames (default median)\n"
    "      --max-scatter X   largest relative scatter in a window (SD/mean, or\n"
    "                        1.4826*MAD/median) before a cell's calibration is bad\n"
    "                        (default 0.2; 'none' turns the check off)\n"
    "      --max-drift X     largest change of the least-squares line across a\n"
    "                        calibration window, as a fraction of Smax - Smin,\n"
    "                        when its slope is also beyond the noise (t test,\n"
    "                        two-sided p < 1e-4); more: the\n"
    "                        cell is not calibrated, zn_flag min_drift / max_drift\n"
    "                        (default 0.02; 'none' turns the check off)\n"
    "      --max-occupancy X values at or above Smin + X (Smax - Smin) are flagged\n"
    "                        near_max (the inverse amplifies their error; default\n"
    "                        0.9, 1 turns it off)\n"
    "      --fmin V, --fmax V, --rmin V, --rmax V\n"
    "                        constant Smin / Smax instead of a window\n"
    "Output:\n"
    "      --unit pM|nM|uM   unit of the zn_<unit> column (default nM)\n"
    "      --force           calibrate again although the meta says it was done\n";

enum { OPT_SENSOR = ZN_OPT_FIRST_OWN, OPT_SENSORS, OPT_LIST, OPT_KD, OPT_HILL, OPT_BETA, OPT_SIGNAL, OPT_MAXW,
       OPT_MINW, OPT_STAT, OPT_SCATTER, OPT_SMIN, OPT_SMAX, OPT_UNIT, OPT_FORCE, OPT_DRIFT, OPT_OCC };

typedef struct {
    zn_opt o;
    const char *sensor, *sensors, *kd_text, *signal, *maxw, *minw, *unit;
    double kd_nM, hill, beta, smin, smax, max_scatter, unit_f, max_drift, max_occ;
    int median, list, force, beta_given, beta_data; /* beta_data: measure beta per cell */
    const zn_sensor *sens;
    zn_sensors cat;
} args_t;

enum { Z_OK, Z_BELOW, Z_ABOVE, Z_BAD, Z_NOSIG, Z_BG, Z_NEAR, Z_DMIN, Z_DMAX };
static const char *const zflag[] = {"ok",  "below_min", "above_max", "bad_calibration", "no_signal",
                                    "bg",  "near_max",  "min_drift", "max_drift"};

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_cols cols;
    zn_rec rec;
    zn_wr *w;
    int c_sig, c_den; /* c_den: the ratio's denominator channel (beta from the data), or -1 */
    size_t o_zn, o_flag, o_min, o_max, o_beta;
    zn_window wmax, wmin;
    int have_max, have_min;
    zn_cellbuf cell;
    double *t, *s, *tmp, *den, *dif;
    size_t cap;
    long nbad; /* cells whose calibration failed */
} state_t;

static void check_meta(const args_t *a, zn_in *in)
{
    zn_meta_once(in->file, &in->meta, "calibration", a->force, "the trace is already calibrated", "calibrates again");
}

static void head(state_t *s)
{
    const args_t *a = s->a;
    zn_in *in = s->in;
    if (s->have_max) free(s->wmax.name);
    if (s->have_min) free(s->wmin.name);
    s->have_max = isnan(a->smax) ? zn_window_get(&in->meta, "max", a->maxw, "--max-window", &s->wmax) : 0;
    s->have_min = isnan(a->smin) ? zn_window_get(&in->meta, "min", a->minw, "--min-window", &s->wmin) : 0;
    const char *sn = in->cols[s->c_sig];
    int r = sn[0] == 'R';
    if (isnan(a->smax) && !s->have_max)
        zn_die(ZN_EXIT_DATA,
               "%s: no Smax: the meta has no ##window=max (Zn + pyrithione); give --max-window START:END or "
               "--%s VALUE",
               in->file, r ? "rmax" : "fmax");
    if (isnan(a->smin) && !s->have_min)
        zn_die(ZN_EXIT_DATA,
               "%s: no Smin: the meta has no ##window=min (TPEN); give --min-window START:END or --%s VALUE",
               in->file, r ? "rmin" : "fmin");
    if (s->c_den >= 0 && !(s->have_max && s->have_min)) {
        zn_warn("%s: beta = 1: it is measured in the max and min windows, and Smin/Smax are constants here; give "
                "--beta",
                in->file);
        s->c_den = -1;
    }
    zn_meta m = {0};
    zn_meta_copy(&m, &in->meta);
    zn_buf b = {0};
    char x[40], y[40];
    zn_fmt_double(x, a->kd_nM);
    zn_buf_addf(&b, "kd=%snM", x);
    if (a->sens) zn_buf_addf(&b, ";sensor=%s", a->sens->name);
    zn_fmt_double(x, a->hill);
    zn_fmt_double(y, a->beta);
    if (s->c_den >= 0) zn_buf_addf(&b, ";hill=%s;beta=%s(min)/%s(max);signal=%s", x, s->in->cols[s->c_den],
                                   s->in->cols[s->c_den], sn);
    else zn_buf_addf(&b, ";hill=%s;beta=%s;signal=%s", x, y, sn);
    for (int j = 0; j < 2; j++) {
        const char *nm = j ? "min" : "max";
        double c = j ? a->smin : a->smax;
        zn_window *w = j ? &s->wmin : &s->wmax;
        if (!isnan(c)) {
            zn_fmt_double(x, c);
            zn_buf_addf(&b, ";%s=%s", nm, x);
        } else {
            zn_fmt_double(x, w->start);
            zn_fmt_double(y, w->end);
            zn_buf_addf(&b, ";%s=window:%s:%s", nm, x, y);
        }
    }
    zn_buf_addf(&b, ";stat=%s", a->median ? "median" : "mean");
    if (isfinite(a->max_scatter)) {
        zn_fmt_double(x, a->max_scatter);
        zn_buf_addf(&b, ";max_scatter=%s", x);
    }
    if (isfinite(a->max_drift)) {
        zn_fmt_double(x, a->max_drift);
        zn_buf_addf(&b, ";max_drift=%s", x);
    }
    zn_fmt_double(x, a->max_occ);
    zn_buf_addf(&b, ";max_occupancy=%s", x);
    zn_meta_addf(&m, "calibration=%s", b.s);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols.cols, s->cols.n);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

static double stat(const args_t *a, const double *x, size_t k, size_t *nv)
{
    return a->median ? zn_median(x, k, nv) : zn_mean(x, k, nv);
}

/* The statistic of x over a window; NAN and a reason when it cannot serve.
 * *drift: the change across the window by a least-squares line through its
 * values (slope times the time from its first to its last value), *dt the
 * slope's t statistic (slope / its SE, df = values - 2); NAN with fewer
 * than 5 values. */
static double window_stat(state_t *s, const double *x, const zn_window *w, size_t n, const char **why,
                          double *scatter, double *drift, double *dse)
{
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (s->t[r] >= w->start && s->t[r] <= w->end) s->tmp[k++] = x[r];
    *scatter = *drift = *dse = NAN;
    if (!k) {
        *why = "no frames in the window";
        return NAN;
    }
    size_t nv;
    double v = stat(s->a, s->tmp, k, &nv);
    if (!nv) {
        *why = "no values in the window";
        return NAN;
    }
    if (nv > 1) {
        double sc = s->a->median ? zn_mad(s->tmp, k) : zn_sd(s->tmp, k);
        *scatter = v != 0 ? sc / fabs(v) : INFINITY;
        if (*scatter > s->a->max_scatter) {
            *why = "too much scatter in the window";
            return NAN;
        }
    }
    size_t m = 0; /* the values and their times */
    for (size_t r = 0; r < n; r++)
        if (s->t[r] >= w->start && s->t[r] <= w->end && !isnan(x[r])) {
            s->tmp[m] = x[r];
            s->dif[m++] = s->t[r];
        }
    if (m >= 5) {
        double mt = 0, mx = 0, stt = 0, stx = 0, sxx = 0;
        for (size_t i = 0; i < m; i++) {
            mt += s->dif[i];
            mx += s->tmp[i];
        }
        mt /= (double)m;
        mx /= (double)m;
        for (size_t i = 0; i < m; i++) {
            double dt = s->dif[i] - mt, dx = s->tmp[i] - mx;
            stt += dt * dt;
            stx += dt * dx;
            sxx += dx * dx;
        }
        double b = stx / stt, rss = sxx - b * stx;
        if (rss < 0) rss = 0;
        double se = sqrt(rss / (double)(m - 2) / stt);
        *drift = b * (s->dif[m - 1] - s->dif[0]);
        *dse = se > 0 ? b / se : (b != 0 ? copysign(INFINITY, b) : 0);
    }
    return v;
}

static void do_cell(void *arg)
{
    state_t *s = arg;
    const args_t *a = s->a;
    size_t n = s->cell.n;
    if (!n) return;
    if (n > s->cap) {
        size_t c = s->cap;
        zn_grow(&s->t, &c, n, sizeof *s->t);
        c = s->cap;
        zn_grow(&s->tmp, &c, n, sizeof *s->tmp);
        c = s->cap;
        zn_grow(&s->dif, &c, n, sizeof *s->dif);
        c = s->cap;
        zn_grow(&s->den, &c, n, sizeof *s->den);
        zn_grow(&s->s, &s->cap, n, sizeof *s->s);
    }
    int bg = strcmp(zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_role), "bg") == 0;
    for (size_t r = 0; r < n; r++) {
        s->t[r] = zn_cellbuf_num(&s->cell, s->in, r, s->tr.c_t); /* checked by zn_trace_rec */
        s->s[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_sig);
        if (s->c_den >= 0) s->den[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_den);
    }
    double smax = a->smax, smin = a->smin, scmax = NAN, scmin = NAN, dmax = NAN, dmin = NAN, emax = NAN,
           emin = NAN, beta = a->beta;
    const char *why = NULL, *which = NULL;
    int drift = 0; /* Z_DMIN or Z_DMAX */
    if (!bg) {
        if (s->have_max) {
            smax = window_stat(s, s->s, &s->wmax, n, &why, &scmax, &dmax, &emax);
            if (why) which = "max";
        }
        if (!why && s->have_min) {
            smin = window_stat(s, s->s, &s->wmin, n, &why, &scmin, &dmin, &emin);
            if (why) which = "min";
        }
        if (!why && !(smax > smin)) {
            why = "Smax is not above Smin";
            which = "";
        }
        if (!why && s->c_den >= 0) {
            /* beta = Sf2/Sb2: the denominator channel with the dye free (TPEN,
             * the min window) over bound (the max window) */
            double sc, d, e;
            const char *w2 = NULL;
            double f2 = window_stat(s, s->den, &s->wmin, n, &w2, &sc, &d, &e);
            double b2 = w2 ? NAN : window_stat(s, s->den, &s->wmax, n, &w2, &sc, &d, &e);
            beta = f2 / b2;
            if (w2 || !(beta > 0) || !isfinite(beta)) {
                why = w2 ? w2 : "beta (the denominator's min / max level) is not a positive number";
                which = "beta: denominator";
                beta = NAN;
            }
        }
        if (!why && isfinite(a->max_drift)) {
            /* a plateau that is still moving gives a wrong Smin/Smax with a
             * small scatter: a window is flagged when the line through it
             * changes by more than max_drift of the dynamic range across the
             * window and its slope is beyond the noise (two-sided p < 1e-4:
             * over the 2 windows of 100 cells a flat noisy plateau is
             * flagged in about 2 % of experiments) */
            double range = smax - smin;
            for (int j = 0; j < 2 && !drift; j++) {
                double d = j ? dmin : dmax, tt = j ? emin : emax;
                size_t nv = 0;
                const zn_window *w = j ? &s->wmin : &s->wmax;
                for (size_t r = 0; r < n; r++) nv += s->t[r] >= w->start && s->t[r] <= w->end && !isnan(s->s[r]);
                if (isnan(d) || !(fabs(d) > a->max_drift * range) ||
                    !(fabs(tt) > gsl_cdf_tdist_Qinv(0.00005, (double)(nv - 2))))
                    continue;
                drift = j ? Z_DMIN : Z_DMAX;
                if (++s->nbad <= 10)
                    zn_warn("%s: sample '%s' cell '%s': %s window still %s: by %.6g across it (%.1f%% of Smax - Smin; "
                            "slope t = %.1f; --max-drift %g): not calibrated, zn_flag %s",
                            s->in->file, zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_sample),
                            zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_cell), j ? "min" : "max",
                            d < 0 ? "falling" : "rising", d, 100 * fabs(d) / range, tt, a->max_drift, zflag[drift]);
            }
        }
        if (why) {
            char m1[40] = "", m2[40] = "";
            double sc = *which == 'm' && which[1] == 'a' ? scmax : scmin;
            /* the scatter figures only where the scatter is the reason */
            if (*which && isfinite(sc) && sc > a->max_scatter)
                snprintf(m1, sizeof m1, " (%.1f%% > %.1f%%)", 100 * sc, 100 * a->max_scatter);
            if (!*which) snprintf(m2, sizeof m2, " (%.6g <= %.6g)", smax, smin);
            if (++s->nbad <= 10)
                zn_warn("%s: sample '%s' cell '%s': bad calibration: %s%s%s%s%s", s->in->file,
                        zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_sample),
                        zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_cell), *which ? which : "",
                        *which ? " window: " : "", why, m1, m2);
        }
    }
    char mint[40], maxt[40], betat[40];
    size_t minl = isnan(smin) ? 0 : zn_fmt_double(mint, smin), maxl = isnan(smax) ? 0 : zn_fmt_double(maxt, smax);
    size_t betal = isnan(beta) || why ? 0 : zn_fmt_double(betat, beta);
    for (size_t r = 0; r < n; r++) {
        zn_rec_from_cell(&s->rec, &s->cell, r);
        int f;
        double z = NAN;
        if (bg) f = Z_BG;
        else {
            zn_rec_set(&s->rec, s->o_min, mint, minl);
            zn_rec_set(&s->rec, s->o_max, maxt, maxl);
            if (s->o_beta != (size_t)-1) zn_rec_set(&s->rec, s->o_beta, betat, betal);
            double x = s->s[r];
            if (why) f = Z_BAD;
            else if (drift) f = drift;
            else if (isnan(x)) f = Z_NOSIG;
            else if (x >= smax) f = Z_ABOVE;
            else {
                double q = beta * (x - smin) / (smax - x);
                if (x <= smin) {
                    /* below Smin: noise around a level near Smin.  Dropping these
                     * frames and averaging the rest would bias a resting level
                     * upward; the equation's value (zero or negative) keeps a
                     * mean unbiased.  With a Hill exponent the power of a
                     * negative number has no value: missing. */
                    f = Z_BELOW;
                    z = a->hill == 1 ? a->kd_nM * q / a->unit_f : NAN;
                } else {
                    z = a->kd_nM * (a->hill == 1 ? q : pow(q, 1 / a->hill)) / a->unit_f;
                    f = x - smin >= a->max_occ * (smax - smin) ? Z_NEAR : Z_OK;
                }
                if (!isfinite(z) && !(f == Z_BELOW && a->hill != 1)) {
                    z = NAN;
                    f = Z_ABOVE;
                }
            }
        }
        zn_rec_num(&s->rec, s->o_zn, z);
        zn_rec_set(&s->rec, s->o_flag, zflag[f], strlen(zflag[f]));
        zn_rec_write(s->w, &s->rec);
    }
}

static void new_segment(void *arg)
{
    state_t *s = arg;
    check_meta(s->a, s->in);
    head(s);
}

static void run(const args_t *a, zn_in *in)
{
    static state_t s; /* static: reachable if the program exits on bad data */
    s.a = a;
    s.in = in;
    check_meta(a, in);
    zn_trace_init(&s.tr, in);
    const char *sig = a->signal;
    if (!sig) sig = zn_in_col(in, "F") >= 0 ? "F" : "R";
    if (!a->signal && zn_in_col(in, sig) < 0)
        zn_die(ZN_EXIT_DATA, "%s: no column F or R to calibrate; name the signal with --signal COL", in->file);
    s.c_sig = zn_in_need(in, sig);
    if (a->sens) {
        int is_r = sig[0] == 'R';
        if (!strcmp(a->sens->kind, "intensity") && is_r)
            zn_warn("%s is an intensity sensor but the signal is %s (a ratio)", a->sens->name, sig);
        if (strcmp(a->sens->kind, "intensity") && !is_r)
            zn_warn("%s is a %s sensor but the signal is %s (make R with zn-ratio --num/--den)", a->sens->name,
                    a->sens->kind, sig);
    }
    s.c_den = -1;
    s.o_beta = (size_t)-1;
    if (a->beta_data) {
        /* beta = Sf2/Sb2 from the denominator channel zn-ratio named:
         * ##ratio=R=NUM/DEN;... or R=(NUM-a*DEN-d*ACC)/DEN;... */
        const char *rm = zn_meta_get(&in->meta, "ratio");
        char *den = NULL;
        if (rm && strncmp(rm, "R=", 2) == 0) {
            size_t k = strcspn(rm, ";");
            const char *sl = NULL;
            for (const char *p = rm; p < rm + k; p++)
                if (*p == '/') sl = p;
            if (sl) den = zn_strndup(sl + 1, (size_t)(rm + k - sl - 1));
        }
        if (!den)
            zn_warn("%s is a ratiometric dye and no --beta was given, but the trace does not say which channel "
                    "was the ratio's denominator (no ##ratio=R=NUM/DEN from zn-ratio): beta = 1; give --beta",
                    a->sens->name);
        else if ((s.c_den = zn_in_col(in, den)) < 0)
            zn_warn("%s: the ratio's denominator channel %s is not in the trace: beta = 1; give --beta", a->sens->name,
                    den);
        free(den);
    }
    zn_cols_init(&s.cols, in);
    const char *hint = " (calibrated twice?)";
    char *zn = zn_asprintf("zn_%s", a->unit);
    s.o_zn = zn_cols_add(&s.cols, zn, a->force, hint);
    free(zn);
    s.o_flag = zn_cols_add(&s.cols, "zn_flag", a->force, hint);
    int r = sig[0] == 'R';
    s.o_min = zn_cols_add(&s.cols, r ? "Rmin" : "Fmin", a->force, hint);
    s.o_max = zn_cols_add(&s.cols, r ? "Rmax" : "Fmax", a->force, hint);
    if (s.c_den >= 0) s.o_beta = zn_cols_add(&s.cols, "beta", a->force, hint);
    zn_rec_init(&s.rec, &s.cols, (size_t)-1);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    zn_trace_cells(&s.tr, &s.cell, &a->o, do_cell, new_segment, &s);
    if (s.nbad > 10)
        zn_warn("%ld cells in all had a bad calibration (zn_flag bad_calibration, min_drift or max_drift); the first "
                "10 are named above",
                s.nbad);

    zn_opt_close_out(s.w);
    if (s.have_max) free(s.wmax.name);
    if (s.have_min) free(s.wmin.name);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.cell);
    zn_cols_free(&s.cols);
    zn_trace_free(&s.tr);
    free(s.t);
    free(s.s);
    free(s.tmp);
    free(s.den);
    free(s.dif);
}

static void list_sensors(const zn_sensors *c)
{
    printf("name\tkind\tkd\thill\tbeta\ttarget\tsource\n");
    for (size_t i = 0; i < c->n; i++) {
        const zn_sensor *s = &c->s[i];
        char h[40] = "-", b[40] = "-";
        if (!isnan(s->hill)) zn_fmt_double(h, s->hill);
        if (!isnan(s->beta)) zn_fmt_double(b, s->beta);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->name, s->kind, s->kd_text, h, b, s->target ? s->target : "-",
               s->source ? s->source : "-");
    }
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.hill = a.beta = a.smin = a.smax = a.kd_nM = NAN;
    a.max_scatter = 0.2;
    a.max_drift = 0.02;
    a.max_occ = 0.9;
    a.median = 1;
    a.unit = "nM";
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"sensor", required_argument, 0, OPT_SENSOR},
                                          {"sensors", required_argument, 0, OPT_SENSORS},
                                          {"list-sensors", no_argument, 0, OPT_LIST},
                                          {"kd", required_argument, 0, OPT_KD},
                                          {"hill", required_argument, 0, OPT_HILL},
                                          {"beta", required_argument, 0, OPT_BETA},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"max-window", required_argument, 0, OPT_MAXW},
                                          {"min-window", required_argument, 0, OPT_MINW},
                                          {"stat", required_argument, 0, OPT_STAT},
                                          {"max-scatter", required_argument, 0, OPT_SCATTER},
                                          {"max-drift", required_argument, 0, OPT_DRIFT},
                                          {"max-occupancy", required_argument, 0, OPT_OCC},
                                          {"fmin", required_argument, 0, OPT_SMIN},
                                          {"rmin", required_argument, 0, OPT_SMIN},
                                          {"fmax", required_argument, 0, OPT_SMAX},
                                          {"rmax", required_argument, 0, OPT_SMAX},
                                          {"unit", required_argument, 0, OPT_UNIT},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_SENSOR: a.sensor = optarg; break;
        case OPT_SENSORS: a.sensors = optarg; break;
        case OPT_LIST: a.list = 1; break;
        case OPT_KD: a.kd_text = optarg; break;
        case OPT_HILL: a.hill = zn_opt_pos("--hill", optarg); break;
        case OPT_BETA:
            a.beta = zn_opt_pos("--beta", optarg);
            a.beta_given = 1;
            break;
        case OPT_DRIFT: a.max_drift = strcmp(optarg, "none") == 0 ? INFINITY : zn_opt_pos("--max-drift", optarg); break;
        case OPT_OCC:
            a.max_occ = zn_opt_pos("--max-occupancy", optarg);
            if (a.max_occ > 1) zn_usage_error("--max-occupancy: %s is above 1 (a fraction of Smin..Smax)", optarg);
            break;
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_MAXW: a.maxw = optarg; break;
        case OPT_MINW: a.minw = optarg; break;
        case OPT_STAT:
            if (strcmp(optarg, "median") == 0) a.median = 1;
            else if (strcmp(optarg, "mean") == 0) a.median = 0;
            else zn_usage_error("--stat: \"%s\" is not median or mean", optarg);
            break;
        case OPT_SCATTER:
            a.max_scatter = strcmp(optarg, "none") == 0 ? INFINITY : zn_opt_pos("--max-scatter", optarg);
            break;
        case OPT_SMIN: a.smin = zn_opt_num("--fmin/--rmin", optarg); break;
        case OPT_SMAX: a.smax = zn_opt_num("--fmax/--rmax", optarg); break;
        case OPT_UNIT:
            if (strcmp(optarg, "pM") && strcmp(optarg, "nM") && strcmp(optarg, "uM"))
                zn_usage_error("--unit: \"%s\" is not pM, nM or uM", optarg);
            a.unit = optarg;
            break;
        case OPT_FORCE: a.force = 1; break;
        default: zn_usage_error("unknown option");
        }
    }
    char err[1024];
    char *text = NULL;
    if (a.sensors) {
        char e2[512];
        zn_rd *rd = zn_rd_open(a.sensors, e2, sizeof e2);
        size_t len;
        if (!rd || zn_rd_slurp(rd, &text, &len) < 0) zn_die(ZN_EXIT_USAGE, "--sensors: %s", rd ? zn_rd_error(rd) : e2);
        zn_rd_close(rd);
    }
    if (zn_sensors_load(&a.cat, text, a.sensors, err, sizeof err) < 0) zn_die(ZN_EXIT_USAGE, "%s", err);
    free(text);
    if (a.list) {
        list_sensors(&a.cat);
        zn_sensors_free(&a.cat);
        zn_opt_free(&a.o);
        return 0;
    }
    if (a.sensor) {
        a.sens = zn_sensor_find(&a.cat, a.sensor);
        if (!a.sens) {
            zn_buf b = {0};
            for (size_t i = 0; i < a.cat.n; i++) zn_buf_addf(&b, "%s%s", i ? ", " : "", a.cat.s[i].name);
            zn_usage_error("--sensor: \"%s\" is not in the catalogue (%s); give --kd or --sensors FILE", a.sensor,
                           b.s ? b.s : "empty");
        }
        a.kd_nM = a.sens->kd_nM;
        if (isnan(a.hill)) a.hill = a.sens->hill;
        a.beta_data = isnan(a.beta) && isnan(a.sens->beta) && strcmp(a.sens->kind, "ratio") == 0;
        if (isnan(a.beta)) a.beta = a.sens->beta;
    }
    if (a.kd_text && zn_conc_parse(a.kd_text, &a.kd_nM, err, sizeof err) < 0) zn_usage_error("--kd: %s", err);
    if (isnan(a.kd_nM)) zn_usage_error("no Kd: give --sensor NAME (see --list-sensors) or --kd VALUE (e.g. 15nM)");
    if (isnan(a.hill)) a.hill = 1;
    if (isnan(a.beta)) a.beta = 1;
    if ((a.minw && !isnan(a.smin)) || (a.maxw && !isnan(a.smax)))
        zn_usage_error("a constant Smin/Smax and a window for the same end exclude each other");
    if (!isnan(a.smin) && !isnan(a.smax) && !(a.smax > a.smin))
        zn_usage_error("Smax (%g) must be above Smin (%g)", a.smax, a.smin);
    a.unit_f = zn_conc_unit(a.unit);
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    zn_sensors_free(&a.cat);
    zn_opt_free(&a.o);
    return 0;
}
