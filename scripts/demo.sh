#!/usr/bin/env bash
# The allocsim demo, from a fresh Debian 12 machine to results:
#   1. install the Debian packages (scripts/setup.sh)
#   2. build the release binary (build/bin/allocsim)
#   3. the main job (see run_main_job below)
# Outputs go to results/demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

allocsim=${ALLOCSIM_BUILD_DIR:-build}/bin/allocsim
out=results/demo

section() { printf '\n=== %s ===\n' "$*"; }

has_command() { "$allocsim" --help | grep -q "^  $1 "; }

# The body that later grows into sweep + report.
run_main_job() {
  section "allocator core on a synthetic workload"
  "$allocsim" core-demo

  section "a synthetic producer-consumer trace"
  "$allocsim" gen prodcons -o "$out/prodcons.native" --threads 4 --events 200000 --seed 1

  if has_command stats; then
    section "statistics of a real recording (sqlite3 under heaptrack)"
    "$allocsim" stats traces/samples/ht_sqlite3.zst
    section "statistics of the synthetic trace"
    "$allocsim" stats "$out/prodcons.native"
  fi
}

section "1. setup"
bash scripts/setup.sh
section "2. build (release)"
bash scripts/build.sh --release
mkdir -p "$out"
section "3. main job"
run_main_job
section "done: outputs in $out/"
