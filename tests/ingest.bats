#!/usr/bin/env bats
# zn-ingest: each format from the project's own fixtures (exact records),
# bad input with exact messages, and conformance against the real exports
# in ../shared/samples when that folder is present.

load helper

ingest() { zn-ingest -u --no-provenance "$@"; }

@test "Fiji Multi Measure wide: --bg by ROI number, background first, t from --interval" {
    run bash -c "zn-ingest -u --no-provenance --interval 2 --bg 3 --condition ctl '$FIX/fiji_wide.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF
fiji_wide\tctl\t3\tbg\t0\t0\t10
fiji_wide\tctl\t3\tbg\t1\t2\t11
fiji_wide\tctl\t3\tbg\t2\t4\t12
fiji_wide\tctl\t1\tcell\t0\t0\t100
fiji_wide\tctl\t1\tcell\t1\t2\t110
fiji_wide\tctl\t1\tcell\t2\t4\t120.5
fiji_wide\tctl\t2\tcell\t0\t0\t200
fiji_wide\tctl\t2\tcell\t1\t2\t210
fiji_wide\tctl\t2\tcell\t2\t4\t220')"
}

@test "meta: schema, format, source, windows, --meta, unit, provenance" {
    run zn-ingest -u --interval 2 --sample dish1 --window baseline=0:60 --window max=600:660 --meta compartment=ER "$FIX/fiji_wide.csv"
    assert_success
    assert_line --index 0 "##znr=1"
    assert_line --index 1 "##schema=trace"
    assert_line --index 2 "##format=imagej"
    assert_line --index 3 "##source=fiji_wide.csv"
    assert_line --index 4 "##window=baseline:0:60"
    assert_line --index 5 "##window=max:600:660"
    assert_line --index 6 "##compartment=ER"
    assert_line --index 7 "##unit.t=s"
    assert_line --index 8 "##pg=zn-ingest 0.1.0 -u --interval 2 --sample dish1 --window baseline=0:60 --window max=600:660 --meta compartment=ER $FIX/fiji_wide.csv"
    assert_line --index 10 --partial "dish1"
}

@test "the output passes zn-view --check (schema, numbers, canonical order, EOF marker)" {
    zn-ingest --interval 2 --bg 3 -o "$T/a.znr.gz" "$FIX/fiji_wide.csv"
    run zn-view --check "$T/a.znr.gz"
    assert_success
    assert_output "$T/a.znr.gz: ok: 9 records in 1 segment, schema trace"
}

@test "Fiji named ROIs: Mean(Background) is background; other measures become columns; NaN is a flag" {
    run bash -c "zn-ingest -u --no-provenance --interval 2 '$FIX/fiji_named.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF\tArea\tflag
fiji_named\t\tBackground\tbg\t0\t0\t40\t\t
fiji_named\t\tBackground\tbg\t1\t2\t41\t\t
fiji_named\t\tCell1\tcell\t0\t0\t180.5\t12\t
fiji_named\t\tCell1\tcell\t1\t2\t190\t12\t
fiji_named\t\tCell2\tcell\t0\t0\t150\t10\t
fiji_named\t\tCell2\tcell\t1\t2\t\t10\tNaN')"
}

@test "Fiji Measure long tables, two channels joined by cell and frame" {
    run bash -c "zn-ingest -u --no-provenance --interval 10 --sample s --channel CFP '$FIX/fiji_long_cfp.csv' --channel YFP '$FIX/fiji_long_yfp.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF_CFP\tF_YFP
s\t\tc1\tcell\t0\t0\t10\t30
s\t\tc1\tcell\t1\t10\t11\t31
s\t\tc2\tcell\t0\t0\t20\t40
s\t\tc2\tcell\t1\t10\t21\t41')"
}

@test "channels with different frames are an error naming the channel and cell" {
    run zn-ingest -u --interval 1 --channel CFP "$FIX/fiji_long_cfp.csv" --channel YFP "$FIX/fiji_long_yfp_short.csv"
    assert_failure 1
    assert_output "zn-ingest: channel YFP ($FIX/fiji_long_yfp_short.csv) has 1 frames of cell 'c2', channel CFP has 2 (channels must have the same ROIs and frames)"
}

@test "several files without --channel is a usage error" {
    run zn-ingest --interval 1 "$FIX/fiji_long_cfp.csv" "$FIX/fiji_long_yfp.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: several input files: name each one's channel (--channel NAME FILE ...), or run zn-ingest once per file and concatenate the outputs"
}

@test "CellProfiler: tracked labels are the cells, ImageNumber the frame, CRLF" {
    run bash -c "zn-ingest -u --no-provenance --interval 5 '$FIX/cellprofiler.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF
cellprofiler\t\t7\tcell\t0\t0\t0.5
cellprofiler\t\t7\tcell\t1\t5\t0.125
cellprofiler\t\t8\tcell\t0\t0\t0.25
cellprofiler\t\t8\tcell\t1\t5\t0.75')"
}

@test "generic long TSV with --map: samples regrouped, frames ranked by time, minutes to seconds" {
    run bash -c "zn-ingest -u --no-provenance --map sample=dish,cell=ROI,t='Time (min)',F=intensity,role=ROI '$FIX/generic_long.tsv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF
d2\t\tr1\tcell\t0\t0\t5
d2\t\tr1\tcell\t1\t30\t6
d1\t\tbg\tbg\t0\t0\t0.1
d1\t\tbg\tbg\t1\t30\t0.2
d1\t\tr1\tcell\t0\t0\t1
d1\t\tr1\tcell\t1\t30\t2')"
}

@test "semicolons, decimal commas, bare CR line ends, OVER becomes a flag and a missing value" {
    run bash -c "zn-ingest -u --no-provenance --decimal-comma '$FIX/wide_semicolon_decimal_comma.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF\tflag
wide_semicolon_decimal_comma\t\tcell-a\tcell\t0\t0\t1.5\t
wide_semicolon_decimal_comma\t\tcell-a\tcell\t1\t2\t1.75\t
wide_semicolon_decimal_comma\t\tcell-b\tcell\t0\t0\t2.25\t
wide_semicolon_decimal_comma\t\tcell-b\tcell\t1\t2\t\tOVER')"
}

