/* zn-report - the end of every pipeline: tables for the terminal, TSV and
 * Markdown, and a self-contained HTML page with SVG figures, from any mix
 * of trace, metrics, uptake, fit and curve streams.  A trace is summarised
 * as it streams by (per condition and frame, per cell, and a fixed-seed
 * sample of single cells), so memory does not grow with its length. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-report [OPTIONS] [FILE...]\n"
    "Tables and figures from ZNR streams of any kind, recognised by their\n"
    "##schema=: trace, metrics, uptake, fit, curve (concatenated or in separate\n"
    "files).  Tables go to standard output (or -o FILE).\n"
    "\n"
    "      --format F        text (aligned, the default), tsv or md (Markdown)\n"
    "      --table NAME      only this table (cells, metrics, tests, uptake, fits,\n"
    "                        fit_stats, context, flags, inputs)\n"
    "      --html FILE       also write a self-contained HTML page with SVG figures\n"
    "      --title TEXT      title of the page (default: znflow report)\n"
    "      --signal COL      trace column to plot (default: zn_pM/zn_nM/zn_uM, else\n"
    "                        dF_F0, R_R0, R, F)\n"
    "      --cells N         single-cell traces and heatmap rows per condition: a\n"
    "                        random sample (fixed seed) of N cells (default 40)\n"
    "  (-l and -u are accepted and ignored: the report is text)\n";

enum { OPT_FORMAT = ZN_OPT_FIRST_OWN, OPT_TABLE, OPT_HTML, OPT_TITLE, OPT_SIGNAL, OPT_CELLS };
enum { FMT_TEXT, FMT_TSV, FMT_MD };

typedef struct {
    zn_opt o;
    int format;
    const char *table, *html, *title, *signal;
    size_t ncells;
} args_t;

/* ------------------------------------------------------------ report tables */
typedef struct {
    char *s;  /* NULL: a number */
    double v; /* NaN: empty */
} rcell;

typedef struct {
    const char *name, *title;
    size_t ncol;
    char **hdr;
    rcell *c;
    size_t n, cap; /* cells */
} rtab;

static void rtab_init(rtab *t, const char *name, const char *title, const char *cols)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->title = title;
    char *copy = zn_strdup(cols), *save = NULL;
    size_t cap = 0;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        zn_grow(&t->hdr, &cap, t->ncol + 1, sizeof *t->hdr);
        t->hdr[t->ncol++] = zn_strdup(p);
    }
    free(copy);
}

static rcell *rtab_next(rtab *t)
{
    zn_grow(&t->c, &t->cap, t->n + 1, sizeof *t->c);
    return &t->c[t->n++];
}
static void rtab_s(rtab *t, const char *s) { rtab_next(t)->s = zn_strdup(s ? s : ""); }
static void rtab_sf(rtab *t, char *s) { rtab_next(t)->s = s; } /* takes s */
static void rtab_n(rtab *t, double v)
{
    rcell *c = rtab_next(t);
    c->s = NULL;
    c->v = v;
}
static size_t rtab_rows(const rtab *t) { return t->ncol ? t->n / t->ncol : 0; }

static void rtab_free(rtab *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->c[i].s);
    for (size_t i = 0; i < t->ncol; i++) free(t->hdr[i]);
    free(t->c);
    free(t->hdr);
}

/* a cell as text: numbers in full (round trip) for TSV, 4 significant
 * digits for reading */
static const char *cell_text(const rcell *c, int full, char buf[48])
{
    if (c->s) return c->s;
    if (isnan(c->v)) return "";
    if (full) zn_fmt_double(buf, c->v);
    else if (c->v != 0 && (fabs(c->v) >= 1e6 || fabs(c->v) < 1e-3)) snprintf(buf, 48, "%.3e", c->v);
    else snprintf(buf, 48, "%.4g", c->v);
    return buf;
}

static void rtab_print(const rtab *t, int fmt, zn_buf *b)
{
    size_t nr = rtab_rows(t), nc = t->ncol;
    char buf[48];
    if (fmt == FMT_TSV) {
        zn_buf_addf(b, "## %s\n", t->name);
        for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%s", j ? "\t" : "", t->hdr[j]);
        zn_buf_addc(b, '\n');
        for (size_t i = 0; i < nr; i++) {
            for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%s", j ? "\t" : "", cell_text(&t->c[i * nc + j], 1, buf));
            zn_buf_addc(b, '\n');
        }
        return;
    }
    if (fmt == FMT_MD) {
        zn_buf_addf(b, "### %s\n\n|", t->title);
        for (size_t j = 0; j < nc; j++) zn_buf_addf(b, " %s |", t->hdr[j]);
        zn_buf_adds(b, "\n|");
        for (size_t j = 0; j < nc; j++) zn_buf_adds(b, t->c && !t->c[j].s ? " ---: |" : " --- |");
        zn_buf_addc(b, '\n');
        for (size_t i = 0; i < nr; i++) {
            zn_buf_addc(b, '|');
            for (size_t j = 0; j < nc; j++) {
                zn_buf_addc(b, ' ');
                for (const char *p = cell_text(&t->c[i * nc + j], 0, buf); *p; p++) {
                    if (*p == '|') zn_buf_addc(b, '\\');
                    zn_buf_addc(b, *p);
                }
                zn_buf_adds(b, " |");
            }
            zn_buf_addc(b, '\n');
        }
        return;
    }
    size_t *w = zn_calloc(nc, sizeof *w);
    for (size_t j = 0; j < nc; j++) w[j] = strlen(t->hdr[j]);
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            size_t l = strlen(cell_text(&t->c[i * nc + j], 0, buf));
            if (l > w[j]) w[j] = l;
        }
    zn_buf_addf(b, "%s\n", t->title);
    for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%-*s", j ? "  " : "", (int)w[j], t->hdr[j]);
    zn_buf_addc(b, '\n');
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            const rcell *c = &t->c[i * nc + j];
            zn_buf_addf(b, "%s%*s", j ? "  " : "", c->s ? -(int)w[j] : (int)w[j], cell_text(c, 0, buf));
        }
        zn_buf_addc(b, '\n');
    }
    free(w);
}

/* ------------------------------------------------------------ stored streams */
/* metrics, uptake, fit and curve streams are small: kept whole */
typedef struct {
    char *schema, *header, *file;
    zn_meta meta;
    char **cols;
    size_t ncols;
    char **f; /* nrow * ncols */
    size_t nrow, cap;
} stab;

static int stab_col(const stab *s, const char *name)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i], name) == 0) return (int)i;
    return -1;
}
static const char *stab_f(const stab *s, size_t r, int c) { return c < 0 ? "" : s->f[r * s->ncols + (size_t)c]; }
static double stab_num(const stab *s, size_t r, int c)
{
    const char *f = stab_f(s, r, c);
    double x;
    return zn_parse_double(f, strlen(f), &x) == ZN_NUM_OK ? x : NAN;
}

/* one input segment, for provenance */
typedef struct {
    char *file, *schema, *pg;
    long nrec;
} input_t;

/* ------------------------------------------------------------ traces */
enum { ZF_OK, ZF_BELOW, ZF_ABOVE, ZF_BAD, ZF_NOSIG, ZF_OTHER };

typedef struct {
    char *sample, *cell;
    size_t cond;
    double cmin, cmax, base;
    long nrec, nz[ZF_OTHER + 1];
} cellsum_t;

typedef struct {
    double *t, *v;
    long *frame;
    size_t n;
    char *label;
} sampled_t;

typedef struct {
    char *name;
    /* by frame: values n, sum, sum of squares; times n, sum */
    double *n, *s, *ss, *tn, *ts;
    size_t nf, cap;
    long seen; /* cells */
    sampled_t *res;
    size_t nres;
} cond_t;

typedef struct {
    const args_t *a;
    /* inputs */
    input_t *inputs;
    size_t ninputs, icap;
    stab *tabs;
    size_t ntabs, tcap;
    /* traces */
    int have_trace, have_zflag, have_cal;
    char *signal, *sig_unit, *cal_name, *compartment;
    zn_window *win;
    size_t nwin;
    cond_t *conds;
    size_t nconds, ccap;
    zn_dict cdict;
    cellsum_t *cells;
    size_t ncells, cellcap;
    long ntrace_rec;
    uint64_t rng;
    /* the current cell */
    int cur_on;
    long cur_slot; /* its place in the sample, -1: not sampled */
    cellsum_t cur;
    double *ct, *cv, bsum;
    long *cf, bn;
    size_t cn, ccap2;
} rep_t;

