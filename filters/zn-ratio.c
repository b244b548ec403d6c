/* zn-ratio - channel ratios (FRET acceptor/donor, 340/380), normalisation to
 * a baseline window (R/R0, F/F0, dF/F0), FRET cross-talk and photobleaching
 * correction; streams with memory for one cell. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-ratio [OPTIONS] [FILE...]\n"
    "Ratio and baseline normalisation of fluorescence traces, per cell.\n"
    "\n"
    "Ratio (two channels):\n"
    "      --num COL         numerator channel (FRET: acceptor under donor\n"
    "                        excitation, e.g. F_YFP; dyes: F_340)\n"
    "      --den COL         denominator channel (FRET: donor, F_CFP; dyes: F_380)\n"
    "                        -> R = num / den, R0 = mean R in the baseline window,\n"
    "                        R_R0 = R / R0\n"
    "      --donor-bleed A   FRET cross-talk: donor bleed-through into the FRET\n"
    "                        channel; Fc = num - A*den - D*acceptor, R = Fc / den\n"
    "      --acceptor-direct D  acceptor directly excited at the donor wavelength,\n"
    "                        measured in the channel --acceptor COL\n"
    "      --acceptor COL    the acceptor channel under acceptor excitation\n"
    "Single channel (without --num/--den):\n"
    "      --signal COL      the channel (default F) -> F0 = mean in the baseline\n"
    "                        window, F_F0 = F / F0, dF_F0 = (F - F0) / F0\n"
    "Both:\n"
    "      --baseline S:E    the baseline window in seconds of t (default: the\n"
    "                        ##window=baseline of the meta)\n"
    "      --no-baseline     ratio only, no normalisation\n"
    "      --bleach exp      fit S(t) = a*exp(-k*(t - t0)) to the baseline window of\n"
    "                        each cell (S = R, or the single channel; t0 = start of\n"
    "                        the window) and divide it out: S' = S*exp(k*(t - t0));\n"
    "                        k is written in column bleach_k (1/s)\n"
    "      --force           compute again although the meta says it was done\n";

enum { OPT_NUM = ZN_OPT_FIRST_OWN, OPT_DEN, OPT_SIGNAL, OPT_BASELINE, OPT_NO_BASELINE, OPT_DBLEED, OPT_ADIRECT,
       OPT_ACCEPTOR, OPT_BLEACH, OPT_FORCE };

typedef struct {
    zn_opt o;
    const char *num, *den, *signal, *baseline, *acceptor;
    double dbleed, adirect;
    int has_xtalk, no_baseline, bleach, force;
} args_t;

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_cols cols;
    zn_rec rec;
    zn_wr *w;
    int c_num, c_den, c_acc, c_sig;
    size_t o_fc, o_r, o_s0, o_norm, o_dnorm, o_k, o_flag; /* (size_t)-1: not written */
    zn_window win;
    int have_win;
    zn_cellbuf cell;
    double *t, *s, *fc, *bx, *by; /* per record of the cell */
    unsigned *fl;
    size_t cap;
    long nnobase; /* cells without a baseline value (flagged, named on stderr up to 10) */
} state_t;

enum { F_DEN_ZERO = 1, F_MISSING = 2, F_BLEACH_FAILED = 4, F_BASE_NONPOS = 8, F_OVERFLOW = 16, F_NO_BASE = 32 };

static void expdecay(const double *xp, const double *p, double *y, double *dy, void *arg)
{
    (void)arg;
    double x = *xp;
    double e = exp(-p[1] * x);
    *y = p[0] * e;
    if (dy) {
        dy[0] = e;
        dy[1] = -p[0] * x * e;
    }
}

/* the meta of a segment must not say this was done already */
static void check_meta(const args_t *a, zn_in *in)
{
    /* ##bleach= only ever comes with ##ratio=, so this covers both */
    zn_meta_once(in->file, &in->meta, "ratio", a->force, "zn-ratio was already applied", "computes it again");
    /* zn-bleach (one rate per dish) runs before zn-ratio */
    if (a->bleach)
        zn_meta_once(in->file, &in->meta, "bleach", a->force, "photobleaching was already corrected",
                     "corrects it again");
}

