#!/usr/bin/env bash
# Runs a sweep on a Slurm cluster as a job array (docs/cluster.md):
#
#   scripts/slurm-sweep.sh SPEC -o DIR --shards N [options] [-- SBATCH_OPTION...]
#   scripts/slurm-sweep.sh --status -o DIR
#
# Checks SPEC as `allocsim sweep` does (exit 2 on a bad spec, nothing
# submitted), writes the plan to DIR/slurm/plan.txt, then submits
#   - an array job whose task K runs
#       allocsim sweep SPEC -o DIR/shards/K --shard K/N
#   - a job that starts once every task has ended (afterany) and merges the
#     shards into DIR (scripts/sweep-merge.sh: summary.csv, report.json,
#     compare.*, plots/); it fails when runs are failed or missing.
# Submitting the same command again submits only the shards that still have
# missing or failed runs (each task resumes: its completed runs are skipped),
# then the merge; with nothing left to run it only merges, or says so.
#
# Options:
#   --allocsim PATH   the binary the tasks run (default: $ALLOCSIM, else
#                     build/bin/allocsim of this checkout, else on PATH); the
#                     compute nodes must see it, SPEC, its traces and DIR
#   -j, --jobs J      runs at a time in one task (default: the task's
#                     --cpus-per-task, else 1)
#   --max-running M   at most M tasks at once (--array=...%M)
#   --no-plots        the merge job draws no plots
#   --dry-run         show the plan and the sbatch commands; submit nothing
#   --status          per-shard progress of DIR and its jobs
# SBATCH_OPTION...    given to both sbatch calls, e.g. --partition=short
#                     --account=lab --time=2:00:00 --cpus-per-task=4 --mem=8G
# Logs: DIR/slurm/logs/task_<array job>_<K>.out, merge_<job>.out.
# Exit status: 0 submitted (or nothing to do), 1 failure, 2 bad spec or usage.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,34s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "slurm-sweep.sh: $1" >&2; exit "${2:-2}"; }

spec="" dir="" shards="" allocsim=${ALLOCSIM:-} jobs="" max_running="" plots=1 dry_run=0 status_only=0
sbatch_opts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -o|--output) dir=${2:-}; shift ;;
    --output=*) dir=${1#*=} ;;
    --shards) shards=${2:-}; shift ;;
    --shards=*) shards=${1#*=} ;;
    --allocsim) allocsim=${2:-}; shift ;;
    --allocsim=*) allocsim=${1#*=} ;;
    -j|--jobs) jobs=${2:-}; shift ;;
    --jobs=*) jobs=${1#*=} ;;
    --max-running) max_running=${2:-}; shift ;;
    --max-running=*) max_running=${1#*=} ;;
    --no-plots) plots=0 ;;
    --dry-run) dry_run=1 ;;
    --status) status_only=1 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; sbatch_opts=("$@"); break ;;
    -*) usage >&2; die "unknown option $1 (sbatch options go after --)" ;;
    *) [[ -z $spec ]] || die "one SPEC only (got '$spec' and '$1')"; spec=$1 ;;
  esac
  shift
done

[[ -n $dir ]] || { usage >&2; die "missing -o DIR"; }
number() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
for o in "${sbatch_opts[@]}"; do
  case $o in
    -a|-a*|--array|--array=*) die "the array is this script's: drop $o (use --max-running for %M)" ;;
    --wrap|--wrap=*) die "drop $o: the job scripts are this script's" ;;
  esac
done

# Every path the jobs see is absolute: they may start in another directory.
dir=$(realpath -m -- "$dir")
slurm=$dir/slurm

