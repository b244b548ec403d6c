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
if [ ! -s "$out/wide_${CELLS}x${FRAMES}.csv" ]; then
    echo "generating $CELLS cells x $FRAMES frames ..." >&2
    $AWK -v nc="$CELLS" -v nf="$FRAMES" 'BEGIN {
        printf " "; for (c = 1; c <= nc; c++) printf ",Mean%d", c; printf "\n"
        s = 1
        for (k = 1; k <= nf; k++) {
            printf "%d", k
            for (c = 1; c <= nc; c++) { s = (s * 16807) % 2147483647; printf ",%.1f", 100 + c % 50 + s / 2147483647 * 20 }
            printf "\n"
        }
    }' > "$out/wide_${CELLS}x${FRAMES}.csv"
fi
wide="$out/wide_${CELLS}x${FRAMES}.csv"
trace="$out/trace_${CELLS}x${FRAMES}.znr.gz"
[ -s "$trace" ] || "$bin/zn-ingest" -q --interval 2 -o "$trace" "$wide"
gzip -dc "$trace" > "$out/trace.txt"
printf 'records: %s, text %s MB, gz %s MB\n' "$(grep -vc '^#' "$out/trace.txt")" \
    "$(( $(stat -c %s "$out/trace.txt") / 1000000 ))" "$(( $(stat -c %s "$trace") / 1000000 ))"

# run NAME CMD: median wall time and max peak RSS over RUNS runs
declare -A WALL MEM
run() {
    local name=$1 cmd=$2 ts=() m=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$out/time.txt" bash -c "$cmd" > /dev/null
        read -r t k < "$out/time.txt"
        ts+=("$t"); [ "$k" -gt "$m" ] && m=$k
    done
    WALL[$name]=$(printf '%s\n' "${ts[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    MEM[$name]=$m
    printf '%-34s %7.2f s  %8.1f MiB\n' "$name" "${WALL[$name]}" "$(echo "$m / 1024" | bc -l)"
}
echo "median of $RUNS runs; peak memory is the largest of the runs (of the whole pipeline's largest process)"
run "gzip -dc | gzip -1"          "gzip -dc '$trace' | gzip -1 > '$out/o1.gz'"
run "gzip -dc | mawk print | gzip -1" "gzip -dc '$trace' | $AWK '{print}' | gzip -1 > '$out/o2.gz'"
run "zn-view (gz -> gz, default)" "'$bin/zn-view' -o '$out/o3.gz' '$trace'"
run "zn-view -u (gz -> text)"     "'$bin/zn-view' -u '$trace' > /dev/null"
run "zn-ingest (wide CSV -> gz)"  "'$bin/zn-ingest' -q --interval 2 -o '$out/o4.gz' '$wide'"
# memory flat in the number of records: a fifth of the data
head -n $(( $(wc -l < "$out/trace.txt") / 5 )) "$out/trace.txt" | gzip -1 > "$out/fifth.gz"
run "zn-view on 1/5 of the records"  "'$bin/zn-view' -o '$out/o5.gz' '$out/fifth.gz'"
echo
awk -v a="${WALL[zn-view (gz -> gz, default)]}" -v b="${WALL[gzip -dc | gzip -1]}" -v c="${WALL[gzip -dc | mawk print | gzip -1]}" \
    'BEGIN { printf "zn-view pass-through / gzip pipeline: %.2fx (target <= 1.3x)\n", a / b;
             printf "zn-view pass-through / mawk pipeline: %.2fx\n", a / c }'
printf 'sizes: gzip -1 %s MB, zn-view -l 1 (BGZF) %s MB\n' "$(( $(stat -c %s "$out/o1.gz") / 1000000 ))" \
    "$(( $(stat -c %s "$out/o3.gz") / 1000000 ))"
rm -f "$out"/o[0-9].gz "$out/trace.txt" "$out/time.txt"
