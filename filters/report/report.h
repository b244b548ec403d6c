/* report.h - the parts of zn-report, one file each:
 *
 *   zn-report.c      options, the order of the work, the tables printed
 *   report/read.c    reading: stored streams (metrics, uptake, fit, curve)
 *                    and the streamed summaries of traces
 *   report/table.c   report tables (rtab): text, TSV, Markdown, HTML
 *   report/literature.c  published values (schemas/literature.tsv), units
 *   report/traces.c  traces: the cells table, trace panels, heatmap, the
 *                    calibration section, resting zinc beside the literature
 *   report/metrics.c response metrics: per-dish summaries, tests, Holm,
 *                    SuperPlots
 *   report/kinetics.c uptake and fits: replicate table, fit tables, the
 *                    kinetics figure with its residuals and subtraction panel
 *   report/doseresp.c concentration-response (4pl, 3pl): log-axis figure with
 *                    the controls left of a broken axis, ec50 and interval,
 *                    Wald and profile intervals, adequacy tests
 *   report/page.c    the HTML page: sections[] gives navigation and order;
 *                    flags and provenance
 * SVG primitives and axes are in libzn (zn_svg, zn_axis); statistics too
 * (zn_stat).
 *
 * Ownership: one rep_t (what was read) and one out_t (what was built) per
 * run, each owning everything it points to; report_free releases both. */
#ifndef ZN_REPORT_H
#define ZN_REPORT_H

#include "zn.h"

#include <stdint.h>

enum { FMT_TEXT, FMT_TSV, FMT_MD };
enum { UNIT_SAMPLE, UNIT_CELL };

typedef struct {
    zn_opt o;
    int format;
    const char *table, *html, *title, *signal;
    size_t ncells;
    int unit;  /* the experimental unit of the tests: UNIT_SAMPLE (dish) or UNIT_CELL */
    int log_y; /* trace panels on a log axis */
    int whole; /* trace panels over the whole recording (calibration too) */
    const char *system; /* --system: the experiment's cell type or expression system */
} args_t;

/* ------------------------------------------------------------ report tables (table.c) */
typedef struct {
    char *s;  /* NULL: a number */
    double v; /* NaN: empty */
} rcell;

typedef struct {
    const char *name, *title;
    size_t ncol;
    char **hdr;
    rcell *c;
    size_t n, cap; /* cells */
} rtab;

void rtab_init(rtab *t, const char *name, const char *title, const char *cols);
void rtab_s(rtab *t, const char *s);
void rtab_sf(rtab *t, char *s); /* takes s */
void rtab_n(rtab *t, double v);
size_t rtab_rows(const rtab *t);
void rtab_free(rtab *t);
/* fmt: FMT_*; named: a TSV table starts with "## NAME" (several tables in one output) */
void rtab_print(const rtab *t, int fmt, int named, zn_buf *b);
void rtab_html(const rtab *t, zn_buf *b, size_t max);
const char *rcell_text(const rcell *c, int full, char buf[48]);

/* ------------------------------------------------------------ stored streams (read.c) */
/* metrics, uptake, fit and curve streams are small: kept whole.  Segments
 * with the same schema and header are one table; each row remembers its
 * segment (and so its meta: provenance, units, windows). */
typedef struct {
    char *file;
    zn_meta meta;
    long line; /* of its header */
} seg_t;

typedef struct {
    char *schema, *header, *file;
    zn_meta meta; /* the first segment's */
    char **cols;
    size_t ncols;
    char **f; /* nrow * ncols */
    size_t *seg; /* nrow: index into segs */
    size_t nrow, cap;
    seg_t *segs;
    size_t nseg;
} stab;

int stab_col(const stab *s, const char *name);
const char *stab_f(const stab *s, size_t r, int c);
double stab_num(const stab *s, size_t r, int c);
const zn_meta *stab_meta(const stab *s, size_t r); /* the meta of row r's segment */
/* two fields are the same value: as numbers when both are ("5" = "5.0"), else as text */
int field_eq(const char *a, const char *b);
/* KEY's value in a fit stream's ##fit= line (MODEL:EQUATION:x=COL:y=COL:...), into buf ("" if none) */
const char *fit_meta(const zn_meta *m, const char *key, char *buf, size_t len);

/* one input segment, for provenance */
typedef struct {
    char *file, *schema, *pg;
    long nrec;
} input_t;

/* ------------------------------------------------------------ traces */
enum { ZF_OK, ZF_BELOW, ZF_ABOVE, ZF_BAD, ZF_NOSIG, ZF_NEAR, ZF_MINDRIFT, ZF_MAXDRIFT, ZF_OVERFLOW, ZF_OTHER };


