/* zn-background - subtract background: the per-frame mean of a sample's
 * background ROIs, a constant per channel, or a control group (uptake). */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-background [OPTIONS] [FILE...]\n"
    "Subtract background from fluorescence traces or uptake records.\n"
    "\n"
    "Traces (default): for each sample, subtract the per-frame mean of its\n"
    "background ROIs (role bg) from every channel (F, F_*) of every cell:\n"
    "  F'(cell, t) = F(cell, t) - mean over bg ROIs of F(bg, t)\n"
    "      --channels LIST   subtract from these columns only (default: F and F_*)\n"
    "      --value SPEC      subtract constants instead: V for every channel, or\n"
    "                        COL=V,COL=V (e.g. F_CFP=102.5,F_YFP=98)\n"
    "      --allow-missing   a sample without background ROIs passes unchanged,\n"
    "                        flagged no_bg (default: an error naming the sample)\n"
    "      --keep-bg         keep the background ROIs' records (subtracted too)\n"
    "\n"
    "Control group (uptake records, e.g. empty vector):\n"
    "      --control COL=VALUE  records with COL=VALUE are the control group;\n"
    "                        subtract its mean at the same --match keys (records\n"
    "                        with a role other than sample pass unchanged)\n"
    "  -y, --value-column COL  the column to correct (default rate)\n"
    "      --match LIST      keys that pair records with their control\n"
    "                        (default conc_uM,time_min)\n"
    "      --keep-control    keep the control records (subtracted too)\n"
    "      --means           one record per group and key instead: the group's\n"
    "                        mean minus the control's, with its standard error\n"
    "                        (rate_se) from both, for a fit of the means\n"
    "                        (zn-mm-fit --weight sd --sd rate_sd_eq --n rate_n_eq)\n"
    "      --weight W        with --means, how the wells scatter: 1/y2 (SD in\n"
    "                        proportion to the mean, default), 1/y (variance in\n"
    "                        proportion) or none (one SD); pooled over the group's\n"
    "                        and its control's wells\n"
    "\n"
    "      --force           subtract again although the meta says it was done\n";

enum { OPT_CHANNELS = ZN_OPT_FIRST_OWN, OPT_VALUE, OPT_ALLOW, OPT_KEEP_BG, OPT_CONTROL, OPT_MATCH, OPT_KEEP_CTRL,
       OPT_FORCE, OPT_MEANS, OPT_WEIGHT };

typedef struct {
    zn_opt o;
    const char *channels, *value, *control, *ycol, *match;
    int allow_missing, keep_bg, keep_ctrl, force;
    int means;      /* --means */
    int power;      /* --weight: variance of a well in proportion to mean^power (0, 1, 2) */
} args_t;

/* ------------------------------------------------------------ channels */

typedef struct {
    size_t n;
    int *col;       /* input column of channel j */
    size_t *bgcol;  /* output column bg_<name> */
    double *value;  /* --value constant, NAN if none */
} chans_t;

/* one COL=V item of --value: the '=' (dies with a usage error if it is not) */
static char *value_item(char *t, double *v)
{
    char *eq = strchr(t, '=');
    if (!eq || eq == t || zn_parse_double(eq + 1, strlen(eq + 1), v) != ZN_NUM_OK)
        zn_usage_error("--value: \"%s\" is not V or COL=V (e.g. F_CFP=102.5)", t);
    return eq;
}

static void pick_channels(chans_t *ch, const args_t *a, zn_in *in, zn_cols *cols)
{
    memset(ch, 0, sizeof *ch);
    ch->col = zn_calloc(in->ncols, sizeof *ch->col);
    ch->bgcol = zn_calloc(in->ncols, sizeof *ch->bgcol);
    ch->value = zn_calloc(in->ncols, sizeof *ch->value);
    if (a->channels) {
        char *list = zn_strdup(a->channels), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int c = zn_in_need(in, t);
            for (size_t j = 0; j < ch->n; j++)
                if (ch->col[j] == c) zn_usage_error("--channels: column '%s' is named twice", t);
            ch->col[ch->n++] = c;
        }
        free(list);
    } else
        for (size_t i = 0; i < in->ncols; i++)
            if (zn_is_channel(in->cols[i])) ch->col[ch->n++] = (int)i;
    if (!ch->n)
        zn_die(ZN_EXIT_DATA, "%s: no fluorescence channel (F or F_*) to correct; name one with --channels",
               in->file);
    for (size_t j = 0; j < ch->n; j++) ch->value[j] = NAN;
    if (a->value) {
        double v;
        if (zn_parse_double(a->value, strlen(a->value), &v) == ZN_NUM_OK) {
            for (size_t j = 0; j < ch->n; j++) ch->value[j] = v;
        } else {
            char *list = zn_strdup(a->value), *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                char *eq = value_item(t, &v);
                *eq = 0;
                size_t j = 0;
                while (j < ch->n && strcmp(in->cols[ch->col[j]], t) != 0) j++;
                if (j == ch->n) zn_usage_error("--value: \"%s\" is not one of the channels corrected", t);
                ch->value[j] = v;
            }
            free(list);
            for (size_t j = 0; j < ch->n; j++)
                if (isnan(ch->value[j]))
                    zn_usage_error("--value: no value for channel %s (give one for each, or one for all)",
                                   in->cols[ch->col[j]]);
        }
    }
    for (size_t j = 0; j < ch->n; j++) {
        char *name = zn_asprintf("bg_%s", in->cols[ch->col[j]]);
        ch->bgcol[j] = zn_cols_add(cols, name, a->force, " (background already subtracted?)");
        free(name);
    }
}

