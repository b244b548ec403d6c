#!/bin/bash
# ic_bias_seeds.sh PIPELINES_DIR WORKDIR SEED...: the er-ic50 series of each
# seed (tools/make-examples.py --ic50-seed) through PIPELINES_DIR/er-ic50.sh
# (a copy of pipelines/ with its own params.conf: er-ic50.sh does not read
# --params for the ER_ parameters), then tests/ref/er_bias.py; prints per
# seed "SEED<TAB>CONC<TAB>relative bias of the dish means" and the per-cell
# summary lines.  NOTES.md (bleach2) averaged 20 seeds this way, once with
# pipelines/ and once with a copy whose common.sh had no --fret and whose
# params.conf had empty *_BG_SMOOTH.  Needs zn-* and zn-view on PATH.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
pipe=$1 work=$2
shift 2
for s in "$@"; do
    d=$work/s$s
    rm -rf "$d"
    mkdir -p "$d"
    python3 "$top/tools/make-examples.py" --ic50-seed "$s" "$d" >/dev/null
    "$pipe/er-ic50.sh" --no-report -o "$d/out" "$d/er-ic50/manifest.tsv" >/dev/null 2>&1
    python3 "$top/tests/ref/er_bias.py" "$d/out" "$d/truth/er_ic50_cells.tsv" > "$d/bias"
    awk -v s="$s" '/^by concentration/ { b = 1; next } b { print s "\t" $1 "\t" $2 }' "$d/bias"
    awk -v s="$s" '/^(rest|final|Rmin|Rmax) / { print s "\tcells\t" $0 }' "$d/bias"
done