static uint64_t next_rand(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t cond_index(rep_t *R, const char *name)
{
    size_t i = zn_dict_get(&R->cdict, name);
    if (i != (size_t)-1) return i;
    zn_grow(&R->conds, &R->ccap, R->nconds + 1, sizeof *R->conds);
    cond_t *c = &R->conds[R->nconds];
    memset(c, 0, sizeof *c);
    c->name = zn_strdup(name);
    c->res = zn_calloc(R->a->ncells ? R->a->ncells : 1, sizeof *c->res);
    zn_dict_put(&R->cdict, name, R->nconds);
    return R->nconds++;
}

/* Reservoir sampling of single cells: decided when a cell starts (the
 * choice does not depend on its values), so only a chosen cell is kept. */
static long pick_slot(rep_t *R, cond_t *c)
{
    size_t K = R->a->ncells;
    c->seen++;
    if (!K) return -1;
    if (c->nres < K) return (long)c->nres++;
    uint64_t j = next_rand(&R->rng) % (uint64_t)c->seen;
    return j < K ? (long)j : -1;
}

static void finish_cell(rep_t *R)
{
    if (!R->cur_on) return;
    R->cur_on = 0;
    R->cur.base = R->bn ? R->bsum / (double)R->bn : NAN;
    zn_grow(&R->cells, &R->cellcap, R->ncells + 1, sizeof *R->cells);
    R->cells[R->ncells++] = R->cur;
    if (R->cur_slot < 0) return;
    sampled_t *s = &R->conds[R->cur.cond].res[R->cur_slot];
    free(s->t);
    free(s->v);
    free(s->frame);
    free(s->label);
    size_t n = R->cn ? R->cn : 1;
    s->n = R->cn;
    s->t = zn_malloc(n * sizeof *s->t);
    s->v = zn_malloc(n * sizeof *s->v);
    s->frame = zn_malloc(n * sizeof *s->frame);
    memcpy(s->t, R->ct, R->cn * sizeof *s->t);
    memcpy(s->v, R->cv, R->cn * sizeof *s->v);
    memcpy(s->frame, R->cf, R->cn * sizeof *s->frame);
    s->label = zn_asprintf("%s %s", R->cur.sample, R->cur.cell);
}

static int zflag_kind(const char *f)
{
    static const char *const k[] = {"ok", "below_min", "above_max", "bad_calibration", "no_signal"};
    for (int i = 0; i < ZF_OTHER; i++)
        if (strcmp(f, k[i]) == 0) return i;
    return ZF_OTHER;
}

static void grow_frames(cond_t *c, size_t need)
{
    if (need <= c->cap) return;
    size_t cap = c->cap;
    zn_grow(&c->n, &cap, need, sizeof *c->n);
    double **arr[] = {&c->s, &c->ss, &c->tn, &c->ts};
    for (size_t i = 0; i < 4; i++) {
        *arr[i] = zn_realloc(*arr[i], cap * sizeof **arr[i]);
    }
    for (size_t i = c->cap; i < cap; i++) c->n[i] = c->s[i] = c->ss[i] = c->tn[i] = c->ts[i] = 0;
    c->cap = cap;
}

/* read the records of one trace segment (until the next segment or the end) */
static int read_trace(rep_t *R, zn_in *in)
{
    const args_t *a = R->a;
    zn_trace tr;
    zn_trace_init(&tr, in);
    const char *sig = a->signal ? a->signal : zn_trace_signal(in);
    if (!sig) zn_die(ZN_EXIT_DATA, "%s: no signal column to plot (zn_nM, dF_F0, R_R0, R, F); give --signal COL", in->file);
    if (!R->signal) {
        R->signal = zn_strdup(sig);
        R->sig_unit = zn_strdup(zn_signal_unit(&in->meta, sig));
    } else if (strcmp(R->signal, sig) != 0)
        zn_die(ZN_EXIT_DATA, "%s: this trace's signal is %s, an earlier one's %s: give --signal COL for both",
               in->file, sig, R->signal);
    int c_sig = zn_in_need(in, sig), c_cond = zn_in_col(in, "condition"), c_zf = zn_in_col(in, "zn_flag");
    int c_min = zn_in_col(in, "Fmin"), c_max = zn_in_col(in, "Fmax");
    if (c_min < 0) {
        c_min = zn_in_col(in, "Rmin");
        c_max = zn_in_col(in, "Rmax");
        if (c_min >= 0 && !R->cal_name) R->cal_name = zn_strdup("R");
    } else if (!R->cal_name)
        R->cal_name = zn_strdup("F");
    if (c_zf >= 0) R->have_zflag = 1;
    if (c_min >= 0 && c_max >= 0) R->have_cal = 1;
    R->have_trace = 1;
    /* windows: the first trace's, and any new names later */
    for (size_t i = 0; i < in->meta.n; i++) {
        if (strncmp(in->meta.v[i], "window=", 7)) continue;
        zn_window w;
        char err[256];
        if (zn_window_parse(in->meta.v[i] + 7, &w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
        size_t j;
        for (j = 0; j < R->nwin; j++)
            if (strcmp(R->win[j].name, w.name) == 0) break;
        if (j < R->nwin) {
            free(w.name);
            continue;
        }
        R->win = zn_realloc(R->win, (R->nwin + 1) * sizeof *R->win);
        R->win[R->nwin++] = w;
    }
    const char *comp = zn_meta_get(&in->meta, "compartment");
    if (comp && !R->compartment) R->compartment = zn_strdup(comp);
    zn_window base = {0};
    int have_base = zn_meta_window(&in->meta, "baseline", &base, (char[256]){0}, 256) == 1;
    int k;
    long nrec = 0;
    while ((k = zn_in_next(in)) == ZN_REC) {
        zn_trace_rec(&tr);
        zn_progress(&a->o, R->ntrace_rec + ++nrec, 0);
        if (tr.new_cell) {
            finish_cell(R);
            if (!tr.bg) {
                const char *cn = c_cond >= 0 && in->fl[c_cond] ? in->f[c_cond] : in->f[tr.c_sample];
                memset(&R->cur, 0, sizeof R->cur);
                R->cur.cond = cond_index(R, cn);
                R->cur.sample = zn_strdup(in->f[tr.c_sample]);
                R->cur.cell = zn_strdup(in->f[tr.c_cell]);
                R->cur.cmin = R->cur.cmax = NAN;
                R->cur_on = 1;
                R->cur_slot = pick_slot(R, &R->conds[R->cur.cond]);
                R->cn = 0;
                R->bsum = 0;
                R->bn = 0;
            }
        }
        if (tr.bg) continue;
        cellsum_t *cs = &R->cur;
        double v;
        if (zn_in_num(in, c_sig, &v) == ZN_NUM_EMPTY) v = NAN;
        cs->nrec++;
        if (c_zf >= 0) cs->nz[zflag_kind(in->f[c_zf])]++;
        if (c_min >= 0 && isnan(cs->cmin)) {
            double x, y;
            if (zn_in_num(in, c_min, &x) == ZN_NUM_OK && zn_in_num(in, c_max, &y) == ZN_NUM_OK) {
                cs->cmin = x;
                cs->cmax = y;
            }
        }
        cond_t *c = &R->conds[cs->cond];
        size_t f = (size_t)tr.frame;
        grow_frames(c, f + 1);
        if (f + 1 > c->nf) c->nf = f + 1;
        c->tn[f]++;
        c->ts[f] += tr.t;
        if (!isnan(v)) {
            c->n[f]++;
            c->s[f] += v;
            c->ss[f] += v * v;
            if (have_base && tr.t >= base.start && tr.t <= base.end) {
                R->bsum += v;
                R->bn++;
            }
        }
        if (R->cur_slot >= 0) { /* a sampled cell: its values are kept */
            if (R->cn == R->ccap2) {
                size_t cap = R->ccap2;
                zn_grow(&R->ct, &cap, R->cn + 1, sizeof *R->ct);
                R->cv = zn_realloc(R->cv, cap * sizeof *R->cv);
                R->cf = zn_realloc(R->cf, cap * sizeof *R->cf);
                R->ccap2 = cap;
            }
            R->ct[R->cn] = tr.t;
            R->cv[R->cn] = v;
            R->cf[R->cn] = tr.frame;
            R->cn++;
        }
    }
    finish_cell(R);
    if (have_base) free(base.name);
    R->ntrace_rec += nrec;
    zn_trace_free(&tr);
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    return k;
}

/* keep a small stream whole (records appended to an earlier one of the
 * same schema and columns) */
static int read_table(rep_t *R, zn_in *in, const char *schema, long *nrec)
{
    stab *s = NULL;
    for (size_t i = 0; i < R->ntabs; i++)
        if (!strcmp(R->tabs[i].schema, schema) && !strcmp(R->tabs[i].header, in->header)) s = &R->tabs[i];
    if (!s) {
        zn_grow(&R->tabs, &R->tcap, R->ntabs + 1, sizeof *R->tabs);
        s = &R->tabs[R->ntabs++];
        memset(s, 0, sizeof *s);
        s->schema = zn_strdup(schema);
        s->header = zn_strdup(in->header);
        s->file = zn_strdup(in->file);
        zn_meta_copy(&s->meta, &in->meta);
        s->ncols = in->ncols;
        s->cols = zn_malloc(in->ncols * sizeof *s->cols);
        for (size_t j = 0; j < in->ncols; j++) s->cols[j] = zn_strdup(in->cols[j]);
    }
    char err[1024];
    if (zn_schema_check(schema, in->cols, in->ncols, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
    int k;
    while ((k = zn_in_next(in)) == ZN_REC) {
        zn_grow(&s->f, &s->cap, (s->nrow + 1) * s->ncols, sizeof *s->f);
        for (size_t j = 0; j < s->ncols; j++) s->f[s->nrow * s->ncols + j] = zn_strndup(in->f[j], in->fl[j]);
        s->nrow++;
        (*nrec)++;
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    return k;
}

static void add_input(rep_t *R, const char *file, const zn_meta *meta, const char *schema, long nrec)
{
    zn_buf pg = {0};
    for (size_t i = 0; i < meta->n; i++)
        if (strncmp(meta->v[i], "pg=", 3) == 0) zn_buf_addf(&pg, "%s%s", pg.n ? "\n" : "", meta->v[i] + 3);
    if (!pg.s) zn_buf_adds(&pg, "");
    if (R->ninputs) {
        input_t *p = &R->inputs[R->ninputs - 1];
        if (!strcmp(p->file, file) && !strcmp(p->schema, schema) && !strcmp(p->pg, pg.s)) {
            p->nrec += nrec;
            zn_buf_free(&pg);
            return;
        }
    }
    zn_grow(&R->inputs, &R->icap, R->ninputs + 1, sizeof *R->inputs);
    input_t *p = &R->inputs[R->ninputs++];
    p->file = zn_strdup(file);
    p->schema = zn_strdup(schema);
    p->pg = pg.s;
    p->nrec = nrec;
}

static void read_all(rep_t *R, zn_in *in)
{
    for (;;) {
        const char *sc = zn_meta_get(&in->meta, "schema");
        if (!sc) zn_die(ZN_EXIT_DATA, "%s: the stream has no ##schema= line: which kind of results is it?", in->file);
        char *schema = zn_strdup(sc);
        zn_meta keep = {0};
        zn_meta_copy(&keep, &in->meta);
        char *file = zn_strdup(in->file);
        long nrec = 0, before = R->ntrace_rec;
        int k;
        if (!strcmp(schema, "trace")) {
            k = read_trace(R, in);
            nrec = R->ntrace_rec - before;
        } else if (!strcmp(schema, "metrics") || !strcmp(schema, "uptake") || !strcmp(schema, "fit") ||
                   !strcmp(schema, "curve"))
            k = read_table(R, in, schema, &nrec);
        else
            zn_die(ZN_EXIT_DATA,
                   "%s: schema '%s' is not one zn-report shows (trace, metrics, uptake, fit, curve)%s", in->file,
                   schema,
                   !strcmp(schema, "counts") || !strcmp(schema, "plate")
                       ? ": instrument records become results with zn-uptake-rate"
                       : "");
        add_input(R, file, &keep, schema, nrec);
        zn_meta_clear(&keep);
        free(keep.v);
        free(file);
        free(schema);
        if (k == ZN_EOF) break;
    }
}

/* ------------------------------------------------------------ literature */
typedef struct {
    char kind[16], names[128], quantity[16], unit[24], note[128], source[160];
    double lo, hi;
} lit_t;

static lit_t *lits;
static size_t nlits;

static void lit_load(void)
{
    char err[256];
    zn_table t = {0};
    if (zn_table_load(&t, zn_literature_table, strlen(zn_literature_table), '\t', err, sizeof err) < 0)
        zn_die(ZN_EXIT_DATA, "the built-in literature table: %s", err);
    lits = zn_calloc(t.n ? t.n : 1, sizeof *lits);
    for (size_t r = 0; r < t.n; r++) {
        const char *k = zn_table_get(&t, r, 0);
        if (!*k || *k == '#') continue;
        lit_t *l = &lits[nlits++];
        snprintf(l->kind, sizeof l->kind, "%s", k);
        snprintf(l->names, sizeof l->names, "%s", zn_table_get(&t, r, 1));
        snprintf(l->quantity, sizeof l->quantity, "%s", zn_table_get(&t, r, 2));
        for (size_t j = 3; j <= 4; j++) {
            const char *v = zn_table_get(&t, r, j);
            double *x = j == 3 ? &l->lo : &l->hi;
            int k = zn_parse_double(v, strlen(v), x);
            if (k == ZN_NUM_EMPTY) *x = NAN;
            else if (k != ZN_NUM_OK)
                zn_die(ZN_EXIT_DATA, "the built-in literature table, line %ld: \"%s\" is not a number", t.rows[r].line, v);
        }
        snprintf(l->unit, sizeof l->unit, "%s", zn_table_get(&t, r, 5));
        snprintf(l->note, sizeof l->note, "%s", zn_table_get(&t, r, 6));
        snprintf(l->source, sizeof l->source, "%s", zn_table_get(&t, r, 7));
    }
    zn_table_free(&t);
}

static int lit_names(const lit_t *l, const char *name)
{
    const char *p = l->names;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (zn_name_eq(p, n, name, strlen(name))) return 1;
        p += n + (e != NULL);
    }
    return 0;
}

/* factor from a rate unit "AMOUNT/mg/TIME" (fmol..mmol; s, min, h) to
 * pmol/mg/min; 0 when it is not one */
static double rate_factor(const char *u)
{
    static const struct { const char *p; double f; } am[] = {{"fmol", 1e-3}, {"pmol", 1}, {"nmol", 1e3},
                                                            {"umol", 1e6}, {"mmol", 1e9}};
    static const struct { const char *p; double f; } tm[] = {{"/mg/s", 60}, {"/mg/min", 1}, {"/mg/h", 1.0 / 60}};
    for (size_t i = 0; i < 5; i++) {
        size_t n = strlen(am[i].p);
        if (strncmp(u, am[i].p, n)) continue;
        for (size_t j = 0; j < 3; j++)
            if (!strcmp(u + n, tm[j].p)) return am[i].f * tm[j].f;
    }
    return 0;
}

/* a published value in the unit of a result: 1 converted, 0 not */
static int lit_convert(const lit_t *l, const char *unit, double *lo, double *hi)
{
    double f = 0;
    if (!strcmp(l->unit, unit)) f = 1;
    else if (zn_conc_unit(l->unit) > 0 && zn_conc_unit(unit) > 0) f = zn_conc_unit(l->unit) / zn_conc_unit(unit);
    else if (rate_factor(l->unit) > 0 && rate_factor(unit) > 0) f = rate_factor(l->unit) / rate_factor(unit);
    if (!(f > 0)) return 0;
    *lo = l->lo * f;
    *hi = l->hi * f;
    return 1;
}

static char *lit_text(const lit_t *l, const char *unit)
{
    double lo, hi;
    int conv = lit_convert(l, unit, &lo, &hi);
    const char *u = conv ? unit : l->unit;
    if (!conv) {
        lo = l->lo;
        hi = l->hi;
    }
    char a[48], b[48];
    snprintf(a, sizeof a, "%.3g", lo);
    snprintf(b, sizeof b, "%.3g", hi);
    if (isnan(lo)) return zn_asprintf("up to %s %s (%s)", b, u, l->note);
    if (isnan(hi)) return zn_asprintf("%s %s (%s)", a, u, l->note);
    return zn_asprintf("%s-%s %s (%s)", a, b, u, l->note);
}

/* ------------------------------------------------------------ building the tables */
enum { T_CELLS, T_METRICS, T_TESTS, T_UPTAKE, T_FITS, T_FITSTATS, T_CONTEXT, T_FLAGS, T_INPUTS, NT };

/* one fitted group, with its points, for tables and figures */
typedef struct {
    char *label;
    size_t row;          /* in the fit table */
    const zn_model *m;
    double p[4];
    double *x, *y, *I; /* points */
    size_t n, cap;
    double *rx, *rI, *rmean, *rsd; /* replicates per (x, I): mean and SD */
    size_t nrep;
    int ok;
} fgroup_t;

typedef struct {
    rep_t *R;
    rtab t[NT];
    /* metrics */
    stab *met;
    size_t nmetric;
    int *mcol;          /* metric columns */
    double **mval;      /* [metric * nconds + cond] values */
    size_t *mlen;
    zn_test *mtest;
    char **mcond;
    size_t nmcond;
    /* kinetics */
    stab *fit, *curve;
    char xcol[64], ycol[64], xunit[32], yunit[32], model[32];
    int *bycol; /* in the fit table */
    size_t nby;
    fgroup_t *g;
    size_t ng;
} out_t;

static stab *find_tab(rep_t *R, const char *schema, size_t *count)
{
    stab *first = NULL;
    *count = 0;
    for (size_t i = 0; i < R->ntabs; i++)
        if (!strcmp(R->tabs[i].schema, schema)) {
            if (!first) first = &R->tabs[i];
            (*count)++;
        }
    return first;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void build_cells(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_CELLS];
    char hdr[400];
    const char *c = R->cal_name ? R->cal_name : "F";
    snprintf(hdr, sizeof hdr,
             "condition,samples,cells,frames,signal,calibrated,bad_calibration,%smin_median,%smax_median,"
             "dynamic_range_median,above_max_pct,below_min_pct",
             c, c);
    rtab_init(t, "cells", "Cells and calibration, per condition", hdr);
    if (!R->have_trace) return;
    double *a = zn_malloc((R->ncells ? R->ncells : 1) * sizeof *a), *b = zn_malloc((R->ncells ? R->ncells : 1) * sizeof *b),
           *d = zn_malloc((R->ncells ? R->ncells : 1) * sizeof *d);
    for (size_t k = 0; k < R->nconds; k++) {
        zn_dict samples = {0};
        size_t n = 0, bad = 0, nc = 0;
        long recs = 0, above = 0, below = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cellsum_t *s = &R->cells[i];
            if (s->cond != k) continue;
            zn_dict_put(&samples, s->sample, 0);
            n++;
            if (s->nz[ZF_BAD]) {
                bad++;
                continue;
            }
            recs += s->nrec;
            above += s->nz[ZF_ABOVE];
            below += s->nz[ZF_BELOW];
            a[nc] = s->cmin;
            b[nc] = s->cmax;
            d[nc] = s->cmin > 0 ? s->cmax / s->cmin : NAN;
            nc++;
        }
        rtab_s(t, R->conds[k].name);
        rtab_n(t, (double)samples.n);
        rtab_n(t, (double)n);
        rtab_n(t, (double)R->conds[k].nf);
        rtab_s(t, R->signal);
        rtab_n(t, R->have_zflag ? (double)(n - bad) : NAN);
        rtab_n(t, R->have_zflag ? (double)bad : NAN);
        rtab_n(t, R->have_cal ? zn_median(a, nc, NULL) : NAN);
        rtab_n(t, R->have_cal ? zn_median(b, nc, NULL) : NAN);
        rtab_n(t, R->have_cal ? zn_median(d, nc, NULL) : NAN);
        rtab_n(t, R->have_zflag && recs ? 100.0 * (double)above / (double)recs : NAN);
        rtab_n(t, R->have_zflag && recs ? 100.0 * (double)below / (double)recs : NAN);
        zn_dict_free(&samples);
    }
    free(a);
    free(b);
    free(d);
}

static const char *meta_unit(const zn_meta *m, const char *col)
{
    const char *u = zn_meta_unit(m, col);
    return u ? u : "";
}

static void build_metrics(out_t *O)
{
    rep_t *R = O->R;
    rtab_init(&O->t[T_METRICS], "metrics", "Response metrics per condition: mean and SEM over cells",
              "metric,condition,n,mean,sem,unit");
    rtab_init(&O->t[T_TESTS], "tests",
              "Tests between conditions (Welch t for two, one-way ANOVA for more), per metric",
              "metric,test,conditions,statistic,df1,df2,p");
    size_t count;
    stab *s = find_tab(R, "metrics", &count);
    if (!s) return;
    if (count > 1) zn_warn("metrics streams with different columns: only the first (%s) is in the report", s->file);
    O->met = s;
    int cc = stab_col(s, "condition"), cs = stab_col(s, "sample");
    zn_dict d = {0};
    size_t *ci = zn_malloc((s->nrow ? s->nrow : 1) * sizeof *ci);
    for (size_t r = 0; r < s->nrow; r++) {
        const char *c = cc >= 0 && *stab_f(s, r, cc) ? stab_f(s, r, cc) : stab_f(s, r, cs);
        size_t k = zn_dict_get(&d, c);
        if (k == (size_t)-1) {
            k = zn_dict_put(&d, c, O->nmcond);
            O->mcond = zn_realloc(O->mcond, (O->nmcond + 1) * sizeof *O->mcond);
            O->mcond[O->nmcond++] = zn_strdup(c);
        }
        ci[r] = k;
    }
    O->mcol = zn_malloc(s->ncols * sizeof *O->mcol);
    for (size_t j = 0; j < s->ncols; j++)
        if (zn_schema_is_numeric("metrics", s->cols[j]) == 1) O->mcol[O->nmetric++] = (int)j;
    size_t K = O->nmcond;
    O->mval = zn_calloc(O->nmetric * K + 1, sizeof *O->mval);
    O->mlen = zn_calloc(O->nmetric * K + 1, sizeof *O->mlen);
    O->mtest = zn_calloc(O->nmetric + 1, sizeof *O->mtest);
    for (size_t m = 0; m < O->nmetric; m++) {
        for (size_t k = 0; k < K; k++) O->mval[m * K + k] = zn_malloc((s->nrow + 1) * sizeof(double));
        for (size_t r = 0; r < s->nrow; r++) {
            double x = stab_num(s, r, O->mcol[m]);
            if (isnan(x)) continue;
            size_t k = ci[r];
            O->mval[m * K + k][O->mlen[m * K + k]++] = x;
        }
        const char *nm = s->cols[O->mcol[m]];
        for (size_t k = 0; k < K; k++) {
            double *v = O->mval[m * K + k];
            size_t n = O->mlen[m * K + k];
            double mu = zn_mean(v, n, NULL), sd = zn_sd(v, n);
            rtab_s(&O->t[T_METRICS], nm);
            rtab_s(&O->t[T_METRICS], O->mcond[k]);
            rtab_n(&O->t[T_METRICS], (double)n);
            rtab_n(&O->t[T_METRICS], mu);
            rtab_n(&O->t[T_METRICS], n > 1 ? sd / sqrt((double)n) : NAN);
            rtab_s(&O->t[T_METRICS], meta_unit(&s->meta, nm));
        }
        zn_test *T = &O->mtest[m];
        T->p = NAN;
        if (K < 2) continue;
        zn_buf cl = {0};
        for (size_t k = 0; k < K; k++) zn_buf_addf(&cl, "%s%s", k ? " vs " : "", O->mcond[k]);
        if (K == 2) zn_welch(O->mval[m * K], O->mlen[m * K], O->mval[m * K + 1], O->mlen[m * K + 1], T);
        else zn_anova1((const double *const *)(O->mval + m * K), O->mlen + m * K, K, T);
        rtab_s(&O->t[T_TESTS], nm);
        rtab_s(&O->t[T_TESTS], K == 2 ? "welch_t" : "anova_F");
        rtab_sf(&O->t[T_TESTS], cl.s);
        rtab_n(&O->t[T_TESTS], T->stat);
        rtab_n(&O->t[T_TESTS], T->df1);
        rtab_n(&O->t[T_TESTS], K == 2 ? NAN : T->df2);
        rtab_n(&O->t[T_TESTS], T->p);
    }
    free(ci);
    zn_dict_free(&d);
}

/* "construct=hZIP4, conc_uM=1" of a fit row (or "all") */
static char *group_label(const stab *f, size_t r, const int *by, size_t nby)
{
    if (!nby) return zn_strdup("all");
    zn_buf b = {0};
    for (size_t i = 0; i < nby; i++) zn_buf_addf(&b, "%s%s=%s", i ? ", " : "", f->cols[by[i]], stab_f(f, r, by[i]));
    return b.s;
}

static int same_value(const char *a, const char *b)
{
    double x, y;
    if (zn_parse_double(a, strlen(a), &x) == ZN_NUM_OK && zn_parse_double(b, strlen(b), &y) == ZN_NUM_OK)
        return x == y;
    return strcmp(a, b) == 0;
}

static const char *fit_meta(const stab *f, const char *key, char *buf, size_t len)
{
    const char *v = zn_meta_get(&f->meta, "fit");
    buf[0] = 0;
    if (!v) return buf;
    char pat[40];
    snprintf(pat, sizeof pat, ":%s=", key);
    const char *p = strstr(v, pat);
    if (!p) return buf;
    p += strlen(pat);
    size_t n = strcspn(p, ":");
    snprintf(buf, len, "%.*s", (int)n, p);
    return buf;
}

static const char *param_unit(const out_t *O, const char *p, char *buf, size_t len)
{
    if (!strcmp(p, "Km") || !strcmp(p, "Khalf") || !strcmp(p, "Ki")) return O->xunit;
    if (!strcmp(p, "Vmax")) return O->yunit;
    if (!strcmp(p, "kd")) {
        snprintf(buf, len, "%s/%s", O->yunit, O->xunit);
        return buf;
    }
    return "1";
}

static void unit_of(const zn_meta *m, const char *col, char *out, size_t len)
{
    const char *u = meta_unit(m, col);
    if (!*u) {
        const char *us = strrchr(col, '_');
        if (us && zn_conc_unit(us + 1) > 0) u = us + 1;
    }
    snprintf(out, len, "%s", u);
}

static void build_kinetics(out_t *O)
{
    rep_t *R = O->R;
    rtab_init(&O->t[T_UPTAKE], "uptake", "Uptake: replicates per concentration (mean and SD)",
              "group,x,inhibitor,n,mean,sd,unit");
    rtab_init(&O->t[T_FITS], "fits", "Fitted parameters with SE and 95% CI, beside published values",
              "group,model,status,parameter,estimate,se,lo,hi,unit,published,source");
    rtab_init(&O->t[T_FITSTATS], "fit_stats", "Goodness of fit and model comparison",
              "group,model,status,n,df,sy_x,r2,aicc,compare,compare_status,daicc,F,F_p,prefer,reason");
    size_t count, ccount;
    O->fit = find_tab(R, "fit", &count);
    O->curve = find_tab(R, "curve", &ccount);
    stab *f = O->fit;
    if (f && count > 1) zn_warn("fit streams with different columns: only the first (%s) is in the report", f->file);
    /* x, y and the model: from the fit's meta, else the uptake defaults */
    snprintf(O->xcol, sizeof O->xcol, "conc_uM");
    snprintf(O->ycol, sizeof O->ycol, "rate");
    if (f) {
        char buf[64];
        if (*fit_meta(f, "x", buf, sizeof buf)) snprintf(O->xcol, sizeof O->xcol, "%s", buf);
        if (*fit_meta(f, "y", buf, sizeof buf)) snprintf(O->ycol, sizeof O->ycol, "%s", buf);
        int cm = stab_col(f, "model");
        O->bycol = zn_malloc((f->ncols + 1) * sizeof *O->bycol);
        for (int j = 0; j < cm; j++) O->bycol[O->nby++] = j;
    }
    /* the groups: fit rows, or without a fit the constructs of the uptake */
    size_t ucount;
    stab *u0 = find_tab(R, "uptake", &ucount);
    unit_of(f ? &f->meta : u0 ? &u0->meta : &(zn_meta){0}, O->xcol, O->xunit, sizeof O->xunit);
    unit_of(f ? &f->meta : u0 ? &u0->meta : &(zn_meta){0}, O->ycol, O->yunit, sizeof O->yunit);
    if (!*O->yunit && u0) unit_of(&u0->meta, O->ycol, O->yunit, sizeof O->yunit);
    const char *gname = NULL;
    size_t ng = f ? f->nrow : 0;
    zn_dict gd = {0};
    char **gval = NULL;
    if (!f && u0) {
        gname = stab_col(u0, "construct") >= 0 ? "construct" : NULL;
        int c = gname ? stab_col(u0, gname) : -1;
        for (size_t i = 0; i < R->ntabs; i++) {
            stab *u = &R->tabs[i];
            if (strcmp(u->schema, "uptake")) continue;
            c = gname ? stab_col(u, gname) : -1;
            for (size_t r = 0; r < u->nrow; r++) {
                const char *v = c >= 0 ? stab_f(u, r, c) : "";
                if (zn_dict_get(&gd, v) == (size_t)-1) {
                    zn_dict_put(&gd, v, ng);
                    gval = zn_realloc(gval, (ng + 1) * sizeof *gval);
                    gval[ng++] = zn_strdup(v);
                }
            }
        }
    }
    O->g = zn_calloc(ng + 1, sizeof *O->g);
    O->ng = ng;
    for (size_t k = 0; k < ng; k++) {
        fgroup_t *g = &O->g[k];
        if (f) {
            g->row = k;
            g->label = group_label(f, k, O->bycol, O->nby);
            g->m = zn_model_find(stab_f(f, k, stab_col(f, "model")));
            g->ok = g->m != NULL;
            for (size_t j = 0; g->m && j < g->m->np; j++) {
                g->p[j] = stab_num(f, k, stab_col(f, g->m->pn[j]));
                if (isnan(g->p[j])) g->ok = 0;
            }
        } else
            g->label = gname ? zn_asprintf("%s=%s", gname, gval[k]) : zn_strdup("all");
        /* the points */
        for (size_t i = 0; i < R->ntabs; i++) {
            stab *u = &R->tabs[i];
            if (strcmp(u->schema, "uptake")) continue;
            int cx = stab_col(u, O->xcol), cy = stab_col(u, O->ycol), cr = stab_col(u, "role");
            int ci = g->m && g->m->needs_i ? stab_col(u, "inhibitor_uM") : -1;
            if (cx < 0 || cy < 0) continue;
            int *uc = zn_malloc((O->nby + 1) * sizeof *uc), okc = 1;
            for (size_t b = 0; b < O->nby; b++) {
                uc[b] = stab_col(u, f->cols[O->bycol[b]]);
                if (uc[b] < 0) okc = 0;
            }
            int cg = gname ? stab_col(u, gname) : -1;
            for (size_t r = 0; okc && r < u->nrow; r++) {
                if (cr >= 0 && *stab_f(u, r, cr) && strcmp(stab_f(u, r, cr), "sample")) continue;
                int match = 1;
                for (size_t b = 0; b < O->nby && match; b++)
                    match = same_value(stab_f(u, r, uc[b]), stab_f(f, k, O->bycol[b]));
                if (!f && gname) match = strcmp(cg >= 0 ? stab_f(u, r, cg) : "", gval[k]) == 0;
                double x = stab_num(u, r, cx), y = stab_num(u, r, cy), I = ci >= 0 ? stab_num(u, r, ci) : 0;
                if (!match || isnan(x) || isnan(y)) continue;
                if (g->n == g->cap) {
                    size_t cap = g->cap;
                    zn_grow(&g->x, &cap, g->n + 1, sizeof *g->x);
                    g->y = zn_realloc(g->y, cap * sizeof *g->y);
                    g->I = zn_realloc(g->I, cap * sizeof *g->I);
                    g->cap = cap;
                }
                g->x[g->n] = x;
                g->y[g->n] = y;
                g->I[g->n] = isnan(I) ? 0 : I;
                g->n++;
            }
            free(uc);
        }
        /* replicates per (x, I) */
        size_t *ord = zn_malloc((g->n + 1) * sizeof *ord);
        for (size_t i = 0; i < g->n; i++) ord[i] = i;
        for (size_t i = 1; i < g->n; i++) /* insertion sort by (I, x): small groups */
            for (size_t j = i; j > 0; j--) {
                size_t p = ord[j - 1], q = ord[j];
                if (g->I[p] < g->I[q] || (g->I[p] == g->I[q] && g->x[p] <= g->x[q])) break;
                ord[j - 1] = q;
                ord[j] = p;
            }
        double *v = zn_malloc((g->n + 1) * sizeof *v);
        size_t rn = g->n + 1;
        g->rx = zn_malloc(rn * sizeof *g->rx);
        g->rI = zn_malloc(rn * sizeof *g->rI);
        g->rmean = zn_malloc(rn * sizeof *g->rmean);
        g->rsd = zn_malloc(rn * sizeof *g->rsd);
        for (size_t i = 0; i < g->n;) {
            size_t j = i, nv = 0, r = g->nrep++;
            while (j < g->n && g->x[ord[j]] == g->x[ord[i]] && g->I[ord[j]] == g->I[ord[i]]) v[nv++] = g->y[ord[j++]];
            g->rx[r] = g->x[ord[i]];
            g->rI[r] = g->I[ord[i]];
            g->rmean[r] = zn_mean(v, nv, NULL);
            g->rsd[r] = zn_sd(v, nv);
            rtab_s(&O->t[T_UPTAKE], g->label);
            rtab_n(&O->t[T_UPTAKE], g->rx[r]);
            rtab_n(&O->t[T_UPTAKE], g->m && g->m->needs_i ? g->rI[r] : NAN);
            rtab_n(&O->t[T_UPTAKE], (double)nv);
            rtab_n(&O->t[T_UPTAKE], g->rmean[r]);
            rtab_n(&O->t[T_UPTAKE], g->rsd[r]);
            rtab_s(&O->t[T_UPTAKE], O->yunit);
            i = j;
        }
        free(v);
        free(ord);
        if (!f) continue;
        /* parameters, beside the literature */
        const char *model = stab_f(f, k, stab_col(f, "model")), *status = stab_f(f, k, stab_col(f, "status"));
        for (size_t j = 0; g->m && j < g->m->np; j++) {
            const char *pn = g->m->pn[j];
            char ub[80], key[64];
            const char *unit = param_unit(O, pn, ub, sizeof ub);
            rtab_s(&O->t[T_FITS], g->label);
            rtab_s(&O->t[T_FITS], model);
            rtab_s(&O->t[T_FITS], status);
            rtab_s(&O->t[T_FITS], pn);
            rtab_n(&O->t[T_FITS], stab_num(f, k, stab_col(f, pn)));
            static const char *const suf[] = {"_se", "_lo", "_hi"};
            for (size_t q = 0; q < 3; q++) {
                snprintf(key, sizeof key, "%s%s", pn, suf[q]);
                rtab_n(&O->t[T_FITS], stab_num(f, k, stab_col(f, key)));
            }
            rtab_s(&O->t[T_FITS], unit);
            zn_buf pub = {0}, src = {0};
            for (size_t l = 0; l < nlits; l++) {
                if (strcmp(lits[l].kind, "transporter") || strcmp(lits[l].quantity, pn)) continue;
                int hit = 0;
                for (size_t b = 0; b < O->nby && !hit; b++) hit = lit_names(&lits[l], stab_f(f, k, O->bycol[b]));
                if (!hit) continue;
                char *t = lit_text(&lits[l], unit);
                zn_buf_addf(&pub, "%s%s", pub.n ? "; " : "", t);
                if (!src.s || !strstr(src.s, lits[l].source)) zn_buf_addf(&src, "%s%s", src.n ? "; " : "", lits[l].source);
                free(t);
            }
            rtab_sf(&O->t[T_FITS], pub.s ? pub.s : zn_strdup(""));
            rtab_sf(&O->t[T_FITS], src.s ? src.s : zn_strdup(""));
        }
        static const char *const st[] = {"n", "df", "sy_x", "r2", "aicc", "compare", "compare_status",
                                         "daicc", "F", "F_p", "prefer", "reason"};
        rtab_s(&O->t[T_FITSTATS], g->label);
        rtab_s(&O->t[T_FITSTATS], model);
        rtab_s(&O->t[T_FITSTATS], status);
        for (size_t q = 0; q < sizeof st / sizeof *st; q++) {
            int c = stab_col(f, st[q]);
            if (c >= 0 && zn_schema_is_numeric("fit", st[q]) == 1) rtab_n(&O->t[T_FITSTATS], stab_num(f, k, c));
            else rtab_s(&O->t[T_FITSTATS], stab_f(f, k, c));
        }
    }
    for (size_t k = 0; gval && k < ng; k++) free(gval[k]);
    free(gval);
    zn_dict_free(&gd);
}

/* free zinc at rest per condition beside the compartment's published value */
static void build_context(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_CONTEXT];
    rtab_init(t, "context", "Free zinc at rest beside published values for the compartment",
              "compartment,condition,cells,baseline_nM_median,published,relation,source");
    const char *comp = R->compartment;
    const char *unit = R->sig_unit;
    if (!comp && O->met) comp = zn_meta_get(&O->met->meta, "compartment");
    const lit_t *L = NULL;
    for (size_t l = 0; comp && l < nlits; l++)
        if (!strcmp(lits[l].kind, "compartment") && lit_names(&lits[l], comp)) L = &lits[l];
    if (!L) return;
    /* the cells' baselines in nM: from metrics when they are on a zn_ column, else the traces' */
    int from_met = 0;
    if (O->met) {
        const char *ms = zn_meta_get(&O->met->meta, "metrics");
        if (ms && !strncmp(ms, "signal=zn_", 10)) {
            from_met = 1;
            unit = meta_unit(&O->met->meta, "baseline_mean");
        }
    }
    double f = unit ? zn_conc_unit(unit) : 0;
    if (!(f > 0)) return; /* not a concentration: nothing to compare */
    double lo, hi;
    lit_convert(L, "nM", &lo, &hi);
    char *pub = lit_text(L, "nM");
    size_t K = from_met ? O->nmcond : R->nconds;
    for (size_t k = 0; k < K; k++) {
        double *v = NULL;
        size_t n = 0;
        if (from_met) {
            size_t m;
            for (m = 0; m < O->nmetric; m++)
                if (!strcmp(O->met->cols[O->mcol[m]], "baseline_mean")) break;
            if (m == O->nmetric) break;
            n = O->mlen[m * O->nmcond + k];
            v = zn_malloc((n + 1) * sizeof *v);
            memcpy(v, O->mval[m * O->nmcond + k], n * sizeof *v);
        } else {
            v = zn_malloc((R->ncells + 1) * sizeof *v);
            for (size_t i = 0; i < R->ncells; i++)
                if (R->cells[i].cond == k && !isnan(R->cells[i].base)) v[n++] = R->cells[i].base;
        }
        for (size_t i = 0; i < n; i++) v[i] *= f;
        double med = zn_median(v, n, NULL);
        free(v);
        rtab_s(t, comp);
        rtab_s(t, from_met ? O->mcond[k] : R->conds[k].name);
        rtab_n(t, (double)n);
        rtab_n(t, med);
        rtab_s(t, pub);
        char rel[96] = "";
        if (!isnan(med)) {
            double ref = isnan(lo) ? hi : lo;
            if (!isnan(lo) && !isnan(hi)) {
                if (med < lo) snprintf(rel, sizeof rel, "below the range (%.3gx its low end)", med / lo);
                else if (med > hi) snprintf(rel, sizeof rel, "above the range (%.3gx its high end)", med / hi);
                else snprintf(rel, sizeof rel, "within the range");
            } else if (isnan(lo))
                snprintf(rel, sizeof rel, med <= hi ? "within (up to the published)" : "above (%.3gx)", med / hi);
            else
                snprintf(rel, sizeof rel, "%.3gx the published value", med / ref);
        }
        rtab_s(t, rel);
        rtab_s(t, L->source);
    }
    free(pub);
}

static void build_flags(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_FLAGS];
    rtab_init(t, "flags", "Flagged cells, wells and fits", "source,where,item,flag,detail");
    for (size_t i = 0; i < R->ncells; i++) {
        const cellsum_t *s = &R->cells[i];
        if (!s->nz[ZF_BAD]) continue;
        rtab_s(t, "trace");
        rtab_s(t, s->sample);
        rtab_s(t, s->cell);
        rtab_s(t, "bad_calibration");
        rtab_sf(t, zn_asprintf("condition %s: no [Zn] for any frame", R->conds[s->cond].name));
    }
    for (size_t i = 0; i < R->ntabs; i++) {
        stab *s = &R->tabs[i];
        int cf = stab_col(s, "flag");
        if (!strcmp(s->schema, "fit")) {
            int cs = stab_col(s, "status"), cr = stab_col(s, "reason"), cm = stab_col(s, "model");
            for (size_t r = 0; r < s->nrow; r++) {
                if (!strcmp(stab_f(s, r, cs), "ok")) continue;
                rtab_s(t, "fit");
                rtab_sf(t, group_label(s, r, O->bycol, s == O->fit ? O->nby : 0));
                rtab_s(t, stab_f(s, r, cm));
                rtab_s(t, stab_f(s, r, cs));
                rtab_s(t, stab_f(s, r, cr));
            }
            continue;
        }
        if (cf < 0) continue;
        int c1 = stab_col(s, "sample"), c2 = stab_col(s, "cell");
        if (!strcmp(s->schema, "uptake")) {
            c1 = stab_col(s, "construct");
            c2 = stab_col(s, "well");
        }
        for (size_t r = 0; r < s->nrow; r++) {
            if (!*stab_f(s, r, cf)) continue;
            rtab_s(t, s->schema);
            rtab_s(t, stab_f(s, r, c1));
            rtab_s(t, stab_f(s, r, c2));
            rtab_s(t, stab_f(s, r, cf));
            rtab_s(t, "");
        }
    }
}

static void build_inputs(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_INPUTS];
    rtab_init(t, "inputs", "Inputs and how they were made", "file,schema,records,made_by");
    for (size_t i = 0; i < R->ninputs; i++) {
        input_t *p = &R->inputs[i];
        zn_buf b = {0};
        for (const char *l = p->pg; *l;) {
            size_t n = strcspn(l, " \n");
            zn_buf_addf(&b, "%s%.*s", b.n ? " | " : "", (int)n, l);
            l = strchr(l, '\n');
            if (!l) break;
            l++;
        }
        rtab_s(t, p->file);
        rtab_s(t, p->schema);
        rtab_n(t, (double)p->nrec);
        rtab_sf(t, b.s ? b.s : zn_strdup(""));
    }
}

/* ------------------------------------------------------------ SVG */
/* Okabe-Ito colours (distinct with colour blindness) with a marker shape
 * and a dash pattern per series, so that greyscale prints keep them apart */
static const char *const colour[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
static const char *const dash[] = {"", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4"};
#define NCOL 7

static void esc(zn_buf *b, const char *s)
{
    for (; *s; s++) switch (*s) {
        case '&': zn_buf_adds(b, "&amp;"); break;
        case '<': zn_buf_adds(b, "&lt;"); break;
        case '>': zn_buf_adds(b, "&gt;"); break;
        case '"': zn_buf_adds(b, "&quot;"); break;
        default: zn_buf_addc(b, *s);
        }
}

typedef struct {
    zn_buf *b;
    double x0, x1, y0, y1, L, T, W, H;
} plot_t;

static double PX(const plot_t *p, double x) { return p->L + (x - p->x0) / (p->x1 - p->x0) * p->W; }
static double PY(const plot_t *p, double y) { return p->T + (1 - (y - p->y0) / (p->y1 - p->y0)) * p->H; }

static double nice_step(double range)
{
    double r = range / 5, m = pow(10, floor(log10(r))), f = r / m;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * m;
}

static void nice_range(double *lo, double *hi)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0, *hi = 1;
    if (!(*hi > *lo)) {
        double d = *lo ? fabs(*lo) * 0.1 : 1;
        *lo -= d;
        *hi += d;
    }
    double st = nice_step(*hi - *lo);
    *lo = floor(*lo / st + 1e-9) * st;
    *hi = ceil(*hi / st - 1e-9) * st;
}

static void svg_open(zn_buf *b, int w, int h, const char *label)
{
    zn_buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                w, h, w, h);
    esc(b, label);
    zn_buf_adds(b, "\">\n");
}

/* frame, ticks, grid and axis labels; x ticks optional (categories) */
static void axes(plot_t *p, const char *title, const char *xlab, const char *ylab, int xticks)
{
    zn_buf *b = p->b;
    zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", p->L,
                p->T, p->W, p->H);
    double st = nice_step(p->y1 - p->y0);
    for (double y = ceil(p->y0 / st - 1e-9) * st; y <= p->y1 + st * 1e-9; y += st) {
        double yy = PY(p, y);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", p->L, p->L + p->W, yy, yy);
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tk\">%g</text>\n", p->L - 4, yy + 4,
                    fabs(y) < st * 1e-6 ? 0 : y);
    }
    if (xticks) {
        st = nice_step(p->x1 - p->x0);
        for (double x = ceil(p->x0 / st - 1e-9) * st; x <= p->x1 + st * 1e-9; x += st) {
            double xx = PX(p, x);
            zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>", xx, xx, p->T + p->H,
                        p->T + p->H + 4);
            zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">%g</text>\n", xx,
                        p->T + p->H + 16, fabs(x) < st * 1e-6 ? 0 : x);
        }
    }
    if (title) {
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"ti\">", p->L, p->T - 8);
        esc(b, title);
        zn_buf_adds(b, "</text>\n");
    }
    if (xlab) {
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"al\">", p->L + p->W / 2, p->T + p->H + 32);
        esc(b, xlab);
        zn_buf_adds(b, "</text>\n");
    }
    if (ylab) {
        zn_buf_addf(b, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\" class=\"al\">", p->L - 44,
                    p->T + p->H / 2);
        esc(b, ylab);
        zn_buf_adds(b, "</text>\n");
    }
}

