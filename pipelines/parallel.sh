#!/bin/bash
# parallel.sh - the whole manifest on one big node with GNU parallel: one
# job per experiment, then the merge (reports).
#
#   pipelines/parallel.sh [-j N] [--params FILE] MANIFEST OUTDIR
#
# -j N: jobs at once (default: one per core).  The job log
# (OUTDIR/logs/joblog) records every job's exit status; run the same
# command again after a failure and only the failed (and never started)
# experiments run (--resume-failed).  Per-experiment logs:
# OUTDIR/logs/EXPERIMENT.log.  Exit status: the number of failed jobs
# (parallel's), else the merge's.  --params FILE goes to the jobs and to
# the merge (which fits an er-ic50 series once over its dishes).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
here=$ZN_PIPELINES
jobs=() params=()
usage() { [ $# -eq 0 ] || echo "$ZN_PROG: $*" >&2; echo "Usage: $ZN_PROG [-j N] [--params FILE] MANIFEST OUTDIR" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    -j) [ $# -ge 2 ] || usage "-j needs a number of jobs"; jobs=(-j "$2"); shift 2 ;;
    --params) [ $# -ge 2 ] || usage "--params needs a file"; { [ -r "$2" ] && [ -f "$2" ]; } || zn_die "cannot read the parameter file $2"
              params=(--params "$(cd "$(dirname "$2")" && pwd)/${2##*/}"); shift 2 ;;
    -h|--help) zn_help ;;
    -?*) usage "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || usage "give a manifest and an output folder"
manifest=$1 out=$2
parallel --version 2>/dev/null | grep -q "GNU parallel" || zn_die "GNU parallel is not installed (Debian: apt-get install parallel)"
zn_find_programs
zn_manifest "$manifest" "${params[1]:-}"
mkdir -p "$out/logs"
cut -d $'\037' -f 2 <<< "$ZN_ROWS" |
    parallel "${jobs[@]}" --joblog "$out/logs/joblog" --resume-failed \
        "$here/znflow-run -o $(printf %q "$out") ${params[*]+$(printf '%q ' "${params[@]}")}$(printf %q "$manifest") {} > $(printf %q "$out")/logs/{}.log 2>&1"
"$here/znflow-merge" "${params[@]}" "$out"