static void free_channels(chans_t *ch)
{
    free(ch->col);
    free(ch->bgcol);
    free(ch->value);
}

/* ------------------------------------------------------------ traces */

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_cols cols;
    size_t flagcol;
    chans_t ch;
    zn_rec rec;
    zn_wr *w;
    /* background of the current sample, per channel and frame */
    double *sum;  /* [frame * nch + j] */
    long *cnt;
    size_t nframes, fcap;
    double *mean; /* finished per-frame means, NAN where none */
    char (*mtext)[40]; /* the means formatted (the same for every cell) */
    size_t *mlen, mcap;
    int have_bg, bg_done, warned;
    zn_cellbuf bgrec; /* the bg ROIs' records (--keep-bg) */
} trace_t;

static void bg_add(trace_t *s)
{
    size_t nch = s->ch.n, fr = (size_t)s->tr.frame;
    if (fr > (1u << 24))
        zn_in_die(s->in, "background ROI frame %zu: frames above 16777216 are not supported", fr);
    if (fr >= s->nframes) {
        size_t old = s->fcap;
        if ((fr + 1) * nch > s->fcap) {
            size_t c2 = old;
            zn_grow(&s->sum, &c2, (fr + 1) * nch, sizeof *s->sum);
            c2 = old;
            zn_grow(&s->cnt, &c2, (fr + 1) * nch, sizeof *s->cnt);
            zn_grow(&s->mean, &s->fcap, (fr + 1) * nch, sizeof *s->mean);
        }
        for (size_t i = s->nframes * nch; i < (fr + 1) * nch; i++) {
            s->sum[i] = 0;
            s->cnt[i] = 0;
        }
        s->nframes = fr + 1;
    }
    for (size_t j = 0; j < nch; j++) {
        double x;
        if (zn_in_num(s->in, s->ch.col[j], &x) == ZN_NUM_OK) {
            s->sum[fr * nch + j] += x;
            s->cnt[fr * nch + j]++;
        }
    }
    s->have_bg = 1;
}

/* write one record with the background of its frame subtracted */
static void put_subtracted(trace_t *s, long frame)
{
    size_t nch = s->ch.n;
    int neg = 0, nobg = 0;
    for (size_t j = 0; j < nch; j++) {
        int c = s->ch.col[j];
        size_t mi = (size_t)frame * nch + j;
        int have = !s->a->value && s->have_bg && (size_t)frame < s->nframes;
        double b = s->a->value ? s->ch.value[j] : have ? s->mean[mi] : NAN;
        double x;
        int k = zn_parse_double(s->rec.v[c], s->rec.l[c], &x);
        if (k != ZN_NUM_OK && k != ZN_NUM_EMPTY)
            zn_in_die(s->in, "column '%s': \"%.*s\" is not a number%s", s->in->cols[c], (int)s->rec.l[c], s->rec.v[c],
                      zn_num_hint(s->rec.v[c], s->rec.l[c]));
        if (have && !isnan(b)) zn_rec_set(&s->rec, s->ch.bgcol[j], s->mtext[mi], s->mlen[mi]);
        else zn_rec_num(&s->rec, s->ch.bgcol[j], b);
        if (k == ZN_NUM_EMPTY) continue;
        if (isnan(b)) {
            if (s->have_bg || !s->a->allow_missing) zn_rec_set(&s->rec, (size_t)c, "", 0);
            nobg = 1;
            continue;
        }
        double y = x - b;
        zn_rec_num(&s->rec, (size_t)c, y);
        neg |= y < 0;
    }
    if (nobg) zn_rec_flag(&s->rec, "no_bg");
    if (neg) zn_rec_flag(&s->rec, "bg_negative");
    zn_rec_write(s->w, &s->rec);
}