static void marker(zn_buf *b, int k, double x, double y, double r, int filled)
{
    const char *c = colour[k % NCOL];
    char fill[40];
    snprintf(fill, sizeof fill, "%s", filled ? c : "#fff");
    switch (k % 4) {
    case 0: zn_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\"/>", x, y, r, fill, c); break;
    case 1:
        zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\"/>", x - r, y - r,
                    2 * r, 2 * r, fill, c);
        break;
    case 2:
        zn_buf_addf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" stroke=\"%s\"/>", x, y - 1.2 * r, x + 1.1 * r,
                    y + 0.8 * r, x - 1.1 * r, y + 0.8 * r, fill, c);
        break;
    default:
        zn_buf_addf(b, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" stroke=\"%s\"/>", x, y - 1.3 * r,
                    x + 1.3 * r, y, x, y + 1.3 * r, x - 1.3 * r, y, fill, c);
    }
}

/* a polyline of the finite points; breaks at NaN */
static void polyline(plot_t *p, const double *x, const double *y, size_t n, const char *style)
{
    zn_buf *b = p->b;
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            if (open) zn_buf_addf(b, "\" %s/>\n", style);
            open = 0;
            continue;
        }
        double yy = PY(p, y[i]);
        if (yy < p->T - 2) yy = p->T - 2; /* clipped to the frame */
        if (yy > p->T + p->H + 2) yy = p->T + p->H + 2;
        zn_buf_addf(b, open ? " %.1f,%.1f" : "<polyline fill=\"none\" points=\"%.1f,%.1f", PX(p, x[i]), yy);
        open = 1;
    }
    if (open) zn_buf_addf(b, "\" %s/>\n", style);
}

