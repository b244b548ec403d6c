#!/usr/bin/env bats
# zn-uptake-rate: counter exports to pmol and pmol/mg/min.  Expected values
# come from tests/ref/uptake_ref.py (Python's csv module reads the instrument
# files back, numpy/scipy do the arithmetic), from Gen5's own standard-curve
# results in the shared sample, and from hand calculation.

load helper

# the Tri-Carb run (standards per concentration) and its BCA plate
tricarb() {
    zn-ingest "$FIX/uptake_tricarb.csv" --layout "$FIX/uptake_tricarb_layout.csv" -o "$T/counts.znr.gz"
    zn-ingest "$FIX/uptake_bca.csv" --layout "$FIX/uptake_bca_layout.csv" -o "$T/bca.znr.gz"
}
hidex() {
    zn-ingest "$FIX/uptake_hidex.csv" --layout "$FIX/uptake_hidex_layout.csv" -o "$T/hidex.znr.gz"
}
# a minimal counts stream: rows "well cpm time_min protein_mg role"
counts() {
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\tprotein_mg\trole\n'
    printf '%s\t%s\t%s\t%s\t%s\n' "$@"
}

@test "Hidex DPM, SA in uCi/umol, 65Zn decay to each vial's counting time: scipy reference" {
    hidex
    zn-uptake-rate -u --dpm --specific-activity 200uCi/umol --isotope Zn-65 --reference-date 2025-10-01 \
        "$T/hidex.znr.gz" > "$T/out.znr"
    awk -F'\t' '/^#/ || $12 == "sample"' "$T/out.znr" | zn-view --tsv -c well,construct,conc_uM,blank,sa,pmol,pmol_mg,rate > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_hidex.tsv" "$T/got.tsv" 1e-12
    assert_success
    run grep -c '^##uptake=signal:dpm:blank=28.2(n=2):sa=444dpm/pmol:decay=Zn-65:half_life_d=243.93(NNDC/ChemLin):reference=2025-10-01' "$T/out.znr"
    assert_output 1
    zn-view --check "$T/out.znr"
}

@test "decay: SA at the reference day is unchanged; one half-life halves it; 30 days of 65Zn is 8.2%" {
    counts A1 1000 5 0.1 sample > "$T/c.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 100 --half-life 10 --reference-date 2025-01-01 --count-date 2025-01-01 $T/c.znr | zn-view --tsv -c sa,pmol,rate"
    assert_line --index 1 "$(printf '100\t10\t20')"
    run bash -c "zn-uptake-rate -u --specific-activity 100 --half-life 10 --reference-date 2025-01-01 --count-date 2025-01-11 $T/c.znr | zn-view --tsv -c sa,pmol"
    assert_line --index 1 "$(printf '50\t20')"
    # half a day later with a half-life of 12 h; the offset form of ISO 8601 (UTC 2025-01-01T12:00)
    run bash -c "zn-uptake-rate -u --specific-activity 100 --half-life 12h --reference-date 2025-01-01T00:00Z --count-date 2025-01-01T13:00+01:00 $T/c.znr | zn-view --tsv -c sa"
    assert_line --index 1 "50"
    # 30 days of Zn-65: 2^(-30/243.93) = 0.918237... (SCIENCE.md: 8.2%)
    run bash -c "zn-uptake-rate -u --specific-activity 100 --isotope 65Zn --reference-date 2025-01-01 --count-date 2025-01-31 $T/c.znr | zn-view --tsv -c sa"
    awk -v s="${lines[1]}" 'BEGIN { e = 100 * 2 ^ (-30 / 243.93); d = s - e; exit !(d < 1e-12 && d > -1e-12 && s > 91.82 && s < 91.83) }'
    # Cd-109: 461.4 days halve it
    run bash -c "zn-uptake-rate -u --specific-activity 100 --isotope cd109 --reference-date 2024-01-01 --count-date 2025-04-06T09:36 $T/c.znr | zn-view --tsv -c sa"
    awk -v s="${lines[1]}" 'BEGIN { d = s - 50; exit !(d < 1e-9 && d > -1e-9) }'
}

@test "specific activity units and DPM: Bq, Ci, efficiency; by hand" {
    counts A1 1200 2 0.05 sample > "$T/c.znr"
    # 1200 CPM / 0.8 = 1500 DPM; 25 Bq/pmol = 1500 dpm/pmol -> 1 pmol -> 1/(0.05*2) = 10 pmol/mg/min
    run bash -c "zn-uptake-rate -u --efficiency 0.8 --specific-activity 25Bq/pmol $T/c.znr | zn-view --tsv -c sa,pmol,rate"
    assert_line --index 1 "$(printf '1500\t1\t10')"
    # 1 mCi/mmol = 2.22e9 dpm / 1e9 pmol = 2.22 dpm/pmol; 1500/2.22 pmol
    run bash -c "zn-uptake-rate -u --efficiency 0.8 --specific-activity '1 mCi/mmol' $T/c.znr | zn-view --tsv -c sa,pmol"
    assert_line --index 1 "$(printf '2.22\t675.675675675676')"
    # 1 Ci/mmol = 2220 dpm/pmol; kBq/nmol = 60 dpm/pmol
    run bash -c "zn-uptake-rate -u --efficiency 0.8 --specific-activity 1Ci/mmol $T/c.znr | zn-view --tsv -c sa"
    assert_line --index 1 2220
    run bash -c "zn-uptake-rate -u --efficiency 0.8 --specific-activity 1kBq/nmol $T/c.znr | zn-view --tsv -c sa"
    assert_line --index 1 60
}

