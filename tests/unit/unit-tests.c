/* unit-tests.c - C tests of libzn, TAP output. */
#include "zn.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ntest, nfail;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", cond ? "ok" : "not ok", ++ntest);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (!cond) nfail++;
}

static double parse(const char *s, int *rc)
{
    double x = -12345;
    *rc = zn_parse_double(s, strlen(s), &x);
    return x;
}

static void test_parse(void)
{
    struct {
        const char *s;
        int rc;
        double x;
    } t[] = {{"0", 0, 0},         {"1", 0, 1},          {"-2.5", 0, -2.5},   {"+3", 0, 3},
             {".5", 0, 0.5},      {"5.", 0, 5},         {"1e-3", 0, 1e-3},   {"1E+3", 0, 1000},
             {"0.1", 0, 0.1},     {"182.5", 0, 182.5},  {"", 1, 0},          {"1,5", -1, 0},
             {" 1", -1, 0},       {"1 ", -1, 0},        {"nan", -1, 0},      {"inf", -1, 0},
             {"1e", -1, 0},       {"e5", -1, 0},        {".", -1, 0},        {"-", -1, 0},
             {"0x10", -1, 0},     {"1e400", -2, 0},     {"1e-400", -2, 0},   {"12,5", -1, 0},
             {"4.9e-324", 0, 4.9e-324}, {"1.7976931348623157e308", 0, 1.7976931348623157e308},
             {"123456789012345678901234567890", 0, 123456789012345678901234567890.0},
             {"0.000000000000000000000000000001", 0, 1e-30}, {"9007199254740993", 0, 9007199254740992.0},
             {"2.2250738585072011e-308", 0, 2.2250738585072011e-308}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        int rc;
        double x = parse(t[i].s, &rc);
        ok(rc == t[i].rc && (rc != 0 || x == t[i].x), "parse \"%s\" -> rc %d (want %d) %.17g", t[i].s, rc, t[i].rc,
           rc == 0 ? x : 0);
    }
    long v;
    ok(zn_parse_long("42", 2, &v) == 0 && v == 42, "parse_long 42");
    ok(zn_parse_long("4a", 2, &v) == ZN_NUM_BAD, "parse_long 4a is bad");
    ok(zn_parse_long("99999999999999999999", 20, &v) == ZN_NUM_RANGE, "parse_long overflow");
    ok(strcmp(zn_num_hint("12,5", 4), " (decimal comma? see zn-ingest --decimal-comma)") == 0, "hint for 12,5");
}

static void test_format(void)
{
    struct {
        double x;
        const char *s;
    } t[] = {{0.1, "0.1"},       {0, "0"},           {-0.0, "-0"},       {1, "1"},
             {-2.5, "-2.5"},     {182.5, "182.5"},   {1e-5, "1e-05"},    {1.0 / 3, "0.333333333333333"},
             {2.0 / 3, "0.666666666666667"}, {1e22, "1e+22"}, {123456789.125, "123456789.125"},
             {0.1 + 0.2, "0.3"}, {5e-324, "5e-324"}, {1e-320, "1e-320"},
             {92.03899999999999, "92.039"}, {100.123 - 40, "60.123"}, {61.257000000000005, "61.257"},
             {9007199254740991.0, "9007199254740991"}, {-4503599627370497.0, "-4503599627370497"}, {9007199254740992.0, "9.00719925474099e+15"}, {1e300, "1e+300"}, {1.0000000000000001e300 * 1.0000000000000002, "1e+300"},
             {1234567.8901234567, "1234567.89012346"}, {-0.000123456789012345678, "-0.000123456789012346"},
             {1e15 + 0.5, "1e+15"}, {9007199254740994.0, "9.00719925474099e+15"}, {0.99999999999999989, "1"},
             {HUGE_VAL, ""}, {-HUGE_VAL, ""}, {NAN, ""}};
    char b[40];
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t n = zn_fmt_double(b, t[i].x);
        ok(strcmp(b, t[i].s) == 0 && n == strlen(t[i].s), "format %.17g -> \"%s\" (want \"%s\")", t[i].x, b, t[i].s);
        zn_fmt_double_ref(b, t[i].x);
        ok(strcmp(b, t[i].s) == 0, "reference format %.17g -> \"%s\" (want \"%s\")", t[i].x, b, t[i].s);
    }
    /* random bit patterns, held to glibc's %.15g directly (not through the
     * reference): at most 15 digits, the same value as %.15g, and nothing
     * shorter reads back to that value */
    unsigned long long s = 88172645463325252ULL;
    int bad = 0, notshort = 0, ndone = 0;
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double x;
        memcpy(&x, &s, sizeof x);
        if (!isfinite(x)) continue;
        ndone++;
        size_t n = zn_fmt_double(b, x);
        char g[40];
        snprintf(g, sizeof g, "%.15g", x);
        double y, want = strtod(g, NULL);
        int whole = fabs(x) < 9007199254740992.0 && x == floor(x);
        if (zn_parse_double(b, n, &y) != 0) bad++;
        else if (whole ? y != x : memcmp(&want, &y, sizeof y) != 0)
            bad++; /* integers below 2^53 are written whole */
        else if (fabs(x) >= 2.2250738585072014e-308 && !whole && strcmp(b, g) != 0)
            bad++;
        if (i % 20 == 0) { /* shortest: one digit fewer never reads back to the same value */
            int digits = 0;
            int lead = 1; /* significant digits: leading zeros do not count */
            for (char *p = b; *p && *p != 'e'; p++) {
                if (*p == '0' && lead) continue;
                if (*p >= '1' && *p <= '9') lead = 0;
                digits += *p >= '0' && *p <= '9';
            }
            if (!strchr(b, '.')) /* 267345716794950: the trailing zero only places the point */
                for (char *p = b + strcspn(b, "e") - 1; p > b && *p == '0'; p--) digits--;
            if (digits > 15 && !(fabs(x) < 9007199254740992.0 && x == floor(x)) && notshort++ == 0) fprintf(stderr, "# %.17g -> %s\n", x, b);
            if (digits > 1 && digits <= 15 && !(fabs(x) < 9007199254740992.0 && x == floor(x))) {
                char c[40];
                snprintf(c, sizeof c, "%.*g", digits - 1, x);
                if (strtod(c, NULL) == want && notshort++ == 0) fprintf(stderr, "# %.17g -> %s (%s)\n", x, b, c);
            }
        }
    }
    ok(bad == 0, "%d random doubles print as %%.15g does and read back to its value (%d failures)", ndone, bad);
    ok(notshort == 0, "printed strings have at most 15 digits and are the shortest (%d not)", notshort);
    /* decimals of up to 15 digits come back as themselves */
    int mism = 0;
    for (int i = 1; i < 100000; i++) {
        char in[40];
        snprintf(in, sizeof in, "%d.%03d", i * 7 % 100000, i % 1000);
        double x;
        zn_parse_double(in, strlen(in), &x);
        zn_fmt_double(b, x);
        double y = strtod(b, NULL);
        if (y != x || strlen(b) > strlen(in)) mism++;
    }
    ok(mism == 0, "instrument-style decimals print no longer than they were written (%d)", mism);
    /* binary noise of one ulp is not written: the neighbours of the double
     * nearest a decimal of up to 12 digits print as that decimal (1.5 ulp is
     * below half a unit of the 15th digit, 5e-16 relative).  (Cancellation
     * can leave more than that: 83.023 - 81.477 is 1.54599999999999 in
     * binary, a true error at the 15th digit.) */
    mism = 0;
    unsigned long long r = 12345;
    for (int i = 0; i < 100000; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        long long m = (long long)(r >> 24) % 1000000000000LL;
        int ex = (int)(r % 21) - 10;
        char want[48], got[48];
        snprintf(want, sizeof want, "%llde%d", m, ex);
        double x = strtod(want, NULL);
        snprintf(want, sizeof want, "%.15g", x);
        double y = nextafter(x, (r >> 8) & 1 ? 1e300 : -1e300);
        if (y == floor(y) && fabs(y) < 9007199254740992.0) continue;
        zn_fmt_double(got, y);
        if (strcmp(got, want) != 0 && mism++ == 0) fprintf(stderr, "# %.17g -> %s, want %s\n", y, got, want);
    }
    ok(mism == 0, "one ulp of binary noise is not written (%d)", mism);
}

