/* zn-bleach - photobleaching correction with one rate per dish (sample),
 * shared by its cells, fitted over the windows where their signal should
 * be flat (baseline, the TPEN plateau, ...); keeps one sample in memory. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-bleach [OPTIONS] [FILE...]\n"
    "Photobleaching correction with one rate per dish (sample): all its cells\n"
    "share the rate k, each cell has its own amplitude in each window:\n"
    "  F(cell, t) = a(cell, window) * exp(-k t)   for t in the fit windows\n"
    "fitted as log F by weighted least squares (one intercept per cell and\n"
    "window, one slope), then every value of every cell is divided by the\n"
    "bleaching since the sample's first frame t0:  F' = F * exp(k (t - t0)).\n"
    "Run it after zn-background and before zn-ratio (the ratio, F0 and R0 are\n"
    "then computed from corrected channels; FRET donor and acceptor channels\n"
    "each get their own rate).  One sample's records are held in memory.\n"
    "\n"
    "      --channels LIST   correct these columns (default: F and every F_*)\n"
    "  -w, --window W        a window to fit, by name from the meta (baseline,\n"
    "                        min, ...) or START:END in seconds; repeat or give a\n"
    "                        comma list (default: baseline,min).  Only windows\n"
    "                        where every cell's signal is flat apart from\n"
    "                        bleaching: start a TPEN window after its fall\n"
    "      --max-scatter X   leave out of the fit a cell's window whose values\n"
    "                        scatter more than X (1.4826 MAD / median; default\n"
    "                        0.2, zn-calibrate's): a cell rounding up, a spike\n"
    "      --weight W        shot (default): a window weighs by its mean signal,\n"
    "                        as photon noise makes var(log F) ~ 1/F; equal: the\n"
    "                        same weight for every window (constant relative noise)\n"
    "      --fret DONOR,ACCEPTOR  a FRET sensor's donor and acceptor channels (under\n"
    "                        donor excitation, background subtracted, e.g.\n"
    "                        F_CFP,F_YFP): correct the donor's and the acceptor's\n"
    "                        bleaching by the FRET model instead of one rate per\n"
    "                        channel (the acceptor channel's drift depends on the\n"
    "                        FRET state).  With G the detection factor, the total\n"
    "                        donor emission T = D + A/G ~ exp(-kD t) in every state\n"
    "                        and the apparent efficiency E = A/(A + G D) ~\n"
    "                        exp(-kA t) in a window of constant state; corrected\n"
    "                        D' = T' (1 - E'), A' = G T' E' (T' = T exp(kD (t-t0)),\n"
    "                        E' = E exp(kA (t-t0))), so A'/D' is the unbleached ratio\n"
    "      --gfactor G|fit   G of --fret (A/G + D is the same in every FRET state);\n"
    "                        fit (default): per sample, the G that makes T follow\n"
    "                        one exponential per cell across the windows: the\n"
    "                        windows must hold two FRET states (e.g. Rmin and Rmax)\n"
    "      --force           correct again although the meta says it was done\n"
    "Adds per channel COL: bleach_k_COL (1/s) and bleach_k_se_COL (its SE),\n"
    "the same for every cell of a sample (with --fret: the donor's and the\n"
    "acceptor's own rates, and fret_g, fret_g_se: G and its SE, empty when\n"
    "given).  A sample whose rate cannot be fitted is passed uncorrected,\n"
    "flagged bleach_fit_failed; with --fret a frame that cannot be corrected\n"
    "(a channel missing, A <= 0, T <= 0, E' >= 1) gets both channels missing,\n"
    "flagged fret_uncorrectable.\n";

enum { OPT_CHANNELS = ZN_OPT_FIRST_OWN, OPT_MAX_SCATTER, OPT_WEIGHT, OPT_FORCE, OPT_FRET, OPT_GFACTOR };

typedef struct {
    zn_opt o;
    const char *channels;
    char **win; /* names or START:END */
    size_t nwin;
    double max_scatter;
    int weight, force;
    char *fret[2]; /* --fret: donor, acceptor column names */
    double gfactor; /* NAN: fit */
} args_t;

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_cols cols;
    zn_rec rec;
    zn_wr *w;
    int *ch;       /* channel columns */
    size_t nch;
    size_t *o_k, *o_se, o_flag;
    zn_window *win; /* resolved for the segment */
    zn_cellbuf buf; /* the sample */
    double *t, *y, *k, *se;
    size_t cap;
    /* --fret: ch[0] donor, ch[1] acceptor */
    size_t o_g, o_gse;
    double g, gse;
    size_t *idx, *gstart, *gcell; /* the fit groups: frames idx[gstart[i]..gstart[i+1]), of cell number gcell[i] */
    size_t ngroups, gcap, icap;
    double *fv, *fw;              /* scratch for one group */
    size_t fcap;
} state_t;

