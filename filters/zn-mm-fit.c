/* zn-mm-fit - Michaelis-Menten and its relatives, fitted per group by
 * nonlinear least squares (GSL), with standard errors, confidence intervals,
 * goodness of fit and model comparisons. */
#include "zn.h"

#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-mm-fit [OPTIONS] [FILE...]\n"
    "Fit y against x per group by nonlinear least squares; one fit record per\n"
    "group (schema fit): each parameter P with P_se, P_lo, P_hi (95% CI), rss, df,\n"
    "sy_x, r2, aicc, iterations and status (ok, ambiguous, no_convergence,\n"
    "insufficient_data).\n"
    "\n"
    "Data:\n"
    "      --by COLS         fit each group of these columns (comma list) apart\n"
    "  -x, --x COL           substrate concentration, or the agonist's or\n"
    "                        inhibitor's for 4pl, 3pl (default conc_uM)\n"
    "  -y, --y COL           rate (default rate)\n"
    "  -i, --inhibitor COL   inhibitor concentration for comp, noncomp, uncomp,\n"
    "                        mixed (default inhibitor_uM)\n"
    "      --sd COL          SD of y: each record's own SD (--weight sd), or with\n"
    "      --n COL           replicates behind a mean: records are mean, SD, n\n"
    "      --sorted          records of a group are together: fit each group as it\n"
    "                        ends (memory of one group instead of all)\n"
    "Model:\n"
    "  -m, --model M         mm (Vmax, Km), hill (Vmax, Khalf, h), subinh (Vmax, Km,\n"
    "                        Ki), comp, noncomp, uncomp (Vmax, Km, Ki), mixed (Vmax,\n"
    "                        Km, Ki, alpha), mm+linear (Vmax, Km, kd); concentration-\n"
    "                        response: 4pl (bottom, top, ec50, hill: y = bottom +\n"
    "                        (top - bottom)/(1 + (ec50/x)^hill), hill < 0 falls),\n"
    "                        3pl (hill held at +-1, its sign from the data);\n"
    "                        default mm\n"
    "      --fix P=V,...     hold parameters at values: bottom=0,top=100 (4pl), h=1\n"
    "                        (hill), kd=0.02 (mm+linear), Km=3 (comp: Km known)\n"
    "  -w, --weight W        none, 1/y, 1/y2 (from the fitted curve, as Prism) or\n"
    "                        sd (1/SD^2 from --sd); default none\n"
    "      --ci wald|profile 95% intervals from the SE and t (default) or from the\n"
    "                        profile of the sum of squares (asymmetric)\n"
    "      --conf-level P    confidence level of intervals, bands, tests (default\n"
    "                        0.95)\n"
    "Concentration-response (4pl, 3pl; also logec50 = log10 ec50 with its SE and\n"
    "interval):\n"
    "      --ecf P,...       effective concentrations ECp (p % of the effect from the\n"
    "                        x = 0 level; drc's ED) with SE and interval\n"
    "      --ki S=V[,Km=V]   Ki = IC50/(1 + S/Km) (Cheng-Prusoff, competitive) for a\n"
    "                        falling curve; S and Km in one unit; without Km, Km\n"
    "                        from a fit record in the stream (cat km.znr data.znr)\n"
    "Adequacy (always for 4pl, 3pl):\n"
    "      --adequacy        add the columns for the other models too: replicates\n"
    "                        test (lof_F, lof_p), runs test (runs, runs_p),\n"
    "                        normality of residuals (D'Agostino-Pearson\n"
    "                        normality_K2, normality_p, 8 points or more;\n"
    "                        Shapiro-Wilk shapiro_W, shapiro_p, 3 to 5000),\n"
    "                        ROUT outliers (outliers, outlier_points; at most\n"
    "                        30 % of the points); with --share each group's\n"
    "                        residuals about the global curve\n"
    "      --rout-q Q        ROUT's false discovery rate (default 0.01)\n"
    "      --exclude-outliers fit again without the ROUT outliers (column excluded)\n"
    "Comparisons:\n"
    "      --compare M       also fit model M per group: extra-sum-of-squares F test\n"
    "                        (nested models) and delta AICc\n"
    "      --share P,...     one global fit with these parameters shared by all\n"
    "                        groups, tested against separate fits (F test, AICc)\n"
    "      --curve N         also write N points of each fitted curve with its\n"
    "                        confidence band (schema curve) to the file of\n"
    "      --curve-output FILE (compressed unless -u)\n";

enum {
    OPT_BY = ZN_OPT_FIRST_OWN,
    OPT_SD,
    OPT_N,
    OPT_SORTED,
    OPT_CI,
    OPT_LEVEL,
    OPT_COMPARE,
    OPT_SHARE,
    OPT_CURVE,
    OPT_CURVE_OUT,
    OPT_FIX,
    OPT_ECF,
    OPT_KI,
    OPT_ADEQ,
    OPT_ROUTQ,
    OPT_EXCL
};

static const zn_model *find_model(const char *name, const char *opt)
{
    const zn_model *m = zn_model_find(name);
    if (!m) {
        /* the names from the table */
        static char names[256];
        size_t k = 0;
        for (size_t i = 0; i < zn_nmodels && k < sizeof names; i++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "", zn_models[i].name);
        zn_usage_error("%s: unknown model \"%s\" (%s)", opt, name, names);
    }
    return m;
}

/* ------------------------------------------------------------ data */
enum { W_NONE, W_Y, W_Y2, W_SD };
static const char *const wname[] = {"none", "1/y", "1/y2", "sd"};

typedef struct {
    char *key;
    double *x; /* 3 per point */
    double *y, *wd, *rep, *sd; /* data weight (1/SD^2 or 1), replicates n, SD of a mean */
    size_t n, cap;
    long first_line;
    const char *first_file;
} group_t;

/* parameters held at a value: --fix, and 3pl's hill (+-1) */
typedef struct {
    unsigned mask;
    double val[4];
} fixing_t;

#define MAX_ECF 16
typedef struct {
    zn_opt o;
    const char *by, *xcol, *ycol, *icol, *sdcol, *ncol, *share, *curve_out, *fixtext;
    const zn_model *m, *alt;
    int weight, profile, sorted;
    double level;
    long curve;
    fixing_t ufix;             /* --fix, as parameters of -m's model */
    char fixname[4][16];       /* --fix by name (--compare's model takes them by name) */
    double fixval[4];
    size_t nfix;
    double ecf[MAX_ECF];       /* --ecf: effective concentrations, percent */
    size_t necf;
    double ki_S, ki_Km;        /* --ki S=..,Km=..: Cheng-Prusoff (NaN: not asked) */
    int ki_stream;             /* --ki S=.. alone: Km from fit records in the stream */
    int adequacy;              /* --adequacy (always for 4pl, 3pl) */
    double routq;              /* ROUT's Q (false discovery rate) */
    int exclude_outliers;
} args_t;

static void group_add(group_t *g, double S, double I, double y, double wd, double rep, double sd)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 32;
        g->x = zn_realloc(g->x, 3 * g->cap * sizeof *g->x);
        g->y = zn_realloc(g->y, g->cap * sizeof *g->y);
        g->wd = zn_realloc(g->wd, g->cap * sizeof *g->wd);
        g->rep = zn_realloc(g->rep, g->cap * sizeof *g->rep);
        g->sd = zn_realloc(g->sd, g->cap * sizeof *g->sd);
    }
    g->x[3 * g->n] = S;
    g->x[3 * g->n + 1] = I;
    g->x[3 * g->n + 2] = 0;
    g->y[g->n] = y;
    g->wd[g->n] = wd;
    g->rep[g->n] = rep;
    g->sd[g->n] = sd;
    g->n++;
}

static void group_free(group_t *g)
{
    free(g->key);
    free(g->x);
    free(g->y);
    free(g->wd);
    free(g->rep);
    free(g->sd);
    memset(g, 0, sizeof *g);
}

/* ------------------------------------------------------------ a fit problem */
/* The model of a problem: a single model, or a global one (several groups,
 * some parameters shared), or either with one parameter held fixed. */
typedef struct prob prob_t;
struct prob {
    const zn_model *m;
    size_t np;       /* parameters fitted */
    unsigned logmask;
    const fixing_t *fx; /* model parameters held at a value (NULL: none) */
    /* global: point's group x[2]; full parameter j of group g at map[g*4+j] */
    size_t ng;
    size_t *map;
    /* one parameter held fixed (profile): index in the unfixed vector */
    int fixed;
    double fixval;
    /* profile of an effective concentration: the held value (at ec50's
     * index) is ECp, and ec50 = ECp exp(-ecp_lr/|hill|), ecp_lr =
     * ln(p/(100 - p)); 0: not */
    double ecp_lr;
    size_t npfull;
};

static int is_fixed(const fixing_t *fx, size_t j) { return fx && (fx->mask >> j & 1u); }

static int prob_plain(const prob_t *P) { return P->fixed < 0 && !P->map && !(P->fx && P->fx->mask); }

static void prob_model(const double *x, const double *p, double *y, double *dy, void *arg)
{
    const prob_t *P = arg;
    if (prob_plain(P)) { /* one group, every parameter free */
        P->m->f(x, p, y, dy, NULL);
        return;
    }
    double full[ZN_FIT_MAXP], dfull[ZN_FIT_MAXP];
    const double *pf = p;
    if (P->fixed >= 0) {
        size_t k = 0;
        for (size_t j = 0; j < P->npfull; j++) full[j] = (int)j == P->fixed ? P->fixval : p[k++];
        pf = full;
    }
    double loc[4], dl[4];
    size_t idx[4], g = P->map ? (size_t)x[2] : 0, k = 0;
    for (size_t j = 0; j < P->m->np; j++) {
        if (is_fixed(P->fx, j)) {
            idx[j] = (size_t)-1;
            loc[j] = P->fx->val[j];
        } else {
            idx[j] = P->map ? P->map[g * 4 + j] : k++;
            loc[j] = pf[idx[j]];
        }
    }
    double dedh = 0;
    if (P->ecp_lr != 0) {
        double h = loc[3], e = loc[2] * exp(-P->ecp_lr / fabs(h));
        dedh = e * P->ecp_lr * (h > 0 ? 1 : -1) / (h * h);
        loc[2] = e;
    }
    P->m->f(x, loc, y, dy ? dl : NULL, NULL);
    if (dy) {
        for (size_t j = 0; j < P->npfull; j++) dfull[j] = 0;
        for (size_t j = 0; j < P->m->np; j++)
            if (idx[j] != (size_t)-1) dfull[idx[j]] = dl[j];
        /* hill moves ec50 with it when ECp is held */
        if (P->ecp_lr != 0 && idx[3] != (size_t)-1) dfull[idx[3]] += dl[2] * dedh;
    }
    if (dy) {
        size_t k = 0;
        for (size_t j = 0; j < P->npfull; j++)
            if ((int)j != P->fixed) dy[k++] = dfull[j];
    }
}

static double prob_eval(const prob_t *P, const double *x, const double *p, double *dy)
{
    double y;
    prob_model(x, p, &y, dy, (void *)P);
    return y;
}

/* the points of a fit (one group, or all groups of a global fit) */
typedef struct {
    double *x, *y, *wd, *rep, *sd, *w;
    size_t n, cap;
} pts_t;

static void pts_from(pts_t *t, group_t *const *g, size_t ng)
{
    size_t n = 0;
    for (size_t k = 0; k < ng; k++) n += g[k]->n;
    if (n > t->cap) {
        t->cap = n;
        t->x = zn_realloc(t->x, 3 * n * sizeof *t->x);
        t->y = zn_realloc(t->y, n * sizeof *t->y);
        t->wd = zn_realloc(t->wd, n * sizeof *t->wd);
        t->rep = zn_realloc(t->rep, n * sizeof *t->rep);
        t->sd = zn_realloc(t->sd, n * sizeof *t->sd);
        t->w = zn_realloc(t->w, n * sizeof *t->w);
    }
    t->n = 0;
    for (size_t k = 0; k < ng; k++)
        for (size_t i = 0; i < g[k]->n; i++) {
            size_t j = t->n++;
            memcpy(t->x + 3 * j, g[k]->x + 3 * i, 3 * sizeof(double));
            t->x[3 * j + 2] = (double)k;
            t->y[j] = g[k]->y[i];
            t->wd[j] = g[k]->wd[i];
            t->rep[j] = g[k]->rep[i];
            t->sd[j] = g[k]->sd[i];
        }
}

static void pts_free(pts_t *t)
{
    free(t->x);
    free(t->y);
    free(t->wd);
    free(t->rep);
    free(t->sd);
    free(t->w);
}

enum { S_OK, S_AMBIGUOUS, S_NOCONV, S_INSUFFICIENT };
static const char *const sname[] = {"ok", "ambiguous", "no_convergence", "insufficient_data"};

/* model adequacy of one fit (NaN: not tested) */
typedef struct {
    double lof_F, lof_df1, lof_df2, lof_p; /* replicates test */
    double runs, runs_expected, runs_p;    /* runs test of residual signs */
    double norm_K2, norm_p;                /* D'Agostino-Pearson (n >= 8) */
    double sw_W, sw_p;                     /* Shapiro-Wilk (n 3..5000) */
    double rout_n;                         /* ROUT outliers */
    char *rout_pts;                        /* "x:y;x:y" of the outliers (owned) */
    double excluded;                       /* outliers left out of the fit */
} adeq_t;

typedef struct {
    int status;
    char why[320];
    fixing_t fx;  /* parameters held (3pl: hill's sign is the fit's) */
    size_t nf;    /* parameters fitted */
    zn_fitres r;
    double N;     /* points (replicates behind means counted) */
    double ss;    /* weighted SS, including the scatter within means */
    double df, s2, r2, aicc;
    size_t iter;
    int ranoff; /* a parameter ran off out of the data's range: no estimates */
    adeq_t ad;
    int ecp_prof;                          /* ecplo/ecphi hold profile limits */
    double step_lo, step_hi;               /* a step (hill ran off): ec50's profile interval */
    double ecplo[MAX_ECF], ecphi[MAX_ECF]; /* of --ecf's ECp (--ci profile) */
} fit_t;

/* weights of the points: data weights, times 1/curve^k for 1/y, 1/y2 */
static int set_weights(const args_t *a, const prob_t *P, pts_t *t, const double *p, int from_curve)
{
    for (size_t i = 0; i < t->n; i++) {
        double w = t->wd[i] * t->rep[i];
        if (from_curve && (a->weight == W_Y || a->weight == W_Y2)) {
            double f = prob_eval(P, t->x + 3 * i, p, NULL);
            if (!(f > 0)) return -1;
            w /= a->weight == W_Y ? f : f * f;
        }
        t->w[i] = w;
    }
    return 0;
}

static double within_ss(const pts_t *t)
{
    double c = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->rep[i] > 1) c += t->w[i] / t->rep[i] * (t->rep[i] - 1) * t->sd[i] * t->sd[i];
    return c;
}