/* all background ROIs of the sample are in: means, then their records */
static void bg_finish(trace_t *s, const char *sample)
{
    if (s->bg_done) return;
    s->bg_done = 1;
    size_t nch = s->ch.n;
    if (s->nframes * nch > s->mcap) {
        size_t c = s->mcap;
        zn_grow(&s->mtext, &c, s->nframes * nch, sizeof *s->mtext);
        zn_grow(&s->mlen, &s->mcap, s->nframes * nch, sizeof *s->mlen);
    }
    for (size_t i = 0; i < s->nframes * nch; i++) {
        s->mean[i] = s->cnt[i] ? s->sum[i] / (double)s->cnt[i] : NAN;
        s->mlen[i] = isnan(s->mean[i]) ? 0 : zn_fmt_double(s->mtext[i], s->mean[i]);
    }
    if (!s->have_bg && !s->a->value) {
        if (!s->a->allow_missing)
            zn_in_die(s->in,
                      "sample '%s' has no background ROI (role bg): mark one in zn-ingest (--bg), give "
                      "constants with --value, or pass it uncorrected with --allow-missing",
                      sample);
        zn_warn("sample '%s' has no background ROI: passed uncorrected, flagged no_bg", sample);
    }
    for (size_t r = 0; r < s->bgrec.n; r++) {
        zn_rec_from_cell(&s->rec, &s->bgrec, r);
        long fr = 0;
        zn_parse_long(s->rec.v[s->tr.c_frame], s->rec.l[s->tr.c_frame], &fr);
        put_subtracted(s, fr);
    }
    zn_cellbuf_clear(&s->bgrec);
}

static void sample_start(trace_t *s)
{
    s->nframes = 0;
    s->have_bg = 0;
    s->bg_done = 0;
    zn_cellbuf_clear(&s->bgrec);
}

