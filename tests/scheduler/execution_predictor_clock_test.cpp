// An emulated worker's modeled seconds and a real worker's wall seconds are
// two clocks: neither answers for the other at any level of the predictor's
// back-off (exact down to type), in the predictor and in the core that owns
// it. Before: README's main example predicted an emulated task of a model
// never seen at 0.24 s, a real CPU benchmark's wall seconds x sqrt(8), at the
// type level, and it ran 90 modeled s.
#include "fleet_fixtures.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/model/attempt_record.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace dtf;
using namespace dtf::testing;

namespace {
task benchmark_of(std::string model, int batch, std::vector<device_kind> hardware) {
  task t = make_task("t", std::move(hardware), 0, 0, std::move(model));
  t.batch_size = batch;
  return t;
}
worker_capability emulated_a100() {
  auto w = cuda_worker("worker-cuda-2", "NVIDIA A100-SXM4-40GB", 40, 8.0, 108, 0, 1.6);
  w.emulated = true;
  return w;
}
worker_capability real_cpu() { return cpu_worker("cpu-pkg0", "Intel Xeon", 16, 2); }
double default_s(task_type type, int batch, double speed) {
  return execution_predictor::default_seconds(type) * execution_predictor::batch_factor(batch) / speed;
}
} // namespace

namespace {
/// Results on `learned_on` (a benchmark without a model, a test of bert) leave
/// `asked` at the default for a benchmark of a model never seen, and for bert.
void expect_defaults_on_the_other_clock(const worker_capability& learned_on, double seconds,
                                        const worker_capability& asked) {
  execution_predictor p;
  p.record("", task_type::benchmark, 0, learned_on, seconds);
  p.record("bert-base-uncased", task_type::test, 0, learned_on, seconds);
  const auto unseen = p.predict(benchmark_of("t5-base", 8, {asked.kind}), asked);
  EXPECT_EQ(unseen.level, prediction_level::default_estimate);
  EXPECT_DOUBLE_EQ(unseen.seconds, default_s(task_type::benchmark, 8, asked.speed));
  // Not even the model the other clock ran.
  auto bert_test = benchmark_of("bert-base-uncased", 0, {asked.kind});
  bert_test.type = task_type::test;
  EXPECT_EQ(p.predict(bert_test, asked).level, prediction_level::default_estimate);
  // The worker that ran them still learns from them.
  EXPECT_EQ(p.predict(benchmark_of("", 0, {learned_on.kind}), learned_on).level, prediction_level::type_kind);
}
} // namespace

TEST(execution_predictor_clocks, a_real_cpu_history_never_predicts_an_emulated_worker) {
  // README's example: a real CPU benchmark without a model took 0.084 wall s.
  expect_defaults_on_the_other_clock(real_cpu(), 0.084, emulated_a100());
}

TEST(execution_predictor_clocks, an_emulated_history_never_predicts_a_real_worker) {
  expect_defaults_on_the_other_clock(emulated_a100(), 90.0, real_cpu());
  // A real GPU of the same name as the emulated one has its own estimates.
  execution_predictor p;
  p.record("t5-base", task_type::benchmark, 8, emulated_a100(), 90.0);
  auto real_a100 = emulated_a100();
  real_a100.emulated = false;
  EXPECT_EQ(p.predict(benchmark_of("t5-base", 8, {device_kind::cuda}), real_a100).level,
            prediction_level::default_estimate);
  EXPECT_EQ(p.predict(benchmark_of("t5-base", 8, {device_kind::cuda}), emulated_a100()).level,
            prediction_level::exact);
}

TEST(execution_predictor_clocks, a_snapshot_keeps_each_estimate_in_its_clock) {
  execution_predictor p;
  p.record("t5-base", task_type::benchmark, 8, emulated_a100(), 90.0);
  p.record("t5-base", task_type::benchmark, 8, real_cpu(), 0.5);
  execution_predictor copy;
  copy.load(p.snapshot());
  const auto t5 = benchmark_of("t5-base", 8, {device_kind::cuda, device_kind::cpu});
  EXPECT_DOUBLE_EQ(copy.predict(t5, emulated_a100()).seconds, 90.0);
  EXPECT_DOUBLE_EQ(copy.predict(t5, real_cpu()).seconds, 0.5);
  EXPECT_EQ(copy.snapshot().entries.size(), p.snapshot().entries.size());
}

TEST(execution_predictor_clocks, the_queue_order_estimate_answers_from_one_clock) {
  execution_predictor p;
  const auto t5 = benchmark_of("t5-base", 1, {device_kind::cuda, device_kind::cpu});
  p.record("t5-base", task_type::benchmark, 1, real_cpu(), 0.5);
  EXPECT_DOUBLE_EQ(p.predict(t5).seconds, 0.5);
  // More modeled results of the model than wall ones: the modeled clock
  // answers, alone (1.6 x 90 = 144 s at speed 1), never a mean of the two.
  p.record("t5-base", task_type::benchmark, 1, emulated_a100(), 90.0);
  p.record("t5-base", task_type::benchmark, 1, emulated_a100(), 90.0);
  EXPECT_DOUBLE_EQ(p.predict(t5).seconds, 144.0);
}

TEST(execution_predictor_clocks, the_core_predicts_an_emulated_worker_from_modeled_history_only) {
  scheduler_core core;
  core.add_worker(real_cpu());
  core.add_worker(emulated_a100());
  // The journal's history of a real CPU run (wall seconds): learned as wall.
  attempt_record row = attempt_record_for(benchmark_of("", 0, {device_kind::cpu}), real_cpu(), 1);
  row.status = task_status::succeeded;
  row.duration_s = 0.084;
  core.learn_from_history(learning_result(row), learning_worker(row));

  auto t5 = benchmark_of("t5-base", 8, {device_kind::cuda});
  t5.id = "t5-base-b8";
  core.submit(t5);
  const auto placed = core.schedule();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].worker_id, "worker-cuda-2");
  EXPECT_FALSE(placed[0].predicted_from_history);
  EXPECT_DOUBLE_EQ(placed[0].predicted_duration_s, default_s(task_type::benchmark, 8, 1.6));

  // An emulated history row (modeled seconds) is learned in the modeled clock.
  row = attempt_record_for(t5, emulated_a100(), 1);
  row.status = task_status::succeeded;
  row.duration_s = 1.8;  // wall, at --time-scale 0.02
  row.modeled_s = 90.0;
  EXPECT_TRUE(learning_worker(row).emulated);
  core.learn_from_history(learning_result(row), learning_worker(row));
  EXPECT_DOUBLE_EQ(core.predictor().predict(t5, emulated_a100()).seconds, 90.0);
  EXPECT_EQ(core.predictor().predict(benchmark_of("", 0, {device_kind::cpu}), real_cpu()).level,
            prediction_level::type_kind);
  EXPECT_DOUBLE_EQ(core.predictor().predict(benchmark_of("", 0, {device_kind::cpu}), real_cpu()).seconds, 0.084);
}
