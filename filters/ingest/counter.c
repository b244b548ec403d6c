/* counter.c - radioactivity counters -> counts records (ingest.h):
 * Tri-Carb, Wizard2, Hidex 300 SL; the dates they write. */
#define _GNU_SOURCE
#include "ingest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ counter columns, Tri-Carb */

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

void parse_tricarb(const zn_table *tb, const char *plate, otab_t *t)
{
    (void)plate;
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

/* Wizard2 names the columns of each nuclide "NUCLIDE CPM", "NUCLIDE Counts",
 * "NUCLIDE Error %", "NUCLIDE Info": the length of the nuclide's name in a
 * header field, 0 when the field is not one of these */
static const struct {
    const char *suffix, *col;
} wizard_nuc[] = {{" CPM", "cpm"}, {" Counts", "counts"}, {" Error %", "cpm_error_pct"}, {" Info", "flag"}};

static size_t wizard_nuclide(const char *hn, const char **col)
{
    size_t n = strlen(hn);
    for (size_t i = 0; i < sizeof wizard_nuc / sizeof *wizard_nuc; i++) {
        size_t k = strlen(wizard_nuc[i].suffix);
        if (n > k && strcmp(hn + n - k, wizard_nuc[i].suffix) == 0) {
            if (col) *col = wizard_nuc[i].col;
            return n - k;
        }
    }
    return 0;
}

/* the column of a Wizard2 header field; with --nuclide, the columns of the
 * other nuclides are not kept */
static char *wizard_col(const char *hn)
{
    const char *col;
    size_t k = wizard_nuclide(hn, &col);
    if (k) {
        if (A.nuclide && (strlen(A.nuclide) != k || strncmp(hn, A.nuclide, k) != 0)) return NULL;
        return zn_strdup(col);
    }
    static const char *named[][2] = {{"Time", "count_time_min"},        {"Measurement date & time", "count_date"},
                                     {"Sample code", "sample_code"},    {"Rack", "rack"},
                                     {"Det", "detector"},               {"Protocol name", "protocol"},
                                     {"Run ID", "run"}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcmp(hn, named[i][0]) == 0) return zn_strdup(named[i][1]);
    return NULL;
}

/* A Wizard2 file counts one nuclide or several (dual-label: 65Zn and 109Cd).
 * A counts record holds one cpm, so with several the user picks one with
 * --nuclide (a run for each keeps all); --nuclide must name one the file
 * has.  The choice is written as ##nuclide=. */
static void wizard_nuclides(const zn_row *hr)
{
    char **name = NULL;
    const char **first = NULL;
    size_t n = 0, cap = 0, capf = 0;
    for (size_t i = 0; i < hr->n; i++) {
        const char *hn = trim(hr->f[i]);
        size_t k = wizard_nuclide(hn, NULL), j = 0;
        if (!k) continue;
        while (j < n && !(strlen(name[j]) == k && strncmp(name[j], hn, k) == 0)) j++;
        if (j < n) {
            if (strcmp(hn + k, " CPM") == 0 && strcmp(first[j] + k, " CPM") != 0) first[j] = hn;
            continue;
        }
        zn_grow(&name, &cap, n + 1, sizeof *name);
        zn_grow(&first, &capf, n + 1, sizeof *first);
        name[n] = zn_strndup(hn, k);
        first[n++] = hn; /* its CPM column when it has one (below), else its first */
    }
    zn_buf l = {0};
    for (size_t j = 0; j < n; j++) zn_buf_addf(&l, "%s%s", j ? ", " : "", name[j]);
    char msg[1024] = "";
    int usage = 0;
    if (A.nuclide) {
        size_t j = 0;
        while (j < n && strcmp(name[j], A.nuclide) != 0) j++;
        if (j == n) {
            usage = 1;
            snprintf(msg, sizeof msg, "--nuclide %s: %s has no columns of that nuclide (%s%s)", A.nuclide, cur_file,
                     n ? "its nuclides: " : "no NUCLIDE CPM columns at all", l.s ? l.s : "");
        }
    } else if (n == 2)
        snprintf(msg, sizeof msg, "%s:%ld: columns '%s' and '%s' count two nuclides, and a counts record holds one "
                 "cpm: choose one with --nuclide %s or --nuclide %s (a run for each keeps both)",
                 cur_file, hr->line, first[0], first[1], name[0], name[1]);
    else if (n > 2)
        snprintf(msg, sizeof msg, "%s:%ld: columns '%s', '%s', ... count %zu nuclides (%s), and a counts record "
                 "holds one cpm: choose one with --nuclide NAME (a run for each keeps them all)",
                 cur_file, hr->line, first[0], first[1], n, l.s);
    for (size_t j = 0; j < n; j++) free(name[j]);
    free(name);
    free(first);
    free(l.s);
    if (*msg && usage) zn_usage_error("%s", msg);
    if (*msg) zn_die(ZN_EXIT_DATA, "%s", msg);
}

void parse_wizard(const zn_table *tb, const char *plate, otab_t *t)
{
    (void)plate;
    if (!tb->n) zn_die(ZN_EXIT_DATA, "%s: empty input", cur_file);
    const zn_row *hr = &tb->rows[0];
    int racks = 0;
    int crack = -1, cpos = -1;
    for (size_t i = 0; i < hr->n; i++) {
        if (strcmp(trim(hr->f[i]), "Rack") == 0) crack = (int)i;
        if (strcmp(trim(hr->f[i]), "Pos") == 0) cpos = (int)i;
    }
    if (cpos < 0) zn_die(ZN_EXIT_DATA, "%s: no Pos column", cur_file);
    wizard_nuclides(hr);
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

void parse_hidex(const zn_table *tb, const char *plate, otab_t *t)
{
    (void)plate;
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

/* ------------------------------------------------------------ signature lines */
int sniff_tricarb(const char *l, int line, int *state)
{
    (void)state;
    return starts(l, "S#,") || (line == 0 && starts(l, "Assay Definition"));
}

int sniff_wizard(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && strstr(l, "Protocol ID") && strstr(l, "CPM");
}

int sniff_hidex(const char *l, int line, int *state)
{ /* a "Sample start" line and a "WName;" line, in any order */
    (void)line;
    if (starts(l, "Sample start")) *state |= 1;
    if (starts(l, "WName;")) *state |= 2;
    return *state == 3;
}

