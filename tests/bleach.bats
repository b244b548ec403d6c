#!/usr/bin/env bats
# zn-bleach: one photobleaching rate per dish.  Exact recovery on hand-made
# noise-free traces, the rate and its SE against an independent numpy
# solution (tests/ref/bleach_ref.py), the generator's truth (noise-free
# realization of the bundled dishes), and every error.

load helper

# hand-made: 3 cells (+ a bg ROI) of sample d, k = 0.00731/s, a flat
# baseline 0-20 s at amplitude A, a response 30-50 s that is not
# exponential, a TPEN plateau 60-80 s at amplitude B (per cell); and a
# second sample e at k = 0.002 with two cells.  F = amplitude * exp(-k t).
handmade() {
    awk 'BEGIN { OFS = "\t"
        print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=min:60:80"
        print "#sample", "condition", "cell", "role", "frame", "t", "F"
        for (f = 0; f <= 40; f++) print "d", "c", "bg1", "bg", f, 2 * f, 30 + (f % 3)
        split("100 250 80", A, " "); split("60 140 55", B, " ")
        for (c = 1; c <= 3; c++) for (f = 0; f <= 40; f++) { t = 2 * f
            a = t <= 20 ? A[c] : t >= 60 ? B[c] : A[c] * (1 + 0.02 * (t - 20) * c)
            printf "d\tc\tr%d\tcell\t%d\t%d\t%.17g\n", c, f, t, a * exp(-0.00731 * t) }
        for (c = 1; c <= 2; c++) for (f = 0; f <= 40; f++) { t = 2 * f
            a = t <= 20 ? 500 * c : t >= 60 ? 300 * c : 900
            printf "e\tc\tr%d\tcell\t%d\t%d\t%.17g\n", c, f, t, a * exp(-0.002 * t) } }'
}

@test "bleach: hand-made noise-free traces give back k exactly, per sample; corrected windows are flat" {
    handmade > "$T/h.znr"
    zn-bleach -u "$T/h.znr" 2> "$T/err" | zn-view --tsv -c sample,cell,t,F,bleach_k_F,bleach_k_se_F,flag > "$T/out.tsv"
    # the rate of each sample, exactly (relative 1e-12); its SE is rounding
    # (sqrt of a difference of sums: ~ sqrt(eps) of k)
    run awk -F'\t' 'NR > 1 && $2 != "bg1" { k = $1 == "d" ? 0.00731 : 0.002
            if (($5 - k) / k > 1e-12 || (k - $5) / k > 1e-12 || $6 > 1e-8 * k || $7 != "") { print; bad = 1 } }
        END { exit bad }' "$T/out.tsv"
    assert_success
    # corrected: F * exp(k t) (t0 = 0) = the amplitude, in the windows and at every frame
    run awk -F'\t' 'NR > 1 && $1 == "d" && $2 == "r2" && ($3 <= 20 || $3 >= 60) {
            a = $3 <= 20 ? 250 : 140; if ((($4 - a) / a) ^ 2 > 1e-24) { print; bad = 1 } } END { exit bad }' "$T/out.tsv"
    assert_success
    # background ROIs pass untouched
    run awk -F'\t' 'NR > 1 && $2 == "bg1" && ($5 != "" || $4 != 30 + ($3 / 2) % 3) { print; bad = 1 } END { exit bad }' "$T/out.tsv"
    assert_success
    grep -q "sample 'd': F: k = 0.00731/s (SE .*), 44.3 % lost over 80 s; fitted over 6 windows of 3 cells, 0 left out" "$T/err"
    run bash -c "zn-bleach -u '$T/h.znr' 2>/dev/null | grep '^##bleach'"
    assert_output "##bleach=pooled:F;model=a*exp(-k*t),k per sample;windows=0:20,60:80;weight=shot;max_scatter=0.2;t0=first frame of the sample"
    # equal weights: the same k on exact data
    zn-bleach -u -q --weight equal "$T/h.znr" | zn-view --tsv -c sample,bleach_k_F | tail -n +2 | sort -u > "$T/k"
    run awk -F'\t' '$2 != "" { k = $1 == "d" ? 0.00731 : 0.002; if ((($2 - k) / k) ^ 2 > 1e-24) bad = 1 } END { exit bad || NR != 3 }' "$T/k"
    assert_success
}