/* the fit itself: LM, and for weights from the curve, reweighted until the
 * parameters settle (Prism: one unweighted fit, then weights from the curve
 * until the sum of squares stops changing) */
static void adeq_init(adeq_t *d)
{
    d->lof_F = d->lof_df1 = d->lof_df2 = d->lof_p = NAN;
    d->runs = d->runs_expected = d->runs_p = NAN;
    d->norm_K2 = d->norm_p = NAN;
    d->sw_W = d->sw_p = NAN;
    d->rout_n = d->excluded = NAN;
    d->rout_pts = NULL;
}

static void fit_init(fit_t *F)
{
    /* not a memset: the fit result holds a 32 x 32 covariance; fx and nf
     * are the caller's */
    adeq_init(&F->ad);
    F->ecp_prof = 0;
    F->step_lo = F->step_hi = NAN;
    F->status = S_OK;
    F->why[0] = 0;
    F->N = F->ss = F->df = F->s2 = F->r2 = F->aicc = NAN;
    F->iter = 0;
    F->ranoff = 0;
    F->r.np = 0;
    F->r.status = 0;
}

static void solve(const args_t *a, const prob_t *P, pts_t *t, const double *p0, fit_t *F)
{
    fit_init(F);
    double p[ZN_FIT_MAXP];
    memcpy(p, p0, P->np * sizeof *p);
    set_weights(a, P, t, p, 0);
    int curve = a->weight == W_Y || a->weight == W_Y2, damp = 0;
    double last = INFINITY;
    for (int round = 0;; round++) {
        /* the model itself when nothing is shared or held */
        int plain = prob_plain(P);
        zn_fit_nls(plain ? P->m->f : prob_model, plain ? NULL : (void *)P, t->x, 3, t->y, t->w, t->n, P->np, p,
                   P->logmask, &F->r);
        F->iter += F->r.iter;
        if (F->r.status) {
            F->status = S_NOCONV;
            snprintf(F->why, sizeof F->why, "%s", F->r.why);
            return;
        }
        if (!curve) break;
        double change = 0;
        for (size_t j = 0; j < P->np; j++) {
            double d = fabs(F->r.p[j] - p[j]) / fmax(fabs(F->r.p[j]), 1e-300);
            if (round == 0 || d > change) change = round == 0 ? 1 : d;
        }
        memcpy(p, F->r.p, P->np * sizeof *p);
        if (round > 0 && change < 1e-9) break;
        if (round == 200) {
            F->status = S_NOCONV;
            snprintf(F->why, sizeof F->why, "weights from the curve did not settle in 200 rounds");
            return;
        }
        /* the plain iteration can cycle (a model that fits badly): from then
         * on each round's weights are the mean of the old and the new ones,
         * which leaves the fixed point where it was */
        if (round > 1 && change >= last) damp = 1;
        last = change;
        double *old = NULL;
        if (damp) {
            old = zn_malloc(t->n * sizeof *old);
            memcpy(old, t->w, t->n * sizeof *old);
        }
        if (set_weights(a, P, t, p, 1) < 0) {
            free(old);
            F->status = S_NOCONV;
            snprintf(F->why, sizeof F->why, "weights %s need a positive curve at every point", wname[a->weight]);
            return;
        }
        if (old) {
            for (size_t i = 0; i < t->n; i++) t->w[i] = (t->w[i] + old[i]) / 2;
            free(old);
        }
    }
}

static void fit_stats(const args_t *a, const prob_t *P, const pts_t *t, fit_t *F)
{
    F->N = 0;
    double sw = 0, swy = 0;
    for (size_t i = 0; i < t->n; i++) {
        F->N += t->rep[i];
        sw += t->w[i];
        swy += t->w[i] * t->y[i];
    }
    double c = within_ss(t), tss = c, mean = swy / sw;
    for (size_t i = 0; i < t->n; i++) tss += t->w[i] * (t->y[i] - mean) * (t->y[i] - mean);
    F->ss = F->r.ss + c;
    F->df = F->N - (double)P->np;
    F->s2 = F->df > 0 ? F->ss / F->df : NAN;
    F->r2 = tss > 0 ? 1 - F->ss / tss : NAN;
    double K = (double)P->np + 1;
    F->aicc = F->N - K - 1 > 0 && F->ss > 0 ? F->N * log(F->ss / F->N) + 2 * K + 2 * K * (K + 1) / (F->N - K - 1)
                                            : NAN;
    (void)a;
    if (F->status == S_OK && (F->r.singular || F->r.dependency > 0.9999)) {
        F->status = S_AMBIGUOUS;
        if (F->r.singular)
            snprintf(F->why, sizeof F->why, "the data do not determine every parameter (singular covariance)");
        else
            snprintf(F->why, sizeof F->why, "parameters depend on each other (dependency %.6f > 0.9999)",
                     F->r.dependency);
    }
}

/* ------------------------------------------------------------ starting values */
static double grid_value(int kind, size_t k, size_t G, double lo, double hi)
{
    static const double hv[] = {0.5, 0.75, 1, 1.5, 2, 3, 4}, av[] = {0.1, 0.3, 1, 3, 10};
    switch (kind) {
    case ZN_G_H: return hv[k];
    case ZN_G_A: return av[k];
    default: return G > 1 ? lo * pow(hi / lo, (double)k / (double)(G - 1)) : lo;
    }
}

/* Starting values: a grid over the nonlinear parameters; at each node the
 * linear ones (Vmax, and kd) by weighted least squares; the best node wins. */
/* smallest positive and largest substrate and inhibitor concentrations */
static void ranges(const pts_t *t, double *xlo, double *xhi, double *ilo, double *ihi)
{
    *xlo = *ilo = INFINITY;
    *xhi = *ihi = 0;
    for (size_t i = 0; i < t->n; i++) {
        double S = t->x[3 * i], I = t->x[3 * i + 1];
        if (S > 0 && S < *xlo) *xlo = S;
        if (S > *xhi) *xhi = S;
        if (I > 0 && I < *ilo) *ilo = I;
        if (I > *ihi) *ihi = I;
    }
}

/* The residual SS at the nonlinear parameters in p, with the linear ones
 * (Vmax, and kd) solved by weighted least squares and written into p;
 * INFINITY when Vmax would not be positive. */
static double node_ss(const zn_model *m, const pts_t *t, double *p, int lin2)
{
    p[0] = 1;
    if (lin2) p[2] = 0;
    double sgg = 0, sgy = 0, sgs = 0, sss = 0, ssy = 0, syy = 0;
    for (size_t i = 0; i < t->n; i++) {
        double g;
        m->f(t->x + 3 * i, p, &g, NULL, NULL);
        double w = t->w[i], S = t->x[3 * i], y = t->y[i];
        sgg += w * g * g;
        sgy += w * g * y;
        syy += w * y * y;
        if (lin2) {
            sgs += w * g * S;
            sss += w * S * S;
            ssy += w * S * y;
        }
    }
    double V, kd = 0;
    if (lin2) {
        double det = sgg * sss - sgs * sgs;
        V = det > 0 ? (sgy * sss - sgs * ssy) / det : NAN;
        kd = det > 0 ? (sgg * ssy - sgs * sgy) / det : NAN;
    } else
        V = sgg > 0 ? sgy / sgg : NAN;
    if (!(V > 0)) return INFINITY;
    p[0] = V;
    if (lin2) p[2] = kd;
    /* residual SS of the linear fit: syy - b'(X'Wy) */
    return syy - (lin2 ? V * sgy + kd * ssy : V * sgy);
}

/* node_ss with parameters held (--fix): the model is Vmax g(S, ...) (+ kd S
 * for mm+linear), so with the nonlinear parameters of p set, the free ones
 * of Vmax and kd are a weighted linear least-squares fit to y minus the
 * held part.  The residual SS; INFINITY when a free Vmax would not be
 * positive. */
static double node_ss_held(const zn_model *m, const pts_t *t, double *p, int lin2, const fixing_t *fx)
{
    int fv = is_fixed(fx, 0), fk = lin2 && is_fixed(fx, 2);
    double V = fv ? fx->val[0] : 1, kd = fk ? fx->val[2] : 0;
    double a11 = 0, a12 = 0, a22 = 0, c1 = 0, c2 = 0;
    p[0] = 1;
    if (lin2) p[2] = 0;
    for (size_t i = 0; i < t->n; i++) {
        double g, w = t->w[i], S = t->x[3 * i];
        m->f(t->x + 3 * i, p, &g, NULL, NULL);
        double z = t->y[i] - (fv ? V * g : 0) - (fk ? kd * S : 0);
        a11 += w * g * g;
        a12 += w * g * S;
        a22 += w * S * S;
        c1 += w * g * z;
        c2 += w * S * z;
    }
    int freeV = !fv, freeK = lin2 && !fk;
    if (freeV && freeK) {
        double det = a11 * a22 - a12 * a12;
        if (!(det > 0)) return INFINITY;
        V = (c1 * a22 - a12 * c2) / det;
        kd = (a11 * c2 - a12 * c1) / det;
    } else if (freeV) {
        if (!(a11 > 0)) return INFINITY;
        V = c1 / a11;
    } else if (freeK) {
        if (!(a22 > 0)) return INFINITY;
        kd = c2 / a22;
    }
    if (!(V > 0)) return INFINITY;
    p[0] = V;
    if (lin2) p[2] = kd;
    double ss = 0;
    for (size_t i = 0; i < t->n; i++) {
        double f;
        m->f(t->x + 3 * i, p, &f, NULL, NULL);
        ss += t->w[i] * (t->y[i] - f) * (t->y[i] - f);
    }
    return ss;
}

static double node_eval(const zn_model *m, const pts_t *t, double *p, int lin2, const fixing_t *fx)
{
    return fx && fx->mask ? node_ss_held(m, t, p, lin2, fx) : node_ss(m, t, p, lin2);
}

/* Starting values: a grid over the nonlinear parameters (held ones at their
 * values); at each node the linear ones by weighted least squares; the best
 * node wins.  With one nonlinear parameter (mm, mm+linear) the best node is
 * then refined by parabolic interpolation in log K, so that the iteration
 * starts close. */
static int start_values(const zn_model *m, const pts_t *t, const fixing_t *fx, double *best)
{
    double xlo, xhi, ilo, ihi;
    ranges(t, &xlo, &xhi, &ilo, &ihi);
    if (!(xhi > 0)) return -1;
    if (!(ihi > 0)) ilo = ihi = 1;
    size_t nk = 0, dims[4], G[4];
    double p[4];
    for (size_t j = 0; j < m->np; j++) {
        if (is_fixed(fx, j)) p[j] = fx->val[j];
        else if (m->grid[j] != ZN_G_LIN && m->grid[j] != ZN_G_LIN2) dims[nk++] = j;
    }
    static const size_t Gn[4][4] = {{1}, {12}, {10, 10}, {7, 7, 5}};
    for (size_t k = 0; k < nk; k++)
        G[k] = m->grid[dims[k]] == ZN_G_H ? 7 : m->grid[dims[k]] == ZN_G_A ? 5 : Gn[nk][k];
    int lin2 = m->np == 3 && m->grid[2] == ZN_G_LIN2;
    double bestss = INFINITY;
    size_t idx[4] = {0}, bi = 0;
    for (;;) {
        for (size_t k = 0; k < nk; k++) {
            int kind = m->grid[dims[k]];
            p[dims[k]] = grid_value(kind, idx[k], G[k], kind == ZN_G_I ? ilo / 10 : xlo / 10,
                                    kind == ZN_G_I ? ihi * 10 : xhi * 10);
        }
        double ss = node_eval(m, t, p, lin2, fx);
        if (ss < bestss) {
            bestss = ss;
            bi = idx[0];
            memcpy(best, p, m->np * sizeof *p);
        }
        size_t k = 0;
        while (k < nk && ++idx[k] == G[k]) idx[k++] = 0;
        if (k == nk) break;
    }
    if (nk == 1 && isfinite(bestss) && bi > 0 && bi + 1 < G[0]) {
        /* three points around the best node, in u = log K */
        size_t j = dims[0];
        double u[3], f[3];
        for (int k = 0; k < 3; k++) {
            memcpy(p, best, m->np * sizeof *p);
            p[j] = grid_value(ZN_G_X, bi + (size_t)k - 1, G[0], xlo / 10, xhi * 10);
            u[k] = log(p[j]);
            f[k] = node_eval(m, t, p, lin2, fx);
        }
        for (int it = 0; it < 8; it++) {
            double d1 = (u[1] - u[0]) * (f[1] - f[2]), d2 = (u[1] - u[2]) * (f[1] - f[0]);
            double den = 2 * (d1 - d2);
            if (!(fabs(den) > 0) || !isfinite(den)) break;
            double un = u[1] - ((u[1] - u[0]) * d1 - (u[1] - u[2]) * d2) / den;
            if (!(un > u[0] && un < u[2]) || fabs(un - u[1]) < 1e-7) break;
            memcpy(p, best, m->np * sizeof *p);
            p[j] = exp(un);
            double fn = node_eval(m, t, p, lin2, fx);
            if (!(fn < f[1])) break;
            /* keep the bracket: the new best and its neighbours */
            if (un < u[1]) {
                u[2] = u[1], f[2] = f[1];
            } else {
                u[0] = u[1], f[0] = f[1];
            }
            u[1] = un, f[1] = fn;
            bestss = fn;
            memcpy(best, p, m->np * sizeof *p);
        }
    }
    return isfinite(bestss) ? 0 : -1;
}

/* ------------------------------------------------------------ held parameters */
/* The parameters a model holds: --fix, by name (so that --compare's model
 * holds the same ones), and 3pl's hill (+1 to start with; fit_single
 * decides the sign). */
static fixing_t fixing_for(const args_t *a, const zn_model *m)
{
    fixing_t fx = {0, {0, 0, 0, 0}};
    for (size_t i = 0; i < a->nfix; i++)
        for (size_t j = 0; j < m->np; j++)
            if (strcmp(m->pn[j], a->fixname[i]) == 0) {
                fx.mask |= 1u << j;
                fx.val[j] = a->fixval[i];
            }
    if (strcmp(m->name, "3pl") == 0) {
        fx.mask |= 1u << 3;
        fx.val[3] = 1;
    }
    return fx;
}

static size_t nfree(const zn_model *m, const fixing_t *fx)
{
    return m->np - (size_t)__builtin_popcount(fx->mask & ((1u << m->np) - 1));
}

/* which fitted parameters are kept positive */
static unsigned free_logmask(const zn_model *m, const fixing_t *fx)
{
    unsigned lm = 0;
    size_t k = 0;
    for (size_t j = 0; j < m->np; j++)
        if (!is_fixed(fx, j)) {
            if (m->logmask >> j & 1u) lm |= 1u << k;
            k++;
        }
    return lm;
}

