#!/usr/bin/env bash
# Configures and builds allocsim with CMake + Ninja.
#
#   scripts/build.sh                         -> build/       (RelWithDebInfo)
#   scripts/build.sh --release               -> build/       (Release)
#   scripts/build.sh --sanitize address,undefined -> build-asan/ (no benchmarks)
#   scripts/build.sh --sanitize thread       -> build-tsan/  (no benchmarks)
#   scripts/build.sh --fuzz                  -> build-fuzz/  (clang, libFuzzer targets only)
#
# Other options: --type TYPE (CMake build type), --dir DIR (build directory),
# -DNAME=VALUE (passed to cmake), and target names (default: everything;
# for --fuzz: the `fuzzers` target). An existing build directory keeps its
# build type unless --release or --type says otherwise.
#
# ALLOCSIM_BUILD_DIR=NAME renames the family: NAME/, NAME-asan/, NAME-tsan/,
# NAME-fuzz/ (test.sh and fuzz.sh honour it too).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

sanitize="" fuzz=0 type="" dir="" cmake_args=() targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --sanitize) sanitize=${2:?--sanitize needs a value}; shift ;;
    --sanitize=*) sanitize=${1#*=} ;;
    --fuzz) fuzz=1 ;;
    --release) type=Release ;;
    --type) type=${2:?--type needs a value}; shift ;;
    --dir) dir=${2:?--dir needs a value}; shift ;;
    -D*) cmake_args+=("$1") ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "build.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

if [[ $fuzz -eq 1 && -n $sanitize ]]; then
  echo "build.sh: --fuzz already builds with AddressSanitizer; drop --sanitize" >&2
  exit 2
fi
prefix=${ALLOCSIM_BUILD_DIR:-build}
case $sanitize in
  "") default_dir=$prefix ;;
  address|undefined|address,undefined|undefined,address) default_dir=$prefix-asan ;;
  thread) default_dir=$prefix-tsan ;;
  *) echo "build.sh: --sanitize takes address,undefined or thread, not '$sanitize'" >&2; exit 2 ;;
esac
if [[ $fuzz -eq 1 ]]; then
  default_dir=$prefix-fuzz
  # libFuzzer comes with clang only.
  cmake_args+=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DALLOCSIM_FUZZERS=ON -DALLOCSIM_BENCHMARKS=OFF)
  [[ ${#targets[@]} -gt 0 ]] || targets=(fuzzers)
fi
if [[ -n $sanitize ]]; then
  cmake_args+=("-DALLOCSIM_SANITIZE=$sanitize" -DALLOCSIM_BENCHMARKS=OFF)
fi
dir=${dir:-$default_dir}

if [[ -n $type ]]; then
  cmake_args+=("-DCMAKE_BUILD_TYPE=$type")
elif [[ ! -f $dir/CMakeCache.txt ]]; then
  cmake_args+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi

# Configure quietly; show cmake's output only when it fails.
mkdir -p "$dir"
cmake -S . -B "$dir" -G Ninja "${cmake_args[@]}" >"$dir/configure.log" 2>&1 || {
  cat "$dir/configure.log" >&2
  echo "build.sh: cmake configure of $dir failed" >&2
  exit 1
}
ninja -C "$dir" -j "$(nproc)" "${targets[@]}"
