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
    assert_output --regexp "FluoZin-3 .*cells calibrated: [0-9]+ of [0-9]+"
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
    for p in gcc libgsl-dev bats bats-assert chromium parallel python3-pandas python3-scipy r-base-core r-cran-data.table; do
        assert_line "$p"
    done
    run "$ZN_TOP/tools/deps.sh" bogus
    assert_failure 2
    # CI installs through the same list
    grep -q '^tools/deps.sh check' "$ZN_TOP/.ci/run"
}

# ---- an installed toolkit: make install into a temporary prefix, then use
# it from another folder with only PREFIX/bin and the system folders on PATH
install_to() { make -s -C "$ZN_TOP" --no-print-directory install PREFIX="$1" BUILD="${ZN_BIN%/bin}" SANITIZE="${ZN_SANITIZE:-}" > "$T/install.log" 2>&1 || { cat "$T/install.log"; return 1; }; }
# run a command as a user with a clean environment would
as_user() { (cd "$T/work" && env -i HOME="$T" LC_ALL=C PATH="$T/p/bin:/usr/bin:/bin" bash -c "$1"); }

@test "make install PREFIX: programs, znflow, man pages, pipelines, parameters, example data; make uninstall removes them" {
    install_to "$T/p"
    for p in "$ZN_BIN"/zn-* znflow; do
        [ -x "$T/p/bin/${p##*/}" ] || fail "no ${p##*/} in PREFIX/bin"
    done
    for f in man1/znflow.1 man1/zn-ingest.1 man5/znr.5 man7/znflow.7; do [ -s "$T/p/share/man/$f" ] || fail "no $f"; done
    for f in pipelines/fluozin3.sh pipelines/params.conf pipelines/Makefile pipelines/slurm/submit.sh \
             examples/manifest.tsv examples/fluozin3/dish1.csv examples/truth/uptake.tsv tools/demo.sh schemas/sensors.tsv; do
        [ -s "$T/p/share/znflow/$f" ] || fail "no share/znflow/$f"
    done
    # the man page reads
    run env LC_ALL=C.UTF-8 MANWIDTH=80 groff -ww -man -Tutf8 -P-cbou "$T/p/share/man/man1/znflow.1"
    assert_output --partial "znflow run [-o DIR]"
    make -s -C "$ZN_TOP" --no-print-directory uninstall PREFIX="$T/p"
    run find "$T/p" -type f
    assert_output ""
}

@test "installed znflow: --help, --version, demo, run with -e, from any folder, with only PREFIX/bin on PATH" {
    install_to "$T/p"
    mkdir -p "$T/work"
    run as_user "znflow --version"
    assert_success
    assert_output --regexp '^znflow [0-9]+\.[0-9]+\.[0-9]+$'
    run as_user "znflow --help"
    assert_success
    assert_output --partial "znflow run [-o DIR] [-e EXPERIMENT]..."
    run as_user "znflow bogus"
    assert_failure 2
    assert_output --partial "znflow: unknown command 'bogus'"
    run as_user "znflow demo -o d"
    assert_success
    assert_output --regexp "FluoZin-3 .*cells calibrated: [0-9]+ of [0-9]+"
    [ -s "$T/work/d/report.html" ]
    [ -s "$T/work/d/uptake-65zn/report.html" ]
    # a manifest of the user's own, in their folder, inputs relative to it
    cp -r "$T/p/share/znflow/examples" "$T/work/data"
    run as_user "znflow run -o r -e dish2 -e zn data/manifest.tsv"
    assert_success
    [ -s "$T/work/r/fluozin3/dish2.zn.znr.gz" ]
    [ -s "$T/work/r/fluozin3/report.html" ]
    [ -s "$T/work/r/uptake-65zn/zn.fit.znr.gz" ]
    [ -s "$T/work/r/uptake-65zn/report.html" ]
    [ ! -e "$T/work/r/er-fret-zip7" ]
    [ ! -e "$T/work/r/fluozin3/dish1.zn.znr.gz" ]
    # the installed programs made them
    zn-view -u "$T/work/r/fluozin3/dish2.zn.znr.gz" | grep -q '^##pg=zn-ingest'
    run as_user "znflow run -o r -e nope data/manifest.tsv"
    assert_failure 1
    assert_output "znflow: data/manifest.tsv: no experiment named 'nope'"
    # the examples of znflow(1) run as written
    sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$T/p/share/man/man1/znflow.1" | sed -n '1,/^\.EE/p' | sed -n '/^\.EX/,/^\.EE/p' |
        grep -v '^\.E[XE]' | sed 's/\\-/-/g' > "$T/ex.txt"
    [ "$(wc -l < "$T/ex.txt")" = 3 ]
    while IFS= read -r c; do
        run as_user "$c"
        [ "$status" = 0 ] || fail "znflow(1) example failed: $c: $output"
    done < "$T/ex.txt"
}

@test "installed znflow: make, parallel and merge; the whole manifest equals the serial scripts" {
    install_to "$T/p"
    mkdir -p "$T/work"
    cp -r "$T/p/share/znflow/examples" "$T/work/data"
    run as_user "znflow make -s MANIFEST=data/manifest.tsv OUT=m -j2"
    assert_success
    [ -s "$T/work/m/er-fret-zip7/report.html" ]
    run as_user "znflow make MANIFEST=data/manifest.tsv OUT=m"
    assert_output --partial "Nothing to be done"
    if parallel --version 2>/dev/null | grep -q "GNU parallel"; then
        run as_user "znflow parallel -j 2 data/manifest.tsv p"
        assert_success
        [ -s "$T/work/p/uptake-65zn/all.fit.znr.gz" ]
        [ -s "$T/work/p/uptake-65zn/report.html" ]
        run as_user "znflow merge p"
        assert_success
        cmp <(zn-view --tsv "$T/work/p/uptake-65zn/all.fit.znr.gz" | sort) <(zn-view --tsv "$T/work/m/uptake-65zn/"{zn,cd}.fit.znr.gz | sort)
    fi
}

@test "demo.sh: without programs one line says what to do; the pipelines use the programs it is given" {
    run "$ZN_TOP/tools/demo.sh" "$T/none" "$T/d"
    assert_failure 1
    assert_output "demo.sh: no zn-ingest in $T/none: build the programs first (make), or give their folder"
    # a folder of wrappers that log each call: the demo's pipelines go through them
    mkdir -p "$T/wrap"
    for p in "$ZN_BIN"/zn-*; do
        printf '#!/bin/sh\necho "%s" >> "%s"\nexec "%s" "$@"\n' "${p##*/}" "$T/calls" "$p" > "$T/wrap/${p##*/}"
        chmod +x "$T/wrap/${p##*/}"
    done
    run env -u ZNFLOW_BIN "$ZN_TOP/tools/demo.sh" "$T/wrap" "$T/d"
    assert_success
    grep -qx zn-calibrate "$T/calls"
    grep -qx zn-mm-fit "$T/calls"
}
