#!/bin/bash
# make bench: time znflow against the codec floor and awk on a 5,000,000-record
# trace (2,000 cells x 2,500 frames), in one run, medians of $RUNS runs.
# Prints wall seconds, peak memory and ratios.  Not part of make check.
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/bench/out"
RUNS=${RUNS:-5}
CELLS=${CELLS:-2000}
FRAMES=${FRAMES:-2500}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
AWK=$(command -v mawk || command -v awk)

# the wide Fiji Multi Measure CSV: one row per frame, one column per cell
if [ ! -s "$out/wide3_${CELLS}x${FRAMES}.csv" ]; then
    echo "generating $CELLS cells x $FRAMES frames ..." >&2
    $AWK -v nc="$CELLS" -v nf="$FRAMES" 'BEGIN {
        printf " "; for (c = 1; c <= nc; c++) printf ",Mean%d", c; printf "\n"
        s = 1
        for (k = 1; k <= nf; k++) {
            printf "%d", k
            # ROI 1 is background; the cells rise 8x in the max window
            # (t 4000-4400 s at 2 s a frame) and fall under baseline in the
            # min window (t 4500 s on), so zn-calibrate has real work to do
            t = 2 * (k - 1); up = (t >= 4000 && t <= 4400) ? 800 : (t >= 4500) ? -20 : 0
            for (c = 1; c <= nc; c++) { s = (s * 16807) % 2147483647
                printf ",%.1f", c == 1 ? 40 + s / 2147483647 * 2 : 100 + c % 50 + up + s / 2147483647 * 20 }
            printf "\n"
        }
    }' > "$out/wide3_${CELLS}x${FRAMES}.csv"
fi
wide="$out/wide3_${CELLS}x${FRAMES}.csv"
trace="$out/trace3_${CELLS}x${FRAMES}.znr.gz"
WIN="--window baseline=0:600 --window max=4000:4400 --window min=4500:999999"
[ -s "$trace" ] || "$bin/zn-ingest" -q --interval 2 --bg 1 $WIN -o "$trace" "$wide"
# the inputs of the later stages, made by the earlier ones
bgz="$out/bg3_${CELLS}x${FRAMES}.znr.gz"
dff="$out/dff3_${CELLS}x${FRAMES}.znr.gz"
[ -s "$bgz" ] || "$bin/zn-background" -o "$bgz" "$trace"
[ -s "$dff" ] || "$bin/zn-ratio" -o "$dff" "$bgz"
gzip -dc "$trace" > "$out/trace.txt"
printf 'records: %s, text %s MB, gz %s MB\n' "$(grep -vc '^#' "$out/trace.txt")" \
    "$(( $(stat -c %s "$out/trace.txt") / 1000000 ))" "$(( $(stat -c %s "$trace") / 1000000 ))"

# run NAME CMD: median wall time and max peak RSS over RUNS runs
. "$top/bench/lib.sh"
echo "median of $RUNS runs; peak memory is the largest of the runs (of the whole pipeline's largest process)"
run "gzip -dc | gzip -1"          "gzip -dc '$trace' | gzip -1 > '$out/o1.gz'"
run "gzip -dc | mawk print | gzip -1" "gzip -dc '$trace' | $AWK '{print}' | gzip -1 > '$out/o2.gz'"
run "zn-view (gz -> gz, default)" "'$bin/zn-view' -o '$out/o3.gz' '$trace'"
run "zn-view -u (gz -> text)"     "'$bin/zn-view' -u '$trace' > /dev/null"
run "zn-ingest (wide CSV -> gz)"  "'$bin/zn-ingest' -q --interval 2 -o '$out/o4.gz' '$wide'"
# memory flat in the number of records: a fifth of the data
head -n $(( $(wc -l < "$out/trace.txt") / 5 )) "$out/trace.txt" | gzip -1 > "$out/fifth.gz"
run "zn-view on 1/5 of the records"  "'$bin/zn-view' -o '$out/o5.gz' '$out/fifth.gz'"

# the imaging chain, each program gz -> gz at default settings, against mawk
# doing the same arithmetic (gzip -dc | mawk | gzip -1)
# columns: sample condition cell role frame t F [bg_F flag]
MAWK_BG='BEGIN { FS = OFS = "\t" } /^#/ { if ($0 ~ /^#s/) print $0, "bg_F"; else print; next }
  $1 != smp { smp = $1; delete b; delete n }
  $4 == "bg" { b[$5] += $7; n[$5]++; next }
  { m = b[$5] / n[$5]; print $1, $2, $3, $4, $5, $6, $7 - m, $8, m }'
MAWK_DFF='BEGIN { FS = OFS = "\t" } /^#/ { if ($0 ~ /^#s/) print $0, "F0", "F_F0", "dF_F0"; else print; next }
  function flush(  i, f0) { if (!k) return; f0 = s / c; for (i = 1; i <= k; i++) print l[i], f0, v[i] / f0, (v[i] - f0) / f0; k = s = c = 0 }
  $1 SUBSEP $3 != key { flush(); key = $1 SUBSEP $3 }
  { l[++k] = $0; v[k] = $7; if ($6 >= 0 && $6 <= 600) { s += $7; c++ } }
  END { flush() }'
MAWK_CAL='BEGIN { FS = OFS = "\t"; kd = 15 } /^#/ { if ($0 ~ /^#s/) print $0, "zn_nM", "zn_flag", "Fmin", "Fmax"; else print; next }
  function flush(  i, hi, lo, z, f) { if (!k) return; hi = sh / ch; lo = sl / cl
    for (i = 1; i <= k; i++) { f = v[i]; if (f <= lo) { z = ""; g = "below_min" } else if (f >= hi) { z = ""; g = "above_max" }
      else { z = kd * (f - lo) / (hi - f); g = "ok" } print l[i], z, g, lo, hi }
    k = sh = ch = sl = cl = 0 }
  $1 SUBSEP $3 != key { flush(); key = $1 SUBSEP $3 }
  { l[++k] = $0; v[k] = $7; if ($6 >= 4000 && $6 <= 4400) { sh += $7; ch++ } if ($6 >= 4500) { sl += $7; cl++ } }
  END { flush() }'
