#pragma once
// Every knob of the ready-queue allocator, declared once: type, name,
// default and a one-line meaning. Policies (configs/policies/*.ini) are
// presets of these knobs, never copies of code.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace allocsim::allocator {

// Interpretation of the seed's "if a chunk reaches the 'page size' and the
// 'page size' block queue is empty then we can release it" (docs/allocator.md).
enum class ReleaseRule : std::uint8_t {
  NoDemand,  // release a wholly free block unless the page-size class queue is starving (default)
  Literal,   // release only when the page-size class queue is empty, as literally written
  Always,    // release every wholly free block
  Never,     // keep every block mapped
};

// The merge sets' hash function (the seed names CityHash, which no Debian package ships).
enum class HashKind : std::uint8_t { Xxh3, Boost };

// When a refill interval counts as "full" (docs/allocator.md).
enum class FullRule : std::uint8_t {
  Untouched,  // nothing was taken from the queue in the interval (the seed's reading, default)
  LowWater,   // the queue never went below reclaim_fraction of its target: that share was never used
};

// Which queues are filled before any thread allocates (the seed's "idle state").
enum class Prefill : std::uint8_t {
  None,   // a class's queue is filled after its first demand
  Small,  // every class up to small_limit is filled to its initial target when the heap is built
  All,    // every class is filled to its initial target when the heap is built
};

// X(type, name, default, meaning)
#define ALLOCSIM_KNOBS(X)                                                                            \
  X(std::uint64_t, block_bytes, 1u << 20, "bytes per block mapped from the OS (power of two)")       \
  X(std::uint64_t, page_bytes, 64u << 10, "largest size class; larger requests get dedicated mmaps") \
  X(std::uint64_t, large_cache_bytes, 32u << 20, "bytes of freed dedicated mappings kept for reuse (0: unmap each at once)") \
  X(std::uint64_t, small_step, 16, "size-class step up to small_limit (multiple of 16)")             \
  X(std::uint64_t, small_limit, 128, "chunk size up to which classes are small_step apart")          \
  X(std::uint64_t, classes_per_doubling, 4, "size classes per doubling above small_limit")           \
  X(std::uint64_t, thread_cache_slots, 16, "chunks a thread caches per size class (at most 64)")    \
  X(std::uint64_t, cache_batch, 0, "chunks a thread takes from a ready queue at once (0: enough to fill its cache)") \
  X(std::uint64_t, queue_initial, 256, "initial target length of each class's ready queue")          \
  X(bool, queue_adaptive, true, "grow/reclaim queue targets (false: the target never moves)")        \
  X(std::uint64_t, queue_grow_step, 4, "target growth when the collector finds a queue empty")       \
  X(std::uint64_t, queue_min, 4, "smallest target a reclaim may shrink a queue to")                  \
  X(std::uint64_t, queue_max, 16384, "largest target a queue may grow to (ring capacity)")           \
  X(std::uint64_t, queue_max_bytes, 256u << 10, "bytes a class queue may hold: caps its target (0: no cap)") \
  X(std::uint64_t, adapt_interval_ns, 2000000, "refill interval over which a queue is judged full (run's clock)") \
  X(FullRule, full_rule, FullRule::Untouched, "when an interval is full: untouched or low-water")   \
  X(std::uint64_t, reclaim_after, 16, "consecutive full intervals (N) before a reclaim")             \
  X(double, reclaim_fraction, 0.25, "share of a full queue moved back to the merge set on reclaim")  \
  X(Prefill, prefill, Prefill::Small, "queues filled before any allocation: none, small or all")     \
  X(bool, oldest_first, true, "refill from the oldest blocks first (false: arrival order)")          \
  X(bool, coalesce, true, "merge free chunks with their physical neighbours")                        \
  X(bool, hand_off, true, "a merged chunk goes straight to its class's queue while that queue is below target") \
  X(bool, free_to_cache, false, "frees refill the freeing thread's cache first (tcmalloc-like)")    \
  X(bool, backpressure, false, "while the collector has not taken a thread's last published bin, its frees refill its cache") \
  X(std::uint64_t, assist_bytes, 0, "a thread that would map fresh memory while more garbage than this waits merges it first (0: never)") \
  X(bool, refill_maps_blocks, true, "the collector maps new blocks when no free chunk can refill")   \
  X(bool, wake_on_starve, true, "a thread that finds its ready queue empty wakes the collector")     \
  X(ReleaseRule, release_rule, ReleaseRule::NoDemand, "when free memory of the page-size class and up goes back to the OS") \
  X(std::uint64_t, purge_min_bytes, 0, "smallest free chunk whose whole pages are released (0: the page-size class)") \
  X(HashKind, hash, HashKind::Xxh3, "hash function of the merge sets: xxh3 or boost")                \
  X(std::uint64_t, step_budget, 4096, "work units (chunks handled) per collector pass in threaded mode") \
  X(std::uint64_t, collector_nap_us, 50, "threaded: after an idle pass, nap this long before sleeping (0: sleep at once)") \
  X(bool, validate_frees, false, "check a freed pointer's block and headers before accepting it")

struct Config {
#define ALLOCSIM_KNOB_FIELD(type, name, def, meaning) type name = def;
  ALLOCSIM_KNOBS(ALLOCSIM_KNOB_FIELD)
#undef ALLOCSIM_KNOB_FIELD

  bool operator==(const Config&) const = default;
  // Throws ConfigError naming the first knob whose value is out of range.
  void validate() const;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KnobInfo {
  std::string_view name;
  std::string_view type;
  std::string default_value;
  std::string_view meaning;
};
const std::vector<KnobInfo>& knobs();

// Sets one knob from text. Throws ConfigError ("unknown knob 'x'" or
// "bad value 'v' for knob 'x': expected ...").
void set_knob(Config& config, std::string_view key, std::string_view value);
std::string get_knob(const Config& config, std::string_view key);
// Every knob as (name, value) in declaration order.
std::vector<std::pair<std::string, std::string>> knob_values(const Config& config);

// Applies an INI-style file of `key = value` lines ('#' and ';' start
// comments) on top of `config`. Errors name the file and line.
void apply_config_file(Config& config, const std::string& path);

// The pieces every key = value table shares (this one, sim's replay knobs).
// for_each_config_line calls set(key, value) for each line of such a file,
// and puts "path:line: " before the ConfigError of a bad line.
void for_each_config_line(const std::string& path, const std::function<void(std::string_view, std::string_view)>& set);
[[noreturn]] void bad_knob_value(std::string_view key, std::string_view value, std::string_view expected);
// The value syntax of every knob table: integers with optional K, M or G
// (powers of 1024), and finite decimal numbers. Throw ConfigError naming key.
std::uint64_t parse_knob_integer(std::string_view key, std::string_view text);
double parse_knob_number(std::string_view key, std::string_view text);
std::string_view trim_blanks(std::string_view s);

std::string_view to_string(ReleaseRule r);
std::string_view to_string(HashKind h);
std::string_view to_string(FullRule r);
std::string_view to_string(Prefill p);

}  // namespace allocsim::allocator
