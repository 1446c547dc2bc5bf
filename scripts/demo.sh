#!/usr/bin/env bash
# The allocsim demo, from a fresh Debian 12 machine to results:
#   1. install the Debian packages (scripts/setup.sh)
#   2. build the release binary (build/bin/allocsim)
#   3. the main job (see run_main_job below): a sweep of the seed policy, its
#      baselines and the installed system allocators over the sample
#      recordings (configs/sweeps/demo.json), the comparison table, and plots.
# Outputs go to results/demo/: summary.csv, report.json, compare.csv,
# compare.json, runs/ (one metrics file per run), *.png and index.html.
# About a minute of sweeping on 2 cores, plus the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

allocsim=${ALLOCSIM_BUILD_DIR:-build}/bin/allocsim
out=results/demo

section() { printf '\n=== %s ===\n' "$*"; }

# A python3 with matplotlib: Debian's first (a pyenv or venv python3 earlier on PATH may lack it).
plot_python() {
  local p
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import matplotlib' 2>/dev/null; then echo "$p"; return; fi
  done
}

run_main_job() {
  # A fresh directory: results of an older build must not be resumed into this one.
  rm -rf "$out"
  section "sweep: configs/sweeps/demo.json -> $out"
  local status=0
  "$allocsim" sweep configs/sweeps/demo.json -o "$out" -j "$(nproc)" || status=$?
  [[ $status -le 1 ]] || return "$status"  # 1: some runs failed (recorded in runs/*.failed.json); report anyway

  section "comparison against the seed policy (adaptive)"
  "$allocsim" compare "$out" -o "$out/compare.csv"
  "$allocsim" compare "$out" -o "$out/compare.json"
  "$allocsim" compare "$out"

  section "plots"
  local python
  python=$(plot_python)
  if [[ -n $python ]]; then
    "$python" scripts/plot.py "$out" -o "$out"
  else
    echo "no python3 with matplotlib (Debian: python3-matplotlib): plots skipped" >&2
  fi
  return "$status"
}

section "1. setup"
bash scripts/setup.sh
section "2. build (release)"
bash scripts/build.sh --release
mkdir -p "$out"
section "3. main job"
status=0
run_main_job || status=$?
section "done: outputs in $out/ (open $out/index.html)"
exit "$status"
