#!/bin/bash
# replay.sh [TARGET...] - run every corpus file and reproducer of each fuzz
# target (tests/fuzz/targets) through the programs in $ZN_BIN, one process
# per input, as the target's command line.  Each run must end with status 0,
# 1 or 2, within $ZN_FUZZ_TIMEOUT seconds (default 10), with no sanitizer
# report on stderr.  Prints one line per failing input and a summary;
# exit 1 if any input failed.  tests/fuzz/open/ (crashes not fixed yet) is
# not replayed unless ZN_FUZZ_OPEN=1.
set -u
: "${ZN_BIN:?ZN_BIN must name the directory of the programs}"
# ZN_FUZZ_DIR: another directory with targets, corpus/, reproducers/ (tests)
here=${ZN_FUZZ_DIR:-$(cd "$(dirname "$0")" && pwd)}
limit=${ZN_FUZZ_TIMEOUT:-10}
# a sanitizer's own exit statuses, apart from the programs' 0/1/2
export ASAN_OPTIONS="exitcode=86:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1:${UBSAN_OPTIONS:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
want=" $* "
nrun=0 nbad=0
while read -r name prog input transform args; do
    case $name in '#'* | '') continue ;; esac
    [ $# -eq 0 ] || [[ $want == *" $name "* ]] || continue
    dirs=("$here/corpus/$name" "$here/reproducers/$name")
    [ "${ZN_FUZZ_OPEN:-0}" = 1 ] && dirs+=("$here/open/$name")
    for d in "${dirs[@]}"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            rm -rf "$work/run" && mkdir "$work/run"
            if [ "$transform" = gz ]; then gzip -c < "$f" > "$work/run/$input"
            else cp "$f" "$work/run/$input"; fi
            argv=()
            for a in $args; do
                a=${a//@IN/$work/run/$input}
                argv+=("${a//@D/$work/run}")
            done
            exe=$ZN_BIN/$prog
            [ "$prog" = lib ] && exe=$ZN_BIN/fuzz-$name # a library harness, built plain
            (cd "$work/run" && timeout -k 2 "$limit" "$exe" "${argv[@]}" > /dev/null 2> "$work/err")
            rc=$?
            nrun=$((nrun + 1))
            why=
            if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then why="no end within ${limit} s"
            elif [ $rc -gt 2 ]; then why="exit status $rc"
            elif grep -qE 'Sanitizer|runtime error:' "$work/err"; then why="sanitizer report"
            fi
            if [ -n "$why" ]; then
                nbad=$((nbad + 1))
                echo "FAIL $name ${f#"$here"/}: $why ($prog $args)"
                { grep -m 3 -E 'ERROR|runtime error|SUMMARY|#[0-3] ' "$work/err" || head -n 2 "$work/err"; } | sed 's/^/    /'
            fi
        done
    done
done < "$here/targets"
echo "replayed $nrun inputs, $nbad failed"
[ "$nbad" -eq 0 ] && [ "$nrun" -gt 0 ]
