/* zn-ingest - what instruments export -> ZNR records in canonical order.
 *
 * Imaging tables (Fiji/ImageJ, CellProfiler, generic wide or long CSV/TSV)
 * become trace records; plate readers (Gen5, SoftMax Pro, BMG MARS, Tecan
 * Spark) become plate records; counters (Tri-Carb, Wizard2, Hidex 300 SL)
 * become counts records, optionally joined with a layout file.  One input
 * table is held in memory; the output streams.
 */
#define _GNU_SOURCE
#include "zn.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char usage[] =
    "Usage: zn-ingest [OPTIONS] FILE...\n"
    "       zn-ingest [OPTIONS] --channel NAME FILE --channel NAME FILE ...\n"
    "Convert instrument exports to ZNR records (trace, plate or counts).\n"
    "\n"
    "  -f, --format FMT      input format (default: detected from the file):\n"
    "                          imaging:  imagej (Fiji Multi Measure wide, Measure long),\n"
    "                                    cellprofiler, wide, long (with --map)\n"
    "                          plates:   gen5, softmax, bmg, tecan\n"
    "                          counters: tricarb, wizard, hidex\n"
    "      --map KEY=COL,... name the columns: cell, t, frame, sample, condition,\n"
    "                        role, F or F_NAME (generic long tables; t or F in wide)\n"
    "      --interval SEC    seconds between frames: frame k at t = k*SEC (when the\n"
    "                        file has no time column)\n"
    "      --time-unit U     unit of the file's time column: s, ms, min, h (default:\n"
    "                        from the column name, e.g. 'Time (min)', else s)\n"
    "      --sample NAME     sample (dish) name (default: the file name)\n"
    "      --condition NAME  condition of every record\n"
    "      --bg ROI,...      background ROIs (Fiji number Mean3 -> 3, or name);\n"
    "                        a ROI named Background or BG is background anyway\n"
    "      --channel NAME    the next FILE is channel NAME: columns F_NAME, joined\n"
    "                        with the other channels by cell and frame\n"
    "      --window NAME=START:END  a protocol phase in seconds (baseline, max, min)\n"
    "      --meta KEY=VALUE  add a meta line\n"
    "      --layout FILE     plate or counter layout (CSV/TSV with a well or position\n"
    "                        column) joined onto the records\n"
    "      --decimal-comma   numbers use ',' as the decimal mark\n"
    "      --date-order ORD  counter dates written a/b/yyyy are dmy (day/month/year)\n"
    "                        or mdy; needed only when no date in the file has a\n"
    "                        day above 12\n";

enum {
    OPT_MAP = ZN_OPT_FIRST_OWN,
    OPT_INTERVAL,
    OPT_TIME_UNIT,
    OPT_SAMPLE,
    OPT_CONDITION,
    OPT_BG,
    OPT_CHANNEL,
    OPT_WINDOW,
    OPT_META,
    OPT_LAYOUT,
    OPT_DECIMAL_COMMA,
    OPT_DATE_ORDER
};

typedef struct {
    char *path, *channel;
} input_t;

typedef struct {
    zn_opt o;
    const char *format;
    char *map_key[16], *map_col[16];
    int nmap;
    double interval;
    int has_interval;
    double time_scale;
    int has_time_unit;
    const char *sample, *condition, *layout;
    char **bg;
    size_t nbg;
    input_t *in;
    size_t nin;
    zn_meta extra; /* windows and --meta lines */
    int decimal_comma;
    int date_order; /* date_order_t: --date-order */
} args_t;

static args_t A;

/* ------------------------------------------------------------ helpers */

static const char *map_get(const char *key)
{
    for (int i = 0; i < A.nmap; i++)
        if (strcmp(A.map_key[i], key) == 0) return A.map_col[i];
    return NULL;
}

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

/* An instrument value: 0 number, 1 empty, 2 token (flag = the token), -1 not
 * a number, -2 a number out of the range of a double (1e400, 1e-400) */
static int inst_value(const char *s, double *x)
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

static const char *cur_file;

/* a number whose value (after conversion to the output's unit) a double
 * cannot hold */
static _Noreturn void range_value(long line, const char *col, const char *v)
{
    double x;
    if (inst_value(v, &x) == -2)
        zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is out of range (a double holds magnitudes from about "
               "2.2e-308 to 1.8e308)", cur_file, line, col, v);
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is out of range once converted to the output's unit", cur_file,
           line, col, v);
}

static _Noreturn void bad_value(long line, const char *col, const char *v)
{
    double x;
    if (inst_value(v, &x) == -2) range_value(line, col, v);
    zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is not a number%s", cur_file, line, col, v,
           zn_num_hint(v, strlen(v)));
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

static void check_ragged(const char *file, long line, size_t nf, size_t ncols)
{
    if (nf != ncols)
        zn_die(ZN_EXIT_DATA, "%s:%ld: ragged row: %zu fields, the header has %zu", file, line, nf, ncols);
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

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = zn_strdup(b);
    for (int again = 1; again;) {
        again = 0;
        static const char *ext[] = {".gz", ".csv", ".tsv", ".txt", ".CSV", ".TXT", ".xls", NULL};
        size_t n = strlen(s);
        for (int i = 0; ext[i]; i++) {
            size_t k = strlen(ext[i]);
            if (n > k && strcmp(s + n - k, ext[i]) == 0) {
                s[n - k] = 0;
                again = 1;
                break;
            }
        }
    }
    return s;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    return s;
}

/* a value safe for a ZNR field: tabs and newlines become spaces */
static void put_field(zn_wr *w, const char *s)
{
    for (; *s; s++) zn_wr_putc(w, *s == '\t' || *s == '\n' ? ' ' : *s);
}

/* a measured value, as it came (missing when NaN) */
static void put_num(zn_wr *w, double x)
{
    char b[40];
    if (!isnan(x)) zn_wr_put(w, b, zn_fmt_double_rt(b, x));
}

