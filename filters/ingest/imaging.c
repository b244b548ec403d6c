/* imaging.c - imaging tables -> trace records (ingest.h): Fiji/ImageJ wide
 * (Multi Measure) and long (Measure), CellProfiler, generic wide and long
 * tables; channels joined by cell and frame; the header detectors. */
#define _GNU_SOURCE
#include "ingest.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ helpers */

static const char *map_get(const char *key)
{
    for (int i = 0; i < A.nmap; i++)
        if (strcmp(A.map_key[i], key) == 0) return A.map_col[i];
    return NULL;
}

/* A sample (the first column of a record) that begins with '#' would make
 * a record that reads as a header line: refused (the format's rule, see
 * zn_wr), here where it enters, saying where it came from.  A '#' in any
 * other column is data. */
static void name_ok(const char *what, const char *v, long line, const char *col)
{
    if (*v != '#') return;
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': %s \"%s\" begins with '#', which would make its records read as "
           "header lines (rename it in the file)",
           cur_file, line, col, what, v);
}

/* the time of a row, in seconds */
static double time_field(const char *v, const char *col, long line, double scale)
{
    double t;
    int k = inst_value(v, &t);
    if (k == 1) zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': the time is missing", cur_file, line, col);
    if (k != 0) bad_value(line, col, v);
    if (!isfinite(t * scale)) range_value(line, col, v);
    return t * scale;
}

/* The largest frame number written: 2^31 - 1 (a frame every millisecond for
 * 24 days).  A larger one is a corrupt field, not an experiment. */
#define FRAME_MAX 2147483647L

/* a frame number field counted from base (Fiji slices and CellProfiler
 * images from 1, generic tables from 0) -> frame from 0 */
static long frame_field(const char *v, const char *col, long line, int base)
{
    double x;
    int k = inst_value(v, &x);
    if (k == 0 && x == floor(x) && x >= base && x - base <= (double)FRAME_MAX) return (long)x - base;
    if (k == -2 || (k == 0 && x == floor(x) && x >= base))
        zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is out of range: frame numbers go up to %ld", cur_file, line,
               col, v, FRAME_MAX + base);
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is not a frame number (%s)", cur_file, line, col, v,
           base ? "1, 2, ..." : "0, 1, ...");
}

/* a measured value, as it came (missing when NaN) */
static void put_num(zn_wr *w, double x)
{
    char b[40];
    if (!isnan(x)) zn_wr_put(w, b, zn_fmt_double_rt(b, x));
}

/* ------------------------------------------------------------ imaging model */

/* An observation is one (ROI, frame) of one input: its values (one per
 * measure) and, rarely, an instrument flag.  Long tables store each
 * observation's ROI, frame and time; wide tables (one column per ROI) are
 * dense: observation row * nroi + roi, frame and time stored once per row,
 * so memory is the values themselves (8 bytes a value). */

typedef struct {
    char *name, *cond;
    size_t sample;
    int bg;
    size_t count, start, fill;
} roi_t;

typedef struct {
    size_t obs, seq;
    uint16_t flag;
} flagobs_t;

struct img {
    char **meas; /* measure (output column) names */
    size_t nmeas;
    zn_dict meas_ix;
    roi_t *roi;
    size_t nroi, caproi;
    zn_dict roi_ix; /* "sample\x1fname" -> roi */
    size_t *roi_order; /* ROIs in output order: by sample, background first */
    char **samples;
    size_t nsamples, capsamples;
    zn_dict sample_ix;
    /* long tables: per observation */
    uint32_t *o_roi;
    long *o_frame;
    double *o_t;
    size_t *order; /* obs in output order */
    /* wide tables: per row */
    int dense;
    size_t nrows, caprows;
    long *row_frame;
    double *row_t;
    size_t *row_order; /* rows by frame */
    double *o_v;       /* values: obs * nmeas + measure */
    size_t nobs, capobs;
    flagobs_t *fo; /* flagged observations, sorted by obs after reading */
    size_t nfo, capfo;
    char **flags; /* flag strings; index 0 = none */
    size_t nflags, capflags;
    zn_dict flag_ix;
    int has_t;
    int t_converted; /* t was converted to seconds: computed, not measured */
    int frame_by_t; /* no frame column: frames are the rank of t in the cell */
    const char *format;
};

static long obs_frame(const img_t *im, size_t i)
{
    return im->dense ? im->row_frame[i / im->nroi] : im->o_frame[i];
}

static double obs_t(const img_t *im, size_t i)
{
    return im->dense ? im->row_t[i / im->nroi] : im->o_t[i];
}

/* the k-th observation of ROI r in output order */
static size_t obs_at(const img_t *im, size_t r, size_t k)
{
    return im->dense ? im->row_order[k] * im->nroi + r : im->order[im->roi[r].start + k];
}

/* the flag string of an observation, or NULL */
static const char *obs_flag(const img_t *im, size_t i)
{
    size_t lo = 0, hi = im->nfo;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->fo[mid].obs < i) lo = mid + 1;
        else hi = mid;
    }
    return lo < im->nfo && im->fo[lo].obs == i ? im->flags[im->fo[lo].flag] : NULL;
}

static int roi_is_bg(const char *name)
{
    for (size_t i = 0; i < A.nbg; i++)
        if (strcmp(A.bg[i], name) == 0) return 1;
    return strcasecmp(name, "background") == 0 || strcasecmp(name, "bg") == 0 ||
           strncasecmp(name, "background_", 11) == 0 || strncasecmp(name, "background-", 11) == 0;
}

static size_t img_sample(img_t *im, const char *name)
{
    size_t k = zn_dict_get(&im->sample_ix, name);
    if (k != (size_t)-1) return k;
    zn_grow(&im->samples, &im->capsamples, im->nsamples + 1, sizeof *im->samples);
    im->samples[im->nsamples] = zn_strdup(name);
    zn_dict_put(&im->sample_ix, name, im->nsamples);
    return im->nsamples++;
}

