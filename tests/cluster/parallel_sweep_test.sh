#!/usr/bin/env bash
# The no-scheduler recipe of docs/cluster.md: GNU parallel runs the shards,
# scripts/sweep-merge.sh joins them.
#
#   tests/cluster/parallel_sweep_test.sh [ALLOCSIM]     (default build/bin/allocsim)
#
# 1. a 3-shard sweep through parallel, merged: summary.csv and runs/*.json
#    equal `allocsim sweep SPEC -o local -j 2` outside `host`
# 2. a result lost from shard 2 (and from the merge): the same parallel
#    command again runs only that run, and the merge equals the local run again
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
allocsim=$(realpath -- "${1:-$repo/build/bin/allocsim}")
[[ -x $allocsim ]] || fail "no allocsim binary at $allocsim (build first: scripts/build.sh)"
for tool in parallel python3; do
  command -v "$tool" >/dev/null || fail "$tool not found: install the packages with scripts/setup.sh"
done

tmp=$(mktemp -d /tmp/allocsim-parallel-test.XXXXXX) || fail "mktemp failed"
started=$SECONDS
cleanup() {
  local rc=$?
  if [[ ${ALLOCSIM_TEST_KEEP:-0} == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
  if [[ $rc -eq 0 ]]; then
    echo "parallel_sweep_test: PASS in $(( SECONDS - started )) s"
  else
    echo "parallel_sweep_test: FAILED (exit $rc) after $(( SECONDS - started )) s"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

make_sweep "$tmp"
spec=$tmp/spec.json
run_local "$spec" "$tmp/local"
out=$tmp/parallel
mkdir -p "$out"

# The recipe, as docs/cluster.md gives it (N=3, two shards at a time).
shards() {
  parallel --joblog "$out/parallel.log" -j 2 \
    "$allocsim" sweep "$spec" -o "$out/shards/{}" --shard {}/3 -j 1 --no-progress ::: $(seq 3)
}

log "1. three shards through GNU parallel, then scripts/sweep-merge.sh"
shards || fail "parallel: $? shard(s) failed"
[[ $(awk 'NR > 1 && $7 == 0' "$out/parallel.log" | wc -l) -eq 3 ]] || fail "parallel's job log does not show 3 shards that exited 0: $(cat "$out/parallel.log")"
bash "$repo/scripts/sweep-merge.sh" "$out" --shards 3 --allocsim "$allocsim" || fail "sweep-merge.sh failed"
merged_outputs "$out"
same_results "$tmp/local" "$out"

log "2. a lost result: the same command again runs only that run"
lost=$(find "$out/shards/2/runs" -name '*.json' ! -name '*.failed.json' | sort | head -n 1)
[[ -n $lost ]] || fail "shard 2 has no results"
id=$(basename "$lost" .json)
rm -f "$lost" "$out/runs/$id.json"
before=$(snapshot "$out"/shards/*/runs/*.json)
shards >"$tmp/again.out" 2>&1 || fail "parallel (again): $? shard(s) failed"
cat "$tmp/again.out"
after=$(snapshot $(awk '{print $1}' <<<"$before"))
[[ $before == "$after" ]] || fail "results that were done were rewritten:
$(diff <(echo "$before") <(echo "$after"))"
[[ -f $lost ]] || fail "the lost run $id was not run again"
[[ $(grep -c '(0 now)' "$tmp/again.out") -eq 2 && $(grep -c '(1 now)' "$tmp/again.out") -eq 1 ]] ||
  fail "the second pass should run exactly one run (in shard 2)"
bash "$repo/scripts/sweep-merge.sh" "$out" --shards 3 --allocsim "$allocsim" || fail "sweep-merge.sh (again) failed"
same_results "$tmp/local" "$out"
