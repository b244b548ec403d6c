#!/usr/bin/env bats
# pipelines/: the protocol scripts, the Makefile analysis, GNU parallel and a
# real single-node SLURM (started here as ../shared/SLURM.md describes) all
# give the same results; the Makefile rebuilds only what changed; failures
# leave no half-written result.

load helper

P="$ZN_TOP/pipelines"

# a private copy of the bundled examples (the tests edit inputs)
examples() { cp -r "$ZN_TOP/examples" "$T/ex"; }
# the report's tables without the inputs table (file names differ by design)
tables() { zn-report --format tsv "$@" | awk '/^## inputs/ { skip = 1; next } /^## / { skip = 0 } !skip'; }
# data and meta of a stream, without provenance and file paths
body() { zn-view -u "$1" | grep -v -e '^##pg=' -e '^##protein='; }

@test "protocol scripts: results for every experiment, reports, no leftovers in .tmp" {
    for p in fluozin3 er-fret-zip7 uptake-65zn; do
        run "$P/$p.sh" -o "$T/s/$p"
        assert_success
        [ -s "$T/s/$p/report.html" ]
        [ -s "$T/s/$p/report.txt" ]
    done
    for f in fluozin3/dish{1,2,3,4}.{zn,metrics} er-fret-zip7/{ctrl,nvs}{1,2,3}.{zn,metrics} uptake-65zn/{zn,cd}.{bca,uptake,fit,curve}; do
        zn-view --check "$T/s/$f.znr.gz"
    done
    run find "$T/s" -name '.tmp*'
    assert_output ""
    # plain streams between the filters, compressed results at the end
    run grep -c 'zn-background -u' "$P/fluozin3.sh"
    assert_output 1
    gzip -t "$T/s/fluozin3/dish1.zn.znr.gz"
}

@test "protocol scripts: -e runs one experiment; bad manifests and options are named" {
    run "$P/fluozin3.sh" -o "$T/o" -e dish2 --no-report
    assert_success
    run ls "$T/o"
    assert_output "dish2.metrics.znr.gz
dish2.zn.znr.gz"
    run "$P/fluozin3.sh" -o "$T/o" -e dish9
    assert_failure 1
    assert_output --partial "no fluozin3 experiment named 'dish9'"
    run "$P/fluozin3.sh" --bogus
    assert_failure 2
    assert_output --partial "unknown option --bogus"
    printf 'name\tfile\n' > "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/m.tsv"
    assert_failure 1
    assert_output --partial "the header must be: experiment, protocol, condition, inputs, options"
    examples
    rm "$T/ex/er-fret/nvs2_YFP.csv"
    run "$P/er-fret-zip7.sh" -o "$T/o2" "$T/ex/manifest.tsv"
    assert_failure 1
    assert_output --partial "experiment nvs2: cannot read $T/ex/er-fret/nvs2_YFP.csv"
}

@test "pipelines: the other usage and data errors, each with its message" {
    m="$ZN_TOP/examples/manifest.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/none.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: cannot read the manifest $T/none.tsv"
    run "$P/fluozin3.sh" -o
    assert_failure 2
    assert_output --partial "fluozin3.sh: -o needs a folder"
    run "$P/fluozin3.sh" -e
    assert_failure 2
    assert_output --partial "fluozin3.sh: -e needs an experiment"
    run "$P/fluozin3.sh" "$m" "$m"
    assert_failure 2
    assert_output --partial "fluozin3.sh: one manifest only"
    # a manifest without rows of this protocol
    { head -n 1 "$m"; grep -P '^nvs1\t' "$m"; } | sed "s#\ter-fret/#\t$ZN_TOP/examples/er-fret/#; s#,er-fret/#,$ZN_TOP/examples/er-fret/#" > "$T/er.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/er.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/er.tsv: no fluozin3 experiments"
    # rows with too few inputs: every script checks the whole manifest
    { head -n 1 "$m"; grep -P '^nvs1\t' "$m" | sed 's/,er-fret\/nvs1_YFP.csv//'
      grep -P '^cd\t' "$m" | sed 's/,uptake-65zn\/cd_bca_layout.csv//'; } > "$T/ex.tsv"
    for s in fluozin3 er-fret-zip7 uptake-65zn; do
        run "$P/$s.sh" -o "$T/o" "$T/ex.tsv"
        assert_failure 1
        assert_output "$s.sh: $T/ex.tsv:2: experiment nvs1: 1 inputs: give two inputs, the donor (CFP) and acceptor (YFP) exports
$s.sh: $T/ex.tsv:3: experiment cd: 3 inputs: give four inputs: counter export, its layout, BCA plate, its layout"
    done
    # znflow-run: an unknown protocol, usage; znflow-merge with nothing to merge
    { head -n 1 "$m"; printf 'x1\tfura2\tctl\tx.csv\t\n'; } > "$T/fura.tsv"
    run "$P/znflow-run" -o "$T/r" "$T/fura.tsv" 1
    assert_failure 1
    assert_output "znflow-run: $T/fura.tsv:2: experiment x1: unknown protocol 'fura2' (known: fluozin3, er-fret-zip7, uptake-65zn, er-ic50)"
    run "$P/znflow-run" "$m"
    assert_failure 2
    assert_output "Usage: znflow-run [-o OUTDIR] [--params FILE] MANIFEST N|EXPERIMENT"
    mkdir -p "$T/empty"
    run "$P/znflow-merge" "$T/empty"
    assert_failure 1
    assert_output "znflow-merge: no results under $T/empty"
    run "$P/znflow-report" fluozin3 "$T"
    assert_failure 2
    assert_output "Usage: znflow-report PROTOCOL DIR FILE..."
    # the cluster front ends without their tools or arguments
    run "$P/slurm/submit.sh" "$m"
    assert_failure 2
    assert_output "submit.sh: give a manifest and an output folder
Usage: submit.sh [--wait] [--params FILE] MANIFEST OUTDIR [SBATCH OPTION...]"
    mkdir -p "$T/nobin"
    run env ZNFLOW_BIN="$T/nobin" "$P/slurm/submit.sh" "$m" "$T/c"
    assert_failure 1
    assert_output "submit.sh: no zn-ingest in $T/nobin (ZNFLOW_BIN): set it to the folder of the zn-* programs"
    head -n 1 "$m" > "$T/h.tsv"
    run "$P/slurm/submit.sh" "$T/h.tsv" "$T/c"
    assert_failure 1
    assert_output "submit.sh: $T/h.tsv has no experiments"
    run "$P/parallel.sh" "$m"
    assert_failure 2
    assert_output "parallel.sh: give a manifest and an output folder
Usage: parallel.sh [-j N] [--params FILE] MANIFEST OUTDIR"
}

