/* plate.c - plate readers -> plate records (ingest.h): Gen5 and BMG MARS
 * grids, SoftMax Pro Plate blocks, Tecan lists and grids. */
#define _GNU_SOURCE
#include "ingest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ grids (Gen5, BMG), SoftMax Pro, Tecan */

static int is_row_letter(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i])) return 0;
    return n == 1 || (s[0] == 'A' && s[1] <= 'F');
}

/* the number of columns 1, 2, 3 ... of a grid header, starting at field 1 */
static size_t grid_ncols(const zn_row *hr)
{
    size_t ncol = 0;
    while (1 + ncol < hr->n && atoi(hr->f[1 + ncol]) == (int)ncol + 1) ncol++;
    return ncol;
}

/* a grid header: numbers 1, 2, 3 ... starting at field `from` */
static int grid_header(const zn_row *r, size_t from)
{
    if (r->n < from + 2) return 0;
    return strcmp(trim(r->f[from]), "1") == 0 && strcmp(trim(r->f[from + 1]), "2") == 0;
}

/* Gen5 / BMG style: title row, header ",1,2,...", rows "A,v,v,...[,label]",
 * continuation rows with an empty first field; ends at a blank row. */
static size_t read_grid(const zn_table *tb, size_t h, const char *title, const char *plate, otab_t *t)
{
    size_t ncol = grid_ncols(&tb->rows[h]);
    char letter[4] = "";
    size_t r = h + 1;
    for (; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) break;
        const char *f0 = trim(row->f[0]);
        if (*f0) {
            if (!is_row_letter(f0)) break;
            snprintf(letter, sizeof letter, "%s", f0);
        } else if (!*letter)
            break;
        const char *label = row->n > 1 + ncol ? trim(row->f[1 + ncol]) : "";
        for (size_t c = 0; c < ncol; c++) {
            const char *v = 1 + c < row->n ? row->f[1 + c] : "";
            char wn[32], well[8];
            snprintf(wn, sizeof wn, "%s%zu", letter, c + 1);
            well_or_die(wn, well, row->line);
            const char *read = *label ? label : title ? title : "value";
            size_t k = ot_row(t);
            ot_set(t, k, "plate", plate);
            ot_set(t, k, "well", well);
            ot_set(t, k, "read", read);
            ot_col(t, "value");
            ot_col(t, "flag");
            if (*trim((char *)v)) ot_value(t, k, "value", v, row->line, 1);
            else ot_set(t, k, "flag", "empty");
        }
    }
    return r;
}

/* Gen5's Layout block: per-well attributes added to every read of the well */
static void gen5_layout(const zn_table *tb, size_t h, otab_t *t)
{
    size_t ncol = grid_ncols(&tb->rows[h]);
    char letter[4] = "";
    for (size_t r = h + 1; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n == 0) break;
        const char *f0 = trim(row->f[0]);
        if (*f0) {
            if (!is_row_letter(f0)) break;
            snprintf(letter, sizeof letter, "%s", f0);
        }
        const char *label = row->n > 1 + ncol ? trim(row->f[1 + ncol]) : "";
        const char *col = strcasecmp(label, "Well ID") == 0 ? "gen5_id" : strcasecmp(label, "Conc/Dil") == 0 ? "gen5_conc" : NULL;
        if (!col) continue;
        for (size_t c = 0; c < ncol && 1 + c < row->n; c++) {
            char wn[32], well[8];
            snprintf(wn, sizeof wn, "%s%zu", letter, c + 1);
            well_or_die(wn, well, row->line);
            const char *v = trim(row->f[1 + c]);
            for (size_t k = 0; k < t->nrows; k++)
                if (strcmp(ot_get(t, k, "well"), well) == 0) {
                    if (strcmp(col, "gen5_conc") == 0 && *v) ot_value(t, k, col, v, row->line, 1);
                    else ot_set(t, k, col, v);
                }
        }
    }
}

