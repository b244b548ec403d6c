/* zn_trace.c - what the imaging filters share: the trace columns and their
 * canonical order, one cell's records in memory, output columns a filter
 * adds, and the record being assembled for output. */
#include "zn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- trace */

const char *zn_trace_signal(const zn_in *in)
{
    static const char *const pref[] = {"zn_pM", "zn_nM", "zn_uM", "dF_F0", "R_R0", "R", "F"};
    for (size_t i = 0; i < sizeof pref / sizeof *pref; i++)
        if (zn_in_col(in, pref[i]) >= 0) return pref[i];
    return NULL;
}

const char *zn_signal_unit(const zn_meta *m, const char *col)
{
    const char *u = zn_meta_unit(m, col);
    if (u) return u;
    if (strncmp(col, "zn_", 3) == 0 && zn_conc_unit(col + 3) > 0) return col + 3;
    if (!strcmp(col, "R") || !strcmp(col, "R_R0") || !strcmp(col, "F_F0") || !strcmp(col, "dF_F0")) return "1";
    return "a.u.";
}

int zn_is_channel(const char *name)
{
    if (strcmp(name, "F") == 0) return 1;
    return strncmp(name, "F_", 2) == 0 && name[2] && strcmp(name, "F_F0") != 0;
}

void zn_trace_segment(zn_trace *tr)
{
    const zn_meta *m = &tr->in->meta;
    const char *s = zn_meta_get(m, "schema");
    if (s && strcmp(s, "trace") != 0)
        zn_die(ZN_EXIT_DATA, "%s: this is a '%s' stream; %s reads traces (##schema=trace, from zn-ingest)",
               tr->in->file, s, zn_prog);
    const char *u = zn_meta_get(m, "unit.t");
    if (u && strcmp(u, "s") != 0)
        zn_die(ZN_EXIT_DATA, "%s: column t is in '%s'; traces keep t in seconds (##unit.t=s)", tr->in->file, u);
}

void zn_trace_init(zn_trace *tr, zn_in *in)
{
    memset(tr, 0, sizeof *tr);
    tr->in = in;
    zn_trace_segment(tr); /* the schema first: "this is a counts stream" says more than missing columns */
    char err[1024];
    if (zn_schema_check("trace", in->cols, in->ncols, err, sizeof err) < 0)
        zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
    tr->c_sample = zn_in_need(in, "sample");
    tr->c_cell = zn_in_need(in, "cell");
    tr->c_role = zn_in_need(in, "role");
    tr->c_frame = zn_in_need(in, "frame");
    tr->c_t = zn_in_need(in, "t");
    tr->c_flag = zn_in_col(in, "flag");
    tr->ord = zn_order_new();
}

void zn_trace_rec(zn_trace *tr)
{
    zn_in *in = tr->in;
    double fr;
    if (zn_in_num(in, tr->c_frame, &fr) == ZN_NUM_EMPTY) zn_in_die(in, "column 'frame': missing value");
    if (fr < 0 || fr != floor(fr) || fr > 1e9)
        zn_in_die(in, "column 'frame': \"%s\" is not a frame index (0, 1, 2, ...)", in->f[tr->c_frame]);
    if (zn_in_num(in, tr->c_t, &tr->t) == ZN_NUM_EMPTY) zn_in_die(in, "column 't': missing value");
    tr->frame = (long)fr;
    const char *sample = in->f[tr->c_sample], *role = in->f[tr->c_role];
    tr->bg = strcmp(role, "bg") == 0;
    if (!tr->bg && strcmp(role, "cell") != 0)
        zn_in_die(in, "column 'role': \"%s\" is neither cell nor bg", role);
    char err[1024];
    if (zn_order_check(tr->ord, sample, in->f[tr->c_cell], role, fr, err, sizeof err) < 0)
        zn_in_die(in, "%s", err);
    tr->new_cell = zn_order_new_group(tr->ord);
    /* time must increase within a cell: a trapezoid over a backward step is
     * negative area and a repeated t has no rate; negative t itself is fine
     * (time relative to a stimulus; windows may be negative too) */
    if (!tr->new_cell && !(tr->t > tr->last_t))
        zn_in_die(in,
                  "column 't': sample '%s' cell '%s' frame %ld has t = %s s, not after frame %ld's t = %.17g s "
                  "(times must increase within a cell; check the time column or --interval of zn-ingest)",
                  sample, in->f[tr->c_cell], tr->frame, in->f[tr->c_t], tr->last_frame, tr->last_t);
    tr->last_t = tr->t;
    tr->last_frame = tr->frame;
    tr->new_sample = 0;
    if (tr->new_cell && (!tr->sample || strcmp(tr->sample, sample) != 0)) {
        free(tr->sample);
        tr->sample = zn_strdup(sample);
        tr->new_sample = 1;
    }
}