static unsigned long long xorshift(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* the fast formatter writes exactly the bytes of the reference routine */
static void test_format_fast(void)
{
    char a[48], b[48];
    unsigned long long s = 0x9E3779B97F4A7C15ULL;
    int diff = 0, n = 0;
    char first[160] = "";
#define NEXT() xorshift(&s)
    for (int i = 0; i < 400000; i++) {
        double x;
        switch (i % 8) {
        case 0: { /* random bits, exponent in the fast range and around it */
            unsigned long long r = NEXT();
            int e = (int)(NEXT() % 160) - 40; /* 2^-40 .. 2^120 (1e-12 .. 1e36) */
            x = ldexp((double)(r >> 11) / 9007199254740992.0 + 0.5, e);
            break;
        }
        case 1: /* quotients, like F/F0 */
            x = (double)(NEXT() % 100000 + 1) / (double)(NEXT() % 9999 + 1);
            break;
        case 2: /* differences of 3-decimal readings, like F - bg */
            x = (double)(NEXT() % 10000000) / 1000 - (double)(NEXT() % 100000) / 1000;
            break;
        case 3: { /* decimals of 1-17 digits */
            char t[40];
            int nd = (int)(NEXT() % 17) + 1, ex = (int)(NEXT() % 40) - 15;
            snprintf(t, sizeof t, "%llue%d", (unsigned long long)(NEXT() % 100000000000000000ULL) % (unsigned long long)pow(10, nd), ex);
            x = strtod(t, NULL);
            break;
        }
        case 4: /* near powers of ten */
        {
            double p10 = pow(10, (double)((int)(NEXT() % 40) - 8));
            x = nextafter(p10, (NEXT() & 1) ? 0 : 1e300);
        }
            break;
        case 5: /* products with a Kd */
            x = 15.0 * (double)(NEXT() % 1000000) / (double)(NEXT() % 1000000 + 1) / 1000;
            break;
        case 6: /* negative numbers and small ones */
            x = -(double)(NEXT() >> 11) * 1e-20;
            break;
        default: /* exp and log, like bleaching and Hill forms */
            x = exp((double)(NEXT() % 20000) / 1000 - 10);
            break;
        }
        if (!isfinite(x)) continue;
        n++;
        zn_fmt_double(a, x);
        zn_fmt_double_ref(b, x);
        if (strcmp(a, b) != 0) {
            if (!diff) snprintf(first, sizeof first, " (first: %.17g -> \"%s\", reference \"%s\")", x, a, b);
            diff++;
        }
    }
#undef NEXT
    ok(diff == 0, "fast formatting equals the reference on %d doubles (%d differ)%s", n, diff, first);
}

static void test_wells(void)
{
    char o[8];
    int r, c;
    ok(zn_well_norm("A01", o, &r, &c) == 0 && strcmp(o, "A1") == 0 && r == 0 && c == 1, "A01 -> A1");
    ok(zn_well_norm("h12", o, &r, &c) == 0 && strcmp(o, "H12") == 0 && r == 7, "h12 -> H12");
    ok(zn_well_norm("P24", o, &r, &c) == 0 && r == 15 && c == 24, "P24 (384)");
    ok(zn_well_norm("AF48", o, &r, &c) == 0 && strcmp(o, "AF48") == 0 && r == 31, "AF48 (1536)");
    ok(zn_well_norm("A0", o, NULL, NULL) < 0, "A0 is not a well");
    ok(zn_well_norm("A49", o, NULL, NULL) < 0, "A49 is not a well");
    ok(zn_well_norm("12", o, NULL, NULL) < 0, "12 is not a well");
    ok(zn_well_norm("A1x", o, NULL, NULL) < 0, "A1x is not a well");
}

static void test_window(void)
{
    zn_window w;
    char e[200];
    ok(zn_window_parse("baseline:0:60", &w, e, sizeof e) == 0 && strcmp(w.name, "baseline") == 0 && w.start == 0 &&
           w.end == 60,
       "window baseline:0:60");
    free(w.name);
    ok(zn_window_parse("max=600:660.5", &w, e, sizeof e) == 0 && w.end == 660.5, "window max=600:660.5");
    free(w.name);
    ok(zn_window_parse("min:80:70", &w, e, sizeof e) < 0 && strstr(e, "ends before it starts"), "window reversed");
    ok(zn_window_parse("x:1", &w, e, sizeof e) < 0, "window without end");
}

static void test_decode(void)
{
    char *o;
    size_t n;
    char e[200];
    const char u16[] = "\xff\xfe" "A\0,\0\xb0\0" "\r\0\n\0" "1\0";
    ok(zn_text_decode(u16, sizeof u16 - 1, &o, &n, e, sizeof e) == 0 && strcmp(o, "A,\xc2\xb0\n1\n") == 0,
       "UTF-16LE with BOM and CRLF -> UTF-8 with LF");
    free(o);
    ok(zn_text_decode("\xef\xbb\xbfx\ry\r\n", 8, &o, &n, e, sizeof e) == 0 && strcmp(o, "x\ny\n") == 0,
       "UTF-8 BOM dropped, bare CR and CRLF -> LF");
    free(o);
    ok(zn_text_decode("a\0b", 3, &o, &n, e, sizeof e) < 0, "NUL bytes are an error");
    ok(zn_csv_sniff("a;b;c\n1;2,5;3\n", 14) == ';', "sniff semicolon despite decimal commas");
    ok(zn_csv_sniff("a\tb\n1\t2\n", 8) == '\t', "sniff tab");
    ok(zn_csv_sniff(" ,Mean1,Mean2\n1,2,3\n", 20) == ',', "sniff comma");
    zn_table t;
    const char *csv = "x,\"a,b\",\"he said \"\"hi\"\"\"\n\n 1 , 2,3\n";
    ok(zn_table_load(&t, csv, strlen(csv), ',', e, sizeof e) == 0 && t.n == 3 && strcmp(t.rows[0].f[1], "a,b") == 0 &&
           strcmp(t.rows[0].f[2], "he said \"hi\"") == 0 && t.rows[1].n == 0 && strcmp(t.rows[2].f[0], "1") == 0 &&
           t.rows[2].line == 3,
       "RFC 4180 quoting, blank rows, trimmed spaces, line numbers");
    zn_table_free(&t);
    ok(zn_table_load(&t, "a,\"b\n", 5, ',', e, sizeof e) < 0 && strstr(e, "not closed"), "unclosed quote");
    zn_table_free(&t);
}

/* text with no line end for several blocks, plain and compressed, then
 * lines: it reads back unchanged (a line longer than a block once broke the
 * writer's record of the last line end) */
static void test_long_lines(void)
{
    size_t n = 5 * 0x10000 + 123;
    char *big = zn_malloc(n);
    for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
    for (int plain = 0; plain < 2; plain++) {
        char tmpl[] = "/tmp/zn-unit-XXXXXX";
        close(mkstemp(tmpl));
        char e[600];
        zn_wr *w = zn_wr_open(tmpl, 1, plain, e, sizeof e);
        zn_wr_put(w, big, n);
        zn_wr_eol(w);
        zn_wr_put(w, big, n);
        zn_wr_text(w, "\nx\ny\n", 5);
        int st = zn_wr_close(w, e, sizeof e);
        zn_rd *r = zn_rd_open(tmpl, e, sizeof e);
        char *out = NULL;
        size_t len = 0;
        int k = r ? zn_rd_slurp(r, &out, &len) : -1;
        int same = st == 0 && k >= 0 && len == 2 * n + 6 && memcmp(out, big, n) == 0 && out[n] == '\n' &&
                   memcmp(out + n + 1, big, n) == 0 && memcmp(out + 2 * n + 1, "\nx\ny\n", 5) == 0;
        ok(same, "%s: lines longer than a block read back unchanged (%zu bytes)", plain ? "plain" : "BGZF", len);
        free(out);
        zn_rd_close(r);
        unlink(tmpl);
    }
    free(big);
}

static void test_io(void)
{
    char tmpl[] = "/tmp/zn-unit-XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    char e[600];
    zn_wr *w = zn_wr_open(tmpl, 1, 0, e, sizeof e);
    ok(w != NULL, "open writer");
    char line[200];
    long nlines = 100000;
    for (long i = 0; i < nlines; i++) {
        snprintf(line, sizeof line, "d1\tr%ld\tcell\t%ld\t%.3f", i / 1000, i % 1000, i * 0.001);
        zn_wr_puts(w, line);
        zn_wr_eol(w);
    }
    ok(zn_wr_close(w, e, sizeof e) == 0, "close writer");
    /* read back and check blocks: BGZF members with BSIZE, each ending on a line */
    FILE *f = fopen(tmpl, "rb");
    unsigned char hdr[18];
    int members = 0, shape = 1;
    long last_isize = -1;
    while (fread(hdr, 1, 18, f) == 18) {
        if (hdr[0] != 0x1f || hdr[1] != 0x8b || hdr[12] != 'B' || hdr[13] != 'C') shape = 0;
        long bsize = hdr[16] | hdr[17] << 8;
        fseek(f, bsize + 1 - 18 - 4, SEEK_CUR);
        unsigned char is[4];
        if (fread(is, 1, 4, f) != 4) shape = 0;
        last_isize = is[0] | is[1] << 8 | is[2] << 16 | (long)is[3] << 24;
        if (last_isize > 0xff00) shape = 0;
        members++;
    }
    fclose(f);
    ok(shape && members > 10 && last_isize == 0, "BGZF shape: %d members of <= 0xff00 bytes, empty EOF member last",
       members);
    zn_rd *r = zn_rd_open(tmpl, e, sizeof e);
    char *l;
    size_t n;
    long k = 0, same = 1;
    while (zn_rd_getline(r, &l, &n) == 1) {
        snprintf(line, sizeof line, "d1\tr%ld\tcell\t%ld\t%.3f", k / 1000, k % 1000, k * 0.001);
        if (strcmp(l, line) != 0) same = 0;
        k++;
    }
    ok(same && k == nlines && zn_rd_is_bgzf(r), "read back %ld of %ld lines unchanged", k, nlines);
    zn_rd_close(r);
    unlink(tmpl);
}

/* NIST StRD MGH09 (Kowalik & Osborne enzyme-type rational model, higher
 * difficulty): y = b1 (x^2 + x b2) / (x^2 + x b3 + b4).  Data and certified
 * values from the NIST Statistical Reference Datasets (public domain). */
static void mgh09(const double *xp, const double *b, double *y, double *dy, void *arg)
{
    (void)arg;
    double x = *xp, num = x * x + x * b[1], den = x * x + x * b[2] + b[3];
    *y = b[0] * num / den;
    if (dy) {
        dy[0] = num / den;
        dy[1] = b[0] * x / den;
        dy[2] = -b[0] * num * x / (den * den);
        dy[3] = -b[0] * num / (den * den);
    }
}

static void test_nist(void)
{
    static const double y[] = {1.957000E-01, 1.947000E-01, 1.735000E-01, 1.600000E-01, 8.440000E-02, 6.270000E-02,
                               4.560000E-02, 3.420000E-02, 3.230000E-02, 2.350000E-02, 2.460000E-02};
    static const double x[] = {4.000000E+00, 2.000000E+00, 1.000000E+00, 5.000000E-01, 2.500000E-01, 1.670000E-01,
                               1.250000E-01, 1.000000E-01, 8.330000E-02, 7.140000E-02, 6.250000E-02};
    static const double cert[] = {1.9280693458E-01, 1.9128232873E-01, 1.2305650693E-01, 1.3606233068E-01};
    static const double cse[] = {1.1435312227E-02, 1.9633220911E-01, 8.0842031232E-02, 9.0025542308E-02};
    static const double start2[] = {0.25, 0.39, 0.415, 0.39};
    zn_fitres r;
    int st = zn_fit_nls(mgh09, NULL, x, 1, y, NULL, 11, 4, start2, 0, &r);
    double worst = 0, worst_se = 0;
    for (int j = 0; j < 4; j++) {
        double d = fabs(r.p[j] - cert[j]) / cert[j], e = fabs(sqrt(r.cov[j * 4 + j] * r.ss / 7) - cse[j]) / cse[j];
        if (d > worst) worst = d;
        if (e > worst_se) worst_se = e;
    }
    ok(st == 0 && worst < 1e-6 && worst_se < 1e-6 && fabs(r.ss - 3.0750560385E-04) / 3.0750560385E-04 < 1e-8,
       "NIST MGH09 from start 2: parameters within %.1g, SEs within %.1g, SS %.11g (certified 3.0750560385E-04)",
       worst, worst_se, r.ss);
    /* from start 1 (25, 39, 41.5, 39) many algorithms fail; whatever happens,
     * a fit reported as converged must be the certified one */
    static const double start1[] = {25, 39, 41.5, 39};
    st = zn_fit_nls(mgh09, NULL, x, 1, y, NULL, 11, 4, start1, 0, &r);
    worst = 0;
    for (int j = 0; j < 4; j++)
        if (fabs(r.p[j] - cert[j]) / cert[j] > worst) worst = fabs(r.p[j] - cert[j]) / cert[j];
    ok(st != 0 || worst < 1e-6, "NIST MGH09 from start 1: %s (%s)", st ? "reported as not converged" : "certified values",
       st ? r.why : "ok");
    zn_fit_release();
}

/* NIST StRD linear least squares: Norris (line, lower difficulty) and
 * Pontius (quadratic, lower difficulty), certified to 15 digits */
static void test_polyfit(void)
{
    static const double ny[] = {0.1,   338.8, 118.1, 888.0, 9.2,   228.1, 668.5, 998.5, 449.1, 778.9, 559.2, 0.3,
                                0.1,   778.1, 668.8, 339.3, 448.9, 10.8,  557.7, 228.3, 998.0, 888.8, 119.6, 0.3,
                                0.6,   557.6, 339.3, 888.0, 998.5, 778.9, 10.2,  117.6, 228.9, 668.4, 449.2, 0.2};
    static const double nx[] = {0.2,   337.4, 118.2, 884.6, 10.1,  226.5, 666.3, 996.3, 448.6, 777.0, 558.2, 0.4,
                                0.6,   775.5, 666.9, 338.0, 447.5, 11.6,  556.0, 228.1, 995.8, 887.6, 120.2, 0.3,
                                0.3,   556.8, 339.1, 887.2, 999.0, 779.0, 11.1,  118.3, 229.2, 669.1, 448.9, 0.5};
    zn_polyres r;
    int st = zn_polyfit(nx, ny, 36, 1, &r);
    double e0 = fabs(r.c[0] + 0.262323073774029) / 0.262323073774029, e1 = fabs(r.c[1] - 1.00211681802045) / 1.00211681802045;
    double s0 = fabs(r.se[0] - 0.232818234301152) / 0.232818234301152,
           s1 = fabs(r.se[1] - 0.429796848199937E-03) / 0.429796848199937E-03;
    double sd = sqrt(r.rss / (double)r.df);
    ok(st == 0 && e0 < 1e-10 && e1 < 1e-12 && s0 < 1e-10 && s1 < 1e-10 &&
           fabs(sd - 0.884796396144373) / 0.884796396144373 < 1e-10 &&
           fabs(r.r2 - 0.999993745883712) < 1e-13 && r.df == 34,
       "NIST Norris line: B0 %.3g, B1 %.3g, SEs %.3g %.3g, residual SD, R2 %.15g", e0, e1, s0, s1, r.r2);
    double py[40], px[40];
    static const double pyv[] = {.11019,  .21956,  .32949,  .43899,  .54803,  .65694,  .76562,  .87487,
                                 .98292,  1.09146, 1.20001, 1.30822, 1.41599, 1.52399, 1.63194, 1.73947,
                                 1.84646, 1.95392, 2.06128, 2.16844, .11052,  .22018,  .32939,  .43886,
                                 .54798,  .65739,  .76596,  .87474,  .98300,  1.09150, 1.20004, 1.30818,
                                 1.41613, 1.52408, 1.63159, 1.73965, 1.84696, 1.95445, 2.06177, 2.16829};
    for (int i = 0; i < 40; i++) {
        py[i] = pyv[i];
        px[i] = 150000.0 * (i % 20 + 1);
    }
    static const double pc[] = {0.673565789473684E-03, 0.732059160401003E-06, -0.316081871345029E-14};
    static const double pse[] = {0.107938612033077E-03, 0.157817399981659E-09, 0.486652849992036E-16};
    st = zn_polyfit(px, py, 40, 2, &r);
    double wc = 0, ws = 0;
    for (int j = 0; j < 3; j++) {
        double d = fabs(r.c[j] - pc[j]) / fabs(pc[j]), e = fabs(r.se[j] - pse[j]) / pse[j];
        if (d > wc) wc = d;
        if (e > ws) ws = e;
    }
    ok(st == 0 && wc < 1e-9 && ws < 1e-9, "NIST Pontius quadratic: coefficients within %.2g, SEs within %.2g", wc, ws);
    /* inversion: back from y to x on the branch of the standards */
    double inv = zn_poly_invert(&r, zn_poly_eval(&r, 1234567.0), 150000, 3000000);
    ok(fabs(inv - 1234567.0) < 1e-6, "quadratic inverted on the standards' branch: %.10g", inv);
    zn_polyres q = {.degree = 2, .c = {0, 2, -0.5}}; /* vertex at x = 2, y = 2 */
    ok(fabs(zn_poly_invert(&q, 1.5, 0, 1.5) - 1) < 1e-15 && fabs(zn_poly_invert(&q, 1.5, 2.5, 4) - 3) < 1e-15 &&
           isnan(zn_poly_invert(&q, 2.5, 0, 1.5)),
       "quadratic inverse: left branch, right branch, beyond the vertex = NAN");
    static const double dx[] = {1, 1, 1};
    ok(zn_polyfit(dx, py, 3, 1, &r) < 0 && zn_polyfit(px, py, 2, 2, &r) < 0,
       "too few distinct x for the degree: refused");
}

/* reference values from scipy.stats.ttest_ind(equal_var=False) and
 * f_oneway (scipy 1.10 on this machine); a NaN is a missing value */
static void test_tests(void)
{
    static const double a[] = {4.2, 5.1, 3.9, NAN, 6.0, 5.5, 4.8}, b[] = {6.1, 7.3, 6.8, 8.0, 5.9},
                        c[] = {5.0, 5.2, 4.7, 5.9};
    zn_test r;
    int st = zn_welch(a, 7, b, 5, &r);
    ok(st == 0 && fabs(r.stat - -3.7839471027062768) < 1e-12 &&
           fabs(r.df1 - 8.284384894075643) < 1e-12 && fabs(r.p - 0.005025696752992259) < 1e-12,
       "Welch t = %.17g, df = %.17g, p = %.17g (scipy -3.78394710270628, 8.28438489407564, 0.00502569675299)",
       r.stat, r.df1, r.p);
    const double *g[] = {a, b, c};
    const size_t n[] = {7, 5, 4};
    st = zn_anova1(g, n, 3, &r);
    ok(st == 0 && fabs(r.stat - 9.48732367056086) < 1e-11 && r.df1 == 2 && r.df2 == 12 &&
           fabs(r.p - 0.003381031784690873) < 1e-12,
       "one-way ANOVA F = %.17g (2, 12), p = %.17g (scipy 9.48732367056086, 0.00338103178469)", r.stat, r.p);
    static const double one[] = {1}, same[] = {2, 2, 2};
    ok(zn_welch(a, 7, one, 1, &r) < 0 && isnan(r.p) && zn_welch(same, 3, same, 3, &r) < 0,
       "Welch refused with one value or no variance");
    const double *g1[] = {a};
    ok(zn_anova1(g1, n, 1, &r) < 0 && isnan(r.p), "ANOVA refused with one group");
    const double *g2[] = {same, same};
    const size_t n2[] = {3, 3};
    st = zn_anova1(g2, n2, 2, &r);
    ok(st < 0 && isnan(r.stat) && isnan(r.df1) && isnan(r.df2) && isnan(r.p),
       "ANOVA refused without within-group variance, every number NaN");
}

/* model adequacy: scipy.stats.normaltest, numpy.percentile, and the runs
 * distribution by enumerating every arrangement of the signs (Python) */
static void test_adequacy(void)
{
    static const double x[] = {2.1, -0.4, 1.3, 0.2, -1.7, 0.9, 3.8, -0.6, 0.05, -2.2, 1.1, 0.4};
    zn_test r;
    int st = zn_normaltest(x, 12, &r);
    ok(st == 0 && fabs(r.stat - 1.0210535360235442) < 1e-12 &&
           fabs(r.p - 0.6001793402496294) < 1e-12,
       "D'Agostino-Pearson K2 = %.17g, p = %.17g (scipy 1.02105353602354, 0.600179340249629)", r.stat, r.p);
    ok(zn_normaltest(x, 7, &r) < 0 && isnan(r.p), "normality test refused below 8 values");
    double ax[12];
    for (size_t i = 0; i < 12; i++) ax[i] = fabs(x[i]);
    double q = zn_quantile(ax, 12, 0.6827);
    ok(fabs(q - 1.50388) < 1e-12, "68.27th percentile %.17g (numpy 1.50388)", q);
    static const int s1[] = {1, 1, -1, -1, -1, 1, -1, -1, 1, 1, 1, -1, 1, -1};
    zn_runs rt;
    st = zn_runs_test(s1, 14, &rt);
    ok(st == 0 && rt.runs == 8 && rt.npos == 7 && rt.nneg == 7 &&
           fabs(rt.p - 0.6165501165501166) < 1e-12 && fabs(rt.expected - 8) < 1e-12,
       "runs 8 of 7+/7-: P(R <= 8) = %.17g (enumerated 0.616550116550117)", rt.p);
    static const int s2[] = {1, 1, 0, 1, 1, 1, -1, -1, -1, -1, -1, -1};
    st = zn_runs_test(s2, 12, &rt);
    ok(st == 0 && rt.runs == 2 && fabs(rt.p - 0.004329004329004329) < 1e-12,
       "2 runs of 5+/6- (a zero skipped): p = %.17g (enumerated 0.00432900432900433)", rt.p);
    static const int s3[] = {1, 1, 1};
    ok(zn_runs_test(s3, 3, &rt) < 0 && isnan(rt.p), "runs test refused with one sign");
}

/* Shapiro-Wilk (AS R94) against R 4.2's shapiro.test (double precision,
 * the same algorithm: agreement to the last digits) on small samples (n = 3
 * exact p, 4..5, 11 and 12 either side of the small-sample branch), ties,
 * a skewed and a generated n = 5000 sample; scipy 1.10's shapiro works in
 * single precision (Fortran REAL) and agrees to 1e-6 absolute (tested in
 * tests/mmfit.bats through zn-mm-fit) */
static void test_shapiro(void)
{
    static const double n3[] = {1, 2, 4}, n3b[] = {0.3, 0.31, 5}, n4[] = {2.1, -0.4, 1.3, 0.2},
                        n5[] = {1, 1.5, 1.7, 3, 9},
                        n12[] = {2.1, -0.4, 1.3, 0.2, -1.7, 0.9, 3.8, -0.6, 0.05, -2.2, 1.1, 0.4},
                        ties[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 7, 12}, tiny[] = {1, 1, 1, 1, 1, 1, 100};
    static const struct {
        const double *x;
        size_t n;
        double W, p;
        const char *what;
    } c[] = {{n3, 3, 0.96428571428571419, 0.6368868450289632, "n = 3 (exact p)"},
             {n3b, 3, 0.75159573744164854, 0.003522864345911618, "n = 3, skewed"},
             {n4, 4, 0.96638989006718234, 0.81901631090758942, "n = 4"},
             {n5, 5, 0.73886170713271804, 0.023394524412322079, "n = 5"},
             {n12, 11, 0.97822722444185284, 0.95550045178414944, "n = 11 (last of the small-sample branch)"},
             {n12, 12, 0.97581081854217033, 0.96123578785108654, "n = 12 (first of the large-sample branch)"},
             {ties, 14, 0.80623427101213974, 0.0059664761354157447, "ties"},
             {tiny, 7, 0.45297098814987979, 4.135612091439515e-06, "six equal and one far"}};
    for (size_t k = 0; k < sizeof c / sizeof *c; k++) {
        zn_test r;
        int st = zn_shapiro(c[k].x, c[k].n, &r);
        double W = r.stat, p = r.p;
        ok(st == 0 && fabs(r.stat - c[k].W) < 1e-13 * c[k].W && fabs(r.p - c[k].p) < 1e-12 * c[k].p,
           "Shapiro-Wilk %s: W %.17g p %.17g (R %.17g %.17g)", c[k].what, W, p, c[k].W, c[k].p);
    }
    double *x = zn_malloc(5001 * sizeof *x);
    for (size_t i = 1; i <= 5001; i++) x[i - 1] = exp(sin((double)i) * 1.3);
    zn_test r;
    int st = zn_shapiro(x, 40, &r);
    ok(st == 0 && fabs(r.stat - 0.85956587953976638) < 1e-13 &&
           fabs(r.p - 0.00015489467904154826) < 1e-12 * 0.00015489467904154826,
       "Shapiro-Wilk skewed n = 40: W %.17g p %.17g (R 0.85956587953976638 0.00015489467904154826)", r.stat, r.p);
    for (size_t i = 1; i <= 5001; i++) {
        double cc = cos((double)i * 1.3);
        x[i - 1] = sin((double)i * 0.7) + cc * cc * cc;
    }
    st = zn_shapiro(x, 5000, &r);
    ok(st == 0 && fabs(r.stat - 0.98948170513677391) < 1e-13 &&
           fabs(r.p - 7.5005102044996538e-19) < 1e-10 * 7.5005102044996538e-19,
       "Shapiro-Wilk n = 5000: W %.17g p %.17g (R 0.98948170513677391 7.5005102044996538e-19)", r.stat, r.p);
    ok(zn_shapiro(x, 5001, &r) < 0 && isnan(r.stat) && isnan(r.p), "Shapiro-Wilk refused above 5000 values");
    ok(zn_shapiro(x, 2, &r) < 0 && isnan(r.p), "Shapiro-Wilk refused below 3 values");
    static const double same[] = {2, 2, 2, 2}, withnan[] = {1, NAN, 2, 4};
    ok(zn_shapiro(same, 4, &r) < 0 && isnan(r.p), "Shapiro-Wilk refused without spread");
    st = zn_shapiro(withnan, 4, &r);
    ok(st == 0 && fabs(r.stat - 0.96428571428571419) < 1e-13,
       "Shapiro-Wilk skips NaN (1, 2, 4 left): W %.17g", r.stat);
    free(x);
}

/* one axis: at most max ticks, at least 2, strictly increasing, finite,
 * inside the axis, and the axis covers the finite input */
static int axis_ok(const zn_axis *a, double lo, double hi, size_t max)
{
    if (a->n < 2 || a->n > max || !isfinite(a->lo) || !isfinite(a->hi) || !(a->hi > a->lo)) return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (!isfinite(a->t[i]) || a->t[i] < a->lo || a->t[i] > a->hi) return 0;
        if (i && !(a->t[i] > a->t[i - 1])) return 0;
    }
    double l = lo < hi ? lo : hi, h = lo < hi ? hi : lo;
    if (isfinite(l) && l >= -DBL_MAX / 4 && l < a->lo) return 0;
    if (isfinite(h) && h <= DBL_MAX / 4 && h > a->hi) return 0;
    /* the ticks span a fair share of the axis (no single tick in a corner) */
    return zn_axis_frac(a, a->t[a->n - 1]) - zn_axis_frac(a, a->t[0]) >= 0.3;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_axis(void)
{
    zn_axis a;
    /* the issue-14 hang: a range two ulp wide */
    int st = zn_axis_linear(&a, 0.9999999999999999, 1, 8);
    ok(st == 1 && axis_ok(&a, 0.9999999999999999, 1, 8) && a.lo <= 0.9 && a.hi >= 1.1,
       "an ulp-wide range is a constant: axis %.17g..%.17g, %zu ticks", a.lo, a.hi, a.n);
    zn_axis_linear(&a, 0, 10, 6);
    ok(a.lo == 0 && a.hi == 10 && a.n == 6 && a.t[1] == 2 && a.t[5] == 10, "0..10 in steps of 2");
    zn_axis_linear(&a, 3.2, 97, 8);
    ok(a.lo == 0 && a.hi == 100 && a.step == 20, "3.2..97 -> 0..100 step 20 (%g..%g step %g)", a.lo, a.hi, a.step);
    zn_axis_linear(&a, -7, -3, 6);
    ok(a.lo == -7 && a.hi == -3 && a.n == 5, "negative range -7..-3 (%g..%g, %zu ticks)", a.lo, a.hi, a.n);
    st = zn_axis_linear(&a, NAN, NAN, 6);
    ok(st == 1 && a.lo == 0 && a.hi == 1, "all missing: 0..1");
    st = zn_axis_linear(&a, 0, 0, 6);
    ok(st == 1 && a.lo == -1 && a.hi == 1, "a single 0: -1..1");
    st = zn_axis_linear(&a, 4.2, NAN, 6);
    ok(st == 1 && axis_ok(&a, 4.2, 4.2, 6) && a.lo < 4.2 && a.hi > 4.2, "one point 4.2: %g..%g", a.lo, a.hi);
    ok(zn_axis_linear(&a, -1e300, 1e300, 8) == 0 && axis_ok(&a, -1e300, 1e300, 8), "-1e300..1e300: %g..%g, %zu ticks",
       a.lo, a.hi, a.n);
    zn_axis_linear(&a, -INFINITY, INFINITY, 8);
    ok(axis_ok(&a, -INFINITY, INFINITY, 8), "-inf..inf: %g..%g", a.lo, a.hi);
    zn_axis_linear(&a, 5e-324, 1e-310, 8);
    ok(axis_ok(&a, 5e-324, 1e-310, 8), "subnormal range: %g..%g, %zu ticks", a.lo, a.hi, a.n);
    char buf[64];
    zn_axis_linear(&a, 0, 1500, 6);
    zn_axis_label(&a, 1500, buf, sizeof buf);
    ok(!strcmp(buf, "1500"), "label 1500, not 1.5e+03 (%s)", buf);
    zn_axis_linear(&a, 0.9999990, 1.0000010, 6);
    zn_axis_label(&a, a.t[1], buf, sizeof buf);
    char buf2[64];
    zn_axis_label(&a, a.t[2], buf2, sizeof buf2);
    ok(strcmp(buf, buf2) != 0, "neighbouring ticks of a narrow range read differently (%s, %s)", buf, buf2);
    ok(zn_axis_log(&a, 0.9, 8000, 6) == 0 && a.lo == 0.1 && a.hi == 10000 && a.n == 6 && a.t[1] == 1,
       "log 0.9..8000: decades 0.1..1e4 (%g..%g, %zu ticks)", a.lo, a.hi, a.n);
    ok(zn_axis_log(&a, 0, 10, 6) < 0 && zn_axis_log(&a, 1, INFINITY, 6) < 0, "log of 0 or inf refused");
    ok(zn_axis_log(&a, 1e-300, 1e300, 8) == 0 && a.n <= 8 && a.n >= 2, "log over 600 decades: %zu ticks", a.n);
    /* found by the fuzzer (tests/fuzz/reproducers/axis) */
    zn_axis_linear(&a, 2.7813424640477847e-308, 4.728281953601605e-308, 3);
    ok(axis_ok(&a, 2.7813424640477847e-308, 4.728281953601605e-308, 3),
       "a width below DBL_MIN but over 10 %% of the values is covered (%g..%g)", a.lo, a.hi);
    ok(zn_axis_log(&a, 1.2111718307109823e-99, 1.2111718307158894e-99, 4) == 0 && a.n >= 2 && a.t[a.n - 1] <= a.hi &&
           a.t[0] >= a.lo,
       "one decade (1e-99..1e-98): every tick inside the axis (10 * 1e-99 rounds above 1e-98)");
    /* property: many random ranges, from ulp-wide to 1e308, of every sign */
    uint64_t s = 0x9e3779b97f4a7c15u;
    size_t bad = 0, N = 200000;
    for (size_t i = 0; i < N; i++) {
        double lo, hi;
        uint64_t kind = rnd(&s) % 6;
        if (kind == 0) { /* any two doubles (bit patterns): NaN, inf, subnormal */
            uint64_t u = rnd(&s), v = rnd(&s);
            memcpy(&lo, &u, 8);
            memcpy(&hi, &v, 8);
        } else if (kind == 1) { /* a few ulp apart */
            uint64_t u = rnd(&s) >> 1, v = u + rnd(&s) % 5;
            memcpy(&lo, &u, 8);
            memcpy(&hi, &v, 8);
        } else { /* a value and a width of any scale */
            double c = ldexp((double)(rnd(&s) % 2000000) / 1e6 - 1, (int)(rnd(&s) % 2000) - 1000);
            double w = ldexp((double)(rnd(&s) % 1000000) / 1e6, (int)(rnd(&s) % 2100) - 1075);
            lo = c;
            hi = c + w;
        }
        size_t max = 2 + rnd(&s) % 14;
        zn_axis_linear(&a, lo, hi, max);
        if (!axis_ok(&a, isnan(lo) ? hi : lo, isnan(hi) ? lo : hi, max)) {
            if (bad++ < 3) printf("# bad axis for %.17g..%.17g max %zu: %.17g..%.17g, %zu ticks\n", lo, hi, max, a.lo, a.hi, a.n);
        }
        if (lo > 0 && hi > 0 && isfinite(lo) && isfinite(hi) && lo >= DBL_MIN) {
            zn_axis_log(&a, lo, hi, max);
            int good = a.n >= 2 && a.n <= max && a.lo <= fmin(lo, hi) * (1 + 1e-12) && a.hi >= fmax(lo, hi) * (1 - 1e-12);
            for (size_t j = 1; j < a.n; j++) good &= a.t[j] > a.t[j - 1];
            if (!good && bad++ < 3) printf("# bad log axis for %.17g..%.17g max %zu\n", lo, hi, max);
        }
    }
    ok(bad == 0, "%zu random ranges (any bits, a few ulp, 1e-300 to 1e300 wide): %zu axes break a rule", N, bad);
}

static size_t count_of(const char *s, const char *w)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, w)) != NULL; p += strlen(w)) n++;
    return n;
}

