#!/usr/bin/env bats
# zn-metrics and zn-report: numbers against numpy/scipy (tests/ref/report_ref.py)
# and by hand; the HTML page in a real headless browser.

load helper

met() { zn-metrics -u --response 30:102 "$FIX/metrics_trace.znr" > "$T/met.znr"; }
fit() {
    sed '2a ##unit.rate=pmol/mg/min' "$FIX/mm_uptake.znr" > "$T/up.znr"
    zn-mm-fit -q -u --by construct --compare hill --curve 40 --curve-output "$T/curve.znr" "$T/up.znr" > "$T/fit.znr"
}
# a column of a tab-separated table by name

@test "zn-metrics: baseline, peak, time to peak, amplitude, area, responders against numpy" {
    met
    zn-view --tsv "$T/met.znr" > "$T/got.tsv"
    run same_table "$FIX/expected/metrics_default.tsv" "$T/got.tsv" 1e-12
    assert_success
    run zn-view --check "$T/met.znr"
    assert_success
    run zn-view --meta "$T/met.znr"
    assert_line '##schema=metrics'
    assert_line '##metrics=signal=zn_nM;baseline=0:27;response=30:102;smooth=5;alpha=0.05;responder_signal=F'
    assert_line '##unit.auc=nM*s'
    assert_line '##compartment=ER'
}

@test "zn-metrics: --response, --window (range and from the meta), --smooth, --alpha against numpy" {
    zn-metrics -u --response 30:90 --window plateau=90:102 --window max --smooth 3 --alpha 0.01 "$FIX/metrics_trace.znr" |
        zn-view --tsv > "$T/got.tsv"
    run same_table "$FIX/expected/metrics_windows.tsv" "$T/got.tsv" 1e-12
    assert_success
}

@test "zn-metrics: by hand on a tiny trace (trapezoids, a missing value, --signal, --keep)" {
    printf '##znr=1\n##schema=trace\n##window=baseline:0:2\n#sample\tcell\trole\tframe\tt\tF\tdish\n' > "$T/t.znr"
    # baseline 1, 3 (mean 2, SD sqrt 2); response t 2 < t: 4 -> 6, missing, 10
    printf 's\tc1\tcell\t%s\tx\n' '0	0	1' '1	2	3' '2	4	6' '3	6	' '4	8	10' '5	10	2' >> "$T/t.znr"
    run bash -c "zn-metrics -u --signal F --keep dish $T/t.znr | zn-view --tsv"
    assert_success
    # the longest run of values in the window is 2 frames (t 8, 10): peak = mean(10, 2) = 6,
    # amplitude 4; auc: only pairs with both values: (8,10)->(10,2): (8 + 0)/2 * 2 = 8.
    # responder: (6 - 2)/(1.414 sqrt(1/2 + 1/2)) = 2.83 < t(1 - 0.05/1, df 1) = 6.31 -> 0, so
    # no time of the peak (nor of the half rise)
    assert_line --index 1 "$(printf 's\tc1\tx\t2\t1.4142135623731\t6\t\t\t\t4\t8\t0\tmissing_values')"
    # --smooth 1: the single highest frame, 10 at t 8; 8/(1.414 sqrt(1 + 1/2)) = 4.62 against
    # t(1 - 0.05/3, df 1) = 19.08 (three frames with values) -> 0; --alpha 0.5: t(1 - 0.5/3) = 1.73 -> 1,
    # t_peak 8, time to peak 8 - 2 = 6; half rise: 2 + (10 - 2)/2 = 6, already reached by the first
    # frame (t 4, 6): t_half 4 - 2 = 2
    run bash -c "zn-metrics -u --signal F --smooth 1 $T/t.znr | zn-view --tsv | sed -n 2p"
    assert_output "$(printf 's\tc1\t2\t1.4142135623731\t10\t\t\t\t8\t8\t0\tmissing_values')"
    run bash -c "zn-metrics -u --signal F --smooth 1 --alpha 0.5 $T/t.znr | zn-view --tsv | sed -n 2p"
    assert_output "$(printf 's\tc1\t2\t1.4142135623731\t10\t8\t6\t2\t8\t8\t1\tmissing_values')"
}

@test "zn-metrics: errors say what is wrong" {
    run bash -c "trace_plain | zn-metrics"
    assert_failure 1
    assert_output --partial 'no baseline window'
    run bash -c "zn-metrics --response 30:102 --window nosuch $FIX/metrics_trace.znr"
    assert_failure 1
    assert_output --partial '--window nosuch: the meta has no ##window=nosuch'
    run bash -c "zn-metrics --signal F_YFP $FIX/metrics_trace.znr"
    assert_failure 1
    assert_output --partial "missing column 'F_YFP'"
    run bash -c "zn-metrics --response 200:300 $FIX/metrics_trace.znr | zn-view --tsv -c flag | sort -u"
    assert_output --partial 'no_response_window'
    run zn-metrics --response 50:50 "$FIX/metrics_trace.znr"
    assert_failure 1
    assert_output --partial 'the response window 50..50 s is empty'
    run zn-metrics --window =1:2 "$FIX/metrics_trace.znr"
    assert_failure 2
    assert_output --partial '--window: "=1:2" has no name'
    run bash -c "printf '##znr=1\n##schema=trace\n##window=baseline:0:1\n#sample\tcell\trole\tframe\tt\tF_CFP\ns\tc\tcell\t0\t0\t1\n' | zn-metrics"
    assert_failure 1
    assert_output --partial 'no signal column (zn_nM, dF_F0, R_R0, R or F); name one with --signal COL'
    run zn-metrics -k 3 "$FIX/metrics_trace.znr"
    assert_failure 2
    assert_output --partial "-k (a single frame above baseline + k SD) is gone: its false-responder rate grew with the number of frames; give --alpha (default 0.05) and --smooth (default 5)"
    run zn-metrics --alpha 1 "$FIX/metrics_trace.znr"
    assert_failure 2
    assert_output --partial "--alpha: 1 is not below 1 (a probability, e.g. 0.05)"
    run zn-metrics --smooth 2.5 "$FIX/metrics_trace.znr"
    assert_failure 2
    assert_output --partial '--smooth: "2.5" is not a number of frames (1, 2, ...)'
    # issue 16: calibration windows and no response window: the ionophore's rise was every cell's peak
    run zn-metrics "$FIX/metrics_trace.znr"
    assert_failure 1
    assert_output "zn-metrics: $FIX/metrics_trace.znr: no response window, and the trace has a calibration window (max 105:117 s): the peak would be the ionophore's or TPEN's, whose time is not in the data; give --response START:END (or zn-ingest --window response=START:END), ending before the ionophore was added"
    run zn-metrics "$FIX/mm_uptake.znr"
    assert_failure 1
}

@test "zn-report: per-condition mean and SEM of every metric against numpy" {
    met
    # cells as the unit (--unit cell; one dish per condition here); t_peak is time_to_peak moved: once
    zn-report --unit cell --format tsv --table metrics "$T/met.znr" | cut -f1-5 |
        awk -F'\t' 'NR == 1 || $1 !~ /^(responder_fraction)$/' > "$T/got.tsv"
    awk -F'\t' '$1 != "t_peak"' "$FIX/expected/report_metrics.tsv" > "$T/exp.tsv"
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-12
    assert_success
}