static void head(state_t *s)
{
    const args_t *a = s->a;
    zn_meta m = {0};
    zn_meta_copy(&m, &s->in->meta);
    s->have_win = 0;
    if (!a->no_baseline) s->have_win = zn_window_get(&s->in->meta, "baseline", a->baseline, "--baseline", &s->win);
    if (!a->no_baseline && !s->have_win)
        zn_die(ZN_EXIT_DATA,
               "%s: no baseline window: the meta has no ##window=baseline; give --baseline START:END (seconds) "
               "or --no-baseline",
               s->in->file);
    zn_buf b = {0};
    if (a->num) {
        char d1[40], d2[40];
        zn_fmt_double(d1, a->dbleed);
        zn_fmt_double(d2, a->adirect);
        if (a->has_xtalk)
            zn_buf_addf(&b, "R=(%s-%s*%s-%s*%s)/%s", a->num, d1, a->den, d2, a->acceptor ? a->acceptor : "0",
                        a->den);
        else
            zn_buf_addf(&b, "R=%s/%s", a->num, a->den);
    } else
        zn_buf_addf(&b, "F_F0=%s/F0", a->signal);
    if (s->have_win) {
        char w1[40], w2[40];
        zn_fmt_double(w1, s->win.start);
        zn_fmt_double(w2, s->win.end);
        zn_buf_addf(&b, ";baseline=%s:%s", w1, w2);
    }
    zn_meta_addf(&m, "ratio=%s", b.s);
    if (a->bleach) zn_meta_addf(&m, "bleach=exp:%s", a->num ? "R" : a->signal);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols.cols, s->cols.n);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
    if (s->have_win) free(s->win.name);
}

