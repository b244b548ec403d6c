/* zn_fit.c - nonlinear least squares on GSL's gsl_multifit_nlinear (trust
 * region, Levenberg-Marquardt with the model's own Jacobian). */
#include "zn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <string.h>

typedef struct {
    zn_model_fn f;
    void *arg;
    const double *x, *y, *w;
    size_t n, np;
} fitdata;

static int f_res(const gsl_vector *p, void *d_, gsl_vector *r)
{
    fitdata *d = d_;
    double y;
    for (size_t i = 0; i < d->n; i++) {
        d->f(d->x[i], p->data, &y, NULL, d->arg);
        double v = (y - d->y[i]) * (d->w ? sqrt(d->w[i]) : 1);
        if (!isfinite(v)) return GSL_EDOM;
        gsl_vector_set(r, i, v);
    }
    return GSL_SUCCESS;
}

static int f_jac(const gsl_vector *p, void *d_, gsl_matrix *J)
{
    fitdata *d = d_;
    double y, dy[8];
    for (size_t i = 0; i < d->n; i++) {
        d->f(d->x[i], p->data, &y, dy, d->arg);
        double s = d->w ? sqrt(d->w[i]) : 1;
        for (size_t j = 0; j < d->np; j++) {
            if (!isfinite(dy[j])) return GSL_EDOM;
            gsl_matrix_set(J, i, j, dy[j] * s);
        }
    }
    return GSL_SUCCESS;
}

int zn_fit_nls(zn_model_fn f, void *arg, const double *x, const double *y, const double *w, size_t n,
               size_t np, const double *p0, zn_fitres *res)
{
    memset(res, 0, sizeof *res);
    res->np = np;
    res->n = n;
    res->why = "";
    memcpy(res->p, p0, np * sizeof *p0);
    if (np > 8) {
        res->status = GSL_EINVAL;
        res->why = "too many parameters";
        return res->status;
    }
    if (n < np) {
        res->status = GSL_EINVAL;
        res->why = "fewer points than parameters";
        return res->status;
    }
    fitdata d = {f, arg, x, y, w, n, np};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multifit_nlinear_fdf fdf = {0};
    fdf.f = f_res;
    fdf.df = f_jac;
    fdf.n = n;
    fdf.p = np;
    fdf.params = &d;
    gsl_multifit_nlinear_parameters prm = gsl_multifit_nlinear_default_parameters();
    prm.trs = gsl_multifit_nlinear_trs_lm;
    prm.scale = gsl_multifit_nlinear_scale_more;
    gsl_multifit_nlinear_workspace *ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &prm, n, np);
    gsl_vector_const_view p = gsl_vector_const_view_array(p0, np);
    int info = 0;
    int st = gsl_multifit_nlinear_init(&p.vector, &fdf, ws);
    if (st == GSL_SUCCESS) st = gsl_multifit_nlinear_driver(200, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, ws);
    if (st == GSL_SUCCESS) {
        gsl_vector *r = gsl_multifit_nlinear_residual(ws);
        gsl_blas_ddot(r, r, &res->ss);
        memcpy(res->p, gsl_multifit_nlinear_position(ws)->data, np * sizeof(double));
        gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
        gsl_matrix_view cov = gsl_matrix_view_array(res->cov, np, np);
        if (gsl_multifit_nlinear_covar(J, 0.0, &cov.matrix) != GSL_SUCCESS) st = GSL_ESING;
        for (size_t j = 0; j < np && st == GSL_SUCCESS; j++)
            if (!isfinite(res->p[j])) st = GSL_EDOM;
    }
    res->iter = gsl_multifit_nlinear_niter(ws);
    if (st != GSL_SUCCESS)
        res->why = st == GSL_EMAXITER ? "did not converge in 200 iterations"
                   : st == GSL_EDOM   ? "the model left its domain (non-finite values)"
                   : st == GSL_ESING  ? "singular Jacobian (parameters not determined by the data)"
                                      : gsl_strerror(st);
    res->status = st;
    gsl_multifit_nlinear_free(ws);
    gsl_set_error_handler(old);
    return st;
}
