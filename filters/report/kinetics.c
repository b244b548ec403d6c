/* kinetics.c - uptake and fits: the replicate table, fitted parameters
 * beside the literature, goodness of fit, and per group the figure (data,
 * curve, band), its residuals and, where a control was subtracted, total,
 * control and specific uptake together.
 *
 * The points beside a fit are the data the fit was made from: an uptake
 * segment whose meta lines (sources, units, the steps' own lines such as
 * ##uptake= and ##background=; not the ##pg command lines) are the first
 * lines of the fit's meta, with no subtraction after them.  Data that are
 * not the fitted data are not drawn beside it (an error when no uptake
 * stream given is the fitted one). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *group_label(const stab *f, size_t r, const int *by, size_t nby)
{
    if (!nby) return zn_strdup("all");
    zn_buf b = {0};
    for (size_t i = 0; i < nby; i++) zn_buf_addf(&b, "%s%s=%s", i ? ", " : "", f->cols[by[i]], stab_f(f, r, by[i]));
    return b.s;
}

/* the meta lines that say what the data are: all but znr, schema and pg
 * (a command line names files, which move: a temporary name, a merge, the
 * same step run into a pipe or into a file) */
static int chain_line(const char *l) { return strncmp(l, "znr=", 4) && strncmp(l, "schema=", 7) && strncmp(l, "pg=", 3); }

/* the data of meta d are what the fit (meta f) was made from: d's lines
 * (but znr, schema and pg) are the first of f's, and nothing after them
 * subtracted a background */
static int fitted_from(const zn_meta *d, const zn_meta *f)
{
    size_t i = 0, j = 0;
    for (;; i++, j++) {
        while (i < d->n && !chain_line(d->v[i])) i++;
        while (j < f->n && !chain_line(f->v[j])) j++;
        if (i == d->n) break;
        if (j == f->n || strcmp(d->v[i], f->v[j])) return 0;
    }
    for (; j < f->n; j++)
        if (!strncmp(f->v[j], "background=", 11)) return 0;
    return 1;
}

/* where the data's meta (d) and the fit's (f) part, in words (a new string) */
static char *chain_difference(const zn_meta *d, const zn_meta *f)
{
    if (!d) return zn_strdup("their provenance differs");
    size_t i = 0, j = 0;
    for (;; i++, j++) {
        while (i < d->n && !chain_line(d->v[i])) i++;
        while (j < f->n && !chain_line(f->v[j])) j++;
        if (i == d->n) break;
        if (j == f->n) return zn_asprintf("the data have ##%s, the fit's data did not", d->v[i]);
        if (strcmp(d->v[i], f->v[j])) return zn_asprintf("the fit's data had ##%s where these have ##%s", f->v[j], d->v[i]);
    }
    for (; j < f->n; j++)
        if (!strncmp(f->v[j], "background=", 11))
            return zn_asprintf("the fit's data had ##%s, these do not", f->v[j]);
    return zn_strdup("their provenance differs");
}

static const char *last_pg(const zn_meta *m)
{
    const char *p = NULL;
    for (size_t i = 0; i < m->n; i++)
        if (!strncmp(m->v[i], "pg=", 3)) p = m->v[i];
    return p;
}

static const char *param_unit(const out_t *O, const char *p, char *buf, size_t len)
{
    if (!strcmp(p, "Km") || !strcmp(p, "Khalf") || !strcmp(p, "Ki")) return O->xunit;
    if (!strcmp(p, "Vmax")) return O->yunit;
    if (!strcmp(p, "kd")) {
        snprintf(buf, len, "%s/%s", O->yunit, O->xunit);
        return buf;
    }
    return "1";
}

static void unit_of(const zn_meta *m, const char *col, char *out, size_t len)
{
    const char *u = meta_unit(m, col);
    if (!*u) {
        const char *us = strrchr(col, '_');
        if (us && zn_conc_unit(us + 1) > 0) u = us + 1;
    }
    snprintf(out, len, "%s", u);
}

