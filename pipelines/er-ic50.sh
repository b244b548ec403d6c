#!/bin/bash
# er-ic50.sh - concentration-response of ER free Zn2+ (ER-ZapCY1, FRET) to
# the ZIP7 inhibitor NVS-ZP7-4: dishes at several concentrations, each
# imaged as in er-fret-zip7, to the EC50 with its interval.
#
#   pipelines/er-ic50.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--progress] [MANIFEST]
#
# Per dish (manifest rows with protocol er-ic50; inputs: the donor (CFP)
# export, then the acceptor (YFP) export; options: conc=VALUE, the
# inhibitor's concentration in uM, 0 for the vehicle): the er-fret-zip7
# chain (ingest, background, the donor's and acceptor's bleaching per dish,
# R = YFP/CFP, calibration with each cell's Rmin/Rmax, metrics; the ER_
# parameters of params.conf), with the concentration in the stream's meta
# (##conc_uM=).  Then the dish is the replicate (SCIENCE.md 1d): zn-means
# takes each dish's mean of its cells' IC_METRIC (default mean_final, ER
# [Zn] in the final 90 s), and zn-mm-fit fits over the concentrations
#   y = bottom + (top - bottom) / (1 + (ec50 / x)^hill)
# (vehicle dishes at x = 0 are the curve's limit; weights 1/y2, IC_WEIGHT),
# profile and Wald intervals, the adequacy tests, and a 95 % band.  Results:
# OUTDIR/DISH.zn.znr.gz, OUTDIR/DISH.metrics.znr.gz, OUTDIR/dishes.znr.gz
# (the dish means), OUTDIR/fit.znr.gz, OUTDIR/curve.znr.gz; the report:
# report.html, report.txt (default OUTDIR results/er-ic50).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
zn_init er-ic50 "$@"

dish() {
    local e=$1 cond=$2
    [ $# -eq 5 ] || zn_die "$MANIFEST: experiment $e: give two inputs, the donor (CFP) and acceptor (YFP) exports"
    [ -n "$IC_CONC" ] || zn_die "$MANIFEST: experiment $e: give the inhibitor's concentration in the options (conc=0.3, in uM; conc=0 for the vehicle)"
    zn_er_dish "$e" "$cond" "$4" "$5" --meta conc_uM="$IC_CONC"
    zn_commit "$e.zn.znr.gz" "$e.metrics.znr.gz"
}
zn_each dish

# the fit over every dish in OUTDIR (a run with -e adds its dishes to those
# already there)
zn_note "fit"
zn-means --by sample,condition --meta conc_uM -c "$IC_METRIC" -o "$TMP/dishes.znr.gz" "$OUT"/*.metrics.znr.gz
zn-mm-fit -q -m "$IC_MODEL" -x conc_uM -y "$IC_METRIC" --weight "$IC_WEIGHT" --ci profile --curve "$IC_CURVE" \
    --curve-output "$TMP/curve.znr.gz" -o "$TMP/fit.znr.gz" "$TMP/dishes.znr.gz"
zn_commit dishes.znr.gz fit.znr.gz curve.znr.gz

if [ "$REPORT" = 1 ]; then
    zn_note "report"
    "$ZN_PIPELINES/znflow-report" er-ic50 "$OUT" "$OUT"/dishes.znr.gz "$OUT"/fit.znr.gz "$OUT"/curve.znr.gz
fi
