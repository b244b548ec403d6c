#!/bin/bash
# From ../shared/SLURM.md (the recipe tested on these machines), unchanged
# but for this comment: tests/slurm.bats runs it to have a real cluster.
# Stop the daemons started by the start-up script, by their pid files.
: "${SLURM_RUN:=/run/slurm}" "${MUNGE_RUN:=/run/munge}"
for f in "$SLURM_RUN/slurmd.pid" "$SLURM_RUN/slurmctld.pid" "$MUNGE_RUN/munged.pid"; do
  [ -s "$f" ] || continue
  pid=$(cat "$f"); kill "$pid" 2>/dev/null || continue
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
done
