// allocsim gen SHAPE -o OUT [options]: writes a synthetic trace.
#include <fmt/core.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <sstream>

#include "sim/cli/commands.hpp"
#include "traces/event_writer.hpp"
#include "traces/generators.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;
using traces::GeneratorOptions;

struct GenArgs {
  GeneratorOptions gen;
  traces::PowerLawSizes law;
  std::string shape, output, to = "auto", sizes_from, format = "auto", phase_split = "30:40:30";
};

po::options_description describe(GenArgs& a) {
  GeneratorOptions& g = a.gen;
  po::options_description common("Options");
  common.add_options()
      ("help,h", "this text")
      ("output,o", po::value(&a.output)->value_name("OUT"), "trace to write (required)")
      ("to", po::value(&a.to)->default_value(a.to)->value_name("native|csv"), "output format; auto: csv for a .csv/.txt name, native otherwise")
      ("threads", po::value(&g.threads)->default_value(g.threads), "threads")
      ("events", po::value(&g.events)->default_value(g.events), "events in the trace, exactly")
      ("seed", po::value(&g.seed)->default_value(g.seed), "seed: same seed and options, same bytes")
      ("rate", po::value(&g.rate)->default_value(g.rate), "virtual events per second (timestamps)")
      ("calloc-percent", po::value(&g.calloc_percent)->default_value(g.calloc_percent), "allocations made by calloc")
      ("memalign-percent", po::value(&g.memalign_percent)->default_value(g.memalign_percent), "allocations made by memalign")
      ("realloc-percent", po::value(&g.realloc_percent)->default_value(g.realloc_percent), "steady, larson: replacements made by realloc");
  po::options_description sizes("Sizes (default: a power law)");
  sizes.add_options()
      ("sizes-from", po::value(&a.sizes_from)->value_name("TRACE"), "draw sizes from the allocations of a trace instead")
      ("format", po::value(&a.format)->default_value(a.format)->value_name("F"), "input format of --sizes-from (auto, heaptrack, ltrace, ...)")
      ("min-size", po::value(&a.law.min_size)->default_value(a.law.min_size), "smallest size")
      ("max-size", po::value(&a.law.max_size)->default_value(a.law.max_size), "largest size")
      ("size-decay", po::value(&a.law.decay_percent)->default_value(a.law.decay_percent), "percent likelihood of each doubling relative to the one below");
  po::options_description shapes("Shape knobs");
  shapes.add_options()
      ("live", po::value(&g.live)->default_value(g.live), "steady, bursty: live objects (all threads)")
      ("phase-split", po::value(&a.phase_split)->default_value(a.phase_split), "phased: percent of events up:plateau:down")
      ("ramp-bias", po::value(&g.ramp_bias)->default_value(g.ramp_bias), "phased: percent of ramp events going the ramp's way")
      ("cycles", po::value(&g.cycles)->default_value(g.cycles), "phased: repetitions of the three phases")
      ("producers", po::value(&g.producers)->default_value(g.producers), "prodcons: producer threads (0 = half)")
      ("queue-depth", po::value(&g.queue_depth)->default_value(g.queue_depth), "prodcons: objects a consumer queue holds")
      ("burst-size", po::value(&g.burst_size)->default_value(g.burst_size), "bursty: mean allocations per burst")
      ("quiet-events", po::value(&g.quiet_events)->default_value(g.quiet_events), "bursty: mean events between bursts")
      ("quiet-factor", po::value(&g.quiet_factor)->default_value(g.quiet_factor), "bursty: clock slow-down between bursts")
      ("slots", po::value(&g.slots)->default_value(g.slots), "larson: slots per thread array")
      ("handoff", po::value(&g.handoff)->default_value(g.handoff), "larson: replacements per thread between hand-offs");
  common.add(sizes).add(shapes);
  return common;
}

void print_help(const po::options_description& visible) {
  std::ostringstream text;
  text << visible;
  fmt::print("usage: allocsim gen SHAPE -o OUT [options]\n\n"
             "Writes a synthetic, reproducible trace. Shapes (docs/generators.md):\n"
             "  steady    per-thread churn around --live objects\n"
             "  phased    ramp-up, plateau, ramp-down of the live set\n"
             "  prodcons  producers allocate, consumers free (cross-thread frees)\n"
             "  bursty    quiet churn, then bursts of allocations freed soon after\n"
             "  larson    Larson-Krishnan slot replacement, arrays handed between threads\n\n{}",
             text.str());
}

// "30:40:30" -> up, plateau, down.
void parse_phase_split(const std::string& text, GeneratorOptions& g) {
  unsigned up = 0, flat = 0, down = 0;
  char c1 = 0, c2 = 0;
  std::istringstream in(text);
  if (!(in >> up >> c1 >> flat >> c2 >> down) || c1 != ':' || c2 != ':' || in.peek() != EOF)
    throw std::invalid_argument(fmt::format("--phase-split '{}' is not UP:PLATEAU:DOWN (e.g. 30:40:30)", text));
  g.phase_up = up;
  g.phase_plateau = flat;
  g.phase_down = down;
}

int run(GenArgs& a) {
  a.gen.shape = traces::parse_shape(a.shape);
  parse_phase_split(a.phase_split, a.gen);
  traces::validate(a.gen);
  traces::ReadOptions read;
  read.format = traces::parse_format(a.format);
  if (a.sizes_from.empty() && read.format != traces::Format::Auto)
    throw std::invalid_argument("--format is the format of --sizes-from's trace; the output's follows -o's name, or --to");
  const traces::Format to = traces::parse_format(a.to);
  if (to != traces::Format::Auto && to != traces::Format::Native && to != traces::Format::Csv)
    throw std::invalid_argument(fmt::format("--to {}: allocsim writes native or csv", a.to));
  auto writer = traces::create_writer(a.output, to);
  const traces::SizeDistribution sizes = a.sizes_from.empty() ? traces::SizeDistribution::power_law(a.law)
                                                              : traces::SizeDistribution::from_trace(a.sizes_from, read);
  std::uint32_t threads = 0;
  traces::generate(a.gen, sizes, [&](std::span<const traces::Event> batch) {
    for (const auto& e : batch) threads = std::max(threads, e.thread + 1);
    writer->write(batch);
  });
  writer->finish();
  fmt::print(stderr, "allocsim gen: wrote {} events of shape {} ({} threads, seed {}; sizes: {}) to {}\n", a.gen.events,
             a.shape, threads, a.gen.seed, sizes.description(), a.output);
  return kExitOk;
}

}  // namespace

int cmd_gen(const std::vector<std::string>& args) {
  GenArgs a;
  const po::options_description visible = describe(a);
  po::options_description all;
  all.add(visible).add_options()("shape", po::value(&a.shape));
  po::positional_options_description positional;
  positional.add("shape", 1);
  po::variables_map vm;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  po::store(po::command_line_parser(rest).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    print_help(visible);
    return kExitOk;
  }
  po::notify(vm);
  if (a.shape.empty()) throw std::invalid_argument("missing SHAPE (see allocsim gen --help)");
  if (a.output.empty()) throw std::invalid_argument("missing -o OUT");
  return run(a);
}

}  // namespace allocsim::sim