static void check_meta(const args_t *a, zn_in *in)
{
    zn_meta_once(in->file, &in->meta, "bleach", a->force, "photobleaching was already corrected", "corrects again");
    if (zn_meta_get(&in->meta, "ratio"))
        zn_die(ZN_EXIT_DATA,
               "%s: zn-ratio was already applied (##ratio=...): correct the channels before it, so that the "
               "ratio and F0/R0 come from corrected values (zn-background | zn-bleach | zn-ratio)",
               in->file);
}

static void resolve_windows(state_t *s)
{
    const args_t *a = s->a;
    for (size_t i = 0; i < a->nwin; i++) {
        free(s->win[i].name);
        const char *w = a->win[i];
        if (strchr(w, ':')) {
            zn_window_get(NULL, "fit", w, "--window", &s->win[i]);
            continue;
        }
        if (!zn_window_get(&s->in->meta, w, NULL, "--window", &s->win[i]))
            zn_die(ZN_EXIT_DATA,
                   "%s: no window '%s' in the meta (##window=%s:START:END); name the windows to fit with "
                   "--window NAME or --window START:END",
                   s->in->file, w, w);
    }
}

static void head(state_t *s)
{
    const args_t *a = s->a;
    resolve_windows(s);
    zn_meta m = {0};
    zn_meta_copy(&m, &s->in->meta);
    zn_buf b = {0};
    if (a->fret[0]) {
        zn_buf_addf(&b, "bleach=fret:donor=%s,acceptor=%s;model=T=D+A/G~exp(-kD*t),E=A/(A+G*D)~exp(-kA*t),k per sample;g=",
                    a->fret[0], a->fret[1]);
        if (isnan(a->gfactor)) zn_buf_addf(&b, "fit");
        else {
            char gb[40];
            zn_fmt_double(gb, a->gfactor);
            zn_buf_addf(&b, "%s", gb);
        }
        zn_buf_addf(&b, ";windows=");
    } else {
        zn_buf_addf(&b, "bleach=pooled:");
        for (size_t j = 0; j < s->nch; j++) zn_buf_addf(&b, "%s%s", j ? "," : "", s->in->cols[s->ch[j]]);
        zn_buf_addf(&b, ";model=a*exp(-k*t),k per sample;windows=");
    }
    for (size_t i = 0; i < a->nwin; i++) {
        char w1[40], w2[40];
        zn_fmt_double(w1, s->win[i].start);
        zn_fmt_double(w2, s->win[i].end);
        zn_buf_addf(&b, "%s%s:%s", i ? "," : "", w1, w2);
    }
    char sc[40];
    zn_fmt_double(sc, a->max_scatter);
    zn_buf_addf(&b, ";weight=%s;max_scatter=%s;t0=first frame of the sample",
                a->weight == ZN_BLEACH_SHOT ? "shot" : "equal", sc);
    zn_meta_addf(&m, "%s", b.s);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols.cols, s->cols.n);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

static int is_bg(const state_t *s, size_t r) { return strcmp(zn_cellbuf_f(&s->buf, r, (size_t)s->tr.c_role), "bg") == 0; }

static int same_cell(const state_t *s, size_t r1, size_t r2)
{
    size_t c = (size_t)s->tr.c_cell;
    return zn_cellbuf_l(&s->buf, r1, c) == zn_cellbuf_l(&s->buf, r2, c) &&
           memcmp(zn_cellbuf_f(&s->buf, r1, c), zn_cellbuf_f(&s->buf, r2, c), zn_cellbuf_l(&s->buf, r1, c)) == 0;
}