@test "a decimal comma without --decimal-comma is an error with a hint" {
    run zn-ingest -u "$FIX/wide_semicolon_decimal_comma.csv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/wide_semicolon_decimal_comma.csv:2: column 'cell-a': \"1,5\" is not a number (decimal comma? see zn-ingest --decimal-comma)"
}

@test "no time column and no --interval: usage error that says what to add" {
    run zn-ingest -u "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_output "zn-ingest: $FIX/fiji_wide.csv: the file has no time column: give --interval SEC (seconds between frames)"
}

@test "ragged row" {
    printf ' ,Mean1,Mean2\n1,2,3\n2,4\n' > "$T/r.csv"
    run zn-ingest -u --interval 1 "$T/r.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/r.csv:3: ragged row: 2 fields, the header has 3"
}

@test "header only" {
    printf ' ,Mean1,Mean2\n' > "$T/h.csv"
    run zn-ingest -u --interval 1 "$T/h.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/h.csv: header only: no data rows"
}

@test "empty input" {
    : > "$T/e.csv"
    run zn-ingest -u --interval 1 "$T/e.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/e.csv: empty input"
}

@test "a non-number in the data names line, column and value" {
    printf ' ,Mean1,Mean2\n1,2,3\n2,4,abc\n' > "$T/n.csv"
    run zn-ingest -u --interval 1 "$T/n.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/n.csv:3: column 'Mean2': \"abc\" is not a number"
}

@test "unknown format" {
    run zn-ingest -f excel "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: -f: unknown format 'excel' (imagej, cellprofiler, wide, long, gen5, softmax, bmg, tecan, tricarb, wizard, hidex)"
}

# the formats --help lists (made from formats[]): "schema<TAB>name<TAB>description"
help_formats() {
    zn-ingest --help | awk '/^Formats/ { f = 1; next }
        f && /^  [a-z]/ { s = $(NF - 1); next }
        f && /^    [a-z]/ { d = $0; sub(/^ +[^ ]+ +/, "", d); print s "\t" $1 "\t" d; next }
        f { exit }'
}

# the formats the man page describes: each .TP entry under a ".SS ... (schema S)"
# heading, the line after the name being the description
man_formats() {
    awk '/^\.SS/ { s = ""; if (match($0, /\(schema [a-z]+\)/)) s = substr($0, RSTART + 8, RLENGTH - 9); next }
        s != "" && /^\.TP/ { tp = 1; next }
        tp && /^\.B / { n = $2; getline d; gsub(/\\-/, "-", d); sub(/\.$/, "", d); print s "\t" n "\t" d }
        { tp = 0 }' "${1:-$ZN_TOP/man/zn-ingest.1}"
}

@test "--help lists every format of -f under the records it gives, and the man page the same, in the same order" {
    help_formats > "$T/help"
    [ "$(wc -l < "$T/help")" -eq 11 ] || fail "--help lists $(wc -l < "$T/help") formats: $(cat "$T/help")"
    assert_equal "$(cut -f2 "$T/help" | paste -sd, | sed 's/,/, /g')" \
        "imagej, cellprofiler, wide, long, gen5, softmax, bmg, tecan, tricarb, wizard, hidex"
    assert_equal "$(cut -f1 "$T/help" | uniq | paste -sd' ')" "trace plate counts"
    man_formats > "$T/man"
    run diff "$T/help" "$T/man"
    assert_success
    # the -f paragraph lists the same names
    f=$(grep -A1 '^\.BR \\-f ", " \\-\\-format' "$ZN_TOP/man/zn-ingest.1" | tail -n 1)
    assert_equal "$f" "The input format, one of: $(cut -f2 "$T/help" | paste -sd, | sed 's/,/, /g')."
    # and every name in it is a format -f takes
    for n in $(cut -f2 "$T/help"); do
        printf 'x\n' > "$T/in.csv"
        run zn-ingest -f "$n" "$T/in.csv"
        refute_output --partial "unknown format"
    done
}

@test "a long table without --map cell says so" {
    run zn-ingest -f long --interval 1 "$FIX/generic_long.tsv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/generic_long.tsv: a long table needs --map cell=COLUMN (and F=COLUMN, t=COLUMN or --interval)"
}

@test "--map to a column that does not exist" {
    run zn-ingest --map cell=ROI,F=Nope,t=dish "$FIX/generic_long.tsv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/generic_long.tsv: --map F=Nope: no such column"
}

@test "a duplicate frame of a cell is an error" {
    printf 'Time,c1\n0,1\n0,2\n' > "$T/d.csv"
    printf 'cell,t,F\nc1,0,1\nc1,0,2\n' > "$T/d2.csv"
    run zn-ingest -u --map cell=cell,t=t,F=F "$T/d2.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/d2.csv: sample 'd2' cell 'c1' has time 0 twice (duplicate rows?)"
}

@test "UTF-16LE SoftMax Pro style plate with partial rows" {
    command -v iconv >/dev/null || skip "iconv not available"
    { printf '##BLOCKS= 1\r\nPlate:\tPlate1\t1.3\tPlateFormat\tEndpoint\tAbsorbance\tRaw\tFALSE\t1\t\t\t\t\t\t2\t562 620 \t1\t8\t96\r\n'
      printf '\tTemperature(\xc2\xb0C)\t1\t2\t\t1\t2\t\r\n'
      printf '\t25\t0.5\t0.25\t\t0.05\t0.025\t\r\n'
      printf '\t\t\t1.5\t\t\t0.15\t\r\n'
      printf '\r\n~End\r\n'; } | iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } > "$T/smp.txt"
    run bash -c "zn-ingest -u --no-provenance '$T/smp.txt' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#plate\twell\tread\tvalue\tflag
smp\tA1\t562\t0.5\t
smp\tA2\t562\t0.25\t
smp\tA1\t620\t0.05\t
smp\tA2\t620\t0.025\t
smp\tB2\t562\t1.5\t
smp\tB2\t620\t0.15\t')"
}

@test "Gen5: results grid with ?????, the plate's own layout (STD/BLK, Conc/Dil) attached" {
    run bash -c "zn-ingest -u --no-provenance '$FIX/gen5_bca.txt' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#plate\twell\tread\tvalue\tflag\tgen5_id\tgen5_conc
gen5_bca\tA1\t562\t2.5\t\tSTD1\t2000
gen5_bca\tA2\t562\t2.7\t\tSTD1\t2000
gen5_bca\tA3\t562\t1.25\t\tSPL1\t1
gen5_bca\tB1\t562\t0.1\t\tBLK\t
gen5_bca\tB2\t562\t0.12\t\tBLK\t
gen5_bca\tB3\t562\t\t?????\tSPL2\t1')"
}

