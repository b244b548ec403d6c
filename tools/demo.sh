#!/bin/bash
# make demo: run the main job on the bundled example data.
# The imaging chain on a FluoZin-3 dish exported from Fiji (examples/,
# written by tools/make-example.sh from a known truth): ingest, subtract
# the background ROI, F/F0, calibrate to free zinc with the in-situ
# Fmax/Fmin windows, with and without photobleaching correction, and set
# the per-cell results beside the truth the file was made from.
# Then per-cell metrics and the HTML report (demo-out/report.html).  The
# other two protocols and their pipelines come with issue 6.
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
zn-background -u "$out/dish1.trace.znr.gz" | zn-ratio -u |
    zn-calibrate --sensor FluoZin-3 -o "$out/dish1.zn.znr.gz"
zn-background -u "$out/dish1.trace.znr.gz" | zn-ratio -u --bleach exp |
    zn-calibrate --sensor FluoZin-3 -o "$out/dish1.zn-bleach.znr.gz"
zn-view --check "$out/dish1.zn.znr.gz"
zn-view --tsv "$out/dish1.zn.znr.gz" > "$out/dish1.zn.tsv"
echo
echo "How the records were made (zn-view --meta):"
zn-view --meta "$out/dish1.zn-bleach.znr.gz" | grep -E '^##(pg|background|ratio|bleach|calibration)='
echo
echo "Per cell: median free Zn2+ (nM) at rest (0-95 s) and at the end of the stimulus"
echo "(375-395 s), against the truth the example was made from (rest 0.5 + 0.1 c,"
echo "peak about 5 + 2 c nM, c = 1..8; signal bleached by exp(-t/3000 s))."
for f in zn zn-bleach; do zn-view --tsv -c cell,t,zn_nM,bleach_k "$out/dish1.$f.znr.gz" 2>/dev/null ||
    zn-view --tsv -c cell,t,zn_nM "$out/dish1.$f.znr.gz"; done | awk -F'\t' '
    function med(s,   n, a, i, j, x) { n = split(s, a, " "); for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $1 == "cell" { run++; next }
    { key = run SUBSEP $1; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
      if ($2 <= 95 && $3 != "") rest[key] = rest[key] " " $3
      if ($2 >= 375 && $2 <= 395 && $3 != "") pk[key] = pk[key] " " $3 }
    END { printf "%-5s %10s %10s %10s   %10s %10s %10s\n", "cell", "rest", "estimate", "bleach-corr", "peak", "estimate", "bleach-corr"
          for (i = 1; i <= k; i++) { c = order[i]; n = c - 1
              tp = 0.5 + 0.1 * n + (5 + 2 * n - 0.5 - 0.1 * n) * (1 - exp(-290 / 60))
              printf "%-5s %10.2f %10.2f %10.2f   %10.2f %10.2f %10.2f\n", c, 0.5 + 0.1 * n, med(rest[1 SUBSEP c]), med(rest[2 SUBSEP c]),
                  tp, med(pk[1 SUBSEP c]), med(pk[2 SUBSEP c]) } }'
zn-metrics -o "$out/dish1.metrics.znr.gz" "$out/dish1.zn-bleach.znr.gz"
echo
zn-report --html "$out/report.html" --title "znflow demo: FluoZin-3, one dish" \
    "$out/dish1.zn-bleach.znr.gz" "$out/dish1.metrics.znr.gz" | sed -n '/^Cells and/,/^$/p'
echo "Results are in $out/: report.html (open it in a browser), dish1.trace.znr.gz,"
echo "dish1.zn.znr.gz, dish1.zn-bleach.znr.gz, dish1.metrics.znr.gz, dish1.zn.tsv."
