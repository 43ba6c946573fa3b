#include "fleet_fixtures.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace dtf;
using namespace dtf::testing;

namespace {
task bench(std::string model, int batch) {
  task t = make_task("t", {device_kind::cuda}, 0, 0, std::move(model));
  t.batch_size = batch;
  return t;
}
} // namespace

TEST(execution_predictor, answers_a_size_scaled_default_without_history) {
  execution_predictor p;
  auto w = cuda_worker("a", "A100", 40, 8.0);
  auto small = p.predict(bench("resnet50", 1), w);
  auto big = p.predict(bench("resnet50", 64), w);
  EXPECT_EQ(small.level, prediction_level::default_estimate);
  EXPECT_EQ(small.samples, 0u);
  EXPECT_DOUBLE_EQ(small.seconds, execution_predictor::default_seconds(task_type::benchmark));
  EXPECT_GT(big.seconds, small.seconds);
  auto fast = w;
  fast.speed = 2.0;
  EXPECT_LT(p.predict(bench("resnet50", 1), fast).seconds, small.seconds);
}

TEST(execution_predictor, falls_back_through_coarser_keys) {
  execution_predictor p;
  auto a100 = cuda_worker("a", "A100", 40, 8.0);
  auto v100 = cuda_worker("v", "V100", 32, 7.0);
  auto epyc = cpu_worker("c", "EPYC", 256, 64);
  p.record("bert-base-uncased", task_type::benchmark, 8, a100, 100.0);

  EXPECT_EQ(p.predict(bench("bert-base-uncased", 8), a100).level, prediction_level::exact);
  EXPECT_DOUBLE_EQ(p.predict(bench("bert-base-uncased", 8), a100).seconds, 100.0);
  auto other_batch = p.predict(bench("bert-base-uncased", 32), a100);
  EXPECT_EQ(other_batch.level, prediction_level::model_type_device);
  EXPECT_NEAR(other_batch.seconds, 200.0, 1e-9);  // sqrt(32/8) = 2x
  EXPECT_EQ(p.predict(bench("distilbert-base-uncased", 8), a100).level, prediction_level::family_type_device);
  EXPECT_EQ(p.predict(bench("bert-base-uncased", 8), v100).level, prediction_level::model_type);
  EXPECT_EQ(p.predict(bench("resnet50", 8), v100).level, prediction_level::type_kind);
  EXPECT_EQ(p.predict(bench("resnet50", 8), epyc).level, prediction_level::type);
  task test_task = bench("resnet50", 8);
  test_task.type = task_type::test;
  EXPECT_EQ(p.predict(test_task, a100).level, prediction_level::default_estimate);
}

TEST(execution_predictor, converges_on_repeated_results) {
  execution_predictor p;
  auto w = cuda_worker("a", "A100", 40, 8.0);
  for (int i = 0; i < 50; ++i) p.record("m", task_type::benchmark, 4, w, 30.0);
  auto pr = p.predict(bench("m", 4), w);
  EXPECT_NEAR(pr.seconds, 30.0, 1e-9);
  EXPECT_EQ(pr.samples, 50u);
}

TEST(execution_predictor, ignores_nan_and_negative_durations) {
  execution_predictor p;
  auto w = cuda_worker("a", "A100", 40, 8.0);
  p.record("m", task_type::benchmark, 4, w, std::numeric_limits<double>::quiet_NaN());
  p.record("m", task_type::benchmark, 4, w, -1.0);
  p.record("m", task_type::benchmark, 4, w, std::numeric_limits<double>::infinity());
  EXPECT_EQ(p.samples(), 0u);
  p.record("m", task_type::benchmark, 4, w, 1e300);
  auto pr = p.predict(bench("m", 4), w);
  EXPECT_TRUE(std::isfinite(pr.seconds));
  EXPECT_LE(pr.seconds, execution_predictor::max_seconds);
}

TEST(execution_predictor, measures_accuracy_as_mape) {
  execution_predictor p;
  p.record_accuracy(90.0, 100.0);
  p.record_accuracy(120.0, 100.0);
  p.record_accuracy(std::numeric_limits<double>::quiet_NaN(), 100.0);  // ignored
  auto a = p.accuracy();
  EXPECT_EQ(a.samples, 2u);
  EXPECT_NEAR(a.mape, 0.15, 1e-12);
  EXPECT_NEAR(a.mean_abs_error_s, 15.0, 1e-12);
}

