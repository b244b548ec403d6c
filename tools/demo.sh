#!/bin/bash
# make demo: run the main job on the bundled example data.
# Today: ingest the bundled Fiji Multi Measure export of a FluoZin-3 dish,
# check it and show what the records look like.  (The full demo, with
# calibration, uptake fits and the HTML report, comes with those filters.)
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/demo-out"
mkdir -p "$out"
PATH="$bin:$PATH"
zn-ingest --interval 5 --bg 1 --sample dish1 --condition control \
    --window baseline=0:95 --window max=400:495 --window min=500:595 \
    -o "$out/dish1.trace.znr.gz" "$top/examples/fluozin3_dish1.csv"
zn-view --check "$out/dish1.trace.znr.gz"
zn-view --tsv "$out/dish1.trace.znr.gz" > "$out/dish1.trace.tsv"
echo
echo "First records (zn-view -u $out/dish1.trace.znr.gz | head):"
zn-view -u "$out/dish1.trace.znr.gz" | head -n 14
echo "..."
echo
echo "Per cell: mean F in the baseline, max (Zn + pyrithione) and min (TPEN) windows:"
zn-view --tsv "$out/dish1.trace.znr.gz" | awk -F'\t' '
    NR > 1 { w = ($6 <= 95) ? "baseline" : ($6 >= 400 && $6 <= 495) ? "max" : ($6 >= 500) ? "min" : "";
             if (w != "") { s[$3 SUBSEP w] += $7; n[$3 SUBSEP w]++ } if (!($3 in seen)) { seen[$3] = 1; order[++k] = $3; role[$3] = $4 } }
    END { printf "%-6s %-5s %10s %10s %10s\n", "cell", "role", "baseline", "max", "min";
          for (i = 1; i <= k; i++) { c = order[i]; printf "%-6s %-5s %10.1f %10.1f %10.1f\n", c, role[c],
              s[c SUBSEP "baseline"] / n[c SUBSEP "baseline"], s[c SUBSEP "max"] / n[c SUBSEP "max"], s[c SUBSEP "min"] / n[c SUBSEP "min"] } }'
echo
echo "Results are in $out/ (dish1.trace.znr.gz, dish1.trace.tsv)."
