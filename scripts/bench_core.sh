#!/usr/bin/env bash
# The allocator core against glibc, jemalloc, mimalloc and tcmalloc: one
# bench_core binary (tests/bench/bench_core.cpp) run four ways, each in its
# own process: plainly (the process's malloc is glibc) and under LD_PRELOAD
# of each allocator. Rounds are interleaved (the order rotates every round)
# so that a change in machine load hits all four alike. Prints a table of
# medians and the target ratios, and writes them with every sample to
# results/bench/core.json (scripts/bench_core_report.py does the arithmetic).
#
#   scripts/bench_core.sh                       3 rounds x 3 repetitions
#   scripts/bench_core.sh --rounds 5 --repetitions 2 --min-time 0.5
#   scripts/bench_core.sh --filter FastPath     only benchmarks matching a regex
#   scripts/bench_core.sh --build-dir build-h5  use (and build) another build dir
#   scripts/bench_core.sh --bin PATH            run this bench_core, build nothing
#   scripts/bench_core.sh --out FILE            write the JSON elsewhere
#
# Builds bench_core in Release (default build-release/) when needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

rounds=3 repetitions=3 min_time=0.3 filter="" build_dir=build-release bin="" out=results/bench/core.json
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=${2:?--rounds needs a value}; shift ;;
    --repetitions) repetitions=${2:?--repetitions needs a value}; shift ;;
    --min-time) min_time=${2:?--min-time needs a value}; shift ;;
    --filter) filter=${2:?--filter needs a value}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift ;;
    --bin) bin=${2:?--bin needs a value}; shift ;;
    --out) out=${2:?--out needs a value}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench_core.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
for n in "$rounds" "$repetitions"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench_core.sh: rounds and repetitions must be positive integers" >&2; exit 2; }
done

# Release: timings of a debug or RelWithDebInfo core say little. An existing
# directory of another build type is reconfigured to Release.
if [[ -z $bin ]]; then
  scripts/build.sh --dir "$build_dir" --release -DALLOCSIM_BENCHMARKS=ON bench_core
  bin=$build_dir/bin/bench_core
fi
[[ -x $bin ]] || { echo "bench_core.sh: $bin is not an executable" >&2; exit 2; }

source scripts/peers.sh
names=("${peer_names[@]}")
for name in "${names[@]}"; do
  lib=${peer_library[$name]}
  if [[ -n $lib && ! -f $lib ]]; then
    echo "bench_core.sh: $lib is missing (Debian package ${peer_package[$name]}; scripts/setup.sh installs it)" >&2
    exit 1
  fi
done

versions=()
for name in "${names[@]}"; do
  v=$(dpkg-query -W -f='${Version}' "${peer_package[$name]}" 2>/dev/null || echo unknown)
  versions+=("$name=${peer_package[$name]} $v")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

runs=()
for ((round = 0; round < rounds; ++round)); do
  for ((i = 0; i < ${#names[@]}; ++i)); do
    name=${names[(i + round) % ${#names[@]}]}
    file=$work/$name-$round.json
    echo "bench_core.sh: round $((round + 1))/$rounds: $name" >&2
    args=(--benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time"
          --benchmark_format=json --benchmark_out="$file" --benchmark_out_format=json)
    [[ -n $filter ]] && args+=(--benchmark_filter="$filter")
    if ! LD_PRELOAD=${peer_library[$name]} "$bin" "${args[@]}" >/dev/null 2>"$work/stderr"; then
      cat "$work/stderr" >&2
      echo "bench_core.sh: $bin failed under $name" >&2
      exit 1
    fi
    # ld.so only warns when it cannot preload; the run would silently be glibc.
    if grep -q "cannot be preloaded" "$work/stderr"; then
      cat "$work/stderr" >&2
      exit 1
    fi
    runs+=("$name=$file")
  done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
command="scripts/bench_core.sh --rounds $rounds --repetitions $repetitions --min-time $min_time"
[[ -n $filter ]] && command+=" --filter '$filter'"
[[ $build_dir != build-release ]] && command+=" --build-dir $build_dir"
[[ -n $bin && $bin != "$build_dir/bin/bench_core" ]] && command+=" --bin $bin"
mkdir -p "$(dirname "$out")"
python3 scripts/bench_core_report.py --out "$out" --command "$command" \
  --load-before "$load_before" --load-after "$load_after" \
  "${versions[@]/#/--version=}" "${runs[@]}"
