#!/bin/bash
# er-fret-zip7.sh - ER free Zn2+ with ER-ZapCY1 (FRET), control vs ZIP7
# inhibitor (NVS-ZP7-4): donor and acceptor channel exports to report.
#
#   pipelines/er-fret-zip7.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--progress] [MANIFEST]
#
# Per dish (manifest rows with protocol er-fret-zip7; inputs: the donor
# (CFP) export, then the acceptor (YFP, donor excitation) export): ingest
# both channels joined by cell and frame, subtract each channel's
# background ROI (smoothed over ER_BG_SMOOTH seconds), correct the donor's
# and the acceptor's photobleaching by the FRET model, rates and G per dish
# (zn-bleach --fret, ER_BLEACH windows: the donor's bleaching cancels in
# the ratio, the acceptor's does not, and its drift depends on the FRET
# state), R = YFP/CFP with R/R0, calibrate each cell with its own
# Rmin (TPEN) and Rmax (Zn + pyrithione + digitonin) windows:
#   [Zn] = Kd' (R - Rmin) / (Rmax - R),  Kd' = 2.53 pM (ZapCY1), in pM
# then per-cell metrics (baseline, rise after the inhibitor, mean of the
# final 90 s).  Results: OUTDIR/DISH.zn.znr.gz, OUTDIR/DISH.metrics.znr.gz;
# the report (control vs NVS-ZP7-4, Welch t per metric; resting ER zinc
# beside Qin et al. 2011's 0.9 pM): report.html, report.txt (default
# OUTDIR results/er-fret-zip7).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
zn_init er-fret-zip7 "$@"

dish() {
    local e=$1 cond=$2
    [ $# -eq 5 ] || zn_die "$MANIFEST: experiment $e: give two inputs, the donor (CFP) and acceptor (YFP) exports"
    zn_er_dish "$e" "$cond" "$4" "$5"
    zn_commit "$e.zn.znr.gz" "$e.metrics.znr.gz"
}
zn_each dish

if [ "$REPORT" = 1 ]; then
    zn_note "report"
    "$ZN_PIPELINES/znflow-report" er-fret-zip7 "$OUT" "$OUT"/*.zn.znr.gz "$OUT"/*.metrics.znr.gz
fi