static void write_head(zn_wr *w, const char *schema, const char *format, char **cols, size_t ncols,
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

typedef struct {
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
} img_t;

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

/* "Mean12" -> (Mean, 12); "Mean(Cell1)" -> (Mean, Cell1); else bare ROI */
static void split_wide_header(const char *h, char **meas, char **roi)
{
    size_t n = strlen(h);
    if (n > 2 && h[n - 1] == ')') {
        const char *p = strchr(h, '(');
        if (p && p > h) {
            char *m = zn_strndup(h, (size_t)(p - h));
            for (int i = 0; fiji_measures[i]; i++)
                if (strcmp(m, fiji_measures[i]) == 0) {
                    *meas = m;
                    *roi = zn_strndup(p + 1, n - (size_t)(p - h) - 2);
                    return;
                }
            free(m);
        }
    }
    size_t d = n;
    while (d > 0 && isdigit((unsigned char)h[d - 1])) d--;
    if (d < n && d > 0) {
        char *m = zn_strndup(h, d);
        for (int i = 0; fiji_measures[i]; i++)
            if (strcmp(m, fiji_measures[i]) == 0) {
                *meas = m;
                *roi = zn_strdup(h + d);
                return;
            }
        free(m);
    }
    *meas = zn_strdup("Mean");
    *roi = zn_strdup(h);
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
        w->hdr = zn_malloc(nf * sizeof(char *));
        w->tcol = w->fcol = -1;
        const char *tmap = map_get("t"), *fmap = map_get("frame");
        char **meas = zn_malloc(nf * sizeof(char *)), **roi = zn_malloc(nf * sizeof(char *));
        for (size_t i = 0; i < nf; i++) {
            char *h = trim(f[i]);
            w->hdr[i] = zn_strdup(h);
            meas[i] = roi[i] = NULL;
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
            split_wide_header(h, &meas[i], &roi[i]);
        }
        if (tmap && w->tcol < 0) zn_die(ZN_EXIT_DATA, "%s: --map t=%s: no such column", cur_file, tmap);
        /* measures in order of first appearance, Mean (F) first */
        for (size_t i = 0; i < nf; i++)
            if (meas[i] && strcmp(meas[i], "Mean") == 0) img_meas(im, "F");
        for (size_t i = 0; i < nf; i++)
            if (meas[i]) img_meas(im, measure_col(meas[i]));
        size_t nm = im->nmeas;
        for (size_t i = 0; i < nf; i++) {
            if (!meas[i]) continue;
            w->col_meas[i] = (int)img_meas(im, measure_col(meas[i]));
            w->col_roi[i] = (int)img_roi(im, w->sample, roi[i], A.condition, 0);
            free(meas[i]);
            free(roi[i]);
        }
        free(meas);
        free(roi);
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

static void parse_wide(img_t *im, char *text, size_t n, char delim, size_t sample)
{
    wide_t w = {0};
    w.im = im;
    w.sample = sample;
    for (const char *p = text, *e = text + n; p < e && (p = memchr(p, '\n', (size_t)(e - p))); p++) w.rows_hint++;
    parse_table(text, n, delim, wide_row, &w, &w.header_done, &w.row);
    for (size_t i = 0; i < w.ncols; i++) free(w.hdr[i]);
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

static void emit_trace(img_t *im, size_t nim, zn_wr *w)
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

/* ------------------------------------------------------------ record tables (plates, counters) */

/* One table of records: columns by name (a dictionary, so adding or finding
 * a column costs the same for 5 columns or 100,000), each row an array of
 * owned strings as long as the columns it has set; unset cells are empty. */
typedef struct {
    char **v;
    size_t n; /* slots allocated; columns past n are unset */
} orow_t;

typedef struct {
    char **cols;
    size_t ncols, capcols;
    zn_dict colix;
    orow_t *rows;
    size_t nrows, caprows;
} otab_t;

static size_t ot_col(otab_t *t, const char *name)
{
    size_t c = zn_dict_get(&t->colix, name);
    if (c != (size_t)-1) return c;
    zn_grow(&t->cols, &t->capcols, t->ncols + 1, sizeof *t->cols);
    t->cols[t->ncols] = zn_strdup(name);
    zn_dict_put(&t->colix, name, t->ncols);
    return t->ncols++;
}

static size_t ot_row(otab_t *t)
{
    zn_grow(&t->rows, &t->caprows, t->nrows + 1, sizeof *t->rows);
    t->rows[t->nrows].v = NULL;
    t->rows[t->nrows].n = 0;
    return t->nrows++;
}

static void ot_set(otab_t *t, size_t r, const char *col, const char *v)
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
static const char *ot_at(const otab_t *t, size_t r, size_t c)
{
    const orow_t *row = &t->rows[r];
    return c < row->n && row->v[c] ? row->v[c] : "";
}

/* the value of row r in column col, or NULL when the table has no such column */
static const char *ot_get(const otab_t *t, size_t r, const char *col)
{
    size_t c = zn_dict_get(&t->colix, col);
    return c == (size_t)-1 ? NULL : ot_at(t, r, c);
}

/* an instrument number into column col; tokens go to the flag column */
static void ot_value(otab_t *t, size_t r, const char *col, const char *v, long line, double scale)
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

static void ot_free(otab_t *t)
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

static void well_or_die(const char *s, char out[8], long line)
{
    if (zn_well_norm(s, out, NULL, NULL) < 0)
        zn_die(ZN_EXIT_DATA, "%s:%ld: \"%s\" is not a well name (A1..P24)", cur_file, line, s);
}

static int is_row_letter(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i])) return 0;
    return n == 1 || (s[0] == 'A' && s[1] <= 'F');
}

/* the number of columns 1, 2, 3 ... of a grid header, starting at field 1 */
static size_t grid_ncols(const zn_row *hr)
{
    size_t ncol = 0;
    while (1 + ncol < hr->n && atoi(hr->f[1 + ncol]) == (int)ncol + 1) ncol++;
    return ncol;
}

/* a grid header: numbers 1, 2, 3 ... starting at field `from` */
static int grid_header(const zn_row *r, size_t from)
{
    if (r->n < from + 2) return 0;
    return strcmp(trim(r->f[from]), "1") == 0 && strcmp(trim(r->f[from + 1]), "2") == 0;
}

/* Gen5 / BMG style: title row, header ",1,2,...", rows "A,v,v,...[,label]",
 * continuation rows with an empty first field; ends at a blank row. */
static size_t read_grid(const zn_table *tb, size_t h, const char *title, const char *plate, otab_t *t)
{
    size_t ncol = grid_ncols(&tb->rows[h]);
    char letter[4] = "";
    size_t r = h + 1;
    for (; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) break;
        const char *f0 = trim(row->f[0]);
        if (*f0) {
            if (!is_row_letter(f0)) break;
            snprintf(letter, sizeof letter, "%s", f0);
        } else if (!*letter)
            break;
        const char *label = row->n > 1 + ncol ? trim(row->f[1 + ncol]) : "";
        for (size_t c = 0; c < ncol; c++) {
            const char *v = 1 + c < row->n ? row->f[1 + c] : "";
            char wn[32], well[8];
            snprintf(wn, sizeof wn, "%s%zu", letter, c + 1);
            well_or_die(wn, well, row->line);
            const char *read = *label ? label : title ? title : "value";
            size_t k = ot_row(t);
            ot_set(t, k, "plate", plate);
            ot_set(t, k, "well", well);
            ot_set(t, k, "read", read);
            ot_col(t, "value");
            ot_col(t, "flag");
            if (*trim((char *)v)) ot_value(t, k, "value", v, row->line, 1);
            else ot_set(t, k, "flag", "empty");
        }
    }
    return r;
}

/* Gen5's Layout block: per-well attributes added to every read of the well */
static void gen5_layout(const zn_table *tb, size_t h, otab_t *t)
{
    size_t ncol = grid_ncols(&tb->rows[h]);
    char letter[4] = "";
    for (size_t r = h + 1; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) break;
        const char *f0 = trim(row->f[0]);
        if (*f0) {
            if (!is_row_letter(f0)) break;
            snprintf(letter, sizeof letter, "%s", f0);
        }
        const char *label = row->n > 1 + ncol ? trim(row->f[1 + ncol]) : "";
        const char *col = strcasecmp(label, "Well ID") == 0 ? "gen5_id" : strcasecmp(label, "Conc/Dil") == 0 ? "gen5_conc" : NULL;
        if (!col) continue;
        for (size_t c = 0; c < ncol && 1 + c < row->n; c++) {
            char wn[32], well[8];
            snprintf(wn, sizeof wn, "%s%zu", letter, c + 1);
            well_or_die(wn, well, row->line);
            const char *v = trim(row->f[1 + c]);
            for (size_t k = 0; k < t->nrows; k++)
                if (strcmp(ot_get(t, k, "well"), well) == 0) {
                    if (strcmp(col, "gen5_conc") == 0 && *v) ot_value(t, k, col, v, row->line, 1);
                    else ot_set(t, k, col, v);
                }
        }
    }
}

static int row_is_title(const zn_row *r)
{
    if (r->n == 0 || !*trim(r->f[0])) return 0;
    for (size_t i = 1; i < r->n; i++)
        if (*trim(r->f[i])) return 0;
    return 1;
}