static void head(trace_t *s)
{
    zn_meta m = {0};
    zn_meta_copy(&m, &s->in->meta);
    zn_buf b = {0};
    if (s->a->value) {
        zn_buf_adds(&b, "value:");
        for (size_t j = 0; j < s->ch.n; j++) {
            char num[40];
            zn_fmt_double(num, s->ch.value[j]);
            zn_buf_addf(&b, "%s%s=%s", j ? "," : "", s->in->cols[s->ch.col[j]], num);
        }
    } else {
        zn_buf_adds(&b, "roi-mean:");
        for (size_t j = 0; j < s->ch.n; j++) zn_buf_addf(&b, "%s%s", j ? "," : "", s->in->cols[s->ch.col[j]]);
    }
    zn_meta_addf(&m, "background=%s", b.s);
    zn_out_head(s->w, &m, s->a->o.no_pg ? NULL : s->a->o.pg, s->cols.cols, s->cols.n);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

static void check_meta(const args_t *a, zn_in *in)
{
    zn_meta_once(in->file, &in->meta, "background", a->force, "background was already subtracted", "subtracts again");
}

static void run_traces(const args_t *a, zn_in *in)
{
    static trace_t s; /* static: reachable if the program exits on bad data */
    s.a = a;
    s.in = in;
    check_meta(a, in);
    zn_trace_init(&s.tr, in);
    zn_cols_init(&s.cols, in);
    pick_channels(&s.ch, a, in, &s.cols);
    s.flagcol = zn_cols_flag(&s.cols);
    zn_rec_init(&s.rec, &s.cols, s.flagcol);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    long nrec = 0;
    int k;
    while ((k = zn_in_next(in)) > 0) {
        if (k == ZN_SEG) {
            if (s.tr.sample) bg_finish(&s, s.tr.sample);
            check_meta(a, in);
            zn_trace_segment(&s.tr);
            head(&s);
            continue;
        }
        zn_progress(&a->o, ++nrec, 0);
        zn_trace_rec(&s.tr);
        if (s.tr.new_sample) {
            /* a sample with only background ROIs still gets its records out */
            if (nrec > 1 && !s.bg_done) bg_finish(&s, "");
            sample_start(&s);
        }
        if (s.tr.bg && !a->value) {
            bg_add(&s);
            if (a->keep_bg) zn_cellbuf_add(&s.bgrec, in);
            continue;
        }
        if (!s.bg_done) bg_finish(&s, s.tr.sample);
        zn_rec_from(&s.rec, (const char *const *)in->f, in->fl, in->ncols);
        put_subtracted(&s, s.tr.frame);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    if (s.tr.sample && !s.bg_done) bg_finish(&s, s.tr.sample);
    zn_progress(&a->o, nrec, 1);
    zn_opt_close_out(s.w);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.bgrec);
    free_channels(&s.ch);
    zn_cols_free(&s.cols);
    zn_trace_free(&s.tr);
    free(s.sum);
    free(s.cnt);
    free(s.mean);
    free(s.mtext);
    free(s.mlen);
}

/* ------------------------------------------------------------ control */

/* A key of the match columns: numbers compared as numbers ("5" = "5.0"). */
typedef struct {
    double sum, sumsq;
    long n;
    double mean, sd;
} grp_t;

/* --means: the records of one segment, read by control_segment */
typedef struct {
    const args_t *a;
    zn_in *in;
    zn_wr *w;
    zn_cellbuf *recs;
    char **keys;     /* match key of each record */
    double *ys;      /* value, NAN when missing or not a sample */
    char *other;     /* not a sample: passes unchanged */
    int ck, cy;      /* control column, value column */
    const char *kcol, *kval;
    const int *mc;
    size_t nm;
    zn_dict *d;      /* control groups by match key */
    grp_t *g;
    zn_rec *rec;
    size_t o_mean, o_sd, o_n, o_se, o_df, o_sdeq, o_neq, o_tmean, o_tsd, o_tn;
} means_t;

/* the relative scatter of a group: sum of squares over mean^power (the
 * wells' variance is sigma^2 mean^power); dies when the mean cannot carry it */
static double rel_ss(const means_t *M, const grp_t *q, const char *what, const char *key)
{
    if (M->a->power && !(q->mean > 0)) {
        char *names[16];
        for (size_t i = 0; i < M->nm; i++) names[i] = M->in->cols[M->mc[i]];
        char *kt = zn_key_text(names, M->nm, key);
        zn_die(ZN_EXIT_DATA,
               "%s: %s at %s: mean %s %g is not positive: --weight %s (the wells' scatter in proportion to "
               "their mean) needs positive means; --weight none pools one SD",
               M->in->file, what, kt, M->a->ycol, q->mean, M->a->power == 2 ? "1/y2" : "1/y");
    }
    return q->n > 1 ? q->sumsq / pow(q->mean, M->a->power) : 0;
}

/* add the words of a flag field to the record's flags (each once) */
static void flag_words(zn_rec *rec, const char *f, size_t len)
{
    char word[128];
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && f[j] != ';') j++;
        if (j > i && j - i < sizeof word) {
            memcpy(word, f + i, j - i);
            word[j - i] = 0;
            zn_rec_flag(rec, word);
        }
        i = j + 1;
    }
}

/* --means: one record per (group, key): the group's mean minus the
 * control's mean at that key, and its standard error
 *   SE^2 = s^2 (mean^p / n + control mean^p / n_control)
 * with s^2 pooled over the group's and its control's wells (the wells'
 * variance s^2 mean^p, p = 2 for --weight 1/y2), df = sum (n - 1).  For
 * zn-mm-fit's means (--sd, --n) the same SE and df as one sample:
 * n_eq = n + n_control - 1, sd_eq = SE sqrt(n_eq); then its weights are
 * 1/SE^2 and its residual variance pools the wells' scatter (df) with the
 * means' scatter about the curve, as a fit of every well with one free
 * control level per key would. */
