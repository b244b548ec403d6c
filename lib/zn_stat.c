/* zn_stat.c - small statistics over arrays with missing values (NaN). */
#include "zn.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double zn_mean(const double *x, size_t len, size_t *n)
{
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) {
            s += x[i];
            k++;
        }
    if (n) *n = k;
    return k ? s / (double)k : NAN;
}

double zn_sd(const double *x, size_t len)
{
    size_t k;
    double m = zn_mean(x, len, &k), s = 0;
    if (k < 2) return NAN;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (double)(k - 1));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the non-missing values, sorted, in a new array */
static double *sorted(const double *x, size_t len, size_t *n)
{
    double *v = zn_malloc((len ? len : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) v[k++] = x[i];
    qsort(v, k, sizeof *v, cmp_double);
    *n = k;
    return v;
}

static void swap_d(double *v, size_t i, size_t j)
{
    double t = v[i];
    v[i] = v[j];
    v[j] = t;
}

/* Quickselect (Hoare partition, median-of-three pivot): afterwards v[idx] is
 * the idx-th smallest of v[0..k), nothing after it is smaller and nothing
 * before it larger.  O(k) on average; after 64 rounds the rest is sorted, so
 * no input costs more than O(k log k).  No NaN in v. */
static void select_kth(double *v, size_t k, size_t idx)
{
    size_t lo = 0, hi = k - 1;
    for (int round = 0; hi > lo; round++) {
        if (round == 64) {
            qsort(v + lo, hi - lo + 1, sizeof *v, cmp_double);
            return;
        }
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap_d(v, lo, mid);
        if (v[hi] < v[lo]) swap_d(v, lo, hi);
        if (v[hi] < v[mid]) swap_d(v, mid, hi);
        double p = v[mid];
        size_t i = lo, j = hi;
        for (;;) { /* [lo, i) <= p, (j, hi] >= p */
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i >= j) break;
            swap_d(v, i++, j--);
        }
        /* now [lo, j] <= p <= [j + 1, hi] */
        if (idx <= j) hi = j;
        else lo = j + 1;
    }
}

/* the median of v[0..k) by selection (v is reordered) */
static double median_select(double *v, size_t k)
{
    if (!k) return NAN;
    select_kth(v, k, k / 2);
    if (k % 2) return v[k / 2];
    double below = v[0]; /* the largest of the lower half */
    for (size_t i = 1; i < k / 2; i++)
        if (v[i] > below) below = v[i];
    return (below + v[k / 2]) / 2;
}