TEST(execution_predictor, snapshot_round_trips_into_a_fresh_predictor) {
  execution_predictor p;
  auto a100 = cuda_worker("a", "A100", 40, 8.0);
  auto epyc = cpu_worker("c", "EPYC", 256, 64);
  p.record("bert-base-uncased", task_type::benchmark, 8, a100, 100.0);
  p.record("t5-small", task_type::test, 1, epyc, 7.0);
  p.record_accuracy(10.0, 8.0);
  const auto snap = p.snapshot();
  ASSERT_FALSE(snap.entries.empty());

  execution_predictor q;
  q.load(snap);
  for (auto [t, w] : {std::pair{bench("bert-base-uncased", 8), a100}, std::pair{bench("t5-small", 1), epyc},
                      std::pair{bench("distilbert", 2), a100}}) {
    auto x = p.predict(t, w), y = q.predict(t, w);
    EXPECT_DOUBLE_EQ(x.seconds, y.seconds);
    EXPECT_EQ(x.level, y.level);
  }
  EXPECT_EQ(q.accuracy().samples, 1u);
  auto again = q.snapshot();
  ASSERT_EQ(again.entries.size(), snap.entries.size());
  for (std::size_t i = 0; i < snap.entries.size(); ++i) {
    EXPECT_EQ(again.entries[i].model, snap.entries[i].model);
    EXPECT_EQ(again.entries[i].device, snap.entries[i].device);
    EXPECT_EQ(again.entries[i].count, snap.entries[i].count);
    EXPECT_DOUBLE_EQ(again.entries[i].estimate_s, snap.entries[i].estimate_s);
  }
}

// A model at a batch size it has not run at on a device is answered from its
// runs there at other sizes, along the growth that device has shown
// (batch_scaling.hpp), instead of sqrt(batch).
TEST(execution_predictor_batch_scaling, a_batch_not_run_on_the_device_follows_the_devices_learned_growth) {
  execution_predictor p;
  const auto v100 = cuda_worker("v", "V100", 32, 7.0);
  // resnet50 grows linearly with batch size on the V100.
  for (int batch : {8, 16, 32, 64, 128}) p.record("resnet50", task_type::benchmark, batch, v100, 10.0 * batch / 8);
  p.record("bert-base-uncased", task_type::benchmark, 8, v100, 30.0);
  const auto at_64 = p.predict(bench("bert-base-uncased", 64), v100);
  EXPECT_EQ(at_64.level, prediction_level::model_batch_scaled);
  EXPECT_EQ(to_string(at_64.level), "model_batch_scaled");
  // sqrt(8) x 30 s = 85 s would be the old answer; linear growth says 240 s.
  EXPECT_GT(at_64.seconds, 200.0);
  EXPECT_LT(at_64.seconds, 250.0);
  EXPECT_GT(at_64.p90_s, at_64.seconds);
  EXPECT_TRUE(from_model_history(at_64.level));
  // The model's own run at that size still answers first.
  p.record("bert-base-uncased", task_type::benchmark, 64, v100, 100.0);
  EXPECT_EQ(p.predict(bench("bert-base-uncased", 64), v100).level, prediction_level::exact);
}

TEST(execution_predictor_batch_scaling, a_device_without_growth_learned_answers_as_before) {
  execution_predictor p;
  const auto v100 = cuda_worker("v", "V100", 32, 7.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, v100, 30.0);
  const auto at_32 = p.predict(bench("bert-base-uncased", 32), v100);
  EXPECT_EQ(at_32.level, prediction_level::model_type_device);
  EXPECT_DOUBLE_EQ(at_32.seconds, 30.0 / std::sqrt(8.0) * std::sqrt(32.0));
}

TEST(execution_predictor_batch_scaling, lower_bounds_move_the_growth_and_a_snapshot_keeps_it) {
  execution_predictor p;
  const auto v100 = cuda_worker("v", "V100", 32, 7.0);
  p.record("resnet50", task_type::benchmark, 8, v100, 10.0);
  p.record("resnet50", task_type::benchmark, 64, v100, 40.0);
  p.record("bert-base-uncased", task_type::benchmark, 8, v100, 30.0);
  const double before = p.predict(bench("bert-base-uncased", 64), v100).seconds;
  // A batch-64 resnet50 that timed out after 200 s: that size runs longer there than learned.
  p.record_lower_bound("resnet50", task_type::benchmark, 64, v100, 200.0);
  const auto after = p.predict(bench("bert-base-uncased", 64), v100);
  EXPECT_EQ(after.level, prediction_level::model_batch_scaled);
  EXPECT_GT(after.seconds, before);
  execution_predictor copy;
  copy.load(p.snapshot());
  const auto loaded = copy.predict(bench("bert-base-uncased", 64), v100);
  EXPECT_EQ(loaded.level, after.level);
  EXPECT_EQ(loaded.seconds, after.seconds);  // exactly: the slopes depend on the estimates, not their order
}