/* index of model parameter j among the fitted ones; -1 when held */
static int free_idx(const fixing_t *fx, size_t j)
{
    if (is_fixed(fx, j)) return -1;
    int k = 0;
    for (size_t i = 0; i < j; i++)
        if (!is_fixed(fx, i)) k++;
    return k;
}

/* the model's parameters of a fit, held ones included */
static void full_of(const fit_t *F, const zn_model *m, double *full)
{
    size_t k = 0;
    for (size_t j = 0; j < m->np; j++) full[j] = is_fixed(&F->fx, j) ? F->fx.val[j] : F->r.p[k++];
}

/* Prism's convention for the 4PL: top is the upper plateau, and the sign of
 * hill says which way the curve goes.  (bottom, top, hill) and (top, bottom,
 * -hill) are the same curve; when the fit came out with top < bottom (and
 * neither is held) the two are swapped and hill's sign turned, with the
 * covariance permuted to match. */
static void canonical(fit_t *F, const zn_model *m)
{
    if (!zn_model_logistic(m) || is_fixed(&F->fx, 0) || is_fixed(&F->fx, 1)) return;
    if (!(F->r.p[1] < F->r.p[0])) return;
    size_t n = F->nf, perm[ZN_FIT_MAXP];
    double sg[ZN_FIT_MAXP], p[ZN_FIT_MAXP], c[ZN_FIT_MAXP * ZN_FIT_MAXP];
    for (size_t k = 0; k < n; k++) perm[k] = k, sg[k] = 1;
    perm[0] = 1;
    perm[1] = 0;
    int hk = free_idx(&F->fx, 3);
    if (hk >= 0) sg[hk] = -1;
    else F->fx.val[3] = -F->fx.val[3];
    for (size_t i = 0; i < n; i++) {
        p[i] = sg[i] * F->r.p[perm[i]];
        for (size_t j = 0; j < n; j++) c[i * n + j] = sg[i] * sg[j] * F->r.cov[perm[i] * n + perm[j]];
    }
    memcpy(F->r.p, p, n * sizeof *p);
    memcpy(F->r.cov, c, n * n * sizeof *c);
}

/* Starting values of the concentration-response models: a grid over ec50
 * (1/10 of the lowest positive to 10 times the highest concentration) and
 * hill (+-0.5 to +-4); at each node bottom and top, which enter linearly,
 * by weighted least squares (held ones at their values).  INFINITY-free
 * best node in best; -1 when there is none. */
static int start_logistic(const zn_model *m, const pts_t *t, const fixing_t *fx, double *best)
{
    static const double hv[] = {-4, -3, -2, -1.5, -1, -0.75, -0.5, 0.5, 0.75, 1, 1.5, 2, 3, 4};
    double xlo, xhi, ilo, ihi;
    ranges(t, &xlo, &xhi, &ilo, &ihi);
    if (!(xhi > 0) || !isfinite(xlo)) return -1;
    size_t ne = is_fixed(fx, 2) ? 1 : 15, nh = is_fixed(fx, 3) ? 1 : sizeof hv / sizeof *hv;
    int fb = is_fixed(fx, 0), ft = is_fixed(fx, 1);
    double bestss = INFINITY;
    for (size_t ie = 0; ie < ne; ie++)
        for (size_t ih = 0; ih < nh; ih++) {
            double e = is_fixed(fx, 2) ? fx->val[2] : xlo / 10 * pow(100 * xhi / xlo, (double)ie / (double)(ne - 1));
            double h = is_fixed(fx, 3) ? fx->val[3] : hv[ih];
            double q[4] = {0, 1, e, h}, a11 = 0, a12 = 0, a22 = 0, c1 = 0, c2 = 0;
            for (size_t i = 0; i < t->n; i++) {
                double sv, w = t->w[i];
                m->f(t->x + 3 * i, q, &sv, NULL, NULL);
                double z = t->y[i] - (fb ? fx->val[0] * (1 - sv) : 0) - (ft ? fx->val[1] * sv : 0);
                a11 += w * (1 - sv) * (1 - sv);
                a12 += w * (1 - sv) * sv;
                a22 += w * sv * sv;
                c1 += w * (1 - sv) * z;
                c2 += w * sv * z;
            }
            double b = fb ? fx->val[0] : 0, tp = ft ? fx->val[1] : 0;
            if (!fb && !ft) {
                double det = a11 * a22 - a12 * a12;
                if (!(det > 1e-12 * a11 * a22)) continue;
                b = (c1 * a22 - c2 * a12) / det;
                tp = (a11 * c2 - a12 * c1) / det;
            } else if (!fb) {
                if (!(a11 > 0)) continue;
                b = c1 / a11;
            } else if (!ft) {
                if (!(a22 > 0)) continue;
                tp = c2 / a22;
            }
            double p4[4] = {b, tp, e, h}, ss = 0;
            for (size_t i = 0; i < t->n; i++) {
                double yv;
                m->f(t->x + 3 * i, p4, &yv, NULL, NULL);
                ss += t->w[i] * (t->y[i] - yv) * (t->y[i] - yv);
            }
            if (ss < bestss) {
                bestss = ss;
                memcpy(best, p4, sizeof p4);
            }
        }
    return isfinite(bestss) ? 0 : -1;
}

/* distinct points (S, I) */
static size_t distinct(const pts_t *t, size_t limit)
{
    size_t d = 0;
    for (size_t i = 0; i < t->n && d < limit; i++) {
        size_t j = 0;
        while (j < i && !(t->x[3 * j] == t->x[3 * i] && t->x[3 * j + 1] == t->x[3 * i + 1])) j++;
        if (j == i) d++;
    }
    return d;
}

/* The range a model parameter can take and still be shown by the data
 * (Km up to 1000 times the highest concentration, hill 0.01..100, ...); 0
 * when the parameter has none.  For a signed hill the range is of |hill|. */
static int param_range(const zn_model *m, const pts_t *t, size_t j, double *lo, double *hi)
{
    double xlo, xhi, ilo, ihi;
    ranges(t, &xlo, &xhi, &ilo, &ihi);
    switch (m->grid[j]) {
    case ZN_G_X: *lo = xlo / 1000, *hi = xhi * 1000; return 1;
    case ZN_G_I: *lo = ilo / 1000, *hi = ihi * 1000; return 1;
    case ZN_G_H:
    case ZN_G_HS: *lo = 0.01, *hi = 100; return 1;
    case ZN_G_A: *lo = 1e-4, *hi = 1e4; return 1;
    default: return 0;
    }
}

/* A parameter far outside what the data can show (Km 1000 times above the
 * highest concentration: no saturation) is not an estimate: the fit is
 * ambiguous and no number is reported. */
static void ran_off(const zn_model *m, const pts_t *t, fit_t *F)
{
    double full[4];
    full_of(F, m, full);
    for (size_t j = 0; j < m->np; j++) {
        double v = full[j], lo, hi;
        if (is_fixed(&F->fx, j) || !param_range(m, t, j, &lo, &hi)) continue;
        if (m->grid[j] == ZN_G_HS) v = fabs(v);
        if (v < lo || v > hi) {
            F->status = S_AMBIGUOUS;
            F->ranoff = 1;
            snprintf(F->why, sizeof F->why, "%s runs off %s the data's range%s: the data do not determine it",
                     m->pn[j], v > hi ? "far above" : "far below",
                     v > hi && m->grid[j] == ZN_G_X ? " (no saturation)" : "");
            return;
        }
    }
}

static double profile_ss(const prob_t *P, pts_t *t, size_t j, double v, double *p);
static double profile_limit_of(const args_t *a, const prob_t *P, pts_t *t, const fit_t *F, size_t j, int side,
                               double est, double se, int logp, double rlo, double rhi);

/* A logistic fit that ran out of iterations with ec50 inside the data and
 * hill still growing: the least squares are approached by a step between two
 * neighbouring concentrations with no point on the slope, and the sum of
 * squares keeps falling as |hill| grows (checked: refitted with hill held at
 * 4 and 16 times the last iterate's, it is no larger).  There is no finite
 * optimum; hill is not determined and ec50 only to the gap: ambiguous, saying
 * where the step is and what would settle it (hc: hill in Prism's sign, top
 * the upper plateau; the last iterate may have them the other way round). */
static void ran_off_steep(const args_t *a, const zn_model *m, pts_t *t, fit_t *F, double e, double h, double hc)
{
    if (is_fixed(&F->fx, 3) || !(fabs(h) > 4)) return;
    size_t j = 0; /* hill's index among the fitted parameters */
    for (size_t i = 0; i < 3; i++) j += !is_fixed(&F->fx, i);
    prob_t P = {.m = m, .np = F->nf, .logmask = free_logmask(m, &F->fx), .fx = &F->fx, .fixed = -1, .npfull = F->nf};
    double p[ZN_FIT_MAXP];
    memcpy(p, F->r.p, F->nf * sizeof *p);
    double ss0 = profile_ss(&P, t, j, h, p), ss1 = profile_ss(&P, t, j, 4 * h, p), ss2 = profile_ss(&P, t, j, 16 * h, p);
    if (!(isfinite(ss0) && ss1 <= ss0 * (1 + 1e-9) && ss2 <= ss1 * (1 + 1e-9))) return;
    double lo = 0, hi = INFINITY;
    for (size_t i = 0; i < t->n; i++) {
        double x = t->x[3 * i];
        if (x <= e && x > lo) lo = x;
        if (x > e && x < hi) hi = x;
    }
    if (!isfinite(hi)) return;
    F->status = S_AMBIGUOUS;
    F->ranoff = 1;
    int n = snprintf(F->why, sizeof F->why,
                     "hill ran off (%.3g and growing): the data step between x = %.3g and %.3g with no point on the "
                     "slope; no finite optimum; hold hill (--fix hill=...) or measure between them",
                     hc, lo, hi);
    /* ec50 still has a profile: flat across the gap (the step may sit
     * anywhere in it), rising outside; its limits are where the SS with
     * ec50 held (bottom, top, hill refitted, hill as steep as it likes)
     * reaches the threshold over the step's SS */
    double rlo, rhi;
    if (is_fixed(&F->fx, 2) || !param_range(m, t, 2, &rlo, &rhi) || !(F->N > (double)F->nf)) return;
    size_t je = 0; /* ec50's index among the fitted parameters */
    for (size_t i = 0; i < 2; i++) je += !is_fixed(&F->fx, i);
    p[j] = h; /* not 16 h: there the hill column of the Jacobian underflows to 0 and the refits fail */
    fit_t *G = zn_malloc(sizeof *G);
    *G = *F;
    memcpy(G->r.p, p, F->nf * sizeof *p);
    G->ss = ss2;
    G->df = F->N - (double)F->nf;
    double elo = profile_limit_of(a, &P, t, G, je, -1, e, NAN, 1, rlo, rhi);
    double ehi = profile_limit_of(a, &P, t, G, je, +1, e, NAN, 1, rlo, rhi);
    free(G);
    if (!(isfinite(elo) && isfinite(ehi))) return;
    F->step_lo = elo;
    F->step_hi = ehi;
    if (n > 0 && (size_t)n < sizeof F->why)
        snprintf(F->why + n, sizeof F->why - (size_t)n, "; ec50 between %.3g and %.3g (%g %% profile interval)", elo,
                 ehi, 100 * a->level);
}

/* A logistic fit that ran out of iterations: where was it going?  When the
 * last iterate's ec50 lies beyond the concentrations (above the highest or
 * below the lowest nonzero one), the plateau on that side is not in the data
 * (a response that never levels off): the data do not determine ec50 or that
 * plateau, which is what ambiguous says, not that the optimiser failed. */
static void ran_off_noconv(const args_t *a, const zn_model *m, pts_t *t, fit_t *F)
{
    if (!zn_model_logistic(m) || F->status != S_NOCONV || F->r.status != GSL_EMAXITER) return;
    double xlo, xhi, ilo, ihi, full[4];
    ranges(t, &xlo, &xhi, &ilo, &ihi);
    full_of(F, m, full);
    double e = full[2], h = full[3];
    if (!(isfinite(e) && e > 0 && isfinite(h) && h != 0 && isfinite(full[0]) && isfinite(full[1]))) return;
    int above = e > xhi, below = e < xlo;
    if (!above && !below) {
        ran_off_steep(a, m, t, F, e, h, full[1] >= full[0] ? h : -h);
        return;
    }
    /* the plateau approached on that side, named as Prism names it */
    int k = (above == (h > 0)) ? 1 : 0;
    const char *pl = full[k] >= full[1 - k] ? "top" : "bottom";
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < t->n; i++) ymin = fmin(ymin, t->y[i]), ymax = fmax(ymax, t->y[i]);
    F->status = S_AMBIGUOUS;
    F->ranoff = 1;
    snprintf(F->why, sizeof F->why, "ec50 ran off %s the %s concentration (%.3g %s %.3g) and %s with it (%.3g; data %.3g..%.3g): no %s plateau in the data",
             above ? "above" : "below", above ? "highest" : "lowest", e, above ? ">" : "<", above ? xhi : xlo, pl,
             full[k], ymin, ymax, pl);
}

/* one fit from the starting values of F->fx */
static int fit_from_start(const args_t *a, const zn_model *m, pts_t *t, fit_t *F)
{
    prob_t P = {.m = m, .np = F->nf, .logmask = free_logmask(m, &F->fx), .fx = &F->fx, .fixed = -1, .npfull = F->nf};
    set_weights(a, &P, t, NULL, 0);
    double full[4], p0[4];
    int logi = zn_model_logistic(m);
    if ((logi ? start_logistic(m, t, &F->fx, full) : start_values(m, t, &F->fx, full)) < 0) {
        F->status = S_NOCONV;
        snprintf(F->why, sizeof F->why, "%s",
                 logi ? "no starting values: the curve is flat or the concentrations are all 0"
                      : "no starting values: the rates never rise above zero");
        return -1;
    }
    size_t k = 0;
    for (size_t j = 0; j < m->np; j++)
        if (!is_fixed(&F->fx, j)) p0[k++] = full[j];
    solve(a, &P, t, p0, F);
    return 0;
}