/* fit channel j over the sample's cells; the rate in s->k[j], s->se[j] */
static void fit_channel(state_t *s, size_t j, const char *sample, double t0, double tmax)
{
    const args_t *a = s->a;
    zn_cellbuf *c = &s->buf;
    size_t n = c->n;
    double *tv = s->t, *yv = s->y + n, *wt = s->y + 2 * n; /* scratch: y values, window times */
    for (size_t r = 0; r < n; r++) s->y[r] = zn_cellbuf_num(c, s->in, r, s->ch[j]);
    zn_bleach_acc acc = {0};
    size_t nscatter = 0, nother = 0, ncells = 0;
    const char *why_other = NULL;
    char first[256] = "";
    for (size_t r0 = 0; r0 < n;) {
        size_t r1 = r0 + 1;
        while (r1 < n && same_cell(s, r0, r1)) r1++;
        if (!is_bg(s, r0)) {
            ncells++;
            for (size_t i = 0; i < a->nwin; i++) {
                size_t m = 0;
                for (size_t r = r0; r < r1; r++)
                    if (tv[r] >= s->win[i].start && tv[r] <= s->win[i].end && !isnan(s->y[r])) {
                        wt[m] = tv[r];
                        yv[m++] = s->y[r];
                    }
                if (!m) continue;
                const char *why = NULL;
                double med = zn_median(yv, m, NULL);
                if (m >= 3 && med > 0 && zn_mad(yv, m) / med > a->max_scatter) {
                    nscatter++;
                    if (!*first)
                        snprintf(first, sizeof first, " (the first: cell '%s' in %s)",
                                 zn_cellbuf_f(c, r0, (size_t)s->tr.c_cell), a->win[i]);
                    continue;
                }
                if (zn_bleach_add(&acc, wt, yv, m, a->weight, &why) < 0) {
                    nother++;
                    why_other = why;
                }
            }
        }
        r0 = r1;
    }
    const char *col = s->in->cols[s->ch[j]];
    if (zn_bleach_rate(&acc, &s->k[j], &s->se[j]) < 0) {
        zn_warn("%s: sample '%s': no bleaching rate for %s (no cell with two values at different times in the "
                "windows%s%s); left uncorrected, flagged bleach_fit_failed",
                s->in->file, sample, col, nother ? ": " : "", nother ? why_other : "");
        return;
    }
    zn_warn("%s: sample '%s': %s: k = %.3g/s (SE %.2g), %.3g %% lost over %g s; fitted over %zu windows of %zu "
            "cells, %zu left out (scatter > %g)%s",
            s->in->file, sample, col, s->k[j], s->se[j], 100 * (1 - exp(-s->k[j] * (tmax - t0))), tmax - t0,
            acc.groups, ncells, nscatter, a->max_scatter, first);
    if (nother)
        zn_warn("%s: sample '%s': %s: %zu more windows left out of the fit (the last: %s)", s->in->file, sample,
                col, nother, why_other);
}


/* ------------------------------------------------------------------ --fret */
/* The sensor's donor fluorescence D and sensitized acceptor emission A under
 * donor excitation, with pd, pa the intact fractions of donors and acceptors
 * and E the FRET efficiency of an intact pair (set by the zinc state):
 *     D = N pd (1 - E pa),   A = N pd G E pa
 * so T = D + A/G = N pd falls with the donor's rate whatever the state, and
 * the apparent efficiency x = A/(A + G D) = E pa with the acceptor's rate in
 * a window of constant state.  The ratio A/D = G x/(1 - x) drifts at
 * kA/(1 - E pa), faster in the high-FRET state than at rest, so no one rate
 * per channel corrects both calibration windows (NOTES.md, bleach2). */

static void fret_need(state_t *s, size_t n)
{
    if (n > s->fcap) {
        size_t cap = s->fcap;
        zn_grow(&s->fv, &cap, n, sizeof *s->fv);
        zn_grow(&s->fw, &s->fcap, n, sizeof *s->fw);
    }
}

/* the fit groups: (cell, window) with >= 2 frames holding both channels,
 * neither channel scattering more than --max-scatter */