static long trace_groups(zn_trace *tr, zn_cellbuf *c, const zn_opt *o, int by_sample, void (*cell)(void *arg),
                         void (*segment)(void *arg), void *arg)
{
    zn_in *in = tr->in;
    long nrec = 0;
    int k;
    while ((k = zn_in_next(in)) > 0) {
        if (k == ZN_SEG) {
            if (c->n) cell(arg);
            zn_cellbuf_clear(c);
            zn_trace_segment(tr);
            segment(arg);
            continue;
        }
        zn_progress(o, ++nrec, 0);
        zn_trace_rec(tr);
        if ((by_sample ? tr->new_sample : tr->new_cell) && c->n) {
            cell(arg);
            zn_cellbuf_clear(c);
        }
        zn_cellbuf_add(c, in);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    if (c->n) cell(arg);
    zn_cellbuf_clear(c);
    zn_progress(o, nrec, 1);
    return nrec;
}

long zn_trace_cells(zn_trace *tr, zn_cellbuf *c, const zn_opt *o, void (*cell)(void *arg),
                    void (*segment)(void *arg), void *arg)
{
    return trace_groups(tr, c, o, 0, cell, segment, arg);
}

long zn_trace_samples(zn_trace *tr, zn_cellbuf *c, const zn_opt *o, void (*sample)(void *arg),
                      void (*segment)(void *arg), void *arg)
{
    return trace_groups(tr, c, o, 1, sample, segment, arg);
}

void zn_trace_free(zn_trace *tr)
{
    zn_order_free(tr->ord);
    free(tr->sample);
    memset(tr, 0, sizeof *tr);
}

int zn_window_get(const zn_meta *m, const char *name, const char *opt, const char *optname, zn_window *w)
{
    char err[512];
    if (opt) {
        char *s = zn_asprintf("%s:%s", name, opt);
        int k = zn_window_parse(s, w, err, sizeof err);
        free(s);
        if (k < 0) {
            /* say what is wrong: not two numbers, or an end before the start */
            const char *c = strchr(opt, ':');
            double a, b;
            if (c && zn_parse_double(opt, (size_t)(c - opt), &a) == ZN_NUM_OK &&
                zn_parse_double(c + 1, strlen(c + 1), &b) == ZN_NUM_OK)
                zn_usage_error("%s: \"%s\" ends (%s s) before it starts (%.*s s); give START:END with START <= END",
                               optname, opt, c + 1, (int)(c - opt), opt);
            zn_usage_error("%s: \"%s\" is not START:END in seconds (e.g. 0:60)", optname, opt);
        }
        return 1;
    }
    int k = zn_meta_window(m, name, w, err, sizeof err);
    if (k < 0) zn_die(ZN_EXIT_DATA, "meta: %s", err);
    return k;
}

/* ---------------------------------------------------------------- cellbuf */

void zn_cellbuf_add(zn_cellbuf *c, const zn_in *in)
{
    if (!c->n) c->ncols = in->ncols;
    zn_grow(&c->text, &c->tcap, c->tlen + in->len + 1, 1);
    char *dst = c->text + c->tlen;
    memcpy(dst, in->line, in->len + 1);
    size_t need = (c->n + 1) * c->ncols;
    if (need > c->cap) {
        size_t cap = c->cap;
        zn_grow(&c->off, &cap, need, sizeof *c->off);
        zn_grow(&c->len, &c->cap, need, sizeof *c->len);
    }
    if (c->n + 1 > c->lcap) {
        size_t cap = c->lcap;
        zn_grow(&c->line, &cap, c->n + 1, sizeof *c->line);
        zn_grow(&c->file, &c->lcap, c->n + 1, sizeof *c->file);
    }
    c->line[c->n] = in->lineno;
    c->file[c->n] = in->file;
    size_t *o = c->off + c->n * c->ncols, *l = c->len + c->n * c->ncols;
    for (size_t i = 0; i < c->ncols; i++) {
        o[i] = c->tlen + (size_t)(in->f[i] - in->line);
        l[i] = in->fl[i];
    }
    c->tlen += in->len + 1;
    c->n++;
}

void zn_cellbuf_clear(zn_cellbuf *c)
{
    c->n = 0;
    c->tlen = 0;
}

double zn_cellbuf_num(const zn_cellbuf *c, const zn_in *in, size_t r, int col)
{
    const char *f = zn_cellbuf_f(c, r, (size_t)col);
    size_t n = zn_cellbuf_l(c, r, (size_t)col);
    double x;
    int k = zn_parse_double(f, n, &x);
    if (k == ZN_NUM_OK) return x;
    if (k == ZN_NUM_EMPTY) return NAN;
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is %s%s", c->file[r], c->line[r], in->cols[col], f,
           k == ZN_NUM_RANGE ? "out of the range of a double" : "not a number", zn_num_hint(f, n));
}