typedef struct {
    char *sample, *cell;
    size_t cond;
    double cmin, cmax, base;
    long nrec, nz[ZF_OTHER + 1];
    long nexp, nz_exp[ZF_OTHER + 1]; /* the experiment's frames only (before the calibration) */
    long nval; /* frames with a value of the signal (0: no [Zn] at all) */
    char *why; /* a failed calibration: which window failed which test (NULL: not found) */
} cellsum_t;

/* why a cell has no calibration (bad_calibration, min_drift, max_drift); NULL: it has one (literature.c) */
const char *cell_failure(const cellsum_t *s);
const char *cell_failure_why(const char *flag);

typedef struct {
    double *t, *v, *raw; /* raw: the calibrated column (F, R), NaN when there is none */
    size_t *slot;        /* frame slots */
    size_t n;
    char *label, *sample;
    double cmin, cmax;
} sampled_t;

typedef struct {
    char *name;
    /* by frame slot: values n, sum, sum of squares; times n, sum */
    double *n, *s, *ss, *tn, *ts;
    size_t cap;
    long seen; /* cells */
    /* by dish, by frame slot: values n, sum (the band is the SEM over dish means) */
    struct dishacc { char *name; double *n, *s; size_t cap; } *dish;
    size_t ndish, dcap;
    zn_dict ddict;
    sampled_t *res;
    size_t nres;
} cond_t;

typedef struct {
    const args_t *a;
    /* inputs */
    input_t *inputs;
    size_t ninputs, icap;
    stab *tabs;
    size_t ntabs, tcap;
    zn_dict metric_cells; /* sample\x1fcell of every metrics row: each once */
    /* traces */
    int have_trace, have_zflag, have_cal;
    char *signal, *sig_unit, *cal_name, *raw_name, *raw_unit, *compartment;
    char *system, *calibration; /* the first trace's ##system= and ##calibration= */
    double cal_start; /* t of the first calibration window (max, min); INFINITY: none */
    zn_window *win;
    size_t nwin;
    cond_t *conds;
    size_t nconds, ccap;
    zn_dict cdict;
    cellsum_t *cells;
    size_t ncells, cellcap;
    long ntrace_rec;
    uint64_t rng;
    zn_order *ord; /* canonical order over every trace segment: a cell given twice is an error */
    /* frame index -> slot: memory follows the frames present, not the largest index */
    long *frame_of; /* slot -> frame */
    size_t nslots, slotcap;
    size_t *hkeys; /* open addressing: slot + 1, 0 empty */
    size_t hcap;
    /* the current cell */
    int cur_on;
    long cur_slot; /* its place in the sample, -1: not sampled */
    cellsum_t cur;
    size_t cur_dish; /* index into the condition's dish[] */
    /* the calibration windows of the current trace segment (max, min) and
     * the current cell's calibrated-signal values in them: why a cell failed */
    double calw[2][2], cal_scatter;
    int have_calw[2], cal_median;
    double *wv[2];
    size_t wn[2], wcap[2];
    /* photobleaching (zn-bleach): the channels of the first ##bleach= and,
     * per dish, each one's rate k (1/s) and SE, the same on every record */
#define BLEACH_MAXCH 4
    char *bch[BLEACH_MAXCH];
    size_t nbch;
    int rnum, rden; /* ##ratio=R=NUM/DEN over two of them: their indices (-1: none) */
    struct bleach_dish { char *sample; size_t cond; double k[BLEACH_MAXCH], se[BLEACH_MAXCH]; } *bl;
    size_t nbl, blcap;
    zn_dict bldict;
    double *ct, *cv, *craw, bsum;
    size_t *cf;
    long bn;
    size_t cn, ccap2;
} rep_t;

void read_all(rep_t *R, zn_in *in);
/* frame slot f of a condition: the mean of its dish means, the SEM over those
 * dishes (0 with one), how many dishes have a value there; 0: none */
size_t cond_frame(const cond_t *c, size_t f, double *mean, double *sem);
stab *find_tab(rep_t *R, const char *schema, size_t *count);
/* slots in ascending frame order (a new array of R->nslots) */
size_t *frame_order(const rep_t *R);

/* ------------------------------------------------------------ literature (literature.c) */
typedef struct {
    char kind[16], names[128], quantity[16], unit[24], note[128], source[160], system[160];
    double lo, hi;
} lit_t;

extern lit_t *lits;
extern size_t nlits;
void lit_load(void);
void lit_free(void);
int lit_names(const lit_t *l, const char *name);
int lit_convert(const lit_t *l, const char *unit, double *lo, double *hi);
char *lit_text(const lit_t *l, const char *unit);
/* factor from a rate unit "AMOUNT/mg/TIME" to pmol/mg/min; 0: not one */
double rate_factor(const char *u);
/* factor that takes a value in unit `from` to unit `to` (rates, concentrations); 0: none */
double unit_factor(const char *from, const char *to);
/* the experiment's system: --system, else ##system= of the first input that has one; NULL: not given */
const char *experiment_system(const rep_t *R);
/* how close a published value's system is to the experiment's: 2 the same cell type, 1 the same kind
 * (mammalian cells, Xenopus oocytes, yeast, ...), 0 another or unknown */