static int row_is_title(const zn_row *r)
{
    if (r->n == 0 || !*trim(r->f[0])) return 0;
    for (size_t i = 1; i < r->n; i++)
        if (*trim(r->f[i])) return 0;
    return 1;
}

static void parse_gridded(const zn_table *tb, const char *plate, otab_t *t, int gen5)
{
    const char *title = NULL;
    long layout_at = -1;
    char *title_copy = NULL;
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row_is_title(row)) {
            free(title_copy);
            const char *s = trim(row->f[0]);
            const char *p = strchr(s, '('), *q = p ? strrchr(s, ')') : NULL;
            /* BMG: "Raw Data (450 1)" -> read "450 1" */
            title_copy = p && q > p + 1 ? zn_strndup(p + 1, (size_t)(q - p - 1)) : zn_strdup(s);
            title = title_copy;
            if (strcasecmp(s, "Layout") == 0) title = "Layout";
            continue;
        }
        if (row->n > 2 && !*trim(row->f[0]) && grid_header(row, 1)) {
            if (title && strcmp(title, "Layout") == 0) {
                layout_at = (long)r;
                while (r + 1 < tb->n && tb->rows[r + 1].n) r++;
                continue;
            }
            r = read_grid(tb, r, title, plate, t);
        }
    }
    if (gen5 && layout_at >= 0) gen5_layout(tb, (size_t)layout_at, t);
    free(title_copy);
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no plate grid found (a header row 1, 2, 3 ... and rows A, B, ...)", cur_file);
}

void parse_softmax(const zn_table *tb, const char *plate, otab_t *t)
{
    char **wl = NULL;
    size_t nwl = 0;
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n && strcmp(trim(row->f[0]), "Plate:") == 0) {
            /* the wavelength list follows its count: "3\t230 260 340 " */
            for (size_t i = 2; i + 1 < row->n && !nwl; i++) {
                long k = atol(row->f[i]);
                char *s = trim(row->f[i + 1]);
                if (k < 1 || !*s || !isdigit((unsigned char)*s) || !strchr(s, ' ')) continue;
                char *copy = zn_strdup(s), *save = NULL;
                for (char *tk = strtok_r(copy, " ", &save); tk; tk = strtok_r(NULL, " ", &save)) {
                    wl = zn_realloc(wl, (nwl + 1) * sizeof *wl);
                    wl[nwl++] = zn_strdup(tk);
                }
                free(copy);
                if ((long)nwl != k) {
                    for (size_t j = 0; j < nwl; j++) free(wl[j]);
                    nwl = 0;
                }
            }
            int block = 0;
            for (r++; r < tb->n; r++) {
                const zn_row *h = &tb->rows[r];
                if (h->n && strncmp(trim(h->f[0]), "~End", 4) == 0) break;
                size_t first = 0;
                while (first < h->n && strcmp(trim(h->f[first]), "1") != 0) first++;
                if (first + 1 >= h->n || strcmp(trim(h->f[first + 1]), "2") != 0) continue;
                /* groups of 1..N separated by empty fields */
                size_t gstart[16], gn = 0, ncol = 0;
                for (size_t i = first; i < h->n && gn < 16;) {
                    if (strcmp(trim(h->f[i]), "1") != 0) {
                        i++;
                        continue;
                    }
                    size_t k = 0;
                    while (i + k < h->n && atoi(h->f[i + k]) == (int)k + 1) k++;
                    gstart[gn++] = i;
                    ncol = k;
                    i += k;
                }
                int rowi = 0;
                for (r++; r < tb->n && tb->rows[r].n; r++, rowi++) {
                    const zn_row *row2 = &tb->rows[r];
                    if (strncmp(trim(row2->f[0]), "~End", 4) == 0) break;
                    for (size_t g = 0; g < gn; g++)
                        for (size_t c = 0; c < ncol; c++) {
                            size_t fi = gstart[g] + c;
                            const char *v = fi < row2->n ? trim(row2->f[fi]) : "";
                            if (!*v) continue; /* well not read (partial plate) */
                            char wn[32], well[8];
                            snprintf(wn, sizeof wn, "%c%zu", 'A' + rowi, c + 1);
                            well_or_die(wn, well, row2->line);
                            char rd[64];
                            if (block == 0) snprintf(rd, sizeof rd, "%s", g < nwl ? wl[g] : "value");
                            else snprintf(rd, sizeof rd, "reduced");
                            size_t k = ot_row(t);
                            ot_set(t, k, "plate", plate);
                            ot_set(t, k, "well", well);
                            ot_set(t, k, "read", rd);
                            ot_col(t, "value");
                            ot_col(t, "flag");
                            ot_value(t, k, "value", v, row2->line, 1);
                        }
                }
                block++;
                if (r < tb->n && tb->rows[r].n && strncmp(trim(tb->rows[r].f[0]), "~End", 4) == 0) break;
            }
        }
    }
    for (size_t j = 0; j < nwl; j++) free(wl[j]);
    free(wl);
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no Plate: block with data found", cur_file);
}

