#!/usr/bin/env bash
# Joins a sharded sweep: DIR/shards/1 .. DIR/shards/N (each written by
# `allocsim sweep SPEC -o DIR/shards/K --shard K/N`) into DIR, then writes the
# comparison and the plots next to the merged results (docs/cluster.md):
#   DIR/plan.json, DIR/runs/, DIR/summary.csv, DIR/report.json   allocsim sweep --merge
#   DIR/compare.txt, DIR/compare.csv, DIR/compare.json           allocsim compare DIR
#   DIR/plots/                                                   scripts/plot.py DIR
#
#   scripts/sweep-merge.sh DIR [--shards N] [--allocsim PATH] [--no-plots]
#
# --shards N    merge shards 1..N and name the ones that have not started
#               (default: every DIR/shards/<number> that holds a plan.json)
# --allocsim P  the allocsim binary (default: $ALLOCSIM, else build/bin/allocsim
#               of this checkout, else allocsim on PATH)
# --no-plots    skip scripts/plot.py
# Merging again after more shards finished adds their results; it never runs
# anything. Exit status: 0 every planned run is done, 1 some are failed or
# missing (everything is written anyway), 2 bad usage or nothing to merge.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "sweep-merge.sh: $*" >&2; exit 2; }

dir="" shards="" allocsim=${ALLOCSIM:-} plots=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --shards) shards=${2:-}; shift ;;
    --shards=*) shards=${1#*=} ;;
    --allocsim) allocsim=${2:-}; shift ;;
    --allocsim=*) allocsim=${1#*=} ;;
    --no-plots) plots=0 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [[ -z $dir ]] || die "one DIR only (got '$dir' and '$1')"; dir=$1 ;;
  esac
  shift
done
[[ -n $dir ]] || { usage >&2; die "missing DIR"; }
[[ -d $dir/shards ]] || die "$dir/shards: no such directory (nothing to merge)"
[[ -z $shards || $shards =~ ^[1-9][0-9]*$ ]] || die "--shards takes a positive number, not '$shards'"
if [[ -z $allocsim ]]; then
  if [[ -x $here/../build/bin/allocsim ]]; then allocsim=$here/../build/bin/allocsim; else allocsim=allocsim; fi
fi
command -v "$allocsim" >/dev/null || die "allocsim binary '$allocsim' not found (build it, or pass --allocsim)"

# The shards to merge, in shard order: the first one's plan gives the run order.
inputs=() not_started=()
if [[ -n $shards ]]; then
  for ((k = 1; k <= shards; k++)); do
    if [[ -f $dir/shards/$k/plan.json ]]; then inputs+=("$dir/shards/$k"); else not_started+=("$k"); fi
  done
else
  while IFS= read -r k; do
    [[ -f $dir/shards/$k/plan.json ]] && inputs+=("$dir/shards/$k")
  done < <(find "$dir/shards" -mindepth 1 -maxdepth 1 -type d -regex '.*/[0-9]+' -printf '%f\n' | sort -n)
fi
[[ ${#not_started[@]} -eq 0 ]] || echo "sweep-merge.sh: shard(s) ${not_started[*]} of $shards never started; their runs count as missing" >&2
[[ ${#inputs[@]} -gt 0 ]] || die "no shard of $dir has started (no $dir/shards/*/plan.json)"

"$allocsim" sweep --merge "${inputs[@]}" -o "$dir" || exit 2

status=0
for ext in txt csv json; do  # compare writes the format -o's name says
  if ! "$allocsim" compare "$dir" -o "$dir/compare.$ext"; then
    echo "sweep-merge.sh: allocsim compare $dir -o $dir/compare.$ext failed" >&2
    status=1
  fi
done

if [[ $plots -eq 1 ]]; then
  # A python3 with matplotlib: Debian's first (a pyenv or venv python3 earlier on PATH may lack it).
  python=""
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import matplotlib' 2>/dev/null; then python=$p; break; fi
  done
  if [[ -z $python ]]; then
    echo "sweep-merge.sh: no python3 with matplotlib (Debian: python3-matplotlib): plots skipped" >&2
  elif ! MPLBACKEND=Agg "$python" "$here/plot.py" "$dir" -o "$dir/plots" >/dev/null; then
    echo "sweep-merge.sh: scripts/plot.py $dir failed" >&2
    status=1
  fi
fi

# The merged report's counts decide: done only when nothing is failed or missing.
counts=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(c["planned"], c["done"], c["failed"], c["missing"])' "$dir/report.json") || exit 2
read -r planned ndone failed missing <<<"$counts"
echo "sweep-merge.sh: $dir: $planned runs planned: $ndone done, $failed failed, $missing missing"
if [[ $failed -gt 0 || $missing -gt 0 ]]; then
  echo "sweep-merge.sh: run the shards again (they resume), then merge again" >&2
  status=1
fi
exit "$status"