/* e: SE, wells' n and SD of a point that is a mean (NaN: a replicate) */
static void add_point(fgroup_t *g, double x, double y, double I, double ctrl, const double e[3])
{
    if (g->n == g->cap) {
        size_t cap = g->cap;
        zn_grow(&g->x, &cap, g->n + 1, sizeof *g->x);
        g->y = zn_realloc(g->y, cap * sizeof *g->y);
        g->I = zn_realloc(g->I, cap * sizeof *g->I);
        g->ctrl = zn_realloc(g->ctrl, cap * sizeof *g->ctrl);
        g->se = zn_realloc(g->se, cap * sizeof *g->se);
        g->wn = zn_realloc(g->wn, cap * sizeof *g->wn);
        g->wsd = zn_realloc(g->wsd, cap * sizeof *g->wsd);
        g->cap = cap;
    }
    g->x[g->n] = x;
    g->y[g->n] = y;
    g->I[g->n] = isnan(I) ? 0 : I;
    g->ctrl[g->n] = ctrl;
    g->se[g->n] = e[0];
    g->wn[g->n] = e[1];
    g->wsd[g->n] = e[2];
    g->n++;
}

/* the points of group g from uptake table u (rows of segments that pass `use`) */
static void collect(out_t *O, fgroup_t *g, const stab *u, const char *const *byname, const char *const *byval, size_t nby,
                    const unsigned char *use)
{
    int cx = stab_col(u, O->xcol), cy = stab_col(u, O->ycol), cr = stab_col(u, "role");
    int ci = g->m && g->m->needs_i ? stab_col(u, "inhibitor_uM") : -1;
    char cn[96];
    snprintf(cn, sizeof cn, "%s_ctrl_mean", O->ycol);
    int cc = stab_col(u, cn);
    /* means with their SE (zn-background --means): the SE and the group's own wells */
    int ce[3];
    static const char *const esfx[] = {"se", "total_n", "total_sd"};
    for (int q = 0; q < 3; q++) {
        snprintf(cn, sizeof cn, "%s_%s", O->ycol, esfx[q]);
        ce[q] = stab_col(u, cn);
    }
    if (ce[1] < 0) ce[0] = -1; /* an SE without wells behind it (an initial rate's) is not a mean's */
    if (cx < 0 || cy < 0) return;
    int *uc = zn_malloc((nby + 1) * sizeof *uc);
    for (size_t b = 0; b < nby; b++)
        if ((uc[b] = stab_col(u, byname[b])) < 0) {
            free(uc);
            return;
        }
    for (size_t r = 0; r < u->nrow; r++) {
        if (use && !use[u->seg[r]]) continue;
        if (cr >= 0 && *stab_f(u, r, cr) && strcmp(stab_f(u, r, cr), "sample")) continue;
        int match = 1;
        for (size_t b = 0; b < nby && match; b++) match = field_eq(stab_f(u, r, uc[b]), byval[b]);
        double x = stab_num(u, r, cx), y = stab_num(u, r, cy), I = ci >= 0 ? stab_num(u, r, ci) : 0;
        if (!match || isnan(x) || isnan(y)) continue;
        double e[3];
        for (int q = 0; q < 3; q++) e[q] = ce[0] >= 0 ? stab_num(u, r, ce[q]) : NAN;
        if (!isnan(e[0])) g->means = 1;
        add_point(g, x, y, I, cc >= 0 ? stab_num(u, r, cc) : NAN, e);
        if (!g->data_file) g->data_file = zn_strdup(u->segs[u->seg[r]].file);
        if (zn_meta_get(stab_meta(u, r), "background")) g->subtracted = cc >= 0;
    }
    free(uc);
}

