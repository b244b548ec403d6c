/* traces.c - the imaging part of the report: the cells-and-calibration
 * table, resting zinc beside the literature, the trace panels and the
 * heatmap (over the experiment: before the first calibration window), and
 * the calibration section (raw signal per cell with its Smin/Smax). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void build_cells(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_CELLS];
    char hdr[400];
    const char *c = R->cal_name ? R->cal_name : "F";
    snprintf(hdr, sizeof hdr,
             "condition,samples,cells,frames,signal,calibrated,bad_calibration,%smin_median,%smax_median,"
             "dynamic_range_median,above_max_pct,below_min_pct,min_drift,max_drift,near_max_pct,near_max_n,below_min_n",
             c, c);
    rtab_init(t, "cells", "Cells and calibration, per condition (above/below/near_max: % of the experiment's frames, "
                          "before the calibration windows, in calibrated cells; _n: how many frames; min_drift, "
                          "max_drift: cells not calibrated because that window was still moving)",
              hdr);
    if (!R->have_trace) return;
    size_t n1 = R->ncells ? R->ncells : 1;
    double *a = zn_malloc(n1 * sizeof *a), *b = zn_malloc(n1 * sizeof *b), *d = zn_malloc(n1 * sizeof *d);
    for (size_t k = 0; k < R->nconds; k++) {
        zn_dict samples = {0};
        size_t n = 0, bad = 0, nc = 0, nf = 0;
        long recs = 0, above = 0, below = 0, near = 0, drift[2] = {0, 0};
        for (size_t f = 0; f < R->nslots; f++) nf += f < R->conds[k].cap && R->conds[k].tn[f] > 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cellsum_t *s = &R->cells[i];
            if (s->cond != k) continue;
            zn_dict_put(&samples, s->sample, 0);
            n++;
            const char *fail = cell_failure(s);
            if (fail) {
                if (!strcmp(fail, "bad_calibration")) bad++;
                else drift[fail[1] == 'a']++; /* min_drift, max_drift */
                continue;
            }
            recs += s->nexp;
            near += s->nz_exp[ZF_NEAR];
            above += s->nz_exp[ZF_ABOVE];
            below += s->nz_exp[ZF_BELOW];
            a[nc] = s->cmin;
            b[nc] = s->cmax;
            d[nc] = s->cmin > 0 ? s->cmax / s->cmin : NAN;
            nc++;
        }
        rtab_s(t, R->conds[k].name);
        rtab_n(t, (double)samples.n);
        rtab_n(t, (double)n);
        rtab_n(t, (double)nf);
        rtab_s(t, R->signal);
        rtab_n(t, R->have_zflag ? (double)(n - bad - (size_t)drift[0] - (size_t)drift[1]) : NAN);
        rtab_n(t, R->have_zflag ? (double)bad : NAN);
        rtab_n(t, R->have_cal ? zn_median(a, nc, NULL) : NAN);
        rtab_n(t, R->have_cal ? zn_median(b, nc, NULL) : NAN);
        rtab_n(t, R->have_cal ? zn_median(d, nc, NULL) : NAN);
        rtab_n(t, R->have_zflag && recs ? 100.0 * (double)above / (double)recs : NAN);
        rtab_n(t, R->have_zflag && recs ? 100.0 * (double)below / (double)recs : NAN);
        rtab_n(t, R->have_zflag ? (double)drift[0] : NAN);
        rtab_n(t, R->have_zflag ? (double)drift[1] : NAN);
        rtab_n(t, R->have_zflag && recs ? 100.0 * (double)near / (double)recs : NAN);
        rtab_n(t, R->have_zflag ? (double)near : NAN);
        rtab_n(t, R->have_zflag ? (double)below : NAN);
        zn_dict_free(&samples);
    }
    free(a);
    free(b);
    free(d);
}

/* free zinc at rest per condition beside the compartment's published
 * values: those measured in the experiment's system when there are any
 * (lit_prefer), one row each; compared only where the sensor resolves the
 * level (sensor_range: a level under 1 % occupancy is noise around Fmin) */
