#include "traces/event.hpp"

namespace allocsim::traces {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::Malloc: return "malloc";
    case Op::Calloc: return "calloc";
    case Op::Realloc: return "realloc";
    case Op::Memalign: return "memalign";
    case Op::Free: return "free";
  }
  return "unknown";
}

}  // namespace allocsim::traces
