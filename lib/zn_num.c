/* zn_num.c - numbers in and out, independent of the locale.
 *
 * Parsing is strict: the whole field must be a finite decimal number.  The
 * common case (at most 19 significant digits, a small exponent) is done
 * exactly here (Clinger's fast path: the digits fit in 2^53 and the power of
 * ten is exact, so one IEEE multiply or divide is correctly rounded);
 * everything else goes to strtod_l in the C locale.
 *
 * Printing (computed values) is R's convention: at most 15 significant
 * digits, the way %.15g writes them (trailing zeros dropped), so binary noise
 * such as 92.03899999999999 or 60.123000000000005 (100.123 - 40) is written
 * 92.039 and 60.123.  Integers below 2^53 are written whole (a count or an
 * index stays exact).  15 digits are DBL_DIG: any decimal of 15 or fewer
 * digits comes back as itself, so a value read from a file with up to 15
 * digits is written as it was.  Not-a-number and infinity are written as a
 * missing value (the empty string): see zn.h for the policy.
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

/* The reference: %.15g by glibc's printf (correctly rounded); for a
 * subnormal, whose 15 digits are mostly noise, the shortest %.Ng that reads
 * back to the same double as the %.15g string.  Slow; zn_fmt_double below
 * gives the same bytes and uses it only where its fast path cannot decide. */
size_t zn_fmt_double_ref(char *buf, double x)
{
    if (!isfinite(x)) {
        buf[0] = 0;
        return 0;
    }
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
    int n = snprintf(buf, 33, "%.15g", x);
    if (ax >= 2.2250738585072014e-308) return (size_t)n;
    double target = strtod_l(buf, NULL, loc);
    char t[40];
    for (int prec = 1; prec < 15; prec++) {
        int m = snprintf(t, sizeof t, "%.*g", prec, x);
        if (strtod_l(t, NULL, loc) == target) {
            memcpy(buf, t, (size_t)m + 1);
            return (size_t)m;
        }
    }
    return (size_t)n;
}

/* Write digits m (no trailing zeros, nd of them) with decimal exponent X
 * (value = d1.d2d3... * 10^X) the way %.Pg does. */
static size_t put_g(char *buf, int neg, uint64_t m, int nd, int X, int P)
{
    char d[24];
    for (int i = nd - 1; i >= 0; i--) {
        d[i] = (char)('0' + m % 10);
        m /= 10;
    }
    char *p = buf;
    if (neg) *p++ = '-';
    if (X < -4 || X >= P) {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)nd - 1);
            p += nd - 1;
        }
        *p++ = 'e';
        *p++ = X < 0 ? '-' : '+';
        int e = X < 0 ? -X : X;
        if (e >= 100) *p++ = (char)('0' + e / 100);
        *p++ = (char)('0' + e / 10 % 10);
        *p++ = (char)('0' + e % 10);
    } else if (X < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -X - 1; i++) *p++ = '0';
        memcpy(p, d, (size_t)nd);
        p += nd;
    } else if (nd <= X + 1) {
        memcpy(p, d, (size_t)nd);
        p += nd;
        for (int i = nd; i < X + 1; i++) *p++ = '0';
    } else {
        memcpy(p, d, (size_t)X + 1);
        p += X + 1;
        *p++ = '.';
        memcpy(p, d + X + 1, (size_t)(nd - X - 1));
        p += nd - X - 1;
    }
    *p = 0;
    return (size_t)(p - buf);
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

/* %.15g exactly, in integers.  x = M * 2^E (M the 53-bit mantissa); scaled
 * by 10^k it is N / 2^s with N = M * 5^k and s = -(E + k), an exact 128-bit
 * quantity for 1e-8 <= x < 1e15 (k <= 22, s <= 110).  q = N / 2^s rounded to
 * 15 digits, to nearest with ties to even (what printf's %.15g does), with
 * the exponent X that %.15g would pick; trailing zeros are dropped.  Outside
 * that range the reference routine is used, so the bytes are always those
 * of zn_fmt_double_ref. */
