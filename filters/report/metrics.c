/* metrics.c - response metrics between conditions.  The experimental unit
 * is the dish (the sample column: dish, well, coverslip) unless --unit
 * cell: cells of one dish are not independent replicates, so each dish
 * gives one value (the mean of its cells), and the tests have n = dishes.
 * Welch t for two conditions, one-way ANOVA for more; p adjusted over the
 * metrics by Holm.  The responder share is a proportion: compared as
 * per-dish fractions, never by a test over cells' 0/1 values.  Figures
 * are SuperPlots: cells small, coloured by dish; dish means large; the
 * condition's mean and SEM over dishes. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *unit_word(const out_t *O, size_t n)
{
    if (O->R->a->unit == UNIT_CELL) return n == 1 ? "cell" : "cells";
    return n == 1 ? "dish" : "dishes";
}

/* the dishes of condition k, in order of appearance */
static size_t dishes_of(const out_t *O, size_t k, size_t *out)
{
    size_t n = 0;
    for (size_t d = 0; d < O->nmsample; d++)
        if (O->msample_cond[d] == k) out[n++] = d;
    return n;
}

static void test_text(const out_t *O, const metric_t *M, char *buf, size_t len)
{
    size_t K = O->nmcond;
    zn_buf n = {0};
    for (size_t k = 0; k < K; k++) zn_buf_addf(&n, "%s%zu", k ? " vs " : "", M->len[k]);
    if (isnan(M->test.p)) snprintf(buf, len, "%s", M->note ? M->note : "not tested");
    else if (K == 2)
        snprintf(buf, len, "Welch t = %.3g, df = %.3g, n = %s %s: p = %.3g (Holm %.3g)", M->test.stat, M->test.df1, n.s,
                 unit_word(O, 2), M->test.p, M->p_adj);
    else
        snprintf(buf, len, "ANOVA F(%g, %g) = %.3g, n = %s %s: p = %.3g (Holm %.3g)", M->test.df1, M->test.df2,
                 M->test.stat, n.s, unit_word(O, 2), M->test.p, M->p_adj);
    zn_buf_free(&n);
}

