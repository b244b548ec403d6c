#!/bin/bash
# er-ic50.sh - concentration-response of ER free Zn2+ (ER-ZapCY1, FRET) to
# the ZIP7 inhibitor NVS-ZP7-4: dishes at several concentrations, each
# imaged as in er-fret-zip7, to the EC50 with its interval.
#
#   pipelines/er-ic50.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--no-fit] [--progress] [MANIFEST]
#
# Per dish (manifest rows with protocol er-ic50; inputs: the donor (CFP)
# export, then the acceptor (YFP) export; options: conc=VALUE, the
# inhibitor's concentration in uM, 0 for the vehicle): the er-fret-zip7
# chain (ingest, background, one bleaching rate per dish and channel,
# R = YFP/CFP, calibration with each cell's Rmin/Rmax, metrics; the ER_
# parameters of params.conf, --params and the row: final=800:990 in a
# row's options sets that dish's ER_FINAL), with the concentration in the
# stream's meta (##conc_uM=).  Then the series over every dish in OUTDIR
# (a run with -e adds its dishes to those already there): the dish is the
# replicate (SCIENCE.md 1d), zn-means takes each dish's mean of its cells'
# IC_METRIC (default mean_final, ER [Zn] in the final 90 s), and zn-mm-fit
# fits over the concentrations
#   y = bottom + (top - bottom) / (1 + (ec50 / x)^hill)
# (vehicle dishes at x = 0 are the curve's limit; weights 1/y2, IC_WEIGHT),
# profile and Wald intervals, the adequacy tests, and a 95 % band.  The
# series parameters (IC_METRIC, IC_MODEL, IC_WEIGHT, IC_CURVE) have one
# value for all dishes: params.conf or --params, not a row.  Results:
# OUTDIR/DISH.zn.znr.gz, OUTDIR/DISH.metrics.znr.gz, OUTDIR/dishes.znr.gz
# (the dish means), OUTDIR/fit.znr.gz, OUTDIR/curve.znr.gz; the report:
# report.html, report.txt (default OUTDIR results/er-ic50).
# --no-fit: the dishes only, for runs that each do some dishes of one
# series and a later step that fits them all once (znflow-run, as the
# SLURM and GNU parallel tasks run it, then znflow-merge); the series
# results already in OUTDIR no longer hold every dish and are removed
# (no report either).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
zn_init er-ic50 "$@"

dish() {
    local e=$1 cond=$2
    [ $# -eq 5 ] || zn_die "$MANIFEST: experiment $e: give two inputs, the donor (CFP) and acceptor (YFP) exports"
    [ -n "$IC_CONC" ] || zn_die "$MANIFEST: experiment $e: give the inhibitor's concentration in the options (conc=0.3, in uM; conc=0 for the vehicle)"
    zn_er_dish "$e" "$cond" "$4" "$5" --meta conc_uM="$IC_CONC"
    [ "$FIT" = 1 ] || rm -f "$OUT/dishes.znr.gz" "$OUT/fit.znr.gz" "$OUT/curve.znr.gz"
    zn_commit "$e.zn.znr.gz" "$e.metrics.znr.gz"
}
zn_each dish
[ "$FIT" = 1 ] || exit 0

# the series over every dish in OUTDIR
zn_note "fit"
zn_ic50_series "$OUT"

if [ "$REPORT" = 1 ]; then
    zn_note "report"
    "$ZN_PIPELINES/znflow-report" er-ic50 "$OUT" "$OUT"/dishes.znr.gz "$OUT"/fit.znr.gz "$OUT"/curve.znr.gz
fi
