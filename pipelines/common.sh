# pipelines/common.sh - sourced by the protocol scripts (fluozin3.sh,
# er-fret-zip7.sh, uptake-65zn.sh) and the cluster helpers; not a program
# of its own.
#
#   PROTOCOL.sh [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report] [--progress] [MANIFEST]
#
# MANIFEST (default: the bundled examples/manifest.tsv) is a TSV with the
# header experiment, protocol, condition, inputs, options: one experiment
# per row, inputs comma-separated, relative to the manifest's folder (or
# absolute); options: NAME=VALUE overrides of the protocol's parameters
# (interval=5, baseline=0:100, sensor=Zinpyr-1, ...; the names of
# params.conf without the protocol's prefix, in lower case) and, for
# uptake-65zn, the assay's zn-uptake-rate options.  --params FILE: a file
# like params.conf whose values replace its defaults.  The whole manifest
# is checked first (pipelines/manifest.awk); every error is named.
# The script runs the rows of its protocol (or those named with -e), writes
# OUTDIR/EXPERIMENT.*.znr.gz, then the protocol's report over every result
# in OUTDIR (unless --no-report).  A result appears under its final name
# only when its whole pipeline succeeded (written in a temporary folder
# OUTDIR/.tmp.XXXXXX, moved, the folder removed).
set -euo pipefail
ZN_PIPELINES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=params.conf
. "$ZN_PIPELINES/params.conf"