static void test_svg(void)
{
    zn_buf b = {0};
    zn_svg_esc(&b, "<a & \"b\">");
    ok(b.s && !strcmp(b.s, "&lt;a &amp; &quot;b&quot;&gt;"), "SVG text escaped: %s", b.s);
    zn_buf_free(&b);
    zn_plot p;
    zn_plot_init(&p, &b, 10, 20, 100, 50);
    zn_axis_linear(&p.x, 0, 10, 6);
    zn_axis_linear(&p.y, 0, 100, 6);
    ok(zn_plot_x(&p, 0) == 10 && zn_plot_x(&p, 10) == 110 && zn_plot_y(&p, 0) == 70 && zn_plot_y(&p, 100) == 20,
       "data to pixels: x 0..10 -> 10..110, y 0..100 -> 70..20 (y up)");
    double x[] = {0, 1, 2, 3, 4, 5}, y[] = {10, 1e300, NAN, 50, -1e300, 60};
    zn_svg_polyline(&p, x, y, 6, "stroke=\"#000\"");
    ok(count_of(b.s, "<polyline") == 2, "a line breaks at a missing value (2 polylines)");
    ok(strstr(b.s, "20.0,18.0") && strstr(b.s, "50.0,72.0") && !strstr(b.s, "e+"),
       "values far outside are clipped 2 px beyond the frame, no huge coordinates");
    b.n = 0;
    b.s[0] = 0;
    zn_svg_axes(&p, "t<1>", "x", "y", 1);
    ok(count_of(b.s, "class=\"tk\"") == p.x.n + p.y.n && strstr(b.s, "t&lt;1&gt;"),
       "axes: one label per tick (%zu + %zu), the title escaped", p.x.n, p.y.n);
    b.n = 0;
    b.s[0] = 0;
    for (int k = 0; k < 4; k++) zn_svg_marker(&b, k, 5, 5, 2, k & 1);
    zn_svg_marker(&b, 0, NAN, 5, 2, 1);
    ok(count_of(b.s, "<circle") == 1 && count_of(b.s, "<rect") == 1 && count_of(b.s, "<path") == 2,
       "four marker shapes; none for a missing value");
    char c[8];
    zn_svg_viridis(0, c);
    ok(!strcmp(c, "#440154"), "viridis(0) = #440154 (%s)", c);
    zn_svg_viridis(2, c);
    ok(!strcmp(c, "#fde725"), "viridis above 1 is its top colour (%s)", c);
    zn_buf_free(&b);
}

