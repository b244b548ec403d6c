/* zn-report - the end of every pipeline: tables for the terminal, TSV and
 * Markdown, and a self-contained HTML page with SVG figures, from any mix
 * of trace, metrics, uptake, fit and curve streams.  This file: options,
 * the order of the work, the tables printed.  The parts are in report/
 * (report.h says which file holds what). */
#include "report/report.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: zn-report [OPTIONS] [FILE...]\n"
    "Tables and figures from ZNR streams of any kind, recognised by their\n"
    "##schema=: trace, metrics, uptake, fit, curve (concatenated or in separate\n"
    "files).  Tables go to standard output (or -o FILE).\n"
    "\n"
    "      --format F        text (aligned, the default), tsv or md (Markdown);\n"
    "                        tsv with --table is one plain table (header first)\n"
    "      --table NAME      only this table (cells, metrics, tests, uptake, fits,\n"
    "                        fit_stats, context, bleach, flags, inputs)\n"
    "      --unit U          the experimental unit of the metrics and tests: dish\n"
    "                        (the sample column: each dish the mean of its cells;\n"
    "                        the default) or cell (cells as replicates, labelled)\n"
    "      --html FILE       also write a self-contained HTML page with SVG figures\n"
    "      --title TEXT      title of the page (default: znflow report)\n"
    "      --signal COL      trace column to plot (default: zn_pM/zn_nM/zn_uM, else\n"
    "                        dF_F0, R_R0, R, F)\n"
    "      --log-y           trace panels on a log axis (values above 0)\n"
    "      --whole-trace     trace panels over the whole recording, calibration\n"
    "                        phases too (default: up to the first calibration window)\n"
    "      --system TEXT     the experiment's cell type or expression system (e.g.\n"
    "                        HEK293 cells; default: ##system= of the inputs):\n"
    "                        published values from the same system are preferred\n"
    "      --cells N         single-cell traces and heatmap rows per condition: a\n"
    "                        random sample (fixed seed) of N cells (default 40)\n"
    "  (-l and -u are accepted and ignored: the report is text)\n";

enum { OPT_FORMAT = ZN_OPT_FIRST_OWN, OPT_TABLE, OPT_HTML, OPT_TITLE, OPT_SIGNAL, OPT_CELLS, OPT_UNIT, OPT_LOGY, OPT_WHOLE, OPT_SYSTEM };

const char *const table_names[NT] = {"cells", "metrics", "tests", "uptake", "fits",
                                     "fit_stats", "context", "bleach", "flags", "inputs"};

