/* zn-metrics - per-cell response metrics from a trace stream: baseline,
 * peak, time to peak, half-rise time, amplitude, area under the curve,
 * window means and their change from the baseline, and responders; one
 * record per cell (schema metrics), memory for one cell. */
#include "zn.h"

#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-metrics [OPTIONS] [FILE...]\n"
    "Response metrics of every cell of a trace stream, one record per cell\n"
    "(schema metrics): baseline_mean, baseline_sd (n - 1), peak = the highest\n"
    "running mean of --smooth frames in the response window, amplitude = peak -\n"
    "baseline_mean (a maximum: > 0 without a response), auc = integral of (S -\n"
    "baseline_mean) dt over the response window (trapezoids), mean_NAME and\n"
    "delta_NAME = mean_NAME - baseline_mean (unbiased) per --window, and\n"
    "responder: 1 when the smoothed peak lies above the baseline by more than a\n"
    "one-sided t test at level alpha / (number of smoothed points) allows\n"
    "(baseline SD and mean from the baseline window), so that a cell without a\n"
    "response is called a responder with probability at most alpha however\n"
    "many frames it has.\n"
    "t_peak (the centre of the peak's frames), time_to_peak (from the start\n"
    "of the response window) and t_half (from the start to where the running\n"
    "mean first reaches half of the rise to the peak: a rise to a plateau) are\n"
    "given for responders only.\n"
    "\n"
    "      --signal COL      the column S (default: zn_pM/zn_nM/zn_uM when the trace\n"
    "                        is calibrated, else dF_F0, R_R0, R, F)\n"
    "      --baseline S:E    baseline window, seconds of t (default\n"
    "                        ##window=baseline)\n"
    "      --response S:E    where the peak is looked for and the area taken (default\n"
    "                        ##window=response; without either on a trace with\n"
    "                        calibration windows (max, min) it is an error, since\n"
    "                        the ionophore's time is not in the data; without\n"
    "                        calibration windows: from the end of the baseline on)\n"
    "      --window NAME[=S:E]  also the mean of S over this window (from the meta\n"
    "                        when no range is given); repeatable -> mean_NAME,\n"
    "                        delta_NAME\n"
    "      --smooth N        frames in the running mean of the peak (default 5;\n"
    "                        1: the single highest frame)\n"
    "      --alpha A         false-responder rate per non-responding cell (default\n"
    "                        0.05)\n"
    "      --keep COLS       also keep these per-cell columns (comma list; the\n"
    "                        first record's value)\n";

enum { OPT_SIGNAL = ZN_OPT_FIRST_OWN, OPT_BASELINE, OPT_RESPONSE, OPT_WINDOW, OPT_KEEP, OPT_SMOOTH, OPT_ALPHA };

#define MAXW 32

typedef struct {
    zn_opt o;
    const char *signal, *baseline, *response, *keep;
    const char *wspec[MAXW];
    size_t nw;
    size_t smooth;
    double alpha;
} args_t;

enum { M_BMEAN, M_BSD, M_PEAK, M_TPEAK, M_TTP, M_THALF, M_AMP, M_AUC, NM };
static const char *const mname[NM] = {"baseline_mean", "baseline_sd", "peak",      "t_peak",
                                      "time_to_peak",  "t_half",      "amplitude", "auc"};

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_wr *w;
    const char *sig;
    int c_sig, c_cond, c_zflag, c_test; /* c_test: the measured signal a calibrated one came from, or -1 */
    int keep[64];
    size_t nkeep;
    zn_window base, resp;
    int resp_default;
    zn_window win[MAXW];
    char **cols;
    size_t ncols;
    zn_rec rec;
    zn_cellbuf cell;
    double *t, *s, *u, *dif; /* u: the tested signal (c_test) */
    size_t *idx; /* the response window's records, in order */
    size_t cap;
    long ncell, nresp;
} state_t;

static void free_windows(state_t *s)
{
    free(s->base.name);
    free(s->resp.name);
    for (size_t i = 0; i < s->a->nw; i++) free(s->win[i].name);
    s->base.name = s->resp.name = NULL;
}