@test "znflow slurm, parallel, merge: the messages name the command typed, not the script behind it" {
    m="$ZN_TOP/examples/manifest.tsv"
    run "$P/znflow" slurm "$m"
    assert_failure 2
    assert_output "znflow slurm: give a manifest and an output folder
Usage: znflow slurm [--wait] [--params FILE] MANIFEST OUTDIR [SBATCH OPTION...]"
    run "$P/znflow" slurm "$T/none.tsv" "$T/c"
    assert_failure 1
    assert_output "znflow slurm: cannot read the manifest $T/none.tsv"
    run "$P/znflow" slurm --params "$T/none.conf" "$m" "$T/c"
    assert_failure 1
    assert_output "znflow slurm: cannot read the parameter file $T/none.conf"
    # the manifest's own errors (manifest.awk) too
    { head -n 1 "$m"; printf 'x1\tfura2\tctl\tx.csv\t\n'; } > "$T/fura.tsv"
    run "$P/znflow" slurm "$T/fura.tsv" "$T/c"
    assert_failure 1
    assert_output "znflow slurm: $T/fura.tsv:2: experiment x1: unknown protocol 'fura2' (known: fluozin3, er-fret-zip7, uptake-65zn, er-ic50)"
    head -n 1 "$m" > "$T/h.tsv"
    run "$P/znflow" slurm "$T/h.tsv" "$T/c"
    assert_failure 1
    assert_output "znflow slurm: $T/h.tsv has no experiments"
    mkdir -p "$T/nobin"
    run env ZNFLOW_BIN="$T/nobin" "$P/znflow" slurm "$m" "$T/c"
    assert_failure 1
    assert_output "znflow slurm: no zn-ingest in $T/nobin (ZNFLOW_BIN): set it to the folder of the zn-* programs"
    run "$P/znflow" parallel "$m"
    assert_failure 2
    assert_output "znflow parallel: give a manifest and an output folder
Usage: znflow parallel [-j N] [--params FILE] MANIFEST OUTDIR"
    run "$P/znflow" parallel -j
    assert_failure 2
    assert_output --partial "znflow parallel: -j needs a number of jobs"
    run "$P/znflow" parallel "$T/fura.tsv" "$T/p"
    assert_failure 1
    assert_output "znflow parallel: $T/fura.tsv:2: experiment x1: unknown protocol 'fura2' (known: fluozin3, er-fret-zip7, uptake-65zn, er-ic50)"
    mkdir -p "$T/empty"
    run "$P/znflow" merge "$T/empty"
    assert_failure 1
    assert_output "znflow merge: no results under $T/empty"
    run "$P/znflow" merge --bogus
    assert_failure 2
    assert_output "znflow merge: unknown option --bogus
Usage: znflow merge [--params FILE] [OUTDIR]"
    # its parameter file is checked as the scripts check theirs
    printf 'FOO=1\nIC_CURVE=1\n' > "$T/bad.conf"
    run "$P/znflow" merge --params "$T/bad.conf" "$T/empty"
    assert_failure 1
    assert_output "znflow merge: $T/bad.conf:1: unknown parameter FOO (the names are those of params.conf)
znflow merge: $T/bad.conf:2: IC_CURVE=1: the value is not a whole number of points (2 or more)"
    # --help too
    run "$P/znflow" slurm --help
    assert_success
    assert_line --index 0 --partial "znflow slurm - the whole manifest on a SLURM cluster"
    assert_line "  znflow slurm [--wait] [--params FILE] MANIFEST OUTDIR [SBATCH OPTION...]"
    run "$P/znflow" parallel --help
    assert_line "  znflow parallel [-j N] [--params FILE] MANIFEST OUTDIR"
    run "$P/parallel.sh" --help
    assert_line "  pipelines/parallel.sh [-j N] [--params FILE] MANIFEST OUTDIR"
    # the jobs that znflow parallel starts name themselves (znflow-run), not
    # the command: the name is not passed down
    parallel --version 2>/dev/null | grep -q "GNU parallel" || skip "GNU parallel is not installed"
    { head -n 1 "$m"; grep -P '^dish2\t' "$m" | sed "s#\tfluozin3/#\t$ZN_TOP/examples/fluozin3/#"; } > "$T/one.tsv"
    run "$P/znflow" parallel "$T/one.tsv" "$T/p"
    assert_success
    assert_output "znflow-merge: $T/p/fluozin3/report.html"
    grep -q '^znflow-run: dish2 (fluozin3) on ' "$T/p/logs/dish2.log"
}

@test "protocol scripts: a failure inside a pipe (set -o pipefail) stops the script and leaves no result" {
    examples
    # a ragged row in the middle of dish2's export: zn-ingest fails after the others started
    awk 'NR == 150 { print "150,1,2"; next } { print }' "$ZN_TOP/examples/fluozin3/dish2.csv" > "$T/ex/fluozin3/dish2.csv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/ex/manifest.tsv"
    assert_failure
    assert_output --partial "dish2.csv"
    [ -e "$T/o/dish1.zn.znr.gz" ]
    [ ! -e "$T/o/dish2.zn.znr.gz" ]
    [ ! -e "$T/o/dish2.metrics.znr.gz" ]
    [ ! -e "$T/o/report.html" ]
}

