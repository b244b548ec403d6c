/* page.c - the HTML page.  sections[] is the page: each row a section
 * (anchor, heading, whether it has anything, what it draws); the
 * navigation and the body both loop over it.  Also the flags and
 * provenance tables, and freeing what a run built. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the calibration failure among a metrics row's flags (';'-separated), or NULL */
static const char *metrics_cal_failure(const char *fl)
{
    static const char *const k[] = {"bad_calibration", "min_drift", "max_drift"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(k[i]);
        for (const char *p = fl; (p = strstr(p, k[i])); p += n)
            if ((p == fl || p[-1] == ';') && (p[n] == ';' || !p[n])) return k[i];
    }
    return NULL;
}

/* the flags other than the calibration failure (the consequences), in a static buffer */
static const char *fl_rest(const char *fl, const char *calf)
{
    static char out[256];
    size_t o = 0, n = strlen(calf);
    out[0] = 0;
    for (const char *p = fl; *p;) {
        size_t k = strcspn(p, ";");
        if (!(k == n && !strncmp(p, calf, n))) {
            int w = snprintf(out + o, sizeof out - o, "%s%.*s", o ? ";" : "", (int)k, p);
            if (w > 0 && (size_t)w < sizeof out - o) o += (size_t)w;
        }
        p += k;
        if (*p) p++;
    }
    return out;
}

/* whether the trace listed this cell as failed (its flag row is there) */
static int trace_failed(const rep_t *R, const char *sample, const char *cell)
{
    for (size_t i = 0; i < R->ncells; i++)
        if (!strcmp(R->cells[i].cell, cell) && !strcmp(R->cells[i].sample, sample)) return cell_failure(&R->cells[i]) != NULL;
    return 0;
}

void build_flags(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_FLAGS];
    rtab_init(t, "flags", "Flagged cells, dishes, wells and fits", "source,where,item,flag,detail");
    for (size_t i = 0; i < R->ncells; i++) {
        const cellsum_t *s = &R->cells[i];
        const char *fail = cell_failure(s);
        if (!fail) continue;
        rtab_s(t, "trace");
        rtab_s(t, s->sample);
        rtab_s(t, s->cell);
        rtab_s(t, fail);
        rtab_sf(t, zn_asprintf("condition %s: no [Zn] for any frame: %s", R->conds[s->cond].name,
                               s->why ? s->why : cell_failure_why(fail)));
    }
    /* a dish whose bleaching rate is not told from 0 (build_bleach) */
    const rtab *bt = &O->t[T_BLEACH];
    for (size_t r = 0, nc = bt->ncol; r < rtab_rows(bt); r++) {
        const rcell *c = &bt->c[r * nc];
        if (strcmp(c[6].s, "no")) continue;
        rtab_s(t, "bleach");
        rtab_s(t, c[1].s);
        rtab_s(t, c[2].s);
        rtab_s(t, "bleach_unresolved");
        rtab_sf(t, zn_asprintf("condition %s: k = %.3g +- %.3g per hour (SE), |k| < 2 SE: the rate corrected for is "
                               "not told from 0, and the corrected values (the resting level most) carry its error",
                               c[0].s, c[3].v, c[4].v));
    }
    const char *lin[8], *linf[8];
    for (size_t i = 0, n = linearity_notes(R, lin, linf, 8); i < n; i++) {
        rtab_s(t, "uptake");
        rtab_s(t, linf[i]);
        rtab_s(t, "");
        rtab_s(t, "linearity_untested");
        rtab_s(t, lin[i] + 9);
    }
    for (size_t i = 0; i < R->ntabs; i++) {
        stab *s = &R->tabs[i];
        int cf = stab_col(s, "flag");
        if (!strcmp(s->schema, "fit")) {
            int cs = stab_col(s, "status"), cr = stab_col(s, "reason"), cm = stab_col(s, "model");
            for (size_t r = 0; r < s->nrow; r++) {
                if (!strcmp(stab_f(s, r, cs), "ok")) continue;
                rtab_s(t, "fit");
                rtab_sf(t, group_label(s, r, O->bycol, s == O->fit ? O->nby : 0));
                rtab_s(t, stab_f(s, r, cm));
                rtab_s(t, stab_f(s, r, cs));
                rtab_s(t, stab_f(s, r, cr));
            }
            continue;
        }
        if (cf < 0) continue;
        int c1 = stab_col(s, "sample"), c2 = stab_col(s, "cell");
        if (!strcmp(s->schema, "uptake")) {
            c1 = stab_col(s, "construct");
            c2 = stab_col(s, "well");
        }
        int met = !strcmp(s->schema, "metrics");
        for (size_t r = 0; r < s->nrow; r++) {
            const char *fl = stab_f(s, r, cf);
            if (!*fl) continue;
            const char *calf = met ? metrics_cal_failure(fl) : NULL;
            if (calf) {
                /* a failed calibration: no [Zn], so no baseline, response window
                 * values or metrics; one row per cell, with that reason */
                if (trace_failed(R, stab_f(s, r, c1), stab_f(s, r, c2))) continue;
                rtab_s(t, s->schema);
                rtab_s(t, stab_f(s, r, c1));
                rtab_s(t, stab_f(s, r, c2));
                rtab_s(t, calf);
                rtab_sf(t, zn_asprintf("no [Zn] for any frame (%s): no baseline, response or metric follows (zn-metrics: %s)",
                                       cell_failure_why(calf), fl_rest(fl, calf)));
                continue;
            }
            rtab_s(t, s->schema);
            rtab_s(t, stab_f(s, r, c1));
            rtab_s(t, stab_f(s, r, c2));
            rtab_s(t, stab_f(s, r, cf));
            rtab_s(t, "");
        }
    }
}

