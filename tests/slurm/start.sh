#!/bin/bash
# From ../shared/SLURM.md (the recipe tested on these machines), unchanged
# but for this comment: tests/slurm.bats runs it to have a real cluster.
# Start a single-node SLURM cluster (slurmctld + slurmd + munged) on Debian 12
# without systemd. Run as root. Defaults are the standard Debian locations;
# override the variables to run a second, isolated instance next to another one.
set -euo pipefail
: "${SLURM_ETC:=/etc/slurm}"            # slurm.conf lives here
: "${MUNGE_RUN:=/run/munge}"            # munged socket/pid/log/seed
: "${SLURM_RUN:=/run/slurm}"            # slurmctld/slurmd pid files
: "${SPOOL:=/var/spool/slurm}"          # ctld state + slurmd spool
: "${LOGDIR:=/var/log/slurm}"
: "${SLURMCTLD_PORT:=6817}"
: "${SLURMD_PORT:=6818}"
export DEBIAN_FRONTEND=noninteractive
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)

# 1. install (8 packages with --no-install-recommends)
if [ "${SKIP_APT_UPDATE:-0}" != 1 ]; then apt-get update -qq; fi
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
t1=$(ms)

# 2. munge (Debian's postinst already creates /etc/munge/munge.key)
[ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
install -d -o munge -g munge -m 0755 "$MUNGE_RUN"
runuser -u munge -- munged \
    --socket="$MUNGE_RUN/munge.socket.2" --pid-file="$MUNGE_RUN/munged.pid" \
    --log-file="$MUNGE_RUN/munged.log" --seed-file="$MUNGE_RUN/munged.seed"
munge -n --socket="$MUNGE_RUN/munge.socket.2" | unmunge --socket="$MUNGE_RUN/munge.socket.2" >/dev/null

# 3. slurm.conf
NODE=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemAvailable/ {print int($2/1024)}' /proc/meminfo) - 512 ))
install -d -m 0755 "$SLURM_ETC" "$SLURM_RUN"
install -d -o slurm -g slurm -m 0755 "$SPOOL" "$SPOOL/ctld" "$LOGDIR"
install -d -m 0755 "$SPOOL/d"
cat > "$SLURM_ETC/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_RUN/munge.socket.2
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=$SPOOL/ctld
SlurmdSpoolDir=$SPOOL/d
SlurmctldPidFile=$SLURM_RUN/slurmctld.pid
SlurmdPidFile=$SLURM_RUN/slurmd.pid
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=5
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$SLURM_ETC/slurm.conf"

# 4. daemons (fork into background; -i on ctld = ignore stale state)
slurmctld -i
slurmd
t2=$(ms)

# 5. wait until the controller answers and the node is idle
for i in $(seq 60); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.5; done
for i in $(seq 60); do [ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ] && break; sleep 0.5; done
if [ "$(sinfo -h -N -o %T)" != idle ]; then
  sinfo -N -l; tail -n 20 "$LOGDIR"/*.log; exit 1
fi
sinfo
t3=$(ms)
echo "TIMING install=$((t1-t0))ms start=$((t2-t1))ms wait_ready=$((t3-t2))ms total=$((t3-t0))ms"