# --- what each shard still needs -------------------------------------------
# shard_table PLAN N [SPEC]: from the listing of `allocsim sweep --dry-run`, one line per shard "K TOTAL DONE FAILED CURRENT",
# where a run is done when DIR/shards/K/runs/<id>.json or DIR/runs/<id>.json
# exists, and CURRENT is 0 when the shard's plan.json was made from another
# spec text (or another shard count) than SPEC's. Shards are the runs sorted by
# id, dealt round-robin: `allocsim sweep --shard K/N` (docs/sweep-spec.md).
shard_table() {
  python3 - "$dir" "$1" "$2" "${3:-}" <<'EOF'
import json, os, re, sys
root, ids_file, n, spec = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ids = sorted(m.group(1) for m in map(re.compile(r"([0-9a-f]{16}) ").match, open(ids_file)) if m)
spec_text = open(spec).read() if spec else None
for k in range(1, n + 1):
    mine = ids[k - 1::n]
    shard = os.path.join(root, "shards", str(k))
    done = failed = 0
    for i in mine:
        if os.path.exists(os.path.join(shard, "runs", i + ".json")) or \
           os.path.exists(os.path.join(root, "runs", i + ".json")):
            done += 1
        elif os.path.exists(os.path.join(shard, "runs", i + ".failed.json")):
            failed += 1
    current = 1
    try:
        plan = json.load(open(os.path.join(shard, "plan.json")))
        if plan["shard"]["n"] != n or (spec_text is not None and plan["spec"]["text"] != spec_text):
            current = 0
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError):
        current = 0
    print(k, len(mine), done, failed, current)
EOF
}

# ranges 1 2 3 5 -> 1-3,5
ranges() {
  python3 -c '
import sys
ks, out, i = [int(x) for x in sys.argv[1:]], [], 0
while i < len(ks):
    j = i
    while j + 1 < len(ks) and ks[j + 1] == ks[j] + 1: j += 1
    out.append(str(ks[i]) if i == j else "%d-%d" % (ks[i], ks[j]))
    i = j + 1
print(",".join(out))' "$@"
}

# The jobs of the last submission that are still pending or running.
active_jobs() {
  [[ -s $slurm/jobs.log ]] || return 0
  local ids
  ids=$(tail -n 1 "$slurm/jobs.log" | grep -oE '(array|merge)=[1-9][0-9]*' | cut -d= -f2 | paste -sd,)
  [[ -n $ids ]] || return 0
  squeue -h -j "$ids" -o '%i %T' 2>/dev/null
}

if [[ $status_only -eq 1 ]]; then
  [[ -f $slurm/plan.txt && -f $slurm/shards ]] || die "$dir: no sweep submitted here (no $slurm/plan.txt)"
  n=$(<"$slurm/shards")
  echo "$dir: $(grep -cE '^[0-9a-f]{16} ' "$slurm/plan.txt") runs in $n shards"
  printf '  %-6s %6s %6s %6s %8s\n' shard runs "done" failed missing
  while read -r k total ndone failed current; do
    printf '  %-6s %6s %6s %6s %8s\n' "$k" "$total" "$ndone" "$failed" $(( total - ndone - failed ))
  done < <(shard_table "$slurm/plan.txt" "$n")
  [[ -s $slurm/jobs.log ]] && echo "last submission: $(tail -n 1 "$slurm/jobs.log")"
  act=$(active_jobs)
  if [[ -n $act ]]; then echo "pending or running:"; sed 's/^/  /' <<<"$act"; else echo "no job of it pending or running"; fi
  if [[ -f $dir/report.json ]]; then
    python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print("merged into %s: %d planned, %d done, %d failed, %d missing" % (sys.argv[2], c["planned"], c["done"], c["failed"], c["missing"]))' "$dir/report.json" "$dir"
  fi
  exit 0
fi

[[ -n $spec ]] || { usage >&2; die "missing SPEC"; }
[[ -n $shards ]] || die "missing --shards N"
number "$shards" || die "--shards takes a positive number, not '$shards'"
[[ -z $jobs ]] || number "$jobs" || die "--jobs takes a positive number, not '$jobs'"
[[ -z $max_running ]] || number "$max_running" || die "--max-running takes a positive number, not '$max_running'"
[[ -f $spec ]] || die "$spec: no such file"
spec=$(realpath -- "$spec")
if [[ -z $allocsim ]]; then
  if [[ -x $here/../build/bin/allocsim ]]; then allocsim=$here/../build/bin/allocsim; else allocsim=$(command -v allocsim || true); fi