static void control_means(means_t *M)
{
    const zn_cellbuf *recs = M->recs;
    size_t nr = recs->n;
    /* groups: the control column's value and the match key */
    zn_dict gd = {0};
    size_t *grp = zn_malloc((nr + 1) * sizeof *grp), ngr = 0, gcap = 0;
    grp_t *G = NULL;
    size_t *first = NULL, fcap = 0;
    for (size_t r = 0; r < nr; r++) {
        grp[r] = (size_t)-1;
        if (M->other[r] || strcmp(zn_cellbuf_f(recs, r, (size_t)M->ck), M->kval) == 0) continue;
        char *gk = zn_asprintf("%s\x1e%s", zn_cellbuf_f(recs, r, (size_t)M->ck), M->keys[r]);
        size_t gi = zn_dict_put(&gd, gk, ngr);
        free(gk);
        if (gi == ngr) {
            zn_grow(&G, &gcap, ngr + 1, sizeof *G);
            zn_grow(&first, &fcap, ngr + 1, sizeof *first);
            memset(&G[gi], 0, sizeof G[gi]);
            first[gi] = r;
            ngr++;
        }
        grp[r] = gi;
        if (!isnan(M->ys[r])) G[gi].sum += M->ys[r], G[gi].n++;
    }
    for (size_t i = 0; i < ngr; i++) G[i].mean = G[i].n ? G[i].sum / (double)G[i].n : NAN;
    for (size_t r = 0; r < nr; r++)
        if (grp[r] != (size_t)-1 && !isnan(M->ys[r])) {
            double e = M->ys[r] - G[grp[r]].mean;
            G[grp[r]].sumsq += e * e;
        }
    for (size_t i = 0; i < ngr; i++) G[i].sd = G[i].n > 1 ? sqrt(G[i].sumsq / (double)(G[i].n - 1)) : NAN;
    /* the pooled variance of each group value (construct) with its control */
    double *s2 = zn_malloc((ngr + 1) * sizeof *s2), *df = zn_malloc((ngr + 1) * sizeof *df);
    unsigned char *seen = zn_malloc(M->d->n + 1);
    for (size_t i = 0; i < ngr; i++) {
        const char *gv = zn_cellbuf_f(recs, first[i], (size_t)M->ck);
        int done = 0;
        for (size_t j = 0; j < i && !done; j++) /* computed for an earlier group of this value */
            if (!strcmp(gv, zn_cellbuf_f(recs, first[j], (size_t)M->ck))) s2[i] = s2[j], df[i] = df[j], done = 1;
        if (done) continue;
        double ss = 0, f = 0;
        memset(seen, 0, M->d->n + 1);
        for (size_t j = i; j < ngr; j++) {
            if (strcmp(gv, zn_cellbuf_f(recs, first[j], (size_t)M->ck))) continue;
            const char *key = M->keys[first[j]];
            size_t ci = zn_dict_get(M->d, key);
            if (!G[j].n || ci == (size_t)-1 || !M->g[ci].n) continue; /* no number: said below */
            char *what = zn_asprintf("%s=%s", M->kcol, gv);
            ss += rel_ss(M, &G[j], what, key);
            free(what);
            f += (double)(G[j].n - 1);
            if (!seen[ci]) {
                what = zn_asprintf("control %s=%s", M->kcol, M->kval);
                ss += rel_ss(M, &M->g[ci], what, key);
                free(what);
                f += (double)(M->g[ci].n - 1);
                seen[ci] = 1;
            }
        }
        if (!(f > 0))
            zn_die(ZN_EXIT_DATA,
                   "%s: %s=%s: no replicate wells (one per key, here and in the control): --means needs "
                   "replicates to estimate the standard error; without --means each record is subtracted alone",
                   M->in->file, M->kcol, gv);
        s2[i] = ss / f;
        df[i] = f;
    }
    free(seen);
    /* write: other records where they were, each group where it began */
    zn_rec *rec = M->rec;
    for (size_t r = 0; r < nr; r++) {
        if (M->other[r]) {
            zn_rec_from_cell(rec, recs, r);
            zn_rec_write(M->w, rec);
            continue;
        }
        size_t gi = grp[r];
        if (gi == (size_t)-1 || first[gi] != r) continue;
        const char *key = M->keys[r];
        size_t ci = zn_dict_get(M->d, key);
        if (ci == (size_t)-1 || M->g[ci].n == 0) {
            char *names[16];
            for (size_t i = 0; i < M->nm; i++) names[i] = M->in->cols[M->mc[i]];
            char *kt = zn_key_text(names, M->nm, key);
            zn_die(ZN_EXIT_DATA, "%s:%ld: no control (%s=%s) at %s: every key needs its control records%s",
                   recs->file[r], recs->line[r], M->kcol, M->kval, kt,
                   ci == (size_t)-1 ? "" : " (the control's values there are all missing)");
        }
        const grp_t *T = &G[gi], *V = &M->g[ci];
        zn_rec_from_cell(rec, recs, r);
        /* a column the group's records do not share says nothing of the mean */
        for (size_t c = 0; c < recs->ncols; c++) {
            if ((int)c == M->cy || c == rec->flag_col) continue;
            for (size_t q = r + 1; q < nr; q++)
                if (grp[q] == gi && (zn_cellbuf_l(recs, q, c) != zn_cellbuf_l(recs, r, c) ||
                                     memcmp(zn_cellbuf_f(recs, q, c), zn_cellbuf_f(recs, r, c), zn_cellbuf_l(recs, r, c)))) {
                    zn_rec_set(rec, c, "", 0);
                    break;
                }
        }
        /* flags: every well's that went into the mean, the control's too */
        if (rec->flag_col < recs->ncols)
            for (size_t q = r; q < nr; q++)
                if (grp[q] == gi || (grp[q] == (size_t)-1 && !M->other[q] && !strcmp(M->keys[q], key) &&
                                     !strcmp(zn_cellbuf_f(recs, q, (size_t)M->ck), M->kval)))
                    flag_words(rec, zn_cellbuf_f(recs, q, rec->flag_col), zn_cellbuf_l(recs, q, rec->flag_col));
        if (rec->flag_col < recs->ncols)
            for (size_t q = 0; q < r; q++) /* control wells before the group's first */
                if (grp[q] == (size_t)-1 && !M->other[q] && !strcmp(M->keys[q], key) &&
                    !strcmp(zn_cellbuf_f(recs, q, (size_t)M->ck), M->kval))
                    flag_words(rec, zn_cellbuf_f(recs, q, rec->flag_col), zn_cellbuf_l(recs, q, rec->flag_col));
        double v = T->mean - V->mean;
        double se = T->n ? sqrt(s2[gi] * (pow(T->mean, M->a->power) / (double)T->n +
                                          pow(V->mean, M->a->power) / (double)V->n))
                         : NAN;
        double neq = (double)(T->n + V->n) - 1;
        zn_rec_num(rec, (size_t)M->cy, v);
        if (v < 0) zn_rec_flag(rec, "bg_negative");
        zn_rec_num(rec, M->o_mean, V->mean);
        zn_rec_num(rec, M->o_sd, V->sd);
        zn_rec_num(rec, M->o_n, (double)V->n);
        zn_rec_num(rec, M->o_se, se);
        zn_rec_num(rec, M->o_df, T->n ? df[gi] : NAN);
        zn_rec_num(rec, M->o_sdeq, se * sqrt(neq));
        zn_rec_num(rec, M->o_neq, T->n ? neq : NAN);
        zn_rec_num(rec, M->o_tmean, T->mean);
        zn_rec_num(rec, M->o_tsd, T->sd);
        zn_rec_num(rec, M->o_tn, (double)T->n);
        zn_rec_write(M->w, rec);
    }
    free(s2);
    free(df);
    free(G);
    free(first);
    free(grp);
    zn_dict_free(&gd);
}