/* replicates per (x, I): specific (the fitted y), total and control */
static void replicates(out_t *O, fgroup_t *g)
{
    size_t *ord = zn_malloc((g->n + 1) * sizeof *ord);
    for (size_t i = 0; i < g->n; i++) ord[i] = i;
    for (size_t i = 1; i < g->n; i++) /* insertion sort by (I, x): small groups */
        for (size_t j = i; j > 0; j--) {
            size_t p = ord[j - 1], q = ord[j];
            if (g->I[p] < g->I[q] || (g->I[p] == g->I[q] && g->x[p] <= g->x[q])) break;
            ord[j - 1] = q;
            ord[j] = p;
        }
    double *v = zn_malloc((g->n + 1) * sizeof *v), *tv = zn_malloc((g->n + 1) * sizeof *tv),
           *cv = zn_malloc((g->n + 1) * sizeof *cv);
    size_t rn = g->n + 1;
    double **arr[] = {&g->rx, &g->rI, &g->rmean, &g->rsd, &g->rtot, &g->rctl, &g->rctl_sd, &g->rse};
    for (size_t i = 0; i < sizeof arr / sizeof *arr; i++) *arr[i] = zn_malloc(rn * sizeof(double));
    for (size_t i = 0; i < g->n;) {
        size_t j = i, nv = 0, r = g->nrep++;
        while (j < g->n && g->x[ord[j]] == g->x[ord[i]] && g->I[ord[j]] == g->I[ord[i]]) {
            v[nv] = g->y[ord[j]];
            cv[nv] = g->ctrl[ord[j]];
            tv[nv] = g->y[ord[j]] + g->ctrl[ord[j]];
            nv++;
            j++;
        }
        g->rx[r] = g->x[ord[i]];
        g->rI[r] = g->I[ord[i]];
        g->rmean[r] = zn_mean(v, nv, NULL);
        g->rsd[r] = zn_sd(v, nv);
        g->rtot[r] = g->subtracted ? zn_mean(tv, nv, NULL) : NAN;
        g->rctl[r] = g->subtracted ? zn_mean(cv, nv, NULL) : NAN;
        g->rctl_sd[r] = NAN;
        /* a mean with its SE: the wells' n and SD behind it; else the SE of the replicates' mean */
        double wn = (double)nv;
        g->rse[r] = g->rsd[r] / sqrt((double)nv);
        if (nv == 1 && !isnan(g->se[ord[i]])) {
            wn = g->wn[ord[i]];
            g->rsd[r] = g->wsd[ord[i]];
            g->rse[r] = g->se[ord[i]];
        }
        rtab *T = &O->t[T_UPTAKE];
        rtab_s(T, g->label);
        rtab_n(T, g->rx[r]);
        rtab_n(T, g->m && g->m->needs_i ? g->rI[r] : NAN);
        rtab_n(T, wn);
        rtab_n(T, g->rmean[r]);
        rtab_n(T, g->rsd[r]);
        rtab_s(T, O->yunit);
        rtab_n(T, g->rtot[r]);
        rtab_n(T, g->rctl[r]);
        rtab_s(T, g->subtracted ? "specific (control subtracted)" : "as measured");
        rtab_n(T, g->rse[r]);
        i = j;
    }
    free(v);
    free(tv);
    free(cv);
    free(ord);
}

/* what Sy.x = sqrt(weighted rss / df) is measured in: the unit of y
 * unweighted; under 1/y2 weights the residuals are relative to the curve
 * (0.05: 5 % of the fitted value), under 1/y in sqrt(unit of y), under sd
 * weights in SDs of the points */
static char *sy_x_unit(const out_t *O, const char *weight, double v)
{
    if (isnan(v)) return zn_strdup("");
    if (!weight || !*weight || !strcmp(weight, "none")) return zn_strdup(*O->yunit ? O->yunit : "unit of y");
    if (!strcmp(weight, "1/y2")) return zn_strdup("relative to the fitted value (1/y2 weights)");
    if (!strcmp(weight, "1/y")) return zn_asprintf("sqrt(%s) (1/y weights)", *O->yunit ? O->yunit : "unit of y");
    if (!strcmp(weight, "sd")) return zn_strdup("SDs of the points (sd weights)");
    return zn_asprintf("%s weights", weight);
}

static void fit_rows(out_t *O, fgroup_t *g, size_t k)
{
    const stab *f = O->fit;
    const char *model = stab_f(f, k, stab_col(f, "model")), *status = stab_f(f, k, stab_col(f, "status"));
    for (size_t j = 0; g->m && j < g->m->np; j++) {
        const char *pn = g->m->pn[j];
        char ub[80], key[64];
        const char *unit = param_unit(O, pn, ub, sizeof ub);
        rtab *T = &O->t[T_FITS];
        rtab_s(T, g->label);
        rtab_s(T, model);
        rtab_s(T, status);
        rtab_s(T, pn);
        rtab_n(T, stab_num(f, k, stab_col(f, pn)));
        static const char *const suf[] = {"_se", "_lo", "_hi"};
        for (size_t q = 0; q < 3; q++) {
            snprintf(key, sizeof key, "%s%s", pn, suf[q]);
            rtab_n(T, stab_num(f, k, stab_col(f, key)));
        }
        rtab_s(T, unit);
        zn_buf pub = {0}, src = {0};
        size_t *idx = zn_malloc((nlits + 1) * sizeof *idx), ni = 0;
        for (size_t l = 0; l < nlits; l++) {
            if (strcmp(lits[l].kind, "transporter") || strcmp(lits[l].quantity, pn)) continue;
            int hit = 0;
            for (size_t b = 0; b < O->nby && !hit; b++) hit = lit_names(&lits[l], stab_f(f, k, O->bycol[b]));
            if (hit) idx[ni++] = l;
        }
        char *why;
        ni = lit_prefer(experiment_system(O->R), idx, ni, &why);
        for (size_t i = 0; i < ni; i++) {
            const lit_t *L = &lits[idx[i]];
            char *t = lit_text_system(L, unit);
            zn_buf_addf(&pub, "%s%s", pub.n ? "; " : "", t);
            if (!src.s || !strstr(src.s, L->source)) zn_buf_addf(&src, "%s%s", src.n ? "; " : "", L->source);
            free(t);
        }
        free(idx);
        rtab_sf(T, pub.s ? pub.s : zn_strdup(""));
        rtab_sf(T, src.s ? src.s : zn_strdup(""));
        rtab_sf(T, why ? why : zn_strdup(""));
    }
    static const char *const st[] = {"n", "df", "sy_x", "r2", "aicc", "compare", "compare_status",
                                     "daicc", "F", "F_p", "prefer", "reason"};
    rtab *T = &O->t[T_FITSTATS];
    rtab_s(T, g->label);
    rtab_s(T, model);
    rtab_s(T, status);
    for (size_t q = 0; q < sizeof st / sizeof *st; q++) {
        int c = stab_col(f, st[q]);
        if (c >= 0 && zn_schema_is_numeric("fit", st[q]) == 1) rtab_n(T, stab_num(f, k, c));
        else rtab_s(T, stab_f(f, k, c));
        if (!strcmp(st[q], "sy_x")) rtab_sf(T, sy_x_unit(O, stab_f(f, k, stab_col(f, "weight")), stab_num(f, k, c)));
    }
}

