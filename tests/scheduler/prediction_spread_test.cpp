// prediction_spread's noisy verdict: a level whose learned errors spread
// wider than noisy_sigma after noisy_after samples is noisy (and, while
// judged, one whose predictions do not order the runs), and each change of
// verdict moves execution_predictor::change_stamp.
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/prediction_spread.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace dtf;

namespace {

void learn(prediction_spread& s, prediction_level level, int count, double log_error) {
  for (int k = 0; k < count; ++k) s.record(level, 10.0, 10.0 * std::exp(k % 2 == 0 ? log_error : -log_error));
}

} // namespace

TEST(prediction_spread, a_level_is_noisy_only_after_enough_wide_errors) {
  prediction_spread s;
  EXPECT_FALSE(s.noisy(prediction_level::default_estimate));  // a wide prior alone is not noisy
  learn(s, prediction_level::exact, static_cast<int>(prediction_spread::noisy_after) - 1, 4.0);
  EXPECT_GT(s.of(prediction_level::exact).log_sigma, prediction_spread::noisy_sigma);
  EXPECT_FALSE(s.noisy(prediction_level::exact));  // too few samples yet
  EXPECT_EQ(s.noisy_changes(), 0u);
  learn(s, prediction_level::exact, 1, 4.0);
  EXPECT_TRUE(s.noisy(prediction_level::exact));
  EXPECT_FALSE(s.noisy(prediction_level::model_type_device));
  EXPECT_EQ(s.noisy_changes(), 1u);
  // Accurate predictions again: the window forgets the wide errors.
  learn(s, prediction_level::exact, 400, 0.1);
  EXPECT_FALSE(s.noisy(prediction_level::exact));
  EXPECT_EQ(s.noisy_changes(), 2u);
}

TEST(prediction_spread, the_p90_starts_at_the_prior_and_a_restored_spread_sets_it) {
  prediction_spread s;
  const auto level = prediction_level::model_type_device;
  EXPECT_DOUBLE_EQ(s.p90_s(40.0, level), 40.0 * std::exp(prediction_spread::z90 * 0.5));
  EXPECT_EQ(s.p90_s(40.0, level), s.lognormal_p90_s(40.0, level));
  // 30 errors of +1 and -1 alike: their 90th percentile is +1, shrunk toward
  // the prior's 1.28 x 0.5 by 8 results; the log-normal fit's p90 lies above.
  learn(s, level, 30, 1.0);
  EXPECT_NEAR(s.p90_s(40.0, level), 40.0 * std::exp((8.0 * prediction_spread::z90 * 0.5 + 30.0 * 1.0) / 38.0), 1e-9);
  EXPECT_GT(s.lognormal_p90_s(40.0, level), s.p90_s(40.0, level));
  s.set(level, log_spread{0.3, 1.1, 12});
  EXPECT_DOUBLE_EQ(s.p90_s(40.0, level), 40.0 * std::exp(0.3 + prediction_spread::z90 * 1.1));
  EXPECT_EQ(s.p90_s(40.0, level), s.lognormal_p90_s(40.0, level));
  // A new error after a restore is weighed against the restored p90, not the prior's.
  s.record(level, 10.0, 10.0 * std::exp(2.0));
  EXPECT_NEAR(s.p90_s(40.0, level), 40.0 * std::exp((8.0 * (0.3 + prediction_spread::z90 * 1.1) + 2.0) / 9.0), 1e-9);
}

// Mostly small errors with a few huge ones (exact histories of run times
// with a heavy tail): bias + 1.28 sigma lies above all the small ones, the
// p90 a prediction carries is the errors' own 90th percentile.
TEST(prediction_spread, the_p90_covers_nine_in_ten_of_heavy_tailed_errors) {
  prediction_spread s;
  const auto level = prediction_level::exact;
  std::vector<double> errors;
  for (int k = 0; k < 400; ++k) errors.push_back(k % 20 == 0 ? 3.0 : -0.2 + 0.4 * static_cast<double>(k % 19) / 18.0);
  for (double e : errors) s.record(level, 10.0, 10.0 * std::exp(e));
  const auto share_under = [&](double p90_s) {
    // The window holds the last 200 errors.
    const auto under = std::count_if(errors.end() - 200, errors.end(),
                                     [&](double e) { return 10.0 * std::exp(e) <= p90_s * (1.0 + 1e-12); });
    return static_cast<double>(under) / 200.0;
  };
  EXPECT_GE(share_under(s.p90_s(10.0, level)), 0.85);
  EXPECT_LE(share_under(s.p90_s(10.0, level)), 0.92);
  EXPECT_GE(share_under(s.lognormal_p90_s(10.0, level)), 0.95);
  EXPECT_LT(s.p90_s(10.0, level), s.lognormal_p90_s(10.0, level));
}

TEST(prediction_spread, restoring_a_noisy_level_counts_as_a_change) {
  prediction_spread s;
  s.set(prediction_level::model_type_device, log_spread{0.0, 2.5, 50});
  EXPECT_TRUE(s.noisy(prediction_level::model_type_device));
  EXPECT_EQ(s.noisy_changes(), 1u);
  s.set(prediction_level::model_type_device, log_spread{0.0, 0.5, 50});
  EXPECT_FALSE(s.noisy(prediction_level::model_type_device));
  EXPECT_EQ(s.noisy_changes(), 2u);
}

