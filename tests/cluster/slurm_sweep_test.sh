#!/usr/bin/env bash
# scripts/slurm-sweep.sh against a real Slurm (Debian's slurm-wlm and munge):
# a one-node cluster on localhost, started here from a configuration written
# in a temporary directory (its own munge key and socket, free ports, state
# and spool directories; proctrack/linuxproc, task/none: no systemd, no
# cgroups), and stopped whatever happens.
#
#   tests/cluster/slurm_sweep_test.sh [ALLOCSIM]     (default build/bin/allocsim)
#
# 1. a bad spec: exit 2, nothing submitted
# 2. a 3-shard sweep, submitted held: a second submission is refused while
#    its jobs are queued; released, shard 2 is cancelled (scancel) once its
#    first run is done and while at least two of its runs are still to do;
#    the merge job then runs on the other shards and fails, naming the runs
#    missing
# 3. the same command again: only shard 2 is submitted, it runs only the
#    runs the cancellation lost (no result file of a done run is rewritten),
#    the merge succeeds, and DIR's summary.csv and runs/*.json equal
#    `allocsim sweep SPEC -o local -j 2` outside `host`
# 4. once more: nothing to do, nothing submitted
# Needs root (it starts munged, slurmctld and slurmd); fails, never skips,
# when they cannot start, and prints their logs. ALLOCSIM_TEST_KEEP=1 keeps
# the temporary directory.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
allocsim=$(realpath -- "${1:-$repo/build/bin/allocsim}")
[[ -x $allocsim ]] || fail "no allocsim binary at $allocsim (build first: scripts/build.sh)"
[[ $(id -u) -eq 0 ]] || fail "must run as root: it starts munged, slurmctld and slurmd as root (CI runs as root)"
for tool in munged munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sinfo python3; do
  command -v "$tool" >/dev/null || fail "$tool not found: install the packages with scripts/setup.sh (slurm-wlm, munge)"
done

tmp=$(mktemp -d /tmp/allocsim-slurm-test.XXXXXX) || fail "mktemp failed"
chmod 755 "$tmp"  # munged wants its socket's directories searchable by all
started=$SECONDS
# Every process started under this test carries this marker in its
# environment (the daemons, and through sbatch the jobs): the cleanup finds
# anything left over by it.
export ALLOCSIM_SLURM_TEST=$tmp
declare -A daemon_pid=()