static const char *cell_name(state_t *s)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "sample '%s' cell '%s'", zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_sample),
             zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_cell));
    return buf;
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
        zn_grow(&s->s, &c, n, sizeof *s->s);
        c = s->cap;
        zn_grow(&s->fc, &c, n, sizeof *s->fc);
        c = s->cap;
        zn_grow(&s->bx, &c, n, sizeof *s->bx);
        c = s->cap;
        zn_grow(&s->by, &c, n, sizeof *s->by);
        zn_grow(&s->fl, &s->cap, n, sizeof *s->fl);
    }
    int bg = strcmp(zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_role), "bg") == 0;
    for (size_t r = 0; r < n; r++) {
        s->fl[r] = 0;
        s->fc[r] = NAN;
        s->t[r] = zn_cellbuf_num(&s->cell, s->in, r, s->tr.c_t); /* checked by zn_trace_rec */
        if (a->num) {
            double x = zn_cellbuf_num(&s->cell, s->in, r, s->c_num), y = zn_cellbuf_num(&s->cell, s->in, r, s->c_den);
            double acc = s->c_acc >= 0 ? zn_cellbuf_num(&s->cell, s->in, r, s->c_acc) : 0;
            if (isnan(x) || isnan(y) || isnan(acc)) {
                s->s[r] = NAN;
                s->fl[r] |= F_MISSING;
                continue;
            }
            if (a->has_xtalk) {
                x = x - a->dbleed * y - a->adirect * acc;
                s->fc[r] = x;
            }
            if (y == 0) {
                s->s[r] = NAN;
                s->fl[r] |= F_DEN_ZERO;
                continue;
            }
            s->s[r] = x / y;
            if (!isfinite(s->s[r])) { /* 1e300 / 1e-300: no number to write */
                s->s[r] = NAN;
                s->fl[r] |= F_OVERFLOW;
            }
        } else {
            s->s[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_sig);
            if (isnan(s->s[r])) s->fl[r] |= F_MISSING;
        }
    }
    double k = NAN, s0 = NAN;
    if (!bg && s->have_win) {
        /* the baseline frames */
        size_t nb = 0, nv = 0;
        double *bx = s->bx, *by = s->by;
        for (size_t r = 0; r < n; r++)
            if (s->t[r] >= s->win.start && s->t[r] <= s->win.end) {
                nb++;
                if (!isnan(s->s[r])) {
                    bx[nv] = s->t[r] - s->win.start;
                    by[nv++] = s->s[r];
                }
            }
        if (!nv) {
            /* this cell cannot be normalised (no frames in the window, or every
             * ratio missing: a zero denominator, a missing channel); the other
             * cells can: flag it and go on */
            for (size_t r = 0; r < n; r++) s->fl[r] |= F_NO_BASE;
            if (++s->nnobase <= 10) {
                if (!nb)
                    zn_warn("%s: %s has no frames in the baseline window %.17g:%.17g s (its frames run from %.17g "
                            "to %.17g s); not normalised, flagged no_baseline",
                            s->in->file, cell_name(s), s->win.start, s->win.end, s->t[0], s->t[n - 1]);
                else
                    zn_warn("%s: %s has no values in the baseline window %.17g:%.17g s (all %zu missing or a zero "
                            "denominator); not normalised, flagged no_baseline",
                            s->in->file, cell_name(s), s->win.start, s->win.end, nb);
            }
        } else if (a->bleach) {
            /* start: log-linear regression when all values are positive */
            double p0[2] = {zn_mean(by, nv, NULL), 0};
            int pos = 1;
            for (size_t i = 0; i < nv; i++) pos &= by[i] > 0;
            if (pos && nv >= 2) {
                double sx = 0, sy = 0, sxx = 0, sxy = 0;
                for (size_t i = 0; i < nv; i++) {
                    double ly = log(by[i]);
                    sx += bx[i];
                    sy += ly;
                    sxx += bx[i] * bx[i];
                    sxy += bx[i] * ly;
                }
                double den = (double)nv * sxx - sx * sx;
                if (den > 0) {
                    double b1 = ((double)nv * sxy - sx * sy) / den;
                    p0[0] = exp((sy - b1 * sx) / (double)nv);
                    p0[1] = -b1;
                }
            }
            zn_fitres fr;
            if (nv >= 3 && zn_fit_nls(expdecay, NULL, bx, 1, by, NULL, nv, 2, p0, 0, &fr) == 0) {
                k = fr.p[1];
                for (size_t r = 0; r < n; r++)
                    if (!isnan(s->s[r])) {
                        s->s[r] *= exp(k * (s->t[r] - s->win.start));
                        if (!isfinite(s->s[r])) {
                            s->s[r] = NAN;
                            s->fl[r] |= F_OVERFLOW;
                        }
                    }
                for (size_t i = 0; i < nv; i++) by[i] *= exp(k * bx[i]);
            } else {
                for (size_t r = 0; r < n; r++) s->fl[r] |= F_BLEACH_FAILED;
                zn_warn("%s: %s: no photobleaching fit (%s); left uncorrected, flagged bleach_fit_failed",
                        s->in->file, cell_name(s), nv < 3 ? "fewer than 3 baseline values" : fr.why);
            }
        }
        if (nv) {
            s0 = zn_mean(by, nv, NULL);
            if (!isfinite(s0)) s0 = NAN; /* a sum past the range of a double */
            if (!(s0 > 0))
                for (size_t r = 0; r < n; r++) s->fl[r] |= isnan(s0) ? F_OVERFLOW : F_BASE_NONPOS;
        }
    }
    char s0t[40];
    size_t s0l = isnan(s0) ? 0 : zn_fmt_double(s0t, s0);
    for (size_t r = 0; r < n; r++) {
        zn_rec_from_cell(&s->rec, &s->cell, r);
        if (!bg) {
            if (s->o_fc != (size_t)-1) zn_rec_num(&s->rec, s->o_fc, s->fc[r]);
            if (a->num) zn_rec_num(&s->rec, s->o_r, s->s[r]);
            else if (a->bleach) zn_rec_num(&s->rec, (size_t)s->c_sig, s->s[r]);
            if (s->have_win) {
                zn_rec_set(&s->rec, s->o_s0, s0t, s0l);
                if (s0 > 0) {
                    double q = s->s[r] / s0, dq = (s->s[r] - s0) / s0;
                    if (!isfinite(q) || !isfinite(dq)) { /* 1e300 over a baseline of 1e-300 */
                        q = dq = NAN;
                        if (!isnan(s->s[r])) s->fl[r] |= F_OVERFLOW;
                    }
                    zn_rec_num(&s->rec, s->o_norm, q);
                    if (s->o_dnorm != (size_t)-1) zn_rec_num(&s->rec, s->o_dnorm, dq);
                }
            }
            if (a->bleach) zn_rec_num(&s->rec, s->o_k, k);
            unsigned f = s->fl[r];
            if (f & F_MISSING) zn_rec_flag(&s->rec, "missing_channel");
            if (f & F_DEN_ZERO) zn_rec_flag(&s->rec, "den_zero");
            if (f & F_BLEACH_FAILED) zn_rec_flag(&s->rec, "bleach_fit_failed");
            if (f & F_BASE_NONPOS) zn_rec_flag(&s->rec, "baseline_not_positive");
            if (f & F_NO_BASE) zn_rec_flag(&s->rec, "no_baseline");
            if (f & F_OVERFLOW) zn_rec_flag(&s->rec, "overflow");
        }
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
    zn_cols_init(&s.cols, in);
    s.c_num = s.c_den = s.c_acc = s.c_sig = -1;
    s.o_fc = s.o_dnorm = s.o_k = (size_t)-1;
    const char *hint = " (zn-ratio applied twice?)";
    if (a->num) {
        s.c_num = zn_in_need(in, a->num);
        s.c_den = zn_in_need(in, a->den);
        if (a->acceptor) s.c_acc = zn_in_need(in, a->acceptor);
        if (a->has_xtalk) s.o_fc = zn_cols_add(&s.cols, "Fc", a->force, hint);
        s.o_r = zn_cols_add(&s.cols, "R", a->force, hint);
        if (!a->no_baseline) {
            s.o_s0 = zn_cols_add(&s.cols, "R0", a->force, hint);
            s.o_norm = zn_cols_add(&s.cols, "R_R0", a->force, hint);
        }
    } else {
        s.c_sig = zn_in_need(in, a->signal);
        if (!a->no_baseline) {
            s.o_s0 = zn_cols_add(&s.cols, "F0", a->force, hint);
            s.o_norm = zn_cols_add(&s.cols, "F_F0", a->force, hint);
            s.o_dnorm = zn_cols_add(&s.cols, "dF_F0", a->force, hint);
        }
    }
    if (a->bleach) s.o_k = zn_cols_add(&s.cols, "bleach_k", a->force, " (photobleaching already corrected?)");
    s.o_flag = zn_cols_flag(&s.cols);
    zn_rec_init(&s.rec, &s.cols, s.o_flag);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    zn_trace_cells(&s.tr, &s.cell, &a->o, do_cell, new_segment, &s);
    if (s.nnobase > 10)
        zn_warn("%ld cells in all had no baseline value (flag no_baseline); the first 10 are named above", s.nnobase);
    zn_opt_close_out(s.w);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.cell);
    zn_cols_free(&s.cols);
    zn_trace_free(&s.tr);
    free(s.t);
    free(s.s);
    free(s.fc);
    free(s.bx);
    free(s.by);
    free(s.fl);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.signal = "F";
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"num", required_argument, 0, OPT_NUM},
                                          {"den", required_argument, 0, OPT_DEN},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"baseline", required_argument, 0, OPT_BASELINE},
                                          {"no-baseline", no_argument, 0, OPT_NO_BASELINE},
                                          {"donor-bleed", required_argument, 0, OPT_DBLEED},
                                          {"acceptor-direct", required_argument, 0, OPT_ADIRECT},
                                          {"acceptor", required_argument, 0, OPT_ACCEPTOR},
                                          {"bleach", required_argument, 0, OPT_BLEACH},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {0, 0, 0, 0}};
    int c, has_signal = 0, has_direct = 0;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_NUM: a.num = optarg; break;
        case OPT_DEN: a.den = optarg; break;
        case OPT_SIGNAL: a.signal = optarg; has_signal = 1; break;
        case OPT_BASELINE: a.baseline = optarg; break;
        case OPT_NO_BASELINE: a.no_baseline = 1; break;
        case OPT_DBLEED: a.dbleed = zn_opt_num("--donor-bleed", optarg); a.has_xtalk = 1; break;
        case OPT_ADIRECT: a.adirect = zn_opt_num("--acceptor-direct", optarg); a.has_xtalk = has_direct = 1; break;
        case OPT_ACCEPTOR: a.acceptor = optarg; break;
        case OPT_BLEACH:
            if (strcmp(optarg, "exp") != 0) zn_usage_error("--bleach: \"%s\" is not a method (exp)", optarg);
            a.bleach = 1;
            break;
        case OPT_FORCE: a.force = 1; break;
        default: zn_usage_error("unknown option");
        }
    }
    if (!a.num != !a.den) zn_usage_error("--num and --den go together (R = num / den)");
    if (a.num && has_signal) zn_usage_error("--signal is for one channel; with --num/--den the signal is R");
    if (!a.num && (a.has_xtalk || a.acceptor)) zn_usage_error("cross-talk correction needs --num and --den");
    if (has_direct && !a.acceptor) zn_usage_error("--acceptor-direct needs the acceptor channel: --acceptor COL");
    if (a.acceptor && !has_direct) zn_usage_error("--acceptor is only used with --acceptor-direct");
    if (a.no_baseline && a.baseline) zn_usage_error("--baseline and --no-baseline exclude each other");
    if (a.baseline) {
        zn_window w;
        zn_window_get(NULL, "baseline", a.baseline, "--baseline", &w);
        free(w.name);
    }
    if (a.no_baseline && a.bleach) zn_usage_error("--bleach fits the baseline window: it needs one");
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    zn_fit_release();
    zn_opt_free(&a.o);
    return 0;
}
