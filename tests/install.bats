#!/usr/bin/env bats
# The first hour of a new user: `make demo` on a bare machine (simulated:
# pkg-config, dpkg-query and apt-get of tests/bare/ play a Debian without
# zlib, GSL and libcsv until apt-get has "installed" them), and an
# installed toolkit (make install into a temporary prefix, znflow there).

load helper

# a copy of the source tree as a fresh clone has it (no build/, no demo-out/)
tree() {
    mkdir -p "$1"
    tar -C "$ZN_TOP" --exclude=./build --exclude=./build-san --exclude=./demo-out --exclude=./.git \
        --exclude='./tests/*.log' -cf - . | tar -C "$1" -xf -
}
# a bare machine for what follows: the fakes first on PATH
bare() {
    export BARE="$T/bare" BARE_PATH="$PATH"
    mkdir -p "$BARE"
    export PATH="$ZN_TOP/tests/bare:$PATH"
}

@test "bare machine: make demo installs the libraries, then builds and runs the demo, the first time" {
    tree "$T/src"
    bare
    run make -C "$T/src" --no-print-directory demo
    [ "$status" = 0 ] || fail "make demo failed the first time (status $status): $output"
    [ -s "$T/src/demo-out/report.html" ]
    assert_output --partial "cells calibrated: 86 of 90"
    # one line per step, apt-get's own output in the log only
    assert_line --regexp "^znflow: installing zlib1g-dev libdeflate-dev libcsv-dev libgsl-dev \(apt-get; log in .*build/deps.log\)$"
    assert_line "znflow: installed 4 packages"
    refute_output --partial "Get:"
    grep -q "Get:40" "$T/src/build/deps.log"
    # the demo's packages only: no browser, no test tools
    grep -q " install .*libgsl-dev" "$BARE/apt.log"
    run grep -E "chromium|bats|parallel|pandas|r-base" "$BARE/apt.log"
    assert_failure
}

@test "bare machine: apt-get failing stops make demo with the end of its log, before any compiling" {
    tree "$T/src"
    bare
    touch "$BARE/fail"
    run make -C "$T/src" --no-print-directory demo
    assert_failure
    assert_output --partial "znflow: apt-get failed; the end of $T/src/build/deps.log:"
    assert_output --partial "  E: Unable to locate package libgsl-dev"
    refute_output --partial "gcc"
    [ ! -e "$T/src/build/bin" ]
}

@test "bare machine: make without the libraries says in one line what to do; not root: the apt-get command" {
    tree "$T/src"
    bare
    run make -C "$T/src" --no-print-directory -j2
    assert_failure
    assert_output --partial "znflow: pkg-config finds no zlib and GSL: run 'make deps'"
    refute_output --partial "undefined reference"
    touch "$BARE/user"
    run make -C "$T/src" --no-print-directory demo
    assert_failure
    assert_line "znflow: missing Debian packages; install them with:  sudo apt-get install zlib1g-dev libdeflate-dev libcsv-dev libgsl-dev"
    refute_output --partial gcc
    [ ! -e "$BARE/apt.log" ]
}

@test "deps.sh: make demo asks for the build only, make check adds the test tools (R, pandas included)" {
    run "$ZN_TOP/tools/deps.sh" list demo
    assert_success
    refute_line chromium
    refute_line bats
    assert_line libgsl-dev
    run "$ZN_TOP/tools/deps.sh" list check
    for p in gcc libgsl-dev bats bats-assert chromium parallel python3-pandas r-base-core r-cran-data.table; do
        assert_line "$p"
    done
    run "$ZN_TOP/tools/deps.sh" bogus
    assert_failure 2
    # CI installs through the same list
    grep -q '^tools/deps.sh check' "$ZN_TOP/.ci/run"
}
