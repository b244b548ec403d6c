/* zn-uptake-rate - counter records (CPM, DPM or any signal) to uptake in
 * pmol and rates in pmol/mg protein/min: blank, specific activity (given,
 * decay-corrected, or from standard wells), protein (a column or a BCA
 * plate with its standard curve), time; or initial rates from time courses. */
#include "zn.h"

#include <ctype.h>
#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "Usage: zn-uptake-rate [OPTIONS] [FILE...]\n"
    "Counter records (schema counts, joined to a layout) to uptake and rates:\n"
    "  pmol = (signal - blank) / SA          rate = pmol / (protein_mg * time_min)\n"
    "in pmol/mg/min (schema uptake).  Blank: the mean signal of role=blank\n"
    "records, when there are any.  Rates for role=sample records (or all when\n"
    "there is no role column); other records pass with their pmol.\n"
    "\n"
    "Signal and specific activity (SA):\n"
    "      --specific-activity X[UNIT]  SA: cpm/pmol (default unit), or an\n"
    "                        activity per amount (dpm/pmol, Bq/pmol, uCi/umol,\n"
    "                        mCi/mmol, Ci/mmol, kBq/nmol, ...), which needs DPM\n"
    "      --dpm             the signal is the dpm column (default cpm)\n"
    "      --efficiency E    counting efficiency (CPM/DPM, 0-1): DPM = CPM / E\n"
    "      --signal COL      another signal (e.g. ICP-MS counts of 70Zn), with\n"
    "      --per-pmol X      its value per pmol\n"
    "      --std-pmol COL    without an SA option: SA from role=standard records,\n"
    "                        the mean of (signal - blank) / pmol (default std_pmol)\n"
    "      --sa-by COLS      one SA per group of these columns (e.g. conc_uM when\n"
    "                        each concentration has its own standards)\n"
    "      --no-blank        do not subtract role=blank records\n"
    "Decay (an SA stated on another day than the counting):\n"
    "      --isotope NAME    Zn-65 (243.93 d), Cd-109 (461.4 d), I-125, Fe-59,\n"
    "                        Mn-54, Ca-45, Cu-64\n"
    "      --half-life T     or a half-life: T[d|h|min|y] (default days)\n"
    "      --reference-date D  when the SA was true (ISO 8601 date or date-time)\n"
    "      --count-date D    when the samples were counted (default: the\n"
    "                        count_date column)\n"
    "Protein and time:\n"
    "      --protein FILE    protein from a BCA plate stream (zn-ingest): standards\n"
    "                        (role standard or Gen5 STD/BLK) give a standard curve,\n"
    "                        samples are joined by --protein-by (default well)\n"
    "      --read NAME       the plate read to use (when there are several)\n"
    "      --protein-curve linear|quadratic  absorbance against standard (default\n"
    "                        linear)\n"
    "      --std-col COL     the standards' known protein (default std_ug_ml,\n"
    "                        std_mg_ml, std_ug or Gen5's gen5_conc)\n"
    "      --std-unit U      ug/mL, mg/mL or ug (default: from the column name)\n"
    "      --lysate-volume UL  volume each well was lysed in (concentrations -> mg)\n"
    "      --assay-volume UL   lysate volume assayed (standards as amounts, ug)\n"
    "      --dilution D      lysate dilution before the assay (default: the\n"
    "                        dilution column of the plate stream, or 1)\n"
    "      --extrapolate     keep protein outside the standards' range (flagged)\n"
    "      --no-protein      no protein: rate in pmol/min per well\n"
    "      --time MIN        uptake time in minutes, for records without time_min\n"
    "Counted aliquot (protein refers to the whole lysate):\n"
    "      --counted-fraction F  the fraction of each lysate that was counted\n"
    "                        (0-1): a sample's pmol is divided by F, so that pmol,\n"
    "                        pmol/mg and the rate refer to the whole well\n"
    "      --counted-volume UL   or the volume counted, with --lysate-volume (the\n"
    "                        volume each well was lysed in): F = counted / lysate\n"
    "Time courses:\n"
    "      --initial-rate    fit pmol/mg against time_min per group (line): one\n"
    "                        record per group with rate (slope), rate_se, CI,\n"
    "                        intercept, r2 and a linearity check (quadratic term)\n"
    "      --by COLS         the groups (default construct,conc_uM where present)\n"
    "      --alpha A         significance of the curvature test (default 0.05)\n"
    "      --force           compute again although the meta says it was done\n";

enum { OPT_SA = ZN_OPT_FIRST_OWN, OPT_DPM, OPT_EFF, OPT_SIGNAL, OPT_PER_PMOL, OPT_STD_PMOL, OPT_SA_BY,
       OPT_NO_BLANK, OPT_ISOTOPE, OPT_HALF_LIFE, OPT_REF_DATE, OPT_COUNT_DATE, OPT_PROTEIN, OPT_READ, OPT_CURVE,
       OPT_STD_COL, OPT_STD_UNIT, OPT_LYSATE, OPT_ASSAY, OPT_DILUTION, OPT_EXTRAP, OPT_NO_PROTEIN, OPT_TIME,
       OPT_INITIAL, OPT_BY, OPT_ALPHA, OPT_FORCE, OPT_PROTEIN_BY, OPT_COUNTED_FRACTION, OPT_COUNTED_VOLUME };

typedef struct {
    zn_opt o;
    const char *sa_text, *signal, *isotope_source, *std_pmol, *sa_by, *isotope, *ref_date, *count_date, *protein, *read, *std_col,
        *std_unit, *by, *protein_by;
    double sa;             /* SA in the signal's unit per pmol, after unit conversion */
    int sa_dpm;            /* the SA is an activity (needs DPM) */
    double efficiency, per_pmol, half_life_d, ref_days, count_days, lysate_ul, assay_ul, dilution, time_min,
        alpha;
    double counted;        /* fraction of the lysate counted (0: all of it) */
    double counted_ul;     /* --counted-volume */
    int dpm, no_blank, degree, extrapolate, no_protein, initial, force;
} args_t;

/* ------------------------------------------------------------ units */

/* "2.5", "1e3 dpm/pmol" -> the positive number and its unit ("" when none;
 * no unit here starts with e or E); NULL when s does not start so */
static const char *num_unit(const char *s, double *v)
{
    const char *p = s;
    while (*p && strchr("0123456789.+-eE", *p)) p++;
    if (p == s || zn_parse_double(s, (size_t)(p - s), v) != ZN_NUM_OK || !(*v > 0)) return NULL;
    while (*p == ' ') p++;
    return p;
}

/* "2.5", "2200 dpm/pmol", "1.2uCi/umol" -> SA per pmol; *dpm = 1 when the
 * unit is an activity (dpm, Bq, Ci) rather than counts per minute. */