static void test_holm(void)
{
    double p[] = {0.01, 0.04, 0.03, 0.005, NAN, 0.5}, adj[6];
    /* R: p.adjust(c(0.01, 0.04, 0.03, 0.005, NA, 0.5), "holm") */
    static const double r[] = {0.04, 0.09, 0.09, 0.025, NAN, 0.5};
    zn_holm(p, 6, adj);
    int good = 1;
    for (size_t i = 0; i < 6; i++) good &= isnan(r[i]) ? isnan(adj[i]) : fabs(adj[i] - r[i]) < 1e-15;
    ok(good, "Holm as R's p.adjust: %g %g %g %g %g %g", adj[0], adj[1], adj[2], adj[3], adj[4], adj[5]);
    double q[] = {0.3, 0.6};
    zn_holm(q, 2, q);
    ok(q[0] == 0.6 && q[1] == 0.6, "Holm in place, capped by monotonicity (0.6, 0.6)");
}

static void test_dates(void)
{
    double d, e;
    ok(zn_iso_days("1970-01-01", &d) == 0 && d == 0, "epoch is day 0");
    ok(zn_iso_days("2000-03-01", &d) == 0 && d == 11017, "2000-03-01 is day 11017 (leap century)");
    ok(zn_iso_days("2025-11-30T23:40:00", &d) == 0 && zn_iso_days("2025-10-01", &e) == 0 &&
           fabs((d - e) - (60 + 23 / 24.0 + 40 / 1440.0)) < 1e-9,
       "2025-10-01 to 2025-11-30T23:40: 60 d 23 h 40 min");
    ok(zn_iso_days("2025-01-01T13:00+01:00", &d) == 0 && zn_iso_days("2025-01-01T12:00Z", &e) == 0 && d == e,
       "offsets are taken to UTC");
    ok(zn_iso_days("2025-01-01 12:00:30.5", &d) == 0 && zn_iso_days("2025-01-01", &e) == 0 &&
           fabs((d - e) * 86400 - 43230.5) < 1e-5,
       "space separator and fractional seconds");
    const char *bad[] = {"2025-02-29", "2024-13-01", "2025-1-01", "01/02/2025", "2025-01-01T25:00", "2025-01-01x", ""};
    int all = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) all &= zn_iso_days(bad[i], &d) < 0;
    ok(all && zn_iso_days("2024-02-29", &d) == 0, "not dates: 2025-02-29, month 13, short fields, day-first, 25 h");
}

