/* literature.c - published values (schemas/literature.tsv, compiled in)
 * and the unit conversions that set a result beside them. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
        snprintf(l->system, sizeof l->system, "%s", zn_table_get(&t, r, 8));
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

/* ------------------------------------------------------------ the system a value was measured in */
const char *experiment_system(const rep_t *R)
{
    if (R->a->system && *R->a->system) return R->a->system;
    if (R->system && *R->system) return R->system;
    for (size_t i = 0; i < R->ntabs; i++)
        for (size_t g = 0; g < R->tabs[i].nseg; g++) {
            const char *s = zn_meta_get(&R->tabs[i].segs[g].meta, "system");
            if (s && *s) return s;
        }
    return NULL;
}

/* case-insensitive strstr */
static int has_word(const char *hay, const char *w, size_t n)
{
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, w, n)) return 1;
    return 0;
}

const char *system_kind(const char *sys)
{
    /* the first that matches: oocytes before "mouse ZIP8 cRNA" reads as mouse cells */
    static const struct {
        const char *kind, *words;
    } k[] = {
        {"Xenopus oocytes", "oocyte,xenopus"},
        {"yeast", "yeast,saccharomyces,cerevisiae,pichia,pombe"},
        {"bacteria", "bacteria,bacterial,e. coli,escherichia,proteoliposome,liposome"},
        {"plant cells", "plant,arabidopsis,tobacco,rice"},
        {"insect cells", "insect,sf9,sf21,drosophila,s2 cells"},
        {"mammalian cells", "mammalian,hek,hela,mdck,cho,cos-,cos7,fibroblast,human,mouse,murine,rat,ins-1,min6,mcf,"
                            "t47d,mda-mb,caco,hepg2,jurkat,neuron,islet,beta cell,pc12,n2a,sh-sy5y,rin,hct,a549,thp-1,"
                            "macrophage,lymphocyte,erythrocyte,keratinocyte,enterocyte"},
    };
    if (!sys) return NULL;
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        for (const char *p = k[i].words; *p;) {
            size_t n = strcspn(p, ",");
            if (has_word(sys, p, n)) return k[i].kind;
            p += n + (p[n] == ',');
        }
    return NULL;
}

int lit_system_rank(const lit_t *l, const char *sys)
{
    if (!sys || !*l->system) return 0;
    /* the same cell type: a word of the experiment's system (3 characters or more, not a species or
     * "cells": "mouse ZIP8 cRNA" in oocytes is not mouse cells) in the value's */
    static const char *const common[] = {"cells", "cell", "line", "lines", "mouse", "murine", "human", "rat",
                                         "fetal", "primary", "adult", "mammalian", "the", "and", "with"};
    const char *own = l->system;
    for (const char *p = sys; *p;) {
        size_t n = strcspn(p, " ,;/()"), c = 0;
        for (; c < sizeof common / sizeof *common; c++)
            if (strlen(common[c]) == n && !strncasecmp(p, common[c], n)) break;
        if (n >= 3 && c == sizeof common / sizeof *common && has_word(own, p, n)) return 2;
        p += n;
        p += strspn(p, " ,;/()");
    }
    const char *a = system_kind(sys), *b = system_kind(l->system);
    return a && b && !strcmp(a, b);
}