/* the windows of a segment: from the options, else from its meta */
static void windows(state_t *s)
{
    const args_t *a = s->a;
    const zn_meta *m = &s->in->meta;
    char err[512];
    free_windows(s);
    /* a calibrated signal is tested for a response on the measured signal it
     * came from (##calibration=...;signal=R): the same question (the
     * calibration is monotone), but there the noise is additive and
     * symmetric, while [Zn] = Kd (S - Smin)/(Smax - S) stretches upward
     * excursions and makes noise look like peaks */
    s->c_test = -1;
    const char *cal = zn_meta_get(m, "calibration");
    if (cal && strncmp(s->sig, "zn_", 3) == 0) {
        const char *p = strstr(cal, ";signal=");
        if (p) {
            p += 8;
            size_t k = strcspn(p, ";");
            char *col = zn_strndup(p, k);
            s->c_test = zn_in_col(s->in, col);
            free(col);
        }
    }
    if (!zn_window_get(m, "baseline", a->baseline, "--baseline", &s->base))
        zn_die(ZN_EXIT_DATA, "%s: no baseline window: the meta has no ##window=baseline; give --baseline START:END",
               s->in->file);
    s->resp_default = !zn_window_get(m, "response", a->response, "--response", &s->resp);
    if (s->resp_default) {
        /* without a response window the peak would be looked for up to the
         * first calibration window; but that window starts some time after
         * the ionophore was added (when the plateau is reached), so the
         * ionophore's rise would be every cell's peak.  When was it added is
         * not in the data: ask. */
        static const char *const cal[] = {"max", "min"};
        for (size_t i = 0; i < 2; i++) {
            zn_window c;
            int k = zn_meta_window(m, cal[i], &c, err, sizeof err);
            if (k < 0) zn_die(ZN_EXIT_DATA, "%s: %s", s->in->file, err);
            if (k == 0) continue;
            char x[40], y[40];
            zn_fmt_double(x, c.start);
            zn_fmt_double(y, c.end);
            free(c.name);
            zn_die(ZN_EXIT_DATA,
                   "%s: no response window, and the trace has a calibration window (%s %s:%s s): the peak would "
                   "be the ionophore's or TPEN's, whose time is not in the data; give --response START:END (or "
                   "zn-ingest --window response=START:END), ending before the ionophore was added",
                   s->in->file, cal[i], x, y);
        }
        s->resp.name = zn_strdup("response");
        s->resp.start = s->base.end;
        s->resp.end = INFINITY;
    }
    if (!(s->resp.end > s->resp.start))
        zn_die(ZN_EXIT_DATA, "%s: the response window %g..%g s is empty; give --response START:END", s->in->file,
               s->resp.start, s->resp.end);
    for (size_t i = 0; i < a->nw; i++) {
        const char *eq = strchr(a->wspec[i], '=');
        if (eq) {
            if (zn_window_parse(a->wspec[i], &s->win[i], err, sizeof err) < 0) zn_usage_error("--window: %s", err);
        } else {
            int k = zn_meta_window(m, a->wspec[i], &s->win[i], err, sizeof err);
            if (k < 0) zn_die(ZN_EXIT_DATA, "%s: %s", s->in->file, err);
            if (k == 0)
                zn_die(ZN_EXIT_DATA, "%s: --window %s: the meta has no ##window=%s; give --window %s=START:END",
                       s->in->file, a->wspec[i], a->wspec[i], a->wspec[i]);
        }
    }
}

static void head(state_t *s)
{
    const args_t *a = s->a;
    zn_meta m = {0};
    zn_meta_derive(&m, &s->in->meta, "metrics");
    zn_buf b = {0};
    char x[40], y[40], kx[40];
    zn_fmt_double(x, s->base.start);
    zn_fmt_double(y, s->base.end);
    zn_fmt_double(kx, a->alpha);
    zn_buf_addf(&b, "signal=%s;baseline=%s:%s;response=", s->sig, x, y);
    zn_fmt_double(x, s->resp.start);
    if (isinf(s->resp.end)) snprintf(y, sizeof y, "end");
    else zn_fmt_double(y, s->resp.end);
    zn_buf_addf(&b, "%s:%s;smooth=%zu;alpha=%s;responder_signal=%s", x, y, a->smooth, kx,
                s->c_test >= 0 ? s->in->cols[s->c_test] : s->sig);
    for (size_t i = 0; i < a->nw; i++) {
        zn_fmt_double(x, s->win[i].start);
        zn_fmt_double(y, s->win[i].end);
        zn_buf_addf(&b, ";mean_%s=%s:%s", s->win[i].name, x, y);
    }
    zn_meta_addf(&m, "metrics=%s", b.s);
    const char *u = zn_signal_unit(&s->in->meta, s->sig);
    static const char *const same[] = {"baseline_mean", "baseline_sd", "peak", "amplitude"};
    for (size_t i = 0; i < 4; i++) zn_meta_addf(&m, "unit.%s=%s", same[i], u);
    zn_meta_add(&m, "unit.t_peak=s");
    zn_meta_add(&m, "unit.time_to_peak=s");
    zn_meta_add(&m, "unit.t_half=s");
    if (strcmp(u, "1") == 0) zn_meta_add(&m, "unit.auc=s");
    else zn_meta_addf(&m, "unit.auc=%s*s", u);
    for (size_t i = 0; i < a->nw; i++) zn_meta_addf(&m, "unit.mean_%s=%s", s->win[i].name, u);
    for (size_t i = 0; i < a->nw; i++) zn_meta_addf(&m, "unit.delta_%s=%s", s->win[i].name, u);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols, s->ncols);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

