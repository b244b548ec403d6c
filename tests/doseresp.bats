#!/usr/bin/env bats
# Concentration-response from imaging (issue 18.3): zn-means (the dish is
# the replicate), the NVS-ZP7-4 series of tools/make-examples.py and
# pipelines/er-ic50.sh to the 4pl fit.

load helper

means_in() {
    printf '##znr=1\n##schema=metrics\n##conc_uM=%s\n##unit.y=pM\n#sample\tcondition\tcell\ty\n' "$1"
    shift
    printf '%s\n' "$@"
}

@test "zn-means: mean, SD (n - 1) and n per group; empty values not counted; meta values as columns" {
    # by hand: d1: 1, 2, 4 -> mean 7/3, SD sqrt(((1-7/3)^2 + (2-7/3)^2 + (4-7/3)^2) / 2) = sqrt(7/3);
    # d2: 10 (and one empty) -> mean 10, no SD, n 1
    { means_in 0.3 $'d1\tA\tc1\t1' $'d1\tA\tc2\t2' $'d2\tA\tc1\t10' $'d2\tA\tc2\t'
      means_in 0.3 $'d1\tA\tc3\t4'; } > "$T/in.znr"
    run zn-means --no-provenance --meta conc_uM -c y "$T/in.znr"
    assert_success
    python3 -c 'import statistics as s; print("%.17g %.17g" % (s.mean([1, 2, 4]), s.stdev([1, 2, 4])))' > "$T/want"
    zn-view --tsv "$T/in.znr" > /dev/null
    echo "$output" | awk -F'\t' '$1 == "d1" { printf "%.17g %.17g\n", $3, $4 }' > "$T/got"
    run awk 'NR == FNR { a = $1; b = $2; next } { exit !(($1 - a) ^ 2 < 1e-28 && ($2 - b) ^ 2 < 1e-28) }' "$T/want" "$T/got"
    assert_success
    run zn-means --no-provenance --meta conc_uM -c y "$T/in.znr"
    assert_line --index 5 "#sample	conc_uM	y	y_sd	y_n"
    assert_line --index 7 "d2	0.3	10		1"
    assert_line --index 1 "##schema=means"
    assert_line --index 2 "##unit.y=pM"
    assert_line --index 4 "##unit.y_sd=pM"
    refute_output --partial "##conc_uM="
}

@test "zn-means: a missing meta key, a group from two treatments, a bad number, no -c: errors that say what to do" {
    means_in 0.3 $'d1\tA\tc1\t1' > "$T/a.znr"
    means_in 1 $'d1\tA\tc2\t2' > "$T/b.znr"
    run zn-means --meta dose -c y "$T/a.znr"
    assert_failure 1
    assert_output --partial "no ##dose= line"
    run zn-means --meta conc_uM -c y "$T/a.znr" "$T/b.znr"
    assert_failure 1
    assert_output --partial "conc_uM=1 here and conc_uM=0.3 in an earlier segment"
    means_in 0.3 $'d1\tA\tc1\t1,5' > "$T/c.znr"
    run zn-means -c y "$T/c.znr"
    assert_failure 1
    assert_output --partial "1,5"
    run zn-means "$T/a.znr"
    assert_failure 2
    run zn-means -c sample "$T/a.znr"
    assert_failure 2
}