TEST(prediction_spread, a_change_of_verdict_moves_every_change_stamp) {
  execution_predictor p;
  worker_capability w;
  w.name = "A100";
  w.kind = device_kind::cuda;
  p.record("bert", task_type::benchmark, 8, w, 12.0);
  const auto q = p.prepare("bert", task_type::benchmark, 8, true);
  const auto device = p.device_key("A100");
  const auto before = p.change_stamp(q, device, w.kind, prediction_level::exact);
  for (int k = 0; k < 40; ++k)
    p.record_outcome(prediction{10.0, prediction_level::family_type_device, 1, 0.0}, k % 2 == 0 ? 1e4 : 1e-2);
  ASSERT_TRUE(p.spread().noisy(prediction_level::family_type_device));
  EXPECT_NE(p.change_stamp(q, device, w.kind, prediction_level::exact), before);
}

// Predictions that do not order the runs: wide (sigma above 1) and ranking
// the run times that followed under 0.3 after 100 pairs. They count as noisy
// only while judged (the core: while submissions arrive), and each turn of a
// verdict is a change (deferral certificates).
TEST(prediction_spread, wide_predictions_that_do_not_order_the_runs_are_noisy_only_while_judged) {
  prediction_spread s;
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> log_uniform(0.0, 4.0);  // log errors' sigma about 1.6
  const auto learn_unordered = [&](int count) {
    for (int k = 0; k < count; ++k)
      s.record(prediction_level::exact, std::exp(log_uniform(random)), std::exp(log_uniform(random)));
  };
  learn_unordered(static_cast<int>(prediction_spread::unranked_after) - 10);
  EXPECT_GT(s.of(prediction_level::exact).log_sigma, prediction_spread::unranked_sigma);
  EXPECT_LT(s.of(prediction_level::exact).log_sigma, prediction_spread::noisy_sigma);
  EXPECT_FALSE(s.unranked(prediction_level::exact));  // too few pairs yet
  learn_unordered(10);
  EXPECT_TRUE(s.unranked(prediction_level::exact));
  EXPECT_FALSE(s.noisy(prediction_level::exact));  // not judged: a batch
  EXPECT_EQ(s.noisy_changes(), 0u);
  s.judge_order(true);
  EXPECT_TRUE(s.noisy(prediction_level::exact));
  EXPECT_FALSE(s.noisy(prediction_level::model_type_device));
  EXPECT_EQ(s.noisy_changes(), 1u);
  s.judge_order(true);
  EXPECT_EQ(s.noisy_changes(), 1u);
  s.judge_order(false);
  EXPECT_FALSE(s.noisy(prediction_level::exact));
  EXPECT_EQ(s.noisy_changes(), 2u);
}

TEST(prediction_spread, wide_predictions_that_order_the_runs_stay_trusted) {
  prediction_spread s;
  s.judge_order(true);
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> log_uniform(0.0, 8.0);
  // Off by e^1.2 either way (sigma 1.2), but a longer prediction means a longer run.
  for (int k = 0; k < 300; ++k) {
    const double predicted = std::exp(log_uniform(random));
    s.record(prediction_level::exact, predicted, predicted * std::exp(k % 2 == 0 ? 1.2 : -1.2));
  }
  EXPECT_GT(s.of(prediction_level::exact).log_sigma, prediction_spread::unranked_sigma);
  EXPECT_FALSE(s.unranked(prediction_level::exact));
  EXPECT_FALSE(s.noisy(prediction_level::exact));
  EXPECT_EQ(s.noisy_changes(), 0u);
}

// The expected time still to run: the log-normal's mean before the run
// starts; for a wide spread it grows once the run is past its median (a
// long run of a heavy-tailed kind is likely longer still), for a narrow one
// it shrinks; far in the tail it stays finite.
TEST(prediction_spread, the_expected_time_still_to_run_follows_the_level_s_spread) {
  prediction_spread s;
  const auto narrow = prediction_level::exact;             // prior sigma 0.4
  const auto wide = prediction_level::default_estimate;    // prior sigma 1.5
  EXPECT_NEAR(s.mean_remaining_s(100.0, narrow, 0.0), 100.0 * std::exp(0.4 * 0.4 / 2.0), 1e-9);
  EXPECT_NEAR(s.mean_remaining_s(100.0, wide, 0.0), 100.0 * std::exp(1.5 * 1.5 / 2.0), 1e-9);
  // Narrow: after 50 s of a 100 s run, about 60 s more; after 300 s, well under 300 s more.
  EXPECT_NEAR(s.mean_remaining_s(100.0, narrow, 50.0), 60.0, 15.0);
  EXPECT_LT(s.mean_remaining_s(100.0, narrow, 300.0), 150.0);
  // Wide: the longer it has run, the longer it is expected to run still.
  const double at_100 = s.mean_remaining_s(100.0, wide, 100.0);
  const double at_1000 = s.mean_remaining_s(100.0, wide, 1000.0);
  EXPECT_GT(at_1000, at_100);
  EXPECT_GT(at_1000, 1000.0);
  // Through and past where the normal tail underflows (z about 36, 1.8e6 s
  // here: Mills' ratio takes over): finite, growing, without a jump.
  double before = s.mean_remaining_s(1.0, narrow, 1e5);
  for (double elapsed = 1.1e5; elapsed < 1e8; elapsed *= 1.1) {
    const double now = s.mean_remaining_s(1.0, narrow, elapsed);
    ASSERT_TRUE(std::isfinite(now)) << elapsed;
    EXPECT_GT(now, before) << elapsed;
    EXPECT_LT(now, 1.2 * before) << elapsed;
    before = now;
  }
  EXPECT_EQ(s.mean_remaining_s(0.0, narrow, 10.0), 0.0);
  EXPECT_EQ(s.mean_remaining_s(std::nan(""), narrow, 10.0), 0.0);
}