static size_t img_roi(img_t *im, size_t sample, const char *name, const char *cond, int bg)
{
    char *key = zn_asprintf("%s\x1f%s", im->samples[sample], name);
    size_t k = zn_dict_get(&im->roi_ix, key);
    if (k == (size_t)-1) {
        zn_grow(&im->roi, &im->caproi, im->nroi + 1, sizeof *im->roi);
        roi_t *r = &im->roi[im->nroi];
        memset(r, 0, sizeof *r);
        r->name = zn_strdup(name);
        r->cond = cond && *cond ? zn_strdup(cond) : NULL;
        r->sample = sample;
        r->bg = bg || roi_is_bg(name);
        zn_dict_put(&im->roi_ix, key, im->nroi);
        k = im->nroi++;
    }
    free(key);
    return k;
}

static uint16_t img_flag(img_t *im, const char *tok)
{
    if (!tok || !*tok) return 0;
    if (!im->nflags) {
        zn_grow(&im->flags, &im->capflags, 1, sizeof *im->flags);
        im->flags[im->nflags++] = NULL;
    }
    size_t k = zn_dict_get(&im->flag_ix, tok);
    if (k != (size_t)-1) return (uint16_t)k;
    if (im->nflags >= 65535) zn_die(ZN_EXIT_DATA, "%s: too many different instrument flags", cur_file);
    zn_grow(&im->flags, &im->capflags, im->nflags + 1, sizeof *im->flags);
    im->flags[im->nflags] = zn_strdup(tok);
    zn_dict_put(&im->flag_ix, tok, im->nflags);
    return (uint16_t)im->nflags++;
}

/* room for observations up to n (values set to missing) */
static void img_reserve(img_t *im, size_t n)
{
    if (n <= im->capobs) return;
    size_t c = im->capobs ? im->capobs : 1024;
    while (c < n) c *= 2;
    if (!im->dense) {
        im->o_roi = zn_realloc(im->o_roi, c * sizeof *im->o_roi);
        im->o_frame = zn_realloc(im->o_frame, c * sizeof *im->o_frame);
        im->o_t = zn_realloc(im->o_t, c * sizeof *im->o_t);
    }
    im->o_v = zn_realloc(im->o_v, c * im->nmeas * sizeof *im->o_v);
    im->capobs = c;
}

/* a long table's next observation */
static size_t img_add(img_t *im, size_t roi, long frame, double t)
{
    img_reserve(im, im->nobs + 1);
    size_t i = im->nobs++;
    im->o_roi[i] = (uint32_t)roi;
    im->o_frame[i] = frame;
    im->o_t[i] = t;
    for (size_t m = 0; m < im->nmeas; m++) im->o_v[i * im->nmeas + m] = NAN;
    im->roi[roi].count++;
    return i;
}

/* a wide table's next row: one observation per ROI */
static size_t img_add_row(img_t *im, long frame, double t)
{
    zn_grow(&im->row_frame, &im->caprows, im->nrows + 1, sizeof *im->row_frame);
    im->row_t = zn_realloc(im->row_t, im->caprows * sizeof *im->row_t);
    size_t r = im->nrows++;
    im->row_frame[r] = frame;
    im->row_t[r] = t;
    img_reserve(im, im->nrows * im->nroi);
    for (size_t k = im->nobs * im->nmeas; k < im->nrows * im->nroi * im->nmeas; k++) im->o_v[k] = NAN;
    im->nobs = im->nrows * im->nroi;
    return r;
}

/* store a measure value of obs i from a field; flags tokens */
static void img_set(img_t *im, size_t i, size_t m, const char *field, long line, const char *col)
{
    double x;
    int k = inst_value(field, &x);
    if (k == 0) im->o_v[i * im->nmeas + m] = x;
    else if (k == 2) {
        zn_grow(&im->fo, &im->capfo, im->nfo + 1, sizeof *im->fo);
        im->fo[im->nfo] = (flagobs_t){i, im->nfo, img_flag(im, trim((char *)field))};
        im->nfo++;
    } else if (k < 0)
        bad_value(line, col, field);
}

static size_t img_meas(img_t *im, const char *name)
{
    size_t k = zn_dict_get(&im->meas_ix, name);
    if (k != (size_t)-1) return k;
    if (im->nobs) zn_die(ZN_EXIT_DATA, "internal error: measure added after data");
    im->meas = zn_realloc(im->meas, (im->nmeas + 1) * sizeof *im->meas);
    im->meas[im->nmeas] = zn_strdup(name);
    zn_dict_put(&im->meas_ix, name, im->nmeas);
    return im->nmeas++;
}

static int cmp_t_ix(const void *a, const void *b, void *arg)
{
    const double *t = arg;
    double x = t[*(const size_t *)a], y = t[*(const size_t *)b];
    return (x > y) - (x < y);
}

static int cmp_frame_ix(const void *a, const void *b, void *arg)
{
    const long *fr = arg;
    long x = fr[*(const size_t *)a], y = fr[*(const size_t *)b];
    return (x > y) - (x < y);
}