static double parse_sa(const char *s, int *dpm)
{
    double v;
    const char *p = num_unit(s, &v);
    if (!p) zn_usage_error("--specific-activity: \"%s\" is not a positive number with an optional unit", s);
    *dpm = 0;
    if (!*p || strcasecmp(p, "cpm/pmol") == 0) return v;
    const char *slash = strchr(p, '/');
    if (!slash) zn_usage_error("--specific-activity: unit \"%s\" is not ACTIVITY/AMOUNT (e.g. dpm/pmol, uCi/umol)", p);
    static const struct {
        const char *name;
        double dpm;
    } act[] = {{"dpm", 1},           {"Bq", 60},          {"kBq", 60e3},        {"MBq", 60e6},
               {"GBq", 60e9},        {"Ci", 2.22e12},     {"mCi", 2.22e9},      {"uCi", 2.22e6},
               {"\xc2\xb5" "Ci", 2.22e6}, {"nCi", 2.22e3}};
    static const struct {
        const char *name;
        double pmol;
    } amt[] = {{"mol", 1e12}, {"mmol", 1e9}, {"umol", 1e6}, {"\xc2\xb5mol", 1e6}, {"nmol", 1e3}, {"pmol", 1},
               {"fmol", 1e-3}};
    double a = 0, m = 0;
    size_t al = (size_t)(slash - p);
    for (size_t i = 0; i < sizeof act / sizeof act[0]; i++)
        if (strlen(act[i].name) == al && strncmp(p, act[i].name, al) == 0) a = act[i].dpm;
    for (size_t i = 0; i < sizeof amt / sizeof amt[0]; i++)
        if (strcmp(slash + 1, amt[i].name) == 0) m = amt[i].pmol;
    if (!a || !m)
        zn_usage_error("--specific-activity: unknown unit \"%s\" (activity: dpm, Bq, kBq, MBq, GBq, Ci, mCi, uCi, "
                       "nCi; amount: mol, mmol, umol, nmol, pmol, fmol; or cpm/pmol)",
                       p);
    *dpm = 1;
    return v * a / m;
}

static const struct {
    const char *name;
    double days;
    const char *source;
} isotopes[] = {
    {"Zn-65", 243.93, "NNDC/ChemLin"}, {"Cd-109", 461.4, "DDEP (Schoenfeld and Dersch 2004)"},
    {"I-125", 59.388, "NNDC"},         {"Fe-59", 44.495, "NNDC"},
    {"Mn-54", 312.20, "NNDC"},         {"Ca-45", 162.61, "NNDC"},
    {"Cu-64", 12.7004 / 24, "NNDC"},
};

/* "Zn-65", "65Zn", "zn65" -> index, -1 unknown */
static int find_isotope(const char *name)
{
    char a[16] = {0};
    size_t k = 0;
    for (const char *p = name; *p && k < 15; p++)
        if (*p != '-' && *p != ' ') a[k++] = (char)toupper((unsigned char)*p);
    for (size_t i = 0; i < sizeof isotopes / sizeof isotopes[0]; i++) {
        /* element then mass, or mass then element */
        const char *n = isotopes[i].name, *dash = strchr(n, '-');
        char x1[16], x2[16];
        int el = (int)(dash - n);
        snprintf(x1, sizeof x1, "%.*s%s", el, n, dash + 1);
        snprintf(x2, sizeof x2, "%s%.*s", dash + 1, el, n);
        if (strcasecmp(a, x1) == 0 || strcasecmp(a, x2) == 0) return (int)i;
    }
    return -1;
}

static double parse_half_life(const char *s)
{
    double v;
    const char *p = num_unit(s, &v);
    if (!p) zn_usage_error("--half-life: \"%s\" is not a positive number with an optional unit (d, h, min, y)", s);
    if (!*p || strcmp(p, "d") == 0) return v;
    if (strcmp(p, "h") == 0) return v / 24;
    if (strcmp(p, "min") == 0) return v / 1440;
    if (strcmp(p, "y") == 0 || strcmp(p, "a") == 0) return v * 365.2422;
    zn_usage_error("--half-life: unknown unit \"%s\" (d, h, min, y)", p);
}

static double parse_date(const char *opt, const char *s)
{
    double d;
    if (zn_iso_days(s, &d) < 0)
        zn_usage_error("%s: \"%s\" is not an ISO 8601 date or date-time (2024-03-06, 2024-03-06T12:42)", opt, s);
    return d;
}

/* ------------------------------------------------------------ protein */

/* Protein per key (a well, or what --protein-by names) from a BCA plate:
 * the replicate wells used (mean = sum / n) and those outside the standards */
typedef struct {
    double sum;
    long n, nout;
} pgrp_t;
typedef struct {
    zn_dict d;
    pgrp_t *g;
    size_t cap;
    char *meta; /* the ##protein= line */
} protein_t;

typedef struct {
    char *key, *well;
    int kind; /* 0 sample, 1 standard */
    double known, a, dil;
    long line;
} pwell_t;

/* The unit of the standards: --std-unit, or from the column's name; NULL
 * when neither says */
static const char *unit_of(const char *col, const char *opt)
{
    if (opt) {
        if (strcasecmp(opt, "ug/mL") == 0) return "ug/mL";
        if (strcasecmp(opt, "mg/mL") == 0) return "mg/mL";
        if (strcasecmp(opt, "ug") == 0) return "ug";
        zn_usage_error("--std-unit: \"%s\" is not ug/mL, mg/mL or ug", opt);
    }
    size_t n = strlen(col);
#define ENDS(s) (n >= sizeof(s) - 1 && strcasecmp(col + n - (sizeof(s) - 1), s) == 0)
    if (ENDS("_ug_ml") || ENDS("_ug_per_ml")) return "ug/mL";
    if (ENDS("_mg_ml") || ENDS("_mg_per_ml")) return "mg/mL";
    if (ENDS("_ug")) return "ug";
#undef ENDS
    return NULL;
}