void build_context(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_CONTEXT];
    rtab_init(t, "context", "Free zinc at rest beside published values for the compartment",
              "compartment,condition,cells,baseline_nM_median,published,relation,source,system,comparison");
    const char *comp = R->compartment;
    const char *unit = R->sig_unit;
    if (!comp && O->met) comp = zn_meta_get(&O->met->meta, "compartment");
    size_t *idx = zn_malloc((nlits + 1) * sizeof *idx), ni = 0;
    for (size_t l = 0; comp && l < nlits; l++)
        if (!strcmp(lits[l].kind, "compartment") && lit_names(&lits[l], comp)) idx[ni++] = l;
    if (!ni) {
        free(idx);
        return;
    }
    /* the cells' baselines: from metrics when they are on a zn_ column, else the traces' */
    const metric_t *bm = NULL;
    const char *cal = R->calibration;
    if (O->met) {
        const char *ms = zn_meta_get(&O->met->meta, "metrics");
        if (ms && !strncmp(ms, "signal=zn_", 10))
            for (size_t m = 0; m < O->nmetric; m++)
                if (!strcmp(O->mt[m].metric, "baseline_mean")) bm = &O->mt[m];
        if (bm) {
            unit = meta_unit(&O->met->meta, "baseline_mean");
            cal = zn_meta_get(&O->met->meta, "calibration");
        }
    }
    double f = unit ? zn_conc_unit(unit) / zn_conc_unit("nM") : 0;
    if (!(f > 0)) { /* not a concentration: nothing to compare */
        free(idx);
        return;
    }
    /* shown in the page's unit (pM on an ER page), compared in nM */
    const double g = 1 / f;
    const char *U = unit;
    free(t->hdr[3]);
    t->hdr[3] = zn_asprintf("baseline_%s_median", U);
    char *why;
    ni = lit_prefer(experiment_system(R), idx, ni, &why);
    double kd = NAN, hill = 1, rlo = NAN, rhi = NAN;
    int have_range = sensor_range(cal, &kd, &hill, &rlo, &rhi);
    double far = have_range ? kd * pow(1.0 / 99, 1 / hill) : NAN; /* 1 % occupancy */
    size_t K = bm ? O->nmcond : R->nconds;
    for (size_t k = 0; k < K; k++) {
        double *v = NULL;
        size_t n = 0;
        if (bm) {
            n = bm->celln[k];
            v = zn_malloc((n + 1) * sizeof *v);
            memcpy(v, bm->cellv[k], n * sizeof *v);
        } else {
            v = zn_malloc((R->ncells + 1) * sizeof *v);
            for (size_t i = 0; i < R->ncells; i++)
                if (R->cells[i].cond == k && !isnan(R->cells[i].base)) v[n++] = R->cells[i].base;
        }
        for (size_t i = 0; i < n; i++) v[i] *= f;
        double med = zn_median(v, n, NULL);
        free(v);
        for (size_t j = 0; j < ni; j++) {
            const lit_t *L = &lits[idx[j]];
            double lo, hi;
            lit_convert(L, "nM", &lo, &hi);
            rtab_s(t, comp);
            rtab_s(t, bm ? O->mcond[k] : R->conds[k].name);
            rtab_n(t, (double)n);
            rtab_n(t, med * g);
            rtab_sf(t, lit_text(L, U));
            char rel[400] = "";
            if (isnan(med)) {
            } else if (have_range && !(med >= far)) {
                snprintf(rel, sizeof rel,
                         "not compared: %.3g %s is far below what the sensor resolves (Kd %.3g %s: %.3g-%.3g %s, 9-91 %% "
                         "occupancy); under %.3g %s (1 %% occupancy) the signal is within noise of Fmin",
                         med * g, U, kd * g, U, rlo * g, rhi * g, U, far * g, U);
            } else if (have_range && med > rhi) {
                snprintf(rel, sizeof rel,
                         "not compared: %.3g %s is above what the sensor resolves (Kd %.3g %s: up to %.3g %s, 91 %% "
                         "occupancy): near saturation",
                         med * g, U, kd * g, U, rhi * g, U);
            } else {
                if (!isnan(lo) && !isnan(hi)) {
                    if (med < lo) snprintf(rel, sizeof rel, "below the range (%.3gx its low end)", med / lo);
                    else if (med > hi) snprintf(rel, sizeof rel, "above the range (%.3gx its high end)", med / hi);
                    else snprintf(rel, sizeof rel, "within the range");
                } else if (isnan(lo)) {
                    if (med <= hi) snprintf(rel, sizeof rel, "within (up to the published)");
                    else snprintf(rel, sizeof rel, "above (%.3gx)", med / hi);
                } else
                    snprintf(rel, sizeof rel, "%.3gx the published value", med / lo);
                size_t m = strlen(rel);
                if (have_range && med < rlo)
                    snprintf(rel + m, sizeof rel - m, "; below the sensor's most accurate range (Kd %.3g %s: %.3g-%.3g %s)",
                             kd * g, U, rlo * g, rhi * g, U);
                m = strlen(rel);
                if (have_range && (isnan(hi) ? lo : hi) < far)
                    snprintf(rel + m, sizeof rel - m,
                             "; the published level is under 1 %% occupancy of this sensor (%.3g %s): it could not "
                             "measure it",
                             far * g, U);
                else if (!have_range)
                    snprintf(rel + m, sizeof rel - m, "; the sensor's range is not known (no kd= in ##calibration=)");
            }
            rtab_s(t, rel);
            rtab_s(t, L->source);
            rtab_s(t, L->system);
            rtab_s(t, why);
        }
    }
    free(why);
    free(idx);
}

/* ------------------------------------------------------------ figures */
static char *ylabel_signal(const rep_t *R)
{
    if (!strcmp(R->sig_unit, "1")) return zn_strdup(R->signal);
    if (!strncmp(R->signal, "zn_", 3)) return zn_asprintf("free Zn2+ (%s)", R->sig_unit);
    return zn_asprintf("%s (%s)", R->signal, R->sig_unit);
}

/* the time shown: the experiment (before the first calibration window),
 * or everything with --whole-trace */
static double t_end(const rep_t *R)
{
    if (R->a->whole) return INFINITY;
    double t = R->cal_start;
    for (size_t w = 0; w < R->nwin; w++) /* the response window's end, when the calibration starts later */
        if (!strcmp(R->win[w].name, "response") && R->win[w].end < t) t = nextafter(R->win[w].end, INFINITY);
    return t;
}

static double slot_t(const cond_t *c, size_t f) { return f < c->cap && c->tn[f] ? c->ts[f] / c->tn[f] : NAN; }

/* a log axis leaves zero and negative values off (below_min: the
 * equation's value near Fmin); its low end is the smallest of the positive
 * means and the 1st percentile of the positive single-cell values */
