// Churn, slowdowns and the observation horizon in the simulator.
#include "../scheduler/fleet_fixtures.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/simulation/clairvoyant_schedule.hpp"
#include "scheduler/simulation/fleet_dynamics.hpp"
#include "scheduler/simulation/simulator.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace dtf {
namespace {

worker_capability cpu(std::string id) { return testing::cpu_worker(std::move(id), "Test CPU", 16, 8, 1); }

trace_task task(std::string id, double seconds, double arrival_s = 0.0, int priority = 0) {
  trace_task t;
  t.spec.id = std::move(id);
  t.spec.type = task_type::benchmark;
  t.spec.priority = priority;
  t.spec.requirements.hardware = {device_kind::cpu};
  t.duration_s = {{"cpu", seconds}};
  t.arrival_s = arrival_s;
  return t;
}

simulation_options plain(std::string policy = "least_loaded") {
  simulation_options o;
  o.policy = std::move(policy);
  o.record_timeline = true;
  o.compute_lower_bound = false;
  return o;
}

TEST(worker_speed_timeline, work_stretches_over_slowdown_windows_only) {
  fleet_dynamics d;
  d.slowdowns = {{"a", 10, 30, 5.0}, {"a", 50, 60, 2.0}};
  const worker_speed_timeline speed(d, {"a", "b"});
  EXPECT_EQ(speed.run_s(0, 0, 10), 10);    // ends as the window opens
  EXPECT_EQ(speed.run_s(1, 0, 100), 100);  // another worker
  // 10 s at full speed, 20 s for 4 s of work, 36 s to 66 of which [50, 60) does 5 s of work.
  EXPECT_DOUBLE_EQ(speed.run_s(0, 0, 100), 121.0);
  EXPECT_DOUBLE_EQ(speed.run_s(0, 20, 1), 5.0);  // inside the window
  EXPECT_EQ(speed.run_s(0, 70, 3), 3);
}

TEST(worker_speed_timeline, rejects_bad_windows_naming_the_worker) {
  const std::vector<std::string> ids{"a"};
  for (const auto& bad : {std::vector<worker_slowdown>{{"x", 0, 1, 2}}, std::vector<worker_slowdown>{{"a", 0, 1, 0.5}},
                          std::vector<worker_slowdown>{{"a", 5, 5, 2}},
                          std::vector<worker_slowdown>{{"a", 0, 10, 2}, {"a", 5, 20, 3}}}) {
    fleet_dynamics d;
    d.slowdowns = bad;
    try {
      worker_speed_timeline speed(d, ids);
      ADD_FAILURE() << "accepted";
    } catch (const input_error& e) {
      EXPECT_NE(std::string{e.what()}.find(bad.front().worker_id), std::string::npos) << e.what();
    }
  }
}

TEST(simulator_dynamics, a_slowed_worker_takes_longer_and_reports_it) {
  trace t{"test", {task("t1", 100)}};
  fleet_dynamics d;
  d.slowdowns = {{"w1", 10, 30, 5.0}};
  const auto r = simulate(t, {cpu("w1")}, plain(), d);
  EXPECT_DOUBLE_EQ(r.makespan_s, 116.0);
  EXPECT_DOUBLE_EQ(r.busy_slot_s, 116.0);
}

TEST(simulator_dynamics, a_leaving_worker_loses_its_attempt_and_the_task_runs_again) {
  trace t{"test", {task("t1", 100)}};
  fleet_dynamics d;
  d.presence = {{"w1", 0, 40}};
  const auto r = simulate(t, {cpu("w1"), cpu("w2")}, plain(), d);
  EXPECT_EQ(r.completed, 1u);
  EXPECT_DOUBLE_EQ(r.lost_to_churn_s, 40.0);
  EXPECT_DOUBLE_EQ(r.makespan_s, 140.0);
  ASSERT_EQ(r.timeline.size(), 2u);
  EXPECT_EQ(r.timeline[0].worker_id, "w1");
  EXPECT_TRUE(r.timeline[0].cancelled);
  EXPECT_EQ(r.timeline[1].worker_id, "w2");
  EXPECT_DOUBLE_EQ(r.busy_slot_s, 140.0);
}

TEST(simulator_dynamics, a_joining_worker_takes_waiting_tasks_from_when_it_joins) {
  trace t{"test", {task("t1", 100), task("t2", 100)}};
  fleet_dynamics d;
  d.presence = {{"w2", 10}};
  const auto r = simulate(t, {cpu("w1"), cpu("w2")}, plain(), d);
  EXPECT_EQ(r.completed, 2u);
  EXPECT_DOUBLE_EQ(r.makespan_s, 110.0);
  EXPECT_DOUBLE_EQ(r.mean_completion_s, 105.0);
}

TEST(simulator_dynamics, presence_errors_name_the_worker) {
  trace t{"test", {task("t1", 1)}};
  for (const auto& bad : {worker_presence{"nope", 0, 1}, worker_presence{"w1", 5, 5}, worker_presence{"w1", -1, 5}}) {
    fleet_dynamics d;
    d.presence = {bad};
    try {
      simulate(t, {cpu("w1")}, plain(), d);
      ADD_FAILURE() << "accepted";
    } catch (const input_error& e) {
      EXPECT_NE(std::string{e.what()}.find(bad.worker_id), std::string::npos) << e.what();
    }
  }
}

TEST(simulator_dynamics, the_horizon_censors_what_still_runs_or_waits) {
  // One worker: t1 runs [0, 100), t2 would run [100, 150) but observation ends at 120.
  trace t{"test", {task("t1", 100, 0, 1), task("t2", 50, 0, 0), task("t3", 10, 0, 0)}};
  auto o = plain();
  o.horizon_s = 120;
  const auto r = simulate(t, {cpu("w1")}, o);
  EXPECT_EQ(r.completed, 1u);
  EXPECT_EQ(r.censored, 2u);
  EXPECT_EQ(r.unscheduled, 0u);
  EXPECT_DOUBLE_EQ(r.makespan_s, 120.0);
  EXPECT_DOUBLE_EQ(r.mean_completion_s, (100.0 + 120 + 120) / 3);
  EXPECT_DOUBLE_EQ(r.busy_slot_s, 120.0);  // t2's run counts until the horizon
  // Weighted by 1 + priority: t1 counts twice.
  EXPECT_DOUBLE_EQ(r.priority_weighted_completion_s, (2 * 100.0 + 120 + 120) / 4);
}

TEST(clairvoyant_schedule, longest_first_on_the_slot_that_finishes_earliest) {
  trace t{"test", {task("t1", 50), task("t2", 100), task("t3", 60)}};
  const auto r = clairvoyant_schedule(t, {cpu("w1"), cpu("w2")});
  EXPECT_EQ(r.policy, "clairvoyant");
  EXPECT_EQ(r.completed, 3u);
  EXPECT_DOUBLE_EQ(r.makespan_s, 110.0);  // t2 on w1; t3, then t1 on w2
  EXPECT_DOUBLE_EQ(r.mean_completion_s, (100.0 + 60 + 110) / 3);
  EXPECT_DOUBLE_EQ(r.busy_slot_s, 210.0);
}

TEST(clairvoyant_schedule, keeps_to_presence_slowdowns_and_the_horizon) {
  trace t{"test", {task("t1", 50), task("t2", 100), task("t3", 60)}};
  fleet_dynamics d;
  d.presence = {{"w2", 0, 100}};  // t1 cannot finish on w2 before it leaves
  auto r = clairvoyant_schedule(t, {cpu("w1"), cpu("w2")}, d);
  EXPECT_DOUBLE_EQ(r.makespan_s, 150.0);
  d.presence.clear();
  d.slowdowns = {{"w2", 0, 60, 2.0}};  // t3 takes 90 on w2: t1 goes there after it
  r = clairvoyant_schedule(t, {cpu("w1"), cpu("w2")}, d);
  EXPECT_DOUBLE_EQ(r.makespan_s, 140.0);
  r = clairvoyant_schedule(t, {cpu("w1"), cpu("w2")}, {}, 105);
  EXPECT_EQ(r.completed, 2u);
  EXPECT_EQ(r.censored, 1u);
  EXPECT_DOUBLE_EQ(r.makespan_s, 105.0);
}

TEST(simulator_dynamics, without_dynamics_nothing_changes) {
  trace t{"test", {task("t1", 100), task("t2", 30, 5)}};
  const auto a = simulate(t, {cpu("w1")}, plain());
  const auto b = simulate(t, {cpu("w1")}, plain(), fleet_dynamics{});
  EXPECT_EQ(a.makespan_s, b.makespan_s);
  EXPECT_EQ(a.mean_completion_s, b.mean_completion_s);
  EXPECT_EQ(b.censored, 0u);
  EXPECT_EQ(b.lost_to_churn_s, 0.0);
  EXPECT_DOUBLE_EQ(b.busy_slot_s, 130.0);
}

} // namespace
} // namespace dtf