void build_kinetics(out_t *O)
{
    rep_t *R = O->R;
    rtab_init(&O->t[T_UPTAKE], "uptake",
              "Uptake: the fitted data per concentration (mean and SD of the replicates; where a control was "
              "subtracted, total and control means beside the specific; se: of the mean, the control's error "
              "included when the data are means with their SE (zn-background --means), else SD/sqrt(n) of the "
              "replicates alone)",
              "group,x,inhibitor,n,mean,sd,unit,total_mean,control_mean,data,se");
    rtab_init(&O->t[T_FITS], "fits", "Fitted parameters with SE and 95% CI, beside published values",
              "group,model,status,parameter,estimate,se,lo,hi,unit,published,source,comparison");
    rtab_init(&O->t[T_FITSTATS], "fit_stats", "Goodness of fit and model comparison",
              "group,model,status,n,df,sy_x,sy_x_unit,r2,aicc,compare,compare_status,daicc,F,F_p,prefer,reason");
    size_t count, ccount;
    O->fit = find_tab(R, "fit", &count);
    O->curve = find_tab(R, "curve", &ccount);
    stab *f = O->fit;
    if (f && count > 1) zn_warn("fit streams with different columns: only the first (%s) is in the report", f->file);
    /* x, y: from the fit's meta, else the uptake defaults */
    snprintf(O->xcol, sizeof O->xcol, "conc_uM");
    snprintf(O->ycol, sizeof O->ycol, "rate");
    if (f) {
        char buf[64];
        if (*fit_meta(&f->meta, "x", buf, sizeof buf)) snprintf(O->xcol, sizeof O->xcol, "%s", buf);
        if (*fit_meta(&f->meta, "y", buf, sizeof buf)) snprintf(O->ycol, sizeof O->ycol, "%s", buf);
        int cm = stab_col(f, "model");
        O->bycol = zn_malloc((f->ncols + 1) * sizeof *O->bycol);
        for (int j = 0; j < cm; j++) O->bycol[O->nby++] = j;
    }
    size_t ucount;
    stab *u0 = find_tab(R, "uptake", &ucount);
    unit_of(f ? &f->meta : u0 ? &u0->meta : &(zn_meta){0}, O->xcol, O->xunit, sizeof O->xunit);
    unit_of(f ? &f->meta : u0 ? &u0->meta : &(zn_meta){0}, O->ycol, O->yunit, sizeof O->yunit);
    if (!*O->yunit && u0) unit_of(&u0->meta, O->ycol, O->yunit, sizeof O->yunit);
    if (f) {
        O->g = zn_calloc(f->nrow + 1, sizeof *O->g);
        O->ng = f->nrow;
        const char **bn = zn_malloc((O->nby + 1) * sizeof *bn), **bv = zn_malloc((O->nby + 1) * sizeof *bv);
        for (size_t b = 0; b < O->nby; b++) bn[b] = f->cols[O->bycol[b]];
        for (size_t k = 0; k < f->nrow; k++) {
            fgroup_t *g = &O->g[k];
            g->row = k;
            g->label = group_label(f, k, O->bycol, O->nby);
            g->m = zn_model_find(stab_f(f, k, stab_col(f, "model")));
            g->ok = g->m != NULL;
            for (size_t j = 0; g->m && j < g->m->np; j++) {
                g->p[j] = stab_num(f, k, stab_col(f, g->m->pn[j]));
                if (isnan(g->p[j])) g->ok = 0;
            }
            for (size_t b = 0; b < O->nby; b++) bv[b] = stab_f(f, k, O->bycol[b]);
            /* the points: only from the segments the fit was made from */
            const zn_meta *fm = stab_meta(f, k);
            for (size_t i = 0; i < R->ntabs; i++) {
                stab *u = &R->tabs[i];
                if (strcmp(u->schema, "uptake")) continue;
                unsigned char *use = zn_calloc(u->nseg + 1, 1);
                for (size_t s = 0; s < u->nseg; s++) use[s] = (unsigned char)fitted_from(&u->segs[s].meta, fm);
                collect(O, g, u, bn, bv, O->nby, use);
                free(use);
            }
            /* none: are there points of this group in data the fit was not made from? */
            char *other = NULL;
            for (size_t i = 0; !g->n && !other && i < R->ntabs; i++) {
                stab *u = &R->tabs[i];
                if (strcmp(u->schema, "uptake")) continue;
                fgroup_t tmp = {0};
                tmp.m = g->m;
                collect(O, &tmp, u, bn, bv, O->nby, NULL);
                other = tmp.data_file;
                free(tmp.x), free(tmp.y), free(tmp.I), free(tmp.ctrl), free(tmp.se), free(tmp.wn), free(tmp.wsd);
            }
            if (!g->n && other) {
                const zn_meta *om = NULL;
                for (size_t i = 0; !om && i < R->ntabs; i++)
                    for (size_t sg = 0; !om && sg < R->tabs[i].nseg; sg++)
                        if (!strcmp(R->tabs[i].schema, "uptake") && !strcmp(R->tabs[i].segs[sg].file, other))
                            om = &R->tabs[i].segs[sg].meta;
                char *why = chain_difference(om, fm);
                zn_die(ZN_EXIT_DATA,
                       "%s: the fit of %s was made from other data than %s (%s): a fit is drawn only beside the data "
                       "it was fitted to; give zn-report the stream zn-mm-fit read (after zn-background --control: the "
                       "vector-subtracted rates, written with -o)",
                       f->segs[f->seg[k]].file, g->label, other, why);
            }
            replicates(O, g);
            fit_rows(O, g, k);
        }
        free(bn);
        free(bv);
        return;
    }
    /* no fit: groups per uptake table and construct */
    for (size_t i = 0; i < R->ntabs; i++) {
        stab *u = &R->tabs[i];
        if (strcmp(u->schema, "uptake")) continue;
        int c = stab_col(u, "construct");
        zn_dict gd = {0};
        for (size_t r = 0; r < u->nrow; r++) {
            const char *v = c >= 0 ? stab_f(u, r, c) : "";
            if (zn_dict_get(&gd, v) != (size_t)-1) continue;
            zn_dict_put(&gd, v, 0);
            O->g = zn_realloc(O->g, (O->ng + 1) * sizeof *O->g);
            fgroup_t *g = &O->g[O->ng++];
            memset(g, 0, sizeof *g);
            const char *bn[1] = {"construct"}, *bv[1] = {v};
            collect(O, g, u, bn, bv, c >= 0, NULL);
            g->label = c >= 0 ? zn_asprintf("construct=%s%s", v, ucount > 1 && g->subtracted ? " (specific)" : "")
                              : zn_strdup("all");
            replicates(O, g);
        }
        zn_dict_free(&gd);
    }
}