static void fret_groups(state_t *s, const double *d, const double *a, size_t *ncells, size_t *nscatter, char *first,
                        size_t firstsz)
{
    const args_t *ar = s->a;
    zn_cellbuf *c = &s->buf;
    size_t n = c->n, ni = 0, ci = 0;
    s->ngroups = 0;
    *ncells = *nscatter = 0;
    fret_need(s, n);
    if (n > s->icap) zn_grow(&s->idx, &s->icap, n, sizeof *s->idx);
    for (size_t r0 = 0; r0 < n;) {
        size_t r1 = r0 + 1;
        while (r1 < n && same_cell(s, r0, r1)) r1++;
        if (!is_bg(s, r0)) {
            ++*ncells;
            for (size_t i = 0; i < ar->nwin; i++) {
                size_t m = 0;
                for (size_t r = r0; r < r1; r++)
                    if (s->t[r] >= s->win[i].start && s->t[r] <= s->win[i].end && !isnan(d[r]) && !isnan(a[r]))
                        s->idx[ni + m++] = r;
                if (m < 2) continue;
                int scatter = 0;
                for (int ch = 0; ch < 2 && !scatter; ch++) {
                    const double *y = ch ? a : d;
                    for (size_t q = 0; q < m; q++) s->fv[q] = y[s->idx[ni + q]];
                    double med = zn_median(s->fv, m, NULL);
                    scatter = m >= 3 && med > 0 && zn_mad(s->fv, m) / med > ar->max_scatter;
                }
                if (scatter) {
                    ++*nscatter;
                    if (!*first)
                        snprintf(first, firstsz, " (the first: cell '%s' in %s)",
                                 zn_cellbuf_f(c, r0, (size_t)s->tr.c_cell), ar->win[i]);
                    continue;
                }
                if (s->ngroups + 2 > s->gcap) {
                    size_t cap = s->gcap;
                    zn_grow(&s->gstart, &cap, s->ngroups + 2, sizeof *s->gstart);
                    zn_grow(&s->gcell, &s->gcap, s->ngroups + 2, sizeof *s->gcell);
                }
                s->gstart[s->ngroups] = ni;
                s->gcell[s->ngroups++] = ci;
                ni += m;
            }
            ci++;
        }
        r0 = r1;
    }
    if (s->gcap) s->gstart[s->ngroups] = ni;
}

/* the weight of frames idx[i0..i1): shot noise of the photons counted in
 * both channels (independent of G), or 1 */
static double fret_weight(const state_t *s, const double *d, const double *a, size_t i0, size_t i1)
{
    if (s->a->weight != ZN_BLEACH_SHOT) return 1;
    double m = 0;
    for (size_t i = i0; i < i1; i++) m += d[s->idx[i]] + a[s->idx[i]];
    m /= (double)(i1 - i0);
    return m > 0 ? m : 0;
}

/* T = D + A/G with one intercept per cell over all its windows and one
 * rate: the weighted RSS (NAN when a T <= 0), its df in *df */
static double fret_rss_g(state_t *s, const double *d, const double *a, double g, size_t *df)
{
    zn_bleach_acc acc = {0};
    for (size_t i = 0; i < s->ngroups;) {
        size_t j = i + 1;
        while (j < s->ngroups && s->gcell[j] == s->gcell[i]) j++;
        size_t i0 = s->gstart[i], i1 = s->gstart[j], m = i1 - i0;
        fret_need(s, m);
        for (size_t q = 0; q < m; q++) {
            size_t r = s->idx[i0 + q];
            s->fw[q] = s->t[r];
            s->fv[q] = d[r] + a[r] / g;
        }
        const char *why;
        if (zn_bleach_add_w(&acc, s->fw, s->fv, m, fret_weight(s, d, a, i0, i1), &why) < 0) return NAN;
        i = j;
    }
    *df = acc.n > acc.groups + 2 ? acc.n - acc.groups - 2 : 0; /* the intercepts, k and G */
    return zn_bleach_rss(&acc);
}

/* G needs two FRET states: the median over cells (with two or more windows)
 * of max/min - 1 of the windows' mean A/D; -1 when no cell has two windows */
static double fret_states(state_t *s, const double *d, const double *a)
{
    size_t nc = 0;
    fret_need(s, s->ngroups + 1);
    for (size_t i = 0; i < s->ngroups;) {
        size_t j = i;
        double lo = INFINITY, hi = -INFINITY;
        for (; j < s->ngroups && s->gcell[j] == s->gcell[i]; j++) {
            double r = 0;
            for (size_t q = s->gstart[j]; q < s->gstart[j + 1]; q++) r += a[s->idx[q]] / d[s->idx[q]];
            r /= (double)(s->gstart[j + 1] - s->gstart[j]);
            if (r < lo) lo = r;
            if (r > hi) hi = r;
        }
        if (j - i >= 2 && lo > 0) s->fw[nc++] = hi / lo - 1;
        i = j;
    }
    return nc ? zn_median(s->fw, nc, NULL) : -1;
}

