/* zn-means - mean, SD and n of columns per group: the replicate's value
 * (a dish's mean of its cells) for tests and fits whose unit is the dish. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-means [OPTIONS] -c COLS [FILE...]\n"
    "Mean, SD (n - 1) and n of numeric columns per group: one record per group\n"
    "(schema means) with the --by columns, the --meta values, and for each\n"
    "column COL: COL (the mean), COL_sd, COL_n.  Empty fields are missing and\n"
    "not counted; a group with no value of COL has COL empty.  Groups are\n"
    "written in the order they first appear.\n"
    "\n"
    "  -c, --columns COLS    the columns to average (comma list)\n"
    "      --by COLS         the group (comma list; default sample: a dish's cells)\n"
    "      --meta KEY,...    also a column KEY with each segment's ##KEY= value (a\n"
    "                        treatment every record of the segment shares, such as\n"
    "                        a dish's concentration); its records must all have one\n"
    "                        value per group\n";

enum { OPT_BY = ZN_OPT_FIRST_OWN, OPT_META };

#define MAXC 64

typedef struct {
    char *key;      /* --by fields joined by 0x1f */
    char **meta;    /* --meta values */
    double *mean, *m2;
    long *n;
} group_t;

int main(int argc, char **argv)
{
    zn_opt o;
    zn_opt_init(&o, argc, argv);
    const char *columns = NULL, *by = "sample", *metalist = NULL;
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"columns", required_argument, 0, 'c'},
                                          {"by", required_argument, 0, OPT_BY},
                                          {"meta", required_argument, 0, OPT_META},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "c:", lopts, NULL)) != -1) {
        if (zn_opt_common(&o, c, optarg, usage)) continue;
        switch (c) {
        case 'c': columns = optarg; break;
        case OPT_BY: by = optarg; break;
        case OPT_META: metalist = optarg; break;
        default: zn_usage_error("unknown option");
        }
    }
    if (!columns) zn_usage_error("-c/--columns: name the columns to average (e.g. -c mean_final)");
    zn_opt_check_stdin(argc - optind, usage);

    /* --meta keys */
    char *mkeys[MAXC];
    size_t nm = 0;
    char *mcopy = metalist ? zn_strdup(metalist) : NULL;
    if (mcopy) {
        char *save = NULL;
        for (char *t = strtok_r(mcopy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (nm == MAXC) zn_usage_error("--meta: more than %d keys", MAXC);
            mkeys[nm++] = t;
        }
        if (!nm) zn_usage_error("--meta: no key named");
    }

    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    int bycols[MAXC], ycols[MAXC];
    size_t nb = zn_in_collist(&in, by, bycols, MAXC, "--by");
    size_t ny = zn_in_collist(&in, columns, ycols, MAXC, "-c/--columns");
    for (size_t i = 0; i < ny; i++)
        for (size_t j = 0; j < nb; j++)
            if (ycols[i] == bycols[j])
                zn_usage_error("column '%s' is both in --by and -c (a group's key is not averaged)", in.cols[ycols[i]]);

    /* the output's meta: the first segment's, as a means stream */
    zn_meta meta = {0};
    zn_meta_derive(&meta, &in.meta, "means");
    for (size_t i = 0; i < nm; i++) { /* the first segment's value is a column now, not the stream's */
        size_t l = strlen(mkeys[i]), j = 0;
        for (size_t m = 0; m < meta.n; m++) {
            if (strncmp(meta.v[m], mkeys[i], l) == 0 && meta.v[m][l] == '=') free(meta.v[m]);
            else meta.v[j++] = meta.v[m];
        }
        meta.n = j;
    }
    zn_meta_addf(&meta, "means=by:%s;columns:%s%s%s", by, columns, nm ? ";meta:" : "", nm ? metalist : "");

    group_t *g = NULL;
    size_t ng = 0, gcap = 0;
    const char *segmeta[MAXC];
    long nrec = 0;
    int k;
    for (k = ZN_SEG;; k = zn_in_next(&in)) {
        if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in.err);
        if (k == ZN_EOF) break;
        if (k == ZN_SEG) {
            for (size_t i = 0; i < nm; i++) {
                segmeta[i] = zn_meta_get(&in.meta, mkeys[i]);
                if (!segmeta[i])
                    zn_die(ZN_EXIT_DATA, "%s: --meta %s: the segment has no ##%s= line (give it when the data are "
                                         "made, e.g. zn-ingest --meta %s=VALUE)",
                           in.file, mkeys[i], mkeys[i], mkeys[i]);
            }
            continue;
        }
        zn_progress(&o, ++nrec, 0);
        char *key = zn_key_make(&in, bycols, nb);
        size_t gi;
        for (gi = 0; gi < ng; gi++)
            if (strcmp(g[gi].key, key) == 0) break;
        if (gi == ng) {
            zn_grow(&g, &gcap, ng + 1, sizeof *g);
            g[ng].key = key;
            g[ng].meta = zn_calloc(nm ? nm : 1, sizeof *g[ng].meta);
            for (size_t i = 0; i < nm; i++) g[ng].meta[i] = zn_strdup(segmeta[i]);
            g[ng].mean = zn_calloc(ny, sizeof(double));
            g[ng].m2 = zn_calloc(ny, sizeof(double));
            g[ng].n = zn_calloc(ny, sizeof(long));
            ng++;
        } else {
            free(key);
            for (size_t i = 0; i < nm; i++)
                if (strcmp(g[gi].meta[i], segmeta[i]) != 0)
                    zn_in_die(&in, "--meta %s: this group has %s=%s here and %s=%s in an earlier segment (one group, "
                                   "one treatment: add a column to --by to tell them apart)",
                              mkeys[i], mkeys[i], segmeta[i], mkeys[i], g[gi].meta[i]);
        }
        for (size_t j = 0; j < ny; j++) {
            double x;
            if (zn_in_num(&in, ycols[j], &x) == ZN_NUM_EMPTY) continue;
            /* Welford: no cancellation for values far from zero */
            long n = ++g[gi].n[j];
            double d = x - g[gi].mean[j];
            g[gi].mean[j] += d / (double)n;
            g[gi].m2[j] += d * (x - g[gi].mean[j]);
        }
    }
    zn_progress(&o, nrec, 1);

    size_t ncol = nb + nm + 3 * ny;
    char **cols = zn_malloc(ncol * sizeof *cols);
    size_t p = 0;
    for (size_t i = 0; i < nb; i++) cols[p++] = zn_strdup(in.cols[bycols[i]]);
    for (size_t i = 0; i < nm; i++) {
        for (size_t j = 0; j < nb; j++)
            if (strcmp(in.cols[bycols[j]], mkeys[i]) == 0)
                zn_usage_error("--meta %s: the stream has a column of that name (group by it with --by)", mkeys[i]);
        cols[p++] = zn_strdup(mkeys[i]);
    }
    for (size_t j = 0; j < ny; j++) {
        const char *nmj = in.cols[ycols[j]];
        size_t l = strlen(nmj) + 4;
        cols[p] = zn_malloc(l);
        snprintf(cols[p++], l, "%s", nmj);
        cols[p] = zn_malloc(l);
        snprintf(cols[p++], l, "%s_sd", nmj);
        cols[p] = zn_malloc(l);
        snprintf(cols[p++], l, "%s_n", nmj);
        const char *u = zn_meta_unit(&in.meta, nmj);
        if (u) zn_meta_addf(&meta, "unit.%s_sd=%s", nmj, u); /* unit.COL came with the meta */
    }
    zn_wr *w = zn_opt_open_out(&o);
    zn_out_head(w, &meta, o.no_pg ? NULL : o.pg, cols, ncol);
    for (size_t gi = 0; gi < ng; gi++) {
        const char *s;
        for (size_t i = 0; i < nb; i++) {
            size_t l = zn_key_field(g[gi].key, i, &s);
            if (i) zn_wr_putc(w, '\t');
            zn_wr_put(w, s, l);
        }
        for (size_t i = 0; i < nm; i++) {
            zn_wr_putc(w, '\t');
            zn_wr_puts(w, g[gi].meta[i]);
        }
        for (size_t j = 0; j < ny; j++) {
            long n = g[gi].n[j];
            zn_wr_putc(w, '\t');
            if (n) zn_wr_double(w, g[gi].mean[j]);
            zn_wr_putc(w, '\t');
            if (n > 1) zn_wr_double(w, sqrt(g[gi].m2[j] / (double)(n - 1)));
            zn_wr_putc(w, '\t');
            zn_wr_long(w, n);
        }
        zn_wr_eol(w);
    }
    zn_opt_close_out(w);
    for (size_t gi = 0; gi < ng; gi++) {
        free(g[gi].key);
        for (size_t i = 0; i < nm; i++) free(g[gi].meta[i]);
        free(g[gi].meta);
        free(g[gi].mean);
        free(g[gi].m2);
        free(g[gi].n);
    }
    free(g);
    for (size_t i = 0; i < ncol; i++) free(cols[i]);
    free(cols);
    zn_meta_clear(&meta);
    free(meta.v);
    free(mcopy);
    zn_in_close(&in);
    zn_opt_free(&o);
    return 0;
}
