#!/usr/bin/env bats
# The fuzz corpus and every reproducer of a fixed crash, replayed through
# the programs under test (make check SANITIZE=1: the sanitizer build):
# each input ends with status 0, 1 or 2, within seconds, with no sanitizer
# report.  tests/fuzz/README says how the corpus is made.
load helper

replay() {
    run "$ZN_TOP/tests/fuzz/replay.sh" "$1"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"replayed "*" inputs, 0 failed" ]]
}

@test "fuzz corpus: znr (zn-view --check, plain and damaged gzip)" { replay znr; }
@test "fuzz corpus: znr_gz (zn-view on gzipped input)" { replay znr_gz; }
@test "fuzz corpus: ingest (zn-ingest: plates, counters, tables with times)" { replay ingest; }
@test "fuzz corpus: ingest_img (zn-ingest --interval: imaging tables)" { replay ingest_img; }
@test "fuzz corpus: report (zn-report tables and HTML page)" { replay report; }
@test "fuzz corpus: mmfit (zn-mm-fit with curves)" { replay mmfit; }
@test "fuzz corpus: axis (zn_axis: ticks for any range)" { replay axis; }

@test "fuzz replay: every target has a corpus and a line in targets" {
    for d in "$ZN_TOP"/tests/fuzz/corpus/*/; do
        t=$(basename "$d")
        grep -q "^$t " "$ZN_TOP/tests/fuzz/targets"
        grep -q "replay $t;" "$BATS_TEST_FILENAME"
    done
}

@test "fuzz replay: fails on a bad status, a hang and a sanitizer report" {
    mkdir -p "$T/bin" "$T/fz/corpus/znr"
    cp "$ZN_TOP/tests/fuzz/targets" "$T/fz/"
    cp "$FIX/bleach.znr" "$T/fz/corpus/znr/"
    for case in 'exit 3' 'sleep 30' 'echo "x.c:1:2: runtime error: signed integer overflow" >&2; exit 1'; do
        printf '#!/bin/bash\n%s\n' "$case" > "$T/bin/zn-view"
        chmod +x "$T/bin/zn-view"
        ZN_BIN="$T/bin" ZN_FUZZ_DIR="$T/fz" ZN_FUZZ_TIMEOUT=1 run "$ZN_TOP/tests/fuzz/replay.sh" znr
        [ "$status" -eq 1 ]
        [[ $output == *"FAIL znr corpus/znr/"* ]]
        [[ $output != *", 0 failed"* ]]
    done
    printf '#!/bin/bash\nexit 2\n' > "$T/bin/zn-view"
    ZN_BIN="$T/bin" ZN_FUZZ_DIR="$T/fz" run "$ZN_TOP/tests/fuzz/replay.sh" znr
    [ "$status" -eq 0 ]
    [[ $output == *"replayed 1 inputs, 0 failed" ]]
}
