/* zn-ingest - what instruments export -> ZNR records in canonical order.
 *
 * Imaging tables (Fiji/ImageJ, CellProfiler, generic wide or long CSV/TSV)
 * become trace records; plate readers (Gen5, SoftMax Pro, BMG MARS, Tecan
 * Spark) become plate records; counters (Tri-Carb, Wizard2, Hidex 300 SL)
 * become counts records, optionally joined with a layout file.  One input
 * table is held in memory; the output streams.  This file: options,
 * formats[] and main; the parsers are in ingest/ (ingest.h says where).
 */
#define _GNU_SOURCE
#include "ingest/ingest.h"

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
    "  -f, --format NAME     input format (default: detected from the file; the\n"
    "                        formats are listed below)\n"
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
    "                        day above 12\n"
    "      --nuclide NAME    the nuclide to keep of a Wizard2 file that counts\n"
    "                        several ('Cd-109' keeps Cd-109 CPM, Counts, Error %,\n"
    "                        Info); written as ##nuclide=NAME\n";

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
    OPT_DATE_ORDER,
    OPT_NUCLIDE
};

args_t A;

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

/* One row per input format: the one list of them.  --help, -f and its
 * message, detection and the dispatch come from here; the man page's list
 * is checked against --help (tests/ingest.bats).
 * Imaging formats parse the text into trace records and are told apart by
 * their header line (detect_hdr: how sure; the highest wins).  Plates and
 * counters are found by signature lines (sniff), load a table (delimiter
 * fixed, or 0: sniffed) and parse it into plate or counts records. */
static const struct format formats[] = {
    {"imagej", "trace", "Fiji/ImageJ Multi Measure (wide) or Measure (long)", .detect_hdr = hdr_imagej,
     .parse_img = img_imagej},
    {"cellprofiler", "trace", "CellProfiler per-object table (ImageNumber, ObjectNumber)",
     .detect_hdr = hdr_cellprofiler, .parse_img = img_cellprofiler},
    {"wide", "trace", "A time column and one column per cell", .detect_hdr = hdr_wide, .parse_img = img_wide},
    {"long", "trace", "One row per cell and frame, columns named by --map", .detect_hdr = hdr_long,
     .parse_img = img_long},
    {"gen5", "plate", "BioTek/Agilent Gen5 tab-delimited export", .sniff = sniff_gen5, .delim = '\t',
     .parse_tab = parse_gen5},
    {"softmax", "plate", "Molecular Devices SoftMax Pro text export", .sniff = sniff_softmax, .delim = '\t',
     .parse_tab = parse_softmax},
    {"bmg", "plate", "BMG MARS CSV (CLARIOstar, PHERAstar)", .sniff = sniff_bmg, .delim = ',',
     .parse_tab = parse_bmg},
    {"tecan", "plate", "Tecan SparkControl or i-control CSV", .sniff = sniff_tecan, .delim = ',',
     .parse_tab = parse_tecan},
    {"tricarb", "counts", "PerkinElmer Tri-Carb comma-delimited report", .sniff = sniff_tricarb, .delim = ',',
     .parse_tab = parse_tricarb},
    {"wizard", "counts", "PerkinElmer Wizard2 gamma counter CSV", .sniff = sniff_wizard, .parse_tab = parse_wizard},
    {"hidex", "counts", "Hidex 300 SL semicolon records", .sniff = sniff_hidex, .delim = ';',
     .parse_tab = parse_hidex},
};

#define NFORMATS (sizeof formats / sizeof *formats)

/* the groups of --help: the record type each kind of instrument gives */
static const struct {
    const char *schema, *title;
} kinds[] = {{"trace", "imaging tables"}, {"plate", "plate readers"}, {"counts", "counters"}};

/* the usage text: the options, then the formats from formats[] */
static char *usage_text(void)
{
    zn_buf b = {0};
    zn_buf_adds(&b, usage);
    zn_buf_adds(&b, "\nFormats (-f NAME), by the records they give:\n");
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        zn_buf_addf(&b, "  %s -> %s records\n", kinds[k].title, kinds[k].schema);
        for (size_t i = 0; i < NFORMATS; i++)
            if (strcmp(formats[i].schema, kinds[k].schema) == 0)
                zn_buf_addf(&b, "    %-13s %s\n", formats[i].name, formats[i].what);
    }
    return b.s;
}