static void parse_gridded(const zn_table *tb, const char *plate, otab_t *t, int gen5)
{
    const char *title = NULL;
    long layout_at = -1;
    char *title_copy = NULL;
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row_is_title(row)) {
            free(title_copy);
            const char *s = trim(row->f[0]);
            const char *p = strchr(s, '('), *q = p ? strrchr(s, ')') : NULL;
            /* BMG: "Raw Data (450 1)" -> read "450 1" */
            title_copy = p && q > p + 1 ? zn_strndup(p + 1, (size_t)(q - p - 1)) : zn_strdup(s);
            title = title_copy;
            if (strcasecmp(s, "Layout") == 0) title = "Layout";
            continue;
        }
        if (row->n > 2 && !*trim(row->f[0]) && grid_header(row, 1)) {
            if (title && strcmp(title, "Layout") == 0) {
                layout_at = (long)r;
                while (r + 1 < tb->n && tb->rows[r + 1].n) r++;
                continue;
            }
            r = read_grid(tb, r, title, plate, t);
        }
    }
    if (gen5 && layout_at >= 0) gen5_layout(tb, (size_t)layout_at, t);
    free(title_copy);
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no plate grid found (a header row 1, 2, 3 ... and rows A, B, ...)", cur_file);
}

static void parse_softmax(const zn_table *tb, const char *plate, otab_t *t)
{
    char **wl = NULL;
    size_t nwl = 0;
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n && strcmp(trim(row->f[0]), "Plate:") == 0) {
            /* the wavelength list follows its count: "3\t230 260 340 " */
            for (size_t i = 2; i + 1 < row->n && !nwl; i++) {
                long k = atol(row->f[i]);
                char *s = trim(row->f[i + 1]);
                if (k < 1 || !*s || !isdigit((unsigned char)*s) || !strchr(s, ' ')) continue;
                char *copy = zn_strdup(s), *save = NULL;
                for (char *tk = strtok_r(copy, " ", &save); tk; tk = strtok_r(NULL, " ", &save)) {
                    wl = zn_realloc(wl, (nwl + 1) * sizeof *wl);
                    wl[nwl++] = zn_strdup(tk);
                }
                free(copy);
                if ((long)nwl != k) {
                    for (size_t j = 0; j < nwl; j++) free(wl[j]);
                    nwl = 0;
                }
            }
            int block = 0;
            for (r++; r < tb->n; r++) {
                const zn_row *h = &tb->rows[r];
                if (h->n && strncmp(trim(h->f[0]), "~End", 4) == 0) break;
                size_t first = 0;
                while (first < h->n && strcmp(trim(h->f[first]), "1") != 0) first++;
                if (first + 1 >= h->n || strcmp(trim(h->f[first + 1]), "2") != 0) continue;
                /* groups of 1..N separated by empty fields */
                size_t gstart[16], gn = 0, ncol = 0;
                for (size_t i = first; i < h->n && gn < 16;) {
                    if (strcmp(trim(h->f[i]), "1") != 0) {
                        i++;
                        continue;
                    }
                    size_t k = 0;
                    while (i + k < h->n && atoi(h->f[i + k]) == (int)k + 1) k++;
                    gstart[gn++] = i;
                    ncol = k;
                    i += k;
                }
                int rowi = 0;
                for (r++; r < tb->n && tb->rows[r].n; r++, rowi++) {
                    const zn_row *row2 = &tb->rows[r];
                    if (strncmp(trim(row2->f[0]), "~End", 4) == 0) break;
                    for (size_t g = 0; g < gn; g++)
                        for (size_t c = 0; c < ncol; c++) {
                            size_t fi = gstart[g] + c;
                            const char *v = fi < row2->n ? trim(row2->f[fi]) : "";
                            if (!*v) continue; /* well not read (partial plate) */
                            char wn[32], well[8];
                            snprintf(wn, sizeof wn, "%c%zu", 'A' + rowi, c + 1);
                            well_or_die(wn, well, row2->line);
                            char rd[64];
                            if (block == 0) snprintf(rd, sizeof rd, "%s", g < nwl ? wl[g] : "value");
                            else snprintf(rd, sizeof rd, "reduced");
                            size_t k = ot_row(t);
                            ot_set(t, k, "plate", plate);
                            ot_set(t, k, "well", well);
                            ot_set(t, k, "read", rd);
                            ot_col(t, "value");
                            ot_col(t, "flag");
                            ot_value(t, k, "value", v, row2->line, 1);
                        }
                }
                block++;
                if (r < tb->n && tb->rows[r].n && strncmp(trim(tb->rows[r].f[0]), "~End", 4) == 0) break;
            }
        }
    }
    for (size_t j = 0; j < nwl; j++) free(wl[j]);
    free(wl);
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no Plate: block with data found", cur_file);
}

static void parse_tecan(const zn_table *tb, const char *plate, otab_t *t)
{
    char name[128] = "value";
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n < 2) continue;
        const char *f0 = trim(row->f[0]);
        if (strcmp(f0, "Name") == 0 && *trim(row->f[1])) snprintf(name, sizeof name, "%s", trim(row->f[1]));
        if (strcmp(f0, "<>") != 0) continue;
        if (grid_header(row, 1)) { /* grid layout */
            size_t ncol = grid_ncols(row);
            for (r++; r < tb->n && tb->rows[r].n && is_row_letter(trim(tb->rows[r].f[0])); r++) {
                const zn_row *g = &tb->rows[r];
                for (size_t c = 0; c < ncol && 1 + c < g->n; c++) {
                    char wn[32], well[8];
                    snprintf(wn, sizeof wn, "%s%zu", trim(g->f[0]), c + 1);
                    well_or_die(wn, well, g->line);
                    size_t k = ot_row(t);
                    ot_set(t, k, "plate", plate);
                    ot_set(t, k, "well", well);
                    ot_set(t, k, "read", name);
                    ot_col(t, "value");
                    ot_col(t, "flag");
                    ot_value(t, k, "value", g->f[1 + c], g->line, 1);
                }
            }
            continue;
        }
        /* list: <>,Value,Time [ms] then A1,0.09,0 */
        for (r++; r < tb->n && tb->rows[r].n >= 2; r++) {
            const zn_row *g = &tb->rows[r];
            char well[8];
            if (zn_well_norm(trim(g->f[0]), well, NULL, NULL) < 0) break;
            size_t k = ot_row(t);
            ot_set(t, k, "plate", plate);
            ot_set(t, k, "well", well);
            ot_set(t, k, "read", name);
            ot_col(t, "value");
            ot_col(t, "flag");
            ot_value(t, k, "value", g->f[1], g->line, 1);
        }
    }
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no '<>' measurement block found", cur_file);
}

/* ------------------------------------------------------------ counters */

