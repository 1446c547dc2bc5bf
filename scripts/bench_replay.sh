#!/usr/bin/env bash
# Times `allocsim replay` (virtual mode, the core under the default policy,
# full metrics written) on the largest sample heaptrack recording, end to
# end from the compressed file, side by side with `heaptrack_print` merely
# analysing the same file, and prints the ratio. Uses hyperfine when
# installed (else a plain best-of-N loop), then the native-format
# micro-benchmark when it is built.
#
#   scripts/bench_replay.sh [TRACE] [-- extra replay arguments]
#   (default TRACE: traces/samples/ht_python_json.zst; BUILD=build by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

trace=traces/samples/ht_python_json.zst
if [[ $# -gt 0 && $1 != -- ]]; then trace=$1; shift; fi
[[ ${1:-} == -- ]] && shift
extra=("$@")
build=${BUILD:-build}
allocsim=$build/bin/allocsim
[[ -x $allocsim ]] || { echo "bench_replay.sh: $allocsim not built (scripts/build.sh)" >&2; exit 1; }
command -v heaptrack_print >/dev/null || { echo "bench_replay.sh: heaptrack_print not installed (scripts/setup.sh)" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
replay_cmd="$allocsim replay $trace -o $out/m.json ${extra[*]:-}"
print_cmd="heaptrack_print $trace"

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 --export-json "$out/h.json" -n replay "$replay_cmd" -n heaptrack_print "$print_cmd" >&2
  python3 - "$out/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["replay"], r["heaptrack_print"]
print(f"allocsim replay  : {a['mean']*1e3:8.1f} ms ± {a['stddev']*1e3:.1f}  (user {a['user']*1e3:.1f} ms, sys {a['system']*1e3:.1f} ms)")
print(f"heaptrack_print  : {b['mean']*1e3:8.1f} ms ± {b['stddev']*1e3:.1f}  (user {b['user']*1e3:.1f} ms, sys {b['system']*1e3:.1f} ms)")
print(f"ratio replay / heaptrack_print: {a['mean']/b['mean']:.2f} (wall), {(a['user']+a['system'])/(b['user']+b['system']):.2f} (cpu)")
PY
else
  best() {  # best wall seconds of 7 runs
    local b=999 t0 t
    for _ in 1 2 3 4 5 6 7; do
      t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t=$(echo "$(date +%s.%N) - $t0" | bc)
      (( $(echo "$t < $b" | bc) )) && b=$t
    done
    echo "$b"
  }
  a=$(best $replay_cmd) b=$(best $print_cmd)
  echo "allocsim replay: $a s, heaptrack_print: $b s, ratio $(echo "scale=2; $a / $b" | bc)"
fi
events=$(python3 -c "import json; m=json.load(open('$out/m.json')); print(m['summary']['events'], 'events,', m['summary']['fallback_allocations'], 'fallbacks')")
echo "replayed: $events"

if [[ -x $build/bin/bench_replay ]]; then
  "$build/bin/bench_replay" --benchmark_counters_tabular=true
fi
