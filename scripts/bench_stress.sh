#!/usr/bin/env bash
# The stress suite (tests/stress/, docs/stress.md) at its bench size under
# glibc, jemalloc, mimalloc, tcmalloc and liballocsim.so with each policy
# preset: wall time and peak RSS per program and allocator, median
# [min-max] over interleaved repetitions, ratios against glibc. Each run is
# its own process under a deadline; a run that fails, hangs or prints
# other output than glibc's is reported and left out of the medians.
# Results: results/bench/stress-<time>/{runs.csv,summary.csv,summary.json,meta.json};
# results/bench/stress-latest points at the newest.
#
#   scripts/bench_stress.sh                          3 repetitions, every policy (~20-40 min on 2 cores)
#   scripts/bench_stress.sh --reps 5 --filter 'larson|cfrac'
#   scripts/bench_stress.sh --policies "adaptive backpressure"
#   scripts/bench_stress.sh --deadline 120           seconds before a run counts as hung (default 300)
#   scripts/bench_stress.sh --report DIR             print the tables of an earlier run again
#   scripts/bench_stress.sh --build-dir DIR          build (Release) and use DIR (default build-release)
#   scripts/bench_stress.sh --programs LIST [--external DIR] [--no-stress]
#                    also (or only) the real programs of LIST (configs/real-programs.txt)
#   scripts/bench_stress.sh --stats --name NAME      keep each core run's stats file; results/bench/NAME-<time>/
# scripts/bench.sh --stress ARGS... and scripts/real_programs.sh run this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,21s/^# \{0,1\}//p' "$0"; }

policies="" reps=3 filter="" deadline=300 build_dir=build-release out_root=results/bench report=""
run_name=stress stress=1 stats=0 external="" programs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) reps=${2:?--reps needs a value}; shift ;;
    --policies) policies=${2:?--policies needs a list}; shift ;;
    --filter) filter=${2:?--filter needs a regex}; shift ;;
    --deadline) deadline=${2:?--deadline needs seconds}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift ;;
    --out) out_root=${2:?--out needs a value}; shift ;;
    --report) report=${2:?--report needs a run directory}; shift ;;
    --programs) programs+=("${2:?--programs needs a list}"); shift ;;
    --external) external=${2:?--external needs a directory}; shift ;;
    --no-stress) stress=0 ;;
    --stats) stats=1 ;;
    --name) run_name=${2:?--name needs a value}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench_stress.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench_stress.sh: --reps takes a positive integer" >&2; exit 2; }
[[ $deadline =~ ^[1-9][0-9]*$ ]] || { echo "bench_stress.sh: --deadline takes seconds" >&2; exit 2; }
if [[ -n $report ]]; then
  exec python3 scripts/bench_stress.py --report "$report"
fi
if [[ -z $policies ]]; then
  policies=$(for f in configs/policies/*.ini; do basename "$f" .ini; done | tr '\n' ' ')
fi
for p in $policies; do
  [[ -f configs/policies/$p.ini ]] || { echo "bench_stress.sh: no policy configs/policies/$p.ini" >&2; exit 2; }
done
for list in "${programs[@]}"; do
  [[ -f $list ]] || { echo "bench_stress.sh: no program list $list" >&2; exit 2; }
done
[[ -z $external || -d $external ]] || { echo "bench_stress.sh: --external $external is not a directory" >&2; exit 2; }
[[ $stress -eq 1 || ${#programs[@]} -gt 0 ]] || { echo "bench_stress.sh: --no-stress needs --programs" >&2; exit 2; }

# Release: timings of a RelWithDebInfo core say less. Tests stay on: the
# stress programs and run_measured are test targets.
# Only what the runs need: the allocsim binary (every layer) is not.
scripts/build.sh --dir "$build_dir" --release -DALLOCSIM_TESTS=ON allocsim_preload run_measured stress_programs mt_prodcons
preload=$(realpath "$build_dir/lib/liballocsim.so")

source scripts/peers.sh
peers=()
for peer in "${peer_names[@]}"; do
  lib=${peer_library[$peer]}
  if [[ -z $lib || -f $lib ]]; then
    peers+=(--peer "$peer=$lib")
  else
    echo "bench_stress.sh: $lib is missing, $peer is left out (scripts/setup.sh installs it)" >&2
  fi
done

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo "+changes" || true)
run_dir=$out_root/$run_name-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
cat >"$run_dir/meta.json" <<JSON
{
 "settings": {"reps": $reps, "policies": "$policies", "filter": "$filter", "deadline_s": $deadline,
              "build_dir": "$build_dir", "size": "bench",
              "programs": "${programs[*]}", "external": "$external"},
 "versions": {"allocsim-core": "$(sed -n 's/^project(allocsim VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt) ($commit$dirty)",
              "glibc": "$(version libc6)", "jemalloc": "$(version libjemalloc2)",
              "mimalloc": "$(version libmimalloc2.0)", "tcmalloc": "$(version libtcmalloc-minimal4)"},
 "machine": {"cpus": $(nproc), "kernel": "$(uname -r)", "load_average": "$(cut -d' ' -f1-3 /proc/loadavg)"}
}
JSON

args=()
for p in $policies; do args+=(--policy "$p"); done
for list in "${programs[@]}"; do args+=(--programs "$list"); done
[[ $stress -eq 1 ]] && args+=(--workloads tests/stress/workloads.txt)
[[ -n $external ]] && args+=(--external "$external")
[[ $stats -eq 1 ]] && args+=(--stats)
python3 scripts/bench_stress.py --preload "$preload" --bin "$build_dir/bin" \
  --reps "$reps" --deadline "$deadline" --out "$run_dir" ${filter:+--filter "$filter"} "${peers[@]}" "${args[@]}"
ln -sfn "$(basename "$run_dir")" "$out_root/$run_name-latest"