static double log_floor(const rep_t *R, double tend)
{
    double lo = INFINITY;
    size_t nall = 0, cap = 0;
    double *all = NULL;
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        for (size_t f = 0; f < R->nslots && f < c->cap; f++) {
            double t = slot_t(c, f), m, se;
            cond_frame(c, f, &m, &se);
            if (t < tend && m > 0 && m < lo) lo = m;
        }
        for (size_t i = 0; i < c->nres; i++)
            for (size_t j = 0; j < c->res[i].n; j++)
                if (c->res[i].v[j] > 0 && c->res[i].t[j] < tend) {
                    zn_grow(&all, &cap, nall + 1, sizeof *all);
                    all[nall++] = c->res[i].v[j];
                }
    }
    if (nall) {
        qsort(all, nall, sizeof *all, cmp_double);
        lo = fmin(lo, all[(size_t)(0.01 * (double)(nall - 1))]);
    }
    free(all);
    return isfinite(lo) ? lo : NAN;
}

/* how many of condition k's shown values a log axis leaves off: n[0] of
 * n[1] single-cell values, n[2] of n[3] frame means */
static void log_left_off(const rep_t *R, size_t k, double tend, long n[4])
{
    const cond_t *c = &R->conds[k];
    n[0] = n[1] = n[2] = n[3] = 0;
    for (size_t i = 0; i < c->nres; i++)
        for (size_t j = 0; j < c->res[i].n; j++)
            if (!isnan(c->res[i].v[j]) && c->res[i].t[j] < tend) {
                n[1]++;
                n[0] += !(c->res[i].v[j] > 0);
            }
    for (size_t f = 0; f < R->nslots && f < c->cap; f++)
        if (c->n[f] && slot_t(c, f) < tend) {
            double m, se;
            cond_frame(c, f, &m, &se);
            n[3]++;
            n[2] += !(m > 0);
        }
}

/* the y axis of the trace panels: the means +- SEM and the 1st to 99th
 * percentile of the sampled cells' values, over the frames shown */
static int trace_axis(const rep_t *R, zn_axis *y)
{
    double tend = t_end(R), lo = INFINITY, hi = -INFINITY;
    size_t nall = 0, cap = 0;
    double *all = NULL;
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        for (size_t f = 0; f < R->nslots && f < c->cap; f++) {
            double t = slot_t(c, f);
            if (!(t < tend) || !c->n[f]) continue;
            double m, se;
            cond_frame(c, f, &m, &se);
            if (m - se < lo) lo = m - se;
            if (m + se > hi) hi = m + se;
        }
        for (size_t i = 0; i < c->nres; i++)
            for (size_t j = 0; j < c->res[i].n; j++) {
                if (isnan(c->res[i].v[j]) || !(c->res[i].t[j] < tend)) continue;
                zn_grow(&all, &cap, nall + 1, sizeof *all);
                all[nall++] = c->res[i].v[j];
            }
    }
    if (nall) {
        qsort(all, nall, sizeof *all, cmp_double);
        double a = all[(size_t)(0.01 * (double)(nall - 1))], b = all[(size_t)ceil(0.99 * (double)(nall - 1))];
        if (a < lo) lo = a;
        if (b > hi) hi = b;
    }
    free(all);
    if (!isfinite(lo)) lo = hi = NAN;
    int logy = 0;
    if (R->a->log_y) {
        double plo = lo > 0 ? lo : log_floor(R, tend);
        if (!(plo > 0) || !(hi > plo))
            zn_warn("--log-y: no value shown is above 0: a log axis needs values above 0; the axis is linear");
        else logy = zn_axis_log(y, plo, hi, 8) == 0;
    }
    if (!logy) {
        if (lo > 0 && lo < 0.25 * hi) lo = 0; /* concentrations from 0 when the data come near it */
        zn_axis_linear(y, lo, hi, 8);
    }
    return logy;
}

