/* literature.c - published values (schemas/literature.tsv, compiled in)
 * and the unit conversions that set a result beside them. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lit_t *lits;
size_t nlits;

void lit_load(void)
{
    char err[256];
    zn_table t = {0};
    if (zn_table_load(&t, zn_literature_table, strlen(zn_literature_table), '\t', err, sizeof err) < 0)
        zn_die(ZN_EXIT_DATA, "the built-in literature table: %s", err);
    lits = zn_calloc(t.n ? t.n : 1, sizeof *lits);
    for (size_t r = 0; r < t.n; r++) {
        const char *k = zn_table_get(&t, r, 0);
        if (!*k || *k == '#') continue;
        lit_t *l = &lits[nlits++];
        snprintf(l->kind, sizeof l->kind, "%s", k);
        snprintf(l->names, sizeof l->names, "%s", zn_table_get(&t, r, 1));
        snprintf(l->quantity, sizeof l->quantity, "%s", zn_table_get(&t, r, 2));
        for (size_t j = 3; j <= 4; j++) {
            const char *v = zn_table_get(&t, r, j);
            double *x = j == 3 ? &l->lo : &l->hi;
            int k = zn_parse_double(v, strlen(v), x);
            if (k == ZN_NUM_EMPTY) *x = NAN;
            else if (k != ZN_NUM_OK)
                zn_die(ZN_EXIT_DATA, "the built-in literature table, line %ld: \"%s\" is not a number", t.rows[r].line, v);
        }
        snprintf(l->unit, sizeof l->unit, "%s", zn_table_get(&t, r, 5));
        snprintf(l->note, sizeof l->note, "%s", zn_table_get(&t, r, 6));
        snprintf(l->source, sizeof l->source, "%s", zn_table_get(&t, r, 7));
    }
    zn_table_free(&t);
}

void lit_free(void)
{
    free(lits);
    lits = NULL;
    nlits = 0;
}

int lit_names(const lit_t *l, const char *name)
{
    const char *p = l->names;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (zn_name_eq(p, n, name, strlen(name))) return 1;
        p += n + (e != NULL);
    }
    return 0;
}

double rate_factor(const char *u)
{
    static const struct {
        const char *p;
        double f;
    } am[] = {{"fmol", 1e-3}, {"pmol", 1}, {"nmol", 1e3}, {"umol", 1e6}, {"mmol", 1e9}};
    static const struct {
        const char *p;
        double f;
    } tm[] = {{"/mg/s", 60}, {"/mg/min", 1}, {"/mg/h", 1.0 / 60}};
    for (size_t i = 0; i < 5; i++) {
        size_t n = strlen(am[i].p);
        if (strncmp(u, am[i].p, n)) continue;
        for (size_t j = 0; j < 3; j++)
            if (!strcmp(u + n, tm[j].p)) return am[i].f * tm[j].f;
    }
    return 0;
}

double unit_factor(const char *from, const char *to)
{
    if (!strcmp(from, to)) return 1;
    if (zn_conc_unit(from) > 0 && zn_conc_unit(to) > 0) return zn_conc_unit(from) / zn_conc_unit(to);
    if (rate_factor(from) > 0 && rate_factor(to) > 0) return rate_factor(from) / rate_factor(to);
    return 0;
}

int lit_convert(const lit_t *l, const char *unit, double *lo, double *hi)
{
    double f = unit_factor(l->unit, unit);
    if (!(f > 0)) return 0;
    *lo = l->lo * f;
    *hi = l->hi * f;
    return 1;
}

char *lit_text(const lit_t *l, const char *unit)
{
    double lo, hi;
    int conv = lit_convert(l, unit, &lo, &hi);
    const char *u = conv ? unit : l->unit;
    if (!conv) {
        lo = l->lo;
        hi = l->hi;
    }
    char a[48], b[48];
    snprintf(a, sizeof a, "%.3g", lo);
    snprintf(b, sizeof b, "%.3g", hi);
    if (isnan(lo)) return zn_asprintf("up to %s %s (%s)", b, u, l->note);
    if (isnan(hi)) return zn_asprintf("%s %s (%s)", a, u, l->note);
    return zn_asprintf("%s-%s %s (%s)", a, b, u, l->note);
}
