/* zn_swilk.c - the Shapiro-Wilk test of normality, W and its p value, by
 * Royston's algorithm AS R94 (Applied Statistics 44, 547-551, 1995): the
 * coefficients from the normal scores m_i = Phi^-1((i - 3/8)/(n + 1/4)) with
 * polynomial corrections of the two outermost, W as the squared correlation
 * of the ordered values with the coefficients (1 - W computed directly, so
 * that W near 1 keeps its digits), and p from Royston's normalising
 * transformations of 1 - W: exact for n = 3, log(gamma - log(1 - W)) for
 * 4..11, log(1 - W) for 12..5000.  The constants are those of AS R94 as R's
 * shapiro.test and scipy.stats.shapiro use them. */
#include "zn.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/* c[0] + c[1] x + ... + c[n-1] x^(n-1) */
static double poly(const double *c, int n, double x)
{
    double s = c[n - 1];
    for (int i = n - 2; i >= 0; i--) s = s * x + c[i];
    return s;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int zn_shapiro(const double *x, size_t len, zn_test *r)
{
    static const double g[2] = {-2.273, 0.459};
    static const double c1[6] = {0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056};
    static const double c2[6] = {0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};
    static const double c3[4] = {0.544, -0.39978, 0.025054, -6.714e-4};
    static const double c4[4] = {1.3822, -0.77857, 0.062767, -0.0020322};
    static const double c5[4] = {-1.5861, -0.31082, -0.083751, 0.0038915};
    static const double c6[3] = {-0.4803, -0.082676, 0.0030302};
    r->stat = r->df1 = r->df2 = r->p = NAN;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) n++;
    if (n < 3 || n > 5000) return -1;
    double *v = zn_malloc(n * sizeof *v);
    n = 0;
    for (size_t i = 0; i < len; i++)
        if (!isnan(x[i])) v[n++] = x[i];
    qsort(v, n, sizeof *v, cmp_dbl);
    double range = v[n - 1] - v[0];
    if (!(range > 0) || !isfinite(range)) {
        free(v);
        return -1;
    }
    /* the coefficients a[1..n/2] (a[i] for the i-th smallest and, with the
     * sign turned, the i-th largest value) */
    size_t nn2 = n / 2;
    double *a = zn_malloc((nn2 + 1) * sizeof *a), an = (double)n;
    if (n == 3)
        a[1] = sqrt(0.5);
    else {
        double an25 = an + 0.25, summ2 = 0;
        for (size_t i = 1; i <= nn2; i++) {
            a[i] = gsl_cdf_ugaussian_Pinv(((double)i - 0.375) / an25);
            summ2 += a[i] * a[i];
        }
        summ2 *= 2;
        double ssumm2 = sqrt(summ2), rsn = 1 / sqrt(an);
        double a1 = poly(c1, 6, rsn) - a[1] / ssumm2, fac;
        size_t i1;
        if (n > 5) {
            i1 = 3;
            double a2 = -a[2] / ssumm2 + poly(c2, 6, rsn);
            fac = sqrt((summ2 - 2 * a[1] * a[1] - 2 * a[2] * a[2]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
            a[2] = a2;
        } else {
            i1 = 2;
            fac = sqrt((summ2 - 2 * a[1] * a[1]) / (1 - 2 * a1 * a1));
        }
        a[1] = a1;
        for (size_t i = i1; i <= nn2; i++) a[i] /= -fac;
    }
    /* W: the squared correlation of the values (scaled by the range) with
     * the coefficients, as 1 - W */
    double sa = -a[1], sx = v[0] / range;
    for (size_t i = 1, j = n - 1; i < n; j--) {
        sx += v[i] / range;
        i++;
        if (i != j) sa += (i > j ? 1.0 : -1.0) * a[i < j ? i : j];
    }
    sa /= an;
    sx /= an;
    double ssa = 0, ssx = 0, sax = 0;
    for (size_t i = 0, j = n - 1; i < n; i++, j--) {
        double asa = i != j ? (i > j ? 1.0 : -1.0) * a[1 + (i < j ? i : j)] - sa : -sa;
        double xsx = v[i] / range - sx;
        ssa += asa * asa;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    free(a);
    free(v);
    double ssassx = sqrt(ssa * ssx);
    double w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    r->stat = 1 - w1;
    r->df1 = an;
    if (n == 3) { /* exact: 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))), with
                   * AS R94's 15-digit constants (as R) */
        double p = 1.90985931710274 * (asin(sqrt(r->stat)) - 1.04719755119660);
        r->p = p < 0 ? 0 : p;
        return 0;
    }
    double y = log(w1), m, s;
    if (n <= 11) {
        double gamma = poly(g, 2, an);
        if (y >= gamma) { /* beyond the transformation's range: W is tiny */
            r->p = 1e-99;
            return 0;
        }
        y = -log(gamma - y);
        m = poly(c3, 4, an);
        s = exp(poly(c4, 4, an));
    } else {
        double ln = log(an);
        m = poly(c5, 4, ln);
        s = exp(poly(c6, 3, ln));
    }
    r->p = gsl_cdf_gaussian_Q(y - m, s);
    return 0;
}