/* the non-missing values in a new array, unsorted */
static double *finite_copy(const double *x, size_t len, size_t *n)
{
    double *v = zn_malloc((len ? len : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) v[k++] = x[i];
    *n = k;
    return v;
}

double zn_median(const double *x, size_t len, size_t *n)
{
    size_t k;
    double *v = finite_copy(x, len, &k);
    double m = median_select(v, k);
    free(v);
    if (n) *n = k;
    return m;
}

/* 1.4826 median |x - median(x)|; by selection, not sorting: zn-metrics calls
 * it per cell on thousands of frame-to-frame differences (two sorts cost
 * 15-30 % of its time in the benchmark) */
double zn_mad(const double *x, size_t len)
{
    size_t k;
    double *v = finite_copy(x, len, &k);
    double m = median_select(v, k);
    for (size_t i = 0; i < k; i++) v[i] = fabs(v[i] - m);
    double d = median_select(v, k);
    free(v);
    return 1.4826 * d;
}

/* Welch's two-sample t test: t = (ma - mb) / sqrt(va/na + vb/nb), df by
 * Welch-Satterthwaite, two-sided p from Student's t (GSL). */
int zn_welch(const double *a, size_t la, const double *b, size_t lb, zn_test *r)
{
    size_t na, nb;
    double ma = zn_mean(a, la, &na), mb = zn_mean(b, lb, &nb);
    r->stat = r->df1 = r->df2 = r->p = NAN;
    if (na < 2 || nb < 2) return -1;
    double va = zn_sd(a, la), vb = zn_sd(b, lb);
    va = va * va / (double)na;
    vb = vb * vb / (double)nb;
    if (!(va + vb > 0) || !isfinite(va + vb) || !isfinite(ma - mb)) return -1; /* no spread, or beyond doubles */
    r->stat = (ma - mb) / sqrt(va + vb);
    r->df1 = (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
    r->p = 2 * gsl_cdf_tdist_Q(fabs(r->stat), r->df1);
    return 0;
}

/* One-way ANOVA: F = (SSB / (k - 1)) / (SSW / (N - k)), p from the F
 * distribution (GSL).  Groups with no values are left out. */
int zn_anova1(const double *const *g, const size_t *len, size_t k, zn_test *r)
{
    double sum = 0, ssb = 0, ssw = 0;
    size_t N = 0, kk = 0;
    r->stat = r->df1 = r->df2 = r->p = NAN;
    for (size_t j = 0; j < k; j++) {
        size_t n;
        double m = zn_mean(g[j], len[j], &n);
        if (!n) continue;
        kk++;
        N += n;
        sum += m * (double)n;
    }
    if (kk < 2 || N <= kk) return -1;
    double gm = sum / (double)N;
    for (size_t j = 0; j < k; j++) {
        size_t n;
        double m = zn_mean(g[j], len[j], &n);
        if (!n) continue;
        ssb += (double)n * (m - gm) * (m - gm);
        for (size_t i = 0; i < len[j]; i++)
            if (!isnan(g[j][i])) ssw += (g[j][i] - m) * (g[j][i] - m);
    }
    if (!(ssw > 0) || !isfinite(ssw) || !isfinite(ssb)) return -1;
    r->df1 = (double)(kk - 1);
    r->df2 = (double)(N - kk);
    r->stat = ssb / r->df1 / (ssw / r->df2);
    r->p = gsl_cdf_fdist_Q(r->stat, r->df1, r->df2);
    return 0;
}

/* ------------------------------------------------------------ model adequacy
 * (zn-mm-fit: residuals of a fitted curve) */

/* The p quantile by linear interpolation between order statistics at rank
 * 1 + p (n - 1): R's type 7, numpy's default.  NaN skipped. */
double zn_quantile(const double *x, size_t len, double p)
{
    size_t k;
    double *v = sorted(x, len, &k);
    double q = NAN;
    if (k) {
        double h = p * (double)(k - 1);
        size_t lo = (size_t)floor(h);
        q = lo + 1 < k ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[k - 1];
    }
    free(v);
    return q;
}

/* log of the binomial coefficient C(n, k) (0 when k is out of range is
 * handled by the caller) */
/* in long double, so that the sum of the probabilities shows no binary
 * noise in 15 digits */
static long double lchoose(double n, double k)
{
    return lgammal((long double)n + 1) - lgammal((long double)k + 1) - lgammal((long double)(n - k) + 1);
}

/* P(R = r) for the runs of n1 pluses and n2 minuses in random order
 * (Wald and Wolfowitz 1940; Swed and Eisenhart 1943) */
static long double runs_pmf(size_t n1, size_t n2, size_t r)
{
    double a = (double)n1, b = (double)n2;
    long double all = lchoose(a + b, a);
    if (r < 2) return 0;
    if (r % 2 == 0) {
        double k = (double)(r / 2);
        if (k > a || k > b) return 0;
        return 2 * expl(lchoose(a - 1, k - 1) + lchoose(b - 1, k - 1) - all);
    }
    double k = (double)((r - 1) / 2);
    long double s = 0;
    if (k <= a - 1 && k - 1 <= b - 1 && k >= 1) s += expl(lchoose(a - 1, k) + lchoose(b - 1, k - 1) - all);
    if (k - 1 <= a - 1 && k <= b - 1 && k >= 1) s += expl(lchoose(a - 1, k - 1) + lchoose(b - 1, k) - all);
    return s;
}

int zn_runs_test(const int *sign, size_t n, zn_runs *r)
{
    r->runs = r->npos = r->nneg = 0;
    r->p = r->expected = NAN;
    int last = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sign[i]) continue;
        if (sign[i] > 0) r->npos++;
        else r->nneg++;
        if (sign[i] != last) r->runs++;
        last = sign[i];
    }
    if (!r->npos || !r->nneg) return -1;
    double a = (double)r->npos, b = (double)r->nneg;
    r->expected = 2 * a * b / (a + b) + 1;
    long double p = 0;
    for (size_t k = 2; k <= r->runs; k++) p += runs_pmf(r->npos, r->nneg, k);
    r->p = p > 1 ? 1 : (double)p;
    return 0;
}