# ---- manifests as users write them (issue 14): each case its own test
# the fluozin3 rows of the bundled manifest with absolute inputs
fz_rows() { awk -F'\t' -v OFS='\t' -v d="$ZN_TOP/examples" 'NR == 1 || $2 == "fluozin3" { if (NR > 1) $4 = d "/" $4; print }' "$ZN_TOP/examples/manifest.tsv"; }

@test "manifest: a last row without a newline is run; empty lines and # comments are skipped" {
    { fz_rows | sed '2i# dish 1 was re-imaged on Monday' | sed '3a\\'; } | head -c -1 > "$T/m.tsv"
    [ "$(grep -c '^$' "$T/m.tsv")" = 1 ]
    grep -q '^# dish 1' "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" --no-report "$T/m.tsv"
    assert_success
    [ -s "$T/o/dish3.zn.znr.gz" ]
    [ -s "$T/o/dish3.metrics.znr.gz" ]
}

@test "manifest: a duplicate experiment name is an error, not an overwrite" {
    { fz_rows; fz_rows | sed -n '3p' | sed 's/^dish2/dish1/'; } > "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/m.tsv:$(wc -l < "$T/m.tsv"): experiment dish1 is already on line 2 (names must be unique: they name the result files)"
    [ ! -e "$T/o/dish1.zn.znr.gz" ]
}

@test "manifest: an experiment named ../x is refused and nothing is written outside OUTDIR" {
    fz_rows | sed '2s/^dish1/..\/x/' > "$T/m.tsv"
    mkdir -p "$T/o"
    run "$P/fluozin3.sh" -o "$T/o/r" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/m.tsv:2: experiment '../x': a name may hold letters, digits and . _ + - and must not start with . or - (it names the result files)"
    run find "$T/o" -name 'x.*'
    assert_output ""
}

@test "manifest: a protocol typo is an error naming the protocols, not a skipped row" {
    fz_rows | sed '3s/\tfluozin3\t/\tfluozin\t/' > "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/m.tsv:3: experiment dish2: unknown protocol 'fluozin' (known: fluozin3, er-fret-zip7, uptake-65zn, er-ic50)"
}

@test "manifest: extra input files are an error, not ignored" {
    fz_rows | awk -F'\t' -v OFS='\t' 'NR == 2 { $4 = $4 "," $4 } { print }' > "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/m.tsv:2: experiment dish1: 2 inputs: give one input, the Fiji Multi Measure export"
}

@test "manifest: an empty inputs field is named (not \$4: unbound variable)" {
    fz_rows | awk -F'\t' -v OFS='\t' 'NR == 3 { $4 = "" } { print }' > "$T/m.tsv"
    run "$P/fluozin3.sh" -o "$T/o" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/m.tsv:3: experiment dish2: no inputs: give one input, the Fiji Multi Measure export"
}

@test "manifest: CRLF line ends, a BOM and Excel's quotes (Windows, Excel) read as the plain manifest" {
    fz_rows > "$T/plain.tsv"
    # Excel quotes a field with a comma or a quote; someone typed a space
    { printf '\357\273\277'; sed 's/$/\r/; 3s/\t\(ZnCl2 100 uM\)\t\([^\t]*\)\t/\t"\1"\t"\2 "\t/' "$T/plain.tsv"; } > "$T/win.tsv"
    grep -q '"ZnCl2 100 uM"' "$T/win.tsv"
    "$P/fluozin3.sh" -o "$T/a" -e dish2 --no-report "$T/plain.tsv"
    run "$P/fluozin3.sh" -o "$T/b" -e dish2 --no-report "$T/win.tsv"
    assert_success
    cmp <(body "$T/a/dish2.zn.znr.gz") <(body "$T/b/dish2.zn.znr.gz")
    [ "$(zn-view --tsv -c condition "$T/b/dish2.metrics.znr.gz" | sed -n 2p)" = "ZnCl2 100 uM" ]
}

@test "parameters: a row overrides its protocol's, --params FILE replaces the defaults, both checked" {
    fz_rows | sed '2s/\t$/\tinterval=4 plateau=300:398/' > "$T/m.tsv"
    "$P/fluozin3.sh" -o "$T/o" --no-report "$T/m.tsv"
    # dish1 at 4 s a frame, its plateau window as given; dish2 keeps params.conf's
    [ "$(zn-view --tsv -c frame,t "$T/o/dish1.zn.znr.gz" | awk -F'\t' '$1 == 10 { print $2; exit }')" = 40 ]
    [ "$(zn-view --tsv -c frame,t "$T/o/dish2.zn.znr.gz" | awk -F'\t' '$1 == 10 { print $2; exit }')" = 20 ]
    zn-view -u "$T/o/dish1.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window plateau=300:398'
    zn-view -u "$T/o/dish2.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window plateau=340:398'
    # a parameter file: dish2 at 3 s, dish1's row still wins
    printf 'FZ_INTERVAL=3\r\n' > "$T/p.conf"
    "$P/fluozin3.sh" -o "$T/o2" --no-report --params "$T/p.conf" "$T/m.tsv"
    [ "$(zn-view --tsv -c frame,t "$T/o2/dish2.zn.znr.gz" | awk -F'\t' '$1 == 10 { print $2; exit }')" = 30 ]
    [ "$(zn-view --tsv -c frame,t "$T/o2/dish1.zn.znr.gz" | awk -F'\t' '$1 == 10 { print $2; exit }')" = 40 ]
    # errors: an unknown key, a bad value, options that are not parameters, a bad file
    fz_rows | sed '2s/\t$/\tintervall=4/; 3s/\t$/\tbaseline=0-118/; 4s/\t$/\t--bg 2/' > "$T/bad.tsv"
    run "$P/fluozin3.sh" -o "$T/o3" "$T/bad.tsv"
    assert_failure 1
    # the known names: params.conf's FZ_ names, in its order
    known=$(sed -n 's/^FZ_\([A-Z_]*\)=.*/\1/p' "$P/params.conf" | tr A-Z a-z | paste -sd, | sed 's/,/, /g')
    [[ $known == "interval, bg, baseline, "*", sensor, unit, compartment" ]]
    assert_output "fluozin3.sh: $T/bad.tsv:2: experiment dish1: unknown parameter 'intervall' for fluozin3 (known: $known)
fluozin3.sh: $T/bad.tsv:3: experiment dish2: baseline=0-118: the value is not a window START:END (seconds, e.g. 0:118)
fluozin3.sh: $T/bad.tsv:4: experiment dish3: '--bg' is not a parameter: options of a fluozin3 row are NAME=VALUE (e.g. interval=5)
fluozin3.sh: $T/bad.tsv:4: experiment dish3: '2' is not a parameter: options of a fluozin3 row are NAME=VALUE (e.g. interval=5)"
    printf 'FZ_INTERVAL=-1\nER_SENSOR=Zap CY1\nFOO=1\n' > "$T/bad.conf"
    run "$P/fluozin3.sh" -o "$T/o3" --params "$T/bad.conf" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: $T/bad.conf:1: FZ_INTERVAL=-1: the value is not a positive number of seconds
fluozin3.sh: $T/bad.conf:2: ER_SENSOR=Zap CY1: the value must be one word of letters, digits and . _ : / = + % , -
fluozin3.sh: $T/bad.conf:3: unknown parameter FOO (the names are those of params.conf)"
    run "$P/fluozin3.sh" -o "$T/o3" --params "$T/none.conf" "$T/m.tsv"
    assert_failure 1
    assert_output "fluozin3.sh: cannot read the parameter file $T/none.conf"
    [ ! -e "$T/o3" ]
}

