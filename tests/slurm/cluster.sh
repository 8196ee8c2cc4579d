#!/usr/bin/env bash
# A throw-away SLURM cluster on this machine for the slurm tier: munged, slurmctld and one
# slurmd per node, every file under BASE, every daemon stopped by its PID file.
#   cluster.sh up BASE N [NETNS_PREFIX]   nodes n1..nN on 127.0.0.1 (distinct ports), or, with a
#                                         prefix from tests/cluster/netns.sh, slurmd of nI inside
#                                         namespace PREFIX_nI (address 10.<net>.0.I) and
#                                         slurmctld in PREFIX_head
#   cluster.sh run BASE CMD...            a SLURM client command where slurmctld is reachable
#   cluster.sh wait BASE JOBID [TIMEOUT]  polls scontrol (sbatch --wait polls every 2-32 s);
#                                         prints "JOBID STATE EXITCODE", exit 0 iff COMPLETED 0:0
#   cluster.sh down BASE                  cancels jobs, stops the daemons (SIGKILL after 10 s)
# Pitfalls met on Debian 12's Slurm 22.05 (see ../../docs/ARCHITECTURE.md, SLURM): srun needs
# --mpi=pmix (pmi2 aborts in MPI_Init), several slurmds on one host need TmpFS per node, and
# slurmd needs /sys/fs/cgroup, which `ip netns exec` hides (nsenter keeps it).
set -euo pipefail
cmd=${1:?usage: cluster.sh up|run|wait|down BASE ...}
base=${2:?BASE}
conf=$base/etc/slurm.conf
port=${HOCKNEY_SLURM_PORT:-16917}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
client() {  # a client command, inside the head namespace when there is one
  local ns
  ns=$(cat "$base/head-netns" 2>/dev/null || true)
  if [ -n "$ns" ]; then
    SLURM_CONF=$conf ip netns exec "$ns" "$@"
  else
    SLURM_CONF=$conf "$@"
  fi
}

down() {
  [ -d "$base/run" ] || return 0
  if alive "$(cat "$base/run/slurmctld.pid" 2>/dev/null || true)"; then
    local jobs
    jobs=$(client timeout 5 squeue -h -o %i 2>/dev/null || true)
    # shellcheck disable=SC2086 # job ids, one word each
    [ -z "$jobs" ] || client timeout 5 scancel $jobs 2>/dev/null || true
  fi
  local pids=()
  for f in "$base"/run/slurmd-*.pid "$base/run/slurmctld.pid" "$base/run/munged.pid"; do
    [ -f "$f" ] || continue
    local pid
    pid=$(cat "$f" 2>/dev/null || true)
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
  done
  for _ in $(seq 1 100); do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  rm -f "$base"/run/*.pid
}

case "$cmd" in
up)
  nodes=${3:?N}
  prefix=${4:-}
  for b in slurmctld slurmd munged mungekey sbatch scontrol; do
    command -v "$b" >/dev/null || { echo "cluster.sh: $b not found (bash scripts/install-deps.sh installs SLURM and munge)"; exit 77; }
  done
  [ -d /sys/fs/cgroup ] || { echo "cluster.sh: slurmd 22.05 needs /sys/fs/cgroup, absent here"; exit 77; }
  down
  rm -rf "$base"
  mkdir -p "$base"/{etc,state,spool,log,run,munge,tmp}
  chmod 700 "$base/munge"
  chmod 755 "$base" "$base/run"
  mungekey -c -b 1024 -k "$base/munge/munge.key"
  sock=$base/run/munge.sock
  # --force: munged refuses a socket below world-writable /tmp otherwise.
  timeout 20 munged --force -S "$sock" --key-file="$base/munge/munge.key" \
    --log-file="$base/log/munged.log" --pid-file="$base/run/munged.pid" --seed-file="$base/munge/seed"
  host=$(hostname -s)
  ctld=127.0.0.1
  if [ -n "$prefix" ]; then
    net=$(ip netns exec "${prefix}_head" ip -4 -o addr show br0 | awk '{print $4}' | cut -d/ -f1)
    ctld=$net
    echo "${prefix}_head" >"$base/head-netns"
    nodeline="NodeName=n[1-$nodes] NodeAddr=${net%.*}.[1-$nodes] Port=[$((port + 1))-$((port + nodes))] CPUs=$(nproc) State=UNKNOWN"
  else
    nodeline="NodeName=n[1-$nodes] NodeHostname=$host NodeAddr=127.0.0.1 Port=[$((port + 1))-$((port + nodes))] CPUs=$(nproc) State=UNKNOWN"
  fi
  cat >"$conf" <<CONF
ClusterName=hockney
SlurmctldHost=$host($ctld)
SlurmctldPort=$port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool/%n
TmpFS=$base/tmp/%n
MailProg=/bin/true
SlurmctldPidFile=$base/run/slurmctld.pid
SlurmdPidFile=$base/run/slurmd-%n.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$base/log/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=pmix
ReturnToService=2
MinJobAge=3600
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
$nodeline
PartitionName=debug Nodes=n[1-$nodes] Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  if [ -n "$prefix" ]; then
    timeout 30 ip netns exec "${prefix}_head" slurmctld -f "$conf"
  else
    timeout 30 slurmctld -f "$conf"
  fi
  for _ in $(seq 1 100); do
    client scontrol ping 2>/dev/null | grep -q 'is UP' && break
    sleep 0.1
  done
  client scontrol ping | grep -q 'is UP' || { echo "cluster.sh: slurmctld did not start"; tail -20 "$base/log/slurmctld.log"; exit 1; }
  for i in $(seq 1 "$nodes"); do
    mkdir -p "$base/spool/n$i" "$base/tmp/n$i"
    if [ -n "$prefix" ]; then
      timeout 30 nsenter --net="/run/netns/${prefix}_n$i" unshare --uts sh -c "hostname n$i; exec slurmd -f '$conf' -N n$i"
    else
      timeout 30 slurmd -f "$conf" -N "n$i"
    fi
  done
  state=""
  for _ in $(seq 1 300); do
    state=$(client sinfo -h -N -o '%T' 2>/dev/null | sort -u | tr '\n' ' ')
    [ "$state" = "idle " ] && break
    sleep 0.1
  done
  [ "$state" = "idle " ] || { echo "cluster.sh: nodes not idle: $state"; client sinfo -N -l; tail -5 "$base"/log/slurmd-*.log; exit 1; }
  echo "cluster.sh: $nodes node(s) idle: $(client sinfo -h -o '%P %D %T %N')"
  ;;
run)
  shift 2
  client "$@"
  ;;
wait)
  job=${3:?JOBID}
  limit=${4:-600}
  end=$(($(date +%s) + limit))
  while :; do
    rec=$(client scontrol show job -o "$job" 2>/dev/null || true)
    [ -n "$rec" ] || rec=$(grep "^JobId=$job " "$base/log/jobcomp.txt" 2>/dev/null | tail -1 || true)
    st=$(grep -o 'JobState=[A-Z_]*' <<<"$rec" | cut -d= -f2 || true)
    ec=$(grep -o ' ExitCode=[0-9:]*' <<<"$rec" | cut -d= -f2 || true)
    case "$st" in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE)
      echo "$job $st $ec"
      [ "$st" = COMPLETED ] && [ "$ec" = 0:0 ]
      exit
      ;;
    esac
    [ "$(date +%s)" -lt "$end" ] || { echo "$job still ${st:-unknown} after ${limit} s"; exit 2; }
    sleep 0.2
  done
  ;;
down)
  down
  ;;
*)
  echo "cluster.sh: unknown command $cmd"
  exit 2
  ;;
esac