@test "er-ic50: the bundled series, imaging to the 4pl fit over dish means" {
    "$ZN_TOP/pipelines/er-ic50.sh" --no-report -o "$T/o" "$ZN_TOP/examples/er-ic50/manifest.tsv"
    # 21 dishes, each the mean of its cells' mean_final (checked here with awk
    # on the per-cell metrics), with its concentration from the manifest
    zn-view --tsv -c sample,mean_final "$T"/o/*.metrics.znr.gz |
        awk -F'\t' 'NR > 1 && $2 != "" { s[$1] += $2; n[$1]++ } END { for (d in s) printf "%s %.12g %d\n", d, s[d] / n[d], n[d] }' | sort > "$T/want"
    zn-view --tsv -c sample,mean_final,mean_final_n "$T/o/dishes.znr.gz" | awk -F'\t' 'NR > 1 { printf "%s %.12g %d\n", $1, $2, $3 }' | sort > "$T/got"
    [ "$(wc -l < "$T/got")" -eq 21 ]
    cmp "$T/want" "$T/got"
    zn-view --tsv -c sample,conc_uM "$T/o/dishes.znr.gz" | tail -n +2 | sort > "$T/conc"
    awk -F'\t' 'NR > 1 { sub(/^conc=/, "", $5); print $1 "\t" $5 }' "$ZN_TOP/examples/er-ic50/manifest.tsv" | sort | cmp - "$T/conc"
    # the fit: ok, rising (hill > 0), the truth's ec50 (0.15 uM) inside the
    # profile interval of this realization (checked over realizations in demo.bats)
    run zn-view --tsv -c status,ec50,ec50_lo,ec50_hi,hill,n "$T/o/fit.znr.gz"
    assert_success
    echo "$output" | awk -F'\t' 'NR == 2 { exit !($1 == "ok" && $5 > 0 && $2 > 0.1 && $2 < 0.22 && $3 < 0.15 && $4 > 0.15 && $6 == 21) }'
    [ -s "$T/o/curve.znr.gz" ]
}

@test "er-ic50: a row without its concentration, or with a word for it, is an error naming the row" {
    mkdir -p "$T/m"
    cp "$ZN_TOP"/examples/er-ic50/veh-1_*.csv "$T/m/"
    printf 'experiment\tprotocol\tcondition\tinputs\toptions\nveh-1\ter-ic50\tvehicle\tveh-1_CFP.csv,veh-1_YFP.csv\t\n' > "$T/m/a.tsv"
    run "$ZN_TOP/pipelines/er-ic50.sh" --no-report -o "$T/o" "$T/m/a.tsv"
    assert_failure 1
    assert_output --partial "experiment veh-1: give the inhibitor's concentration in the options (conc=0.3"
    printf 'experiment\tprotocol\tcondition\tinputs\toptions\nveh-1\ter-ic50\tvehicle\tveh-1_CFP.csv,veh-1_YFP.csv\tconc=high\n' > "$T/m/b.tsv"
    run "$ZN_TOP/pipelines/er-ic50.sh" --no-report -o "$T/o" "$T/m/b.tsv"
    assert_failure 1
    assert_output --partial "conc=high: the value is not a concentration"
}

# a falling series (the mmfit fixture: an inhibitor, vehicle at 0) fitted
# with profile intervals and its curve, the data as a means stream
falling() {
    zn-mm-fit -q -m 4pl -x conc_uM -y response --ci profile --curve 50 --curve-output "$T/curve.znr" -u \
        -o "$T/fit.znr" "$FIX/mm_ic50.znr"
}

@test "zn-report: concentration-response section: the numbers of the fit record, Wald interval from SE and t(df), adequacy line" {
    command -v Rscript >/dev/null || skip "R is not installed (the t quantile)"
    falling
    zn-report -q --html "$T/r.html" "$T/fit.znr" "$T/curve.znr" > /dev/null
    grep -q 'id="doseresp"' "$T/r.html"
    grep -q '<figure id="fig-doseresp-1">' "$T/r.html"
    # the Wald columns: estimate +- qt(0.975, df) SE, from R
    zn-view --tsv -c ec50,ec50_se,df,ec50_lo,ec50_hi,lof_F,runs "$T/fit.znr" | tail -n 1 > "$T/f"
    read -r e se df lo hi lof runs < "$T/f"
    want=$(Rscript -e "cat(sprintf('%.4g %.4g', $e - qt(0.975, $df) * $se, $e + qt(0.975, $df) * $se))")
    got=$(grep -o '<tr><td>ec50</td>.*</tr>' "$T/r.html" | sed 's/<[^>]*>/ /g' | awk '{ print $4, $5 }')
    [ "$got" = "$want" ] || fail "Wald: report $got, R $want"
    # the profile limits as the record gives them, and in the figure's label
    prof=$(awk -v l="$lo" -v h="$hi" 'BEGIN { printf "%.4g %.4g", l, h }')
    got=$(grep -o '<tr><td>ec50</td>.*</tr>' "$T/r.html" | sed 's/<[^>]*>/ /g' | awk '{ print $6, $7 }')
    [ "$got" = "$prof" ] || fail "profile: report $got, record $prof"
    grep -q "ec50 $(awk -v e="$e" 'BEGIN { printf "%.3g", e }') \[$(awk -v l="$lo" 'BEGIN { printf "%.4g", l }'), " "$T/r.html"
    grep -q "Replicates test (lack of fit): F = $(awk -v f="$lof" 'BEGIN { printf "%.3g", f }'), " "$T/r.html"
    grep -q "Runs test: $runs runs" "$T/r.html"
    # the kinetics section no longer draws the 4pl on a linear axis
    xmllint --noout "$T/r.html"
    run grep -c 'fig-kinetics-' "$T/r.html"
    assert_output 0
}

@test "zn-report: concentration-response: log axis in decades, the controls left of the break, band and ec50 interval drawn" {
    falling
    zn-means -u --by conc_uM -c response -o "$T/m.znr" "$FIX/mm_ic50.znr"
    zn-report -q --html "$T/r.html" "$T/m.znr" "$T/fit.znr" "$T/curve.znr" > /dev/null
    fig=$(sed -n '/<figure id="fig-doseresp-1">/,/<\/figure>/p' "$T/r.html")
    # tick labels of a log axis: powers of ten
    echo "$fig" | grep -o 'class="tk">[^<]*</text>' | sed 's/.*">//; s/<.*//' > "$T/ticks"
    grep -qx '0 (control)' "$T/ticks"
    grep -Eqx '0\.01|0\.1' "$T/ticks"
    # the replicates: the means stream's records (one per concentration, the controls included)
    [ "$(zn-view --tsv "$T/m.znr" | tail -n +2 | wc -l)" -eq 8 ]
    grep -q '(open; 8, from the stream with conc_uM and response)' "$T/r.html"
    # the band at x = 0 on the controls' panel, the ec50's interval bar
    echo "$fig" | grep -q 'class="band0"'
    echo "$fig" | grep -q 'class="ec50ci"'
}

