/* zn_axis.c - the scale of a plot axis: a range widened to round numbers
 * and its tick values, for any input (a constant, a range one ulp wide,
 * 1e308 wide, negative, missing), linear or log10.
 *
 * Ticks are computed as integer multiples of the step, never by adding the
 * step to a running value (which stands still when the step is below an
 * ulp of the value: the hang of issue 14). */
#include "zn.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* the round step (1, 2 or 5 x 10^k) at or above x > 0; 0 when none is finite */
static double round_step(double x)
{
    if (!(x > 0) || !isfinite(x)) return 0;
    if (x < DBL_MIN) return DBL_MIN; /* subnormal scale: steps of the smallest normal */
    double e = floor(log10(x)), m = pow(10, e);
    if (!(m > 0) || !isfinite(m)) return 0;
    double f = x / m;
    double s = (f <= 1 + 1e-12 ? 1 : f <= 2 + 1e-12 ? 2 : f <= 5 + 1e-12 ? 5 : 10) * m;
    return isfinite(s) ? s : 0;
}

/* the next round step above s */
static double bigger_step(double s)
{
    double e = floor(log10(s)), m = pow(10, e), f = s / m;
    double n = (f < 1.5 ? 2 : f < 3.5 ? 5 : 10) * m;
    return n > s && isfinite(n) ? n : s * 2;
}

/* fill the ticks k*step, k = ceil(lo/step) .. floor(hi/step); -1 when there
 * would be more than max */
static int fill_ticks(zn_axis *a, double step, size_t max)
{
    double k0 = ceil(a->lo / step), k1 = floor(a->hi / step);
    if (!isfinite(k0) || !isfinite(k1) || k1 - k0 + 1 > (double)max) return -1;
    a->n = 0;
    for (double k = k0; k <= k1; k++) {
        double t = k * step;
        if (!isfinite(t) || t < a->lo || t > a->hi) continue;
        if (a->n && !(t > a->t[a->n - 1])) continue;
        a->t[a->n++] = t;
    }
    a->step = step;
    return 0;
}

int zn_axis_linear(zn_axis *a, double lo, double hi, size_t max)
{
    memset(a, 0, sizeof *a);
    if (max < 2) max = 2;
    if (max > ZN_AXIS_MAXTICKS) max = ZN_AXIS_MAXTICKS;
    int st = 0;
    if (isnan(lo) && isnan(hi)) lo = 0, hi = 1, st = 1;
    else if (isnan(lo)) lo = hi;
    else if (isnan(hi)) hi = lo;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    /* infinities: the largest finite values (half of them, so that the width is finite) */
    if (lo < -DBL_MAX / 4) lo = -DBL_MAX / 4;
    if (hi > DBL_MAX / 4) hi = DBL_MAX / 4;
    if (lo > DBL_MAX / 4) lo = DBL_MAX / 4;
    if (hi < -DBL_MAX / 4) hi = -DBL_MAX / 4;
    double mag = fmax(fabs(lo), fabs(hi));
    /* a constant, or a width too small against the values to label (below
     * 1e-12 of them: an ulp or two of rounding): 10 % around it (or +-1 at 0) */
    if (!(hi - lo > 1e-12 * mag) || hi - lo < DBL_MIN) {
        double c = lo / 2 + hi / 2, d = c != 0 ? fabs(c) * 0.1 : 1;
        if (fabs(c) < DBL_MIN) d = 1, c = 0;
        if (d < hi - lo) d = hi - lo; /* a width below DBL_MIN can be more than 10 % of values near it */
        lo = c - d;
        hi = c + d;
        st = st ? st : 1;
    }
    double w = hi - lo;
    double step = round_step(w / (double)(max - 1));
    if (!(step > 0)) step = round_step(w / 2 / (double)(max - 1)) * 2;
    /* widen to multiples of the step where they are finite */
    for (int guard = 0; guard < 64; guard++) {
        double nlo = floor(lo / step) * step, nhi = ceil(hi / step) * step;
        a->lo = isfinite(nlo) && nlo <= lo ? nlo : lo;
        a->hi = isfinite(nhi) && nhi >= hi ? nhi : hi;
        if (fill_ticks(a, step, max) == 0 && a->n >= 2) return st;
        step = bigger_step(step);
    }
    /* cannot happen for finite input; a safe answer anyway */
    a->lo = lo;
    a->hi = hi;
    a->t[0] = lo;
    a->t[1] = hi;
    a->n = 2;
    a->step = hi - lo;
    return -1;
}

int zn_axis_log(zn_axis *a, double lo, double hi, size_t max)
{
    if (!(lo > 0) || !(hi > 0) || !isfinite(lo) || !isfinite(hi)) return -1;
    memset(a, 0, sizeof *a);
    if (max < 2) max = 2;
    if (max > ZN_AXIS_MAXTICKS) max = ZN_AXIS_MAXTICKS;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    double e0 = floor(log10(lo) + 1e-12), e1 = ceil(log10(hi) - 1e-12);
    if (e1 <= e0) e1 = e0 + 1;
    if (e0 < -308) e0 = -308;
    if (e1 > 308) e1 = 308;
    if (e1 <= e0) e0 = e1 - 1;
    a->log = 1;
    a->lo = fmin(pow(10, e0), lo); /* beyond 1e308 or below 1e-308: the value itself */
    a->hi = fmax(pow(10, e1), hi);
    double nd = e1 - e0, every = ceil(nd / (double)(max - 1));
    if (every < 1) every = 1;
    a->step = every;
    a->n = 0;
    for (double e = e0; e <= e1 && a->n < max; e += every) a->t[a->n++] = pow(10, e);
    /* one decade only: 2 and 5 between (multiples of the decade's start,
     * kept inside the axis: 10 * 1e-99 can round above pow(10, -98)) */
    if (nd == 1 && max >= 4) {
        double base = pow(10, e0), top = pow(10, e1);
        double m[] = {base, 2 * base, 5 * base, top};
        a->n = 0;
        for (size_t i = 0; i < 4; i++)
            if (m[i] >= a->lo && m[i] <= a->hi && (!a->n || m[i] > a->t[a->n - 1])) a->t[a->n++] = m[i];
    }
    return 0;
}

double zn_axis_frac(const zn_axis *a, double v)
{
    if (a->log) {
        if (!(v > 0)) return -INFINITY;
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    }
    /* in halves, so that a width near DBL_MAX does not overflow */
    return (v / 2 - a->lo / 2) / (a->hi / 2 - a->lo / 2);
}

void zn_axis_label(const zn_axis *a, double v, char *buf, size_t len)
{
    if (a->log) {
        snprintf(buf, len, "%g", v);
        return;
    }
    if (a->step > 0 && fabs(v) < a->step * 1e-6) v = 0;
    /* enough digits to tell neighbouring ticks apart */
    int d = 1;
    if (v != 0 && a->step > 0) d = (int)floor(log10(fabs(v))) - (int)floor(log10(a->step)) + 2;
    int e = v != 0 ? (int)floor(log10(fabs(v))) : 0;
    if (e >= 0 && e < 6 && d < e + 1) d = e + 1; /* 1500, not 1.5e+03 */
    if (d < 1) d = 1;
    if (d > 17) d = 17;
    snprintf(buf, len, "%.*g", d, v);
}