@test "BMG MARS grid: read from the section title, OVRFLW flagged" {
    run bash -c "zn-ingest -u --no-provenance '$FIX/bmg.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#plate\twell\tread\tvalue\tflag
bmg\tA1\t562\t0.5\t
bmg\tA2\t562\t0.25\t
bmg\tB1\t562\t0.125\t
bmg\tB2\t562\t\tOVRFLW')"
}

@test "Tecan list with BOM, A02 normalised, layout joined by well" {
    run bash -c "zn-ingest -u --no-provenance --layout '$FIX/layout.csv' '$FIX/tecan.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#plate\twell\tread\tvalue\tflag\tconstruct\tconc_uM\ttime_min\trole
tecan\tA1\tOD562\t0.5\t\thZIP4\t1\t5\tsample
tecan\tA2\tOD562\t\tOVER\thZIP4\t2\t5\tsample')"
}

@test "Tri-Carb: preamble skipped, missing vials kept as flagged records, layout by position" {
    run bash -c "zn-ingest -u --no-provenance --layout '$FIX/layout_positions.csv' '$FIX/tricarb.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#position\tcount_time_min\tcpm\tdpm\ttSIE\tflag\tconstruct\tconc_uM
1\t1\t1200.5\t2400\t300.1\t\thZIP4\t1
2\t\t\t\t\tmissing vial\t\t
3\t1\t600\t1200\t299.9\tLOW\tvector\t1')"
}

@test "Wizard2: nuclide columns, seconds to minutes, ISO date" {
    run bash -c "zn-ingest -u --no-provenance '$FIX/wizard.csv' | grep -v '^##'"
    assert_success
    assert_line --index 0 "$(printf '#position\tprotocol\tcount_date\trun\track\tdetector\tcount_time_min\tsample_code\tcounts\tcpm\tcpm_error_pct\tflag')"
    assert_line --index 1 "$(printf '1\tZn uptake\t2025-03-06T12:42:48\t77\t1\t1\t1\t\t1500\t1500\t2.58\t')"
}

@test "Hidex 300 SL: key;value records, spectra skipped, day-first dates, layout by well" {
    run bash -c "zn-ingest -u --no-provenance --layout '$FIX/layout.csv' '$FIX/hidex.csv' | grep -v '^##'"
    assert_success
    assert_output "$(printf '#position\trepeat\twell\tcpm\tdpm\tcounts\tcount_time_min\tcount_date\tconstruct\tconc_uM\ttime_min\trole
1\t1\tA1\t83.97\t126\t140\t1.66666666666667\t2025-11-30T08:44:20\thZIP4\t1\t5\tsample
2\t1\tB1\t1000.5\t1500\t1667\t1.66666666666667\t2025-11-30T08:46:00\tvector\t1\t5\tsample')"
}

@test "layout: a well twice in the layout is an error naming it" {
    run zn-ingest -u --layout "$FIX/layout_dup.csv" "$FIX/bmg.csv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/layout_dup.csv:3: well A1 appears twice in the layout"
}

@test "layout: a well in the data but not in the layout is an error naming it" {
    printf 'well,construct\nA1,x\nA2,x\nB1,x\n' > "$T/l.csv"
    run zn-ingest -u --layout "$T/l.csv" "$FIX/bmg.csv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/bmg.csv: well B2 is in the data but not in the layout $T/l.csv"
}

@test "layout keyed by position on plate data is an error" {
    run zn-ingest -u --layout "$FIX/layout_positions.csv" "$FIX/bmg.csv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/layout_positions.csv: the layout is keyed by position, but the data have no position"
}

@test "gzip-compressed exports are read too" {
    gzip -c "$FIX/fiji_wide.csv" > "$T/fiji_wide.csv.gz"
    run bash -c "zn-ingest -u --no-provenance --interval 2 '$T/fiji_wide.csv.gz' | grep -vc '^#'"
    assert_output "9"
}

@test "standard input, sample named stdin" {
    run bash -c "zn-ingest -u --no-provenance --interval 2 < '$FIX/fiji_wide.csv' | grep -v '^#' | head -1"
    assert_output "$(printf 'stdin\t\t1\tcell\t0\t0\t100')"
}

@test "a full disk is an error" {
    run bash -c "zn-ingest --interval 2 '$FIX/fiji_wide.csv' > /dev/full"
    assert_failure 1
    assert_output "zn-ingest: write error on standard output: No space left on device"
}

# ---- conformance: the real exports in ../shared/samples

@test "samples: Fiji Multi Measure wide (3 cells x 121 frames)" {
    need_samples
    zn-ingest --interval 2 -o "$T/o.gz" "$SAMPLES/fiji_multimeasure_wide_Mean1-Mean3_timelapse.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 363 records in 1 segment, schema trace"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$3==\"3\" && \$5==0 {print \$7}'"
    assert_output "328"
}

@test "samples: Fiji named ROIs, background + 12 cells x 136 frames" {
    need_samples
    zn-ingest --interval 5 -o "$T/o.gz" "$SAMPLES/fiji_multimeasure_named_rois_FRET_Galphai_donor_w1.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 1768 records in 1 segment, schema trace"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$4==\"bg\"' | wc -l"
    assert_output "136"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$3==\"Cell12\" && \$5==1 {print \$7}'"
    assert_output "779.183"
}

@test "samples: Fiji Measure long CFP + YFP channels (4 cells x 121 slices)" {
    need_samples
    zn-ingest --interval 10 -o "$T/o.gz" --channel CFP "$SAMPLES/fiji_measure_long_label_YCaM3.60_cameleon_CFP.csv" \
        --channel YFP "$SAMPLES/fiji_measure_long_label_YCaM3.60_cameleon_YFP.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 484 records in 1 segment, schema trace"
    # slice 31 of Cell-03 (line 123 of the CFP file): 8.97
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$3==\"Cell-03\" && \$5==30 {print \$6, \$7}'"
    assert_output "300 8.97"
}

