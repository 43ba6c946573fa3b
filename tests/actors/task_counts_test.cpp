// The counts dtf run and dtf submit print, taken from the summary's rows
// (count_tasks): they say what the rows say, also where a copy's report after
// a task ended decides it and the coordinator's own count does not follow.
#include "actors/run_progress.hpp"
#include "actors/task_counts.hpp"
#include "scripted_coordinator.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::cpu_task;
using testing::cpu_worker;
using testing::outcome_of;
using testing::protocol;

task_summary row(const std::string& id, task_status status, bool final = true) {
  task_summary t;
  t.task_id = id;
  t.status = status;
  t.final = final;
  return t;
}

TEST(count_tasks, counts_each_row_where_it_ended_and_keeps_the_other_figures) {
  std::vector<task_summary> rows{row("ok", task_status::succeeded),    row("bad", task_status::failed),
                                 row("slow", task_status::timed_out),  row("cut", task_status::cancelled),
                                 row("open", task_status::running, false), row("lost", task_status::lost)};
  rows.push_back(row("nowhere", task_status::failed));
  rows.back().unplaceable = true;
  rows.push_back(row("ok (duplicate)", task_status::failed));
  rows.back().rejected = true;
  runtime_stats stats;
  stats.submitted = stats.cancelled = stats.running = 99;  // the coordinator's, replaced
  stats.attempts = 7;
  stats.retries = 2;
  count_tasks(stats, rows);
  EXPECT_EQ(stats.submitted, 8u);
  EXPECT_EQ(stats.succeeded, 1u);
  EXPECT_EQ(stats.failed, 2u) << "bad, and lost: an attempt's status, never a task's";
  EXPECT_EQ(stats.timed_out, 1u);
  EXPECT_EQ(stats.cancelled, 1u);
  EXPECT_EQ(stats.unplaceable, 1u);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.running, 0u);
  EXPECT_EQ(stats.attempts, 7u);
  EXPECT_EQ(stats.retries, 2u);
}

/// The coordinator's statistics, as dtf run asks for them at the end.
runtime_stats coordinator_stats(protocol& p) {
  auto stats = std::make_shared<runtime_stats>();
  p.sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
    self->request(c, caf::infinite, atom::stats_v).then([=](runtime_stats& s) { *stats = s; });
  }, p.coordinator);
  p.sched.run();
  return *stats;
}

TEST_F(protocol, a_stopped_task_whose_attempt_succeeded_after_the_stop_counts_succeeded_as_its_row_says) {
  // dtf run stops (Ctrl-C) while a runs; its worker does not report within
  // the wait, so a ends cancelled with no report of its own. Its attempt had
  // succeeded before the cancel reached it, and that report comes after.
  auto log = add_worker(cpu_worker("w1"));
  submit({cpu_task("a"), cpu_task("b")});
  ASSERT_EQ(log->orders.size(), 2u);
  report({outcome_of(log->orders[1], "w1", task_status::succeeded)});
  caf::anon_send(coordinator, atom::interrupt_v, std::string{"SIGINT"});
  sched.run();
  sched.trigger_timeouts();
  sched.run();
  const auto* stopped = last("a", task_event_kind::finished);
  ASSERT_NE(stopped, nullptr);
  ASSERT_EQ(stopped->status, task_status::cancelled);
  ASSERT_FALSE(stopped->report);
  report({outcome_of(log->orders[0], "w1", task_status::succeeded)});

  run_progress progress{2};
  for (const auto& u : *updates) progress.on_update(u);
  const auto rows = progress.tasks();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].succeeded()) << "the row of a: its attempt's success decides it (decides_over)";

  auto stats = coordinator_stats(*this);
  ASSERT_EQ(stats.cancelled, 1u) << "the coordinator counts a where it ended: dtf run's counts line before";
  count_tasks(stats, rows);
  EXPECT_EQ(stats.submitted, 2u);
  EXPECT_EQ(stats.succeeded, 2u);
  EXPECT_EQ(stats.cancelled, 0u);
}

} // namespace
} // namespace dtf