static void load_protein(const args_t *a, protein_t *pr)
{
    memset(pr, 0, sizeof *pr);
    zn_in in;
    char *files[1] = {(char *)a->protein};
    if (zn_in_open(&in, files, 1) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    int cv = zn_in_need(&in, "value");
    int ckey = zn_in_col(&in, a->protein_by);
    if (ckey < 0)
        zn_die(ZN_EXIT_DATA, "%s: no column '%s' to join the protein to the uptake records by (--protein-by)",
               a->protein, a->protein_by);
    int cwell = zn_in_col(&in, "well"), cread = zn_in_col(&in, "read"), crole = zn_in_col(&in, "role");
    int cgid = zn_in_col(&in, "gen5_id"), cgconc = zn_in_col(&in, "gen5_conc"), cdil = zn_in_col(&in, "dilution");
    if (cdil >= 0 && a->dilution > 0)
        zn_die(ZN_EXIT_USAGE, "%s has a dilution column; --dilution would contradict it", a->protein);
    int cstd = -1;
    const char *stdname = a->std_col;
    if (stdname) cstd = zn_in_need(&in, stdname);
    else {
        static const char *const cand[] = {"std_ug_ml", "std_mg_ml", "std_ug", "gen5_conc"};
        for (size_t i = 0; i < 4 && cstd < 0; i++)
            if ((cstd = zn_in_col(&in, cand[i])) >= 0) stdname = cand[i];
        if (cstd < 0)
            zn_die(ZN_EXIT_DATA,
                   "%s: no column with the standards' protein (std_ug_ml, std_mg_ml, std_ug or Gen5's layout); "
                   "name it with --std-col",
                   a->protein);
    }
    int gen5 = crole < 0 && cgid >= 0 && cstd == cgconc;
    const char *unit = unit_of(stdname, a->std_unit);
    if (!unit)
        zn_die(ZN_EXIT_USAGE,
               "%s: the unit of the standards in '%s' is not stated: give --std-unit ug/mL (BSA standards as "
               "concentrations, as in the Pierce kit), mg/mL or ug",
               a->protein, stdname);
    int conc = strcmp(unit, "ug") != 0;
    double to_mg; /* mg per (standard unit * dilution) in one uptake well */
    if (conc) {
        if (!(a->lysate_ul > 0))
            zn_die(ZN_EXIT_USAGE,
                   "the protein standards are concentrations (%s): give --lysate-volume UL, the volume each well "
                   "was lysed in",
                   unit);
        to_mg = a->lysate_ul * 1e-3 * (strcmp(unit, "ug/mL") == 0 ? 1e-3 : 1);
    } else {
        if ((a->lysate_ul > 0) != (a->assay_ul > 0))
            zn_die(ZN_EXIT_USAGE, "standards as amounts (ug): give both --lysate-volume and --assay-volume, or "
                                  "neither (the whole lysate was assayed)");
        to_mg = 1e-3 * (a->lysate_ul > 0 ? a->lysate_ul / a->assay_ul : 1);
    }
    /* read the records */
    pwell_t *w = NULL;
    size_t nw = 0, wcap = 0;
    char **reads = NULL;
    size_t nreads = 0, rcap = 0;
    int k;
    while ((k = zn_in_next(&in)) != ZN_EOF) {
        if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in.err);
        if (k == ZN_SEG) continue;
        if (cread >= 0) {
            size_t i = 0;
            while (i < nreads && strcmp(reads[i], in.f[cread])) i++;
            if (i == nreads) {
                zn_grow(&reads, &rcap, nreads + 1, sizeof *reads);
                reads[nreads++] = zn_strdup(in.f[cread]);
            }
            if (a->read && strcmp(in.f[cread], a->read)) continue;
        }
        int kind; /* 0 sample, 1 standard, -1 skip */
        double known = NAN, dil = a->dilution > 0 ? a->dilution : 1, x;
        const char *role = crole >= 0 ? in.f[crole] : NULL;
        if (role) {
            kind = strcmp(role, "standard") == 0 || strcmp(role, "blank") == 0 ? 1
                   : strcmp(role, "sample") == 0                             ? 0
                                                                             : -1;
            if (kind == 1) {
                if (zn_in_num(&in, cstd, &x) == ZN_NUM_OK) known = x;
                else if (strcmp(role, "blank") == 0) known = 0;
                else zn_in_die(&in, "standard well without its protein in '%s'", stdname);
            }
        } else if (gen5) {
            const char *id = in.f[cgid];
            if (strncmp(id, "STD", 3) == 0) {
                kind = 1;
                if (zn_in_num(&in, cstd, &x) != ZN_NUM_OK) zn_in_die(&in, "Gen5 standard %s without Conc", id);
                known = x;
            } else if (strncmp(id, "BLK", 3) == 0) {
                kind = 1;
                known = 0;
            } else if (strncmp(id, "SPL", 3) == 0) {
                /* Gen5's Conc/Dil of a sample is not applied: the export does
                 * not say whether it is a factor or a fraction (its sample
                 * plate has 1, 0.5, 0.25 where the absorbances halve, and its
                 * own [Concentration] ignores them) */
                kind = 0;
            } else kind = -1;
        } else {
            kind = zn_in_num(&in, cstd, &x) == ZN_NUM_OK ? 1 : 0;
            known = x;
        }
        if (kind < 0) continue;
        if (kind == 0 && cdil >= 0 && zn_in_num(&in, cdil, &x) == ZN_NUM_OK) {
            if (!(x > 0)) zn_in_die(&in, "dilution %g is not positive", x);
            dil = x;
        }
        zn_grow(&w, &wcap, nw + 1, sizeof *w);
        pwell_t *p = &w[nw++];
        p->key = zn_strdup(in.f[ckey]);
        p->well = zn_strdup(cwell >= 0 ? in.f[cwell] : in.f[ckey]);
        p->kind = kind;
        p->known = known;
        p->a = zn_in_num(&in, cv, &x) == ZN_NUM_OK ? x : NAN;
        p->dil = dil;
        p->line = in.lineno;
    }
    if (cread >= 0 && !a->read && nreads > 1) {
        zn_buf b = {0};
        for (size_t i = 0; i < nreads; i++) {
            zn_buf_adds(&b, i ? ", " : "");
            zn_buf_addf(&b, "'%s'", reads[i]);
        }
        zn_die(ZN_EXIT_USAGE, "%s has %zu reads (%s): choose one with --read", a->protein, nreads, b.s);
    }
    if (a->read) {
        size_t i = 0;
        while (i < nreads && strcmp(reads[i], a->read)) i++;
        if (cread < 0 || i == nreads) zn_die(ZN_EXIT_DATA, "%s: no read '%s'", a->protein, a->read);
    }
    /* the standard curve: absorbance against the known protein */
    double *x = zn_calloc(nw + 1, sizeof *x), *y = zn_calloc(nw + 1, sizeof *y);
    size_t ns = 0, levels = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nw; i++) {
        if (w[i].kind != 1) continue;
        if (isnan(w[i].a)) {
            zn_warn("%s:%ld: standard well %s has no reading: left out of the curve", a->protein, w[i].line,
                    w[i].well);
            continue;
        }
        size_t j = 0;
        while (j < ns && x[j] != w[i].known) j++;
        if (j == ns) levels++;
        x[ns] = w[i].known;
        y[ns++] = w[i].a;
        if (w[i].known < lo) lo = w[i].known;
        if (w[i].known > hi) hi = w[i].known;
    }
    size_t need = (size_t)a->degree + 2;
    if (levels < need)
        zn_die(ZN_EXIT_DATA, "%s: %zu standard level%s; a %s standard curve needs at least %zu", a->protein, levels,
               levels == 1 ? "" : "s", a->degree == 1 ? "linear" : "quadratic", need);
    zn_polyres fit;
    if (zn_polyfit(x, y, ns, a->degree, &fit) < 0) zn_die(ZN_EXIT_DATA, "%s: the standard curve cannot be fitted", a->protein);
    /* it must rise (or fall) over the whole range of the standards */
    double s_lo = fit.c[1] + (a->degree == 2 ? 2 * fit.c[2] * lo : 0),
           s_hi = fit.c[1] + (a->degree == 2 ? 2 * fit.c[2] * hi : 0);
    if (!(s_lo > 0 && s_hi > 0) && !(s_lo < 0 && s_hi < 0))
        zn_die(ZN_EXIT_DATA,
               "%s: the standard curve is not monotonic over the standards (%g to %g %s): check the standards%s",
               a->protein, lo, hi, unit, a->degree == 2 ? " or use --protein-curve linear" : "");
    if (fit.r2 < 0.99)
        zn_warn("%s: standard curve r2 = %.4f (below 0.99): check the standards", a->protein, fit.r2);
    if (a->degree == 1 && levels >= 4) {
        zn_polyres q;
        if (zn_polyfit(x, y, ns, 2, &q) == 0 && q.p_top < 0.01)
            zn_warn("%s: the standards curve (quadratic term p = %.2g): consider --protein-curve quadratic",
                    a->protein, q.p_top);
    }
    /* the unknowns */
    long nout = 0;
    double tol = 1e-9 * (hi - lo);
    for (size_t i = 0; i < nw; i++) {
        if (w[i].kind != 0) continue;
        size_t before = pr->d.n;
        size_t gi = zn_dict_put(&pr->d, w[i].key, pr->d.n);
        if (pr->d.n > before) {
            zn_grow(&pr->g, &pr->cap, pr->d.n, sizeof *pr->g);
            memset(&pr->g[gi], 0, sizeof pr->g[gi]);
        }
        pgrp_t *g = &pr->g[gi];
        if (isnan(w[i].a)) continue; /* no reading (an instrument flag) */
        double c = zn_poly_invert(&fit, w[i].a, lo, hi);
        int out = isnan(c) || c < lo - tol || c > hi + tol;
        if (out) {
            g->nout++;
            nout++;
            if (nout <= 10)
                zn_warn("%s:%ld: well %s: absorbance %g is outside the standards (%g to %g %s)%s", a->protein,
                        w[i].line, w[i].well, w[i].a, lo, hi, unit,
                        isnan(c) ? ": beyond the curve" : a->extrapolate ? ": extrapolated" : "");
            if (!a->extrapolate || isnan(c)) continue;
        }
        double mg = c * w[i].dil * to_mg;
        if (!(mg > 0))
            zn_die(ZN_EXIT_DATA, "%s:%ld: well %s: protein %g mg is not positive (absorbance %g)", a->protein,
                   w[i].line, w[i].well, mg, w[i].a);
        g->sum += mg;
        g->n++;
    }
    if (nout > 10) zn_warn("%s: %ld wells outside the standards in all", a->protein, nout);
    zn_buf b = {0};
    zn_buf_addf(&b, "protein=bca:%s:read=%s:curve=%s:c0=%.10g:c1=%.10g", a->protein,
                a->read ? a->read : (nreads ? reads[0] : "-"), a->degree == 1 ? "linear" : "quadratic", fit.c[0],
                fit.c[1]);
    if (a->degree == 2) zn_buf_addf(&b, ":c2=%.10g", fit.c[2]);
    zn_buf_addf(&b, ":r2=%.6f:n=%zu:levels=%zu:range=%g-%g:unit=%s:mg_per_unit=%.10g", fit.r2, ns, levels, lo, hi,
                unit, to_mg);
    pr->meta = b.s;
    for (size_t i = 0; i < nw; i++) {
        free(w[i].key);
        free(w[i].well);
    }
    for (size_t i = 0; i < nreads; i++) free(reads[i]);
    free(reads);
    free(w);
    free(x);
    free(y);
    zn_in_close(&in);
}