static char *col_name(const char *h)
{ /* an instrument header as a ZNR column name: [A-Za-z0-9_.] */
    char *s = zn_strdup(h);
    for (char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') *p = '_';
    return s;
}

static void free_cols(char **c, size_t n)
{
    for (size_t i = 0; i < n; i++) free(c[i]);
    free(c);
}

/* The output column of each header field of a counter export; NULL = not
 * kept.  Two fields that would make one column are an error naming both: an
 * instrument writes CPMA and CPM, or "Count A" and "Count-A", and one would
 * overwrite the other.  A field without a name is dropped when the column is
 * empty in every row (trailing separators), an error otherwise. */
static char **counter_cols(const zn_table *tb, size_t h, char *(*map)(const char *))
{
    const zn_row *hr = &tb->rows[h];
    char **out = zn_calloc(hr->n ? hr->n : 1, sizeof *out);
    zn_dict seen = {0};
    char msg[1024] = ""; /* the error, made before out and seen are freed */
    for (size_t i = 0; i < hr->n && !*msg; i++) {
        const char *hn = trim(hr->f[i]);
        if (!*hn) {
            for (size_t r = h + 1; r < tb->n && !*msg; r++)
                if (tb->rows[r].n == hr->n && *trim(tb->rows[r].f[i]))
                    snprintf(msg, sizeof msg, "%s:%ld: column %zu has no name in the header (line %ld) but a value "
                             "\"%s\"",
                             cur_file, tb->rows[r].line, i + 1, hr->line, tb->rows[r].f[i]);
            continue;
        }
        out[i] = map(hn);
        if (!out[i]) continue;
        size_t j = zn_dict_put(&seen, out[i], i);
        if (j != i)
            snprintf(msg, sizeof msg, "%s:%ld: columns '%s' and '%s' would both be column '%s' (keep one of them in "
                     "the export, or rename one)",
                     cur_file, hr->line, trim(hr->f[j]), hn, out[i]);
    }
    zn_dict_free(&seen);
    if (*msg) {
        free_cols(out, hr->n);
        zn_die(ZN_EXIT_DATA, "%s", msg);
    }
    return out;
}

static char *tricarb_col(const char *hn)
{
    if (strcmp(hn, "S#") == 0) return zn_strdup("position");
    if (strcmp(hn, "CPMA") == 0 || strcmp(hn, "CPM") == 0) return zn_strdup("cpm");
    if (strcmp(hn, "DPM1") == 0 || strcmp(hn, "DPM") == 0) return zn_strdup("dpm");
    if (strcmp(hn, "Count Time") == 0) return zn_strdup("count_time_min");
    if (strcmp(hn, "MESSAGES") == 0) return zn_strdup("flag");
    return col_name(hn);
}

static void parse_tricarb(const zn_table *tb, otab_t *t)
{
    size_t h = 0;
    while (h < tb->n && !(tb->rows[h].n > 1 && strcmp(trim(tb->rows[h].f[0]), "S#") == 0)) h++;
    if (h == tb->n) zn_die(ZN_EXIT_DATA, "%s: no data header (S#,...) found", cur_file);
    const zn_row *hr = &tb->rows[h];
    char **cols = counter_cols(tb, h, tricarb_col);
    for (size_t r = h + 1; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) continue;
        const char *f0 = trim(row->f[0]);
        if (row->n == 1 && strncmp(f0, "Missing vial", 12) == 0) {
            size_t k = ot_row(t);
            char pos[32];
            snprintf(pos, sizeof pos, "%ld", atol(f0 + 12));
            ot_set(t, k, "position", pos);
            ot_set(t, k, "flag", "missing vial");
            continue;
        }
        check_ragged(cur_file, row->line, row->n, hr->n);
        size_t k = ot_row(t);
        for (size_t i = 0; i < hr->n; i++) {
            const char *c = cols[i], *v = row->f[i];
            if (!c) continue;
            if (strcmp(c, "position") == 0) ot_set(t, k, c, trim((char *)v));
            else if (strcmp(c, "flag") == 0) {
                ot_col(t, "flag");
                if (*trim((char *)v)) ot_set(t, k, "flag", trim((char *)v));
            } else
                ot_value(t, k, c, v, row->line, 1);
        }
    }
    free_cols(cols, hr->n);
}

/* ------------------------------------------------------------ dates */

typedef enum { DATE_UNSET = 0, DATE_DMY, DATE_MDY } date_order_t;

typedef struct {
    int y, mo, d, H, M, S;
    int slash; /* a/b/yyyy: the order of a and b is not in the date */
} date_t;

/* "2024-03-06 12:42:48", "30/11/2023 08:44:20", "3/6/2024 1:42:48 PM"
 * (seconds optional) -> fields, not yet checked; -1 when not a date */
static int date_split(const char *s, date_t *dt)
{
    memset(dt, 0, sizeof *dt);
    int a, b, c, pos = 0;
    char sep;
    if (sscanf(s, "%4d%c%2d%*[-/.]%4d%n", &a, &sep, &b, &c, &pos) < 4 || (sep != '-' && sep != '/' && sep != '.'))
        return -1;
    if (a >= 1000) dt->y = a, dt->mo = b, dt->d = c;
    else if (c >= 1000) dt->y = c, dt->mo = b, dt->d = a, dt->slash = 1; /* a/b/y, read as d/m until settled */
    else return -1;
    const char *p = s + pos;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &dt->H, &dt->M, &k) < 2) return -1;
        p += 1 + k;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &dt->S, &k) < 1) return -1;
            p += 1 + k;
        }
        while (*p == ' ') p++;
        if (strcasecmp(p, "AM") == 0 || strcasecmp(p, "PM") == 0) {
            if (dt->H < 1 || dt->H > 12) return -1;
            dt->H = dt->H % 12 + (toupper((unsigned char)*p) == 'P' ? 12 : 0);
            p += 2;
        }
    }
    return *p ? -1 : 0;
}

/* What the dates of one file say about day/month order: a first number above
 * 12 can only be a day, a second one only a day too. */
typedef struct {
    long dmy_line, mdy_line, amb_line;
    char dmy_v[40], mdy_v[40], amb_v[40];
} date_ev_t;

static void date_see(date_ev_t *e, const char *v, long line)
{
    date_t dt;
    if (date_split(v, &dt) < 0 || !dt.slash) return;
    if (dt.d > 12 && dt.mo <= 12 && !e->dmy_line) e->dmy_line = line, snprintf(e->dmy_v, sizeof e->dmy_v, "%s", v);
    if (dt.mo > 12 && dt.d <= 12 && !e->mdy_line) e->mdy_line = line, snprintf(e->mdy_v, sizeof e->mdy_v, "%s", v);
    if (dt.d <= 12 && dt.mo <= 12 && !e->amb_line) e->amb_line = line, snprintf(e->amb_v, sizeof e->amb_v, "%s", v);
}

/* the order to read a file's slash dates in: from the file when its dates
 * settle it, else --date-order, else a usage error that says so */
static date_order_t date_settle(const date_ev_t *e)
{
    if (e->dmy_line && e->mdy_line)
        zn_die(ZN_EXIT_DATA, "%s: the dates disagree: line %ld \"%s\" is day/month/year, line %ld \"%s\" is "
               "month/day/year",
               cur_file, e->dmy_line, e->dmy_v, e->mdy_line, e->mdy_v);
    date_order_t f = e->dmy_line ? DATE_DMY : e->mdy_line ? DATE_MDY : DATE_UNSET;
    if (f && A.date_order && (int)f != A.date_order)
        zn_die(ZN_EXIT_DATA, "%s:%ld: \"%s\" can only be %s, but --date-order %s was given", cur_file,
               f == DATE_DMY ? e->dmy_line : e->mdy_line, f == DATE_DMY ? e->dmy_v : e->mdy_v,
               f == DATE_DMY ? "day/month/year" : "month/day/year", A.date_order == DATE_DMY ? "dmy" : "mdy");
    if (f) return f;
    if (A.date_order) return (date_order_t)A.date_order;
    if (e->amb_line)
        zn_usage_error("%s:%ld: the date \"%s\" can be day/month or month/day, and no date in the file settles it "
                       "(none has a day above 12): give --date-order dmy or --date-order mdy",
                       cur_file, e->amb_line, e->amb_v);
    return DATE_UNSET;
}