@test "uptake-65zn.sh: a failed assay leaves neither its BCA result nor a temporary folder in OUTDIR" {
    examples
    sed -i '/^5,/d' "$T/ex/uptake-65zn/zn_layout.csv"
    run "$P/uptake-65zn.sh" -o "$T/o" -e zn "$T/ex/manifest.tsv"
    assert_failure 1
    assert_output --partial "not in the layout"
    run ls -A "$T/o"
    assert_output ""
}

@test "protocol scripts without the programs: one line that says what to do, exit 1, nothing written" {
    mkdir -p "$T/copy"
    cp -r "$P" "$T/copy/pipelines"
    cp -r "$ZN_TOP/examples" "$T/copy/examples"
    run env -u ZNFLOW_BIN PATH=/usr/bin:/bin "$T/copy/pipelines/fluozin3.sh" -o "$T/o"
    assert_failure 1
    assert_output "fluozin3.sh: the zn-* programs are not on PATH: add their folder to PATH, or set ZNFLOW_BIN to it"
    [ ! -e "$T/o" ]
    # a source tree without its build
    cp "$ZN_TOP/Makefile" "$T/copy/"
    run env -u ZNFLOW_BIN PATH=/usr/bin:/bin "$T/copy/pipelines/znflow-merge" "$T/o"
    assert_failure 1
    assert_output "znflow-merge: the zn-* programs are not built: run make in $T/copy (they go to build/bin), or set ZNFLOW_BIN to their folder"
    # the tree's own programs are found without PATH
    mkdir -p "$T/copy/build"
    ln -s "$ZN_BIN" "$T/copy/build/bin"
    run env -u ZNFLOW_BIN PATH=/usr/bin:/bin "$T/copy/pipelines/fluozin3.sh" -o "$T/o" -e dish1
    assert_success
    [ -s "$T/o/report.html" ]
}

@test "Makefile: the same numbers as the scripts; make -j2; nothing to do the second time" {
    "$P/fluozin3.sh" -o "$T/s/fluozin3" --no-report
    "$P/er-fret-zip7.sh" -o "$T/s/er-fret-zip7" --no-report
    "$P/uptake-65zn.sh" -o "$T/s/uptake-65zn" --no-report
    run make -s -j2 -f "$P/Makefile" OUT="$T/m"
    assert_success
    for f in fluozin3/dish{1,2,3,4}.{zn,metrics} er-fret-zip7/{ctrl,nvs}{1,2,3}.{zn,metrics} uptake-65zn/{zn,cd}.{uptake,fit,curve}; do
        cmp <(body "$T/m/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between the Makefile and the script"
    done
    [ -s "$T/m/fluozin3/report.html" ]
    [ -s "$T/m/er-fret-zip7/report.html" ]
    [ -s "$T/m/uptake-65zn/report.html" ]
    run make -f "$P/Makefile" OUT="$T/m"
    assert_success
    assert_output --partial "Nothing to be done for 'all'."
    refute_output --partial "zn-"
}

@test "Makefile er-ic50: the same data as the script (dishes, dish means, fit, curve); a changed dish refits the series" {
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    "$P/er-ic50.sh" -o "$T/s/er-ic50" --no-report "$M"
    run make -s -j2 -f "$P/Makefile" MANIFEST="$M" OUT="$T/m"
    assert_success
    n=0
    for e in $(tail -n +2 "$M" | cut -f1) dishes fit curve; do
        for k in zn metrics; do
            case $e in dishes|fit|curve) f=$e; [ $k = zn ] || continue ;; *) f=$e.$k ;; esac
            cmp <(body "$T/m/er-ic50/$f.znr.gz") <(body "$T/s/er-ic50/$f.znr.gz") || fail "$f differs between the Makefile and the script"
            n=$((n + 1))
        done
    done
    [ "$n" = 45 ]                          # 21 dishes x 2, the means, the fit, the curve
    [ "$(zn-view --tsv -c n "$T/m/er-ic50/fit.znr.gz" | tail -1)" = 21 ]
    [ -s "$T/m/er-ic50/report.html" ]
    run make -f "$P/Makefile" MANIFEST="$M" OUT="$T/m"
    assert_output --partial "Nothing to be done for 'all'."
    # one dish's export changed: that dish, then the means, the fit and the report
    touch -d '+1 minute' "$T/m/er-ic50/nvs0.3-2.trace.znr.gz"
    run make -n -f "$P/Makefile" MANIFEST="$M" OUT="$T/m"
    [ "$(grep -c '^zn-background' <<< "$output")" = 1 ]
    [ "$(grep -c '^zn-means' <<< "$output")" = 1 ]
    [ "$(grep -c '^zn-mm-fit' <<< "$output")" = 1 ]
    [ "$(grep -c 'znflow-report er-ic50' <<< "$output")" = 1 ]
    [ "$(grep -c '^zn-ingest' <<< "$output")" = 0 ]
}

