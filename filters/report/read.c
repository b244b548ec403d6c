/* read.c - zn-report's reading.  Small streams (metrics, uptake, fit,
 * curve) are kept whole; a trace is summarised as it streams by: per
 * condition and frame n, sum and sum of squares; per cell a summary; and
 * a fixed-seed reservoir sample of single cells.  What would be counted
 * twice (the same cell again) or labelled wrongly (another unit) is
 * refused or converted here. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

const char *meta_unit(const zn_meta *m, const char *col)
{
    const char *u = zn_meta_unit(m, col);
    return u ? u : "";
}

int stab_col(const stab *s, const char *name)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i], name) == 0) return (int)i;
    return -1;
}
const char *stab_f(const stab *s, size_t r, int c) { return c < 0 ? "" : s->f[r * s->ncols + (size_t)c]; }
double stab_num(const stab *s, size_t r, int c)
{
    const char *f = stab_f(s, r, c);
    double x;
    return zn_parse_double(f, strlen(f), &x) == ZN_NUM_OK ? x : NAN;
}
const zn_meta *stab_meta(const stab *s, size_t r) { return &s->segs[s->seg[r]].meta; }

int field_eq(const char *a, const char *b)
{
    double x, y;
    if (zn_parse_double(a, strlen(a), &x) == ZN_NUM_OK && zn_parse_double(b, strlen(b), &y) == ZN_NUM_OK) return x == y;
    return strcmp(a, b) == 0;
}

const char *fit_meta(const zn_meta *m, const char *key, char *buf, size_t len)
{
    const char *v = zn_meta_get(m, "fit");
    buf[0] = 0;
    if (!v) return buf;
    char pat[40];
    snprintf(pat, sizeof pat, ":%s=", key);
    const char *p = strstr(v, pat);
    if (!p) return buf;
    p += strlen(pat);
    snprintf(buf, len, "%.*s", (int)strcspn(p, ":"), p);
    return buf;
}

stab *find_tab(rep_t *R, const char *schema, size_t *count)
{
    stab *first = NULL;
    *count = 0;
    for (size_t i = 0; i < R->ntabs; i++)
        if (!strcmp(R->tabs[i].schema, schema)) {
            if (!first) first = &R->tabs[i];
            (*count)++;
        }
    return first;
}

/* ------------------------------------------------------------ frame slots */
static size_t hash_frame(long f, size_t cap) { return (size_t)(((uint64_t)f * 0x9e3779b97f4a7c15u) >> 17) & (cap - 1); }

static void slot_rehash(rep_t *R)
{
    size_t cap = R->hcap ? R->hcap * 2 : 1024;
    free(R->hkeys);
    R->hkeys = zn_calloc(cap, sizeof *R->hkeys);
    R->hcap = cap;
    for (size_t s = 0; s < R->nslots; s++) {
        size_t h = hash_frame(R->frame_of[s], cap);
        while (R->hkeys[h]) h = (h + 1) & (cap - 1);
        R->hkeys[h] = s + 1;
    }
}

/* the slot of a frame index, made when new: memory grows with the frames
 * present (one record at frame 999999999 costs one slot) */
static size_t frame_slot(rep_t *R, long f)
{
    if ((size_t)f < R->nslots && R->frame_of[f] == f) return (size_t)f; /* dense frames from 0 */
    if (R->nslots * 2 >= R->hcap) slot_rehash(R);
    size_t h = hash_frame(f, R->hcap);
    while (R->hkeys[h]) {
        size_t s = R->hkeys[h] - 1;
        if (R->frame_of[s] == f) return s;
        h = (h + 1) & (R->hcap - 1);
    }
    zn_grow(&R->frame_of, &R->slotcap, R->nslots + 1, sizeof *R->frame_of);
    R->frame_of[R->nslots] = f;
    R->hkeys[h] = R->nslots + 1;
    return R->nslots++;
}

static const rep_t *sort_rep;
static int cmp_slot(const void *a, const void *b)
{
    long x = sort_rep->frame_of[*(const size_t *)a], y = sort_rep->frame_of[*(const size_t *)b];
    return (x > y) - (x < y);
}