void html_traces(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    double tend = t_end(R), tmax = 0;
    for (size_t k = 0; k < R->nconds; k++)
        for (size_t f = 0; f < R->nslots; f++) {
            double t = slot_t(&R->conds[k], f);
            if (t < tend && t > tmax) tmax = t;
        }
    zn_axis yax, xax;
    int logy = trace_axis(R, &yax);
    zn_axis_linear(&xax, 0, tmax, 8);
    if (xax.hi > tmax * 1.15 && tmax > 0) { /* not far beyond the data: the last tick may be inside */
        xax.hi = tmax;
        while (xax.n > 2 && xax.t[xax.n - 1] > tmax) xax.n--;
    }
    size_t *ord = frame_order(R);
    char *ylab = ylabel_signal(R);
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        char id[64];
        snprintf(id, sizeof id, "fig-trace-%zu", k + 1);
        zn_svg_figure_open(b, id);
        char *lab = zn_asprintf("mean trace of %s", c->name);
        zn_svg_open(b, 640, 300, lab);
        free(lab);
        zn_plot p;
        zn_plot_init(&p, b, 76, 28, 544, 220);
        p.x = xax;
        p.y = yax;
        zn_buf_addf(b,
                    "<clipPath id=\"clip-%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n"
                    "<g clip-path=\"url(#clip-%s)\">\n",
                    id, p.L, p.T, p.W, p.H, id);
        for (size_t w = 0; w < R->nwin; w++) {
            double a = fmax(R->win[w].start, p.x.lo), e = fmin(R->win[w].end, p.x.hi);
            if (!(e > a) || !(R->win[w].start < tend)) continue;
            zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#000\" fill-opacity=\"0.07\"/>",
                        zn_plot_x(&p, a), p.T, zn_plot_x(&p, e) - zn_plot_x(&p, a), p.H);
            zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"wl\">", zn_plot_x(&p, a) + 2, p.T + 11);
            zn_svg_esc(b, R->win[w].name);
            zn_buf_adds(b, "</text>\n");
        }
        char st[160];
        snprintf(st, sizeof st, "stroke=\"%s\" stroke-opacity=\"0.28\" stroke-width=\"0.8\"", zn_svg_colour[k % ZN_SVG_NCOL]);
        for (size_t i = 0; i < c->nres; i++) {
            const sampled_t *s = &c->res[i];
            size_t n = 0;
            while (n < s->n && s->t[n] < tend) n++; /* the experiment: frames ascend within a cell */
            zn_svg_polyline(&p, s->t, s->v, n, st);
        }
        /* SEM band and mean, frames in order */
        size_t nf = 0;
        double *t = zn_malloc((R->nslots + 1) * sizeof *t), *m = zn_malloc((R->nslots + 1) * sizeof *m),
               *se = zn_malloc((R->nslots + 1) * sizeof *se);
        for (size_t i = 0; i < R->nslots; i++) {
            size_t f = ord[i];
            double tt = slot_t(c, f);
            if (!(tt < tend)) continue;
            t[nf] = tt;
            cond_frame(c, f, &m[nf], &se[nf]);
            nf++;
        }
        zn_buf_addf(b, "<path fill=\"%s\" fill-opacity=\"0.3\" stroke=\"none\" d=\"", zn_svg_colour[k % ZN_SVG_NCOL]);
        int open = 0;
        size_t segstart = 0;
        double ylo = zn_plot_y(&p, p.y.lo) + 2, yhi = zn_plot_y(&p, p.y.hi) - 2;
#define CLIPY(v) (isfinite(v) ? fmin(fmax(v, yhi), ylo) : ylo)
        for (size_t f = 0; f <= nf; f++) {
            int good = f < nf && isfinite(t[f]) && isfinite(m[f]);
            if (good && !open) {
                open = 1;
                segstart = f;
            }
            if (!good && open) { /* close this run: up the upper edge, back along the lower */
                for (size_t g = segstart; g < f; g++)
                    zn_buf_addf(b, "%s%.1f %.1f", g == segstart ? "M" : "L", zn_plot_x(&p, t[g]),
                                CLIPY(zn_plot_y(&p, m[g] + se[g])));
                for (size_t g = f; g-- > segstart;)
                    zn_buf_addf(b, "L%.1f %.1f", zn_plot_x(&p, t[g]), CLIPY(zn_plot_y(&p, m[g] - se[g])));
                zn_buf_adds(b, "Z");
                open = 0;
            }
        }
#undef CLIPY
        zn_buf_adds(b, "\"/>\n");
        const char *dash = zn_svg_dash[k % ZN_SVG_NCOL];
        snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"2\"%s%s%s", zn_svg_colour[k % ZN_SVG_NCOL],
                 *dash ? " stroke-dasharray=\"" : "", dash, *dash ? "\"" : "");
        zn_svg_polyline(&p, t, m, nf, st);
        zn_buf_adds(b, "</g>\n");
        free(t);
        free(m);
        free(se);
        /* n: the cells with a value and their dishes (the replicate), not every cell seen */
        zn_dict dishes = {0};
        long nval = 0, nfail = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            if (R->cells[i].cond != k) continue;
            if (R->cells[i].nval) {
                nval++;
                zn_dict_put(&dishes, R->cells[i].sample, 0);
            } else if (cell_failure(&R->cells[i])) nfail++;
        }
        long nnone = c->seen - nval - nfail;
        char why[160] = "";
        if (nfail && nnone) snprintf(why, sizeof why, " (%ld failed calibration, %ld no value)", nfail, nnone);
        else if (nfail) snprintf(why, sizeof why, " (%ld failed calibration)", nfail);
        else if (nnone) snprintf(why, sizeof why, " (%ld no value)", nnone);
        char *ti = zn_asprintf("%s: n = %zu dish%s, %ld cells%s", c->name, dishes.n, dishes.n == 1 ? "" : "es", nval, why);
        size_t ndish = dishes.n;
        zn_dict_free(&dishes);
        zn_svg_axes(&p, ti, "time (s)", ylab, 1);
        free(ti);
        zn_svg_close(b);
        char span[160];
        if (isfinite(tend))
            snprintf(span, sizeof span, "the experiment (to %g s: the end of the response window or the start of the "
                                        "first calibration window; the calibration is in its own section)",
                     tmax);
        else snprintf(span, sizeof span, "the whole recording");
        char *cap = zn_asprintf("%s: the mean of the dish means (line) and the SEM over the %zu dish%s (band; the dish is "
                                "the replicate, as in the tests%s) of %s, frame by frame, from %ld cells with a value%s, over "
                                "%s; faint lines: %s%zu single cells; shaded: the windows of the protocol; y axis%s: the "
                                "means, their SEM and the 1st to 99th percentile of the single cells shown, lines beyond "
                                "clipped.",
                                c->name, ndish, ndish == 1 ? "" : "es", ndish < 2 ? "; one dish: no band" : "", R->signal, nval, why, span, c->nres < (size_t)c->seen ? "a random sample of " : "the ",
                                c->nres, logy ? " (log)" : "");
        if (logy) {
            long lo[4];
            log_left_off(R, k, tend, lo);
            char *c2 = zn_asprintf("%s Log axis: %ld of %ld single-cell values and %ld of %ld frame means are zero or "
                                   "negative (below_min: noise around Fmin) and are left off.",
                                   cap, lo[0], lo[1], lo[2], lo[3]);
            free(cap);
            cap = c2;
        }
        zn_svg_figure_close(b, cap);
        free(cap);
    }
    free(ord);
    free(ylab);
}

