// Backup attempts: a task that overran its prediction on a slow worker also
// starts on a free fast one; the first success wins and the other is cancelled.
#include "fleet_fixtures.hpp"
#include "scheduler/execution_predictor.hpp"
#include "scheduler/scheduler_stats.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

scheduler_config one_slot_config() {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.allow_deferral = false;  // b must start on the slow worker
  config.keep_explanations = 16;
  return config;
}

// "fast" (a GPU) and "slow" (a CPU at a tenth of the speed): `a` runs on fast,
// `b` on slow (predicted 600 s there), then `a` finishes after 60 s.
scheduler_core core_with_b_on_the_slow_worker(scheduler_config config = one_slot_config(),
                                              std::string policy = "intelligent") {
  scheduler_core core(config, make_policy(policy, config));
  core.add_worker(cuda_worker("fast", "GPU", 32, 8.0));
  core.add_worker(cpu_worker("slow", "CPU", 64, 8, 0, 0.1));
  core.submit(make_task("a", {device_kind::cuda, device_kind::cpu}), 0.0);
  core.submit(make_task("b", {device_kind::cuda, device_kind::cpu}), 0.0);
  auto first = core.schedule(0.0);
  EXPECT_EQ(first.size(), 2u);
  for (const auto& a : first) {
    EXPECT_FALSE(a.backup);
    EXPECT_EQ(a.worker_id, a.task_id == "a" ? "fast" : "slow");
  }
  core.record_result(success_of("a", "fast", 60.0), 60.0);
  return core;
}

} // namespace

TEST(backup_attempts, the_core_asks_to_be_woken_when_an_attempt_becomes_overdue) {
  auto core = core_with_b_on_the_slow_worker();
  EXPECT_TRUE(core.schedule(60.0).empty());
  ASSERT_TRUE(core.next_wakeup_s().has_value());
  EXPECT_DOUBLE_EQ(*core.next_wakeup_s(), 2.0 * 600.0);  // backup_overrun_factor x prediction
}

TEST(backup_attempts, an_attempt_that_overran_grossly_gets_a_backup_on_a_free_faster_worker) {
  auto core = core_with_b_on_the_slow_worker();
  EXPECT_TRUE(core.schedule(1100.0).empty());  // overdue only at 1200 s
  auto later = core.schedule(1300.0);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].task_id, "b");
  EXPECT_EQ(later[0].worker_id, "fast");
  EXPECT_TRUE(later[0].backup);
  EXPECT_EQ(core.running_count(), 2u);
  EXPECT_EQ(core.stats().backups_started, 1u);
  auto why = core.explanation("b");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->outcome.find("backup: the attempt on slow has run"), std::string::npos) << why->outcome;
}

TEST(backup_attempts, the_first_success_wins_and_names_the_attempt_to_cancel) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1300.0).size(), 1u);
  const auto effect = core.record_result(success_of("b", "fast", 55.0), 1355.0);
  ASSERT_TRUE(effect.cancel_on_worker.has_value());
  EXPECT_EQ(*effect.cancel_on_worker, "slow");
  EXPECT_FALSE(effect.still_running);
  EXPECT_EQ(core.running_count(), 0u);
  EXPECT_EQ(core.stats().backups_won, 1u);
  EXPECT_EQ(core.stats().tasks_by_status.at("succeeded"), 2u);
  // The slow worker's attempt ran 1355 s without finishing: learned as a
  // lower bound, so the next such task is no longer predicted at 600 s there.
  const auto next = make_task("c", {device_kind::cuda, device_kind::cpu});
  EXPECT_GT(core.predictor().predict(next, core.workers()[1]).seconds, 1000.0);
  // The cancelled attempt's report teaches nothing and changes no count.
  task_result cancelled = success_of("b", "slow", 1400.0);
  cancelled.status = task_status::cancelled;
  core.record_result(cancelled, 1400.0);
  EXPECT_EQ(core.stats().tasks_by_status.count("cancelled"), 0u);
  EXPECT_EQ(core.stats().workers[1].tasks_completed, 0u);
}

TEST(backup_attempts, a_failed_attempt_leaves_the_task_to_its_other_attempt) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1300.0).size(), 1u);
  task_result failed = success_of("b", "slow", 1310.0);
  failed.status = task_status::failed;
  const auto effect = core.record_result(failed, 1310.0);
  EXPECT_TRUE(effect.still_running);
  EXPECT_FALSE(effect.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 1u);
  EXPECT_EQ(core.pending_count(), 0u);
  const auto done = core.record_result(success_of("b", "fast", 50.0), 1350.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
  EXPECT_EQ(core.stats().tasks_by_status.at("succeeded"), 2u);
}

TEST(backup_attempts, losing_the_first_attempts_worker_keeps_the_task_on_its_backup) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1300.0).size(), 1u);
  EXPECT_TRUE(core.remove_worker("slow").empty());  // nothing to requeue
  EXPECT_EQ(core.running_count(), 1u);
  EXPECT_EQ(core.pending_count(), 0u);
  const auto done = core.record_result(success_of("b", "fast", 50.0), 1350.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
}

TEST(backup_attempts, losing_the_backups_worker_keeps_the_first_attempt) {
  auto core = core_with_b_on_the_slow_worker();
  ASSERT_EQ(core.schedule(1300.0).size(), 1u);
  EXPECT_TRUE(core.remove_worker("fast").empty());
  EXPECT_EQ(core.running_count(), 1u);
  const auto done = core.record_result(success_of("b", "slow", 2000.0), 2000.0);
  EXPECT_FALSE(done.cancel_on_worker.has_value());
  EXPECT_EQ(core.running_count(), 0u);
}

TEST(backup_attempts, are_not_started_when_switched_off_or_for_baseline_policies) {
  auto off = one_slot_config();
  off.backup_attempts = false;
  auto core = core_with_b_on_the_slow_worker(off);
  EXPECT_TRUE(core.schedule(5000.0).empty());
  EXPECT_FALSE(core.next_wakeup_s().has_value());

  auto baseline = core_with_b_on_the_slow_worker(one_slot_config(), "least_loaded");
  EXPECT_TRUE(baseline.schedule(5000.0).empty());
}

TEST(backup_attempts, wait_for_an_attempt_that_only_overran_a_little) {
  // At 1300 s the slow attempt ran 1300 s; a backup predicted at 60 s is
  // urgent only from 20 x 60 = 1200 s on. With a stricter fraction it waits.
  auto config = one_slot_config();
  config.backup_urgent_fraction = 0.01;
  config.backup_max_fraction = 0.01;
  auto core = core_with_b_on_the_slow_worker(config);
  EXPECT_TRUE(core.schedule(1300.0).empty());
  ASSERT_TRUE(core.next_wakeup_s().has_value());
  EXPECT_DOUBLE_EQ(*core.next_wakeup_s(), 60.0 / 0.01);  // when 60 s is 1 % of the time run
  EXPECT_EQ(core.schedule(6000.0).size(), 1u);
}
