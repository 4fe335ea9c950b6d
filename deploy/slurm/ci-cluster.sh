#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on loopback, for CI and for trying
# deploy/slurm/submit.sh on a workstation. Needs root (the daemons run as
# root, jobs run as the submitting user) and Debian's slurm-wlm and munge:
#
#   apt-get install slurm-wlm munge
#   eval "$(deploy/slurm/ci-cluster.sh start)"   # prints: export SLURM_CONF=...
#   sinfo; deploy/slurm/submit.sh scenarios/example.toml --shards 4
#   deploy/slurm/ci-cluster.sh stop
#
# Everything — munge key and socket, slurm.conf, state, spool, logs, pid
# files — lives under one directory (DCSIM_SLURM_DIR, default
# /tmp/dcsim-slurm), so nothing under /etc or /var is touched and stop
# leaves the machine as it was (the directory is kept for its logs). The
# node is this machine, named localhost, with CPUs=2 and no cgroups.
#
# start waits until the node answers (at most 60 s) and then prints the
# environment a client needs; stop kills only the daemons whose pid files
# it wrote. status exits 0 when the controller answers.
set -euo pipefail

dir=${DCSIM_SLURM_DIR:-/tmp/dcsim-slurm}
conf=$dir/slurm.conf
cpus=${DCSIM_SLURM_CPUS:-2}

die() { echo "ci-cluster: $*" >&2; exit 1; }

# A free TCP port pair on loopback for slurmctld and slurmd.
free_port() {
  local p
  for p in "$@"; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port among $*"
}

stop_pid() { # name pidfile
  local pid
  [ -f "$2" ] || return 0
  pid=$(cat "$2")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "ci-cluster: $1 ($pid) did not stop, killing it" >&2; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$2"
}

start() {
  [ "$(id -u)" = 0 ] || die "start needs root (slurmd runs jobs as their users)"
  for c in munged slurmctld slurmd sbatch scontrol; do
    command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$c" >/dev/null 2>&1 ||
      die "$c not found: apt-get install slurm-wlm munge"
  done
  export PATH=$PATH:/usr/sbin
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    die "a cluster already runs from $dir: $0 stop first"
  fi
  mkdir -p "$dir"/{munge,state,spool,log}
  chmod 0700 "$dir/munge"

  # munge: a fresh key, its own socket.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" ||
    die "munged did not start; see $dir/log/munged.log"

  local ctld_port node_port mem
  ctld_port=$(free_port 6817 16817 26817)
  node_port=$(free_port 6818 16818 26818)
  # Leave the OS some memory; jobs may ask for what is left.
  mem=$(awk '/MemTotal/ {printf "%d", $2/1024*0.8}' /proc/meminfo)
  cat >"$conf" <<CONF
# Written by deploy/slurm/ci-cluster.sh: one node on loopback, no cgroups.
ClusterName=dcsim-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$conf
  slurmctld -f "$conf" || die "slurmctld did not start; see $dir/log/slurmctld.log"
  slurmd -f "$conf" -N localhost || die "slurmd did not start; see $dir/log/slurmd.log"

  local ok=
  for _ in $(seq 120); do
    if state=$(sinfo -h -n localhost -o %T 2>/dev/null) && [[ "$state" =~ ^(idle|mixed|allocated) ]]; then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || { tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2; die "the node did not come up within 60 s"; }
  echo "export SLURM_CONF=$conf"
}

stop() {
  stop_pid slurmd "$dir/slurmd.pid"
  stop_pid slurmctld "$dir/slurmctld.pid"
  stop_pid munged "$dir/munge/munged.pid"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF=$conf scontrol ping ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