void build_inputs(out_t *O)
{
    rep_t *R = O->R;
    rtab *t = &O->t[T_INPUTS];
    rtab_init(t, "inputs", "Inputs and how they were made", "file,schema,records,made_by");
    for (size_t i = 0; i < R->ninputs; i++) {
        input_t *p = &R->inputs[i];
        zn_buf b = {0};
        for (const char *l = p->pg; *l;) {
            size_t n = strcspn(l, " \n");
            zn_buf_addf(&b, "%s%.*s", b.n ? " | " : "", (int)n, l);
            l = strchr(l, '\n');
            if (!l) break;
            l++;
        }
        rtab_s(t, p->file);
        rtab_s(t, p->schema);
        rtab_n(t, (double)p->nrec);
        rtab_sf(t, b.s ? b.s : zn_strdup(""));
    }
}

/* ------------------------------------------------------------ sections */
static int has_trace(const out_t *O) { return O->R->have_trace; }
static int has_metrics(const out_t *O) { return O->met != NULL; }
static int has_kinetics(const out_t *O) { return O->ng > 0 && !all_doseresp(O); }
static int always(const out_t *O) { return O != NULL; }

static void sec_traces(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    long cells = 0;
    size_t shown = 0;
    for (size_t k = 0; k < R->nconds; k++) {
        cells += R->conds[k].seen;
        shown += R->conds[k].nres;
    }
    zn_buf_addf(b, "<p class=\"note\">%ld cells, %ld records of %s. ", cells, R->ntrace_rec, R->signal);
    if (shown < (size_t)cells)
        zn_buf_addf(b, "Single-cell lines and the heatmap show a random sample of %zu cells (at most %zu per "
                       "condition, fixed seed: the same page every run); means, SEM and tables use all cells. ",
                    shown, R->a->ncells);
    else zn_buf_adds(b, "Every cell is shown. ");
    if (isfinite(R->cal_start) && !R->a->whole)
        zn_buf_addf(b, "The panels show the experiment: up to the end of the response window, before the first "
                       "calibration window (%g s); the calibration phases are in the next section (--whole-trace draws "
                       "everything).",
                    R->cal_start);
    zn_buf_adds(b, "</p>\n");
    html_traces(O, b);
    html_heatmap(O, b);
}

static void sec_calibration(const out_t *O, zn_buf *b)
{
    html_calibration(O, b);
    rtab_html(&O->t[T_CELLS], b, 1000);
    if (rtab_rows(&O->t[T_CONTEXT])) rtab_html(&O->t[T_CONTEXT], b, 1000);
    const rtab *bt = &O->t[T_BLEACH];
    if (rtab_rows(bt)) {
        size_t no = 0;
        zn_dict dd = {0}, dn = {0};
        for (size_t r = 0; r < rtab_rows(bt); r++) {
            zn_dict_put(&dd, bt->c[r * bt->ncol + 1].s, 0);
            if (!strcmp(bt->c[r * bt->ncol + 6].s, "no")) no++, zn_dict_put(&dn, bt->c[r * bt->ncol + 1].s, 0);
        }
        zn_buf_addf(b, "<p class=\"note\">Photobleaching was corrected before the calibration (zn-bleach: one "
                       "exponential rate per dish and channel, fitted in the windows its ##bleach= line names). %zu of "
                       "the %zu rates, in %zu of %zu dishes, are not resolved (|k| &lt; 2 SE: not told from no "
                       "bleaching); the flags list them.</p>\n",
                    no, rtab_rows(bt), dn.n, dd.n);
        zn_dict_free(&dd);
        zn_dict_free(&dn);
        rtab_html(bt, b, 1000);
    }
}