/* zn_fmt_double_rt: reads back to exactly x, and is the fewest digits
 * (<= 17) that do, e.g. 0.12345678901234567 -> "0.12345678901234566" */
static void test_format_rt(void)
{
    unsigned long long s = 0x2545F4914F6CDD1DULL;
    int bad = 0, n = 0;
    char b[48], first[160] = "";
    for (int i = 0; i < 200000; i++) {
        unsigned long long r = xorshift(&s);
        double x = ldexp((double)(r >> 11) / 9007199254740992.0 + 0.5, (int)(xorshift(&s) % 200) - 100);
        if (i & 1) x = -x;
        size_t len = zn_fmt_double_rt(b, x);
        double y = strtod(b, NULL);
        int p = 1; /* the fewest %.Ng digits that read back */
        char t[48];
        while (p < 17 && (snprintf(t, sizeof t, "%.*g", p, x), strtod(t, NULL) != x)) p++;
        int digits = 0;
        for (const char *c = b; *c && *c != 'e'; c++) digits += *c >= '0' && *c <= '9';
        for (const char *c = b; *c == '-' || *c == '0' || *c == '.'; c++) digits -= *c == '0';
        n++;
        if (y != x || len != strlen(b) || (p > 15 && digits > p)) {
            if (!bad) snprintf(first, sizeof first, " (first: %.17g -> \"%s\", %d digits needed)", x, b, p);
            bad++;
        }
    }
    ok(bad == 0, "zn_fmt_double_rt reads back exactly with the fewest digits past 15 on %d doubles%s", n, first);
    zn_fmt_double_rt(b, 0.12345678901234567);
    ok(strcmp(b, "0.12345678901234566") == 0, "0.12345678901234567 -> \"%s\"", b);
    zn_fmt_double_rt(b, 100.123);
    ok(strcmp(b, "100.123") == 0, "100.123 -> \"%s\" (15 digits when they read back)", b);
    zn_fmt_double_rt(b, -6.0640668523676871);
    ok(strcmp(b, "-6.064066852367687") == 0, "-6.0640668523676871 -> \"%s\"", b);
}

