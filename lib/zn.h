/* zn.h - libzn, the library under every znflow filter.
 *
 * One header, several modules, one prefix each:
 *   zn_err    error reporting and exit codes (this file, zn_err.c)
 *   zn_num    strict number parsing, shortest round-trip printing (zn_num.c)
 *   zn_rd     raw input: plain or gzip (multi-member, BGZF EOF check) (zn_io.c)
 *   zn_wr     raw output: BGZF-shaped gzip or plain, temp file and rename (zn_io.c)
 *   zn_in     ZNR stream reader: meta, header, records, segments (znr.c)
 *   zn_out    ZNR stream writer helpers: meta, provenance, header (znr.c)
 *   zn_opt    the options every filter shares (zn_opt.c)
 *   zn_schema record types compiled in from schemas/ (zn_schema.c)
 *   zn_csv    instrument tables via libcsv, encodings, delimiters (zn_csv.c)
 *   zn_well   plate well names (zn_csv.c)
 *   zn_stat   statistics over arrays with missing values, tests, p adjustment (zn_stat.c)
 *   zn_axis   plot scales: round ranges and ticks for any input (zn_axis.c)
 *   zn_svg    SVG primitives: frame and axes, markers, lines, figures (zn_svg.c)
 *
 * Ownership, in one sentence: every object is created by its module's
 * open, new or init function, owns all memory it points to, and is released
 * by the matching close or free; pointers returned into an object (a line, a
 * field, a meta value) stay valid until the next call that advances it.
 *
 * Library functions return a status and leave a message in the object; the
 * programs decide to exit (zn_die).  Exit codes: 0 ok, 1 bad data or I/O,
 * 2 bad usage.
 */
#ifndef ZN_H
#define ZN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ZN_VERSION "0.1.0"

enum { ZN_EXIT_OK = 0, ZN_EXIT_DATA = 1, ZN_EXIT_USAGE = 2 };

/* ---------------------------------------------------------------- zn_err */
extern const char *zn_prog; /* program name used in every message */
void zn_set_prog(const char *argv0);
/* "prog: message\n" on stderr, then exit(code). */
_Noreturn void zn_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: message\nTry 'prog --help' for more information.\n", exit 2. */
_Noreturn void zn_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int zn_quiet; /* -q: zn_warn prints nothing */
/* Files removed if the program exits before zn_cleanup_forget (temp outputs). */
void zn_cleanup_add(const char *path);
void zn_cleanup_forget(const char *path);
void *zn_malloc(size_t n);
void *zn_calloc(size_t n, size_t m);
void *zn_realloc(void *p, size_t n);
char *zn_strdup(const char *s);
char *zn_strndup(const char *s, size_t n);
char *zn_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* grow *p (element size sz) so that it holds at least need elements */
void zn_grow(void *pp, size_t *cap, size_t need, size_t sz);