static void sec_metrics(const out_t *O, zn_buf *b)
{
    const char *ms = zn_meta_get(&O->met->meta, "metrics");
    if (ms) {
        zn_buf_adds(b, "<p class=\"note\">zn-metrics: ");
        zn_svg_esc(b, ms);
        zn_buf_adds(b, "</p>\n");
    }
    if (O->R->a->unit == UNIT_CELL)
        zn_buf_adds(b, "<p class=\"note\"><b>Cells as replicates (--unit cell).</b> Cells of one dish share its "
                       "loading, its imaging and its history: their p values overstate the evidence. The default "
                       "takes the dish (the sample column) as the unit.</p>\n");
    else
        zn_buf_adds(b, "<p class=\"note\">The experimental unit is the dish (the <code>sample</code> column): each "
                       "dish contributes the mean of its cells, n counts dishes, and the tests compare dish means "
                       "(Welch t for two conditions, one-way ANOVA for more). The responder share is compared as "
                       "per-dish fractions. p values are adjusted over the metrics by Holm's method (p_holm); both "
                       "are shown.</p>\n");
    if (O->nmcond < 2) {
        zn_buf_adds(b, "<p><b>One condition");
        if (O->nmcond) {
            zn_buf_adds(b, " (");
            zn_svg_esc(b, O->mcond[0]);
            zn_buf_adds(b, ")");
        }
        zn_buf_adds(b, ": nothing to compare</b>; the figures and the table describe it alone.</p>\n");
    }
    html_metrics(O, b);
    rtab_html(&O->t[T_METRICS], b, 1000);
    if (O->nmcond >= 2) rtab_html(&O->t[T_TESTS], b, 1000);
    if (!O->R->have_trace && rtab_rows(&O->t[T_CONTEXT])) rtab_html(&O->t[T_CONTEXT], b, 1000);
}

static void sec_kinetics(const out_t *O, zn_buf *b)
{
    if (O->fit) {
        const char *fm = zn_meta_get(&O->fit->meta, "fit");
        zn_buf_adds(b, "<p class=\"note\">zn-mm-fit: ");
        zn_svg_esc(b, fm ? fm : "");
        zn_buf_adds(b, ". Points, residuals and the replicate table are the data the fit was made from.</p>\n");
    }
    const char *lin[8], *linf[8];
    for (size_t i = 0, n = linearity_notes(O->R, lin, linf, 8); i < n; i++) {
        const char *base = strrchr(linf[i], '/');
        zn_buf_adds(b, "<p class=\"note\"><b>Linearity untested</b> (");
        zn_svg_esc(b, base ? base + 1 : linf[i]);
        zn_buf_adds(b, "): ");
        zn_svg_esc(b, lin[i] + 9);
        zn_buf_adds(b, ".</p>\n");
    }
    html_kinetics(O, b);
    rtab_html(&O->t[T_FITS], b, 1000);
    rtab_html(&O->t[T_FITSTATS], b, 1000);
    if (rtab_rows(&O->t[T_UPTAKE])) rtab_html(&O->t[T_UPTAKE], b, 1000);
    else if (O->fit)
        zn_buf_adds(b, "<p class=\"note\">No uptake stream was given: the per-concentration data (replicate means and SD) "
                       "are not on this page; give the stream the fit was made from (e.g. ASSAY.specific.znr.gz) "
                       "to draw and tabulate them.</p>\n");
}

/* the curves; when they are the only fits (no kinetics section), also the
 * goodness of fit table the kinetics section would have shown */
static void sec_doseresp(const out_t *O, zn_buf *b)
{
    html_doseresp(O, b);
    if (all_doseresp(O)) rtab_html(&O->t[T_FITSTATS], b, 1000);
}

