// The censored lower bounds (an attempt still running, a first attempt that
// lost to its backup) are measured in the scheduler's clock (wall seconds in
// dtf run) and learned in the worker's: modeled seconds on an emulated worker,
// wall / time_scale. Before, dtf run --time-scale 2 learned a task of 10
// modeled s as 20, then 40 (it takes 20 wall s).
#include "backup_race_fixture.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

/// One emulated worker at `time_scale` that ran resnet50 three times in 10 modeled s.
scheduler_core core_with_history(double time_scale) {
  scheduler_core core;
  core.add_worker(emulated(cpu_worker("e", "Xeon", 64, 16, 1), time_scale));
  for (int i = 0; i < 3; ++i)
    core.learn_from_history(success_of("old" + std::to_string(i), "e", 10.0, "resnet50"), core.workers().front());
  return core;
}

double predicted_s(const scheduler_core& core) {
  return core.predictor().predict(make_task("probe", {}, 0.0, 0, "resnet50"), core.workers().front()).seconds;
}

} // namespace

TEST(time_scale_lower_bound, a_running_attempt_is_checked_in_wall_time_and_learned_in_modeled_seconds) {
  auto core = core_with_history(2.0);  // 10 modeled s take 20 wall s
  ASSERT_NEAR(predicted_s(core), 10.0, 1e-9);
  core.submit(make_task("stuck", {}, 0.0, 0, "resnet50"), 0.0);
  ASSERT_EQ(core.schedule(0.0).size(), 1u);
  // Twice its prediction is 40 wall s: nothing learned before.
  core.schedule(39.0);
  EXPECT_NEAR(predicted_s(core), 10.0, 1e-9);
  // Running 40 wall s: at least 20 modeled s (not 40).
  core.schedule(40.0);
  EXPECT_NEAR(predicted_s(core), 20.0, 1e-9);
  // And again at twice that time: 80 wall s, 40 modeled.
  core.schedule(80.0);
  EXPECT_NEAR(predicted_s(core), 40.0, 1e-9);
}

TEST(time_scale_lower_bound, a_worker_whose_runs_take_no_wall_time_learns_no_running_bound) {
  auto core = core_with_history(0.0);  // --time-scale 0: emulated runs finish at once
  core.submit(make_task("stuck", {}, 0.0, 0, "resnet50"), 0.0);
  ASSERT_EQ(core.schedule(0.0).size(), 1u);
  core.schedule(1000.0);
  EXPECT_NEAR(predicted_s(core), 10.0, 1e-9);
}

TEST(time_scale_lower_bound, a_first_attempt_that_lost_to_its_backup_is_learned_in_modeled_seconds) {
  // 0.5 wall s per modeled s: a task of 600 modeled s takes 300 wall s.
  auto core = fast_and_slow_running_a_and_b(0.5);
  core.record_result(success_of("a", "fast", 60.0, "bert-base"), 30.0);
  const auto backup = core.schedule(1600.0);
  ASSERT_EQ(backup.size(), 1u);
  ASSERT_TRUE(backup[0].backup);
  // The backup wins at 1655 wall s: the slow attempt ran 1655 wall s, 3310 modeled.
  core.record_result(success_of("b", "fast", 55.0, "bert-base"), 1655.0);
  EXPECT_NEAR(core.predictor().predict(bert_task("c"), core.workers()[1]).seconds, 3310.0, 1e-6);
}
