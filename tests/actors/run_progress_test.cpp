// The progress of a run as dtf run shows it: counts and remaining work from
// the task updates. The totals are kept as updates arrive; a property test
// checks them against a recount of every task after each update.
#include "actors/run_progress.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dtf {
namespace {

task_update update(const std::string& id, task_event_kind kind, task_status status = task_status::pending,
                   double predicted_s = 0.0) {
  task_update u;
  u.task_id = id;
  u.kind = kind;
  u.status = status;
  u.predicted_duration_s = predicted_s;
  if (kind == task_event_kind::assigned) u.worker_id = "w";
  return u;
}

TEST(run_progress, counts_tasks_through_their_lifecycle) {
  run_progress progress{2};
  for (const char* id : {"a", "b", "c", "d"}) progress.on_update(update(id, task_event_kind::accepted));
  EXPECT_EQ(progress.snapshot().pending, 4u);
  progress.on_update(update("a", task_event_kind::assigned, task_status::assigned, 10));
  progress.on_update(update("b", task_event_kind::assigned, task_status::assigned, 20));
  auto p = progress.snapshot();
  EXPECT_EQ(p.total, 4u);
  EXPECT_EQ(p.running, 2u);
  EXPECT_EQ(p.pending, 2u);
  // Two pending tasks without predictions count at the mean (15 s each), and
  // the running ones at what is left of theirs (a moment has passed).
  ASSERT_TRUE(p.remaining_work_s);
  EXPECT_GT(*p.remaining_work_s, 59.0);
  EXPECT_LE(*p.remaining_work_s, 60.0);
  EXPECT_TRUE(progress.on_update(update("a", task_event_kind::finished, task_status::succeeded)));
  EXPECT_TRUE(progress.on_update(update("b", task_event_kind::finished, task_status::failed)));
  EXPECT_TRUE(progress.on_update(update("c", task_event_kind::finished, task_status::cancelled)));
  EXPECT_TRUE(progress.on_update(update("d", task_event_kind::unplaceable, task_status::failed)));
  p = progress.snapshot();
  EXPECT_EQ(p.succeeded, 1u);
  EXPECT_EQ(p.failed, 2u);
  EXPECT_EQ(p.cancelled, 1u);
  EXPECT_EQ(p.running + p.pending, 0u);
}

TEST(run_progress, a_retry_is_pending_again_and_late_reports_change_nothing) {
  run_progress progress{1};
  progress.on_update(update("a", task_event_kind::accepted));
  progress.on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  progress.on_update(update("a", task_event_kind::retrying, task_status::pending));
  auto p = progress.snapshot();
  EXPECT_EQ(p.running, 0u);
  EXPECT_EQ(p.pending, 1u);
  EXPECT_DOUBLE_EQ(p.remaining_work_s.value_or(-1), 5.0);
  progress.on_update(update("a", task_event_kind::finished, task_status::succeeded));
  EXPECT_FALSE(progress.on_update(update("a", task_event_kind::attempt_done, task_status::failed)));
  p = progress.snapshot();
  EXPECT_EQ(p.succeeded, 1u);
  EXPECT_EQ(p.failed, 0u);
}

TEST(run_progress, a_task_that_succeeds_on_a_retry_keeps_no_failure_reason) {
  run_progress progress{1};
  progress.on_update(update("a", task_event_kind::accepted));
  progress.on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  auto failed = update("a", task_event_kind::attempt_done, task_status::failed);
  attempt_record first;
  first.status = task_status::failed;
  first.error = "exit code 3";
  failed.report = first;
  progress.on_update(failed);
  progress.on_update(update("a", task_event_kind::retrying, task_status::pending));
  progress.on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  auto done = update("a", task_event_kind::finished, task_status::succeeded);
  attempt_record second;
  second.status = task_status::succeeded;
  second.attempt = 2;
  done.report = second;
  progress.on_update(done);
  const auto tasks = progress.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].succeeded());
  EXPECT_EQ(tasks[0].reason, "") << "attempt 1's failure is not the succeeded task's";
}

/// Attempt `attempt` of task a, ended with `status` from start to end: exit
/// code 3 when it failed, its number as its stderr.
attempt_record report_of(int attempt, task_status status, double start_unix_s, double end_unix_s,
                         const std::string& error) {
  return {.task_id = "a", .attempt = attempt, .status = status,
          .exit_code = status == task_status::failed ? 3 : -1, .error = error,
          .start_unix_s = start_unix_s, .end_unix_s = end_unix_s, .duration_s = end_unix_s - start_unix_s,
          .stderr_tail = "attempt " + std::to_string(attempt)};
}

task_update done_update(task_event_kind kind, task_status task, const attempt_record& report) {
  auto u = update("a", kind, task);
  u.attempt = report.attempt;
  u.report = report;
  return u;
}