static int in_win(const zn_window *w, double t) { return t >= w->start && t <= w->end; }

/* The highest mean of w consecutive records of the response window (x at
 * idx[0..nr)) that all have a value; w = want, or the longest such run
 * when shorter (*w).  Returns the number of such positions (0: none), the
 * peak and the index in idx of its last record. */
static size_t smooth_peak(const double *x, const size_t *idx, size_t nr, size_t want, size_t *w, double *peak,
                          size_t *best)
{
    size_t run = 0, longest = 0, npos = 0;
    for (size_t j = 0; j < nr; j++) {
        run = isnan(x[idx[j]]) ? 0 : run + 1;
        if (run > longest) longest = run;
    }
    *w = want < longest ? want : longest;
    *best = 0;
    run = 0;
    for (size_t j = 0; *w && j < nr; j++) {
        run = isnan(x[idx[j]]) ? 0 : run + 1;
        if (run < *w) continue;
        double sum = 0;
        for (size_t i = j + 1 - *w; i <= j; i++) sum += x[idx[i]];
        double mu = sum / (double)*w;
        if (!npos || mu > *peak) {
            *peak = mu;
            *best = j;
        }
        npos++;
    }
    return npos;
}

/* The half-rise time: where the running means of w frames (the peak's,
 * each at the middle of its frames) first reach half of the rise from the
 * baseline mean B to the peak P, up to the peak's own (index best in idx),
 * linearly interpolated between that running mean and the one before it.
 * When the first running mean of W is already there, the one before it is
 * the baseline itself at the start of W (t0, B): the window starts at the
 * stimulus.  Returns t - t0. */
static double half_rise(const state_t *s, const double *x, size_t nr, size_t w, size_t best, double B, double P)
{
    double h = B + 0.5 * (P - B), tp = s->resp.start, xp = B;
    size_t run = 0;
    for (size_t j = 0; j < nr && j <= best; j++) {
        run = isnan(x[s->idx[j]]) ? 0 : run + 1;
        if (run < w) continue;
        double sum = 0;
        for (size_t i = j + 1 - w; i <= j; i++) sum += x[s->idx[i]];
        double mu = sum / (double)w, tc = 0.5 * (s->t[s->idx[j + 1 - w]] + s->t[s->idx[j]]);
        if (mu >= h) {
            double f = mu > xp ? (h - xp) / (mu - xp) : 1;
            return tp + f * (tc - tp) - s->resp.start;
        }
        tp = tc;
        xp = mu;
    }
    return NAN; /* not reached: the peak's own running mean is >= h */
}

/* Is the cell a responder (1, 0; -1 when it cannot be said: fewer than 2
 * baseline values)?  x: the tested signal of the cell's n records, the
 * response window's nr records at s->idx.
 *
 * The smoothed peak P (highest running mean of w frames) against the
 * baseline mean B: a one-sided t test (df = nb - 1) on
 * (P - B) / (sd sqrt(1/w + 1/nb)) at alpha / npos (npos smoothed points).
 * The union bound over the npos points keeps a flat cell's chance of being
 * called at most alpha, whatever the number of frames (the single highest
 * frame against B + 3 SD called a quarter to a third of flat cells over
 * 80-140 frames).  sd is the larger of the baseline SD and the response
 * window's noise, 1.4826 MAD of the differences of consecutive frames /
 * sqrt 2 (a slow rise or a step hardly moves it): bleaching lowers the
 * signal and raises the relative noise late in a trace, where the
 * baseline's SD would understate it; taking the larger is conservative. */
