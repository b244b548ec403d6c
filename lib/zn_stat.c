/* zn_stat.c - small statistics over arrays with missing values (NaN). */
#include "zn.h"

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