/* fit one model to the points of one group */
static void fit_single(const args_t *a, const zn_model *m, pts_t *t, fit_t *F)
{
    fit_init(F);
    F->fx = fixing_for(a, m);
    F->nf = nfree(m, &F->fx);
    size_t np = F->nf;
    double N = 0;
    for (size_t i = 0; i < t->n; i++) N += t->rep[i];
    F->N = N;
    size_t d = distinct(t, np);
    if (N <= (double)np || d < np) {
        F->status = S_INSUFFICIENT;
        if (d < np)
            snprintf(F->why, sizeof F->why, "%zu distinct concentration%s for %zu parameters", d, d == 1 ? "" : "s",
                     np);
        else
            snprintf(F->why, sizeof F->why, "%g points for %zu parameters: no degrees of freedom", N, np);
        return;
    }
    if (fit_from_start(a, m, t, F) < 0) return;
    /* 3pl with a plateau held: hill +1 and -1 are different curves; the
     * better fit wins (with both plateaus free they are the same family) */
    int both = strcmp(m->name, "3pl") == 0 && (is_fixed(&a->ufix, 0) || is_fixed(&a->ufix, 1));
    if (both) {
        fit_t *G = zn_malloc(sizeof *G);
        fit_init(G);
        G->fx = F->fx;
        G->fx.val[3] = -1;
        G->nf = F->nf;
        G->N = N;
        if (fit_from_start(a, m, t, G) == 0 && G->status == S_OK && (F->status != S_OK || G->r.ss < F->r.ss)) *F = *G;
        free(G);
    }
    prob_t P = {.m = m, .np = np, .logmask = free_logmask(m, &F->fx), .fx = &F->fx, .fixed = -1, .npfull = np};
    if (F->status == S_OK) {
        canonical(F, m);
        /* the weights of the winning fit (1/y, 1/y2 come from its curve) */
        if (both && (a->weight == W_Y || a->weight == W_Y2)) set_weights(a, &P, t, F->r.p, 1);
        fit_stats(a, &P, t, F);
    }
    F->N = N;
    if (F->status == S_OK || F->status == S_AMBIGUOUS) ran_off(m, t, F);
    if ((F->status == S_OK || F->status == S_AMBIGUOUS) && !F->ranoff && zn_model_logistic(m)) {
        double full[4];
        full_of(F, m, full);
        ran_off_steep(a, m, t, F, full[2], full[3], full[3]);
    }
    ran_off_noconv(a, m, t, F);
}

/* ------------------------------------------------------------ intervals */
/* t quantile of the intervals; most groups share their df */
static double tq(const args_t *a, double df)
{
    static double last_df = -1, last_t;
    if (df != last_df) {
        last_t = gsl_cdf_tdist_Pinv(1 - (1 - a->level) / 2, df);
        last_df = df;
    }
    return last_t;
}

/* smallest SS with parameter j held at v (the others refitted from p) */
static double profile_ss(const prob_t *P, pts_t *t, size_t j, double v, double *p)
{
    prob_t Q = *P;
    Q.fixed = (int)j;
    Q.fixval = v;
    Q.npfull = P->np;
    Q.np = P->np - 1;
    Q.logmask = 0;
    size_t k = 0;
    double q[ZN_FIT_MAXP];
    for (size_t i = 0; i < P->np; i++)
        if (i != j) {
            if (P->logmask >> i & 1u) Q.logmask |= 1u << k;
            q[k++] = p[i];
        }
    if (Q.np == 0) {
        double ss = 0;
        for (size_t i = 0; i < t->n; i++) {
            double r = prob_eval(&Q, t->x + 3 * i, q, NULL) - t->y[i];
            ss += t->w[i] * r * r;
        }
        return ss + within_ss(t);
    }
    zn_fitres r;
    if (zn_fit_nls(prob_model, &Q, t->x, 3, t->y, t->w, t->n, Q.np, q, Q.logmask, &r)) return NAN;
    k = 0;
    for (size_t i = 0; i < P->np; i++)
        if (i != j) p[i] = r.p[k++];
    return r.ss + within_ss(t);
}

/* the profile-likelihood limit on one side: where the SS with the parameter
 * (est, SE se; by factors when logp) held reaches SSmin (1 + F(level; 1,
 * df)/df).  The search stops at the edge of the range the data can show
 * (rlo..rhi, of |value|; NaN for none): a profile still below the threshold
 * there never reaches it, and the limit is NaN (unbounded), not the spot
 * where a fit far beyond the data happened to fail. */
static double profile_limit_of(const args_t *a, const prob_t *P, pts_t *t, const fit_t *F, size_t j, int side,
                               double est, double se, int logp, double rlo, double rhi)
{
    double thr = F->ss * (1 + gsl_cdf_fdist_Pinv(a->level, 1, F->df) / F->df);
    double step = logp ? (isfinite(se) && se > 0 ? fmin(se / est, 1) : 0.1) : (isfinite(se) && se > 0 ? se : fabs(est) * 0.1 + 1e-9);
    double p[ZN_FIT_MAXP], pin[ZN_FIT_MAXP];
    memcpy(p, F->r.p, P->np * sizeof *p);
    double in = est, out = NAN;
    for (int k = 0; k < 60; k++) {
        double v = logp ? est * exp(side * step) : est + side * step;
        int edge = 0;
        if (isfinite(rhi) && fabs(v) > rhi) v = copysign(rhi, v), edge = 1;
        if (isfinite(rlo) && fabs(v) < rlo && (logp || (v < 0) == (est < 0))) v = copysign(rlo, v), edge = 1;
        memcpy(pin, p, sizeof pin);
        double ss = profile_ss(P, t, j, v, pin);
        if (isnan(ss)) return NAN;
        if (ss > thr) {
            out = v;
            break;
        }
        if (edge) return NAN; /* below the threshold at the edge: unbounded */
        in = v;
        memcpy(p, pin, P->np * sizeof *p);
        step *= 2;
    }
    if (isnan(out)) return NAN; /* no limit on this side */
    for (int k = 0; k < 100 && fabs(out - in) > 1e-12 * fabs(in) + 1e-300; k++) {
        double v = logp ? sqrt(in * out) : (in + out) / 2;
        memcpy(pin, p, sizeof pin);
        double ss = profile_ss(P, t, j, v, pin);
        if (isnan(ss)) return NAN;
        if (ss > thr) out = v;
        else {
            in = v;
            memcpy(p, pin, P->np * sizeof *p);
        }
    }
    return (in + out) / 2;
}

/* the range of fitted parameter j (index among the free ones) */
static void free_range(const zn_model *m, const pts_t *t, const fixing_t *fx, size_t j, double *lo, double *hi)
{
    *lo = *hi = NAN;
    for (size_t i = 0, k = 0; i < m->np; i++)
        if (!is_fixed(fx, i) && k++ == j) {
            if (!param_range(m, t, i, lo, hi)) *lo = *hi = NAN;
            return;
        }
}

static double profile_limit(const args_t *a, const prob_t *P, pts_t *t, const fit_t *F, size_t j, int side)
{
    double lo, hi;
    free_range(P->m, t, &F->fx, j, &lo, &hi);
    return profile_limit_of(a, P, t, F, j, side, F->r.p[j], sqrt(F->r.cov[j * P->np + j] * F->s2), P->logmask >> j & 1u,
                            lo, hi);
}

/* ------------------------------------------------------------ output */
typedef struct {
    const args_t *a;
    zn_wr *w;
    char **bynames;
    size_t nby;
    pts_t t;
    zn_cols cols; /* names of the fit columns */
    size_t cap;
    zn_rec rec;
    zn_wr *cw; /* --curve-output */
    zn_cols ccols;
    zn_rec crec;
    long nfail;
    /* Km from fit records in the stream (--ki without Km) */
    char **kmkey;  /* group keys (NULL when the fit lacks the --by columns) */
    double *km, *kmse;
    size_t nkm, kmcap;
    char kmtext[200];
} out_t;

static void col(zn_cols *c, size_t *cap, const char *name)
{
    zn_grow(&c->cols, cap, c->n + 1, sizeof *c->cols);
    c->cols[c->n++] = zn_strdup(name);
}

/* P, P_se, P_lo, P_hi */
static void col4(zn_cols *c, size_t *cap, const char *p)
{
    static const char *const sfx[] = {"", "_se", "_lo", "_hi"};
    for (size_t i = 0; i < 4; i++) {
        char *s = zn_asprintf("%s%s", p, sfx[i]);
        col(c, cap, s);
        free(s);
    }
}

/* the adequacy columns: always for the concentration-response models,
 * with --adequacy for the others (their records keep their shape) */
static int want_adequacy(const args_t *a) { return a->adequacy || zn_model_logistic(a->m); }

static void fit_header(out_t *o, zn_meta *inmeta)
{
    const args_t *a = o->a;
    for (size_t i = 0; i < o->nby; i++) col(&o->cols, &o->cap, o->bynames[i]);
    col(&o->cols, &o->cap, "model");
    col(&o->cols, &o->cap, "n");
    for (size_t j = 0; j < a->m->np; j++) col4(&o->cols, &o->cap, a->m->pn[j]);
    if (zn_model_logistic(a->m)) {
        col4(&o->cols, &o->cap, "logec50");
        for (size_t i = 0; i < a->necf; i++) {
            char *s = zn_asprintf("ec%g", a->ecf[i]);
            col4(&o->cols, &o->cap, s);
            free(s);
        }
        if (!isnan(a->ki_S)) {
            col4(&o->cols, &o->cap, "Ki");
            col(&o->cols, &o->cap, "ki_equation");
        }
    }
    const char *tail[] = {"rss", "df", "sy_x", "r2", "aicc", "iterations", "weight", "status", "reason"};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) col(&o->cols, &o->cap, tail[i]);
    if (want_adequacy(a)) {
        const char *c[] = {"lof_F", "lof_p", "runs", "runs_p", "normality_K2", "normality_p", "shapiro_W",
                           "shapiro_p", "outliers", "outlier_points"};
        for (size_t i = 0; i < sizeof c / sizeof *c; i++) col(&o->cols, &o->cap, c[i]);
        if (a->exclude_outliers) col(&o->cols, &o->cap, "excluded");
    }
    if (a->alt) {
        const char *c[] = {"compare", "compare_status", "compare_aicc", "daicc", "F", "F_p", "prefer"};
        for (size_t i = 0; i < sizeof c / sizeof *c; i++) col(&o->cols, &o->cap, c[i]);
    }
    if (a->share) {
        const char *c[] = {"shared", "share_F", "share_p", "share_daicc", "share_prefer"};
        for (size_t i = 0; i < sizeof c / sizeof *c; i++) col(&o->cols, &o->cap, c[i]);
    }
    zn_rec_init(&o->rec, &o->cols, (size_t)-1);
    zn_meta m = {0};
    zn_meta_derive(&m, inmeta, "fit");
    zn_meta_addf(&m, "fit=%s:%s:x=%s:y=%s%s%s:weight=%s:ci=%s:level=%g%s%s", a->m->name, a->m->eq, a->xcol,
                 a->ycol, a->m->needs_i ? ":I=" : "", a->m->needs_i ? a->icol : "", wname[a->weight],
                 a->profile ? "profile" : "wald", a->level, a->fixtext ? ":fix=" : "", a->fixtext ? a->fixtext : "");
    if (want_adequacy(a))
        zn_meta_addf(&m, "adequacy=replicates:lack-of-fit F:runs:Wald-Wolfowitz exact one-tailed:normality:"
                         "D'Agostino-Pearson K2 and Shapiro-Wilk W:outliers:ROUT Q=%g%s",
                     a->routq, a->exclude_outliers ? ":excluded" : ":flagged");
    if (zn_model_logistic(a->m) && !isnan(a->ki_S)) {
        if (a->ki_stream)
            zn_meta_addf(&m, "ki=Cheng-Prusoff (competitive):Ki=IC50/(1+S/Km):S=%g:Km=from the fit records in the stream",
                         a->ki_S);
        else
            zn_meta_addf(&m, "ki=Cheng-Prusoff (competitive):Ki=IC50/(1+S/Km):S=%g:Km=%g", a->ki_S, a->ki_Km);
    }
    zn_out_head(o->w, &m, a->o.no_pg ? NULL : a->o.pg, o->cols.cols, o->cols.n);
    zn_meta_clear(&m);
    free(m.v);
}

typedef struct {
    const fit_t *alt;
    double F, Fp, daicc;
    const char *prefer;
} cmp_t;

typedef struct {
    double F, p, daicc;
    const char *prefer;
} share_t;

/* a value, its SE and interval into four columns */
static size_t put4(zn_rec *r, size_t k, int have, double v, double se, double lo, double hi)
{
    zn_rec_num(r, k++, have ? v : NAN);
    zn_rec_num(r, k++, have ? se : NAN);
    zn_rec_num(r, k++, have ? lo : NAN);
    zn_rec_num(r, k++, have ? hi : NAN);
    return k;
}

/* Columns derived from a concentration-response fit: log10 ec50, the
 * effective concentrations of --ecf and Ki.  The SEs are the delta method's
 * (g'Cg s2); ECp = ec50 (p/(100 - p))^(1/|hill|) is the concentration with p %
 * of the effect, from the curve's level at x = 0 towards its other plateau
 * (drc's ED, type "relative"), with the Wald interval +- t SE (drc's
 * interval "delta").  logec50's interval is +- t SE on the log scale (the
 * antilog is Prism's asymmetric interval of EC50), or the log of ec50's
 * profile limits. */
/* ECp = ec50 (p/(100 - p))^(1/|hill|) of a concentration-response fit and
 * its delta-method SE */
static double ecp_est(const zn_model *m, const fit_t *F, double pc, double *sep)
{
    double full[4];
    full_of(F, m, full);
    double e = full[2], h = full[3], lr = log(pc / (100 - pc));
    int ke = free_idx(&F->fx, 2), kh = free_idx(&F->fx, 3);
    size_t nf = F->nf;
    double vee = ke >= 0 ? F->r.cov[ke * nf + ke] * F->s2 : 0;
    double veh = ke >= 0 && kh >= 0 ? F->r.cov[ke * nf + kh] * F->s2 : 0;
    double vhh = kh >= 0 ? F->r.cov[kh * nf + kh] * F->s2 : 0;
    double ec = e * exp(lr / fabs(h));
    double ge = ec / e, gh = ec * lr * (h > 0 ? -1 : 1) / (h * h);
    *sep = ke < 0 && kh < 0 ? NAN : sqrt(ge * ge * vee + 2 * ge * gh * veh + gh * gh * vhh);
    return ec;
}

/* Km for a group from the fit records of the stream: the record with the
 * same --by values, or the only one.  0 found; -1 with the reason in why. */
static int km_for(const out_t *o, const char *key, double *km, double *se, const char **why)
{
    size_t hit = (size_t)-1, n = 0;
    for (size_t i = 0; i < o->nkm; i++) {
        if (o->kmkey[i] && key && strcmp(o->kmkey[i], key) == 0) hit = i;
        n++;
    }
    if (hit == (size_t)-1 && n == 1) hit = 0;
    if (hit == (size_t)-1) {
        *why = n ? "none: several Km in the stream and none with this group's --by values"
                 : "none: no fit record with Km (status ok) in the stream";
        return -1;
    }
    *km = o->km[hit];
    *se = o->kmse[hit];
    return 0;
}

