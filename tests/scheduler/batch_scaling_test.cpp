// batch_scaling: a device's growth of run time with batch size, learned from
// the exact estimates of the models that ran there at several batch sizes.
#include "scheduler/learning/batch_scaling.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

using namespace dtf;

namespace {
constexpr std::uint32_t series = 0, gpu = 1, cpu = 2;

/// Flat up to batch 4, then (batch / 4)^k: a GPU filling up.
double gpu_time_s(double base_s, int batch, double k) { return base_s * std::pow(std::max(batch, 4) / 4.0, k); }
} // namespace

TEST(batch_scaling, learns_a_devices_growth_flat_to_batch_4_and_steeper_above) {
  batch_scaling s;
  for (std::uint32_t model = 0; model < 3; ++model)
    for (int batch : {1, 2, 4, 8, 16, 32, 64})
      s.replace(series, model, gpu, batch, std::nullopt, gpu_time_s(10.0 * (model + 1), batch, 0.8));
  const auto learned = s.device_slopes(series, gpu);
  EXPECT_EQ(learned.points, 21u);
  EXPECT_LT(learned.up_to_4, 0.15);  // shrunk toward 0.5 by the prior, a little
  EXPECT_NEAR(learned.above_4, 0.8, 0.05);
  // A model run only at batch 8 there, asked at 128: along the device's
  // growth (800 s), not sqrt(16) = 4x its batch-8 time (348 s).
  s.replace(series, 7, gpu, 8, std::nullopt, gpu_time_s(50.0, 8, 0.8));
  const auto at_128 = s.predict(series, 7, gpu, 128);
  ASSERT_TRUE(at_128);
  EXPECT_GT(at_128->seconds, 650.0);
  EXPECT_LT(at_128->seconds, 900.0);
  EXPECT_EQ(at_128->batches, 1u);
  // Another device learns its own.
  EXPECT_EQ(s.device_slopes(series, cpu).points, 0u);
}

TEST(batch_scaling, answers_only_for_a_model_seen_on_the_device_once_the_device_has_learned) {
  batch_scaling s;
  s.replace(series, 1, gpu, 8, std::nullopt, 10.0);
  EXPECT_FALSE(s.predict(series, 1, gpu, 32)) << "no model has run there at two batch sizes";
  s.replace(series, 2, gpu, 8, std::nullopt, 10.0);
  s.replace(series, 2, gpu, 32, std::nullopt, 40.0);
  EXPECT_TRUE(s.predict(series, 1, gpu, 32));
  EXPECT_FALSE(s.predict(series, 3, gpu, 32)) << "the model has not run there";
  EXPECT_FALSE(s.predict(series, 1, cpu, 32)) << "nor on this device";
  EXPECT_FALSE(s.predict(series + 1, 1, gpu, 32)) << "another type or clock";
  // A changed estimate replaces its point: the model's batch-8 time is now 20 s.
  s.replace(series, 1, gpu, 8, 10.0, 20.0);
  EXPECT_NEAR(s.predict(series, 1, gpu, 8)->seconds, 20.0, 1e-3);  // logs kept to 1e-6
  s.clear();
  EXPECT_FALSE(s.predict(series, 1, gpu, 32));
}

TEST(batch_scaling, a_single_model_moves_the_slopes_only_part_of_the_way_from_the_prior) {
  batch_scaling s;
  s.replace(series, 1, gpu, 8, std::nullopt, 10.0);
  s.replace(series, 1, gpu, 16, std::nullopt, 20.0);  // linear between two neighbours
  const auto learned = s.device_slopes(series, gpu);
  EXPECT_GT(learned.above_4, 0.5);
  EXPECT_LT(learned.above_4, 0.8);
}

// The slopes and answers depend on the final estimates only: online updates
// in any order (each replacing its previous value) and a fresh instance given
// the final values at once (as a predictor loaded from a snapshot) agree
// exactly, not just closely.
RC_GTEST_PROP(batch_scaling, answers_depend_on_the_estimates_not_on_their_order, ()) {
  const std::vector<int> batches = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  using point = std::tuple<std::uint32_t, std::uint32_t, int>;  // model, device, batch
  const auto updates = *rc::gen::container<std::vector<std::tuple<std::uint32_t, std::uint32_t, int, double>>>(
      rc::gen::tuple(rc::gen::inRange<std::uint32_t>(0, 5), rc::gen::inRange<std::uint32_t>(0, 2),
                     rc::gen::elementOf(batches),
                     rc::gen::map(rc::gen::inRange(1, 1000000), [](int v) { return v / 100.0; })));
  batch_scaling online;
  std::map<point, double> last;
  for (const auto& [model, device, batch, seconds] : updates) {
    const point at{model, device, batch};
    const auto it = last.find(at);
    online.replace(series, model, device, batch, it == last.end() ? std::nullopt : std::optional{it->second}, seconds);
    last[at] = seconds;
  }
  std::vector<std::pair<point, double>> finals(last.begin(), last.end());
  std::reverse(finals.begin(), finals.end());
  batch_scaling loaded;
  for (const auto& [at, seconds] : finals)
    loaded.replace(series, std::get<0>(at), std::get<1>(at), std::get<2>(at), std::nullopt, seconds);
  for (std::uint32_t device = 0; device < 2; ++device) {
    const auto a = online.device_slopes(series, device), b = loaded.device_slopes(series, device);
    RC_ASSERT(a.points == b.points);
    RC_ASSERT(a.up_to_4 == b.up_to_4);
    RC_ASSERT(a.above_4 == b.above_4);
    RC_ASSERT(a.up_to_4 >= 0.0 && a.up_to_4 <= 1.5 && a.above_4 >= 0.0 && a.above_4 <= 1.5);
    for (std::uint32_t model = 0; model < 5; ++model)
      for (int batch : batches) {
        const auto x = online.predict(series, model, device, batch), y = loaded.predict(series, model, device, batch);
        RC_ASSERT(x.has_value() == y.has_value());
        if (x) {
          RC_ASSERT(x->seconds == y->seconds);
          RC_ASSERT(std::isfinite(x->seconds) && x->seconds > 0.0);
        }
      }
  }
}