@test "zn-report: the concentration-response page in headless chromium: no console messages, the figure there" {
    command -v chromium >/dev/null || skip "chromium is not installed (tools/deps.sh installs it)"
    falling
    zn-report -q --html "$T/r.html" "$T/fit.znr" "$T/curve.znr" > /dev/null
    timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --window-size=1000,2000 \
        --dump-dom "file://$T/r.html" > "$T/dom.html" 2> "$T/console.txt"
    run grep -c 'CONSOLE' "$T/console.txt"
    assert_output 0
    grep -q '<figure id="fig-doseresp-1">' "$T/dom.html"
}

@test "zn-report: a concentration-response fit without estimates says why on the page, not an empty table and tests of no fit" {
    # a step between 0.1 and 0.3 uM (tests/mmfit-convergence.bats): ambiguous,
    # no estimates, ec50's profile interval in the reason
    { printf '##znr=1\n##schema=means\n#sample\tconc_uM\tmean_final\n'
      paste <(printf 'd%s\n' $(seq 1 21)) <(printf '%s\n' 0 0 0 0.01 0.01 0.01 0.03 0.03 0.03 0.1 0.1 0.1 0.3 0.3 0.3 1 1 1 3 3 3 ) <(printf '%s\n' 0.9233431114 0.8233392729 0.867421755 0.8787323606 1.007177032 1.100668532 0.9527011136 1.148736534 1.127853067 1.239608873 1.636982426 1.468212437 1.725875642 2.603209537 2.092672931 1.632582459 2.582719209 1.975504861 2.194261831 2.400522358 1.694324619 ); } > "$T/d.znr"
    zn-mm-fit -q -m 4pl -x conc_uM -y mean_final -w 1/y2 --ci profile -o "$T/f.znr" "$T/d.znr"
    run zn-report --html "$T/r.html" "$T/d.znr" "$T/f.znr"
    assert_success
    grep -q '<figure id="fig-doseresp-1">' "$T/r.html"
    grep -Eq '<p class="nofit">No estimates \(ambiguous\): hill ran off .*; ec50 between 0.0523 and 0.347 \(95 % profile interval\)\. No adequacy tests without a fit\.</p>' "$T/r.html"
    run grep -c 'Is the model adequate\|<table class="doseresp">' "$T/r.html"
    assert_output 0
    # only concentration-response fits: no kinetics section (its tables had
    # the parameters again with unit 1 and a note asking for an uptake
    # stream); the goodness of fit table moves under the curves
    run grep -c '<section id="kinetics">\|No uptake stream was given' "$T/r.html"
    assert_output 0
    grep -q '<section id="doseresp">' "$T/r.html"
    grep -q 'Goodness of fit' "$T/r.html"
}