static int cmp_flagobs(const void *a, const void *b)
{
    const flagobs_t *x = a, *y = b;
    if (x->obs != y->obs) return (x->obs > y->obs) - (x->obs < y->obs);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_roi_out(const void *a, const void *b, void *arg)
{
    const roi_t *ro = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (ro[i].sample != ro[j].sample) return (ro[i].sample > ro[j].sample) - (ro[i].sample < ro[j].sample);
    if (ro[i].bg != ro[j].bg) return ro[j].bg - ro[i].bg;
    return (i > j) - (i < j);
}

/* sort frames of n items seg[] (indices into frame[]); a frame twice is an error */
static void order_frames(size_t *seg, size_t n, long *frame, const img_t *im, const roi_t *ro)
{
    int sorted = 1;
    for (size_t k = 1; k < n && sorted; k++) sorted = frame[seg[k]] > frame[seg[k - 1]];
    if (!sorted) qsort_r(seg, n, sizeof *seg, cmp_frame_ix, frame);
    for (size_t k = 1; k < n; k++)
        if (frame[seg[k]] == frame[seg[k - 1]])
            zn_die(ZN_EXIT_DATA, "%s: sample '%s' cell '%s' has frame %ld twice (duplicate rows, or two ROIs "
                   "with the same name?)",
                   cur_file, im->samples[ro->sample], ro->name, frame[seg[k]]);
}

/* canonical order: samples as first seen, bg ROIs first, ROIs as first seen,
 * frames ascending; a ROI with a frame twice is an error.  Flags sorted by
 * observation (the last token of an observation wins). */
static void img_order(img_t *im)
{
    im->roi_order = zn_malloc((im->nroi ? im->nroi : 1) * sizeof *im->roi_order);
    for (size_t r = 0; r < im->nroi; r++) im->roi_order[r] = r;
    qsort_r(im->roi_order, im->nroi, sizeof *im->roi_order, cmp_roi_out, im->roi);
    if (im->nfo) qsort(im->fo, im->nfo, sizeof *im->fo, cmp_flagobs);
    size_t nf = 0;
    for (size_t k = 0; k < im->nfo; k++) {
        if (nf && im->fo[nf - 1].obs == im->fo[k].obs) nf--;
        im->fo[nf++] = im->fo[k];
    }
    im->nfo = nf;
    if (im->dense) {
        im->row_order = zn_malloc((im->nrows ? im->nrows : 1) * sizeof *im->row_order);
        for (size_t k = 0; k < im->nrows; k++) im->row_order[k] = k;
        if (im->nroi) order_frames(im->row_order, im->nrows, im->row_frame, im, &im->roi[im->roi_order[0]]);
        for (size_t r = 0; r < im->nroi; r++) im->roi[r].count = im->nrows;
        return;
    }
    size_t pos = 0;
    for (size_t k = 0; k < im->nroi; k++) {
        roi_t *ro = &im->roi[im->roi_order[k]];
        ro->start = ro->fill = pos;
        pos += ro->count;
    }
    im->order = zn_malloc((im->nobs ? im->nobs : 1) * sizeof *im->order);
    for (size_t i = 0; i < im->nobs; i++) im->order[im->roi[im->o_roi[i]].fill++] = i;
    for (size_t r = 0; r < im->nroi; r++) {
        roi_t *ro = &im->roi[r];
        size_t *seg = im->order + ro->start;
        if (im->frame_by_t) {
            qsort_r(seg, ro->count, sizeof *seg, cmp_t_ix, im->o_t);
            for (size_t k = 0; k < ro->count; k++) {
                if (k && im->o_t[seg[k]] == im->o_t[seg[k - 1]])
                    zn_die(ZN_EXIT_DATA, "%s: sample '%s' cell '%s' has time %.17g twice (duplicate rows?)", cur_file,
                           im->samples[ro->sample], ro->name, im->o_t[seg[k]]);
                im->o_frame[seg[k]] = (long)k;
            }
        }
        order_frames(seg, ro->count, im->o_frame, im, ro);
    }
}

static void img_free(img_t *im)
{
    for (size_t m = 0; m < im->nmeas; m++) free(im->meas[m]);
    free(im->meas);
    zn_dict_free(&im->meas_ix);
    for (size_t r = 0; r < im->nroi; r++) {
        free(im->roi[r].name);
        free(im->roi[r].cond);
    }
    free(im->roi);
    free(im->roi_order);
    zn_dict_free(&im->roi_ix);
    for (size_t s = 0; s < im->nsamples; s++) free(im->samples[s]);
    free(im->samples);
    zn_dict_free(&im->sample_ix);
    for (size_t f = 1; f < im->nflags; f++) free(im->flags[f]);
    free(im->flags);
    zn_dict_free(&im->flag_ix);
    free(im->o_roi);
    free(im->o_frame);
    free(im->o_t);
    free(im->order);
    free(im->row_frame);
    free(im->row_t);
    free(im->row_order);
    free(im->o_v);
    free(im->fo);
}

/* ------------------------------------------------------------ time columns */

static int is_time_name(const char *h, double *scale)
{
    char low[64];
    size_t n = strlen(h);
    if (n >= sizeof low) return 0;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)h[i]);
    const char *u = NULL;
    if (strcmp(low, "t") == 0 || strcmp(low, "time") == 0 || strcmp(low, "seconds") == 0) u = "";
    else if (strncmp(low, "time ", 5) == 0 || strncmp(low, "time(", 5) == 0 || strncmp(low, "time[", 5) == 0 ||
             strncmp(low, "time_", 5) == 0 || strncmp(low, "t ", 2) == 0 || strncmp(low, "t(", 2) == 0 ||
             strncmp(low, "t[", 2) == 0 || strncmp(low, "t_", 2) == 0)
        u = strpbrk(low, " ([_") + 1;
    if (!u) return 0;
    while (*u == ' ' || *u == '(' || *u == '[') u++;
    double s = 1;
    if (!*u || strncmp(u, "s)", 2) == 0 || strncmp(u, "s]", 2) == 0 || strcmp(u, "s") == 0 ||
        strncmp(u, "sec", 3) == 0)
        s = 1;
    else if (strncmp(u, "ms", 2) == 0) s = 0.001;
    else if (strncmp(u, "min", 3) == 0) s = 60;
    else if (strncmp(u, "h)", 2) == 0 || strncmp(u, "h]", 2) == 0 || strcmp(u, "h") == 0 || strncmp(u, "hour", 4) == 0)
        s = 3600;
    else
        return 0;
    *scale = A.has_time_unit ? A.time_scale : s;
    return 1;
}

/* ------------------------------------------------------------ wide tables */

static const char *fiji_measures[] = {
    "Mean", "Area", "StdDev", "Mode", "Min", "Max", "X", "Y", "XM", "YM", "Perim.", "BX", "BY", "Width", "Height",
    "Major", "Minor", "Angle", "Circ.", "Feret", "IntDen", "Median", "Skew", "Kurt", "%Area", "RawIntDen", "Ch",
    "Slice", "Frame", "FeretX", "FeretY", "FeretAngle", "MinFeret", "AR", "Round", "Solidity", "MinThr", "MaxThr",
    NULL};

