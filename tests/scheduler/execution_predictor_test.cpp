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
