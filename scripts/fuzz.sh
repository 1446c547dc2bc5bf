#!/usr/bin/env bash
# Runs libFuzzer targets (tests/fuzz/fuzz_<name>.cpp) from build-fuzz/.
#
#   scripts/fuzz.sh [NAME|all] [SECONDS] [-- libFuzzer flags...]
#       NAME: heaptrack for fuzz_heaptrack, etc. (default: all); SECONDS per
#       target (default 60). Builds build-fuzz/ first (scripts/build.sh --fuzz).
#   --no-build   use the fuzzers already built
#   --scratch    work on a temporary copy of the seed corpus, deleted afterwards
#                (what scripts/test.sh does); otherwise new inputs accumulate in
#                build-fuzz/corpus/NAME/
#   --list       print the target names and exit
#
# Seeds: tests/fuzz/corpus/NAME/ (read, never written). Crashes and their
# reproducers: build-fuzz/artifacts/NAME/ (rerun one with
# build-fuzz/bin/fuzz_NAME FILE). To keep interesting new inputs as seeds:
# build-fuzz/bin/fuzz_NAME -merge=1 tests/fuzz/corpus/NAME build-fuzz/corpus/NAME
# (ALLOCSIM_BUILD_DIR=NAME uses NAME-fuzz/ instead of build-fuzz/.)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
fuzz_dir=${ALLOCSIM_BUILD_DIR:-build}-fuzz

usage() { sed -n '2,19s/^# \{0,1\}//p' "$0"; }

build=1 scratch=0 list=0 positional=() extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) build=0 ;;
    --scratch) scratch=1 ;;
    --list) list=1 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
name=${positional[0]:-all}
seconds=${positional[1]:-60}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "fuzz.sh: SECONDS must be a positive integer" >&2; exit 2; }

if [[ $build -eq 1 ]]; then
  bash scripts/build.sh --fuzz || exit 1
fi

targets=()
for exe in "$fuzz_dir"/bin/fuzz_*; do
  [[ -x $exe ]] && targets+=("${exe##*/fuzz_}")
done
if [[ $list -eq 1 ]]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzzers in $fuzz_dir/bin (are there tests/fuzz/fuzz_*.cpp? built with --fuzz?)" >&2
  exit 1
fi
if [[ $name != all ]]; then
  name=${name#fuzz_}
  [[ -x "$fuzz_dir/bin/fuzz_$name" ]] || { echo "fuzz.sh: no fuzzer '$name' (have: ${targets[*]})" >&2; exit 2; }
  targets=("$name")
fi

# Runs one target for `seconds`; prints one line, and the log tail on failure.
run_one() {
  local t=$1 seeds=tests/fuzz/corpus/$1 work artifacts="$fuzz_dir/artifacts/$1" log rc
  [[ -d $seeds ]] || seeds=tests/fuzz/corpus/fuzz_$1
  if [[ $scratch -eq 1 ]]; then
    work=$(mktemp -d)
  else
    work="$fuzz_dir/corpus/$t"
    mkdir -p "$work"
  fi
  if [[ -d $seeds ]]; then
    cp -r "$seeds"/. "$work"/
  else
    echo "fuzz.sh: warning: no seed corpus tests/fuzz/corpus/$t/, starting empty" >&2
  fi
  mkdir -p "$artifacts"
  log=$(mktemp)
  "$fuzz_dir/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${extra[@]}" "$work" </dev/null >"$log" 2>&1
  rc=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  if [[ $rc -eq 0 ]]; then
    echo "fuzz_$t: ok, ${runs:-?} runs in ${seconds}s, corpus $(find "$work" -type f | wc -l) files"
  else
    tail -n 60 "$log" >&2
    echo "fuzz_$t: FAILED (exit $rc); reproducer in $artifacts/" >&2
  fi
  rm -f "$log"
  [[ $scratch -eq 1 ]] && rm -rf "$work"
  return "$rc"
}

status=0
for t in "${targets[@]}"; do
  run_one "$t" || status=1
done
exit "$status"