/* the pooled bleaching rate by hand: two groups, log values z, equal weights:
 * G1 z = (0, -0.1, -0.2), G2 z = (1, 0.85, 0.8) at t = 0, 1, 2.  Centred:
 * Stt = 2 + 2, Sty = -0.2 + -0.2 -> k = 0.1; Syy = 0.02 + 0.0216667, rss =
 * 0.0416667 - 0.04 = 0.0016667 on 6 - 2 - 1 = 3 df, SE = sqrt(rss / 3 / 4) */
static void test_bleach(void)
{
    double t[3] = {0, 1, 2}, y1[3], y2[3], z1[3] = {0, -0.1, -0.2}, z2[3] = {1, 0.85, 0.8}, k, se;
    for (int i = 0; i < 3; i++) y1[i] = exp(z1[i]), y2[i] = exp(z2[i]);
    const char *why = NULL;
    zn_bleach_acc a = {0};
    int r1 = zn_bleach_add(&a, t, y1, 3, ZN_BLEACH_EQUAL, &why), r2 = zn_bleach_add(&a, t, y2, 3, ZN_BLEACH_EQUAL, &why);
    int r3 = zn_bleach_rate(&a, &k, &se);
    ok(r1 == 0 && r2 == 0 && r3 == 0 && fabs(k - 0.1) < 1e-14 &&
           fabs(se - sqrt((0.0016666666666666667) / 3 / 4)) < 1e-12,
       "bleach: k = 0.1 and SE = %.17g (by hand 0.011785...)", se);
    zn_bleach_acc b = {0};
    zn_bleach_add(&b, t, y1, 3, ZN_BLEACH_SHOT, &why);
    zn_bleach_add(&b, t, y2, 3, ZN_BLEACH_SHOT, &why);
    /* both groups have Sty/Stt = -0.1, so any weights give k = 0.1 */
    ok(zn_bleach_rate(&b, &k, &se) == 0 && fabs(k - 0.1) < 1e-14, "bleach: shot weights, the same k");
    zn_bleach_acc c = {0};
    double neg[3] = {1, -1, 1}, same[3] = {5, 5, 5};
    ok(zn_bleach_add(&c, t, y1, 1, ZN_BLEACH_SHOT, &why) < 0 && !strcmp(why, "fewer than 2 values") &&
           zn_bleach_add(&c, t, neg, 3, ZN_BLEACH_SHOT, &why) < 0 && !strcmp(why, "a value <= 0 (no logarithm)") &&
           zn_bleach_add(&c, same, y1, 3, ZN_BLEACH_SHOT, &why) < 0 && !strcmp(why, "all at one time") &&
           zn_bleach_rate(&c, &k, &se) < 0 && isnan(k),
       "bleach: one value, a value <= 0, one time are refused; no group, no rate");
    zn_bleach_acc d = {0};
    zn_bleach_add(&d, t, y1, 2, ZN_BLEACH_SHOT, &why);
    ok(zn_bleach_rate(&d, &k, &se) == 0 && fabs(k - 0.1) < 1e-14 && isnan(se), "bleach: two points: k, no SE (0 df)");
}