/* the plate or counter format of decoded text by its signature lines (in
 * the first 80), or NULL */
static const struct format *detect(const char *text)
{
    const char *p = text;
    int state[NFORMATS] = {0};
    for (int line = 0; *p && line < 80; line++) {
        const char *e = strchr(p, '\n');
        char *l = zn_strndup(p, e ? (size_t)(e - p) : strlen(p));
        const struct format *r = NULL;
        for (size_t i = 0; i < NFORMATS && !r; i++)
            if (formats[i].sniff && formats[i].sniff(l, line, &state[i])) r = &formats[i];
        free(l);
        if (r || !e) return r;
        p = e + 1;
    }
    return NULL;
}

/* (ingest.h) */
const struct format *detect_imaging(const char *text, char delim)
{
    img_hdr_t h;
    img_hdr(text, delim, &h);
    const struct format *best = NULL;
    int rank = 0;
    for (size_t i = 0; i < NFORMATS; i++) {
        int k = formats[i].detect_hdr ? formats[i].detect_hdr(&h) : 0;
        if (k > rank) rank = k, best = &formats[i];
    }
    if (!best) zn_die(ZN_EXIT_DATA, "internal error: no imaging format takes any table");
    return best;
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
    char *usage = usage_text();
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
                                          {"nuclide", required_argument, 0, OPT_NUCLIDE},
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
        case OPT_NUCLIDE:
            if (!*optarg || strpbrk(optarg, "\t\n")) zn_usage_error("--nuclide: \"%s\" is not a nuclide name", optarg);
            A.nuclide = optarg;
            break;
        default: zn_usage_error("unknown option");
        }
    }
    if (pending_channel) zn_usage_error("--channel %s: no file follows it", pending_channel);
    if (A.nuclide && zn_meta_get(&A.extra, "nuclide"))
        zn_usage_error("--nuclide and --meta nuclide=: give the nuclide once (--nuclide)");
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

    img_t *ims = img_new(A.nin);
    zn_wr *w = NULL;
    int imaging = 0;
    for (size_t i = 0; i < A.nin; i++) {
        cur_file = strcmp(A.in[i].path, "-") ? A.in[i].path : "(standard input)";
        size_t n;
        char *text = read_text(A.in[i].path, &n);
        const struct format *F = A.format ? format_named(A.format) : detect(text);
        if (!F) F = detect_imaging(text, zn_csv_sniff(text, n));
        if (F->parse_img) {
            imaging = 1;
            if (A.layout) zn_usage_error("--layout is for plate and counter data, not imaging tables");
            if (A.date_order) zn_usage_error("--date-order is for counter data, not imaging tables");
            if (A.nuclide) zn_usage_error("--nuclide is for Wizard2 counter exports, not imaging tables");
            img_read(ims, i, F, text, n, defsample);
            free(text);
            continue;
        }
        if (A.nin > 1) zn_usage_error("several inputs (--channel) are for imaging tables only");
        if (A.has_interval || nchan || A.nmap || A.nbg)
            zn_usage_error("--interval, --channel, --map and --bg are for imaging tables");
        if (A.nuclide && F->parse_tab != parse_wizard)
            zn_usage_error("--nuclide is for Wizard2 counter exports (the nuclides' columns of one file), not %s",
                           F->name);
        otab_t t = {0};
        zn_table tb;
        char delim = F->delim ? F->delim : zn_csv_sniff(text, n);
        if (zn_table_load(&tb, text, n, delim, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", cur_file, err);
        free(text);
        F->parse_tab(&tb, defsample, &t);
        zn_table_free(&tb);
        if (A.layout) join_layout(&t, A.layout);
        if (A.nuclide) zn_meta_addf(&A.extra, "nuclide=%s", A.nuclide);
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
    img_free_all(ims, A.nin);
    free(usage);
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
