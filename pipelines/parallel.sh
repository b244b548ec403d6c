#!/bin/bash
# parallel.sh - the whole manifest on one big node with GNU parallel: one
# job per experiment, then the merge (reports).
#
#   pipelines/parallel.sh [-j N] MANIFEST OUTDIR
#
# -j N: jobs at once (default: one per core).  The job log
# (OUTDIR/logs/joblog) records every job's exit status; run the same
# command again after a failure and only the failed (and never started)
# experiments run (--resume-failed).  Per-experiment logs:
# OUTDIR/logs/EXPERIMENT.log.  Exit status: the number of failed jobs
# (parallel's), else the merge's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=()
[ "${1:-}" = -j ] && { jobs=(-j "$2"); shift 2; }
[ $# -eq 2 ] || { echo "Usage: ${0##*/} [-j N] MANIFEST OUTDIR" >&2; exit 2; }
manifest=$1 out=$2
parallel --version 2>/dev/null | grep -q "GNU parallel" || { echo "${0##*/}: GNU parallel is not installed (Debian: apt-get install parallel)" >&2; exit 1; }
mkdir -p "$out/logs"
tail -n +2 "$manifest" | cut -f1 |
    parallel "${jobs[@]}" --joblog "$out/logs/joblog" --resume-failed \
        "$here/znflow-run -o $(printf %q "$out") $(printf %q "$manifest") {} > $(printf %q "$out")/logs/{}.log 2>&1"
"$here/znflow-merge" "$out"
