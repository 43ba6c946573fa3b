// The pending queue's order as schedule() follows it: within a priority,
// shortest predicted first for the intelligent policy and longest first for
// the baselines, then submission; aging of overtaken tasks; and a task queued
// on a guess taking its place from its model's history.
#include "fleet_fixtures.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace dtf;
using namespace dtf::testing;

namespace {
// small (batch 1), large (batch 64, predicted 8x longer), third (batch 1),
// submitted at once on one single-slot worker: the order they start in.
std::vector<std::string> equal_priority_order(bool shortest_first) {
  scheduler_config config;
  config.max_tasks_per_worker = 1;
  config.shortest_first = shortest_first;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32));
  auto small = make_task("small");
  small.batch_size = 1;
  auto large = make_task("large");
  large.batch_size = 64;
  auto third = make_task("third");
  third.batch_size = 1;
  core.submit(small);
  core.submit(large);
  core.submit(third);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto placed = core.schedule(i);
    EXPECT_EQ(placed.size(), 1u);
    if (placed.size() != 1) break;
    order.push_back(placed[0].task_id);
    core.record_result(success_of(placed[0].task_id, "w", 1.0), i + 0.5);
  }
  return order;
}
} // namespace

TEST(scheduler_core, breaks_equal_priorities_by_shorter_predicted_duration_then_submission) {
  EXPECT_EQ(equal_priority_order(true), (std::vector<std::string>{"small", "third", "large"}));
}

TEST(scheduler_core, longest_first_breaks_equal_priorities_by_longer_predicted_duration_then_submission) {
  EXPECT_EQ(equal_priority_order(false), (std::vector<std::string>{"large", "small", "third"}));
}

namespace {
// slow-1, slow-2 (model "slow-model") and quick ("quick-model"), submitted at
// once with no history of either: queued on the same guess, so in submission
// order. slow-1 runs 1,000 s, the others 10 s. The order they start in.
std::vector<std::string> order_after_one_slow_run(scheduler_config config, const std::string& policy) {
  config.max_tasks_per_worker = 1;
  config.enable_task_affinity = false;  // else the warm slow-model could take the next turn
  scheduler_core core(config, make_policy(policy, config));
  core.add_worker(cpu_worker("w", "cpu", 64, 32));
  core.submit(make_task("slow-1", {}, 0, 0, "slow-model"), 0);
  core.submit(make_task("slow-2", {}, 0, 0, "slow-model"), 0);
  core.submit(make_task("quick", {}, 0, 0, "quick-model"), 0);
  std::vector<std::string> order;
  double now = 0;
  for (int i = 0; i < 3; ++i) {
    const auto placed = core.schedule(now);
    EXPECT_EQ(placed.size(), 1u);
    if (placed.size() != 1) break;
    const auto& id = placed[0].task_id;
    order.push_back(id);
    const bool slow = id != "quick";
    now += slow && id == "slow-1" ? 1000.0 : 10.0;
    core.record_result(success_of(id, "w", slow && id == "slow-1" ? 1000.0 : 10.0, slow ? "slow-model" : "quick-model"),
                       now);
  }
  return order;
}
} // namespace

// A task queued on a guess moves to its place by its model's history once a
// run of the model succeeds: slow-2 is now known to be long, so the still
// guessed quick task goes first (shortest first). With the refinement off, and
// for the baselines, the guess keeps its place.
TEST(scheduler_core, a_task_queued_on_a_guess_takes_its_place_from_its_models_history) {
  EXPECT_EQ(order_after_one_slow_run({}, "intelligent"), (std::vector<std::string>{"slow-1", "quick", "slow-2"}));
  scheduler_config frozen;
  frozen.refine_guessed_estimates = false;
  EXPECT_EQ(order_after_one_slow_run(frozen, "intelligent"), (std::vector<std::string>{"slow-1", "slow-2", "quick"}));
  EXPECT_EQ(order_after_one_slow_run({}, "least_loaded"), (std::vector<std::string>{"slow-1", "slow-2", "quick"}));
}

