/* zn_bleach.c - one photobleaching rate shared by the cells of a dish,
 * fitted over the windows where their signal should be flat (see zn.h). */
#include "zn.h"

#include <math.h>

int zn_bleach_add(zn_bleach_acc *a, const double *t, const double *y, size_t n, int weight, const char **why)
{
    return zn_bleach_add_w(a, t, y, n, weight == ZN_BLEACH_SHOT ? NAN : 1.0, why);
}

int zn_bleach_add_w(zn_bleach_acc *a, const double *t, const double *y, size_t n, double weight, const char **why)
{
    if (n < 2) {
        *why = "fewer than 2 values";
        return -1;
    }
    double mt = 0, my = 0, mraw = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] > 0)) {
            *why = "a value <= 0 (no logarithm)";
            return -1;
        }
        mt += t[i];
        my += log(y[i]);
        mraw += y[i];
    }
    mt /= (double)n;
    my /= (double)n;
    mraw /= (double)n;
    double stt = 0, sty = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dt = t[i] - mt, dy = log(y[i]) - my;
        stt += dt * dt;
        sty += dt * dy;
        syy += dy * dy;
    }
    if (!(stt > 0)) {
        *why = "all at one time";
        return -1;
    }
    double w = isnan(weight) ? mraw : weight;
    a->stt += w * stt;
    a->sty += w * sty;
    a->syy += w * syy;
    a->n += n;
    a->groups++;
    return 0;
}

double zn_bleach_rss(const zn_bleach_acc *a)
{
    if (!a->groups || !(a->stt > 0)) return NAN;
    double rss = a->syy - a->sty * a->sty / a->stt;
    return rss < 0 ? 0 : rss;
}

int zn_bleach_rate(const zn_bleach_acc *a, double *k, double *se)
{
    *k = *se = NAN;
    if (!a->groups || !(a->stt > 0)) return -1;
    *k = -a->sty / a->stt + 0.0; /* + 0.0: a flat signal has k = 0, not -0 */
    size_t df = a->n - a->groups - 1; /* n >= 2 per group, so n - groups >= groups >= 1 */
    if (df > 0) {
        double rss = a->syy - a->sty * a->sty / a->stt;
        if (rss < 0) rss = 0; /* rounding, for data on an exact exponential */
        *se = sqrt(rss / (double)df / a->stt);
    }
    return 0;
}