/* ------------------------------------------------------------ figure */
/* the metal taken up, from the group's fit row's segment meta: ##metal=
 * (zn-ingest --meta metal=Cd), else the isotope of ##uptake=...:decay=Cd-109
 * (zn-uptake-rate --isotope); iso: "109Cd" when the isotope is known.  Empty: not said */
static void group_metal(const out_t *O, const fgroup_t *g, char *metal, size_t mn, char *iso, size_t isn)
{
    *metal = *iso = 0;
    const zn_meta *m = O->fit && g->row < O->fit->nrow ? stab_meta(O->fit, g->row) : NULL;
    if (!m) {
        size_t c;
        const stab *u = find_tab(O->R, "uptake", &c);
        m = u ? &u->meta : NULL;
    }
    if (!m) return;
    const char *mt = zn_meta_get(m, "metal"), *up = zn_meta_get(m, "uptake");
    const char *d = up ? strstr(up, ":decay=") : NULL;
    if (d) {
        d += 7;
        size_t k = strcspn(d, "-:"), j = d[k] == '-' ? strspn(d + k + 1, "0123456789") : 0;
        if (k && k < 4 && j) {
            snprintf(iso, isn, "%.*s%.*s", (int)j, d + k + 1, (int)k, d);
            if (!mt) snprintf(metal, mn, "%.*s", (int)k, d);
        }
    }
    if (mt) snprintf(metal, mn, "%s", mt);
    if (*iso && *metal && !strstr(iso, metal)) *iso = 0; /* an isotope of another element: not this metal's */
}

