/* zn_model.c - the rate equations zn-mm-fit fits and zn-report draws:
 * y and its derivatives by parameter at one point (x[0] = S, x[1] = I). */
#include "zn.h"

#include <math.h>
#include <string.h>

/* x[0] substrate S, x[1] inhibitor I, x[2] group (global fits) */
static void m_mm(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], D = p[1] + S;
    *y = p[0] * S / D;
    if (dy) {
        dy[0] = S / D;
        dy[1] = -p[0] * S / (D * D);
    }
}

static void m_hill(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], V = p[0], K = p[1], h = p[2];
    if (!(S > 0)) {
        *y = 0;
        if (dy) dy[0] = dy[1] = dy[2] = 0;
        return;
    }
    double u = pow(S, h), k = pow(K, h), D = k + u;
    *y = V * u / D;
    if (dy) {
        dy[0] = u / D;
        dy[1] = -V * u / (D * D) * h * k / K;
        double du = u * log(S), dk = k * log(K);
        dy[2] = V * (du * k - u * dk) / (D * D);
    }
}

static void m_subinh(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], V = p[0], D = p[1] + S + S * S / p[2];
    *y = V * S / D;
    if (dy) {
        dy[0] = S / D;
        dy[1] = -V * S / (D * D);
        dy[2] = V * S / (D * D) * S * S / (p[2] * p[2]);
    }
}

static void m_comp(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], I = x[1], V = p[0], K = p[1], Ki = p[2];
    double D = K * (1 + I / Ki) + S;
    *y = V * S / D;
    if (dy) {
        dy[0] = S / D;
        dy[1] = -V * S * (1 + I / Ki) / (D * D);
        dy[2] = V * S * K * I / (Ki * Ki) / (D * D);
    }
}

static void m_noncomp(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], I = x[1], V = p[0], K = p[1], Ki = p[2];
    double c = 1 + I / Ki, g = S / (K + S);
    *y = V * g / c;
    if (dy) {
        dy[0] = g / c;
        dy[1] = -V * S / ((K + S) * (K + S)) / c;
        dy[2] = V * g * (I / (Ki * Ki)) / (c * c);
    }
}

static void m_uncomp(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], I = x[1], V = p[0], K = p[1], Ki = p[2];
    double D = K + S * (1 + I / Ki);
    *y = V * S / D;
    if (dy) {
        dy[0] = S / D;
        dy[1] = -V * S / (D * D);
        dy[2] = V * S * S * I / (Ki * Ki) / (D * D);
    }
}

static void m_mixed(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], I = x[1], V = p[0], K = p[1], Ki = p[2], al = p[3];
    double a = 1 + I / (al * Ki), b = 1 + I / Ki, D = K * b + S * a;
    *y = V * S / D;
    if (dy) {
        double q = -V * S / (D * D);
        dy[0] = S / D;
        dy[1] = q * b;
        dy[2] = q * (K * (-I / (Ki * Ki)) + S * (-I / (al * Ki * Ki)));
        dy[3] = q * S * (-I / (al * al * Ki));
    }
}

static void m_mmlin(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double S = x[0], D = p[1] + S;
    *y = p[0] * S / D + p[2] * S;
    if (dy) {
        dy[0] = S / D;
        dy[1] = -p[0] * S / (D * D);
        dy[2] = S;
    }
}

/* Concentration-response (4PL, Prism's "log(agonist) vs. response, variable
 * slope" in x rather than log x): y = bottom + (top - bottom) / (1 + (ec50/x)^hill).
 * hill > 0 rises with x, hill < 0 falls.  x = 0 (controls) is the curve's
 * limit: bottom when hill > 0, top when hill < 0.  s = 1/(1 + u) with
 * u = (ec50/x)^hill, computed from L = hill ln(ec50/x) so that neither
 * overflows. */
