#!/bin/bash
# Run every test suite (C unit tests and bats), TAP on stdout, and end with
# "N passed, N failed".  Exit 1 if anything failed.
set -u
: "${ZN_BIN:?ZN_BIN must name the directory of the programs}"
: "${ZN_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
export ZN_BIN ZN_TOP
out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
    echo "# unit tests of libzn"
    "$ZN_BIN/unit-tests" 2>&1
    echo "# bats suites"
    bats --tap "$ZN_TOP"/tests/*.bats 2>&1
} | tee "$out"
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
skip=$(grep -c '^ok .* # skip' "$out")
[ "$skip" -eq 0 ] || echo "# $skip skipped (the reasons are in the TAP lines above)"
echo "$((pass - skip)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
