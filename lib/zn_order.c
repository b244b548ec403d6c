/* zn_order.c - the canonical order of trace records, checked in one pass
 * with memory for the set of (sample, cell) groups seen (a few bytes a
 * cell, not a record). */
#include "zn.h"

#include <stdlib.h>
#include <string.h>

#define ORDER_HINT " (zn-ingest writes canonical order; to sort a stream made otherwise, see \"Canonical order\" in man znr)"

struct zn_order {
    zn_dict seen; /* "sample\x1fcell" and "sample\x1e" keys */
    char *sample, *cell;
    int in_cells; /* the current sample has had a non-bg ROI */
    double frame;
    int newgroup, started;
};

/* 1 if key was new (and is now in the set) */
static int set_add(zn_order *o, const char *key)
{
    size_t n = o->seen.n;
    zn_dict_put(&o->seen, key, n);
    return o->seen.n > n;
}

zn_order *zn_order_new(void) { return zn_calloc(1, sizeof(zn_order)); }

int zn_order_check(zn_order *o, const char *sample, const char *cell, const char *role, double frame,
                   char *err, size_t errlen)
{
    int is_bg = role && strcmp(role, "bg") == 0;
    int same_sample = o->started && strcmp(sample, o->sample) == 0;
    int same_cell = same_sample && strcmp(cell, o->cell) == 0;
    o->newgroup = !same_cell;
    if (same_cell) {
        if (!(frame > o->frame)) {
            snprintf(err, errlen,
                     "not in canonical order: sample '%s' cell '%s' frame %.17g comes after frame %.17g: "
                     "frames must ascend within a cell"
                     ORDER_HINT,
                     sample, cell, frame, o->frame);
            return -1;
        }
        o->frame = frame;
        return 0;
    }
    if (!same_sample) {
        char *k = zn_asprintf("%s\x1e", sample);
        int fresh = set_add(o, k);
        free(k);
        if (!fresh) {
            snprintf(err, errlen,
                     "not in canonical order: sample '%s' appears again after other samples: "
                     "the records of a sample must be together; the same experiment concatenated "
                     "twice?"
                     ORDER_HINT,
                     sample);
            return -1;
        }
        free(o->sample);
        o->sample = zn_strdup(sample);
        o->in_cells = 0;
    }
    char *k = zn_asprintf("%s\x1f%s", sample, cell);
    int fresh = set_add(o, k);
    free(k);
    if (!fresh) {
        snprintf(err, errlen,
                 "not in canonical order: sample '%s' cell '%s' appears again after other cells: "
                 "the frames of a cell must be together"
                 ORDER_HINT,
                 sample, cell);
        return -1;
    }
    if (is_bg && o->in_cells) {
        snprintf(err, errlen,
                 "not in canonical order: background ROI '%s' of sample '%s' comes after its cells: "
                 "background ROIs come first"
                 ORDER_HINT,
                 cell, sample);
        return -1;
    }
    if (!is_bg) o->in_cells = 1;
    free(o->cell);
    o->cell = zn_strdup(cell);
    o->frame = frame;
    o->started = 1;
    return 0;
}

int zn_order_new_group(const zn_order *o) { return o->newgroup; }

void zn_order_free(zn_order *o)
{
    if (!o) return;
    zn_dict_free(&o->seen);
    free(o->sample);
    free(o->cell);
    free(o);
}