static void model_y(const fgroup_t *g, double x, double I, double *y)
{
    double xx[3] = {x, I, 0};
    g->m->f(xx, g->p, y, NULL, NULL);
}

/* the curve rows of group g: same model, same groups, same zn-mm-fit run */
static size_t curve_rows(const out_t *O, const fgroup_t *g, size_t *crow)
{
    const stab *cv = O->curve;
    size_t n = 0;
    if (!cv || !O->fit) return 0;
    int cm = stab_col(cv, "model");
    const char *fpg = last_pg(stab_meta(O->fit, g->row));
    for (size_t r = 0; r < cv->nrow; r++) {
        int match = !strcmp(stab_f(cv, r, cm), stab_f(O->fit, g->row, stab_col(O->fit, "model")));
        const char *cpg = last_pg(stab_meta(cv, r));
        if (match && fpg && cpg) match = !strcmp(fpg, cpg);
        for (size_t q = 0; q < O->nby && match; q++)
            match = field_eq(stab_f(cv, r, stab_col(cv, O->fit->cols[O->bycol[q]])), stab_f(O->fit, g->row, O->bycol[q]));
        if (match) crow[n++] = r;
    }
    return n;
}

/* total, control and specific means against x: the size of the subtraction */
static void subtraction_panel(const out_t *O, const fgroup_t *g, zn_buf *b, const zn_axis *xa, double top, const char *xl)
{
    double lo = 0, hi = 0;
    for (size_t r = 0; r < g->nrep; r++) {
        double v[3] = {g->rtot[r], g->rctl[r], g->rmean[r]};
        for (int i = 0; i < 3; i++)
            if (isfinite(v[i])) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    }
    zn_plot q;
    zn_plot_init(&q, b, 86, top, 514, 150);
    q.x = *xa;
    zn_axis_linear(&q.y, lo, hi, 6);
    static const char *const name[] = {"total", "control", "specific (fitted)"};
    for (int s = 0; s < 3; s++) {
        double *x = zn_malloc((g->nrep + 1) * sizeof *x), *y = zn_malloc((g->nrep + 1) * sizeof *y);
        for (size_t r = 0; r < g->nrep; r++) {
            x[r] = g->rx[r];
            y[r] = s == 0 ? g->rtot[r] : s == 1 ? g->rctl[r] : g->rmean[r];
            zn_svg_marker(b, s, zn_plot_x(&q, x[r]), zn_plot_y(&q, y[r]), 3.2, s != 1);
        }
        char st[120];
        snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"1.2\"%s%s%s", zn_svg_colour[s], *zn_svg_dash[s] ? " stroke-dasharray=\"" : "",
                 zn_svg_dash[s], *zn_svg_dash[s] ? "\"" : "");
        zn_svg_polyline(&q, x, y, g->nrep, st);
        free(x);
        free(y);
        zn_svg_marker(b, s, q.L + 12 + 150 * s, q.T + 10, 3.2, s != 1);
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%s</text>\n", q.L + 20 + 150 * s, q.T + 14, name[s]);
    }
    char yl[160];
    snprintf(yl, sizeof yl, "%s%s%s%s", O->ycol, *O->yunit ? " (" : "", O->yunit, *O->yunit ? ")" : "");
    zn_svg_axes(&q, "Total, control and specific uptake (means)", xl, yl, 1);
}