static int responder(state_t *s, const double *x, size_t n, size_t nr)
{
    double sum = 0, ss = 0;
    size_t nb = 0;
    for (size_t r = 0; r < n; r++)
        if (in_win(&s->base, s->t[r]) && !isnan(x[r])) {
            sum += x[r];
            nb++;
        }
    if (nb < 2) return -1;
    double mu = sum / (double)nb;
    for (size_t r = 0; r < n; r++)
        if (in_win(&s->base, s->t[r]) && !isnan(x[r])) ss += (x[r] - mu) * (x[r] - mu);
    double noise = sqrt(ss / (double)(nb - 1));
    size_t nd = 0;
    for (size_t j = 1; j < nr; j++) {
        double x0 = x[s->idx[j - 1]], x1 = x[s->idx[j]];
        if (!isnan(x0) && !isnan(x1)) s->dif[nd++] = x1 - x0;
    }
    if (nd >= 3) {
        double sd_d = zn_mad(s->dif, nd) / sqrt(2.0);
        if (sd_d > noise) noise = sd_d;
    }
    size_t w, best;
    double peak = NAN;
    size_t npos = smooth_peak(x, s->idx, nr, s->a->smooth, &w, &peak, &best);
    if (!npos) return -1;
    if (!(noise > 0)) return peak > mu; /* a noise-free baseline: any rise is one */
    double z = (peak - mu) / (noise * sqrt(1.0 / (double)w + 1.0 / (double)nb));
    return z > gsl_cdf_tdist_Qinv(s->a->alpha / (double)npos, (double)(nb - 1));
}