/* D'Agostino and Pearson's K2 = Zs^2 + Zk^2 (D'Agostino 1971 for skewness,
 * Anscombe and Glynn 1983 for kurtosis), chi-square with 2 df; the formulas
 * of scipy.stats.skewtest, kurtosistest and normaltest. */
int zn_normaltest(const double *x, size_t len, zn_test *r)
{
    size_t k;
    double m = zn_mean(x, len, &k);
    r->stat = r->df1 = r->df2 = r->p = NAN;
    if (k < 8) return -1;
    double m2 = 0, m3 = 0, m4 = 0, n = (double)k;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) {
            double d = x[i] - m;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    if (!(m2 > 0)) return -1;
    /* skewness */
    double b2 = m3 / pow(m2, 1.5);
    double y = b2 * sqrt((n + 1) * (n + 3) / (6 * (n - 2)));
    double beta2 = 3 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2) * (n + 5) * (n + 7) * (n + 9));
    double W2 = -1 + sqrt(2 * (beta2 - 1));
    double delta = 1 / sqrt(0.5 * log(W2));
    double alpha = sqrt(2 / (W2 - 1));
    if (y == 0) y = 1;
    double zs = delta * log(y / alpha + sqrt((y / alpha) * (y / alpha) + 1));
    /* kurtosis */
    double kb2 = m4 / (m2 * m2);
    double E = 3 * (n - 1) / (n + 1);
    double varb2 = 24 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1) * (n + 3) * (n + 5));
    double xk = (kb2 - E) / sqrt(varb2);
    double sb1 = 6 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9)) * sqrt(6 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)));
    double A = 6 + 8 / sb1 * (2 / sb1 + sqrt(1 + 4 / (sb1 * sb1)));
    double t1 = 1 - 2 / (9 * A);
    double den = 1 + xk * sqrt(2 / (A - 4));
    if (den == 0) return -1;
    double t2 = (den > 0 ? 1 : -1) * cbrt((1 - 2 / A) / fabs(den));
    double zk = (t1 - t2) / sqrt(2 / (9 * A));
    r->stat = zs * zs + zk * zk;
    r->df1 = 2;
    r->p = gsl_cdf_chisq_Q(r->stat, 2);
    return 0;
}

void zn_holm(const double *p, size_t n, double *adj)
{
    size_t m = 0;
    size_t *ord = zn_malloc((n ? n : 1) * sizeof *ord);
    double *v = zn_malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = p[i];
        if (!isnan(p[i])) ord[m++] = i;
    }
    for (size_t i = 1; i < m; i++) /* insertion sort by p: a handful of metrics */
        for (size_t j = i; j > 0 && v[ord[j - 1]] > v[ord[j]]; j--) {
            size_t t = ord[j - 1];
            ord[j - 1] = ord[j];
            ord[j] = t;
        }
    double run = 0;
    for (size_t j = 0; j < m; j++) {
        double a = (double)(m - j) * v[ord[j]];
        if (a > run) run = a;
        adj[ord[j]] = run < 1 ? run : 1;
    }
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i])) adj[i] = NAN;
    free(ord);
    free(v);
}