fi
[[ -n $allocsim ]] && command -v "$allocsim" >/dev/null || die "no allocsim binary (build it, or pass --allocsim PATH)"
allocsim=$(realpath -- "$(command -v "$allocsim")")
for tool in sbatch squeue python3; do
  command -v "$tool" >/dev/null || die "$tool not found (Slurm's client commands and python3 are needed here)"
done

# --- check the spec and write the plan ----------------------------------------
# The same loading and checks as any sweep (exit 2 with the file and JSON path).
plan_tmp=$(mktemp)
trap 'rm -f "$plan_tmp"' EXIT
"$allocsim" sweep "$spec" -o "$dir" --dry-run --no-progress >"$plan_tmp"
rc=$?
[[ $rc -eq 0 ]] || die "the spec did not pass allocsim sweep's checks; nothing submitted" "$rc"
# Rows of the listing start with the 16-hex-digit run id.
runs=$(grep -cE '^[0-9a-f]{16} ' "$plan_tmp")
[[ $runs -gt 0 ]] || die "the spec plans no runs"
(( shards <= runs )) || die "--shards $shards is more than the $runs runs of the sweep"

if [[ -f $slurm/shards && $(<"$slurm/shards") != "$shards" && $dry_run -eq 0 ]]; then
  die "$dir was split into $(<"$slurm/shards") shards: submit with --shards $(<"$slurm/shards"), or use a new DIR" 1
fi
if [[ $dry_run -eq 0 ]]; then
  act=$(active_jobs)
  [[ -z $act ]] || die "jobs of the last submission into $dir are still pending or running: $(tr '\n' ' ' <<<"$act")- wait for them (or scancel them) and submit again" 1
fi

pending=()
while read -r k total ndone failed current; do
  [[ $ndone -eq $total && $current -eq 1 ]] || pending+=("$k")
done < <(shard_table "$plan_tmp" "$shards" "$spec")