static void do_cell(void *arg)
{
    state_t *s = arg;
    const args_t *a = s->a;
    size_t n = s->cell.n;
    if (!n || strcmp(zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_role), "bg") == 0) return;
    if (n > s->cap) {
        size_t c = s->cap;
        zn_grow(&s->t, &c, n, sizeof *s->t);
        c = s->cap;
        zn_grow(&s->idx, &c, n, sizeof *s->idx);
        c = s->cap;
        zn_grow(&s->dif, &c, n, sizeof *s->dif);
        c = s->cap;
        zn_grow(&s->u, &c, n, sizeof *s->u);
        zn_grow(&s->s, &s->cap, n, sizeof *s->s);
    }
    /* zn-calibrate's verdict on the cell (bad_calibration, min_drift,
     * max_drift), and baseline frames below Smin left without a value (a
     * Hill exponent): the baseline mean of the others would be too high */
    const char *badcal = NULL;
    int missing = 0, below = 0;
    static const char *const failed[] = {"bad_calibration", "min_drift", "max_drift"};
    for (size_t r = 0; r < n; r++) {
        s->t[r] = zn_cellbuf_num(&s->cell, s->in, r, s->tr.c_t);
        s->s[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_sig);
        if (s->c_test >= 0) s->u[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_test);
        if (s->c_zflag < 0) continue;
        const char *zf = zn_cellbuf_f(&s->cell, r, (size_t)s->c_zflag);
        for (size_t i = 0; i < 3 && !badcal; i++)
            if (strcmp(zf, failed[i]) == 0) badcal = failed[i];
        if (isnan(s->s[r]) && in_win(&s->base, s->t[r]) && strcmp(zf, "below_min") == 0) below = 1;
    }
    double m[NM];
    for (size_t i = 0; i < NM; i++) m[i] = NAN;
    /* baseline: mean and SD (n - 1) of S in the window */
    double sum = 0;
    size_t nb = 0;
    for (size_t r = 0; r < n; r++)
        if (in_win(&s->base, s->t[r])) {
            if (isnan(s->s[r])) missing = 1;
            else {
                sum += s->s[r];
                nb++;
            }
        }
    if (below) nb = 0; /* withheld: the frames below Smin have no value, the rest would average too high */
    if (nb) {
        double mu = sum / (double)nb, ss = 0;
        for (size_t r = 0; r < n; r++)
            if (in_win(&s->base, s->t[r]) && !isnan(s->s[r])) ss += (s->s[r] - mu) * (s->s[r] - mu);
        m[M_BMEAN] = mu;
        if (nb > 1) m[M_BSD] = sqrt(ss / (double)(nb - 1));
    }
    /* response: the window's records in order; area of S - baseline by
     * trapezoids between consecutive frames of the window that both have a
     * value */
    size_t nr = 0;
    int resp_any = 0;
    double auc = 0;
    long prev = -1;
    for (size_t r = 0; r < n; r++) {
        double t = s->t[r];
        /* the default window starts after the baseline's last frame */
        if (!(s->resp_default ? t > s->resp.start : in_win(&s->resp, t))) continue;
        s->idx[nr++] = r;
        if (isnan(s->s[r])) {
            missing = 1;
            prev = -1;
            continue;
        }
        resp_any = 1;
        if (prev >= 0) auc += 0.5 * (s->s[prev] + s->s[r] - 2 * m[M_BMEAN]) * (t - s->t[prev]);
        prev = (long)r;
    }
    size_t w, best, npos = smooth_peak(s->s, s->idx, nr, a->smooth, &w, &m[M_PEAK], &best);
    int resp = -1;
    if (npos) {
        m[M_AMP] = m[M_PEAK] - m[M_BMEAN];
        m[M_AUC] = isnan(m[M_BMEAN]) ? NAN : auc;
        /* the signal's own baseline must hold too */
        if (nb >= 2 && isfinite(m[M_BMEAN]) && isfinite(m[M_BSD]))
            resp = responder(s, s->c_test >= 0 ? s->u : s->s, n, nr);
        if (resp == 1) {
            m[M_TPEAK] = 0.5 * (s->t[s->idx[best + 1 - w]] + s->t[s->idx[best]]);
            m[M_TTP] = m[M_TPEAK] - s->resp.start;
            m[M_THALF] = half_rise(s, s->s, nr, w, best, m[M_BMEAN], m[M_PEAK]);
        }
    }
    zn_rec *rec = &s->rec;
    size_t k = 0;
    rec->v[k] = zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_sample);
    rec->l[k] = zn_cellbuf_l(&s->cell, 0, (size_t)s->tr.c_sample);
    k++;
    if (s->c_cond >= 0) {
        rec->v[k] = zn_cellbuf_f(&s->cell, 0, (size_t)s->c_cond);
        rec->l[k] = zn_cellbuf_l(&s->cell, 0, (size_t)s->c_cond);
        k++;
    }
    rec->v[k] = zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_cell);
    rec->l[k] = zn_cellbuf_l(&s->cell, 0, (size_t)s->tr.c_cell);
    k++;
    for (size_t i = 0; i < s->nkeep; i++, k++) {
        rec->v[k] = zn_cellbuf_f(&s->cell, 0, (size_t)s->keep[i]);
        rec->l[k] = zn_cellbuf_l(&s->cell, 0, (size_t)s->keep[i]);
    }
    size_t kflag = k + NM + 2 * a->nw + 1;
    zn_rec_set(rec, kflag, "", 0); /* before the numbers: one past the range is flagged overflow */
    rec->flag.n = 0;
    for (size_t i = 0; i < NM; i++) zn_rec_num(rec, k++, m[i]);
    double wmean[MAXW];
    for (size_t j = 0; j < a->nw; j++) {
        double ws = 0;
        size_t wn = 0;
        for (size_t r = 0; r < n; r++)
            if (in_win(&s->win[j], s->t[r]) && !isnan(s->s[r])) {
                ws += s->s[r];
                wn++;
            }
        wmean[j] = wn ? ws / (double)wn : NAN;
        zn_rec_num(rec, k++, wmean[j]);
    }
    /* delta_NAME: the window's mean against the baseline, an unbiased change
     * (amplitude, a maximum over the window, is not: a flat cell's is > 0) */
    for (size_t j = 0; j < a->nw; j++) zn_rec_num(rec, k++, wmean[j] - m[M_BMEAN]);
    zn_rec_set(rec, k++, resp < 0 ? "" : resp ? "1" : "0", resp < 0 ? 0 : 1);
    if (!nb && !below) zn_rec_flag(rec, "no_baseline");
    /* no frame in W at all (the trace ends before it) vs frames without a
     * value (a failed calibration, a lost cell) */
    if (!nr) zn_rec_flag(rec, "no_response_window");
    else if (!resp_any) zn_rec_flag(rec, "no_response_values");
    if (missing) zn_rec_flag(rec, "missing_values");
    if (badcal) zn_rec_flag(rec, badcal);
    if (below) zn_rec_flag(rec, "baseline_below_min");
    zn_rec_write(s->w, rec);
    s->ncell++;
    s->nresp += resp == 1;
}

static void new_segment(void *arg)
{
    state_t *s = arg; /* the reader holds every segment to the first one's columns */
    windows(s);
    head(s);
}

