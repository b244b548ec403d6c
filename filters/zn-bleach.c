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
    "      --force           correct again although the meta says it was done\n"
    "Adds per channel COL: bleach_k_COL (1/s) and bleach_k_se_COL (its SE),\n"
    "the same for every cell of a sample.  A sample whose rate cannot be fitted\n"
    "is passed uncorrected, flagged bleach_fit_failed.\n";

enum { OPT_CHANNELS = ZN_OPT_FIRST_OWN, OPT_MAX_SCATTER, OPT_WEIGHT, OPT_FORCE };

typedef struct {
    zn_opt o;
    const char *channels;
    char **win; /* names or START:END */
    size_t nwin;
    double max_scatter;
    int weight, force;
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
    zn_buf_addf(&b, "bleach=pooled:");
    for (size_t j = 0; j < s->nch; j++) zn_buf_addf(&b, "%s%s", j ? "," : "", s->in->cols[s->ch[j]]);
    zn_buf_addf(&b, ";model=a*exp(-k*t),k per sample;windows=");
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
    for (size_t j = 0; j < s->nch; j++) {
        s->k[j] = s->se[j] = NAN;
        if (isfinite(t0)) fit_channel(s, j, sample, t0, tmax);
    }
    for (size_t r = 0; r < n; r++) {
        zn_rec_from_cell(&s->rec, c, r);
        if (!is_bg(s, r)) {
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
    if (a->channels) {
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
}

int main(int argc, char **argv)
{
    static args_t a;
    a.max_scatter = 0.2;
    a.weight = ZN_BLEACH_SHOT;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"channels", required_argument, 0, OPT_CHANNELS},
                                          {"window", required_argument, 0, 'w'},
                                          {"max-scatter", required_argument, 0, OPT_MAX_SCATTER},
                                          {"weight", required_argument, 0, OPT_WEIGHT},
                                          {"force", no_argument, 0, OPT_FORCE},
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
        default: zn_usage_error("unknown option");
        }
    }
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
    zn_opt_free(&a.o);
    return 0;
}