static size_t write_derived(out_t *o, const char *key, size_t k, const fit_t *F, const double *lo, const double *hi,
                            int have, char *kieq, size_t kilen)
{
    const args_t *a = o->a;
    zn_rec *r = &o->rec;
    if (!have) { /* no estimates: the columns empty, nothing computed from them */
        size_t n = 4 + 4 * a->necf + (isnan(a->ki_S) ? 0 : 4);
        for (size_t i = 0; i < n; i++) /* logec50_lo, _hi of a step's ec50 interval */
            zn_rec_num(r, k++, i == 2 ? log10(F->step_lo) : i == 3 ? log10(F->step_hi) : NAN);
        if (!isnan(a->ki_S)) zn_rec_set(r, k++, "", 0);
        return k;
    }
    double full[4];
    full_of(F, a->m, full);
    double e = full[2], h = full[3], tv = have ? tq(a, F->df) : NAN;
    int ke = free_idx(&F->fx, 2);
    size_t nf = F->nf;
    double vee = ke >= 0 ? F->r.cov[ke * nf + ke] * F->s2 : 0;
    double se_e = ke >= 0 ? sqrt(vee) : NAN, l10 = log(10);
    double lse = se_e / (e * l10);
    double llo = ke < 0 ? NAN : a->profile ? log10(lo[ke]) : log10(e) - tv * lse;
    double lhi = ke < 0 ? NAN : a->profile ? log10(hi[ke]) : log10(e) + tv * lse;
    k = put4(r, k, have, log10(e), lse, llo, lhi);
    for (size_t i = 0; i < a->necf; i++) {
        double se, ec = ecp_est(a->m, F, a->ecf[i], &se);
        double elo = F->ecp_prof ? F->ecplo[i] : ec - tv * se, ehi = F->ecp_prof ? F->ecphi[i] : ec + tv * se;
        k = put4(r, k, have && h != 0, ec, se, elo, ehi);
    }
    if (!isnan(a->ki_S)) {
        double Km = a->ki_Km, Kse = NAN;
        const char *why = "";
        int gotkm = a->ki_stream ? km_for(o, key, &Km, &Kse, &why) == 0 : 1;
        double f = 1 + a->ki_S / Km, Ki = e / f;
        /* an IC50: the curve must fall */
        int ok = have && h < 0 && gotkm;
        double se = se_e / f, klo = ke >= 0 ? lo[ke] / f : NAN, khi = ke >= 0 ? hi[ke] / f : NAN;
        if (ok && isfinite(Kse)) {
            /* Km from an independent fit: its SE by the delta method, and
             * a Wald interval from the two */
            double dK = e * (a->ki_S / (Km * Km)) / (f * f);
            se = sqrt(se * se + dK * dK * Kse * Kse);
            klo = Ki - tv * se;
            khi = Ki + tv * se;
        }
        k = put4(r, k, ok, Ki, se, klo, khi);
        if (ok)
            snprintf(kieq, kilen, "Cheng-Prusoff: Ki = IC50/(1+S/Km), S=%g, Km=%g%s", a->ki_S, Km,
                     a->ki_stream ? " (from the fit in the stream)" : "");
        else
            snprintf(kieq, kilen, "%s",
                     !have ? "" : h >= 0 ? "none: the curve rises (Ki is for an inhibitor's IC50)" : why);
        zn_rec_set(r, k++, kieq, strlen(kieq));
    }
    return k;
}

static void write_fit(out_t *o, const char *key, const fit_t *F, const double *lo, const double *hi,
                      const cmp_t *c, const share_t *sh, double df_override)
{
    const args_t *a = o->a;
    zn_rec *r = &o->rec;
    size_t k = 0;
    for (size_t i = 0; i < o->nby; i++) {
        const char *v;
        size_t l = zn_key_field(key, i, &v);
        zn_rec_set(r, k++, v, l);
    }
    zn_rec_set(r, k++, a->m->name, strlen(a->m->name));
    zn_rec_num(r, k++, F->N);
    int have = (F->status == S_OK || F->status == S_AMBIGUOUS) && !F->ranoff;
    size_t nf = F->nf, fi = 0;
    for (size_t j = 0; j < a->m->np; j++) {
        int held = is_fixed(&F->fx, j);
        double se = have && !held ? sqrt(F->r.cov[fi * nf + fi] * F->s2) : NAN;
        zn_rec_num(r, k++, have ? (held ? F->fx.val[j] : F->r.p[fi]) : NAN);
        zn_rec_num(r, k++, se);
        /* a step (hill ran off): no estimates, but ec50's profile interval */
        int step = !have && !held && j == 2 && zn_model_logistic(a->m);
        zn_rec_num(r, k++, have && !held ? lo[fi] : step ? F->step_lo : NAN);
        zn_rec_num(r, k++, have && !held ? hi[fi] : step ? F->step_hi : NAN);
        if (!held) fi++;
    }
    char kieq[160] = "";
    if (zn_model_logistic(a->m)) k = write_derived(o, key, k, F, lo, hi, have, kieq, sizeof kieq);
    zn_rec_num(r, k++, have ? F->ss : NAN);
    zn_rec_num(r, k++, have ? (isnan(df_override) ? F->df : df_override) : NAN);
    zn_rec_num(r, k++, have ? sqrt(F->s2) : NAN);
    zn_rec_num(r, k++, have ? F->r2 : NAN);
    zn_rec_num(r, k++, have ? F->aicc : NAN);
    zn_rec_num(r, k++, F->status == S_INSUFFICIENT ? NAN : (double)F->iter);
    zn_rec_set(r, k++, wname[a->weight], strlen(wname[a->weight]));
    zn_rec_set(r, k++, sname[F->status], strlen(sname[F->status]));
    zn_rec_set(r, k++, F->why, strlen(F->why));
    if (want_adequacy(a)) {
        const adeq_t *d = &F->ad;
        zn_rec_num(r, k++, d->lof_F);
        zn_rec_num(r, k++, d->lof_p);
        zn_rec_num(r, k++, d->runs);
        zn_rec_num(r, k++, d->runs_p);
        zn_rec_num(r, k++, d->norm_K2);
        zn_rec_num(r, k++, d->norm_p);
        zn_rec_num(r, k++, d->sw_W);
        zn_rec_num(r, k++, d->sw_p);
        zn_rec_num(r, k++, d->rout_n);
        zn_rec_set(r, k++, d->rout_pts ? d->rout_pts : "", d->rout_pts ? strlen(d->rout_pts) : 0);
        if (a->exclude_outliers) zn_rec_num(r, k++, d->excluded);
    }
    if (a->alt) {
        zn_rec_set(r, k++, a->alt->name, strlen(a->alt->name));
        zn_rec_set(r, k++, sname[c->alt->status], strlen(sname[c->alt->status]));
        int ah = c->alt->status == S_OK || c->alt->status == S_AMBIGUOUS;
        zn_rec_num(r, k++, ah ? c->alt->aicc : NAN);
        zn_rec_num(r, k++, c->daicc);
        zn_rec_num(r, k++, c->F);
        zn_rec_num(r, k++, c->Fp);
        zn_rec_set(r, k++, c->prefer, strlen(c->prefer));
    }
    if (a->share) {
        zn_rec_set(r, k++, a->share, strlen(a->share));
        zn_rec_num(r, k++, sh->F);
        zn_rec_num(r, k++, sh->p);
        zn_rec_num(r, k++, sh->daicc);
        zn_rec_set(r, k++, sh->prefer, strlen(sh->prefer));
    }
    zn_rec_write(o->w, r);
    if (F->status != S_OK) o->nfail++;
}

/* The stream of --curve-output: written as the fits are made */
static void curve_header(out_t *o)
{
    const args_t *a = o->a;
    char err[600];
    o->cw = zn_wr_open(a->curve_out, a->o.level, zn_opt_plain(&a->o, a->curve_out), err, sizeof err);
    if (!o->cw) zn_die(ZN_EXIT_DATA, "--curve-output: %s", err);
    size_t cap = 0;
    for (size_t i = 0; i < o->nby; i++) col(&o->ccols, &cap, o->bynames[i]);
    col(&o->ccols, &cap, "model");
    if (a->m->needs_i) col(&o->ccols, &cap, a->icol);
    const char *tail[] = {"x", "y", "y_lo", "y_hi"};
    for (size_t i = 0; i < 4; i++) col(&o->ccols, &cap, tail[i]);
    zn_rec_init(&o->crec, &o->ccols, (size_t)-1);
    zn_meta m = {0};
    zn_meta_add(&m, "schema=curve");
    zn_meta_addf(&m, "curve=%s:%s:x=%s:y=%s:band=%g", a->m->name, a->m->eq, a->xcol, a->ycol, a->level);
    zn_out_head(o->cw, &m, a->o.no_pg ? NULL : a->o.pg, o->ccols.cols, o->ccols.n);
    zn_meta_clear(&m);
    free(m.v);
}

/* N points of the fitted curve with the confidence band of the curve:
 * y +- t * sqrt(g' C g * s2), g = dy/dp at x */
static void add_curve(out_t *o, const char *key, const prob_t *P, const fit_t *F, const pts_t *t, double gidx)
{
    const args_t *a = o->a;
    if (!(F->status == S_OK || F->status == S_AMBIGUOUS) || F->ranoff || a->curve < 2) return;
    double xmax = 0, xmin = INFINITY;
    for (size_t i = 0; i < t->n; i++)
        if (t->x[3 * i + 2] == gidx) {
            if (t->x[3 * i] > xmax) xmax = t->x[3 * i];
            if (t->x[3 * i] > 0 && t->x[3 * i] < xmin) xmin = t->x[3 * i];
        }
    /* concentration-response: x = 0 (the controls' limit), then log-spaced
     * from the lowest positive to the highest concentration */
    int logx = zn_model_logistic(a->m) && isfinite(xmin) && xmax > xmin && a->curve > 2;
    /* one curve per inhibitor concentration in the group */
    double *Is = NULL;
    size_t nI = 0, cI = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->x[3 * i + 2] != gidx) continue;
        double I = a->m->needs_i ? t->x[3 * i + 1] : 0;
        size_t k = 0;
        while (k < nI && Is[k] != I) k++;
        if (k == nI) {
            zn_grow(&Is, &cI, nI + 1, sizeof *Is);
            Is[nI++] = I;
        }
    }
    double tv = tq(a, F->df);
    for (size_t k = 0; k < nI; k++)
        for (long c = 0; c < a->curve; c++) {
            double x[3] = {logx ? (c == 0 ? 0 : xmin * pow(xmax / xmin, (double)(c - 1) / (double)(a->curve - 2)))
                                : xmax * (double)c / (double)(a->curve - 1),
                           Is[k], gidx};
            double g[ZN_FIT_MAXP];
            double y = prob_eval(P, x, F->r.p, g), v = 0;
            for (size_t i = 0; i < P->np; i++)
                for (size_t j = 0; j < P->np; j++) v += g[i] * F->r.cov[i * P->np + j] * g[j];
            double h = tv * sqrt(v * F->s2);
            zn_rec *r = &o->crec;
            size_t c2 = 0;
            for (size_t i = 0; i < o->nby; i++) {
                const char *v;
                size_t l = zn_key_field(key, i, &v);
                zn_rec_set(r, c2++, v, l);
            }
            zn_rec_set(r, c2++, a->m->name, strlen(a->m->name));
            if (a->m->needs_i) zn_rec_num(r, c2++, Is[k]);
            zn_rec_num(r, c2++, x[0]);
            zn_rec_num(r, c2++, y);
            zn_rec_num(r, c2++, y - h);
            zn_rec_num(r, c2++, y + h);
            zn_rec_write(o->cw, r);
        }
    free(Is);
}

static void intervals(const args_t *a, const prob_t *P, pts_t *t, const fit_t *F, double *lo, double *hi)
{
    for (size_t j = 0; j < P->np; j++) {
        lo[j] = hi[j] = NAN;
        if (!(F->status == S_OK || F->status == S_AMBIGUOUS) || F->ranoff) continue;
        if (a->profile && F->df >= 1) {
            lo[j] = profile_limit(a, P, t, F, j, -1);
            hi[j] = profile_limit(a, P, t, F, j, +1);
        } else {
            double se = sqrt(F->r.cov[j * P->np + j] * F->s2), h = tq(a, F->df) * se;
            lo[j] = F->r.p[j] - h;
            hi[j] = F->r.p[j] + h;
        }
    }
}

/* --ci profile with --ecf: the profile of each ECp, the curve written with
 * ECp in place of ec50 (ec50 = ECp exp(-ln(p/(100 - p))/|hill|)) and ECp
 * held while the others are refitted */
static void ecp_profile(const args_t *a, const prob_t *P, pts_t *t, fit_t *F)
{
    int ke = free_idx(&F->fx, 2);
    if (!a->profile || !a->necf || !zn_model_logistic(a->m) || ke < 0 || F->df < 1 ||
        !(F->status == S_OK || F->status == S_AMBIGUOUS) || F->ranoff)
        return;
    prob_t Q = *P;
    for (size_t i = 0; i < a->necf; i++) {
        double se, ec = ecp_est(a->m, F, a->ecf[i], &se);
        Q.ecp_lr = log(a->ecf[i] / (100 - a->ecf[i]));
        double rlo, rhi;
        if (!param_range(a->m, t, 2, &rlo, &rhi)) rlo = rhi = NAN;
        F->ecplo[i] = profile_limit_of(a, &Q, t, F, (size_t)ke, -1, ec, se, 1, rlo, rhi);
        F->ecphi[i] = profile_limit_of(a, &Q, t, F, (size_t)ke, +1, ec, se, 1, rlo, rhi);
    }
    F->ecp_prof = 1;
}

static void compare(const args_t *a, const fit_t *F, const fit_t *G, cmp_t *c)
{
    c->alt = G;
    c->F = c->Fp = c->daicc = NAN;
    c->prefer = "";
    int fh = F->status == S_OK, gh = G->status == S_OK;
    if (!fh || !gh) {
        c->prefer = fh ? a->m->name : gh ? a->alt->name : "";
        return;
    }
    const fit_t *s = F, *x = G; /* simpler, more complex */
    const zn_model *ms = a->m, *mx = a->alt;
    if (F->nf > G->nf) {
        s = G;
        x = F;
        ms = a->alt;
        mx = a->m;
    }
    c->daicc = s->aicc - x->aicc;
    if (s->nf < x->nf && zn_model_nested(ms, mx)) {
        double dfn = s->df - x->df;
        c->F = ((s->ss - x->ss) / dfn) / (x->ss / x->df);
        c->Fp = c->F > 0 ? gsl_cdf_fdist_Q(c->F, dfn, x->df) : 1;
        c->prefer = c->Fp < 1 - a->level ? mx->name : ms->name;
    } else
        c->prefer = c->daicc > 0 ? mx->name : ms->name;
}

/* ------------------------------------------------------------ per group */
/* ------------------------------------------------------------ adequacy */
static const pts_t *sort_pts;
/* by x, then inhibitor, then input order */
static int cmp_pt(const void *pa, const void *pb)
{
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    const double *x = sort_pts->x;
    if (x[3 * i] != x[3 * j]) return x[3 * i] < x[3 * j] ? -1 : 1;
    if (x[3 * i + 1] != x[3 * j + 1]) return x[3 * i + 1] < x[3 * j + 1] ? -1 : 1;
    return (i > j) - (i < j);
}