static void figure_open(zn_buf *b, const char *id)
{
    zn_buf_adds(b, "<figure id=\"");
    esc(b, id);
    zn_buf_adds(b, "\">\n");
}

static void figure_close(zn_buf *b, const char *caption)
{
    zn_buf_adds(b, "<figcaption>");
    esc(b, caption);
    zn_buf_adds(b, "</figcaption></figure>\n");
}

static char *ylabel_signal(const rep_t *R)
{
    if (!strcmp(R->sig_unit, "1")) return zn_strdup(R->signal);
    if (!strncmp(R->signal, "zn_", 3)) return zn_asprintf("free Zn2+ (%s)", R->sig_unit);
    return zn_asprintf("%s (%s)", R->signal, R->sig_unit);
}

static void html_traces(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    /* one y range for all panels: the 1st to 99th percentile of the frame
     * means and the sampled cells' values (a few values near Smax can be
     * huge; lines beyond the range are clipped at the frame) */
    double tmax = 0;
    size_t nall = 0, cap = 0;
    double *all = NULL;
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        for (size_t f = 0; f < c->nf; f++) {
            if (c->tn[f] && c->ts[f] / c->tn[f] > tmax) tmax = c->ts[f] / c->tn[f];
            if (!c->n[f]) continue;
            zn_grow(&all, &cap, nall + 1, sizeof *all);
            all[nall++] = c->s[f] / c->n[f];
        }
        for (size_t i = 0; i < c->nres; i++)
            for (size_t j = 0; j < c->res[i].n; j++) {
                if (isnan(c->res[i].v[j])) continue;
                zn_grow(&all, &cap, nall + 1, sizeof *all);
                all[nall++] = c->res[i].v[j];
            }
    }
    double lo = 0, hi = 1;
    if (nall) {
        qsort(all, nall, sizeof *all, cmp_double);
        lo = all[(size_t)(0.01 * (double)(nall - 1))];
        hi = all[(size_t)ceil(0.99 * (double)(nall - 1))];
    }
    free(all);
    nice_range(&lo, &hi);
    double t0 = 0, t1 = tmax;
    nice_range(&t0, &t1);
    char *ylab = ylabel_signal(R);
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        char id[64];
        snprintf(id, sizeof id, "fig-trace-%zu", k + 1);
        figure_open(b, id);
        char *lab = zn_asprintf("mean trace of %s", c->name);
        svg_open(b, 640, 300, lab);
        free(lab);
        plot_t p = {b, t0, t1, lo, hi, 70, 28, 550, 220};
        zn_buf_addf(b, "<clipPath id=\"clip-%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n"
                        "<g clip-path=\"url(#clip-%s)\">\n", id, p.L, p.T, p.W, p.H, id);
        for (size_t w = 0; w < R->nwin; w++) {
            double a = R->win[w].start < t0 ? t0 : R->win[w].start, e = R->win[w].end > t1 ? t1 : R->win[w].end;
            if (!(e > a)) continue;
            zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#000\" fill-opacity=\"0.07\"/>",
                        PX(&p, a), p.T, PX(&p, e) - PX(&p, a), p.H);
            zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"wl\">", PX(&p, a) + 2, p.T + 11);
            esc(b, R->win[w].name);
            zn_buf_adds(b, "</text>\n");
        }
        char st[160];
        snprintf(st, sizeof st, "stroke=\"%s\" stroke-opacity=\"0.28\" stroke-width=\"0.8\"", colour[k % NCOL]);
        for (size_t i = 0; i < c->nres; i++) polyline(&p, c->res[i].t, c->res[i].v, c->res[i].n, st);
        /* SEM band and mean */
        double *t = zn_malloc((c->nf + 1) * sizeof *t), *m = zn_malloc((c->nf + 1) * sizeof *m),
               *se = zn_malloc((c->nf + 1) * sizeof *se);
        for (size_t f = 0; f < c->nf; f++) {
            t[f] = c->tn[f] ? c->ts[f] / c->tn[f] : NAN;
            m[f] = c->n[f] ? c->s[f] / c->n[f] : NAN;
            double var = c->n[f] > 1 ? (c->ss[f] - c->n[f] * m[f] * m[f]) / (c->n[f] - 1) : NAN;
            se[f] = var > 0 ? sqrt(var / c->n[f]) : 0;
        }
        zn_buf_addf(b, "<path fill=\"%s\" fill-opacity=\"0.3\" stroke=\"none\" d=\"", colour[k % NCOL]);
        int open = 0;
        size_t segstart = 0;
        for (size_t f = 0; f <= c->nf; f++) {
            int good = f < c->nf && isfinite(t[f]) && isfinite(m[f]);
            if (good && !open) {
                open = 1;
                segstart = f;
            }
            if (!good && open) { /* close this run: up the upper edge, back along the lower */
                for (size_t g = segstart; g < f; g++)
                    zn_buf_addf(b, "%s%.1f %.1f", g == segstart ? "M" : "L", PX(&p, t[g]), PY(&p, m[g] + se[g]));
                for (size_t g = f; g-- > segstart;) zn_buf_addf(b, "L%.1f %.1f", PX(&p, t[g]), PY(&p, m[g] - se[g]));
                zn_buf_adds(b, "Z");
                open = 0;
            }
        }
        zn_buf_adds(b, "\"/>\n");
        snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"2\"%s%s%s", colour[k % NCOL], *dash[k % NCOL] ? " stroke-dasharray=\"" : "",
                 dash[k % NCOL], *dash[k % NCOL] ? "\"" : "");
        polyline(&p, t, m, c->nf, st);
        zn_buf_adds(b, "</g>\n");
        free(t);
        free(m);
        free(se);
        char *ti = zn_asprintf("%s: %ld cells", c->name, c->seen);
        axes(&p, ti, "time (s)", ylab, 1);
        free(ti);
        zn_buf_adds(b, "</svg>\n");
        char *cap = zn_asprintf("%s: mean (line) and SEM (band) of %s over all %ld cells, frame by frame; faint lines: %s%zu "
                                "single cells; shaded: the windows of the protocol; y axis: the 1st to 99th percentile of the values, "
                                "lines beyond it clipped.",
                                c->name, R->signal, c->seen, c->nres < (size_t)c->seen ? "a random sample of " : "the ",
                                c->nres);
        figure_close(b, cap);
        free(cap);
    }
    free(ylab);
}