void html_heatmap(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    double tend = t_end(R);
    size_t rows = 0, nv = 0;
    for (size_t k = 0; k < R->nconds; k++) {
        rows += R->conds[k].nres;
        for (size_t i = 0; i < R->conds[k].nres; i++) nv += R->conds[k].res[i].n;
    }
    /* the columns: the frames shown, in order; rank of each slot */
    size_t *ord = frame_order(R), *rank = zn_malloc((R->nslots + 1) * sizeof *rank), nf = 0;
    for (size_t i = 0; i < R->nslots; i++) {
        size_t f = ord[i];
        double t = NAN;
        for (size_t k = 0; k < R->nconds && isnan(t); k++) t = slot_t(&R->conds[k], f);
        rank[f] = t < tend ? nf++ : (size_t)-1;
    }
    free(ord);
    if (!rows || !nf) {
        free(rank);
        return;
    }
    double *all = zn_malloc((nv + 1) * sizeof *all);
    size_t na = 0;
    for (size_t k = 0; k < R->nconds; k++)
        for (size_t i = 0; i < R->conds[k].nres; i++) {
            const sampled_t *s = &R->conds[k].res[i];
            for (size_t j = 0; j < s->n; j++)
                if (!isnan(s->v[j]) && rank[s->slot[j]] != (size_t)-1) all[na++] = s->v[j];
        }
    qsort(all, na, sizeof *all, cmp_double);
    double lo = na ? all[(size_t)(0.02 * (double)(na - 1))] : 0, hi = na ? all[(size_t)(0.98 * (double)(na - 1))] : 1;
    free(all);
    if (!(hi > lo)) {
        zn_axis a;
        zn_axis_linear(&a, lo, hi, 4);
        lo = a.lo;
        hi = a.hi;
    }
    size_t nb = nf < 150 ? nf : 150;
    double rh = rows > 120 ? 3 : rows > 60 ? 5 : 8, W = 560, L = 230, T = 30;
    int h = (int)(T + (double)rows * rh + 60);
    zn_svg_figure_open(b, "fig-heatmap");
    zn_svg_open(b, 830, h, "heatmap of cells by time");
    zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"ti\">Cells x time (%s%s)</text>\n", L, T - 10, R->signal,
                isfinite(tend) ? ", the experiment" : "");
    double *sum = zn_malloc(nb * sizeof *sum), *cnt = zn_malloc(nb * sizeof *cnt);
    size_t row = 0;
    size_t *rord = NULL;
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        if (!c->nres) continue;
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tk\">", L - 70,
                    T + ((double)row + (double)c->nres / 2.0) * rh + 4);
        zn_svg_esc(b, c->name);
        zn_buf_addf(b, " (%zu)</text>\n", c->nres);
        /* the rows grouped by dish (the replicate), dishes in the order they came, each labelled */
        rord = zn_realloc(rord, (c->nres + 1) * sizeof *rord);
        size_t no = 0;
        for (size_t d = 0; d <= c->ndish; d++)
            for (size_t i = 0; i < c->nres; i++) {
                size_t di = c->res[i].sample ? zn_dict_get(&c->ddict, c->res[i].sample) : (size_t)-1;
                if (di >= c->ndish) di = c->ndish; /* no dish: last */
                if (di == d) rord[no++] = i;
            }
        for (size_t i0 = 0; i0 < no;) {
            size_t i1 = i0;
            const char *dn = c->res[rord[i0]].sample ? c->res[rord[i0]].sample : "";
            while (i1 < no && !strcmp(c->res[rord[i1]].sample ? c->res[rord[i1]].sample : "", dn)) i1++;
            double y0 = T + (double)(row + i0) * rh, y1 = T + (double)(row + i1) * rh;
            if (y1 - y0 >= 9) { /* room for a label */
                zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tk dish\">", L - 8,
                            (y0 + y1) / 2 + 3.5);
                zn_svg_esc(b, dn);
                zn_buf_addf(b, " (%zu)</text>", i1 - i0);
            }
            zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", L - 4, L - 4,
                        y0 + 1.5, y1 - 1.5);
            i0 = i1;
        }
        for (size_t oi = 0; oi < no; oi++, row++) {
            const sampled_t *s = &c->res[rord[oi]];
            int dish_end = oi + 1 < no && strcmp(s->sample ? s->sample : "", c->res[rord[oi + 1]].sample ? c->res[rord[oi + 1]].sample : "");
            for (size_t j = 0; j < nb; j++) sum[j] = cnt[j] = 0;
            for (size_t j = 0; j < s->n; j++) {
                size_t r = rank[s->slot[j]];
                if (isnan(s->v[j]) || r == (size_t)-1) continue;
                size_t bin = r * nb / nf;
                if (bin >= nb) bin = nb - 1;
                sum[bin] += s->v[j];
                cnt[bin]++;
            }
            for (size_t j = 0; j < nb; j++) {
                char col[8] = "#dddddd";
                if (cnt[j]) zn_svg_viridis((sum[j] / cnt[j] - lo) / (hi - lo), col);
                zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>",
                            L + (double)j * W / (double)nb, T + (double)row * rh, W / (double)nb + 0.3, rh, col);
            }
            zn_buf_addc(b, '\n');
            if (dish_end) /* a thin gap between dishes */
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#fff\" stroke-width=\"1\"/>\n", L,
                            L + W, T + (double)(row + 1) * rh, T + (double)(row + 1) * rh);
        }
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#fff\" stroke-width=\"2\"/>\n", L, L + W,
                    T + (double)row * rh, T + (double)row * rh);
    }
    free(rord);
    free(sum);
    free(cnt);
    free(rank);
    /* colour bar */
    double y = T + (double)rows * rh + 14;
    for (int i = 0; i < 50; i++) {
        char col[8];
        zn_svg_viridis(i / 49.0, col);
        zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"4.2\" height=\"10\" fill=\"%s\"/>", L + i * 4, y, col);
    }
    zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%.3g</text><text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%.3g %s</text>", L,
                y + 24, lo, L + 190, y + 24, hi, strcmp(R->sig_unit, "1") ? R->sig_unit : "");
    zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tk\">%zu frames, left to right</text>\n", L + 262, y + 9, nf);
    zn_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#dddddd\"/><text x=\"%.1f\" "
                   "y=\"%.1f\" class=\"tk\">no value (a row all grey: the cell's calibration failed)</text>\n</svg>\n",
                L + 262, y + 14, L + 276, y + 23);
    zn_svg_figure_close(b, "Each row one cell (the sampled cells, grouped by condition and, within it, by dish: the "
                           "labels at left give each dish's rows), each column a time bin of the "
                           "experiment (before the calibration windows); colour (viridis, light = high) from the 2nd to the "
                           "98th percentile of the values shown.");
}