static void sec_flags(const out_t *O, zn_buf *b)
{
    if (rtab_rows(&O->t[T_FLAGS])) rtab_html(&O->t[T_FLAGS], b, 500);
    else zn_buf_adds(b, "<p>Nothing flagged.</p>\n");
}

static void sec_provenance(const out_t *O, zn_buf *b)
{
    const rep_t *R = O->R;
    rtab_html(&O->t[T_INPUTS], b, 1000);
    for (size_t i = 0; i < R->ninputs; i++) {
        zn_buf_adds(b, "<details><summary>");
        zn_svg_esc(b, R->inputs[i].file);
        zn_buf_adds(b, " (");
        zn_svg_esc(b, R->inputs[i].schema);
        zn_buf_adds(b, ")</summary><pre>");
        zn_svg_esc(b, *R->inputs[i].pg ? R->inputs[i].pg : "(no ##pg lines)");
        zn_buf_adds(b, "</pre></details>\n");
    }
    zn_buf_adds(b, "<pre>");
    zn_svg_esc(b, R->a->o.pg);
    zn_buf_adds(b, "</pre>\n");
}

static const struct {
    const char *id, *nav, *heading;
    int (*has)(const out_t *);
    void (*draw)(const out_t *, zn_buf *);
} sections[] = {
    {"traces", "Traces", "Traces", has_trace, sec_traces},
    {"calibration", "Calibration", "Calibration", has_trace, sec_calibration},
    {"metrics", "Metrics", "Response metrics", has_metrics, sec_metrics},
    {"kinetics", "Kinetics", "Kinetics", has_kinetics, sec_kinetics},
    {"doseresp", "Concentration-response", "Concentration-response", has_doseresp, sec_doseresp},
    {"flags", "Flags", "Flags", always, sec_flags},
    {"provenance", "Provenance", "Provenance", always, sec_provenance},
};
#define NSECTIONS (sizeof sections / sizeof *sections)

void write_html(const out_t *O, const char *path)
{
    const rep_t *R = O->R;
    const args_t *a = R->a;
    zn_buf b = {0};
    const char *title = a->title ? a->title : "znflow report";
    zn_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    zn_svg_esc(&b, title);
    zn_buf_adds(&b, "</title>\n<style>\n"
                    "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}\n"
                    "h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}\n"
                    "figure{display:inline-block;margin:0.5em 1em 1em 0;vertical-align:top}\n"
                    "figcaption{font-size:0.85em;max-width:620px;color:#444}\n"
                    "svg text{font-family:sans-serif}.tk{font-size:10px;fill:#333}.al{font-size:12px}"
                    ".ti{font-size:12px;font-weight:bold}.wl{font-size:9px;fill:#555}\n"
                    "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
                    "caption{text-align:left;font-weight:bold;padding:0.3em 0}\n"
                    "td,th{border:1px solid #ccc;padding:2px 6px}th.r{text-align:left}td.w{overflow-wrap:anywhere}"
                    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}"
                    "td.k{white-space:nowrap;overflow-wrap:normal}\n"
                    ".tw{overflow-x:auto}.note{font-size:0.9em;color:#555}pre{font-size:0.8em;white-space:pre-wrap}\n"
                    "nav a{margin-right:1em}\n</style>\n</head>\n<body>\n<h1>");
    zn_svg_esc(&b, title);
    zn_buf_addf(&b, "</h1>\n<p class=\"note\">Made by zn-report %s from %zu input segment%s. Tables as TSV: "
                    "<code>zn-report --format tsv</code>.</p>\n<nav>",
                ZN_VERSION, R->ninputs, R->ninputs == 1 ? "" : "s");
    for (size_t i = 0; i < NSECTIONS; i++)
        if (sections[i].has(O)) zn_buf_addf(&b, "<a href=\"#%s\">%s</a>", sections[i].id, sections[i].nav);
    zn_buf_adds(&b, "</nav>\n");
    for (size_t i = 0; i < NSECTIONS; i++) {
        if (!sections[i].has(O)) continue;
        zn_buf_addf(&b, "<section id=\"%s\">\n<h2>%s</h2>\n", sections[i].id, sections[i].heading);
        sections[i].draw(O, &b);
        zn_buf_adds(&b, "</section>\n");
    }
    zn_buf_adds(&b, "</body>\n</html>\n");
    char err[600];
    zn_wr *w = zn_wr_open(path, 0, 1, err, sizeof err);
    if (!w) zn_die(ZN_EXIT_DATA, "--html: %s", err);
    zn_wr_text(w, b.s, b.n);
    if (zn_wr_close(w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "--html: %s", err);
    zn_buf_free(&b);
}

