/* common.c - what every input family of zn-ingest uses: instrument values
 * and tokens, errors naming file, line and column, the input as text, the
 * record table of plates and counters and its output (ingest.h). */
#define _GNU_SOURCE
#include "ingest.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *cur_file;

/* ------------------------------------------------------------ values and errors */

static int is_token(const char *s)
{
    static const char *tok[] = {"OVER",    "OVRFLW",   "OVERFLOW", "UNDER", "Sat",      "Saturated", "Error",
                                "NaN",     "Infinity", "-Infinity", "Inf",  "Invalid",  "Range?",    "Masked",
                                "Outlier", "N/A",      "n/a",       NULL};
    for (int i = 0; tok[i]; i++)
        if (strcasecmp(s, tok[i]) == 0) return 1;
    if (!*s) return 0;
    for (const char *p = s; *p; p++)
        if (*p != '?' && *p != '*' && *p != '#') return 0;
    return 1;
}

/* (ingest.h) */
int inst_value(const char *s, double *x)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    if (!n) return 1;
    char tmp[64];
    if (A.decimal_comma && n < sizeof tmp) {
        memcpy(tmp, s, n);
        for (size_t i = 0; i < n; i++)
            if (tmp[i] == ',') tmp[i] = '.';
        s = tmp;
    }
    int k = zn_parse_double(s, n, x);
    if (k == ZN_NUM_OK) return 0;
    if (k == ZN_NUM_RANGE) return -2;
    char t[64];
    snprintf(t, sizeof t, "%.*s", (int)(n < 63 ? n : 63), s);
    if (is_token(t)) return 2;
    return -1;
}

/* a number whose value (after conversion to the output's unit) a double
 * cannot hold */
_Noreturn void range_value(long line, const char *col, const char *v)
{
    double x;
    if (inst_value(v, &x) == -2)
        zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is out of range (a double holds magnitudes from about "
               "2.2e-308 to 1.8e308)", cur_file, line, col, v);
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is out of range once converted to the output's unit", cur_file,
           line, col, v);
}

_Noreturn void bad_value(long line, const char *col, const char *v)
{
    double x;
    if (inst_value(v, &x) == -2) range_value(line, col, v);
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is not a number%s", cur_file, line, col, v,
           zn_num_hint(v, strlen(v)));
}


void check_ragged(const char *file, long line, size_t nf, size_t ncols)
{
    if (nf != ncols)
        zn_die(ZN_EXIT_DATA, "%s:%ld: ragged row: %zu fields, the header has %zu", file, line, nf, ncols);
}


char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    return s;
}

/* a value safe for a ZNR field: tabs and newlines become spaces */
void put_field(zn_wr *w, const char *s)
{
    for (; *s; s++) zn_wr_putc(w, *s == '\t' || *s == '\n' ? ' ' : *s);
}

void write_head(zn_wr *w, const char *schema, const char *format, char **cols, size_t ncols,
                       int trace)
{
    zn_meta m = {0};
    zn_meta_addf(&m, "schema=%s", schema);
    zn_meta_addf(&m, "format=%s", format);
    for (size_t i = 0; i < A.nin; i++) {
        char *b = strrchr(A.in[i].path, '/');
        zn_meta_addf(&m, "source=%s%s%s", b ? b + 1 : A.in[i].path, A.in[i].channel ? " channel=" : "",
                     A.in[i].channel ? A.in[i].channel : "");
    }
    for (size_t i = 0; i < A.extra.n; i++) zn_meta_add(&m, A.extra.v[i]);
    if (trace) zn_meta_add(&m, "unit.t=s");
    zn_out_head(w, &m, A.o.no_pg ? NULL : A.o.pg, cols, ncols);
    zn_meta_clear(&m);
    free(m.v);
}

/* ------------------------------------------------------------ record tables (plates, counters) */

size_t ot_col(otab_t *t, const char *name)
{
    size_t c = zn_dict_get(&t->colix, name);
    if (c != (size_t)-1) return c;
    zn_grow(&t->cols, &t->capcols, t->ncols + 1, sizeof *t->cols);
    t->cols[t->ncols] = zn_strdup(name);
    zn_dict_put(&t->colix, name, t->ncols);
    return t->ncols++;
}

size_t ot_row(otab_t *t)
{
    zn_grow(&t->rows, &t->caprows, t->nrows + 1, sizeof *t->rows);
    t->rows[t->nrows].v = NULL;
    t->rows[t->nrows].n = 0;
    return t->nrows++;
}

void ot_set(otab_t *t, size_t r, const char *col, const char *v)
{
    size_t c = ot_col(t, col);
    orow_t *row = &t->rows[r];
    if (c >= row->n) {
        size_t n = t->ncols > c + 1 ? t->ncols : c + 1;
        row->v = zn_realloc(row->v, n * sizeof *row->v);
        memset(row->v + row->n, 0, (n - row->n) * sizeof *row->v);
        row->n = n;
    }
    free(row->v[c]);
    row->v[c] = zn_strdup(v);
}

