/* zn_sensor.c - concentrations with units, and the sensor catalogue
 * (schemas/sensors.tsv, compiled in; a user's file can replace it). */
#include "zn.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double zn_conc_unit(const char *u)
{
    if (strcmp(u, "pM") == 0) return 1e-3;
    if (strcmp(u, "nM") == 0) return 1;
    if (strcmp(u, "uM") == 0 || strcmp(u, "\xc2\xb5M") == 0 || strcmp(u, "\xce\xbcM") == 0) return 1e3;
    if (strcmp(u, "mM") == 0) return 1e6;
    if (strcmp(u, "M") == 0) return 1e9;
    return 0;
}

int zn_conc_parse(const char *s, double *nM, char *err, size_t errlen)
{
    size_t n = strlen(s), k = n;
    /* the unit is the trailing run of letters (and the micro sign) */
    while (k > 0 && (isalpha((unsigned char)s[k - 1]) || (unsigned char)s[k - 1] >= 0x80)) k--;
    size_t e = k;
    while (e > 0 && s[e - 1] == ' ') e--;
    double v;
    if (k == n) {
        snprintf(err, errlen, "\"%s\" has no unit: write it as 15nM, 811pM, 1uM or 2.7e-8M", s);
        return -1;
    }
    double f = zn_conc_unit(s + k);
    if (!f) {
        snprintf(err, errlen, "\"%s\": unknown unit \"%s\" (pM, nM, uM, mM or M)", s, s + k);
        return -1;
    }
    if (zn_parse_double(s, e, &v) != ZN_NUM_OK || !(v > 0)) {
        snprintf(err, errlen, "\"%s\" is not a positive concentration (e.g. 15nM)", s);
        return -1;
    }
    *nM = v * f;
    return 0;
}

static char *field_dup(const char *s, size_t n)
{
    if (n == 1 && s[0] == '-') return NULL;
    return zn_strndup(s, n);
}

int zn_sensors_load(zn_sensors *c, const char *text, const char *what, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (!text) {
        text = zn_sensor_catalogue;
        what = "built-in catalogue";
    }
    size_t cap = 0;
    long lineno = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        lineno++;
        if (len && p[len - 1] == '\r') len--;
        if (len && p[0] != '#') {
            const char *f[8];
            size_t fl[8], nf = 0;
            const char *q = p, *end = p + len;
            while (nf < 8) {
                const char *t = memchr(q, '\t', (size_t)(end - q));
                f[nf] = q;
                fl[nf++] = t ? (size_t)(t - q) : (size_t)(end - q);
                if (!t) break;
                q = t + 1;
            }
            if (nf != 7) {
                snprintf(err, errlen, "%s:%ld: %zu fields; a sensor line has 7 (name kind kd hill beta target source)",
                         what, lineno, nf);
                zn_sensors_free(c);
                return -1;
            }
            zn_sensor s = {0};
            s.name = zn_strndup(f[0], fl[0]);
            s.kind = zn_strndup(f[1], fl[1]);
            s.kd_text = zn_strndup(f[2], fl[2]);
            s.target = field_dup(f[5], fl[5]);
            s.source = field_dup(f[6], fl[6]);
            char e2[256];
            int bad = 0;
            if (strcmp(s.kind, "intensity") && strcmp(s.kind, "ratio") && strcmp(s.kind, "FRET")) {
                snprintf(err, errlen, "%s:%ld: kind \"%s\" is not intensity, ratio or FRET", what, lineno, s.kind);
                bad = 1;
            } else if (zn_conc_parse(s.kd_text, &s.kd_nM, e2, sizeof e2) < 0) {
                snprintf(err, errlen, "%s:%ld: Kd %s", what, lineno, e2);
                bad = 1;
            }
            for (int j = 0; j < 2 && !bad; j++) {
                double *dst = j ? &s.beta : &s.hill;
                const char *v = f[3 + j];
                size_t vl = fl[3 + j];
                if (vl == 1 && v[0] == '-') *dst = NAN;
                else if (zn_parse_double(v, vl, dst) != ZN_NUM_OK || !(*dst > 0)) {
                    snprintf(err, errlen, "%s:%ld: %s \"%.*s\" is not a positive number or -", what, lineno,
                             j ? "beta" : "hill", (int)vl, v);
                    bad = 1;
                }
            }
            if (!bad && zn_sensor_find(c, s.name)) {
                snprintf(err, errlen, "%s:%ld: sensor \"%s\" is listed twice", what, lineno, s.name);
                bad = 1;
            }
            zn_grow(&c->s, &cap, c->n + 1, sizeof *c->s);
            c->s[c->n++] = s;
            if (bad) {
                zn_sensors_free(c);
                return -1;
            }
        }
        p += len + (p[len] == '\r') ;
        if (*p == '\n') p++;
    }
    return 0;
}

int zn_name_eq(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < la && (a[i] == '-' || a[i] == '_' || a[i] == ' ')) i++;
        while (j < lb && (b[j] == '-' || b[j] == '_' || b[j] == ' ')) j++;
        if (i == la || j == lb) return i == la && j == lb;
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[j])) return 0;
        i++;
        j++;
    }
}

const zn_sensor *zn_sensor_find(const zn_sensors *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (zn_name_eq(c->s[i].name, strlen(c->s[i].name), name, strlen(name))) return &c->s[i];
    return NULL;
}

void zn_sensors_free(zn_sensors *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->s[i].name);
        free(c->s[i].kind);
        free(c->s[i].kd_text);
        free(c->s[i].target);
        free(c->s[i].source);
    }
    free(c->s);
    memset(c, 0, sizeof *c);
}
