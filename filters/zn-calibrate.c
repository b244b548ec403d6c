/* zn-calibrate - fluorescence or ratio -> free [Zn2+], per cell, with
 * Fmin/Fmax (Rmin/Rmax) from in-situ calibration windows or constants. */
#include "zn.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-calibrate [OPTIONS] [FILE...]\n"
    "Free zinc from fluorescence (F) or a ratio (R), per cell:\n"
    "  [Zn] = Kd * (beta * (S - Smin) / (Smax - S))^(1/n)\n"
    "intensity dyes: beta = n = 1, S = F; ratiometric dyes (Grynkiewicz): beta =\n"
    "Sf2/Sb2; sensors with a Hill coefficient: n.\n"
    "\n"
    "Sensor:\n"
    "      --sensor NAME     Kd, kind, n and beta from the catalogue\n"
    "      --sensors FILE    use this catalogue instead of the built-in one\n"
    "      --list-sensors    print the catalogue and exit\n"
    "      --kd CONC         Kd with its unit (15nM, 811pM, 1uM); overrides the sensor's\n"
    "      --hill N          Hill coefficient n (default: the sensor's, else 1)\n"
    "      --beta B          Sf2/Sb2 of a ratiometric dye (default: the sensor's, else 1)\n"
    "Signal and calibration:\n"
    "      --signal COL      the column S (default F; R when there is no F)\n"
    "      --max-window S:E  Smax window, seconds (default ##window=max: Zn + pyrithione)\n"
    "      --min-window S:E  Smin window, seconds (default ##window=min: TPEN)\n"
    "      --stat median|mean  statistic over a window's frames (default median)\n"
    "      --max-scatter X   largest relative scatter in a window (SD/mean, or\n"
    "                        1.4826*MAD/median) before a cell's calibration is bad\n"
    "                        (default 0.2; 'none' turns the check off)\n"
    "      --fmin V, --fmax V, --rmin V, --rmax V\n"
    "                        constant Smin / Smax instead of a window\n"
    "Output:\n"
    "      --unit pM|nM|uM   unit of the zn_<unit> column (default nM)\n"
    "      --force           calibrate again although the meta says it was done\n";

enum { OPT_SENSOR = ZN_OPT_FIRST_OWN, OPT_SENSORS, OPT_LIST, OPT_KD, OPT_HILL, OPT_BETA, OPT_SIGNAL, OPT_MAXW,
       OPT_MINW, OPT_STAT, OPT_SCATTER, OPT_SMIN, OPT_SMAX, OPT_UNIT, OPT_FORCE };

typedef struct {
    zn_opt o;
    const char *sensor, *sensors, *kd_text, *signal, *maxw, *minw, *unit;
    double kd_nM, hill, beta, smin, smax, max_scatter, unit_f;
    int median, list, force;
    const zn_sensor *sens;
    zn_sensors cat;
} args_t;

enum { Z_OK, Z_BELOW, Z_ABOVE, Z_BAD, Z_NOSIG, Z_BG };
static const char *const zflag[] = {"ok", "below_min", "above_max", "bad_calibration", "no_signal", "bg"};

typedef struct {
    const args_t *a;
    zn_in *in;
    zn_trace tr;
    zn_cols cols;
    zn_rec rec;
    zn_wr *w;
    int c_sig;
    size_t o_zn, o_flag, o_min, o_max;
    zn_window wmax, wmin;
    int have_max, have_min;
    zn_cellbuf cell;
    double *t, *s, *tmp;
    size_t cap;
    long nbad; /* cells whose calibration failed */
} state_t;

static void check_meta(const args_t *a, zn_in *in)
{
    zn_meta_once(in->file, &in->meta, "calibration", a->force, "the trace is already calibrated", "calibrates again");
}