/* G by minimising fret_rss_g over log G (a grid from 0.01 to 100, then a
 * golden section); its SE from the curvature: var(log G) = 2 s^2 / RSS''.
 * 0 ok; -1 not determined (*why) */
static int fret_fit_g(state_t *s, const double *d, const double *a, double *g, double *se, const char **why)
{
    enum { NG = 81 };
    const double lo = log(0.01), hi = log(100), step = (hi - lo) / (NG - 1);
    static char msg[200];
    double spread = fret_states(s, d, a);
    if (spread < 0.1) {
        if (spread < 0) snprintf(msg, sizeof msg, "no cell has two windows to fit G from");
        else
            snprintf(msg, sizeof msg,
                     "the windows hold one FRET state (a cell's windows differ in A/D by %.3g %% (median), less than "
                     "10 %%)",
                     100 * spread);
        *why = msg;
        return -1;
    }
    size_t df;
    int best = -1;
    double rbest = INFINITY;
    for (int i = 0; i < NG; i++) {
        double r = fret_rss_g(s, d, a, exp(lo + i * step), &df);
        if (r < rbest) {
            rbest = r;
            best = i;
        }
    }
    if (best < 0) {
        *why = "no G gives every cell a positive D + A/G in the windows";
        return -1;
    }
    if (best == 0 || best == NG - 1) {
        *why = "the best G is at the end of 0.01..100 (do the windows hold two FRET states, e.g. Rmin and Rmax?)";
        return -1;
    }
    const double phi = (sqrt(5) - 1) / 2;
    double x0 = lo + (best - 1) * step, x3 = lo + (best + 1) * step;
    double x1 = x3 - phi * (x3 - x0), x2 = x0 + phi * (x3 - x0);
    double f1 = fret_rss_g(s, d, a, exp(x1), &df), f2 = fret_rss_g(s, d, a, exp(x2), &df);
    while (x3 - x0 > 1e-9) {
        if (!(f2 < f1)) { /* a NAN on the right moves left */
            x3 = x2;
            x2 = x1;
            f2 = f1;
            x1 = x3 - phi * (x3 - x0);
            f1 = fret_rss_g(s, d, a, exp(x1), &df);
        } else {
            x0 = x1;
            x1 = x2;
            f1 = f2;
            x2 = x0 + phi * (x3 - x0);
            f2 = fret_rss_g(s, d, a, exp(x2), &df);
        }
    }
    double u = (x0 + x3) / 2, h = 1e-3;
    double r0 = fret_rss_g(s, d, a, exp(u), &df);
    double curv = (fret_rss_g(s, d, a, exp(u + h), &df) - 2 * r0 + fret_rss_g(s, d, a, exp(u - h), &df)) / (h * h);
    *g = exp(u);
    *se = NAN;
    if (!(curv > 0) || !df) {
        *why = "the fit's curvature in G is not positive (do the windows hold two FRET states?)";
        return -1;
    }
    double seu = sqrt(2 * r0 / (double)df / curv);
    *se = *g * seu;
    if (seu > 0.5) {
        *why = "G is determined only within a factor of 1.6 or worse (SE of log G > 0.5): do the windows hold two FRET "
               "states, e.g. Rmin and Rmax?";
        return -1;
    }
    return 0;
}

/* the rates: kD from T, kA from x = A/(A + G D), one intercept per group */
static int fret_rates(state_t *s, const double *d, const double *a, double g, size_t *nother, const char **why_other)
{
    zn_bleach_acc acc[2];
    memset(acc, 0, sizeof acc);
    *nother = 0;
    for (size_t i = 0; i < s->ngroups; i++) {
        size_t i0 = s->gstart[i], i1 = s->gstart[i + 1], m = i1 - i0;
        double w = fret_weight(s, d, a, i0, i1);
        fret_need(s, m);
        for (int ch = 0; ch < 2; ch++) {
            for (size_t q = 0; q < m; q++) {
                size_t r = s->idx[i0 + q];
                s->fw[q] = s->t[r];
                s->fv[q] = ch ? a[r] / (a[r] + g * d[r]) : d[r] + a[r] / g;
            }
            const char *why = NULL;
            if (zn_bleach_add_w(&acc[ch], s->fw, s->fv, m, w, &why) < 0) {
                ++*nother;
                *why_other = why;
            }
        }
    }
    int ok = 0;
    for (int ch = 0; ch < 2; ch++) ok |= zn_bleach_rate(&acc[ch], &s->k[ch], &s->se[ch]);
    return ok;
}