/* Robust standard deviation of the residuals (Motulsky and Brown 2006):
 * the 68.27th percentile of |r| times n/(n - K). */
static double rsdr(const double *r, size_t n, size_t K, double *abuf)
{
    for (size_t i = 0; i < n; i++) abuf[i] = fabs(r[i]);
    return zn_quantile(abuf, n, 0.6827) * (double)n / (double)(n - K);
}

/* weighted residuals sqrt(w) (y - f) at the parameters p */
static void residuals(const prob_t *P, const pts_t *t, const double *w, const double *p, double *r)
{
    for (size_t i = 0; i < t->n; i++) r[i] = (t->y[i] - prob_eval(P, t->x + 3 * i, p, NULL)) * sqrt(w[i]);
}

/* ROUT (Motulsky and Brown, BMC Bioinformatics 2006;7:123): a robust fit
 * that minimises sum ln(1 + (r/RSDR)^2) (Lorentzian scatter), by iteratively
 * reweighted least squares (weights 1/(1 + (r/RSDR)^2), whose fixed point is
 * the Lorentzian optimum), RSDR recomputed from each round's residuals (the
 * fit grows more robust as the scale shrinks), from the least-squares fit;
 * then t = |r|/RSDR with n - K df, two-tailed p, and the false discovery
 * rate of Benjamini and Hochberg at Q over the points ranked by |r|: the
 * point of rank i (ascending) is compared with Q (n - i + 1)/n, and every
 * point above the first that passes is an outlier.  Only the floor(3n/10)
 * largest are tested: at most 30 % of the points can be outliers.  out[i] = 1 for outliers;
 * returns their number, -1 when it could not be run. */
static long rout(const args_t *a, const prob_t *P, pts_t *t, const fit_t *F, unsigned char *out)
{
    size_t n = t->n, K = P->np;
    if (n <= K + 1) return -1;
    double *w0 = zn_malloc(n * sizeof *w0), *r = zn_malloc(n * sizeof *r), *ab = zn_malloc(n * sizeof *ab);
    double p[ZN_FIT_MAXP];
    memcpy(w0, t->w, n * sizeof *w0);
    memcpy(p, F->r.p, K * sizeof *p);
    residuals(P, t, w0, p, r);
    double s = rsdr(r, n, K, ab);
    long nout = -1;
    int ok = s > 0;
    for (int it = 0; ok && it < 200; it++) {
        for (size_t i = 0; i < n; i++) t->w[i] = w0[i] / (1 + (r[i] / s) * (r[i] / s));
        zn_fitres fr;
        if (zn_fit_nls(prob_model, (void *)P, t->x, 3, t->y, t->w, n, K, p, P->logmask, &fr)) {
            ok = 0;
            break;
        }
        double ch = 0;
        for (size_t j = 0; j < K; j++) {
            double d = fabs(fr.p[j] - p[j]) / fmax(fabs(fr.p[j]), 1e-300);
            if (d > ch) ch = d;
        }
        memcpy(p, fr.p, K * sizeof *p);
        residuals(P, t, w0, p, r);
        double s2 = rsdr(r, n, K, ab);
        int done = ch < 1e-10 && fabs(s2 - s) <= 1e-10 * s;
        s = s2;
        if (!(s > 0)) ok = 0;
        if (done) break;
        if (it == 199) ok = 0;
    }
    memcpy(t->w, w0, n * sizeof *w0);
    if (ok) {
        size_t *idx = zn_malloc(n * sizeof *idx);
        for (size_t i = 0; i < n; i++) idx[i] = i, ab[i] = fabs(r[i]), out[i] = 0;
        /* ascending |r| (insertion sort: groups are small) */
        for (size_t i = 1; i < n; i++) {
            size_t v = idx[i], j = i;
            while (j > 0 && ab[idx[j - 1]] > ab[v]) idx[j] = idx[j - 1], j--;
            idx[j] = v;
        }
        /* only the largest 30 %: ROUT calls at most floor(0.3 n) points
         * outliers (Motulsky and Brown 2006; GraphPad: "up to 30% of the
         * sample size") */
        size_t first = n;
        for (size_t i = n - 3 * n / 10; i < n && first == n; i++) {
            double pv = 2 * gsl_cdf_tdist_Q(ab[idx[i]] / s, (double)(n - K));
            if (pv < a->routq * (double)(n - i) / (double)n) first = i;
        }
        nout = 0;
        for (size_t i = first; i < n; i++) out[idx[i]] = 1, nout++;
        free(idx);
    }
    free(w0);
    free(r);
    free(ab);
    return nout;
}

/* The tests on the residuals of one curve: the replicates test (lack of
 * fit: the scatter of replicate means about the curve against the scatter
 * of replicates about their means, F = (SSlof/(k - K))/(SSpe/(N - k)), k
 * distinct concentrations, K the parameters the curve spends), the runs
 * test of the residual signs in order of x (with replicates, of the sign of
 * each concentration's mean residual), D'Agostino-Pearson and Shapiro-Wilk
 * on the weighted residuals.  The points of group gsel (x[2]) only when
 * gsel >= 0 (a global fit); N and ss are those points' count (replicates
 * counted) and weighted SS (scatter within means included). */
static void adequacy_tests(const prob_t *P, const pts_t *t, const double *p, double gsel, double N, double ss,
                           double K, adeq_t *d)
{
    size_t n = 0, na = t->n;
    size_t *idx = zn_malloc((na ? na : 1) * sizeof *idx);
    double *r = zn_malloc((na ? na : 1) * sizeof *r), *rg = zn_malloc((na ? na : 1) * sizeof *rg);
    int *sg = zn_malloc((na ? na : 1) * sizeof *sg);
    for (size_t i = 0; i < na; i++) idx[i] = i;
    sort_pts = t;
    qsort(idx, na, sizeof *idx, cmp_pt);
    residuals(P, t, t->w, p, r);
    /* the group's points, in sorted order */
    for (size_t i = 0; i < na; i++)
        if (gsel < 0 || t->x[3 * idx[i] + 2] == gsel) idx[n++] = idx[i];
    double sspe = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t q = idx[i];
        if (t->rep[q] > 1) sspe += t->w[q] / t->rep[q] * (t->rep[q] - 1) * t->sd[q] * t->sd[q];
    }
    /* groups of equal (x, I) in sorted order */
    size_t nsign = 0;
    int reps = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sw = 0, swy = 0, sr = 0;
        while (j < n && t->x[3 * idx[j]] == t->x[3 * idx[i]] && t->x[3 * idx[j] + 1] == t->x[3 * idx[i] + 1]) {
            size_t q = idx[j++];
            sw += t->w[q];
            swy += t->w[q] * t->y[q];
            sr += r[q] * sqrt(t->w[q]);
        }
        double m = swy / sw;
        for (size_t l = i; l < j; l++) sspe += t->w[idx[l]] * (t->y[idx[l]] - m) * (t->y[idx[l]] - m);
        if (j - i > 1 || t->rep[idx[i]] > 1) reps = 1;
        sg[nsign++] = sr > 0 ? 1 : sr < 0 ? -1 : 0;
        ng++;
        i = j;
    }
    double dfpe = N - ng, dflof = ng - K;
    if (reps && dfpe > 0 && dflof > 0 && sspe > 0) {
        d->lof_df1 = dflof;
        d->lof_df2 = dfpe;
        d->lof_F = ((ss - sspe) / dflof) / (sspe / dfpe);
        d->lof_p = d->lof_F > 0 ? gsl_cdf_fdist_Q(d->lof_F, dflof, dfpe) : 1;
    }
    if (!reps) {
        nsign = 0;
        for (size_t i = 0; i < n; i++) sg[nsign++] = r[idx[i]] > 0 ? 1 : r[idx[i]] < 0 ? -1 : 0;
    }
    zn_runs rt;
    if (zn_runs_test(sg, nsign, &rt) == 0) {
        d->runs = (double)rt.runs;
        d->runs_expected = rt.expected;
        d->runs_p = rt.p;
    }
    for (size_t i = 0; i < n; i++) rg[i] = r[idx[i]];
    zn_test nt;
    if (zn_normaltest(rg, n, &nt) == 0) {
        d->norm_K2 = nt.stat;
        d->norm_p = nt.p;
    }
    if (zn_shapiro(rg, n, &nt) == 0) {
        d->sw_W = nt.stat;
        d->sw_p = nt.p;
    }
    free(idx);
    free(r);
    free(rg);
    free(sg);
}

/* ROUT's outliers among the points of group gsel (all when < 0): their
 * number into d->rout_n and the x:y list into d->rout_pts, in order of x */
static void rout_points(const pts_t *t, const unsigned char *out, double gsel, adeq_t *d)
{
    size_t n = t->n;
    size_t *idx = zn_malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_pts = t;
    qsort(idx, n, sizeof *idx, cmp_pt);
    zn_buf b = {0};
    double cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (out[idx[i]] && (gsel < 0 || t->x[3 * idx[i] + 2] == gsel)) {
            /* measured values: as they came (the shortest exact round trip) */
            char xs[40], ys[40];
            zn_fmt_double_rt(xs, t->x[3 * idx[i]]);
            zn_fmt_double_rt(ys, t->y[idx[i]]);
            zn_buf_addf(&b, "%s%s:%s", b.n ? ";" : "", xs, ys);
            cnt++;
        }
    d->rout_n = cnt;
    d->rout_pts = b.n ? b.s : NULL;
    if (!b.n) zn_buf_free(&b);
    free(idx);
}

/* The adequacy of a single fit: adequacy_tests and ROUT. */
static void adequacy(const args_t *a, const prob_t *P, pts_t *t, fit_t *F, unsigned char *out)
{
    if (!(F->status == S_OK || F->status == S_AMBIGUOUS) || F->ranoff) return;
    adequacy_tests(P, t, F->r.p, -1, F->N, F->ss, (double)P->np, &F->ad);
    if (rout(a, P, t, F, out) >= 0) rout_points(t, out, -1, &F->ad);
}

/* The parameters a global fit spends on each group: the sum of the
 * leverages h_i = w_i g_i' C g_i of the group's points (g the gradient of
 * the curve at the point, C = (J'WJ)^-1).  They add up to the global
 * fit's parameter count; in a fit of one group they are its K; a shared
 * parameter counts in each group by the share of it that group's points
 * carry.  Kg[ng]. */
static void group_leverage(const prob_t *P, const pts_t *t, const fit_t *F, size_t ng, double *Kg)
{
    for (size_t g = 0; g < ng; g++) Kg[g] = 0;
    for (size_t i = 0; i < t->n; i++) {
        double gr[ZN_FIT_MAXP], h = 0;
        prob_eval(P, t->x + 3 * i, F->r.p, gr);
        for (size_t j = 0; j < P->np; j++)
            for (size_t k = 0; k < P->np; k++) h += gr[j] * F->r.cov[j * P->np + k] * gr[k];
        Kg[(size_t)t->x[3 * i + 2]] += t->w[i] * h;
    }
}

static void fit_group(out_t *o, group_t *g)
{
    const args_t *a = o->a;
    pts_from(&o->t, &g, 1);
    fit_t F, G;
    fit_single(a, a->m, &o->t, &F);
    prob_t P = {.m = a->m, .np = F.nf, .logmask = free_logmask(a->m, &F.fx), .fx = &F.fx, .fixed = -1, .npfull = F.nf};
    unsigned char *out = want_adequacy(a) ? zn_calloc(o->t.n + 1, 1) : NULL;
    if (out) adequacy(a, &P, &o->t, &F, out);
    if (a->exclude_outliers && F.ad.rout_n > 0) {
        /* the fit again without the outliers; the ROUT columns say what was
         * left out */
        adeq_t first = F.ad;
        size_t m = 0;
        for (size_t i = 0; i < o->t.n; i++)
            if (!out[i]) {
                memmove(o->t.x + 3 * m, o->t.x + 3 * i, 3 * sizeof(double));
                o->t.y[m] = o->t.y[i];
                o->t.wd[m] = o->t.wd[i];
                o->t.rep[m] = o->t.rep[i];
                o->t.sd[m] = o->t.sd[i];
                m++;
            }
        o->t.n = m;
        fit_single(a, a->m, &o->t, &F);
        P.np = P.npfull = F.nf;
        P.logmask = free_logmask(a->m, &F.fx);
        adequacy(a, &P, &o->t, &F, out);
        free(F.ad.rout_pts);
        F.ad.rout_n = first.rout_n;
        F.ad.rout_pts = first.rout_pts;
        F.ad.excluded = first.rout_n;
    } else if (a->exclude_outliers && F.ad.rout_n == 0)
        F.ad.excluded = 0;
    free(out);
    double lo[ZN_FIT_MAXP], hi[ZN_FIT_MAXP];
    intervals(a, &P, &o->t, &F, lo, hi);
    ecp_profile(a, &P, &o->t, &F);
    cmp_t c = {0};
    if (a->alt) {
        /* the same points as the model's fit (without the outliers when
         * --exclude-outliers left them out) */
        pts_t t2 = {0};
        pts_from(&t2, &g, 1);
        if (a->exclude_outliers && o->t.n < t2.n) {
            t2.n = o->t.n;
            memcpy(t2.x, o->t.x, 3 * o->t.n * sizeof *t2.x);
            memcpy(t2.y, o->t.y, o->t.n * sizeof *t2.y);
            memcpy(t2.wd, o->t.wd, o->t.n * sizeof *t2.wd);
            memcpy(t2.rep, o->t.rep, o->t.n * sizeof *t2.rep);
            memcpy(t2.sd, o->t.sd, o->t.n * sizeof *t2.sd);
        }
        fit_single(a, a->alt, &t2, &G);
        pts_free(&t2);
        compare(a, &F, &G, &c);
    }
    write_fit(o, g->key, &F, lo, hi, &c, NULL, NAN);
    add_curve(o, g->key, &P, &F, &o->t, 0);
    free(F.ad.rout_pts);
}