TEST(run_progress, a_copy_that_decides_nothing_never_replaces_the_attempt_shown) {
  // Attempt 1 fails while its backup, attempt 2, runs on; attempt 2's worker
  // is lost after (it began before the failure ended: it raced it, no retry),
  // and the task is cancelled before its retry runs. decides_over keeps the
  // failure, as dtf report and JUnit do; the lost copy, the last to report,
  // showed before.
  run_progress progress{2};
  progress.on_update(update("a", task_event_kind::accepted));
  progress.on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  progress.on_update(done_update(task_event_kind::attempt_done, task_status::running,
                                 report_of(1, task_status::failed, 100.0, 104.0, "exit code 3")));
  progress.on_update(done_update(task_event_kind::attempt_done, task_status::pending,
                                 report_of(2, task_status::lost, 101.0, 110.0, "worker w2 lost (timeout)")));
  auto cancelled = update("a", task_event_kind::finished, task_status::cancelled);
  cancelled.reason = "cancelled";
  const auto line = progress.on_update(cancelled);
  ASSERT_TRUE(line);
  EXPECT_EQ(line->status, task_status::cancelled);
  EXPECT_EQ(line->duration_s, 4.0) << "attempt 1's wall seconds";
  EXPECT_EQ(line->error, "cancelled") << "why the task ended, not attempt 1's failure";
  auto tasks = progress.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].wall_s, 4.0);
  EXPECT_EQ(tasks[0].stderr_tail, "attempt 1");
  EXPECT_EQ(tasks[0].exit_code, 3);
  EXPECT_EQ(tasks[0].reason, "cancelled");
  EXPECT_EQ(tasks[0].attempt_error, "exit code 3") << "beside the stderr it explains";

  // A backup race won by attempt 2: attempt 1's cancelled report and a
  // success that finished after the winner's come after the task ended and
  // change neither its line nor its summary.
  run_progress race{2};
  race.on_update(update("a", task_event_kind::accepted));
  race.on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  ASSERT_TRUE(race.on_update(done_update(task_event_kind::finished, task_status::succeeded,
                                         report_of(2, task_status::succeeded, 102.0, 104.0, ""))));
  const auto loser = report_of(1, task_status::cancelled, 100.0, 105.0, "cancelled: attempt 2 decided the task");
  EXPECT_FALSE(race.on_update(done_update(task_event_kind::attempt_done, task_status::succeeded, loser)));
  EXPECT_FALSE(race.on_update(done_update(task_event_kind::attempt_done, task_status::succeeded,
                                          report_of(1, task_status::succeeded, 100.0, 104.5, ""))));
  const auto p = race.snapshot();
  EXPECT_EQ(p.succeeded, 1u);
  EXPECT_EQ(p.cancelled, 0u);
  tasks = race.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].succeeded());
  EXPECT_EQ(tasks[0].wall_s, 2.0);
  EXPECT_EQ(tasks[0].stderr_tail, "attempt 2");
  EXPECT_EQ(tasks[0].reason, "");
}

/// Task a placed, then cancelled on the user's word (dtf cancel, a dtf submit
/// interrupted) while its attempts ran: its finished update has no report.
std::unique_ptr<run_progress> cancelled_while_running() {
  auto progress = std::make_unique<run_progress>(2);
  progress->on_update(update("a", task_event_kind::accepted));
  progress->on_update(update("a", task_event_kind::assigned, task_status::assigned, 5));
  auto cancelled = update("a", task_event_kind::finished, task_status::cancelled);
  cancelled.reason = "cancelled";
  const auto line = progress->on_update(cancelled);
  EXPECT_TRUE(line && line->status == task_status::cancelled && line->error == "cancelled");
  return progress;
}

