/* zn_lin.c - linear least squares in one variable (lines, quadratics) and
 * ISO 8601 times: the arithmetic of standard curves and initial rates. */
#include "zn.h"

#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <string.h>

int zn_polyfit(const double *x, const double *y, size_t n, int degree, zn_polyres *r)
{
    memset(r, 0, sizeof *r);
    size_t p = (size_t)degree + 1;
    r->degree = degree;
    r->n = n;
    if (degree < 1 || degree > 2 || n < p) return -1;
    /* distinct x values: a polynomial of degree d needs d + 1 of them */
    size_t distinct = 0;
    for (size_t i = 0; i < n && distinct <= p; i++) {
        size_t j = 0;
        while (j < i && x[j] != x[i]) j++;
        if (j == i) distinct++;
    }
    if (distinct < p) return -1;
    gsl_matrix *X = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *Y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    /* centre x for conditioning; coefficients are transformed back below */
    double xm = 0;
    for (size_t i = 0; i < n; i++) xm += x[i];
    xm /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double u = x[i] - xm;
        gsl_matrix_set(X, i, 0, 1.0);
        gsl_matrix_set(X, i, 1, u);
        if (p == 3) gsl_matrix_set(X, i, 2, u * u);
        gsl_vector_set(Y, i, y[i]);
    }
    double chisq;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = gsl_multifit_linear(X, Y, c, cov, &chisq, ws);
    gsl_set_error_handler(old);
    if (st == GSL_SUCCESS) {
        /* centred coefficients d (in u = x - m) -> coefficients in x:
         * y = d0 + d1 u + d2 u^2 = (d0 - d1 m + d2 m^2) + (d1 - 2 d2 m) x + d2 x^2
         * a linear map T: c = T d, cov_c = T cov_d T' */
        double d[3] = {0}, T[3][3] = {{0}}, C[3][3] = {{0}};
        for (size_t i = 0; i < p; i++) d[i] = gsl_vector_get(c, i);
        T[0][0] = 1;
        T[0][1] = -xm;
        T[1][1] = 1;
        if (p == 3) {
            T[0][2] = xm * xm;
            T[1][2] = -2 * xm;
            T[2][2] = 1;
        }
        r->df = n - p;
        /* GSL's cov is already s^2 (X'X)^-1, s^2 = chisq / (n - p); with no
         * residual degrees of freedom there are no standard errors */
        double s2 = r->df ? 1 : NAN;
        for (size_t i = 0; i < p; i++) {
            r->c[i] = 0;
            for (size_t k = 0; k < p; k++) r->c[i] += T[i][k] * d[k];
        }
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++) {
                double s = 0;
                for (size_t k = 0; k < p; k++)
                    for (size_t l = 0; l < p; l++) s += T[i][k] * gsl_matrix_get(cov, k, l) * T[j][l];
                C[i][j] = s * s2;
            }
        for (size_t i = 0; i < p; i++) {
            r->se[i] = sqrt(C[i][i]);
            for (size_t j = 0; j < p; j++) r->cov[i * 3 + j] = C[i][j];
        }
        r->rss = chisq;
        double ym = 0, tss = 0;
        for (size_t i = 0; i < n; i++) ym += y[i];
        ym /= (double)n;
        for (size_t i = 0; i < n; i++) tss += (y[i] - ym) * (y[i] - ym);
        r->r2 = tss > 0 ? 1 - chisq / tss : NAN;
        /* t test of the highest coefficient against 0 */
        double t = r->se[p - 1] > 0 ? r->c[p - 1] / r->se[p - 1] : NAN;
        r->p_top = r->df && !isnan(t) ? 2 * gsl_cdf_tdist_Q(fabs(t), (double)r->df) : NAN;
    }
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(Y);
    gsl_vector_free(c);
    return st == GSL_SUCCESS ? 0 : -1;
}

double zn_poly_eval(const zn_polyres *r, double x)
{
    double y = r->c[0] + r->c[1] * x;
    if (r->degree == 2) y += r->c[2] * x * x;
    return y;
}

/* The x with poly(x) = y on the branch that rises or falls as it does over
 * [lo, hi] (the standards' range); NAN when y is beyond the branch's end. */
double zn_poly_invert(const zn_polyres *r, double y, double lo, double hi)
{
    if (r->degree == 1) return r->c[1] != 0 ? (y - r->c[0]) / r->c[1] : NAN;
    double a = r->c[2], b = r->c[1], c = r->c[0] - y;
    if (a == 0) return b != 0 ? -c / b : NAN;
    double disc = b * b - 4 * a * c;
    if (disc < 0) return NAN;
    /* the vertex; the standards' range lies on one side of it */
    double v = -b / (2 * a), mid = 0.5 * (lo + hi);
    /* stable roots */
    double q = -0.5 * (b + copysign(sqrt(disc), b));
    double x1 = q / a, x2 = q != 0 ? c / q : x1;
    /* the root on the same side of the vertex as the range */
    int right = mid >= v;
    double best = NAN;
    double xs[2] = {x1, x2};
    for (int i = 0; i < 2; i++)
        if ((right && xs[i] >= v) || (!right && xs[i] <= v)) best = xs[i];
    return best;
}

/* days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil) */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static int digits(const char **s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i])) return -1;
        *v = *v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    return 0;
}

int zn_iso_days(const char *s, double *days)
{
    int y, mo, d, H = 0, M = 0;
    double S = 0;
    const char *p = s;
    while (*p == ' ') p++;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d)) return -1;
    if (mo < 1 || mo > 12 || d < 1) return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)) return -1;
    double off = 0; /* minutes east of UTC */
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &H) || *p++ != ':' || digits(&p, 2, &M)) return -1;
        if (*p == ':') {
            p++;
            int si;
            if (digits(&p, 2, &si)) return -1;
            S = si;
            if (*p == '.' || *p == ',') {
                p++;
                double f = 0.1;
                if (!isdigit((unsigned char)*p)) return -1;
                while (isdigit((unsigned char)*p)) {
                    S += f * (*p++ - '0');
                    f /= 10;
                }
            }
        }
        if (H > 24 || M > 59 || S >= 61 || (H == 24 && (M || S))) return -1;
        if (*p == 'Z') p++;
        else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (digits(&p, 2, &oh)) return -1;
            if (*p == ':') p++;
            if (*p && digits(&p, 2, &om)) return -1;
            off = sign * (oh * 60 + om);
        }
    }
    while (*p == ' ') p++;
    if (*p) return -1;
    *days = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) + (H * 3600.0 + M * 60.0 + S - off * 60) / 86400.0;
    return 0;
}