@test "samples: PlotTwist wide ratios with bare CR line ends and a Time column" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/fret_ratio_wide_timeseries_CR_line_endings_PlotTwist.csv"
    run zn-view --check "$T/o.gz"
    assert_success
    n=$(tr '\r' '\n' < "$SAMPLES/fret_ratio_wide_timeseries_CR_line_endings_PlotTwist.csv" | grep -c .)
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' 'NR>1 && \$3==\"cell-12\"' | wc -l"
    assert_output "$((n - 1))"
}

@test "samples: ImageJ Fluo-4 with a Background column and non-contiguous ROI numbers" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/imagej_fluo4_ionomycin_Fmax_with_background_column.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 560 records in 1 segment, schema trace"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' 'NR==2 {print \$3, \$4, \$6, \$7}'"
    assert_output "Background bg 1 285.921"
}

@test "samples: CellProfiler 4.2.8 per-object table (two intensity channels)" {
    need_samples
    zn-ingest -q --interval 3 -o "$T/o.gz" "$SAMPLES/cellprofiler_4.2.8_per_object_per_frame_GECI_excerpt.csv"
    run zn-view --check "$T/o.gz"
    assert_success
    run bash -c "zn-view -u '$T/o.gz' | grep '^#sample'"
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF_BGS_mt\tF_BGS_other')"
}

@test "samples: Gen5 BCA plate: 96 wells x 3 reads, layout STD/SPL/BLK attached" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/gen5_mock_BCA_endpoint_stdcurve_plate_layout.txt"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 288 records in 1 segment, schema plate"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$2==\"H12\" && \$3==\"[Concentration]\" {print \$4, \$6, \$7}'"
    assert_output "115.184 SPL6:4 0.125"
}

@test "samples: SoftMax Pro UTF-16LE, 3 wavelengths side by side plus reduced values" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/softmaxpro_utf16le_absorbance_endpoint_plate_and_group.txt"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 128 records in 1 segment, schema plate"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$2==\"C3\" {print \$3, \$4}'"
    assert_output "$(printf '230 3.147\n260 0.611\n340 0.97\nreduced -6.064066852367687')"
}

@test "samples: BMG MARS CLARIOstar grid" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/bmg_mars_clariostar_absorbance_plate_grid.csv"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$2==\"H12\" {print \$3, \$4}'"
    assert_output "450 1 0.207"
}

@test "samples: Tecan Spark with BOM: 11 labels x 96 wells, OVER flagged not zero" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/tecan_sparkcontrol_endpoint_list_bom.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 1056 records in 1 segment, schema plate"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$5==\"OVER\" && \$4!=\"\"' | wc -l"
    assert_output "0"
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$5==\"OVER\"' | wc -l"
    [ "$output" -gt 0 ]
}

@test "samples: Tri-Carb comma-delimited report" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/perkinelmer_tricarb_lsc_comma_delimited_report.csv"
    run zn-view --check "$T/o.gz"
    assert_success
    run bash -c "zn-view --tsv '$T/o.gz' | awk -F'\t' '\$1==13 {print \$3, \$4} \$1==5 {print \$7}'"
    assert_output "$(printf 'missing vial\n28 93.9')"
}

@test "samples: Wizard2 gamma counter, 430 tubes" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/perkinelmer_wizard2_2470_gamma_counter_I125_uptake.csv"
    run zn-view --check "$T/o.gz"
    assert_output "$T/o.gz: ok: 430 records in 1 segment, schema counts"
}

@test "samples: Hidex 300 SL records with spectra" {
    need_samples
    zn-ingest -o "$T/o.gz" "$SAMPLES/hidex300sl_lsc_semicolon_records_with_spectra.csv"
    run bash -c "zn-view --tsv '$T/o.gz' | cut -f1-4 | head -3"
    assert_output "$(printf 'position\trepeat\twell\tcpm\n1\t1\tA1\t83.97\n1\t2\tA1\t87.57')"
}

# ---- more bad input: every message checked

@test "a plate file without a grid, a Tecan file without a block, a Hidex file without records" {
    printf 'x\n' > "$T/t.csv"
    run zn-ingest -f bmg "$T/t.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/t.csv: no plate grid found (a header row 1, 2, 3 ... and rows A, B, ...)"
    run zn-ingest -f tecan "$T/t.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/t.csv: no '<>' measurement block found"
    run zn-ingest -f hidex "$T/t.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/t.csv: no 'Sample start' records found"
}

@test "a bad well name in a counter export names the line" {
    printf 'Zn\nSample start\nWName;Z99\nCPM;1\n' > "$T/h.csv"
    run zn-ingest -f hidex "$T/h.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/h.csv:3: \"Z99\" is not a well name (A1..P24)"
}

@test "a layout column may not overwrite an instrument column" {
    printf 'well,flag\nA1,x\nA2,x\nB1,x\nB2,y\n' > "$T/l.csv"
    run zn-ingest --layout "$T/l.csv" "$FIX/bmg.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/l.csv: layout column 'flag' would overwrite the instrument's column of that name (rename it in the layout)"
}

@test "usage errors: --channel twice, unknown --map key, bad --interval, --layout on imaging data" {
    run zn-ingest --channel A "$FIX/fiji_long_cfp.csv" --channel A "$FIX/fiji_long_yfp.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --channel A is given twice"
    run zn-ingest --map foo=bar "$FIX/generic_long.tsv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --map: unknown key 'foo' (cell, t, frame, sample, condition, role, F, F_NAME)"
    run zn-ingest --interval -1 "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --interval: \"-1\" is not a positive number of seconds"
    run zn-ingest --interval 1 --layout "$FIX/layout.csv" "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --layout is for plate and counter data, not imaging tables"
}

@test "a missing time, a fractional frame number, one ROI and measure twice" {
    printf 'Time,c1\n0,1\n,2\n' > "$T/tm.csv"
    run zn-ingest "$T/tm.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/tm.csv:3: column 'Time': the time is missing"
    printf 'Slice,Mean1\n1,1\n1.5,2\n' > "$T/sl.csv"
    run zn-ingest --interval 1 "$T/sl.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/sl.csv:3: column 'Slice': \"1.5\" is not a frame number (1, 2, ...)"
    printf ' ,Mean1,Mean1\n1,2,3\n' > "$T/d.csv"
    run zn-ingest --interval 1 "$T/d.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/d.csv:1: columns 'Mean1' and 'Mean1' are the same ROI and measure"
}