print_logs() {
  local f
  for f in "$tmp"/log/* "$tmp"/cluster/slurm/logs/*; do
    [[ -f $f ]] || continue
    echo "----- $f (last 60 lines)"
    tail -n 60 "$f"
  done
}

alive() { [[ -n ${daemon_pid[$1]:-} ]] && kill -0 "${daemon_pid[$1]}" 2>/dev/null; }

stop_daemon() {
  local name=$1 pid=${daemon_pid[$1]:-} i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "cleanup: $name (pid $pid) ignored SIGTERM for 15 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  unset "daemon_pid[$name]"
}

# Processes carrying the marker that are not this shell's children (the
# daemons are stopped by pid first): job steps a stopped slurmd left behind.
leftovers() {
  python3 - "$$" "ALLOCSIM_SLURM_TEST=$tmp" <<'EOF'
import os, sys
me, marker = int(sys.argv[1]), sys.argv[2].encode()
parent, marked = {}, []
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        with open("/proc/%s/stat" % p, "rb") as f:
            parent[int(p)] = int(f.read().rsplit(b")", 1)[1].split()[1])
        with open("/proc/%s/environ" % p, "rb") as f:
            if marker in f.read().split(b"\0"):
                marked.append(int(p))
    except OSError:
        pass
def mine(p):
    while p > 1:
        if p == me:
            return True
        p = parent.get(p, 0)
    return False
print(" ".join(str(p) for p in marked if not mine(p)))
EOF
}

cleanup() {
  local rc=$? ids i left
  trap - EXIT INT TERM
  set +e
  if alive slurmctld; then
    ids=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    if [[ -n ${ids// /} ]]; then
      scancel $ids 2>/dev/null
      for ((i = 0; i < 300; i++)); do
        [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
        sleep 0.1
      done
    fi
  fi
  if [[ $rc -ne 0 ]]; then
    echo "===== logs of the test cluster ($tmp)"
    print_logs
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
  left=$(leftovers)
  if [[ -n $left ]]; then
    echo "cleanup: killing processes the daemons left behind: $left" >&2
    kill -KILL $left 2>/dev/null
  fi
  if [[ ${ALLOCSIM_TEST_KEEP:-0} == 1 ]]; then
    echo "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  if [[ $rc -eq 0 ]]; then
    echo "slurm_sweep_test: PASS in $(( SECONDS - started )) s"
  else
    echo "slurm_sweep_test: FAILED (exit $rc) after $(( SECONDS - started )) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# poll WHAT SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# fails after SECONDS, or at once when a daemon this test started has died.
poll() {
  local what=$1 budget=$2 deadline name
  shift 2
  deadline=$(( SECONDS + budget ))
  until "$@"; do
    for name in "${!daemon_pid[@]}"; do
      alive "$name" || fail "$name died while waiting for $what"
    done
    (( SECONDS < deadline )) || fail "$what: not within $budget s"
    sleep 0.1
  done
}

free_ports() {
  python3 -c '
import socket
socks = [socket.socket() for _ in range(int(__import__("sys").argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# --- the cluster -----------------------------------------------------------------
start_cluster() {
  mkdir -p "$tmp"/{munge,key,state,spool,run,log}
  chmod 700 "$tmp/key"
  dd if=/dev/urandom of="$tmp/key/munge.key" bs=1024 count=1 status=none || fail "cannot write a munge key"
  chmod 400 "$tmp/key/munge.key"
  local sock=$tmp/munge/munge.socket
  log "munged: socket $sock"
  munged --foreground --socket="$sock" --key-file="$tmp/key/munge.key" --pid-file="$tmp/run/munged.pid" \
    --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log" >"$tmp/log/munged.out" 2>&1 &
  daemon_pid[munged]=$!
  munge_ok() { munge -S "$sock" -n </dev/null 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1; }
  poll "munged to answer on $sock" 20 munge_ok

  local ctld_port slurmd_port host
  read -r ctld_port slurmd_port < <(free_ports 2) || fail "no free ports"
  host=$(hostname -s)
  cat >"$tmp/slurm.conf" <<EOF
# A one-node test cluster on localhost, written by tests/cluster/slurm_sweep_test.sh.
ClusterName=allocsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdParameters=config_overrides
# Finished jobs stay visible to scontrol for the whole test; cancelled ones die fast.
MinJobAge=3600
KillWait=5
NodeName=allocsimnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=allocsimnode Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$tmp/slurm.conf
  log "slurmctld: port $ctld_port"
  slurmctld -D -i >"$tmp/log/slurmctld.out" 2>&1 &
  daemon_pid[slurmctld]=$!
  ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
  poll "slurmctld to answer scontrol ping" 60 ctld_up

  log "slurmd: node allocsimnode, port $slurmd_port"
  slurmd -D -N allocsimnode >"$tmp/log/slurmd.out" 2>&1 &
  daemon_pid[slurmd]=$!
  node_idle() { [[ $(sinfo -h -N -n allocsimnode -o %T 2>/dev/null) == idle ]]; }
  poll "node allocsimnode to be idle in sinfo" 60 node_idle
  log "cluster up: $(sinfo -h -o '%P %a %D %T %C')"
}

# job_state ID: the JobState of a job or array task (scontrol keeps ended
# jobs for MinJobAge).
job_state() { scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
job_exit() { scontrol show job -o "$1" 2>/dev/null | grep -o ' ExitCode=[0-9:]*' | head -n 1 | cut -d= -f2; }
ended() {
  case $(job_state "$1") in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) return 0 ;;
    *) return 1 ;;
  esac
}
expect_state() {
  local got
  got=$(job_state "$1")
  [[ $got == "$2" ]] || fail "job $1: state $got (exit $(job_exit "$1")), expected $2"
}
last_jobs() {  # "ARRAY MERGE SHARDS" of the last submission into $out
  tail -n 1 "$out/slurm/jobs.log" | sed -n 's/.*array=\([0-9]*\) merge=\([0-9]*\) shards=\(.*\)/\1 \2 \3/p'
}

start_cluster

# --- the sweep -------------------------------------------------------------------
make_sweep "$tmp"
spec=$tmp/spec.json
run_local "$spec" "$tmp/local"
out=$tmp/cluster
submit() { bash "$repo/scripts/slurm-sweep.sh" "$spec" -o "$out" --shards 3 --allocsim "$allocsim" "$@"; }

log "1. a bad spec: exit 2, nothing submitted"
sed 's/"queue_initial"/"queue_initail"/' "$spec" >"$tmp/bad.json"
bad_status=0
bash "$repo/scripts/slurm-sweep.sh" "$tmp/bad.json" -o "$tmp/bad" --shards 3 --allocsim "$allocsim" >"$tmp/bad.out" 2>&1 || bad_status=$?
cat "$tmp/bad.out"
[[ $bad_status -eq 2 ]] || fail "a bad spec: exit $bad_status, expected 2"
grep -q "groups\[1\].grid.queue_initail" "$tmp/bad.out" || fail "a bad spec: the message does not name the entry"
[[ ! -e $tmp/bad/slurm ]] || fail "a bad spec: $tmp/bad/slurm was written"
[[ -z $(squeue -h -o %A) ]] || fail "a bad spec: jobs were submitted: $(squeue)"

log "2. submit 3 shards, held"
submit -- --hold || fail "the first submission failed"
read -r array merge shards_run < <(last_jobs) || fail "no job ids in $out/slurm/jobs.log"
[[ $shards_run == 1-3 ]] || fail "first submission: shards '$shards_run', expected 1-3"
expect_state "${array}_2" PENDING
expect_state "$merge" PENDING
again=0
submit >"$tmp/again.out" 2>&1 || again=$?
cat "$tmp/again.out"
[[ $again -eq 1 ]] && grep -q 'still pending or running' "$tmp/again.out" ||
  fail "a submission while the last one is queued: exit $again, expected 1 and a refusal"
[[ $(wc -l <"$out/slurm/jobs.log") -eq 1 ]] || fail "the refused submission submitted jobs"

# Shard 2's runs, as the script dealt them (ids sorted, round-robin).
mapfile -t shard2 < <(grep -oE '^[0-9a-f]{16} ' "$out/slurm/plan.txt" | sort | awk 'NR % 3 == 2 {print $1}')
[[ ${#shard2[@]} -ge 3 ]] || fail "shard 2 has ${#shard2[@]} runs; the test needs 3 or more"
log "releasing jobs $array and $merge; shard 2 has ${#shard2[@]} runs"
scontrol release "$array" || fail "scontrol release $array failed"
scontrol release "$merge" || fail "scontrol release $merge failed"

# Mid-run: at least one of shard 2's runs done and at least two still to do
# (runs last about a second; this loop looks every 50 ms and cancels at once).
in_progress() {
  local n
  n=$(count_results "$out/shards/2")
  [[ $(job_state "${array}_2") == RUNNING ]] || return 1
  (( n >= 1 && n <= ${#shard2[@]} - 2 )) && return 0
  (( n < ${#shard2[@]} - 1 )) || fail "shard 2 ran past the point to cancel it ($n of ${#shard2[@]} runs done)"
  return 1
}
deadline=$(( SECONDS + 300 ))
until in_progress; do
  (( SECONDS < deadline )) || fail "shard 2 did not reach its first completed run within 300 s (state $(job_state "${array}_2"))"
  sleep 0.05
done
scancel "${array}_2" || fail "scancel ${array}_2 failed"
log "cancelled task ${array}_2 with $(count_results "$out/shards/2") of ${#shard2[@]} runs done"
poll "the merge job $merge to end" 300 ended "$merge"
expect_state "${array}_1" COMPLETED
expect_state "${array}_2" CANCELLED
expect_state "${array}_3" COMPLETED
expect_state "$merge" FAILED
read -r planned ndone failed missing < <(report_counts "$out") || fail "no $out/report.json after the first merge"
lost=$(( ${#shard2[@]} - $(count_results "$out/shards/2") ))
log "after the cancellation: merged $ndone of $planned runs, $missing missing, $failed failed; shard 2 lost $lost"
(( lost >= 1 && missing + failed == lost && planned == 12 )) ||
  fail "the first merge should count shard 2's $lost lost runs as missing or failed: $planned planned, $ndone done, $failed failed, $missing missing"
grep -q 'run the shards again' "$out"/slurm/logs/merge_"$merge".out || fail "the merge job's log does not say runs are missing"

log "3. submit again: only shard 2, only its lost runs"
before=$(snapshot "$out"/shards/*/runs/*.json "$out"/runs/*.json)
submit || fail "the second submission failed"
read -r array2 merge2 shards_run < <(last_jobs) || fail "no job ids of the second submission"
[[ $shards_run == 2 ]] || fail "second submission: shards '$shards_run', expected only 2"
poll "the merge job $merge2 to end" 300 ended "$merge2"
expect_state "${array2}_2" COMPLETED
expect_state "$merge2" COMPLETED
after=$(snapshot $(awk '{print $1}' <<<"$before"))
[[ $before == "$after" ]] || fail "results that were done were rewritten by the resubmission:
$(diff <(echo "$before") <(echo "$after"))"
log_task=$out/slurm/logs/task_${array2}_2.out
grep -q "${#shard2[@]} done ($lost now)" "$log_task" || fail "the resubmitted shard 2 should have run $lost runs: $(tail -n 3 "$log_task")"
read -r planned ndone failed missing < <(report_counts "$out")
[[ "$planned $ndone $failed $missing" == "12 12 0 0" ]] || fail "after the resubmission: $planned planned, $ndone done, $failed failed, $missing missing"
merged_outputs "$out"
same_results "$tmp/local" "$out"
# The script's dealing of runs to shards is allocsim's (--shard K/N).
for k in 1 2 3; do
  dealt=$(grep -oE '^[0-9a-f]{16}' "$out/slurm/plan.txt" | sort | awk -v k="$k" 'NR % 3 == k % 3')
  ran=$(tail -n +2 "$out/shards/$k/summary.csv" | cut -d, -f1 | sort)
  [[ $dealt == "$ran" ]] || fail "shard $k: the script dealt it other runs than allocsim sweep --shard $k/3 ran"
done

log "4. submit once more: nothing to do"
submit >"$tmp/once-more.out" 2>&1 || fail "the third submission failed: $(cat "$tmp/once-more.out")"
cat "$tmp/once-more.out"
grep -q 'nothing to do' "$tmp/once-more.out" || fail "a complete sweep submitted again should be nothing to do"
[[ $(wc -l <"$out/slurm/jobs.log") -eq 2 ]] || fail "a complete sweep submitted again submitted jobs"