@test "standards per concentration, blanks, BCA quadratic curve on a CLARIOstar plate: numpy reference" {
    tricarb
    zn-uptake-rate -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 --protein-curve quadratic \
        "$T/counts.znr.gz" > "$T/out.znr" 2> "$T/err"
    awk -F'\t' '/^#/ || $11 == "sample"' "$T/out.znr" | zn-view --tsv -c well,construct,conc_uM,sa,pmol,protein_mg,pmol_mg,rate,flag > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_tricarb_quadratic.tsv" "$T/got.tsv" 1e-12
    assert_success
    # the curve in the meta (printed to 10 digits) against numpy.polyfit
    read -r c0 c1 c2 r2 < "$FIX/expected/uptake_tricarb_quadratic.curve"
    m=$(grep '^##protein=' "$T/out.znr")
    for kv in "c0=$c0" "c1=$c1" "c2=$c2"; do
        k=${kv%%=*}; want=${kv#*=}
        got=$(printf '%s\n' "$m" | tr ':' '\n' | sed -n "s/^$k=//p")
        awk -v a="$got" -v b="$want" 'BEGIN { d = (a - b) / b; exit !(d < 1e-9 && d > -1e-9) }' || fail "$k: $got vs $want"
    done
    [[ $m == *":n=18:levels=9:range=0-2000:unit=ug/mL:"* ]]
    # the well above the top standard is named, flagged, and has no rate
    grep -q "well B7: absorbance 1.952 is outside the standards (0 to 2000 ug/mL)" "$T/err"
    grep -q "1 sample without protein (outside the standards' range, or no reading): no rate" "$T/err"
    zn-view --check "$T/out.znr"
}

@test "the same run with a linear standard curve, and the warning that it bends" {
    tricarb
    zn-uptake-rate -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 "$T/counts.znr.gz" > "$T/out.znr" 2> "$T/err"
    awk -F'\t' '/^#/ || $11 == "sample"' "$T/out.znr" | zn-view --tsv -c well,construct,conc_uM,sa,pmol,protein_mg,pmol_mg,rate,flag > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_tricarb_linear.tsv" "$T/got.tsv" 1e-12
    assert_success
    grep -q "consider --protein-curve quadratic" "$T/err"
}

@test "--extrapolate keeps the protein outside the standards, flagged" {
    tricarb
    run bash -c "zn-uptake-rate -q -u --sa-by conc_uM --protein $T/bca.znr.gz --lysate-volume 250 --protein-curve quadratic --extrapolate $T/counts.znr.gz | zn-view --tsv -c well,protein_mg,rate,flag | grep '^B7'"
    assert_success
    [[ $output == *protein_extrapolated ]]
    pm=$(printf '%s\n' "$output" | cut -f2)
    # true lysate 2400 ug/mL x 250 uL = 0.6 mg; the extrapolated curve gets close
    awk -v p="$pm" 'BEGIN { exit !(p > 0.55 && p < 0.65) }'
}

@test "the chain: uptake rate | empty vector subtracted | Michaelis-Menten: scipy reference" {
    tricarb
    zn-uptake-rate -q -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 --protein-curve quadratic \
        "$T/counts.znr.gz" > "$T/rates.znr"
    # standards and blanks (16 + 2) pass through zn-background untouched
    zn-background -u --control construct=vector "$T/rates.znr" > "$T/sub.znr"
    run bash -c "awk -F'\t' '\$11 == \"standard\" || \$11 == \"blank\"' $T/sub.znr | wc -l"
    assert_output 18
    zn-mm-fit -q -u --by construct "$T/sub.znr" | zn-view --tsv -c Vmax,Vmax_se,Km,Km_se > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_chain_mm.tsv" "$T/got.tsv" 1e-7
    assert_success
}

@test "the chain with specific means: the SE carries the vector's scatter; the fit of the means: numpy/scipy reference" {
    tricarb
    zn-uptake-rate -q -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 --protein-curve quadratic \
        "$T/counts.znr.gz" > "$T/rates.znr"
    # one record per construct and concentration (hZIP4 at 5 uM has one well without protein: n 2),
    # standards and blanks (16 + 2) pass through
    zn-background -u --control construct=vector --means "$T/rates.znr" > "$T/means.znr"
    run bash -c "awk -F'\t' '\$11 == \"standard\" || \$11 == \"blank\"' $T/means.znr | wc -l"
    assert_output 18
    zn-view --tsv -c construct,conc_uM,rate,rate_se,rate_se_df,rate_sd_eq,rate_n_eq,rate_total_mean,rate_total_sd,rate_total_n,rate_ctrl_mean,rate_ctrl_sd,rate_ctrl_n \
        "$T/means.znr" | awk -F'\t' 'NR == 1 || $1 == "hZIP4"' | cut -f2- > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_chain_means.tsv" "$T/got.tsv" 1e-12
    assert_success
    # the fields the wells do not share are empty, those they share kept
    run bash -c "zn-view --tsv -c construct,well,cpm,time_min,role '$T/means.znr' | awk -F'\t' '\$1 == \"hZIP4\"' | sort -u"
    assert_output "$(printf 'hZIP4\t\t\t4\tsample')"
    grep -q '^##background=control:construct=vector:rate:match=conc_uM,time_min:means:weight=1/y2$' "$T/means.znr"
    # zn-mm-fit's means (SD, n) with weights 1/SD^2 are the fit of the means by 1/SE^2 with the
    # wells' pooled scatter in the residual variance: df 37 = 47 wells - 8 vector levels - 2
    zn-mm-fit -q -u --by construct --weight sd --sd rate_sd_eq --n rate_n_eq "$T/means.znr" |
        zn-view --tsv -c df,Vmax,Vmax_se,Vmax_lo,Vmax_hi,Km,Km_se,Km_lo,Km_hi > "$T/fit.tsv"
    run same_table "$FIX/expected/uptake_chain_means_mm.tsv" "$T/fit.tsv" 1e-7
    assert_success
    # the report: n and SD of hZIP4's own wells, mean, and the SE with the vector's error; the
    # figure's whisker is that SE and its caption says so
    zn-mm-fit -q -u --by construct --weight sd --sd rate_sd_eq --n rate_n_eq -o "$T/fit.znr" "$T/means.znr"
    zn-report --format tsv --table uptake "$T/fit.znr" "$T/means.znr" | awk -F'\t' 'BEGIN { OFS = "\t" } { print $2, $5, $11, $4, $6 }' > "$T/rep.tsv"
    awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { print "x", "mean", "se", "n", "sd"; next } { print $1, $2, $3, $9, $8 }' \
        "$FIX/expected/uptake_chain_means.tsv" > "$T/rep_exp.tsv"
    run same_table "$T/rep_exp.tsv" "$T/rep.tsv" 1e-12
    assert_success
    zn-report -q --html "$T/r.html" "$T/fit.znr" "$T/means.znr" > /dev/null
    grep -q "the mean per concentration less the control's (filled) and its standard error (whisker; the scatter of the subtracted control included)" "$T/r.html"
    # wells less the control's mean (no --means): the page says what the SD whisker leaves out
    zn-background -u --control construct=vector -o "$T/wells.znr" "$T/rates.znr"
    zn-mm-fit -q -u --by construct --weight 1/y2 -o "$T/wfit.znr" "$T/wells.znr"
    zn-report -q --html "$T/w.html" "$T/wfit.znr" "$T/wells.znr" > /dev/null
    grep -q "the SD of the replicates alone: the error of the subtracted control mean is not in it" "$T/w.html"
}

@test "specific means by hand: SE from the pooled scatter under --weight none, 1/y, 1/y2; flags; errors" {
    # A at 1 uM: 10, 12, 14 (mean 12, SS 8); vector: 1, 3 (mean 2, SS 2); df 2 + 1 = 3
    #   none: s2 = 10/3,                SE^2 = s2 (1/3 + 1/2)    = 25/9: SE 5/3
    #   1/y:  s2 = (8/12 + 2/2)/3 = 5/9, SE^2 = s2 (12/3 + 2/2)  = 25/9: SE 5/3
    #   1/y2: s2 = (8/144 + 2/4)/3 = 5/27, SE^2 = s2 (144/3 + 4/2) = 250/27
    # n_eq = 3 + 2 - 1 = 4, sd_eq = 2 SE
    printf '##znr=1\n##schema=uptake\n#construct\tconc_uM\ttime_min\trate\tflag\nA\t1\t5\t10\t\nvector\t1\t5\t1\tlow_counts\nA\t1\t5\t12\t\nA\t1\t5\t14\tx;y\nvector\t1\t5\t3\t\n' > "$T/in.znr"
    for w in none 1/y 1/y2; do
        zn-background -u --control construct=vector --means --weight "$w" "$T/in.znr" |
            zn-view --tsv -c construct,rate,rate_se,rate_se_df,rate_sd_eq,rate_n_eq,rate_total_n,rate_ctrl_n,flag | tail -n 1
    done > "$T/got"
    run awk -F'\t' 'BEGIN { se[1] = 5 / 3; se[2] = 5 / 3; se[3] = sqrt(250 / 27) }
        { d = $3 - se[NR]; bad += $1 != "A" || $2 != 10 || d * d > 1e-26 || $4 != 3 || ($5 - 2 * se[NR]) ^ 2 > 1e-26 ||
          $6 != 4 || $7 != 3 || $8 != 2 || $9 != "low_counts;x;y" }
        END { exit bad || NR != 3 }' "$T/got"
    assert_success
    # 1/y2 is the default
    zn-background -u --control construct=vector --means "$T/in.znr" | zn-view --tsv -c rate_se | tail -n 1 > "$T/def"
    [ "$(cat "$T/def")" = "$(awk -F'\t' 'NR == 3 { print $3 }' "$T/got")" ]
    # a relative error model needs positive means; no replicates; usage
    sed 's/^vector\t1\t5\t1\t/vector\t1\t5\t-3\t/' "$T/in.znr" > "$T/neg.znr"
    run zn-background -u --control construct=vector --means "$T/neg.znr"
    assert_failure 1
    assert_output --partial "control construct=vector at conc_uM=1, time_min=5: mean rate 0 is not positive: --weight 1/y2"
    zn-background -u --control construct=vector --means --weight none "$T/neg.znr" > /dev/null
    printf '##znr=1\n#construct\tconc_uM\ttime_min\trate\nA\t1\t5\t10\nvector\t1\t5\t1\n' > "$T/one.znr"
    run zn-background -u --control construct=vector --means "$T/one.znr"
    assert_failure 1
    assert_output --partial "construct=A: no replicate wells"
    run zn-background --means "$T/in.znr"
    assert_failure 2
    assert_output --partial "--means needs --control"
    run zn-background --control construct=vector --weight none "$T/in.znr"
    assert_failure 2
    assert_output --partial "--weight needs --means"
    run zn-background --control construct=vector --means --weight 1/x "$T/in.znr"
    assert_failure 2
    assert_output --partial '--weight: "1/x" is not 1/y2, 1/y or none'
    run zn-background --control construct=vector --means --keep-control "$T/in.znr"
    assert_failure 2
    assert_output --partial "--keep-control does not apply"
}

@test "initial rates: slope, SE, CI and the curvature test against numpy/scipy" {
    zn-uptake-rate -u --specific-activity 150 --initial-rate "$FIX/uptake_timecourse.znr" > "$T/out.znr"
    zn-view --tsv "$T/out.znr" > "$T/got.tsv"
    run same_table "$FIX/expected/uptake_initial.tsv" "$T/got.tsv" 1e-9
    assert_success
    zn-view --check "$T/out.znr"
    grep -q '^##unit.rate=pmol/mg/min' "$T/out.znr"
    # initial rates compose with the control subtraction (matched by concentration only)
    # (one counter run: the control in the same segment)
    { cat "$FIX/uptake_timecourse.znr"; grep -v '^#' "$FIX/uptake_timecourse.znr" | sed 's/hZIP4/vector/'; } |
        zn-uptake-rate -u --specific-activity 150 --initial-rate |
        zn-background -u --control construct=vector --match conc_uM | zn-view --tsv -c conc_uM,rate > "$T/sub.tsv"
    run cat "$T/sub.tsv"
    assert_output "$(printf 'conc_uM\trate\n1\t0\n10\t0')"
}

@test "initial rates: two points are untested, one time is insufficient" {
    printf '##znr=1\n##schema=counts\n#construct\tcpm\ttime_min\tprotein_mg\n' > "$T/c.znr"
    printf 'a\t100\t1\t1\na\t300\t3\t1\nb\t100\t1\t1\nb\t120\t1\t1\n' >> "$T/c.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 10 --initial-rate $T/c.znr | zn-view --tsv -c construct,n,rate,rate_se,linearity,flag"
    # a: (30 - 10) pmol/mg over 2 min = 10 (least squares through two points, to rounding)
    [[ ${lines[1]} == "$(printf 'a\t2\t')"* ]]
    [[ ${lines[1]} == *"$(printf '\t\tuntested\t')" ]]
    awk -v r="$(printf '%s\n' "${lines[1]}" | cut -f3)" 'BEGIN { d = r - 10; exit !(d < 1e-12 && d > -1e-12) }'
    assert_line --index 2 "$(printf 'b\t2\t\t\t\tinsufficient_data')"
}

@test "a stable-isotope signal (ICP-MS) with --signal and --per-pmol; below blank is kept and flagged" {
    printf '##znr=1\n##schema=counts\n#well\tzn70_counts\ttime_min\tprotein_mg\trole\n' > "$T/c.znr"
    printf 'A1\t5300\t10\t0.2\tsample\nA2\t200\t10\t0.2\tsample\nB1\t300\t\t\tblank\n' >> "$T/c.znr"
    run bash -c "zn-uptake-rate -u --signal zn70_counts --per-pmol 50 $T/c.znr | zn-view --tsv -c well,blank,pmol,rate,flag"
    assert_line --index 1 "$(printf 'A1\t300\t100\t50\t')"
    assert_line --index 2 "$(printf 'A2\t300\t-2\t-1\tbelow_blank')"
    assert_line --index 3 "$(printf 'B1\t\t\t\t')"
}

@test "--no-protein gives pmol/min per well; --time fills a missing time" {
    printf '##znr=1\n##schema=counts\n#well\tcpm\n' > "$T/c.znr"
    printf 'A1\t600\n' >> "$T/c.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 20 --no-protein --time 3 $T/c.znr"
    assert_success
    assert_line --partial "##unit.rate=pmol/min"
    [[ ${lines[-1]} == "$(printf 'A1\t600\t20\t30\t10\t')" ]]
}

@test "Gen5 BCA sample: the standard curve matches Gen5's own fit and concentrations" {
    need_samples
    zn-ingest "$SAMPLES/gen5_mock_BCA_endpoint_stdcurve_plate_layout.txt" -o "$T/g5.znr.gz"
    # every sample well of the plate as an uptake well: with 1000 uL of lysate, protein_mg x 1000 = ug/mL
    { printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\n'
      for r in A B C D E F G H; do for c in 4 5 6 7 8 9 10 11 12; do printf '%s%s\t1\t1\n' $r $c; done; done; } > "$T/u.znr"
    run zn-uptake-rate -u --specific-activity 1 --protein "$T/g5.znr.gz" --std-unit ug/mL --lysate-volume 1000 "$T/u.znr"
    assert_failure 2
    assert_output --partial "has 3 reads ('630nmAbsRead:630', 'Blank 630nmAbsRead:630', '[Concentration]'): choose one with --read"
    zn-uptake-rate -u --specific-activity 1 --protein "$T/g5.znr.gz" --read 'Blank 630nmAbsRead:630' --std-unit ug/mL \
        --lysate-volume 1000 "$T/u.znr" > "$T/out.znr"
    # Gen5: Y = A*X + B with A = 0.00168 (3 digits)
    c1=$(grep '^##protein=' "$T/out.znr" | tr ':' '\n' | sed -n 's/^c1=//p')
    awk -v a="$c1" 'BEGIN { exit !(a >= 0.001675 && a < 0.001685) }' || fail "slope $c1"
    # each well against Gen5's [Concentration]: absorbances are printed to 0.001 (0.3 ug/mL)
    zn-view --tsv -c well,protein_mg "$T/out.znr" | tail -n +2 | sort > "$T/ours"
    zn-view --tsv -c well,read,value "$T/g5.znr.gz" | awk -F'\t' '$2 == "[Concentration]" { print $1 "\t" $3 }' | sort > "$T/gen5"
    run join -t "$(printf '\t')" "$T/ours" "$T/gen5"
    [ "${#lines[@]}" -eq 72 ]
    printf '%s\n' "${lines[@]}" | awk -F'\t' '{ d = $2 * 1000 - $3; if (d < 0) d = -d; if (d > 0.5) { print "well " $1 ": " $2 * 1000 " vs " $3; bad = 1 } } END { exit bad }'
}

@test "bad input: clear messages that name the well" {
    counts A1 1000 5 0 sample > "$T/c.znr"
    run zn-uptake-rate -u --specific-activity 10 "$T/c.znr"
    assert_failure 1
    assert_output --partial "c.znr:4: well A1: protein_mg is not positive: every sample needs its protein"
    counts A1 1000 5 '' sample > "$T/c.znr"
    run zn-uptake-rate -u --specific-activity 10 "$T/c.znr"
    assert_failure 1
    assert_output --partial "well A1: protein_mg is missing"
    counts A1 1000 '' 0.1 sample > "$T/c.znr"
    run zn-uptake-rate -u --specific-activity 10 "$T/c.znr"
    assert_failure 1
    assert_output --partial "well A1: no uptake time: give a time_min column or --time MIN"
    counts A1 1000 5 0.1 sample > "$T/c.znr"
    run zn-uptake-rate -u "$T/c.znr"
    assert_failure 2
    assert_output --partial "no specific activity: give --specific-activity"
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\n' > "$T/n.znr"
    run zn-uptake-rate -u --specific-activity 10 "$T/n.znr"
    assert_failure 1
    assert_output --partial "no protein: the records have no protein_mg column; give --protein FILE"
    run zn-uptake-rate -u --specific-activity 10 --dpm "$T/c.znr"
    assert_failure 2
    assert_output --partial "the signal is DPM (--dpm or --efficiency) but the specific activity is in cpm/pmol"
    run zn-uptake-rate -u --specific-activity 10dpm/pmol "$T/c.znr"
    assert_failure 2
    assert_output --partial "needs DPM: read the counter's dpm column (--dpm) or give the counting efficiency"
    run zn-uptake-rate -u --specific-activity 10dpm/pmol --dpm "$T/c.znr"
    assert_failure 1
    assert_output --partial "no column 'dpm' (the signal)"
    run zn-uptake-rate -u --specific-activity 10furlongs/pmol "$T/c.znr"
    assert_failure 2
    assert_output --partial 'unknown unit "furlongs/pmol"'
    run zn-uptake-rate -u --specific-activity 10 --isotope Zn-65 "$T/c.znr"
    assert_failure 2
    assert_output --partial "decay correction needs both the isotope (--isotope or --half-life) and --reference-date"
    run zn-uptake-rate -u --specific-activity 10 --isotope Zn-99 --reference-date 2025-01-01 "$T/c.znr"
    assert_failure 2
    assert_output --partial 'unknown isotope "Zn-99"'
    run zn-uptake-rate -u --specific-activity 10 --isotope Zn-65 --reference-date 2025-02-30 "$T/c.znr"
    assert_failure 2
    assert_output --partial '"2025-02-30" is not an ISO 8601 date'
    run zn-uptake-rate -u --specific-activity 10 --isotope Zn-65 --reference-date 2025-02-01 "$T/c.znr"
    assert_failure 1
    assert_output --partial "well A1: no count date: give --count-date for decay correction"
    run zn-uptake-rate -u --per-pmol 3 "$T/c.znr"
    assert_failure 2
    assert_output --partial "--per-pmol goes with --signal COL"
    run zn-uptake-rate -u --efficiency 1.5 --specific-activity 1dpm/pmol "$T/c.znr"
    assert_failure 2
    assert_output --partial "is above 1 (it is CPM/DPM)"
    run zn-uptake-rate -u --specific-activity 10 --lysate-volume 100 "$T/c.znr"
    assert_failure 2
    assert_output --partial "the standard-curve options go with --protein FILE"
    run zn-uptake-rate -u --specific-activity 10 --by construct "$T/c.znr"
    assert_failure 2
    assert_output --partial "--by and --alpha go with --initial-rate"
}

@test "bad input: standards, protein plate and the step done twice" {
    tricarb
    # --sa-by: a concentration whose standards are missing
    zn-view -u "$T/counts.znr.gz" | awk -F'\t' '!($11 == "standard" && $9 == "5")' > "$T/c1.znr"
    run zn-uptake-rate -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 "$T/c1.znr"
    assert_failure 1
    assert_output --partial "well B5: no standards at conc_uM=5 (--sa-by conc_uM)"
    # no lysate volume for concentration standards
    run zn-uptake-rate -u --sa-by conc_uM --protein "$T/bca.znr.gz" "$T/counts.znr.gz"
    assert_failure 2
    assert_output --partial "the protein standards are concentrations (ug/mL): give --lysate-volume UL"
    # a uptake well the plate does not have
    zn-view -u "$T/counts.znr.gz" | sed 's/\tA1\t/\tZ9\t/' > "$T/c2.znr"
    run zn-uptake-rate -u --sa-by conc_uM --protein "$T/bca.znr.gz" --lysate-volume 250 "$T/c2.znr"
    assert_failure 1
    assert_output --partial "well Z9: no protein: $T/bca.znr.gz has no sample with well=Z9"
    # too few standard levels
    zn-view -u "$T/bca.znr.gz" | awk -F'\t' '/^#/ || $6 != "standard" || $7 == "2000" || $7 == "1000"' > "$T/b2.znr"
    run zn-uptake-rate -u --sa-by conc_uM --protein "$T/b2.znr" --lysate-volume 250 --protein-curve quadratic "$T/counts.znr.gz"
    assert_failure 1
    assert_output --partial "3 standard levels; a quadratic standard curve needs at least 4"
    # once only
    zn-uptake-rate -q -u --sa-by conc_uM --no-protein "$T/counts.znr.gz" > "$T/r.znr"
    run zn-uptake-rate -u --sa-by conc_uM --no-protein "$T/r.znr"
    assert_failure 1
    assert_output --partial "uptake already computed (##uptake="
    zn-uptake-rate -q -u --sa-by conc_uM --no-protein --force "$T/r.znr" > /dev/null
    # standards below the blank
    counts A1 1000 5 0.1 sample > "$T/c.znr"
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\tprotein_mg\trole\tstd_pmol\n' > "$T/s.znr"
    printf 'A1\t100\t5\t0.1\tsample\t\nS1\t10\t\t\tstandard\t5\nB1\t20\t\t\tblank\t\n' >> "$T/s.znr"
    run zn-uptake-rate -u "$T/s.znr"
    assert_failure 1
    assert_output --partial "the standards' signal is not above the blank"
}

# a small BCA plate stream: rows "well value role std_ug_ml [dilution]"; A = 0.1 + 0.001 c
plate() {
    printf '##znr=1\n##schema=plate\n#plate\twell\tread\tvalue\tflag\trole\tstd_ug_ml\n'
    while [ $# -ge 4 ]; do printf 'p1\t%s\t562\t%s\t\t%s\t%s\n' "$1" "$2" "$3" "$4"; shift 4; done
}
STDS=(G1 0.1 blank 0 G2 0.35 standard 250 G3 0.6 standard 500 G4 1.1 standard 1000 G5 2.1 standard 2000)
wells() { # uptake wells without protein: well cpm
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\n'
    while [ $# -ge 2 ]; do printf '%s\t%s\t5\n' "$1" "$2"; shift 2; done
}

@test "BCA plate by hand: linear standards, replicate wells, partial and missing readings" {
    # A1 and A2 are two BCA wells of one lysate (key lysate): c = 500 and 600 ug/mL; 100 uL -> 0.05, 0.06 mg
    plate "${STDS[@]}" A1 0.6 sample '' A2 0.7 sample '' B1 0.6 sample '' B2 2.5 sample '' C1 '' sample '' > "$T/p.znr"
    printf '##znr=1\n##schema=counts\n#well\tlysate\tcpm\ttime_min\n' > "$T/u.znr"
    printf 'X1\tA\t550\t5\nX2\tB\t500\t5\nX3\tC\t500\t5\n' >> "$T/u.znr"
    awk -F'\t' 'BEGIN { OFS = "\t" } /^#[^#]/ { $0 = $0 "\tlysate" } !/^#/ { $8 = substr($2, 1, 1) } 1' "$T/p.znr" > "$T/p2.znr"
    zn-uptake-rate -u --specific-activity 10 --protein "$T/p2.znr" --protein-by lysate --lysate-volume 100 "$T/u.znr" 2> "$T/err" |
        zn-view --tsv -c well,pmol,protein_mg,rate,flag > "$T/got.tsv"
    # A: mean 0.055 mg, 55 pmol -> 55 / (0.055 * 5) = 200; B: B2 above the top standard, B1 alone; C: no reading
    printf 'well\tpmol\tprotein_mg\trate\tflag\nX1\t55\t0.055\t200\t\nX2\t50\t0.05\t200\tprotein_partial\nX3\t50\t\t\tprotein_no_reading\n' > "$T/want.tsv"
    run same_table "$T/want.tsv" "$T/got.tsv" 1e-12
    assert_success
    grep -q "well B2: absorbance 2.5 is outside the standards (0 to 2000 ug/mL)" "$T/err"
    grep -q "1 sample without protein (outside the standards' range, or no reading)" "$T/err"
    run bash -c "zn-uptake-rate -u --specific-activity 10 --protein $T/p2.znr --protein-by lysate --lysate-volume 100 $T/u.znr | grep '^##protein='"
    assert_output --partial ":curve=linear:c0=0.1:c1=0.001:r2=1.000000:n=5:levels=5:range=0-2000:unit=ug/mL:mg_per_unit=0.0001"
    # the coefficients are printed to 10 digits: exact data give exactly 0.1 and 0.001 there
}

@test "BCA plate: standards as amounts, dilution column, and the errors of the plate" {
    # amounts (ug in the assay well): 20 of 200 uL assayed, dilution 2: 500 ug x 2 x 10 / 1000 = 10 mg
    plate "${STDS[@]}" A1 0.6 sample '' | sed 's/std_ug_ml/std_ug/; /^#[^#]/s/$/\tdilution/; /^[^#]/s/$/\t/; /sample/s/$/2/' > "$T/p.znr"
    wells A1 1000 > "$T/u.znr"
    zn-uptake-rate -u --specific-activity 10 --protein "$T/p.znr" --lysate-volume 200 --assay-volume 20 "$T/u.znr" |
        zn-view --tsv -c protein_mg,rate > "$T/got.tsv"
    printf 'protein_mg\trate\n10\t2\n' > "$T/want.tsv"
    run same_table "$T/want.tsv" "$T/got.tsv" 1e-12
    assert_success
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/p.znr" --lysate-volume 200 "$T/u.znr"
    assert_failure 2
    assert_output --partial "standards as amounts (ug): give both --lysate-volume and --assay-volume, or neither"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/p.znr" --dilution 3 "$T/u.znr"
    assert_failure 2
    assert_output --partial "has a dilution column; --dilution would contradict it"
    sed 's/\t2$/\t0/' "$T/p.znr" > "$T/p0.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/p0.znr" "$T/u.znr"
    assert_failure 1
    assert_output --partial "dilution 0 is not positive"
    # no unit in the column name; a bad --std-unit
    plate "${STDS[@]}" A1 0.6 sample '' | sed 's/std_ug_ml/std_conc/' > "$T/pc.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pc.znr" --std-col std_conc "$T/u.znr"
    assert_failure 2
    assert_output --partial "the unit of the standards in 'std_conc' is not stated: give --std-unit ug/mL"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pc.znr" --std-col std_conc --std-unit g/L "$T/u.znr"
    assert_failure 2
    assert_output --partial '--std-unit: "g/L" is not ug/mL, mg/mL or ug'
    # a standard without its amount; a read that is not there; a join column the plate lacks
    plate "${STDS[@]}" A1 0.6 sample '' | sed 's/standard\t250$/standard\t/' > "$T/pm.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pm.znr" --lysate-volume 100 "$T/u.znr"
    assert_failure 1
    assert_output --partial "pm.znr:5: standard well without its protein in 'std_ug_ml'"
    plate "${STDS[@]}" A1 0.6 sample '' > "$T/p1.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/p1.znr" --lysate-volume 100 --read 600 "$T/u.znr"
    assert_failure 1
    assert_output --partial "p1.znr: no read '600'"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/p1.znr" --lysate-volume 100 --protein-by lysate "$T/u.znr"
    assert_failure 1
    assert_output --partial "no column 'lysate' to join the protein to the uptake records by (--protein-by)"
    # --extrapolate below the blank: (0.05 - 0.1)/0.001 = -50 ug/mL x 0.1 mL = -0.005 mg, an error naming the well
    plate "${STDS[@]}" A1 0.05 sample '' > "$T/pn.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pn.znr" --lysate-volume 100 --extrapolate "$T/u.znr"
    assert_failure 1
    assert_output --partial "well A1: protein -0.005 mg is not positive (absorbance 0.05)"
}

@test "BCA plate: a curve that turns over, noisy standards, a Gen5 standard without Conc" {
    wells A1 1000 > "$T/u.znr"
    plate G1 0.1 blank 0 G2 0.6 standard 500 G3 0.8 standard 1000 G4 0.6 standard 1500 G5 0.1 standard 2000 A1 0.5 sample '' > "$T/pq.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pq.znr" --lysate-volume 100 --protein-curve quadratic "$T/u.znr"
    assert_failure 1
    assert_output --partial "the standard curve is not monotonic over the standards (0 to 2000 ug/mL): check the standards or use --protein-curve linear"
    plate G1 0.1 blank 0 G2 0.5 standard 250 G3 0.45 standard 500 G4 1.3 standard 1000 G5 2.0 standard 2000 A1 0.6 sample '' > "$T/pr.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/pr.znr" --lysate-volume 100 "$T/u.znr"
    assert_success
    assert_output --partial "standard curve r2 = 0.9"
    assert_output --partial "(below 0.99): check the standards"
    printf '##znr=1\n##schema=plate\n#plate\twell\tread\tvalue\tflag\tgen5_id\tgen5_conc\n' > "$T/g5.znr"
    printf 'p\tA1\t562\t0.5\t\tSTD1\t\n' >> "$T/g5.znr"
    run zn-uptake-rate -u --specific-activity 10 --protein "$T/g5.znr" --std-unit ug/mL --lysate-volume 100 "$T/u.znr"
    assert_failure 1
    assert_output --partial "g5.znr:4: Gen5 standard STD1 without Conc"
}

@test "more usage errors, each with its message" {
    counts A1 1000 5 0.1 sample > "$T/c.znr"
    check() { # expected-message args...
        local msg=$1; shift
        run zn-uptake-rate -u "$@" "$T/c.znr"
        assert_failure 2
        assert_output --partial "$msg"
    }
    check "--isotope and --half-life both give the half-life: choose one" --specific-activity 1 --isotope Zn-65 --half-life 10 --reference-date 2025-01-01
    check "--signal is for a signal other than counts" --signal cpm --specific-activity 1
    check "--dpm reads DPM from the counter; --efficiency converts CPM: choose one" --dpm --efficiency 0.5 --specific-activity 1dpm/pmol
    check "--sa-by groups standards; with --specific-activity there are none" --specific-activity 1 --sa-by well
    check "decay correction applies to a specific activity stated on another day" --isotope Zn-65 --reference-date 2025-01-01
    check "--count-date is for decay correction: add --isotope and --reference-date" --specific-activity 1 --count-date 2025-01-01
    check "--protein and --no-protein: choose one" --specific-activity 1 --protein x --no-protein
    check '--protein-curve: "cubic" is not linear or quadratic' --specific-activity 1 --protein-curve cubic
    check "--alpha: 1 is not between 0 and 1" --specific-activity 1 --initial-rate --alpha 1
    check '--half-life: unknown unit "weeks" (d, h, min, y)' --specific-activity 1 --half-life 3weeks --reference-date 2025-01-01
    check "--time: 0 is not positive" --specific-activity 1 --time 0
    check '--specific-activity: "fast" is not a positive number with an optional unit' --specific-activity fast
}

@test "more data errors: time, dates, standards, groups" {
    counts A1 1000 0 0.1 sample > "$T/c.znr"
    run zn-uptake-rate -u --specific-activity 10 "$T/c.znr"
    assert_failure 1
    assert_output --partial "well A1: uptake time 0 min is not positive"
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\tprotein_mg\tcount_date\n' > "$T/d.znr"
    printf 'A1\t1000\t5\t0.1\t30/11/2025\n' >> "$T/d.znr"
    run zn-uptake-rate -u --specific-activity 10 --isotope Zn-65 --reference-date 2025-10-01 "$T/d.znr"
    assert_failure 1
    assert_output --partial "well A1: count_date is not an ISO 8601 date: give --count-date for decay correction"
    printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\tprotein_mg\trole\tstd_pmol\n' > "$T/s.znr"
    printf 'A1\t1000\t5\t0.1\tsample\t\nS1\t500\t\t\tstandard\t0\n' >> "$T/s.znr"
    run zn-uptake-rate -u "$T/s.znr"
    assert_failure 1
    assert_output --partial "well S1: standard without a positive pmol in 'std_pmol'"
    printf 'A1\t1000\t5\t0.1\tsample\t\nS1\t\t\t\tstandard\t5\nS2\t500\t\t\tstandard\t5\n' > "$T/rows"
    { head -n 3 "$T/s.znr"; cat "$T/rows"; } > "$T/s2.znr"
    run zn-uptake-rate -u "$T/s2.znr"
    assert_success
    assert_output --partial "well S1: standard without a signal: left out"
    assert_output --partial "$(printf 'A1\t1000\t5\t0.1\tsample\t\t100\t10\t100\t20')"
    run zn-uptake-rate -u --specific-activity 10 --initial-rate "$T/c.znr"
    assert_failure 2
    assert_output --partial "--initial-rate: no construct or conc_uM column to group by: name the groups with --by"
    printf '##znr=1\n##schema=counts\n#construct\tcpm\tprotein_mg\n' > "$T/nt.znr"
    run zn-uptake-rate -u --specific-activity 10 --initial-rate "$T/nt.znr"
    assert_failure 1
    assert_output --partial "--initial-rate needs a time_min column (the time course)"
}

@test "counted aliquot: pmol, pmol/mg and rate refer to the whole lysate; standards and blanks are not scaled; by hand" {
    # SA from a standard of 10 pmol counted at 1040 cpm over a 40 cpm blank:
    # (1040 - 40) / 10 = 100 cpm/pmol.  Sample: 2040 cpm -> 20 pmol in the
    # counted 50 uL of a 200 uL lysate -> 80 pmol in the well; 0.2 mg, 4 min:
    # 400 pmol/mg, 100 pmol/mg/min (uncorrected: 20, 100, 25)
    { printf '##znr=1\n##schema=counts\n#well\tcpm\ttime_min\tprotein_mg\trole\tstd_pmol\n'
      printf 'A1\t2040\t4\t0.2\tsample\t\nS1\t1040\t\t\tstandard\t10\nB1\t40\t\t\tblank\t\n'; } > "$T/c.znr"
    run bash -c "zn-uptake-rate -u '$T/c.znr' | zn-view --tsv -c well,sa,pmol,pmol_mg,rate"
    assert_line --index 1 "$(printf 'A1\t100\t20\t100\t25')"
    for o in "--counted-fraction 0.25" "--counted-volume 50 --lysate-volume 200"; do
        run bash -c "zn-uptake-rate -u $o '$T/c.znr' | zn-view --tsv -c well,sa,pmol,pmol_mg,rate"
        assert_line --index 1 "$(printf 'A1\t100\t80\t400\t100')"
        assert_line --index 2 "$(printf 'S1\t100\t10\t\t')"
    done
    run bash -c "zn-uptake-rate -u --counted-volume 50 --lysate-volume 200 '$T/c.znr' | grep '^##uptake='"
    assert_output --partial ":counted_fraction=0.25(50 of 200 uL):protein=protein_mg"
    # the same through a time course: each point's pmol is scaled before the slope
    printf '##znr=1\n##schema=counts\n#well\tconstruct\tcpm\ttime_min\tprotein_mg\n' > "$T/tc.znr"
    printf 'A%d\tZIP\t%s\t%s\t0.5\n' 1 100 1 2 200 2 3 300 3 >> "$T/tc.znr"
    run bash -c "zn-uptake-rate -u --no-blank --specific-activity 10 --counted-fraction 0.5 --initial-rate '$T/tc.znr' | zn-view --tsv -c rate"
    # 10, 20, 30 pmol counted -> 20, 40, 60 in the well -> 40, 80, 120 pmol/mg: 40 pmol/mg/min
    awk -v r="${lines[1]}" 'BEGIN { exit !((r - 40) ^ 2 < 1e-24) }' 
}

@test "one time point: the meta says linearity is untested; a time course not fitted says so; --initial-rate does not" {
    counts A1 1200 4 0.05 sample > "$T/c.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 100 '$T/c.znr' | grep '^##linearity='"
    assert_output "##linearity=untested:one time point (4 min): the rate assumes uptake is linear up to it; a time course (zn-uptake-rate --initial-rate) tests that"
    counts A1 1200 4 0.05 sample A2 2000 8 0.05 sample > "$T/c2.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 100 '$T/c2.znr' | grep '^##linearity='"
    assert_output "##linearity=untested:several time points, each rate from its own: fit them with zn-uptake-rate --initial-rate to test linearity"
    { printf '##znr=1\n##schema=counts\n#well\tconstruct\tcpm\ttime_min\tprotein_mg\n'
      printf 'A%d\tZIP\t%s\t%s\t0.05\n' 1 1200 4 2 2000 8 3 2800 12; } > "$T/c3.znr"
    run bash -c "zn-uptake-rate -u --specific-activity 100 --initial-rate '$T/c3.znr' | grep -c '^##linearity='"
    assert_output 0
}

@test "counted aliquot: usage errors" {
    counts A1 1200 4 0.05 sample > "$T/c.znr"
    for a in "--counted-fraction 1.5|--counted-fraction: 1.5 is above 1 (the fraction of the lysate counted)" \
             "--counted-fraction 0|--counted-fraction: 0 is not positive" \
             "--counted-volume 50|--counted-volume needs --lysate-volume (the fraction counted is counted / lysate volume)" \
             "--counted-volume 300 --lysate-volume 200|--counted-volume 300 uL is more than the lysate (--lysate-volume 200 uL)" \
             "--counted-volume 50 --lysate-volume 200 --counted-fraction 0.2|--counted-fraction and --counted-volume both give the fraction counted: choose one"; do
        run bash -c "zn-uptake-rate --specific-activity 100 ${a%%|*} '$T/c.znr' 2>&1 >/dev/null"
        assert_equal "$status" 2
        assert_line --index 0 "zn-uptake-rate: ${a#*|}"
    done
}