/* fit the sample; s->g, s->k[0..1] NAN when it cannot be corrected */
static void fret_fit(state_t *s, const char *sample, double t0, double tmax)
{
    const args_t *ar = s->a;
    size_t n = s->buf.n;
    double *d = s->y, *a = s->y + n;
    for (size_t r = 0; r < n; r++) {
        d[r] = zn_cellbuf_num(&s->buf, s->in, r, s->ch[0]);
        a[r] = zn_cellbuf_num(&s->buf, s->in, r, s->ch[1]);
    }
    size_t ncells, nscatter, nother = 0;
    char first[256] = "";
    const char *why = NULL, *why_other = "";
    fret_groups(s, d, a, &ncells, &nscatter, first, sizeof first);
    s->g = ar->gfactor;
    s->gse = NAN;
    if (!s->ngroups) why = "no cell with two frames of both channels in the windows";
    else if (isnan(ar->gfactor) && fret_fit_g(s, d, a, &s->g, &s->gse, &why) < 0) {
        s->g = NAN;
        zn_warn("%s: sample '%s': G cannot be fitted: %s; give windows of two FRET states (e.g. the Rmin and Rmax "
                "plateaus) or --gfactor G",
                s->in->file, sample, why);
        why = "no G";
    }
    else if (fret_rates(s, d, a, s->g, &nother, &why_other) < 0)
        why = nother ? why_other : "no cell with two values at different times in the windows";
    if (why) {
        zn_warn("%s: sample '%s': no FRET bleaching correction: %s; left uncorrected, flagged bleach_fit_failed",
                s->in->file, sample, why);
        s->g = s->k[0] = s->k[1] = s->se[0] = s->se[1] = NAN;
        return;
    }
    char gtxt[80];
    if (isnan(s->gse)) snprintf(gtxt, sizeof gtxt, "G = %.4g (given)", s->g);
    else snprintf(gtxt, sizeof gtxt, "G = %.4g (SE %.2g, fitted)", s->g, s->gse);
    zn_warn("%s: sample '%s': FRET %s,%s: %s; donor k = %.3g/s (SE %.2g), acceptor k = %.3g/s (SE %.2g), %.3g %% of "
            "the acceptors lost over %g s; fitted over %zu windows of %zu cells, %zu left out (scatter > %g)%s",
            s->in->file, sample, ar->fret[0], ar->fret[1], gtxt, s->k[0], s->se[0], s->k[1], s->se[1],
            100 * (1 - exp(-s->k[1] * (tmax - t0))), tmax - t0, s->ngroups, ncells, nscatter, ar->max_scatter, first);
    if (nother)
        zn_warn("%s: sample '%s': %zu more windows left out of the fit (the last: %s)", s->in->file, sample, nother,
                why_other);
}

/* one cell frame: D', A' from D, A; 0 ok, -1 uncorrectable */
static int fret_correct(const state_t *s, double d, double a, double dt, double *d1, double *a1)
{
    double T = d + a / s->g, x = a / (a + s->g * d);
    if (isnan(T) || !(T > 0) || !(x > 0)) return -1;
    double Tc = T * exp(s->k[0] * dt), E = x * exp(s->k[1] * dt);
    if (!(E < 1)) return -1;
    *d1 = Tc * (1 - E);
    *a1 = s->g * Tc * E;
    return 0;
}