void parse_tecan(const zn_table *tb, const char *plate, otab_t *t)
{
    char name[128] = "value";
    for (size_t r = 0; r < tb->n; r++) {
        const zn_row *row = &tb->rows[r];
        if (row->n < 2) continue;
        const char *f0 = trim(row->f[0]);
        if (strcmp(f0, "Name") == 0 && *trim(row->f[1])) snprintf(name, sizeof name, "%s", trim(row->f[1]));
        if (strcmp(f0, "<>") != 0) continue;
        if (grid_header(row, 1)) { /* grid layout */
            size_t ncol = grid_ncols(row);
            for (r++; r < tb->n && tb->rows[r].n && is_row_letter(trim(tb->rows[r].f[0])); r++) {
                const zn_row *g = &tb->rows[r];
                for (size_t c = 0; c < ncol && 1 + c < g->n; c++) {
                    char wn[32], well[8];
                    snprintf(wn, sizeof wn, "%s%zu", trim(g->f[0]), c + 1);
                    well_or_die(wn, well, g->line);
                    size_t k = ot_row(t);
                    ot_set(t, k, "plate", plate);
                    ot_set(t, k, "well", well);
                    ot_set(t, k, "read", name);
                    ot_col(t, "value");
                    ot_col(t, "flag");
                    ot_value(t, k, "value", g->f[1 + c], g->line, 1);
                }
            }
            continue;
        }
        /* list: <>,Value,Time [ms] then A1,0.09,0 */
        for (r++; r < tb->n && tb->rows[r].n >= 2; r++) {
            const zn_row *g = &tb->rows[r];
            char well[8];
            if (zn_well_norm(trim(g->f[0]), well, NULL, NULL) < 0) break;
            size_t k = ot_row(t);
            ot_set(t, k, "plate", plate);
            ot_set(t, k, "well", well);
            ot_set(t, k, "read", name);
            ot_col(t, "value");
            ot_col(t, "flag");
            ot_value(t, k, "value", g->f[1], g->line, 1);
        }
    }
    if (!t->nrows) zn_die(ZN_EXIT_DATA, "%s: no '<>' measurement block found", cur_file);
}

void parse_gen5(const zn_table *tb, const char *plate, otab_t *t) { parse_gridded(tb, plate, t, 1); }
void parse_bmg(const zn_table *tb, const char *plate, otab_t *t) { parse_gridded(tb, plate, t, 0); }

/* ------------------------------------------------------------ signature lines */

/* (ingest.h: sniff) */
int sniff_gen5(const char *l, int line, int *state)
{
    (void)line, (void)state;
    return starts(l, "Software Version\t");
}

int sniff_softmax(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && starts(l, "##BLOCKS=");
}

int sniff_bmg(const char *l, int line, int *state)
{
    (void)state;
    return line == 0 && starts(l, "User:") && strstr(l, "Test run no.");
}

int sniff_tecan(const char *l, int line, int *state)
{
    (void)line, (void)state;
    return starts(l, "Application:") && (strstr(l, "Spark") || strstr(l, "i-control") || strstr(l, "Magellan"));
}

