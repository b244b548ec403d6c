/* zn_fit.c - nonlinear least squares on GSL's gsl_multifit_nlinear (trust
 * region, Levenberg-Marquardt with the model's own Jacobian).
 *
 * Parameters flagged in logmask are fitted as q = log(p), so they stay
 * positive; the covariance is reported for the natural parameters p (the
 * linearised covariance transforms exactly with the Jacobian of the
 * reparameterisation, so at the optimum it is what a fit in p reports). */
#include "zn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    zn_model_fn f;
    void *arg;
    const double *x, *y, *w;
    double *sw; /* sqrt of the weights, once per fit */
    size_t nx, n, np;
    unsigned logmask;
    double p[ZN_FIT_MAXP];
} fitdata;

static void natural(fitdata *d, const double *q)
{
    for (size_t j = 0; j < d->np; j++) d->p[j] = (d->logmask >> j & 1u) ? exp(q[j]) : q[j];
}

static int f_res(const gsl_vector *q, void *d_, gsl_vector *r)
{
    fitdata *d = d_;
    double y;
    natural(d, q->data);
    for (size_t i = 0; i < d->n; i++) {
        d->f(d->x + i * d->nx, d->p, &y, NULL, d->arg);
        double v = (y - d->y[i]) * (d->sw ? d->sw[i] : 1);
        if (!isfinite(v)) return GSL_EDOM;
        r->data[i * r->stride] = v;
    }
    return GSL_SUCCESS;
}

static int f_jac(const gsl_vector *q, void *d_, gsl_matrix *J)
{
    fitdata *d = d_;
    double y, dy[ZN_FIT_MAXP];
    natural(d, q->data);
    for (size_t i = 0; i < d->n; i++) {
        d->f(d->x + i * d->nx, d->p, &y, dy, d->arg);
        double s = d->sw ? d->sw[i] : 1;
        for (size_t j = 0; j < d->np; j++) {
            double v = dy[j] * s * ((d->logmask >> j & 1u) ? d->p[j] : 1);
            if (!isfinite(v)) return GSL_EDOM;
            J->data[i * J->tda + j] = v;
        }
    }
    return GSL_SUCCESS;
}

/* One workspace kept for the next fit of the same size: thousands of small
 * fits in a row (one per group) then allocate nothing. */
#define ZN_FIT_MAXITER 1000
#define ZN_STR_(x) #x
#define ZN_STR(x) ZN_STR_(x)

static gsl_multifit_nlinear_workspace *ws_cache;
static size_t ws_n, ws_p;
static double *sw_buf;
static size_t sw_cap;

static void ws_release(void)
{
    if (ws_cache) gsl_multifit_nlinear_free(ws_cache);
    ws_cache = NULL;
    ws_n = ws_p = 0;
}

void zn_fit_release(void)
{
    ws_release();
    free(sw_buf);
    sw_buf = NULL;
    sw_cap = 0;
}

static gsl_multifit_nlinear_workspace *workspace(size_t n, size_t np)
{
    if (ws_cache && ws_n == n && ws_p == np) return ws_cache;
    ws_release();
    gsl_multifit_nlinear_parameters prm = gsl_multifit_nlinear_default_parameters();
    prm.trs = gsl_multifit_nlinear_trs_lm;
    prm.scale = gsl_multifit_nlinear_scale_more;
    /* normal equations by Cholesky: small p, damped by LM; about 1.6x
     * faster than QR on thousands of small fits, same answers in the tests */
    prm.solver = gsl_multifit_nlinear_solver_cholesky;
    ws_cache = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &prm, n, np);
    if (!ws_cache) zn_die(ZN_EXIT_DATA, "out of memory (fit workspace %zu x %zu)", n, np);
    ws_n = n;
    ws_p = np;
    return ws_cache;
}

/* GSL stops with "no progress" when it starts at (or reaches) the optimum
 * within rounding: accept when the residual is orthogonal to every column
 * of the Jacobian (cosine below 1e-6, the criterion of R's nls). */
static int at_optimum_tol(gsl_multifit_nlinear_workspace *ws, double tol)
{
    gsl_vector *r = gsl_multifit_nlinear_residual(ws);
    gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
    double rn = gsl_blas_dnrm2(r);
    if (rn == 0) return 1;
    for (size_t j = 0; j < J->size2; j++) {
        gsl_vector_view c = gsl_matrix_column(J, j);
        double d, cn = gsl_blas_dnrm2(&c.vector);
        gsl_blas_ddot(&c.vector, r, &d);
        if (fabs(d) > tol * cn * rn) return 0;
    }
    return 1;
}

static int at_optimum(gsl_multifit_nlinear_workspace *ws) { return at_optimum_tol(ws, 1e-6); }

/* gsl_multifit_nlinear_driver's loop (xtol 1e-10, gtol 1e-10), also
 * stopping when the residual is orthogonal to every column of the Jacobian
 * within 1e-9 (R's nls stops at a relative offset of 1e-5), for at most
 * ZN_FIT_MAXITER iterations.  200 were too few for a 4pl whose plateau,
 * ec50 and hill trade off along a curved valley with residuals that are not
 * small: Gauss-Newton then converges only linearly, and one in 400 simulated
 * concentration series (1/y2 weights) stopped 3e-5 short of an optimum that
 * scipy's least_squares confirms. */