/* ------------------------------------------------------------ freeing */
static void free_group(fgroup_t *g)
{
    free(g->label);
    free(g->data_file);
    double *arr[] = {g->x, g->y, g->I, g->ctrl, g->rx, g->rI, g->rmean, g->rsd, g->rtot, g->rctl, g->rctl_sd,
                     g->se, g->wn, g->wsd, g->rse};
    for (size_t i = 0; i < sizeof arr / sizeof *arr; i++) free(arr[i]);
}

static void free_metric(metric_t *M, size_t K)
{
    for (size_t k = 0; M->val && k < K; k++) {
        free(M->val[k]);
        free(M->cellv[k]);
        free(M->cellsample[k]);
    }
    free(M->val);
    free(M->len);
    free(M->cellv);
    free(M->celln);
    free(M->cellsample);
    free(M->note);
}

void report_free(rep_t *R, out_t *O)
{
    for (size_t i = 0; i < NT; i++) rtab_free(&O->t[i]);
    for (size_t k = 0; k < O->ng; k++) free_group(&O->g[k]);
    free(O->g);
    free(O->bycol);
    for (size_t m = 0; m < O->nmetric; m++) free_metric(&O->mt[m], O->nmcond);
    free(O->mt);
    for (size_t k = 0; k < O->nmcond; k++) free(O->mcond[k]);
    free(O->mcond);
    for (size_t d = 0; d < O->nmsample; d++) free(O->msample[d]);
    free(O->msample);
    free(O->msample_cond);
    for (size_t i = 0; i < R->ninputs; i++) {
        free(R->inputs[i].file);
        free(R->inputs[i].schema);
        free(R->inputs[i].pg);
    }
    free(R->inputs);
    for (size_t i = 0; i < R->ntabs; i++) {
        stab *s = &R->tabs[i];
        for (size_t j = 0; j < s->nrow * s->ncols; j++) free(s->f[j]);
        for (size_t j = 0; j < s->ncols; j++) free(s->cols[j]);
        for (size_t j = 0; j < s->nseg; j++) {
            free(s->segs[j].file);
            zn_meta_clear(&s->segs[j].meta);
            free(s->segs[j].meta.v);
        }
        free(s->segs);
        free(s->seg);
        free(s->f);
        free(s->cols);
        free(s->schema);
        free(s->header);
        free(s->file);
        zn_meta_clear(&s->meta);
        free(s->meta.v);
    }
    free(R->tabs);
    zn_dict_free(&R->metric_cells);
    for (size_t k = 0; k < R->nconds; k++) {
        cond_t *c = &R->conds[k];
        for (size_t i = 0; i < c->nres; i++) {
            free(c->res[i].t);
            free(c->res[i].v);
            free(c->res[i].raw);
            free(c->res[i].slot);
            free(c->res[i].label);
            free(c->res[i].sample);
        }
        free(c->res);
        free(c->name);
        free(c->n);
        free(c->s);
        free(c->ss);
        free(c->tn);
        free(c->ts);
        for (size_t d = 0; d < c->ndish; d++) {
            free(c->dish[d].name);
            free(c->dish[d].n);
            free(c->dish[d].s);
        }
        free(c->dish);
        zn_dict_free(&c->ddict);
    }
    free(R->conds);
    zn_dict_free(&R->cdict);
    for (size_t i = 0; i < R->ncells; i++) {
        free(R->cells[i].sample);
        free(R->cells[i].cell);
        free(R->cells[i].why);
    }
    free(R->cells);
    for (size_t i = 0; i < R->nbch; i++) free(R->bch[i]);
    for (size_t i = 0; i < R->nbl; i++) free(R->bl[i].sample);
    free(R->bl);
    zn_dict_free(&R->bldict);
    free(R->wv[0]);
    free(R->wv[1]);
    for (size_t i = 0; i < R->nwin; i++) free(R->win[i].name);
    free(R->win);
    free(R->signal);
    free(R->sig_unit);
    free(R->cal_name);
    free(R->raw_name);
    free(R->raw_unit);
    free(R->compartment);
    free(R->system);
    free(R->calibration);
    free(R->ct);
    free(R->cv);
    free(R->craw);
    free(R->cf);
    free(R->frame_of);
    free(R->hkeys);
    zn_order_free(R->ord);
    lit_free();
}