run "mawk background"                "gzip -dc '$trace' | $AWK '$MAWK_BG' | gzip -1 > '$out/o6.gz'"
run "zn-background"                  "'$bin/zn-background' -o '$out/o6.gz' '$trace'"
run "mawk dF/F0"                     "gzip -dc '$bgz' | $AWK '$MAWK_DFF' | gzip -1 > '$out/o7.gz'"
run "zn-ratio (dF/F0)"               "'$bin/zn-ratio' -o '$out/o7.gz' '$bgz'"
run "mawk calibration"               "gzip -dc '$bgz' | $AWK '$MAWK_CAL' | gzip -1 > '$out/o8.gz'"
run "zn-calibrate"                   "'$bin/zn-calibrate' --sensor FluoZin-3 -o '$out/o8.gz' '$bgz'"
run "zn-calibrate after zn-ratio"    "'$bin/zn-calibrate' --sensor FluoZin-3 -o '$out/o8.gz' '$dff'"
run "pipeline ingest..calibrate"     "'$bin/zn-ingest' -q -u --interval 2 --bg 1 $WIN '$wide' | '$bin/zn-background' -u | '$bin/zn-ratio' -u | '$bin/zn-calibrate' --sensor FluoZin-3 -o '$out/o9.gz'"
run "pipeline from the trace"        "'$bin/zn-background' -u '$trace' | '$bin/zn-ratio' -u | '$bin/zn-calibrate' --sensor FluoZin-3 -o '$out/o9.gz'"
run "zn-ratio on 1/5 of the records" "'$bin/zn-background' -u '$out/fifth.gz' | '$bin/zn-ratio' -o '$out/o7.gz'"
# the codec: libdeflate (when built with it) against zlib (ZN_ZLIB=1), and
# the floor set by the size of the pipeline's output: compressing it alone
run "pipeline from the trace, zlib"   "ZN_ZLIB=1 '$bin/zn-background' -u '$trace' | '$bin/zn-ratio' -u | ZN_ZLIB=1 '$bin/zn-calibrate' --sensor FluoZin-3 -o '$out/o9.gz'"
"$bin/zn-view" -u "$out/o9.gz" > "$out/cal.txt"
printf 'the pipeline writes %s MB of text (the trace is %s MB)\n' "$(( $(stat -c %s "$out/cal.txt") / 1000000 ))" \
    "$(( $(stat -c %s "$out/trace.txt") / 1000000 ))"
run "only compress the pipeline output" "'$bin/zn-view' -o '$out/o9.gz' '$out/cal.txt'"
run "zn-view (gz -> gz), zlib"         "ZN_ZLIB=1 '$bin/zn-view' -o '$out/o3.gz' '$trace'"
# a header of 100,000 columns (one per cell of a wide screen): duplicate
# column names are found by hash, not by comparing every pair (12-17 s before)
$AWK 'BEGIN { printf "##znr=1\n#c0"; for (i = 1; i < 100000; i++) printf "\tc%d", i; printf "\n"
              for (r = 0; r < 3; r++) { printf "%d", r; for (i = 1; i < 100000; i++) printf "\t%d", i % 7; printf "\n" } }' > "$out/wide.znr"
run "zn-view --check, 100k-column header" "'$bin/zn-view' --check '$out/wide.znr'"

echo
awk -v a="${WALL[zn-view (gz -> gz, default)]}" -v b="${WALL[gzip -dc | gzip -1]}" -v c="${WALL[gzip -dc | mawk print | gzip -1]}" \
    'BEGIN { printf "zn-view pass-through / gzip pipeline: %.2fx (target <= 1.3x)\n", a / b;
             printf "zn-view pass-through / mawk pipeline: %.2fx\n", a / c }'
ratio() { awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" -v t="$3" 'BEGIN { printf "%-28s %5.2fx faster than %s (target >= %s)\n", "'"$1"'", b / a, "'"$2"'", t }'; }
ratio "zn-background" "mawk background" 1.5
ratio "zn-ratio (dF/F0)" "mawk dF/F0" 1.5
ratio "zn-calibrate" "mawk calibration" 1.5
awk -v a="${WALL[pipeline ingest..calibrate]}" -v c="${WALL[pipeline from the trace]}" -v b="${WALL[gzip -dc | gzip -1]}" \
    'BEGIN { printf "pipeline ingest..calibrate / gzip -dc | gzip -1: %.2fx (target <= 1.5x)\n", a / b
             printf "pipeline background..calibrate / gzip -dc | gzip -1: %.2fx\n", c / b }'
awk -v a="${WALL[pipeline from the trace]}" -v z="${WALL[pipeline from the trace, zlib]}" -v f="${WALL[only compress the pipeline output]}" \
    'BEGIN { printf "pipeline with libdeflate / with zlib: %.2fx\n", a / z
             printf "pipeline / compressing its output alone: %.2fx\n", a / f }'
printf 'sizes: gzip -1 %s MB, zn-view -l 1 (BGZF) %s MB\n' "$(( $(stat -c %s "$out/o1.gz") / 1000000 ))" \
    "$(( $(stat -c %s "$out/o3.gz") / 1000000 ))"
rm -f "$out"/o[0-9].gz "$out/wide.znr" "$out/fifth.gz" "$out/trace.txt" "$out/cal.txt" "$out/time.txt"
