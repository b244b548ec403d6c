/* zn-view - print, convert or check a ZNR stream. */
#include "zn.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "Usage: zn-view [OPTIONS] [FILE...]\n"
    "Print, convert or check ZNR record streams (plain or gzip; several files or\n"
    "concatenated segments are one stream).\n"
    "\n"
    "  -c, --columns LIST    keep only these columns, in this order (comma-separated)\n"
    "      --tsv             plain TSV for R, pandas and spreadsheets: the header\n"
    "                        without '#', no meta lines\n"
    "      --meta            print only the meta lines of each segment\n"
    "      --check           validate structure, schema, numbers, canonical order and\n"
    "                        the end-of-file marker; print a summary, write no\n"
    "                        records\n";

enum { OPT_TSV = ZN_OPT_FIRST_OWN, OPT_CHECK, OPT_META };

typedef struct {
    zn_opt o;
    char *columns;
    int tsv, check, meta_only;
    int *sel; /* selected column indexes */
    size_t nsel;
} args_t;

static void select_columns(args_t *a, zn_in *in)
{
    free(a->sel);
    a->sel = NULL;
    a->nsel = 0;
    if (!a->columns) return;
    size_t cap = 0;
    char *list = zn_strdup(a->columns), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        zn_grow(&a->sel, &cap, a->nsel + 1, sizeof *a->sel);
        int c = zn_in_need(in, t);
        for (size_t i = 0; i < a->nsel; i++)
            if (a->sel[i] == c) zn_usage_error("-c/--columns: column '%s' is named twice (a header has each name once)", t);
        a->sel[a->nsel++] = c;
    }
    free(list);
    if (!a->nsel) zn_usage_error("-c/--columns: no column named");
}

static void write_head(args_t *a, zn_wr *w, zn_in *in, int first)
{
    char **cols = in->cols;
    size_t n = in->ncols;
    char **tmp = NULL;
    if (a->nsel) {
        tmp = zn_malloc(a->nsel * sizeof *tmp);
        for (size_t i = 0; i < a->nsel; i++) tmp[i] = in->cols[a->sel[i]];
        cols = tmp;
        n = a->nsel;
    }
    if (a->tsv) {
        if (first) {
            for (size_t i = 0; i < n; i++) {
                if (i) zn_wr_putc(w, '\t');
                zn_wr_puts(w, cols[i]);
            }
            zn_wr_eol(w);
        }
    } else if (a->meta_only) {
        for (size_t i = 0; i < in->meta.n; i++) {
            zn_wr_put(w, "##", 2);
            zn_wr_puts(w, in->meta.v[i]);
            zn_wr_eol(w);
        }
    } else if (a->nsel) {
        /* a selection without the schema's required columns is no longer of
         * that schema: leave ##schema= out, so the output passes --check */
        zn_meta m = {0};
        zn_meta_copy(&m, &in->meta);
        const char *schema = zn_meta_get(&in->meta, "schema");
        char err[600];
        if (schema && zn_schema_text(schema) && zn_schema_check(schema, cols, n, err, sizeof err) < 0) {
            if (first) zn_warn("%s: -c: %s, so the output is not a %s stream: ##schema= left out", in->file, err, schema);
            size_t j = 0;
            for (size_t i = 0; i < m.n; i++) {
                if (strncmp(m.v[i], "schema=", 7) == 0) free(m.v[i]);
                else m.v[j++] = m.v[i];
            }
            m.n = j;
        }
        zn_out_head(w, &m, a->o.no_pg ? NULL : a->o.pg, cols, n);
        zn_meta_clear(&m);
        free(m.v);
    } else
        zn_out_head(w, &in->meta, a->o.no_pg ? NULL : a->o.pg, cols, n);
    free(tmp);
}

/* "inf", "-Infinity", "nan": never data, in any column (a numeric column
 * rejects it as a number; a column the schema does not know is checked here) */
static int nonfinite_word(const char *s, size_t n)
{
    if (n && (*s == '-' || *s == '+')) s++, n--;
    return (n == 3 && (strncasecmp(s, "inf", 3) == 0 || strncasecmp(s, "nan", 3) == 0)) ||
           (n == 8 && strncasecmp(s, "infinity", 8) == 0);
}

