#!/usr/bin/env bats
# The cluster pipeline on a real single-node SLURM: Debian's slurmctld,
# slurmd and munge, installed and started here (tests/slurm/start.sh, the
# recipe of ../shared/SLURM.md) and stopped afterwards.  Skipped, with the
# reason, where that cannot be done (not root, no apt, daemons that do not
# come up); never faked.

load helper

setup_file() {
    export SLURM_LOG="$BATS_FILE_TMPDIR/start.log"
    if [ "$(id -u)" != 0 ]; then echo "not root: cannot install and start SLURM" > "$BATS_FILE_TMPDIR/skip"; return 0; fi
    if ! command -v apt-get >/dev/null; then echo "no apt-get: cannot install SLURM" > "$BATS_FILE_TMPDIR/skip"; return 0; fi
    if ! SKIP_APT_UPDATE=${SKIP_APT_UPDATE:-0} timeout 600 "$ZN_TOP/tests/slurm/start.sh" > "$SLURM_LOG" 2>&1; then
        { echo "SLURM could not be installed or started (see below)"; tail -n 5 "$SLURM_LOG"; } > "$BATS_FILE_TMPDIR/skip"
        "$ZN_TOP/tests/slurm/stop.sh" >/dev/null 2>&1 || true
    fi
}

teardown_file() {
    [ -e "$BATS_FILE_TMPDIR/skip" ] || "$ZN_TOP/tests/slurm/stop.sh" >/dev/null 2>&1 || true
}