TEST(run_progress, a_report_after_a_task_ended_without_one_decides_it_where_decides_over_picks_it) {
  // Attempt 2, a backup, succeeded before the cancel reached it and reports
  // after the finished line; attempt 1 reports cancelled after that. JUnit
  // passes the task (decides_over: the success); so does the summary.
  auto progress = cancelled_while_running();
  auto won = report_of(2, task_status::succeeded, 102.0, 104.0, "");
  won.worker_id = "fast";
  EXPECT_FALSE(progress->on_update(done_update(task_event_kind::attempt_done, task_status::cancelled, won)))
      << "the finished line was printed once";
  EXPECT_FALSE(progress->on_update(done_update(task_event_kind::attempt_done, task_status::cancelled,
                                              report_of(1, task_status::cancelled, 100.0, 105.0, "cancelled"))));
  auto p = progress->snapshot();
  EXPECT_EQ(p.succeeded, 1u);
  EXPECT_EQ(p.cancelled, 0u);
  auto tasks = progress->tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].succeeded());
  EXPECT_EQ(tasks[0].worker_id, "fast");
  EXPECT_EQ(tasks[0].wall_s, 2.0);
  EXPECT_EQ(tasks[0].stderr_tail, "attempt 2");
  EXPECT_EQ(tasks[0].reason, "");

  // A failure that ended before the cancel reached it is the attempt shown,
  // as in JUnit's <failure>, and the task stays cancelled (its retry, if
  // any, never ran), as when the failure reports before the cancel.
  progress = cancelled_while_running();
  progress->on_update(done_update(task_event_kind::attempt_done, task_status::cancelled,
                                 report_of(1, task_status::failed, 100.0, 104.0, "exit code 3")));
  p = progress->snapshot();
  EXPECT_EQ(p.failed, 0u);
  EXPECT_EQ(p.cancelled, 1u);
  tasks = progress->tasks();
  EXPECT_EQ(tasks[0].status, task_status::cancelled);
  EXPECT_EQ(tasks[0].reason, "cancelled");
  EXPECT_EQ(tasks[0].attempt_error, "exit code 3");
  EXPECT_EQ(tasks[0].exit_code, 3);
  EXPECT_EQ(tasks[0].wall_s, 4.0);

  // A copy cut short by the cancel leaves the task cancelled; its seconds and
  // stderr are the ones JUnit's <skipped> testcase shows.
  progress = cancelled_while_running();
  progress->on_update(done_update(task_event_kind::attempt_done, task_status::cancelled,
                                 report_of(1, task_status::cancelled, 100.0, 103.0, "cancelled on w")));
  p = progress->snapshot();
  EXPECT_EQ(p.cancelled, 1u);
  tasks = progress->tasks();
  EXPECT_EQ(tasks[0].status, task_status::cancelled);
  EXPECT_EQ(tasks[0].wall_s, 3.0);
  EXPECT_EQ(tasks[0].stderr_tail, "attempt 1");
  EXPECT_EQ(tasks[0].reason, "cancelled");
}

TEST(run_progress, the_total_is_the_tasks_submitted_from_the_first_line_on) {
  run_progress progress{1};
  progress.expect(3);
  for (const char* id : {"a", "b", "c"}) {
    auto rejected = update(id, task_event_kind::rejected, task_status::failed);
    rejected.reason = "duplicate task id";
    ASSERT_TRUE(progress.on_update(rejected));
    EXPECT_EQ(progress.snapshot().total, 3u) << "after " << id << ": tasks that end without being accepted";
  }
  EXPECT_EQ(progress.snapshot().failed, 3u);
}

TEST(run_progress, a_duplicate_id_is_a_failed_task_of_its_own) {
  run_progress progress{1};
  progress.on_update(update("a", task_event_kind::accepted));
  auto rejected = update("a", task_event_kind::rejected, task_status::failed);
  rejected.reason = "duplicate task id 'a'";
  auto line = progress.on_update(rejected);
  ASSERT_TRUE(line);
  EXPECT_EQ(line->task_id, "a (duplicate)");
  auto p = progress.snapshot();
  EXPECT_EQ(p.total, 2u);
  EXPECT_EQ(p.failed, 1u);
  EXPECT_EQ(p.pending, 1u);
}

TEST(run_progress, summaries_keep_each_tasks_last_attempt_worker_and_reason) {
  run_progress progress{2};
  for (const char* id : {"ran", "queued", "unplaceable"}) progress.on_update(update(id, task_event_kind::accepted));
  progress.on_update(update("ran", task_event_kind::assigned, task_status::assigned, 3));
  auto done = update("ran", task_event_kind::finished, task_status::failed);
  done.worker_id = "cpu-0";
  done.attempt = 2;
  attempt_record report;
  report.modeled_s = 1.5;  // emulated: the model's seconds, learned and reported
  report.exit_code = 3;
  report.start_unix_s = 100.0;
  report.end_unix_s = 102.0;
  report.duration_s = 2.0;  // wall seconds
  report.stderr_tail = "boom";
  report.error = "exit code 3";
  done.report = report;
  auto line = progress.on_update(done);
  ASSERT_TRUE(line);
  EXPECT_EQ(line->worker_id, "cpu-0");
  EXPECT_EQ(line->attempt, 2);
  EXPECT_EQ(line->duration_s, 2.0) << "the line's clock is wall seconds";
  ASSERT_TRUE(line->modeled_s) << "an emulated attempt's modeled seconds come labelled beside them";
  EXPECT_EQ(*line->modeled_s, 1.5);
  EXPECT_EQ(line->error, "exit code 3");
  auto no_worker = update("unplaceable", task_event_kind::unplaceable, task_status::failed);
  no_worker.reason = "no worker can run it";
  line = progress.on_update(no_worker);
  ASSERT_TRUE(line);
  EXPECT_EQ(line->error, "unplaceable: no worker can run it");

  const auto tasks = progress.tasks();
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].task_id, "ran");
  EXPECT_EQ(tasks[0].worker_id, "cpu-0");  // the assignment's "w" was replaced by the report's worker
  EXPECT_EQ(tasks[0].attempts, 2);
  EXPECT_EQ(tasks[0].duration_s, 1.5);
  EXPECT_EQ(tasks[0].wall_s, 2.0);
  ASSERT_TRUE(tasks[0].modeled_s);
  EXPECT_EQ(*tasks[0].modeled_s, 1.5);
  EXPECT_EQ(tasks[0].stderr_tail, "boom");
  EXPECT_EQ(tasks[0].exit_code, 3);
  EXPECT_EQ(tasks[0].reason, "exit code 3");
  EXPECT_TRUE(tasks[0].final);
  EXPECT_EQ(tasks[0].status, task_status::failed);
  EXPECT_EQ(tasks[1].task_id, "queued");
  EXPECT_FALSE(tasks[1].final);
  EXPECT_EQ(tasks[1].worker_id, "");
  EXPECT_EQ(tasks[1].reason, "");
  EXPECT_FALSE(tasks[1].modeled_s);
  EXPECT_TRUE(tasks[2].unplaceable);
  EXPECT_EQ(tasks[2].reason, "no worker can run it");
  EXPECT_FALSE(tasks[2].succeeded());
}

