/* doseresp.c - concentration-response (zn-mm-fit -m 4pl/3pl): per fitted
 * group a figure on a log concentration axis, the controls (x = 0) on a
 * panel of their own left of a broken axis, the replicates (the records of
 * a means stream, e.g. dish means from zn-means, or any stream with the
 * fit's x and y), the fitted curve and its band (the curve stream), the
 * ec50 with its interval; a table of the parameters with their Wald and
 * the fit's own (profile) intervals; the adequacy tests in a line under it.
 *
 * Reads the fit, curve and means tables as read.c stored them; builds
 * nothing in out_t (the fit tables of kinetics.c list the same fits). */
#include "report.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_cr_row(const stab *f, size_t r)
{
    int cm = stab_col(f, "model");
    if (cm < 0) return 0;
    const zn_model *m = zn_model_find(stab_f(f, r, cm));
    return m && zn_model_logistic(m);
}

int has_doseresp(const out_t *O)
{
    const rep_t *R = O->R;
    for (size_t i = 0; i < R->ntabs; i++) {
        const stab *f = &R->tabs[i];
        if (strcmp(f->schema, "fit")) continue;
        for (size_t r = 0; r < f->nrow; r++)
            if (is_cr_row(f, r)) return 1;
    }
    return 0;
}

/* every fit record is a concentration-response fit: the page has no
 * kinetics (their parameters are in the concentration-response section,
 * with their units) */
int all_doseresp(const out_t *O)
{
    const rep_t *R = O->R;
    size_t n = 0;
    for (size_t i = 0; i < R->ntabs; i++) {
        const stab *f = &R->tabs[i];
        if (strcmp(f->schema, "fit")) continue;
        for (size_t r = 0; r < f->nrow; r++, n++)
            if (!is_cr_row(f, r)) return 0;
    }
    return n > 0;
}

/* row r of table s belongs to fit row fr of f: the fit's group columns (those
 * before model) have the same values in s (a column s lacks: no match) */
static int same_group(const stab *f, size_t fr, const stab *s, size_t r)
{
    int cm = stab_col(f, "model");
    for (int j = 0; j < cm; j++) {
        int c = stab_col(s, f->cols[j]);
        if (c < 0 || !field_eq(stab_f(s, r, c), stab_f(f, fr, j))) return 0;
    }
    return 1;
}

static double num(const stab *f, size_t r, const char *col)
{
    int c = stab_col(f, col);
    return c < 0 ? NAN : stab_num(f, r, c);
}

static double model4(double x, double bottom, double top, double ec50, double hill)
{
    if (x <= 0) return hill > 0 ? bottom : top;
    return bottom + (top - bottom) / (1 + exp(hill * (log(ec50) - log(x))));
}

static void fmtnum(char *buf, size_t len, double v)
{
    if (isnan(v)) snprintf(buf, len, "unbounded");
    else snprintf(buf, len, "%.4g", v);
}

