// fleet_index on its own: profiles group workers alike in capability, classes
// group tasks alike in requirements, and occupancy keeps free lists, full
// lists by expected end and free feasible counts in step.
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/core/fleet_index.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

namespace {
std::size_t add(fleet_index& fleet, const worker_capability& w, int slots = 1) {
  return fleet.add(w, slots, slots, affinity_map::no_key, specialization_tracker::no_key, execution_predictor::no_key);
}
} // namespace

TEST(fleet_index, workers_alike_share_a_profile_and_a_class_sees_its_feasible_profiles) {
  fleet_index fleet;
  add(fleet, cuda_worker("a0", "A100", 40, 8.0));
  add(fleet, cuda_worker("a1", "A100", 40, 8.0));
  add(fleet, cpu_worker("c0", "Xeon", 64, 16));
  EXPECT_EQ(fleet.profile_count(), 2u);
  EXPECT_EQ(fleet.worker(0).profile, fleet.worker(1).profile);
  const auto gpu_only = fleet.class_of(make_task("t", {device_kind::cuda}).requirements);
  const auto anywhere = fleet.class_of(make_task("u", {device_kind::cuda, device_kind::cpu}).requirements);
  EXPECT_EQ(fleet.class_of(make_task("v", {device_kind::cuda}).requirements), gpu_only);
  EXPECT_EQ(fleet.requirement(gpu_only).feasible, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(fleet.requirement(anywhere).feasible, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(fleet.requirement(gpu_only).free_feasible, 2);
  // Only the GPU class runs on one profile alone: it is exclusive.
  EXPECT_EQ(fleet.exclusive_classes(), (std::vector<std::uint32_t>{gpu_only}));
  // A worker added later joins the classes that already exist.
  add(fleet, cuda_worker("a2", "A100", 40, 8.0));
  EXPECT_EQ(fleet.requirement(gpu_only).feasible, (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(fleet.requirement(anywhere).free_feasible, 4);
}

TEST(fleet_index, occupancy_moves_a_worker_between_free_and_full_by_its_earliest_end) {
  fleet_index fleet;
  add(fleet, cuda_worker("a0", "A100", 40, 8.0), 2);
  add(fleet, cuda_worker("a1", "A100", 40, 8.0), 1);
  const auto c = fleet.class_of(make_task("t", {device_kind::cuda}).requirements);
  const auto p = fleet.worker(0).profile;
  fleet.occupy(0, {7, 0.0, 50.0});
  EXPECT_EQ(fleet.profile(p).free_members, (std::vector<std::size_t>{0, 1}));  // one slot left
  fleet.occupy(0, {8, 0.0, 30.0});
  fleet.occupy(1, {9, 0.0, 40.0});
  EXPECT_TRUE(fleet.profile(p).free_members.empty());
  EXPECT_EQ(fleet.requirement(c).free_feasible, 0);
  ASSERT_EQ(fleet.profile(p).full_by_end.size(), 2u);
  EXPECT_EQ(fleet.profile(p).full_by_end[0], (std::pair<double, std::size_t>{30.0, 0}));
  EXPECT_DOUBLE_EQ(fleet.slot_free_in(1, 10.0), 30.0);
  EXPECT_EQ(fleet.running(), 3u);
  // At t = 25, tasks of 10 s in a 35 s window: worker 0 frees in 5 s and
  // runs (35 - 5) / 10 = 3 of them, worker 1 frees in 15 s and runs 2.
  std::size_t count = 0;
  fleet.count_full_finishing(p, 10.0, 25.0, 35.0, 100, count);
  EXPECT_EQ(count, 5u);
  count = 0;
  fleet.count_full_finishing(p, 10.0, 25.0, 35.0, 4, count);
  EXPECT_GE(count, 4u);  // stops once the limit is reached
  // Tasks of 20 s in a 35 s window: one each where the slot frees within 15 s (worker 0 at 5 s;
  // worker 1 at 15 s does not), and one on a slot 4 s past its predicted end (free in 4 s).
  count = 0;
  fleet.count_full_finishing(p, 20.0, 25.0, 35.0, 100, count);
  EXPECT_EQ(count, 1u);
  count = 0;
  fleet.count_full_finishing(p, 20.0, 34.0, 35.0, 100, count);
  EXPECT_EQ(count, 2u);  // worker 0 4 s past its end, worker 1 frees in 6 s
  fleet.release(0, 8, 20.0);
  EXPECT_EQ(fleet.profile(p).free_members, (std::vector<std::size_t>{0}));
  EXPECT_EQ(fleet.requirement(c).free_feasible, 1);
  EXPECT_DOUBLE_EQ(fleet.worker(0).busy_s, 20.0);
  EXPECT_DOUBLE_EQ(fleet.busy_slot_s(20.0), 20.0 + 20.0 + 20.0);  // one ended, two running for 20 s each
}

TEST(fleet_index, removing_a_worker_renumbers_the_rest_and_rebuilds_classes) {
  fleet_index fleet;
  add(fleet, cpu_worker("c0", "Xeon", 64, 16));
  add(fleet, cuda_worker("a0", "A100", 40, 8.0));
  add(fleet, cpu_worker("c1", "Xeon", 64, 16));
  const auto c = fleet.class_of(make_task("t").requirements);
  const auto before = fleet.structure_changes();
  fleet.remove(0);
  EXPECT_EQ(fleet.size(), 2u);
  EXPECT_EQ(fleet.find("c1"), 1u);
  EXPECT_EQ(fleet.find("c0"), no_worker_index);
  EXPECT_EQ(fleet.requirement(c).feasible, (std::vector<std::size_t>{1}));
  EXPECT_GT(fleet.structure_changes(), before);
}