@test "Makefile: a changed export rebuilds only its experiment's stages and the protocol's report" {
    examples
    make -s -j2 -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m"
    sleep 1.1                  # file times: the edit below is newer than every result
    touch "$T/mark"
    # one value of one frame of dish2 changes (a re-export, say)
    sed -i '101s/^\(101,[0-9.]*,\)[0-9]*/\1999/' "$T/ex/fluozin3/dish2.csv"
    run make -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m"
    assert_success
    run bash -c "cd '$T/m' && find . -type f -newer '$T/mark' | sort"
    assert_output "./fluozin3/dish2.metrics.znr.gz
./fluozin3/dish2.trace.znr.gz
./fluozin3/dish2.zn.znr.gz
./fluozin3/report.html
./fluozin3/report.txt"
    run make -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" "$T/m/uptake-65zn/cd.fit.znr.gz"
    assert_output --partial "is up to date"
}

# the results newer than $T/mark after `make` (the Makefile analysis in $T/m)
rebuilt() {
    sleep 1.1; touch "$T/mark"
    make -s -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" "$@" > "$T/make.log" 2>&1 || { cat "$T/make.log"; return 1; }
    (cd "$T/m" && find . -type f -newer "$T/mark" -name '*.znr.gz' -o -type f -newer "$T/mark" -name 'report.html' | sort | tr '\n' ' ')
}

@test "Makefile: a changed manifest row rebuilds that experiment and its report, and nothing else" {
    examples
    make -s -j2 -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m"
    # dish2's condition
    sed -i 's/^\(dish2\tfluozin3\t\)ZnCl2 100 uM/\1ZnCl2 50 uM/' "$T/ex/manifest.tsv"
    run rebuilt
    assert_output "./fluozin3/dish2.metrics.znr.gz ./fluozin3/dish2.trace.znr.gz ./fluozin3/dish2.zn.znr.gz ./fluozin3/report.html "
    [ "$(zn-view --tsv -c condition "$T/m/fluozin3/dish2.metrics.znr.gz" | sed -n 2p)" = "ZnCl2 50 uM" ]
    # the Cd assay's zn-uptake-rate options (no file changes)
    sed -i '/^cd\t/s/--efficiency 0.8/--efficiency 0.75/' "$T/ex/manifest.tsv"
    run rebuilt
    assert_output "./uptake-65zn/cd.bca.znr.gz ./uptake-65zn/cd.counts.znr.gz ./uptake-65zn/cd.curve.znr.gz ./uptake-65zn/cd.fit.znr.gz ./uptake-65zn/cd.specific.znr.gz ./uptake-65zn/cd.uptake.znr.gz ./uptake-65zn/report.html "
    # a parameter override in nvs1's row
    sed -i '/^nvs1\t/s/\t$/\tfinal=910:990/' "$T/ex/manifest.tsv"
    run rebuilt
    assert_output "./er-fret-zip7/nvs1.metrics.znr.gz ./er-fret-zip7/nvs1.trace.znr.gz ./er-fret-zip7/nvs1.zn.znr.gz ./er-fret-zip7/report.html "
    zn-view -u "$T/m/er-fret-zip7/nvs1.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window final=910:990'
    # an override equal to the default changes nothing
    sed -i '/^dish1\t/s/\t$/\tinterval=2/' "$T/ex/manifest.tsv"
    run rebuilt
    assert_output ""
    # a row moved (the report's order of samples) or removed: the report only
    { head -n 1 "$T/ex/manifest.tsv"; tail -n +3 "$T/ex/manifest.tsv"; sed -n 2p "$T/ex/manifest.tsv"; } > "$T/m2" && mv "$T/m2" "$T/ex/manifest.tsv"
    run rebuilt
    assert_output "./fluozin3/report.html "
    sed -i '/^dish3\t/d' "$T/ex/manifest.tsv"
    run rebuilt
    assert_output "./fluozin3/report.html "
    # the report counts the dishes left in the manifest (30 cells each)
    n=$(awk -F'\t' '$2 == "fluozin3" && $3 == "ZnCl2 100 uM"' "$T/ex/manifest.tsv" | wc -l)
    grep -q "^ZnCl2 100 uM  *$n  *$((n * 30)) " "$T/m/fluozin3/report.txt"
    grep -q "^ZnCl2 50 uM  *1  *30 " "$T/m/fluozin3/report.txt"
}

@test "Makefile: PARAMS=FILE changes a protocol's parameter for all its experiments; a bad file is named" {
    examples
    make -s -j2 -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m"
    printf '# my lab\nFZ_PLATEAU=350:398\n' > "$T/my.conf"
    run rebuilt PARAMS="$T/my.conf"
    # every fluozin3 experiment's stages and the report, nothing of the others
    want=$(for e in $(awk -F'\t' '$2 == "fluozin3" { print $1 }' "$T/ex/manifest.tsv"); do
               printf './fluozin3/%s.%s.znr.gz\n' "$e" metrics "$e" trace "$e" zn; done | sort | tr '\n' ' ')
    [ "$(awk -F'\t' '$2 == "fluozin3"' "$T/ex/manifest.tsv" | wc -l)" -ge 3 ]
    assert_output "$want./fluozin3/report.html "
    printf 'FZ_PLATEU=350:398\n' > "$T/bad.conf"
    run make -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" PARAMS="$T/bad.conf"
    assert_failure
    assert_output --partial "znflow-manifest: $T/bad.conf:1: unknown parameter FZ_PLATEU (the names are those of params.conf)"
    assert_output --partial "the manifest $T/ex/manifest.tsv cannot be used"
}