static void head(state_t *s)
{
    const args_t *a = s->a;
    zn_in *in = s->in;
    if (s->have_max) free(s->wmax.name);
    if (s->have_min) free(s->wmin.name);
    s->have_max = isnan(a->smax) ? zn_window_get(&in->meta, "max", a->maxw, "--max-window", &s->wmax) : 0;
    s->have_min = isnan(a->smin) ? zn_window_get(&in->meta, "min", a->minw, "--min-window", &s->wmin) : 0;
    const char *sn = in->cols[s->c_sig];
    int r = sn[0] == 'R';
    if (isnan(a->smax) && !s->have_max)
        zn_die(ZN_EXIT_DATA,
               "%s: no Smax: the meta has no ##window=max (Zn + pyrithione); give --max-window START:END or "
               "--%s VALUE",
               in->file, r ? "rmax" : "fmax");
    if (isnan(a->smin) && !s->have_min)
        zn_die(ZN_EXIT_DATA,
               "%s: no Smin: the meta has no ##window=min (TPEN); give --min-window START:END or --%s VALUE",
               in->file, r ? "rmin" : "fmin");
    zn_meta m = {0};
    zn_meta_copy(&m, &in->meta);
    zn_buf b = {0};
    char x[40], y[40];
    zn_fmt_double(x, a->kd_nM);
    zn_buf_addf(&b, "kd=%snM", x);
    if (a->sens) zn_buf_addf(&b, ";sensor=%s", a->sens->name);
    zn_fmt_double(x, a->hill);
    zn_fmt_double(y, a->beta);
    zn_buf_addf(&b, ";hill=%s;beta=%s;signal=%s", x, y, sn);
    for (int j = 0; j < 2; j++) {
        const char *nm = j ? "min" : "max";
        double c = j ? a->smin : a->smax;
        zn_window *w = j ? &s->wmin : &s->wmax;
        if (!isnan(c)) {
            zn_fmt_double(x, c);
            zn_buf_addf(&b, ";%s=%s", nm, x);
        } else {
            zn_fmt_double(x, w->start);
            zn_fmt_double(y, w->end);
            zn_buf_addf(&b, ";%s=window:%s:%s", nm, x, y);
        }
    }
    zn_buf_addf(&b, ";stat=%s", a->median ? "median" : "mean");
    if (isfinite(a->max_scatter)) {
        zn_fmt_double(x, a->max_scatter);
        zn_buf_addf(&b, ";max_scatter=%s", x);
    }
    zn_meta_addf(&m, "calibration=%s", b.s);
    zn_out_head(s->w, &m, a->o.no_pg ? NULL : a->o.pg, s->cols.cols, s->cols.n);
    zn_buf_free(&b);
    zn_meta_clear(&m);
    free(m.v);
}

/* the statistic of S over a window; NAN and a reason when it cannot serve */
static double window_stat(state_t *s, const zn_window *w, size_t n, const char **why, double *scatter)
{
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (s->t[r] >= w->start && s->t[r] <= w->end) s->tmp[k++] = s->s[r];
    *scatter = NAN;
    if (!k) {
        *why = "no frames in the window";
        return NAN;
    }
    size_t nv;
    double v = s->a->median ? zn_median(s->tmp, k, &nv) : zn_mean(s->tmp, k, &nv);
    if (!nv) {
        *why = "no values in the window";
        return NAN;
    }
    if (nv > 1) {
        double sc = s->a->median ? zn_mad(s->tmp, k) : zn_sd(s->tmp, k);
        *scatter = v != 0 ? sc / fabs(v) : INFINITY;
        if (*scatter > s->a->max_scatter) {
            *why = "too much scatter in the window";
            return NAN;
        }
    }
    return v;
}