merged_complete=0
if [[ ${#pending[@]} -eq 0 && -f $dir/report.json ]]; then
  merged_complete=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(1 if c["planned"] == int(sys.argv[2]) and c["done"] == c["planned"] else 0)' "$dir/report.json" "$runs")
fi

# --- the job scripts -----------------------------------------------------------
q() { printf '%q' "$1"; }
task_script() {
  cat <<EOF
#!/usr/bin/env bash
# Written by scripts/slurm-sweep.sh: array task K runs shard K of $shards.
set -uo pipefail
k=\${SLURM_ARRAY_TASK_ID:?not run as a task of a job array}
jobs=${jobs:-\${SLURM_CPUS_PER_TASK:-1}}
echo "allocsim sweep shard \$k/$shards on \$(hostname) at \$(date -Is), \$jobs runs at a time"
exec $(q "$allocsim") sweep $(q "$spec") -o $(q "$dir/shards")/\$k --shard \$k/$shards -j \$jobs --no-progress
EOF
}
merge_script() {
  local no_plots=""
  [[ $plots -eq 1 ]] || no_plots=" --no-plots"
  cat <<EOF
#!/usr/bin/env bash
# Written by scripts/slurm-sweep.sh: merges the $shards shards into the sweep directory.
echo "merging $(q "$dir")/shards/1..$shards on \$(hostname) at \$(date -Is)"
exec bash $(q "$here/sweep-merge.sh") $(q "$dir") --shards $shards --allocsim $(q "$allocsim")$no_plots
EOF
}

array=""
if [[ ${#pending[@]} -gt 0 ]]; then
  array=$(ranges "${pending[@]}")
  [[ -z $max_running ]] || array+="%$max_running"
  # The cluster's largest task index is MaxArraySize - 1.
  max_size=$(scontrol show config 2>/dev/null | sed -n 's/^MaxArraySize *= *\([0-9]*\).*/\1/p')
  if [[ -n $max_size ]] && (( ${pending[-1]} >= max_size )); then
    die "this cluster's MaxArraySize is $max_size: task indices stop at $(( max_size - 1 )), so use --shards $(( max_size - 1 )) or fewer (more runs per task, with --cpus-per-task and -j)"
  fi
fi
task_cmd=(sbatch --parsable --job-name=allocsim-sweep --array="$array"
          --output="$slurm/logs/task_%A_%a.out" "${sbatch_opts[@]}" "$slurm/task.sh")
merge_cmd=(sbatch --parsable --job-name=allocsim-merge --output="$slurm/logs/merge_%j.out"
           "${sbatch_opts[@]}" "$slurm/merge.sh")

echo "slurm-sweep.sh: $runs runs in $shards shards; shards with runs to do: ${array:-none}"
if [[ $merged_complete -eq 1 ]]; then
  echo "slurm-sweep.sh: nothing to do: every run is done and merged into $dir (summary.csv, report.json)"
  exit 0
fi
if [[ $dry_run -eq 1 ]]; then
  cat "$plan_tmp"
  [[ -n $array ]] && { echo "would submit: ${task_cmd[*]}"; echo "--- $slurm/task.sh:"; task_script; }
  echo "would submit: ${merge_cmd[*]}${array:+ with --dependency=afterany:<array job>}"
  echo "--- $slurm/merge.sh:"; merge_script
  exit 0
fi

mkdir -p "$slurm/logs" || die "cannot create $slurm" 1
cp "$plan_tmp" "$slurm/plan.txt"
echo "$shards" >"$slurm/shards"
task_script >"$slurm/task.sh"
merge_script >"$slurm/merge.sh"

parse_id() { cut -d';' -f1; }
array_id=0
if [[ -n $array ]]; then
  array_id=$("${task_cmd[@]}" | parse_id) && [[ $array_id =~ ^[0-9]+$ ]] || die "sbatch of the array job failed" 1
  merge_cmd=(sbatch --parsable --job-name=allocsim-merge --output="$slurm/logs/merge_%j.out"
             --dependency="afterany:$array_id" --kill-on-invalid-dep=no "${sbatch_opts[@]}" "$slurm/merge.sh")
fi
merge_id=$("${merge_cmd[@]}" | parse_id) && [[ $merge_id =~ ^[0-9]+$ ]] || {
  echo "slurm-sweep.sh: sbatch of the merge job failed; when the array job $array_id has ended, run:" >&2
  echo "  bash $(q "$here/sweep-merge.sh") $(q "$dir") --shards $shards" >&2
  echo "$(date -Is) array=$array_id merge=0 shards=${array:-none}" >>"$slurm/jobs.log"
  exit 1
}
echo "$(date -Is) array=$array_id merge=$merge_id shards=${array:-none}" >>"$slurm/jobs.log"

if [[ -n $array ]]; then
  echo "array job $array_id: tasks $array, task K runs: allocsim sweep $(q "$spec") -o $(q "$dir/shards")/K --shard K/$shards"
  echo "merge job $merge_id: after every task has ended, merges into $(q "$dir") (summary.csv, report.json, compare.*, plots/)"
else
  echo "merge job $merge_id: every shard is complete; merges into $(q "$dir")"
fi
if [[ -n $array ]]; then
  echo "follow:   squeue -j $array_id,$merge_id"
  echo "          tail -f $(q "$slurm/logs")/task_${array_id}_*.out"
else
  echo "follow:   squeue -j $merge_id"
fi
echo "          bash $(q "$here/slurm-sweep.sh") --status -o $(q "$dir")"
echo "then:     submit the same command again to re-run whatever is missing or failed"