void html_kinetics(const out_t *O, zn_buf *b)
{
    for (size_t k = 0; k < O->ng; k++) {
        const fgroup_t *g = &O->g[k];
        if (!g->n && !g->ok) continue;
        if (g->m && zn_model_logistic(g->m)) continue; /* drawn on a log axis in doseresp.c */
        /* inhibitor levels: one series each */
        double lv[ZN_SVG_NCOL];
        size_t nl = 0;
        for (size_t i = 0; i < g->n; i++) {
            size_t j;
            for (j = 0; j < nl; j++)
                if (lv[j] == g->I[i]) break;
            if (j == nl && nl < ZN_SVG_NCOL) lv[nl++] = g->I[i];
        }
        if (!nl) lv[nl++] = 0;
        double x1 = 0, ylo = 0, yhi = 0;
        for (size_t i = 0; i < g->n; i++) {
            if (g->x[i] > x1) x1 = g->x[i];
            if (g->y[i] > yhi) yhi = g->y[i];
            if (g->y[i] < ylo) ylo = g->y[i];
        }
        const stab *cv = O->curve;
        size_t *crow = zn_malloc(((cv ? cv->nrow : 0) + 1) * sizeof *crow), ncr = curve_rows(O, g, crow);
        int cyh = cv ? stab_col(cv, "y_hi") : -1, cyl = cv ? stab_col(cv, "y_lo") : -1, cx = cv ? stab_col(cv, "x") : -1;
        if (!g->n) /* a fit without its data: the curve's own range */
            for (size_t i = 0; i < ncr; i++) x1 = fmax(x1, stab_num(cv, crow[i], cx));
        if (x1 <= 0) x1 = 1;
        for (size_t i = 0; i < ncr; i++) {
            double yh = stab_num(cv, crow[i], cyh), xx = stab_num(cv, crow[i], cx);
            if (yh > yhi && xx <= x1 * 1.05) yhi = yh;
        }
        if (g->ok && !g->n) {
            double y;
            model_y(g, x1, 0, &y);
            if (y > yhi) yhi = y;
        }
        int sub = g->subtracted && g->nrep;
        char id[64];
        snprintf(id, sizeof id, "fig-kinetics-%zu", k + 1);
        zn_svg_figure_open(b, id);
        char *lab = zn_asprintf("kinetics of %s", g->label);
        zn_svg_open(b, 640, sub ? 660 : 470, lab);
        free(lab);
        zn_plot p;
        zn_plot_init(&p, b, 86, 28, 514, 260);
        zn_axis_linear(&p.x, 0, x1 * 1.04, 8);
        if (p.x.hi > x1 * 1.04 * 1.1) { /* not a round number far beyond the data (40 uM on a 0-50 axis): end near it */
            p.x.hi = x1 * 1.04;
            while (p.x.n > 2 && p.x.t[p.x.n - 1] > p.x.hi) p.x.n--;
        }
        /* points off the frame: 4 % of the range beyond the highest (and a negative lowest) value, so that
         * the largest rate is not drawn on the border when it falls on a round number */
        double pad = 0.04 * (yhi - ylo);
        zn_axis_linear(&p.y, ylo < 0 ? ylo - pad : ylo, yhi + pad, 8);
        char xl[320], yl[160];
        char metal[32], iso[32];
        group_metal(O, g, metal, sizeof metal, iso, sizeof iso);
        if (*metal)
            snprintf(xl, sizeof xl, "[%s2+], %s%s%s%s", metal, O->xcol, *O->xunit ? " (" : "", O->xunit,
                     *O->xunit ? ")" : "");
        else snprintf(xl, sizeof xl, "%s%s%s%s", O->xcol, *O->xunit ? " (" : "", O->xunit, *O->xunit ? ")" : "");
        snprintf(yl, sizeof yl, "%s%s%s%s%s", O->ycol, g->subtracted ? ", specific" : "", *O->yunit ? " (" : "", O->yunit,
                 *O->yunit ? ")" : "");
        if (ncr) { /* the band */
            zn_buf_adds(b, "<path fill=\"#000\" fill-opacity=\"0.12\" stroke=\"none\" d=\"");
            size_t m = 0;
            for (size_t i = 0; i < ncr; i++) {
                double xx = stab_num(cv, crow[i], cx), yh = stab_num(cv, crow[i], cyh);
                if (isnan(yh) || xx > p.x.hi) continue;
                zn_buf_addf(b, "%s%.1f %.1f", m++ ? "L" : "M", zn_plot_x(&p, xx), zn_plot_y(&p, fmin(yh, p.y.hi)));
            }
            for (size_t i = ncr; i-- > 0;) {
                double xx = stab_num(cv, crow[i], cx), yl2 = stab_num(cv, crow[i], cyl);
                if (isnan(yl2) || xx > p.x.hi) continue;
                zn_buf_addf(b, "L%.1f %.1f", zn_plot_x(&p, xx), zn_plot_y(&p, fmax(yl2, p.y.lo)));
            }
            zn_buf_adds(b, m ? "Z\"/>\n" : "\"/>\n");
        }
        for (size_t l = 0; l < nl; l++) {
            /* replicates (open), mean +- SD (filled, whiskers); means with their SE: mean +- SE */
            for (size_t i = 0; i < g->n && !g->means; i++)
                if (g->I[i] == lv[l]) zn_svg_marker(b, (int)l, zn_plot_x(&p, g->x[i]), zn_plot_y(&p, g->y[i]), 2.6, 0);
            for (size_t r = 0; r < g->nrep; r++) {
                if (g->rI[r] != lv[l]) continue;
                double e = g->means ? g->rse[r] : g->rsd[r];
                double mu = g->rmean[r], sd = isnan(e) ? 0 : e;
                double xx = zn_plot_x(&p, g->rx[r]); /* at its concentration: an offset reads as a miss of the curve */
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", xx, xx,
                            zn_plot_y(&p, mu - sd), zn_plot_y(&p, mu + sd), zn_svg_colour[l % ZN_SVG_NCOL]);
                zn_svg_marker(b, (int)l, xx, zn_plot_y(&p, mu), 3.2, 1);
            }
            if (g->ok) {
                double xs[201], ys[201];
                for (int i = 0; i <= 200; i++) { /* over the data (to the highest concentration), as the band */
                    xs[i] = p.x.lo + (x1 - p.x.lo) * i / 200.0;
                    model_y(g, xs[i], lv[l], &ys[i]);
                }
                char st[120];
                const char *dash = zn_svg_dash[l % ZN_SVG_NCOL];
                snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"1.8\"%s%s%s", zn_svg_colour[l % ZN_SVG_NCOL],
                         *dash ? " stroke-dasharray=\"" : "", dash, *dash ? "\"" : "");
                zn_svg_polyline(&p, xs, ys, 201, st);
            }
        }
        char *ti = zn_asprintf("%s%s%s%s: %s", g->label, *metal || *iso ? ", " : "", *iso ? iso : metal,
                               *metal || *iso ? " uptake" : "", g->m ? g->m->eq : "no fit");
        zn_svg_axes(&p, ti, NULL, yl, 1);
        free(ti);
        /* residuals */
        if (g->ok && g->n) {
            double m = 0;
            double *res = zn_malloc(g->n * sizeof *res);
            for (size_t i = 0; i < g->n; i++) {
                double y;
                model_y(g, g->x[i], g->I[i], &y);
                res[i] = g->y[i] - y;
                if (fabs(res[i]) > m) m = fabs(res[i]);
            }
            zn_plot q;
            zn_plot_init(&q, b, 86, 330, 514, 90);
            q.x = p.x;
            zn_axis_linear(&q.y, -1.08 * m, 1.08 * m, 5); /* the largest residual inside the frame, not on it */
            zn_svg_hline(&q, 0, "stroke=\"#888\"");
            for (size_t i = 0; i < g->n; i++) {
                size_t l;
                for (l = 0; l < nl; l++)
                    if (lv[l] == g->I[i]) break;
                zn_svg_marker(b, (int)l, zn_plot_x(&q, g->x[i]), zn_plot_y(&q, res[i]), 2.4, 0);
            }
            zn_svg_axes(&q, NULL, sub ? NULL : xl, "residual", 1);
            free(res);
        }
        if (sub) subtraction_panel(O, g, b, &p.x, 470, xl);
        zn_svg_close(b);
        char *cap = zn_asprintf(
            "%s: %s%s%s, the fitted curve up to the highest concentration%s; below, "
            "the residuals (data - fit)%s%s.",
            g->label,
            g->means ? "the mean per concentration less the control's (filled) and its standard error (whisker; "
                       "the scatter of the subtracted control included)"
            : sub   ? "every replicate (open), mean and SD per concentration (filled, whisker; the SD of the replicates "
                      "alone: the error of the subtracted control mean is not in it)"
                    : "every replicate (open), mean and SD per concentration (filled, whisker)",
            g->data_file ? " of " : "", g->data_file ? g->data_file : "",
            ncr ? " and its 95% confidence band (grey)" : "", g->ok ? "" : " (no residuals: the fit has no parameters)",
            sub ? "; at the bottom, the means of the total uptake, of the control subtracted from it and of the "
                  "specific uptake that was fitted (specific = total - control)"
                : g->n ? "" : "; no data: the report was given the fit without the stream it was fitted to");
        zn_svg_figure_close(b, cap);
        free(cap);
        free(crow);
    }
}