namespace {
task sized(std::string id, int batch) {
  auto t = make_task(std::move(id));
  t.batch_size = batch;
  return t;
}

// One single-slot worker; `long0` (batch 100: predicted 10x `short`) runs
// from 0 to 600 s while `short` (batch 1) waits; `long1` arrives at
// `long1_at_s`. Returns the task placed when long0 finishes.
std::string placed_after_long0(double aging_factor, double long1_at_s) {
  scheduler_config config;
  config.shortest_first = false;  // the baselines' order
  config.queue_aging_factor = aging_factor;
  scheduler_core core(config);
  core.add_worker(cpu_worker("w", "cpu", 64, 32, 1));
  core.submit(sized("long0", 100), 0);
  core.submit(sized("short", 1), 0);
  EXPECT_EQ(placement(core.schedule(0)).count("long0"), 1u);
  core.submit(sized("long1", 100), long1_at_s);
  core.schedule(long1_at_s);
  core.record_result(success_of("long0", "w", 600), 600);
  auto next = core.schedule(600);
  return next.size() == 1 ? next[0].task_id : "";
}
} // namespace

TEST(scheduler_core, a_task_overtaken_by_later_longer_ones_ages_ahead_of_them) {
  EXPECT_EQ(placed_after_long0(4.0, 100), "short");  // waited 600 s > 4 x 60 s, and long1 came later
  EXPECT_EQ(placed_after_long0(0.0, 100), "long1");  // aging off: longest first
}

TEST(scheduler_core, aging_keeps_a_batch_in_longest_first_order) {
  // Everything submitted at once: nothing overtook `short`, so it stays behind.
  EXPECT_EQ(placed_after_long0(4.0, 0), "long1");
}

namespace {
// One single-slot worker "w", with `busy` placed on it at 0 s.
void place_busy(scheduler_core& core) {
  core.add_worker(cpu_worker("w", "cpu", 64, 32, 1));
  core.submit(sized("busy", 1), 0);
  EXPECT_EQ(placement(core.schedule(0)).count("busy"), 1u);
}

// Shortest first: `busy` runs from 0 to 600 s while `long0` (batch 100:
// predicted 10x a batch-1 task) waits; short tasks arrive at 100 s. Returns
// the task placed when `busy` finishes.
std::string placed_after_busy(double aging_factor) {
  scheduler_config config;
  config.shortest_first_aging_factor = aging_factor;
  scheduler_core core(config);
  place_busy(core);
  core.submit(sized("long0", 100), 0);
  core.submit(sized("short1", 1), 100);
  core.submit(sized("short2", 1), 100);
  core.schedule(100);
  core.record_result(success_of("busy", "w", 600), 600);
  auto next = core.schedule(600);
  return next.size() == 1 ? next[0].task_id : "";
}
} // namespace

TEST(scheduler_core, shortest_first_ages_a_long_task_overtaken_by_shorter_ones_after_its_estimate) {
  // long0 waited 600 s, past 1 x its estimate (60 s), and later shorter tasks came: it goes first.
  EXPECT_EQ(placed_after_busy(1.0), "long0");
  EXPECT_EQ(placed_after_busy(0.0), "short1");  // aging off: shortest first
}

namespace {
// Shortest first: `busy` runs from 0 to 600 s while long0 (batch 100,
// predicted 60 s: ages at 60 s) and short1 (batch 1, 6 s, submitted at 30 s:
// ages at 36 s) wait; `late` arrives at 100 s, so both were overtaken. The
// order the three start in once `busy` is done.
std::vector<std::string> order_after_busy_with_two_aged(bool in_aging_order) {
  scheduler_config config;
  config.aged_in_aging_order = in_aging_order;
  config.max_tasks_per_worker = 1;
  config.enable_task_affinity = false;
  scheduler_core core(config);
  place_busy(core);
  core.submit(sized("long0", 100), 0);
  core.submit(sized("short1", 1), 30);
  core.schedule(30);
  core.submit(sized("late", 1), 100);
  core.schedule(100);
  double now = 600;
  core.record_result(success_of("busy", "w", 600), now);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto placed = core.schedule(now);
    EXPECT_EQ(placed.size(), 1u);
    if (placed.size() != 1) break;
    order.push_back(placed[0].task_id);
    now += 1;
    core.record_result(success_of(placed[0].task_id, "w", 1), now);
  }
  return order;
}
} // namespace

TEST(scheduler_core, shortest_first_starts_aged_tasks_in_the_order_they_aged) {
  // short1 aged at 36 s, long0 at 60 s (though submitted first); late, not
  // overtaken by anything, is not aged and goes after them.
  EXPECT_EQ(order_after_busy_with_two_aged(true), (std::vector<std::string>{"short1", "long0", "late"}));
  // The ablation (intelligent-submission-aged): aged ones in submission order.
  EXPECT_EQ(order_after_busy_with_two_aged(false), (std::vector<std::string>{"long0", "short1", "late"}));
}