static void protein_free(protein_t *pr)
{
    zn_dict_free(&pr->d);
    free(pr->g);
    free(pr->meta);
}

/* ------------------------------------------------------------ records */

enum { ROLE_SAMPLE, ROLE_STANDARD, ROLE_BLANK, ROLE_OTHER };

typedef struct {
    int role;
    double sig, pmol, protein, time, sa;
    char *sakey, *bykey; /* --sa-by and --by keys (zn_key_make) */
    const pgrp_t *pg;    /* the plate's protein for this well (--protein) */
} row_t;

/* the standards of one --sa-by group: sum of (signal - blank)/pmol, n */
typedef struct {
    zn_dict d;
    struct {
        double sum;
        long n;
    } *g;
    size_t cap;
} sagrp_t;

/* "FILE:LINE: well B3" (or position, or only the line) for messages; a
 * static buffer, so that dying after it leaks nothing */
static const char *where(const zn_cellbuf *c, size_t r, int cwell, int cpos)
{
    static char buf[512];
    if (cwell >= 0 && zn_cellbuf_l(c, r, (size_t)cwell))
        snprintf(buf, sizeof buf, "%s:%ld: well %s", c->file[r], c->line[r], zn_cellbuf_f(c, r, (size_t)cwell));
    else if (cpos >= 0 && zn_cellbuf_l(c, r, (size_t)cpos))
        snprintf(buf, sizeof buf, "%s:%ld: position %s", c->file[r], c->line[r], zn_cellbuf_f(c, r, (size_t)cpos));
    else snprintf(buf, sizeof buf, "%s:%ld", c->file[r], c->line[r]);
    return buf;
}

typedef struct {
    const args_t *a;
    const protein_t *pr;
    zn_in *in;
    zn_wr *w;
} ctx_t;

/* The --by columns of --initial-rate (default: construct, conc_uM,
 * inhibitor_uM where present); dies when there are none. */
static size_t by_cols(const args_t *a, const zn_in *in, int *bc)
{
    if (a->by) return zn_in_collist(in, a->by, bc, 16, "--by");
    size_t nb = 0;
    static const char *const def[] = {"construct", "conc_uM", "inhibitor_uM"};
    for (size_t i = 0; i < 3; i++) {
        int k = zn_in_col(in, def[i]);
        if (k >= 0) bc[nb++] = k;
    }
    if (!nb)
        zn_die(ZN_EXIT_USAGE, "%s: --initial-rate: no construct or conc_uM column to group by: name the groups with --by",
               in->file);
    return nb;
}