static void viridis(double f, char out[8])
{
    static const unsigned char v[9][3] = {{68, 1, 84},    {71, 45, 123}, {59, 82, 139},  {44, 114, 142}, {33, 145, 140},
                                          {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
    if (!(f >= 0)) f = 0;
    if (f > 1) f = 1;
    double x = f * 8;
    int i = (int)x;
    if (i > 7) i = 7;
    double u = x - i;
    snprintf(out, 8, "#%02x%02x%02x", (int)(v[i][0] + u * (v[i + 1][0] - v[i][0]) + 0.5),
             (int)(v[i][1] + u * (v[i + 1][1] - v[i][1]) + 0.5), (int)(v[i][2] + u * (v[i + 1][2] - v[i][2]) + 0.5));
}

static void html_heatmap(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    size_t rows = 0, nf = 0, nv = 0;
    for (size_t k = 0; k < R->nconds; k++) {
        rows += R->conds[k].nres;
        if (R->conds[k].nf > nf) nf = R->conds[k].nf;
        for (size_t i = 0; i < R->conds[k].nres; i++) nv += R->conds[k].res[i].n;
    }
    if (!rows || !nf) return;
    double *all = zn_malloc((nv + 1) * sizeof *all);
    size_t na = 0;
    for (size_t k = 0; k < R->nconds; k++)
        for (size_t i = 0; i < R->conds[k].nres; i++)
            for (size_t j = 0; j < R->conds[k].res[i].n; j++)
                if (!isnan(R->conds[k].res[i].v[j])) all[na++] = R->conds[k].res[i].v[j];
    qsort(all, na, sizeof *all, cmp_double);
    double lo = na ? all[(size_t)(0.02 * (na - 1))] : 0, hi = na ? all[(size_t)(0.98 * (na - 1))] : 1;
    free(all);
    if (!(hi > lo)) hi = lo + 1;
    size_t nb = nf < 150 ? nf : 150;
    double rh = rows > 120 ? 3 : rows > 60 ? 5 : 8, W = 560, L = 150, T = 30;
    int h = (int)(T + rows * rh + 60);
    figure_open(b, "fig-heatmap");
    svg_open(b, 760, h, "heatmap of cells by time");
    zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"ti\">Cells x time (%s)</text>\n", L, T - 10, R->signal);
    double *sum = zn_malloc(nb * sizeof *sum), *cnt = zn_malloc(nb * sizeof *cnt);
    size_t row = 0;
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        if (!c->nres) continue;
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tk\">", L - 6, T + (row + c->nres / 2.0) * rh + 4);
        esc(b, c->name);
        zn_buf_addf(b, " (%zu)</text>\n", c->nres);
        for (size_t i = 0; i < c->nres; i++, row++) {
            const sampled_t *s = &c->res[i];
            for (size_t j = 0; j < nb; j++) sum[j] = cnt[j] = 0;
            for (size_t j = 0; j < s->n; j++) {
                if (isnan(s->v[j])) continue;
                size_t bin = (size_t)s->frame[j] * nb / nf;
                if (bin >= nb) bin = nb - 1;
                sum[bin] += s->v[j];
                cnt[bin]++;
            }
            for (size_t j = 0; j < nb; j++) {
                char col[8] = "#dddddd";
                if (cnt[j]) viridis((sum[j] / cnt[j] - lo) / (hi - lo), col);
                zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>", L + j * W / nb,
                            T + row * rh, W / nb + 0.3, rh, col);
            }
            zn_buf_addc(b, '\n');
        }
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#fff\" stroke-width=\"2\"/>\n", L, L + W,
                    T + row * rh, T + row * rh);
    }
    free(sum);
    free(cnt);
    /* colour bar */
    double y = T + rows * rh + 14;
    for (int i = 0; i < 50; i++) {
        char col[8];
        viridis(i / 49.0, col);
        zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"4.2\" height=\"10\" fill=\"%s\"/>", L + i * 4, y, col);
    }
    zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%.3g</text><text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%.3g %s</text>",
                L, y + 24, lo, L + 190, y + 24, hi, strcmp(R->sig_unit, "1") ? R->sig_unit : "");
    zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tk\">frame 0 .. %zu: left to right; grey: no value</text>\n</svg>\n", L + 260,
                y + 9, nf - 1);
    figure_close(b, "Each row one cell (the sampled cells, grouped by condition), each column a time bin; colour "
                    "(viridis, light = high) from the 2nd to the 98th percentile of the values shown.");
}