static void do_sample(void *arg)
{
    state_t *s = arg;
    zn_cellbuf *c = &s->buf;
    size_t n = c->n;
    if (!n) return;
    if (3 * n > s->cap) {
        size_t cap = s->cap;
        zn_grow(&s->t, &cap, 3 * n, sizeof *s->t);
        zn_grow(&s->y, &s->cap, 3 * n, sizeof *s->y);
    }
    double t0 = INFINITY, tmax = -INFINITY;
    for (size_t r = 0; r < n; r++) {
        s->t[r] = zn_cellbuf_num(c, s->in, r, s->tr.c_t);
        if (is_bg(s, r)) continue;
        if (s->t[r] < t0) t0 = s->t[r];
        if (s->t[r] > tmax) tmax = s->t[r];
    }
    char sample[256];
    snprintf(sample, sizeof sample, "%s", zn_cellbuf_f(c, 0, (size_t)s->tr.c_sample));
    for (size_t j = 0; j < s->nch; j++) s->k[j] = s->se[j] = NAN;
    if (s->a->fret[0]) {
        s->g = s->gse = NAN;
        if (isfinite(t0)) fret_fit(s, sample, t0, tmax);
    } else
        for (size_t j = 0; j < s->nch; j++)
            if (isfinite(t0)) fit_channel(s, j, sample, t0, tmax);
    for (size_t r = 0; r < n; r++) {
        zn_rec_from_cell(&s->rec, c, r);
        if (s->a->fret[0] && !is_bg(s, r)) {
            if (isnan(s->g) || isnan(s->k[0]) || isnan(s->k[1])) zn_rec_flag(&s->rec, "bleach_fit_failed");
            else {
                double d1, a1;
                if (fret_correct(s, zn_cellbuf_num(c, s->in, r, s->ch[0]), zn_cellbuf_num(c, s->in, r, s->ch[1]),
                                 s->t[r] - t0, &d1, &a1) < 0) {
                    d1 = a1 = NAN;
                    zn_rec_flag(&s->rec, "fret_uncorrectable");
                }
                zn_rec_num(&s->rec, (size_t)s->ch[0], d1);
                zn_rec_num(&s->rec, (size_t)s->ch[1], a1);
                for (size_t j = 0; j < 2; j++) {
                    zn_rec_num(&s->rec, s->o_k[j], s->k[j]);
                    zn_rec_num(&s->rec, s->o_se[j], s->se[j]);
                }
                zn_rec_num(&s->rec, s->o_g, s->g);
                zn_rec_num(&s->rec, s->o_gse, s->gse);
            }
        } else if (!is_bg(s, r)) {
            int failed = 0;
            for (size_t j = 0; j < s->nch; j++) {
                if (isnan(s->k[j])) {
                    failed = 1;
                    continue;
                }
                double y = zn_cellbuf_num(c, s->in, r, s->ch[j]);
                if (!isnan(y)) zn_rec_num(&s->rec, (size_t)s->ch[j], y * exp(s->k[j] * (s->t[r] - t0)));
                zn_rec_num(&s->rec, s->o_k[j], s->k[j]);
                zn_rec_num(&s->rec, s->o_se[j], s->se[j]);
            }
            if (failed) zn_rec_flag(&s->rec, "bleach_fit_failed");
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
    s.ch = zn_calloc(in->ncols, sizeof *s.ch);
    if (a->fret[0]) {
        for (int j = 0; j < 2; j++) s.ch[s.nch++] = zn_in_need(in, a->fret[j]);
    } else if (a->channels) {
        char *list = zn_strdup(a->channels), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int c = zn_in_need(in, t);
            for (size_t j = 0; j < s.nch; j++)
                if (s.ch[j] == c) zn_usage_error("--channels: column '%s' is named twice", t);
            s.ch[s.nch++] = c;
        }
        free(list);
    } else
        for (size_t i = 0; i < in->ncols; i++)
            if (zn_is_channel(in->cols[i])) s.ch[s.nch++] = (int)i;
    if (!s.nch)
        zn_die(ZN_EXIT_DATA, "%s: no fluorescence channel (F or F_*) to correct; name one with --channels", in->file);
    s.o_k = zn_calloc(s.nch, sizeof *s.o_k);
    s.o_se = zn_calloc(s.nch, sizeof *s.o_se);
    s.k = zn_calloc(s.nch, sizeof *s.k);
    s.se = zn_calloc(s.nch, sizeof *s.se);
    for (size_t j = 0; j < s.nch; j++) {
        char *nk = zn_asprintf("bleach_k_%s", in->cols[s.ch[j]]), *ns = zn_asprintf("bleach_k_se_%s", in->cols[s.ch[j]]);
        s.o_k[j] = zn_cols_add(&s.cols, nk, a->force, " (photobleaching already corrected?)");
        s.o_se[j] = zn_cols_add(&s.cols, ns, a->force, " (photobleaching already corrected?)");
        free(nk);
        free(ns);
    }
    if (a->fret[0]) {
        s.o_g = zn_cols_add(&s.cols, "fret_g", a->force, " (photobleaching already corrected?)");
        s.o_gse = zn_cols_add(&s.cols, "fret_g_se", a->force, " (photobleaching already corrected?)");
    }
    s.o_flag = zn_cols_flag(&s.cols);
    zn_rec_init(&s.rec, &s.cols, s.o_flag);
    s.win = zn_calloc(a->nwin, sizeof *s.win);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    zn_trace_samples(&s.tr, &s.buf, &a->o, do_sample, new_segment, &s);
    zn_opt_close_out(s.w);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.buf);
    zn_cols_free(&s.cols);
    zn_trace_free(&s.tr);
    for (size_t i = 0; i < a->nwin; i++) free(s.win[i].name);
    free(s.win);
    free(s.ch);
    free(s.o_k);
    free(s.o_se);
    free(s.k);
    free(s.se);
    free(s.t);
    free(s.y);
    free(s.idx);
    free(s.gstart);
    free(s.gcell);
    free(s.fv);
    free(s.fw);
}