/* initial rates: one record per group, groups in the order they first appear */
static void initial_rates(const ctx_t *x, const zn_cellbuf *c, const row_t *rows, const zn_meta *meta,
                          const int *bc, size_t nb)
{
    const args_t *a = x->a;
    zn_in *in = x->in;
    zn_dict d = {0};
    size_t *first = NULL, fcap = 0;
    size_t *gof = zn_malloc((c->n + 1) * sizeof *gof);
    for (size_t r = 0; r < c->n; r++) {
        gof[r] = (size_t)-1;
        if (rows[r].role != ROLE_SAMPLE) continue;
        size_t before = d.n, g = zn_dict_put(&d, rows[r].bykey, d.n);
        if (d.n > before) {
            zn_grow(&first, &fcap, d.n, sizeof *first);
            first[g] = r;
        }
        gof[r] = g;
    }
    /* output */
    char *names[32];
    size_t nc = 0;
    for (size_t i = 0; i < nb; i++) names[nc++] = in->cols[bc[i]];
    static const char *const add[] = {"n",         "n_times",      "rate", "rate_se", "rate_lo", "rate_hi",
                                      "intercept", "intercept_se", "r2",   "curvature_p", "linearity", "flag"};
    for (size_t i = 0; i < sizeof add / sizeof add[0]; i++) names[nc++] = (char *)add[i];
    zn_meta m = {0};
    for (size_t i = 0; i < meta->n; i++)
        if (strncmp(meta->v[i], "schema=", 7) && strncmp(meta->v[i], "znr=", 4) && strncmp(meta->v[i], "unit.", 5))
            zn_meta_add(&m, meta->v[i]);
    zn_meta_add(&m, "schema=uptake");
    zn_meta_addf(&m, "initial_rate=linear:%s:by=%s:alpha=%g", a->no_protein ? "pmol" : "pmol_mg",
                 a->by ? a->by : "default", a->alpha);
    zn_meta_add(&m, a->no_protein ? "unit.rate=pmol/min" : "unit.rate=pmol/mg/min");
    zn_meta_add(&m, "unit.intercept=pmol/mg");
    zn_out_head(x->w, &m, a->o.no_pg ? NULL : a->o.pg, names, nc);
    zn_meta_clear(&m);
    free(m.v);
    zn_cols cols = {0};
    cols.cols = names;
    cols.n = nc;
    zn_rec rec;
    zn_rec_init(&rec, &cols, nc - 1);
    double *tx = zn_malloc((c->n + 1) * sizeof *tx), *ty = zn_malloc((c->n + 1) * sizeof *ty);
    for (size_t g = 0; g < d.n; g++) {
        size_t n = 0;
        for (size_t r = first[g]; r < c->n; r++) {
            if (gof[r] != g) continue;
            double v = a->no_protein ? rows[r].pmol : rows[r].pmol / rows[r].protein;
            if (isnan(v) || isnan(rows[r].time)) continue;
            tx[n] = rows[r].time;
            ty[n++] = v;
        }
        for (size_t i = 0; i < nc; i++) zn_rec_set(&rec, i, "", 0);
        rec.flag.n = 0;
        for (size_t i = 0; i < nb; i++)
            zn_rec_set(&rec, i, zn_cellbuf_f(c, first[g], (size_t)bc[i]), zn_cellbuf_l(c, first[g], (size_t)bc[i]));
        size_t distinct = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < i && tx[j] != tx[i]) j++;
            distinct += j == i;
        }
        zn_rec_num(&rec, nb, (double)n);
        zn_rec_num(&rec, nb + 1, (double)distinct);
        zn_polyres f, q;
        const char *lin = "untested";
        if (distinct < 2 || zn_polyfit(tx, ty, n, 1, &f) < 0) {
            zn_rec_flag(&rec, "insufficient_data");
            lin = "";
        } else {
            zn_rec_num(&rec, nb + 2, f.c[1]);
            zn_rec_num(&rec, nb + 6, f.c[0]);
            zn_rec_num(&rec, nb + 8, f.r2);
            if (f.df > 0) {
                double tq = gsl_cdf_tdist_Qinv(0.025, (double)f.df);
                zn_rec_num(&rec, nb + 3, f.se[1]);
                zn_rec_num(&rec, nb + 4, f.c[1] - tq * f.se[1]);
                zn_rec_num(&rec, nb + 5, f.c[1] + tq * f.se[1]);
                zn_rec_num(&rec, nb + 7, f.se[0]);
            }
            if (distinct >= 3 && n >= 4 && zn_polyfit(tx, ty, n, 2, &q) == 0 && !isnan(q.p_top)) {
                zn_rec_num(&rec, nb + 9, q.p_top);
                lin = q.p_top < a->alpha ? "curved" : "ok";
                if (q.p_top < a->alpha) zn_rec_flag(&rec, q.c[2] < 0 ? "curved_saturating" : "curved_accelerating");
            }
        }
        zn_rec_set(&rec, nb + 10, lin, strlen(lin));
        zn_rec_write(x->w, &rec);
    }
    zn_rec_free(&rec);
    free(tx);
    free(ty);
    free(first);
    free(gof);
    zn_dict_free(&d);
}