/* the dynamic range of every cell's calibration */
static void calibration_range(const rep_t *R, zn_buf *b)
{
    double hi = 0;
    for (size_t i = 0; i < R->ncells; i++) {
        double d = R->cells[i].cmin > 0 ? R->cells[i].cmax / R->cells[i].cmin : NAN;
        if (d > hi) hi = d;
    }
    int w = (int)(120 + 110 * R->nconds);
    zn_svg_figure_open(b, "fig-calibration");
    zn_svg_open(b, w, 300, "calibration quality per cell");
    zn_plot p;
    zn_plot_init(&p, b, 76, 28, w - 96.0, 210);
    zn_axis_linear(&p.x, 0, (double)R->nconds, 2);
    p.x.lo = 0;
    p.x.hi = (double)R->nconds;
    zn_axis_linear(&p.y, 0, hi, 8);
    char yl[80];
    const char *cn = R->cal_name ? R->cal_name : "F";
    snprintf(yl, sizeof yl, "dynamic range %smax/%smin", cn, cn);
    zn_svg_axes(&p, "Calibration per cell", NULL, yl, 0);
    for (size_t k = 0; k < R->nconds; k++) {
        size_t i0 = 0, bad = 0, drawn = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cellsum_t *s = &R->cells[i];
            if (s->cond != k) continue;
            double x = zn_plot_x(&p, (double)k + 0.5 + 0.6 * (fmod((double)i0++ * 0.6180339887, 1) - 0.5));
            if (cell_failure(s) || !(s->cmin > 0)) {
                bad++;
                continue;
            }
            if (drawn++ >= 5000) continue;
            zn_svg_marker(b, (int)k, x, zn_plot_y(&p, s->cmax / s->cmin), 2.5, 0);
        }
        zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">", zn_plot_x(&p, (double)k + 0.5),
                    p.T + p.H + 16);
        zn_svg_esc(b, R->conds[k].name);
        zn_buf_addf(b, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">failed: %zu</text>\n",
                    zn_plot_x(&p, (double)k + 0.5), p.T + p.H + 30, bad);
    }
    zn_svg_close(b);
    zn_svg_figure_close(b, "One point per cell whose calibration worked: the ratio of the saturated (Zn + pyrithione) to "
                           "the zinc-free (TPEN) signal; below each condition the number of cells whose calibration failed "
                           "(bad_calibration, min_drift or max_drift: no [Zn] at all). Medians and the share of frames outside the range are in "
                           "the table.");
}

/* the fill of a protocol window by its name: the experiment's grey and blue,
 * the calibration's orange (max: Zn + ionophore) and green (min: TPEN) */
static const char *window_fill(const char *name, double *op)
{
    *op = 0.10;
    if (!strcmp(name, "response")) return "#0072B2";
    if (!strcmp(name, "max")) return *op = 0.16, "#D55E00";
    if (!strcmp(name, "min")) return *op = 0.16, "#009E73";
    *op = 0.08;
    return "#000";
}

/* the raw signal of a few sampled cells per condition over the whole
 * recording, with each cell's Smin and Smax: where the calibration came
 * from.  The cells are taken from the dishes in turn (the first of each
 * dish, then the second, ...), so that the examples span the dishes. */
