/* zn_csv.c - instrument tables: encodings, line ends, delimiters, RFC 4180
 * fields (libcsv), and plate well names. */
#include "zn.h"

#include <csv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void put_utf8(zn_buf *b, unsigned long cp)
{
    char u[4];
    if (cp < 0x80) {
        zn_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        zn_buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        zn_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        zn_buf_add(b, u, 4);
    }
}

int zn_text_decode(const char *raw, size_t n, char **out, size_t *outlen, char *err, size_t errlen)
{
    const unsigned char *u = (const unsigned char *)raw;
    zn_buf b = {0};
    zn_buf_add(&b, "", 0);
    if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
        int le = u[0] == 0xff;
        if (n % 2) {
            snprintf(err, errlen, "UTF-16 text with an odd number of bytes (cut short?)");
            zn_buf_free(&b);
            return -1;
        }
        for (size_t i = 2; i + 1 < n; i += 2) {
            unsigned long c = le ? (unsigned long)u[i] | (unsigned long)u[i + 1] << 8
                                 : (unsigned long)u[i] << 8 | u[i + 1];
            if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
                unsigned long d = le ? (unsigned long)u[i + 2] | (unsigned long)u[i + 3] << 8
                                     : (unsigned long)u[i + 2] << 8 | u[i + 3];
                if (d >= 0xdc00 && d < 0xe000) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                    i += 2;
                }
            }
            if (c == 0) {
                snprintf(err, errlen, "NUL character in UTF-16 text (a binary file?)");
                zn_buf_free(&b);
                return -1;
            }
            put_utf8(&b, c);
        }
        raw = b.s;
        n = b.n;
        u = (const unsigned char *)raw;
    } else if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
        raw += 3;
        n -= 3;
    }
    if (memchr(raw, 0, n)) {
        snprintf(err, errlen, "NUL bytes in the input: a binary file, or UTF-16 without a byte-order mark");
        zn_buf_free(&b);
        return -1;
    }
    char *o = zn_malloc(n + 2);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (raw[i] == '\r') {
            o[k++] = '\n';
            if (i + 1 < n && raw[i + 1] == '\n') i++;
        } else
            o[k++] = raw[i];
    }
    if (k && o[k - 1] != '\n') o[k++] = '\n';
    o[k] = 0;
    zn_buf_free(&b);
    *out = o;
    *outlen = k;
    return 0;
}

int zn_text_decode_own(char **buf, size_t *n, char *err, size_t errlen)
{
    unsigned char *u = (unsigned char *)*buf;
    size_t len = *n;
    if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
        char *out;
        if (zn_text_decode(*buf, len, &out, n, err, errlen) < 0) return -1;
        free(*buf);
        *buf = out;
        return 0;
    }
    size_t i = len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf ? 3 : 0;
    if (memchr(*buf + i, 0, len - i)) {
        snprintf(err, errlen, "NUL bytes in the input: a binary file, or UTF-16 without a byte-order mark");
        return -1;
    }
    char *o = *buf;
    size_t k = 0;
    for (; i < len; i++) { /* k <= i: the text only shrinks */
        if (o[i] == '\r') {
            o[k++] = '\n';
            if (i + 1 < len && o[i + 1] == '\n') i++;
        } else
            o[k++] = o[i];
    }
    o = zn_realloc(o, k + 2);
    if (k && o[k - 1] != '\n') o[k++] = '\n';
    o[k] = 0;
    *buf = o;
    *n = k;
    return 0;
}

char zn_csv_sniff(const char *text, size_t n)
{
    /* score: number of lines (of the first 50 non-blank) whose count of the
     * delimiter equals the most common nonzero count, times that count */
    static const char cand[3] = {'\t', ';', ','};
    long best = -1;
    char bestc = ',';
    for (int c = 0; c < 3; c++) {
        int counts[50], nl = 0;
        const char *p = text, *end = text + n;
        while (p < end && nl < 50) {
            const char *e = memchr(p, '\n', (size_t)(end - p));
            if (!e) e = end;
            if (e > p) {
                int k = 0, q = 0;
                for (const char *s = p; s < e; s++) {
                    if (*s == '"') q = !q;
                    else if (!q && *s == cand[c]) k++;
                }
                counts[nl++] = k;
            }
            p = e + 1;
        }
        int mode = 0, modef = 0;
        for (int i = 0; i < nl; i++) {
            if (!counts[i]) continue;
            int f = 0;
            for (int j = 0; j < nl; j++) f += counts[j] == counts[i];
            if (f > modef || (f == modef && counts[i] > mode)) {
                modef = f;
                mode = counts[i];
            }
        }
        long score = (long)modef * 1000 + mode;
        if (mode && score > best) {
            best = score;
            bestc = cand[c];
        }
    }
    return bestc;
}

struct each {
    zn_csv_row_fn fn;
    void *arg;
    char **f;
    size_t nf, cap;
    zn_buf pool;    /* field bytes of the row */
    size_t *offs;   /* offsets into pool */
    size_t offcap;
    long line, row_line;
    int stop, started;
};

