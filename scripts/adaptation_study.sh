#!/usr/bin/env bash
# The adaptation study (docs/adaptation.md): does the adaptive ready queue buy
# fewer fallbacks per byte held in queues than fixed queues do?
#
#   scripts/adaptation_study.sh [OUT]        (default OUT: results/adaptation)
#
# 1. generates bursty, phased and producer-consumer traces at three burst
#    sizes each, two seeds apiece, into OUT/traces/;
# 2. runs configs/sweeps/adaptation.json (its policies and knob points) over
#    those traces and every sample recording, in virtual mode, into OUT/sweep/;
# 3. plots fallback rate against time-averaged queued bytes, one PNG per
#    workload, and writes the numbers to OUT/plots/frontiers.csv.
# About two minutes of CPU. Needs the built allocsim (ALLOCSIM_BUILD_DIR,
# default build/) and python3 with matplotlib for step 3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

allocsim=${ALLOCSIM_BUILD_DIR:-build}/bin/allocsim
out=${1:-results/adaptation}
events=300000
[[ -x $allocsim ]] || { echo "adaptation_study.sh: no $allocsim (build first: scripts/build.sh)" >&2; exit 2; }

# A python3 with matplotlib: Debian's first (a pyenv or venv python3 earlier on PATH may lack it).
python=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import matplotlib' 2>/dev/null; then python=$p; break; fi
done
[[ -n $python ]] || { echo "adaptation_study.sh: needs python3 with matplotlib (Debian: python3-matplotlib)" >&2; exit 1; }

# A fresh directory: a sweep of an older build must not be resumed into this one.
rm -rf "$out"
mkdir -p "$out/traces"

# Each generator at three sizes of the thing that comes in bursts:
#   bursty    --burst-size: allocations per burst, all freed right after;
#   phased    --cycles: ramp-up/plateau/ramp-down cycles, so each ramp is
#             events / (cycles x 3) events long (more cycles, shorter swings);
#   prodcons  --queue-depth: objects in flight per consumer.
gen() {  # shape knob value seed
  "$allocsim" gen "$1" -o "$out/traces/$1-$2$3.seed$4.native" "--$2" "$3" --seed "$4" --events "$events" >/dev/null
}
for seed in 1 2; do
  for b in 250 1000 4000; do gen bursty burst-size "$b" "$seed"; done
  for c in 1 4 16; do gen phased cycles "$c" "$seed"; done
  for d in 64 256 1024; do gen prodcons queue-depth "$d" "$seed"; done
done

# The shipped spec with its trace list widened to the generated traces
# (absolute paths: the spec is written into OUT).
"$python" - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
with open("configs/sweeps/adaptation.json") as f:
    spec = json.load(f)
root = os.path.abspath(os.path.join("configs/sweeps", spec.pop("trace_root")))
samples = sorted({p for pattern in spec["traces"] for p in glob.glob(os.path.join(root, pattern))})
generated = sorted(glob.glob(os.path.abspath(os.path.join(out, "traces", "*.native"))))
spec["traces"] = samples + generated
with open(os.path.join(out, "spec.json"), "w") as f:
    json.dump(spec, f, indent=2)
print("adaptation_study.sh: %d sample recordings and %d generated traces" % (len(samples), len(generated)))
EOF

status=0
"$allocsim" sweep "$out/spec.json" -o "$out/sweep" -j "$(nproc)" --no-progress || status=$?
[[ $status -le 1 ]] || exit "$status"  # 1: some runs failed (recorded in runs/*.failed.json); plot the rest
"$python" scripts/plot.py "$out/sweep" -o "$out/plots" --frontier
echo "adaptation_study.sh: frontiers in $out/plots/frontiers.html, numbers in $out/plots/frontiers.csv"
exit "$status"