/* a date field -> ISO 8601 ("" stays missing); a date that is not one, or
 * cannot be (month 13, 30 February, 25:00), is an error */
static void iso_date(const char *in, char *out, size_t n, date_order_t ord, long line, const char *col)
{
    date_t dt;
    if (!*in) {
        snprintf(out, n, "%s", "");
        return;
    }
    if (date_split(in, &dt) < 0)
        zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is not a date (YYYY-MM-DD hh:mm:ss, or DD/MM/YYYY or "
               "MM/DD/YYYY with --date-order)",
               cur_file, line, col, in);
    if (dt.slash && ord == DATE_MDY) {
        int k = dt.d;
        dt.d = dt.mo;
        dt.mo = k;
    }
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d", dt.y % 10000, dt.mo % 100, dt.d % 100, dt.H % 100, dt.M % 100,
             dt.S % 100);
    double days;
    if (dt.mo < 1 || dt.mo > 12 || dt.d < 1 || dt.d > 31 || dt.H < 0 || dt.H > 23 || dt.M < 0 || dt.M > 59 ||
        dt.S < 0 || dt.S > 59 || zn_iso_days(out, &days) < 0) /* zn_iso_days knows the length of each month */
        zn_die(ZN_EXIT_DATA, "%s:%ld: column '%s': \"%s\" is not a possible date%s", cur_file, line, col, in,
               !dt.slash ? " (year-month-day)"
               : ord == DATE_MDY ? " (read as month/day/year)"
                                 : " (read as day/month/year)");
}

static char *wizard_col(const char *hn)
{
    size_t n = strlen(hn);
    static const struct {
        const char *suffix, *col;
    } nuc[] = {{" CPM", "cpm"}, {" Counts", "counts"}, {" Error %", "cpm_error_pct"}, {" Info", "flag"}};
    for (size_t i = 0; i < sizeof nuc / sizeof *nuc; i++) {
        size_t k = strlen(nuc[i].suffix);
        if (n > k && strcmp(hn + n - k, nuc[i].suffix) == 0) return zn_strdup(nuc[i].col);
    }
    static const char *named[][2] = {{"Time", "count_time_min"},        {"Measurement date & time", "count_date"},
                                     {"Sample code", "sample_code"},    {"Rack", "rack"},
                                     {"Det", "detector"},               {"Protocol name", "protocol"},
                                     {"Run ID", "run"}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcmp(hn, named[i][0]) == 0) return zn_strdup(named[i][1]);
    return NULL;
}

static void parse_wizard(const zn_table *tb, otab_t *t)
{
    if (!tb->n) zn_die(ZN_EXIT_DATA, "%s: empty input", cur_file);
    const zn_row *hr = &tb->rows[0];
    int racks = 0;
    int crack = -1, cpos = -1;
    for (size_t i = 0; i < hr->n; i++) {
        if (strcmp(trim(hr->f[i]), "Rack") == 0) crack = (int)i;
        if (strcmp(trim(hr->f[i]), "Pos") == 0) cpos = (int)i;
    }
    if (cpos < 0) zn_die(ZN_EXIT_DATA, "%s: no Pos column", cur_file);
    char **cols = counter_cols(tb, 0, wizard_col);
    date_ev_t ev = {0};
    for (size_t i = 0; i < hr->n; i++)
        if (cols[i] && strcmp(cols[i], "count_date") == 0)
            for (size_t r = 1; r < tb->n; r++)
                if (tb->rows[r].n > i) date_see(&ev, trim(tb->rows[r].f[i]), tb->rows[r].line);
    date_order_t dord = date_settle(&ev);
    const char *rack0 = NULL; /* several racks: positions are Rack:Pos (short rows are ragged, below) */
    for (size_t r = 1; r < tb->n && crack >= 0; r++) {
        if (tb->rows[r].n <= (size_t)crack) continue;
        if (!rack0) rack0 = tb->rows[r].f[crack];
        else if (strcmp(tb->rows[r].f[crack], rack0) != 0) racks = 1;
    }
    for (size_t r = 1; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) continue;
        check_ragged(cur_file, row->line, row->n, hr->n);
        size_t k = ot_row(t);
        char pos[64];
        if (racks) snprintf(pos, sizeof pos, "%s:%s", trim(row->f[crack]), trim(row->f[cpos]));
        else snprintf(pos, sizeof pos, "%s", trim(row->f[cpos]));
        ot_set(t, k, "position", pos);
        for (size_t i = 0; i < hr->n; i++) {
            const char *c = cols[i], *v = row->f[i];
            if (!c) continue;
            if (strcmp(c, "flag") == 0) {
                ot_col(t, "flag");
                if (*trim((char *)v)) ot_set(t, k, "flag", trim((char *)v));
            } else if (strcmp(c, "count_time_min") == 0)
                ot_value(t, k, c, v, row->line, 1.0 / 60);
            else if (strcmp(c, "count_date") == 0) {
                char d[64];
                iso_date(trim((char *)v), d, sizeof d, dord, row->line, trim(hr->f[i]));
                ot_set(t, k, c, d);
            } else if (strcmp(c, "cpm") == 0 || strcmp(c, "counts") == 0 || strcmp(c, "cpm_error_pct") == 0)
                ot_value(t, k, c, v, row->line, 1);
            else
                ot_set(t, k, c, trim((char *)v));
        }
    }
    free_cols(cols, hr->n);
}

static void parse_hidex(const zn_table *tb, otab_t *t)
{
    long k = -1;
    int in_rec = 0;
    date_ev_t ev = {0};
    for (size_t r = 0; r < tb->n; r++)
        if (tb->rows[r].n >= 2 && strcmp(trim(tb->rows[r].f[0]), "EndTime") == 0)
            date_see(&ev, trim(tb->rows[r].f[1]), tb->rows[r].line);
    date_order_t dord = date_settle(&ev);
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (!row->n) continue;
        const char *f0 = trim(row->f[0]);
        if (strcmp(f0, "Sample start") == 0) {
            k = (long)ot_row(t);
            in_rec = 1;
            ot_col(t, "position");
            continue;
        }
        if (k < 0 || !in_rec || row->n < 2) continue;
        if (strncmp(f0, "Spectrum", 8) == 0) {
            in_rec = 0; /* spectra and the alpha matrix are not kept */
            continue;
        }
        const char *v = row->f[1];
        size_t kk = (size_t)k;
        if (strcmp(f0, "Vial") == 0) ot_set(t, kk, "position", trim((char *)v));
        else if (strcmp(f0, "WName") == 0) {
            char well[8];
            well_or_die(trim((char *)v), well, row->line);
            ot_set(t, kk, "well", well);
        } else if (strcmp(f0, "Repe.") == 0) ot_set(t, kk, "repeat", trim((char *)v));
        else if (strcmp(f0, "CPM") == 0) ot_value(t, kk, "cpm", v, row->line, 1);
        else if (strcmp(f0, "DPM") == 0) ot_value(t, kk, "dpm", v, row->line, 1);
        else if (strcmp(f0, "Counts") == 0) ot_value(t, kk, "counts", v, row->line, 1);
        else if (strcmp(f0, "Time") == 0) ot_value(t, kk, "count_time_min", v, row->line, 1.0 / 60);
        else if (strcmp(f0, "TDCR") == 0) ot_value(t, kk, "tdcr", v, row->line, 1);
        else if (strcmp(f0, "EndTime") == 0) {
            char d[64];
            iso_date(trim((char *)v), d, sizeof d, dord, row->line, "EndTime");
            ot_set(t, kk, "count_date", d);
        }
    }
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no 'Sample start' records found", cur_file);
}

