/* zn-metrics - per-cell response metrics from a trace stream: baseline,
 * peak, time to peak, amplitude, area under the curve, window means and
 * responders; one record per cell (schema metrics), memory for one cell. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-metrics [OPTIONS] [FILE...]\n"
    "Response metrics of every cell of a trace stream, one record per cell\n"
    "(schema metrics): baseline_mean, baseline_sd, peak, t_peak, time_to_peak,\n"
    "amplitude = peak - baseline_mean, auc = integral of (S - baseline_mean) dt\n"
    "over the response window (trapezoids), mean_NAME per --window, and\n"
    "responder = 1 when amplitude > k * baseline_sd.\n"
    "\n"
    "      --signal COL      the column S (default: zn_pM/zn_nM/zn_uM when the trace\n"
    "                        is calibrated, else dF_F0, R_R0, R, F)\n"
    "      --baseline S:E    baseline window, seconds of t (default ##window=baseline)\n"
    "      --response S:E    where the peak is looked for and the area taken (default\n"
    "                        ##window=response, else from the end of the baseline up\n"
    "                        to the first calibration window (max, min) or the end)\n"
    "      --window NAME[=S:E]  also the mean of S over this window (from the meta\n"
    "                        when no range is given); repeatable -> mean_NAME\n"
    "  -k, --k K             responder threshold in baseline SDs (default 3)\n"
    "      --keep COLS       also keep these per-cell columns (comma list; the\n"
    "                        first record's value)\n";

enum { OPT_SIGNAL = ZN_OPT_FIRST_OWN, OPT_BASELINE, OPT_RESPONSE, OPT_WINDOW, OPT_KEEP };

#define MAXW 32

typedef struct {
    zn_opt o;
    const char *signal, *baseline, *response, *keep;
    const char *wspec[MAXW];
    size_t nw;
    double k;
} args_t;

enum { M_BMEAN, M_BSD, M_PEAK, M_TPEAK, M_TTP, M_AMP, M_AUC, NM };
static const char *const mname[NM] = {"baseline_mean", "baseline_sd", "peak", "t_peak", "time_to_peak", "amplitude",
                                      "auc"};

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_wr *w;
    const char *sig;
    int c_sig, c_cond, c_zflag;
    int keep[64];
    size_t nkeep;
    zn_window base, resp;
    int resp_default;
    zn_window win[MAXW];
    char **cols;
    size_t ncols;
    zn_rec rec;
    zn_cellbuf cell;
    double *t, *s;
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
    if (!zn_window_get(m, "baseline", a->baseline, "--baseline", &s->base))
        zn_die(ZN_EXIT_DATA, "%s: no baseline window: the meta has no ##window=baseline; give --baseline START:END",
               s->in->file);
    s->resp_default = !zn_window_get(m, "response", a->response, "--response", &s->resp);
    if (s->resp_default) {
        s->resp.name = zn_strdup("response");
        s->resp.start = s->base.end;
        s->resp.end = INFINITY;
        static const char *const cal[] = {"max", "min"};
        for (size_t i = 0; i < 2; i++) {
            zn_window c;
            int k = zn_meta_window(m, cal[i], &c, err, sizeof err);
            if (k < 0) zn_die(ZN_EXIT_DATA, "%s: %s", s->in->file, err);
            if (k == 0) continue;
            if (c.start > s->base.end && c.start < s->resp.end) s->resp.end = c.start;
            free(c.name);
        }
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
    zn_fmt_double(kx, a->k);
    zn_buf_addf(&b, "signal=%s;baseline=%s:%s;response=", s->sig, x, y);
    zn_fmt_double(x, s->resp.start);
    if (isinf(s->resp.end)) snprintf(y, sizeof y, "end");
    else zn_fmt_double(y, s->resp.end);
    zn_buf_addf(&b, "%s:%s;k=%s", x, y, kx);
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
    if (strcmp(u, "1") == 0) zn_meta_add(&m, "unit.auc=s");
    else zn_meta_addf(&m, "unit.auc=%s*s", u);
    for (size_t i = 0; i < a->nw; i++) zn_meta_addf(&m, "unit.mean_%s=%s", s->win[i].name, u);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols, s->ncols);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

static int in_win(const zn_window *w, double t) { return t >= w->start && t <= w->end; }

static void do_cell(void *arg)
{
    state_t *s = arg;
    const args_t *a = s->a;
    size_t n = s->cell.n;
    if (!n || strcmp(zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_role), "bg") == 0) return;
    if (n > s->cap) {
        size_t c = s->cap;
        zn_grow(&s->t, &c, n, sizeof *s->t);
        zn_grow(&s->s, &s->cap, n, sizeof *s->s);
    }
    int badcal = 0, missing = 0;
    for (size_t r = 0; r < n; r++) {
        s->t[r] = zn_cellbuf_num(&s->cell, s->in, r, s->tr.c_t);
        s->s[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_sig);
        if (s->c_zflag >= 0 && !badcal && strcmp(zn_cellbuf_f(&s->cell, r, (size_t)s->c_zflag), "bad_calibration") == 0)
            badcal = 1;
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
    if (nb) {
        double mu = sum / (double)nb, ss = 0;
        for (size_t r = 0; r < n; r++)
            if (in_win(&s->base, s->t[r]) && !isnan(s->s[r])) ss += (s->s[r] - mu) * (s->s[r] - mu);
        m[M_BMEAN] = mu;
        if (nb > 1) m[M_BSD] = sqrt(ss / (double)(nb - 1));
    }
    /* response: peak, its time, area of S - baseline by trapezoids between
     * consecutive frames of the window that both have a value */
    int resp_any = 0;
    double auc = 0;
    long prev = -1;
    for (size_t r = 0; r < n; r++) {
        double t = s->t[r];
        int inside = s->resp_default ? t > s->resp.start && t < s->resp.end : in_win(&s->resp, t);
        if (!inside) continue;
        if (isnan(s->s[r])) {
            missing = 1;
            prev = -1;
            continue;
        }
        if (!resp_any || s->s[r] > m[M_PEAK]) {
            m[M_PEAK] = s->s[r];
            m[M_TPEAK] = t;
        }
        resp_any = 1;
        if (prev >= 0) auc += 0.5 * (s->s[prev] + s->s[r] - 2 * m[M_BMEAN]) * (t - s->t[prev]);
        prev = (long)r;
    }
    if (resp_any) {
        m[M_TTP] = m[M_TPEAK] - s->resp.start;
        m[M_AMP] = m[M_PEAK] - m[M_BMEAN];
        m[M_AUC] = isnan(m[M_BMEAN]) ? NAN : auc;
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
    for (size_t i = 0; i < NM; i++) zn_rec_num(rec, k++, m[i]);
    for (size_t j = 0; j < a->nw; j++) {
        double ws = 0;
        size_t wn = 0;
        for (size_t r = 0; r < n; r++)
            if (in_win(&s->win[j], s->t[r]) && !isnan(s->s[r])) {
                ws += s->s[r];
                wn++;
            }
        zn_rec_num(rec, k++, wn ? ws / (double)wn : NAN);
    }
    int resp = -1;
    if (!isnan(m[M_AMP]) && !isnan(m[M_BSD])) resp = m[M_AMP] > a->k * m[M_BSD];
    zn_rec_set(rec, k++, resp < 0 ? "" : resp ? "1" : "0", resp < 0 ? 0 : 1);
    zn_rec_set(rec, k, "", 0);
    rec->flag.n = 0;
    if (!nb) zn_rec_flag(rec, "no_baseline");
    if (!resp_any) zn_rec_flag(rec, "no_response_window");
    if (missing) zn_rec_flag(rec, "missing_values");
    if (badcal) zn_rec_flag(rec, "bad_calibration");
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
    zn_grow(&s.cols, &cap, 4 + s.nkeep + NM + a->nw + 2, sizeof *s.cols);
    s.cols[s.ncols++] = zn_strdup("sample");
    if (s.c_cond >= 0) s.cols[s.ncols++] = zn_strdup("condition");
    s.cols[s.ncols++] = zn_strdup("cell");
    for (size_t i = 0; i < s.nkeep; i++) s.cols[s.ncols++] = zn_strdup(in->cols[s.keep[i]]);
    for (size_t i = 0; i < NM; i++) s.cols[s.ncols++] = zn_strdup(mname[i]);
    windows(&s);
    for (size_t i = 0; i < a->nw; i++) s.cols[s.ncols++] = zn_asprintf("mean_%s", s.win[i].name);
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
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.k = 3;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"baseline", required_argument, 0, OPT_BASELINE},
                                          {"response", required_argument, 0, OPT_RESPONSE},
                                          {"window", required_argument, 0, OPT_WINDOW},
                                          {"k", required_argument, 0, 'k'},
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
        case 'k': a.k = zn_opt_pos("--k", optarg); break;
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