static const char *measure_col(const char *m)
{
    return strcmp(m, "Mean") == 0 ? "F" : m;
}

/* "Mean12" -> (Mean, 12); "Mean(Cell1)" -> (Mean, Cell1); else bare ROI.
 * Returns the measure (a static name); the ROI is h[*roi_at .. + *roi_len]
 * (no copies: a header of 200,000 ROIs made 400,000 small strings here). */
static const char *split_wide_header(const char *h, size_t *roi_at, size_t *roi_len)
{
    size_t n = strlen(h);
    if (n > 2 && h[n - 1] == ')') {
        const char *p = strchr(h, '(');
        if (p && p > h) {
            size_t m = (size_t)(p - h);
            for (int i = 0; fiji_measures[i]; i++)
                if (strlen(fiji_measures[i]) == m && strncmp(h, fiji_measures[i], m) == 0) {
                    *roi_at = m + 1;
                    *roi_len = n - m - 2;
                    return fiji_measures[i];
                }
        }
    }
    size_t d = n;
    while (d > 0 && isdigit((unsigned char)h[d - 1])) d--;
    if (d < n && d > 0) {
        for (int i = 0; fiji_measures[i]; i++)
            if (strlen(fiji_measures[i]) == d && strncmp(h, fiji_measures[i], d) == 0) {
                *roi_at = d;
                *roi_len = n - d;
                return fiji_measures[i];
            }
    }
    *roi_at = 0;
    *roi_len = n;
    return "Mean";
}

typedef struct {
    img_t *im;
    size_t sample;
    int header_done;
    size_t ncols;
    int *col_roi, *col_meas; /* -1: not a data column */
    int tcol, fcol;
    double tscale;
    char **hdr;
    long row;
    size_t rows_hint; /* lines in the text: at most that many rows */
} wide_t;

static int wide_row(char **f, size_t nf, long line, void *arg)
{
    wide_t *w = arg;
    img_t *im = w->im;
    if (nf == 0) return 0; /* blank line */
    if (!w->header_done) {
        w->header_done = 1;
        w->ncols = nf;
        w->col_roi = zn_malloc(nf * sizeof(int));
        w->col_meas = zn_malloc(nf * sizeof(int));
        /* the header's names (for messages) in one block, not one string each */
        size_t len = 0;
        for (size_t i = 0; i < nf; i++) len += strlen(trim(f[i])) + 1;
        w->hdr = zn_malloc(nf * sizeof(char *));
        char *block = zn_malloc(len ? len : 1);
        for (size_t i = 0; i < nf; i++) {
            size_t k = strlen(trim(f[i])) + 1;
            w->hdr[i] = memcpy(block, trim(f[i]), k);
            block += k;
        }
        w->tcol = w->fcol = -1;
        const char *tmap = map_get("t"), *fmap = map_get("frame");
        const char **meas = zn_malloc(nf * sizeof *meas);
        size_t roi_at, roi_len;
        for (size_t i = 0; i < nf; i++) {
            const char *h = w->hdr[i];
            meas[i] = NULL;
            w->col_roi[i] = w->col_meas[i] = -1;
            double sc;
            if ((tmap && strcmp(h, tmap) == 0) || (!tmap && w->tcol < 0 && is_time_name(h, &sc))) {
                if (tmap && !is_time_name(h, &sc)) sc = A.has_time_unit ? A.time_scale : 1;
                w->tcol = (int)i;
                w->tscale = sc;
                continue;
            }
            if ((fmap && strcmp(h, fmap) == 0) || (!fmap && (strcmp(h, "Slice") == 0 || strcmp(h, "Frame") == 0))) {
                w->fcol = (int)i;
                continue;
            }
            if (i == 0 && (!*h || strcmp(h, "#") == 0)) continue; /* Fiji row number */
            if (!*h) zn_die(ZN_EXIT_DATA, "%s:%ld: column %zu has no name", cur_file, line, i + 1);
            meas[i] = split_wide_header(h, &roi_at, &roi_len);
        }
        if (tmap && w->tcol < 0) zn_die(ZN_EXIT_DATA, "%s: --map t=%s: no such column", cur_file, tmap);
        /* measures in order of first appearance, Mean (F) first */
        for (size_t i = 0; i < nf; i++)
            if (meas[i] && strcmp(meas[i], "Mean") == 0) img_meas(im, "F");
        for (size_t i = 0; i < nf; i++)
            if (meas[i]) img_meas(im, measure_col(meas[i]));
        size_t nm = im->nmeas;
        char *roi = zn_malloc(len ? len : 1);
        for (size_t i = 0; i < nf; i++) {
            if (!meas[i]) continue;
            w->col_meas[i] = (int)img_meas(im, measure_col(meas[i]));
            split_wide_header(w->hdr[i], &roi_at, &roi_len);
            memcpy(roi, w->hdr[i] + roi_at, roi_len);
            roi[roi_len] = 0;
            w->col_roi[i] = (int)img_roi(im, w->sample, roi, A.condition, 0);
        }
        free(roi);
        free(meas);
        if (!im->nroi) zn_die(ZN_EXIT_DATA, "%s:%ld: no ROI columns in the header", cur_file, line);
        /* one column per (ROI, measure): the first column of each */
        int *first = zn_malloc(im->nroi * nm * sizeof *first);
        for (size_t k = 0; k < im->nroi * nm; k++) first[k] = -1;
        int dup = -1, dup_of = -1;
        for (size_t i = 0; i < nf && dup < 0; i++) {
            if (w->col_roi[i] < 0) continue;
            size_t k = (size_t)w->col_roi[i] * nm + (size_t)w->col_meas[i];
            if (first[k] >= 0) dup = (int)i, dup_of = first[k];
            first[k] = (int)i;
        }
        free(first);
        if (dup >= 0)
            zn_die(ZN_EXIT_DATA, "%s:%ld: columns '%s' and '%s' are the same ROI and measure", cur_file, line,
                   w->hdr[dup_of], w->hdr[dup]);
        im->dense = 1;
        im->has_t = w->tcol >= 0;
        im->t_converted = im->has_t && w->tscale != 1;
        img_reserve(im, w->rows_hint * im->nroi);
        return 0;
    }
    check_ragged(cur_file, line, nf, w->ncols);
    long frame = (long)w->row++;
    if (w->fcol >= 0) frame = frame_field(f[w->fcol], w->hdr[w->fcol], line, 1);
    double t = w->tcol >= 0 ? time_field(f[w->tcol], w->hdr[w->tcol], line, w->tscale) : NAN;
    size_t base = img_add_row(im, frame, t) * im->nroi;
    for (size_t i = 0; i < nf; i++)
        if (w->col_roi[i] >= 0) img_set(im, base + (size_t)w->col_roi[i], (size_t)w->col_meas[i], f[i], line, w->hdr[i]);
    return 0;
}