size_t lit_prefer(const char *sys, size_t *idx, size_t n, char **why)
{
    *why = NULL;
    if (!n) return 0;
    if (!sys) {
        *why = zn_strdup("the experiment's system is not given (##system= or --system): every published value, "
                         "each with the system it was measured in");
        return n;
    }
    int best = 0;
    for (size_t i = 0; i < n; i++) {
        int r = lit_system_rank(&lits[idx[i]], sys);
        if (r > best) best = r;
    }
    const char *kind = system_kind(sys);
    if (!best) {
        *why = zn_asprintf("no published value from %s (the experiment: %s): the values shown were measured in other "
                           "systems, as labelled",
                           kind ? kind : "the experiment's system", sys);
        return n;
    }
    size_t k = 0, left = 0;
    zn_buf o = {0};
    for (size_t i = 0; i < n; i++) {
        if (lit_system_rank(&lits[idx[i]], sys) == best) {
            idx[k++] = idx[i];
            continue;
        }
        const char *ok = system_kind(lits[idx[i]].system);
        char lab[200];
        snprintf(lab, sizeof lab, "%s%s", ok && kind && !strcmp(ok, kind) ? "other " : "", ok ? ok : lits[idx[i]].system);
        left++;
        if (!o.s || !strstr(o.s, lab)) zn_buf_addf(&o, "%s%s", o.n ? ", " : "", lab);
    }
    if (best == 2) *why = zn_asprintf("measured in the experiment's cell type (%s)", sys);
    else *why = zn_asprintf("measured in %s, as the experiment (%s)", kind, sys);
    if (left) {
        char *w = zn_asprintf("%s; %zu value%s from %s left out", *why, left, left > 1 ? "s" : "", o.s);
        free(*why);
        *why = w;
    }
    zn_buf_free(&o);
    return k;
}

char *lit_text_system(const lit_t *l, const char *unit)
{
    char *t = lit_text(l, unit);
    if (!*l->system) return t;
    char *s = zn_asprintf("%s in %s", t, l->system);
    free(t);
    return s;
}

int sensor_range(const char *calibration, double *kd_nM, double *hill, double *lo_nM, double *hi_nM)
{
    const char *p = calibration ? strstr(calibration, "kd=") : NULL;
    if (!p || (p != calibration && p[-1] != ';')) return 0;
    p += 3;
    char *e;
    double kd = strtod(p, &e);
    size_t un = strcspn(e, ";");
    char u[16];
    if (e == p || un >= sizeof u) return 0;
    memcpy(u, e, un);
    u[un] = 0;
    double f = un ? zn_conc_unit(u) / zn_conc_unit("nM") : 1;
    if (!(f > 0) || !(kd > 0)) return 0;
    double n = 1;
    const char *h = strstr(calibration, ";hill=");
    if (h && !(sscanf(h + 6, "%lf", &n) == 1 && n > 0)) n = 1;
    *kd_nM = kd * f;
    *hill = n;
    *lo_nM = *kd_nM * pow(0.1, 1 / n);
    *hi_nM = *kd_nM * pow(10, 1 / n);
    return 1;
}

/* ------------------------------------------------------------ calibration failures */
const char *cell_failure(const cellsum_t *s)
{
    if (s->nz[ZF_BAD]) return "bad_calibration";
    if (s->nz[ZF_MINDRIFT]) return "min_drift";
    if (s->nz[ZF_MAXDRIFT]) return "max_drift";
    return NULL;
}

const char *cell_failure_why(const char *flag)
{
    if (!strcmp(flag, "min_drift")) return "the min (TPEN) window is still moving: no Fmin plateau";
    if (!strcmp(flag, "max_drift")) return "the max (Zn + pyrithione) window is still moving: no Fmax plateau";
    return "a calibration window with no values, too much scatter, or Fmax <= Fmin";
}

/* ------------------------------------------------------------ uptake linearity (zn-uptake-rate's ##linearity=) */
size_t linearity_notes(const rep_t *R, const char **note, const char **file, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < R->ntabs; i++) {
        const stab *s = &R->tabs[i];
        if (strcmp(s->schema, "uptake") && strcmp(s->schema, "fit")) continue;
        for (size_t g = 0; g < s->nseg && n < max; g++) {
            const char *v = zn_meta_get(&s->segs[g].meta, "linearity");
            if (!v || strncmp(v, "untested", 8)) continue;
            size_t j = 0;
            while (j < n && strcmp(note[j], v)) j++;
            if (j < n) continue;
            note[n] = v;
            file[n++] = s->segs[g].file;
        }
    }
    return n;
}