static void do_cell(void *arg)
{
    state_t *s = arg;
    const args_t *a = s->a;
    size_t n = s->cell.n;
    if (!n) return;
    if (n > s->cap) {
        size_t c = s->cap;
        zn_grow(&s->t, &c, n, sizeof *s->t);
        c = s->cap;
        zn_grow(&s->tmp, &c, n, sizeof *s->tmp);
        zn_grow(&s->s, &s->cap, n, sizeof *s->s);
    }
    int bg = strcmp(zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_role), "bg") == 0;
    for (size_t r = 0; r < n; r++) {
        s->t[r] = zn_cellbuf_num(&s->cell, s->in, r, s->tr.c_t); /* checked by zn_trace_rec */
        s->s[r] = zn_cellbuf_num(&s->cell, s->in, r, s->c_sig);
    }
    double smax = a->smax, smin = a->smin, scmax = NAN, scmin = NAN;
    const char *why = NULL, *which = NULL;
    if (!bg) {
        if (s->have_max) {
            smax = window_stat(s, &s->wmax, n, &why, &scmax);
            if (why) which = "max";
        }
        if (!why && s->have_min) {
            smin = window_stat(s, &s->wmin, n, &why, &scmin);
            if (why) which = "min";
        }
        if (!why && !(smax > smin)) {
            why = "Smax is not above Smin";
            which = "";
        }
        if (why) {
            char m1[40] = "", m2[40] = "";
            double sc = *which == 'm' && which[1] == 'a' ? scmax : scmin;
            /* the scatter figures only where the scatter is the reason */
            if (*which && isfinite(sc) && sc > a->max_scatter)
                snprintf(m1, sizeof m1, " (%.1f%% > %.1f%%)", 100 * sc, 100 * a->max_scatter);
            if (!*which) snprintf(m2, sizeof m2, " (%.6g <= %.6g)", smax, smin);
            if (++s->nbad <= 10)
                zn_warn("%s: sample '%s' cell '%s': bad calibration: %s%s%s%s%s", s->in->file,
                        zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_sample),
                        zn_cellbuf_f(&s->cell, 0, (size_t)s->tr.c_cell), *which ? which : "",
                        *which ? " window: " : "", why, m1, m2);
        }
    }
    char mint[40], maxt[40];
    size_t minl = isnan(smin) ? 0 : zn_fmt_double(mint, smin), maxl = isnan(smax) ? 0 : zn_fmt_double(maxt, smax);
    for (size_t r = 0; r < n; r++) {
        zn_rec_from_cell(&s->rec, &s->cell, r);
        int f;
        double z = NAN;
        if (bg) f = Z_BG;
        else {
            zn_rec_set(&s->rec, s->o_min, mint, minl);
            zn_rec_set(&s->rec, s->o_max, maxt, maxl);
            double x = s->s[r];
            if (why) f = Z_BAD;
            else if (isnan(x)) f = Z_NOSIG;
            else if (x <= smin) f = Z_BELOW;
            else if (x >= smax) f = Z_ABOVE;
            else {
                double q = a->beta * (x - smin) / (smax - x);
                z = a->kd_nM * (a->hill == 1 ? q : pow(q, 1 / a->hill)) / a->unit_f;
                f = Z_OK;
                if (!isfinite(z)) {
                    z = NAN;
                    f = Z_ABOVE;
                }
            }
        }
        zn_rec_num(&s->rec, s->o_zn, z);
        zn_rec_set(&s->rec, s->o_flag, zflag[f], strlen(zflag[f]));
        zn_rec_write(s->w, &s->rec);
    }
}

static void new_segment(void *arg)
{
    state_t *s = arg;
    check_meta(s->a, s->in);
    head(s);
}