@test "a channel without a cell the first channel has" {
    printf ' ,Label,Mean,Slice\n1,A:c1:x,1,1\n' > "$T/c1.csv"
    printf ' ,Label,Mean,Slice\n1,A:c9:x,1,1\n' > "$T/c9.csv"
    run zn-ingest --interval 1 --channel A "$T/c1.csv" --channel B "$T/c9.csv"
    assert_failure 1
    assert_output "zn-ingest: channel B ($T/c9.csv) has no cell 'c1' of sample 'c1', which channel A has (channels must have the same ROIs and frames)"
}

# ---------------------------------------------------------------- issue 14

tricarb_wide() { # a Tri-Carb report with 70 more columns (named X1..X70, empty) and 5 trailing separators
    printf 'Assay Definition\n\nS#,Count Time,CPMA,DPM1'
    for i in $(seq 70); do printf ',X%d' "$i"; done
    printf ',,,,,\n1,1.00,1200.5,2400'
    for i in $(seq 75); do printf ','; done
    printf '\n'
}

@test "Tri-Carb with 74 columns and trailing separators: every column kept, unnamed empty ones dropped" {
    tricarb_wide > "$T/tw.csv"
    run bash -c "zn-ingest -u --no-provenance '$T/tw.csv' | records"
    assert_success
    assert_line --index 0 "$(printf '#position\tcount_time_min\tcpm\tdpm'; for i in $(seq 70); do printf '\tX%d' "$i"; done)"
    assert_line --index 1 "$(printf '1\t1\t1200.5\t2400'; for i in $(seq 70); do printf '\t'; done)"
}

@test "a counter column without a name but with a value is an error" {
    printf 'S#,CPMA,\n1,5,7\n' > "$T/un.csv"
    run zn-ingest -f tricarb "$T/un.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/un.csv:2: column 3 has no name in the header (line 1) but a value \"7\""
}

@test "Tri-Carb CPMA and CPM would both be cpm: an error naming both" {
    printf 'S#,CPMA,CPM\n1,5,7\n' > "$T/cc.csv"
    run zn-ingest -f tricarb "$T/cc.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/cc.csv:1: columns 'CPMA' and 'CPM' would both be column 'cpm' (keep one of them in the export, or rename one)"
}

@test "Tri-Carb 'Count A' and 'Count-A' would both be Count_A: an error naming both" {
    printf 'S#,CPMA,Count A,Count-A\n1,5,7,8\n' > "$T/ca.csv"
    run zn-ingest -f tricarb "$T/ca.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/ca.csv:1: columns 'Count A' and 'Count-A' would both be column 'Count_A' (keep one of them in the export, or rename one)"
}

@test "Wizard2 with two nuclides' CPM columns: an error naming both and --nuclide" {
    printf 'Protocol ID,Pos,Time,I-125 CPM,Cr-51 CPM\n9,1,60,10,20\n' > "$T/w2.csv"
    run zn-ingest -f wizard "$T/w2.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/w2.csv:1: columns 'I-125 CPM' and 'Cr-51 CPM' count two nuclides, and a counts record holds one cpm: choose one with --nuclide I-125 or --nuclide Cr-51 (a run for each keeps both)"
}

@test "Wizard2 dual-label (Zn-65 and Cd-109): refused without --nuclide, naming the CPM columns and both choices" {
    run zn-ingest -u "$FIX/wizard_dual.csv"
    assert_failure 1
    assert_output "zn-ingest: $FIX/wizard_dual.csv:1: columns 'Zn-65 CPM' and 'Cd-109 CPM' count two nuclides, and a counts record holds one cpm: choose one with --nuclide Zn-65 or --nuclide Cd-109 (a run for each keeps both)"
}

@test "Wizard2 dual-label: --nuclide Cd-109 keeps Cd-109's Counts, CPM, Error % and Info, and says so in ##nuclide" {
    run zn-ingest -u --no-provenance --nuclide Cd-109 "$FIX/wizard_dual.csv"
    assert_success
    assert_output "$(printf '##znr=1\n##schema=counts\n##format=wizard\n##source=wizard_dual.csv\n##nuclide=Cd-109
#position\tprotocol\tcount_date\trun\track\tdetector\tcount_time_min\tsample_code\tcounts\tcpm\tcpm_error_pct\tflag
1\tZnCd dual\t2025-11-28T10:15:02\t81\t1\t1\t1\t\t2230\t2230\t2.12\t
2\tZnCd dual\t2025-11-28T10:15:02\t81\t1\t2\t1\t\t2105\t2105\t2.18\t
3\tZnCd dual\t2025-11-28T10:15:02\t81\t1\t3\t1\t\t18\t18\t23.57\t')"
}

@test "Wizard2 dual-label: --nuclide Zn-65 keeps Zn-65's columns; the two runs concatenate into one counts stream" {
    run bash -c "zn-ingest -u --no-provenance --nuclide Zn-65 '$FIX/wizard_dual.csv' | grep -v '^##'"
    assert_success
    assert_line --index 1 "$(printf '1\tZnCd dual\t2025-11-28T10:15:02\t81\t1\t1\t1\t\t4812\t4812\t1.44\t')"
    assert_line --index 3 "$(printf '3\tZnCd dual\t2025-11-28T10:15:02\t81\t1\t3\t1\t\t41\t41\t15.62\t')"
    zn-ingest -o "$T/zn.gz" --nuclide Zn-65 "$FIX/wizard_dual.csv"
    zn-ingest -o "$T/cd.gz" --nuclide Cd-109 "$FIX/wizard_dual.csv"
    cat "$T/zn.gz" "$T/cd.gz" > "$T/both.gz"
    run zn-view --check "$T/both.gz"
    assert_success
}

@test "--nuclide that the file does not count, with --meta nuclide=, or on other data: usage errors" {
    run zn-ingest -u --nuclide I-125 "$FIX/wizard_dual.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --nuclide I-125: $FIX/wizard_dual.csv has no columns of that nuclide (its nuclides: Zn-65, Cd-109)"
    run zn-ingest -u --nuclide Zn-65 --meta nuclide=Zn-65 "$FIX/wizard_dual.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --nuclide and --meta nuclide=: give the nuclide once (--nuclide)"
    run zn-ingest -u --nuclide Zn-65 "$FIX/hidex.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --nuclide is for Wizard2 counter exports (the nuclides' columns of one file), not hidex"
    run zn-ingest -u --nuclide Zn-65 --interval 2 "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --nuclide is for Wizard2 counter exports, not imaging tables"
}

