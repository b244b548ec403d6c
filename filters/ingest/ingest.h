/* ingest.h - the parts of zn-ingest, one file each:
 *
 *   zn-ingest.c       options, formats[] (the one list of input formats:
 *                     name, schema, detector, parser, description; --help,
 *                     -f, detection and dispatch come from it), main
 *   ingest/common.c   what every family uses: instrument values and tokens,
 *                     errors that name file, line and column, reading the
 *                     input as text, the record table (otab) of plates and
 *                     counters and its output, the output header
 *   ingest/imaging.c  imaging tables -> trace records: Fiji/ImageJ wide and
 *                     long, CellProfiler, generic wide and long; channels;
 *                     the header detectors of the imaging formats
 *   ingest/plate.c    plate readers -> plate records: Gen5, BMG (grids),
 *                     SoftMax Pro, Tecan; their signature lines
 *   ingest/counter.c  counters -> counts records: Tri-Carb, Wizard2, Hidex;
 *                     counter dates; their signature lines
 *   ingest/layout.c   the plate or counter layout joined onto records
 *
 * One run holds one args_t (the options) and one input table at a time;
 * the parsers die (zn_die) on bad data with the file, line and column.
 *
 * A new format: its parser and detector in the family's file, declared
 * here; a row in formats[]; an entry in man/zn-ingest.1 beginning with the
 * row's description (tests/ingest.bats holds --help and the man page
 * together); a fixture and its expected records. */
#ifndef ZN_INGEST_H
#define ZN_INGEST_H

#include "zn.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------ options (zn-ingest.c) */
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
    int date_order;      /* date_order_t: --date-order */
    const char *nuclide; /* --nuclide: the Wizard2 nuclide to keep */
} args_t;

extern args_t A; /* the options of this run */

/* ------------------------------------------------------------ common.c */
extern const char *cur_file; /* the input being read, for messages */

/* An instrument value: 0 number, 1 empty, 2 token (flag = the token), -1 not
 * a number, -2 a number out of the range of a double (1e400, 1e-400) */
int inst_value(const char *s, double *x);
_Noreturn void range_value(long line, const char *col, const char *v);
_Noreturn void bad_value(long line, const char *col, const char *v);
void check_ragged(const char *file, long line, size_t nf, size_t ncols);
char *trim(char *s);
void put_field(zn_wr *w, const char *s);
void write_head(zn_wr *w, const char *schema, const char *format, char **cols, size_t ncols, int trace);
char *read_text(const char *path, size_t *n);
void well_or_die(const char *s, char out[8], long line);
char *col_name(const char *h);

static inline int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

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

size_t ot_col(otab_t *t, const char *name);
size_t ot_row(otab_t *t);
void ot_set(otab_t *t, size_t r, const char *col, const char *v);
const char *ot_at(const otab_t *t, size_t r, size_t c);
const char *ot_get(const otab_t *t, size_t r, const char *col);
void ot_value(otab_t *t, size_t r, const char *col, const char *v, long line, double scale);
void ot_free(otab_t *t);
void emit_table(otab_t *t, const char *schema, const char *format, zn_wr *w);

/* ------------------------------------------------------------ imaging.c */
typedef struct img img_t; /* one imaging input: ROIs, measures, observations */

/* what the header line of an imaging table holds (the detectors' input) */
typedef struct {
    int ok;                     /* the header line parsed */
    size_t n;                   /* its fields */
    int image, object;          /* CellProfiler ImageNumber, ObjectNumber */
    int label, mean;            /* Fiji Measure: Label, Mean */
    int fiji_wide, empty_first; /* Fiji Multi Measure: Mean1, Mean(name); a first field without a name */
} img_hdr_t;

void img_hdr(const char *text, char delim, img_hdr_t *h);
int hdr_imagej(const img_hdr_t *h);
int hdr_cellprofiler(const img_hdr_t *h);
int hdr_wide(const img_hdr_t *h);
int hdr_long(const img_hdr_t *h);

void img_imagej(img_t *im, char *text, size_t n, char delim, size_t sample);
void img_cellprofiler(img_t *im, char *text, size_t n, char delim, size_t sample);
void img_wide(img_t *im, char *text, size_t n, char delim, size_t sample);
void img_long(img_t *im, char *text, size_t n, char delim, size_t sample);

struct format;
img_t *img_new(size_t n);                                   /* n inputs (channels) */
void img_read(img_t *ims, size_t i, const struct format *F, char *text, size_t n, const char *sample);
void check_bg(const img_t *ims);                            /* --bg names ROIs of input 0 */
void emit_trace(img_t *ims, size_t nim, zn_wr *w);          /* all inputs, joined by cell and frame */
void img_free_all(img_t *ims, size_t n);

/* ------------------------------------------------------------ plate.c, counter.c: signature lines and parsers */
/* sniff: does line `line` (0-based) of a file say it is this format?
 * state: the format's own memory across lines, 0 at the start.
 * parse: a loaded table -> records of the plate named `plate` (counters
 * ignore it). */
int sniff_gen5(const char *l, int line, int *state);
int sniff_softmax(const char *l, int line, int *state);
int sniff_bmg(const char *l, int line, int *state);
int sniff_tecan(const char *l, int line, int *state);
int sniff_tricarb(const char *l, int line, int *state);
int sniff_wizard(const char *l, int line, int *state);
int sniff_hidex(const char *l, int line, int *state);

void parse_gen5(const zn_table *tb, const char *plate, otab_t *t);
void parse_bmg(const zn_table *tb, const char *plate, otab_t *t);
void parse_softmax(const zn_table *tb, const char *plate, otab_t *t);
void parse_tecan(const zn_table *tb, const char *plate, otab_t *t);
void parse_tricarb(const zn_table *tb, const char *plate, otab_t *t);
void parse_wizard(const zn_table *tb, const char *plate, otab_t *t);
void parse_hidex(const zn_table *tb, const char *plate, otab_t *t);

/* ------------------------------------------------------------ layout.c */
void join_layout(otab_t *t, const char *path);

/* ------------------------------------------------------------ the formats (zn-ingest.c) */
struct format {
    const char *name;
    const char *schema; /* trace, plate or counts: also the group in --help */
    const char *what;   /* one line for --help and the man page */
    /* imaging tables: how sure the header makes this format (0 not, higher
     * wins, ties go to the earlier row) */
    int (*detect_hdr)(const img_hdr_t *h);
    void (*parse_img)(img_t *im, char *text, size_t n, char delim, size_t sample);
    /* plates and counters: signature lines, delimiter (0: sniffed), parser */
    int (*sniff)(const char *line, int lineno, int *state);
    char delim;
    void (*parse_tab)(const zn_table *tb, const char *plate, otab_t *t);
};

/* the imaging format a table's header says it is */
const struct format *detect_imaging(const char *text, char delim);

#endif
