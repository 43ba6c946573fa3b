// What a coordinator's journal says of attempts it cancelled: an attempt is
// journaled running from its placement, and one sent a cancel (dtf cancel, a
// stopped run) ends cancelled there even when its report never comes (its
// worker is lost after the cancel, the run is abandoned or ends first), so
// that no row stays running and a resumed run does not end it lost.
#include "actors/journal/journal_session.hpp"
#include "journal_temp_dir.hpp"
#include "scripted_coordinator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::cpu_task;
using testing::cpu_worker;
using testing::outcome_of;

/// The journal's file and run, opened before the coordinator that writes it.
struct journal_of_run {
  testing::journal_temp_dir dir;
  std::string path = (dir / "journal.sqlite").string();
  journal_session session = open_journal_session(path, "suite", 0);
};

struct journaled_protocol : journal_of_run, testing::protocol {
  journaled_protocol() : protocol(session.journal) {}

  /// The run's attempts as the journal has them, once the coordinator's
  /// writes are in.
  std::vector<attempt_record> attempts() {
    session.journal->flush();
    return session.journal->attempts(session.run);
  }

  /// Ends the coordinator, then opens the journal again resuming the run, as
  /// `dtf run --resume` does: the attempts as the resumed run sees them.
  std::vector<attempt_record> attempts_resumed() {
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    sched.run();
    session.journal->flush();
    session = open_journal_session(path, "suite", session.run);
    return session.journal->attempts(session.run);
  }
};

TEST_F(journaled_protocol, a_task_cancelled_on_its_worker_ends_its_attempt_cancelled_without_its_report) {
  auto log = add_worker(cpu_worker("w1"));
  submit({cpu_task("long")});
  ASSERT_EQ(log->orders.size(), 1u);
  ASSERT_EQ(attempts().size(), 1u);
  EXPECT_EQ(attempts()[0].status, task_status::running) << "journaled from its placement";

  cancel("long");
  ASSERT_EQ(log->cancels, std::vector<std::string>{"long"});
  auto rows = attempts();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, task_status::cancelled) << "before: running until a report that may never come";
  EXPECT_EQ(rows[0].worker_id, "w1");
  EXPECT_EQ(rows[0].error, "cancelled");
  EXPECT_GE(rows[0].end_unix_s, rows[0].start_unix_s);

  // Its worker is lost before it reports: the attempt stays cancelled.
  caf::anon_send_exit(workers.front(), caf::exit_reason::kill);
  sched.run();
  rows = attempts_resumed();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, task_status::cancelled) << "before: lost, 'still running when dtf stopped'";
}

TEST_F(journaled_protocol, the_report_of_a_cancelled_attempt_replaces_its_cancelled_row) {
  auto log = add_worker(cpu_worker("w1"));
  submit({cpu_task("quick")});
  ASSERT_EQ(log->orders.size(), 1u);
  cancel("quick");
  // It ended on its own before the cancel reached it.
  report({outcome_of(log->orders[0], "w1", task_status::succeeded)});
  const auto rows = attempts();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, task_status::succeeded);
  EXPECT_EQ(rows[0].duration_s, 1.5);
}

TEST_F(journaled_protocol, a_stopped_run_abandoned_by_its_workers_ends_their_attempts_cancelled) {
  auto log = add_worker(cpu_worker("w1", 2));
  submit({cpu_task("a"), cpu_task("b")});
  ASSERT_EQ(log->orders.size(), 2u);
  caf::anon_send(coordinator, atom::interrupt_v, std::string{"SIGINT"});
  sched.run();
  EXPECT_EQ(log->cancels.size(), 2u);
  // b reports its cancel; a's worker never answers and the wait is abandoned.
  auto b_cancelled = outcome_of(log->orders[1], "w1", task_status::cancelled);
  b_cancelled.duration_s = 0.5;
  report({b_cancelled});
  sched.trigger_timeouts();
  sched.run();
  ASSERT_NE(last("a", task_event_kind::finished), nullptr);
  EXPECT_EQ(last("a", task_event_kind::finished)->status, task_status::cancelled);

  const auto rows = attempts_resumed();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& a : rows) {
    EXPECT_EQ(a.status, task_status::cancelled) << a.task_id << ": before, a was running, then lost on resume";
    EXPECT_EQ(a.error, "interrupted by SIGINT") << a.task_id;
  }
  EXPECT_EQ(rows[1].duration_s, 0.5) << "b's row is its report";
}

} // namespace
} // namespace dtf