static void run(const args_t *a, zn_in *in)
{
    static state_t s; /* static: reachable if the program exits on bad data */
    s.a = a;
    s.in = in;
    zn_trace_init(&s.tr, in);
    s.sig = a->signal ? a->signal : zn_trace_signal(in);
    if (!s.sig)
        zn_die(ZN_EXIT_DATA, "%s: no signal column (zn_nM, dF_F0, R_R0, R or F); name one with --signal COL",
               in->file);
    s.c_sig = zn_in_need(in, s.sig);
    s.c_cond = zn_in_col(in, "condition");
    s.c_zflag = zn_in_col(in, "zn_flag");
    if (a->keep) s.nkeep = zn_in_collist(in, a->keep, s.keep, 64, "--keep");
    size_t cap = 0;
    s.cols = NULL;
    zn_grow(&s.cols, &cap, 4 + s.nkeep + NM + 2 * a->nw + 2, sizeof *s.cols);
    s.cols[s.ncols++] = zn_strdup("sample");
    if (s.c_cond >= 0) s.cols[s.ncols++] = zn_strdup("condition");
    s.cols[s.ncols++] = zn_strdup("cell");
    for (size_t i = 0; i < s.nkeep; i++) s.cols[s.ncols++] = zn_strdup(in->cols[s.keep[i]]);
    for (size_t i = 0; i < NM; i++) s.cols[s.ncols++] = zn_strdup(mname[i]);
    windows(&s);
    for (size_t i = 0; i < a->nw; i++) s.cols[s.ncols++] = zn_asprintf("mean_%s", s.win[i].name);
    for (size_t i = 0; i < a->nw; i++) s.cols[s.ncols++] = zn_asprintf("delta_%s", s.win[i].name);
    s.cols[s.ncols++] = zn_strdup("responder");
    s.cols[s.ncols++] = zn_strdup("flag");
    for (size_t i = 1; i < s.ncols; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(s.cols[i], s.cols[j]) == 0) zn_usage_error("column '%s' would appear twice", s.cols[i]);
    zn_cols oc = {.cols = s.cols, .n = s.ncols, .nin = 0};
    zn_rec_init(&s.rec, &oc, s.ncols - 1);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    zn_trace_cells(&s.tr, &s.cell, &a->o, do_cell, new_segment, &s);
    if (!s.ncell) zn_warn("no cells in the input (only background ROIs?)");
    zn_opt_close_out(s.w);
    free_windows(&s);
    for (size_t i = 0; i < s.ncols; i++) free(s.cols[i]);
    free(s.cols);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.cell);
    zn_trace_free(&s.tr);
    free(s.t);
    free(s.s);
    free(s.idx);
    free(s.dif);
    free(s.u);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.smooth = 5;
    a.alpha = 0.05;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"baseline", required_argument, 0, OPT_BASELINE},
                                          {"response", required_argument, 0, OPT_RESPONSE},
                                          {"window", required_argument, 0, OPT_WINDOW},
                                          {"k", required_argument, 0, 'k'},
                                          {"smooth", required_argument, 0, OPT_SMOOTH},
                                          {"alpha", required_argument, 0, OPT_ALPHA},
                                          {"keep", required_argument, 0, OPT_KEEP},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "k:", lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_BASELINE: a.baseline = optarg; break;
        case OPT_RESPONSE: a.response = optarg; break;
        case OPT_WINDOW:
            if (a.nw == MAXW) zn_usage_error("--window: at most %d windows", MAXW);
            if (!*optarg || *optarg == '=') zn_usage_error("--window: \"%s\" has no name (NAME or NAME=START:END)", optarg);
            a.wspec[a.nw++] = optarg;
            break;
        case 'k':
            zn_usage_error("-k (a single frame above baseline + k SD) is gone: its false-responder rate grew with "
                           "the number of frames; give --alpha (default 0.05) and --smooth (default 5)");
        case OPT_SMOOTH: {
            double x = zn_opt_pos("--smooth", optarg);
            if (x != floor(x) || x > 1e6)
                zn_usage_error("--smooth: \"%s\" is not a number of frames (1, 2, ...)", optarg);
            a.smooth = (size_t)x;
            break;
        }
        case OPT_ALPHA:
            a.alpha = zn_opt_pos("--alpha", optarg);
            if (!(a.alpha < 1)) zn_usage_error("--alpha: %s is not below 1 (a probability, e.g. 0.05)", optarg);
            break;
        case OPT_KEEP: a.keep = optarg; break;
        default: zn_usage_error("unknown option");
        }
    }
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    zn_opt_free(&a.o);
    return 0;
}
