// The small core units on their own: the task table's handles, the decision
// cache (one prediction per profile), explanations kept up to a limit, status
// counters, and backups (only from a model's own history, within budget).
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/core/backups.hpp"
#include "scheduler/core/core_statistics.hpp"
#include "scheduler/core/decision_cache.hpp"
#include "scheduler/core/explanations.hpp"
#include "scheduler/core/task_table.hpp"

#include <gtest/gtest.h>

using namespace dtf;
using namespace dtf::testing;

TEST(task_table, a_retired_handle_is_reused_and_its_id_forgotten) {
  task_table tasks;
  const auto a = tasks.add(make_task("a"));
  const auto b = tasks.add(make_task("b"));
  EXPECT_NE(a, b);
  EXPECT_EQ(tasks.find("a"), a);
  tasks.retire(a);
  EXPECT_EQ(tasks.find("a"), no_handle);
  EXPECT_FALSE(tasks[a].live);
  const auto c = tasks.add(make_task("c"));
  EXPECT_EQ(c, a);
  EXPECT_TRUE(tasks[c].live);
  EXPECT_EQ(tasks[c].first.worker, no_worker);
  EXPECT_EQ(tasks.capacity(), 2u);
}

TEST(decision_cache, predicts_once_per_profile_while_deciding_and_asks_the_predictor_otherwise) {
  fleet_index fleet;
  execution_predictor predictor;
  affinity_map affinity;
  specialization_tracker specialization;
  for (const char* id : {"a0", "a1"})
    fleet.add(cuda_worker(id, "A100", 40, 8.0), 1, 1, affinity_map::no_key, specialization_tracker::no_key,
              predictor.device_key("A100"));
  task_table tasks;
  const auto h = tasks.add(make_task("t", {device_kind::cuda}, 0.0, 0, "bert-base"));
  decision_cache cache;
  cache.begin(tasks[h].body, h, tasks, predictor, affinity, specialization, fleet.profile_count());
  const auto p = fleet.worker(0).profile;
  EXPECT_FALSE(cache.holds(p));
  const auto first = cache.predicted_on(tasks[h].body, 0, fleet, predictor);
  EXPECT_TRUE(cache.holds(p));
  // A kept prediction is served for the whole profile.
  cache.hold(p, 123.0, prediction_level::exact);
  EXPECT_DOUBLE_EQ(cache.predicted_on(tasks[h].body, 1, fleet, predictor).seconds, 123.0);
  cache.end();
  EXPECT_FALSE(cache.about(tasks[h].body));
  EXPECT_DOUBLE_EQ(cache.predicted_on(tasks[h].body, 1, fleet, predictor).seconds, first.seconds);
}

TEST(explanation_store, keeps_the_latest_per_task_up_to_its_limit) {
  explanation_store store(2);
  for (const char* id : {"a", "b", "c"}) {
    decision_explanation e;
    e.task_id = id;
    e.outcome = "placed";
    store.keep(e);
  }
  EXPECT_FALSE(store.find("a"));
  ASSERT_TRUE(store.find("c"));
  decision_explanation again;
  again.task_id = "b";
  again.outcome = "deferred";
  store.keep(again);
  EXPECT_EQ(store.find("b")->outcome, "deferred");
  EXPECT_FALSE(explanation_store(0).enabled());
}

TEST(core_statistics, counts_each_task_once_per_status_and_planned_apart) {
  core_statistics statistics;
  task_table tasks;
  fleet_index fleet;
  affinity_map affinity;
  const auto h = tasks.add(make_task("t"));
  statistics.count_submitted(tasks[h]);
  statistics.set_status(tasks[h], task_status::assigned);
  const auto g = tasks.add(make_task("g"));
  statistics.count_submitted(tasks[g]);
  statistics.count_planned(tasks[g]);
  statistics.observe(2.0);
  statistics.observe(7.0);
  const auto s = statistics.summary({"intelligent", fleet, affinity, {}, 0, 0, 0.0, 0, 0});
  EXPECT_EQ(s.tasks_by_status.at("assigned"), 1u);
  EXPECT_EQ(s.tasks_by_status.at("planned"), 1u);
  EXPECT_EQ(s.tasks_by_status.count("pending"), 0u);
  EXPECT_DOUBLE_EQ(s.wall_s, 5.0);
}

TEST(backup_attempts, watches_only_predictions_from_the_models_own_history) {
  scheduler_config config;
  backup_attempts backups(config, true);
  execution_predictor predictor;
  task_table tasks;
  const auto guessed = tasks.add(make_task("guessed"));
  tasks[guessed].first = {0, 0.0, 10.0, prediction_level::type, 20.0};
  backups.watch(guessed, tasks[guessed], predictor);
  EXPECT_FALSE(backups.any_overdue(1e9));
  const auto known = tasks.add(make_task("known"));
  tasks[known].first = {0, 0.0, 10.0, prediction_level::exact, 20.0};
  backups.watch(known, tasks[known], predictor);
  EXPECT_FALSE(backups.any_overdue(10.0));
  EXPECT_TRUE(backups.any_overdue(1e6));
  backups.note_next_overdue(10.0);
  EXPECT_GT(backups.wakeup_s(), 10.0);
  backups.unwatch(known);
  EXPECT_FALSE(backups.any_overdue(1e9));
  backup_attempts off(config, false);
  off.watch(known, tasks[known], predictor);
  EXPECT_FALSE(off.any_overdue(1e9));
}
