#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying `--executor slurm` and for the cluster
# tests (test/app/study/slurm_cluster.spec.ts). Run as root after installing Debian's packages:
#
#   apt-get install -y slurm-wlm munge && scripts/slurm-local.sh
#
# It installs nothing itself, and it returns once the node has run a one-step job (srun true), with
# the daemons' last log lines when it cannot. Idempotent: a cluster that already answers is left as
# it is. One node (this host, every core, 90% of the memory), one default partition `local`, no accounting
# (so `sacct` does not work: reccompile follows jobs through squeue, scontrol and the run folders).
# `scripts/slurm-local.sh stop` stops the daemons it started.
#
# `scripts/slurm-local.sh --fresh` starts the cluster with an empty queue, as on a new machine: the
# daemons are stopped, tasks still running are stopped with them, and the saved state of the queue
# (StateSaveLocation and the node's spool) is moved, not deleted, to /var/spool/slurm-saved/<time>/.
# .ci/run uses it: the cluster tests need the node to themselves, and a machine that kept an earlier
# queue would otherwise restart its jobs and leave the tests' tasks pending behind them.
# `scripts/slurm-local.sh --restore /var/spool/slurm-saved/<time>` puts such a queue back (setting the
# current one aside in turn) and requeues the tasks that were running when it was set aside; the jobs
# queued behind them are held until they run again, so that they take the cores back first.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "slurm-local: run as root (it starts munged and the Slurm daemons)" >&2; exit 1; fi
for cmd in munged slurmctld slurmd sbatch scontrol; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "slurm-local: $cmd not found; install Debian's slurm-wlm and munge first" >&2; exit 1; }
done

conf=/etc/slurm/slurm.conf
host=$(hostname -s)

mode=start
case "${1:-}" in
  "") ;;
  stop)
    for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
      [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    exit 0 ;;
  --fresh) mode=fresh ;;
  --restore)
    mode=restore; restore_from="${2:-}"
    if [ -z "$restore_from" ] || [ ! -d "$restore_from/slurmctld" ]; then
      echo "slurm-local: --restore needs a folder that --fresh wrote (one holding slurmctld/), got '${restore_from}'" >&2; exit 1
    fi ;;
  *) echo "slurm-local: unknown argument '$1' (usage: scripts/slurm-local.sh [--fresh | --restore DIR | stop])" >&2; exit 1 ;;
esac

# Whether the daemon of pid file $1 runs: its pid alive and named after the file. A pid file left by
# a machine that went down can name a pid that another process holds now.
running() {
  local pid; pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$(basename "$1" .pid)" ]
}
# Stops a daemon started from a pid file and waits (up to 10 s) until it has gone.
stop_daemon() {
  if running "$1"; then
    local pid; pid=$(cat "$1"); kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

# Stops the daemons and every running task, and moves the queue's saved state to a new folder under
# /var/spool/slurm-saved (printed); the next start begins with an empty queue.
set_aside() {
  stop_daemon /run/slurmd.pid
  stop_daemon /run/slurmctld.pid
  # Daemons started some other way (a service manager) have no pid file of ours.
  for d in slurmd slurmctld; do
    pkill -TERM -x "$d" 2>/dev/null || true
    for _ in $(seq 100); do pgrep -x "$d" >/dev/null || break; sleep 0.1; done
  done
  # A task's step daemons, and what they launched, outlive slurmd; with the queue gone nothing would
  # ever stop them. TERM first (a reccompile run then stops at a step boundary), KILL after 10 s.
  descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
  local tasks; tasks=$(for p in $(pgrep -x slurmstepd); do echo "$p"; descendants "$p"; done)
  if [ -n "$tasks" ]; then
    kill -TERM $tasks 2>/dev/null || true
    for _ in $(seq 100); do alive=0; for p in $tasks; do kill -0 "$p" 2>/dev/null && alive=1; done; [ "$alive" = 0 ] && break; sleep 0.1; done
    kill -KILL $tasks 2>/dev/null || true
    echo "slurm-local: stopped $(echo $tasks | wc -w) processes of running tasks"
  fi
  local saved; saved=/var/spool/slurm-saved/$(date -u +%Y%m%dT%H%M%SZ)
  for d in /var/spool/slurmctld /var/spool/slurmd; do
    if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then
      mkdir -p "$saved"; mv "$d" "$saved/"
    fi
  done
  if [ -d "$saved" ]; then
    echo "slurm-local: the queue's state is set aside in $saved (scripts/slurm-local.sh --restore $saved brings it back)"
  fi
}

case "$mode" in
  fresh) set_aside ;;
  restore)
    # The current queue is set aside in turn (nothing is deleted), then the saved one put back.
    set_aside
    for d in slurmctld slurmd; do
      [ -d "$restore_from/$d" ] && mv "$restore_from/$d" /var/spool/
    done
    rmdir "$restore_from" 2>/dev/null || true ;;