int main(int argc, char **argv)
{
    static args_t a;
    a.max_scatter = 0.2;
    a.weight = ZN_BLEACH_SHOT;
    a.gfactor = NAN;
    int gfactor_given = 0;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"channels", required_argument, 0, OPT_CHANNELS},
                                          {"window", required_argument, 0, 'w'},
                                          {"max-scatter", required_argument, 0, OPT_MAX_SCATTER},
                                          {"weight", required_argument, 0, OPT_WEIGHT},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {"fret", required_argument, 0, OPT_FRET},
                                          {"gfactor", required_argument, 0, OPT_GFACTOR},
                                          {0, 0, 0, 0}};
    int c;
    size_t cap = 0;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "w:", lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_CHANNELS: a.channels = optarg; break;
        case 'w': {
            char *list = zn_strdup(optarg), *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (strchr(t, ':')) { /* checked here: a usage error, not a data error */
                    zn_window w;
                    zn_window_get(NULL, "fit", t, "--window", &w);
                    free(w.name);
                }
                zn_grow(&a.win, &cap, a.nwin + 1, sizeof *a.win);
                a.win[a.nwin++] = zn_strdup(t);
            }
            free(list);
            break;
        }
        case OPT_MAX_SCATTER: a.max_scatter = zn_opt_pos("--max-scatter", optarg); break;
        case OPT_WEIGHT:
            if (strcmp(optarg, "shot") == 0) a.weight = ZN_BLEACH_SHOT;
            else if (strcmp(optarg, "equal") == 0) a.weight = ZN_BLEACH_EQUAL;
            else zn_usage_error("--weight: \"%s\" is not a weighting (shot, equal)", optarg);
            break;
        case OPT_FORCE: a.force = 1; break;
        case OPT_FRET: {
            const char *comma = strchr(optarg, ',');
            if (!comma || comma == optarg || !comma[1] || strchr(comma + 1, ','))
                zn_usage_error("--fret: \"%s\" is not DONOR,ACCEPTOR (two column names, e.g. F_CFP,F_YFP)", optarg);
            free(a.fret[0]);
            free(a.fret[1]);
            a.fret[0] = zn_strndup(optarg, (size_t)(comma - optarg));
            a.fret[1] = zn_strdup(comma + 1);
            if (strcmp(a.fret[0], a.fret[1]) == 0)
                zn_usage_error("--fret: the donor and the acceptor are one column (%s)", a.fret[0]);
            break;
        }
        case OPT_GFACTOR:
            gfactor_given = 1;
            if (strcmp(optarg, "fit") == 0) a.gfactor = NAN;
            else a.gfactor = zn_opt_pos("--gfactor", optarg);
            break;
        default: zn_usage_error("unknown option");
        }
    }
    if (a.fret[0] && a.channels) zn_usage_error("--fret names the channels: give it or --channels, not both");
    if (gfactor_given && !a.fret[0]) zn_usage_error("--gfactor is the G of --fret: give --fret DONOR,ACCEPTOR");
    if (!a.nwin) {
        static const char *def[] = {"baseline", "min"};
        a.win = zn_malloc(2 * sizeof *a.win);
        for (size_t i = 0; i < 2; i++) a.win[i] = zn_strdup(def[i]);
        a.nwin = 2;
    }
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    for (size_t i = 0; i < a.nwin; i++) free(a.win[i]);
    free(a.win);
    free(a.fret[0]);
    free(a.fret[1]);
    zn_opt_free(&a.o);
    return 0;
}