@test "bleach: a concatenated stream: every segment gets its meta line, every sample its rate" {
    handmade > "$T/a.znr"
    handmade | sed 's/^d\t/f\t/; s/^e\t/g\t/' > "$T/b.znr"
    cat "$T/a.znr" "$T/b.znr" | zn-bleach -q -u > "$T/out.znr"
    [ "$(grep -c '^##bleach=pooled:F;' "$T/out.znr")" = 2 ]
    zn-view --tsv -c sample,cell,bleach_k_F "$T/out.znr" | awk -F'\t' 'NR > 1 && $2 != "bg1"' | cut -f1,3 | sort -u > "$T/k"
    run awk -F'\t' '{ k = ($1 == "d" || $1 == "f") ? 0.00731 : 0.002; if ((($2 - k) / k) ^ 2 > 1e-24) bad = 1 } END { exit bad || NR != 4 }' "$T/k"
    assert_success
}

@test "bleach: a window that is not flat biases k (the response phase), which is why only plateaus are named" {
    handmade > "$T/h.znr"
    run bash -c "zn-bleach -u -q -w baseline,min,30:50 '$T/h.znr' | zn-view --tsv -c sample,bleach_k_F | sed -n 2p"
    # the response rises by 2-6 %/s: the fit takes the rise as negative bleaching
    awk -v k="${output#*	}" 'BEGIN { exit !(k < 0) }'
}

@test "bleach: two channels (FRET donor, acceptor) each get their own rate; --channels picks one" {
    awk 'BEGIN { OFS = "\t"; print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=min:60:80"
        print "#sample", "condition", "cell", "role", "frame", "t", "F_CFP", "F_YFP"
        for (c = 1; c <= 2; c++) for (f = 0; f <= 40; f++) { t = 2 * f; a = t <= 20 ? 400 * c : 350 * c
            printf "d\tc\tr%d\tcell\t%d\t%d\t%.17g\t%.17g\n", c, f, t, a * exp(-0.0001 * t), 1.5 * a * exp(-0.0003 * t) } }' > "$T/f.znr"
    zn-bleach -u -q "$T/f.znr" | zn-view --tsv -c bleach_k_F_CFP,bleach_k_F_YFP | tail -n +2 | sort -u > "$T/k.tsv"
    run awk -F'\t' '{ ok = (($1 - 0.0001) / 0.0001) ^ 2 < 1e-24 && (($2 - 0.0003) / 0.0003) ^ 2 < 1e-24 } END { exit !ok || NR != 1 }' "$T/k.tsv"
    assert_success
    run bash -c "zn-bleach -u -q --channels F_YFP '$T/f.znr' | records | head -1"
    assert_output "#sample	condition	cell	role	frame	t	F_CFP	F_YFP	bleach_k_F_YFP	bleach_k_se_F_YFP	flag"
}

@test "bleach: a cell's window that scatters (a cell rounding up) is left out of the fit and named" {
    handmade | awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "d" && $3 == "r3" && $6 >= 60 && $5 % 2 { $7 = $7 * 0.5 } { print }' > "$T/h.znr"
    run bash -c "zn-bleach -u '$T/h.znr' 2>&1 >/dev/null | sed 's/SE [^)]*/SE x/'"
    assert_line --index 0 "zn-bleach: $T/h.znr: sample 'd': F: k = 0.00731/s (SE x), 44.3 % lost over 80 s; fitted over 5 windows of 3 cells, 1 left out (scatter > 0.2) (the first: cell 'r3' in min)"
}