/* ------------------------------------------------------------ layout join */

static char *read_text(const char *path, size_t *n);

static void normal_key(const char *s, char *out, size_t n, int well)
{
    s = trim((char *)s);
    if (well && zn_well_norm(s, out, NULL, NULL) == 0) return;
    while (s[0] == '0' && isdigit((unsigned char)s[1])) s++; /* 007 -> 7 */
    snprintf(out, n, "%s", s);
}

static void join_layout(otab_t *t, const char *path)
{
    char err[600];
    size_t tn;
    char *text = read_text(path, &tn);
    zn_table lt;
    if (zn_table_load(&lt, text, tn, zn_csv_sniff(text, tn), err, sizeof err) < 0)
        zn_die(ZN_EXIT_DATA, "%s: %s", path, err);
    free(text);
    size_t h = 0;
    while (h < lt.n && lt.rows[h].n == 0) h++;
    if (h == lt.n) zn_die(ZN_EXIT_DATA, "%s: empty layout", path);
    const zn_row *hr = &lt.rows[h];
    /* the key: well when the data name wells, else the counter's position
     * (a counter layout may carry the plate well of each vial as a column) */
    int key = -1, by_well = 0, first = -1, first_well = 0;
    static const char *keys[] = {"well", "position", "pos", "vial", "tube", NULL};
    int data_well = t->nrows && ot_get(t, 0, "well") && *ot_get(t, 0, "well");
    for (int k = 0; keys[k] && key < 0; k++)
        for (size_t i = 0; i < hr->n; i++)
            if (strcasecmp(trim(hr->f[i]), keys[k]) == 0) {
                if (first < 0) {
                    first = (int)i;
                    first_well = k == 0;
                }
                if (k > 0 || data_well) {
                    key = (int)i;
                    by_well = k == 0;
                }
                break;
            }
    if (first < 0) zn_die(ZN_EXIT_DATA, "%s: the layout needs a column named well or position", path);
    if (key < 0) {
        key = first;
        by_well = first_well;
    }
    const char *dkey = by_well ? "well" : "position";
    if (!ot_get(t, 0, dkey) || (by_well && !*ot_get(t, 0, dkey)))
        zn_die(ZN_EXIT_DATA, "%s: the layout is keyed by %s, but the data have no %s", path, dkey, dkey);
    zn_dict ix = {0};
    for (size_t r = h + 1; r < lt.n; r++) {
        const zn_row *row = &lt.rows[r];
        if (!row->n) continue;
        check_ragged(path, row->line, row->n, hr->n);
        char k[64];
        normal_key(row->f[key], k, sizeof k, by_well);
        if (!*k) zn_die(ZN_EXIT_DATA, "%s:%ld: the %s is empty", path, row->line, dkey);
        if (zn_dict_get(&ix, k) != (size_t)-1)
            zn_die(ZN_EXIT_DATA, "%s:%ld: %s %s appears twice in the layout", path, row->line, dkey, k);
        zn_dict_put(&ix, k, r);
    }
    /* a key twice in the data (same read / repeat) is an error too */
    zn_dict seen = {0};
    for (size_t r = 0; r < t->nrows; r++) {
        char k[64];
        normal_key(ot_get(t, r, dkey), k, sizeof k, by_well);
        const char *rd2 = ot_get(t, r, "read"), *rep = ot_get(t, r, "repeat");
        char *sk = zn_asprintf("%s\x1f%s\x1f%s", k, rd2 ? rd2 : "", rep ? rep : "");
        if (zn_dict_get(&seen, sk) != (size_t)-1)
            zn_die(ZN_EXIT_DATA, "%s: %s %s appears twice in the data", cur_file, dkey, k);
        zn_dict_put(&seen, sk, r);
        free(sk);
        size_t lr = zn_dict_get(&ix, k);
        if (lr == (size_t)-1) {
            const char *fl = ot_get(t, r, "flag");
            /* nothing lost: a missing vial, or an empty well outside the layout */
            if (fl && (strcmp(fl, "missing vial") == 0 || strcmp(fl, "empty") == 0)) continue;
            zn_die(ZN_EXIT_DATA, "%s: %s %s is in the data but not in the layout %s", cur_file, dkey, k, path);
        }
        for (size_t i = 0; i < hr->n; i++) {
            if ((int)i == key) continue;
            char *c = col_name(trim(hr->f[i]));
            if (ot_get(t, r, c) && *ot_get(t, r, c))
                zn_die(ZN_EXIT_DATA, "%s: layout column '%s' would overwrite the instrument's column of that name "
                       "(rename it in the layout)", path, c);
            const char *v = trim(lt.rows[lr].f[i]);
            ot_col(t, c);
            ot_set(t, r, c, v);
            free(c);
        }
    }
    zn_dict_free(&seen);
    zn_dict_free(&ix);
    zn_table_free(&lt);
}

static void emit_table(otab_t *t, const char *schema, const char *format, zn_wr *w)
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

/* ------------------------------------------------------------ detection and main */

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* imaging tables: by the header line */
static const char *detect_imaging(const char *text, char delim)
{
    const char *p = text;
    while (*p == '\n') p++;
    const char *e = strchr(p, '\n');
    char *l = zn_strndup(p, e ? (size_t)(e - p) : strlen(p));
    zn_table hdr;
    char err[256];
    const char *r = "wide";
    if (zn_table_load(&hdr, l, strlen(l), delim, err, sizeof err) == 0 && hdr.n) {
        const zn_row *h = &hdr.rows[0];
        int img = 0, obj = 0, label = 0, mean = 0, fiji = 0;
        for (size_t i = 0; i < h->n; i++) {
            const char *f = h->f[i];
            img |= strcmp(f, "ImageNumber") == 0;
            obj |= strcmp(f, "ObjectNumber") == 0;
            label |= strcmp(f, "Label") == 0;
            mean |= strcmp(f, "Mean") == 0;
            if (strncmp(f, "Mean", 4) == 0 && (isdigit((unsigned char)f[4]) || f[4] == '(')) fiji = 1;
        }
        if (img && obj) r = "cellprofiler";
        else if (label && mean) r = "imagej";
        else if (map_get("cell")) r = "long";
        else if (fiji || (h->n > 1 && !*h->f[0])) r = "imagej";
    }
    zn_table_free(&hdr);
    free(l);
    return r;
}

/* The whole input as UTF-8 text with LF line ends, holding one copy: the
 * lines are appended to one buffer (a CRLF comes back as LF; a bare CR stays
 * for the decoder).  UTF-16, recognised by its byte-order mark on the first
 * line, is read whole instead: its line ends are not single bytes. */
static char *read_text(const char *path, size_t *n)
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
            char *rest;
            size_t rn;
            if (zn_rd_slurp(rd, &rest, &rn) < 0) zn_die(ZN_EXIT_DATA, "%s", zn_rd_error(rd));
            zn_buf_add(&b, rest, rn);
            free(rest);
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

/* every --bg names a ROI of the (first) input; else say which there are */
static void check_bg(const img_t *im)
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

/* ------------------------------------------------------------ the formats */

static void img_cellprofiler(img_t *im, char *text, size_t n, char delim, size_t s)
{
    parse_long(im, text, n, delim, s, 2);
}

static void img_long(img_t *im, char *text, size_t n, char delim, size_t s) { parse_long(im, text, n, delim, s, 0); }

