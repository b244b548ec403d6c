#!/bin/bash
# uptake-65zn.sh - radiotracer uptake (65Zn, 109Cd): counter export, BCA
# plate and layouts to Michaelis-Menten fits and report.
#
#   pipelines/uptake-65zn.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--progress] [MANIFEST]
#
# Per assay (manifest rows with protocol uptake-65zn; inputs: the counter
# export, its layout, the BCA plate export, its layout; options: those of
# zn-uptake-rate for this assay, e.g. the specific activity): ingest the
# counts joined to the layout, the BCA plate, then
#   pmol = (signal - blank) / SA,   rate = pmol / (protein_mg * time_min)
# (pmol/mg/min, protein from the BCA standard curve), subtract the empty
# vector's mean rate at each concentration (the specific mean, with an SE
# that carries the scatter of both), and fit the means per construct
#   v = Vmax [S] / (Km + [S])
# weighted by 1/SE^2, with a 95 % confidence band.  Results: OUTDIR/ASSAY.bca.znr.gz (the plate),
# OUTDIR/ASSAY.uptake.znr.gz (rates), OUTDIR/ASSAY.specific.znr.gz (per
# construct and concentration the mean rate less the vector's, with its SE:
# the data that are fitted and reported),
# OUTDIR/ASSAY.fit.znr.gz, OUTDIR/ASSAY.curve.znr.gz; the report over all
# assays: report.html, report.txt (default OUTDIR results/uptake-65zn).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
zn_init uptake-65zn "$@"

assay() {
    local e=$1 cond=$2 opt=$3
    local -a o
    [ $# -eq 7 ] || zn_die "$MANIFEST: assay $e: give four inputs: counter export, its layout, BCA plate, its layout"
    read -r -a o <<< "$opt"
    zn-ingest --layout "$7" -o "$TMP/$e.bca.znr.gz" "$6"
    # a condition that is an element symbol (Zn, Cd) is the metal taken up: the report names it
    local -a metal=()
    [[ $cond =~ ^[A-Z][a-z]?$ ]] && metal=(--meta "metal=$cond")
    zn-ingest -u --sample "$e" --condition "$cond" "${metal[@]}" --layout "$5" "$4" |
        zn-uptake-rate -q "${o[@]}" --protein "$TMP/$e.bca.znr.gz" -o "$TMP/$e.uptake.znr.gz"
    # the specific mean per construct and concentration (total - vector) with
    # its SE from both (the wells' scatter as UP_WEIGHT says); the fit weights
    # the means by 1/SE^2 and pools the wells' scatter (NOTES.md)
    zn-background -u --control "$UP_CONTROL" --means --weight "$UP_WEIGHT" -o "$TMP/$e.specific.znr.gz" "$TMP/$e.uptake.znr.gz"
    zn-mm-fit -q --by construct --model "$UP_MODEL" --weight sd --sd rate_sd_eq --n rate_n_eq --curve "$UP_CURVE" \
        --curve-output "$TMP/$e.curve.znr.gz" -o "$TMP/$e.fit.znr.gz" "$TMP/$e.specific.znr.gz"
    zn_commit "$e.bca.znr.gz" "$e.uptake.znr.gz" "$e.specific.znr.gz" "$e.fit.znr.gz" "$e.curve.znr.gz"
}
zn_each assay

if [ "$REPORT" = 1 ]; then
    zn_note "report"
    "$ZN_PIPELINES/znflow-report" uptake-65zn "$OUT" "$OUT"/*.specific.znr.gz "$OUT"/*.fit.znr.gz "$OUT"/*.curve.znr.gz
fi