/* one segment of uptake-like records, all in memory (such tables are a
 * few hundred records: plates of wells) */
static void control_segment(const args_t *a, zn_in *in, zn_wr *w, int *more)
{
    check_meta(a, in);
    const char *eq = strchr(a->control, '=');
    static char *kcol;
    kcol = zn_strndup(a->control, (size_t)(eq - a->control));
    const char *kval = eq + 1;
    int ck = zn_in_need(in, kcol);
    int cy = zn_in_need(in, a->ycol);
    /* records whose role is set and not sample (standards, blanks of an
     * uptake run) pass through: they are neither controls nor corrected */
    int crole = zn_in_col(in, "role");
    int mc[16];
    size_t nm = zn_in_collist(in, a->match, mc, 16, "--match");
    /* static: reachable if the program exits on bad data (no leak report) */
    static zn_cols cols;
    zn_cols_init(&cols, in);
    char *n1 = zn_asprintf("%s_ctrl_mean", a->ycol), *n2 = zn_asprintf("%s_ctrl_sd", a->ycol),
         *n3 = zn_asprintf("%s_ctrl_n", a->ycol);
    size_t o_mean = zn_cols_add(&cols, n1, a->force, " (control already subtracted?)");
    size_t o_sd = zn_cols_add(&cols, n2, a->force, NULL);
    size_t o_n = zn_cols_add(&cols, n3, a->force, NULL);
    free(n1);
    free(n2);
    free(n3);
    means_t M = {0};
    if (a->means) {
        static const char *const sfx[] = {"se", "se_df", "sd_eq", "n_eq", "total_mean", "total_sd", "total_n"};
        size_t *o[] = {&M.o_se, &M.o_df, &M.o_sdeq, &M.o_neq, &M.o_tmean, &M.o_tsd, &M.o_tn};
        for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
            char *nm = zn_asprintf("%s_%s", a->ycol, sfx[i]);
            *o[i] = zn_cols_add(&cols, nm, a->force,
                                " (records that are estimates with their own SE, such as initial rates: --means "
                                "needs the wells)");
            free(nm);
        }
    }
    size_t flagcol = zn_cols_flag(&cols);
    /* read the segment */
    static zn_cellbuf recs;
    static char **keys;
    static double *ys; /* the value of every record, NAN when missing */
    static char *other; /* record r is not a sample (passes unchanged) */
    static zn_dict d;
    static grp_t *g;
    static zn_rec rec;
    size_t kcap = 0, ycap = 0, gcap = 0;
    memset(&recs, 0, sizeof recs);
    memset(&d, 0, sizeof d);
    keys = NULL;
    ys = NULL;
    other = NULL;
    g = NULL;
    size_t ocap = 0;
    int k;
    while ((k = zn_in_next(in)) == ZN_REC) {
        char *key = zn_key_make(in, mc, nm);
        zn_grow(&keys, &kcap, recs.n + 1, sizeof *keys);
        zn_grow(&ys, &ycap, recs.n + 1, sizeof *ys);
        zn_grow(&other, &ocap, recs.n + 1, sizeof *other);
        keys[recs.n] = key;
        other[recs.n] = crole >= 0 && in->fl[crole] && strcmp(in->f[crole], "sample") != 0;
        double y;
        ys[recs.n] = zn_in_num(in, cy, &y) == ZN_NUM_OK ? y : NAN;
        if (other[recs.n]) ys[recs.n] = NAN;
        else if (strcmp(in->f[ck], kval) == 0) {
            size_t before = d.n;
            size_t gi = zn_dict_put(&d, key, d.n);
            if (d.n > before) {
                zn_grow(&g, &gcap, d.n, sizeof *g);
                memset(&g[gi], 0, sizeof g[gi]);
            }
            if (!isnan(ys[recs.n])) {
                g[gi].sum += y;
                g[gi].n++;
            }
        }
        zn_cellbuf_add(&recs, in);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    *more = k == ZN_SEG;
    for (size_t i = 0; i < d.n; i++) g[i].mean = g[i].n ? g[i].sum / (double)g[i].n : NAN;
    /* SD in a second pass over the records (no cancellation) */
    for (size_t r = 0; r < recs.n; r++) {
        if (other[r] || strcmp(zn_cellbuf_f(&recs, r, (size_t)ck), kval) != 0 || isnan(ys[r])) continue;
        size_t gi = zn_dict_get(&d, keys[r]);
        g[gi].sumsq += (ys[r] - g[gi].mean) * (ys[r] - g[gi].mean);
    }
    for (size_t i = 0; i < d.n; i++)
        g[i].sd = g[i].n > 1 ? sqrt(g[i].sumsq / (double)(g[i].n - 1)) : NAN;
    if (!d.n)
        zn_die(ZN_EXIT_DATA, "%s: no control records: no record has %s=%s", in->file, kcol, kval);
    zn_meta m = {0};
    zn_meta_copy(&m, &in->meta);
    if (a->means)
        zn_meta_addf(&m, "background=control:%s=%s:%s:match=%s:means:weight=%s", kcol, kval, a->ycol, a->match,
                     a->power == 2 ? "1/y2" : a->power == 1 ? "1/y" : "none");
    else zn_meta_addf(&m, "background=control:%s=%s:%s:match=%s", kcol, kval, a->ycol, a->match);
    zn_out_head(w, &m, a->o.no_pg ? NULL : a->o.pg, cols.cols, cols.n);
    zn_meta_clear(&m);
    free(m.v);
    zn_rec_init(&rec, &cols, flagcol);
    if (a->means) {
        M.a = a, M.in = in, M.w = w, M.recs = &recs, M.keys = keys, M.ys = ys, M.other = other;
        M.ck = ck, M.cy = cy, M.kcol = kcol, M.kval = kval, M.mc = mc, M.nm = nm, M.d = &d, M.g = g, M.rec = &rec;
        M.o_mean = o_mean, M.o_sd = o_sd, M.o_n = o_n;
        control_means(&M);
    }
    for (size_t r = 0; r < recs.n && !a->means; r++) {
        if (other[r]) {
            zn_rec_from_cell(&rec, &recs, r);
            zn_rec_write(w, &rec);
            continue;
        }
        int is_ctrl = strcmp(zn_cellbuf_f(&recs, r, (size_t)ck), kval) == 0;
        if (is_ctrl && !a->keep_ctrl) continue;
        size_t gi = zn_dict_get(&d, keys[r]);
        if (gi == (size_t)-1 || g[gi].n == 0) {
            char *names[16];
            for (size_t i = 0; i < nm; i++) names[i] = in->cols[mc[i]];
            char *kt = zn_key_text(names, nm, keys[r]);
            zn_die(ZN_EXIT_DATA, "%s:%ld: no control (%s=%s) at %s: every key needs its control records%s",
                   recs.file[r], recs.line[r], kcol, kval, kt,
                   gi == (size_t)-1 ? "" : " (the control's values there are all missing)");
        }
        zn_rec_from_cell(&rec, &recs, r);
        if (!isnan(ys[r])) {
            double v = ys[r] - g[gi].mean;
            zn_rec_num(&rec, (size_t)cy, v);
            if (v < 0) zn_rec_flag(&rec, "bg_negative");
        }
        zn_rec_num(&rec, o_mean, g[gi].mean);
        zn_rec_num(&rec, o_sd, g[gi].sd);
        zn_rec_num(&rec, o_n, (double)g[gi].n);
        zn_rec_write(w, &rec);
    }
    zn_rec_free(&rec);
    for (size_t r = 0; r < recs.n; r++) free(keys[r]);
    free(keys);
    free(ys);
    free(other);
    free(g);
    zn_dict_free(&d);
    zn_cellbuf_free(&recs);
    zn_cols_free(&cols);
    free(kcol);
}