/* Fiji's Measure table is long (Label, Mean); Multi Measure is wide */
static void img_imagej(img_t *im, char *text, size_t n, char delim, size_t s)
{
    char *hdr = zn_strndup(text, strcspn(text, "\n"));
    int is_long = strcmp(detect_imaging(text, delim), "imagej") == 0 && strstr(hdr, "Label") && strstr(text, "Mean");
    free(hdr);
    if (is_long) parse_long(im, text, n, delim, s, 1);
    else parse_wide(im, text, n, delim, s);
}

static void tab_gen5(const zn_table *tb, const char *plate, otab_t *t) { parse_gridded(tb, plate, t, 1); }
static void tab_bmg(const zn_table *tb, const char *plate, otab_t *t) { parse_gridded(tb, plate, t, 0); }
static void tab_tricarb(const zn_table *tb, const char *plate, otab_t *t) { (void)plate, parse_tricarb(tb, t); }
static void tab_wizard(const zn_table *tb, const char *plate, otab_t *t) { (void)plate, parse_wizard(tb, t); }
static void tab_hidex(const zn_table *tb, const char *plate, otab_t *t) { (void)plate, parse_hidex(tb, t); }

/* Signature lines: does line `line` (0-based) of a file say it is this
 * format?  state: the format's own memory across lines, 0 at the start. */
static int sniff_gen5(const char *l, int line, int *state)
{
    (void)line, (void)state;
    return starts(l, "Software Version\t");
}

static int sniff_softmax(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && starts(l, "##BLOCKS=");
}

static int sniff_bmg(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && starts(l, "User:") && strstr(l, "Test run no.");
}

static int sniff_tecan(const char *l, int line, int *state)
{
    (void)line, (void)state;
    return starts(l, "Application:") && (strstr(l, "Spark") || strstr(l, "i-control") || strstr(l, "Magellan"));
}

static int sniff_tricarb(const char *l, int line, int *state)
{
    (void)state;
    return starts(l, "S#,") || (line == 0 && starts(l, "Assay Definition"));
}

static int sniff_wizard(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && strstr(l, "Protocol ID") && strstr(l, "CPM");
}

static int sniff_hidex(const char *l, int line, int *state)
{ /* a "Sample start" line and a "WName;" line, in any order */
    (void)line;
    if (starts(l, "Sample start")) *state |= 1;
    if (starts(l, "WName;")) *state |= 2;
    return *state == 3;
}

/* One row per input format: -f, its message, detection and the dispatch
 * come from here (imaging tables have no signature lines: detect_imaging
 * tells them by their header).
 * Imaging formats parse the text into trace records; the others load a
 * table (delimiter fixed, or 0: sniffed) and parse it into plate or counts
 * records. */
static const struct format {
    const char *name;
    const char *schema;
    char delim;
    int (*sniff)(const char *line, int lineno, int *state);
    void (*parse_img)(img_t *im, char *text, size_t n, char delim, size_t sample);
    void (*parse_tab)(const zn_table *tb, const char *plate, otab_t *t);
} formats[] = {
    {.name = "imagej", .schema = "trace", .parse_img = img_imagej},
    {.name = "cellprofiler", .schema = "trace", .parse_img = img_cellprofiler},
    {.name = "wide", .schema = "trace", .parse_img = parse_wide},
    {.name = "long", .schema = "trace", .parse_img = img_long},
    {.name = "gen5", .sniff = sniff_gen5, .schema = "plate", .delim = '\t', .parse_tab = tab_gen5},
    {.name = "softmax", .sniff = sniff_softmax, .schema = "plate", .delim = '\t', .parse_tab = parse_softmax},
    {.name = "bmg", .sniff = sniff_bmg, .schema = "plate", .delim = ',', .parse_tab = tab_bmg},
    {.name = "tecan", .sniff = sniff_tecan, .schema = "plate", .delim = ',', .parse_tab = parse_tecan},
    {.name = "tricarb", .sniff = sniff_tricarb, .schema = "counts", .delim = ',', .parse_tab = tab_tricarb},
    {.name = "wizard", .sniff = sniff_wizard, .schema = "counts", .parse_tab = tab_wizard},
    {.name = "hidex", .sniff = sniff_hidex, .schema = "counts", .delim = ';', .parse_tab = tab_hidex},
};

#define NFORMATS (sizeof formats / sizeof *formats)

/* the plate or counter format of decoded text by its signature lines (in
 * the first 80), or NULL */
static const char *detect(const char *text)
{
    const char *p = text;
    int state[NFORMATS] = {0};
    for (int line = 0; *p && line < 80; line++) {
        const char *e = strchr(p, '\n');
        char *l = zn_strndup(p, e ? (size_t)(e - p) : strlen(p));
        const char *r = NULL;
        for (size_t i = 0; i < NFORMATS && !r; i++)
            if (formats[i].sniff && formats[i].sniff(l, line, &state[i])) r = formats[i].name;
        free(l);
        if (r || !e) return r;
        p = e + 1;
    }
    return NULL;
}

static const struct format *format_named(const char *name)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

static int in_list(const char *s, const char **l)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(s, l[i]) == 0) return 1;
    return 0;
}

static void add_map(const char *arg)
{
    char *copy = zn_strdup(arg), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t || !eq[1]) zn_usage_error("--map: \"%s\" is not KEY=COLUMN", t);
        *eq = 0;
        static const char *keys[] = {"cell", "t", "frame", "sample", "condition", "role", "F", NULL};
        if (!in_list(t, keys) && strncmp(t, "F_", 2) != 0)
            zn_usage_error("--map: unknown key '%s' (cell, t, frame, sample, condition, role, F, F_NAME)", t);
        if (A.nmap == 16) zn_usage_error("--map: too many columns");
        A.map_key[A.nmap] = zn_strdup(t);
        A.map_col[A.nmap++] = zn_strdup(eq + 1);
    }
    free(copy);
}