@test "Wizard2 with three nuclides: refused, listing them; a single-nuclide file takes --nuclide of its own nuclide" {
    printf 'Protocol ID,Pos,Time,I-125 CPM,Cr-51 CPM,Zn-65 Counts\n9,1,60,10,20,30\n' > "$T/w3.csv"
    run zn-ingest -u "$T/w3.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/w3.csv:1: columns 'I-125 CPM', 'Cr-51 CPM', ... count 3 nuclides (I-125, Cr-51, Zn-65), and a counts record holds one cpm: choose one with --nuclide NAME (a run for each keeps them all)"
    run bash -c "zn-ingest -u --no-provenance --nuclide Zn-65 '$FIX/wizard.csv' | grep -v '^##'"
    assert_success
    assert_line --index 1 "$(printf '1\tZn uptake\t2025-03-06T12:42:48\t77\t1\t1\t1\t\t1500\t1500\t2.58\t')"
}

@test "a Slice of 1e300 is out of range, not a frame 9223372036854775807" {
    printf 'Slice,Mean1\n1,1\n1e300,2\n' > "$T/sl.csv"
    run zn-ingest --interval 1 "$T/sl.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/sl.csv:3: column 'Slice': \"1e300\" is out of range: frame numbers go up to 2147483648"
}

@test "a Fiji Measure long table with Slice 1e300 is out of range" {
    printf ' ,Label,Mean,Slice\n1,a:c1:x,1,1e300\n' > "$T/ll.csv"
    run zn-ingest --interval 1 "$T/ll.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/ll.csv:2: column 'Slice': \"1e300\" is out of range: frame numbers go up to 2147483648"
}

@test "a time that overflows once converted to seconds is an error" {
    printf 'Time (min),Mean1\n0,1\n1e307,2\n' > "$T/tm.csv"
    run zn-ingest "$T/tm.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/tm.csv:3: column 'Time (min)': \"1e307\" is out of range once converted to the output's unit"
}

@test "--interval 1e308 with frame 2 would be beyond a double: an error" {
    run zn-ingest --interval 1e308 "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --interval 1e+308: frame 2 would be at a time beyond the range of a double (about 1.8e308 s)"
}

@test "1e400 in a value says it is out of range" {
    printf ' ,Mean1\n1,1e400\n' > "$T/big.csv"
    run zn-ingest --interval 1 "$T/big.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/big.csv:2: column 'Mean1': \"1e400\" is out of range (a double holds magnitudes from about 2.2e-308 to 1.8e308)"
}

@test "1e400 in a counter value says it is out of range" {
    printf 'S#,CPMA\n1,1e400\n' > "$T/cb.csv"
    run zn-ingest -f tricarb "$T/cb.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/cb.csv:2: column 'cpm': \"1e400\" is out of range (a double holds magnitudes from about 2.2e-308 to 1.8e308)"
}

@test "--channel: times of one frame that differ (99 s and 10 s) are an error naming cell, frame and times" {
    printf 'Time,Mean1\n0,1\n10,2\n' > "$T/cfp.csv"
    printf 'Time,Mean1\n0,3\n99,4\n' > "$T/yfp.csv"
    run zn-ingest -u --channel CFP "$T/cfp.csv" --channel YFP "$T/yfp.csv"
    assert_failure 1
    assert_output "zn-ingest: cell '1' frame 1: channel CFP ($T/cfp.csv) is at t = 10 s, channel YFP ($T/yfp.csv) at t = 99 s (channels of one frame must be taken at the same time)"
}

@test "--channel: channels taken one after the other within a frame join; t is the first channel's" {
    printf 'Time,Mean1\n0,1\n10,2\n' > "$T/cfp.csv"
    printf 'Time,Mean1\n0.4,3\n10.4,4\n' > "$T/yfp.csv"
    run bash -c "zn-ingest -u --no-provenance --sample s --channel CFP '$T/cfp.csv' --channel YFP '$T/yfp.csv' | records"
    assert_success
    assert_output "$(printf '#sample\tcondition\tcell\trole\tframe\tt\tF_CFP\tF_YFP
s\t\t1\tcell\t0\t0\t1\t3
s\t\t1\tcell\t1\t10\t2\t4')"
}

@test "--channel: a channel 5 s off in a 10 s series (half the frame gap) is an error" {
    printf 'Time,Mean1\n0,1\n10,2\n' > "$T/cfp.csv"
    printf 'Time,Mean1\n5,3\n15,4\n' > "$T/yfp.csv"
    run zn-ingest -u --channel CFP "$T/cfp.csv" --channel YFP "$T/yfp.csv"
    assert_failure 1
    assert_output "zn-ingest: cell '1' frame 0: channel CFP ($T/cfp.csv) is at t = 0 s, channel YFP ($T/yfp.csv) at t = 5 s (channels of one frame must be taken at the same time)"
}

@test "--channel: one channel with a time column and one without is an error" {
    printf 'Time,Mean1\n0,1\n10,2\n' > "$T/cfp.csv"
    run zn-ingest -u --interval 10 --channel CFP "$T/cfp.csv" --channel YFP "$FIX/fiji_long_yfp.csv"
    assert_failure 1
    assert_output "zn-ingest: channel YFP ($FIX/fiji_long_yfp.csv) has no time column, channel CFP ($T/cfp.csv) has one: give all channels a time column, or none (and --interval)"
}

wizard_dates() { # Wizard2 rows with the given dates
    printf 'Protocol ID,Measurement date & time,Pos,Time,Zn-65 CPM\n'
    local i=1
    for d in "$@"; do printf '9,%s,%d,60,100\n' "$d" "$i"; i=$((i + 1)); done
}

@test "Wizard2: a date like 05/11/2025 alone needs --date-order" {
    wizard_dates "05/11/2025 12:42:48" > "$T/wd.csv"
    run zn-ingest "$T/wd.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: $T/wd.csv:2: the date \"05/11/2025 12:42:48\" can be day/month or month/day, and no date in the file settles it (none has a day above 12): give --date-order dmy or --date-order mdy"
}