/* the value of row r by column index ("" when unset) */
const char *ot_at(const otab_t *t, size_t r, size_t c)
{
    const orow_t *row = &t->rows[r];
    return c < row->n && row->v[c] ? row->v[c] : "";
}

/* the value of row r in column col, or NULL when the table has no such column */
const char *ot_get(const otab_t *t, size_t r, const char *col)
{
    size_t c = zn_dict_get(&t->colix, col);
    return c == (size_t)-1 ? NULL : ot_at(t, r, c);
}

/* an instrument number into column col; tokens go to the flag column */
void ot_value(otab_t *t, size_t r, const char *col, const char *v, long line, double scale)
{
    double x;
    char b[40];
    int k = inst_value(v, &x);
    ot_col(t, col);
    if (k == 0) {
        if (!isfinite(x * scale)) range_value(line, col, v);
        if (scale == 1) zn_fmt_double_rt(b, x); /* measured: as it came */
        else zn_fmt_double(b, x * scale);     /* converted: 15 digits */
        ot_set(t, r, col, b);
    } else if (k == 2) {
        const char *old = ot_get(t, r, "flag");
        char *s = old && *old ? zn_asprintf("%s;%s", old, trim((char *)v)) : zn_strdup(trim((char *)v));
        ot_set(t, r, "flag", s);
        free(s);
    } else if (k < 0)
        bad_value(line, col, v);
}

void ot_free(otab_t *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->rows[r].n; c++) free(t->rows[r].v[c]);
        free(t->rows[r].v);
    }
    free(t->rows);
    for (size_t i = 0; i < t->ncols; i++) free(t->cols[i]);
    free(t->cols);
    zn_dict_free(&t->colix);
}

/* ------------------------------------------------------------ wells, column names, output */

void well_or_die(const char *s, char out[8], long line)
{
    if (zn_well_norm(s, out, NULL, NULL) < 0)
        zn_die(ZN_EXIT_DATA, "%s:%ld: \"%s\" is not a well name (A1..P24)", cur_file, line, s);
}

char *col_name(const char *h)
{ /* an instrument header as a ZNR column name: [A-Za-z0-9_.] */
    char *s = zn_strdup(h);
    for (char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') *p = '_';
    return s;
}

void emit_table(otab_t *t, const char *schema, const char *format, zn_wr *w)
{
    char e[600];
    if (zn_schema_check(schema, t->cols, t->ncols, e, sizeof e) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", cur_file, e);
    write_head(w, schema, format, t->cols, t->ncols, 0);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) zn_wr_putc(w, '\t');
            put_field(w, ot_at(t, r, c));
        }
        zn_wr_eol(w);
    }
}

/* ------------------------------------------------------------ input */

/* The whole input as UTF-8 text with LF line ends, holding one copy: the
 * lines are appended to one buffer (a CRLF comes back as LF; a bare CR stays
 * for the decoder).  UTF-16, recognised by its byte-order mark on the first
 * line, is read whole instead: its line ends are not single bytes. */
char *read_text(const char *path, size_t *n)
{
    char err[600], *line;
    size_t len;
    zn_rd *rd = zn_rd_open(path, err, sizeof err);
    if (!rd) zn_die(ZN_EXIT_DATA, "%s", err);
    zn_buf b = {0};
    int k, first = 1;
    while ((k = zn_rd_getline(rd, &line, &len)) > 0) {
        zn_buf_add(&b, line, len);
        zn_buf_addc(&b, '\n');
        if (first && len >= 2 &&
            ((line[0] == '\xff' && line[1] == '\xfe') || (line[0] == '\xfe' && line[1] == '\xff'))) {
            /* the rest, with this line put in front of it: not a copy of
             * the rest into b (a 60 MB UTF-16 file peaked at 180 MB) */
            char *rest;
            size_t rn;
            if (zn_rd_slurp(rd, &rest, &rn) < 0) zn_die(ZN_EXIT_DATA, "%s", zn_rd_error(rd));
            rest = zn_realloc(rest, b.n + rn + 1);
            memmove(rest + b.n, rest, rn);
            memcpy(rest, b.s, b.n);
            rest[b.n + rn] = 0;
            free(b.s);
            b.s = rest;
            b.n += rn;
            b.cap = b.n + 1;
            break;
        }
        first = 0;
    }
    if (k < 0) zn_die(ZN_EXIT_DATA, "%s", zn_rd_error(rd));
    zn_rd_close(rd);
    zn_buf_add(&b, "", 0);
    char *text = b.s;
    *n = b.n;
    if (zn_text_decode_own(&text, n, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", path, err);
    size_t i = 0;
    while (i < *n && (text[i] == '\n' || text[i] == ' ')) i++;
    if (i == *n) zn_die(ZN_EXIT_DATA, "%s: empty input", path);
    return text;
}
