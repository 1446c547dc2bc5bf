#include "sim/calibrate/cost_fit.hpp"

#include <algorithm>
#include <cmath>

namespace allocsim::sim {

std::array<double, kCostTerms> cost_terms(const allocator::StepResult& r) {
  return {1.0,
          r.pass_completed ? 1.0 : 0.0,
          double(r.units),
          double(r.hash_ops),
          double(r.sorted_chunks),
          double(r.blocks_mapped),
          double(r.purges)};
}

double predict_ns(const CostCoefficients& c, const std::array<double, kCostTerms>& terms) {
  double ns = 0;
  for (std::size_t i = 0; i < kCostTerms; ++i) ns += c[i] * terms[i];
  return ns;
}

namespace {

// min ||A x - b||^2, x >= 0, on the normal equations G x = h (G = AᵀA,
// h = Aᵀb): each free coordinate in turn set to its unconstrained optimum,
// clamped at zero. G is positive semi-definite, so this converges; a term
// no sample exercises (G_ii = 0) stays 0.
CostCoefficients least_squares(const std::vector<CostSample>& samples, const KnownCosts& known) {
  double g[kCostTerms][kCostTerms] = {};
  double h[kCostTerms] = {};
  for (const CostSample& s : samples) {
    const double w = 1 / (s.ns * s.ns);  // relative error: row and response divided by ns
    double rest = s.ns;                  // what the unknown terms must explain
    for (std::size_t i = 0; i < kCostTerms; ++i)
      if (known[i]) rest -= *known[i] * s.terms[i];
    for (std::size_t i = 0; i < kCostTerms; ++i) {
      if (known[i]) continue;
      h[i] += w * s.terms[i] * rest;
      for (std::size_t j = 0; j < kCostTerms; ++j)
        if (!known[j]) g[i][j] += w * s.terms[i] * s.terms[j];
    }
  }
  CostCoefficients x{};
  for (std::size_t i = 0; i < kCostTerms; ++i) x[i] = known[i].value_or(0);
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double moved = 0;
    for (std::size_t i = 0; i < kCostTerms; ++i) {
      if (known[i] || g[i][i] <= 0) continue;
      double r = h[i];
      for (std::size_t j = 0; j < kCostTerms; ++j)
        if (j != i && !known[j]) r -= g[i][j] * x[j];
      const double next = std::max(0.0, r / g[i][i]);
      moved = std::max(moved, std::abs(next - x[i]) / std::max(1.0, std::abs(next)));
      x[i] = next;
    }
    if (moved < 1e-9) break;
  }
  return x;
}

}  // namespace

CostCoefficients fit_costs(std::vector<CostSample> samples, const KnownCosts& known) {
  std::erase_if(samples, [](const CostSample& s) { return !(s.ns > 0); });
  return least_squares(samples, known);
}

double fit_error(const CostCoefficients& c, const std::vector<CostSample>& samples) {
  double error = 0, total = 0;
  for (const CostSample& s : samples) {
    error += std::abs(predict_ns(c, s.terms) - s.ns);
    total += s.ns;
  }
  return total > 0 ? error / total : 0;
}

}  // namespace allocsim::sim