#define CAL_CELLS 6
static void calibration_cells(const rep_t *R, zn_buf *b)
{
    if (!R->raw_name) return;
    const char *cn = R->cal_name ? R->cal_name : "F";
    char ylab[96];
    if (R->raw_unit && *R->raw_unit && strcmp(R->raw_unit, "1"))
        snprintf(ylab, sizeof ylab, "%s (%s)", R->raw_name, R->raw_unit);
    else snprintf(ylab, sizeof ylab, "%s", R->raw_name);
    for (size_t k = 0; k < R->nconds; k++) {
        const cond_t *c = &R->conds[k];
        /* round robin over the dishes, in their order */
        size_t *pick = zn_malloc((c->nres + 1) * sizeof *pick), show = 0;
        size_t nd = c->ndish + 1;
        size_t *taken = zn_calloc(nd, sizeof *taken);
        for (size_t round = 0; show < CAL_CELLS && round < c->nres; round++) {
            size_t before = show;
            for (size_t d = 0; d < nd && show < CAL_CELLS; d++) {
                size_t seen = 0;
                for (size_t i = 0; i < c->nres; i++) {
                    const sampled_t *s = &c->res[i];
                    size_t di = s->sample ? zn_dict_get(&c->ddict, s->sample) : (size_t)-1;
                    if (di >= c->ndish) di = c->ndish;
                    if (di != d || !s->n) continue;
                    if (seen++ == round) {
                        pick[show++] = i;
                        taken[d]++;
                        break;
                    }
                }
            }
            if (show == before) break;
        }
        zn_buf dl = {0};
        for (size_t d = 0; d < c->ndish; d++)
            if (taken[d]) zn_buf_addf(&dl, "%s%s (%zu)", dl.n ? ", " : "", c->dish[d].name, taken[d]);
        free(taken);
        if (!show) {
            free(pick);
            zn_buf_free(&dl);
            continue;
        }
        int cols = 3, rows = (int)((show + 2) / 3), pw = 220, ph = 150;
        char id[64];
        snprintf(id, sizeof id, "fig-calcells-%zu", k + 1);
        zn_svg_figure_open(b, id);
        char *lab = zn_asprintf("raw %s and calibration levels of cells of %s", R->raw_name, c->name);
        zn_svg_open(b, cols * pw + 40, rows * ph + 56, lab);
        free(lab);
        zn_buf_addf(b, "<text x=\"10\" y=\"16\" class=\"ti\">");
        zn_svg_esc(b, c->name);
        zn_buf_addf(b, ": raw %s per cell, %smin (dashed, low) and %smax (dashed, high)</text>\n", R->raw_name, cn, cn);
        /* the windows' key, once */
        double kx = 10;
        for (size_t w = 0; w < R->nwin; w++) {
            double op;
            const char *fill = window_fill(R->win[w].name, &op);
            zn_buf_addf(b, "<rect x=\"%.1f\" y=\"24\" width=\"12\" height=\"10\" fill=\"%s\" fill-opacity=\"%.2f\" "
                           "stroke=\"#999\" stroke-width=\"0.5\"/><text x=\"%.1f\" y=\"33\" class=\"tk\">",
                        kx, fill, op, kx + 16);
            zn_svg_esc(b, R->win[w].name);
            zn_buf_addf(b, " %g-%g s</text>\n", R->win[w].start, R->win[w].end);
            kx += 30 + 6.2 * (double)(strlen(R->win[w].name) + 12);
        }
        for (size_t di = 0; di < show; di++) {
            const sampled_t *s = &c->res[pick[di]];
            double lo = INFINITY, hi = -INFINITY, t1 = 0;
            for (size_t j = 0; j < s->n; j++) {
                if (s->raw[j] < lo) lo = s->raw[j];
                if (s->raw[j] > hi) hi = s->raw[j];
                if (s->t[j] > t1) t1 = s->t[j];
            }
            if (isfinite(s->cmin)) lo = fmin(lo, s->cmin), hi = fmax(hi, s->cmin);
            if (isfinite(s->cmax)) lo = fmin(lo, s->cmax), hi = fmax(hi, s->cmax);
            int col = (int)(di % 3), row = (int)(di / 3);
            zn_plot p;
            zn_plot_init(&p, b, 30 + col * pw + 46, 40 + row * ph + 24, pw - 62, ph - 66);
            zn_axis_linear(&p.x, 0, t1, 4);
            zn_axis_linear(&p.y, isfinite(lo) ? lo : NAN, isfinite(hi) ? hi : NAN, 4);
            for (size_t w = 0; w < R->nwin; w++) {
                double a = fmax(R->win[w].start, p.x.lo), e = fmin(R->win[w].end, p.x.hi), op;
                if (!(e > a)) continue;
                const char *fill = window_fill(R->win[w].name, &op);
                zn_buf_addf(b, "<rect class=\"win\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                               "fill-opacity=\"%.2f\"><title>",
                            zn_plot_x(&p, a), p.T, zn_plot_x(&p, e) - zn_plot_x(&p, a), p.H, fill, op);
                zn_svg_esc(b, R->win[w].name);
                zn_buf_adds(b, "</title></rect>");
            }
            zn_svg_hline(&p, s->cmin, "stroke=\"#555\" stroke-dasharray=\"4 3\"");
            zn_svg_hline(&p, s->cmax, "stroke=\"#555\" stroke-dasharray=\"4 3\"");
            char st[120];
            snprintf(st, sizeof st, "stroke=\"%s\" stroke-width=\"1\"", zn_svg_colour[k % ZN_SVG_NCOL]);
            zn_svg_polyline(&p, s->t, s->raw, s->n, st);
            /* the panel's name: dish and cell */
            zn_svg_axes(&p, s->label, "time (s)", col == 0 ? ylab : NULL, 1);
        }
        zn_svg_close(b);
        free(pick);
        char *cap = zn_asprintf("%s: the raw signal %s (before calibration: the column zn-calibrate turned into [Zn]) of "
                                "%zu of the sampled cells, taken from the dishes in turn (%s), over the whole recording; "
                                "shaded: the protocol's windows (key above the panels); dashed: the cell's %smin and "
                                "%smax from its calibration windows. A cell whose signal in the experiment reaches its "
                                "%smax is saturated there.",
                                c->name, R->raw_name, show, dl.s ? dl.s : "", cn, cn, cn);
        zn_buf_free(&dl);
        zn_svg_figure_close(b, cap);
        free(cap);
    }
}