static void html_calibration(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    if (!R->have_cal && !R->have_zflag) return;
    double hi = 0;
    for (size_t i = 0; i < R->ncells; i++) {
        double d = R->cells[i].cmin > 0 ? R->cells[i].cmax / R->cells[i].cmin : NAN;
        if (d > hi) hi = d;
    }
    double lo = 0;
    nice_range(&lo, &hi);
    int w = (int)(120 + 110 * R->nconds);
    figure_open(b, "fig-calibration");
    svg_open(b, w, 300, "calibration quality per cell");
    plot_t p = {b, 0, (double)R->nconds, lo, hi, 70, 28, w - 90.0, 210};
    char yl[80];
    snprintf(yl, sizeof yl, "dynamic range %smax/%smin", R->cal_name, R->cal_name);
    axes(&p, "Calibration per cell", NULL, yl, 0);
    for (size_t k = 0; k < R->nconds; k++) {
        size_t i0 = 0, bad = 0, drawn = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cellsum_t *s = &R->cells[i];
            if (s->cond != k) continue;
            double x = PX(&p, k + 0.5 + 0.6 * (fmod(i0++ * 0.6180339887, 1) - 0.5));
            if (s->nz[ZF_BAD] || !(s->cmin > 0)) {
                bad++;
                continue;
            }
            if (drawn++ >= 5000) continue;
            marker(b, (int)k, x, PY(&p, s->cmax / s->cmin), 2.5, 0);
        }
        zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">", PX(&p, k + 0.5), p.T + p.H + 16);
        esc(b, R->conds[k].name);
        zn_buf_addf(b, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">failed: %zu</text>\n",
                    PX(&p, k + 0.5), p.T + p.H + 30, bad);
    }
    zn_buf_adds(b, "</svg>\n");
    figure_close(b, "One point per cell whose calibration worked: the ratio of the saturated (Zn + pyrithione) to the "
                    "zinc-free (TPEN) signal; below each condition the number of cells whose calibration failed "
                    "(bad_calibration: no [Zn] at all). Medians and the share of frames outside the range are in the "
                    "table.");
}