@test "Wizard2: --date-order dmy reads 05/11/2025 as 5 November" {
    wizard_dates "05/11/2025 12:42:48" > "$T/wd.csv"
    run bash -c "zn-ingest -u --no-provenance --date-order dmy '$T/wd.csv' | records | cut -f2"
    assert_success
    assert_output "$(printf 'count_date\n2025-11-05T12:42:48')"
}

@test "Wizard2: --date-order mdy reads 05/11/2025 as 11 May" {
    wizard_dates "05/11/2025 12:42:48" > "$T/wd.csv"
    run bash -c "zn-ingest -u --no-provenance --date-order mdy '$T/wd.csv' | records | cut -f2"
    assert_success
    assert_output "$(printf 'count_date\n2025-05-11T12:42:48')"
}

@test "Wizard2: a day above 12 elsewhere in the file settles the order; 12-hour clock read" {
    wizard_dates "05/11/2025 11:59:00 PM" "11/13/2025 12:10:00 AM" > "$T/wd.csv"
    run bash -c "zn-ingest -u --no-provenance '$T/wd.csv' | records | cut -f2"
    assert_success
    assert_output "$(printf 'count_date\n2025-05-11T23:59:00\n2025-11-13T00:10:00')"
}

@test "Wizard2: dates that disagree on the order are an error naming both" {
    wizard_dates "13/11/2025 10:00:00" "11/13/2025 10:00:00" > "$T/wd.csv"
    run zn-ingest "$T/wd.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/wd.csv: the dates disagree: line 2 \"13/11/2025 10:00:00\" is day/month/year, line 3 \"11/13/2025 10:00:00\" is month/day/year"
}

@test "Wizard2: --date-order that the file contradicts is an error" {
    wizard_dates "13/11/2025 10:00:00" > "$T/wd.csv"
    run zn-ingest --date-order mdy "$T/wd.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/wd.csv:2: \"13/11/2025 10:00:00\" can only be day/month/year, but --date-order mdy was given"
}

@test "Wizard2: an impossible date 2025-30-11 is an error" {
    wizard_dates "2025-30-11 10:00:00" > "$T/wd.csv"
    run zn-ingest "$T/wd.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/wd.csv:2: column 'Measurement date & time': \"2025-30-11 10:00:00\" is not a possible date (year-month-day)"
}

@test "Wizard2: 29 February of a year that is not a leap year is an error; a leap year's is read" {
    wizard_dates "2025-02-29 10:00:00" > "$T/wd.csv"
    run zn-ingest "$T/wd.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/wd.csv:2: column 'Measurement date & time': \"2025-02-29 10:00:00\" is not a possible date (year-month-day)"
    wizard_dates "2024-02-29 10:00:00" > "$T/wl.csv"
    run bash -c "zn-ingest -u --no-provenance '$T/wl.csv' | records | cut -f2"
    assert_output "$(printf 'count_date\n2024-02-29T10:00:00')"
}

@test "Wizard2: a date field that is not a date is an error" {
    wizard_dates "yesterday" > "$T/wd.csv"
    run zn-ingest "$T/wd.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/wd.csv:2: column 'Measurement date & time': \"yesterday\" is not a date (YYYY-MM-DD hh:mm:ss, or DD/MM/YYYY or MM/DD/YYYY with --date-order)"
}

@test "Hidex: an impossible date 31/02/2025 is an error" {
    sed 's#30/11/2025 08:46:00#31/02/2025 08:46:00#' "$FIX/hidex.csv" > "$T/h.csv"
    run zn-ingest "$T/h.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/h.csv:25: column 'EndTime': \"31/02/2025 08:46:00\" is not a possible date (read as day/month/year)"
}

@test "Hidex: dates that do not settle day/month need --date-order" {
    sed 's#30/11/2025#05/11/2025#' "$FIX/hidex.csv" > "$T/h.csv"
    run zn-ingest "$T/h.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: $T/h.csv:12: the date \"05/11/2025 08:44:20\" can be day/month or month/day, and no date in the file settles it (none has a day above 12): give --date-order dmy or --date-order mdy"
}

@test "--bg 99 (no such ROI) is an error naming the ROIs there are" {
    run zn-ingest --interval 1 --bg 99 "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --bg 99: $FIX/fiji_wide.csv has no ROI of that name (its ROIs: 1, 2, 3)"
}

@test "--bg on counter data is a usage error" {
    run zn-ingest --bg 1 "$FIX/tricarb.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --interval, --channel, --map and --bg are for imaging tables"
}

@test "--date-order on imaging data is a usage error" {
    run zn-ingest --interval 1 --date-order dmy "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --date-order is for counter data, not imaging tables"
}

@test "--sample beginning with # is refused: its records would read as header lines" {
    run zn-ingest --interval 1 --sample '#dish' "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --sample \"#dish\" begins with '#', which would make its records read as header lines: choose another name"
}

@test "a file named #dish.csv: the sample name from it is refused, --sample named" {
    cp "$FIX/fiji_wide.csv" "$T/#dish.csv"
    run zn-ingest --interval 1 "$T/#dish.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: the sample name \"#dish\" (from the file name $T/#dish.csv) begins with '#', which would make its records read as header lines: give --sample NAME"
    run bash -c "zn-ingest -u --no-provenance --interval 1 --sample dish '$T/#dish.csv' | records | sed -n 2p"
    assert_output "$(printf 'dish\t\t1\tcell\t0\t0\t100')"
}

@test "a sample beginning with # in a long table names line and column; a cell may begin with #" {
    printf 'dish,cell,t,F\nd1,c1,0,1\n#d2,c2,0,2\n' > "$T/h.csv"
    run zn-ingest --map sample=dish,cell=cell,t=t,F=F "$T/h.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/h.csv:3: column 'dish': sample \"#d2\" begins with '#', which would make its records read as header lines (rename it in the file)"
    printf 'cell,t,F\nc1,0,1\n#c2,0,2\n' > "$T/c.csv"
    run bash -c "zn-ingest -u --no-provenance --map cell=cell,t=t,F=F '$T/c.csv' | records | cut -f3 | tail -1"
    assert_success
    assert_output "#c2"
}