/* all groups at once with some parameters shared */
static void fit_global(out_t *o, group_t *gs, size_t ng)
{
    const args_t *a = o->a;
    const zn_model *m = a->m;
    unsigned shared = 0;
    char *list = zn_strdup(a->share), *save = NULL;
    for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        size_t j = 0;
        while (j < m->np && strcmp(m->pn[j], s)) j++;
        if (j == m->np) zn_usage_error("--share: %s is not a parameter of model %s", s, m->name);
        shared |= 1u << j;
    }
    free(list);
    fixing_t fx = fixing_for(a, m);
    for (size_t j = 0; j < m->np; j++)
        if ((shared & fx.mask) >> j & 1u)
            zn_usage_error("--share: %s is held (--fix%s); it cannot also be shared", m->pn[j],
                           strcmp(m->name, "3pl") == 0 && j == 3 ? ", or 3pl's hill of +-1" : "");
    size_t nfl = nfree(m, &fx); /* fitted parameters of one group */
    size_t nsh = (size_t)__builtin_popcount(shared), npg = nfl - nsh, np = nsh + ng * npg;
    if (np > ZN_FIT_MAXP)
        zn_die(ZN_EXIT_DATA, "--share: %zu groups need %zu parameters; at most %d in one global fit", ng, np,
               ZN_FIT_MAXP);
    /* separate fits first: the comparison, and the starting values */
    fit_t *sep = zn_calloc(ng, sizeof *sep);
    double sep_ss = 0, sep_df = 0, sep_N = 0;
    int all_ok = 1;
    for (size_t g = 0; g < ng; g++) {
        group_t *gp = &gs[g];
        pts_from(&o->t, &gp, 1);
        fit_single(a, m, &o->t, &sep[g]);
        if (sep[g].status != S_OK) all_ok = 0;
        sep_ss += sep[g].ss;
        sep_df += sep[g].df;
        sep_N += sep[g].N;
    }
    size_t *map = zn_calloc(ng * 4, sizeof *map);
    prob_t P = {.m = m, .np = np, .ng = ng, .map = map, .fx = &fx, .fixed = -1, .npfull = np};
    double p0[ZN_FIT_MAXP];
    /* the separate fits' parameters as starting values; a 3pl whose hill
     * came out -1 is the same curve with bottom and top swapped and +1 */
    double(*sf)[4] = zn_calloc(ng, sizeof *sf);
    int plateau_held = is_fixed(&fx, 0) || is_fixed(&fx, 1);
    if (strcmp(m->name, "3pl") == 0 && plateau_held) {
        /* +1 and -1 are different curves here: the sign most separate
         * fits chose */
        int pos = 0, neg = 0;
        for (size_t g = 0; g < ng; g++)
            if (sep[g].status == S_OK || sep[g].status == S_AMBIGUOUS) {
                if (sep[g].fx.val[3] > 0) pos++;
                else neg++;
            }
        fx.val[3] = neg > pos ? -1 : 1;
    }
    for (size_t g = 0; g < ng; g++) {
        full_of(&sep[g], m, sf[g]);
        if (is_fixed(&fx, 3) && !plateau_held && sf[g][3] != fx.val[3]) {
            double b = sf[g][0];
            sf[g][0] = sf[g][1];
            sf[g][1] = b;
            sf[g][3] = -sf[g][3];
        }
    }
    size_t k = 0;
    for (size_t j = 0; j < m->np; j++)
        if (shared >> j & 1u) {
            double s = 0;
            size_t c = 0;
            for (size_t g = 0; g < ng; g++)
                if (sep[g].status == S_OK || sep[g].status == S_AMBIGUOUS) {
                    s += (m->logmask >> j & 1u) ? log(sf[g][j]) : sf[g][j];
                    c++;
                }
            p0[k] = c ? ((m->logmask >> j & 1u) ? exp(s / (double)c) : s / (double)c) : 1;
            if (m->logmask >> j & 1u) P.logmask |= 1u << k;
            for (size_t g = 0; g < ng; g++) map[g * 4 + j] = k;
            k++;
        }
    for (size_t g = 0; g < ng; g++) {
        double st[4];
        group_t *gp = &gs[g];
        pts_from(&o->t, &gp, 1);
        set_weights(a, &P, &o->t, NULL, 0);
        int have = sep[g].status == S_OK || sep[g].status == S_AMBIGUOUS;
        if (!have && (zn_model_logistic(m) ? start_logistic(m, &o->t, &fx, st) : start_values(m, &o->t, &fx, st)) < 0)
            for (size_t j = 0; j < m->np; j++) st[j] = 1;
        for (size_t j = 0; j < m->np; j++)
            if (!(shared >> j & 1u) && !is_fixed(&fx, j)) {
                p0[k] = have ? sf[g][j] : st[j];
                if (m->logmask >> j & 1u) P.logmask |= 1u << k;
                map[g * 4 + j] = k++;
            }
    }
    group_t **gp = zn_malloc(ng * sizeof *gp);
    for (size_t g = 0; g < ng; g++) gp[g] = &gs[g];
    pts_from(&o->t, gp, ng);
    free(gp);
    free(sf);
    fit_t F;
    fit_init(&F);
    F.fx = fx;
    F.nf = np;
    double N = 0;
    for (size_t i = 0; i < o->t.n; i++) N += o->t.rep[i];
    if (N <= (double)np) {
        F.status = S_INSUFFICIENT;
        F.N = N;
        snprintf(F.why, sizeof F.why, "%g points for %zu parameters: no degrees of freedom", N, np);
    } else {
        solve(a, &P, &o->t, p0, &F);
        if (F.status == S_OK) fit_stats(a, &P, &o->t, &F);
    }
    share_t sh = {NAN, NAN, NAN, ""};
    if (F.status == S_OK && all_ok && F.df > sep_df) {
        sh.F = ((F.ss - sep_ss) / (F.df - sep_df)) / (sep_ss / sep_df);
        sh.p = sh.F > 0 ? gsl_cdf_fdist_Q(sh.F, F.df - sep_df, sep_df) : 1;
        double Ks = (double)(ng * nfl) + 1, Kg = (double)np + 1;
        double as = sep_N * log(sep_ss / sep_N) + 2 * Ks + 2 * Ks * (Ks + 1) / (sep_N - Ks - 1);
        double ag = F.N * log(F.ss / F.N) + 2 * Kg + 2 * Kg * (Kg + 1) / (F.N - Kg - 1);
        sh.daicc = sep_N - Ks - 1 > 0 ? ag - as : NAN;
        sh.prefer = sh.p < 1 - a->level ? "separate" : "shared";
    }
    double lo[ZN_FIT_MAXP], hi[ZN_FIT_MAXP];
    intervals(a, &P, &o->t, &F, lo, hi);
    /* Prism's orientation (top the upper plateau) per group; when bottom,
     * top or hill is shared, only if every group needs the same turn, so
     * that a shared value reads the same in every record */
    int *turn = zn_calloc(ng, sizeof *turn), turn_ok = zn_model_logistic(m) && !plateau_held && F.status == S_OK;
    for (size_t g = 0; turn_ok && g < ng; g++) {
        turn[g] = F.r.p[map[g * 4 + 1]] < F.r.p[map[g * 4 + 0]];
        if ((shared & 11u) && turn[g] != turn[0]) turn_ok = 0;
    }
    /* adequacy per group from the global fit's residuals: ROUT once over all
     * points (one robust global fit, one RSDR, one false discovery rate),
     * the other tests on each group's points with the parameters the fit
     * spends on the group (group_leverage) */
    int adeq = want_adequacy(a) && (F.status == S_OK || F.status == S_AMBIGUOUS) && F.df > 0;
    unsigned char *out = adeq ? zn_calloc(o->t.n + 1, 1) : NULL;
    double *Kg = adeq ? zn_calloc(ng, sizeof *Kg) : NULL;
    int routed = 0;
    if (adeq) {
        group_leverage(&P, &o->t, &F, ng, Kg);
        routed = rout(a, &P, &o->t, &F, out) >= 0;
    }
    /* one record per group: its parameters, its own sum of squares and r2;
     * df, sy_x and aicc of the global fit */
    for (size_t g = 0; g < ng; g++) {
        fit_t Fg = F;
        Fg.nf = nfl;
        double glo[4], ghi[4];
        size_t kk = 0;
        for (size_t j = 0; j < m->np; j++) {
            if (is_fixed(&fx, j)) continue;
            size_t q = map[g * 4 + j], kl = 0;
            Fg.r.p[kk] = F.r.p[q];
            glo[kk] = lo[q];
            ghi[kk] = hi[q];
            for (size_t l = 0; l < m->np; l++)
                if (!is_fixed(&fx, l)) Fg.r.cov[kk * nfl + kl++] = F.r.cov[q * np + map[g * 4 + l]];
            kk++;
        }
        if (turn_ok && turn[g]) {
            double hold = Fg.fx.val[3];
            int hk = free_idx(&fx, 3);
            double b0 = Fg.r.p[0];
            canonical(&Fg, m);
            if (Fg.r.p[0] != b0 || Fg.fx.val[3] != hold) { /* flipped: the limits too */
                double t0 = glo[0], t1 = ghi[0];
                glo[0] = glo[1], ghi[0] = ghi[1], glo[1] = t0, ghi[1] = t1;
                if (hk >= 0) {
                    double l = glo[hk];
                    glo[hk] = -ghi[hk];
                    ghi[hk] = -l;
                }
            }
        }
        if (F.status == S_OK || F.status == S_AMBIGUOUS) {
            double ssg = 0, n = 0, sw = 0, swy = 0, tss = 0;
            for (size_t i = 0; i < o->t.n; i++)
                if (o->t.x[3 * i + 2] == (double)g) {
                    double r = prob_eval(&P, o->t.x + 3 * i, F.r.p, NULL) - o->t.y[i];
                    ssg += o->t.w[i] * r * r;
                    n += o->t.rep[i];
                    sw += o->t.w[i];
                    swy += o->t.w[i] * o->t.y[i];
                }
            for (size_t i = 0; i < o->t.n; i++)
                if (o->t.x[3 * i + 2] == (double)g) {
                    double d = o->t.y[i] - swy / sw;
                    tss += o->t.w[i] * d * d;
                    if (o->t.rep[i] > 1) {
                        double c = o->t.w[i] / o->t.rep[i] * (o->t.rep[i] - 1) * o->t.sd[i] * o->t.sd[i];
                        ssg += c;
                        tss += c;
                    }
                }
            Fg.ss = ssg;
            Fg.N = n;
            Fg.r2 = tss > 0 ? 1 - ssg / tss : NAN;
        }
        if (Fg.status == S_OK || Fg.status == S_AMBIGUOUS) ran_off(m, &o->t, &Fg);
        if (adeq && !Fg.ranoff) {
            adequacy_tests(&P, &o->t, F.r.p, (double)g, Fg.N, Fg.ss, Kg[g], &Fg.ad);
            if (routed) rout_points(&o->t, out, (double)g, &Fg.ad);
        }
        write_fit(o, gs[g].key, &Fg, glo, ghi, NULL, &sh, F.df);
        free(Fg.ad.rout_pts);
        /* the curve's band from the global covariance */
        add_curve(o, gs[g].key, &P, &F, &o->t, (double)g);
    }
    free(turn);
    free(out);
    free(Kg);
    free(sep);
    free(map);
}

/* ------------------------------------------------------------ reading */
/* Groups already fitted under --sorted, as 64-bit hashes of their keys (8
 * bytes a group, so memory stays flat in practice; a collision, about one
 * in 10^10 for 10^5 groups, would only raise a false "appears again"). */
typedef struct {
    uint64_t *h;
    size_t n, cap;
} hashset_t;

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h ? h : 1;
}

/* 1 when h was there already; otherwise adds it */
static int hashset_put(hashset_t *hs, uint64_t h)
{
    if (2 * (hs->n + 1) > hs->cap) {
        size_t cap = hs->cap ? 2 * hs->cap : 1024;
        uint64_t *t = zn_calloc(cap, sizeof *t);
        for (size_t i = 0; i < hs->cap; i++)
            if (hs->h[i]) {
                size_t j = hs->h[i] & (cap - 1);
                while (t[j]) j = (j + 1) & (cap - 1);
                t[j] = hs->h[i];
            }
        free(hs->h);
        hs->h = t;
        hs->cap = cap;
    }
    size_t j = h & (hs->cap - 1);
    while (hs->h[j]) {
        if (hs->h[j] == h) return 1;
        j = (j + 1) & (hs->cap - 1);
    }
    hs->h[j] = h;
    hs->n++;
    return 0;
}

typedef struct {
    group_t *g;
    size_t n, cap;
    zn_dict d;
} groups_t;

static double need_num(zn_in *in, int c, const char *what, int allow_missing)
{
    double v;
    int r = zn_in_num(in, c, &v);
    if (r == ZN_NUM_EMPTY) {
        if (allow_missing) return NAN;
        zn_in_die(in, "%s (%s) is missing", in->cols[c], what);
    }
    return v;
}

/* A segment of fit records (--ki S=.. without Km): keep each ok record's
 * Km and Km_se, keyed by the --by columns when the segment has them all.
 * Returns the reader's state after the segment. */
static int take_km(out_t *o, const args_t *a, zn_in *in)
{
    int ckm = zn_in_need(in, "Km"), cse = zn_in_col(in, "Km_se"), cst = zn_in_col(in, "status");
    int cols[16];
    size_t nby = 0;
    int keyed = a->by != NULL;
    if (a->by) {
        char *list = zn_strdup(a->by), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t && nby < 16; t = strtok_r(NULL, ",", &save)) {
            int c = zn_in_col(in, t);
            if (c < 0) keyed = 0;
            else cols[nby++] = c;
        }
        free(list);
    }
    int k;
    while ((k = zn_in_next(in)) == ZN_REC) {
        if (cst >= 0 && strcmp(in->f[cst], "ok")) continue;
        double km, se = NAN;
        if (zn_in_num(in, ckm, &km) != ZN_NUM_OK || !(km > 0)) continue;
        if (cse >= 0 && zn_in_num(in, cse, &se) != ZN_NUM_OK) se = NAN;
        size_t cap = o->kmcap;
        zn_grow(&o->kmkey, &cap, o->nkm + 1, sizeof *o->kmkey);
        o->km = zn_realloc(o->km, cap * sizeof *o->km);
        o->kmse = zn_realloc(o->kmse, cap * sizeof *o->kmse);
        o->kmcap = cap;
        o->kmkey[o->nkm] = keyed ? zn_key_make(in, cols, nby) : NULL;
        o->km[o->nkm] = km;
        o->kmse[o->nkm] = se;
        o->nkm++;
    }
    return k;
}