static void html_metrics(const out_t *O, zn_buf *b)
{
    if (!O->met) return;
    size_t K = O->nmcond;
    for (size_t m = 0; m < O->nmetric; m++) {
        const char *nm = O->met->cols[O->mcol[m]];
        if (!strcmp(nm, "t_peak") || !strcmp(nm, "baseline_sd") || !strcmp(nm, "responder")) continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < K; k++)
            for (size_t i = 0; i < O->mlen[m * K + k]; i++) {
                double v = O->mval[m * K + k][i];
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
        if (!isfinite(lo)) continue;
        if (lo > 0 && lo < 0.5 * hi) lo = 0;
        nice_range(&lo, &hi);
        char id[160];
        snprintf(id, sizeof id, "fig-metric-%s", nm);
        figure_open(b, id);
        int w = (int)(140 + 110 * K);
        svg_open(b, w, 290, nm);
        plot_t p = {b, 0, (double)K, lo, hi, 70, 28, w - 90.0, 200};
        const char *u = meta_unit(&O->met->meta, nm);
        char yl[200], ti[200];
        snprintf(yl, sizeof yl, "%s%s%s%s", nm, *u && strcmp(u, "1") ? " (" : "", *u && strcmp(u, "1") ? u : "",
                 *u && strcmp(u, "1") ? ")" : "");
        const zn_test *T = &O->mtest[m];
        if (K == 2 && !isnan(T->p)) snprintf(ti, sizeof ti, "%s: Welch t = %.3g, df = %.3g, p = %.3g", nm, T->stat, T->df1, T->p);
        else if (K > 2 && !isnan(T->p))
            snprintf(ti, sizeof ti, "%s: ANOVA F(%g, %g) = %.3g, p = %.3g", nm, T->df1, T->df2, T->stat, T->p);
        else snprintf(ti, sizeof ti, "%s", nm);
        axes(&p, ti, NULL, yl, 0);
        for (size_t k = 0; k < K; k++) {
            const double *v = O->mval[m * K + k];
            size_t n = O->mlen[m * K + k];
            for (size_t i = 0; i < n; i++)
                marker(b, (int)k, PX(&p, k + 0.5 + 0.5 * (fmod(i * 0.6180339887, 1) - 0.5)), PY(&p, v[i]), 2.6, 0);
            double mu = zn_mean(v, n, NULL), se = n > 1 ? zn_sd(v, n) / sqrt((double)n) : 0;
            if (!isnan(mu)) {
                double x = PX(&p, k + 0.5);
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2.5\"/>", x - 22,
                            x + 22, PY(&p, mu), PY(&p, mu));
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"/>", x, x,
                            PY(&p, mu - se), PY(&p, mu + se));
            }
            zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">", PX(&p, k + 0.5), p.T + p.H + 16);
            esc(b, O->mcond[k]);
            zn_buf_addf(b, " (n=%zu)</text>\n", n);
        }
        zn_buf_adds(b, "</svg>\n");
        figure_close(b, "One point per cell; bar: mean, whisker: SEM.");
    }
}

static void model_y(const fgroup_t *g, double x, double I, double *y)
{
    double xx[3] = {x, I, 0};
    g->m->f(xx, g->p, y, NULL, NULL);
}

static void html_kinetics(const out_t *O, zn_buf *b)
{
    for (size_t k = 0; k < O->ng; k++) {
        const fgroup_t *g = &O->g[k];
        if (!g->n && !g->ok) continue;
        /* inhibitor levels: one series each */
        double lv[NCOL];
        size_t nl = 0;
        for (size_t i = 0; i < g->n; i++) {
            size_t j;
            for (j = 0; j < nl; j++)
                if (lv[j] == g->I[i]) break;
            if (j == nl && nl < NCOL) lv[nl++] = g->I[i];
        }
        if (!nl) lv[nl++] = 0;
        double x1 = 0, ylo = 0, yhi = 0;
        for (size_t i = 0; i < g->n; i++) {
            if (g->x[i] > x1) x1 = g->x[i];
            if (g->y[i] > yhi) yhi = g->y[i];
            if (g->y[i] < ylo) ylo = g->y[i];
        }
        /* the curve's band from the curve stream, when there is one */
        const stab *cv = O->curve;
        size_t *crow = NULL, ncr = 0;
        if (cv && O->fit) {
            crow = zn_malloc((cv->nrow + 1) * sizeof *crow);
            int cm = stab_col(cv, "model");
            for (size_t r = 0; r < cv->nrow; r++) {
                int match = !strcmp(stab_f(cv, r, cm), stab_f(O->fit, g->row, stab_col(O->fit, "model")));
                for (size_t q = 0; q < O->nby && match; q++)
                    match = same_value(stab_f(cv, r, stab_col(cv, O->fit->cols[O->bycol[q]])),
                                       stab_f(O->fit, g->row, O->bycol[q]));
                if (!match) continue;
                crow[ncr++] = r;
                double yh = stab_num(cv, r, stab_col(cv, "y_hi")), xx = stab_num(cv, r, stab_col(cv, "x"));
                if (yh > yhi && xx <= x1 * 1.05) yhi = yh;
            }
        }
        if (x1 <= 0) x1 = 1;
        double x0 = 0;
        nice_range(&x0, &x1);
        nice_range(&ylo, &yhi);
        char id[64];
        snprintf(id, sizeof id, "fig-kinetics-%zu", k + 1);
        figure_open(b, id);
        char *lab = zn_asprintf("kinetics of %s", g->label);
        svg_open(b, 640, 470, lab);
        free(lab);
        plot_t p = {b, x0, x1, ylo, yhi, 80, 28, 520, 260};
        char xl[120], yl[160];
        snprintf(xl, sizeof xl, "%s%s%s%s", O->xcol, *O->xunit ? " (" : "", O->xunit, *O->xunit ? ")" : "");
        snprintf(yl, sizeof yl, "%s%s%s%s", O->ycol, *O->yunit ? " (" : "", O->yunit, *O->yunit ? ")" : "");
        /* band */
        if (ncr) {
            zn_buf_adds(b, "<path fill=\"#000\" fill-opacity=\"0.12\" stroke=\"none\" d=\"");
            size_t m = 0;
            int cy = stab_col(cv, "y_hi"), cl = stab_col(cv, "y_lo"), cx = stab_col(cv, "x");
            for (size_t i = 0; i < ncr; i++) {
                double xx = stab_num(cv, crow[i], cx), yh = stab_num(cv, crow[i], cy);
                if (isnan(yh) || xx > x1) continue;
                zn_buf_addf(b, "%s%.1f %.1f", m++ ? "L" : "M", PX(&p, xx), PY(&p, yh < yhi ? yh : yhi));
            }
            for (size_t i = ncr; i-- > 0;) {
                double xx = stab_num(cv, crow[i], cx), yl2 = stab_num(cv, crow[i], cl);
                if (isnan(yl2) || xx > x1) continue;
                zn_buf_addf(b, "L%.1f %.1f", PX(&p, xx), PY(&p, yl2 > ylo ? yl2 : ylo));
            }
            zn_buf_adds(b, m ? "Z\"/>\n" : "\"/>\n");
        }
        for (size_t l = 0; l < nl; l++) {
            /* replicates (open), mean +- SD (filled, whiskers) */
            for (size_t i = 0; i < g->n; i++)
                if (g->I[i] == lv[l]) marker(b, (int)l, PX(&p, g->x[i]), PY(&p, g->y[i]), 2.6, 0);
            for (size_t r = 0; r < g->nrep; r++) {
                if (g->rI[r] != lv[l]) continue;
                double mu = g->rmean[r], sd = isnan(g->rsd[r]) ? 0 : g->rsd[r];
                double xx = PX(&p, g->rx[r]) + 6;
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", xx, xx, PY(&p, mu - sd),
                            PY(&p, mu + sd), colour[l % NCOL]);
                marker(b, (int)l, xx, PY(&p, mu), 3.2, 1);
            }
            if (g->ok) {
                double xs[201], ys[201];
                for (int i = 0; i <= 200; i++) {
                    xs[i] = x0 + (x1 - x0) * i / 200.0;
                    model_y(g, xs[i], lv[l], &ys[i]);
                }
                char st[120];
                snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"1.8\"%s%s%s", colour[l % NCOL],
                         *dash[l % NCOL] ? " stroke-dasharray=\"" : "", dash[l % NCOL], *dash[l % NCOL] ? "\"" : "");
                polyline(&p, xs, ys, 201, st);
            }
        }
        char *ti = zn_asprintf("%s: %s", g->label, g->m ? g->m->eq : "no fit");
        axes(&p, ti, NULL, yl, 1);
        free(ti);
        /* residuals */
        if (g->ok && g->n) {
            double rlo = 0, rhi = 0;
            double *res = zn_malloc(g->n * sizeof *res);
            for (size_t i = 0; i < g->n; i++) {
                double y;
                model_y(g, g->x[i], g->I[i], &y);
                res[i] = g->y[i] - y;
                if (res[i] < rlo) rlo = res[i];
                if (res[i] > rhi) rhi = res[i];
            }
            double m = fmax(fabs(rlo), fabs(rhi));
            rlo = -m;
            rhi = m;
            nice_range(&rlo, &rhi);
            plot_t q = {b, x0, x1, rlo, rhi, 80, 330, 520, 90};
            zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", q.L, q.L + q.W, PY(&q, 0),
                        PY(&q, 0));
            for (size_t i = 0; i < g->n; i++) {
                size_t l;
                for (l = 0; l < nl; l++)
                    if (lv[l] == g->I[i]) break;
                marker(b, (int)l, PX(&q, g->x[i]), PY(&q, res[i]), 2.4, 0);
            }
            axes(&q, NULL, xl, "residual", 1);
            free(res);
        }
        zn_buf_adds(b, "</svg>\n");
        free(crow);
        char *cap = zn_asprintf("%s: every replicate (open), mean and SD per concentration (filled, whisker), the fitted "
                                "curve%s; below, the residuals (data - fit)%s.",
                                g->label, ncr ? " and its 95% confidence band (grey)" : "",
                                g->ok ? "" : " (no residuals: the fit has no parameters)");
        figure_close(b, cap);
        free(cap);
    }
}

static void html_table(const rtab *t, zn_buf *b, size_t max)
{
    size_t nr = rtab_rows(t), nc = t->ncol;
    char buf[48];
    zn_buf_adds(b, "<div class=\"tw\"><table id=\"tab-");
    esc(b, t->name);
    zn_buf_adds(b, "\"><caption>");
    esc(b, t->title);
    zn_buf_adds(b, "</caption>\n<tr>");
    for (size_t j = 0; j < nc; j++) {
        zn_buf_adds(b, "<th>");
        esc(b, t->hdr[j]);
        zn_buf_adds(b, "</th>");
    }
    zn_buf_adds(b, "</tr>\n");
    for (size_t i = 0; i < nr && i < max; i++) {
        zn_buf_adds(b, "<tr>");
        for (size_t j = 0; j < nc; j++) {
            const rcell *c = &t->c[i * nc + j];
            zn_buf_adds(b, c->s ? "<td>" : "<td class=\"n\">");
            esc(b, cell_text(c, 0, buf));
            zn_buf_adds(b, "</td>");
        }
        zn_buf_adds(b, "</tr>\n");
    }
    zn_buf_adds(b, "</table></div>\n");
    if (nr > max) zn_buf_addf(b, "<p class=\"note\">%zu more rows: zn-report --table %s --format tsv lists them all.</p>\n", nr - max, t->name);
}

