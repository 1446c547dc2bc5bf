#pragma once
// The kinds every layer names, each with its one spelling — on the command
// line, in sweep specs, in knob files and in metrics files alike.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allocsim::sim {

// What a replay allocates through: the ready-queue core under a policy, or
// this process's malloc (glibc, or whatever LD_PRELOAD put there).
enum class BackendKind : std::uint8_t { Core, System };

// virtual: one OS thread on a virtual clock, deterministic; threaded: one
// OS thread per trace thread, for throughput and latency.
enum class ReplayMode : std::uint8_t { Virtual, Threaded };

// How much of each allocation the replay writes (threaded mode touches the
// memory for real; virtual mode counts the pages for the simulated RSS).
enum class Touch : std::uint8_t {
  None,   // nothing (only the allocator's own header writes count)
  First,  // the first byte
  Pages,  // one byte in every page the allocation spans
  All,    // every byte
};

// Names in enumerator order.
template <typename Kind>
struct KindNames;
template <>
struct KindNames<BackendKind> {
  static constexpr std::array<std::string_view, 2> names{"core", "system"};
};
template <>
struct KindNames<ReplayMode> {
  static constexpr std::array<std::string_view, 2> names{"virtual", "threaded"};
};
template <>
struct KindNames<Touch> {
  static constexpr std::array<std::string_view, 4> names{"none", "first", "pages", "all"};
};

template <typename Kind>
concept NamedKind = requires { KindNames<Kind>::names; };

template <NamedKind Kind>
constexpr std::string_view to_string(Kind k) {
  return KindNames<Kind>::names[static_cast<std::size_t>(k)];
}

// nullopt for a name that is not one of the kind's; the caller words the
// error, since only it knows where the name came from.
template <NamedKind Kind>
constexpr std::optional<Kind> parse_kind(std::string_view name) {
  for (std::size_t i = 0; i < KindNames<Kind>::names.size(); ++i)
    if (KindNames<Kind>::names[i] == name) return static_cast<Kind>(i);
  return std::nullopt;
}

// "core or system", "none, first, pages or all": the choices, for error messages.
template <NamedKind Kind>
std::string kind_choices() {
  const auto& names = KindNames<Kind>::names;
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) text += i + 1 == names.size() ? " or " : ", ";
    text += names[i];
  }
  return text;
}

}  // namespace allocsim::sim
