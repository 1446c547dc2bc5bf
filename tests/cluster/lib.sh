# Shared by tests/cluster/*_test.sh (sourced): the test sweep, the checks.
# Needs: $allocsim (the binary), $tmp (the test's own directory).

cluster_tests=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$cluster_tests/../.." && pwd)

log() { echo "[$(date +%T)] $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# make_sweep DIR: two synthetic traces and DIR/spec.json, 12 virtual-mode runs
# (deterministic: a local run and a merged one must agree) of about a second
# each, so that a shard of 4 runs is in progress for a few seconds.
make_sweep() {
  local d=$1
  mkdir -p "$d/traces"
  "$allocsim" gen steady -o "$d/traces/a.native" --events 1000000 --seed 1 >/dev/null || fail "allocsim gen failed"
  "$allocsim" gen steady -o "$d/traces/b.native" --events 1000000 --seed 2 --live 20000 >/dev/null || fail "allocsim gen failed"
  cat >"$d/spec.json" <<'EOF'
{
  "description": "cluster test: 2 synthetic traces x 4 policies and a 2-point queue_initial grid, virtual mode",
  "trace_root": "traces",
  "traces": ["*.native"],
  "baseline": "fixed-queue",
  "groups": [
    {"name": "policies", "policies": ["adaptive", "fixed-queue", "no-oldest", "no-coalesce"]},
    {"name": "queue", "policies": ["adaptive"], "grid": {"queue_initial": [64, 1024]}}
  ]
}
EOF
}

# run_local SPEC OUT: the reference, `allocsim sweep SPEC -o OUT -j 2`.
run_local() {
  log "local reference: allocsim sweep $1 -o $2 -j 2"
  "$allocsim" sweep "$1" -o "$2" -j 2 --no-progress || fail "the local sweep failed"
}

# same_results LOCAL MERGED: summary.csv and runs/*.json equal outside host.
same_results() {
  python3 "$cluster_tests/same_results.py" "$1" "$2" || fail "$2 differs from the local run $1"
}

# snapshot FILE...: "path inode mtime" of each, to show later that a file was
# neither rewritten nor replaced (a re-run renames a new file into place).
snapshot() {
  [[ $# -eq 0 ]] || stat -c '%n %i %Y.%y' "$@"
}

# count_results DIR: completed runs in DIR/runs.
count_results() {
  find "$1/runs" -maxdepth 1 -name '*.json' ! -name '*.failed.json' 2>/dev/null | wc -l
}

# merged_outputs DIR: everything the merge step writes is there.
merged_outputs() {
  local f
  for f in plan.json summary.csv report.json compare.txt compare.csv compare.json plots/index.html; do
    [[ -s $1/$f ]] || fail "$1/$f is missing after the merge"
  done
}

# report_counts DIR: "planned done failed missing" of DIR/report.json.
report_counts() {
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(c["planned"], c["done"], c["failed"], c["missing"])' "$1/report.json"
}