@test "zn-report: one-way ANOVA (three conditions) and Welch t (two) against scipy" {
    met
    zn-report --unit cell --format tsv --table tests "$T/met.znr" | grep -v '^responder' > "$T/got.tsv"
    paste <(cut -f1 "$T/got.tsv") <(cut -f6 "$T/got.tsv") <(cut -f9 "$T/got.tsv") > "$T/anova.tsv"
    cut -f1,4,5 "$FIX/expected/report_tests.tsv" | grep -v '^t_peak' | sed '1s/.*/metric\tstatistic\tp/' > "$T/exp.tsv"
    run same_table "$T/exp.tsv" "$T/anova.tsv" 1e-10
    assert_success
    # two conditions: dish3 left out -> Welch
    awk -F'\t' '$1 != "dish3"' "$T/met.znr" > "$T/two.znr"
    zn-report --unit cell --format tsv --table tests "$T/two.znr" | grep -v '^responder' > "$T/got2.tsv"
    run col test < "$T/got2.tsv"
    assert_line --index 0 welch_t
    paste <(cut -f1 "$T/got2.tsv") <(cut -f6 "$T/got2.tsv") <(cut -f9 "$T/got2.tsv") > "$T/welch.tsv"
    cut -f1,2,3 "$FIX/expected/report_tests.tsv" | grep -v '^t_peak' | sed '1s/.*/metric\tstatistic\tp/' > "$T/exp2.tsv"
    run same_table "$T/exp2.tsv" "$T/welch.tsv" 1e-10
    assert_success
}

@test "zn-report: cells and calibration per condition, by hand" {
    zn-report --format tsv --table cells "$FIX/metrics_trace.znr" > "$T/got.tsv"
    # Fmin 100 + 5c, Fmax 900 + 30c + 100d (c = 1..5, dish d = 0..2); dish2 cell 5 failed;
    # the dynamic range is the median of the cells' ratios
    # (NVS-ZP7-4: (1060/110 + 1090/115) / 2), not the ratio of the medians; above/below count
    # the experiment's 35 frames before the first calibration window (105 s): none is beyond
    # (the 5 frames flagged in each calibration window are the calibration itself, not 11 %)
    cat > "$T/exp.tsv" <<'X'
condition	samples	cells	frames	signal	calibrated	bad_calibration	Fmin_median	Fmax_median	dynamic_range_median	above_max_pct	below_min_pct	min_drift	max_drift	near_max_pct	near_max_n	below_min_n
control	1	5	45	zn_nM	5	0	115	990	8.60869565217391	0	0	0	0	0	0	0
NVS-ZP7-4	1	5	45	zn_nM	4	1	112.5	1075	9.55731225296443	0	0	0	0	0	0	0
TPEN-pre	1	5	45	zn_nM	5	0	115	1190	10.3478260869565	0	0	0	0	0	0	0
X
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-15
    assert_success
}

@test "zn-report: fit parameters as fitted, published values in the fit's units, replicate means" {
    fit
    zn-report --format tsv --table fits "$T/fit.znr" "$T/up.znr" > "$T/fits.tsv"
    km=$(zn-view --tsv -c Km "$T/fit.znr" | sed -n 2p)
    run bash -c "awk -F'\t' '\$1 == \"construct=hZIP4\" && \$4 == \"Km\" { print \$5 }' $T/fits.tsv"
    assert_output "$km"
    # 0.24 nmol/mg/min = 240 pmol/mg/min
    run grep -P '^construct=hZIP4\tmm\tok\tVmax\t.*\tpmol/mg/min\t240 pmol/mg/min' "$T/fits.tsv"
    assert_success
    run grep -c 'Liu et al. 2007' "$T/fits.tsv"
    assert_output 1
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/up.znr" | cut -f1,2,4-6 > "$T/got.tsv"
    # replicate means and SDs by awk (sorted as the report sorts: by x)
    awk -F'\t' '!/^#/ { k = $1 "\t" $2; n[k]++; s[k] += $4; q[k] += $4 * $4 }
        END { for (k in n) { mu = s[k] / n[k]; split(k, a, "\t")
              printf "construct=%s\t%s\t%d\t%.17g\t%.17g\n", a[1], a[2], n[k], mu, sqrt((q[k] - n[k] * mu * mu) / (n[k] - 1)) } }' \
        "$FIX/mm_uptake.znr" | sort -t$'\t' -k1,1r -k2,2g > "$T/exp.tsv"
    sed -i '1i group\tx\tn\tmean\tsd' "$T/exp.tsv"
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-12
    assert_success
}

@test "zn-report: resting zinc beside the compartment's published value" {
    met
    run bash -c "zn-report --format tsv --table context $T/met.znr"
    assert_line --index 0 "$(printf 'compartment\tcondition\tcells\tbaseline_nM_median\tpublished\trelation\tsource\tsystem\tcomparison')"
    # medians of the cells' baseline means (numpy table), ER 0.9 pM
    med=$(awk -F'\t' '$2 == "control" { print $4 }' "$FIX/expected/metrics_default.tsv" | sort -g | sed -n 3p)
    assert_line --index 1 --partial "ER	control	5	$med	0.0009 nM (0.9 pM"
}

@test "zn-report: flags list failed calibrations, flagged cells and failed fits" {
    met
    printf '##znr=1\n##schema=fit\n#construct\tmodel\tn\tstatus\treason\nvector\tmm\t3\tinsufficient_data\t3 points for 2 parameters\n' > "$T/bad.znr"
    run bash -c "zn-report --format tsv --table flags $FIX/metrics_trace.znr $T/met.znr $T/bad.znr | tail -n +2"
    assert_line "$(printf 'trace\tdish2\t5\tbad_calibration\tcondition NVS-ZP7-4: no [Zn] for any frame: Fmax 300 <= Fmin 300')"
    assert_line "$(printf 'metrics\tdish3\t2\tno_baseline;missing_values\t')"
    assert_line "$(printf 'fit\tconstruct=vector\tmm\tinsufficient_data\t3 points for 2 parameters')"
}

@test "zn-report: text and Markdown carry the same tables; one concatenated stream = separate files" {
    met
    fit
    run zn-report --unit cell "$T/met.znr"
    assert_success
    assert_line --partial 'Response metrics per condition'
    assert_line --regexp '^peak +NVS-ZP7-4 +4 +10\.97 +1\.877 +nM +cell +4 *$'
    run bash -c "zn-report $T/met.znr <(zn-metrics -u --response 30:102 --window max $FIX/metrics_trace.znr) 2>&1 > /dev/null"
    assert_output --partial 'metrics streams with different columns: only the first'
    # -o: the same tables into a file
    zn-report -o "$T/tables.txt" "$T/met.znr"
    diff "$T/tables.txt" <(zn-report "$T/met.znr")
    run zn-report --format md --table fits "$T/fit.znr"
    assert_line --index 0 '### Fitted parameters with SE and 95% CI, beside published values'
    assert_line --index 2 --regexp '^\| --- \| --- \| --- \| --- \| ---: \|'
    zn-report --format tsv "$FIX/metrics_trace.znr" "$T/met.znr" "$T/fit.znr" "$T/up.znr" "$T/curve.znr" > "$T/a.tsv"
    cat "$FIX/metrics_trace.znr" "$T/met.znr" "$T/fit.znr" "$T/up.znr" "$T/curve.znr" | zn-report --format tsv > "$T/b.tsv"
    # only the inputs table differs (file names)
    diff <(sed '/^## inputs/,$d' "$T/a.tsv") <(sed '/^## inputs/,$d' "$T/b.tsv")
}

@test "zn-report: errors and usage" {
    run bash -c "printf '##znr=1\n#a\n1\n' | zn-report"
    assert_failure 1
    assert_output --partial 'no ##schema= line'
    run bash -c "printf '##znr=1\n##schema=counts\n#sample\tcpm\na\t1\n' | zn-report"
    assert_failure 1
    assert_output --partial 'zn-uptake-rate'
    # two traces plotting different columns cannot share a panel
    run bash -c "zn-report $FIX/metrics_trace.znr <(trace_plain)"
    assert_failure 1
    assert_output --partial "this trace's signal is F, an earlier one's zn_nM: give --signal COL for both"
    run bash -c "printf '##znr=1\n##schema=plate\n#well\tabs\nA1\t1\n' | zn-report"
    assert_failure 1
    assert_output --partial "schema 'plate' is not one zn-report shows"
    run zn-report --table nosuch "$FIX/mm_uptake.znr"
    assert_failure 2
    run zn-report --format xml "$FIX/mm_uptake.znr"
    assert_failure 2
    run zn-report --cells -1 "$FIX/mm_uptake.znr"
    assert_failure 2
}