int main(int argc, char **argv)
{
    args_t a = {0};
    a.ncells = 40;
    zn_opt_init(&a.o, argc, argv);
    static const struct option lopts[] = {ZN_OPT_LONG,
                                          {"format", required_argument, 0, OPT_FORMAT},
                                          {"table", required_argument, 0, OPT_TABLE},
                                          {"html", required_argument, 0, OPT_HTML},
                                          {"title", required_argument, 0, OPT_TITLE},
                                          {"signal", required_argument, 0, OPT_SIGNAL},
                                          {"cells", required_argument, 0, OPT_CELLS},
                                          {"unit", required_argument, 0, OPT_UNIT},
                                          {"log-y", no_argument, 0, OPT_LOGY},
                                          {"whole-trace", no_argument, 0, OPT_WHOLE},
                                          {"system", required_argument, 0, OPT_SYSTEM},
                                          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ZN_OPT_SHORT, lopts, NULL)) != -1) {
        if (zn_opt_common(&a.o, c, optarg, usage)) continue;
        switch (c) {
        case OPT_FORMAT:
            if (!strcmp(optarg, "text")) a.format = FMT_TEXT;
            else if (!strcmp(optarg, "tsv")) a.format = FMT_TSV;
            else if (!strcmp(optarg, "md")) a.format = FMT_MD;
            else zn_usage_error("--format: \"%s\" is not text, tsv or md", optarg);
            break;
        case OPT_TABLE: {
            size_t i;
            for (i = 0; i < NT; i++)
                if (!strcmp(optarg, table_names[i])) break;
            if (i == NT)
                zn_usage_error("--table: \"%s\" is not a table (cells, metrics, tests, uptake, fits, fit_stats, context, "
                               "bleach, flags, inputs)",
                               optarg);
            a.table = optarg;
            break;
        }
        case OPT_UNIT:
            if (!strcmp(optarg, "dish") || !strcmp(optarg, "sample")) a.unit = UNIT_SAMPLE;
            else if (!strcmp(optarg, "cell")) a.unit = UNIT_CELL;
            else zn_usage_error("--unit: \"%s\" is not dish (or sample) or cell", optarg);
            break;
        case OPT_LOGY: a.log_y = 1; break;
        case OPT_WHOLE: a.whole = 1; break;
        case OPT_SYSTEM: a.system = optarg; break;
        case OPT_HTML: a.html = optarg; break;
        case OPT_TITLE: a.title = optarg; break;
        case OPT_SIGNAL: a.signal = optarg; break;
        case OPT_CELLS: {
            double x = zn_opt_num("--cells", optarg);
            if (x < 0 || x != floor(x) || x > 100000) zn_usage_error("--cells: \"%s\" is not a count (0 to 100000)", optarg);
            a.ncells = (size_t)x;
            break;
        }
        default: zn_usage_error("unknown option");
        }
    }
    zn_opt_check_stdin(argc - optind, usage);
    lit_load();
    static rep_t R; /* static: reachable if the program exits on bad data */
    static out_t O;
    R.a = &a;
    R.rng = 0x5eed2026u;
    O.R = &R;
    zn_in in;
    if (zn_in_open_mixed(&in, argv + optind, argc - optind) < 0) zn_die(ZN_EXIT_DATA, "%s", in.err);
    read_all(&R, &in);
    zn_in_close(&in);
    zn_progress(&a.o, R.ntrace_rec, 1);
    build_cells(&O);
    build_metrics(&O);
    build_kinetics(&O);
    build_context(&O);
    build_bleach(&O);
    build_flags(&O);
    build_inputs(&O);
    zn_buf b = {0};
    int any = 0;
    for (size_t i = 0; i < NT; i++) {
        rtab *t = &O.t[i];
        int nothing = i == T_TESTS && O.met && O.nmcond < 2 && !rtab_rows(t) && a.format != FMT_TSV;
        if (a.table ? strcmp(a.table, t->name) != 0 : !rtab_rows(t) && !nothing) continue;
        if (any) zn_buf_addc(&b, '\n');
        any = 1;
        if (nothing) { /* say so rather than print an empty table */
            zn_buf_addf(&b, "%s: one condition (%s), nothing to compare\n", t->title, O.nmcond ? O.mcond[0] : "none");
            continue;
        }
        if (a.format == FMT_TEXT && i == T_FLAGS && !a.table && rtab_rows(t) > 30) {
            size_t keep = t->n;
            t->n = 30 * t->ncol;
            rtab_print(t, a.format, 1, &b);
            t->n = keep;
            zn_buf_addf(&b, "... %zu more (zn-report --table flags lists them all)\n", rtab_rows(t) - 30);
        } else
            rtab_print(t, a.format, !a.table, &b);
    }
    if (!b.s) zn_buf_adds(&b, "");
    char err[600];
    zn_wr *w = zn_wr_open(a.o.out, 0, 1, err, sizeof err);
    if (!w) zn_die(ZN_EXIT_DATA, "%s", err);
    zn_wr_text(w, b.s, b.n);
    if (zn_wr_close(w, err, sizeof err) < 0) zn_die(ZN_EXIT_DATA, "%s", err);
    zn_buf_free(&b);
    if (a.html) write_html(&O, a.html);
    report_free(&R, &O);
    zn_opt_free(&a.o);
    return 0;
}
