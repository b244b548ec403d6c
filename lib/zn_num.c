/* zn_num.c - numbers in and out, independent of the locale.
 *
 * Parsing is strict: the whole field must be a finite decimal number.  The
 * common case (at most 19 significant digits, a small exponent) is done
 * exactly here (Clinger's fast path: the digits fit in 2^53 and the power of
 * ten is exact, so one IEEE multiply or divide is correctly rounded);
 * everything else goes to strtod_l in the C locale.
 *
 * Printing is the shortest string that reads back to the same double:
 * integers (|x| < 2^53) are printed as integers; otherwise the shortest of
 * 15, 16 and 17 significant digits that round-trips (for subnormals, from 1).  15 digits always
 * reproduce any decimal of 15 or fewer digits (DBL_DIG), so a value that has
 * a shorter representation gets it ("0.1"), and 17 always round-trips.
 */
#define _GNU_SOURCE
#include "zn.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc) {
        loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        if (!loc) zn_die(ZN_EXIT_DATA, "cannot create the C locale");
    }
    return loc;
}

static const double pow10tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int zn_parse_double(const char *s, size_t n, double *out)
{
    if (n == 0) return ZN_NUM_EMPTY;
    size_t i = 0;
    int neg = 0;
    if (s[i] == '-' || s[i] == '+') neg = s[i++] == '-';
    uint64_t mant = 0;
    int nd = 0, dropped = 0, exp10 = 0, any = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        any = 1;
        if (nd < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant) nd++;
        } else {
            dropped = 1;
            exp10++;
        }
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            any = 1;
            if (nd < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant) nd++;
                exp10--;
            } else
                dropped = 1;
            i++;
        }
    }
    if (!any) return ZN_NUM_BAD;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0, e = 0, edig = 0;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (e < 100000) e = e * 10 + (s[i] - '0');
            edig = 1;
            i++;
        }
        if (!edig) return ZN_NUM_BAD;
        exp10 += eneg ? -e : e;
    }
    if (i != n) return ZN_NUM_BAD;
    if (!dropped && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        double d = (double)mant;
        d = exp10 < 0 ? d / pow10tab[-exp10] : d * pow10tab[exp10];
        *out = neg ? -d : d;
        return ZN_NUM_OK;
    }
    if (mant == 0) { /* all zeros, any exponent */
        *out = neg ? -0.0 : 0.0;
        return ZN_NUM_OK;
    }
    char tmp[128], *buf = n < sizeof tmp ? tmp : zn_malloc(n + 1), *end;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    double d = strtod_l(buf, &end, c_locale());
    int bad = end != buf + n;
    if (buf != tmp) free(buf);
    if (bad) return ZN_NUM_BAD;
    if (isinf(d) || d == 0) return ZN_NUM_RANGE; /* mantissa was nonzero */
    *out = d;
    return ZN_NUM_OK;
}

int zn_parse_long(const char *s, size_t n, long *out)
{
    if (n == 0) return ZN_NUM_EMPTY;
    size_t i = 0;
    int neg = 0;
    if (s[i] == '-' || s[i] == '+') neg = s[i++] == '-';
    if (i == n) return ZN_NUM_BAD;
    unsigned long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return ZN_NUM_BAD;
        if (v > (unsigned long)(LONG_MAX / 10)) return ZN_NUM_RANGE;
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > (unsigned long)LONG_MAX) return ZN_NUM_RANGE;
    }
    *out = neg ? -(long)v : (long)v;
    return ZN_NUM_OK;
}

static size_t fmt_u64(char *buf, uint64_t v)
{
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < k; i++) buf[i] = tmp[k - 1 - i];
    buf[k] = 0;
    return k;
}

size_t zn_fmt_double(char *buf, double x)
{
    if (x == 0) {
        if (signbit(x)) {
            memcpy(buf, "-0", 3);
            return 2;
        }
        memcpy(buf, "0", 2);
        return 1;
    }
    double ax = fabs(x);
    if (ax < 9007199254740992.0 && ax == floor(ax)) {
        size_t k = 0;
        if (x < 0) buf[k++] = '-';
        return k + fmt_u64(buf + k, (uint64_t)ax);
    }
    locale_t loc = c_locale();
    /* subnormals have fewer significant bits: 15 digits may be too many */
    for (int prec = ax < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; prec++) {
        int n = snprintf(buf, 33, "%.*g", prec, x);
        if (prec == 17) return (size_t)n;
        if (strtod_l(buf, NULL, loc) == x) return (size_t)n;
    }
    return 0; /* not reached */
}

const char *zn_num_hint(const char *s, size_t n)
{
    int comma = 0, dot = 0, digit = 0, space = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',') comma++;
        else if (s[i] == '.') dot++;
        else if (s[i] >= '0' && s[i] <= '9') digit++;
        else if (s[i] == ' ') space++;
    }
    if (comma == 1 && digit && !dot) return " (decimal comma? see zn-ingest --decimal-comma)";
    if (space && digit) return " (spaces around the number?)";
    if (n >= 3 && (strncasecmp(s, "nan", 3) == 0 || strncasecmp(s, "inf", 3) == 0 ||
                   strncasecmp(s, "-inf", 4) == 0))
        return " (not-a-number and infinity are not data: leave the field empty for a missing value)";
    if (n == 2 && strncasecmp(s, "NA", 2) == 0) return " (a missing value is an empty field)";
    return "";
}