size_t zn_fmt_double(char *buf, double x)
{
    static const uint64_t pow10u[18] = {1ULL,
                                        10ULL,
                                        100ULL,
                                        1000ULL,
                                        10000ULL,
                                        100000ULL,
                                        1000000ULL,
                                        10000000ULL,
                                        100000000ULL,
                                        1000000000ULL,
                                        10000000000ULL,
                                        100000000000ULL,
                                        1000000000000ULL,
                                        10000000000000ULL,
                                        100000000000000ULL,
                                        1000000000000000ULL,
                                        10000000000000000ULL,
                                        100000000000000000ULL};
    static const uint64_t pow5u[28] = {
        1ULL,
        5ULL,
        25ULL,
        125ULL,
        625ULL,
        3125ULL,
        15625ULL,
        78125ULL,
        390625ULL,
        1953125ULL,
        9765625ULL,
        48828125ULL,
        244140625ULL,
        1220703125ULL,
        6103515625ULL,
        30517578125ULL,
        152587890625ULL,
        762939453125ULL,
        3814697265625ULL,
        19073486328125ULL,
        95367431640625ULL,
        476837158203125ULL,
        2384185791015625ULL,
        11920928955078125ULL,
        59604644775390625ULL,
        298023223876953125ULL,
        1490116119384765625ULL,
        7450580596923828125ULL};
    double ax = fabs(x);
    if (ax < 9007199254740992.0 && ax == (double)(uint64_t)ax && x != 0) {
        size_t k = 0;
        if (x < 0) buf[k++] = '-';
        return k + fmt_u64(buf + k, (uint64_t)ax);
    }
    if (!(ax >= 1e-8 && ax < 1e15)) return zn_fmt_double_ref(buf, x);
    int neg = x < 0;
    uint64_t bits;
    memcpy(&bits, &ax, sizeof bits);
    int e2 = (int)(bits >> 52) - 1022; /* ax in [2^(e2-1), 2^e2) */
    uint64_t M = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int E = e2 - 53;
    int X0 = ((e2 - 1) * 78913) >> 18; /* floor((e2 - 1) log10 2) */
    if (X0 + 1 >= 0 && ax >= (double)pow10u[X0 + 1]) X0++; /* X0 <= 14 here; the loop below corrects */
    const int P = 15;
    int X = X0;
    for (int pass = 0; pass < 3; pass++) {
        int k = P - 1 - X, s = -(E + k);
        if (k < 0 || k > 27 || s <= 0 || s > 120) return zn_fmt_double_ref(buf, x);
        u128 N = (u128)M * pow5u[k];
        u128 qq = N >> s;
        u128 rem = N - (qq << s);
        u128 half = (u128)1 << (s - 1);
        qq += (u128)(rem > half || (rem == half && (qq & 1)));
        if (qq >= pow10u[P]) X++;
        else if (qq < pow10u[P - 1]) X--;
        else {
            uint64_t q = (uint64_t)qq;
            int nd = P;
            while (q % 10 == 0 && nd > 1) {
                q /= 10;
                nd--;
            }
            return put_g(buf, neg, q, nd, X, P);
        }
    }
    return zn_fmt_double_ref(buf, x);
}
#else
size_t zn_fmt_double(char *buf, double x) { return zn_fmt_double_ref(buf, x); }
#endif

const char *zn_num_hint(const char *s, size_t n)
{
    int comma = 0, dot = 0, digit = 0, space = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',') comma++;
        else if (s[i] == '.') dot++;
        else if (s[i] >= '0' && s[i] <= '9') digit++;
        else if (s[i] == ' ') space++;
    }
    if (memchr(s, 0, n)) return " (a NUL byte in the field: binary data, or a UTF-16 file?)";
    if (comma == 1 && digit && !dot) return " (decimal comma? see zn-ingest --decimal-comma)";
    if (space && digit) return " (spaces around the number?)";
    if (n >= 3 && (strncasecmp(s, "nan", 3) == 0 || strncasecmp(s, "inf", 3) == 0 ||
                   strncasecmp(s, "-inf", 4) == 0))
        return " (not-a-number and infinity are not data: leave the field empty for a missing value)";
    if (n == 2 && strncasecmp(s, "NA", 2) == 0) return " (a missing value is an empty field)";
    return "";
}

size_t zn_fmt_double_rt(char *buf, double x)
{
    size_t n = zn_fmt_double(buf, x);
    double y;
    if (n == 0 || (zn_parse_double(buf, n, &y) == ZN_NUM_OK && y == x)) return n;
    for (int p = 16;; p++) {
        n = (size_t)snprintf(buf, 33, "%.*g", p, x);
        if (p == 17 || (zn_parse_double(buf, n, &y) == ZN_NUM_OK && y == x)) return n;
    }
}