size_t *frame_order(const rep_t *R)
{
    size_t *o = zn_malloc((R->nslots + 1) * sizeof *o);
    for (size_t i = 0; i < R->nslots; i++) o[i] = i;
    sort_rep = R;
    qsort(o, R->nslots, sizeof *o, cmp_slot);
    return o;
}

static void grow_slots(cond_t *c, size_t need)
{
    if (need <= c->cap) return;
    size_t cap = c->cap;
    zn_grow(&c->n, &cap, need, sizeof *c->n);
    double **arr[] = {&c->s, &c->ss, &c->tn, &c->ts};
    for (size_t i = 0; i < 4; i++) *arr[i] = zn_realloc(*arr[i], cap * sizeof **arr[i]);
    for (size_t i = c->cap; i < cap; i++) c->n[i] = c->s[i] = c->ss[i] = c->tn[i] = c->ts[i] = 0;
    c->cap = cap;
}

static size_t dish_index(cond_t *c, const char *name)
{
    size_t i = zn_dict_get(&c->ddict, name);
    if (i != (size_t)-1) return i;
    zn_grow(&c->dish, &c->dcap, c->ndish + 1, sizeof *c->dish);
    memset(&c->dish[c->ndish], 0, sizeof *c->dish);
    c->dish[c->ndish].name = zn_strdup(name);
    zn_dict_put(&c->ddict, name, c->ndish);
    return c->ndish++;
}

static void grow_dish(struct dishacc *d, size_t need)
{
    if (need <= d->cap) return;
    size_t cap = d->cap;
    zn_grow(&d->n, &cap, need, sizeof *d->n);
    d->s = zn_realloc(d->s, cap * sizeof *d->s);
    for (size_t i = d->cap; i < cap; i++) d->n[i] = d->s[i] = 0;
    d->cap = cap;
}

size_t cond_frame(const cond_t *c, size_t f, double *mean, double *sem)
{
    size_t k = 0;
    double s = 0, q = 0;
    for (size_t d = 0; d < c->ndish; d++) {
        const struct dishacc *a = &c->dish[d];
        if (f >= a->cap || !a->n[f]) continue;
        double m = a->s[f] / a->n[f];
        k++;
        s += m;
        q += m * m;
    }
    *mean = k ? s / (double)k : NAN;
    double var = k > 1 ? (q - (double)k * *mean * *mean) / (double)(k - 1) : 0;
    *sem = k > 1 && var > 0 ? sqrt(var / (double)k) : 0;
    return k;
}

