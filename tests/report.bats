#!/usr/bin/env bats
# zn-metrics and zn-report: numbers against numpy/scipy (tests/ref/report_ref.py)
# and by hand; the HTML page in a real headless browser.

load helper

met() { zn-metrics -u "$FIX/metrics_trace.znr" > "$T/met.znr"; }
fit() {
    sed '2a ##unit.rate=pmol/mg/min' "$FIX/mm_uptake.znr" > "$T/up.znr"
    zn-mm-fit -q -u --by construct --compare hill --curve 40 --curve-output "$T/curve.znr" "$T/up.znr" > "$T/fit.znr"
}
# a column of a tab-separated table by name
col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }'; }

@test "zn-metrics: baseline, peak, time to peak, amplitude, area, responders against numpy" {
    met
    zn-view --tsv "$T/met.znr" > "$T/got.tsv"
    run same_table "$FIX/expected/metrics_default.tsv" "$T/got.tsv" 1e-12
    assert_success
    run zn-view --check "$T/met.znr"
    assert_success
    run zn-view --meta "$T/met.znr"
    assert_line '##schema=metrics'
    assert_line '##metrics=signal=zn_nM;baseline=0:27;response=27:105;k=3'
    assert_line '##unit.auc=nM*s'
    assert_line '##compartment=ER'
}

@test "zn-metrics: --response, --window (range and from the meta), -k against numpy" {
    zn-metrics -u --response 30:90 --window plateau=90:102 --window max -k 2 "$FIX/metrics_trace.znr" |
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
    # peak 10 at t 8, time to peak 8 - 2 = 6, amplitude 8; auc: (6-2 + 10-2)/2*0 ... only pairs with
    # both values: (8,10)->(10,2): (8 + 0)/2 * 2 = 8; responder 8 > 3*1.414
    assert_line --index 1 "$(printf 's\tc1\tx\t2\t1.4142135623731\t10\t8\t6\t8\t8\t1\tmissing_values')"
}

@test "zn-metrics: errors say what is wrong" {
    run bash -c "trace_plain | zn-metrics"
    assert_failure 1
    assert_output --partial 'no baseline window'
    run bash -c "zn-metrics --window nosuch $FIX/metrics_trace.znr"
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
    run zn-metrics -k 0 "$FIX/metrics_trace.znr"
    assert_failure 2
    run zn-metrics "$FIX/mm_uptake.znr"
    assert_failure 1
}

@test "zn-report: per-condition mean and SEM of every metric against numpy" {
    met
    zn-report --format tsv --table metrics "$T/met.znr" | tail -n +2 | cut -f1-5 |
        awk -F'\t' 'NR == 1 || $1 !~ /^(responder)$/' > "$T/got.tsv"
    run same_table "$FIX/expected/report_metrics.tsv" "$T/got.tsv" 1e-12
    assert_success
}

@test "zn-report: one-way ANOVA (three conditions) and Welch t (two) against scipy" {
    met
    zn-report --format tsv --table tests "$T/met.znr" | tail -n +2 | grep -v '^responder' > "$T/got.tsv"
    paste <(cut -f1 "$T/got.tsv") <(cut -f4 "$T/got.tsv") <(cut -f7 "$T/got.tsv") > "$T/anova.tsv"
    cut -f1,4,5 "$FIX/expected/report_tests.tsv" | sed '1s/.*/metric\tstatistic\tp/' > "$T/exp.tsv"
    run same_table "$T/exp.tsv" "$T/anova.tsv" 1e-10
    assert_success
    # two conditions: dish3 left out -> Welch
    awk -F'\t' '$1 != "dish3"' "$T/met.znr" > "$T/two.znr"
    zn-report --format tsv --table tests "$T/two.znr" | tail -n +2 | grep -v '^responder' > "$T/got2.tsv"
    run col test < "$T/got2.tsv"
    assert_line --index 0 welch_t
    paste <(cut -f1 "$T/got2.tsv") <(cut -f4 "$T/got2.tsv") <(cut -f7 "$T/got2.tsv") > "$T/welch.tsv"
    cut -f1,2,3 "$FIX/expected/report_tests.tsv" | sed '1s/.*/metric\tstatistic\tp/' > "$T/exp2.tsv"
    run same_table "$T/exp2.tsv" "$T/welch.tsv" 1e-10
    assert_success
}