void build_metrics(out_t *O)
{
    rep_t *R = O->R;
    int by_cell = R->a->unit == UNIT_CELL;
    rtab_init(&O->t[T_METRICS], "metrics",
              by_cell ? "Response metrics per condition: mean and SEM over cells (--unit cell: cells as replicates)"
                      : "Response metrics per condition: mean and SEM over dishes (each dish the mean of its cells)",
              "metric,condition,n,mean,sem,unit,replicate,cells");
    rtab_init(&O->t[T_TESTS], "tests",
              by_cell ? "Tests between conditions over cells (--unit cell; cells of a dish are not independent), "
                        "p adjusted over the metrics by Holm"
                      : "Tests between conditions over dish means (Welch t for two, one-way ANOVA for more), p "
                        "adjusted over the metrics by Holm",
              "metric,test,conditions,replicate,n,statistic,df1,df2,p,p_holm,note");
    size_t count;
    stab *s = find_tab(R, "metrics", &count);
    if (!s) return;
    if (count > 1) zn_warn("metrics streams with different columns: only the first (%s) is in the report", s->file);
    O->met = s;
    int cc = stab_col(s, "condition"), cs = stab_col(s, "sample");
    /* conditions and dishes */
    zn_dict dc = {0}, dd = {0};
    size_t *ci = zn_malloc((s->nrow + 1) * sizeof *ci), *di = zn_malloc((s->nrow + 1) * sizeof *di);
    for (size_t r = 0; r < s->nrow; r++) {
        const char *c = cc >= 0 && *stab_f(s, r, cc) ? stab_f(s, r, cc) : stab_f(s, r, cs);
        size_t k = zn_dict_get(&dc, c);
        if (k == (size_t)-1) {
            k = zn_dict_put(&dc, c, O->nmcond);
            O->mcond = zn_realloc(O->mcond, (O->nmcond + 1) * sizeof *O->mcond);
            O->mcond[O->nmcond++] = zn_strdup(c);
        }
        ci[r] = k;
        char *key = zn_asprintf("%s\x1f%s", c, stab_f(s, r, cs));
        size_t d = zn_dict_get(&dd, key);
        if (d == (size_t)-1) {
            d = zn_dict_put(&dd, key, O->nmsample);
            O->msample = zn_realloc(O->msample, (O->nmsample + 1) * sizeof *O->msample);
            O->msample_cond = zn_realloc(O->msample_cond, (O->nmsample + 1) * sizeof *O->msample_cond);
            O->msample[O->nmsample] = zn_strdup(stab_f(s, r, cs));
            O->msample_cond[O->nmsample++] = k;
        }
        free(key);
        di[r] = d;
    }
    size_t K = O->nmcond, D = O->nmsample;
    /* the metrics: numeric columns; t_peak is time_to_peak shifted by the window start: one of them */
    int has_ttp = stab_col(s, "time_to_peak") >= 0;
    O->mt = zn_calloc(s->ncols + 1, sizeof *O->mt);
    for (size_t j = 0; j < s->ncols; j++) {
        if (zn_schema_is_numeric("metrics", s->cols[j]) != 1) continue;
        if (has_ttp && !strcmp(s->cols[j], "t_peak")) continue;
        metric_t *M = &O->mt[O->nmetric++];
        M->col = (int)j;
        M->fraction = !strcmp(s->cols[j], "responder");
        M->metric = M->fraction ? "responder_fraction" : s->cols[j];
        M->tested = 1;
    }
    double *dsum = zn_malloc((D + 1) * sizeof *dsum), *dn = zn_malloc((D + 1) * sizeof *dn);
    size_t *dl = zn_malloc((D + 1) * sizeof *dl);
    for (size_t m = 0; m < O->nmetric; m++) {
        metric_t *M = &O->mt[m];
        M->val = zn_calloc(K + 1, sizeof *M->val);
        M->len = zn_calloc(K + 1, sizeof *M->len);
        M->cellv = zn_calloc(K + 1, sizeof *M->cellv);
        M->celln = zn_calloc(K + 1, sizeof *M->celln);
        M->cellsample = zn_calloc(K + 1, sizeof *M->cellsample);
        for (size_t k = 0; k < K; k++) {
            M->cellv[k] = zn_malloc((s->nrow + 1) * sizeof(double));
            M->cellsample[k] = zn_malloc((s->nrow + 1) * sizeof(char *));
            M->val[k] = zn_malloc((s->nrow + 1) * sizeof(double));
        }
        for (size_t d = 0; d < D; d++) dsum[d] = dn[d] = 0;
        for (size_t r = 0; r < s->nrow; r++) {
            double x = stab_num(s, r, M->col);
            if (isnan(x)) continue;
            size_t k = ci[r];
            M->cellsample[k][M->celln[k]] = O->msample[di[r]];
            M->cellv[k][M->celln[k]++] = x;
            dsum[di[r]] += x;
            dn[di[r]]++;
        }
        for (size_t k = 0; k < K; k++) {
            if (by_cell) {
                memcpy(M->val[k], M->cellv[k], M->celln[k] * sizeof(double));
                M->len[k] = M->celln[k];
                continue;
            }
            size_t nd = dishes_of(O, k, dl);
            for (size_t i = 0; i < nd; i++)
                if (dn[dl[i]] > 0) M->val[k][M->len[k]++] = dsum[dl[i]] / dn[dl[i]];
        }
        for (size_t k = 0; k < K; k++) {
            size_t n = M->len[k];
            double mu = zn_mean(M->val[k], n, NULL), sd = zn_sd(M->val[k], n);
            rtab_s(&O->t[T_METRICS], M->metric);
            rtab_s(&O->t[T_METRICS], O->mcond[k]);
            rtab_n(&O->t[T_METRICS], (double)n);
            rtab_n(&O->t[T_METRICS], mu);
            rtab_n(&O->t[T_METRICS], n > 1 ? sd / sqrt((double)n) : NAN);
            rtab_s(&O->t[T_METRICS], M->fraction ? "1" : meta_unit(&s->meta, s->cols[M->col]));
            rtab_s(&O->t[T_METRICS], by_cell ? "cell" : "dish");
            rtab_n(&O->t[T_METRICS], (double)M->celln[k]);
        }
        M->test.stat = M->test.df1 = M->test.df2 = M->test.p = NAN;
        M->p_adj = NAN;
        if (K < 2) {
            M->note = zn_strdup("one condition: nothing to compare");
            continue;
        }
        if (M->fraction && by_cell) {
            M->note = zn_strdup("not tested: a proportion over cells; compared as per-dish fractions with the dish as "
                                "the unit (the default)");
            continue;
        }
        int st = K == 2 ? zn_welch(M->val[0], M->len[0], M->val[1], M->len[1], &M->test)
                        : zn_anova1((const double *const *)M->val, M->len, K, &M->test);
        if (st < 0) {
            size_t none = K, few = K;
            for (size_t k = K; k-- > 0;) {
                if (!M->len[k]) none = k;
                if (M->len[k] < 2) few = k;
            }
            if (none < K) M->note = zn_asprintf("no test: no values in %s", O->mcond[none]);
            else if (few < K)
                M->note = zn_asprintf("no test: fewer than 2 %s in %s%s", unit_word(O, 2), O->mcond[few],
                                      by_cell ? "" : " (--unit cell tests cells, labelled as such)");
            else M->note = zn_strdup("no test: no variation within the conditions (every unit of a condition alike)");
        }
    }
    /* Holm over the metrics tested */
    double *p = zn_malloc((O->nmetric + 1) * sizeof *p);
    for (size_t m = 0; m < O->nmetric; m++) p[m] = O->mt[m].test.p;
    zn_holm(p, O->nmetric, p);
    for (size_t m = 0; m < O->nmetric; m++) O->mt[m].p_adj = p[m];
    free(p);
    for (size_t m = 0; K >= 2 && m < O->nmetric; m++) {
        metric_t *M = &O->mt[m];
        rtab *T = &O->t[T_TESTS];
        zn_buf cl = {0}, nl = {0};
        for (size_t k = 0; k < K; k++) {
            zn_buf_addf(&cl, "%s%s", k ? " vs " : "", O->mcond[k]);
            zn_buf_addf(&nl, "%s%zu", k ? ", " : "", M->len[k]);
        }
        rtab_s(T, M->metric);
        rtab_s(T, isnan(M->test.p) ? "" : K == 2 ? "welch_t" : "anova_F");
        rtab_sf(T, cl.s);
        rtab_s(T, by_cell ? "cell" : "dish");
        rtab_sf(T, nl.s);
        rtab_n(T, M->test.stat);
        rtab_n(T, M->test.df1);
        rtab_n(T, K == 2 ? NAN : M->test.df2);
        rtab_n(T, M->test.p);
        rtab_n(T, M->p_adj);
        rtab_s(T, M->note ? M->note : "");
    }
    free(dsum);
    free(dn);
    free(dl);
    free(ci);
    free(di);
    zn_dict_free(&dc);
    zn_dict_free(&dd);
}