@test "zn-report --html: self-contained, well-formed, the same page every run" {
    command -v xmllint >/dev/null || skip "xmllint (libxml2-utils) is not installed"
    met
    fit
    zn-report -q --html "$T/r.html" --cells 3 "$FIX/metrics_trace.znr" "$T/met.znr" "$T/fit.znr" "$T/up.znr" "$T/curve.znr" > /dev/null
    run xmllint --noout "$T/r.html"
    assert_success
    # no scripts, no links or sources outside the page
    run grep -c -E '<script|<link|src=|href="[^#]|url\([^#]' "$T/r.html"
    assert_output 0
    run bash -c "grep -o 'http[s]*://[^\"]*' $T/r.html | sort -u"
    assert_output 'http://www.w3.org/2000/svg'
    # every SVG on its own parses as XML
    n=$(grep -c '<svg ' "$T/r.html")
    [ "$n" -ge 10 ]
    awk -v d="$T" '/<svg /{ f = sprintf("%s/svg%03d.svg", d, ++k) } f { print > f } /<\/svg>/{ close(f); f = "" }' "$T/r.html"
    for s in "$T"/svg*.svg; do xmllint --noout "$s" || fail "$s is not well-formed"; done
    assert_equal "$(ls "$T"/svg*.svg | wc -l)" "$n"
    run grep -c 'random sample of 9 cells (at most 3 per condition' "$T/r.html"
    assert_output 1
    # the same arguments (the page quotes its own command line) give the same bytes
    mkdir "$T/a" "$T/b"
    for d in a b; do
        (cd "$T/$d" && cp "$T"/*.znr . && zn-report -q --html r.html --cells 3 "$FIX/metrics_trace.znr" met.znr fit.znr up.znr curve.znr > /dev/null)
    done
    cmp "$T/a/r.html" "$T/b/r.html"
}

# the page loaded in a real browser: console messages are errors here (the
# page has no scripts, so any message is a load or parse problem)
browser() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --window-size=1200,3000 "$@" 2> "$T/console.txt"
}

@test "the browser check can fail: a page with a script error is caught" {
    command -v chromium >/dev/null || skip "chromium is not installed (tools/deps.sh installs it)"
    printf '<!DOCTYPE html><html><body><p>x</p><script>undefinedFn();</script></body></html>' > "$T/bad.html"
    browser --dump-dom "file://$T/bad.html" > /dev/null
    run grep -c 'CONSOLE' "$T/console.txt"
    assert_output 1
}

@test "zn-report --html in headless chromium: no console errors, every figure there, a screenshot" {
    command -v chromium >/dev/null || skip "chromium is not installed (tools/deps.sh installs it)"
    met
    fit
    zn-report -q --html "$T/r.html" "$FIX/metrics_trace.znr" "$T/met.znr" "$T/fit.znr" "$T/up.znr" "$T/curve.znr" > /dev/null
    browser --dump-dom "file://$T/r.html" > "$T/dom.html"
    run grep -c 'CONSOLE' "$T/console.txt"
    assert_output 0
    for f in fig-trace-1 fig-trace-2 fig-trace-3 fig-heatmap fig-calibration fig-calcells-1 fig-metric-peak fig-metric-auc \
        fig-metric-amplitude fig-kinetics-1 fig-kinetics-2; do
        grep -q "<figure id=\"$f\">" "$T/dom.html" || fail "figure $f is not in the page the browser built"
    done
    [ "$(grep -o '<svg ' "$T/dom.html" | wc -l)" -eq "$(grep -o '<svg ' "$T/r.html" | wc -l)" ]
    for t in tab-cells tab-metrics tab-tests tab-fits tab-fit_stats tab-flags tab-inputs; do
        grep -q "id=\"$t\"" "$T/dom.html" || fail "table $t missing"
    done
    browser --screenshot="$T/shot.png" "file://$T/r.html" > /dev/null
    run od -An -tx1 -N8 "$T/shot.png"
    assert_output ' 89 50 4e 47 0d 0a 1a 0a'
    # more than an empty page's screenshot of the same size: something was drawn
    printf '<!DOCTYPE html><html><body></body></html>' > "$T/empty.html"
    browser --screenshot="$T/empty.png" "file://$T/empty.html" > /dev/null
    [ "$(stat -c %s "$T/shot.png")" -gt $((5 * $(stat -c %s "$T/empty.png"))) ]
    mkdir -p "$ZN_TOP/build"
    cp "$T/shot.png" "$ZN_TOP/build/report-screenshot.png"
}

# ---------------------------------------------------------------- issue 14: hardening

# a metrics stream: sample, condition, cell, baseline_mean VALUE...
metrics_of() {
    printf '##znr=1\n##schema=metrics\n#sample\tcondition\tcell\tbaseline_mean\n'
    local i=0 v
    for v in "$@"; do i=$((i + 1)); printf 'd%d\tc%d\t%d\t%s\n' $(((i + 1) / 2)) $(((i + 1) % 2)) $i "$v"; done
}

@test "zn-report --html: every plotted range ends with a page (ulp wide, zero, 1e300, negative, missing, one point)" {
    # the YCaM3.60 case: baseline_mean of R/R0 is 1 and 0.9999999999999999
    metrics_of 1 0.9999999999999999 1 0.9999999999999999 > "$T/ulp.znr"
    metrics_of 5 5 5 5 > "$T/zero.znr"
    metrics_of 1e300 -1e300 1.7e308 -1.7e308 > "$T/huge.znr"
    metrics_of -3 -2.5 -7 -1e-9 > "$T/neg.znr"
    metrics_of '' '' '' '' > "$T/missing.znr"
    metrics_of 4.2 > "$T/one.znr"
    metrics_of 1e-300 2e-300 5e-324 1e-310 > "$T/tiny.znr"
    for f in ulp zero huge neg missing one tiny; do
        run timeout 20 zn-report -q --html "$T/$f.html" "$T/$f.znr"
        [ "$status" -eq 0 ] || fail "$f: exit $status: $output"
        [ "$(grep -c '</html>' "$T/$f.html")" -eq 1 ] || fail "$f: no page"
        # no axis with more than 20 tick labels
        run awk '/<svg /{ n = 0 } /class="tk"/{ n += gsub(/class="tk"/, "") } /<\/svg>/{ if (n > 40) bad = 1 } END { exit bad }' "$T/$f.html"
        assert_success
    done
    # a trace whose signal is one value and ulp-wide
    printf '##znr=1\n##schema=trace\n#sample\tcell\trole\tframe\tt\tR_R0\n' > "$T/t.znr"
    for c in 1 2; do for i in 0 1 2; do printf 's\t%s\tcell\t%d\t%d\t%s\n' $c $i $i "$([ $c = 1 ] && echo 1 || echo 0.9999999999999999)"; done; done >> "$T/t.znr"
    run timeout 20 zn-report -q --html "$T/t.html" "$T/t.znr"
    assert_success
}

@test "zn-report: a trace with Fmin but no Fmax (or Rmin alone) is not calibrated, and no crash" {
    printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tF\tFmin\nd1\tc\tr1\tcell\t0\t0\t1.5\t1\n' > "$T/f.znr"
    run zn-report -q --html "$T/f.html" --table cells --format tsv "$T/f.znr"
    assert_success
    assert_line --index 1 "$(printf 'c\t1\t1\t1\tF\t\t\t\t\t\t\t\t\t\t\t\t')"
    sed 's/Fmin/Rmin/' "$T/f.znr" > "$T/r.znr"
    run zn-report -q --html "$T/r.html" "$T/r.znr"
    assert_success
}

@test "zn-report: memory follows the data, not the largest frame index" {
    printf '##znr=1\n##schema=trace\n#sample\tcell\trole\tframe\tt\tF\ns\tc\tcell\t0\t0\t1\ns\tc\tcell\t999999999\t10\t2\n' > "$T/f.znr"
    # the largest resident size (GNU time, kB): the old code asked for 8 GB and died
    [ -x /usr/bin/time ] || skip "GNU time is not installed"
    # and an address-space limit, so the old code fails at once (not under ASan: its shadow needs terabytes)
    lim=$(ldd "$ZN_BIN/zn-report" | grep -q libasan || echo 'ulimit -v 2000000;')
    run bash -c "$lim /usr/bin/time -f '%M' -o $T/rss zn-report -q --html $T/f.html $T/f.znr"
    assert_success
    [ "$(tail -1 "$T/rss")" -lt 200000 ] || fail "resident $(tail -1 "$T/rss") kB"
    grep -q '<figure id="fig-trace-1">' "$T/f.html"
}

@test "zn-report: the same cells twice (cat run run, or in many segments) are refused, never counted twice" {
    cat "$FIX/metrics_trace.znr" "$FIX/metrics_trace.znr" > "$T/twice.znr"
    # one cell in 200 segments
    for i in $(seq 200); do printf '##znr=1\n##schema=trace\n#sample\tcell\trole\tframe\tt\tF\ns\tc\tcell\t0\t0\t1\n'; done > "$T/200.znr"
    for f in twice 200; do
        msg=$(zn-view --check "$T/$f.znr" 2>&1 | sed 's/^zn-view: //')
        [ -n "$msg" ] || fail "zn-view --check passes $f"
        run zn-report "$T/$f.znr"
        assert_failure 1
        assert_output "zn-report: $msg"
    done
    # metrics: the same cells given twice
    met
    run zn-report "$T/met.znr" "$T/met.znr"
    assert_failure 1
    assert_output --partial "sample 'dish1' cell '1' is there twice"
}

@test "zn-report: uptake streams in different units are converted to the first's, never relabelled" {
    sed '2a ##unit.rate=pmol/mg/min' "$FIX/mm_uptake.znr" > "$T/p.znr"
    # the same data in nmol/mg/min
    awk -F'\t' 'BEGIN { OFS = "\t" } /^##/ { print; next } /^#/ { for (i = 1; i <= NF; i++) if ($i == "rate" || $i == "#rate") c = i; print; next }
        { $c = $c / 1000; print }' "$T/p.znr" | sed 's/^##unit.rate=pmol/##unit.rate=nmol/' > "$T/n.znr"
    zn-report --format tsv --table uptake "$T/p.znr" > "$T/pp.tsv"
    zn-report --format tsv --table uptake "$T/p.znr" "$T/n.znr" > "$T/pn.tsv"
    # every replicate twice: n doubles, the means stay (pmol/mg/min)
    run awk -F'\t' 'NR == FNR { if (FNR > 1) { n[$1, $2] = $4; m[$1, $2] = $5 }; next }
        FNR > 1 { d = $5 - m[$1, $2]; if ($4 != 2 * n[$1, $2] || d > 1e-9 * $5 || -d > 1e-9 * $5 || $7 != "pmol/mg/min") { print; bad = 1 } }
        END { exit bad }' "$T/pp.tsv" "$T/pn.tsv"
    assert_success
    # a unit that cannot be converted is refused
    sed 's/^##unit.rate=pmol\/mg\/min/##unit.rate=cpm/' "$T/p.znr" > "$T/c.znr"
    run zn-report --table uptake "$T/p.znr" "$T/c.znr"
    assert_failure 1
    assert_output --partial "column rate is in cpm here, pmol/mg/min in"
}

@test "zn-report --format tsv --table NAME: a plain table (read.delim and pandas read it as is)" {
    fit
    zn-report --format tsv --table fits "$T/fit.znr" > "$T/fits.tsv"
    run head -1 "$T/fits.tsv"
    assert_output "$(printf 'group\tmodel\tstatus\tparameter\testimate\tse\tlo\thi\tunit\tpublished\tsource\tcomparison')"
    command -v python3 >/dev/null || skip "python3"
    run python3 -c "import csv,sys; r = list(csv.reader(open('$T/fits.tsv'), delimiter='\t')); print(len(r[0]), len(set(map(len, r))))"
    assert_output '12 1'
    # all tables together keep the '## name' lines that separate them
    run bash -c "zn-report --format tsv $T/fit.znr | grep -c '^## '"
    assert_output 3
}

# ---------------------------------------------------------------- issue 16

@test "zn-report: the dish is the unit: dish means tested (n = dishes), Holm over metrics, against scipy" {
    # tests/ref/report_ref.py: dishes differ at rest, the conditions do not; every treated dish responds
    zn-report --format tsv --table tests "$FIX/report_dishes.znr" > "$T/got.tsv"
    cut -f1,5,6,7,9,10 "$T/got.tsv" > "$T/dish.tsv"
    run same_table "$FIX/expected/report_dish_tests_dish.tsv" "$T/dish.tsv" 1e-10
    assert_success
    run col replicate < "$T/got.tsv"
    assert_output "$(printf 'dish\ndish\ndish')"
    # the resting level is not called different, the response is (after Holm)
    run awk -F'\t' '$1 == "baseline_mean" && $10 > 0.05 { a = 1 } $1 == "amplitude" && $10 < 0.01 { b = 1 } END { exit !(a && b) }' "$T/got.tsv"
    assert_success
    # cells as the unit only on request, labelled; the responder share is then not tested (0/1 values)
    zn-report --unit cell --format tsv --table tests "$FIX/report_dishes.znr" > "$T/gotc.tsv"
    grep -v '^responder' "$T/gotc.tsv" | cut -f1,5,6,7,9,10 > "$T/cell.tsv"
    run same_table "$FIX/expected/report_dish_tests_cell.tsv" "$T/cell.tsv" 1e-10
    assert_success
    run grep -P '^responder_fraction\t\t.*\tcell\t60, 60\t\t\t\t\t\tnot tested: a proportion over cells' "$T/gotc.tsv"
    assert_success
    # the metrics table: n dishes and the cells behind them; the dish mean of the responder column is a fraction
    run bash -c "zn-report --format tsv --table metrics $FIX/report_dishes.znr | grep -P '^responder_fraction\ttreated'"
    assert_output --regexp $'^responder_fraction\ttreated\t4\t0\\.[0-9]+\t0\\.[0-9]+\t1\tdish\t60$'
    # the page: titles say the unit and n, raw and adjusted p
    zn-report -q --html "$T/r.html" "$FIX/report_dishes.znr" > /dev/null
    grep -q 'n = 4 vs 4 dishes: p = 0.389 (Holm 0.389)' "$T/r.html"
    grep -q 'n = 4 dishes, 60 cells' "$T/r.html"
    grep -q 'adjusted over the metrics by Holm' "$T/r.html"
}

@test "zn-report: one condition: nothing to compare, said, not an empty table" {
    awk -F'\t' '$2 != "treated"' "$FIX/report_dishes.znr" > "$T/one.znr"
    run zn-report "$T/one.znr"
    assert_success
    assert_output --partial 'one condition (vehicle), nothing to compare'
    zn-report -q --html "$T/one.html" "$T/one.znr" > /dev/null
    grep -q 'One condition (vehicle): nothing to compare' "$T/one.html"
    run grep -c 'id="tab-tests"' "$T/one.html"
    assert_output 0
}

@test "zn-report: trace panels show the experiment; the calibration its own raw signal; --whole-trace, --log-y" {
    # metrics_trace.znr: 45 frames every 3 s, the first calibration window (max) at 105 s: 35 frames before it
    zn-report -q --html "$T/r.html" "$FIX/metrics_trace.znr" > /dev/null
    grep -q '35 frames, left to right' "$T/r.html"
    grep -q '<figure id="fig-calcells-1">' "$T/r.html"
    grep -q 'raw F per cell, Fmin (dashed, low) and Fmax (dashed, high)' "$T/r.html"
    # no point of a trace panel beyond the experiment: the x axis ends at the last frame before 105 s (102 s)
    run grep -c '>105<' <(sed -n '/fig-trace-1/,/<\/figure>/p' "$T/r.html")
    assert_output 0
    zn-report -q --html "$T/w.html" --whole-trace "$FIX/metrics_trace.znr" > /dev/null
    grep -q '45 frames, left to right' "$T/w.html"
    run zn-report -q --html "$T/l.html" --log-y "$FIX/metrics_trace.znr"
    assert_success
    grep -q 'y axis (log)' "$T/l.html"
}

# an uptake assay with its empty vector: total rates, the vector subtracted, the fit of the specific rates
uptake_chain() {
    awk -F'\t' 'BEGIN { OFS = "\t" } /^##/ { print; next } /^#/ { print; next }
        { print; $1 = "vector"; $4 = 0.05 * $2 + 1 + 0.01 * (NR % 3); print }' "$FIX/mm_uptake.znr" |
        awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ || $1 == "vector" { print; next } { $4 = $4 + 0.05 * $2 + 1; print }' |
        sed '2a ##unit.rate=pmol/mg/min' > "$T/total.znr"
    zn-background -u --control construct=vector -o "$T/specific.znr" "$T/total.znr"
    zn-mm-fit -q -u --by construct -o "$T/fit.znr" "$T/specific.znr"
}

@test "zn-report: uptake shows the data the fit was made from (specific), total and control beside; other data refused" {
    uptake_chain
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/specific.znr" > "$T/up.tsv"
    # every mean is the mean of (total - the vector's mean at that concentration), computed here by awk
    awk -F'\t' '!/^#/ && $1 == "vector" { vs[$2] += $4; vn[$2]++ } !/^#/ && $1 != "vector" { k = $1 "\t" $2; s[k] += $4; n[k]++; t[k] = $2 }
        END { for (k in s) { x = t[k]; c = vs[x] / vn[x]; printf "construct=%s\t%d\t%.17g\t%.17g\t%.17g\n", k, n[k], s[k] / n[k] - c, s[k] / n[k], c } }' \
        "$T/total.znr" | sort -t$'\t' -k1,1r -k2,2g > "$T/exp.tsv"
    sed -i '1i group\tx\tn\tmean\ttotal_mean\tcontrol_mean' "$T/exp.tsv"
    awk -F'\t' 'BEGIN { OFS = "\t" } { print $1, $2, $4, $5, $8, $9 }' "$T/up.tsv" > "$T/got.tsv"
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-12
    assert_success
    run col data < "$T/up.tsv"
    assert_line --index 0 'specific (control subtracted)'
    # the page draws the subtraction
    zn-report -q --html "$T/r.html" "$T/fit.znr" "$T/specific.znr" > /dev/null
    grep -q 'Total, control and specific uptake (means)' "$T/r.html"
    # the rates before the subtraction are not the fitted data: refused, saying why
    run zn-report "$T/fit.znr" "$T/total.znr"
    assert_failure 1
    assert_output --partial "the fit of construct=hZIP4 was made from other data than $T/total.znr (the fit's data had ##background=control:construct=vector"
    # given both, the fitted ones are shown
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/total.znr" "$T/specific.znr" > "$T/both.tsv"
    cmp "$T/up.tsv" "$T/both.tsv"
    # the same subtraction run again into a pipe (another command line, the same data): accepted
    zn-background -u --control construct=vector "$T/total.znr" > "$T/piped.znr"
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/piped.znr" > "$T/piped.tsv"
    cmp "$T/up.tsv" "$T/piped.tsv"
    # another subtraction (matched on concentration only) is not the fitted data
    zn-background -u --control construct=vector --match conc_uM "$T/total.znr" > "$T/other.znr" 2>/dev/null || skip "zn-background has no --match"
    run zn-report "$T/fit.znr" "$T/other.znr"
    assert_failure 1
    assert_output --partial "the fit's data had ##background=control:construct=vector:rate:match="
}

@test "zn-report: three conditions: one-way ANOVA over dish means, against scipy" {
    awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next } $1 == "tre1" || $1 == "tre2" { $2 = "treatedA" } $1 == "tre3" || $1 == "tre4" { $2 = "treatedB" } { print }' \
        "$FIX/report_dishes.znr" > "$T/three.znr"
    zn-report --format tsv --table tests "$T/three.znr" > "$T/got.tsv"
    run col test < "$T/got.tsv"
    assert_output "$(printf 'anova_F\nanova_F\nanova_F')"
    cut -f1,5-10 "$T/got.tsv" > "$T/an.tsv"
    run same_table "$FIX/expected/report_dish_anova.tsv" "$T/an.tsv" 1e-10
    assert_success
}

@test "zn-report: a metric a condition has no value of, or fewer than 2 dishes: no test, and the note says which" {
    # amplitude empty for the vehicle cells (no responders: no time or size of a peak)
    awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next } $2 == "vehicle" { $5 = "" } { print }' "$FIX/report_dishes.znr" > "$T/a.znr"
    run bash -c "zn-report --format tsv --table tests $T/a.znr | awk -F'\t' '\$1 == \"amplitude\" { print \$5 \"|\" \$9 \"|\" \$11 }'"
    assert_output '0, 4||no test: no values in vehicle'
    # one treated dish only
    awk -F'\t' '/^#/ || $2 == "vehicle" || $1 == "tre1"' "$FIX/report_dishes.znr" > "$T/b.znr"
    run bash -c "zn-report --format tsv --table tests $T/b.znr | awk -F'\t' '\$1 == \"baseline_mean\" { print \$11 }'"
    assert_output 'no test: fewer than 2 dishes in treated (--unit cell tests cells, labelled as such)'
}

# issue 17: published values with the system they were measured in; a resting level compared only
# where the sensor resolves it; calibration flags counted; linearity untested shown

@test "zn-report: published values carry their system; the experiment's system (--system, ##system=) picks the comparators" {
    fit
    # no system given: every ZIP8 Km (two in Xenopus oocytes, Liu 2007; one in mouse fibroblasts, He 2006), labelled
    zn-report --format tsv --table fits "$T/fit.znr" > "$T/all.tsv"
    run bash -c "awk -F'\t' '\$1 == \"construct=ZIP8\" && \$4 == \"Km\" { print \$10 }' $T/all.tsv"
    assert_output '0.26 uM (Zn (Vmax 1.0 pmol/oocyte/h)) in Xenopus laevis oocytes (mouse ZIP8 cRNA); 0.48 uM (Cd (Vmax 1.8 pmol/oocyte/h)) in Xenopus laevis oocytes (mouse ZIP8 cRNA); 0.62 uM (Cd, 109Cd uptake (Mn2+ 2.2 uM)) in mouse fetal fibroblasts (retroviral ZIP8, rvZIP8 cells)'
    # hZIP4 Km and Vmax, ZIP8 Km (no published ZIP8 Vmax)
    run grep -c "the experiment's system is not given" "$T/all.tsv"
    assert_output 3
    # a mammalian experiment: the fibroblast value only, and the oocyte values said to be left out
    zn-report --system 'HEK293 cells' --format tsv --table fits "$T/fit.znr" > "$T/hek.tsv"
    run bash -c "awk -F'\t' '\$1 == \"construct=ZIP8\" && \$4 == \"Km\" { print \$10 \"|\" \$11 \"|\" \$12 }' $T/hek.tsv"
    assert_output '0.62 uM (Cd, 109Cd uptake (Mn2+ 2.2 uM)) in mouse fetal fibroblasts (retroviral ZIP8, rvZIP8 cells)|He et al. 2006, Mol Pharmacol 70:171-180, doi:10.1124/mol.106.024521, PMID 16638970|measured in mammalian cells, as the experiment (HEK293 cells); 2 values from Xenopus oocytes left out'
    # hZIP4 in HEK293: the same cell type
    run bash -c "awk -F'\t' '\$1 == \"construct=hZIP4\" && \$4 == \"Km\" { print \$12 }' $T/hek.tsv"
    assert_output "measured in the experiment's cell type (HEK293 cells)"
    # ##system= in the stream (carried from the uptake stream through zn-mm-fit): oocytes, the oocyte values
    sed '2a ##system=Xenopus laevis oocytes' "$T/up.znr" | zn-mm-fit -q -u --by construct > "$T/ofit.znr"
    run bash -c "zn-report --format tsv --table fits $T/ofit.znr | awk -F'\t' '\$1 == \"construct=ZIP8\" && \$4 == \"Km\" { print \$12 }'"
    assert_output "measured in the experiment's cell type (Xenopus laevis oocytes); 1 value from mammalian cells left out"
    # no comparator from the experiment's system: all shown, labelled, and said so
    run bash -c "zn-report --system yeast --format tsv --table fits $T/fit.znr | awk -F'\t' '\$1 == \"construct=ZIP8\" && \$4 == \"Km\" { print \$12 }'"
    assert_output 'no published value from yeast (the experiment: yeast): the values shown were measured in other systems, as labelled'
}

# a trace of calibrated values: three cells at V1 V2 V3 nM over a baseline (0-8 s); $1: the ##calibration= line
rest_trace() {
    printf '##znr=1\n##schema=trace\n##compartment=cytosol\n##window=baseline:0:8\n##calibration=%s\n#sample\tcondition\tcell\trole\tframe\tt\tzn_nM\n' "$1"
    shift
    local c=0 v
    for v in "$@"; do
        c=$((c + 1))
        for f in 0 1 2 3 4; do printf 'd1\trest\tc%d\tcell\t%d\t%d\t%s\n' $c $f $((2 * f)) "$v"; done
    done
}

@test "zn-report: a resting level far below what the sensor resolves is not compared; the three cytosol values one row each" {
    # 0.02 nM with FluoZin-3 (Kd 15 nM): 0.1-10 Kd = 1.5-150 nM; 1 % occupancy at 15/99 = 0.1515 nM
    rest_trace 'kd=15nM;sensor=FluoZin-3;signal=F' 0.01 0.02 0.03 > "$T/low.znr"
    zn-report --format tsv --table context "$T/low.znr" > "$T/low.tsv"
    run bash -c "tail -n +2 $T/low.tsv | cut -f5,6"
    assert_line --index 0 "$(printf '0.4 nM (about 400 pM, eCALWY FRET sensors)\tnot compared: 0.02 nM is far below what the sensor resolves (Kd 15 nM: 1.5-150 nM, 9-91 %% occupancy); under 0.152 nM (1 %% occupancy) the signal is within noise of Fmin')"
    assert_line --index 1 --partial '0.1 nM (about 100 pM, GZnP2'
    assert_line --index 2 --partial '0.62-1.25 nM (ZinPyr-1'
    refute_output --partial 'the range'
    # 1 nM is FluoZin-3's textbook use (6 % occupancy): compared, with the caution; in MCF7 cells the
    # comparator is the one measured in MCF7 (Huebner 2023), the other two are said to be left out
    rest_trace 'kd=15nM;sensor=FluoZin-3;signal=F' 0.9 1 1.1 > "$T/one.znr"
    run bash -c "zn-report --system 'MCF7 cells' --format tsv --table context $T/one.znr | tail -n +2 | cut -f4,6,8,9"
    assert_output "$(printf "1\twithin the range; below the sensor's most accurate range (Kd 15 nM: 1.5-150 nM)\thuman breast cancer cell lines (MCF7, T47D, MDA-MB-231)\tmeasured in the experiment's cell type (MCF7 cells); 2 values from other mammalian cells left out")"
    # the system from the trace's meta (zn-ingest --meta system=...): the same choice
    sed '2a ##system=MCF7 cells' "$T/one.znr" > "$T/onesys.znr"
    run bash -c "zn-report --format tsv --table context $T/onesys.znr | tail -n +2 | cut -f5"
    assert_output '0.62-1.25 nM (ZinPyr-1, TPEN/ZnSO4 in-situ calibration)'
    # a Hill sensor (n = 2): 1 % occupancy at 15 (1/99)^(1/2) = 1.508 nM, the range 15 0.1^0.5 = 4.74 to 47.4 nM
    rest_trace 'kd=15nM;hill=2;signal=R' 0.9 1 1.1 > "$T/hill.znr"
    run bash -c "zn-report --system 'MCF7 cells' --format tsv --table context $T/hill.znr | tail -n +2 | cut -f6"
    assert_output 'not compared: 1 nM is far below what the sensor resolves (Kd 15 nM: 4.74-47.4 nM, 9-91 % occupancy); under 1.51 nM (1 % occupancy) the signal is within noise of Fmin'
    # above 10 Kd (91 % occupancy): not compared either
    rest_trace 'kd=15nM;signal=F' 200 200 200 > "$T/high.znr"
    run bash -c "zn-report --system 'MCF7 cells' --format tsv --table context $T/high.znr | tail -n +2 | cut -f6"
    assert_output 'not compared: 200 nM is above what the sensor resolves (Kd 15 nM: up to 150 nM, 91 % occupancy): near saturation'
}

# five cells through zn-calibrate (FluoZin-3; max window 105-117 s at 1000, min 120-132 s at 100,
# +-0.2 alternating): c1 at 130 throughout; c2 at 950 (94 % occupancy) from 30 s; c3 at 95 (below
# Fmin); c4's min window still falling 141 -> 100; c5's max window still rising 900 -> 1000
cal_cases() {
    printf '##znr=1\n##schema=trace\n##compartment=cytosol\n##window=baseline:0:27\n##window=max:105:117\n##window=min:120:132\n##unit.t=s\n#sample\tcondition\tcell\trole\tframe\tt\tF\n'
    awk 'BEGIN { for (c = 1; c <= 5; c++) for (f = 0; f <= 44; f++) { t = 3 * f; e = (f % 2) ? 0.2 : -0.2
        if (t < 105) F = 130; else if (t <= 117) F = 1000 + e; else F = 100 + e
        if (c == 2 && t >= 30 && t < 105) F = 950
        if (c == 3 && t < 105) F = 95
        if (c == 4 && t >= 120) F = 141 - 41 * (t - 120) / 12 + e
        if (c == 5 && t >= 105 && t <= 117) F = 900 + 100 * (t - 105) / 12 + e
        printf "d1\tctl\tc%d\tcell\t%d\t%d\t%s\n", c, f, t, F } }'
}

@test "zn-report: min_drift/max_drift are failed calibrations with their reason; near_max and below_min frames counted" {
    cal_cases | zn-calibrate -q -u --sensor FluoZin-3 > "$T/cal.znr"
    zn-report --format tsv --table cells "$T/cal.znr" | cut -f3,6,7,12- > "$T/got.tsv"
    # 3 cells calibrated; of their 3 x 35 experiment frames (t < 105 s) c2 has 25 near_max (30-102 s)
    # = 23.8 %, c3 35 below_min = 33.3 %
    cat > "$T/exp.tsv" <<'X'
cells	calibrated	bad_calibration	below_min_pct	min_drift	max_drift	near_max_pct	near_max_n	below_min_n
5	3	0	33.3333333333333	1	1	23.8095238095238	25	35
X
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-12
    assert_success
    run bash -c "zn-report --format tsv --table flags $T/cal.znr | tail -n +2"
    assert_line "$(printf 'trace\td1\tc4\tmin_drift\tcondition ctl: no [Zn] for any frame: the min (TPEN) window is still moving: no Fmin plateau')"
    assert_line "$(printf 'trace\td1\tc5\tmax_drift\tcondition ctl: no [Zn] for any frame: the max (Zn + pyrithione) window is still moving: no Fmax plateau')"
    # a log axis keeps c3's 35 negative values (15 (95 - 99.8)/(1000.2 - 95) nM) off, says so, and stays log
    run zn-report -q --log-y --html "$T/p.html" "$T/cal.znr"
    assert_success
    refute_output --partial 'the axis is linear'
    run grep -c 'y axis (log).*Log axis: 35 of 105 single-cell values and 0 of 35 frame means are zero or negative' "$T/p.html"
    assert_output 1
    run grep -c 'failed: 2<' "$T/p.html"
    assert_output 1
    run grep -c '2 of 5 cells not calibrated (0 bad_calibration; 1 min_drift: the TPEN window still falling; 1 max_drift: the Zn + pyrithione window still rising). Of the 105 experiment frames of calibrated cells, 25 (23.8 %) are near_max .*, 0 (0 %) above_max .* and 35 (33.3 %) below_min' "$T/p.html"
    assert_output 1
}

@test "zn-report: overflow frames (a value past the range of a double) are counted on the page" {
    printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tzn_nM\tzn_flag\n' > "$T/o.znr"
    printf 'd1\tc\tr1\tcell\t%s\n' '0	0	1	ok' '1	1		overflow' '2	2		overflow' '3	3	1	ok' >> "$T/o.znr"
    zn-report -q --html "$T/o.html" "$T/o.znr"
    run grep -c '2 experiment frames overflow' "$T/o.html"
    assert_output 1
}

@test "zn-report: a single time point's untested linearity (zn-uptake-rate) is shown under the kinetics and in the flags" {
    zn-ingest "$FIX/uptake_hidex.csv" --layout "$FIX/uptake_hidex_layout.csv" -o "$T/hidex.znr.gz"
    zn-uptake-rate -u --dpm --specific-activity 200uCi/umol --isotope Zn-65 --reference-date 2025-10-01 "$T/hidex.znr.gz" > "$T/up.znr"
    # every sample of the plate is counted after 5 min
    run bash -c "zn-view --tsv -c time_min,role $T/up.znr | awk -F'\t' '\$2 == \"sample\" { print \$1 }' | sort -u"
    assert_output 5
    zn-mm-fit -q -u --by construct "$T/up.znr" > "$T/fit.znr"
    run bash -c "zn-report --format tsv --table flags $T/fit.znr | grep linearity"
    assert_output "$(printf 'uptake\t%s\t\tlinearity_untested\tone time point (5 min): the rate assumes uptake is linear up to it; a time course (zn-uptake-rate --initial-rate) tests that' "$T/fit.znr")"
    zn-report -q --html "$T/k.html" "$T/fit.znr"
    run bash -c "sed -n '/id=\"kinetics\"/,\$p' $T/k.html | grep -c 'Linearity untested</b> (fit.znr): one time point (5 min)'"
    assert_output 1
}

@test "zn-report: the experiment's frames beyond Fmax are counted up to the end of the response window, not in the ionophore's wash-in" {
    # two cells, frames every 10 s: rest (0-20 s), response (30-60 s), the
    # ionophore washed in at 70-90 s (F 950 > Fmax 900), max window 100-120 s,
    # TPEN 130-150 s.  The trace panels end with the response window; so do
    # the counts: 0 of the 7 experiment frames are beyond Fmax (the wash-in's
    # 3 frames made it 30 % of 10 before)
    awk -f /dev/stdin > "$T/wash.znr" <<'AWK'
BEGIN { OFS = "\t"
  print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=response:30:60"
  print "##window=max:100:120"; print "##window=min:130:150"; print "##unit.t=s"
  print "##calibration=kd=15nM;sensor=FluoZin-3;signal=F"
  print "#sample", "condition", "cell", "role", "frame", "t", "F", "zn_nM", "zn_flag", "Fmin", "Fmax"
  for (c = 1; c <= 2; c++) for (f = 0; f <= 15; f++) { t = 10 * f
      if (t >= 130) { F = 100; z = 0; fl = "below_min" } else if (t >= 100) { F = 900; z = ""; fl = "above_max" }
      else if (t >= 70) { F = 950; z = ""; fl = "above_max" } else if (t >= 30) { F = 350; z = 5; fl = "ok" } else { F = 150; z = 1; fl = "ok" }
      print "dish1", "control", "c" c, "cell", f, t, F, z, fl, 100, 900 } }
AWK
    run bash -c "zn-report --format tsv --table cells $T/wash.znr | cut -f 1,11,12"
    assert_success
    assert_output "$(printf 'condition\tabove_max_pct\tbelow_min_pct\ncontrol\t0\t0')"
}

@test "zn-report --html: each concentration's mean +- SD is drawn at that concentration, where its replicates are" {
    fit
    zn-report -q --html "$T/k.html" "$T/up.znr" "$T/fit.znr" "$T/curve.znr" > /dev/null
    # first series: circles; replicates open (r 2.6), means filled (r 3.2)
    grep -o '<circle cx="[0-9.]*" cy="[0-9.]*" r="2.6" fill="#fff"' "$T/k.html" | sed 's/.*cx="\([0-9.]*\)".*/\1/' | sort -u > "$T/rep"
    grep -o '<circle cx="[0-9.]*" cy="[0-9.]*" r="3.2" fill="#' "$T/k.html" | sed 's/.*cx="\([0-9.]*\)".*/\1/' | sort -u > "$T/mean"
    [ -s "$T/mean" ] && [ -s "$T/rep" ]
    run comm -23 "$T/mean" "$T/rep"
    assert_output ""
}

@test "zn-report --html: a fit without its uptake stream has no empty Uptake table; the page says where the data would be" {
    fit
    zn-report -q --html "$T/k.html" "$T/fit.znr" "$T/curve.znr" > /dev/null
    run grep -c 'id="tab-uptake"' "$T/k.html"
    assert_output 0
    run grep -c 'No uptake stream was given: the per-concentration data' "$T/k.html"
    assert_output 1
    zn-report -q --html "$T/k2.html" "$T/up.znr" "$T/fit.znr" "$T/curve.znr" > /dev/null
    run grep -c 'id="tab-uptake"' "$T/k2.html"
    assert_output 1
}

@test "zn-report: a failed calibration is one flag row with its reason, not a second metrics row saying no_response_values" {
    met
    run bash -c "zn-report --format tsv --table flags $FIX/metrics_trace.znr $T/met.znr | grep -c 'dish2	5	'"
    assert_output 1
    run bash -c "zn-report --format tsv --table flags $FIX/metrics_trace.znr $T/met.znr | grep no_response_values"
    assert_failure
    # the metrics alone: the calibration is the reason, what follows from it is said as such
    run bash -c "zn-report --format tsv --table flags $T/met.znr | grep 'dish2	5	'"
    assert_output "$(printf 'metrics\tdish2\t5\tbad_calibration\tno [Zn] for any frame (a calibration window with no values, too much scatter, or Fmax <= Fmin): no baseline, response or metric follows (zn-metrics: no_baseline;no_response_values;missing_values)')"
    # other metric flags are kept as they are
    run bash -c "zn-report --format tsv --table flags $T/met.znr | grep 'dish3	2	'"
    assert_output "$(printf 'metrics\tdish3\t2\tno_baseline;missing_values\t')"
}

@test "zn-report --html: trace panels give n as dishes and the cells with a value; the band is the SEM over dish means" {
    # one condition, two dishes of two cells and a failed cell; at every
    # frame dish1's cells are 1 and 3, dish2's 0 and 4: both dish means 2,
    # so the SEM over dishes is 0 (the band's upper and lower edges are one
    # line), while over cells it would be 0.913 (by hand: sqrt(10/3)/2)
    awk -f /dev/stdin > "$T/d.znr" <<'AWK'
BEGIN { OFS = "\t"
  print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=response:30:60"; print "##unit.t=s"
  print "#sample", "condition", "cell", "role", "frame", "t", "zn_nM", "zn_flag"
  split("1 3 0 4", v, " ")
  for (c = 1; c <= 5; c++) for (f = 0; f <= 6; f++)
      if (c == 5) print "dish2", "ctrl", "c5", "cell", f, 10 * f, "", "bad_calibration"
      else print "dish" (c <= 2 ? 1 : 2), "ctrl", "c" c, "cell", f, 10 * f, v[c], "ok" }
AWK
    zn-report -q --html "$T/d.html" "$T/d.znr" > /dev/null
    run grep -c 'ctrl: n = 2 dishes, 4 cells (1 failed calibration)' "$T/d.html"
    assert_output 1
    run grep -c 'the mean of the dish means (line) and the SEM over the 2 dishes (band; the dish is the replicate' "$T/d.html"
    assert_output 1
    # the band: a path with fill-opacity 0.3; its y coordinates are one value
    run bash -c "grep -o '<path fill=\"#[0-9A-Fa-f]*\" fill-opacity=\"0.3\" stroke=\"none\" d=\"[^\"]*' $T/d.html | sed 's/.*d=\"//' | grep -o '[0-9.]* [0-9.]*' | cut -d' ' -f2 | sort -u | wc -l"
    assert_output 1
}

@test "zn-report: resting zinc beside published values in the page's unit (pM on a pM trace, not 9e-04 nM)" {
    awk -F'\t' 'BEGIN { OFS = "\t" } /^##/ { print; next } /^#/ { sub("zn_nM", "zn_pM"); print; next }
        { if ($8 != "") $8 = sprintf("%.17g", $8 * 1000); print }' "$FIX/metrics_trace.znr" > "$T/pm.znr"
    zn-report --format tsv --table context "$T/pm.znr" > "$T/pm.tsv"
    zn-report --format tsv --table context "$FIX/metrics_trace.znr" > "$T/nm.tsv"
    run sed -n 1p "$T/pm.tsv"
    assert_output "$(printf 'compartment\tcondition\tcells\tbaseline_pM_median\tpublished\trelation\tsource\tsystem\tcomparison')"
    run bash -c "sed -n 2p $T/pm.tsv | cut -f5"
    assert_output --partial '0.9 pM (0.9 pM'
    run bash -c "sed -n 2p $T/pm.tsv | cut -f6"
    assert_output --partial 'the published level is under 1 % occupancy of this sensor (152 pM)'
    # the median is the nM page's times 1000
    paste <(cut -f4 "$T/nm.tsv" | tail -n +2) <(cut -f4 "$T/pm.tsv" | tail -n +2) |
        awk '{ d = $2 - 1000 * $1; if (d < 0) d = -d; if (!(d <= 1e-9 * $2)) { print "differ: " $0; bad = 1 } } END { exit bad }'
}

@test "zn-report --html: kinetics figures name the metal (##metal=, else zn-uptake-rate's isotope) in the title and x axis" {
    zn-ingest "$FIX/uptake_hidex.csv" --layout "$FIX/uptake_hidex_layout.csv" -o "$T/hidex.znr.gz"
    zn-uptake-rate -u --dpm --specific-activity 200uCi/umol --isotope Zn-65 --reference-date 2025-10-01 "$T/hidex.znr.gz" > "$T/up.znr"
    zn-mm-fit -q -u --by construct "$T/up.znr" > "$T/fit.znr"
    zn-report -q --html "$T/k.html" "$T/up.znr" "$T/fit.znr" > /dev/null
    run bash -c "grep -o '65Zn uptake: Vmax\*S/(Km+S)' $T/k.html | sort -u"
    assert_output '65Zn uptake: Vmax*S/(Km+S)'
    run grep -c '>\[Zn2+\], conc_uM (uM)<' "$T/k.html"
    [ "$output" -ge 1 ]
    # ##metal= (zn-ingest --meta metal=Cd) without an isotope: the metal alone
    sed '2a ##metal=Cd' "$FIX/mm_uptake.znr" > "$T/cd.znr"
    zn-mm-fit -q -u --by construct "$T/cd.znr" > "$T/cdfit.znr"
    zn-report -q --html "$T/c.html" "$T/cd.znr" "$T/cdfit.znr" > /dev/null
    run grep -c 'construct=hZIP4, Cd uptake: Vmax' "$T/c.html"
    assert_output 1
    run grep -c '>\[Cd2+\], conc_uM (uM)<' "$T/c.html"
    [ "$output" -ge 1 ]
}

@test "zn-report --html: SuperPlots name each dish's mark in a legend and say that a repeated mark does not pair dishes" {
    zn-report -q --html "$T/s.html" "$FIX/report_dishes.znr" > /dev/null
    sed -n '/<figure id="fig-metric-amplitude"/,/<\/figure>/p' "$T/s.html" > "$T/fig.html"
    run bash -c "grep -o 'data-dish=\"1\">[^<]*' $T/fig.html | sed 's/.*>//' | sort"
    assert_output "$(zn-view --tsv -c sample "$FIX/report_dishes.znr" | tail -n +2 | sort -u)"
    run grep -c 'the same mark in two conditions does not pair those dishes: the test treats them as independent (unpaired)' "$T/fig.html"
    assert_output 1
    # the legend is inside the figure: its last line above the SVG's height
    h=$(grep -o '<svg [^>]*height="[0-9]*"' "$T/fig.html" | sed 's/.*height="//; s/"//')
    ymax=$(grep -o 'y="[0-9.]*" class="tk" data-dish' "$T/fig.html" | sed 's/y="//; s/".*//' | sort -g | tail -1)
    awk -v y="$ymax" -v h="$h" 'BEGIN { exit !(y + 4 < h) }'
}

@test "zn-report: a failed calibration's flag says which window failed which test, from the cell's values and ##calibration=" {
    # cell c2's max window (100-120 s) has F 600, 900, 1200: median 900, MAD
    # 1.4826 * 300 = 444.78, 49.4 % of the median > max_scatter 20 % (by hand)
    awk -f /dev/stdin > "$T/bad.znr" <<'AWK'
BEGIN { OFS = "\t"
  print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=response:30:60"; print "##unit.t=s"
  print "##calibration=kd=15nM;sensor=FluoZin-3;signal=F;max=window:100:120;min=window:130:150;stat=median;max_scatter=0.2"
  print "#sample", "condition", "cell", "role", "frame", "t", "F", "zn_nM", "zn_flag", "Fmin", "Fmax"
  split("600 900 1200", mx, " ")
  for (c = 1; c <= 2; c++) for (f = 0; f <= 15; f++) { t = 10 * f
      if (t >= 130) F = 100; else if (t >= 100) F = (c == 1 ? 900 : mx[f - 9]); else F = 300
      if (c == 1) print "dish1", "ctl", "c1", "cell", f, t, F, (t >= 130 ? 0 : 2), "ok", 100, 900
      else print "dish1", "ctl", "c2", "cell", f, t, F, "", "bad_calibration", "", "" } }
AWK
    run bash -c "zn-report --format tsv --table flags $T/bad.znr | tail -n +2"
    assert_output "$(printf 'trace\tdish1\tc2\tbad_calibration\tcondition ctl: no [Zn] for any frame: max window (100-120 s): scatter 49.4%% > 20.0%% (MAD/median of F)')"
}