@test "zn-report: cells and calibration per condition, by hand" {
    zn-report --format tsv --table cells "$FIX/metrics_trace.znr" | tail -n +2 > "$T/got.tsv"
    # Fmin 100 + 5c, Fmax 900 + 30c + 100d (c = 1..5, dish d = 0..2); dish2 cell 5 failed;
    # 5 of 45 frames in each calibration window; the dynamic range is the median of the cells' ratios
    # (NVS-ZP7-4: (1060/110 + 1090/115) / 2), not the ratio of the medians
    cat > "$T/exp.tsv" <<'X'
condition	samples	cells	frames	signal	calibrated	bad_calibration	Fmin_median	Fmax_median	dynamic_range_median	above_max_pct	below_min_pct
control	1	5	45	zn_nM	5	0	115	990	8.60869565217391	11.1111111111111	11.1111111111111
NVS-ZP7-4	1	5	45	zn_nM	4	1	112.5	1075	9.55731225296443	11.1111111111111	11.1111111111111
TPEN-pre	1	5	45	zn_nM	5	0	115	1190	10.3478260869565	11.1111111111111	11.1111111111111
X
    run same_table "$T/exp.tsv" "$T/got.tsv" 1e-15
    assert_success
}

@test "zn-report: fit parameters as fitted, published values in the fit's units, replicate means" {
    fit
    zn-report --format tsv --table fits "$T/fit.znr" "$T/up.znr" | tail -n +2 > "$T/fits.tsv"
    km=$(zn-view --tsv -c Km "$T/fit.znr" | sed -n 2p)
    run bash -c "awk -F'\t' '\$1 == \"construct=hZIP4\" && \$4 == \"Km\" { print \$5 }' $T/fits.tsv"
    assert_output "$km"
    # 0.24 nmol/mg/min = 240 pmol/mg/min
    run grep -P '^construct=hZIP4\tmm\tok\tVmax\t.*\tpmol/mg/min\t240 pmol/mg/min' "$T/fits.tsv"
    assert_success
    run grep -c 'Liu et al. 2007' "$T/fits.tsv"
    assert_output 1
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/up.znr" | tail -n +2 | cut -f1,2,4-6 > "$T/got.tsv"
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
    run bash -c "zn-report --format tsv --table context $T/met.znr | tail -n +2"
    assert_line --index 0 "$(printf 'compartment\tcondition\tcells\tbaseline_nM_median\tpublished\trelation\tsource')"
    # medians of the cells' baseline means (numpy table), ER 0.9 pM
    med=$(awk -F'\t' '$2 == "control" { print $4 }' "$FIX/expected/metrics_default.tsv" | sort -g | sed -n 3p)
    assert_line --index 1 --partial "ER	control	5	$med	0.0009 nM (0.9 pM"
}

@test "zn-report: flags list failed calibrations, flagged cells and failed fits" {
    met
    printf '##znr=1\n##schema=fit\n#construct\tmodel\tn\tstatus\treason\nvector\tmm\t3\tinsufficient_data\t3 points for 2 parameters\n' > "$T/bad.znr"
    run bash -c "zn-report --format tsv --table flags $FIX/metrics_trace.znr $T/met.znr $T/bad.znr | tail -n +3"
    assert_line "$(printf 'trace\tdish2\t5\tbad_calibration\tcondition NVS-ZP7-4: no [Zn] for any frame')"
    assert_line "$(printf 'metrics\tdish3\t2\tno_baseline;missing_values\t')"
    assert_line "$(printf 'fit\tconstruct=vector\tmm\tinsufficient_data\t3 points for 2 parameters')"
}

@test "zn-report: text and Markdown carry the same tables; one concatenated stream = separate files" {
    met
    fit
    run zn-report "$T/met.znr"
    assert_success
    assert_line --partial 'Response metrics per condition'
    assert_line --regexp '^peak +NVS-ZP7-4 +4 +11\.14 +1\.912 +nM *$'
    run bash -c "zn-report $T/met.znr <(zn-metrics -u --window max $FIX/metrics_trace.znr) 2>&1 > /dev/null"
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
    for f in fig-trace-1 fig-trace-2 fig-trace-3 fig-heatmap fig-calibration fig-metric-peak fig-metric-auc \
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