esac

# munge: a key of 1024 random bytes owned by munge, mode 400; the daemon runs as munge.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  head -c 1024 /dev/urandom > /etc/munge/munge.key
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 400 /etc/munge/munge.key
chmod 700 /etc/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  su -s /bin/sh munge -c /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

mem_mb=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
wanted=$(cat <<EOF
# Written by reccompile's scripts/slurm-local.sh: a single-node cluster for local use and CI.
ClusterName=reccompile-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
# A requeued task may start again cred_expire seconds after it ended (default 120).
AuthInfo=cred_expire=10
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start work (and requeued tasks) within seconds of it becoming eligible.
SchedulerParameters=sched_interval=5,bf_interval=5
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# Cancelled tasks get this long between SIGTERM and SIGKILL: enough for a run to stop cleanly.
KillWait=30
MinJobAge=300
NodeName=$host CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
)
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$wanted" ]; then
  printf '%s\n' "$wanted" > "$conf"
  changed=1
else
  changed=0
fi

if [ "$changed" = 1 ]; then
  # A new configuration: restart the daemons this script started (queued jobs are kept in StateSaveLocation).
  stop_daemon /run/slurmd.pid
  stop_daemon /run/slurmctld.pid
fi
running /run/slurmctld.pid || slurmctld
if [ "$mode" = restore ]; then
  # The restored state lists as running the tasks that were stopped when it was set aside (or when the
  # machine went down). Read them before slurmd registers (no new task can start yet), then requeue them
  # once it has: each resumes from its last checkpoint.
  for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
  stale=$(squeue --noheader --array --states=RUNNING,COMPLETING --format=%i 2>/dev/null | paste -sd, || true)
fi
running /run/slurmd.pid || slurmd

logs() {
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log; do
    echo "--- last lines of $f" >&2; tail -n 20 "$f" >&2 2>/dev/null || true
  done
}

# Wait until the node takes work.
up=0
for _ in $(seq 100); do
  state=$(sinfo --noheader --nodes="$host" --format=%t 2>/dev/null | head -1 || true)
  case "$state" in
    idle|mix|alloc) up=1; break ;;
    down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
  esac
  sleep 0.2
done
if [ "$up" != 1 ]; then
  echo "slurm-local: the node did not come up (state: ${state:-none})" >&2; logs; exit 1
fi

# A node that registers is not yet one that runs jobs: run one step through the whole path
# (slurmctld allocates, slurmd launches, munge authenticates both ways). Only on an idle node: one
# already running jobs has shown it can, and the check would wait behind them.
if [ "$state" = idle ] && ! timeout 120 srun --job-name=slurm-local-check --ntasks=1 --cpus-per-task=1 --time=1 true; then
  echo "slurm-local: node $host is $state, but a one-step job (srun true) did not run within 120 s" >&2
  squeue >&2 || true; logs; exit 1
fi
if [ "$mode" = restore ] && [ -n "${stale:-}" ]; then
  # A requeued task may start again only some seconds later (Slurm's BeginTime), and in those seconds
  # the scheduler would give its cores to the jobs queued behind it. Hold those (the pending ones not
  # held already, highest priority first) until the requeued tasks run, so that the queue comes back
  # in its order.
  behind=$(squeue --noheader --array --states=PENDING --sort=-p --format='%i %r' 2>/dev/null | awk '$2 !~ /^JobHeld/ {print $1}' | paste -sd, || true)
  if [ -n "$behind" ] && ! scontrol hold "$behind"; then behind=""; fi
  if scontrol requeue "$stale"; then echo "slurm-local: requeued the tasks that had been stopped: $stale"
  else echo "slurm-local: could not requeue $stale; requeue them by hand (scontrol requeue)" >&2; fi
  if [ -n "$behind" ]; then
    for _ in $(seq 120); do
      [ -z "$(squeue --noheader --array --states=PENDING --jobs="$stale" --format=%i 2>/dev/null || true)" ] && break
      sleep 1
    done
    if scontrol release "$behind"; then echo "slurm-local: held the jobs queued behind them until they ran again: $behind"
    else echo "slurm-local: could not release $behind; release them by hand (scontrol release)" >&2; fi
  fi
fi
echo "slurm-local: node $host is $state (partition local, $(nproc) CPUs, ${mem_mb} MB)"