void zn_cellbuf_free(zn_cellbuf *c)
{
    free(c->line);
    free(c->file);
    free(c->text);
    free(c->off);
    free(c->len);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- cols */

void zn_cols_init(zn_cols *c, const zn_in *in)
{
    c->nin = c->n = in->ncols;
    c->cols = zn_malloc((c->n + 1) * sizeof *c->cols);
    for (size_t i = 0; i < c->n; i++) c->cols[i] = zn_strdup(in->cols[i]);
}

size_t zn_cols_add(zn_cols *c, const char *name, int force, const char *hint)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->cols[i], name) == 0) {
            if (i < c->nin && !force)
                zn_die(ZN_EXIT_DATA, "the input already has column '%s'%s; --force computes it again", name,
                       hint ? hint : "");
            return i;
        }
    c->cols = zn_realloc(c->cols, (c->n + 1) * sizeof *c->cols);
    c->cols[c->n] = zn_strdup(name);
    return c->n++;
}

size_t zn_cols_flag(zn_cols *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->cols[i], "flag") == 0) return i;
    return zn_cols_add(c, "flag", 0, NULL);
}

void zn_cols_free(zn_cols *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->cols[i]);
    free(c->cols);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- rec */

void zn_rec_init(zn_rec *r, const zn_cols *c, size_t flag_col)
{
    memset(r, 0, sizeof *r);
    r->n = c->n;
    r->v = zn_calloc(r->n, sizeof *r->v);
    r->l = zn_calloc(r->n, sizeof *r->l);
    r->num = zn_calloc(r->n, sizeof *r->num);
    r->flag_col = flag_col;
}

void zn_rec_from(zn_rec *r, const char *const *f, const size_t *fl, size_t nin)
{
    for (size_t i = 0; i < nin; i++) {
        r->v[i] = f[i];
        r->l[i] = fl[i];
    }
    for (size_t i = nin; i < r->n; i++) {
        r->v[i] = "";
        r->l[i] = 0;
    }
    r->flag.n = 0;
}

void zn_rec_from_cell(zn_rec *r, const zn_cellbuf *c, size_t row)
{
    size_t base = row * c->ncols;
    for (size_t i = 0; i < c->ncols; i++) {
        r->v[i] = c->text + c->off[base + i];
        r->l[i] = c->len[base + i];
    }
    for (size_t i = c->ncols; i < r->n; i++) {
        r->v[i] = "";
        r->l[i] = 0;
    }
    r->flag.n = 0;
}

void zn_rec_num(zn_rec *r, size_t i, double x)
{
    if (!isfinite(x)) {
        r->v[i] = "";
        r->l[i] = 0;
        if (isinf(x)) zn_rec_flag(r, "overflow"); /* no filter writes inf */
        return;
    }
    r->l[i] = zn_fmt_double(r->num[i], x);
    r->v[i] = r->num[i];
}

void zn_rec_set(zn_rec *r, size_t i, const char *s, size_t n)
{
    r->v[i] = s;
    r->l[i] = n;
}

void zn_rec_flag(zn_rec *r, const char *word)
{
    size_t i = r->flag_col;
    if (i == (size_t)-1) return;
    if (!r->flag.n) zn_buf_add(&r->flag, r->v[i], r->l[i]);
    if (r->flag.n) {
        /* the same word twice is said once */
        size_t k = strlen(word);
        const char *p = r->flag.s;
        while (p) {
            if (strncmp(p, word, k) == 0 && (p[k] == ';' || p[k] == 0)) return;
            p = strchr(p, ';');
            if (p) p++;
        }
        zn_buf_addc(&r->flag, ';');
    }
    zn_buf_adds(&r->flag, word);
    r->v[i] = r->flag.s;
    r->l[i] = r->flag.n;
}

void zn_rec_write(zn_wr *w, zn_rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        if (i) zn_wr_putc(w, '\t');
        zn_wr_put(w, r->v[i], r->l[i]);
    }
    zn_wr_eol(w);
    r->flag.n = 0;
}

void zn_rec_free(zn_rec *r)
{
    free(r->v);
    free(r->l);
    free(r->num);
    zn_buf_free(&r->flag);
    memset(r, 0, sizeof *r);
}
