#!/usr/bin/env bash
# Everything that must pass before a change lands (CI runs exactly this):
#   1. scripts/setup.sh (Debian packages)
#   2. build/ + the whole gtest suite through ctest
#   3. cluster: sweeps sharded over a one-node Slurm started on localhost
#      (tests/cluster/slurm_sweep_test.sh) and over GNU parallel
#      (tests/cluster/parallel_sweep_test.sh), merged and compared with a
#      local run (docs/cluster.md)
#   4. build-asan/ (AddressSanitizer + UBSan) + the whole suite again
#   5. build-tsan/ (ThreadSanitizer) + the concurrency tests (ctest -R Concurrent)
#   6. build-fuzz/ (clang + libFuzzer) + every fuzzer briefly on a scratch
#      copy of its seed corpus
# Every stage runs even after a failure (a stage whose build failed is
# skipped); the last line is "test.sh: N passed, N failed" counting stages,
# and the exit status is non-zero when anything failed.
#
#   scripts/test.sh                  everything (about 20-30 min on 2 cores)
#   scripts/test.sh --quick          setup, build/ and ctest only
#   scripts/test.sh --fuzz-seconds N seconds per fuzzer (default 20)
# ALLOCSIM_BUILD_DIR=NAME builds in NAME/, NAME-asan/, NAME-tsan/, NAME-fuzz/.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; }

quick=0 fuzz_seconds=20
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --fuzz-seconds) fuzz_seconds=${2:?--fuzz-seconds needs a value}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "test.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
build=${ALLOCSIM_BUILD_DIR:-build}
passed=() failed=() skipped=()
started=$SECONDS

elapsed() { printf '%dm%02ds' $(( $1 / 60 )) $(( $1 % 60 )); }

# stage NAME COMMAND...: runs and records one stage; returns its status.
stage() {
  local name=$1 t0=$SECONDS rc
  shift
  echo
  echo "==> [$name] $*"
  "$@" </dev/null
  rc=$?
  if [[ $rc -eq 0 ]]; then
    passed+=("$name")
    echo "<== [$name] passed in $(elapsed $(( SECONDS - t0 )))"
  else
    failed+=("$name")
    echo "<== [$name] FAILED (exit $rc) after $(elapsed $(( SECONDS - t0 )))"
  fi
  return "$rc"
}

skip() {
  skipped+=("$1")
  echo
  echo "==> [$1] skipped: $2"
}

summary() {
  echo
  echo "==> summary after $(elapsed $(( SECONDS - started )))"
  [[ ${#passed[@]} -eq 0 ]] || echo "  passed:  ${passed[*]}"
  [[ ${#failed[@]} -eq 0 ]] || echo "  FAILED:  ${failed[*]}"
  # CI shows only the tail of this output: name the failing tests here.
  local dir log
  for dir in "$build" "$build-asan" "$build-tsan"; do
    log=$dir/Testing/Temporary/LastTestsFailed.log
    [[ -s $log ]] && echo "  failing tests in $dir: $(cut -d: -f2- "$log" | tr '\n' ' ')"
  done
  [[ ${#skipped[@]} -eq 0 ]] || echo "  skipped: ${skipped[*]}"
  local tail=""
  [[ ${#skipped[@]} -eq 0 ]] || tail=", ${#skipped[@]} skipped"
  echo "test.sh: ${#passed[@]} passed, ${#failed[@]} failed${tail}"
  [[ ${#failed[@]} -eq 0 && ${#skipped[@]} -eq 0 ]]
}

# ThreadSanitizer's shadow layout breaks with high mmap ASLR entropy on
# some kernels ("unexpected memory mapping"); running without ASLR avoids it.
no_aslr() {
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    setarch "$(uname -m)" -R "$@"
  else
    "$@"
  fi
}

rm -f "$build"{,-asan,-tsan}/Testing/Temporary/LastTestsFailed.log
stage setup bash scripts/setup.sh || { summary; exit 1; }

built=0
if stage build bash scripts/build.sh; then
  built=1
  stage tests ctest --test-dir "$build" --output-on-failure -j "$jobs"
else
  skip tests "build failed"
fi
if [[ $quick -eq 1 ]]; then
  summary
  exit
fi

# The cluster tests start their own daemons (munged, slurmctld, slurmd) and
# stop them; they use build/'s allocsim, not the sanitizer builds.
if [[ $built -eq 1 ]]; then
  stage cluster:slurm bash tests/cluster/slurm_sweep_test.sh "$build/bin/allocsim"
  stage cluster:parallel bash tests/cluster/parallel_sweep_test.sh "$build/bin/allocsim"
else
  skip cluster "build failed"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

if stage asan-build bash scripts/build.sh --sanitize address,undefined; then
  stage asan-tests ctest --test-dir "$build-asan" --output-on-failure -j "$jobs"
else
  skip asan-tests "asan-build failed"
fi

if stage tsan-build bash scripts/build.sh --sanitize thread; then
  # --no-tests=error: a concurrency stage that ran nothing must not pass.
  stage tsan-concurrent no_aslr ctest --test-dir "$build-tsan" --output-on-failure -j "$jobs" -R Concurrent --no-tests=error
else
  skip tsan-concurrent "tsan-build failed"
fi

if stage fuzz-build bash scripts/build.sh --fuzz; then
  fuzzers=$(bash scripts/fuzz.sh --no-build --list)
  [[ -n $fuzzers ]] || echo "note: no fuzz targets (tests/fuzz/fuzz_*.cpp), nothing to fuzz"
  for f in $fuzzers; do
    stage "fuzz:$f" bash scripts/fuzz.sh --no-build --scratch "$f" "$fuzz_seconds"
  done
else
  skip fuzz "fuzz-build failed"
fi

summary