# the program's name in messages: the script's, or the command the user
# typed when znflow runs the script for it (ZNFLOW_PROG="znflow slurm");
# taken once, so that the programs this one starts name themselves
ZN_PROG=${ZNFLOW_PROG:-${0##*/}}
unset ZNFLOW_PROG

zn_die() { echo "$ZN_PROG: $*" >&2; exit 1; }

# zn_help: the script's header comment as its --help, with the command the
# user typed in place of the script's name (znflow slurm --help)
zn_help() {
    local n=${0##*/}
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" |
        if [ "$ZN_PROG" = "$n" ]; then cat; else sed "s#\(pipelines/\(slurm/\)\{0,1\}\)\{0,1\}$n#$ZN_PROG#g"; fi
    exit 0
}

# zn_find_programs: the zn-* programs on PATH, or say in one line what to
# do.  Where from: $ZNFLOW_BIN when set; else this tree's own (build/bin of
# a source tree, the installed bin folder of `make install`, recorded in
# installed.conf); else PATH.
zn_find_programs() {
    local b=${ZNFLOW_BIN:-}
    if [ -z "$b" ]; then
        if [ -x "$ZN_PIPELINES/../build/bin/zn-ingest" ]; then
            b=$(cd "$ZN_PIPELINES/../build/bin" && pwd)
        elif [ -r "$ZN_PIPELINES/installed.conf" ]; then
            b=$(sed -n 's/^ZNFLOW_INSTALLED_BIN=//p' "$ZN_PIPELINES/installed.conf")
        fi
    fi
    if [ -n "$b" ]; then
        [ -x "$b/zn-ingest" ] || zn_die "no zn-ingest in $b (ZNFLOW_BIN): set it to the folder of the zn-* programs"
        PATH=$b:$PATH
    elif ! command -v zn-ingest >/dev/null; then
        if [ -r "$ZN_PIPELINES/../Makefile" ]; then
            zn_die "the zn-* programs are not built: run make in $(cd "$ZN_PIPELINES/.." && pwd) (they go to build/bin), or set ZNFLOW_BIN to their folder"
        fi
        zn_die "the zn-* programs are not on PATH: add their folder to PATH, or set ZNFLOW_BIN to it"
    fi
    ZNFLOW_BIN=$(dirname "$(command -v zn-ingest)")
    export PATH ZNFLOW_BIN
}

# zn_manifest MANIFEST [PARAMS]: the checked rows into ZN_ROWS (see
# manifest.awk for the format), or the errors and exit 1; then PARAMS's
# values (checked with the rows) replace params.conf's in the shell, for
# what is not done per row: the er-ic50 series fit (zn_ic50_series)
zn_manifest() {
    local m=$1 p=${2:-} dir
    [ -r "$m" ] && [ -f "$m" ] || zn_die "cannot read the manifest $m"
    [ -z "$p" ] || { [ -r "$p" ] && [ -f "$p" ]; } || zn_die "cannot read the parameter file $p"
    dir=$(cd "$(dirname "$m")" && pwd)
    ZN_ROWS=$(awk -F'\t' -v prog="$ZN_PROG" -v dir="$dir" -f "$ZN_PIPELINES/manifest.awk" \
        "$ZN_PIPELINES/params.conf" ${p:+"$p"} "$m") || exit 1
    zn_set_params "$p"
}

# zn_params_file [PARAMS]: a parameter file without a manifest (znflow-merge):
# checked by manifest.awk as with one (every error named, exit 1), its
# values set in the shell
zn_params_file() {
    local p=${1:-}
    [ -n "$p" ] || return 0
    [ -r "$p" ] && [ -f "$p" ] || zn_die "cannot read the parameter file $p"
    printf 'experiment\tprotocol\tcondition\tinputs\toptions\n' |
        awk -F'\t' -v prog="$ZN_PROG" -v dir=. -f "$ZN_PIPELINES/manifest.awk" "$ZN_PIPELINES/params.conf" "$p" /dev/stdin || exit 1
    zn_set_params "$p"
}

# zn_set_params [PARAMS]: the checked file's NAME=VALUE lines as shell
# variables (one word each of a safe set: manifest.awk's badvalue)
zn_set_params() {
    local x
    [ -n "${1:-}" ] || return 0
    while IFS= read -r x; do declare -g "$x"; done < <(awk '{ sub(/\r$/, "") } /^[A-Z][A-Z0-9_]*=/' "$1")
}

# zn_series_params: NAME=VALUE of the er-ic50 series parameters (the IC_
# names of params.conf but IC_CONC, which is per dish), as now set
zn_series_params() {
    local x
    for x in $(sed -n 's/^\(IC_[A-Z0-9_]*\)=.*/\1/p' "$ZN_PIPELINES/params.conf"); do
        [ "$x" = IC_CONC ] || echo "$x=${!x}"
    done
}

# zn_ic50_series DIR: the er-ic50 series over every DIR/*.metrics.znr.gz
# (one per dish): the dish means (zn-means of IC_METRIC; the dish is the
# replicate), the fit over the concentrations (zn-mm-fit IC_MODEL, weights
# IC_WEIGHT, profile intervals) and its curve (IC_CURVE points): written in
# a temporary folder in DIR and moved to DIR/dishes.znr.gz, fit.znr.gz,
# curve.znr.gz.  er-ic50.sh and znflow-merge fit alike through this.
zn_ic50_series() {
    local d=$1 t f k
    local -a ms=()
    # the dishes in byte order of their names, as make's $(sort) gives them,
    # whatever the user's locale
    local LC_ALL=C
    for f in "$d"/*.metrics.znr.gz; do [ -e "$f" ] && ms+=("$f"); done
    [ ${#ms[@]} -gt 0 ] || zn_die "$d: no dishes (*.metrics.znr.gz) to fit"
    t=$(mktemp -d "$d/.tmp.XXXXXX")
    zn-means --by sample,condition --meta conc_uM -c "$IC_METRIC" -o "$t/dishes.znr.gz" "${ms[@]}" &&
        zn-mm-fit -q -m "$IC_MODEL" -x conc_uM -y "$IC_METRIC" --weight "$IC_WEIGHT" --ci profile --curve "$IC_CURVE" \
            --curve-output "$t/curve.znr.gz" -o "$t/fit.znr.gz" "$t/dishes.znr.gz" || { rm -rf "$t"; exit 1; }
    for k in dishes fit curve; do mv -f "$t/$k.znr.gz" "$d/$k.znr.gz"; done
    rmdir "$t"
}

# zn_init PROTOCOL "$@": options into OUT, MANIFEST, PARAMS, EXPERIMENTS, REPORT, PROGRESS
zn_init() {
    PROTOCOL=$1; shift
    OUT=results/$PROTOCOL MANIFEST=$ZN_PIPELINES/../examples/manifest.tsv REPORT=1 PROGRESS=0 PARAMS= FIT=1
    EXPERIMENTS=()
    [ -t 2 ] && PROGRESS=1
    while [ $# -gt 0 ]; do
        case $1 in
        -o) [ $# -ge 2 ] || zn_usage "-o needs a folder"; OUT=$2; shift 2 ;;
        -e) [ $# -ge 2 ] || zn_usage "-e needs an experiment"; EXPERIMENTS+=("$2"); shift 2 ;;
        --params) [ $# -ge 2 ] || zn_usage "--params needs a file"; PARAMS=$2; shift 2 ;;
        --no-report) REPORT=0; shift ;;
        --no-fit) [ "$PROTOCOL" = er-ic50 ] || zn_usage "unknown option $1"; FIT=0 REPORT=0; shift ;;
        --progress) PROGRESS=1; shift ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) zn_usage "unknown option $1" ;;
        *) MANIFEST=$1; shift; [ $# -eq 0 ] || zn_usage "one manifest only" ;;
        esac
    done
    zn_find_programs
    zn_manifest "$MANIFEST" "$PARAMS"
    local e
    for e in "${EXPERIMENTS[@]}"; do
        awk -F'\037' -v e="$e" -v p="$PROTOCOL" '$2 == e && $3 == p { f = 1 } END { exit !f }' <<< "$ZN_ROWS" ||
            zn_die "$MANIFEST: no $PROTOCOL experiment named '$e'"
    done
    mkdir -p "$OUT"
    TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
    trap 'rm -rf "$TMP"' EXIT
}

zn_usage() {
    echo "$ZN_PROG: $*" >&2
    local nofit=
    [ "${PROTOCOL:-}" != er-ic50 ] || nofit=' [--no-fit]'
    echo "Usage: $ZN_PROG [-o OUTDIR] [-e EXPERIMENT]... [--params FILE] [--no-report]$nofit [--progress] [MANIFEST]" >&2
    exit 2
}

zn_note() { [ "$PROGRESS" = 1 ] && echo "$ZN_PROG: $*" >&2; return 0; }

# zn_each FUNCTION: FUNCTION EXPERIMENT CONDITION OPTIONS INPUT... for each
# row of this protocol (the -e ones only, when given), in a subshell with
# the row's parameters (params.conf, --params, the row's overrides) set
zn_each() {
    local fn=$1 line e p c in opt ps n=0 found x
    local -a files
    while IFS=$'\037' read -r -u 3 line e p c in opt ps; do
        [ "$p" = "$PROTOCOL" ] || continue
        if [ ${#EXPERIMENTS[@]} -gt 0 ]; then
            found=0
            for x in "${EXPERIMENTS[@]}"; do [ "$x" = "$e" ] && found=1; done
            [ $found = 1 ] || continue
        fi
        IFS=, read -r -a files <<< "$in"
        for x in "${files[@]}"; do
            [ -r "$x" ] || zn_die "$MANIFEST:$line: experiment $e: cannot read $x"
        done
        zn_note "$e ($c)"
        (
            for x in $ps; do declare "${x%%=*}=${x#*=}"; done
            "$fn" "$e" "$c" "$opt" "${files[@]}"
        )
        n=$((n + 1))
    done 3<<< "$ZN_ROWS"
    [ $n -gt 0 ] || zn_die "$MANIFEST: no $PROTOCOL experiments"
}

# zn_commit FILE...: move finished results from the temporary folder to OUTDIR
zn_commit() { local f; for f; do mv -f "$TMP/$f" "$OUT/$f"; done; }

# zn_er_dish EXPERIMENT CONDITION CFP YFP [ZN-INGEST OPTION]...: one ER-ZapCY1
# FRET dish with the ER_ parameters (er-fret-zip7 and er-ic50 image their
# dishes alike): ingest the donor and acceptor exports (the extra options
# after the compartment's meta), background, one bleaching rate per dish and
# channel, R = YFP/CFP, calibration, metrics; TMP/E.zn.znr.gz, TMP/E.metrics.znr.gz
zn_er_dish() {
    local e=$1 cond=$2 cfp=$3 yfp=$4
    shift 4
    zn-ingest -u --interval "$ER_INTERVAL" --sample "$e" --condition "$cond" \
            --meta compartment="$ER_COMPARTMENT" "$@" --window baseline="$ER_BASELINE" \
            --window response="$ER_RESPONSE" --window min="$ER_MIN" --window max="$ER_MAX" \
            --channel CFP "$cfp" --channel YFP "$yfp" |
        zn-background -u |
        zn-bleach -q -u --window "$ER_BLEACH" |
        zn-ratio -u --num "$ER_NUM" --den "$ER_DEN" |
        zn-calibrate -q --sensor "$ER_SENSOR" --unit "$ER_UNIT" -o "$TMP/$e.zn.znr.gz"
    zn-metrics --window final="$ER_FINAL" -o "$TMP/$e.metrics.znr.gz" "$TMP/$e.zn.znr.gz"
}
