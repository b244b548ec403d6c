/* layout.c - a plate or counter layout (CSV/TSV keyed by well or position)
 * joined onto the records (ingest.h). */
#define _GNU_SOURCE
#include "ingest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void normal_key(const char *s, char *out, size_t n, int well)
{
    s = trim((char *)s);
    if (well && zn_well_norm(s, out, NULL, NULL) == 0) return;
    while (s[0] == '0' && isdigit((unsigned char)s[1])) s++; /* 007 -> 7 */
    snprintf(out, n, "%s", s);
}

void join_layout(otab_t *t, const char *path)
{
    char err[600];
    size_t tn;
    char *text = read_text(path, &tn);
    zn_table lt;
    if (zn_table_load(&lt, text, tn, zn_csv_sniff(text, tn), err, sizeof err) < 0)
        zn_die(ZN_EXIT_DATA, "%s: %s", path, err);
    free(text);
    size_t h = 0;
    while (h < lt.n && lt.rows[h].n == 0) h++;
    if (h == lt.n) zn_die(ZN_EXIT_DATA, "%s: empty layout", path);
    const zn_row *hr = &lt.rows[h];
    /* the key: well when the data name wells, else the counter's position
     * (a counter layout may carry the plate well of each vial as a column) */
    int key = -1, by_well = 0, first = -1, first_well = 0;
    static const char *keys[] = {"well", "position", "pos", "vial", "tube", NULL};
    int data_well = t->nrows && ot_get(t, 0, "well") && *ot_get(t, 0, "well");
    for (int k = 0; keys[k] && key < 0; k++)
        for (size_t i = 0; i < hr->n; i++)
            if (strcasecmp(trim(hr->f[i]), keys[k]) == 0) {
                if (first < 0) {
                    first = (int)i;
                    first_well = k == 0;
                }
                if (k > 0 || data_well) {
                    key = (int)i;
                    by_well = k == 0;
                }
                break;
            }
    if (first < 0) zn_die(ZN_EXIT_DATA, "%s: the layout needs a column named well or position", path);
    if (key < 0) {
        key = first;
        by_well = first_well;
    }
    const char *dkey = by_well ? "well" : "position";
    if (!ot_get(t, 0, dkey) || (by_well && !*ot_get(t, 0, dkey)))
        zn_die(ZN_EXIT_DATA, "%s: the layout is keyed by %s, but the data have no %s", path, dkey, dkey);
    zn_dict ix = {0};
    for (size_t r = h + 1; r < lt.n; r++) {
        const zn_row *row = &lt.rows[r];
        if (!row->n) continue;
        check_ragged(path, row->line, row->n, hr->n);
        char k[64];
        normal_key(row->f[key], k, sizeof k, by_well);
        if (!*k) zn_die(ZN_EXIT_DATA, "%s:%ld: the %s is empty", path, row->line, dkey);
        if (zn_dict_get(&ix, k) != (size_t)-1)
            zn_die(ZN_EXIT_DATA, "%s:%ld: %s %s appears twice in the layout", path, row->line, dkey, k);
        zn_dict_put(&ix, k, r);
    }
    /* a key twice in the data (same read / repeat) is an error too */
    zn_dict seen = {0};
    for (size_t r = 0; r < t->nrows; r++) {
        char k[64];
        normal_key(ot_get(t, r, dkey), k, sizeof k, by_well);
        const char *rd2 = ot_get(t, r, "read"), *rep = ot_get(t, r, "repeat");
        char *sk = zn_asprintf("%s\x1f%s\x1f%s", k, rd2 ? rd2 : "", rep ? rep : "");
        if (zn_dict_get(&seen, sk) != (size_t)-1)
            zn_die(ZN_EXIT_DATA, "%s: %s %s appears twice in the data", cur_file, dkey, k);
        zn_dict_put(&seen, sk, r);
        free(sk);
        size_t lr = zn_dict_get(&ix, k);
        if (lr == (size_t)-1) {
            const char *fl = ot_get(t, r, "flag");
            /* nothing lost: a missing vial, or an empty well outside the layout */
            if (fl && (strcmp(fl, "missing vial") == 0 || strcmp(fl, "empty") == 0)) continue;
            zn_die(ZN_EXIT_DATA, "%s: %s %s is in the data but not in the layout %s", cur_file, dkey, k, path);
        }
        for (size_t i = 0; i < hr->n; i++) {
            if ((int)i == key) continue;
            char *c = col_name(trim(hr->f[i]));
            if (ot_get(t, r, c) && *ot_get(t, r, c))
                zn_die(ZN_EXIT_DATA, "%s: layout column '%s' would overwrite the instrument's column of that name "
                       "(rename it in the layout)", path, c);
            const char *v = trim(lt.rows[lr].f[i]);
            ot_col(t, c);
            ot_set(t, r, c, v);
            free(c);
        }
    }
    zn_dict_free(&seen);
    zn_dict_free(&ix);
    zn_table_free(&lt);
}

