# Sourced by the benchmark scripts: configs/peers.txt as
#   peer_names=(glibc jemalloc ...)  peer_library[NAME]=path or ""  peer_package[NAME]=package
peer_names=()
declare -A peer_library=() peer_package=()
while read -r name library package; do
  [[ -z $name || $name == \#* ]] && continue
  peer_names+=("$name")
  peer_library[$name]=${library/#-/}
  peer_package[$name]=$package
done <"$(dirname "${BASH_SOURCE[0]}")/../configs/peers.txt"
