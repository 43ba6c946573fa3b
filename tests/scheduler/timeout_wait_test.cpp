// The timeout rule's wait: a task predicted past its timeout on every free
// worker waits for a busy in-time worker only while that worker is predicted
// to finish it sooner than the free one would; otherwise the free worker
// takes it (it must not stand idle for a worker that frees later).
#include "fleet_fixtures.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {

// A100 (in time, 50 s) busy with a large task predicted `blocker_s`; T4 free,
// predicted 150 s against the task's 100 s timeout. What does schedule() place?
std::vector<assignment> place_with_busy_in_time_worker(double blocker_s) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  scheduler_core core(config);
  core.add_worker(cuda_worker("a100", "NVIDIA A100-SXM4-80GB", 80, 8.0));
  core.add_worker(cuda_worker("t4", "Tesla T4", 16, 7.5));
  const auto& workers = core.workers();
  for (const auto& w : workers) {
    core.learn_from_history(success_of("old-small", w.id, w.id == "a100" ? 50.0 : 150.0, "bert-base-uncased"), w);
    core.learn_from_history(success_of("old-large", w.id, blocker_s, "llama-2-13b"), w);
  }
  core.submit(make_task("large", {device_kind::cuda}, 40.0, 0, "llama-2-13b"), 0.0);
  const auto first = core.schedule(0.0);
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(first.at(0).worker_id, "a100");
  auto small = make_task("small", {device_kind::cuda}, 0.0, 1, "bert-base-uncased");
  small.timeout_s = 100.0;
  core.submit(small, 1.0);
  return core.schedule(1.0);
}

} // namespace

TEST(timeout_wait, waits_for_an_in_time_worker_that_frees_soon) {
  // The A100 frees at 20 s and finishes the task by 70 s, before the T4's 151 s.
  EXPECT_TRUE(place_with_busy_in_time_worker(20.0).empty());
}

TEST(timeout_wait, does_not_leave_a_free_worker_idle_for_one_that_frees_late) {
  // The A100 frees at 500 s: the T4 would finish (past the timeout) long before.
  const auto placed = place_with_busy_in_time_worker(500.0);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].task_id, "small");
  EXPECT_EQ(placed[0].worker_id, "t4");
}
