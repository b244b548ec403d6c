#!/bin/bash
# submit.sh - the whole manifest on a SLURM cluster: one array task per
# experiment, then a merge job that waits for all of them.
#
#   pipelines/slurm/submit.sh [--wait] [--params FILE] MANIFEST OUTDIR [SBATCH OPTION...]
#
# The zn-* programs are found as the protocol scripts find them (this
# tree's own, ZNFLOW_BIN, or PATH) and their folder is exported to the
# jobs.  Logs: OUTDIR/logs/task-ROW_ARRAYJOB.log per task (stdout and
# stderr), merge_JOB.log.  Prints the two job ids.  Submitting again to
# the same OUTDIR runs only the rows that have not succeeded (failed,
# never run, or changed since: OUTDIR/.done/), then the merge.  --wait:
# wait for the merge job and exit with its status (for scripts and
# tests).  Extra options go to both sbatch calls (e.g. --partition=short
# --account=lab).  --params FILE goes to the tasks and to the merge (which
# fits an er-ic50 series once over its dishes: the tasks do the dishes).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/common.sh"
wait=() params=
usage() { [ $# -eq 0 ] || echo "$ZN_PROG: $*" >&2; echo "Usage: $ZN_PROG [--wait] [--params FILE] MANIFEST OUTDIR [SBATCH OPTION...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --wait) wait=(--wait); shift ;;
    --params) [ $# -ge 2 ] || usage "--params needs a file"
              { [ -r "$2" ] && [ -f "$2" ]; } || zn_die "cannot read the parameter file $2"
              params=$(cd "$(dirname "$2")" && pwd)/${2##*/}; shift 2 ;;
    -h|--help) zn_help ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || usage "give a manifest and an output folder"
{ [ -r "$1" ] && [ -f "$1" ]; } || zn_die "cannot read the manifest $1"
manifest=$(cd "$(dirname "$1")" && pwd)/${1##*/} out=$2; shift 2
zn_find_programs
zn_manifest "$manifest" "$params"
[ -n "$ZN_ROWS" ] || zn_die "$manifest has no experiments"
command -v sbatch >/dev/null || zn_die "SLURM's sbatch is not on PATH: run this on a cluster's login node (Debian: apt-get install slurm-client)"
mkdir -p "$out/logs"            # a job whose log folder is missing dies at once
out=$(cd "$out" && pwd)
# the rows to run: those without a record of success for the row as it is now
todo=() n=0
while IFS=$'\037' read -r _ e rest; do
    n=$((n + 1))
    [ -f "$out/.done/$e" ] && [ "$(cat "$out/.done/$e")" = "$e"$'\037'"$rest" ] || todo+=("$n")
done <<< "$ZN_ROWS"
export ZNFLOW_PIPELINES=$here
dep=() array=
if [ ${#todo[@]} -gt 0 ]; then
    array=$(IFS=,; sbatch --parsable --export=ALL --array="${todo[*]}" --output="$out/logs/task-%a_%A.log" "$@" \
        "$here/slurm/znflow-array.sbatch" "$manifest" "$out" ${params:+"$params"})
    array=${array%%;*}
    if [ ${#todo[@]} -eq "$n" ]; then
        echo "array job $array: $n experiments"
    else
        echo "array job $array: ${#todo[@]} of $n experiments (rows ${todo[*]}; the others succeeded before)"
    fi
    dep=(--dependency=afterok:"$array" --kill-on-invalid-dep=yes)
else
    echo "all $n experiments succeeded before: the merge only"
fi
set +e
merge=$(sbatch --parsable --export=ALL "${dep[@]}" \
    --output="$out/logs/merge_%j.log" "${wait[@]}" "$@" "$here/slurm/znflow-merge.sbatch" "$out" ${params:+"$params"})
st=$?
set -e
merge=${merge%%;*}
[ -n "$merge" ] || exit "$st"
echo "merge job $merge${array:+ (after $array)}"
if [ ${#wait[@]} -gt 0 ]; then
    # a merge job cancelled because a task failed ends "successfully" for
    # sbatch --wait: it never wrote its log
    if [ ! -e "$out/logs/merge_$merge.log" ]; then
        echo "$ZN_PROG: the merge job did not run: a task of array job $array failed (see $out/logs/task-*_$array.log; submit again to rerun the failed rows)" >&2
        exit 1
    fi
    exit "$st"
fi