#define MARKS                                                                                                          \
    " Marks: colour and shape tell the dishes of one condition apart (legend under each condition); the same mark "   \
    "in two conditions does not pair those dishes: the test treats them as independent (unpaired)."

/* a SuperPlot per metric */
void html_metrics(const out_t *O, zn_buf *b)
{
    if (!O->met) return;
    int by_cell = O->R->a->unit == UNIT_CELL;
    size_t K = O->nmcond, *dl = zn_malloc((O->nmsample + 1) * sizeof *dl);
    for (size_t m = 0; m < O->nmetric; m++) {
        const metric_t *M = &O->mt[m];
        const char *nm = M->metric;
        if (!strcmp(nm, "baseline_sd")) continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < K; k++) {
            for (size_t i = 0; !M->fraction && i < M->celln[k]; i++) {
                lo = fmin(lo, M->cellv[k][i]);
                hi = fmax(hi, M->cellv[k][i]);
            }
            for (size_t i = 0; i < M->len[k]; i++) {
                lo = fmin(lo, M->val[k][i]);
                hi = fmax(hi, M->val[k][i]);
            }
        }
        if (!isfinite(lo)) continue;
        if (M->fraction) lo = 0, hi = fmax(hi, 1);
        if (lo > 0 && lo < 0.5 * hi) lo = 0;
        char id[160];
        snprintf(id, sizeof id, "fig-metric-%s", nm);
        zn_svg_figure_open(b, id);
        int w = (int)(200 + 130 * K);
        if (w < 480) w = 480;
        /* the dish legend: one line per dish under each condition */
        size_t maxnd = 0;
        for (size_t k = 0; !by_cell && k < K; k++) {
            size_t nd = dishes_of(O, k, dl);
            if (nd > maxnd) maxnd = nd;
        }
        zn_svg_open(b, w, 310 + (maxnd ? 8 + 14 * (int)maxnd : 0), nm);
        zn_plot p;
        zn_plot_init(&p, b, 76, 44, w - 96.0, 200);
        p.x.lo = 0;
        p.x.hi = (double)K;
        zn_axis_linear(&p.y, lo, hi, 8);
        const char *u = M->fraction ? "" : meta_unit(&O->met->meta, O->met->cols[M->col]);
        int su = *u && strcmp(u, "1");
        char yl[200], tt[400];
        snprintf(yl, sizeof yl, "%s%s%s%s", nm, su ? " (" : "", su ? u : "", su ? ")" : "");
        test_text(O, M, tt, sizeof tt);
        zn_svg_axes(&p, NULL, NULL, yl, 0);
        zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"ti\">", p.L, p.T - 24);
        zn_svg_esc(b, nm);
        zn_buf_addf(b, "</text><text x=\"%.1f\" y=\"%.1f\" class=\"tk\">", p.L, p.T - 8);
        zn_svg_esc(b, tt);
        zn_buf_adds(b, "</text>\n");
        for (size_t k = 0; k < K; k++) {
            size_t nd = by_cell ? 0 : dishes_of(O, k, dl);
            /* cells: small, coloured by dish */
            for (size_t i = 0; !M->fraction && i < M->celln[k]; i++) {
                size_t d = 0;
                for (size_t q = 0; q < nd; q++)
                    if (!strcmp(O->msample[dl[q]], M->cellsample[k][i])) d = q;
                double x = zn_plot_x(&p, (double)k + 0.5 + 0.55 * (fmod((double)i * 0.6180339887, 1) - 0.5));
                zn_svg_marker_c(b, zn_svg_colour[by_cell ? k % ZN_SVG_NCOL : d % ZN_SVG_NCOL], by_cell ? (int)k : (int)d, x,
                                zn_plot_y(&p, M->cellv[k][i]), 2.2, 0.35);
            }
            /* dishes: large, filled, outlined */
            for (size_t q = 0; q < nd; q++) {
                double sum = 0, cnt = 0;
                for (size_t i = 0; i < M->celln[k]; i++)
                    if (!strcmp(O->msample[dl[q]], M->cellsample[k][i])) sum += M->cellv[k][i], cnt++;
                if (!cnt) continue;
                double x = zn_plot_x(&p, (double)k + 0.5 + (nd > 1 ? 0.4 * ((double)q / (double)(nd - 1) - 0.5) : 0));
                zn_buf_addf(b, "<g stroke-width=\"1.5\">");
                zn_svg_marker_c(b, zn_svg_colour[q % ZN_SVG_NCOL], (int)q, x, zn_plot_y(&p, sum / cnt), 6, 1);
                zn_buf_adds(b, "</g>");
            }
            size_t n = M->len[k];
            double mu = zn_mean(M->val[k], n, NULL), se = n > 1 ? zn_sd(M->val[k], n) / sqrt((double)n) : 0;
            if (!isnan(mu)) {
                double x = zn_plot_x(&p, (double)k + 0.5);
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2.5\"/>",
                            x - 34, x + 34, zn_plot_y(&p, mu), zn_plot_y(&p, mu));
                zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\"/>", x,
                            x, zn_plot_y(&p, mu - se), zn_plot_y(&p, mu + se));
            }
            zn_buf_addf(b, "\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">", zn_plot_x(&p, (double)k + 0.5),
                        p.T + p.H + 16);
            zn_svg_esc(b, O->mcond[k]);
            zn_buf_addf(b, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">n = %zu %s, %zu cells</text>\n",
                        zn_plot_x(&p, (double)k + 0.5), p.T + p.H + 30, n, unit_word(O, n), M->celln[k]);
            for (size_t q = 0; q < nd; q++) { /* legend: the mark of each dish, by name */
                double x = zn_plot_x(&p, (double)k + 0.5) - 40, y = p.T + p.H + 50 + 14 * (double)q;
                zn_svg_marker_c(b, zn_svg_colour[q % ZN_SVG_NCOL], (int)q, x, y - 4, 4.5, 1);
                zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tk\" data-dish=\"1\">", x + 9, y);
                zn_svg_esc(b, O->msample[dl[q]]);
                zn_buf_adds(b, "</text>\n");
            }
        }
        zn_svg_close(b);
        char *cap;
        if (by_cell)
            cap = zn_asprintf("%s: one point per cell; bar: mean, whisker: SEM over cells (--unit cell: the cells are "
                              "taken as replicates, which cells of one dish are not). %s.",
                              nm, tt);
        else if (K < 2)
            cap = zn_asprintf("%s (SuperPlot): small points: cells, coloured by dish; large markers: the dish means; "
                              "bar: mean, whisker: SEM over dishes. One condition: nothing to compare." MARKS,
                              nm);
        else if (M->fraction)
            cap = zn_asprintf("%s: one large marker per dish (its share of responding cells); bar: mean, whisker: SEM "
                              "over dishes. %s." MARKS,
                              nm, tt);
        else
            cap = zn_asprintf("%s (SuperPlot): small points: cells, coloured by dish; large markers: the dish means, "
                              "the replicates of the test; bar: mean, whisker: SEM over dishes. %s." MARKS,
                              nm, tt);
        zn_svg_figure_close(b, cap);
        free(cap);
    }
    free(dl);
}