/* zn_rec: no filter writes inf; a value past the range of a double is
 * missing and the record is flagged overflow, after the flags it had */
static void test_rec_overflow(void)
{
    zn_cols c = {0};
    char *names[] = {"a", "flag"};
    c.cols = names;
    c.n = 2;
    zn_rec r;
    zn_rec_init(&r, &c, 1);
    const char *f[] = {"x", "den_zero"};
    size_t fl[] = {1, 8};
    zn_rec_from(&r, f, fl, 2);
    zn_rec_num(&r, 0, INFINITY);
    ok(r.l[0] == 0 && r.l[1] == 17 && memcmp(r.v[1], "den_zero;overflow", 17) == 0,
       "rec: inf -> missing, flagged overflow after the record's flags");
    zn_rec_from(&r, f, fl, 2);
    zn_rec_num(&r, 0, NAN);
    ok(r.l[0] == 0 && r.l[1] == 8, "rec: NaN -> missing, no flag");
    zn_rec_from(&r, f, fl, 2);
    zn_rec_num(&r, 0, -1.5);
    ok(r.l[0] == 4 && memcmp(r.v[0], "-1.5", 4) == 0 && r.l[1] == 8, "rec: a finite number is written");
    zn_rec_free(&r);
}

/* zn_median and zn_mad (selection) against sorting, on random arrays with
 * ties, NaN, odd and even lengths and adversarial orders */
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double med_sorted(double *v, size_t k)
{
    qsort(v, k, sizeof *v, cmp_dbl);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}
