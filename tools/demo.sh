#!/bin/bash
# make demo: the protocols end to end on the bundled example data
# (examples/, written by tools/make-examples.py from a known truth in
# examples/truth/), with the pipelines a user runs (pipelines/*.sh), and
# the results set beside the truth.
#
#   tools/demo.sh [BINDIR [OUTDIR]]     (defaults build/bin, demo-out)
#
# Writes OUTDIR/PROTOCOL/ (results, report.html, report.txt per protocol),
# OUTDIR/summary.txt (printed) and OUTDIR/report.html (the summary and
# links to the three reports).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin}
[ -x "$bin/zn-ingest" ] || { echo "demo.sh: no zn-ingest in $bin: build the programs first (make), or give their folder" >&2; exit 1; }
bin=$(cd "$bin" && pwd)
out=${2:-$top/demo-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
PATH="$bin:$PATH"
export ZNFLOW_BIN=$bin      # the pipelines use these programs
ex=$top/examples
for p in fluozin3 er-fret-zip7 uptake-65zn; do
    rm -rf "${out:?}/$p"
    "$top/pipelines/$p.sh" -o "$out/$p" "$ex/manifest.tsv"
done
# the NVS-ZP7-4 concentration series has its own manifest (examples/er-ic50/)
rm -rf "${out:?}/er-ic50"
"$top/pipelines/er-ic50.sh" -o "$out/er-ic50" "$ex/er-ic50/manifest.tsv"

# ---- the summary: every number from the result files, beside the truth
{
echo "znflow demo: three protocols on the bundled example data (truth: examples/truth/)"
echo
echo "65Zn / 109Cd uptake: Michaelis-Menten fitted to the specific means (total - empty vector), weighted by 1/SE^2 (SE from both)"
zn-view --tsv -c construct,Vmax,Vmax_lo,Vmax_hi,Km,Km_lo,Km_hi,status "$out"/uptake-65zn/{zn,cd}.fit.znr.gz |
    awk -F'\t' -v truth="$ex/truth/uptake.tsv" '
    BEGIN { while ((getline l < truth) > 0) { split(l, f, "\t"); t[f[2], f[4]] = f[5] }
            printf "  %-7s %-5s %9s %21s %9s %s\n", "", "", "estimate", "95% CI", "truth", "inside" }
    $1 == "construct" { next }
    { for (i = 0; i < 2; i++) { p = i ? "Km" : "Vmax"; e = $(2 + 3 * i); lo = $(3 + 3 * i); hi = $(4 + 3 * i)
          u = i ? "uM" : "pmol/mg/min"
          printf "  %-7s %-5s %9.4g [%9.4g, %9.4g] %9.4g %s  %s\n", i ? "" : $1, p, e, lo, hi, t[$1, p],
                 (t[$1, p] >= lo && t[$1, p] <= hi) ? "yes" : "no", u } }'
echo "  (A 95 % interval misses the truth in 1 experiment in 20, and these examples are such"
echo "  draws; over 100 realizations of the same design the intervals covered the truth in"
echo "  90-97 % of them: tests/demo.bats.)"
echo
for p in fluozin3 er-fret-zip7; do
    # truth columns: the cell's name (kc), [Zn] at rest (6), in the window (7),
    # whether it calibrates (cal)
    if [ $p = fluozin3 ]; then
        echo "FluoZin-3 (4 dishes x 30 cells): free Zn2+ per cell against the truth (nM)"
        truth=$ex/truth/fluozin3_cells.tsv win=plateau kc=2 cal=10
    else
        echo "ER-ZapCY1 (3 control + 3 NVS-ZP7-4 dishes x 12 cells): ER free Zn2+ per cell against the truth (pM)"
        truth=$ex/truth/er_cells.tsv win=final kc=3 cal=8
    fi
    zn-view --tsv -c sample,cell,baseline_mean,mean_$win,flag "$out/$p"/*.metrics.znr.gz |
        awk -F'\t' -v truth="$truth" -v kc=$kc -v cal=$cal -v win=$win '
        BEGIN { while ((getline l < truth) > 0) { $0 = l; if ($1 == "dish") continue
                    k = $1 SUBSEP $kc; r[k] = $6; w[k] = $7; c[k] = $cal; nt++; nc += $cal } }
        $1 == "sample" { next }
        { k = $1 SUBSEP $2; m++
          if ($3 == "") { if (c[k]) miss++; else right++; next }
          if (!c[k]) wrong++
          ok++; er = $3 - r[k]; ew = ($4 - w[k]) / w[k]; if (ew < 0) ew = -ew
          se += er; sa += er < 0 ? -er : er; sw += ew; if (ew > mw) mw = ew }
        END { printf "  cells calibrated: %d of %d (truth: %d should, %d should fail; failed as they should: %d)\n", ok, m, nc, nt - nc, right
              if (miss + wrong) printf "  MISMATCH: %d cells failed that should not, %d calibrated that should have failed\n", miss, wrong
              printf "  at rest: mean error %+.3f, mean |error| %.3f\n", se / ok, sa / ok
              printf "  %s window: mean |relative error| %.1f %%, largest %.1f %%\n", win, 100 * sw / ok, 100 * mw }'
    # the photobleaching correction: each dish's fitted rate (zn-bleach)
    if [ $p = fluozin3 ]; then
        for f in "$out/$p"/*.zn.znr.gz; do zn-view --tsv -c sample,bleach_k_F,bleach_k_se_F "$f" | sed -n 2p; done |
            awk -F'\t' -v truth="$truth" 'BEGIN { while ((getline l < truth) > 0) { split(l, f, "\t"); tau[f[1]] = f[5] } }
                { s = s sprintf("  %s %.2f +- %.2f (%.2f)", $1, 1e5 * $2, 1e5 * $3, 1e5 / tau[$1]) }
                END { print "  bleaching, one rate per dish (zn-bleach), 1e-5/s +- SE (truth):"; print " " s }'
    else
        for f in "$out/$p"/*.zn.znr.gz; do zn-view --tsv -c sample,bleach_k_F_YFP,bleach_k_se_F_YFP,fret_g "$f" | sed -n 2p; done |
            awk -F'\t' -v truth="$truth" 'BEGIN { while ((getline l < truth) > 0) { split(l, f, "\t"); tau[f[1]] = f[10] } }
                { s = s sprintf("  %s %.2f +- %.2f (%.2f)", $1, 1e5 * $2, 1e5 * $3, 1e5 / tau[$1]); g = g sprintf("  %s %.3f", $1, $4) }
                END { print "  acceptor bleaching, which the ratio does not cancel (zn-bleach --fret), 1e-5/s +- SE (truth):"; print " " s
                      print "  G, fitted per dish (truth 3):"; print " " g }'
    fi
    # three of the page's tests; p_holm is adjusted over every metric the page tests (said, with how many)
    zn-report --format tsv --table tests "$out/$p"/*.metrics.znr.gz |
        awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["p_holm"] != "" { N++ }
            $1 ~ /^(baseline_mean|amplitude|mean_final)$/ && $c["p"] != "" {
                row[++k] = sprintf("  %-14s %-8s %-7s %8.4g %7.4g %10.4g %10.4g", $1, $c["test"], $c["n"], $c["statistic"],
                                   $c["df1"], $c["p"], $c["p_holm"]) }
            END { if (!k) exit
                  printf "  tests between the conditions over dish means (n: dishes); p_holm: Holm over the %d metrics the page tests\n", N
                  printf "  %-14s %-8s %-7s %8s %7s %10s %10s\n", "metric", "test", "n", "t", "df", "p", "p_holm"
                  for (i = 1; i <= k; i++) print row[i] }'
    # a cell flagged by the calibration and by the metrics is one cell
    echo "  flagged in the report: $(sed -n '/^Flagged/,/^$/p' "$out/$p/report.txt" |
        awk 'NR > 2 && ($1 == "trace" || $1 == "metrics") && !seen[$2, $3]++ { n++ } END { print n + 0 }') cells"
    echo
done
echo "NVS-ZP7-4 concentration-response (7 concentrations x 3 dishes, ER-ZapCY1): 4pl over dish means (1/y2 weights)"
zn-view --tsv -c status,bottom,bottom_lo,bottom_hi,top,top_lo,top_hi,ec50,ec50_lo,ec50_hi,hill,hill_lo,hill_hi "$out/er-ic50/fit.znr.gz" |
    awk -F'\t' -v truth="$ex/truth/er_ic50.tsv" '
    BEGIN { while ((getline l < truth) > 0) { split(l, f, "\t"); t[f[1]] = f[2]; u[f[1]] = f[3] }
            printf "  %-7s %9s %21s %9s %s\n", "", "estimate", "95% CI (profile)", "truth", "inside" }
    NR == 1 { next }
    { split("bottom top ec50 hill", p, " ")
      for (i = 1; i <= 4; i++) { e = $(2 + 3 * (i - 1)); lo = $(3 + 3 * (i - 1)); hi = $(4 + 3 * (i - 1)); v = t[p[i]]
          printf "  %-7s %9.4g [%9s, %9s] %9.4g %s  %s\n", p[i], e, lo == "" ? "open" : sprintf("%.4g", lo),
                 hi == "" ? "open" : sprintf("%.4g", hi), v,
                 ((lo == "" || v >= lo) && (hi == "" || v <= hi)) ? "yes" : "no", u[p[i]] }
      if ($1 != "ok") print "  status: " $1 }'
echo "  (the ec50's 95 % interval over realizations of this design: tests/demo.bats)"
echo
echo "Results in $out/: report.html (the summary, with links), and per protocol"
echo "fluozin3/, er-fret-zip7/, uptake-65zn/, er-ic50/: report.html (open in a browser), report.txt, *.znr.gz"
} | tee "$out/summary.txt"

# ---- the index page: the summary and the three reports
{
cat <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>znflow demo</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}pre{background:#f4f4f4;padding:1em;overflow-x:auto}</style>
</head><body><h1>znflow demo</h1>
<p>The three protocols run by <code>pipelines/</code> on the bundled example data (<code>examples/</code>, made by
<code>tools/make-examples.py</code> from the truth in <code>examples/truth/</code>).</p>
<ul>
<li><a href="fluozin3/report.html">FluoZin-3 imaging: cytosolic free Zn2+</a></li>
<li><a href="er-fret-zip7/report.html">ER-ZapCY1 FRET: ER free Zn2+, control vs NVS-ZP7-4</a></li>
<li><a href="uptake-65zn/report.html">65Zn and 109Cd uptake: Michaelis-Menten kinetics</a></li>
<li><a href="er-ic50/report.html">NVS-ZP7-4 concentration-response of ER free Zn2+ (EC50)</a></li>
</ul>
<h2>Results against the truth</h2>
<pre>
HTML
sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$out/summary.txt"
echo '</pre></body></html>'
} > "$out/.report.html.tmp"
mv -f "$out/.report.html.tmp" "$out/report.html"