@test "Makefile and scripts: absolute input paths in a manifest" {
    awk -F'\t' -v OFS='\t' -v d="$ZN_TOP/examples" 'NR > 1 { $4 = d "/" $4 } { print }' "$ZN_TOP/examples/manifest.tsv" > "$T/abs.tsv"
    run make -s -f "$P/Makefile" MANIFEST="$T/abs.tsv" OUT="$T/m" "$T/m/fluozin3/dish3.zn.znr.gz"
    assert_success
    "$P/fluozin3.sh" -o "$T/s" -e dish3 --no-report "$T/abs.tsv"
    cmp <(body "$T/m/fluozin3/dish3.zn.znr.gz") <(body "$T/s/dish3.zn.znr.gz")
}

@test "Makefile: input files and a manifest folder with spaces (and a quote) give the scripts' data; a touched one rebuilds its experiment" {
    d="$T/my data"
    mkdir -p "$d"
    cp -r "$ZN_TOP/examples/." "$d/"
    mv "$d/fluozin3/dish1.csv" "$d/fluozin3/dish 1.csv"
    mv "$d/er-fret/nvs1_YFP.csv" "$d/er-fret/nvs1 YFP.csv"
    mv "$d/uptake-65zn/zn_bca.csv" "$d/uptake-65zn/zn bca.csv"
    mv "$d/uptake-65zn/cd_layout.csv" "$d/uptake-65zn/cd's layout.csv"
    sed -i "s#fluozin3/dish1.csv#fluozin3/dish 1.csv#; s#er-fret/nvs1_YFP.csv#er-fret/nvs1 YFP.csv#
            s#uptake-65zn/zn_bca.csv#uptake-65zn/zn bca.csv#; s#uptake-65zn/cd_layout.csv#uptake-65zn/cd's layout.csv#" "$d/manifest.tsv"
    [ "$(grep -c "dish 1.csv\|nvs1 YFP.csv\|zn bca.csv\|cd's layout.csv" "$d/manifest.tsv")" = 4 ]
    run make -s -j2 -f "$P/Makefile" MANIFEST="$d/manifest.tsv" OUT="$T/m"
    assert_success
    "$P/fluozin3.sh" -o "$T/s/fluozin3" -e dish1 --no-report "$d/manifest.tsv"
    "$P/er-fret-zip7.sh" -o "$T/s/er-fret-zip7" -e nvs1 --no-report "$d/manifest.tsv"
    "$P/uptake-65zn.sh" -o "$T/s/uptake-65zn" --no-report "$d/manifest.tsv"
    for f in fluozin3/dish1.{zn,metrics} er-fret-zip7/nvs1.{zn,metrics} uptake-65zn/{zn,cd}.{uptake,fit,curve}; do
        cmp <(body "$T/m/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between the Makefile and the script"
    done
    run make -f "$P/Makefile" MANIFEST="$d/manifest.tsv" OUT="$T/m"
    assert_output --partial "Nothing to be done for 'all'."
    # a changed input with a space in its name: its experiment and report only
    touch -d '+1 minute' "$d/er-fret/nvs1 YFP.csv"
    run make -n -f "$P/Makefile" MANIFEST="$d/manifest.tsv" OUT="$T/m"
    assert_success
    [ "$(grep -c '^zn-ingest' <<< "$output")" = 1 ]
    grep -q "^zn-ingest .*--sample nvs1 " <<< "$output"
    grep -q -- "--channel YFP '$d/er-fret/nvs1 YFP.csv'" <<< "$output"
    [ "$(grep -c '^zn-metrics' <<< "$output")" = 1 ]
    # the output folder cannot have one (it names every target)
    run make -f "$P/Makefile" MANIFEST="$d/manifest.tsv" OUT="$T/my out"
    assert_failure
    assert_output --partial "OUT=$T/my out: make cannot take an output folder with spaces (or none); give one without"
    [ ! -e "$T/my out" ]
}

@test "Makefile: .DELETE_ON_ERROR: a stage that fails leaves no target behind" {
    examples
    # the Cd layout loses a tube: zn-ingest fails on the counter export
    sed -i '/^2:3,/d' "$T/ex/uptake-65zn/cd_layout.csv"
    run make -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" "$T/m/uptake-65zn/cd.fit.znr.gz"
    assert_failure
    assert_output --partial "position 2:3 is in the data but not in the layout"
    [ ! -e "$T/m/uptake-65zn/cd.counts.znr.gz" ]
    [ ! -e "$T/m/uptake-65zn/cd.fit.znr.gz" ]
    # a pipe whose first command fails at the last record: the last command has
    # written its result from the records before (the shell's pipefail fails
    # the recipe) and make deletes it
    make -s -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" "$T/m/fluozin3/dish1.trace.znr.gz"
    zn-view -u "$T/m/fluozin3/dish1.trace.znr.gz" | sed '$ s/[^\t]*$/abc/' | gzip > "$T/bad.gz"
    mv "$T/bad.gz" "$T/m/fluozin3/dish1.trace.znr.gz"
    run make -f "$P/Makefile" MANIFEST="$T/ex/manifest.tsv" OUT="$T/m" "$T/m/fluozin3/dish1.zn.znr.gz"
    assert_failure
    assert_output --partial "column 'F': \"abc\" is not a number"
    assert_output --partial "Deleting file '$T/m/fluozin3/dish1.zn.znr.gz'"
    [ ! -e "$T/m/fluozin3/dish1.zn.znr.gz" ]
}

@test "znflow-run per experiment + znflow-merge: the same report tables as the serial scripts" {
    for p in fluozin3 er-fret-zip7 uptake-65zn; do "$P/$p.sh" -o "$T/s/$p"; done
    n=$(($(wc -l < "$ZN_TOP/examples/manifest.tsv") - 1))
    for i in $(seq "$n"); do "$P/znflow-run" -o "$T/r" "$ZN_TOP/examples/manifest.tsv" "$i" 2>/dev/null; done
    run "$P/znflow-merge" "$T/r"
    assert_success
    tables "$T"/s/fluozin3/dish{1,2,3,4}.zn.znr.gz "$T"/s/fluozin3/dish{1,2,3,4}.metrics.znr.gz > "$T/a"
    tables "$T/r/fluozin3/all.zn.znr.gz" "$T/r/fluozin3/all.metrics.znr.gz" > "$T/b"
    cmp "$T/a" "$T/b"
    grep -q '^## cells' "$T/a"
    run "$P/znflow-run" -o "$T/r" "$ZN_TOP/examples/manifest.tsv" 99
    assert_failure 1
    assert_output --partial "no experiment 99"
}

@test "er-ic50 per dish (znflow-run, GNU parallel) + merge: the script's dish means, fit and curve over every dish" {
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    "$P/er-ic50.sh" -o "$T/s/er-ic50" "$M"
    n=$(($(wc -l < "$M") - 1))
    for i in $(seq "$n"); do "$P/znflow-run" -o "$T/r" "$M" "$i" 2>/dev/null; done
    # the tasks leave the series to the merge: each used to refit the dishes
    # done so far (21 fits, 20 of them thrown away)
    [ "$(ls "$T/r/er-ic50" | grep -c '\.metrics\.znr\.gz$')" = 21 ]
    for f in dishes fit curve; do [ ! -e "$T/r/er-ic50/$f.znr.gz" ] || fail "a task wrote $f.znr.gz"; done
    run "$P/znflow-merge" "$T/r"
    assert_success
    outs=(r)
    if parallel --version 2>/dev/null | grep -q "GNU parallel"; then
        run "$P/parallel.sh" -j 2 "$M" "$T/p"
        assert_success
        outs+=(p)
    fi
    for o in "${outs[@]}"; do
        for f in dishes fit curve; do
            cmp <(body "$T/$o/er-ic50/$f.znr.gz") <(body "$T/s/er-ic50/$f.znr.gz") || fail "$o: $f differs from the script's"
        done
        [ "$(zn-view --tsv -c n "$T/$o/er-ic50/fit.znr.gz" | tail -1)" = 21 ]
        # no all.* streams: they would be read as dishes by a later er-ic50.sh -e
        [ -z "$(ls "$T/$o/er-ic50" | grep '^all\.')" ]
        cmp <(tables "$T/$o/er-ic50/"{dishes,fit,curve}.znr.gz) <(tables "$T/s/er-ic50/"{dishes,fit,curve}.znr.gz)
        grep -q 'concentration-response' "$T/$o/er-ic50/report.html"
    done
}

@test "er-ic50.sh -e on its own still fits every dish in OUTDIR; --no-fit leaves the series (and a stale one) out" {
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    "$P/er-ic50.sh" -o "$T/s" --no-report "$M"
    "$P/er-ic50.sh" -o "$T/e" --no-report --no-fit "$M"
    [ "$(ls "$T/e" | grep -c '\.metrics\.znr\.gz$')" = 21 ]
    [ ! -e "$T/e/fit.znr.gz" ]
    # one dish again, without --no-fit: the series over all 21
    run "$P/er-ic50.sh" -o "$T/e" -e nvs0.3-2 "$M"
    assert_success
    for f in dishes fit curve; do cmp <(body "$T/e/$f.znr.gz") <(body "$T/s/$f.znr.gz"); done
    [ "$(zn-view --tsv -c n "$T/e/fit.znr.gz" | tail -1)" = 21 ]
    [ -s "$T/e/report.html" ]
    # a dish redone with --no-fit: the fit no longer holds it and goes
    "$P/er-ic50.sh" -o "$T/e" -e veh-1 --no-fit "$M"
    for f in dishes fit curve; do [ ! -e "$T/e/$f.znr.gz" ] || fail "a stale $f.znr.gz is left"; done
    # --no-fit is er-ic50's
    run "$P/fluozin3.sh" --no-fit
    assert_failure 2
    assert_output --partial "fluozin3.sh: unknown option --no-fit"
}

@test "er-ic50 with --params (an ER_ and an IC_ setting): script, Makefile and per-dish tasks + merge give the same data, and the change shows" {
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    # ER_FINAL: the dishes' metrics (mean_final, what the series fits);
    # IC_CURVE: the series fit's curve
    printf 'ER_FINAL=800:990\r\nIC_CURVE=50\n' > "$T/p.conf"
    "$P/er-ic50.sh" -o "$T/d" --no-report "$M"
    "$P/er-ic50.sh" -o "$T/s" --no-report --params "$T/p.conf" "$M"
    make -s -j2 -f "$P/Makefile" MANIFEST="$M" OUT="$T/m" PARAMS="$T/p.conf"
    for i in $(seq 21); do "$P/znflow-run" -o "$T/r" --params "$T/p.conf" "$M" "$i" 2>/dev/null; done
    "$P/znflow-merge" --params "$T/p.conf" "$T/r" 2>/dev/null
    for f in $(tail -n +2 "$M" | cut -f1 | sed 's/$/.zn/; p; s/\.zn$/.metrics/') dishes fit curve; do
        cmp <(body "$T/m/er-ic50/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between the Makefile and the script"
        cmp <(body "$T/r/er-ic50/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between the tasks + merge and the script"
    done
    # the change has an effect: the metrics' window, the dish means, the fit, 50 curve points
    zn-view -u "$T/s/veh-1.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window final=800:990'
    if cmp -s <(body "$T/s/veh-1.metrics.znr.gz") <(body "$T/d/veh-1.metrics.znr.gz"); then fail "ER_FINAL changed no metrics"; fi
    if cmp -s <(body "$T/s/dishes.znr.gz") <(body "$T/d/dishes.znr.gz"); then fail "ER_FINAL changed no dish mean"; fi
    [ "$(zn-view --tsv -c ec50 "$T/s/fit.znr.gz" | tail -1)" != "$(zn-view --tsv -c ec50 "$T/d/fit.znr.gz" | tail -1)" ]
    [ "$(zn-view --tsv "$T/s/curve.znr.gz" | tail -n +2 | wc -l)" = 50 ]
    [ "$(zn-view --tsv "$T/d/curve.znr.gz" | tail -n +2 | wc -l)" = 200 ]
    # a series parameter changed: make refits, no dish is redone
    printf 'ER_FINAL=800:990\nIC_CURVE=60\n' > "$T/p.conf"
    run make -n -f "$P/Makefile" MANIFEST="$M" OUT="$T/m" PARAMS="$T/p.conf"
    [ "$(grep -c '^zn-mm-fit' <<< "$output")" = 1 ]
    [ "$(grep -c '^zn-means' <<< "$output")" = 1 ]
    [ "$(grep -c -e '^zn-ingest' -e '^zn-background' -e '^zn-metrics' <<< "$output")" = 0 ]
}

@test "er-ic50 rows: ER_ settings per dish (final=), conc=; the series' IC_ settings are refused in a row" {
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    awk -F'\t' -v OFS='\t' -v d="$ZN_TOP/examples/er-ic50" 'NR > 1 { split($4, f, ","); $4 = d "/" f[1] "," d "/" f[2] } { print }' "$M" > "$T/m.tsv"
    sed -i '/^veh-1\t/s/conc=0$/conc=0 final=800:990/' "$T/m.tsv"
    grep -q 'conc=0 final=800:990' "$T/m.tsv"
    "$P/er-ic50.sh" -o "$T/s" --no-report "$T/m.tsv"
    make -s -f "$P/Makefile" MANIFEST="$T/m.tsv" OUT="$T/m"
    zn-view -u "$T/s/veh-1.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window final=800:990'
    zn-view -u "$T/s/veh-2.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window final=900:990'
    for f in veh-1.metrics veh-2.metrics dishes fit; do
        cmp <(body "$T/m/er-ic50/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between the Makefile and the script"
    done
    sed -i '/^veh-2\t/s/conc=0$/conc=0 curve=50 finall=1:2/' "$T/m.tsv"
    run "$P/er-ic50.sh" -o "$T/s2" "$T/m.tsv"
    assert_failure 1
    assert_output "er-ic50.sh: $T/m.tsv:3: experiment veh-2: 'curve' is a parameter of the whole series (the fit over every dish), not of one dish: give IC_CURVE=50 in a --params file (make: PARAMS=FILE)
er-ic50.sh: $T/m.tsv:3: experiment veh-2: unknown parameter 'finall' for er-ic50 (known: interval, baseline, response, final, min, max, bleach, num, den, sensor, unit, compartment, conc)"
    [ ! -e "$T/s2" ]
}

@test "GNU parallel: all experiments, a job log, and --resume-failed reruns only the failed one" {
    parallel --version 2>/dev/null | grep -q "GNU parallel" || skip "GNU parallel is not installed (Debian package parallel; tools/deps.sh installs it)"
    examples
    mv "$T/ex/er-fret/ctrl2_CFP.csv" "$T/ctrl2_CFP.csv"
    run "$P/parallel.sh" -j 2 "$T/ex/manifest.tsv" "$T/p"
    assert_failure 1                       # one job failed
    grep -q "cannot read .*ctrl2_CFP.csv" "$T/p/logs/ctrl2.log"
    [ "$(awk -F'\t' 'NR > 1 && $7 != 0' "$T/p/logs/joblog" | wc -l)" = 1 ]
    mv "$T/ctrl2_CFP.csv" "$T/ex/er-fret/ctrl2_CFP.csv"
    run "$P/parallel.sh" -j 2 "$T/ex/manifest.tsv" "$T/p"
    assert_success
    # 12 jobs the first time, the failed one again, nothing else
    [ "$(tail -n +2 "$T/p/logs/joblog" | wc -l)" = 13 ]
    [ "$(tail -n +2 "$T/p/logs/joblog" | cut -f9 | grep -c ' ctrl2 ')" = 2 ]
    for p in fluozin3 er-fret-zip7 uptake-65zn; do "$P/$p.sh" -o "$T/s/$p"; done
    for p in er-fret-zip7; do
        tables "$T"/s/$p/{ctrl,nvs}{1,2,3}.zn.znr.gz "$T"/s/$p/{ctrl,nvs}{1,2,3}.metrics.znr.gz > "$T/a"
        tables "$T/p/$p/all.zn.znr.gz" "$T/p/$p/all.metrics.znr.gz" > "$T/b"
        cmp "$T/a" "$T/b"
    done
}

@test "on a terminal a long run shows progress on stderr by itself; -q and pipes stay quiet" {
    command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"
    awk 'BEGIN { print "##znr=1"; print "##schema=trace"; print "#sample\tcell\tframe\tt\tF"
                 for (i = 0; i < 1100000; i++) printf "d\tc%d\t%d\t%d\t1\n", int(i / 1000), i % 1000, i % 1000 }' > "$T/big.znr"
    run script -qec "zn-view -u '$T/big.znr' > /dev/null" /dev/null
    assert_success
    assert_output --partial "zn-view: 1048576 records"
    run script -qec "zn-view -q -u '$T/big.znr' > /dev/null" /dev/null
    refute_output --partial "records"
    run bash -c "zn-view -u '$T/big.znr' 2>&1 >/dev/null"
    assert_output ""
}

@test "parameters: the bleaching windows (FZ_BLEACH, bleach= in a row) are checked before anything runs" {
    fz_rows > "$T/m.tsv"
    for v in baseline,560-598 baseline,598:560 'max;min'; do
        printf 'FZ_BLEACH=%s\n' "$v" > "$T/b.conf"
        run "$P/fluozin3.sh" -o "$T/o" --params "$T/b.conf" "$T/m.tsv"
        assert_failure 1
        assert_output "fluozin3.sh: $T/b.conf:1: FZ_BLEACH=$v: the value $( [ "$v" = 'max;min' ] && echo 'must be one word of letters, digits and . _ : / = + % , -' || echo 'is not a list of windows (names such as baseline, or START:END in seconds)')"
        [ ! -e "$T/o" ]
    done
    # a row's own windows: dish1 fitted over the baseline only
    fz_rows | sed '2s/\t$/\tbleach=baseline/' > "$T/m2.tsv"
    "$P/fluozin3.sh" -o "$T/o2" --no-report -e dish1 "$T/m2.tsv"
    zn-view -u "$T/o2/dish1.zn.znr.gz" | grep -q '^##bleach=pooled:F;model=a\*exp(-k\*t),k per sample;windows=0:118;'
}