/* run a row parser over a table; an empty table or one with only a header
 * is an error */
static void parse_table(char *text, size_t n, char delim, zn_csv_row_fn fn, void *arg, const int *header_done,
                        const long *rows)
{
    char err[512];
    if (zn_csv_each_consume(text, n, delim, fn, arg, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", cur_file, err);
    if (!*header_done) zn_die(ZN_EXIT_DATA, "%s: empty input: no header line", cur_file);
    if (!*rows) zn_die(ZN_EXIT_DATA, "%s: header only: no data rows", cur_file);
}

void img_wide(img_t *im, char *text, size_t n, char delim, size_t sample)
{
    wide_t w = {0};
    w.im = im;
    w.sample = sample;
    for (const char *p = text, *e = text + n; p < e && (p = memchr(p, '\n', (size_t)(e - p))); p++) w.rows_hint++;
    parse_table(text, n, delim, wide_row, &w, &w.header_done, &w.row);
    if (w.hdr) free(w.hdr[0]); /* the names' block */
    free(w.hdr);
    free(w.col_roi);
    free(w.col_meas);
}

/* ------------------------------------------------------------ long tables */

typedef struct {
    img_t *im;
    size_t sample;
    int header_done, kind; /* 0 generic, 1 Fiji Label, 2 CellProfiler */
    size_t ncols;
    char **hdr;
    int ccell, ct, cframe, csample, ccond, crole, ctrack;
    int *col_meas;
    double tscale;
    long rows;
    zn_dict seen_frames; /* per-cell frame counter when the table has no frame */
} long_t;

static int col_of(char **hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0) return (int)i;
    return -1;
}

static int need_col(long_t *l, const char *key, const char *name)
{
    int c = col_of(l->hdr, l->ncols, name);
    if (c < 0) zn_die(ZN_EXIT_DATA, "%s: --map %s=%s: no such column", cur_file, key, name);
    return c;
}

static void long_header(long_t *l, char **f, size_t nf, long line)
{
    img_t *im = l->im;
    l->ncols = nf;
    l->hdr = zn_malloc(nf * sizeof(char *));
    l->col_meas = zn_malloc(nf * sizeof(int));
    for (size_t i = 0; i < nf; i++) {
        l->hdr[i] = zn_strdup(trim(f[i]));
        l->col_meas[i] = -1;
    }
    l->ccell = l->ct = l->cframe = l->csample = l->ccond = l->crole = l->ctrack = -1;
    l->tscale = 1;
    const char *m;
    if ((m = map_get("cell"))) l->ccell = need_col(l, "cell", m);
    if ((m = map_get("t"))) {
        l->ct = need_col(l, "t", m);
        if (!is_time_name(m, &l->tscale)) l->tscale = A.has_time_unit ? A.time_scale : 1;
    }
    if ((m = map_get("frame"))) l->cframe = need_col(l, "frame", m);
    if ((m = map_get("sample"))) l->csample = need_col(l, "sample", m);
    if ((m = map_get("condition"))) l->ccond = need_col(l, "condition", m);
    if ((m = map_get("role"))) l->crole = need_col(l, "role", m);
    int any_f = 0;
    for (int i = 0; i < A.nmap; i++)
        if (strcmp(A.map_key[i], "F") == 0 || strncmp(A.map_key[i], "F_", 2) == 0) {
            int c = need_col(l, A.map_key[i], A.map_col[i]);
            l->col_meas[c] = (int)img_meas(im, A.map_key[i]);
            any_f = 1;
        }
    if (l->kind == 1) { /* Fiji Measure: Label, Mean, Slice, other measures */
        if (l->ccell < 0) l->ccell = col_of(l->hdr, nf, "Label");
        if (l->cframe < 0) l->cframe = col_of(l->hdr, nf, "Slice");
        if (l->cframe < 0) l->cframe = col_of(l->hdr, nf, "Frame");
        if (!any_f) {
            int c = col_of(l->hdr, nf, "Mean");
            if (c < 0) zn_die(ZN_EXIT_DATA, "%s:%ld: no Mean column (set Measurements > Mean gray value)", cur_file, line);
            l->col_meas[c] = (int)img_meas(im, "F");
            for (size_t i = 0; i < nf; i++) {
                if ((int)i == c || (int)i == l->ccell || (int)i == l->cframe || !*l->hdr[i] ||
                    strcmp(l->hdr[i], "Label") == 0 || strcmp(l->hdr[i], "Slice") == 0 || strcmp(l->hdr[i], "Frame") == 0 ||
                    strcmp(l->hdr[i], "Ch") == 0)
                    continue;
                l->col_meas[i] = (int)img_meas(im, l->hdr[i]);
            }
        }
    } else if (l->kind == 2) { /* CellProfiler */
        if (l->cframe < 0) l->cframe = col_of(l->hdr, nf, "ImageNumber");
        if (l->ccell < 0) {
            for (size_t i = 0; i < nf; i++)
                if (strncmp(l->hdr[i], "TrackObjects_Label", 18) == 0) l->ctrack = (int)i;
            l->ccell = col_of(l->hdr, nf, "ObjectNumber");
        }
        if (!any_f) {
            int nint = 0;
            for (size_t i = 0; i < nf; i++)
                if (strncmp(l->hdr[i], "Intensity_MeanIntensity_", 24) == 0) nint++;
            if (!nint)
                zn_die(ZN_EXIT_DATA, "%s:%ld: no Intensity_MeanIntensity_* column (add MeasureObjectIntensity, or "
                       "name one with --map F=COLUMN)",
                       cur_file, line);
            for (size_t i = 0; i < nf; i++)
                if (strncmp(l->hdr[i], "Intensity_MeanIntensity_", 24) == 0) {
                    char *name = nint == 1 ? zn_strdup("F") : zn_asprintf("F_%s", l->hdr[i] + 24);
                    l->col_meas[i] = (int)img_meas(im, name);
                    free(name);
                }
        }
        if (l->ctrack < 0 && map_get("cell") == NULL)
            zn_warn("%s: no TrackObjects_Label column: cells are CellProfiler ObjectNumbers, which are the same "
                    "cell across frames only if the objects were tracked",
                    cur_file);
    } else {
        if (l->ccell < 0)
            zn_die(ZN_EXIT_DATA, "%s: a long table needs --map cell=COLUMN (and F=COLUMN, t=COLUMN or --interval)",
                   cur_file);
        if (!any_f) zn_die(ZN_EXIT_DATA, "%s: a long table needs --map F=COLUMN (or F_NAME=COLUMN per channel)", cur_file);
    }
    if (l->ccell < 0) zn_die(ZN_EXIT_DATA, "%s:%ld: no cell column (name it with --map cell=COLUMN)", cur_file, line);
    im->has_t = l->ct >= 0;
    im->t_converted = im->has_t && l->tscale != 1;
    im->frame_by_t = l->cframe < 0 && l->ct >= 0;
}

static int long_row(char **f, size_t nf, long line, void *arg)
{
    long_t *l = arg;
    img_t *im = l->im;
    if (nf == 0) return 0;
    if (!l->header_done) {
        l->header_done = 1;
        long_header(l, f, nf, line);
        return 0;
    }
    check_ragged(cur_file, line, nf, l->ncols);
    l->rows++;
    size_t sample = l->sample;
    if (l->csample >= 0) {
        const char *s = trim(f[l->csample]);
        if (!*s) zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': the sample is missing", cur_file, line, l->hdr[l->csample]);
        name_ok("sample", s, line, l->hdr[l->csample]);
        sample = img_sample(im, s);
    }
    char *cell = trim(f[l->ccell]);
    char *cellbuf = NULL;
    if (l->kind == 1 && l->ccell == col_of(l->hdr, l->ncols, "Label") && !map_get("cell")) {
        /* Fiji label "image:roi:slice" (or "image:roi") -> roi */
        char *c1 = strchr(cell, ':');
        if (c1) {
            char *c2 = strchr(c1 + 1, ':');
            cellbuf = c2 ? zn_strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : zn_strdup(c1 + 1);
            cell = cellbuf;
        }
    }
    if (l->ctrack >= 0 && *trim(f[l->ctrack])) cell = trim(f[l->ctrack]);
    if (!*cell) zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': the cell is missing", cur_file, line, l->hdr[l->ccell]);
    int bg = 0;
    if (l->crole >= 0) {
        const char *r = trim(f[l->crole]);
        bg = strcasecmp(r, "bg") == 0 || strcasecmp(r, "background") == 0;
    }
    size_t roi = img_roi(im, sample, cell, l->ccond >= 0 ? trim(f[l->ccond]) : A.condition, bg);
    long frame;
    if (l->cframe >= 0) /* Fiji slices and CellProfiler images count from 1 */
        frame = frame_field(f[l->cframe], l->hdr[l->cframe], line, l->kind ? 1 : 0);
    else
        frame = (long)im->roi[roi].count; /* order of appearance */
    double t = l->ct >= 0 ? time_field(f[l->ct], l->hdr[l->ct], line, l->tscale) : NAN;
    size_t i = img_add(im, roi, frame, t);
    for (size_t c = 0; c < nf; c++)
        if (l->col_meas[c] >= 0) img_set(im, i, (size_t)l->col_meas[c], f[c], line, l->hdr[c]);
    free(cellbuf);
    return 0;
}

static void parse_long(img_t *im, char *text, size_t n, char delim, size_t sample, int kind)
{
    long_t l = {0};
    l.im = im;
    l.sample = sample;
    l.kind = kind;
    parse_table(text, n, delim, long_row, &l, &l.header_done, &l.rows);
    for (size_t i = 0; i < l.ncols; i++) free(l.hdr[i]);
    free(l.hdr);
    free(l.col_meas);
}

/* ------------------------------------------------------------ trace output */

/* the tolerance for the times of other channels at the k-th frame of ROI r of
 * the first channel: the channels' times of one frame must be nearer each
 * other than half the gap to the neighbouring frames (channels are taken one
 * after the other within a frame); a single frame must agree to 1e-9. */
static double channel_tol(const img_t *im, size_t r, size_t k)
{
    double t = obs_t(im, obs_at(im, r, k)), gap = INFINITY;
    if (k > 0) gap = t - obs_t(im, obs_at(im, r, k - 1));
    if (k + 1 < im->roi[r].count) {
        double g = obs_t(im, obs_at(im, r, k + 1)) - t;
        if (g < gap) gap = g;
    }
    if (isfinite(gap) && gap > 0) return gap / 2;
    return 1e-9 * (fabs(t) > 1 ? fabs(t) : 1);
}

void emit_trace(img_t *im, size_t nim, zn_wr *w)
{
    for (size_t j = 0; j < nim; j++) img_order(&im[j]);
    int has_t = im[0].has_t;
    for (size_t j = 1; j < nim; j++)
        if (im[j].has_t != has_t)
            zn_die(ZN_EXIT_DATA, "channel %s (%s) has %s time column, channel %s (%s) has %s: give all channels a "
                   "time column, or none (and --interval)",
                   A.in[j].channel, A.in[j].path, im[j].has_t ? "a" : "no", A.in[0].channel, A.in[0].path,
                   has_t ? "one" : "none");
    if (!has_t && !A.has_interval)
        zn_die(ZN_EXIT_USAGE, "%s: the file has no time column: give --interval SEC (seconds between frames)",
               cur_file);
    if (has_t && A.has_interval) zn_warn("%s: the file has a time column: --interval is not used", cur_file);
    if (!has_t) { /* t = frame x interval must be a number */
        long maxf = 0;
        for (size_t r = 0; r < im[0].nroi; r++)
            if (im[0].roi[r].count) {
                long f = obs_frame(&im[0], obs_at(&im[0], r, im[0].roi[r].count - 1));
                if (f > maxf) maxf = f;
            }
        if (!isfinite((double)maxf * A.interval)) {
            char b[40];
            zn_fmt_double(b, A.interval);
            zn_usage_error("--interval %s: frame %ld would be at a time beyond the range of a double (about "
                           "1.8e308 s)",
                           b, maxf);
        }
    }
    int any_flag = 0;
    for (size_t j = 0; j < nim; j++) any_flag |= im[j].nfo > 0;
    /* columns */
    char **cols = NULL;
    size_t ncols = 0, cap = 0;
    zn_dict colix = {0};
    static const char *fixed[] = {"sample", "condition", "cell", "role", "frame", "t"};
    for (int i = 0; i < 6; i++) {
        zn_grow(&cols, &cap, ncols + 1, sizeof *cols);
        cols[ncols++] = zn_strdup(fixed[i]);
    }
    for (size_t j = 0; j < nim; j++)
        for (size_t m = 0; m < im[j].nmeas; m++) {
            zn_grow(&cols, &cap, ncols + 1, sizeof *cols);
            cols[ncols] = A.in[j].channel ? zn_asprintf("%s_%s", im[j].meas[m], A.in[j].channel)
                                          : zn_strdup(im[j].meas[m]);
            if (zn_dict_put(&colix, cols[ncols], ncols) != ncols)
                zn_usage_error("two inputs give column '%s': name each channel differently (--channel NAME)",
                               cols[ncols]);
            ncols++;
        }
    zn_dict_free(&colix);
    if (any_flag) {
        zn_grow(&cols, &cap, ncols + 1, sizeof *cols);
        cols[ncols++] = zn_strdup("flag");
    }
    write_head(w, "trace", im[0].format, cols, ncols, 1);
    /* the other channels' ROIs by key */
    size_t **match = zn_calloc(nim, sizeof *match);
    for (size_t j = 1; j < nim; j++) {
        match[j] = zn_malloc((im[0].nroi ? im[0].nroi : 1) * sizeof **match);
        for (size_t r = 0; r < im[0].nroi; r++) {
            roi_t *ro = &im[0].roi[r];
            char *key = zn_asprintf("%s\x1f%s", im[0].samples[ro->sample], ro->name);
            size_t k = zn_dict_get(&im[j].roi_ix, key);
            free(key);
            if (k == (size_t)-1)
                zn_die(ZN_EXIT_DATA, "channel %s (%s) has no cell '%s' of sample '%s', which channel %s has (channels "
                       "must have the same ROIs and frames)",
                       A.in[j].channel, A.in[j].path, ro->name, im[0].samples[ro->sample], A.in[0].channel);
            if (im[j].roi[k].count != ro->count)
                zn_die(ZN_EXIT_DATA, "channel %s (%s) has %zu frames of cell '%s', channel %s has %zu (channels must "
                       "have the same ROIs and frames)",
                       A.in[j].channel, A.in[j].path, im[j].roi[k].count, ro->name, A.in[0].channel, ro->count);
            match[j][r] = k;
        }
        if (im[j].nroi != im[0].nroi)
            zn_die(ZN_EXIT_DATA, "channel %s (%s) has %zu ROIs, channel %s (%s) has %zu", A.in[j].channel,
                   A.in[j].path, im[j].nroi, A.in[0].channel, A.in[0].path, im[0].nroi);
    }
    long nrec = 0;
    for (size_t q = 0; q < im[0].nroi; q++) {
        size_t r = im[0].roi_order[q];
        roi_t *ro = &im[0].roi[r];
        for (size_t k = 0; k < ro->count; k++) {
            size_t i = obs_at(&im[0], r, k);
            long frame = obs_frame(&im[0], i);
            double t = has_t ? obs_t(&im[0], i) : (double)frame * A.interval;
            put_field(w, im[0].samples[ro->sample]);
            zn_wr_putc(w, '\t');
            if (ro->cond) put_field(w, ro->cond);
            zn_wr_putc(w, '\t');
            put_field(w, ro->name);
            zn_wr_puts(w, ro->bg ? "\tbg\t" : "\tcell\t");
            zn_wr_long(w, frame);
            zn_wr_putc(w, '\t');
            if (has_t && !im[0].t_converted) put_num(w, t);
            else zn_wr_double(w, t);
            const char *flag = NULL, *flag2 = NULL;
            for (size_t j = 0; j < nim; j++) {
                size_t ij = i;
                if (j) {
                    ij = obs_at(&im[j], match[j][r], k);
                    if (obs_frame(&im[j], ij) != frame)
                        zn_die(ZN_EXIT_DATA, "channel %s (%s) has no frame %ld for cell '%s' (channels must have "
                               "the same ROIs and frames)",
                               A.in[j].channel, A.in[j].path, frame, ro->name);
                    if (has_t && !(fabs(obs_t(&im[j], ij) - t) < channel_tol(&im[0], r, k))) {
                        char b0[40], bj[40];
                        zn_fmt_double(b0, t);
                        zn_fmt_double(bj, obs_t(&im[j], ij));
                        zn_die(ZN_EXIT_DATA, "cell '%s' frame %ld: channel %s (%s) is at t = %s s, channel %s (%s) at "
                               "t = %s s (channels of one frame must be taken at the same time)",
                               ro->name, frame, A.in[0].channel, A.in[0].path, b0, A.in[j].channel, A.in[j].path,
                               bj);
                    }
                }
                for (size_t m = 0; m < im[j].nmeas; m++) {
                    zn_wr_putc(w, '\t');
                    put_num(w, im[j].o_v[ij * im[j].nmeas + m]);
                }
                const char *fl = im[j].nfo ? obs_flag(&im[j], ij) : NULL;
                if (fl) {
                    if (!flag) flag = fl;
                    else flag2 = fl;
                }
            }
            if (any_flag) {
                zn_wr_putc(w, '\t');
                if (flag) put_field(w, flag);
                if (flag2) {
                    zn_wr_putc(w, ';');
                    put_field(w, flag2);
                }
            }
            zn_wr_eol(w);
            zn_progress(&A.o, ++nrec, 0);
        }
    }
    zn_progress(&A.o, nrec, 1);
    for (size_t j = 1; j < nim; j++) free(match[j]);
    free(match);
    for (size_t i = 0; i < ncols; i++) free(cols[i]);
    free(cols);
}

/* ------------------------------------------------------------ detection */

/* What the header line (the first line that is not empty) holds */
void img_hdr(const char *text, char delim, img_hdr_t *hd)
{
    memset(hd, 0, sizeof *hd);
    const char *p = text;
    while (*p == '\n') p++;
    const char *e = strchr(p, '\n');
    char *l = zn_strndup(p, e ? (size_t)(e - p) : strlen(p));
    zn_table hdr;
    char err[256];
    if (zn_table_load(&hdr, l, strlen(l), delim, err, sizeof err) == 0 && hdr.n) {
        const zn_row *h = &hdr.rows[0];
        hd->ok = 1;
        hd->n = h->n;
        hd->empty_first = h->n > 0 && !*h->f[0];
        for (size_t i = 0; i < h->n; i++) {
            const char *f = h->f[i];
            hd->image |= strcmp(f, "ImageNumber") == 0;
            hd->object |= strcmp(f, "ObjectNumber") == 0;
            hd->label |= strcmp(f, "Label") == 0;
            hd->mean |= strcmp(f, "Mean") == 0;
            if (strncmp(f, "Mean", 4) == 0 && (isdigit((unsigned char)f[4]) || f[4] == '(')) hd->fiji_wide = 1;
        }
    }
    zn_table_free(&hdr);
    free(l);
}

/* How sure a header makes each imaging format (formats[] in zn-ingest.c
 * takes the highest): CellProfiler's ImageNumber and ObjectNumber (5), then
 * Fiji's Measure Label and Mean (4), then --map cell (3: the user says it
 * is long), then Fiji's Multi Measure Mean1 or a first column without a
 * name (2); any other table is wide (1). */
int hdr_cellprofiler(const img_hdr_t *h) { return h->image && h->object ? 5 : 0; }

int hdr_imagej(const img_hdr_t *h)
{
    if (h->label && h->mean) return 4;
    return h->fiji_wide || (h->n > 1 && h->empty_first) ? 2 : 0;
}

int hdr_long(const img_hdr_t *h) { return h->ok && map_get("cell") ? 3 : 0; }

int hdr_wide(const img_hdr_t *h)
{
    (void)h;
    return 1;
}

/* every --bg names a ROI of the (first) input; else say which there are */
void check_bg(const img_t *im)
{
    for (size_t b = 0; b < A.nbg; b++) {
        size_t r = 0;
        while (r < im->nroi && strcmp(im->roi[r].name, A.bg[b]) != 0) r++;
        if (r < im->nroi) continue;
        zn_buf l = {0};
        for (r = 0; r < im->nroi && r < 12; r++) {
            if (r) zn_buf_adds(&l, ", ");
            zn_buf_adds(&l, im->roi[r].name);
        }
        if (im->nroi > 12) zn_buf_addf(&l, ", ... (%zu in all)", im->nroi);
        zn_usage_error("--bg %s: %s has no ROI of that name (its ROIs: %s)", A.bg[b],
                       strcmp(A.in[0].path, "-") ? A.in[0].path : "(standard input)", l.s);
    }
}

/* ------------------------------------------------------------ the formats' parsers */

void img_cellprofiler(img_t *im, char *text, size_t n, char delim, size_t s)
{
    parse_long(im, text, n, delim, s, 2);
}

void img_long(img_t *im, char *text, size_t n, char delim, size_t s) { parse_long(im, text, n, delim, s, 0); }

/* Fiji's Measure table is long (Label, Mean); Multi Measure is wide */
void img_imagej(img_t *im, char *text, size_t n, char delim, size_t s)
{
    char *hdr = zn_strndup(text, strcspn(text, "\n"));
    int is_long = detect_imaging(text, delim)->parse_img == img_imagej && strstr(hdr, "Label") && strstr(text, "Mean");
    free(hdr);
    if (is_long) parse_long(im, text, n, delim, s, 1);
    else img_wide(im, text, n, delim, s);
}


/* ------------------------------------------------------------ the inputs */

img_t *img_new(size_t n) { return zn_calloc(n ? n : 1, sizeof(img_t)); }

/* input i (text of n bytes) as imaging format F into ims[i] */
void img_read(img_t *ims, size_t i, const struct format *F, char *text, size_t n, const char *sample)
{
    char delim = zn_csv_sniff(text, n);
    img_t *im = &ims[i];
    im->format = F->name;
    F->parse_img(im, text, n, delim, img_sample(im, sample));
    if (!im->nobs) zn_die(ZN_EXIT_DATA, "%s: no data rows", cur_file);
}

void img_free_all(img_t *ims, size_t n)
{
    for (size_t i = 0; i < n; i++) img_free(&ims[i]);
    free(ims);
}