static void test_median_select(void)
{
    unsigned long long s = 0x9E3779B97F4A7C15ULL;
    int bad = 0, n = 0;
    double x[301], v[301];
    for (int rep = 0; rep < 20000; rep++) {
        size_t len = 1 + (size_t)(xorshift(&s) % 300);
        int kind = rep % 5;
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            double r = (double)(xorshift(&s) % 1000000) / 1000.0;
            if (kind == 1) r = (double)(xorshift(&s) % 4);          /* many ties */
            if (kind == 2) r = (double)i;                            /* sorted */
            if (kind == 3) r = (double)(len - i);                    /* reversed */
            if (kind == 4 && xorshift(&s) % 7 == 0) r = NAN;         /* missing */
            x[i] = r;
            if (!isnan(r)) v[k++] = r;
        }
        size_t nv;
        double m = zn_median(x, len, &nv), d = zn_mad(x, len);
        double want = k ? med_sorted(v, k) : NAN;
        for (size_t i = 0; i < k; i++) v[i] = fabs(v[i] - want);
        double wd = k ? 1.4826 * med_sorted(v, k) : NAN;
        n++;
        if (nv != k || !((m == want) || (isnan(m) && isnan(want))) || !((d == wd) || (isnan(d) && isnan(wd)))) bad++;
    }
    ok(bad == 0, "zn_median and zn_mad by selection equal sorting on %d random arrays (ties, sorted, reversed, NaN)", n);
    double one[1] = {NAN};
    ok(isnan(zn_median(one, 1, NULL)) && isnan(zn_mad(one, 0)), "median and MAD of nothing are NaN");
}

int main(void)
{
    zn_set_prog("unit-tests");
    test_rec_overflow();
    test_parse();
    test_format();
    test_format_fast();
    test_format_rt();
    test_wells();
    test_window();
    test_decode();
    test_io();
    test_nist();
    test_polyfit();
    test_dates();
    test_tests();
    test_adequacy();
    test_shapiro();
    test_holm();
    test_median_select();
    test_axis();
    test_svg();
    test_long_lines();
    test_bleach();
    printf("1..%d\n", ntest);
    return nfail ? 1 : 0;
}