@test "bleach: k and its SE agree with numpy (dummy-intercept weighted least squares) on the bundled dishes" {
    # expected: tests/ref/bleach_ref.py on dishes 1 and 4, written to
    # fixtures/expected/bleach_pooled_{shot,equal}.tsv (rerun it when
    # examples/ are regenerated); with numpy here, computed again live
    for d in 1 4; do
        zn-ingest -u --interval 2 --bg 1 --sample dish$d --window baseline=0:118 --window max=440:498 \
            "$ZN_TOP/examples/fluozin3/dish$d.csv" | zn-background -u
    done > "$T/d.znr"
    zn-view --tsv -c sample,cell,role,t,F "$T/d.znr" > "$T/in.tsv"
    live=0
    python3 -c 'import numpy' 2>/dev/null && live=1
    for wt in shot equal; do
        zn-bleach -u -q --weight $wt -w baseline,max,560:598 "$T/d.znr" > "$T/out.znr"
        { echo "sample	k	se"; zn-view --tsv -c sample,bleach_k_F,bleach_k_se_F "$T/out.znr" | tail -n +2 | sort -u; } > "$T/got"
        run same_table "$FIX/expected/bleach_pooled_$wt.tsv" "$T/got" 1e-9
        assert_success
        if [ $live = 1 ]; then
            python3 "$ZN_TOP/tests/ref/bleach_ref.py" "$T/in.tsv" F 0:118,440:498,560:598 $wt | cut -f1-3 > "$T/want"
            run same_table "$T/want" "$T/got" 1e-9
            assert_success
        fi
    done
    # every value: F' = F exp(k (t - 0)), t0 = 0 the first frame
    paste <(zn-view --tsv -c t,F "$T/d.znr") <(zn-view --tsv -c F,bleach_k_F "$T/out.znr") |
        awk -F'\t' 'NR > 1 { e = $2 * exp($4 * $1); if (((e - $3) / e) ^ 2 > 1e-26) { print; bad = 1 } } END { exit bad }'
}