need_slurm() {
    [ ! -e "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
    export SLURM_CONF=/etc/slurm/slurm.conf
}

@test "SLURM: an array task per experiment and a dependent merge give the serial pipeline's reports" {
    need_slurm
    # the jobs run as root on this node; results in a folder they can write
    out="$T/cluster"
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$ZN_TOP/examples/manifest.tsv" "$out"
    [ "$status" = 0 ] || { cat "$out"/logs/* >&2 || true; fail "submit.sh --wait: status $status: $output"; }
    assert_output --regexp "array job [0-9]+: 12 experiments"
    assert_output --regexp "merge job [0-9]+ \(after [0-9]+\)"
    # one log per task, naming the experiment it ran
    [ "$(ls "$out"/logs/task-*.log | wc -l)" = 12 ]
    grep -l "znflow-run: dish2 (fluozin3) on" "$out"/logs/task-2_*.log
    grep -l "znflow-run: cd (uptake-65zn)" "$out"/logs/task-12_*.log
    ls "$out"/logs/merge_*.log
    run find "$out" -name '.tmp*'
    assert_output ""
    # the same tables as the serial scripts
    for p in fluozin3 er-fret-zip7 uptake-65zn; do "$ZN_TOP/pipelines/$p.sh" -o "$T/s/$p"; done
    zn-report --format tsv "$T"/s/fluozin3/dish{1,2,3,4}.zn.znr.gz "$T"/s/fluozin3/dish{1,2,3,4}.metrics.znr.gz | sed '/^## inputs/,$d' > "$T/a"
    zn-report --format tsv "$out/fluozin3/all.zn.znr.gz" "$out/fluozin3/all.metrics.znr.gz" | sed '/^## inputs/,$d' > "$T/b"
    cmp "$T/a" "$T/b"
    zn-report --format tsv "$T"/s/uptake-65zn/*.uptake.znr.gz "$T"/s/uptake-65zn/*.fit.znr.gz "$T"/s/uptake-65zn/*.curve.znr.gz | sed '/^## inputs/,$d' > "$T/a"
    zn-report --format tsv "$out"/uptake-65zn/all.{uptake,fit,curve}.znr.gz | sed '/^## inputs/,$d' > "$T/b"
    cmp "$T/a" "$T/b"
    for p in fluozin3 er-fret-zip7 uptake-65zn; do [ -s "$out/$p/report.html" ]; done
}

@test "SLURM: a failing task fails the array, and the merge job never runs" {
    need_slurm
    cp -r "$ZN_TOP/examples" "$T/ex"
    rm "$T/ex/uptake-65zn/zn_bca.csv"
    out="$T/cluster"
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$T/ex/manifest.tsv" "$out"
    assert_failure 1
    assert_output --partial "the merge job did not run: a task of array job"
    grep -q "cannot read .*zn_bca.csv" "$out"/logs/task-11_*.log
    [ ! -e "$out/uptake-65zn/report.html" ]
    [ ! -e "$out/fluozin3/report.html" ]
}

@test "SLURM: submitted again, only the failed row runs, then the merge; a third time, the merge only" {
    need_slurm
    cp -r "$ZN_TOP/examples" "$T/ex"
    mv "$T/ex/uptake-65zn/zn_bca.csv" "$T/zn_bca.csv"
    out="$T/cluster"
    # the manifest's rows, the zn assay's and dish2's
    n=$(($(wc -l < "$T/ex/manifest.tsv") - 1))
    zn=$(awk -F'\t' '$1 == "zn" { print NR - 1 }' "$T/ex/manifest.tsv")
    d2=$(awk -F'\t' '$1 == "dish2" { print NR - 1 }' "$T/ex/manifest.tsv")
    [ "$n" -ge 11 ]
    [ -n "$zn" ]
    [ -n "$d2" ]
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$T/ex/manifest.tsv" "$out"
    assert_failure 1
    mv "$T/zn_bca.csv" "$T/ex/uptake-65zn/zn_bca.csv"
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$T/ex/manifest.tsv" "$out"
    [ "$status" = 0 ] || { cat "$out"/logs/* >&2 || true; fail "resubmission: status $status: $output"; }
    assert_line --regexp "^array job [0-9]+: 1 of $n experiments \\(rows $zn; the others succeeded before\\)$"
    array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<< "$output")
    # one task in the second array, the zn assay's
    run ls "$out/logs"
    [ "$(ls "$out"/logs/task-*_"$array".log | wc -l)" = 1 ]
    grep -q "znflow-run: zn (uptake-65zn)" "$out/logs/task-${zn}_$array.log"
    [ "$(ls "$out"/logs/task-*.log | wc -l)" = $((n + 1)) ]
    # the merged results are the serial scripts'
    for p in fluozin3 er-fret-zip7 uptake-65zn; do "$ZN_TOP/pipelines/$p.sh" -o "$T/s/$p" "$T/ex/manifest.tsv"; done
    zn-report --format tsv "$T"/s/uptake-65zn/*.uptake.znr.gz "$T"/s/uptake-65zn/*.fit.znr.gz "$T"/s/uptake-65zn/*.curve.znr.gz | sed '/^## inputs/,$d' > "$T/a"
    zn-report --format tsv "$out"/uptake-65zn/all.{uptake,fit,curve}.znr.gz | sed '/^## inputs/,$d' > "$T/b"
    cmp "$T/a" "$T/b"
    for p in fluozin3 er-fret-zip7 uptake-65zn; do [ -s "$out/$p/report.html" ]; done
    # nothing left to run: the merge alone
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$T/ex/manifest.tsv" "$out"
    assert_success
    assert_line "all $n experiments succeeded before: the merge only"
    [ "$(ls "$out"/logs/task-*.log | wc -l)" = $((n + 1)) ]
    # a changed row runs again
    sed -i '/^dish2\t/s/ZnCl2 100 uM/ZnCl2 50 uM/' "$T/ex/manifest.tsv"
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait "$T/ex/manifest.tsv" "$out"
    assert_success
    assert_line --regexp "^array job [0-9]+: 1 of $n experiments \\(rows $d2; the others succeeded before\\)$"
}

@test "SLURM er-ic50 with --params: one task per dish (no fit each), the merge's one fit equals one run of the script" {
    need_slurm
    M="$ZN_TOP/examples/er-ic50/manifest.tsv"
    printf 'ER_FINAL=800:990\nIC_CURVE=50\n' > "$T/p.conf"
    out="$T/cluster"
    run "$ZN_TOP/pipelines/slurm/submit.sh" --wait --params "$T/p.conf" "$M" "$out"
    [ "$status" = 0 ] || { cat "$out"/logs/* >&2 || true; fail "submit.sh --wait: status $status: $output"; }
    assert_output --regexp "array job [0-9]+: 21 experiments"
    [ "$(ls "$out"/logs/task-*.log | wc -l)" = 21 ]
    grep -l "znflow-run: nvs0.3-2 (er-ic50) on" "$out"/logs/task-14_*.log
    # the tasks ran --no-fit (each used to refit the dishes done so far;
    # tests/pipelines.bats checks that they leave no fit): the merge fits
    grep -q "znflow-merge: $out/er-ic50/report.html" "$out"/logs/merge_*.log
    "$ZN_TOP/pipelines/er-ic50.sh" -o "$T/s" --no-report --params "$T/p.conf" "$M"
    body() { zn-view -u "$1" | grep -v -e '^##pg='; }
    for f in veh-1.metrics nvs3-3.metrics dishes fit curve; do
        cmp <(body "$out/er-ic50/$f.znr.gz") <(body "$T/s/$f.znr.gz") || fail "$f differs between SLURM and one run"
    done
    [ "$(zn-view --tsv -c n "$out/er-ic50/fit.znr.gz" | tail -1)" = 21 ]
    [ "$(zn-view --tsv "$out/er-ic50/curve.znr.gz" | tail -n +2 | wc -l)" = 50 ]
    zn-view -u "$out/er-ic50/veh-1.metrics.znr.gz" | grep -q '^##pg=zn-metrics.*--window final=800:990'
    [ -s "$out/er-ic50/report.html" ]
}