@test "a wide header with 200,000 ROIs is read, every ROI a cell (its speed: bench/ingest.sh, 11.1 s -> 0.43 s)" {
    # a timed assertion would fail on a loaded machine, so speed is measured by
    # make bench; the timeout only catches a hang
    awk 'BEGIN { printf " "; for (i = 1; i <= 200000; i++) printf ",Mean%d", i; printf "\n";
                 for (r = 1; r <= 2; r++) { printf "%d", r; for (i = 1; i <= 200000; i++) printf ",%d", i; printf "\n" } }' > "$T/w.csv"
    run timeout 300 zn-ingest -u --interval 1 -o "$T/w.znr" "$T/w.csv"
    assert_success
    run bash -c "grep -vc '^#' '$T/w.znr'"
    assert_output 400000
}

@test "a wide table is held as its values: peak memory within 2x the input" {
    [ -x /usr/bin/time ] || skip "no /usr/bin/time"
    case "$ZN_BIN" in *san*) skip "sanitizer build: memory is not the program's" ;; esac
    awk 'BEGIN { srand(1); printf " "; for (i = 1; i <= 400; i++) printf ",Mean%d", i; printf "\n";
                 for (r = 1; r <= 2000; r++) { printf "%d", r; for (i = 1; i <= 400; i++) printf ",%.1f", 100 + 900 * rand(); printf "\n" } }' > "$T/w.csv"
    /usr/bin/time -f '%M' -o "$T/rss" zn-ingest -u --interval 1 -o "$T/w.znr" "$T/w.csv"
    size_kb=$(( $(stat -c %s "$T/w.csv") / 1024 ))
    base_kb=$(/usr/bin/time -f '%M' zn-ingest --version 2>&1 >/dev/null | tail -1)
    rss_kb=$(tail -1 "$T/rss")
    echo "input ${size_kb} KiB, peak ${rss_kb} KiB, baseline ${base_kb} KiB" >&3
    [ "$rss_kb" -le $(( base_kb + 2 * size_kb )) ]
}

@test "a UTF-16 table is read with one copy of its raw bytes: peak within 2.5x the UTF-16 file" {
    # the decoder still holds the raw text beside the UTF-8 one (about 2x);
    # a copy of the whole raw text into the line buffer made it 3x
    [ -x /usr/bin/time ] || skip "no /usr/bin/time"
    command -v iconv > /dev/null || skip "no iconv"
    case "$ZN_BIN" in *san*) skip "sanitizer build: memory is not the program's" ;; esac
    awk 'BEGIN { srand(1); printf " "; for (i = 1; i <= 400; i++) printf ",Mean%d", i; printf "\n";
                 for (r = 1; r <= 2000; r++) { printf "%d", r; for (i = 1; i <= 400; i++) printf ",%.1f", 100 + 900 * rand(); printf "\n" } }' > "$T/w8.csv"
    { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$T/w8.csv"; } > "$T/w.csv"
    /usr/bin/time -f '%M' -o "$T/rss" zn-ingest -u --interval 1 -o "$T/w.znr" "$T/w.csv"
    zn-ingest -u --interval 1 -o "$T/w8.znr" --sample w "$T/w8.csv"
    cmp <(grep -v '^##' "$T/w.znr") <(grep -v '^##' "$T/w8.znr")
    size_kb=$(( $(stat -c %s "$T/w.csv") / 1024 ))
    base_kb=$(/usr/bin/time -f '%M' zn-ingest --version 2>&1 >/dev/null | tail -1)
    rss_kb=$(tail -1 "$T/rss")
    echo "UTF-16 input ${size_kb} KiB, peak ${rss_kb} KiB, baseline ${base_kb} KiB" >&3
    [ "$rss_kb" -le $(( base_kb + 5 * size_kb / 2 )) ]
}

@test "measured values pass through as they came (17 digits); times converted to seconds get 15 digits" {
    # in doubles 0.03 * 60 = 1.7999999999999998 and 0.13 * 60 = 7.800000000000001 (python3: 0.03 * 60)
    printf 'Time (min),Mean1\n0.03,0.0022457077266493774\n0.13,1.50\n' > "$T/p.csv"
    run bash -c "zn-ingest -u --no-provenance '$T/p.csv' | records | cut -f5-"
    assert_success
    assert_output "$(printf 'frame\tt\tF\n0\t1.8\t0.0022457077266493774\n1\t7.8\t1.5')"
}

@test "measured counter values pass through as they came; seconds to minutes get 15 digits" {
    printf 'Protocol ID,Pos,Time,Zn-65 CPM\n9,1,100,1500.1234567890123\n' > "$T/w.csv"
    run bash -c "zn-ingest -u --no-provenance '$T/w.csv' | records | cut -f2-"
    assert_success
    assert_output "$(printf 'count_time_min\tcpm\n1.66666666666667\t1500.1234567890124')"
}

@test "--interval 1e400 says it is out of range" {
    run zn-ingest --interval 1e400 "$FIX/fiji_wide.csv"
    assert_failure 2
    assert_line --index 0 "zn-ingest: --interval: \"1e400\" is out of range (a double holds magnitudes from about 2.2e-308 to 1.8e308)"
}

@test "Wizard2: a short first data row is a ragged row (the fuzzers read past it)" {
    printf 'Protocol ID,Rack,Pos,Zn-65 CPM\r\n1\r\n2,1,1,300\r\n' > "$T/ws.csv"
    run zn-ingest -f wizard "$T/ws.csv"
    assert_failure 1
    assert_output "zn-ingest: $T/ws.csv:2: ragged row: 1 fields, the header has 4"
}

@test "UTF-16 (big- and little-endian, CRLF) reads the same records as UTF-8" {
    { printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE "$FIX/fiji_wide.csv"; } > "$T/be.csv"
    { printf '\xff\xfe'; sed 's/$/\r/' "$FIX/fiji_wide.csv" | iconv -f UTF-8 -t UTF-16LE; } > "$T/le.csv"
    zn-ingest -u --no-provenance --interval 2 --sample x "$FIX/fiji_wide.csv" | records > "$T/utf8.txt"
    run bash -c "zn-ingest -u --no-provenance --interval 2 --sample x '$T/be.csv' | records | diff - '$T/utf8.txt'"
    assert_success
    run bash -c "zn-ingest -u --no-provenance --interval 2 --sample x '$T/le.csv' | records | diff - '$T/utf8.txt'"
    assert_success
}