static void run_control(const args_t *a, zn_in *in)
{
    zn_wr *w = zn_opt_open_out(&a->o);
    int more = 1;
    while (more) control_segment(a, in, w, &more);
    zn_opt_close_out(w);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.ycol = "rate";
    a.match = "conc_uM,time_min";
    a.power = 2;
    int weight_given = 0;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"channels", required_argument, 0, OPT_CHANNELS},
                                          {"value", required_argument, 0, OPT_VALUE},
                                          {"allow-missing", no_argument, 0, OPT_ALLOW},
                                          {"keep-bg", no_argument, 0, OPT_KEEP_BG},
                                          {"control", required_argument, 0, OPT_CONTROL},
                                          {"value-column", required_argument, 0, 'y'},
                                          {"match", required_argument, 0, OPT_MATCH},
                                          {"keep-control", no_argument, 0, OPT_KEEP_CTRL},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {"means", no_argument, 0, OPT_MEANS},
                                          {"weight", required_argument, 0, OPT_WEIGHT},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "y:", lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_CHANNELS: a.channels = optarg; break;
        case OPT_VALUE: a.value = optarg; break;
        case OPT_ALLOW: a.allow_missing = 1; break;
        case OPT_KEEP_BG: a.keep_bg = 1; break;
        case OPT_CONTROL: a.control = optarg; break;
        case 'y': a.ycol = optarg; break;
        case OPT_MATCH: a.match = optarg; break;
        case OPT_KEEP_CTRL: a.keep_ctrl = 1; break;
        case OPT_FORCE: a.force = 1; break;
        case OPT_MEANS: a.means = 1; break;
        case OPT_WEIGHT:
            if (!strcmp(optarg, "1/y2")) a.power = 2;
            else if (!strcmp(optarg, "1/y")) a.power = 1;
            else if (!strcmp(optarg, "none")) a.power = 0;
            else zn_usage_error("--weight: \"%s\" is not 1/y2, 1/y or none", optarg);
            weight_given = 1;
            break;
        default: zn_usage_error("unknown option");
        }
    }
    if (a.control && (a.value || a.channels || a.keep_bg || a.allow_missing))
        zn_usage_error("--control works on uptake records; --value, --channels, --keep-bg and --allow-missing "
                       "are for traces");
    if (a.control && (!strchr(a.control, '=') || a.control[0] == '='))
        zn_usage_error("--control: \"%s\" is not COL=VALUE (e.g. construct=vector)", a.control);
    if (!a.control && a.keep_ctrl) zn_usage_error("--keep-control needs --control");
    if (a.means && !a.control) zn_usage_error("--means needs --control");
    if (weight_given && !a.means) zn_usage_error("--weight needs --means (it is the wells' error model of the means)");
    if (a.means && a.keep_ctrl)
        zn_usage_error("--means writes the groups' means less the control's: --keep-control does not apply");
    if (a.value && (a.keep_bg || a.allow_missing))
        zn_usage_error("--value subtracts constants from every record: --keep-bg and --allow-missing do not apply");
    double v;
    if (a.value && zn_parse_double(a.value, strlen(a.value), &v) != ZN_NUM_OK) {
        /* the syntax now, before any input is read; the names once the header is known */
        char *list = zn_strdup(a.value), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) value_item(t, &v);
        free(list);
    }
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    if (a.control) run_control(&a, &in);
    else run_traces(&a, &in);
    zn_in_close(&in);
    zn_opt_free(&a.o);
    return 0;
}
