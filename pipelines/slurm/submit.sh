#!/bin/bash
# submit.sh - the whole manifest on a SLURM cluster: one array task per
# experiment, then a merge job that waits for all of them.
#
#   pipelines/slurm/submit.sh [--wait] MANIFEST OUTDIR [SBATCH OPTION...]
#
# The zn-* programs must be on PATH (it is exported to the jobs).  Logs:
# OUTDIR/logs/task-%a_%A.log per task (stdout and stderr), merge_%j.log.
# Prints the two job ids.  --wait: wait for the merge job and exit with
# its status (for scripts and tests).  Extra options go to both sbatch
# calls (e.g. --partition=short --account=lab).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wait=()
[ "${1:-}" = --wait ] && { wait=(--wait); shift; }
[ $# -ge 2 ] || { echo "Usage: ${0##*/} [--wait] MANIFEST OUTDIR [SBATCH OPTION...]" >&2; exit 2; }
manifest=$(cd "$(dirname "$1")" && pwd)/${1##*/} out=$2; shift 2
command -v zn-ingest >/dev/null || { echo "${0##*/}: zn-ingest is not on PATH" >&2; exit 1; }
n=$(($(wc -l < "$manifest") - 1))
[ $n -gt 0 ] || { echo "${0##*/}: $manifest has no experiments" >&2; exit 1; }
mkdir -p "$out/logs"            # a job whose log folder is missing dies at once
out=$(cd "$out" && pwd)
export ZNFLOW_PIPELINES=$here
array=$(sbatch --parsable --export=ALL --array=1-$n --output="$out/logs/task-%a_%A.log" "$@" \
    "$here/slurm/znflow-array.sbatch" "$manifest" "$out")
array=${array%%;*}
echo "array job $array: $n experiments"
set +e
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge_%j.log" "${wait[@]}" "$@" "$here/slurm/znflow-merge.sbatch" "$out")
st=$?
set -e
merge=${merge%%;*}
[ -n "$merge" ] || exit "$st"
echo "merge job $merge (after $array)"
if [ ${#wait[@]} -gt 0 ]; then
    # a merge job cancelled because a task failed ends "successfully" for
    # sbatch --wait: it never wrote its log
    if [ ! -e "$out/logs/merge_$merge.log" ]; then
        echo "${0##*/}: the merge job did not run: a task of array job $array failed (see $out/logs/task-*_$array.log)" >&2
        exit 1
    fi
    exit "$st"
fi