/* ------------------------------------------------------------ traces */
static uint64_t next_rand(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t cond_index(rep_t *R, const char *name)
{
    size_t i = zn_dict_get(&R->cdict, name);
    if (i != (size_t)-1) return i;
    zn_grow(&R->conds, &R->ccap, R->nconds + 1, sizeof *R->conds);
    cond_t *c = &R->conds[R->nconds];
    memset(c, 0, sizeof *c);
    c->name = zn_strdup(name);
    c->res = zn_calloc(R->a->ncells ? R->a->ncells : 1, sizeof *c->res);
    zn_dict_put(&R->cdict, name, R->nconds);
    return R->nconds++;
}

/* Reservoir sampling of single cells: decided when a cell starts (the
 * choice does not depend on its values), so only a chosen cell is kept. */
static long pick_slot(rep_t *R, cond_t *c)
{
    size_t K = R->a->ncells;
    c->seen++;
    if (!K) return -1;
    if (c->nres < K) return (long)c->nres++;
    uint64_t j = next_rand(&R->rng) % (uint64_t)c->seen;
    return j < K ? (long)j : -1;
}

static void free_sampled(sampled_t *s)
{
    free(s->t);
    free(s->v);
    free(s->raw);
    free(s->slot);
    free(s->label);
    free(s->sample);
    memset(s, 0, sizeof *s);
}

/* why zn-calibrate failed the current cell, from its values in the max and
 * min windows and the tests of ##calibration= (stat=, max_scatter=), as
 * zn-calibrate's window_stat: no values, scatter (SD/mean, or MAD/median)
 * above max_scatter, else Fmax <= Fmin; NULL when none of them is seen */
static char *failure_reason(rep_t *R)
{
    static const char *const nm[2] = {"max", "min"};
    const char *sig = R->raw_name ? R->raw_name : "F";
    double v[2] = {NAN, NAN};
    for (int j = 0; j < 2; j++) {
        if (!R->have_calw[j]) return NULL;
        size_t nv = 0;
        v[j] = R->cal_median ? zn_median(R->wv[j], R->wn[j], &nv) : zn_mean(R->wv[j], R->wn[j], &nv);
        if (!nv)
            return zn_asprintf("%s window (%g-%g s): no values", nm[j], R->calw[j][0], R->calw[j][1]);
        if (nv > 1) {
            double sc = (R->cal_median ? zn_mad(R->wv[j], R->wn[j]) : zn_sd(R->wv[j], R->wn[j])) / fabs(v[j]);
            if (sc > R->cal_scatter)
                return zn_asprintf("%s window (%g-%g s): scatter %.1f%% > %.1f%% (%s of %s)", nm[j], R->calw[j][0],
                                   R->calw[j][1], 100 * sc, 100 * R->cal_scatter,
                                   R->cal_median ? "MAD/median" : "SD/mean", sig);
        }
    }
    if (!(v[0] > v[1])) return zn_asprintf("%smax %.6g <= %smin %.6g", sig, v[0], sig, v[1]);
    return NULL;
}

static void finish_cell(rep_t *R)
{
    if (!R->cur_on) return;
    R->cur_on = 0;
    const char *fail = cell_failure(&R->cur);
    if (fail && !strcmp(fail, "bad_calibration")) R->cur.why = failure_reason(R);
    R->wn[0] = R->wn[1] = 0;
    R->cur.base = R->bn ? R->bsum / (double)R->bn : NAN;
    zn_grow(&R->cells, &R->cellcap, R->ncells + 1, sizeof *R->cells);
    R->cells[R->ncells++] = R->cur;
    if (R->cur_slot < 0) return;
    sampled_t *s = &R->conds[R->cur.cond].res[R->cur_slot];
    free_sampled(s);
    size_t n = R->cn ? R->cn : 1;
    s->n = R->cn;
    s->t = zn_malloc(n * sizeof *s->t);
    s->v = zn_malloc(n * sizeof *s->v);
    s->raw = zn_malloc(n * sizeof *s->raw);
    s->slot = zn_malloc(n * sizeof *s->slot);
    memcpy(s->t, R->ct, R->cn * sizeof *s->t);
    memcpy(s->v, R->cv, R->cn * sizeof *s->v);
    memcpy(s->raw, R->craw, R->cn * sizeof *s->raw);
    memcpy(s->slot, R->cf, R->cn * sizeof *s->slot);
    s->label = zn_asprintf("%s %s", R->cur.sample, R->cur.cell);
    s->sample = zn_strdup(R->cur.sample);
    s->cmin = R->cur.cmin;
    s->cmax = R->cur.cmax;
}

static int zflag_kind(const char *f)
{
    static const char *const k[] = {"ok",       "below_min", "above_max", "bad_calibration", "no_signal",
                                    "near_max", "min_drift", "max_drift", "overflow"};
    for (int i = 0; i < ZF_OTHER; i++)
        if (strcmp(f, k[i]) == 0) return i;
    return ZF_OTHER;
}

/* where the calibration begins: the earliest max or min window (of the
 * calibration meta, else ##window=max/min); INFINITY when there is none */
static double calibration_start(const zn_meta *m)
{
    double t = INFINITY;
    const char *c = zn_meta_get(m, "calibration");
    for (const char *p = c; p && (p = strstr(p, "=window:")) != NULL; p += 8) {
        double s;
        const char *q = p + 8;
        size_t n = strcspn(q, ":");
        if (zn_parse_double(q, n, &s) == ZN_NUM_OK && s < t) t = s;
    }
    static const char *const names[] = {"max", "min"};
    for (size_t i = 0; i < 2; i++) {
        zn_window w;
        char err[256];
        if (zn_meta_window(m, names[i], &w, err, sizeof err) == 1) {
            if (w.start < t) t = w.start;
            free(w.name);
        }
    }
    return t;
}

/* the column zn-calibrate read (signal=F, R) */
static char *calibrated_column(const zn_meta *m)
{
    const char *c = zn_meta_get(m, "calibration");
    const char *p = c ? strstr(c, "signal=") : NULL;
    if (!p) return NULL;
    p += 7;
    return zn_strndup(p, strcspn(p, ";"));
}

/* read the records of one trace segment (until the next segment or the end) */
static int read_trace(rep_t *R, zn_in *in)
{
    const args_t *a = R->a;
    zn_trace tr;
    zn_trace_init(&tr, in);
    zn_order_free(tr.ord); /* one order over all segments: a cell given twice is refused */
    if (!R->ord) R->ord = zn_order_new();
    tr.ord = R->ord;
    const char *sig = a->signal ? a->signal : zn_trace_signal(in);
    if (!sig) zn_die(ZN_EXIT_DATA, "%s: no signal column to plot (zn_nM, dF_F0, R_R0, R, F); give --signal COL", in->file);
    const char *unit = zn_signal_unit(&in->meta, sig);
    if (!R->signal) {
        R->signal = zn_strdup(sig);
        R->sig_unit = zn_strdup(unit);
    } else if (strcmp(R->signal, sig) != 0)
        zn_die(ZN_EXIT_DATA, "%s: this trace's signal is %s, an earlier one's %s: give --signal COL for both", in->file, sig,
               R->signal);
    else if (strcmp(R->sig_unit, unit) != 0)
        zn_die(ZN_EXIT_DATA,
               "%s: column %s is in %s here, in %s in an earlier trace: one panel cannot show both (convert one, "
               "or report them apart)",
               in->file, sig, unit, R->sig_unit);
    int c_sig = zn_in_need(in, sig), c_cond = zn_in_col(in, "condition"), c_zf = zn_in_col(in, "zn_flag");
    /* the calibration levels: Fmin and Fmax, else Rmin and Rmax; a pair or nothing */
    int c_min = zn_in_col(in, "Fmin"), c_max = zn_in_col(in, "Fmax");
    const char *cal = "F";
    if (c_min < 0 || c_max < 0) {
        c_min = zn_in_col(in, "Rmin");
        c_max = zn_in_col(in, "Rmax");
        cal = "R";
    }
    if (c_min < 0 || c_max < 0) c_min = c_max = -1;
    else if (!R->cal_name) R->cal_name = zn_strdup(cal);
    char *raw = calibrated_column(&in->meta);
    int c_raw = raw ? zn_in_col(in, raw) : -1;
    if (c_raw >= 0 && !R->raw_name) {
        R->raw_name = zn_strdup(raw);
        R->raw_unit = zn_strdup(zn_signal_unit(&in->meta, raw));
    }
    if (c_raw >= 0 && strcmp(R->raw_name, raw)) c_raw = -1;
    free(raw);
    if (c_zf >= 0) R->have_zflag = 1;
    if (c_min >= 0 && c_max >= 0) R->have_cal = 1;
    R->have_trace = 1;
    /* the calibration windows and tests of this segment */
    {
        const char *cm = zn_meta_get(&in->meta, "calibration");
        static const char *const key[2] = {"max=window:", "min=window:"};
        for (int j = 0; j < 2; j++) {
            const char *p = cm ? strstr(cm, key[j]) : NULL;
            R->have_calw[j] = p && (p == cm || p[-1] == ';') &&
                              sscanf(p + strlen(key[j]), "%lf:%lf", &R->calw[j][0], &R->calw[j][1]) == 2;
            zn_window w;
            char err[256];
            if (!R->have_calw[j] && zn_meta_window(&in->meta, j ? "min" : "max", &w, err, sizeof err) == 1) {
                R->calw[j][0] = w.start;
                R->calw[j][1] = w.end;
                R->have_calw[j] = 1;
                free(w.name);
            }
        }
        /* the scatter limit zn-calibrate wrote (when finite); not written: not tested here */
        const char *ms = cm ? strstr(cm, "max_scatter=") : NULL;
        R->cal_scatter = ms ? strtod(ms + 12, NULL) : INFINITY;
        const char *st = cm ? strstr(cm, "stat=") : NULL;
        R->cal_median = !st || !strncmp(st + 5, "median", 6); /* zn-calibrate's default: median */
    }
    double cs0 = calibration_start(&in->meta);
    if (cs0 < R->cal_start) R->cal_start = cs0;
    /* the experiment's frames, as the trace panels draw them (t_end in
     * traces.c): before the first calibration window and up to the end of
     * the response window, so the ionophore's wash-in between the two is not
     * counted as the experiment's frames above Fmax (or TPEN's below Fmin) */
    double exp_end = cs0;
    zn_window rw = {0};
    if (zn_meta_window(&in->meta, "response", &rw, (char[256]){0}, 256) == 1) {
        if (rw.end < exp_end) exp_end = nextafter(rw.end, INFINITY);
        free(rw.name);
    }
    /* windows: the first trace's, and any new names later */
    for (size_t i = 0; i < in->meta.n; i++) {
        if (strncmp(in->meta.v[i], "window=", 7)) continue;
        zn_window w;
        char err[256];
        if (zn_window_parse(in->meta.v[i] + 7, &w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
        size_t j;
        for (j = 0; j < R->nwin; j++)
            if (strcmp(R->win[j].name, w.name) == 0) break;
        if (j < R->nwin) {
            free(w.name);
            continue;
        }
        R->win = zn_realloc(R->win, (R->nwin + 1) * sizeof *R->win);
        R->win[R->nwin++] = w;
    }
    const char *comp = zn_meta_get(&in->meta, "compartment");
    if (comp && !R->compartment) R->compartment = zn_strdup(comp);
    const char *sys = zn_meta_get(&in->meta, "system"), *calm = zn_meta_get(&in->meta, "calibration");
    if (sys && !R->system) R->system = zn_strdup(sys);
    if (calm && !R->calibration) R->calibration = zn_strdup(calm);
    /* zn-bleach: ##bleach=pooled:F_CFP,F_YFP;...  and per channel bleach_k_CH, bleach_k_se_CH */
    int c_bk[BLEACH_MAXCH], c_bse[BLEACH_MAXCH];
    {
        const char *bm = zn_meta_get(&in->meta, "bleach"), *p = bm ? strchr(bm, ':') : NULL;
        if (p && !R->nbch) {
            size_t len = strcspn(p + 1, ";");
            char *list = zn_strndup(p + 1, len), *save = NULL;
            for (char *ch = strtok_r(list, ",", &save); ch && R->nbch < BLEACH_MAXCH; ch = strtok_r(NULL, ",", &save))
                R->bch[R->nbch++] = zn_strdup(ch);
            free(list);
            R->rnum = R->rden = -1;
            const char *rm = zn_meta_get(&in->meta, "ratio"), *eq = rm ? strchr(rm, '=') : NULL;
            if (eq) {
                size_t ln = strcspn(eq + 1, "/;"), ld = eq[1 + ln] == '/' ? strcspn(eq + 2 + ln, ";") : 0;
                for (size_t j = 0; j < R->nbch; j++) {
                    if (strlen(R->bch[j]) == ln && !strncmp(R->bch[j], eq + 1, ln)) R->rnum = (int)j;
                    if (ld && strlen(R->bch[j]) == ld && !strncmp(R->bch[j], eq + 2 + ln, ld)) R->rden = (int)j;
                }
            }
        }
        for (size_t j = 0; j < R->nbch; j++) {
            char name[160];
            snprintf(name, sizeof name, "bleach_k_%s", R->bch[j]);
            c_bk[j] = bm ? zn_in_col(in, name) : -1;
            snprintf(name, sizeof name, "bleach_k_se_%s", R->bch[j]);
            c_bse[j] = bm ? zn_in_col(in, name) : -1;
        }
    }
    zn_window base = {0};
    int have_base = zn_meta_window(&in->meta, "baseline", &base, (char[256]){0}, 256) == 1;
    int k;
    long nrec = 0;
    while ((k = zn_in_next(in)) == ZN_REC) {
        zn_trace_rec(&tr);
        zn_progress(&a->o, R->ntrace_rec + ++nrec, 0);
        if (tr.new_cell) {
            finish_cell(R);
            if (!tr.bg) {
                const char *cn = c_cond >= 0 && in->fl[c_cond] ? in->f[c_cond] : in->f[tr.c_sample];
                memset(&R->cur, 0, sizeof R->cur);
                R->cur.cond = cond_index(R, cn);
                R->cur.sample = zn_strdup(in->f[tr.c_sample]);
                R->cur.cell = zn_strdup(in->f[tr.c_cell]);
                R->cur.cmin = R->cur.cmax = NAN;
                R->cur_on = 1;
                R->cur_slot = pick_slot(R, &R->conds[R->cur.cond]);
                R->cur_dish = dish_index(&R->conds[R->cur.cond], R->cur.sample);
                if (R->nbch && zn_dict_get(&R->bldict, R->cur.sample) == (size_t)-1) { /* a dish's rates: once */
                    struct bleach_dish d = {0};
                    int any = 0;
                    for (size_t j = 0; j < R->nbch; j++) {
                        if (c_bk[j] < 0 || zn_in_num(in, c_bk[j], &d.k[j]) != ZN_NUM_OK) d.k[j] = NAN;
                        if (c_bse[j] < 0 || zn_in_num(in, c_bse[j], &d.se[j]) != ZN_NUM_OK) d.se[j] = NAN;
                        any |= !isnan(d.k[j]);
                    }
                    if (any) {
                        d.sample = zn_strdup(R->cur.sample);
                        d.cond = R->cur.cond;
                        zn_grow(&R->bl, &R->blcap, R->nbl + 1, sizeof *R->bl);
                        zn_dict_put(&R->bldict, d.sample, R->nbl);
                        R->bl[R->nbl++] = d;
                    }
                }
                R->cn = 0;
                R->bsum = 0;
                R->bn = 0;
            }
        }
        if (tr.bg) continue;
        cellsum_t *cs = &R->cur;
        for (int j = 0; j < 2 && c_raw >= 0; j++)
            if (R->have_calw[j] && tr.t >= R->calw[j][0] && tr.t <= R->calw[j][1]) {
                double x;
                if (zn_in_num(in, c_raw, &x) != ZN_NUM_OK) continue;
                zn_grow(&R->wv[j], &R->wcap[j], R->wn[j] + 1, sizeof *R->wv[j]);
                R->wv[j][R->wn[j]++] = x;
            }
        double v, rv = NAN;
        if (zn_in_num(in, c_sig, &v) == ZN_NUM_EMPTY) v = NAN;
        if (c_raw >= 0 && zn_in_num(in, c_raw, &rv) == ZN_NUM_EMPTY) rv = NAN;
        int exp = tr.t < exp_end;
        cs->nrec++;
        if (exp) cs->nexp++;
        if (c_zf >= 0) {
            int zk = zflag_kind(in->f[c_zf]);
            cs->nz[zk]++;
            if (exp) cs->nz_exp[zk]++;
        }
        if (c_min >= 0 && isnan(cs->cmin)) {
            double x, y;
            if (zn_in_num(in, c_min, &x) == ZN_NUM_OK && zn_in_num(in, c_max, &y) == ZN_NUM_OK) {
                cs->cmin = x;
                cs->cmax = y;
            }
        }
        cond_t *c = &R->conds[cs->cond];
        size_t f = frame_slot(R, tr.frame);
        grow_slots(c, f + 1);
        c->tn[f]++;
        c->ts[f] += tr.t;
        if (!isnan(v)) {
            c->n[f]++;
            c->s[f] += v;
            c->ss[f] += v * v;
            struct dishacc *d = &c->dish[R->cur_dish];
            grow_dish(d, f + 1);
            d->n[f]++;
            d->s[f] += v;
            cs->nval++;
            if (have_base && tr.t >= base.start && tr.t <= base.end) {
                R->bsum += v;
                R->bn++;
            }
        }
        if (R->cur_slot >= 0) { /* a sampled cell: its values are kept */
            if (R->cn == R->ccap2) {
                size_t cap = R->ccap2;
                zn_grow(&R->ct, &cap, R->cn + 1, sizeof *R->ct);
                R->cv = zn_realloc(R->cv, cap * sizeof *R->cv);
                R->craw = zn_realloc(R->craw, cap * sizeof *R->craw);
                R->cf = zn_realloc(R->cf, cap * sizeof *R->cf);
                R->ccap2 = cap;
            }
            R->ct[R->cn] = tr.t;
            R->cv[R->cn] = v;
            R->craw[R->cn] = rv;
            R->cf[R->cn] = f;
            R->cn++;
        }
    }
    finish_cell(R);
    if (have_base) free(base.name);
    R->ntrace_rec += nrec;
    tr.ord = NULL; /* R's */
    zn_trace_free(&tr);
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    return k;
}

/* ------------------------------------------------------------ small streams */
/* the units of a new segment against the table's: a value in another unit
 * of the same kind is converted (factor per column), another kind refused */
static double *unit_factors(const stab *s, const zn_in *in)
{
    double *f = zn_malloc((s->ncols + 1) * sizeof *f);
    for (size_t j = 0; j < s->ncols; j++) {
        f[j] = 1;
        const char *u0 = zn_meta_unit(&s->meta, s->cols[j]), *u1 = zn_meta_unit(&in->meta, s->cols[j]);
        if (!u0 || !u1 || !strcmp(u0, u1)) continue;
        f[j] = unit_factor(u1, u0);
        if (!(f[j] > 0))
            zn_die(ZN_EXIT_DATA,
                   "%s: column %s is in %s here, %s in %s: one table cannot hold both (convert one, or report them "
                   "apart)",
                   in->file, s->cols[j], u1, u0, s->file);
        zn_warn("%s: column %s converted from %s to %s (the unit of %s)", in->file, s->cols[j], u1, u0, s->file);
    }
    return f;
}

/* a metrics row: one per cell, over every metrics stream */
static void metrics_once(rep_t *R, const zn_in *in, const stab *s)
{
    int cs = stab_col(s, "sample"), cc = stab_col(s, "cell");
    if (cs < 0 || cc < 0) return;
    char *key = zn_asprintf("%zu\x1f%s\x1f%s", (size_t)(s - R->tabs), in->f[cs], in->f[cc]); /* per table */
    size_t n = R->metric_cells.n;
    zn_dict_put(&R->metric_cells, key, n);
    free(key);
    if (R->metric_cells.n == n)
        zn_in_die(in,
                  "sample '%s' cell '%s' is there twice: the same results given twice? (each cell once: "
                  "`zn-view --check` on the traces says where)",
                  in->f[cs], in->f[cc]);
}

/* keep a small stream whole (records appended to an earlier one of the
 * same schema and columns) */
static int read_table(rep_t *R, zn_in *in, const char *schema, long *nrec)
{
    stab *s = NULL;
    for (size_t i = 0; i < R->ntabs; i++)
        if (!strcmp(R->tabs[i].schema, schema) && !strcmp(R->tabs[i].header, in->header)) s = &R->tabs[i];
    if (!s) {
        zn_grow(&R->tabs, &R->tcap, R->ntabs + 1, sizeof *R->tabs);
        s = &R->tabs[R->ntabs++];
        memset(s, 0, sizeof *s);
        s->schema = zn_strdup(schema);
        s->header = zn_strdup(in->header);
        s->file = zn_strdup(in->file);
        zn_meta_copy(&s->meta, &in->meta);
        s->ncols = in->ncols;
        s->cols = zn_malloc(in->ncols * sizeof *s->cols);
        for (size_t j = 0; j < in->ncols; j++) s->cols[j] = zn_strdup(in->cols[j]);
    }
    s->segs = zn_realloc(s->segs, (s->nseg + 1) * sizeof *s->segs);
    seg_t *sg = &s->segs[s->nseg++];
    memset(sg, 0, sizeof *sg);
    sg->file = zn_strdup(in->file);
    sg->line = in->lineno;
    zn_meta_copy(&sg->meta, &in->meta);
    char err[1024];
    if (zn_schema_check(schema, in->cols, in->ncols, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s: %s", in->file, err);
    double *uf = unit_factors(s, in);
    int k;
    while ((k = zn_in_next(in)) == ZN_REC) {
        if (!strcmp(schema, "metrics")) metrics_once(R, in, s);
        zn_grow(&s->f, &s->cap, (s->nrow + 1) * s->ncols, sizeof *s->f);
        s->seg = zn_realloc(s->seg, (s->nrow + 1) * sizeof *s->seg);
        s->seg[s->nrow] = s->nseg - 1;
        for (size_t j = 0; j < s->ncols; j++) {
            double x;
            if (uf[j] != 1 && zn_parse_double(in->f[j], in->fl[j], &x) == ZN_NUM_OK) {
                char b[48];
                zn_fmt_double(b, x * uf[j]);
                s->f[s->nrow * s->ncols + j] = zn_strdup(b);
            } else
                s->f[s->nrow * s->ncols + j] = zn_strndup(in->f[j], in->fl[j]);
        }
        s->nrow++;
        (*nrec)++;
    }
    free(uf);
    if (k == ZN_ERR) zn_die(ZN_EXIT_DATA, "%s", in->err);
    return k;
}

static void add_input(rep_t *R, const char *file, const zn_meta *meta, const char *schema, long nrec)
{
    zn_buf pg = {0};
    for (size_t i = 0; i < meta->n; i++)
        if (strncmp(meta->v[i], "pg=", 3) == 0) zn_buf_addf(&pg, "%s%s", pg.n ? "\n" : "", meta->v[i] + 3);
    if (!pg.s) zn_buf_adds(&pg, "");
    if (R->ninputs) {
        input_t *p = &R->inputs[R->ninputs - 1];
        if (!strcmp(p->file, file) && !strcmp(p->schema, schema) && !strcmp(p->pg, pg.s)) {
            p->nrec += nrec;
            zn_buf_free(&pg);
            return;
        }
    }
    zn_grow(&R->inputs, &R->icap, R->ninputs + 1, sizeof *R->inputs);
    input_t *p = &R->inputs[R->ninputs++];
    p->file = zn_strdup(file);
    p->schema = zn_strdup(schema);
    p->pg = pg.s;
    p->nrec = nrec;
}

void read_all(rep_t *R, zn_in *in)
{
    R->cal_start = INFINITY;
    R->rnum = R->rden = -1;
    for (;;) {
        const char *sc = zn_meta_get(&in->meta, "schema");
        if (!sc) zn_die(ZN_EXIT_DATA, "%s: the stream has no ##schema= line: which kind of results is it?", in->file);
        char *schema = zn_strdup(sc);
        zn_meta keep = {0};
        zn_meta_copy(&keep, &in->meta);
        char *file = zn_strdup(in->file);
        long nrec = 0, before = R->ntrace_rec;
        int k;
        if (!strcmp(schema, "trace")) {
            k = read_trace(R, in);
            nrec = R->ntrace_rec - before;
        } else if (!strcmp(schema, "metrics") || !strcmp(schema, "uptake") || !strcmp(schema, "fit") ||
                   !strcmp(schema, "curve") || !strcmp(schema, "means"))
            k = read_table(R, in, schema, &nrec);
        else
            zn_die(ZN_EXIT_DATA, "%s: schema '%s' is not one zn-report shows (trace, metrics, uptake, fit, curve, means)%s",
                   in->file, schema,
                   !strcmp(schema, "counts") || !strcmp(schema, "plate")
                       ? ": instrument records become results with zn-uptake-rate"
                       : "");
        add_input(R, file, &keep, schema, nrec);
        zn_meta_clear(&keep);
        free(keep.v);
        free(file);
        free(schema);
        if (k == ZN_EOF) break;
    }
}