static int drive(gsl_multifit_nlinear_workspace *ws, int *info)
{
    *info = 0;
    for (size_t k = 0; k < ZN_FIT_MAXITER; k++) {
        /* as GSL's driver: no progress on the first step is the end (no
         * step lowers the cost); later the solver has reset its damping and
         * goes on */
        int st = gsl_multifit_nlinear_iterate(ws);
        if (st == GSL_ENOPROG && k == 0) {
            *info = GSL_ENOPROG;
            return GSL_EMAXITER;
        }
        st = gsl_multifit_nlinear_test(1e-10, 1e-10, 1e-12, info, ws);
        if (st == GSL_ETOLF || st == GSL_ETOLX || st == GSL_ETOLG) { /* converged to machine precision */
            *info = st;
            return GSL_SUCCESS;
        }
        if (st != GSL_CONTINUE) return st;
        if (at_optimum_tol(ws, 1e-9)) return GSL_SUCCESS;
    }
    return GSL_EMAXITER;
}

int zn_fit_nls(zn_model_fn f, void *arg, const double *x, size_t nx, const double *y, const double *w, size_t n,
               size_t np, const double *p0, unsigned logmask, zn_fitres *res)
{
    /* not a memset of the whole result: it is large and fits are many */
    res->np = np;
    res->n = n;
    res->why = "";
    res->ss = NAN;
    res->dependency = 0;
    res->singular = 0;
    res->iter = 0;
    res->status = 0;
    for (size_t j = 0; j < np * np && j < ZN_FIT_MAXP * ZN_FIT_MAXP; j++) res->cov[j] = NAN;
    if (np > ZN_FIT_MAXP) {
        res->status = GSL_EINVAL;
        res->why = "too many parameters";
        return res->status;
    }
    memcpy(res->p, p0, np * sizeof *p0);
    if (n < np || np == 0) {
        res->status = GSL_EINVAL;
        res->why = "fewer points than parameters";
        return res->status;
    }
    double q0[ZN_FIT_MAXP];
    for (size_t j = 0; j < np; j++) {
        if ((logmask >> j & 1u) && !(p0[j] > 0)) {
            res->status = GSL_EINVAL;
            res->why = "a positive parameter started at or below zero";
            return res->status;
        }
        q0[j] = (logmask >> j & 1u) ? log(p0[j]) : p0[j];
    }
    fitdata d = {.f = f, .arg = arg, .x = x, .y = y, .w = w, .nx = nx, .n = n, .np = np, .logmask = logmask};
    if (w) {
        if (n > sw_cap) {
            free(sw_buf);
            sw_buf = zn_malloc(n * sizeof *sw_buf);
            sw_cap = n;
        }
        for (size_t i = 0; i < n; i++) sw_buf[i] = sqrt(w[i]);
        d.sw = sw_buf;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multifit_nlinear_fdf fdf = {0};
    fdf.f = f_res;
    fdf.df = f_jac;
    fdf.n = n;
    fdf.p = np;
    fdf.params = &d;
    gsl_multifit_nlinear_workspace *ws = workspace(n, np);
    gsl_vector_const_view q = gsl_vector_const_view_array(q0, np);
    int info = 0;
    int st = gsl_multifit_nlinear_init(&q.vector, &fdf, ws);
    if (st == GSL_SUCCESS) st = drive(ws, &info);
    res->iter = gsl_multifit_nlinear_niter(ws);
    /* the driver reports no progress on its first step as GSL_EMAXITER */
    if ((st == GSL_ENOPROG || (st == GSL_EMAXITER && info == GSL_ENOPROG)) && at_optimum(ws)) st = GSL_SUCCESS;
    if (st == GSL_SUCCESS) {
        gsl_vector *r = gsl_multifit_nlinear_residual(ws);
        gsl_blas_ddot(r, r, &res->ss);
        natural(&d, gsl_multifit_nlinear_position(ws)->data);
        memcpy(res->p, d.p, np * sizeof(double));
        for (size_t j = 0; j < np && st == GSL_SUCCESS; j++)
            if (!isfinite(res->p[j])) st = GSL_EDOM;
    }
    if (st == GSL_SUCCESS) {
        /* Jacobian in the natural parameters at the optimum */
        gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
        for (size_t j = 0; j < np; j++)
            if (logmask >> j & 1u) {
                gsl_vector_view c = gsl_matrix_column(J, j);
                gsl_vector_scale(&c.vector, 1 / res->p[j]);
            }
        double A[ZN_FIT_MAXP];
        /* (J'J)^-1 by Cholesky on the stack: no allocation per fit */
        gsl_matrix_view cov = gsl_matrix_view_array(res->cov, np, np);
        gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, J, 0.0, &cov.matrix);
        for (size_t j = 0; j < np; j++) A[j] = res->cov[j * np + j];
        if (gsl_linalg_cholesky_decomp1(&cov.matrix) != GSL_SUCCESS || gsl_linalg_cholesky_invert(&cov.matrix) != GSL_SUCCESS)
            res->singular = 1;
        res->dependency = 0;
        for (size_t j = 0; j < np; j++) {
            double c = res->cov[j * np + j];
            if (!isfinite(c) || !(c > 0)) res->singular = 1;
            else {
                double dep = 1 - 1 / (c * A[j]);
                if (dep > res->dependency) res->dependency = dep;
            }
        }
    }
    if (st == GSL_EMAXITER) {
        /* the last iterate, for the caller to see where the fit was going */
        gsl_vector *r = gsl_multifit_nlinear_residual(ws);
        gsl_blas_ddot(r, r, &res->ss);
        natural(&d, gsl_multifit_nlinear_position(ws)->data);
        memcpy(res->p, d.p, np * sizeof(double));
    }
    if (st != GSL_SUCCESS)
        res->why = st == GSL_EMAXITER ? "did not converge in " ZN_STR(ZN_FIT_MAXITER) " iterations"
                   : st == GSL_EDOM   ? "the model left its domain (non-finite values)"
                   : st == GSL_ENOPROG ? "no progress (the data do not determine the parameters)"
                                       : gsl_strerror(st);
    res->status = st;
    gsl_set_error_handler(old);
    return st;
}
