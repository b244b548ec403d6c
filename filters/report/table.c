/* table.c - report tables: rows of text and numbers, printed as aligned
 * text, TSV (numbers in full) or Markdown, and as HTML. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rtab_init(rtab *t, const char *name, const char *title, const char *cols)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->title = title;
    char *copy = zn_strdup(cols), *save = NULL;
    size_t cap = 0;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        zn_grow(&t->hdr, &cap, t->ncol + 1, sizeof *t->hdr);
        t->hdr[t->ncol++] = zn_strdup(p);
    }
    free(copy);
}

static rcell *rtab_next(rtab *t)
{
    zn_grow(&t->c, &t->cap, t->n + 1, sizeof *t->c);
    return &t->c[t->n++];
}
void rtab_s(rtab *t, const char *s) { rtab_next(t)->s = zn_strdup(s ? s : ""); }
void rtab_sf(rtab *t, char *s) { rtab_next(t)->s = s; }
void rtab_n(rtab *t, double v)
{
    rcell *c = rtab_next(t);
    c->s = NULL;
    c->v = v;
}
size_t rtab_rows(const rtab *t) { return t->ncol ? t->n / t->ncol : 0; }

void rtab_free(rtab *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->c[i].s);
    for (size_t i = 0; i < t->ncol; i++) free(t->hdr[i]);
    free(t->c);
    free(t->hdr);
}

/* a cell as text: numbers in full (round trip) for TSV, 4 significant
 * digits for reading: 0.0003215 beside 0.001698 (not 3.215e-04), an
 * exponent from 1e-4 down, where the zeros would hide the digits */
const char *rcell_text(const rcell *c, int full, char buf[48])
{
    if (c->s) return c->s;
    if (isnan(c->v)) return "";
    if (full) zn_fmt_double(buf, c->v);
    else if (c->v != 0 && (fabs(c->v) >= 1e6 || fabs(c->v) < 1e-4)) snprintf(buf, 48, "%.3e", c->v);
    else snprintf(buf, 48, "%.4g", c->v);
    return buf;
}

void rtab_print(const rtab *t, int fmt, int named, zn_buf *b)
{
    size_t nr = rtab_rows(t), nc = t->ncol;
    char buf[48];
    if (fmt == FMT_TSV) {
        if (named) zn_buf_addf(b, "## %s\n", t->name);
        for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%s", j ? "\t" : "", t->hdr[j]);
        zn_buf_addc(b, '\n');
        for (size_t i = 0; i < nr; i++) {
            for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%s", j ? "\t" : "", rcell_text(&t->c[i * nc + j], 1, buf));
            zn_buf_addc(b, '\n');
        }
        return;
    }
    if (fmt == FMT_MD) {
        zn_buf_addf(b, "### %s\n\n|", t->title);
        for (size_t j = 0; j < nc; j++) zn_buf_addf(b, " %s |", t->hdr[j]);
        zn_buf_adds(b, "\n|");
        for (size_t j = 0; j < nc; j++) zn_buf_adds(b, t->c && !t->c[j].s ? " ---: |" : " --- |");
        zn_buf_addc(b, '\n');
        for (size_t i = 0; i < nr; i++) {
            zn_buf_addc(b, '|');
            for (size_t j = 0; j < nc; j++) {
                zn_buf_addc(b, ' ');
                for (const char *p = rcell_text(&t->c[i * nc + j], 0, buf); *p; p++) {
                    if (*p == '|') zn_buf_addc(b, '\\');
                    zn_buf_addc(b, *p);
                }
                zn_buf_adds(b, " |");
            }
            zn_buf_addc(b, '\n');
        }
        return;
    }
    size_t *w = zn_calloc(nc, sizeof *w);
    for (size_t j = 0; j < nc; j++) w[j] = strlen(t->hdr[j]);
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            size_t l = strlen(rcell_text(&t->c[i * nc + j], 0, buf));
            if (l > w[j]) w[j] = l;
        }
    zn_buf_addf(b, "%s\n", t->title);
    for (size_t j = 0; j < nc; j++) zn_buf_addf(b, "%s%-*s", j ? "  " : "", j + 1 < nc ? (int)w[j] : 0, t->hdr[j]);
    zn_buf_addc(b, '\n');
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            const rcell *c = &t->c[i * nc + j];
            int wj = c->s ? (j + 1 < nc ? -(int)w[j] : 0) : (int)w[j]; /* no spaces after the last text */
            zn_buf_addf(b, "%s%*s", j ? "  " : "", wj, rcell_text(c, 0, buf));
        }
        while (b->n && b->s[b->n - 1] == ' ') b->s[--b->n] = 0; /* an empty last column */
        zn_buf_addc(b, '\n');
    }
    free(w);
}

/* HTML header text: a break opportunity after each underscore, so that a
 * long column name (dynamic_range_median) wraps inside its column and a
 * table of many columns fits the page instead of running off it */
