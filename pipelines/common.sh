# pipelines/common.sh - sourced by the protocol scripts (fluozin3.sh,
# er-fret-zip7.sh, uptake-65zn.sh); not a program of its own.
#
#   PROTOCOL.sh [-o OUTDIR] [-e EXPERIMENT]... [--no-report] [--progress] [MANIFEST]
#
# MANIFEST (default: examples/manifest.tsv of this tree) is a TSV with the
# header experiment, protocol, condition, inputs, options: one experiment
# per row, inputs comma-separated, relative to the manifest's folder (or
# absolute).
# The script runs the rows of its protocol (or those named with -e), writes
# OUTDIR/EXPERIMENT.*.znr.gz, then the protocol's report over every result
# in OUTDIR (unless --no-report).  A result appears under its final name
# only when its whole pipeline succeeded (written in OUTDIR/.tmp, moved).
set -euo pipefail
ZN_PIPELINES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=params.conf
. "$ZN_PIPELINES/params.conf"

zn_die() { echo "${0##*/}: $*" >&2; exit 1; }

# zn_init PROTOCOL "$@": options into OUT, MANIFEST, EXPERIMENTS, REPORT, PROGRESS
zn_init() {
    PROTOCOL=$1; shift
    OUT=results/$PROTOCOL MANIFEST=$ZN_PIPELINES/../examples/manifest.tsv REPORT=1 PROGRESS=0
    EXPERIMENTS=()
    [ -t 2 ] && PROGRESS=1
    while [ $# -gt 0 ]; do
        case $1 in
        -o) [ $# -ge 2 ] || zn_usage "-o needs a folder"; OUT=$2; shift 2 ;;
        -e) [ $# -ge 2 ] || zn_usage "-e needs an experiment"; EXPERIMENTS+=("$2"); shift 2 ;;
        --no-report) REPORT=0; shift ;;
        --progress) PROGRESS=1; shift ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) zn_usage "unknown option $1" ;;
        *) MANIFEST=$1; shift; [ $# -eq 0 ] || zn_usage "one manifest only" ;;
        esac
    done
    [ -r "$MANIFEST" ] || zn_die "cannot read the manifest $MANIFEST"
    [ "$(head -n 1 "$MANIFEST")" = "$(printf 'experiment\tprotocol\tcondition\tinputs\toptions')" ] ||
        zn_die "$MANIFEST: the header must be: experiment, protocol, condition, inputs, options (tab-separated)"
    MANIFEST_DIR=$(cd "$(dirname "$MANIFEST")" && pwd)
    mkdir -p "$OUT/.tmp"
    TMP=$OUT/.tmp
}

zn_usage() { echo "${0##*/}: $*" >&2; echo "Usage: ${0##*/} [-o OUTDIR] [-e EXPERIMENT]... [--no-report] [--progress] [MANIFEST]" >&2; exit 2; }

zn_note() { [ "$PROGRESS" = 1 ] && echo "${0##*/}: $*" >&2; return 0; }

# zn_each FUNCTION: FUNCTION EXPERIMENT CONDITION OPTIONS INPUT... for each
# row of this protocol (the -e ones only, when given; each must exist)
zn_each() {
    local fn=$1 e p c in opt n=0 found
    local -a files
    for e in "${EXPERIMENTS[@]}"; do
        awk -F'\t' -v e="$e" -v p="$PROTOCOL" 'NR > 1 && $1 == e && $2 == p { f = 1 } END { exit !f }' "$MANIFEST" ||
            zn_die "$MANIFEST: no $PROTOCOL experiment named '$e'"
    done
    while IFS=$'\t' read -r -u 3 e p c in opt; do
        [ "$p" = "$PROTOCOL" ] || continue
        if [ ${#EXPERIMENTS[@]} -gt 0 ]; then
            found=0
            for x in "${EXPERIMENTS[@]}"; do [ "$x" = "$e" ] && found=1; done
            [ $found = 1 ] || continue
        fi
        files=()
        IFS=, read -r -a files <<< "$in"
        for i in "${!files[@]}"; do
            [[ ${files[i]} == /* ]] || files[i]=$MANIFEST_DIR/${files[i]}
            [ -r "${files[i]}" ] || zn_die "$MANIFEST: experiment $e: cannot read ${files[i]}"
        done
        zn_note "$e ($c)"
        "$fn" "$e" "$c" "$opt" "${files[@]}"
        n=$((n + 1))
    done 3< <(tail -n +2 "$MANIFEST")
    [ $n -gt 0 ] || zn_die "$MANIFEST: no $PROTOCOL experiments"
}

# zn_commit FILE...: move finished results from OUTDIR/.tmp to OUTDIR
zn_commit() { local f; for f; do mv -f "$TMP/$f" "$OUT/$f"; done; }