static void run(const args_t *a, zn_in *in)
{
    static state_t s; /* static: reachable if the program exits on bad data */
    s.a = a;
    s.in = in;
    check_meta(a, in);
    zn_trace_init(&s.tr, in);
    const char *sig = a->signal;
    if (!sig) sig = zn_in_col(in, "F") >= 0 ? "F" : "R";
    if (!a->signal && zn_in_col(in, sig) < 0)
        zn_die(ZN_EXIT_DATA, "%s: no column F or R to calibrate; name the signal with --signal COL", in->file);
    s.c_sig = zn_in_need(in, sig);
    if (a->sens) {
        int is_r = sig[0] == 'R';
        if (!strcmp(a->sens->kind, "intensity") && is_r)
            zn_warn("%s is an intensity sensor but the signal is %s (a ratio)", a->sens->name, sig);
        if (strcmp(a->sens->kind, "intensity") && !is_r)
            zn_warn("%s is a %s sensor but the signal is %s (make R with zn-ratio --num/--den)", a->sens->name,
                    a->sens->kind, sig);
    }
    zn_cols_init(&s.cols, in);
    const char *hint = " (calibrated twice?)";
    char *zn = zn_asprintf("zn_%s", a->unit);
    s.o_zn = zn_cols_add(&s.cols, zn, a->force, hint);
    free(zn);
    s.o_flag = zn_cols_add(&s.cols, "zn_flag", a->force, hint);
    int r = sig[0] == 'R';
    s.o_min = zn_cols_add(&s.cols, r ? "Rmin" : "Fmin", a->force, hint);
    s.o_max = zn_cols_add(&s.cols, r ? "Rmax" : "Fmax", a->force, hint);
    zn_rec_init(&s.rec, &s.cols, (size_t)-1);
    s.w = zn_opt_open_out(&a->o);
    head(&s);
    zn_trace_cells(&s.tr, &s.cell, &a->o, do_cell, new_segment, &s);
    if (s.nbad > 10)
        zn_warn("%ld cells in all had a bad calibration (zn_flag bad_calibration); the first 10 are named above",
                s.nbad);
    zn_opt_close_out(s.w);
    if (s.have_max) free(s.wmax.name);
    if (s.have_min) free(s.wmin.name);
    zn_rec_free(&s.rec);
    zn_cellbuf_free(&s.cell);
    zn_cols_free(&s.cols);
    zn_trace_free(&s.tr);
    free(s.t);
    free(s.s);
    free(s.tmp);
}

static void list_sensors(const zn_sensors *c)
{
    printf("name\tkind\tkd\thill\tbeta\ttarget\tsource\n");
    for (size_t i = 0; i < c->n; i++) {
        const zn_sensor *s = &c->s[i];
        char h[40] = "-", b[40] = "-";
        if (!isnan(s->hill)) zn_fmt_double(h, s->hill);
        if (!isnan(s->beta)) zn_fmt_double(b, s->beta);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->name, s->kind, s->kd_text, h, b, s->target ? s->target : "-",
               s->source ? s->source : "-");
    }
}

