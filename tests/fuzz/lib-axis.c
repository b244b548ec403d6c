/* lib-axis.c - fuzz harness for zn_axis (lib/zn_axis.c): any two doubles and
 * a tick budget, linear and log.  A finding aborts with the case printed.
 * Properties (as the unit test's axis_ok, which samples 200,000 ranges;
 * here the fuzzer steers): returns in bounded time; linear: 2..max ticks,
 * finite, strictly increasing, inside [lo, hi], the axis covers the finite
 * input (within +-DBL_MAX/4), labels of neighbouring ticks differ; log:
 * refused (-1) or the same for decades.
 *
 * Built twice: with libFuzzer (make fuzz), and as a plain program that runs
 * the same check on each file named (ZN_FUZZ_STANDALONE: the replay through
 * the normal or sanitizer build, $(BUILD)/bin/fuzz-axis). */
#include "zn.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bad(const char *what, double lo, double hi, size_t max, const zn_axis *a)
{
    fprintf(stderr, "%s(%.17g, %.17g, max %zu): %s (axis %.17g..%.17g step %.17g, %zu ticks:", a->log ? "zn_axis_log" : "zn_axis_linear",
            lo, hi, max, what, a->lo, a->hi, a->step, a->n);
    for (size_t i = 0; i < a->n && i < ZN_AXIS_MAXTICKS; i++) fprintf(stderr, " %.17g", a->t[i]);
    fputs(")\n", stderr);
    abort();
}

static void check(const zn_axis *a, double lo, double hi, size_t max, int log)
{
    size_t m = max < 2 ? 2 : max > ZN_AXIS_MAXTICKS ? ZN_AXIS_MAXTICKS : max;
    if (a->n < 2 || a->n > m) bad("tick count out of 2..max", lo, hi, max, a);
    if (!isfinite(a->lo) || !isfinite(a->hi) || !(a->hi > a->lo)) bad("axis not a finite increasing range", lo, hi, max, a);
    for (size_t i = 0; i < a->n; i++) {
        if (!isfinite(a->t[i]) || a->t[i] < a->lo || a->t[i] > a->hi) bad("tick outside the axis", lo, hi, max, a);
        if (i && !(a->t[i] > a->t[i - 1])) bad("ticks not increasing", lo, hi, max, a);
    }
    double l = fmin(lo, hi), h = fmax(lo, hi);
    if (!log && isfinite(l) && l >= -DBL_MAX / 4 && l < a->lo) bad("axis does not cover lo", lo, hi, max, a);
    if (!log && isfinite(h) && h <= DBL_MAX / 4 && h > a->hi) bad("axis does not cover hi", lo, hi, max, a);
    if (log && (l < a->lo * (1 - 1e-12) || h > a->hi * (1 + 1e-12))) bad("log axis does not cover the range", lo, hi, max, a);
    char p[64] = "", q[64];
    for (size_t i = 0; i < a->n; i++) {
        zn_axis_label(a, a->t[i], q, sizeof q);
        if (!*q || strlen(q) > 40) bad("empty or overlong label", lo, hi, max, a);
        if (i && strcmp(p, q) == 0) bad("two neighbouring ticks with one label", lo, hi, max, a);
        memcpy(p, q, sizeof p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double lo, hi;
    if (size < 17) return 0;
    memcpy(&lo, data, 8);
    memcpy(&hi, data + 8, 8);
    size_t max = data[16] % 40; /* beyond both ends of 2..ZN_AXIS_MAXTICKS */
    zn_axis a;
    zn_axis_linear(&a, lo, hi, max);
    check(&a, lo, hi, max, 0);
    if (zn_axis_log(&a, lo, hi, max) == 0) check(&a, lo, hi, max, 1);
    return 0;
}

#ifdef ZN_FUZZ_STANDALONE
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        uint8_t buf[64];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