static void run(const args_t *a, zn_in *in)
{
    out_t o = {.a = a};
    groups_t G = {0};
    hashset_t done = {0};
    int bycols[16];
    long skipped = 0, nrec = 0;
    int k = ZN_SEG, headed = 0;
    group_t cur = {0};
    int have_cur = 0;
    zn_meta first = {0}; /* the first data segment's meta (fit records of --ki are not it) */
    int cx = -1, cy = -1, ci = -1, csd = -1, cn = -1, crole = -1;
    while (k == ZN_SEG || k == ZN_REC) {
        if (k == ZN_SEG && a->ki_stream) {
            const char *sch = zn_meta_get(&in->meta, "schema");
            if (sch && strcmp(sch, "fit") == 0) {
                k = take_km(&o, a, in);
                continue;
            }
        }
        if (k == ZN_SEG) {
            cx = zn_in_need(in, a->xcol);
            cy = zn_in_need(in, a->ycol);
            ci = a->m->needs_i || (a->alt && a->alt->needs_i) ? zn_in_need(in, a->icol) : -1;
            csd = a->sdcol ? zn_in_need(in, a->sdcol) : -1;
            cn = a->ncol ? zn_in_need(in, a->ncol) : -1;
            crole = zn_in_col(in, "role");
            size_t nby = a->by ? zn_in_collist(in, a->by, bycols, 16, "--by") : 0;
            if (!headed) {
                zn_meta_copy(&first, &in->meta);
                o.nby = nby;
                o.bynames = zn_calloc(nby + 1, sizeof *o.bynames);
                for (size_t i = 0; i < nby; i++) o.bynames[i] = zn_strdup(in->cols[bycols[i]]);
                o.w = zn_opt_open_out(&a->o);
                fit_header(&o, &first);
                if (a->curve >= 2) curve_header(&o);
                headed = 1;
            }
        } else {
            if (crole >= 0 && in->fl[crole] && strcmp(in->f[crole], "sample")) goto next;
            double y = need_num(in, cy, "y", 1);
            if (isnan(y)) {
                skipped++;
                goto next;
            }
            double S = need_num(in, cx, "x", 0);
            if (S < 0) zn_in_die(in, "%s is negative (%s): concentrations are >= 0", a->xcol, in->f[cx]);
            double I = 0;
            if (ci >= 0) {
                I = need_num(in, ci, "inhibitor", 0);
                if (I < 0) zn_in_die(in, "%s is negative (%s): concentrations are >= 0", a->icol, in->f[ci]);
            }
            double wd = 1, rep = 1, sd = 0;
            if (csd >= 0) {
                sd = need_num(in, csd, "SD", 0);
                if (sd < 0 || (a->weight == W_SD && !(sd > 0)))
                    zn_in_die(in, "%s must be %s (%s)", a->sdcol, a->weight == W_SD ? "> 0 to weight by 1/SD^2" : ">= 0",
                              in->f[csd]);
                if (a->weight == W_SD) wd = 1 / (sd * sd);
            }
            if (cn >= 0) {
                rep = need_num(in, cn, "replicates", 0);
                if (!(rep >= 1) || rep != floor(rep)) zn_in_die(in, "%s must be a whole number >= 1 (%s)", a->ncol, in->f[cn]);
            }
            char *key = zn_key_make(in, bycols, o.nby);
            if (a->sorted) {
                if (!have_cur || strcmp(cur.key, key)) {
                    if (have_cur) {
                        fit_group(&o, &cur);
                        group_free(&cur);
                    }
                    uint64_t h = key_hash(key);
                    if (hashset_put(&done, h)) {
                        /* static: still reachable when the program exits here */
                        static char *kt;
                        kt = zn_key_text(o.bynames, o.nby, key);
                        free(key);
                        zn_in_die(in, "--sorted: group %s appears again after other groups; sort the input by %s or "
                                      "leave out --sorted",
                                  kt, a->by);
                    }
                    cur.key = key;
                    have_cur = 1;
                } else
                    free(key);
                group_add(&cur, S, I, y, wd, rep, sd);
            } else {
                size_t before = G.d.n;
                size_t gi = zn_dict_put(&G.d, key, G.n);
                if (G.d.n > before) {
                    zn_grow(&G.g, &G.cap, G.n + 1, sizeof *G.g);
                    memset(&G.g[G.n], 0, sizeof *G.g);
                    G.g[G.n].key = key;
                    G.n++;
                } else
                    free(key);
                group_add(&G.g[gi], S, I, y, wd, rep, sd);
            }
        }
    next:
        k = zn_in_next(in);
        if (k == ZN_REC) zn_progress(&a->o, ++nrec, 0);
    }
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    zn_progress(&a->o, nrec, 1);
    if (have_cur) {
        fit_group(&o, &cur);
        group_free(&cur);
    }
    if (a->share) {
        if (G.n < 2) zn_die(ZN_EXIT_DATA, "--share: %zu group%s; a shared parameter needs two groups or more (--by)",
                            G.n, G.n == 1 ? "" : "s");
        fit_global(&o, G.g, G.n);
    } else
        for (size_t i = 0; i < G.n; i++) fit_group(&o, &G.g[i]);
    if (skipped) zn_warn("%ld record%s without %s skipped", skipped, skipped == 1 ? "" : "s", a->ycol);
    if (o.nfail) zn_warn("%ld group%s not fitted well (see status and reason)", o.nfail, o.nfail == 1 ? "" : "s");
    zn_opt_close_out(o.w);
    if (o.cw) {
        char err[600];
        if (zn_wr_close(o.cw, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s", err);
        zn_rec_free(&o.crec);
        zn_cols_free(&o.ccols);
    }
    for (size_t i = 0; i < G.n; i++) group_free(&G.g[i]);
    free(G.g);
    zn_dict_free(&G.d);
    free(done.h);
    for (size_t i = 0; i < o.nby; i++) free(o.bynames[i]);
    free(o.bynames);
    zn_cols_free(&o.cols);
    zn_rec_free(&o.rec);
    pts_free(&o.t);
    zn_meta_clear(&first);
    free(first.v);
    for (size_t i = 0; i < o.nkm; i++) free(o.kmkey[i]);
    free(o.kmkey);
    free(o.km);
    free(o.kmse);
}

/* --fix bottom=0,top=100 */
static void parse_fix(args_t *a, const char *text)
{
    char *list = zn_strdup(text), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) {
            char bad[64];
            snprintf(bad, sizeof bad, "%s", t);
            free(list);
            zn_usage_error("--fix: \"%s\" is not PARAMETER=VALUE (bottom=0)", bad);
        }
        *eq = 0;
        size_t j = 0;
        while (j < a->m->np && strcmp(a->m->pn[j], t)) j++;
        if (j == a->m->np) {
            char bad[64], names[80];
            size_t k = 0;
            for (size_t i = 0; i < a->m->np; i++)
                k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "", a->m->pn[i]);
            snprintf(bad, sizeof bad, "%s", t);
            free(list);
            zn_usage_error("--fix: %s is not a parameter of model %s (%s)", bad, a->m->name, names);
        }
        double v = zn_opt_num("--fix", eq + 1);
        if ((a->m->logmask >> j & 1u) && !(v > 0)) {
            free(list);
            zn_usage_error("--fix: %s must be > 0", a->m->pn[j]);
        }
        if (j == 3 && strcmp(a->m->name, "3pl") == 0) {
            free(list);
            zn_usage_error("--fix: 3pl holds hill at +-1 already; use -m 4pl --fix hill=V");
        }
        if (!(a->ufix.mask >> j & 1u)) {
            snprintf(a->fixname[a->nfix], sizeof a->fixname[a->nfix], "%s", a->m->pn[j]);
            a->nfix++;
        }
        a->ufix.mask |= 1u << j;
        a->ufix.val[j] = v;
        for (size_t i = 0; i < a->nfix; i++)
            if (strcmp(a->fixname[i], a->m->pn[j]) == 0) a->fixval[i] = v;
    }
    free(list);
    if (nfree(a->m, &a->ufix) == 0 || (strcmp(a->m->name, "3pl") == 0 && a->ufix.mask == 7u))
        zn_usage_error("--fix: nothing left to fit");
}

/* --ki S=10,Km=2.5 */
static void parse_ki(args_t *a, const char *text)
{
    char *list = zn_strdup(text), *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        double v = eq ? zn_opt_num("--ki", eq + 1) : NAN;
        if (eq) *eq = 0;
        if (eq && strcmp(t, "S") == 0) a->ki_S = v;
        else if (eq && strcmp(t, "Km") == 0) a->ki_Km = v;
        else {
            free(list);
            zn_usage_error("--ki: give S=VALUE,Km=VALUE (substrate concentration and its Km, one unit)");
        }
    }
    free(list);
    if (!(a->ki_S >= 0) || !(a->ki_Km > 0 || isnan(a->ki_Km)))
        zn_usage_error("--ki: needs S >= 0 and Km > 0 (S=VALUE,Km=VALUE; without Km, from a fit in the stream)");
    a->ki_stream = isnan(a->ki_Km);
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.xcol = "conc_uM";
    a.ycol = "rate";
    a.icol = "inhibitor_uM";
    a.m = &zn_models[0];
    a.level = 0.95;
    a.routq = 0.01;
    a.ki_S = a.ki_Km = NAN;
    const char *kitext = NULL;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"by", required_argument, 0, OPT_BY},
                                          {"x", required_argument, 0, 'x'},
                                          {"y", required_argument, 0, 'y'},
                                          {"inhibitor", required_argument, 0, 'i'},
                                          {"sd", required_argument, 0, OPT_SD},
                                          {"n", required_argument, 0, OPT_N},
                                          {"sorted", no_argument, 0, OPT_SORTED},
                                          {"model", required_argument, 0, 'm'},
                                          {"weight", required_argument, 0, 'w'},
                                          {"ci", required_argument, 0, OPT_CI},
                                          {"conf-level", required_argument, 0, OPT_LEVEL},
                                          {"compare", required_argument, 0, OPT_COMPARE},
                                          {"share", required_argument, 0, OPT_SHARE},
                                          {"curve", required_argument, 0, OPT_CURVE},
                                          {"curve-output", required_argument, 0, OPT_CURVE_OUT},
                                          {"fix", required_argument, 0, OPT_FIX},
                                          {"ecf", required_argument, 0, OPT_ECF},
                                          {"ki", required_argument, 0, OPT_KI},
                                          {"adequacy", no_argument, 0, OPT_ADEQ},
                                          {"rout-q", required_argument, 0, OPT_ROUTQ},
                                          {"exclude-outliers", no_argument, 0, OPT_EXCL},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT "x:y:i:m:w:", lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_BY: a.by = optarg; break;
        case 'x': a.xcol = optarg; break;
        case 'y': a.ycol = optarg; break;
        case 'i': a.icol = optarg; break;
        case OPT_SD: a.sdcol = optarg; break;
        case OPT_N: a.ncol = optarg; break;
        case OPT_SORTED: a.sorted = 1; break;
        case 'm': a.m = find_model(optarg, "--model"); break;
        case 'w': {
            size_t i = 0;
            while (i < 4 && strcmp(optarg, wname[i])) i++;
            if (i == 4) zn_usage_error("--weight: \"%s\" is not none, 1/y, 1/y2 or sd", optarg);
            a.weight = (int)i;
            break;
        }
        case OPT_CI:
            if (strcmp(optarg, "wald") == 0) a.profile = 0;
            else if (strcmp(optarg, "profile") == 0) a.profile = 1;
            else zn_usage_error("--ci: \"%s\" is not wald or profile", optarg);
            break;
        case OPT_LEVEL:
            a.level = zn_opt_num("--conf-level", optarg);
            if (!(a.level > 0 && a.level < 1)) zn_usage_error("--conf-level: %s is not between 0 and 1", optarg);
            break;
        case OPT_COMPARE: a.alt = find_model(optarg, "--compare"); break;
        case OPT_SHARE: a.share = optarg; break;
        case OPT_CURVE: {
            double v = zn_opt_num("--curve", optarg);
            if (!(v >= 2 && v <= 100000) || v != floor(v)) zn_usage_error("--curve: %s is not a whole number 2..100000", optarg);
            a.curve = (long)v;
            break;
        }
        case OPT_CURVE_OUT: a.curve_out = optarg; break;
        case OPT_FIX: a.fixtext = optarg; break;
        case OPT_ECF: {
            char *list = zn_strdup(optarg), *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                double v = zn_opt_num("--ecf", t);
                if (!(v > 0 && v < 100)) {
                    free(list);
                    zn_usage_error("--ecf: %g is not a percentage between 0 and 100", v);
                }
                if (a.necf == MAX_ECF) {
                    free(list);
                    zn_usage_error("--ecf: at most %d values", MAX_ECF);
                }
                a.ecf[a.necf++] = v;
            }
            free(list);
            break;
        }
        case OPT_KI: kitext = optarg; break;
        case OPT_ADEQ: a.adequacy = 1; break;
        case OPT_ROUTQ:
            a.routq = zn_opt_num("--rout-q", optarg);
            if (!(a.routq > 0 && a.routq < 1)) zn_usage_error("--rout-q: %s is not between 0 and 1", optarg);
            break;
        case OPT_EXCL: a.exclude_outliers = 1; break;
        default: zn_usage_error("unknown option");
        }
    }
    if (a.curve && !a.curve_out)
        zn_usage_error("--curve needs --curve-output FILE: the curves are a stream of their own (schema curve)");
    if (a.curve_out && !a.curve) zn_usage_error("--curve-output needs --curve N");
    if (a.weight == W_SD && !a.sdcol) zn_usage_error("--weight sd needs --sd COL");
    if (a.ncol && !a.sdcol) zn_usage_error("--n needs --sd: records of mean, SD and n");
    if (a.sdcol && !a.ncol && a.weight != W_SD)
        zn_usage_error("--sd alone does nothing: add --n COL (records are means) or --weight sd");
    if (a.share && a.sorted) zn_usage_error("--share fits all groups together; it cannot be used with --sorted");
    if (a.share && a.alt) zn_usage_error("--share and --compare: run them as two fits");
    if (a.share && !a.by) zn_usage_error("--share needs groups: give --by COLS");
    if (a.alt && a.alt == a.m) zn_usage_error("--compare: %s is the model being fitted", a.alt->name);
    if (a.share && a.profile) zn_usage_error("--ci profile is not available with --share");
    int logi = zn_model_logistic(a.m);
    if (a.fixtext) {
        parse_fix(&a, a.fixtext);
        /* --compare's model holds the same parameters, by name */
        for (size_t i = 0; a.alt && i < a.nfix; i++) {
            size_t j = 0;
            while (j < a.alt->np && strcmp(a.alt->pn[j], a.fixname[i])) j++;
            if (j == a.alt->np)
                zn_usage_error("--fix: %s is held, but --compare's model %s has no %s; compare models that share it",
                               a.fixname[i], a.alt->name, a.fixname[i]);
        }
    }
    if (a.necf && !logi) zn_usage_error("--ecf: only for the concentration-response models (-m 4pl, 3pl)");
    if (kitext) {
        if (!logi) zn_usage_error("--ki: only for the concentration-response models (-m 4pl, 3pl)");
        parse_ki(&a, kitext);
    }
    if (a.alt && zn_model_logistic(a.alt) != logi)
        zn_usage_error("--compare: %s and %s fit different kinds of curve", a.m->name, a.alt->name);
    if (a.exclude_outliers && !a.adequacy && !logi) a.adequacy = 1;
    if (a.exclude_outliers && a.share) zn_usage_error("--exclude-outliers works on separate fits, not with --share");
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    /* --ki without Km: the stream may carry fit records (another schema) */
    if ((a.ki_stream ? zn_in_open_mixed(&in, argv + optind, argc - optind)
                     : zn_in_open(&in, argv + optind, argc - optind)) < 0)
        zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    zn_fit_release();
    zn_opt_free(&a.o);
    return 0;
}