int main(int argc, char **argv)
{
    args_t a = {0};
    a.hill = a.beta = a.smin = a.smax = a.kd_nM = NAN;
    a.max_scatter = 0.2;
    a.median = 1;
    a.unit = "nM";
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"sensor", required_argument, 0, OPT_SENSOR},
                                          {"sensors", required_argument, 0, OPT_SENSORS},
                                          {"list-sensors", no_argument, 0, OPT_LIST},
                                          {"kd", required_argument, 0, OPT_KD},
                                          {"hill", required_argument, 0, OPT_HILL},
                                          {"beta", required_argument, 0, OPT_BETA},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"max-window", required_argument, 0, OPT_MAXW},
                                          {"min-window", required_argument, 0, OPT_MINW},
                                          {"stat", required_argument, 0, OPT_STAT},
                                          {"max-scatter", required_argument, 0, OPT_SCATTER},
                                          {"fmin", required_argument, 0, OPT_SMIN},
                                          {"rmin", required_argument, 0, OPT_SMIN},
                                          {"fmax", required_argument, 0, OPT_SMAX},
                                          {"rmax", required_argument, 0, OPT_SMAX},
                                          {"unit", required_argument, 0, OPT_UNIT},
                                          {"force", no_argument, 0, OPT_FORCE},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_SENSOR: a.sensor = optarg; break;
        case OPT_SENSORS: a.sensors = optarg; break;
        case OPT_LIST: a.list = 1; break;
        case OPT_KD: a.kd_text = optarg; break;
        case OPT_HILL: a.hill = zn_opt_pos("--hill", optarg); break;
        case OPT_BETA: a.beta = zn_opt_pos("--beta", optarg); break;
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_MAXW: a.maxw = optarg; break;
        case OPT_MINW: a.minw = optarg; break;
        case OPT_STAT:
            if (strcmp(optarg, "median") == 0) a.median = 1;
            else if (strcmp(optarg, "mean") == 0) a.median = 0;
            else zn_usage_error("--stat: \"%s\" is not median or mean", optarg);
            break;
        case OPT_SCATTER:
            a.max_scatter = strcmp(optarg, "none") == 0 ? INFINITY : zn_opt_pos("--max-scatter", optarg);
            break;
        case OPT_SMIN: a.smin = zn_opt_num("--fmin/--rmin", optarg); break;
        case OPT_SMAX: a.smax = zn_opt_num("--fmax/--rmax", optarg); break;
        case OPT_UNIT:
            if (strcmp(optarg, "pM") && strcmp(optarg, "nM") && strcmp(optarg, "uM"))
                zn_usage_error("--unit: \"%s\" is not pM, nM or uM", optarg);
            a.unit = optarg;
            break;
        case OPT_FORCE: a.force = 1; break;
        default: zn_usage_error("unknown option");
        }
    }
    char err[1024];
    char *text = NULL;
    if (a.sensors) {
        char e2[512];
        zn_rd *rd = zn_rd_open(a.sensors, e2, sizeof e2);
        size_t len;
        if (!rd || zn_rd_slurp(rd, &text, &len) < 0) zn_die(ZN_EXIT_USAGE, "--sensors: %s", rd ? zn_rd_error(rd) : e2);
        zn_rd_close(rd);
    }
    if (zn_sensors_load(&a.cat, text, a.sensors, err, sizeof err) < 0) zn_die(ZN_EXIT_USAGE, "%s", err);
    free(text);
    if (a.list) {
        list_sensors(&a.cat);
        zn_sensors_free(&a.cat);
        zn_opt_free(&a.o);
        return 0;
    }
    if (a.sensor) {
        a.sens = zn_sensor_find(&a.cat, a.sensor);
        if (!a.sens) {
            zn_buf b = {0};
            for (size_t i = 0; i < a.cat.n; i++) zn_buf_addf(&b, "%s%s", i ? ", " : "", a.cat.s[i].name);
            zn_usage_error("--sensor: \"%s\" is not in the catalogue (%s); give --kd or --sensors FILE", a.sensor,
                           b.s ? b.s : "empty");
        }
        a.kd_nM = a.sens->kd_nM;
        if (isnan(a.hill)) a.hill = a.sens->hill;
        if (isnan(a.beta)) a.beta = a.sens->beta;
    }
    if (a.kd_text && zn_conc_parse(a.kd_text, &a.kd_nM, err, sizeof err) < 0) zn_usage_error("--kd: %s", err);
    if (isnan(a.kd_nM)) zn_usage_error("no Kd: give --sensor NAME (see --list-sensors) or --kd VALUE (e.g. 15nM)");
    if (isnan(a.hill)) a.hill = 1;
    if (isnan(a.beta)) a.beta = 1;
    if ((a.minw && !isnan(a.smin)) || (a.maxw && !isnan(a.smax)))
        zn_usage_error("a constant Smin/Smax and a window for the same end exclude each other");
    if (!isnan(a.smin) && !isnan(a.smax) && !(a.smax > a.smin))
        zn_usage_error("Smax (%g) must be above Smin (%g)", a.smax, a.smin);
    a.unit_f = zn_conc_unit(a.unit);
    zn_opt_check_stdin(argc - optind, usage);
    zn_in in;
    if (zn_in_open(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    run(&a, &in);
    zn_in_close(&in);
    zn_sensors_free(&a.cat);
    zn_opt_free(&a.o);
    return 0;
}