int lit_system_rank(const lit_t *l, const char *sys);
const char *system_kind(const char *sys); /* "mammalian cells", "Xenopus oocytes", ...; NULL: unknown */
/* which of the n matching values (idx) to set beside a result: keeps the closest system's in idx[],
 * returns how many; *why says which were kept and why (a new string) */
size_t lit_prefer(const char *sys, size_t *idx, size_t n, char **why);
/* "VALUE UNIT (note) in SYSTEM" */
char *lit_text_system(const lit_t *l, const char *unit);
/* the range a sensor resolves, from ##calibration= (kd=, hill=): Kd 0.1^(1/n) to Kd 10^(1/n) in nM
 * (9 % to 91 % occupancy); 0: no Kd there */
/* the distinct ##linearity=untested:... of the uptake and fit streams (at most max), with a file each */
size_t linearity_notes(const rep_t *R, const char **note, const char **file, size_t max);
int sensor_range(const char *calibration, double *kd_nM, double *hill, double *lo_nM, double *hi_nM);

/* ------------------------------------------------------------ what is built */
enum { T_CELLS, T_METRICS, T_TESTS, T_UPTAKE, T_FITS, T_FITSTATS, T_CONTEXT, T_BLEACH, T_FLAGS, T_INPUTS, NT };
extern const char *const table_names[NT];

/* one fitted group, with its points, for tables and figures */
typedef struct {
    char *label;
    size_t row; /* in the fit table */
    const zn_model *m;
    double p[4];
    double *x, *y, *I, *ctrl; /* points; ctrl: the control mean subtracted from each (NaN: none) */
    size_t n, cap;
    double *rx, *rI, *rmean, *rsd, *rtot, *rctl, *rctl_sd; /* per (x, I): specific, total and control means */
    size_t nrep;
    int ok, subtracted; /* subtracted: the data had a control subtracted (##background=control) */
    char *data_file;    /* the stream the points came from */
    /* points that are means with their SE (zn-background --means): per point the SE (control's
     * error included) and the group's own wells' n and SD; per (x, I) the SE; NaN: none */
    double *se, *wn, *wsd, *rse;
    int means;
} fgroup_t;

typedef struct {
    const char *metric;
    int col;      /* in the metrics table */
    int tested;   /* 0: shown, not tested (t_peak beside time_to_peak) */
    int fraction; /* responder: a proportion (per dish), never a t test over cells */
    double **val; /* [cond]: the unit values (dish means or cells) */
    size_t *len;
    double **cellv; /* [cond]: every cell */
    size_t *celln;
    char ***cellsample; /* [cond][i]: the dish of each cell */
    zn_test test;
    double p_adj;
    char *note; /* why there is no test */
} metric_t;

typedef struct {
    rep_t *R;
    rtab t[NT];
    /* metrics */
    stab *met;
    metric_t *mt;
    size_t nmetric;
    char **mcond;
    size_t nmcond;
    char **msample; /* dishes, in order of appearance */
    size_t nmsample;
    size_t *msample_cond;
    /* kinetics */
    stab *fit, *curve;
    char xcol[64], ycol[64], xunit[32], yunit[32];
    int *bycol; /* in the fit table */
    size_t nby;
    fgroup_t *g;
    size_t ng;
} out_t;

/* ------------------------------------------------------------ the parts */
const char *meta_unit(const zn_meta *m, const char *col);
int cmp_double(const void *a, const void *b);

void build_cells(out_t *O);     /* traces.c */
void build_context(out_t *O);   /* traces.c */
void build_bleach(out_t *O);    /* traces.c: zn-bleach's rate per dish and channel */
void html_traces(const out_t *O, zn_buf *b);
void html_heatmap(const out_t *O, zn_buf *b);
void html_calibration(const out_t *O, zn_buf *b);
void build_metrics(out_t *O);   /* metrics.c */
void html_metrics(const out_t *O, zn_buf *b);
void build_kinetics(out_t *O);  /* kinetics.c */
void html_kinetics(const out_t *O, zn_buf *b);
char *group_label(const stab *f, size_t r, const int *by, size_t nby);
int has_doseresp(const out_t *O); /* doseresp.c: 4pl/3pl fits on a log axis */
int all_doseresp(const out_t *O); /* doseresp.c: every fit is 4pl/3pl (no kinetics section) */
void html_doseresp(const out_t *O, zn_buf *b);
void build_flags(out_t *O);     /* page.c */
void build_inputs(out_t *O);
void write_html(const out_t *O, const char *path);
void report_free(rep_t *R, out_t *O);

#endif