/* in words: how many cells were not calibrated, and why; how many of the
 * experiment's frames the sensor does not resolve well (issue 17) */
static void calibration_counts(const rep_t *R, zn_buf *b)
{
    if (!R->have_zflag) return;
    long recs = 0, near = 0, below = 0, above = 0, over = 0, fail[3] = {0, 0, 0};
    for (size_t i = 0; i < R->ncells; i++) {
        const cellsum_t *s = &R->cells[i];
        const char *f = cell_failure(s);
        if (f) {
            fail[!strcmp(f, "bad_calibration") ? 0 : !strcmp(f, "min_drift") ? 1 : 2]++;
            continue;
        }
        recs += s->nexp;
        near += s->nz_exp[ZF_NEAR];
        below += s->nz_exp[ZF_BELOW];
        above += s->nz_exp[ZF_ABOVE];
        over += s->nz_exp[ZF_OVERFLOW];
    }
    double d = recs ? 100.0 / (double)recs : NAN;
    zn_buf_addf(b, "<p class=\"note\">%ld of %zu cells not calibrated (%ld bad_calibration; %ld min_drift: the TPEN "
                   "window still falling; %ld max_drift: the Zn + pyrithione window still rising). Of the %ld "
                   "experiment frames of calibrated cells, %ld (%.3g %%) are near_max (above the occupancy threshold: "
                   "the value is large and uncertain), %ld (%.3g %%) above_max (saturated: no value) and %ld (%.3g %%) "
                   "below_min (at or below Fmin: the equation's value, zero or negative, kept so that means stay "
                   "unbiased; noise around a level the sensor cannot tell from zero).</p>\n",
                fail[0] + fail[1] + fail[2], R->ncells, fail[0], fail[1], fail[2], recs, near, near * d, above,
                above * d, below, below * d);
    if (over)
        zn_buf_addf(b, "<p class=\"note\">%ld experiment frames overflow (a value past the range of a double: no "
                       "value).</p>\n",
                    over);
}

void html_calibration(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    if (!R->have_cal && !R->have_zflag) return;
    calibration_counts(R, b);
    calibration_range(R, b);
    calibration_cells(R, b);
}

/* the photobleaching correction made visible: each dish's rate k (1/s) and
 * its SE per channel, as zn-bleach fitted them (bleach_k_CH, bleach_k_se_CH,
 * the same on every record of the dish); with a ratio of two corrected
 * channels (##ratio=R=NUM/DEN) also the ratio's drift k_NUM - k_DEN.  A rate
 * within 2 SE of 0 is not resolved: the data do not tell it from no
 * bleaching, and the correction (so the resting level) rests on noise. */
void build_bleach(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_BLEACH];
    rtab_init(t, "bleach",
              "Photobleaching per dish (zn-bleach): the rate k of each channel per hour (the stream's bleach_k columns "
              "are per second: x 3600), its SE; resolved: |k| >= 2 SE",
              "condition,sample,channel,k_per_h,k_se_per_h,k_over_se,resolved");
    for (size_t i = 0; i < R->nbl; i++) {
        const struct bleach_dish *d = &R->bl[i];
        size_t nrow = R->nbch + (R->rnum >= 0 && R->rden >= 0);
        for (size_t j = 0; j < nrow; j++) {
            double k, se;
            char *ch;
            if (j < R->nbch) {
                k = d->k[j];
                se = d->se[j];
                ch = zn_strdup(R->bch[j]);
            } else { /* the ratio: SE as if the two rates were independent (they come from the same cells) */
                k = d->k[R->rnum] - d->k[R->rden];
                se = hypot(d->se[R->rnum], d->se[R->rden]);
                ch = zn_asprintf("ratio %s/%s: k_%s - k_%s", R->bch[R->rnum], R->bch[R->rden], R->bch[R->rnum],
                                 R->bch[R->rden]);
            }
            if (isnan(k)) {
                free(ch);
                continue;
            }
            rtab_s(t, R->conds[d->cond].name);
            rtab_s(t, d->sample);
            rtab_sf(t, ch);
            rtab_n(t, k * 3600); /* per hour: 0.0178 to 0.665 in the demo, not 4.948e-06 beside 0.0001684 */
            rtab_n(t, se * 3600);
            double z = se > 0 ? fabs(k) / se : NAN;
            rtab_n(t, z);
            rtab_s(t, isnan(z) ? "" : z >= 2 ? "yes" : "no");
        }
    }
}
