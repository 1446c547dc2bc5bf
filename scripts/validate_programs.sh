#!/usr/bin/env bash
# Regenerates the table of docs/validation.md: `allocsim validate` on the
# programs the sample recordings come from (traces/samples/src) and on two
# more real programs (a perl text script, a two-thread CPython workload),
# under each policy, with the costs `allocsim calibrate` measures first.
#
#   scripts/validate_programs.sh [-o DIR] [--policies "adaptive backpressure"] [--runs N]
#
# DIR (default results/validation-<time>) gets host.ini (the calibration),
# one report JSON per program and policy, and table.md. Measure on a quiet
# machine: other work on the CPUs delays the collector thread, and validate
# flags such runs (host.busy in each report).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out="results/validation-$(date +%Y%m%d-%H%M%S)" policies="adaptive backpressure" runs=3
while [[ $# -gt 0 ]]; do
  case $1 in
    -o) out=${2:?-o needs a directory}; shift ;;
    --policies) policies=${2:?}; shift ;;
    --runs) runs=${2:?}; shift ;;
    -h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "validate_programs.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

build=${ALLOCSIM_BUILD_DIR:-build}
allocsim=$build/bin/allocsim
[[ -x $allocsim && -f $build/lib/liballocsim.so ]] || { echo "validate_programs.sh: build first (scripts/build.sh)" >&2; exit 2; }
for tool in heaptrack python3 sqlite3 perl sort gcc; do
  command -v "$tool" >/dev/null || { echo "validate_programs.sh: $tool is missing (scripts/setup.sh)" >&2; exit 2; }
done
mkdir -p "$out/inputs"
src=traces/samples/src
inputs=$out/inputs
python=$(python3 -c 'import sys; print(sys.executable)')  # the interpreter itself, not a wrapper script (pyenv)

# The inputs, made the same way every time.
gcc -O0 -g -pthread -o "$inputs/edgecases" "$src/edgecases.c"
awk 'BEGIN{srand(7); for(i=0;i<20000;i++) printf "%08d %s\n", int(rand()*1e8), substr("abcdefghijklmnopqrstuvwxyz",1+int(rand()*20))}' >"$inputs/sortin.txt"
awk 'BEGIN{srand(11); for(i=0;i<60000;i++){ line=""; for(w=0;w<12;w++) line=line sprintf("w%d ", int(rand()*rand()*20000)); print line }}' >"$inputs/corpus.txt"

echo "calibrating: $out/host.ini"
"$allocsim" calibrate -o "$out/host.ini" >"$out/calibration.txt"

# Each program as an array; `env VAR=x` in front sets VAR for validate
# itself (inherited by every run) and validates the program, not env.
python_json=(env PYTHONMALLOC=malloc "$python" "$src/py_workload.py")
sqlite3=(sqlite3 :memory: ".read $src/sqlite_workload20k.sql")
mt_prodcons=("$build/bin/mt_prodcons" 4000)
edgecases=("$inputs/edgecases")
sort=(sort "$inputs/sortin.txt")
perl_words=(perl -ne 'for (split) { $c{$_}++ } END { print scalar(keys %c), "\n" }' "$inputs/corpus.txt")
python_threads=(env PYTHONMALLOC=malloc "$python" scripts/validation/threaded_json.py 300)

for name in python_json sqlite3 mt_prodcons edgecases sort perl_words python_threads; do
  declare -n program=$name
  cmd=("${program[@]}")
  prefix=()
  if [[ ${cmd[0]} == env ]]; then
    cmd=("${cmd[@]:1}")
    while [[ ${cmd[0]} == *=* ]]; do prefix+=("${cmd[0]}"); cmd=("${cmd[@]:1}"); done
  fi
  # heaptrack records no thread ids, so a multi-threaded program replays as
  # one thread (docs/validation.md); ltrace keeps them but breaks threaded
  # programs too often to be the default.
  tool=heaptrack
  for policy in $policies; do
    echo "validating $name under $policy ($tool)"
    env "${prefix[@]}" "$allocsim" validate --tool "$tool" --policy "$policy" --config "$out/host.ini" --runs "$runs" \
      -o "$out/$name-$policy.json" -- "${cmd[@]}" </dev/null >"$out/$name-$policy.log" 2>&1 ||
      echo "  failed: see $out/$name-$policy.log"
  done
  unset -n program
done

python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(out, "*-*.json"))):
    r = json.load(open(path))
    name = os.path.basename(path)[: -len("-" + r["policy"] + ".json")]
    f = r["figures"]
    def cell(key, kind):
        x = f.get(key, {})
        p, m, e = x.get("predicted"), x.get("measured_median"), x.get("error")
        if p is None or m is None: return "-"
        if kind == "pct": return f"{p*100:.1f} / {m*100:.1f} ({e:+.1f} pp)"
        if kind == "mib": return f"{p/2**20:.1f} / {m/2**20:.1f} ({e*100:+.0f}%)" if e is not None else f"{p/2**20:.1f} / {m/2**20:.1f}"
        return f"{p:.0f} / {m:.0f}"
    busy = " (busy host)" if r.get("host", {}).get("busy") else ""
    rows.append(f"| {name} | {r['policy']}{busy} | {r['time_scale']:.3f} | {cell('fallback_rate','pct')} | "
                f"{cell('peak_footprint_bytes','mib')} | {cell('heap_peak_rss_bytes','mib')} | "
                f"{cell('queue_grows','n')} | {cell('queue_reclaims','n')} | {cell('collector_utilization','pct')} |")
head = ("| program | policy | time scale | fallback rate % | peak footprint MiB | heap peak RSS MiB | grows | reclaims | collector utilization % |\n"
        "|---|---|---|---|---|---|---|---|---|")
open(os.path.join(out, "table.md"), "w").write(head + "\n" + "\n".join(rows) + "\n")
print(head); print("\n".join(rows))
PY
echo "wrote $out/table.md"