static int check_stream(args_t *a, zn_in *in)
{
    char err[1024];
    long nrec = 0;
    /* static: still reachable when a record ends the program (exit on bad
     * data), so the leak checker does not report them */
    static zn_trace tr;
    static int *numeric;
    static char *schema_copy;
    int is_trace = 0;
    const char *schema = NULL;
    numeric = NULL;
    schema_copy = NULL;
    for (int k = ZN_SEG;; k = zn_in_next(in)) {
        if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
        if (k == ZN_EOF) break;
        if (k == ZN_SEG) {
            const char *s = zn_meta_get(&in->meta, "schema");
            if (schema_copy && (!s || strcmp(s, schema_copy) != 0))
                zn_in_die(in, "this segment's schema (%s) differs from the first segment's (%s)", s ? s : "none",
                          schema_copy);
            if (!schema_copy && s) {
                schema_copy = zn_strdup(s);
                schema = schema_copy;
                if (!zn_schema_text(schema)) {
                    zn_warn("%s: schema '%s' is not one this version knows: checking structure only", in->file,
                            schema);
                    schema = NULL;
                } else if (zn_schema_check(schema, in->cols, in->ncols, err, sizeof err) < 0)
                    zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
                if (schema) {
                    numeric = zn_calloc(in->ncols, sizeof *numeric);
                    for (size_t i = 0; i < in->ncols; i++) numeric[i] = zn_schema_is_numeric(schema, in->cols[i]) == 1;
                }
                if (schema && strcmp(schema, "trace") == 0) {
                    zn_trace_init(&tr, in); /* the imaging filters' own checks */
                    is_trace = 1;
                }
            } else if (is_trace)
                zn_trace_segment(&tr);
            zn_window w;
            const char *v;
            for (size_t i = 0; (v = zn_meta_get_nth(&in->meta, "window", i)); i++) {
                if (zn_window_parse(v, &w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: meta: %s", in->file, err);
                free(w.name);
            }
            continue;
        }
        zn_progress(&a->o, ++nrec, 0);
        double x;
        for (size_t i = 0; i < in->ncols; i++) {
            if (numeric && numeric[i]) zn_in_num(in, (int)i, &x);
            else if (nonfinite_word(in->f[i], in->fl[i]))
                zn_in_die(in, "column '%s': \"%s\" is not data (not-a-number and infinity are never "
                              "written: a value that cannot be computed is empty, with a flag)",
                          in->cols[i], in->f[i]);
        }
        if (is_trace) zn_trace_rec(&tr);
    }
    zn_progress(&a->o, nrec, 1);
    printf("%s: ok: %ld record%s in %d segment%s, schema %s\n", in->nfiles > 1 ? "stream" : in->file, nrec,
           nrec == 1 ? "" : "s", in->nseg, in->nseg == 1 ? "" : "s", schema_copy ? schema_copy : "none");
    if (fflush(stdout) != 0 || ferror(stdout))
        zn_die(ZN_EXIT_DATA, "write error on standard output: %s (the summary is lost)", strerror(errno));
    if (is_trace) zn_trace_free(&tr);
    free(numeric);
    free(schema_copy);
    return 0;
}

int main(int argc, char **argv)
{
    args_t a = {0};
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"columns", required_argument, 0, 'c'},
                                          {"tsv", no_argument, 0, OPT_TSV},
                                          {"check", no_argument, 0, OPT_CHECK},
                                          {"meta", no_argument, 0, OPT_META},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "c:", lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case 'c': a.columns = optarg; break;
        case OPT_TSV: a.tsv = 1; break;
        case OPT_CHECK: a.check = 1; break;
        case OPT_META: a.meta_only = 1; break;
        default: zn_usage_error("unknown option");
        }
    }
    if (a.check + a.tsv + a.meta_only > 1) zn_usage_error("--check, --tsv and --meta exclude each other");
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    if (a.check) {
        check_stream(&a, &in);
        zn_in_close(&in);
        zn_opt_free(&a.o);
        return 0;
    }
    if (a.tsv || a.meta_only) a.o.plain = 1;
    select_columns(&a, &in);
    zn_wr *w = zn_opt_open_out(&a.o);
    write_head(&a, w, &in, 1);
    int k;
    long nrec = 0;
    while ((k = zn_in_next(&in)) > 0) {
        if (k == ZN_SEG) {
            select_columns(&a, &in);
            write_head(&a, w, &in, 0);
            continue;
        }
        if (a.meta_only) continue;
        zn_progress(&a.o, ++nrec, 0);
        if (!a.nsel) {
            zn_out_line(w, &in);
            continue;
        }
        for (size_t i = 0; i < a.nsel; i++) {
            if (i) zn_wr_putc(w, '\t');
            zn_wr_put(w, in.f[a.sel[i]], in.fl[a.sel[i]]);
        }
        zn_wr_eol(w);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in.err);
    zn_progress(&a.o, nrec, 1);
    zn_opt_close_out(w);
    zn_in_close(&in);
    free(a.sel);
    zn_opt_free(&a.o);
    return 0;
}
