/* znr.c - the ZNR record stream: meta lines, one header, records, and
 * concatenated segments read as one stream. */
#include "zn.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- meta */

void zn_meta_add(zn_meta *m, const char *kv)
{
    zn_grow(&m->v, &m->cap, m->n + 1, sizeof *m->v);
    m->v[m->n++] = zn_strdup(kv);
}

void zn_meta_addf(zn_meta *m, const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = zn_malloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    zn_grow(&m->v, &m->cap, m->n + 1, sizeof *m->v);
    m->v[m->n++] = s;
}

const char *zn_meta_get_nth(const zn_meta *m, const char *key, size_t nth)
{
    size_t k = strlen(key);
    for (size_t i = 0; i < m->n; i++)
        if (strncmp(m->v[i], key, k) == 0 && m->v[i][k] == '=' && nth-- == 0) return m->v[i] + k + 1;
    return NULL;
}

const char *zn_meta_get(const zn_meta *m, const char *key) { return zn_meta_get_nth(m, key, 0); }

void zn_meta_once(const char *file, const zn_meta *m, const char *key, int force, const char *done,
                  const char *again)
{
    const char *v = zn_meta_get(m, key);
    if (v && !force) zn_die(ZN_EXIT_DATA, "%s: %s (##%s=%s); --force %s", file, done, key, v, again);
}

void zn_meta_clear(zn_meta *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->v[i]);
    m->n = 0;
}

void zn_meta_copy(zn_meta *dst, const zn_meta *src)
{
    zn_meta_clear(dst);
    for (size_t i = 0; i < src->n; i++) zn_meta_add(dst, src->v[i]);
}

void zn_meta_derive(zn_meta *dst, const zn_meta *src, const char *schema)
{
    zn_meta_clear(dst);
    zn_meta_addf(dst, "schema=%s", schema);
    for (size_t i = 0; i < src->n; i++)
        if (strncmp(src->v[i], "schema=", 7) && strncmp(src->v[i], "znr=", 4)) zn_meta_add(dst, src->v[i]);
}

const char *zn_meta_unit(const zn_meta *m, const char *col)
{
    char key[300];
    snprintf(key, sizeof key, "unit.%s", col);
    return zn_meta_get(m, key);
}

int zn_window_parse(const char *s, zn_window *w, char *err, size_t errlen)
{
    const char *sep = strpbrk(s, ":=");
    const char *c2 = sep ? strchr(sep + 1, ':') : NULL;
    double a, b;
    if (!sep || sep == s || !c2 || zn_parse_double(sep + 1, (size_t)(c2 - sep - 1), &a) != ZN_NUM_OK ||
        zn_parse_double(c2 + 1, strlen(c2 + 1), &b) != ZN_NUM_OK) {
        snprintf(err, errlen, "window \"%s\" is not NAME:START:END (seconds, e.g. baseline:0:60)", s);
        return -1;
    }
    if (b < a) {
        snprintf(err, errlen, "window \"%s\" ends before it starts", s);
        return -1;
    }
    w->name = zn_strndup(s, (size_t)(sep - s));
    w->start = a;
    w->end = b;
    return 0;
}

int zn_meta_window(const zn_meta *m, const char *name, zn_window *w, char *err, size_t errlen)
{
    size_t k = strlen(name);
    const char *v;
    for (size_t i = 0; (v = zn_meta_get_nth(m, "window", i)); i++)
        if (strncmp(v, name, k) == 0 && v[k] == ':') return zn_window_parse(v, w, err, errlen) ? -1 : 1;
    return 0;
}

/* ---------------------------------------------------------------- reader */

