#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "sim/calibrate/calibrate.hpp"
#include "sim/calibrate/cost_fit.hpp"
#include "sim/config/run_config.hpp"

namespace allocsim::sim {
namespace {

// Steps whose durations follow known coefficients exactly: the fit finds them.
std::vector<CostSample> synthetic(const CostCoefficients& truth) {
  std::mt19937_64 rng(3);
  std::vector<CostSample> samples;
  for (int i = 0; i < 200; ++i) {
    CostSample s{};
    s.terms = {1.0 + double(rng() % 50), double(rng() % 3), double(rng() % 5000), double(rng() % 9000),
               double(rng() % 2000), double(rng() % 4), double(rng() % 6)};
    s.ns = predict_ns(truth, s.terms);
    samples.push_back(s);
  }
  return samples;
}

TEST(CostFit, RecoversTheCoefficientsOfExactSamples) {
  const CostCoefficients truth{400, 900, 6, 11, 3, 150000, 4000};
  const CostCoefficients fit = fit_costs(synthetic(truth));
  for (std::size_t i = 0; i < kCostTerms; ++i) EXPECT_NEAR(fit[i], truth[i], truth[i] * 1e-3) << "term " << i;
  EXPECT_LT(fit_error(fit, synthetic(truth)), 1e-6);
}

TEST(CostFit, KeepsAKnownCoefficientAndFitsTheRestAroundIt) {
  const CostCoefficients truth{400, 900, 6, 11, 3, 150000, 4000};
  KnownCosts known{};
  known[3] = 11;
  const CostCoefficients fit = fit_costs(synthetic(truth), known);
  EXPECT_EQ(fit[3], 11);
  EXPECT_NEAR(fit[2], 6, 6e-3);
  // A wrong known cost moves the others, never itself.
  known[3] = 20;
  EXPECT_EQ(fit_costs(synthetic(truth), known)[3], 20);
}

TEST(CostFit, NoCoefficientIsNegative) {
  CostCoefficients truth{400, 900, 6, 11, 3, 150000, 4000};
  auto samples = synthetic(truth);
  for (auto& s : samples) s.ns -= 4000 * s.terms[6] + 500;  // shorter than the model can be with positive costs
  for (double c : fit_costs(samples)) EXPECT_GE(c, 0);
}

// The real thing, small: every figure measured, and the INI it writes is a
// configuration the replay loads.
TEST(Calibrate, MeasuresTheCoreAndWritesLoadableReplayKnobs) {
  CalibrationOptions options;
  // Three rounds, as a user's run takes the median over rounds: one round
  // is a single fit of a few timed steps, and one preempted step on a busy
  // (or sanitized) run can leave a term at zero (1 in 20 under ASan).
  options.rounds = 3;
  options.chunks = 512;
  options.wake_samples = 5;
  const Calibration c = calibrate(options);
  EXPECT_GT(c.steps, 0u);
  EXPECT_GT(c.map.median, 0) << "mapping a block takes time";
  EXPECT_GT(c.step.median + c.pass.median, 0);
  EXPECT_GT(c.wake_latency.median, 0);
  EXPECT_LT(c.hash_op.median, c.map.median);
  ASSERT_EQ(c.set_ops.size(), 3u);
  for (const SetOpCosts& s : c.set_ops) EXPECT_GT(s.insert_ns, 0) << s.set_size;

  const auto dir = std::filesystem::temp_directory_path() / ("calibrate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string ini = (dir / "host.ini").string();
  {
    std::ofstream out(ini);
    write_calibration_ini(out, c, "test host");
  }
  const RunConfig config = load_run_config("", ini, {}, ALLOCSIM_SOURCE_DIR "/configs/policies");
  EXPECT_EQ(double(config.replay.map_cost_ns), std::max(1.0, std::round(c.map.median)));
  EXPECT_EQ(double(config.replay.wake_latency_ns), std::max(1.0, std::round(c.wake_latency.median)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace allocsim::sim
