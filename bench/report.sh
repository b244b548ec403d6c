#!/bin/bash
# make bench (part 3): zn-metrics and zn-report on the calibrated 5,000,000-record
# trace of bench/run.sh, against one pass over the data (zn-view -u) and a
# mawk peer that only computes the per-condition, per-frame means.
# Medians of $RUNS runs; peak memory on all and on a fifth of the records.
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/bench/out"
RUNS=${RUNS:-3}
CELLS=${CELLS:-2000}
FRAMES=${FRAMES:-2500}
AWK=$(command -v mawk || command -v awk)
dff="$out/dff3_${CELLS}x${FRAMES}.znr.gz"
[ -s "$dff" ] || { echo "bench/report.sh: run bench/run.sh first (it makes $dff)" >&2; exit 1; }
cal="$out/cal3_${CELLS}x${FRAMES}.znr.gz"
[ -s "$cal" ] || "$bin/zn-calibrate" -q --sensor FluoZin-3 -o "$cal" "$dff"
n=$("$bin/zn-view" -u "$cal" | grep -vc '^#')
"$bin/zn-view" -u "$cal" | awk -v n=$(( n / 5 )) 'NR <= n' > "$out/cal_fifth.txt"
echo "records: $n (calibrated trace, $(( $(stat -c %s "$cal") / 1000000 )) MB gz)"
. "$top/bench/lib.sh"
# columns of the calibrated trace: sample condition cell role frame t F bg_F F0 F_F0 dF_F0 zn_nM ...
MAWK_MEAN='BEGIN { FS = "\t" } /^#/ { next } $4 == "cell" && $12 != "" { k = $2 SUBSEP $5; s[k] += $12; n[k]++ }
  END { for (k in s) print k, s[k] / n[k] }'
run "one pass: zn-view -u > /dev/null"       "'$bin/zn-view' -u '$cal'"
run "mawk per-frame means (gzip -dc | mawk)"  "gzip -dc '$cal' | $AWK '$MAWK_MEAN'"
# the response window zn-metrics took by default before 3e51d9a: the end
# of the baseline to the last frame (2 s apart) before the max window at
# 4000 s (windows are inclusive); it now asks for one on a trace with
# calibration windows
run "zn-metrics"                             "'$bin/zn-metrics' --response 600:3998 -o '$out/met.znr.gz' '$cal'"
run "zn-report --html (trace + metrics)"     "'$bin/zn-report' -q --html '$out/report.html' '$cal' '$out/met.znr.gz'"
run "zn-report --html on 1/5 of the records" "'$bin/zn-report' -q --html '$out/report5.html' '$out/cal_fifth.txt'"
echo
awk -v a="${WALL[zn-report --html (trace + metrics)]}" -v b="${WALL[one pass: zn-view -u > /dev/null]}" \
    -v c="${WALL[mawk per-frame means (gzip -dc | mawk)]}" \
    'BEGIN { printf "zn-report / one pass of the data: %.2fx;  zn-report / mawk means: %.2fx\n", a / b, a / c }'
printf 'page: %s KB; memory on all / on a fifth of the records: %s / %s MiB\n' "$(( $(stat -c %s "$out/report.html") / 1000 ))" \
    "$(( ${MEM[zn-report --html (trace + metrics)]} / 1024 ))" "$(( ${MEM[zn-report --html on 1/5 of the records]} / 1024 ))"
rm -f "$out/cal_fifth.txt" "$out/time.txt" "$out/report5.html"