static int in_fail(zn_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int in_fail(zn_in *in, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(in->err, sizeof in->err, "%s:%ld: ", in->file, in->lineno);
    va_start(ap, fmt);
    vsnprintf(in->err + k, sizeof in->err - (size_t)k, fmt, ap);
    va_end(ap);
    return ZN_ERR;
}

static int in_getline(zn_in *in)
{
    if (in->pending) {
        in->pending = 0;
        return 1;
    }
    int k = zn_rd_getline(in->rd, &in->line, &in->len);
    if (k < 0) {
        snprintf(in->err, sizeof in->err, "%s", zn_rd_error(in->rd));
        return ZN_ERR;
    }
    in->lineno = zn_rd_lineno(in->rd);
    return k;
}

static void set_cols(zn_in *in, char *hdr)
{
    for (size_t i = 0; i < in->ncols; i++) free(in->cols[i]);
    free(in->cols);
    free(in->header);
    in->header = zn_strdup(hdr);
    size_t n = 1;
    for (char *p = hdr; *p; p++) n += *p == '\t';
    in->cols = zn_malloc(n * sizeof *in->cols);
    in->ncols = 0;
    char *s = hdr + 1;
    for (;;) {
        char *t = strchr(s, '\t');
        in->cols[in->ncols++] = t ? zn_strndup(s, (size_t)(t - s)) : zn_strdup(s);
        if (!t) break;
        s = t + 1;
    }
    zn_grow(&in->f, &in->fcap, in->ncols, sizeof *in->f);
    in->fl = zn_realloc(in->fl, in->fcap * sizeof *in->fl);
}

/* A UTF-8 byte order mark (what Windows editors put first) is not part of
 * the line: a file that went through Notepad still reads (like CRLF). */
static int skip_bom(zn_in *in)
{
    if (in->len >= 3 && memcmp(in->line, "\xef\xbb\xbf", 3) == 0) {
        in->line += 3;
        in->len -= 3;
        return 1;
    }
    return 0;
}

/* the current line is "##znr=..."; read the segment's meta and header */
static int read_head(zn_in *in)
{
    if (strncmp(in->line, "##znr=", 6) != 0)
        return in_fail(in, "not a ZNR stream: the first line should be \"##znr=1\" "
                           "(an instrument export? convert it with zn-ingest)");
    if (strcmp(in->line + 6, "1") != 0)
        return in_fail(in, "unsupported ZNR version \"%s\" (this is %s %s, which reads version 1)",
                       in->line + 6, zn_prog, ZN_VERSION);
    zn_meta_clear(&in->meta);
    zn_meta_add(&in->meta, "znr=1");
    for (;;) {
        int k = in_getline(in);
        if (k < 0) return ZN_ERR;
        if (k == 0) return in_fail(in, "the stream ends before its header line (#col1<TAB>col2...)");
        if (strlen(in->line) != in->len)
            return in_fail(in, "a NUL byte in a meta or header line (binary data, or a UTF-16 file?)");
        if (in->line[0] == '#' && in->line[1] == '#') {
            if (!strchr(in->line + 2, '=') || in->line[2] == '=')
                return in_fail(in, "meta line \"%s\" is not ##key=value", in->line);
            zn_meta_add(&in->meta, in->line + 2);
            continue;
        }
        if (in->line[0] != '#')
            return in_fail(in, "expected the header line (#col1<TAB>col2...) after the meta lines, "
                               "found a record");
        if (in->line[1] == 0) return in_fail(in, "empty header line");
        break;
    }
    char *hdr = in->line;
    if (in->first_header) {
        if (strcmp(hdr, in->first_header) == 0) return 0;
        if (!in->mixed)
            return in_fail(in, "this segment's columns differ from the first segment's (%s:%ld): \"%s\" vs \"%s\"",
                           in->first_file, in->first_lineno, hdr + 1, in->first_header + 1);
        free(in->first_header);
        free(in->first_file);
    }
    set_cols(in, hdr);
    /* duplicates by hash: a wide table (a column per cell) has 100,000
     * columns, and comparing every pair took 12-17 s */
    zn_dict seen = {0};
    for (size_t i = 0; i < in->ncols; i++) {
        if (!in->cols[i][0]) {
            zn_dict_free(&seen);
            return in_fail(in, "header column %zu has no name", i + 1);
        }
        if (zn_dict_put(&seen, in->cols[i], i) != i) {
            size_t j = zn_dict_get(&seen, in->cols[i]);
            zn_dict_free(&seen);
            return in_fail(in, "column '%s' appears twice in the header (columns %zu and %zu)", in->cols[i], j + 1,
                           i + 1);
        }
    }
    zn_dict_free(&seen);
    in->first_header = zn_strdup(hdr);
    in->first_file = zn_strdup(in->file);
    in->first_lineno = in->lineno;
    return 0;
}

static int open_file(zn_in *in)
{
    char e[600];
    zn_rd_close(in->rd);
    in->rd = zn_rd_open(in->files[in->cur], e, sizeof e);
    if (!in->rd) {
        snprintf(in->err, sizeof in->err, "%s", e);
        return ZN_ERR;
    }
    in->file = zn_rd_name(in->rd);
    in->lineno = 0;
    int k = in_getline(in);
    if (k < 0) return ZN_ERR;
    if (k > 0) skip_bom(in);
    if (k == 0) {
        snprintf(in->err, sizeof in->err, "%s: empty input (expected a ZNR stream starting with ##znr=1)",
                 in->file);
        return ZN_ERR;
    }
    in->nseg++;
    return read_head(in);
}

static int in_open(zn_in *in, char **files, int n, int mixed)
{
    static char *dash[] = {"-"};
    memset(in, 0, sizeof *in);
    in->mixed = mixed;
    in->files = n ? files : dash;
    in->nfiles = n ? n : 1;
    in->file = "-";
    return open_file(in) < 0 ? ZN_ERR : 0;
}

int zn_in_open(zn_in *in, char **files, int n) { return in_open(in, files, n, 0); }

int zn_in_open_mixed(zn_in *in, char **files, int n) { return in_open(in, files, n, 1); }

int zn_in_next(zn_in *in)
{
    for (;;) {
        int k = in_getline(in);
        if (k < 0) return ZN_ERR;
        if (k == 0) {
            if (++in->cur >= in->nfiles) return ZN_EOF;
            if (open_file(in) < 0) return ZN_ERR;
            return ZN_SEG;
        }
        char *s = in->line;
        if (s[0] == '\xef' && in->len >= 9 && memcmp(s, "\xef\xbb\xbf##znr=", 9) == 0) { /* cat of such files */
            skip_bom(in);
            s = in->line;
        }
        if (s[0] == '#') {
            if (strncmp(s, "##znr=", 6) == 0) {
                if (!zn_rd_segment_closed(in->rd))
                    return in_fail(in, "a new segment begins here, but the one before it was cut short "
                                       "(no BGZF end-of-file marker before it)");
                in->nseg++;
                if (read_head(in) < 0) return ZN_ERR;
                return ZN_SEG;
            }
            return in_fail(in, "a line beginning with '#' among the records: a meta or header line "
                               "(a new segment must begin with ##znr=1), or a record whose first field "
                               "begins with '#', which the format does not allow");
        }
        size_t nf = 0;
        in->f[0] = s;
        for (char *p = s;; p++) {
            p = strchr(p, '\t');
            if (!p) break;
            *p = 0;
            if (++nf >= in->ncols) return in_fail(in, "ragged row: more than %zu fields (the header has %zu columns)", in->ncols, in->ncols);
            in->f[nf] = p + 1;
        }
        nf++;
        if (strlen(in->f[nf - 1]) != (size_t)(s + in->len - in->f[nf - 1]))
            return in_fail(in, "column '%s': a NUL byte in the field (binary data, or a UTF-16 file? "
                               "text fields are UTF-8 without NUL)",
                           nf - 1 < in->ncols ? in->cols[nf - 1] : "?");
        if (nf != in->ncols)
            return in_fail(in, "ragged row: %zu field%s, the header has %zu columns", nf, nf == 1 ? "" : "s",
                           in->ncols);
        for (size_t i = 0; i + 1 < nf; i++) in->fl[i] = (size_t)(in->f[i + 1] - in->f[i] - 1);
        in->fl[nf - 1] = (size_t)(s + in->len - in->f[nf - 1]);
        return ZN_REC;
    }
}

int zn_in_col(const zn_in *in, const char *name)
{
    for (size_t i = 0; i < in->ncols; i++)
        if (strcmp(in->cols[i], name) == 0) return (int)i;
    return -1;
}

int zn_in_need(const zn_in *in, const char *name)
{
    int c = zn_in_col(in, name);
    if (c >= 0) return c;
    zn_buf b = {0};
    for (size_t i = 0; i < in->ncols; i++) {
        if (i) zn_buf_adds(&b, ", ");
        zn_buf_adds(&b, in->cols[i]);
    }
    zn_die(ZN_EXIT_DATA, "%s: missing column '%s' (the stream has: %s)", in->file, name, b.s ? b.s : "");
}

void zn_in_die(const zn_in *in, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: %s:%ld: ", zn_prog, in->file, in->lineno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(ZN_EXIT_DATA);
}

int zn_in_num(const zn_in *in, int col, double *x)
{
    int k = zn_parse_double(in->f[col], in->fl[col], x);
    if (k == ZN_NUM_OK || k == ZN_NUM_EMPTY) return k;
    if (k == ZN_NUM_RANGE)
        zn_in_die(in, "column '%s': \"%s\" is out of the range of a double", in->cols[col], in->f[col]);
    zn_in_die(in, "column '%s': \"%s\" is not a number%s", in->cols[col], in->f[col],
              zn_num_hint(in->f[col], in->fl[col]));
}

void zn_in_close(zn_in *in)
{
    zn_rd_close(in->rd);
    zn_meta_clear(&in->meta);
    free(in->meta.v);
    for (size_t i = 0; i < in->ncols; i++) free(in->cols[i]);
    free(in->cols);
    free(in->header);
    free(in->f);
    free(in->fl);
    free(in->first_header);
    free(in->first_file);
    memset(in, 0, sizeof *in);
}

/* ---------------------------------------------------------------- writer */

void zn_out_head(zn_wr *w, const zn_meta *meta, const char *pg, char *const *cols, size_t ncols)
{
    zn_wr_segment(w);
    zn_wr_records(w, NULL);
    zn_wr_puts(w, "##znr=1");
    zn_wr_eol(w);
    for (size_t i = 0; meta && i < meta->n; i++) {
        if (strncmp(meta->v[i], "znr=", 4) == 0) continue;
        zn_wr_put(w, "##", 2);
        zn_wr_puts(w, meta->v[i]);
        zn_wr_eol(w);
    }
    if (pg) {
        zn_wr_puts(w, "##pg=");
        zn_wr_puts(w, pg);
        zn_wr_eol(w);
    }
    zn_wr_putc(w, '#');
    for (size_t i = 0; i < ncols; i++) {
        if (i) zn_wr_putc(w, '\t');
        zn_wr_puts(w, cols[i]);
    }
    zn_wr_eol(w);
    zn_wr_records(w, ncols ? cols[0] : "");
}

void zn_out_fields(zn_wr *w, char *const *f, const size_t *fl, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) zn_wr_putc(w, '\t');
        zn_wr_put(w, f[i], fl[i]);
    }
    zn_wr_eol(w);
}

void zn_out_line(zn_wr *w, zn_in *in)
{
    for (size_t i = 0; i + 1 < in->ncols; i++) in->f[i][in->fl[i]] = '\t';
    zn_wr_put(w, in->line, in->len);
    zn_wr_eol(w);
    for (size_t i = 0; i + 1 < in->ncols; i++) in->f[i][in->fl[i]] = 0;
}
