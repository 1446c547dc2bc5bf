#pragma once
// Fitting the virtual replay's collector cost model to measured steps.
//
// The model (docs/replay.md) prices one collector step as
//   step + pass·[a pass ended] + chunk·units + hash·hash_ops
//        + sort·sorted_chunks + map·blocks_mapped + purge·purges.
// A sample is steps the core really took: what their StepResults say they
// did, added up, and how long they took. The fit is least squares with every
// coefficient kept non-negative (coordinate descent on the normal
// equations: seven unknowns, so nothing more is needed). Steps range from
// a few hundred nanoseconds to milliseconds, so each is weighted by its
// own duration: the fit minimises relative errors, and a few long steps
// do not drown the many short ones.
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "allocator/step_result.hpp"

namespace allocsim::sim {

inline constexpr std::size_t kCostTerms = 7;

// The model's terms for one step, in the order of CostCoefficients.
std::array<double, kCostTerms> cost_terms(const allocator::StepResult& r);

struct CostSample {
  std::array<double, kCostTerms> terms;
  double ns = 0;  // measured
};

// ns per term: step, pass, chunk, hash op, sorted chunk, block mapped, purge.
using CostCoefficients = std::array<double, kCostTerms>;

// `known`: coefficients measured apart (a term whose count moves in step
// with another's cannot be told apart from it by a fit), kept as given.
using KnownCosts = std::array<std::optional<double>, kCostTerms>;
CostCoefficients fit_costs(std::vector<CostSample> samples, const KnownCosts& known = {});
// sum |predicted - measured| / sum measured.
double fit_error(const CostCoefficients& c, const std::vector<CostSample>& samples);
double predict_ns(const CostCoefficients& c, const std::array<double, kCostTerms>& terms);

}  // namespace allocsim::sim