static void segment(const ctx_t *x, int *more)
{
    const args_t *a = x->a;
    zn_in *in = x->in;
    zn_meta_once(in->file, &in->meta, "uptake", a->force, "uptake already computed", "to compute it again");
    const char *signame = a->signal ? a->signal : a->dpm ? "dpm" : "cpm";
    int csig = zn_in_col(in, signame);
    if (csig < 0)
        zn_die(ZN_EXIT_DATA, "%s: no column '%s' (the signal)%s", in->file, signame,
               a->signal ? "" : a->dpm ? "" : "; a counter that reports DPM only: --dpm");
    int crole = zn_in_col(in, "role"), cwell = zn_in_col(in, "well"), cpos = zn_in_col(in, "position");
    int ctime = zn_in_col(in, "time_min"), cprot = zn_in_col(in, "protein_mg"), cdate = zn_in_col(in, "count_date");
    int cstd = zn_in_col(in, a->std_pmol);
    int ck = a->protein ? zn_in_col(in, a->protein_by) : -1;
    if (a->protein && ck < 0)
        zn_die(ZN_EXIT_DATA, "%s: no column '%s' to join the protein by (--protein-by)", in->file, a->protein_by);
    int decay = a->half_life_d > 0;
    if (!a->no_protein && !a->protein && cprot < 0)
        zn_die(ZN_EXIT_DATA,
               "%s: no protein: the records have no protein_mg column; give --protein FILE (a BCA plate) or "
               "--no-protein (rates per well)",
               in->file);
    if (a->initial && ctime < 0 && !(a->time_min > 0))
        zn_die(ZN_EXIT_DATA, "%s: --initial-rate needs a time_min column (the time course)", in->file);
    int sac[16], bc[16];
    size_t nsa = a->sa_by ? zn_in_collist(in, a->sa_by, sac, 16, "--sa-by") : 0;
    size_t nb = a->initial ? by_cols(a, in, bc) : 0;
    /* read the segment: a counter run is a few hundred records.  Static:
     * still reachable when the program dies on bad data further down. */
    static zn_cellbuf c;
    static row_t *rows;
    static sagrp_t sg;
    memset(&c, 0, sizeof c);
    memset(&sg, 0, sizeof sg);
    rows = NULL;
    size_t rcap = 0;
    int k;
    while ((k = zn_in_next(in)) == ZN_REC) {
        zn_grow(&rows, &rcap, c.n + 1, sizeof *rows);
        row_t *r = &rows[c.n];
        memset(r, 0, sizeof *r);
        const char *role = crole >= 0 ? in->f[crole] : "";
        r->role = !*role || strcmp(role, "sample") == 0 ? ROLE_SAMPLE
                  : strcmp(role, "standard") == 0      ? ROLE_STANDARD
                  : strcmp(role, "blank") == 0         ? ROLE_BLANK
                                                       : ROLE_OTHER;
        double v;
        r->sig = zn_in_num(in, csig, &v) == ZN_NUM_OK ? v : NAN;
        if (a->efficiency > 0 && !isnan(r->sig)) r->sig /= a->efficiency;
        r->pmol = r->protein = r->time = r->sa = NAN;
        if (ctime >= 0 && zn_in_num(in, ctime, &v) == ZN_NUM_OK) r->time = v;
        else if (a->time_min > 0) r->time = a->time_min;
        if (cprot >= 0 && !a->protein && zn_in_num(in, cprot, &v) == ZN_NUM_OK) r->protein = v;
        r->sakey = nsa ? zn_key_make(in, sac, nsa) : NULL;
        r->bykey = nb ? zn_key_make(in, bc, nb) : NULL;
        zn_cellbuf_add(&c, in);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    *more = k == ZN_SEG;
    /* blank */
    double blank = 0;
    long nblank = 0;
    if (!a->no_blank) {
        double s = 0;
        for (size_t r = 0; r < c.n; r++)
            if (rows[r].role == ROLE_BLANK && !isnan(rows[r].sig)) {
                s += rows[r].sig;
                nblank++;
            }
        if (nblank) blank = s / (double)nblank;
    }
    /* specific activity: given, or from the standards */
    double sa_given = a->signal ? a->per_pmol : a->sa;
    if (!(sa_given > 0)) {
        if (cstd < 0)
            zn_die(ZN_EXIT_USAGE,
                   "%s: no specific activity: give --specific-activity (or --per-pmol with --signal), or standard "
                   "records (role standard) with their pmol in a '%s' column",
                   in->file, a->std_pmol);
        for (size_t r = 0; r < c.n; r++) {
            if (rows[r].role != ROLE_STANDARD) continue;
            double p;
            const char *f = zn_cellbuf_f(&c, r, (size_t)cstd);
            size_t l = zn_cellbuf_l(&c, r, (size_t)cstd);
            if (zn_parse_double(f, l, &p) != ZN_NUM_OK || !(p > 0)) {
                const char *wh = where(&c, r, cwell, cpos);
                zn_die(ZN_EXIT_DATA, "%s: standard without a positive pmol in '%s'", wh, a->std_pmol);
            }
            if (isnan(rows[r].sig)) {
                const char *wh = where(&c, r, cwell, cpos);
                zn_warn("%s: standard without a signal: left out", wh);
                continue;
            }
            const char *key = rows[r].sakey ? rows[r].sakey : "";
            size_t before = sg.d.n, g = zn_dict_put(&sg.d, key, sg.d.n);
            if (sg.d.n > before) {
                zn_grow(&sg.g, &sg.cap, sg.d.n, sizeof *sg.g);
                sg.g[g].sum = 0;
                sg.g[g].n = 0;
            }
            sg.g[g].sum += (rows[r].sig - blank) / p;
            sg.g[g].n++;
        }
        if (!sg.d.n)
            zn_die(ZN_EXIT_DATA,
                   "%s: no specific activity: no standard records (role standard with '%s') and no "
                   "--specific-activity",
                   in->file, a->std_pmol);
        for (size_t g = 0; g < sg.d.n; g++)
            if (!(sg.g[g].sum > 0)) zn_die(ZN_EXIT_DATA, "%s: the standards' signal is not above the blank", in->file);
    }
    /* per record: SA, pmol, protein */
    long nmissing = 0, nout = 0;
    for (size_t r = 0; r < c.n; r++) {
        row_t *w = &rows[r];
        if (w->role == ROLE_BLANK || w->role == ROLE_OTHER) continue;
        if (sa_given > 0) {
            w->sa = sa_given;
            if (decay) {
                double cd = a->count_days;
                if (isnan(cd)) {
                    const char *f = cdate >= 0 ? zn_cellbuf_f(&c, r, (size_t)cdate) : "";
                    if (!*f || zn_iso_days(f, &cd) < 0) {
                        const char *wh = where(&c, r, cwell, cpos);
                        zn_die(ZN_EXIT_DATA, "%s: %s: give --count-date for decay correction", wh,
                               *f ? "count_date is not an ISO 8601 date" : "no count date");
                    }
                }
                w->sa *= exp(-M_LN2 * (cd - a->ref_days) / a->half_life_d);
            }
        } else {
            const char *key = w->sakey ? w->sakey : "";
            size_t g = zn_dict_get(&sg.d, key);
            if (g == (size_t)-1) {
                char *names[16];
                for (size_t i = 0; i < nsa; i++) names[i] = in->cols[sac[i]];
                char *kt = zn_key_text(names, nsa, key);
                const char *wh = where(&c, r, cwell, cpos);
                zn_die(ZN_EXIT_DATA, "%s: no standards at %s (--sa-by %s)", wh, kt, a->sa_by);
            }
            w->sa = sg.g[g].sum / (double)sg.g[g].n;
        }
        if (!isnan(w->sig)) w->pmol = (w->sig - blank) / w->sa;
        if (w->role != ROLE_SAMPLE) continue;
        /* a counted aliquot holds that fraction of the well's tracer (the
         * blank is the counter's background in a vial, before scaling) */
        if (a->counted > 0) w->pmol /= a->counted;
        if (isnan(w->sig)) {
            nmissing++;
            continue;
        }
        const char *wh = NULL;
        if (isnan(w->time) || !(w->time > 0)) {
            wh = where(&c, r, cwell, cpos);
            if (isnan(w->time))
                zn_die(ZN_EXIT_DATA, "%s: no uptake time: give a time_min column or --time MIN", wh);
            zn_die(ZN_EXIT_DATA, "%s: uptake time %g min is not positive", wh, w->time);
        }
        if (a->no_protein) continue;
        if (a->protein) {
            const char *key = zn_cellbuf_f(&c, r, (size_t)ck);
            size_t g = zn_dict_get(&x->pr->d, key);
            if (g == (size_t)-1) {
                wh = where(&c, r, cwell, cpos);
                zn_die(ZN_EXIT_DATA, "%s: no protein: %s has no sample with %s=%s", wh, a->protein, a->protein_by,
                       key);
            }
            w->pg = &x->pr->g[g];
            if (w->pg->n) w->protein = w->pg->sum / (double)w->pg->n;
            else nout++;
        } else if (isnan(w->protein) || !(w->protein > 0)) {
            wh = where(&c, r, cwell, cpos);
            zn_die(ZN_EXIT_DATA, "%s: protein_mg is %s: every sample needs its protein", wh,
                   isnan(w->protein) ? "missing" : "not positive");
        }
    }
    if (nmissing) zn_warn("%s: %ld sample%s without a signal (counter flags): no rate", in->file, nmissing,
                          nmissing == 1 ? "" : "s");
    if (nout)
        zn_warn("%s: %ld sample%s without protein (outside the standards' range, or no reading): no rate "
                "(flagged; --extrapolate keeps those outside)",
                in->file, nout, nout == 1 ? "" : "s");
    /* the meta of the output */
    zn_meta m = {0};
    zn_meta_copy(&m, &in->meta);
    for (size_t i = 0; i < m.n; i++)
        if (strncmp(m.v[i], "schema=", 7) == 0) {
            free(m.v[i]);
            m.v[i] = zn_strdup("schema=uptake");
        }
    if (!zn_meta_get(&m, "schema")) zn_meta_add(&m, "schema=uptake");
    {
        zn_buf b = {0};
        zn_buf_addf(&b, "uptake=signal:%s", signame);
        if (a->efficiency > 0) zn_buf_addf(&b, ":efficiency=%g", a->efficiency);
        zn_buf_addf(&b, ":blank=%s", nblank ? "" : "none");
        if (nblank) zn_buf_addf(&b, "%.10g(n=%ld)", blank, nblank);
        if (sa_given > 0) zn_buf_addf(&b, ":sa=%.10g%s", sa_given, a->signal ? "/pmol" : a->sa_dpm || a->dpm || a->efficiency > 0 ? "dpm/pmol" : "cpm/pmol");
        else zn_buf_addf(&b, ":sa=standards:%s%s%s", a->std_pmol, nsa ? ":by=" : "", nsa ? a->sa_by : "");
        if (decay) {
            zn_buf_addf(&b, ":decay=%s:half_life_d=%.10g", a->isotope ? a->isotope : "half-life", a->half_life_d);
            if (a->isotope_source) zn_buf_addf(&b, "(%s)", a->isotope_source);
            zn_buf_addf(&b, ":reference=%s", a->ref_date);
            if (a->count_date) zn_buf_addf(&b, ":count=%s", a->count_date);
        }
        if (a->counted > 0) {
            zn_buf_addf(&b, ":counted_fraction=%.10g", a->counted);
            if (a->counted_ul > 0) zn_buf_addf(&b, "(%.10g of %.10g uL)", a->counted_ul, a->lysate_ul);
        }
        zn_buf_addf(&b, ":protein=%s", a->no_protein ? "none" : a->protein ? "bca" : "protein_mg");
        zn_meta_add(&m, b.s);
        zn_buf_free(&b);
    }
    if (!a->initial) {
        /* a rate from one time point assumes uptake is linear up to it:
         * say what evidence the data hold (a time course is fitted and
         * tested by --initial-rate) */
        size_t nt = 0;
        double t1 = NAN, t2 = NAN;
        for (size_t r = 0; r < c.n; r++) {
            const row_t *w = &rows[r];
            if (w->role != ROLE_SAMPLE || isnan(w->sig) || isnan(w->time)) continue;
            if (!nt) t1 = w->time, nt = 1;
            else if (w->time != t1 && (nt == 1 || w->time != t2)) {
                if (nt == 1) t2 = w->time;
                nt++;
                if (nt > 2) break;
            }
        }
        if (nt == 1)
            zn_meta_addf(&m, "linearity=untested:one time point (%.10g min): the rate assumes uptake is linear up "
                              "to it; a time course (zn-uptake-rate --initial-rate) tests that",
                         t1);
        else if (nt > 1)
            zn_meta_add(&m, "linearity=untested:several time points, each rate from its own: fit them with "
                            "zn-uptake-rate --initial-rate to test linearity");
    }
    if (a->protein) zn_meta_add(&m, x->pr->meta);
    if (a->initial) {
        initial_rates(x, &c, rows, &m, bc, nb);
    } else {
        zn_meta_add(&m, "unit.pmol=pmol");
        if (!a->no_protein) zn_meta_add(&m, "unit.protein_mg=mg");
        zn_meta_add(&m, a->no_protein ? "unit.rate=pmol/min" : "unit.rate=pmol/mg/min");
        zn_cols cols;
        zn_cols_init(&cols, in);
        size_t o_blank = nblank ? zn_cols_add(&cols, "blank", a->force, NULL) : (size_t)-1;
        size_t o_sa = zn_cols_add(&cols, "sa", a->force, NULL);
        size_t o_pmol = zn_cols_add(&cols, "pmol", a->force, NULL);
        size_t o_prot = a->protein ? zn_cols_add(&cols, "protein_mg", a->force, " (protein already joined?)")
                                   : (size_t)-1;
        size_t o_pmg = a->no_protein ? (size_t)-1 : zn_cols_add(&cols, "pmol_mg", a->force, NULL);
        size_t o_rate = zn_cols_add(&cols, "rate", a->force, " (rates already computed?)");
        size_t o_flag = zn_cols_flag(&cols);
        zn_out_head(x->w, &m, a->o.no_pg ? NULL : a->o.pg, cols.cols, cols.n);
        zn_rec rec;
        zn_rec_init(&rec, &cols, o_flag);
        for (size_t r = 0; r < c.n; r++) {
            const row_t *w = &rows[r];
            zn_rec_from_cell(&rec, &c, r);
            if (o_blank != (size_t)-1 && w->role != ROLE_BLANK) zn_rec_num(&rec, o_blank, blank);
            zn_rec_num(&rec, o_sa, w->sa);
            zn_rec_num(&rec, o_pmol, w->pmol);
            if (w->role == ROLE_SAMPLE && !isnan(w->sig)) {
                if (w->pmol < 0) zn_rec_flag(&rec, "below_blank");
                double rate;
                if (a->no_protein) rate = w->pmol / w->time;
                else {
                    if (o_prot != (size_t)-1) zn_rec_num(&rec, o_prot, w->protein);
                    zn_rec_num(&rec, o_pmg, w->pmol / w->protein);
                    rate = w->pmol / (w->protein * w->time);
                    if (w->pg) {
                        if (!w->pg->n)
                            zn_rec_flag(&rec, w->pg->nout ? "protein_out_of_range" : "protein_no_reading");
                        else if (w->pg->nout)
                            zn_rec_flag(&rec, a->extrapolate ? "protein_extrapolated" : "protein_partial");
                    }
                }
                zn_rec_num(&rec, o_rate, rate);
            }
            zn_rec_write(x->w, &rec);
        }
        zn_rec_free(&rec);
        zn_cols_free(&cols);
    }
    zn_meta_clear(&m);
    free(m.v);
    for (size_t r = 0; r < c.n; r++) {
        free(rows[r].sakey);
        free(rows[r].bykey);
    }
    free(rows);
    zn_dict_free(&sg.d);
    free(sg.g);
    zn_cellbuf_free(&c);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.std_pmol = "std_pmol";
    a.protein_by = "well";
    a.degree = 1;
    a.alpha = 0.05;
    a.count_days = NAN;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"specific-activity", required_argument, 0, OPT_SA},
                                          {"dpm", no_argument, 0, OPT_DPM},
                                          {"efficiency", required_argument, 0, OPT_EFF},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"per-pmol", required_argument, 0, OPT_PER_PMOL},
                                          {"std-pmol", required_argument, 0, OPT_STD_PMOL},
                                          {"sa-by", required_argument, 0, OPT_SA_BY},
                                          {"no-blank", no_argument, 0, OPT_NO_BLANK},
                                          {"isotope", required_argument, 0, OPT_ISOTOPE},
                                          {"half-life", required_argument, 0, OPT_HALF_LIFE},
                                          {"reference-date", required_argument, 0, OPT_REF_DATE},
                                          {"count-date", required_argument, 0, OPT_COUNT_DATE},
                                          {"protein", required_argument, 0, OPT_PROTEIN},
                                          {"protein-by", required_argument, 0, OPT_PROTEIN_BY},
                                          {"read", required_argument, 0, OPT_READ},
                                          {"protein-curve", required_argument, 0, OPT_CURVE},
                                          {"std-col", required_argument, 0, OPT_STD_COL},
                                          {"std-unit", required_argument, 0, OPT_STD_UNIT},
                                          {"lysate-volume", required_argument, 0, OPT_LYSATE},
                                          {"assay-volume", required_argument, 0, OPT_ASSAY},
                                          {"dilution", required_argument, 0, OPT_DILUTION},
                                          {"extrapolate", no_argument, 0, OPT_EXTRAP},
                                          {"no-protein", no_argument, 0, OPT_NO_PROTEIN},
                                          {"time", required_argument, 0, OPT_TIME},
                                          {"initial-rate", no_argument, 0, OPT_INITIAL},
                                          {"by", required_argument, 0, OPT_BY},
                                          {"alpha", required_argument, 0, OPT_ALPHA},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {"counted-fraction", required_argument, 0, OPT_COUNTED_FRACTION},
                                          {"counted-volume", required_argument, 0, OPT_COUNTED_VOLUME},
                                          {0, 0, 0, 0}};
    int c;
    const char *half = NULL;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_SA:
            a.sa_text = optarg;
            a.sa = parse_sa(optarg, &a.sa_dpm);
            break;
        case OPT_DPM: a.dpm = 1; break;
        case OPT_EFF:
            a.efficiency = zn_opt_pos("--efficiency", optarg);
            if (a.efficiency > 1) zn_usage_error("--efficiency: %s is above 1 (it is CPM/DPM)", optarg);
            break;
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_PER_PMOL: a.per_pmol = zn_opt_pos("--per-pmol", optarg); break;
        case OPT_STD_PMOL: a.std_pmol = optarg; break;
        case OPT_SA_BY: a.sa_by = optarg; break;
        case OPT_NO_BLANK: a.no_blank = 1; break;
        case OPT_ISOTOPE: {
            int i = find_isotope(optarg);
            if (i < 0)
                zn_usage_error("--isotope: unknown isotope \"%s\" (Zn-65, Cd-109, I-125, Fe-59, Mn-54, Ca-45, Cu-64; "
                               "or --half-life)",
                               optarg);
            a.isotope = isotopes[i].name;
            a.half_life_d = isotopes[i].days;
            a.isotope_source = isotopes[i].source;
            break;
        }
        case OPT_HALF_LIFE: half = optarg; break;
        case OPT_REF_DATE:
            a.ref_date = optarg;
            a.ref_days = parse_date("--reference-date", optarg);
            break;
        case OPT_COUNT_DATE:
            a.count_date = optarg;
            a.count_days = parse_date("--count-date", optarg);
            break;
        case OPT_PROTEIN: a.protein = optarg; break;
        case OPT_PROTEIN_BY: a.protein_by = optarg; break;
        case OPT_READ: a.read = optarg; break;
        case OPT_CURVE:
            if (strcmp(optarg, "linear") == 0) a.degree = 1;
            else if (strcmp(optarg, "quadratic") == 0) a.degree = 2;
            else zn_usage_error("--protein-curve: \"%s\" is not linear or quadratic", optarg);
            break;
        case OPT_STD_COL: a.std_col = optarg; break;
        case OPT_STD_UNIT: a.std_unit = optarg; break;
        case OPT_LYSATE: a.lysate_ul = zn_opt_pos("--lysate-volume", optarg); break;
        case OPT_ASSAY: a.assay_ul = zn_opt_pos("--assay-volume", optarg); break;
        case OPT_DILUTION: a.dilution = zn_opt_pos("--dilution", optarg); break;
        case OPT_EXTRAP: a.extrapolate = 1; break;
        case OPT_NO_PROTEIN: a.no_protein = 1; break;
        case OPT_TIME: a.time_min = zn_opt_pos("--time", optarg); break;
        case OPT_INITIAL: a.initial = 1; break;
        case OPT_BY: a.by = optarg; break;
        case OPT_ALPHA:
            a.alpha = zn_opt_pos("--alpha", optarg);
            if (a.alpha >= 1) zn_usage_error("--alpha: %s is not between 0 and 1", optarg);
            break;
        case OPT_FORCE: a.force = 1; break;
        case OPT_COUNTED_FRACTION:
            a.counted = zn_opt_pos("--counted-fraction", optarg);
            if (a.counted > 1) zn_usage_error("--counted-fraction: %s is above 1 (the fraction of the lysate counted)", optarg);
            break;
        case OPT_COUNTED_VOLUME: a.counted_ul = zn_opt_pos("--counted-volume", optarg); break;
        default: zn_usage_error("unknown option");
        }
    }
    if (a.counted_ul > 0) {
        if (a.counted > 0) zn_usage_error("--counted-fraction and --counted-volume both give the fraction counted: choose one");
        if (!(a.lysate_ul > 0))
            zn_usage_error("--counted-volume needs --lysate-volume (the fraction counted is counted / lysate volume)");
        if (a.counted_ul > a.lysate_ul)
            zn_usage_error("--counted-volume %g uL is more than the lysate (--lysate-volume %g uL)", a.counted_ul,
                           a.lysate_ul);
        a.counted = a.counted_ul / a.lysate_ul;
    }
    if (half) {
        if (a.isotope) zn_usage_error("--isotope and --half-life both give the half-life: choose one");
        a.half_life_d = parse_half_life(half);
    }
    if (a.signal && (a.sa_text || a.dpm || a.efficiency > 0))
        zn_usage_error("--signal is for a signal other than counts: give its value per pmol with --per-pmol, not "
                       "--specific-activity, --dpm or --efficiency");
    if (a.per_pmol > 0 && !a.signal) zn_usage_error("--per-pmol goes with --signal COL");
    if (a.dpm && a.efficiency > 0) zn_usage_error("--dpm reads DPM from the counter; --efficiency converts CPM: choose one");
    if (a.sa_text && a.sa_by) zn_usage_error("--sa-by groups standards; with --specific-activity there are none");
    if (a.sa_text && !a.sa_dpm && (a.dpm || a.efficiency > 0))
        zn_usage_error("the signal is DPM (--dpm or --efficiency) but the specific activity is in cpm/pmol: give it "
                       "as an activity (e.g. dpm/pmol, uCi/umol)");
    if (a.sa_dpm && !a.dpm && !(a.efficiency > 0))
        zn_usage_error("a specific activity in %s needs DPM: read the counter's dpm column (--dpm) or give the "
                       "counting efficiency (--efficiency)",
                       strchr(a.sa_text, '/') ? "activity units" : "dpm");
    if ((a.half_life_d > 0) != (a.ref_date != NULL))
        zn_usage_error("decay correction needs both the isotope (--isotope or --half-life) and --reference-date");
    if (a.count_date && !a.ref_date) zn_usage_error("--count-date is for decay correction: add --isotope and --reference-date");
    if (a.half_life_d > 0 && !a.sa_text)
        zn_usage_error("decay correction applies to a specific activity stated on another day; standards counted "
                       "in the same run need none");
    if (a.protein && a.no_protein) zn_usage_error("--protein and --no-protein: choose one");
    int protein_opts = a.read || a.std_col || a.std_unit || a.assay_ul > 0 || a.dilution > 0 || a.extrapolate ||
                       a.degree != 1 || (a.lysate_ul > 0 && !(a.counted_ul > 0)) || strcmp(a.protein_by, "well");
    if (protein_opts && !a.protein) zn_usage_error("the standard-curve options go with --protein FILE");
    if ((a.by || a.alpha != 0.05) && !a.initial) zn_usage_error("--by and --alpha go with --initial-rate");
    zn_opt_check_stdin(argc - optind, usage);
    protein_t pr = {0};
    if (a.protein) load_protein(&a, &pr);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    zn_wr *w = zn_opt_open_out(&a.o);
    ctx_t x = {&a, &pr, &in, w};
    int more = 1;
    while (more) segment(&x, &more);
    zn_opt_close_out(w);
    zn_in_close(&in);
    if (a.protein) protein_free(&pr);
    zn_opt_free(&a.o);
    return 0;
}