/* one group: the figure, the table, the adequacy line */
static void one_fit(const out_t *O, const stab *f, size_t fr, size_t k, zn_buf *b)
{
    const rep_t *R = O->R;
    const zn_meta *fm = stab_meta(f, fr);
    char xcol[64], ycol[64], ci[16];
    fit_meta(fm, "x", xcol, sizeof xcol);
    fit_meta(fm, "y", ycol, sizeof ycol);
    fit_meta(fm, "ci", ci, sizeof ci);
    int cm = stab_col(f, "model");
    char *label = group_label(f, fr, NULL, 0);
    if (cm > 0) {
        int *by = zn_malloc((size_t)cm * sizeof *by);
        for (int j = 0; j < cm; j++) by[j] = j;
        free(label);
        label = group_label(f, fr, by, (size_t)cm);
        free(by);
    }
    const char *status = stab_f(f, fr, stab_col(f, "status"));
    int ok = !strcmp(status, "ok");
    double bottom = num(f, fr, "bottom"), top = num(f, fr, "top"), ec50 = num(f, fr, "ec50"), hill = num(f, fr, "hill");
    double elo = num(f, fr, "ec50_lo"), ehi = num(f, fr, "ec50_hi");

    /* the replicates: records with the fit's x and y, of the fit's group */
    double *x = NULL, *y = NULL;
    size_t n = 0, cap = 0;
    char xunit[32] = "", yunit[32] = "";
    for (size_t i = 0; i < R->ntabs; i++) {
        const stab *s = &R->tabs[i];
        if (strcmp(s->schema, "means") && strcmp(s->schema, "uptake") && strcmp(s->schema, "metrics")) continue;
        int cx = stab_col(s, xcol), cy = stab_col(s, ycol);
        if (cx < 0 || cy < 0) continue;
        for (size_t r = 0; r < s->nrow; r++) {
            if (!same_group(f, fr, s, r)) continue;
            double xv = stab_num(s, r, cx), yv = stab_num(s, r, cy);
            if (!isfinite(xv) || !isfinite(yv) || xv < 0) continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 32;
                x = zn_realloc(x, cap * sizeof *x);
                y = zn_realloc(y, cap * sizeof *y);
            }
            x[n] = xv;
            y[n++] = yv;
            const char *u = meta_unit(stab_meta(s, r), ycol);
            if (u && !*yunit) snprintf(yunit, sizeof yunit, "%s", u);
        }
    }
    /* the x unit from the column's name (conc_uM) */
    const char *us = strrchr(xcol, '_');
    if (us && us[1]) snprintf(xunit, sizeof xunit, "%s", us + 1);

    /* the curve and band */
    const stab *cv = NULL;
    size_t *crow = NULL, ncr = 0;
    for (size_t i = 0; i < R->ntabs && !ncr; i++) {
        const stab *s = &R->tabs[i];
        if (strcmp(s->schema, "curve")) continue;
        int ccm = stab_col(s, "model");
        crow = zn_realloc(crow, (s->nrow + 1) * sizeof *crow);
        for (size_t r = 0; r < s->nrow; r++)
            if (ccm >= 0 && !strcmp(stab_f(s, r, ccm), stab_f(f, fr, cm)) && same_group(f, fr, s, r)) crow[ncr++] = r;
        if (ncr) cv = s;
    }
    int cx = cv ? stab_col(cv, "x") : -1, cyl = cv ? stab_col(cv, "y_lo") : -1, cyh = cv ? stab_col(cv, "y_hi") : -1;

    /* ranges: positive x on decades; y over points, curve and band */
    double xmin = INFINITY, xmax = 0, ylo = INFINITY, yhi = -INFINITY;
    int have0 = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] == 0) have0 = 1;
        else xmin = fmin(xmin, x[i]), xmax = fmax(xmax, x[i]);
        ylo = fmin(ylo, y[i]), yhi = fmax(yhi, y[i]);
    }
    for (size_t i = 0; i < ncr; i++) {
        double xx = stab_num(cv, crow[i], cx);
        if (xx == 0) have0 = 1;
        else if (!n && xx > 0) xmin = fmin(xmin, xx), xmax = fmax(xmax, xx);
        double l = stab_num(cv, crow[i], cyl), h = stab_num(cv, crow[i], cyh);
        if (isfinite(l)) ylo = fmin(ylo, l);
        if (isfinite(h)) yhi = fmax(yhi, h);
    }
    double dmin = xmin, dmax = xmax; /* the positive concentrations measured: the model is drawn solid over them */
    if (ok && isfinite(ec50) && ec50 > 0) xmin = fmin(xmin, ec50), xmax = fmax(xmax, ec50);
    if (!(xmax > 0) || !isfinite(xmin)) xmin = 0.1, xmax = 10;
    if (!isfinite(ylo)) ylo = 0, yhi = 1;

    char id[64];
    snprintf(id, sizeof id, "fig-doseresp-%zu", k + 1);
    zn_svg_figure_open(b, id);
    char *alabel = zn_asprintf("concentration-response of %s", label);
    zn_svg_open(b, 640, 340, alabel);
    free(alabel);
    /* the log panel, and the controls' panel left of it */
    zn_plot p, c;
    zn_plot_init(&p, b, 164, 28, 446, 250);
    zn_axis_log(&p.x, xmin / 2, xmax * 2, 8);
    double pad = 0.04 * (yhi - ylo); /* the highest and lowest points inside the frame, not on it */
    zn_axis_linear(&p.y, ylo - pad, yhi + pad, 8);
    zn_plot_init(&c, b, 86, 28, 62, 250);
    zn_axis_linear(&c.x, -1, 1, 2);
    c.y = p.y;
    /* the band: the curve's rows with x > 0 on the log panel, x = 0 on the controls' */
    if (ncr) {
        zn_buf_adds(b, "<path class=\"band\" fill=\"#000\" fill-opacity=\"0.12\" stroke=\"none\" d=\"");
        size_t m = 0;
        for (size_t i = 0; i < ncr; i++) {
            double xx = stab_num(cv, crow[i], cx), h = stab_num(cv, crow[i], cyh);
            if (!(xx >= p.x.lo && xx <= p.x.hi) || isnan(h)) continue;
            zn_buf_addf(b, "%s%.1f %.1f", m++ ? "L" : "M", zn_plot_x(&p, xx), zn_plot_y(&p, fmin(h, p.y.hi)));
        }
        for (size_t i = ncr; i-- > 0;) {
            double xx = stab_num(cv, crow[i], cx), l = stab_num(cv, crow[i], cyl);
            if (!(xx >= p.x.lo && xx <= p.x.hi) || isnan(l)) continue;
            zn_buf_addf(b, "L%.1f %.1f", zn_plot_x(&p, xx), zn_plot_y(&p, fmax(l, p.y.lo)));
        }
        zn_buf_adds(b, m ? "Z\"/>\n" : "\"/>\n");
        for (size_t i = 0; i < ncr; i++) {
            double xx = stab_num(cv, crow[i], cx), l = stab_num(cv, crow[i], cyl), h = stab_num(cv, crow[i], cyh);
            if (xx != 0 || isnan(l) || isnan(h)) continue;
            zn_buf_addf(b, "<rect class=\"band0\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#000\" "
                           "fill-opacity=\"0.12\"/>\n",
                        c.L + 4, zn_plot_y(&c, fmin(h, c.y.hi)), c.W - 8,
                        zn_plot_y(&c, fmax(l, c.y.lo)) - zn_plot_y(&c, fmin(h, c.y.hi)));
        }
    }
    if (ok) {
        /* the curve, and its limit at x = 0 on the controls' panel */
        /* solid over the concentrations measured; beyond them, to the axis ends, thin and dashed: the
         * model there is an extrapolation (and has no band where the curve stream has none) */
        double xs[201], ys[201];
        int have_d = isfinite(dmin) && dmax >= dmin && dmin > 0;
        double seg[3][2] = {{p.x.lo, have_d ? dmin : p.x.lo}, {have_d ? dmin : p.x.lo, have_d ? dmax : p.x.hi},
                            {have_d ? dmax : p.x.hi, p.x.hi}};
        for (int sgi = 0; sgi < 3; sgi++) {
            double a = fmax(seg[sgi][0], p.x.lo), e = fmin(seg[sgi][1], p.x.hi);
            if (!(e > a)) continue;
            for (int i = 0; i <= 200; i++) {
                xs[i] = exp(log(a) + (log(e) - log(a)) * i / 200.0);
                ys[i] = model4(xs[i], bottom, top, ec50, hill);
            }
            zn_svg_polyline(&p, xs, ys, 201,
                            sgi == 1 ? "class=\"model\" stroke=\"#0072B2\" stroke-width=\"1.8\""
                                     : "class=\"extrapolated\" stroke=\"#0072B2\" stroke-width=\"1\" stroke-dasharray=\"4 3\"");
        }
        double y0 = model4(0, bottom, top, ec50, hill);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#0072B2\" stroke-width=\"1.8\"/>\n",
                    c.L + 4, c.L + c.W - 4, zn_plot_y(&c, y0), zn_plot_y(&c, y0));
        /* the ec50: a dashed line down to the axis, its interval as a bar at half effect */
        if (isfinite(ec50) && ec50 >= p.x.lo && ec50 <= p.x.hi) {
            double half = (bottom + top) / 2, xe = zn_plot_x(&p, ec50), yh = zn_plot_y(&p, half);
            zn_buf_addf(b, "<line class=\"ec50\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#D55E00\" "
                           "stroke-dasharray=\"4 3\"/>\n",
                        xe, xe, yh, p.T + p.H);
            double l = isfinite(elo) && elo > 0 ? fmax(elo, p.x.lo) : p.x.lo;
            double h = isfinite(ehi) ? fmin(ehi, p.x.hi) : p.x.hi;
            double xl = zn_plot_x(&p, l), xh = zn_plot_x(&p, h);
            zn_buf_addf(b, "<line class=\"ec50ci\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#D55E00\" "
                           "stroke-width=\"2\"/>",
                        xl, xh, yh, yh);
            zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#D55E00\" stroke-width=\"2\"/>",
                        xl, xl, yh - 5, yh + 5);
            zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#D55E00\" stroke-width=\"2\"/>\n",
                        xh, xh, yh - 5, yh + 5);
            zn_svg_marker_c(b, "#D55E00", 3, xe, yh, 4, 1);
            char e1[32], e2[32], e3[32];
            snprintf(e1, sizeof e1, "%.3g", ec50);
            fmtnum(e2, sizeof e2, elo);
            fmtnum(e3, sizeof e3, ehi);
            zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"tk\" fill=\"#D55E00\">ec50 %s [%s, %s] %s</text>\n",
                        xe + 6, yh + (hill > 0 ? 16 : -8), e1, e2, e3, xunit);
        }
    }
    /* replicates (open) and the mean per concentration (filled, SD whisker) */
    double *ux = zn_malloc((n + 1) * sizeof *ux);
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        const zn_plot *q = x[i] == 0 ? &c : &p;
        /* at its own concentration, as the mean: a sideways shift reads as a miss of the curve (the review, item 1) */
        double px = x[i] == 0 ? c.L + c.W / 2 : zn_plot_x(&p, x[i]);
        zn_svg_marker(b, 0, px, zn_plot_y(q, y[i]), 3, 0);
        size_t j;
        for (j = 0; j < nu; j++)
            if (ux[j] == x[i]) break;
        if (j == nu) ux[nu++] = x[i];
    }
    for (size_t j = 0; j < nu; j++) {
        double s = 0, ss = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (x[i] == ux[j]) s += y[i], m++;
        double mu = s / (double)m;
        for (size_t i = 0; i < n; i++)
            if (x[i] == ux[j]) ss += (y[i] - mu) * (y[i] - mu);
        double sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
        const zn_plot *q = ux[j] == 0 ? &c : &p;
        double px = ux[j] == 0 ? c.L + c.W / 2 : zn_plot_x(&p, ux[j]);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", px, px,
                    zn_plot_y(q, mu - sd), zn_plot_y(q, mu + sd), zn_svg_colour[0]);
        zn_svg_marker(b, 0, px, zn_plot_y(q, mu), 3.4, 1);
    }
    free(ux);
    char xl[120], yl[160];
    snprintf(xl, sizeof xl, "%s (log scale)", xcol);
    snprintf(yl, sizeof yl, "%s%s%s%s", ycol, *yunit ? " (" : "", yunit, *yunit ? ")" : "");
    char *ti = zn_asprintf("%s: %s", label, stab_f(f, fr, cm));
    /* the y axis is the controls' panel's: the log panel gets its grid lines only */
    for (size_t i = 0; i < p.y.n; i++) {
        double yy = zn_plot_y(&p, p.y.t[i]);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", p.L, p.L + p.W, yy, yy);
    }
    zn_plot pn = p;
    pn.y.n = 0;
    zn_svg_axes(&pn, ti, xl, NULL, 1);
    free(ti);
    /* the controls' panel: no x ticks but "0", the y axis for both */
    zn_svg_axes(&c, NULL, NULL, yl, 0);
    zn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tk\">%s</text>\n", c.L + c.W / 2,
                c.T + c.H + 16, have0 ? "0 (control)" : "0");
    /* the break between the panels: two slanted strokes on the axis line */
    double by = p.T + p.H;
    for (int s = 0; s < 2; s++) {
        double bx = (s ? p.L : c.L + c.W);
        zn_buf_addf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>", bx - 3, bx + 3, by + 5,
                    by - 5);
    }
    zn_buf_adds(b, "\n");
    zn_svg_close(b);
    char *capt = zn_asprintf(
        "%s (%s): each replicate (open; %zu, from the stream with %s and %s), the mean and SD per concentration "
        "(filled, whisker; both at their concentration), the fitted curve over the concentrations measured (solid; thin dashed beyond them: "
        "extrapolated)%s; the ec50 with its 95%% interval (%s) at half effect. Controls (x = 0) "
        "on their own panel left of the broken axis, where the curve has its limit.",
        label, status, n, xcol, ycol, ncr ? " and its 95% confidence band (grey)" : "",
        !strcmp(ci, "profile") ? "profile likelihood" : "Wald");
    zn_svg_figure_close(b, capt);
    free(capt);

    /* no estimates (the data do not determine the curve): say why (the
     * reason carries the ec50 interval when a step still has one), instead of
     * an empty table and adequacy tests of a fit that does not exist */
    if (!isfinite(ec50)) {
        const char *why = stab_col(f, "reason") >= 0 ? stab_f(f, fr, stab_col(f, "reason")) : "";
        zn_buf_adds(b, "<p class=\"nofit\">No estimates (");
        zn_svg_esc(b, status);
        zn_buf_adds(b, "): ");
        zn_svg_esc(b, *why ? why : "the fit gave none");
        zn_buf_adds(b, ". No adequacy tests without a fit.</p>\n");
        free(crow);
        free(x);
        free(y);
        free(label);
        return;
    }

    /* the table: Wald from SE and t(df), and the record's own interval */
    double df = num(f, fr, "df"), t = df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : NAN;
    zn_buf_adds(b, "<table class=\"doseresp\"><caption>");
    zn_svg_esc(b, label);
    zn_buf_addf(b, ": parameters, 95%% intervals (Wald: estimate +- t(%g) SE; %s: as zn-mm-fit gave them)</caption>\n"
                   "<tr><th>parameter</th><th>estimate</th><th>SE</th><th>Wald lo</th><th>Wald hi</th><th>%s lo</th>"
                   "<th>%s hi</th></tr>\n",
                df, !strcmp(ci, "profile") ? "profile" : "fit", !strcmp(ci, "profile") ? "profile" : "fit",
                !strcmp(ci, "profile") ? "profile" : "fit");
    static const char *const par[] = {"bottom", "top", "ec50", "hill"};
    for (int i = 0; i < 4; i++) {
        char nm[32];
        double v = num(f, fr, par[i]), se;
        snprintf(nm, sizeof nm, "%s_se", par[i]);
        se = num(f, fr, nm);
        char lo[32], hi[32];
        snprintf(nm, sizeof nm, "%s_lo", par[i]);
        double l = num(f, fr, nm);
        snprintf(nm, sizeof nm, "%s_hi", par[i]);
        double h = num(f, fr, nm);
        if (isnan(v)) continue;
        if (isnan(se)) { /* a held parameter */
            zn_buf_addf(b, "<tr><td>%s</td><td class=\"n\">%.4g</td><td colspan=\"5\">held</td></tr>\n", par[i], v);
            continue;
        }
        fmtnum(lo, sizeof lo, l);
        fmtnum(hi, sizeof hi, h);
        zn_buf_addf(b, "<tr><td>%s</td><td class=\"n\">%.4g</td><td class=\"n\">%.3g</td><td class=\"n\">%.4g</td>"
                       "<td class=\"n\">%.4g</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                    par[i], v, se, v - t * se, v + t * se, lo, hi);
    }
    zn_buf_adds(b, "</table>\n");
    /* adequacy, a line */
    double lofF = num(f, fr, "lof_F"), lofp = num(f, fr, "lof_p"), runs = num(f, fr, "runs"), runsp = num(f, fr, "runs_p");
    double K2 = num(f, fr, "normality_K2"), np = num(f, fr, "normality_p"), nout = num(f, fr, "outliers");
    const char *op = stab_col(f, "outlier_points") >= 0 ? stab_f(f, fr, stab_col(f, "outlier_points")) : "";
    zn_buf_adds(b, "<p class=\"adequacy\">Is the model adequate? ");
    if (isfinite(lofF)) zn_buf_addf(b, "Replicates test (lack of fit): F = %.3g, p = %.3g. ", lofF, lofp);
    else zn_buf_adds(b, "Replicates test: none (no concentration has replicates). ");
    if (isfinite(runs)) zn_buf_addf(b, "Runs test: %g runs, p = %.3g. ", runs, runsp);
    if (isfinite(K2)) zn_buf_addf(b, "Normality of residuals (D'Agostino-Pearson): K2 = %.3g, p = %.3g. ", K2, np);
    else zn_buf_adds(b, "D'Agostino-Pearson normality test: not done (fewer than 8 points). ");
    if (isfinite(num(f, fr, "shapiro_W"))) zn_buf_addf(b, "Shapiro-Wilk: W = %.4g, p = %.3g. ", num(f, fr, "shapiro_W"), num(f, fr, "shapiro_p"));
    if (isfinite(nout)) {
        zn_buf_addf(b, "ROUT outliers: %g", nout);
        if (*op) {
            zn_buf_adds(b, " (x:y ");
            zn_svg_esc(b, op);
            zn_buf_adds(b, ")");
        }
        zn_buf_adds(b, ".");
    }
    zn_buf_adds(b, "</p>\n");
    free(crow);
    free(x);
    free(y);
    free(label);
}

void html_doseresp(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    size_t k = 0;
    for (size_t i = 0; i < R->ntabs; i++) {
        const stab *f = &R->tabs[i];
        if (strcmp(f->schema, "fit")) continue;
        for (size_t r = 0; r < f->nrow; r++)
            if (is_cr_row(f, r)) one_fit(O, f, r, k++, b);
    }
}
