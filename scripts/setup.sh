#!/usr/bin/env bash
# Installs every Debian 12 package that allocsim's build, tests, fuzzers,
# benchmarks, plots and trace recordings need. Idempotent: when everything
# is already installed it prints nothing and touches nothing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-program-options-dev libboost-iostreams-dev
  libfmt-dev nlohmann-json3-dev libzstd-dev zlib1g-dev libxxhash-dev
  lld  # links liballocsim.so without unused libraries (preload/CMakeLists.txt)
  # tests, micro-benchmarks, sanitizers and libFuzzer (clang's runtime)
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  # trace handling, plots, reports
  zstd gzip bc python3 python3-matplotlib sqlite3
  # recording traces and comparing production allocators
  heaptrack ltrace libgoogle-perftools4 hyperfine
  # sweeps on a cluster (docs/cluster.md) and their tests: a one-node Slurm
  # on localhost, and GNU parallel as the no-scheduler alternative
  slurm-wlm munge parallel
)
# The peer allocators (configs/peers.txt).
while read -r name library package; do
  [[ -z $name || $name == \#* ]] || packages+=("$package")
done <"$(dirname "${BASH_SOURCE[0]}")/../configs/peers.txt"

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
as_root=(env DEBIAN_FRONTEND=noninteractive)
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    echo "setup: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
