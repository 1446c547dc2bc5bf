#!/usr/bin/env bash
# Trace-reading speed, side by side with the reference tools.
#
#   scripts/bench_traces.sh [--no-build] [TRACE]
#
# 1. `allocsim stats TRACE` against `heaptrack_print TRACE` (hyperfine, wall
#    time; TRACE defaults to the largest heaptrack sample,
#    traces/samples/ht_python_json.zst). Target: ratio <= 0.5.
# 2. The native reader (Google Benchmark bench_traces, 20 M events from page
#    cache). Target: >= 100 M events/s.
# Builds build/ (scripts/build.sh) unless --no-build; ALLOCSIM_BUILD_DIR
# names another build directory. Needs hyperfine (apt-get install hyperfine)
# and heaptrack for part 1; prints what it skips.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${ALLOCSIM_BUILD_DIR:-build}

build=1 trace=traces/samples/ht_python_json.zst
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "bench_traces.sh: unknown option $1" >&2; exit 2 ;;
    *) trace=$1 ;;
  esac
  shift
done

if [[ $build -eq 1 ]]; then
  scripts/build.sh --dir "$build_dir" -DALLOCSIM_BENCHMARKS=ON allocsim bench_traces >/dev/null
fi
allocsim=$build_dir/bin/allocsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== allocsim stats vs heaptrack_print on $trace"
if command -v hyperfine >/dev/null && command -v heaptrack_print >/dev/null; then
  hyperfine --warmup 3 --min-runs 20 -N --export-json "$tmp/h.json" \
    "$allocsim stats $trace" "heaptrack_print $trace"
  python3 - "$tmp/h.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
ours, theirs = runs[0]["mean"], runs[1]["mean"]
print(f"allocsim stats {ours*1e3:.1f} ms, heaptrack_print {theirs*1e3:.1f} ms: "
      f"ratio {ours/theirs:.2f} (target <= 0.50) {'OK' if ours/theirs <= 0.5 else 'MISSED'}")
EOF
else
  echo "skipped: needs hyperfine and heaptrack_print on PATH"
fi

echo
echo "== native reader (bench_traces)"
"$build_dir/bin/bench_traces" --benchmark_min_time=1 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/b.json"
python3 - "$tmp/b.json" <<'EOF'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    rate = b["events/s"] / 1e6
    target = "  (target >= 100, " + ("OK)" if rate >= 100 else "MISSED)") if b["run_name"] == "BM_NativeRead" else ""
    print(f"{b['run_name']:<20} {rate:8.1f} M events/s{target}")
EOF