static void write_html(const out_t *O, const char *path)
{
    const rep_t *R = O->R;
    const args_t *a = R->a;
    zn_buf b = {0};
    const char *title = a->title ? a->title : "znflow report";
    zn_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    esc(&b, title);
    zn_buf_adds(&b, "</title>\n<style>\n"
                    "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}\n"
                    "h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}\n"
                    "figure{display:inline-block;margin:0.5em 1em 1em 0;vertical-align:top}\n"
                    "figcaption{font-size:0.85em;max-width:620px;color:#444}\n"
                    "svg text{font-family:sans-serif}.tk{font-size:10px;fill:#333}.al{font-size:12px}"
                    ".ti{font-size:12px;font-weight:bold}.wl{font-size:9px;fill:#555}\n"
                    "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
                    "caption{text-align:left;font-weight:bold;padding:0.3em 0}\n"
                    "td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
                    ".tw{overflow-x:auto}.note{font-size:0.9em;color:#555}pre{font-size:0.8em;white-space:pre-wrap}\n"
                    "nav a{margin-right:1em}\n</style>\n</head>\n<body>\n<h1>");
    esc(&b, title);
    zn_buf_addf(&b, "</h1>\n<p class=\"note\">Made by zn-report %s from %zu input segment%s. Tables as TSV: "
                    "<code>zn-report --format tsv</code>.</p>\n<nav>",
                ZN_VERSION, R->ninputs, R->ninputs == 1 ? "" : "s");
    if (R->have_trace) zn_buf_adds(&b, "<a href=\"#traces\">Traces</a><a href=\"#calibration\">Calibration</a>");
    if (O->met) zn_buf_adds(&b, "<a href=\"#metrics\">Metrics</a>");
    if (O->ng) zn_buf_adds(&b, "<a href=\"#kinetics\">Kinetics</a>");
    zn_buf_adds(&b, "<a href=\"#flags\">Flags</a><a href=\"#provenance\">Provenance</a></nav>\n");
    if (R->have_trace) {
        long cells = 0;
        size_t shown = 0;
        for (size_t k = 0; k < R->nconds; k++) {
            cells += R->conds[k].seen;
            shown += R->conds[k].nres;
        }
        zn_buf_addf(&b, "<section id=\"traces\">\n<h2>Traces</h2>\n<p class=\"note\">%ld cells, %ld records of %s. ", cells,
                    R->ntrace_rec, R->signal);
        if (shown < (size_t)cells)
            zn_buf_addf(&b, "Single-cell lines and the heatmap show a random sample of %zu cells (at most %zu per "
                            "condition, fixed seed: the same page every run); means, SEM and tables use all cells.",
                        shown, a->ncells);
        else zn_buf_adds(&b, "Every cell is shown.");
        zn_buf_adds(&b, "</p>\n");
        html_traces(O, &b);
        html_heatmap(O, &b);
        zn_buf_adds(&b, "</section>\n<section id=\"calibration\">\n<h2>Calibration</h2>\n");
        html_calibration(O, &b);
        html_table(&O->t[T_CELLS], &b, 1000);
        if (rtab_rows(&O->t[T_CONTEXT])) html_table(&O->t[T_CONTEXT], &b, 1000);
        zn_buf_adds(&b, "</section>\n");
    }
    if (O->met) {
        zn_buf_adds(&b, "<section id=\"metrics\">\n<h2>Response metrics</h2>\n");
        const char *ms = zn_meta_get(&O->met->meta, "metrics");
        if (ms) {
            zn_buf_adds(&b, "<p class=\"note\">zn-metrics: ");
            esc(&b, ms);
            zn_buf_adds(&b, "</p>\n");
        }
        html_metrics(O, &b);
        html_table(&O->t[T_METRICS], &b, 1000);
        html_table(&O->t[T_TESTS], &b, 1000);
        if (!R->have_trace && rtab_rows(&O->t[T_CONTEXT])) html_table(&O->t[T_CONTEXT], &b, 1000);
        zn_buf_adds(&b, "</section>\n");
    }
    if (O->ng) {
        zn_buf_adds(&b, "<section id=\"kinetics\">\n<h2>Kinetics</h2>\n");
        if (O->fit) {
            const char *fm = zn_meta_get(&O->fit->meta, "fit");
            zn_buf_adds(&b, "<p class=\"note\">zn-mm-fit: ");
            esc(&b, fm ? fm : "");
            zn_buf_adds(&b, "</p>\n");
        }
        html_kinetics(O, &b);
        html_table(&O->t[T_FITS], &b, 1000);
        html_table(&O->t[T_FITSTATS], &b, 1000);
        html_table(&O->t[T_UPTAKE], &b, 1000);
        zn_buf_adds(&b, "</section>\n");
    }
    zn_buf_adds(&b, "<section id=\"flags\">\n<h2>Flags</h2>\n");
    if (rtab_rows(&O->t[T_FLAGS])) html_table(&O->t[T_FLAGS], &b, 500);
    else zn_buf_adds(&b, "<p>Nothing flagged.</p>\n");
    zn_buf_adds(&b, "</section>\n<section id=\"provenance\">\n<h2>Provenance</h2>\n");
    html_table(&O->t[T_INPUTS], &b, 1000);
    for (size_t i = 0; i < R->ninputs; i++) {
        zn_buf_adds(&b, "<details><summary>");
        esc(&b, R->inputs[i].file);
        zn_buf_adds(&b, " (");
        esc(&b, R->inputs[i].schema);
        zn_buf_adds(&b, ")</summary><pre>");
        esc(&b, *R->inputs[i].pg ? R->inputs[i].pg : "(no ##pg lines)");
        zn_buf_adds(&b, "</pre></details>\n");
    }
    zn_buf_adds(&b, "<pre>");
    esc(&b, a->o.pg);
    zn_buf_adds(&b, "</pre>\n</section>\n</body>\n</html>\n");
    char err[600];
    zn_wr *w = zn_wr_open(path, 0, 1, err, sizeof err);
    if (!w) zn_die(ZN_EXIT_DATA, "--html: %s", err);
    zn_wr_text(w, b.s, b.n);
    if (zn_wr_close(w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "--html: %s", err);
    zn_buf_free(&b);
}

/* ------------------------------------------------------------ main */
static void free_all(rep_t *R, out_t *O)
{
    for (size_t i = 0; i < NT; i++) rtab_free(&O->t[i]);
    for (size_t k = 0; k < O->ng; k++) {
        free(O->g[k].label);
        free(O->g[k].x);
        free(O->g[k].y);
        free(O->g[k].I);
        free(O->g[k].rx);
        free(O->g[k].rI);
        free(O->g[k].rmean);
        free(O->g[k].rsd);
    }
    free(O->g);
    free(O->bycol);
    for (size_t i = 0; i < O->nmetric * O->nmcond; i++) free(O->mval[i]);
    free(O->mval);
    free(O->mlen);
    free(O->mtest);
    free(O->mcol);
    for (size_t k = 0; k < O->nmcond; k++) free(O->mcond[k]);
    free(O->mcond);
    for (size_t i = 0; i < R->ninputs; i++) {
        free(R->inputs[i].file);
        free(R->inputs[i].schema);
        free(R->inputs[i].pg);
    }
    free(R->inputs);
    for (size_t i = 0; i < R->ntabs; i++) {
        stab *s = &R->tabs[i];
        for (size_t j = 0; j < s->nrow * s->ncols; j++) free(s->f[j]);
        for (size_t j = 0; j < s->ncols; j++) free(s->cols[j]);
        free(s->f);
        free(s->cols);
        free(s->schema);
        free(s->header);
        free(s->file);
        zn_meta_clear(&s->meta);
        free(s->meta.v);
    }
    free(R->tabs);
    for (size_t k = 0; k < R->nconds; k++) {
        cond_t *c = &R->conds[k];
        for (size_t i = 0; i < c->nres; i++) {
            free(c->res[i].t);
            free(c->res[i].v);
            free(c->res[i].frame);
            free(c->res[i].label);
        }
        free(c->res);
        free(c->name);
        free(c->n);
        free(c->s);
        free(c->ss);
        free(c->tn);
        free(c->ts);
    }
    free(R->conds);
    zn_dict_free(&R->cdict);
    for (size_t i = 0; i < R->ncells; i++) {
        free(R->cells[i].sample);
        free(R->cells[i].cell);
    }
    free(R->cells);
    for (size_t i = 0; i < R->nwin; i++) free(R->win[i].name);
    free(R->win);
    free(R->signal);
    free(R->sig_unit);
    free(R->cal_name);
    free(R->compartment);
    free(R->ct);
    free(R->cv);
    free(R->cf);
    free(lits);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.ncells = 40;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"format", required_argument, 0, OPT_FORMAT},
                                          {"table", required_argument, 0, OPT_TABLE},
                                          {"html", required_argument, 0, OPT_HTML},
                                          {"title", required_argument, 0, OPT_TITLE},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"cells", required_argument, 0, OPT_CELLS},
                                          {0, 0, 0, 0}};
    static const char *const tnames[NT] = {"cells", "metrics", "tests", "uptake", "fits",
                                           "fit_stats", "context", "flags", "inputs"};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_FORMAT:
            if (!strcmp(optarg, "text")) a.format = FMT_TEXT;
            else if (!strcmp(optarg, "tsv")) a.format = FMT_TSV;
            else if (!strcmp(optarg, "md")) a.format = FMT_MD;
            else zn_usage_error("--format: \"%s\" is not text, tsv or md", optarg);
            break;
        case OPT_TABLE: {
            size_t i;
            for (i = 0; i < NT; i++)
                if (!strcmp(optarg, tnames[i])) break;
            if (i == NT)
                zn_usage_error("--table: \"%s\" is not a table (cells, metrics, tests, uptake, fits, fit_stats, context, "
                               "flags, inputs)",
                               optarg);
            a.table = optarg;
            break;
        }
        case OPT_HTML: a.html = optarg; break;
        case OPT_TITLE: a.title = optarg; break;
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_CELLS: {
            double x = zn_opt_num("--cells", optarg);
            if (x < 0 || x != floor(x) || x > 100000) zn_usage_error("--cells: \"%s\" is not a count (0 to 100000)", optarg);
            a.ncells = (size_t)x;
            break;
        }
        default: zn_usage_error("unknown option");
        }
    }
    zn_opt_check_stdin(argc - optind, usage);
    lit_load();
    static rep_t R; /* static: reachable if the program exits on bad data */
    static out_t O;
    R.a = &a;
    R.rng = 0x5eed2026u;
    O.R = &R;
    zn_in in;
    if (zn_in_open_mixed(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    read_all(&R, &in);
    zn_in_close(&in);
    zn_progress(&a.o, R.ntrace_rec, 1);
    build_cells(&O);
    build_metrics(&O);
    build_kinetics(&O);
    build_context(&O);
    build_flags(&O);
    build_inputs(&O);
    zn_buf b = {0};
    int any = 0;
    for (size_t i = 0; i < NT; i++) {
        rtab *t = &O.t[i];
        if (a.table ? strcmp(a.table, t->name) != 0 : !rtab_rows(t)) continue;
        if (any) zn_buf_addc(&b, '\n');
        any = 1;
        if (a.format == FMT_TEXT && i == T_FLAGS && !a.table && rtab_rows(t) > 30) {
            size_t keep = t->n;
            t->n = 30 * t->ncol;
            rtab_print(t, a.format, &b);
            t->n = keep;
            zn_buf_addf(&b, "... %zu more (zn-report --table flags lists them all)\n", rtab_rows(t) - 30);
        } else
            rtab_print(t, a.format, &b);
    }
    if (!b.s) zn_buf_adds(&b, "");
    char err[600];
    zn_wr *w = zn_wr_open(a.o.out, 0, 1, err, sizeof err);
    if (!w) zn_die(ZN_EXIT_DATA, "%s", err);
    zn_wr_text(w, b.s, b.n);
    if (zn_wr_close(w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s", err);
    zn_buf_free(&b);
    if (a.html) write_html(&O, a.html);
    free_all(&R, &O);
    zn_opt_free(&a.o);
    return 0;
}