static void cb_field(void *s, size_t len, void *data)
{
    struct each *e = data;
    if (!e->started) {
        e->started = 1;
        e->row_line = e->line;
    }
    zn_grow(&e->offs, &e->offcap, e->nf + 1, sizeof *e->offs);
    e->offs[e->nf++] = e->pool.n;
    zn_buf_add(&e->pool, s ? s : "", s ? len : 0);
    zn_buf_addc(&e->pool, 0);
}

static void cb_row(int c, void *data)
{
    struct each *e = data;
    (void)c;
    if (e->stop) {
        e->nf = 0;
        e->pool.n = 0;
        e->started = 0;
        return;
    }
    zn_grow(&e->f, &e->cap, e->nf + 1, sizeof *e->f);
    for (size_t i = 0; i < e->nf; i++) e->f[i] = e->pool.s + e->offs[i];
    e->f[e->nf] = NULL;
    e->stop = e->fn(e->f, e->nf, e->started ? e->row_line : e->line, e->arg);
    e->nf = 0;
    e->pool.n = 0;
    e->started = 0;
}

static int only_space(unsigned char c) { return c == ' '; }
static int is_lf(unsigned char c) { return c == '\n'; }

/* release: give the pages of text already parsed back to the system */
static int csv_each(const char *text, size_t n, char delim, zn_csv_row_fn row, void *arg, char *err, size_t errlen,
                    int release)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t done = ((uintptr_t)text + page - 1) / page * page; /* released up to here */
    struct csv_parser p;
    if (csv_init(&p, CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
        snprintf(err, errlen, "cannot initialise libcsv");
        return -1;
    }
    csv_set_delim(&p, (unsigned char)delim);
    csv_set_space_func(&p, only_space);
    csv_set_term_func(&p, is_lf);
    struct each e = {0};
    e.fn = row;
    e.arg = arg;
    const char *s = text, *end = text + n;
    int rc = 0;
    while (s < end && !e.stop) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        e.line++;
        if (csv_parse(&p, s, len, cb_field, cb_row, &e) != len) {
            snprintf(err, errlen, "line %ld: %s", e.line, csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
        s += len;
        if (release && (uintptr_t)s >= done + (1u << 20)) {
            uintptr_t to = (uintptr_t)s / page * page;
            madvise((void *)done, to - done, MADV_DONTNEED);
            done = to;
        }
    }
    if (rc == 0 && !e.stop) {
        if (p.pstate == 2 && p.quoted) { /* inside a quoted field at the end */
            snprintf(err, errlen, "line %ld: a quoted field is not closed (a missing '\"')", e.row_line);
            rc = -1;
        } else
            csv_fini(&p, cb_field, cb_row, &e);
    }
    if (rc == 0 && e.stop) rc = e.stop;
    csv_free(&p);
    free(e.f);
    free(e.offs);
    zn_buf_free(&e.pool);
    return rc;
}

int zn_csv_each(const char *text, size_t n, char delim, zn_csv_row_fn row, void *arg, char *err, size_t errlen)
{
    return csv_each(text, n, delim, row, arg, err, errlen, 0);
}

int zn_csv_each_consume(char *text, size_t n, char delim, zn_csv_row_fn row, void *arg, char *err, size_t errlen)
{
    return csv_each(text, n, delim, row, arg, err, errlen, 1);
}

static int table_row(char **f, size_t nf, long line, void *arg)
{
    zn_table *t = arg;
    zn_grow(&t->rows, &t->cap, t->n + 1, sizeof *t->rows);
    zn_row *r = &t->rows[t->n++];
    r->n = nf;
    r->line = line;
    r->f = zn_malloc((nf + 1) * sizeof *r->f);
    for (size_t i = 0; i < nf; i++) r->f[i] = zn_strdup(f[i]);
    r->f[nf] = NULL;
    return 0;
}

int zn_table_load(zn_table *t, const char *text, size_t n, char delim, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    return zn_csv_each(text, n, delim, table_row, t, err, errlen);
}

void zn_table_free(zn_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->rows[i].n; j++) free(t->rows[i].f[j]);
        free(t->rows[i].f);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

const char *zn_table_get(const zn_table *t, size_t r, size_t i)
{
    if (r >= t->n || i >= t->rows[r].n) return "";
    return t->rows[r].f[i];
}

int zn_well_norm(const char *s, char out[8], int *row, int *col)
{
    while (*s == ' ') s++;
    int r = 0, nl = 0;
    while (isalpha((unsigned char)*s) && nl < 2) {
        r = r * 26 + (toupper((unsigned char)*s) - 'A' + 1);
        s++;
        nl++;
    }
    if (!nl || !isdigit((unsigned char)*s)) return -1;
    long c = 0;
    int nd = 0;
    while (isdigit((unsigned char)*s) && nd < 4) c = c * 10 + (*s++ - '0'), nd++;
    while (*s == ' ') s++;
    if (*s || c < 1 || c > 48 || r < 1 || r > 32) return -1;
    r--; /* 0-based: A=0 ... P=15, AA=26 ... */
    if (nl == 2) {
        if (r < 26) return -1;
    }
    int k = 0;
    if (r >= 26) {
        out[k++] = (char)('A' + r / 26 - 1);
        out[k++] = (char)('A' + r % 26);
    } else
        out[k++] = (char)('A' + r);
    k += snprintf(out + k, 8 - (size_t)k, "%ld", c);
    if (row) *row = r;
    if (col) *col = (int)c;
    return 0;
}