/* A growable string (kstring-like).  Owned by whoever holds the struct. */
typedef struct {
    char *s;
    size_t n, cap;
} zn_buf;
void zn_buf_add(zn_buf *b, const char *s, size_t n);
void zn_buf_adds(zn_buf *b, const char *s);
void zn_buf_addc(zn_buf *b, char c);
void zn_buf_addf(zn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zn_buf_free(zn_buf *b);

/* ---------------------------------------------------------------- zn_num */
enum { ZN_NUM_OK = 0, ZN_NUM_EMPTY = 1, ZN_NUM_BAD = -1, ZN_NUM_RANGE = -2 };
/* Parse the whole of s[0..n) as a finite decimal number ("1", "-2.5",
 * "1e-3", ".5"), whatever the locale.  Empty -> ZN_NUM_EMPTY (missing);
 * anything else left over, nan or inf -> ZN_NUM_BAD; overflow or underflow
 * to zero -> ZN_NUM_RANGE. */
int zn_parse_double(const char *s, size_t n, double *out);
/* Whole field as a decimal integer. */
int zn_parse_long(const char *s, size_t n, long *out);
/* A computed number as text, R's convention: at most 15 significant digits,
 * the bytes of printf's %.15g (trailing zeros dropped: 92.039, not
 * 92.03899999999999), integers below 2^53 whole, subnormals as short as
 * reads back to the %.15g value.  Writes at most 32 bytes plus NUL into buf,
 * returns the length.  Values read from input should be passed through as
 * their bytes, not re-formatted.
 * Non-finite values (policy): the format has no nan or inf, so a nan or an
 * infinity is written as a missing value: buf = "", length 0.  A filter whose
 * arithmetic can overflow (a ratio of 1e300 and 1e-300) must test isfinite
 * itself and flag the record (e.g. `overflow` in flag); the formatter only
 * guarantees that `inf` is never written. */
size_t zn_fmt_double(char *buf, double x);
/* The same bytes by the slow, obvious route (snprintf %.15g and strtod):
 * the reference the unit tests hold zn_fmt_double to. */
size_t zn_fmt_double_ref(char *buf, double x);
/* A measured value (read from an instrument file, stored as a double) as
 * it came: zn_fmt_double's 15 digits when they read back to exactly x (all
 * values written with up to 15 digits), else 16 or 17 digits, the fewest
 * that read back to x (CellProfiler writes 17).  Same buffer rules. */
size_t zn_fmt_double_rt(char *buf, double x);
/* Why a field is not a number, as a hint for the user ("decimal comma? ..."),
 * or "" when there is nothing useful to add. */
const char *zn_num_hint(const char *s, size_t n);

/* ---------------------------------------------------------------- zn_rd */
typedef struct zn_rd zn_rd;
/* path NULL or "-" is standard input.  NULL on failure, message in err. */
zn_rd *zn_rd_open(const char *path, char *err, size_t errlen);
/* Next line without its newline (a trailing \r is also removed), NUL
 * terminated, writable.  1 = line, 0 = end of input, -1 = error
 * (zn_rd_error).  Valid until the next call. */
int zn_rd_getline(zn_rd *r, char **line, size_t *len);
/* Whole rest of the input (decompressed) into *out (owned by caller). */
int zn_rd_slurp(zn_rd *r, char **out, size_t *len);
const char *zn_rd_error(const zn_rd *r);
const char *zn_rd_name(const zn_rd *r);
long zn_rd_lineno(const zn_rd *r);
int zn_rd_is_gzip(const zn_rd *r);
/* May a new segment begin at the line last returned?  0 when it begins
 * exactly where a BGZF member ended that was not an end-of-file marker (and
 * not a full 0xff00 block, as bgzip cuts one text anywhere): a file cut
 * short between members, then another file.  1 otherwise: after a marker,
 * after plain gzip (it cannot be told), or inside a member (text compressed
 * as one piece, e.g. bgzip of concatenated files). */
int zn_rd_segment_closed(zn_rd *r);
int zn_rd_is_bgzf(const zn_rd *r);
void zn_rd_close(zn_rd *r);

/* ---------------------------------------------------------------- zn_wr */
typedef struct zn_wr zn_wr;
/* path NULL or "-" = standard output.  level 0-9; plain = 1 writes text.
 * A named file is written as PATH.tmp.XXXXXX and renamed by zn_wr_close.
 * Compressed output is BGZF-shaped: members of at most 0xff00 input bytes,
 * ending on a line where a line fits, then the 28-byte empty EOF member;
 * compression runs in a second thread. */
zn_wr *zn_wr_open(const char *path, int level, int plain, char *err, size_t errlen);
/* The writing calls below end the program (exit 1, "write error on NAME:
 * ...") at the first failed write (a full disk, a closed pipe), so a
 * program does not read the rest of its input for nothing; the temporary
 * file is removed by the exit.  zn_wr_close returns the error instead. */
void zn_wr_put(zn_wr *w, const char *s, size_t n);
void zn_wr_puts(zn_wr *w, const char *s);
/* Text of many lines (each '\n' is a zn_wr_eol): a report, a page. */
void zn_wr_text(zn_wr *w, const char *s, size_t n);
void zn_wr_putc(zn_wr *w, char c);
void zn_wr_double(zn_wr *w, double x); /* shortest round trip */
void zn_wr_long(zn_wr *w, long x);
/* A new segment (##znr=1) begins here: in BGZF, the block so far is
 * flushed and an end-of-file member written, so the reader can tell a closed
 * segment from a file cut short.  Nothing for text or at the very start.
 * zn_out_head calls it. */
void zn_wr_segment(zn_wr *w);
/* Records follow (first_col: the header's first column; NULL: other text
 * follows).  A record whose first byte would be '#' then ends the program
 * (exit 1) with a message naming the column and the value: it would read
 * back as a header line.  zn_out_head calls it. */
void zn_wr_records(zn_wr *w, const char *first_col);
/* end of a line: writes '\n'; blocks are cut only at these points */
void zn_wr_eol(zn_wr *w);
/* Flush, write the EOF member, close, rename.  0 ok, -1 error (message
 * in err).  Frees w either way; on error the temporary file is removed. */
int zn_wr_close(zn_wr *w, char *err, size_t errlen);
/* 28-byte BGZF end-of-file member */
extern const unsigned char zn_bgzf_eof[28];

/* ---------------------------------------------------------------- zn_in */
enum { ZN_EOF = 0, ZN_REC = 1, ZN_SEG = 2, ZN_ERR = -1 };

typedef struct {
    char **v; /* "key=value" without the leading "##", in file order */
    size_t n, cap;
} zn_meta;
void zn_meta_add(zn_meta *m, const char *kv);
void zn_meta_addf(zn_meta *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* value of the first line with this key, or NULL */
const char *zn_meta_get(const zn_meta *m, const char *key);
/* i-th value (0-based) of a repeatable key, or NULL */
const char *zn_meta_get_nth(const zn_meta *m, const char *key, size_t i);
void zn_meta_clear(zn_meta *m);
/* A step a stream must not go through twice: when the segment's meta has
 * KEY and not force, die "FILE: DONE (##KEY=...); --force AGAIN". */
void zn_meta_once(const char *file, const zn_meta *m, const char *key, int force, const char *done,
                  const char *again);
void zn_meta_copy(zn_meta *dst, const zn_meta *src);
/* The meta of a stream made from src: "schema=SCHEMA", then src's lines
 * but its znr and schema (so provenance and windows carry on). */
void zn_meta_derive(zn_meta *dst, const zn_meta *src, const char *schema);
/* The unit of a column from ##unit.COL, or NULL. */
const char *zn_meta_unit(const zn_meta *m, const char *col);

typedef struct {
    char *name;
    double start, end; /* seconds of t, inclusive */
} zn_window;
/* Parse "NAME:START:END" (meta) or "NAME=START:END" (option). 0 ok. */
int zn_window_parse(const char *s, zn_window *w, char *err, size_t errlen);
/* Find window NAME in meta.  1 found, 0 not found, -1 malformed (err). */
int zn_meta_window(const zn_meta *m, const char *name, zn_window *w, char *err, size_t errlen);

typedef struct zn_in {
    /* current segment */
    zn_meta meta;
    char **cols; /* column names (header without '#') */
    size_t ncols;
    char *header;        /* header line as read, "#a\tb..." */
    /* current record: fields point into line, NUL terminated */
    char **f;
    size_t *fl;
    char *line;
    size_t len;
    /* where we are */
    const char *file; /* current file name ("-" for stdin) */
    long lineno;
    int nseg; /* segments started so far */
    char err[1024];
    /* private */
    char **files;
    int nfiles, cur;
    zn_rd *rd;
    char *first_header, *first_file;
    long first_lineno;
    size_t fcap;
    int pending; /* a line is buffered (the ##znr=1 of the next segment) */
    int mixed;   /* segments may have different columns */
} zn_in;
/* Open the files (n = 0: standard input) as one stream and read the first
 * segment's meta and header.  0 ok, -1 error (in->err). */
int zn_in_open(zn_in *in, char **files, int n);
/* ZN_REC (fields in f/fl), ZN_SEG (a new segment began: meta replaced, header
 * equal to the first), ZN_EOF, ZN_ERR (in->err). */
int zn_in_next(zn_in *in);
/* The same, but a segment may bring its own columns (a report reading
 * traces, fits and curves in one stream): after ZN_SEG, cols and ncols are
 * the new segment's. */
int zn_in_open_mixed(zn_in *in, char **files, int n);
int zn_in_col(const zn_in *in, const char *name); /* index or -1 */
void zn_in_close(zn_in *in);
/* die with "prog: file:line: msg" (exit 1) */
_Noreturn void zn_in_die(const zn_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Require column: die naming it and the columns present. */
int zn_in_need(const zn_in *in, const char *name);
/* Parse field col as a number; missing -> ZN_NUM_EMPTY; bad -> die with the
 * column, value and a hint. */
int zn_in_num(const zn_in *in, int col, double *x);

/* ---------------------------------------------------------------- zn_out */
/* Write "##znr=1", the meta lines (except znr), then "##pg=..." (unless pg
 * is NULL) and the header built from cols. */
void zn_out_head(zn_wr *w, const zn_meta *meta, const char *pg, char *const *cols, size_t ncols);
/* Write a record: fields joined by TAB, then end of line. */
void zn_out_fields(zn_wr *w, char *const *f, const size_t *fl, size_t n);
/* Write the current record of in unchanged (its tabs restored). */
void zn_out_line(zn_wr *w, zn_in *in);

/* ---------------------------------------------------------------- zn_opt */
typedef struct {
    const char *out; /* -o */
    int level;       /* -l, default ZN_DEFAULT_LEVEL */
    int plain;       /* 1: -u (text), -1: -z (BGZF), 0: by the destination (zn_opt_plain) */
    int no_pg;       /* --no-provenance */
    int quiet;       /* -q */
    int progress;    /* 1: --progress; 2: stderr is a terminal (long work only); 0: none */
    char *pg;        /* "prog VERSION args..." built by zn_opt_init */
} zn_opt;
#define ZN_DEFAULT_LEVEL 1
/* short option letters shared by all filters */
#define ZN_OPT_SHORT "o:l:uzqh"
enum { ZN_OPT_VERSION = 0x100, ZN_OPT_NO_PG, ZN_OPT_PROGRESS, ZN_OPT_FIRST_OWN = 0x120 };
#define ZN_OPT_LONG                                                                     \
    {"output", required_argument, 0, 'o'}, {"level", required_argument, 0, 'l'},          \
        {"uncompressed", no_argument, 0, 'u'}, {"gzip", no_argument, 0, 'z'},             \
        {"quiet", no_argument, 0, 'q'},                                                   \
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, ZN_OPT_VERSION},       \
        {"no-provenance", no_argument, 0, ZN_OPT_NO_PG}, {"progress", no_argument, 0, ZN_OPT_PROGRESS}
/* Help text for the shared options (one place, so help and parsing agree). */
extern const char zn_opt_help[];
void zn_opt_init(zn_opt *o, int argc, char **argv);
/* Handle a shared option.  1 handled, 0 not a shared option.  --help prints
 * usage (to stdout) and exits 0, --version exits 0, bad values exit 2. */
int zn_opt_common(zn_opt *o, int c, const char *arg, const char *usage);
/* After option parsing: with no input files and a terminal on stdin, print
 * the usage to stderr and exit 2 instead of waiting. */
void zn_opt_check_stdin(int nfiles, const char *usage);
/* An option's number (dies with a usage error naming the option). */
double zn_opt_num(const char *name, const char *arg);
/* The same, and it must be above 0. */
double zn_opt_pos(const char *name, const char *arg);
/* Is output to path (NULL or "-": standard output) plain text?  -u: yes,
 * -z: no; otherwise a regular file (or a new name) gets BGZF, and a pipe, a
 * terminal, a FIFO or a device gets text (`zn-view x.gz | grep` works). */
int zn_opt_plain(const zn_opt *o, const char *path);
/* Open the output stream as the options say; dies on failure. */
zn_wr *zn_opt_open_out(const zn_opt *o);
/* Close it; dies (exit 1) on a failed write. */
void zn_opt_close_out(zn_wr *w);
void zn_opt_free(zn_opt *o);
/* With --progress: "prog: N records" on stderr every 2^20 records, and at
 * the end (done = 1).  Without it, the same when stderr is a terminal
 * (and not -q), once the count reaches 2^20: short runs stay silent. */
void zn_progress(const zn_opt *o, long nrec, int done);

/* ---------------------------------------------------------------- zn_schema */
typedef struct {
    const char *name, *type, *unit, *need, *desc;
} zn_col_def;
/* Schema text compiled in from schemas/NAME.schema; NULL if unknown. */
const char *zn_schema_text(const char *name);
/* Names of all compiled-in schemas, NULL terminated. */
extern const char *const zn_schema_names[];
/* Check that every column the schema marks "required" exists.  0 ok, -1
 * with a message in err naming the missing columns. */
int zn_schema_check(const char *schema, char *const *cols, size_t ncols, char *err, size_t errlen);
/* Is column col of the schema numeric ("num" / "int")?  -1 unknown column */
int zn_schema_is_numeric(const char *schema, const char *col);

/* ---------------------------------------------------------------- zn_dict */
/* String -> index map (open addressing).  Keys are copied. */
typedef struct {
    char **key;
    size_t *val;
    size_t n, cap;
} zn_dict;
/* index of key, or (size_t)-1 */
size_t zn_dict_get(const zn_dict *d, const char *key);
/* insert key -> val unless present; returns the value now stored */
size_t zn_dict_put(zn_dict *d, const char *key, size_t val);
void zn_dict_free(zn_dict *d);

/* ---------------------------------------------------------------- zn_order */
/* Canonical order of trace records: (sample, cell) groups contiguous, a
 * sample contiguous, background ROIs of a sample before its cells, frames
 * strictly ascending in a group. */
typedef struct zn_order zn_order;
zn_order *zn_order_new(void);
/* 0 ok; -1 with a message in err.  role may be NULL. */
int zn_order_check(zn_order *o, const char *sample, const char *cell, const char *role, double frame,
                   char *err, size_t errlen);
/* 1 when the last checked record started a new (sample, cell) group */
int zn_order_new_group(const zn_order *o);
void zn_order_free(zn_order *o);

/* ---------------------------------------------------------------- zn_csv */
/* Turn an instrument file's bytes into UTF-8 text with LF line ends: a
 * UTF-8 BOM is dropped, UTF-16 LE/BE with a BOM is converted, CRLF and bare
 * CR become LF.  0 ok, -1 with a message (e.g. NUL bytes: a binary file). */
int zn_text_decode(const char *raw, size_t n, char **out, size_t *outlen, char *err, size_t errlen);
/* The same without a second copy: *buf (malloc'd, *n bytes, owned by the
 * caller before and after) becomes the text, *n its length; UTF-16 input is
 * converted into a new buffer and the old one freed.  On error *buf is
 * unchanged (still the caller's to free). */
int zn_text_decode_own(char **buf, size_t *n, char *err, size_t errlen);
/* The delimiter of a table: ',', ';' or TAB, whichever splits the first
 * lines most consistently (from line `skip` on). */
char zn_csv_sniff(const char *text, size_t n);
/* Call row() for every row of text (RFC 4180 quoting, via libcsv; spaces
 * around unquoted fields trimmed).  fields[i] are NUL terminated and valid
 * during the call; line is the row's first line (1-based).  Blank lines
 * come as rows with nf = 0.  row() returns 0 to go on, nonzero to stop
 * (that value is returned).  -1 on a parse error (message in err). */
typedef int (*zn_csv_row_fn)(char **fields, size_t nf, long line, void *arg);
int zn_csv_each(const char *text, size_t n, char delim, zn_csv_row_fn row, void *arg, char *err, size_t errlen);
/* zn_csv_each for text nobody reads again (a big table parsed once): the
 * memory pages already parsed are given back to the system as it goes
 * (madvise), so the text and what is built from it are not both held.
 * text must be a malloc'd buffer; only free() it afterwards. */
int zn_csv_each_consume(char *text, size_t n, char delim, zn_csv_row_fn row, void *arg, char *err, size_t errlen);

/* A whole table in memory (small instrument tables, layouts). */
typedef struct {
    char **f;
    size_t n;
    long line;
} zn_row;
typedef struct {
    zn_row *rows;
    size_t n, cap;
} zn_table;
int zn_table_load(zn_table *t, const char *text, size_t n, char delim, char *err, size_t errlen);
void zn_table_free(zn_table *t);
/* field i of row r, "" when the row is shorter */
const char *zn_table_get(const zn_table *t, size_t r, size_t i);

/* ---------------------------------------------------------------- zn_well */
/* "A1", "a01", "A001" -> "A1"; rows A-P (and AA-AF for 1536), columns
 * 1-48.  0 ok (out gets the normal name, *row 0-based, *col 1-based), -1 not
 * a well name. */
int zn_well_norm(const char *s, char out[8], int *row, int *col);

/* ---------------------------------------------------------------- zn_trace */
/* The columns and the canonical order of a trace stream, checked record by
 * record.  zn_trace_rec dies (exit 1, "prog: file:line: ...") on a bad
 * frame or time, a record out of canonical order, or a t that does not
 * increase within a cell (every filter that reads traces through it:
 * zn-background, zn-ratio, zn-calibrate, zn-metrics, zn-report). */
typedef struct {
    zn_in *in;
    int c_sample, c_cell, c_role, c_frame, c_t, c_flag; /* c_flag -1 if absent */
    long frame;      /* current record: frame index */
    double t;        /* current record: time (s) */
    int bg;          /* current record is a background ROI (role bg) */
    int new_cell;    /* current record starts a (sample, cell) group */
    int new_sample;  /* ... and a new sample */
    /* private */
    zn_order *ord;
    char *sample;
    double last_t; /* the previous record's t and frame (same cell) */
    long last_frame;
} zn_trace;
/* Look up the trace columns of in (dies naming what is missing; dies when
 * the stream's schema is not trace or t is not in seconds). */
void zn_trace_init(zn_trace *tr, zn_in *in);
/* Check the meta of a new segment (schema, unit of t). */
void zn_trace_segment(zn_trace *tr);
void zn_trace_rec(zn_trace *tr);
void zn_trace_free(zn_trace *tr);
/* The column a trace's results are read from by default: a calibrated
 * zn_pM / zn_nM / zn_uM, else dF_F0, R_R0, R, F; NULL when none is there. */
const char *zn_trace_signal(const zn_in *in);
/* Its unit: ##unit.COL of the meta, else pM/nM/uM for zn_*, "1" for the
 * ratios (R, R_R0, F_F0, dF_F0), "a.u." otherwise. */
const char *zn_signal_unit(const zn_meta *m, const char *col);
/* Is this column a fluorescence channel (F or F_*, not a derived F_F0)? */
int zn_is_channel(const char *name);
/* The window NAME: from opt ("START:END" seconds) when given, else from the
 * meta.  1 found, 0 absent; dies (usage or data) when malformed. */
int zn_window_get(const zn_meta *m, const char *name, const char *opt, const char *optname, zn_window *w);

/* The records of one cell, copied (the reader's line is reused), with the
 * file and line each came from, for messages. */
typedef struct {
    size_t n, ncols;
    char *text;
    size_t tlen, tcap;
    size_t *off, *len; /* n * ncols */
    size_t cap;
    long *line;        /* n */
    const char **file; /* n (the reader's names, valid while it is open) */
    size_t lcap;
} zn_cellbuf;
void zn_cellbuf_add(zn_cellbuf *c, const zn_in *in);
void zn_cellbuf_clear(zn_cellbuf *c);
void zn_cellbuf_free(zn_cellbuf *c);
static inline const char *zn_cellbuf_f(const zn_cellbuf *c, size_t r, size_t i)
{
    return c->text + c->off[r * c->ncols + i];
}
static inline size_t zn_cellbuf_l(const zn_cellbuf *c, size_t r, size_t i) { return c->len[r * c->ncols + i]; }
/* Field col of record r as a number; NAN when missing; not a number -> die
 * with "prog: file:line: column 'NAME': ..." (names from in). */
double zn_cellbuf_num(const zn_cellbuf *c, const zn_in *in, size_t r, int col);
/* The loop of a per-cell filter: read every record (order checked, progress
 * reported), hand each (sample, cell) group to cell() in c, and call
 * segment() when a new segment begins (after the previous segment's last
 * cell; in->meta is the new segment's).  Dies on a read error.  Returns the
 * number of records. */
long zn_trace_cells(zn_trace *tr, zn_cellbuf *c, const zn_opt *o, void (*cell)(void *arg),
                    void (*segment)(void *arg), void *arg);
/* The same with a whole sample (all its cells and background ROIs) in c:
 * for a step that needs every cell of a dish before it writes the first. */
long zn_trace_samples(zn_trace *tr, zn_cellbuf *c, const zn_opt *o, void (*sample)(void *arg),
                      void (*segment)(void *arg), void *arg);

/* Output columns: the input's, then the ones a filter adds. */
typedef struct {
    char **cols;
    size_t n, nin;
} zn_cols;
void zn_cols_init(zn_cols *c, const zn_in *in);
/* Index of an output column: the input column of that name when there is
 * one (then unless force, die: the step was already applied), else a new
 * column appended. */
size_t zn_cols_add(zn_cols *c, const char *name, int force, const char *hint);
/* The flag column: the input's, or a new one. */
size_t zn_cols_flag(zn_cols *c);
void zn_cols_free(zn_cols *c);

/* One output record being assembled: every field a pointer and a length;
 * numbers are formatted into the record's own slots. */
typedef struct {
    size_t n;
    const char **v;
    size_t *l;
    char (*num)[40];
    zn_buf flag;
    size_t flag_col;
} zn_rec;
void zn_rec_init(zn_rec *r, const zn_cols *c, size_t flag_col); /* flag_col (size_t)-1: none */
/* Start a record from input fields (nin of them); added columns empty. */
void zn_rec_from(zn_rec *r, const char *const *f, const size_t *fl, size_t nin);
void zn_rec_from_cell(zn_rec *r, const zn_cellbuf *c, size_t row);
void zn_rec_num(zn_rec *r, size_t i, double x); /* NaN -> missing; +-inf -> missing, flagged overflow */
void zn_rec_set(zn_rec *r, size_t i, const char *s, size_t n);
/* Append a flag word to the record's flag field (';' between words). */
void zn_rec_flag(zn_rec *r, const char *word);
void zn_rec_write(zn_wr *w, zn_rec *r);
void zn_rec_free(zn_rec *r);

/* ---------------------------------------------------------------- zn_stat */
/* Statistics that skip NaN (missing); NaN when nothing is left.  *n gets
 * the number of values used (may be NULL). */
double zn_mean(const double *x, size_t len, size_t *n);
double zn_sd(const double *x, size_t len);          /* sample SD (n - 1) */
double zn_median(const double *x, size_t len, size_t *n);
double zn_mad(const double *x, size_t len);         /* 1.4826 * median |x - median| */
/* A test's statistic (t or F), degrees of freedom and p value. */
typedef struct {
    double stat, df1, df2, p;
} zn_test;
/* Welch's unequal-variance t test, two-sided (df1 = Welch-Satterthwaite).
 * -1 (all NaN) when a group has fewer than 2 values or no variance. */
int zn_welch(const double *a, size_t la, const double *b, size_t lb, zn_test *r);
/* One-way ANOVA over k groups (F, df1 = k - 1, df2 = N - k).  -1 (all NaN)
 * when fewer than 2 groups have values or there is no within-group variance. */
int zn_anova1(const double *const *g, const size_t *len, size_t k, zn_test *r);
/* Holm's step-down adjustment of n p values (NaN entries are left out and
 * stay NaN): adj[i] = min(1, max over j <= rank(i) of (m - j + 1) p_(j)),
 * m the number of p values that are not NaN (R's p.adjust(p, "holm")).
 * adj may be p. */
void zn_holm(const double *p, size_t n, double *adj);

/* ---------------------------------------------------------------- zn_axis */
/* The scale of one plot axis.  zn_axis_linear widens [lo, hi] to round
 * numbers (multiples of a step of 1, 2 or 5 x 10^k) and gives 2 to max
 * ticks inside it, strictly increasing, for every input: lo > hi is
 * swapped; NaN for both gives 0..1; one NaN takes the other; infinities
 * are taken as +-DBL_MAX/4; a constant or a width below 1e-12 of the
 * values (an ulp of rounding) becomes 10 % around it (+-1 at 0).  Returns
 * 0, or 1 when the range was made up (constant or missing).
 * zn_axis_log takes decades (lo, hi > 0, finite; -1 otherwise).
 * zn_axis_frac: the place of v along the axis, 0 at lo, 1 at hi.
 * zn_axis_label: v with enough digits to tell it from its neighbours. */
#define ZN_AXIS_MAXTICKS 32
typedef struct {
    double lo, hi, step; /* step: the tick distance (decades per tick for log) */
    int log;
    size_t n;
    double t[ZN_AXIS_MAXTICKS];
} zn_axis;
int zn_axis_linear(zn_axis *a, double lo, double hi, size_t max);
int zn_axis_log(zn_axis *a, double lo, double hi, size_t max);
double zn_axis_frac(const zn_axis *a, double v);
void zn_axis_label(const zn_axis *a, double v, char *buf, size_t len);

/* ---------------------------------------------------------------- zn_svg */
/* SVG into a zn_buf.  A zn_plot is a frame (left, top, width, height in
 * pixels) with an x and a y axis; set p.x and p.y with zn_axis_* before
 * drawing.  Series k gets colour zn_svg_colour[k % ZN_SVG_NCOL], dash
 * zn_svg_dash[k] and marker shape k % 4 (greyscale keeps them apart). */
#define ZN_SVG_NCOL 7
extern const char *const zn_svg_colour[ZN_SVG_NCOL];
extern const char *const zn_svg_dash[ZN_SVG_NCOL];
typedef struct {
    zn_buf *b;
    zn_axis x, y;
    double L, T, W, H;
} zn_plot;
void zn_plot_init(zn_plot *p, zn_buf *b, double L, double T, double W, double H);
double zn_plot_x(const zn_plot *p, double x); /* pixel of a data value */
double zn_plot_y(const zn_plot *p, double y);
void zn_svg_esc(zn_buf *b, const char *s); /* text and attribute escaping */
void zn_svg_open(zn_buf *b, int w, int h, const char *label);
void zn_svg_close(zn_buf *b);
/* frame, y ticks with grid lines, x ticks (when xticks), title, labels (NULL: none) */
void zn_svg_axes(zn_plot *p, const char *title, const char *xlab, const char *ylab, int xticks);
void zn_svg_marker(zn_buf *b, int k, double x, double y, double r, int filled);
/* a marker of colour c and shape 0..3 (circle, square, triangle, diamond);
 * fill_opacity 0: white inside */
void zn_svg_marker_c(zn_buf *b, const char *c, int shape, double x, double y, double r, double fill_opacity);
/* the finite points joined (breaks at NaN), clipped to the frame; style: attributes */
void zn_svg_polyline(const zn_plot *p, const double *x, const double *y, size_t n, const char *style);
void zn_svg_hline(const zn_plot *p, double y, const char *style); /* across the frame, if inside */
void zn_svg_figure_open(zn_buf *b, const char *id);
void zn_svg_figure_close(zn_buf *b, const char *caption);
void zn_svg_viridis(double f, char out[8]); /* f in 0..1 -> "#rrggbb" */

/* Model adequacy (residuals of a fitted curve). */
/* The p quantile, linear between order statistics at rank 1 + p(n - 1)
 * (R type 7, numpy's default); NaN skipped, NaN when none is left. */
double zn_quantile(const double *x, size_t len, double p);
/* Wald-Wolfowitz runs test of residual signs in order (+1, -1; 0 skipped):
 * runs, counts, the expected number 2 n+ n- /(n+ + n-) + 1 and the exact
 * one-tailed p = P(runs <= observed) (too few runs: systematic deviation,
 * as Prism).  -1 (p NaN) when one sign is absent. */
typedef struct {
    size_t runs, npos, nneg;
    double expected, p;
} zn_runs;
int zn_runs_test(const int *sign, size_t n, zn_runs *r);
/* D'Agostino-Pearson omnibus normality test K2 (stat, df1 = 2, p), as
 * scipy.stats.normaltest.  -1 (NaN) for fewer than 8 values or no spread. */
int zn_normaltest(const double *x, size_t len, zn_test *r);
/* Shapiro-Wilk W (stat; df1 = n) and p by Royston's AS R94, as R's
 * shapiro.test and scipy.stats.shapiro (zn_swilk.c).  -1 (NaN) for fewer
 * than 3 or more than 5000 values, or no spread. */
int zn_shapiro(const double *x, size_t len, zn_test *r);

/* ---------------------------------------------------------------- zn_units */
/* A concentration "15nM", "0.811 nM", "18pM", "1uM", "1 µM", "2e-9M" ->
 * nanomolar.  0 ok, -1 not one (err says why). */
int zn_conc_parse(const char *s, double *nM, char *err, size_t errlen);
/* nM per unit: "pM" 1e-3, "nM" 1, "uM" 1e3, "mM" 1e6, "M" 1e9; 0 unknown. */
double zn_conc_unit(const char *unit);

/* ---------------------------------------------------------------- zn_sensor */
typedef struct {
    char *name, *kind; /* kind: intensity, ratio or FRET */
    double kd_nM;
    double hill, beta; /* NaN when the catalogue has none */
    char *kd_text, *target, *source;
} zn_sensor;
typedef struct {
    zn_sensor *s;
    size_t n;
} zn_sensors;
/* Load a catalogue (TSV text: name kind kd hill beta target source).
 * text NULL: the built-in one (schemas/sensors.tsv).  0 ok, -1 err. */
int zn_sensors_load(zn_sensors *c, const char *text, const char *what, char *err, size_t errlen);
/* Names equal ignoring case, '-', '_' and spaces ("FluoZin-3" = "fluozin3",
 * "hZIP4" = "h-zip4"); a and b need not be NUL terminated. */
int zn_name_eq(const char *a, size_t la, const char *b, size_t lb);
/* Look a sensor up by name, ignoring case, '-', '_' and spaces. */
const zn_sensor *zn_sensor_find(const zn_sensors *c, const char *name);
void zn_sensors_free(zn_sensors *c);
extern const char zn_sensor_catalogue[];
/* Published values (schemas/literature.tsv, TSV with # comments). */
extern const char zn_literature_table[];

/* ---------------------------------------------------------------- zn_key */
/* A comma-separated list of column names -> their indices (each must exist;
 * dies naming it).  opt names the option in messages. */
size_t zn_in_collist(const zn_in *in, const char *list, int *cols, size_t max, const char *opt);
/* The group key of the current record: the fields joined by 0x1f, numbers
 * in shortest form ("1.0" and "1" are one group).  Caller frees. */
char *zn_key_make(const zn_in *in, const int *cols, size_t n);
/* Field i of a key (pointer and length). */
size_t zn_key_field(const char *key, size_t i, const char **start);
/* "construct=hZIP4, conc_uM=1" for messages.  Caller frees. */
char *zn_key_text(char *const *names, size_t n, const char *key);

/* ---------------------------------------------------------------- zn_fit */
/* Nonlinear least squares (GSL trust region, Levenberg-Marquardt).  Point i
 * has nx numbers at x + i*nx (substrate, inhibitor, group, ...); the model
 * computes y there and, when dy is not NULL, dy/dp[j]. */
#define ZN_FIT_MAXP 32
typedef void (*zn_model_fn)(const double *x, const double *p, double *y, double *dy, void *arg);
typedef struct {
    size_t np;
    double p[ZN_FIT_MAXP]; /* the estimates; with GSL_EMAXITER the last iterate (and ss its SS) */
    double cov[ZN_FIT_MAXP * ZN_FIT_MAXP]; /* unscaled (J'WJ)^-1, np x np, natural parameters */
    double ss;         /* weighted residual sum of squares */
    double dependency; /* largest 1 - 1/(C_jj (J'WJ)_jj) (Prism's "dependency") */
    int singular;      /* the covariance could not be computed */
    size_t n, iter;
    int status;      /* 0 converged, otherwise a GSL error code */
    const char *why; /* why it failed, "" when it did not */
} zn_fitres;
/* Fit np parameters from the start p0; w weights (NULL: all 1).  Bit j of
 * logmask: parameter j is kept positive (fitted as log p).  Returns status
 * (0 converged). */
int zn_fit_nls(zn_model_fn f, void *arg, const double *x, size_t nx, const double *y, const double *w, size_t n,
               size_t np, const double *p0, unsigned logmask, zn_fitres *res);
/* Free the workspace kept between fits. */
void zn_fit_release(void);

/* ---------------------------------------------------------------- zn_model */
/* The rate equations of zn-mm-fit (and zn-report's curves and residuals).
 * x[0] = S (substrate), x[1] = I (inhibitor).  grid: how zn-mm-fit searches
 * a parameter's starting value (linear, on the S scale, on the I scale, a
 * Hill coefficient, alpha, a second linear one). */
enum { ZN_G_LIN, ZN_G_X, ZN_G_I, ZN_G_H, ZN_G_A, ZN_G_LIN2, ZN_G_HS /* a Hill slope of either sign */ };
typedef struct {
    const char *name;
    size_t np;
    const char *pn[4];
    int grid[4];
    unsigned logmask; /* parameters kept positive */
    int needs_i;      /* needs an inhibitor column */
    zn_model_fn f;
    const char *eq;
} zn_model;
extern const zn_model zn_models[];
extern const size_t zn_nmodels;
const zn_model *zn_model_find(const char *name); /* NULL: unknown */
/* 1 for the concentration-response models (4pl, 3pl: bottom, top, ec50,
 * hill; 3pl holds hill at +-1) */
int zn_model_logistic(const zn_model *m);
/* s is a special or limiting case of c */
int zn_model_nested(const zn_model *s, const zn_model *c);

/* ---------------------------------------------------------------- zn_lin */
/* Least squares y = c0 + c1 x (+ c2 x^2) (GSL, x centred for conditioning). */
typedef struct {
    int degree;
    size_t n, df;
    double c[3], se[3], cov[9]; /* coefficients, their SEs and covariance (s^2 (X'X)^-1) */
    double rss, r2;
    double p_top; /* two-sided t-test p of the highest coefficient (curvature for degree 2) */
} zn_polyres;
/* degree 1 or 2; -1 when there are fewer distinct x than coefficients. */
int zn_polyfit(const double *x, const double *y, size_t n, int degree, zn_polyres *r);
double zn_poly_eval(const zn_polyres *r, double x);
/* x with poly(x) = y on the branch (of a quadratic) that holds [lo, hi];
 * NAN when there is none. */
double zn_poly_invert(const zn_polyres *r, double y, double lo, double hi);
/* ISO 8601 date or date-time ("2024-03-06", "2024-03-06T12:42:48",
 * "... 12:42", "...Z", "...+01:00") -> days since 1970-01-01 (UTC when an
 * offset is given, otherwise as written).  0 ok, -1 not one. */
int zn_iso_days(const char *s, double *days);

/* ---------------------------------------------------------------- zn_bleach */
/* Photobleaching with one rate per dish: every group (a cell in a window
 * where its signal should be flat: baseline, TPEN, ...) follows
 *     y(t) = a_g exp(-k t)
 * with its own amplitude a_g and the rate k shared by all groups.  Fitted
 * as log y = log a_g - k t by weighted least squares with fixed effects
 * (one intercept per group, one common slope): k = -sum w_g Sty_g / sum
 * w_g Stt_g over the groups' centred sums.  Weight w_g = the group's mean
 * (shot noise: var y ~ y, so var log y ~ 1/y) or 1 (relative noise). */
typedef struct {
    double stt, sty, syy; /* weighted centred sums over the groups */
    size_t n, groups;     /* points and groups added */
} zn_bleach_acc;
enum { ZN_BLEACH_SHOT, ZN_BLEACH_EQUAL };
/* Add one group of n points.  0 added; -1 not added, why says so (fewer
 * than 2 points, a value <= 0, the times all equal). */
int zn_bleach_add(zn_bleach_acc *a, const double *t, const double *y, size_t n, int weight, const char **why);
/* The common rate k (1/s) and its standard error (from the weighted
 * residuals, n - groups - 1 degrees of freedom; NAN with one).  0 ok, -1
 * no rate (no group with two distinct times). */
int zn_bleach_rate(const zn_bleach_acc *a, double *k, double *se);

#endif
