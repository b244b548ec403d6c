#!/usr/bin/env bats
# make demo as an end-to-end accuracy test: the three protocols on the
# bundled examples against the truth they were made from (examples/truth/,
# tools/make-examples.py), and the 95 % intervals of the uptake chain over
# 100 realizations of the same design.

load helper

setup_file() {
    export D="$BATS_FILE_TMPDIR/demo"
    "$ZN_TOP/tools/demo.sh" "$ZN_BIN" "$D" > "$BATS_FILE_TMPDIR/demo.out" 2>&1
}

# per cell: sample, cell, estimate at rest, estimate in the window, baseline SD
cells() { zn-view --tsv -c sample,cell,baseline_mean,mean_$2,baseline_sd "$D/$1"/*.metrics.znr.gz | tail -n +2; }

@test "demo: writes the three reports, the index page and the summary" {
    grep -q "cells calibrated: 115 of 120" "$BATS_FILE_TMPDIR/demo.out"
    for f in report.html summary.txt fluozin3/report.html er-fret-zip7/report.html uptake-65zn/report.html; do
        [ -s "$D/$f" ] || fail "no $f"
    done
    xmllint --html --noout "$D/report.html"
    grep -q 'href="uptake-65zn/report.html"' "$D/report.html"
}

@test "demo: the summary's tests say over how many metrics Holm adjusted (all the page tests, 3 shown), p as the page gives it" {
    # the page's tests table: the metrics with a p_holm
    n=$(zn-report --format tsv --table tests "$D"/er-fret-zip7/*.metrics.znr.gz | awk -F'\t' 'NR > 1 && $10 != ""' | wc -l)
    [ "$n" -ge 6 ]
    grep -q "^  tests between the conditions over dish means (n: dishes); p_holm: Holm over the $n metrics the page tests\$" "$D/summary.txt"
    # the rows are the page's numbers: auc is not shown, p of mean_final as on the page (4 digits)
    run grep -E '^  (baseline_mean|amplitude|mean_final) ' "$D/summary.txt"
    assert_equal "${#lines[@]}" 3
    p=$(zn-report --format tsv --table tests "$D"/er-fret-zip7/*.metrics.znr.gz | awk -F'\t' '$1 == "mean_final" { printf "%.4g", $9 }')
    grep -Eq "^  mean_final .* $p +[0-9.]+\$" "$D/summary.txt"
    run grep -E '[0-9]e-0[0-4]' "$D/summary.txt"
    assert_failure
}

@test "demo: exactly the cells the truth makes fail are the ones whose calibration fails" {
    for p in fluozin3 er-fret-zip7; do
        if [ $p = fluozin3 ]; then truth=fluozin3_cells.tsv c=10; else truth=er_cells.tsv c=8; fi
        awk -F'\t' -v c=$c 'NR > 1 && $c == 0 { print $1 "\t" ($1 ~ /^dish/ ? $2 : $3) }' "$ZN_TOP/examples/truth/$truth" | sort > "$T/want"
        zn-view --tsv -c sample,cell,flag "$D/$p"/*.metrics.znr.gz | awk -F'\t' '$3 ~ /bad_calibration/ { print $1 "\t" $2 }' | sort > "$T/got"
        [ -s "$T/want" ] && cmp "$T/want" "$T/got" || fail "$p: $(diff "$T/want" "$T/got")"
    done
}

@test "demo: FluoZin-3 free Zn2+ per cell at rest and on the plateau against the truth" {
    # Tolerances from the generator's model, not from the results.  The
    # pipeline corrects bleaching with one rate per dish (zn-bleach); what is
    # left at rest is that rate's error: about 2.4e-5/s (its SE; the
    # background ROI's noise, common to all cells, adds as much) over the
    # 510 s between baseline and TPEN window, so 3 SE move Fmin by 3.7 % and
    # [Zn]rest by up to Kd * 0.037 / (DR - 1) = 0.14 nM (dynamic range
    # DR >= 5), plus the noise of the Fmin and baseline medians (about
    # 0.05 nM): 0.3 nM.  On the plateau a 3.7 % error in Fmax moves [Zn] by
    # up to about 6 %: 10 % + the 0.3 nM.  The mean error at rest, over all
    # cells and in the fast-bleaching dish 4 (11 % over the 10 min) by
    # itself, is within 0.05 nM (issue 17; without the correction +0.14 and
    # +0.33 nM, NOTES.md).
    cells fluozin3 plateau > "$T/est"
    run awk -F'\t' 'NR == FNR { if (FNR > 1) { r[$1, $2] = $6; p[$1, $2] = $7 }; next }
        $3 == "" { next }
        { n++; k = $1 SUBSEP $2; e = $3 - r[k]; w = $4 - p[k]; bias += e
          if ($1 == "dish4") { n4++; bias4 += e }
          if ((e < 0 ? -e : e) > 0.3) { print "rest", $1, $2, $3, r[k]; bad++ }
          if ((w < 0 ? -w : w) > 0.1 * p[k] + 0.3) { print "plateau", $1, $2, $4, p[k]; bad++ } }
        END { if (n != 115 || n4 != 29) { print n " cells, " n4 " in dish4"; bad++ }
              if (bias / n > 0.05 || bias / n < -0.05) { print "mean bias at rest " bias / n; bad++ }
              if (bias4 / n4 > 0.05 || bias4 / n4 < -0.05) { print "mean bias at rest in dish4 " bias4 / n4; bad++ }
              exit bad > 0 }' "$ZN_TOP/examples/truth/fluozin3_cells.tsv" "$T/est"
    assert_success
}

@test "demo: ER-ZapCY1 free Zn2+ per cell against the truth; NVS-ZP7-4 raises it, rest does not differ" {
    # Each cell against its own noise: 10 % (calibration windows) + 4 SE of the
    # window mean (the cell's baseline SD / sqrt(frames): 18 at rest, 10 at the
    # end), + 3 SE of the dish's bleaching correction.  The acceptor bleaches
    # (the donor's bleaching cancels in the ratio), so R = G E pa / (1 - E pa)
    # drifts at kA / (1 - E pa); zn-bleach --fret corrects it with the
    # acceptor's rate per dish (bleach_k_F_YFP, SE in bleach_k_se_F_YFP) and
    # G (fret_g), so an error s in kA puts a relative error s dt / (1 - E) on
    # R at the Rmin (dt 1060 s after the baseline, E = Rmin / (G + Rmin)) and
    # Rmax windows (1310 s, E = Rmax / (G + Rmax)); [Zn] = Kd (R - Rmin) /
    # (Rmax - R) then moves by a relative Rmin e_min / (theta dR) + Rmax e_max
    # / ((1 - theta) dR), theta = the cell's true occupancy, dR = Rmax - Rmin.
    # The final window lies 900 s after the baseline, between them: the same
    # term.  And the mean error at rest over the 71 cells within 5 % (with one
    # rate per channel it was +8.4 %: Rmax 2.6 % low, review item 4; now +2.6 %)
    for f in "$D"/er-fret-zip7/*.zn.znr.gz; do zn-view --tsv -c sample,bleach_k_se_F_YFP,fret_g "$f" | sed -n 2p; done > "$T/se"
    cells er-fret-zip7 final > "$T/est"
    run awk -F'\t' 'FILENAME ~ /se$/ { s[$1] = $2; G[$1] = $3; next }
        FILENAME ~ /truth/ { if (FNR > 1) { k = $1 SUBSEP $3; r[k] = $6; f[k] = $7; lo[k] = $4; hi[k] = $5 }; next }
        $3 == "" { next }
        { n++; k = $1 SUBSEP $2; e = $3 - r[k]; w = $4 - f[k]; rel += e / r[k]
          th = r[k] / (r[k] + 2.53); dR = hi[k] - lo[k]; g = G[$1]
          b = 3 * s[$1] * (1060 * lo[k] / ((1 - lo[k] / (g + lo[k])) * th * dR) + 1310 * hi[k] / ((1 - hi[k] / (g + hi[k])) * (1 - th) * dR))
          if ((e < 0 ? -e : e) > (0.1 + b) * r[k] + 4 * $5 / sqrt(18)) { print "rest", $1, $2, $3, r[k]; bad++ }
          if ((w < 0 ? -w : w) > (0.1 + b) * f[k] + 4 * $5 / sqrt(10)) { print "final", $1, $2, $4, f[k]; bad++ } }
        END { if (n != 71) { print n " cells"; bad++ }
              if (rel / n > 0.05 || rel / n < -0.05) { print "mean relative error at rest " rel / n; bad++ }
              exit bad > 0 }' "$T/se" "$ZN_TOP/examples/truth/er_cells.tsv" "$T/est"
    assert_success
    # the dish is the unit (issue 16): n = 3 + 3 dishes; the final level differs, the resting level does not
    zn-report --format tsv --table tests "$D"/er-fret-zip7/*.metrics.znr.gz > "$T/tests.tsv"
    run awk -F'\t' '$1 == "mean_final" && $5 == "3, 3" && $9 < 0.01 { a = 1 } $1 == "baseline_mean" && $9 > 0.05 { b = 1 } END { exit !(a && b) }' "$T/tests.tsv"
    assert_success
    # the p values: scipy's Welch test on the dish means
    /usr/bin/python3 -c 'import scipy' 2>/dev/null || skip "python3-scipy is not installed"
    zn-view --tsv -c sample,condition,baseline_mean,amplitude,mean_final "$D"/er-fret-zip7/*.metrics.znr.gz | grep -v '^sample' > "$T/cells.tsv"
    run /usr/bin/python3 -c '
import sys, csv, numpy as np
from scipy import stats
rows = list(csv.reader(open(sys.argv[1]), delimiter="\t"))
got = {r[0]: float(r[8]) for r in csv.reader(open(sys.argv[2]), delimiter="\t") if r[0] != "metric" and r[8] != ""}  # rows without a test have no p
bad = 0
for j, m in enumerate(["baseline_mean", "amplitude", "mean_final"]):
    g = {}
    for r in rows:
        if r[2 + j]: g.setdefault((r[1], r[0]), []).append(float(r[2 + j]))
    a = [np.mean(v) for (c, s), v in sorted(g.items()) if c == "control"]
    b = [np.mean(v) for (c, s), v in sorted(g.items()) if c != "control"]
    p = stats.ttest_ind(a, b, equal_var=False).pvalue
    print(m, len(a), len(b), p, got[m])
    bad += len(a) != 3 or len(b) != 3 or abs(p - got[m]) > 1e-9 * p
sys.exit(int(bad))' "$T/cells.tsv" "$T/tests.tsv"
    assert_success
}

@test "demo: hZIP4 and mZIP8 kinetics: fitted, near the truth, the truth's place in the 95% CI reported" {
    zn-view --tsv -c construct,status,Vmax,Km "$D"/uptake-65zn/{zn,cd}.fit.znr.gz | grep -v '^construct' > "$T/fit"
    # a gross-error check on this one realization (the intervals are checked
    # over 100 realizations below): within 15 % of the truth
    run awk -F'\t' '{ V = $1 == "hZIP4" ? 240 : 90; K = $1 == "hZIP4" ? 3.14 : 0.48
          if ($2 != "ok" || ($3 - V) / V > 0.15 || (V - $3) / V > 0.15 || ($4 - K) / K > 0.15 || (K - $4) / K > 0.15) { print; bad = 1 } }
        END { exit bad || NR != 2 }' "$T/fit"
    assert_success
    grep -Eq '^  hZIP4   Vmax +228.9 .* 240 (yes|no)' "$D/summary.txt"
    # the fit of the specific means by 1/SE^2, the vector's scatter in the SE (NOTES.md): the
    # estimates and 95% intervals of scipy (tests/ref/uptake_means_ref.py on the demo's rates,
    # "means"); the chain before (wells less one shared vector mean, as if independent) gave
    # hZIP4 Vmax 224.97 [213.21, 236.72], Km 2.7547 [2.4676, 3.0419]
    zn-view --tsv -c construct,Vmax,Vmax_lo,Vmax_hi,Km,Km_lo,Km_hi "$D"/uptake-65zn/{zn,cd}.fit.znr.gz | grep -v '^construct' > "$T/ci"
    run awk -F'\t' 'BEGIN { w["hZIP4"] = "228.8558486 214.8993516 242.8123456 2.8379516 2.53004742 3.14585578"
                            w["mZIP8"] = "96.31685661 91.840498 100.7932152 0.5377670962 0.4941110657 0.5814231267" }
        { split(w[$1], e, " "); for (i = 1; i <= 6; i++) { d = ($(i + 1) - e[i]) / e[i]; if (d * d > 1e-14) { print $1, i, $(i + 1), e[i]; bad = 1 } } }
        END { exit bad || NR != 2 }' "$T/ci"
    assert_success
    # the report shows the fitted data (issue 16): at 40 uM hZIP4's mean is its total minus the vector's
    zn-report --format tsv --table uptake "$D"/uptake-65zn/zn.{fit,specific}.znr.gz | awk -F'\t' '$1 == "construct=hZIP4" && $2 == 40 { print $5 }' > "$T/got"
    zn-view --tsv -c construct,conc_uM,role,rate "$D"/uptake-65zn/zn.uptake.znr.gz |
        awk -F'\t' '$2 == 40 && $3 == "sample" { s[$1] += $4; n[$1]++ } END { printf "%.17g\n", s["hZIP4"] / n["hZIP4"] - s["vector"] / n["vector"] }' > "$T/want"
    run awk 'NR == FNR { a = $1; next } { d = a - $1; exit !(d < 1e-9 * a && -d < 1e-9 * a && a > 150 && a < 250) }' "$T/want" "$T/got"
    assert_success
}

@test "uptake chain: the 95% intervals of Km and Vmax cover the truth in 100 realizations of the design" {
    command -v python3 >/dev/null || skip "python3 is not installed (the example generator)"
    # each realization: new noise (tools/make-examples.py --uptake-seed N),
    # counter + BCA + layouts -> zn-uptake-rate -> vector subtracted -> 1/y2 fit
    for s in $(seq 1 100); do
        python3 "$ZN_TOP/tools/make-examples.py" --uptake-seed "$s" "$T/r$s"
        "$ZN_TOP/pipelines/uptake-65zn.sh" --no-report -o "$T/r$s/out" "$T/r$s/manifest.tsv" 2>/dev/null
        zn-view --tsv -c construct,Vmax_lo,Vmax_hi,Km_lo,Km_hi "$T/r$s/out/zn.fit.znr.gz" "$T/r$s/out/cd.fit.znr.gz" | grep -v '^construct'
        rm -rf "$T/r$s"
    done > "$T/all"
    # nominal 0.95; with 100 realizations the binomial SD is 0.022: below 0.88
    # is a broken interval (unweighted fits of these data cover 0.74-0.84; the
    # wells less one shared vector mean fitted by 1/y2 as independent points
    # covered hZIP4 Vmax 0.90 here and over 300; the specific means by
    # 1/SE^2 cover Vmax 0.97, Km 0.96 (hZIP4), 0.94, 0.90 (mZIP8), over 300
    # 0.950, 0.953, 0.947, 0.940; NOTES.md)
    run awk -F'\t' '{ V = $1 == "hZIP4" ? 240 : 90; K = $1 == "hZIP4" ? 3.14 : 0.48; n[$1]++
          v[$1] += $2 <= V && V <= $3; k[$1] += $4 <= K && K <= $5 }
        END { for (c in n) { printf "%s n=%d Vmax %.2f Km %.2f\n", c, n[c], v[c] / n[c], k[c] / n[c]
                  if (n[c] != 100 || v[c] / n[c] < 0.88 || k[c] / n[c] < 0.88) bad = 1 }
              exit bad }' "$T/all"
    printf "# %s\n" "${lines[@]}" >&3
    assert_success
}

@test "demo: NVS-ZP7-4 concentration-response: 21 dishes fitted, near the truth, summary and report agree" {
    # the truth: examples/truth/er_ic50.tsv (ec50 0.15 uM, hill 1.3, bottom
    # and top the expected dish means).  A gross-error check on this one
    # realization (the interval is checked over realizations below): ec50
    # within a factor 1.5, the plateaus within 15 %
    run zn-view --tsv -c status,n,bottom,top,ec50,ec50_lo,ec50_hi "$D/er-ic50/fit.znr.gz"
    assert_success
    echo "$output" | awk -F'\t' -v t="$ZN_TOP/examples/truth/er_ic50.tsv" '
        BEGIN { while ((getline l < t) > 0) { split(l, f, "\t"); v[f[1]] = f[2] } }
        NR == 2 { r = $5 / v["ec50"]
                  exit !($1 == "ok" && $2 == 21 && r > 1 / 1.5 && r < 1.5 && ($3 - v["bottom"]) ^ 2 < (0.15 * v["bottom"]) ^ 2 &&
                         ($4 - v["top"]) ^ 2 < (0.15 * v["top"]) ^ 2 && $6 < $5 && $5 < $7) }'
    # the summary prints the fit's own numbers and says whether the truth is inside
    e=$(echo "$output" | awk -F'\t' 'NR == 2 { printf "%.4g [%9.4g, %9.4g]", $5, $6, $7 }')
    grep -qF "  ec50    $(printf '%9s' "${e%% *}") [" "$D/summary.txt"
    grep -Eq '^  ec50 .* 0\.15 (yes|no)  uM$' "$D/summary.txt"
    # the report draws it (log axis, band, the ec50 and its interval) and gives the adequacy tests
    grep -q '<figure id="fig-doseresp-1">' "$D/er-ic50/report.html"
    grep -q 'class="ec50ci"' "$D/er-ic50/report.html"
    grep -q 'Replicates test (lack of fit): F = ' "$D/er-ic50/report.html"
    grep -q 'href="er-ic50/report.html"' "$D/report.html"
}

@test "er-ic50 chain: the ec50's 95% profile interval covers the truth at the nominal rate over 100 realizations" {
    command -v python3 >/dev/null || skip "python3 is not installed (the example generator)"
    # each realization: new noise (tools/make-examples.py --ic50-seed N,
    # hashed seeds: realizations seeded N times a constant were not
    # independent, see realization_seed there), 21 dishes through the whole
    # imaging chain, dish means, the 1/y2 4pl fit.  100 realizations (40
    # under the sanitizers, which check memory, not numbers: same rule)
    local n=100
    [ -n "${ZN_SANITIZE:-}" ] && n=40
    for s in $(seq 1 $n); do
        python3 "$ZN_TOP/tools/make-examples.py" --ic50-seed "$s" "$T/r$s"
        "$ZN_TOP/pipelines/er-ic50.sh" --no-report -o "$T/r$s/out" "$T/r$s/er-ic50/manifest.tsv" 2>/dev/null
        zn-view --tsv -c status,ec50_lo,ec50_hi,reason "$T/r$s/out/fit.znr.gz" | tail -n +2
        rm -rf "$T/r$s"
    done > "$T/all"
    # Among the fits with an interval (ok, or a step whose ec50 still has its
    # profile interval) the coverage must be nominal within 3 binomial SD
    # (n ~ 98: 0.88, the uptake test's rule); a fit that is not ok must say
    # why: the data do not determine the curve (a step with no
    # point on the slope, hill running off: about 2 % of series, NOTES.md; or
    # a response with no plateau, ec50 running off), at most 3 SD of a
    # Poisson above that (6 in 100).  Before the seeds were hashed and
    # the fits allowed 1000 iterations: 0.865 among 37 of 40 (3 stopped as
    # no_convergence).
    run awk -F'\t' -v N=$n '{ n++; if ($1 != "ok") { bad++; if ($4 !~ /^(hill ran off .* the data step between|ec50 ran off (above|below) the)/) odd++ }
                               if ($2 == "" && $3 == "") next
                               ok++; c += ($2 == "" || $2 <= 0.15) && ($3 == "" || 0.15 <= $3) }
        END { p = c / ok; printf "n=%d, an interval in %d: coverage %.3f (%d); not ok %d (%d unexplained); over all %.3f\n", n, ok, p, c, bad, odd, c / n
              exit !(n == N && odd == 0 && bad <= 0.0225 * N + 3 * sqrt(0.0225 * N) && p >= 0.95 - 3 * sqrt(0.95 * 0.05 / ok)) }' "$T/all"
    printf "# %s\n" "${lines[@]}" >&3
    assert_success
}