int main(int argc, char **argv)
{
    zn_opt_init(&A.o, argc, argv);
    A.time_scale = 1;
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"format", required_argument, 0, 'f'},
                                          {"map", required_argument, 0, OPT_MAP},
                                          {"interval", required_argument, 0, OPT_INTERVAL},
                                          {"time-unit", required_argument, 0, OPT_TIME_UNIT},
                                          {"sample", required_argument, 0, OPT_SAMPLE},
                                          {"condition", required_argument, 0, OPT_CONDITION},
                                          {"bg", required_argument, 0, OPT_BG},
                                          {"channel", required_argument, 0, OPT_CHANNEL},
                                          {"window", required_argument, 0, OPT_WINDOW},
                                          {"meta", required_argument, 0, OPT_META},
                                          {"layout", required_argument, 0, OPT_LAYOUT},
                                          {"decimal-comma", no_argument, 0, OPT_DECIMAL_COMMA},
                                          {"date-order", required_argument, 0, OPT_DATE_ORDER},
                                          {0, 0, 0, 0}};
    int c;
    char *pending_channel = NULL;
    size_t capin = 0;
    char err[600];
    /* '-' first: file names come in order, so --channel names the next file */
    while ((c = getopt_long(argc, argv, "-" ZN_OPT_SHORT "f:", lopts, NULL)) != -1) {
        if (zn_opt_common(&A.o, c, optarg, usage)) continue;
        switch (c) {
        case 1:
            zn_grow(&A.in, &capin, A.nin + 1, sizeof *A.in);
            A.in[A.nin].path = optarg;
            A.in[A.nin++].channel = pending_channel;
            pending_channel = NULL;
            break;
        case 'f':
            if (!format_named(optarg)) {
                zn_buf l = {0};
                for (size_t k = 0; k < NFORMATS; k++)
                    zn_buf_addf(&l, "%s%s", k ? ", " : "", formats[k].name);
                zn_usage_error("-f: unknown format '%s' (%s)", optarg, l.s);
            }
            A.format = optarg;
            break;
        case OPT_MAP: add_map(optarg); break;
        case OPT_INTERVAL: {
            int k = zn_parse_double(optarg, strlen(optarg), &A.interval);
            if (k == ZN_NUM_RANGE)
                zn_usage_error("--interval: \"%s\" is out of range (a double holds magnitudes from about 2.2e-308 to "
                               "1.8e308)",
                               optarg);
            if (k != ZN_NUM_OK || !(A.interval > 0))
                zn_usage_error("--interval: \"%s\" is not a positive number of seconds", optarg);
            A.has_interval = 1;
            break;
        }
        case OPT_TIME_UNIT:
            A.has_time_unit = 1;
            if (strcmp(optarg, "s") == 0) A.time_scale = 1;
            else if (strcmp(optarg, "ms") == 0) A.time_scale = 0.001;
            else if (strcmp(optarg, "min") == 0) A.time_scale = 60;
            else if (strcmp(optarg, "h") == 0) A.time_scale = 3600;
            else zn_usage_error("--time-unit: \"%s\" is not s, ms, min or h", optarg);
            break;
        case OPT_SAMPLE: A.sample = optarg; break;
        case OPT_CONDITION: A.condition = optarg; break;
        case OPT_BG: {
            char *copy = zn_strdup(optarg), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                A.bg = zn_realloc(A.bg, (A.nbg + 1) * sizeof *A.bg);
                A.bg[A.nbg++] = zn_strdup(t);
            }
            free(copy);
            break;
        }
        case OPT_CHANNEL:
            if (!*optarg || strpbrk(optarg, "\t\n ,")) zn_usage_error("--channel: \"%s\" is not a channel name", optarg);
            pending_channel = optarg;
            break;
        case OPT_WINDOW: {
            zn_window wd;
            if (zn_window_parse(optarg, &wd, err, sizeof err) < 0) zn_usage_error("--window: %s", err);
            zn_meta_addf(&A.extra, "window=%s:%.17g:%.17g", wd.name, wd.start, wd.end);
            char b1[40], b2[40];
            zn_fmt_double(b1, wd.start);
            zn_fmt_double(b2, wd.end);
            free(A.extra.v[--A.extra.n]);
            zn_meta_addf(&A.extra, "window=%s:%s:%s", wd.name, b1, b2);
            free(wd.name);
            break;
        }
        case OPT_META: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || strchr(optarg, '\t') || strchr(optarg, '\n'))
                zn_usage_error("--meta: \"%s\" is not KEY=VALUE", optarg);
            if (strncmp(optarg, "znr=", 4) == 0 || strncmp(optarg, "schema=", 7) == 0 || strncmp(optarg, "pg=", 3) == 0)
                zn_usage_error("--meta: %.*s is set by zn-ingest itself", (int)(eq - optarg), optarg);
            zn_meta_add(&A.extra, optarg);
            break;
        }
        case OPT_LAYOUT: A.layout = optarg; break;
        case OPT_DECIMAL_COMMA: A.decimal_comma = 1; break;
        case OPT_DATE_ORDER:
            if (strcmp(optarg, "dmy") == 0) A.date_order = 1;
            else if (strcmp(optarg, "mdy") == 0) A.date_order = 2;
            else zn_usage_error("--date-order: \"%s\" is not dmy (day/month/year) or mdy (month/day/year)", optarg);
            break;
        default: zn_usage_error("unknown option");
        }
    }
    if (pending_channel) zn_usage_error("--channel %s: no file follows it", pending_channel);
    if (A.nin == 0) {
        if (isatty(0)) zn_opt_check_stdin(0, usage);
        zn_grow(&A.in, &capin, 1, sizeof *A.in);
        A.in[A.nin].path = "-";
        A.in[A.nin++].channel = NULL;
    }
    int nchan = 0;
    for (size_t i = 0; i < A.nin; i++) nchan += A.in[i].channel != NULL;
    if (nchan && nchan != (int)A.nin) zn_usage_error("with --channel, name the channel of every input file");
    if (A.nin > 1 && !nchan)
        zn_usage_error("several input files: name each one's channel (--channel NAME FILE ...), or run "
                       "zn-ingest once per file and concatenate the outputs");
    for (size_t i = 0; i < A.nin; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(A.in[i].channel, A.in[j].channel) == 0)
                zn_usage_error("--channel %s is given twice", A.in[i].channel);

    char *defsample = A.sample ? zn_strdup(A.sample) : strcmp(A.in[0].path, "-") ? base_name(A.in[0].path) : zn_strdup("stdin");
    if (*defsample == '#')
        zn_usage_error(A.sample ? "--sample \"%s\" begins with '#', which would make its records read as header lines: "
                                  "choose another name%s"
                                : "the sample name \"%s\" (from the file name %s) begins with '#', which would make "
                                  "its records read as header lines: give --sample NAME",
                       defsample, A.sample ? "" : A.in[0].path);

    img_t *ims = zn_calloc(A.nin, sizeof *ims);
    zn_wr *w = NULL;
    int imaging = 0;
    for (size_t i = 0; i < A.nin; i++) {
        cur_file = strcmp(A.in[i].path, "-") ? A.in[i].path : "(standard input)";
        size_t n;
        char *text = read_text(A.in[i].path, &n);
        const char *fmt = A.format ? A.format : detect(text);
        char delim;
        if (!fmt) {
            delim = zn_csv_sniff(text, n);
            fmt = detect_imaging(text, delim);
        }
        const struct format *F = format_named(fmt);
        if (F->parse_img) {
            imaging = 1;
            if (A.layout) zn_usage_error("--layout is for plate and counter data, not imaging tables");
            if (A.date_order) zn_usage_error("--date-order is for counter data, not imaging tables");
            delim = zn_csv_sniff(text, n);
            img_t *im = &ims[i];
            im->format = F->name;
            F->parse_img(im, text, n, delim, img_sample(im, defsample));
            if (!im->nobs) zn_die(ZN_EXIT_DATA, "%s: no data rows", cur_file);
            free(text);
            continue;
        }
        if (A.nin > 1) zn_usage_error("several inputs (--channel) are for imaging tables only");
        if (A.has_interval || nchan || A.nmap || A.nbg)
            zn_usage_error("--interval, --channel, --map and --bg are for imaging tables");
        otab_t t = {0};
        zn_table tb;
        delim = F->delim ? F->delim : zn_csv_sniff(text, n);
        if (zn_table_load(&tb, text, n, delim, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", cur_file, err);
        free(text);
        F->parse_tab(&tb, defsample, &t);
        zn_table_free(&tb);
        if (A.layout) join_layout(&t, A.layout);
        w = zn_opt_open_out(&A.o);
        emit_table(&t, F->schema, F->name, w);
        ot_free(&t);
    }
    if (imaging) {
        check_bg(ims);
        w = zn_opt_open_out(&A.o);
        emit_trace(ims, A.nin, w);
    }
    zn_opt_close_out(w);
    for (size_t i = 0; i < A.nin; i++) img_free(&ims[i]);
    free(ims);
    free(defsample);
    free(A.in);
    for (size_t i = 0; i < A.nbg; i++) free(A.bg[i]);
    free(A.bg);
    for (int i = 0; i < A.nmap; i++) {
        free(A.map_key[i]);
        free(A.map_col[i]);
    }
    zn_meta_clear(&A.extra);
    free(A.extra.v);
    zn_opt_free(&A.o);
    return 0;
}