@test "bleach: on the generator's noise-free dishes the pipeline's windows give each dish's rate and its resting [Zn]" {
    command -v python3 >/dev/null || skip "python3 is not installed (the example generator)"
    python3 "$ZN_TOP/tools/make-examples.py" --noise-free "$T/nf"
    "$ZN_TOP/pipelines/fluozin3.sh" --no-report -o "$T/out" "$T/nf/manifest.tsv" 2>/dev/null
    # the rate of each dish within 5 % of 1 / tau_bleach.  What is left is
    # the ionophore's approach (time constant 6 s from 400 s), still rising
    # by 0.1 % of Fmax at the start of the max window (440 s): about
    # -1.6e-6/s on every dish, 2.5-4 % of the gentle dishes' rates (measured).
    for d in 1 2 3 4; do zn-view --tsv -c sample,bleach_k_F "$T/out/dish$d.zn.znr.gz" | sed -n 2p; done > "$T/k"
    run awk -F'\t' 'NR == FNR { if (FNR > 1) tau[$1] = $5; next }
        { k = 1 / tau[$1]; if (($2 - k) / k > 0.05 || (k - $2) / k > 0.05) { print; bad = 1 }; n++ }
        END { exit bad || n != 4 }' "$T/nf/truth/fluozin3_cells.tsv" "$T/k"
    assert_success
    # resting [Zn] of every calibrated cell within 0.005 nM of the truth
    # (uncorrected: up to +0.5 nM in the fast dish, test below)
    zn-view --tsv -c sample,cell,baseline_mean "$T"/out/*.metrics.znr.gz > "$T/rest"
    run awk -F'\t' 'NR == FNR { if (FNR > 1) r[$1, $2] = $6; next }
        FNR > 1 && $3 != "" { n++; e = $3 - r[$1, $2]; if (e > 0.005 || e < -0.005) { print; bad = 1 } }
        END { exit bad || n != 115 }' "$T/nf/truth/fluozin3_cells.tsv" "$T/rest"
    assert_success
}

@test "bleach: errors and usage" {
    H='##znr=1\n##schema=trace\n##window=baseline:0:2\n#sample\tcondition\tcell\trole\tframe\tt\tF\n'
    R='d\tc\tr\tcell\t0\t0\t5\nd\tc\tr\tcell\t1\t1\t5\n'
    run bash -c "printf '$H$R' | zn-bleach 2>&1 >/dev/null"
    assert_equal "$status" 1
    assert_output "zn-bleach: (standard input): no window 'min' in the meta (##window=min:START:END); name the windows to fit with --window NAME or --window START:END"
    run bash -c "printf '$H$R' | zn-ratio -u | zn-bleach -w baseline 2>&1 >/dev/null"
    assert_equal "$status" 1
    assert_output "zn-bleach: (standard input): zn-ratio was already applied (##ratio=...): correct the channels before it, so that the ratio and F0/R0 come from corrected values (zn-background | zn-bleach | zn-ratio)"
    run bash -c "printf '$H$R' | zn-bleach -q -u -w baseline | zn-bleach -w baseline 2>&1 >/dev/null"
    assert_equal "$status" 1
    assert_line --index 0 --partial "zn-bleach: (standard input): photobleaching was already corrected (##bleach=pooled:F;"
    # zn-ratio's per-cell fit refuses to correct a second time
    run bash -c "printf '$H$R' | zn-bleach -q -u -w baseline | zn-ratio --bleach exp 2>&1 >/dev/null"
    assert_equal "$status" 1
    assert_line --index 0 --partial "zn-ratio: (standard input): photobleaching was already corrected (##bleach=pooled:F;"
    run bash -c "printf '$H$R' | zn-bleach -u -w 0:0.5 2>&1 >/dev/null"
    assert_success
    assert_output "zn-bleach: (standard input): sample 'd': no bleaching rate for F (no cell with two values at different times in the windows: fewer than 2 values); left uncorrected, flagged bleach_fit_failed"
    run bash -c "printf '$H$R' | zn-bleach -q -u -w 0:0.5 | zn-view --tsv -c F,bleach_k_F,flag | sed -n 2p"
    assert_output "5		bleach_fit_failed"
    run bash -c "printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tG\nd\tc\tr\tcell\t0\t0\t5\n' | zn-bleach -w 0:1 2>&1"
    assert_equal "$status" 1
    assert_output "zn-bleach: (standard input): no fluorescence channel (F or F_*) to correct; name one with --channels"
    for a in "--weight x" "-w 5:x" "--max-scatter 0" "--channels F,F"; do
        run bash -c "printf '$H$R' | zn-bleach $a 2>&1"
        assert_equal "$status" 2
    done
    run bash -c "zn-bleach --weight x /dev/null 2>&1"
    assert_line --index 0 'zn-bleach: --weight: "x" is not a weighting (shot, equal)'
    run bash -c "zn-bleach -w 5:x /dev/null 2>&1"
    assert_line --index 0 'zn-bleach: --window: "5:x" is not START:END in seconds (e.g. 0:60)'
}

# hand-made FRET sensor (zn-bleach --fret): per cell N sensors, FRET
# efficiency E by phase (baseline 0-20 s, a response 30-50 s that changes E,
# TPEN 60-80 s at a low E, ionophore 90-110 s at a high E), donors and
# acceptors bleaching at kD = 0.004/s and kA = 0.0015/s, detection factor
# G = 2.5:  D = N pd (1 - E pa),  A = N pd G E pa  (pd, pa intact fractions)
fret_handmade() {
    awk -v G="${1:-2.5}" 'BEGIN { OFS = "\t"
        print "##znr=1"; print "##schema=trace"; print "##window=baseline:0:20"; print "##window=min:60:80"; print "##window=max:90:110"
        print "#sample", "condition", "cell", "role", "frame", "t", "F_CFP", "F_YFP"
        for (f = 0; f <= 55; f++) print "d", "c", "bg1", "bg", f, 2 * f, 0, 0
        split("500 800 650", N, " "); split("0.38 0.42 0.40", E1, " "); split("0.35 0.36 0.34", E0, " "); split("0.52 0.55 0.50", EM, " ")
        for (c = 1; c <= 3; c++) for (f = 0; f <= 55; f++) { t = 2 * f
            e = t <= 20 ? E1[c] : t < 60 ? E1[c] + 0.002 * (t - 20) : t <= 80 ? E0[c] : t < 90 ? 0.45 : EM[c]
            pd = exp(-0.004 * t); pa = exp(-0.0015 * t)
            printf "d\tc\tr%d\tcell\t%d\t%d\t%.17g\t%.17g\n", c, f, t, N[c] * pd * (1 - e * pa), N[c] * pd * G * e * pa } }'
}

@test "bleach --fret: hand-made noise-free sensor: G, the donor's and the acceptor's rates exactly; the corrected ratio is the unbleached one" {
    fret_handmade > "$T/f.znr"
    zn-bleach -u --fret F_CFP,F_YFP -w baseline,min,max "$T/f.znr" 2> "$T/err" |
        zn-view --tsv -c cell,t,F_CFP,F_YFP,fret_g,bleach_k_F_CFP,bleach_k_F_YFP,flag > "$T/out.tsv"
    grep -q "sample 'd': FRET F_CFP,F_YFP: G = 2.5 (SE .*, fitted); donor k = 0.004/s (SE .*), acceptor k = 0.0015/s (SE .*), 15.2 % of the acceptors lost over 110 s; fitted over 9 windows of 3 cells, 0 left out" "$T/err" || fail "$(cat "$T/err")"
    # G to 1e-7 (a golden section on log G), the rates and every corrected
    # value to 1e-6: D' = N (1 - E), A' = N G E, the sensor without bleaching
    run awk -F'\t' 'NR > 1 && $1 != "bg1" { split("500 800 650", N, " "); split("0.38 0.42 0.40", E1, " "); split("0.35 0.36 0.34", E0, " "); split("0.52 0.55 0.50", EM, " ")
            c = substr($1, 2); t = $2
            e = t <= 20 ? E1[c] : t < 60 ? E1[c] + 0.002 * (t - 20) : t <= 80 ? E0[c] : t < 90 ? 0.45 : EM[c]
            d = N[c] * (1 - e); a = N[c] * 2.5 * e
            if ((($5 - 2.5) / 2.5) ^ 2 > 1e-14 || (($6 - 0.004) / 0.004) ^ 2 > 1e-12 || (($7 - 0.0015) / 0.0015) ^ 2 > 1e-12 ||
                (($3 - d) / d) ^ 2 > 1e-12 || (($4 - a) / a) ^ 2 > 1e-12 || $8 != "") { print; bad = 1 } }
        END { exit bad }' "$T/out.tsv"
    assert_success
    # G given: the same
    zn-bleach -u -q --fret F_CFP,F_YFP --gfactor 2.5 -w baseline,min,max "$T/f.znr" | zn-view --tsv -c role,fret_g,fret_g_se,bleach_k_F_YFP | awk -F'\t' '$1 == "cell"' | cut -f2- | sort -u > "$T/g"
    run awk -F'\t' '{ if ($1 != 2.5 || $2 != "" || (($3 - 0.0015) / 0.0015) ^ 2 > 1e-20) bad = 1; n++ } END { exit bad || n != 1 }' "$T/g"
    assert_success
    run bash -c "zn-bleach -u -q --fret F_CFP,F_YFP --gfactor 2.5 -w baseline,min,max '$T/f.znr' | grep '^##bleach='"
    assert_output "##bleach=fret:donor=F_CFP,acceptor=F_YFP;model=T=D+A/G~exp(-kD*t),E=A/(A+G*D)~exp(-kA*t),k per sample;g=2.5;windows=0:20,60:80,90:110;weight=shot;max_scatter=0.2;t0=first frame of the sample"
}

@test "bleach --fret: one rate per channel cannot correct the ratio in two FRET states (why --fret exists)" {
    # the ratio A/D = G E pa / (1 - E pa) drifts at kA / (1 - E pa): faster at
    # the high E of the ionophore window than at the TPEN window's low E.
    # Corrected per channel, the ratio's rate in the max window is left at
    # about kA (1/(1 - E) - <1/(1 - E)>) = 1e-4/s here; with --fret it is 0.
    fret_handmade > "$T/f.znr"
    slope() { zn-ratio -u --num F_YFP --den F_CFP | zn-view --tsv -c cell,t,R | awk -F'\t' '$1 == "r2" && $2 >= 90 && $2 <= 110 {
        n++; x += $2; y += log($3); xx += $2 * $2; xy += $2 * log($3) } END { printf "%.3g\n", (n * xy - x * y) / (n * xx - x * x) }'; }
    export -f slope
    run bash -c "zn-bleach -u -q -w baseline,min,max '$T/f.znr' | slope"
    awk -v s="$output" 'BEGIN { exit !(s > 5e-5 || s < -5e-5) }' || fail "per channel: the ratio's slope $output"
    run bash -c "zn-bleach -u -q --fret F_CFP,F_YFP -w baseline,min,max '$T/f.znr' | slope"
    awk -v s="$output" 'BEGIN { exit !(s < 1e-9 && s > -1e-9) }' || fail "--fret: the ratio's slope $output"
}

@test "bleach --fret: G, kD, kA and their SEs agree with numpy/scipy on the bundled ER dishes (one with a window left out)" {
    /usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null || skip "python3-numpy/scipy are not installed"
    for d in ctrl1 nvs2; do
        zn-ingest -u --interval 10 --sample $d --condition c --window baseline=0:170 \
            --channel CFP "$ZN_TOP/examples/er-fret/${d}_CFP.csv" --channel YFP "$ZN_TOP/examples/er-fret/${d}_YFP.csv" | zn-background -u
    done > "$T/d.znr"
    zn-view --tsv -c sample,cell,role,t,F_CFP,F_YFP "$T/d.znr" > "$T/in.tsv"
    for wt in shot equal; do
        /usr/bin/python3 "$ZN_TOP/tests/ref/fret_ref.py" "$T/in.tsv" F_CFP F_YFP 0:170,1120:1190,1350:1490 $wt > "$T/want"
        zn-bleach -u -q --weight $wt --fret F_CFP,F_YFP -w baseline,1120:1190,1350:1490 "$T/d.znr" |
            zn-view --tsv -c sample,fret_g,bleach_k_F_CFP,bleach_k_se_F_CFP,bleach_k_F_YFP,bleach_k_se_F_YFP | tail -n +2 | sort -u > "$T/got"
        # 1e-6: both find the minimum over G to about 1e-8 (the RSS is flat there)
        run awk -F'\t' 'NR == FNR { for (i = 2; i <= 6; i++) w[$1, i] = $i; next }
            { n++; for (i = 2; i <= 6; i++) { d = ($i - w[$1, i]) / w[$1, i]; if (d * d > 1e-12) { print $1, i, $i, w[$1, i]; bad = 1 } } }
            END { exit bad || n != 2 }' "$T/want" "$T/got"
        assert_success
    done
}

@test "bleach --fret: on the generator's noise-free ER dishes Rmin, Rmax and every cell's resting [Zn] come out right; vehicle dishes stay flat" {
    command -v python3 >/dev/null || skip "python3 is not installed (the example generator)"
    python3 "$ZN_TOP/tools/make-examples.py" --noise-free "$T/nf"
    "$ZN_TOP/pipelines/er-fret-zip7.sh" --no-report -o "$T/out" "$T/nf/manifest.tsv" 2>/dev/null
    # G fitted per dish: the generator's 3
    for f in "$T"/out/*.zn.znr.gz; do zn-view --tsv -c fret_g "$f" | sed -n 2p; done > "$T/g"
    run awk '{ if (($1 - 3) ^ 2 > 1e-10) bad = 1 } END { exit bad || NR != 6 }' "$T/g"
    assert_success
    # With one rate per channel: Rmax 1.6 % low, rest +1.4 % (up to 6.8 %),
    # the final window +2.9 %, vehicle dishes drifting.  What is left with
    # --fret is the calibration windows' transitions (TPEN and ionophore
    # approached with time constants 20 and 25 s; at 1120 and 1350 s 0.25 %
    # of the step remains): Rmin, Rmax within 0.5 % per cell (measured
    # -0.1 %, -0.23 % on average), rest within 2 % (measured +1.0 %, at most
    # 1.2 %), and a vehicle cell's final - rest within 1.5 % of its rest
    # (measured -0.7 %).
    zn-view --tsv -c sample,cell,baseline_mean,mean_final "$T"/out/*.metrics.znr.gz > "$T/m"
    for f in "$T"/out/*.zn.znr.gz; do zn-view --tsv -c sample,cell,Rmin,Rmax "$f" | tail -n +2 | sort -u; done > "$T/cal"
    run awk -F'\t' 'FILENAME ~ /truth/ { if (FNR > 1) { k = $1 SUBSEP $3; lo[k] = $4; hi[k] = $5; r[k] = $6; f[k] = $7 }; next }
        FILENAME ~ /cal$/ { k = $1 SUBSEP $2; if ($3 == "") next; nc++
            if ((($3 - lo[k]) / lo[k]) ^ 2 > 0.005 ^ 2 || (($4 - hi[k]) / hi[k]) ^ 2 > 0.005 ^ 2) { print "cal", $0; bad = 1 }; next }
        FNR > 1 && $3 != "" { k = $1 SUBSEP $2; n++; e = ($3 - r[k]) / r[k]; if (e * e > 0.02 ^ 2) { print "rest", $0, r[k]; bad = 1 }
            if ($1 ~ /^ctrl/ && (($4 - $3) / r[k]) ^ 2 > 0.015 ^ 2) { print "drift", $0; bad = 1 } }
        END { exit bad || n != 71 || nc != 71 }' "$T/nf/truth/er_cells.tsv" "$T/cal" "$T/m"
    assert_success
}

@test "bleach --fret: windows of one FRET state cannot give G; errors and usage" {
    fret_handmade > "$T/f.znr"
    run bash -c "zn-bleach -u --fret F_CFP,F_YFP -w baseline '$T/f.znr' 2>&1 >/dev/null"
    assert_success
    assert_line --index 0 "zn-bleach: $T/f.znr: sample 'd': G cannot be fitted: no cell has two windows to fit G from; give windows of two FRET states (e.g. the Rmin and Rmax plateaus) or --gfactor G"
    assert_line --index 1 "zn-bleach: $T/f.znr: sample 'd': no FRET bleaching correction: no G; left uncorrected, flagged bleach_fit_failed"
    # two windows of nearly one state: the baseline and 22-24 s of the
    # response (E up by 0.004-0.008, A/D bleached down meanwhile: the windows'
    # mean A/D differ by 0.63, 0.93, 0.78 % in awk)
    run bash -c "zn-bleach -u --fret F_CFP,F_YFP -w baseline,22:24 '$T/f.znr' 2>&1 >/dev/null"
    assert_line --index 0 --partial "G cannot be fitted: the windows hold one FRET state (a cell's windows differ in A/D by 0.78 % (median), less than 10 %)"
    run bash -c "zn-bleach -u -q --fret F_CFP,F_YFP -w baseline '$T/f.znr' | zn-view --tsv -c cell,t,F_CFP,fret_g,flag | awk -F'\t' '\$1 == \"r1\" && \$2 == 0'"
    assert_output "r1	0	310		bleach_fit_failed"
    # a frame that cannot be corrected (a channel missing) loses both, flagged
    fret_handmade | awk -F'\t' 'BEGIN { OFS = "\t" } $3 == "r1" && $5 == 12 { $8 = "" } { print }' > "$T/m.znr"
    run bash -c "zn-bleach -u -q --fret F_CFP,F_YFP -w baseline,min,max '$T/m.znr' | zn-view --tsv -c cell,frame,F_CFP,F_YFP,flag | awk -F'\t' '\$1 == \"r1\" && \$2 == 12'"
    assert_output "r1	12			fret_uncorrectable"
    for a in "--fret F_CFP" "--fret F_CFP,F_CFP" "--fret ,F_YFP" "--fret F_CFP,F_YFP,F" "--fret F_CFP,F_YFP --channels F_CFP" "--gfactor 2" "--fret F_CFP,F_YFP --gfactor 0" "--fret F_CFP,F_YFP --gfactor x"; do
        run bash -c "zn-bleach $a /dev/null 2>&1"
        assert_equal "$status" 2
    done
    run bash -c "zn-bleach --fret F_CFP /dev/null 2>&1"
    assert_line --index 0 'zn-bleach: --fret: "F_CFP" is not DONOR,ACCEPTOR (two column names, e.g. F_CFP,F_YFP)'
    run bash -c "zn-bleach --gfactor 2 /dev/null 2>&1"
    assert_line --index 0 'zn-bleach: --gfactor is the G of --fret: give --fret DONOR,ACCEPTOR'
    run bash -c "zn-bleach -u --fret F_CFP,F_X -w baseline '$T/f.znr' 2>&1"
    assert_equal "$status" 1
}

@test "background --smooth: a straight-line background comes through unchanged; the local line agrees with numpy.polyfit" {
    # a background that is a line in t (plus a constant ROI offset) is its
    # own local line: the smoothed subtraction equals the plain one
    awk 'BEGIN { OFS = "\t"; print "##znr=1"; print "##schema=trace"; print "#sample", "condition", "cell", "role", "frame", "t", "F"
        for (b = 1; b <= 2; b++) for (f = 0; f < 40; f++) print "d", "c", "bg" b, "bg", f, 3 * f, 20 + 0.25 * 3 * f + (b == 2 ? 4 : 0)
        for (f = 0; f < 40; f++) print "d", "c", "r1", "cell", f, 3 * f, 100 + f }' > "$T/l.znr"
    zn-background -u "$T/l.znr" | zn-view --tsv -c F,bg_F > "$T/plain"
    zn-background -u --smooth 30 "$T/l.znr" | zn-view --tsv -c F,bg_F > "$T/smooth"
    run same_table "$T/plain" "$T/smooth" 1e-12
    assert_success
    run bash -c "zn-background -u --smooth 30 '$T/l.znr' | grep '^##background='"
    assert_output "##background=roi-mean:F;smooth=local-line:30s"
    /usr/bin/python3 -c 'import numpy' 2>/dev/null || skip "python3-numpy is not installed"
    # the bundled dish1 (a noisy background ROI) and dish4, spans that shift at both ends
    for d in 1 4; do zn-ingest -u --interval 2 --bg 1 --sample dish$d "$ZN_TOP/examples/fluozin3/dish$d.csv"; done > "$T/d.znr"
    zn-view --tsv -c sample,role,frame,t,F "$T/d.znr" > "$T/in.tsv"
    for S in 240 50 5000; do
        { echo "sample	frame	bg"; /usr/bin/python3 "$ZN_TOP/tests/ref/bgsmooth_ref.py" "$T/in.tsv" F $S; } > "$T/want"
        { echo "sample	frame	bg"; zn-background -u --smooth $S "$T/d.znr" | zn-view --tsv -c sample,cell,frame,bg_F | awk -F'\t' '$2 == "2"' | cut -f1,3,4; } > "$T/got"
        run same_table "$T/want" "$T/got" 1e-9
        assert_success
        [ "$(wc -l < "$T/got")" = 601 ]
    done
    # and the cells get F - the smoothed background
    paste <(zn-view --tsv -c F "$T/d.znr" | awk 'NR == 1 || NR > 1') <(zn-background -u --keep-bg --smooth 240 "$T/d.znr" | zn-view --tsv -c F,bg_F) |
        awk -F'\t' 'NR > 1 && $2 != "" { d = $1 - $3 - $2; if (d * d > 1e-18) { print; bad = 1 } } END { exit bad }'
}

@test "background --smooth: the FluoZin-3 dishes' bleaching rates within their error of the truth (the background's noise no longer in every cell)" {
    # The background ROI's noise (sd 1 on ~30) was subtracted from every cell
    # of a frame, so it did not average out over the cells: dish1's rate came
    # out 0.49 +- 2.20e-5/s against a true 6.67 (2.8 SE), the rates' RMS error
    # 3.40e-5/s.  With the pipeline's FZ_BG_SMOOTH (240 s) every dish is within
    # 1.3 SE (RMS 2.29e-5; NOTES.md, bleach2).
    "$ZN_TOP/pipelines/fluozin3.sh" --no-report -o "$T/out" "$ZN_TOP/examples/manifest.tsv" 2>/dev/null
    for d in 1 2 3 4; do zn-view --tsv -c sample,bleach_k_F,bleach_k_se_F "$T/out/dish$d.zn.znr.gz" | sed -n 2p; done > "$T/k"
    run awk -F'\t' 'NR == FNR { if (FNR > 1) tau[$1] = $5; next }
        { k = 1 / tau[$1]; z = ($2 - k) / $3; if (z > 1.5 || z < -1.5) { print $0, z; bad = 1 }; n++ }
        END { exit bad || n != 4 }' "$ZN_TOP/examples/truth/fluozin3_cells.tsv" "$T/k"
    assert_success
}

@test "background --smooth: usage" {
    for a in "--smooth 0" "--smooth -5" "--smooth x" "--smooth 60 --value 5" "--smooth 60 --control construct=vector"; do
        run bash -c "zn-background $a /dev/null 2>&1"
        assert_equal "$status" 2
    done
    run bash -c "zn-background --smooth 60 --value 5 /dev/null 2>&1"
    assert_line --index 0 "zn-background: --smooth smooths the background ROIs over time: --value subtracts constants"
}
