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

static double median_sorted(const double *v, size_t k)
{
    if (!k) return NAN;
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

double zn_median(const double *x, size_t len, size_t *n)
{
    size_t k;
    double *v = sorted(x, len, &k);
    double m = median_sorted(v, k);
    free(v);
    if (n) *n = k;
    return m;
}

double zn_mad(const double *x, size_t len)
{
    size_t k;
    double *v = sorted(x, len, &k);
    double m = median_sorted(v, k);
    for (size_t i = 0; i < k; i++) v[i] = fabs(v[i] - m);
    qsort(v, k, sizeof *v, cmp_double);
    double d = median_sorted(v, k);
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
