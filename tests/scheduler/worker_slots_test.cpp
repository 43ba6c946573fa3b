// The one slot rule: the core, the simulator, the coordinator and dtf run all
// give a worker the slots configured_slots() says.
#include "scheduler/model/worker_slots.hpp"

#include <gtest/gtest.h>

namespace dtf {
namespace {

worker_capability worker_with_slots(int slots) {
  worker_capability w;
  w.id = "gpu-1";
  w.slots = slots;
  return w;
}

TEST(worker_slots, a_worker_that_says_nothing_gets_the_configured_default) {
  scheduler_config config;
  EXPECT_EQ(configured_slots(worker_with_slots(0), config), 2) << "the default is max_tasks_per_worker, not 1";
  config.max_tasks_per_worker = 5;
  EXPECT_EQ(configured_slots(worker_with_slots(0), config), 5);
}

TEST(worker_slots, counts_are_at_most_max_worker_slots) {
  // Embedders fill scheduler_config and worker_capability directly: slot
  // totals over a fleet must not wrap an int.
  scheduler_config config;
  config.max_tasks_per_worker = 1 << 30;
  EXPECT_EQ(configured_slots(worker_with_slots(0), config), max_worker_slots);
  EXPECT_EQ(configured_slots(worker_with_slots(1 << 30), config), max_worker_slots);
  config.max_tasks_per_worker_overrides = {{"gpu-1", 1 << 30}};
  EXPECT_EQ(configured_slots(worker_with_slots(3), config), max_worker_slots);
}

TEST(worker_slots, a_workers_own_count_wins_over_the_default) {
  scheduler_config config;
  config.max_tasks_per_worker = 5;
  EXPECT_EQ(configured_slots(worker_with_slots(3), config), 3);
}

TEST(worker_slots, an_override_for_the_worker_wins_over_its_own_count) {
  scheduler_config config;
  config.max_tasks_per_worker_overrides = {{"gpu-1", 7}, {"other", 1}};
  EXPECT_EQ(configured_slots(worker_with_slots(3), config), 7);
  config.max_tasks_per_worker_overrides = {{"gpu-1", 0}};
  EXPECT_EQ(configured_slots(worker_with_slots(3), config), 0) << "an override of 0 takes the worker out";
}

TEST(worker_slots, is_never_negative) {
  scheduler_config config;
  config.max_tasks_per_worker = -1;
  EXPECT_EQ(configured_slots(worker_with_slots(0), config), 0);
  config.max_tasks_per_worker_overrides = {{"gpu-1", -4}};
  EXPECT_EQ(configured_slots(worker_with_slots(2), config), 0);
}

} // namespace
} // namespace dtf