static void th_text(zn_buf *b, const char *h)
{
    for (const char *p = h; *p; p++) {
        char c[2] = {*p, 0};
        zn_svg_esc(b, c);
        if (*p == '_' && p[1]) zn_buf_adds(b, "<wbr/>");
    }
}

/* a table of more columns than RTAB_WIDE and at most RTAB_FEW rows is written across (transposed) */
#define RTAB_WIDE 12
#define RTAB_FEW 6

/* a number right-aligned; a short text of no letters ("3, 3": n per
 * condition) kept on one line; other text wraps, a long one anywhere */
static void td_open(zn_buf *b, const rcell *c)
{
    if (!c->s) {
        zn_buf_adds(b, "<td class=\"n\">");
        return;
    }
    size_t l = strlen(c->s);
    int letters = 0;
    for (const char *p = c->s; *p; p++) letters |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
    /* a long text (a list of sources with DOIs) may break inside a word, so
     * that no word sets its column's width; a short one ("construct=mZIP8",
     * "pmol/mg/min") breaks only between words */
    zn_buf_adds(b, l && l <= 24 && !letters ? "<td class=\"k\">" : l > 40 ? "<td class=\"w\">" : "<td>");
}

static int cell_empty(const rcell *c) { return c->s ? !*c->s : isnan(c->v); }

void rtab_html(const rtab *t, zn_buf *b, size_t max)
{
    size_t nr = rtab_rows(t), nc = t->ncol;
    char buf[48];
    /* a column empty in every row (model comparison without --compare, counts
     * of an uncalibrated trace) takes no place on the page; the note names it */
    unsigned char *skip = zn_calloc(nc + 1, 1);
    zn_buf gone = {0};
    for (size_t j = 0; j < nc && nr; j++) {
        size_t i;
        for (i = 0; i < nr && cell_empty(&t->c[i * nc + j]); i++) {}
        if (i == nr) {
            skip[j] = 1;
            zn_buf_addf(&gone, "%s%s", gone.n ? ", " : "", t->hdr[j]);
        }
    }
    zn_buf_adds(b, "<div class=\"tw\"><table id=\"tab-");
    zn_svg_esc(b, t->name);
    /* many columns and few rows (the cells table: 17 columns, a row per
     * condition): one row per column, one column per row, so that every
     * column is on the page whatever its width */
    size_t shown = 0;
    for (size_t j = 0; j < nc; j++) shown += !skip[j];
    int across = shown > RTAB_WIDE && nr >= 1 && nr <= RTAB_FEW && nr <= max;
    zn_buf_addf(b, "\"%s><caption>", across ? " class=\"across\"" : "");
    zn_svg_esc(b, t->title);
    zn_buf_adds(b, "</caption>\n<tr>");
    if (across) {
        zn_buf_adds(b, "<th>");
        th_text(b, t->hdr[0]);
        zn_buf_adds(b, "</th>");
        for (size_t i = 0; i < nr; i++) {
            zn_buf_adds(b, "<th>");
            zn_svg_esc(b, rcell_text(&t->c[i * nc], 0, buf));
            zn_buf_adds(b, "</th>");
        }
        zn_buf_adds(b, "</tr>\n");
        for (size_t j = 1; j < nc; j++) {
            if (skip[j]) continue;
            zn_buf_adds(b, "<tr><th class=\"r\">");
            zn_svg_esc(b, t->hdr[j]);
            zn_buf_adds(b, "</th>");
            for (size_t i = 0; i < nr; i++) {
                const rcell *c = &t->c[i * nc + j];
                td_open(b, c);
                zn_svg_esc(b, rcell_text(c, 0, buf));
                zn_buf_adds(b, "</td>");
            }
            zn_buf_adds(b, "</tr>\n");
        }
        nr = 0; /* written */
    }
    for (size_t j = 0; j < nc && !across; j++) {
        if (skip[j]) continue;
        zn_buf_adds(b, "<th>");
        th_text(b, t->hdr[j]);
        zn_buf_adds(b, "</th>");
    }
    if (!across) zn_buf_adds(b, "</tr>\n");
    for (size_t i = 0; i < nr && i < max; i++) {
        zn_buf_adds(b, "<tr>");
        for (size_t j = 0; j < nc; j++) {
            if (skip[j]) continue;
            const rcell *c = &t->c[i * nc + j];
            td_open(b, c);
            zn_svg_esc(b, rcell_text(c, 0, buf));
            zn_buf_adds(b, "</td>");
        }
        zn_buf_adds(b, "</tr>\n");
    }
    zn_buf_adds(b, "</table></div>\n");
    if (gone.n) {
        zn_buf_addf(b, "<p class=\"note\">Left out, empty in every row: ");
        zn_svg_esc(b, gone.s);
        zn_buf_addf(b, " (zn-report --table %s --format tsv has every column).</p>\n", t->name);
    }
    if (nr > max)
        zn_buf_addf(b, "<p class=\"note\">%zu more rows: zn-report --table %s --format tsv lists them all.</p>\n", nr - max,
                    t->name);
    zn_buf_free(&gone);
    free(skip);
}