/// What snapshot() should say, recounted from scratch.
struct model_task {
  bool final = false, succeeded = false, cancelled = false, on_worker = false;
  double predicted_s = 0;
};

RC_GTEST_PROP(run_progress, kept_totals_equal_a_recount_after_every_update, ()) {
  const auto n = *rc::gen::inRange<std::size_t>(1, 12);
  const auto steps = *rc::gen::inRange<std::size_t>(1, 80);
  run_progress progress{3};
  std::map<std::string, model_task> model;
  for (std::size_t step = 0; step < steps; ++step) {
    const auto id = "t" + std::to_string(*rc::gen::inRange<std::size_t>(0, n));
    const auto kind = *rc::gen::element(task_event_kind::accepted, task_event_kind::assigned, task_event_kind::started,
                                        task_event_kind::attempt_done, task_event_kind::retrying,
                                        task_event_kind::finished, task_event_kind::unplaceable);
    const auto status = *rc::gen::element(task_status::succeeded, task_status::failed, task_status::cancelled,
                                          task_status::timed_out);
    const double predicted = *rc::gen::element(0.0, 1.0, 7.5, 100.0);
    progress.on_update(update(id, kind, status, predicted));
    auto& m = model[id];
    if (m.final) continue;
    if (kind == task_event_kind::assigned) m.on_worker = true, m.predicted_s = predicted;
    if (kind == task_event_kind::accepted || kind == task_event_kind::retrying) m.on_worker = false;
    if (kind == task_event_kind::finished || kind == task_event_kind::unplaceable) {
      m.final = true;
      m.on_worker = false;
      m.succeeded = kind == task_event_kind::finished && status == task_status::succeeded;
      m.cancelled = kind == task_event_kind::finished && status == task_status::cancelled;
    }
    std::size_t succeeded = 0, cancelled = 0, failed = 0, running = 0, pending = 0, predicted_n = 0;
    double predicted_sum = 0, pending_sum = 0, running_bound = 0;
    std::size_t pending_unpredicted = 0;
    for (const auto& [name, t] : model) {
      if (t.predicted_s > 0) ++predicted_n, predicted_sum += t.predicted_s;
      if (t.final) (t.succeeded ? succeeded : t.cancelled ? cancelled : failed) += 1;
      else if (t.on_worker) ++running, running_bound += t.predicted_s;
      else {
        ++pending;
        if (t.predicted_s > 0) pending_sum += t.predicted_s;
        else ++pending_unpredicted;
      }
    }
    const auto p = progress.snapshot();
    RC_ASSERT(p.total == model.size());
    RC_ASSERT(p.succeeded == succeeded);
    RC_ASSERT(p.cancelled == cancelled);
    RC_ASSERT(p.failed == failed);
    RC_ASSERT(p.running == running);
    RC_ASSERT(p.pending == pending);
    RC_ASSERT(p.remaining_work_s.has_value() == (predicted_n > 0));
    if (predicted_n > 0) {
      // Running tasks count what is left of theirs: at most their prediction.
      const double pending_work = pending_sum + pending_unpredicted * predicted_sum / predicted_n;
      RC_ASSERT(*p.remaining_work_s >= pending_work - 1e-6);
      RC_ASSERT(*p.remaining_work_s <= pending_work + running_bound + 1e-6);
    }
  }
}

} // namespace
} // namespace dtf