static void m_4pl(const double *x, const double *p, double *y, double *dy, void *unused)
{
    (void)unused;
    double X = x[0], b = p[0], t = p[1], e = p[2], h = p[3];
    double s, lr; /* s = 1/(1+u), lr = ln(ec50/x) */
    if (!(X > 0)) {
        s = h > 0 ? 0 : h < 0 ? 1 : 0.5;
        *y = b + (t - b) * s;
        if (dy) {
            dy[0] = 1 - s;
            dy[1] = s;
            dy[2] = dy[3] = 0;
        }
        return;
    }
    lr = log(e) - log(X);
    double L = h * lr;
    if (L > 0) {
        double q = exp(-L);
        s = q / (1 + q);
    } else
        s = 1 / (1 + exp(L));
    *y = b + (t - b) * s;
    if (dy) {
        double g = -(t - b) * s * (1 - s); /* dy/dL */
        dy[0] = 1 - s;
        dy[1] = s;
        dy[2] = g * h / e;
        dy[3] = g * lr;
    }
}

const zn_model zn_models[] = {
    {"mm", 2, {"Vmax", "Km"}, {ZN_G_LIN, ZN_G_X}, 3, 0, m_mm, "Vmax*S/(Km+S)"},
    {"hill", 3, {"Vmax", "Khalf", "h"}, {ZN_G_LIN, ZN_G_X, ZN_G_H}, 7, 0, m_hill, "Vmax*S^h/(Khalf^h+S^h)"},
    {"subinh", 3, {"Vmax", "Km", "Ki"}, {ZN_G_LIN, ZN_G_X, ZN_G_X}, 7, 0, m_subinh, "Vmax*S/(Km+S*(1+S/Ki))"},
    {"comp", 3, {"Vmax", "Km", "Ki"}, {ZN_G_LIN, ZN_G_X, ZN_G_I}, 7, 1, m_comp, "Vmax*S/(Km*(1+I/Ki)+S)"},
    {"noncomp", 3, {"Vmax", "Km", "Ki"}, {ZN_G_LIN, ZN_G_X, ZN_G_I}, 7, 1, m_noncomp, "Vmax/(1+I/Ki)*S/(Km+S)"},
    {"uncomp", 3, {"Vmax", "Km", "Ki"}, {ZN_G_LIN, ZN_G_X, ZN_G_I}, 7, 1, m_uncomp, "Vmax*S/(Km+S*(1+I/Ki))"},
    {"mixed", 4, {"Vmax", "Km", "Ki", "alpha"}, {ZN_G_LIN, ZN_G_X, ZN_G_I, ZN_G_A}, 15, 1, m_mixed,
     "Vmax*S/(Km*(1+I/Ki)+S*(1+I/(alpha*Ki)))"},
    {"mm+linear", 3, {"Vmax", "Km", "kd"}, {ZN_G_LIN, ZN_G_X, ZN_G_LIN2}, 3, 0, m_mmlin, "Vmax*S/(Km+S)+kd*S"},
    {"4pl", 4, {"bottom", "top", "ec50", "hill"}, {ZN_G_LIN, ZN_G_LIN, ZN_G_X, ZN_G_HS}, 4, 0, m_4pl,
     "bottom+(top-bottom)/(1+(ec50/x)^hill)"},
    /* 4pl with hill held at +1 or -1 (zn-mm-fit chooses the sign) */
    {"3pl", 4, {"bottom", "top", "ec50", "hill"}, {ZN_G_LIN, ZN_G_LIN, ZN_G_X, ZN_G_HS}, 4, 0, m_4pl,
     "bottom+(top-bottom)/(1+(ec50/x)^hill), hill=+-1"},
};
const size_t zn_nmodels = sizeof zn_models / sizeof zn_models[0];

const zn_model *zn_model_find(const char *name)
{
    for (size_t i = 0; i < zn_nmodels; i++)
        if (strcmp(zn_models[i].name, name) == 0) return &zn_models[i];
    return NULL;
}

/* simpler model nested in the more complex one (the simpler is a special or
 * limiting case) */
int zn_model_logistic(const zn_model *m)
{
    return m->f == m_4pl;
}

int zn_model_nested(const zn_model *s, const zn_model *c)
{
    static const char *const pairs[][2] = {{"mm", "hill"},      {"mm", "subinh"},    {"mm", "mm+linear"},
                                           {"comp", "mixed"},   {"noncomp", "mixed"}, {"uncomp", "mixed"}, {"3pl", "4pl"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], s->name) == 0 && strcmp(pairs[i][1], c->name) == 0) return 1;
    return 0;
}
