#!/usr/bin/env bash
# The ready-queue core against glibc, jemalloc, mimalloc and tcmalloc, side
# by side in one invocation, each run in its own process:
#   - threaded replays of every sample trace (traces/samples/) and of
#     synthetic workloads (single-thread churn, producer -> consumer,
#     Larson-like with 2, 4 and 8 threads): the core under adaptive,
#     fixed-queue and no-oldest; --backend system under each peer (LD_PRELOAD);
#   - real programs (python3, sqlite3, mt_prodcons, g++ -c, fork+exec, many
#     threads) under each malloc via LD_PRELOAD (the core: liballocsim.so).
# The replays are one `allocsim sweep` (one run at a time, into
# results/bench/<time>/replays/): throughput, p99 latency and peak RSS, means
# over repetitions from the sweep's comparison. The programs' repetitions are
# interleaved (each visits every program, the allocator order rotates): wall
# time, CPU time and peak RSS, median [min-max]. With the core's ratios
# against each peer, as tables on the terminal and as results/bench/<time>/
# {runs.csv,summary.csv,summary.json} (with the allocator versions);
# results/bench/latest points at the newest run.
#
#   scripts/bench.sh                    5 repetitions of everything (~5-10 min)
#   scripts/bench.sh --reps 3 --only replay --filter larson
#   scripts/bench.sh --quick            2 repetitions, smaller synthetic traces
#   scripts/bench.sh --policies "adaptive free-to-cache"   core policies of the replays
#   scripts/bench.sh --report DIR       print the tables of an earlier run again
#   scripts/bench.sh --build-dir DIR    build (Release) and use DIR (default build-release)
#   scripts/bench.sh --stress ARGS...   the stress suite instead: scripts/bench_stress.sh ARGS
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,25s/^# \{0,1\}//p' "$0"; }

policies="adaptive fixed-queue no-oldest" reps=5 quick=0 only="" filter="" build_dir=build-release out_root=results/bench report=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) reps=${2:?--reps needs a value}; shift ;;
    --quick) quick=1 reps=2 ;;
    --policies) policies=${2:?--policies needs a list}; shift ;;
    --only) only=${2:?--only needs replay or program}; shift ;;
    --filter) filter=${2:?--filter needs a regex}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift ;;
    --out) out_root=${2:?--out needs a value}; shift ;;
    --report) report=${2:?--report needs a run directory}; shift ;;
    --stress) shift; exec scripts/bench_stress.sh "$@" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --reps takes a positive integer" >&2; exit 2; }
[[ -z $only || $only == replay || $only == program ]] || { echo "bench.sh: --only takes replay or program" >&2; exit 2; }
if [[ -n $report ]]; then
  exec python3 scripts/bench_report.py "$report"
fi

# Release: timings of a RelWithDebInfo core say less. Tests stay on: the
# helper programs are test targets.
scripts/build.sh --dir "$build_dir" --release -DALLOCSIM_TESTS=ON \
  allocsim allocsim_preload mt_prodcons preload_fork_exec preload_many_threads run_measured
allocsim=$build_dir/bin/allocsim
preload=$(realpath "$build_dir/lib/liballocsim.so")

source scripts/peers.sh
peers=()
for name in "${peer_names[@]}"; do
  lib=${peer_library[$name]}
  if [[ -z $lib || -f $lib ]]; then
    peers+=(--peer "$name=$lib")
  else
    echo "bench.sh: $lib is missing, $name is left out (scripts/setup.sh installs it)" >&2
  fi
done

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo "+changes" || true)

# Synthetic workloads, generated once per size and kept beside the results.
events=1000000
[[ $quick -eq 1 ]] && events=200000
trace_dir=$out_root/traces
mkdir -p "$trace_dir"
traces=()
synthetic() {  # NAME SHAPE ARGS...
  local name=$1 shape=$2
  shift 2
  local file=$trace_dir/$name-$events.trace
  [[ -f $file ]] || "$allocsim" gen "$shape" --events "$events" "$@" -o "$file" >/dev/null
  traces+=(--trace "$name=$file")
}
synthetic churn-1t steady --threads 1 --live 10000
synthetic prodcons-4t prodcons --threads 4 --producers 2
synthetic larson-2t larson --threads 2
synthetic larson-4t larson --threads 4
synthetic larson-8t larson --threads 8
for f in traces/samples/ht_*.zst traces/samples/lt_*.txt* traces/samples/mtrace_*.txt*; do
  [[ -f $f ]] || continue
  name=$(basename "$f")
  name=${name%.gz}
  name=${name%.txt}
  name=${name%.zst}
  traces+=(--trace "$name=$f")
done

run_dir=$out_root/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
cat >"$run_dir/meta.json" <<EOF
{
 "settings": {"reps": $reps, "synthetic_events": $events, "only": "${only:-all}", "policies": "$policies", "filter": "$filter",
              "build_dir": "$build_dir", "mode": "threaded"},
 "versions": {"allocsim-core": "$("$allocsim" --version | cut -d' ' -f2) ($commit$dirty)",
              $(for name in "${peer_names[@]}"; do printf '"%s": "%s", ' "$name" "$(version "${peer_package[$name]}")"; done | sed 's/, $//')},
 "machine": {"cpus": $(nproc), "kernel": "$(uname -r)", "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)"}
}
EOF

policy_args=()
for p in $policies; do policy_args+=(--policy "$p"); done
python3 scripts/bench_run.py "${policy_args[@]}" --allocsim "$allocsim" --preload "$preload" --helpers "$build_dir/bin" \
  --source . --reps "$reps" --out "$run_dir" ${only:+--only "$only"} ${filter:+--filter "$filter"} \
  "${peers[@]}" "${traces[@]}"
ln -sfn "$(basename "$run_dir")" "$out_root/latest"
python3 scripts/bench_report.py "$run_dir"
