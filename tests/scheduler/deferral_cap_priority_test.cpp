// The cap on deferrals per requirement class in one schedule() call
// (scheduler_config::max_deferrals_per_class) does not leave the class: out of
// deferrals, it goes on at its first task of a lower priority (one decision a
// level until one places), so its higher-priority tasks are offered the free
// workers ahead of lower-priority tasks of other classes.
#include "fleet_fixtures.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace dtf;
using namespace dtf::testing;

namespace {

/// Holds back every task whose id starts with "hold"; places the others on the first free candidate.
class hold_by_id final : public placement_policy {
public:
  std::string_view name() const override { return "hold_by_id"; }
  std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                    std::span<const std::size_t>, const scheduler_view&, double) override {
    if (t.id.starts_with("hold") || free_feasible.empty()) return std::nullopt;
    return free_feasible.front();
  }
  candidate_explanation explain(const task&, std::size_t, const scheduler_view&, double) override { return {}; }
};

/// One CPU worker "w" with one slot, the policy above, and the given cap.
scheduler_core one_slot_core(int max_deferrals) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.max_deferrals_per_class = max_deferrals;
  scheduler_core core(config, std::make_unique<hold_by_id>());
  core.add_worker(cpu_worker("w", "cpu", 64, 32, 1));
  return core;
}

/// Submits `count` tasks "hold-<priority>-<k>" of class A (8 GB), which the policy holds back.
void submit_held(scheduler_core& core, int count, int priority) {
  for (int k = 0; k < count; ++k)
    core.submit(make_task("hold-" + std::to_string(priority) + "-" + std::to_string(k), {}, 8.0, priority), 0.0);
}

/// What one schedule() call places: "task@worker" when it places exactly one task.
std::string single_placement(scheduler_core& core) {
  const auto out = core.schedule(0.0);
  if (out.size() != 1) return std::to_string(out.size()) + " placed";
  return out[0].task_id + "@" + out[0].worker_id;
}

} // namespace

TEST(deferral_cap, a_class_out_of_deferrals_at_one_priority_still_offers_its_lower_priority_tasks) {
  auto core = one_slot_core(4);
  // Class A (8 GB): four held-back tasks at priority 5, then one at priority 3.
  submit_held(core, 4, 5);
  core.submit(make_task("a-go", {}, 8.0, 3), 0.0);
  // Class B (no memory floor): one task at priority 1.
  core.submit(make_task("b-low", {}, 0.0, 1), 0.0);

  EXPECT_EQ(single_placement(core), "a-go@w");  // not b-low: priority 3 goes before priority 1
}

TEST(deferral_cap, the_cap_still_ends_a_priority_level_of_the_class) {
  auto core = one_slot_core(2);
  // After two deferrals at priority 5, the class's third priority-5 task is
  // not decided in this call; its priority-3 task is.
  submit_held(core, 2, 5);
  core.submit(make_task("a-same", {}, 8.0, 5), 0.0);
  core.submit(make_task("a-lower", {}, 8.0, 3), 0.0);

  EXPECT_EQ(single_placement(core), "a-lower@w");
  EXPECT_EQ(core.stats_summary().deferrals, 2u);
}

TEST(deferral_cap, out_of_deferrals_each_lower_priority_gets_one_deferral) {
  auto core = one_slot_core(2);
  submit_held(core, 2, 5);
  submit_held(core, 2, 3);
  core.submit(make_task("a-1", {}, 8.0, 1), 0.0);
  core.submit(make_task("b-0", {}, 0.0, 0), 0.0);

  EXPECT_EQ(single_placement(core), "a-1@w");
  EXPECT_EQ(core.stats_summary().deferrals, 3u);  // two at priority 5, the first at priority 3
}
