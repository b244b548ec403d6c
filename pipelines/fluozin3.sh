#!/bin/bash
# fluozin3.sh - FluoZin-3 imaging, Fiji Multi Measure export to report.
#
#   pipelines/fluozin3.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--progress] [MANIFEST]
#
# Per dish (manifest rows with protocol fluozin3, one CSV each): ingest
# with the protocol's windows (params.conf: baseline, response, Zn +
# pyrithione = max, TPEN = min), subtract the background ROI frame by
# frame (smoothed over FZ_BG_SMOOTH seconds), correct photobleaching
# with one rate per dish fitted over the plateaus (FZ_BLEACH: baseline,
# Zn + pyrithione, TPEN after its fall),
# F/F0, calibrate each cell to free Zn2+ with its own Fmax/Fmin:
#   [Zn] = Kd (F - Fmin) / (Fmax - F),  Kd = 15 nM
# then per-cell metrics (baseline, peak, amplitude, AUC, mean plateau).
# Results: OUTDIR/DISH.zn.znr.gz, OUTDIR/DISH.metrics.znr.gz; the report
# over all dishes in OUTDIR: report.html, report.txt (default OUTDIR
# results/fluozin3).  Plain streams (-u) between the filters, gzip at the end.
# Bleaching: without the correction the in-situ Fmin/Fmax, read late,
# are bleached and resting [Zn] comes out high (NOTES.md, zn-bleach(1)).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
zn_init fluozin3 "$@"

dish() {
    local e=$1 cond=$2 csv=$4
    zn-ingest -u --interval "$FZ_INTERVAL" --bg "$FZ_BG" --sample "$e" --condition "$cond" \
            --meta compartment="$FZ_COMPARTMENT" --window baseline="$FZ_BASELINE" \
            --window response="$FZ_RESPONSE" --window max="$FZ_MAX" --window min="$FZ_MIN" "$csv" |
        zn-background -u ${FZ_BG_SMOOTH:+--smooth "$FZ_BG_SMOOTH"} |
        zn-bleach -q -u --window "$FZ_BLEACH" |
        zn-ratio -u |
        zn-calibrate -q --sensor "$FZ_SENSOR" --unit "$FZ_UNIT" -o "$TMP/$e.zn.znr.gz"
    zn-metrics --window plateau="$FZ_PLATEAU" -o "$TMP/$e.metrics.znr.gz" "$TMP/$e.zn.znr.gz"
    zn_commit "$e.zn.znr.gz" "$e.metrics.znr.gz"
}
zn_each dish

if [ "$REPORT" = 1 ]; then
    zn_note "report"
    "$ZN_PIPELINES/znflow-report" fluozin3 "$OUT" "$OUT"/*.zn.znr.gz "$OUT"/*.metrics.znr.gz
fi
