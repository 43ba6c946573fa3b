// The coordinator's protocol under CAF's deterministic `testing` scheduler:
// the test plays the workers (scripted worker actors that record their work
// orders) and listens to every task update.
#include "actors/journal/ended_attempts.hpp"
#include "actors/journal/journal_session.hpp"
#include "actors/output/html_report.hpp"
#include "actors/output/results_jsonl_reader.hpp"
#include "actors/run_progress.hpp"
#include "actors/runtime_outputs.hpp"
#include "journal_temp_dir.hpp"
#include "scripted_coordinator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::cpu_task;
using testing::cpu_worker;
using testing::deterministic;
using testing::outcome_of;
using testing::protocol;
using testing::recording_listener;
using testing::scripted_worker;
using testing::worker_log;

TEST_F(protocol, assigns_a_submitted_task_to_the_worker_and_finishes_it_on_success) {
  auto log = add_worker(cpu_worker("w1"));
  submit({cpu_task("t1")});
  ASSERT_EQ(log->orders.size(), 1u);
  EXPECT_EQ(log->orders[0].work.id, "t1");
  EXPECT_EQ(log->orders[0].attempt, 1);
  ASSERT_NE(last("t1", task_event_kind::assigned), nullptr);

  caf::anon_send(coordinator, atom::started_v, std::string{"w1"}, std::vector<std::string>{"t1"});
  sched.run();
  ASSERT_NE(last("t1", task_event_kind::started), nullptr);

  report({outcome_of(log->orders[0], "w1", task_status::succeeded)});
  auto* done = last("t1", task_event_kind::finished);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, task_status::succeeded);
  ASSERT_TRUE(done->report.has_value());
  EXPECT_EQ(done->report->model, "bert-base-uncased");  // the coordinator fills model/type for learning
}

TEST_F(protocol, never_sends_a_worker_more_tasks_than_its_slots) {
  auto log = add_worker(cpu_worker("w1", 2));
  submit({cpu_task("a"), cpu_task("b"), cpu_task("c")});
  ASSERT_EQ(log->orders.size(), 2u);
  EXPECT_EQ(log->slots, std::vector<int>{2});
  report({outcome_of(log->orders[0], "w1", task_status::succeeded)});
  ASSERT_EQ(log->orders.size(), 3u);
}

TEST(protocol_prefetch, a_worker_gets_its_slots_plus_the_prefetch_and_is_told_its_slots) {
  caf::actor_system_config cfg;
  caf::actor_system sys{deterministic(cfg)};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  coordinator_config config;
  config.scheduling.prefetch = 3;
  auto coordinator = spawn_coordinator(sys, config);
  auto log = std::make_shared<worker_log>();
  caf::anon_send(coordinator, atom::enroll_v, cpu_worker("w1", 2),
                 caf::actor_cast<caf::actor>(sys.spawn(scripted_worker, log)));
  sched.run();
  std::vector<task> tasks;
  for (int i = 0; i < 8; ++i) tasks.push_back(cpu_task("t" + std::to_string(i)));
  caf::anon_send(coordinator, atom::submit_v, std::move(tasks));
  sched.run();
  ASSERT_EQ(log->orders.size(), 5u) << "2 slots + 3 queued on the worker";
  EXPECT_EQ(log->slots, std::vector<int>{2}) << "the worker runs 2 at once and queues the rest";
  caf::anon_send(coordinator, atom::result_v,
                 std::vector<attempt_record>{outcome_of(log->orders[0], "w1", task_status::succeeded),
                                             outcome_of(log->orders[1], "w1", task_status::succeeded)});
  sched.run();
  EXPECT_EQ(log->orders.size(), 7u) << "two results free two places";
  caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
  sched.run();
}

// One-off requesters get the coordinator as a spawn argument, not a capture:
// CAF 0.17 dereferences the (null) argument tuple of a function actor spawned
// without arguments, which UBSan reports.
TEST_F(protocol, enrolling_the_same_worker_again_is_answered_yes_and_changes_nothing) {
  auto answers = std::make_shared<std::vector<bool>>();
  auto stats = std::make_shared<runtime_stats>();
  auto enroll = [&](const worker_capability& w, const caf::actor& handle) {
    sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
      self->request(c, caf::infinite, atom::enroll_v, w, handle).then([=](bool ok) { answers->push_back(ok); });
    }, coordinator);
    sched.run();
  };
  auto log = std::make_shared<worker_log>();
  auto handle = caf::actor_cast<caf::actor>(sys.spawn(scripted_worker, log));
  enroll(cpu_worker("w1", 1), handle);
  enroll(cpu_worker("w1", 1), handle);  // a join asked again: its first reply was late or lost
  enroll(cpu_worker("w1", 1), caf::actor_cast<caf::actor>(sys.spawn(scripted_worker, log)));  // an impostor
  EXPECT_EQ(*answers, (std::vector<bool>{true, true, false}));
  sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
    self->request(c, caf::infinite, atom::stats_v).then([=](runtime_stats& s) { *stats = s; });
  }, coordinator);
  sched.run();
  EXPECT_EQ(stats->workers_registered, 1u);
  ASSERT_EQ(stats->workers.size(), 1u);
  EXPECT_EQ(stats->workers[0].slots, 1) << "its slots are counted once";
  submit({cpu_task("a"), cpu_task("b")});
  EXPECT_EQ(log->orders.size(), 1u) << "one slot, whatever the number of joins";
}

TEST_F(protocol, counts_as_members_only_live_workers_under_the_actor_that_enrolled) {
  auto members = std::make_shared<std::vector<std::uint64_t>>();
  auto ask = [&](std::vector<std::string> ids, std::vector<caf::actor> handles) {
    sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
      self->request(c, caf::infinite, atom::member_v, ids, handles).then([=](std::uint64_t n) {
        members->push_back(n);
      });
    }, coordinator);
    sched.run();
  };
  auto log = std::make_shared<worker_log>();
  auto one = caf::actor_cast<caf::actor>(sys.spawn(scripted_worker, log));
  auto two = caf::actor_cast<caf::actor>(sys.spawn(scripted_worker, log));
  caf::anon_send(coordinator, atom::enroll_v, cpu_worker("w1", 1), one);
  caf::anon_send(coordinator, atom::enroll_v, cpu_worker("w2", 1), two);
  sched.run();
  ask({"w1", "w2"}, {one, two});
  ask({"w1", "w2", "w3"}, {one, one, two});  // w2 under another actor, w3 unknown
  caf::anon_send_exit(two, caf::exit_reason::kill);  // w2 lost
  sched.run();
  ask({"w1", "w2"}, {one, two});
  EXPECT_EQ(*members, (std::vector<std::uint64_t>{2, 1, 1}));
}

TEST_F(protocol, retries_a_failed_task_after_backoff_on_a_different_worker) {
  auto first = add_worker(cpu_worker("w1", 1));
  auto second = add_worker(cpu_worker("w2", 1));
  submit({cpu_task("flaky", 1)});
  auto& initial = first->orders.empty() ? second : first;
  auto& other = first->orders.empty() ? first : second;
  const std::string initial_id = first->orders.empty() ? "w2" : "w1";
  ASSERT_EQ(initial->orders.size(), 1u);

  report({outcome_of(initial->orders[0], initial_id, task_status::failed)});
  ASSERT_NE(last("flaky", task_event_kind::retrying), nullptr);
  EXPECT_EQ(last("flaky", task_event_kind::finished), nullptr);
  EXPECT_TRUE(other->orders.empty()) << "the retry waits for its backoff";

  sched.trigger_timeouts();
  sched.run();
  ASSERT_EQ(other->orders.size(), 1u) << "the retry prefers the worker it did not fail on";
  EXPECT_EQ(other->orders[0].attempt, 2);
  report({outcome_of(other->orders[0], initial_id == "w1" ? "w2" : "w1", task_status::succeeded)});
  auto* done = last("flaky", task_event_kind::finished);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, task_status::succeeded);
}

TEST_F(protocol, fails_a_task_for_good_once_its_retries_are_spent) {
  auto log = add_worker(cpu_worker("w1", 1));
  submit({cpu_task("broken", 1)});
  report({outcome_of(log->orders.at(0), "w1", task_status::failed)});
  sched.trigger_timeouts();
  sched.run();
  ASSERT_EQ(log->orders.size(), 2u);
  report({outcome_of(log->orders.at(1), "w1", task_status::timed_out)});
  auto* done = last("broken", task_event_kind::finished);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, task_status::timed_out);
}

TEST_F(protocol, cancels_a_running_task_on_its_worker) {
  auto log = add_worker(cpu_worker("w1"));
  submit({cpu_task("long")});
  ASSERT_EQ(log->orders.size(), 1u);
  cancel("long");
  ASSERT_EQ(log->cancels, std::vector<std::string>{"long"});
  auto* done = last("long", task_event_kind::finished);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, task_status::cancelled);
}

TEST_F(protocol, cancels_a_pending_task_before_it_is_ever_assigned) {
  auto log = add_worker(cpu_worker("w1", 1));
  submit({cpu_task("first"), cpu_task("second")});
  ASSERT_EQ(log->orders.size(), 1u);
  cancel("second");
  report({outcome_of(log->orders[0], "w1", task_status::succeeded)});
  EXPECT_EQ(log->orders.size(), 1u);
  EXPECT_TRUE(log->cancels.empty());
  ASSERT_NE(last("second", task_event_kind::finished), nullptr);
  EXPECT_EQ(last("second", task_event_kind::finished)->status, task_status::cancelled);
}

TEST_F(protocol, requeues_the_tasks_of_a_lost_worker_onto_another) {
  auto first = add_worker(cpu_worker("w1", 1));
  submit({cpu_task("survivor")});
  ASSERT_EQ(first->orders.size(), 1u);
  auto second = add_worker(cpu_worker("w2", 1));
  EXPECT_TRUE(second->orders.empty());

  caf::anon_send_exit(workers.front(), caf::exit_reason::kill);
  sched.run();
  ASSERT_EQ(second->orders.size(), 1u);
  EXPECT_EQ(second->orders[0].work.id, "survivor");
  report({outcome_of(second->orders[0], "w2", task_status::succeeded)});
  ASSERT_NE(last("survivor", task_event_kind::finished), nullptr);
}

/// The line of a task's <testcase> in a JUnit document ("" if none).
std::string testcase_line(const std::string& xml, const std::string& id) {
  const auto at = xml.find("<testcase name=\"" + id + "\"");
  if (at == std::string::npos) return {};
  return xml.substr(at, xml.find('\n', at) - at);
}

/// Task b runs on the slow worker until the scheduler starts its backup on the
/// fast one: attempt 1 (b_first, slow) and attempt 2 (b_backup, fast) race.
struct protocol_backups : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{deterministic(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  testing::journal_temp_dir dir;
  journal_session session = open_journal_session((dir / "journal.sqlite").string(), "suite", 0);
  std::shared_ptr<std::vector<task_update>> updates = std::make_shared<std::vector<task_update>>();
  coordinator_actor coordinator;
  std::shared_ptr<worker_log> fast, slow;
  std::map<std::string, worker_actor> worker_handles;
  work_order b_first, b_backup;

  protocol_backups() {
    coordinator_config config;
    config.scheduling.allow_deferral = false;  // b must start on the slow worker
    // With so little other work, b's hour alone is more than 3 % of all slot time.
    config.scheduling.backup_budget_fraction = 2.0;
    coordinator = spawn_coordinator(sys, config, session.journal);
    caf::anon_send(coordinator, atom::subscribe_v, caf::actor_cast<caf::actor>(sys.spawn(recording_listener, updates)));
    sched.run();
  }

  ~protocol_backups() override {
    caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::shared_ptr<worker_log> enroll(const worker_capability& w) {
    auto log = std::make_shared<worker_log>();
    auto handle = sys.spawn(scripted_worker, log);
    worker_handles[w.id] = handle;
    caf::anon_send(coordinator, atom::enroll_v, w, caf::actor_cast<caf::actor>(handle));
    sched.run();
    return log;
  }

  void report(std::vector<attempt_record> reports) {
    caf::anon_send(coordinator, atom::result_v, std::move(reports));
    sched.run();
  }

  /// Runs until b's backup has started; false (with a failed expectation) if it did not.
  bool start_the_race() {
    auto fast_capability = cpu_worker("fast", 1);
    auto slow_capability = cpu_worker("slow", 1);
    slow_capability.speed = 0.1;  // predicted 10x longer there
    fast = enroll(fast_capability);
    slow = enroll(slow_capability);
    // The model's history on both workers first: a backup never starts from a
    // default prediction, only from one its own runs back.
    caf::anon_send(coordinator, atom::submit_v, std::vector<task>{cpu_task("h1"), cpu_task("h2")});
    sched.run();
    if (fast->orders.size() != 1u || slow->orders.size() != 1u) {
      ADD_FAILURE() << "h1 and h2 did not start one on each worker";
      return false;
    }
    auto on_slow = outcome_of(slow->orders[0], "slow", task_status::succeeded);
    on_slow.duration_s = 15.0;
    report({outcome_of(fast->orders[0], "fast", task_status::succeeded), on_slow});

    caf::anon_send(coordinator, atom::submit_v, std::vector<task>{cpu_task("a"), cpu_task("b")});
    sched.run();
    if (fast->orders.size() != 2u || slow->orders.size() != 2u || slow->orders[1].work.id != "b") {
      ADD_FAILURE() << "a and b did not start, b on the slow worker";
      return false;
    }
    b_first = slow->orders[1];
    report({outcome_of(fast->orders[1], "fast", task_status::succeeded)});
    EXPECT_EQ(fast->orders.size(), 2u) << "b has not overrun its prediction yet";

    // b runs on and on on the slow worker: the scheduler wakes itself and starts a backup.
    sched.clock().advance_time(std::chrono::hours(1));
    sched.run();
    if (fast->orders.size() != 3u || fast->orders[2].work.id != "b") {
      ADD_FAILURE() << "no backup of b started on the fast worker";
      return false;
    }
    b_backup = fast->orders[2];
    EXPECT_EQ(b_backup.attempt, 2);
    return true;
  }

  /// start_the_race, then the run stops (SIGINT) while b's copies race: both
  /// are sent the cancel, and b waits for their reports.
  bool stop_the_race() {
    if (!start_the_race()) return false;
    caf::anon_send(coordinator, atom::interrupt_v, std::string{"SIGINT"});
    sched.run();
    return true;
  }

  /// The report of b's attempt `order` on `worker_id` (a failure: exit code 1).
  static attempt_record b_report(const work_order& order, const std::string& worker_id, task_status status,
                                 double duration_s) {
    auto outcome = outcome_of(order, worker_id, status);
    outcome.duration_s = duration_s;
    if (status == task_status::failed) outcome.error = "exit code 1";
    return outcome;
  }

  /// b's attempt `number` as the journal has it.
  attempt_record journaled_b(int number) const {
    session.journal->flush();
    for (const auto& a : session.journal->attempts(session.run))
      if (a.task_id == "b" && a.attempt == number) return a;
    return attempt_record{};
  }

  const task_update* finished(const std::string& id) const {
    const task_update* done = nullptr;
    for (const auto& u : *updates)
      if (u.task_id == id && u.kind == task_event_kind::finished) done = &u;
    return done;
  }

  /// The JUnit file that dtf run writes from these updates.
  std::string junit_xml() const {
    const auto path = dir / "junit.xml";
    runtime_outputs outputs{"", path.string(), "backups"};
    for (const auto& u : *updates) outputs.on_update(u);
    outputs.flush();
    std::ifstream in{path};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// A task's row in the HTML report that `dtf report` makes of the results
  /// file dtf run writes from these updates ("" if none).
  std::string report_row(const std::string& id) const {
    const auto path = dir / "results.jsonl";
    {
      runtime_outputs outputs{path.string(), "", "backups"};
      for (const auto& u : *updates) outputs.on_update(u);
    }
    const auto html = render_html_report(read_results_jsonl(path));
    const auto at = html.find("<tr class=\"task\"><td>" + id + "</td>");
    if (at == std::string::npos) return {};
    return html.substr(at, html.find('\n', at) - at);
  }

  /// How each view of the run shows b: its finished update (status, and the
  /// attempt of the report it carries), the summary dtf run prints from the
  /// updates, JUnit, dtf report's row and the journal (the status it ended b
  /// in, and the attempt attempts_that_ended takes for a resumed run).
  struct views_of_b {
    task_status finished = task_status::pending;
    int finished_attempt = 0;  // 0: no report of its own
    task_status summary = task_status::pending;
    std::string summary_worker;
    std::string testcase;
    std::string report_row;
    task_status journaled = task_status::pending;
    int journal_attempt = 0;  // 0: none (a cancelled task runs again on resume)
    std::size_t records = 0;  // b's updates with a report: its lines in the results file
  };

  /// b's copies, in a stopped race, report one after the other: b waits for
  /// the second. How each view shows b then.
  views_of_b views_after(attempt_record first_report, attempt_record second_report) {
    report({std::move(first_report)});
    EXPECT_EQ(finished("b"), nullptr) << "a copy that did not succeed leaves b to the other, still to report";
    report({std::move(second_report)});
    return views();
  }

  views_of_b views() const {
    views_of_b v;
    for (const auto& u : *updates) v.records += u.task_id == "b" && u.report;
    if (const auto* done = finished("b")) {
      v.finished = done->status;
      if (done->report) v.finished_attempt = done->report->attempt;
    }
    run_progress progress{2};
    for (const auto& u : *updates) progress.on_update(u);
    for (const auto& t : progress.tasks())
      if (t.task_id == "b") {
        v.summary = t.succeeded() ? task_status::succeeded : t.status;
        v.summary_worker = t.worker_id;
      }
    const auto xml = junit_xml();
    const auto at = xml.find("<testcase name=\"b\"");
    if (at != std::string::npos) {
      const auto line_end = xml.find('\n', at);
      v.testcase = xml.compare(line_end - 2, 2, "/>") == 0 ? xml.substr(at, line_end - at)
                                                           : xml.substr(at, xml.find("</testcase>", at) - at);
    }
    v.report_row = report_row("b");
    session.journal->flush();
    auto tasks = session.journal->tasks(session.run);
    std::erase_if(tasks, [](const journal_task& t) { return t.definition.id != "b"; });
    if (tasks.size() == 1u) v.journaled = tasks[0].status;
    std::erase_if(tasks, [](const journal_task& t) { return t.status == task_status::cancelled; });  // run again
    const auto ended = attempts_that_ended(session.journal->attempts(session.run), tasks);
    if (const auto it = ended.find("b"); it != ended.end()) v.journal_attempt = it->second.attempt;
    return v;
  }

  /// b ended `status` on `attempt` (on `worker_id`) in its finished update,
  /// the summary and the journal (whose attempt a resumed run takes, unless b
  /// was cancelled: it runs again), each of its two attempts recorded once.
  static void expect_b_ended(const views_of_b& v, task_status status, int attempt, const std::string& worker_id) {
    EXPECT_EQ(v.finished, status);
    EXPECT_EQ(v.finished_attempt, attempt);
    EXPECT_EQ(v.summary, status);
    EXPECT_EQ(v.summary_worker, worker_id);
    EXPECT_EQ(v.journaled, status);
    EXPECT_EQ(v.journal_attempt, status == task_status::cancelled ? 0 : attempt);
    EXPECT_EQ(v.records, 2u) << "one record per attempt";
  }

  /// b finished succeeded on `worker_id`, and so does its testcase in the
  /// JUnit file (no <skipped>, <failure> or <error> in it).
  void expect_b_succeeded_on(const std::string& worker_id) const {
    const auto* done = finished("b");
    ASSERT_NE(done, nullptr);
    EXPECT_EQ(done->status, task_status::succeeded);
    EXPECT_EQ(done->worker_id, worker_id);
    const auto xml = junit_xml();
    EXPECT_TRUE(testcase_line(xml, "b").ends_with("/>")) << xml;
  }
};

TEST_F(protocol_backups, a_backup_attempt_wins_and_the_first_attempt_is_cancelled) {
  ASSERT_TRUE(start_the_race());
  report({outcome_of(b_backup, "fast", task_status::succeeded)});
  EXPECT_EQ(slow->cancels, std::vector<std::string>{"b"});
  // The loser is journaled cancelled at once (before: running until its
  // report, for good when none came), then as it reports.
  EXPECT_EQ(journaled_b(1).status, task_status::cancelled);
  EXPECT_EQ(journaled_b(1).error, "cancelled: attempt 2 decided the task");
  // The cancelled first attempt reports late; the task stays succeeded, and
  // its testcase is not <skipped> by the late report.
  auto late = outcome_of(b_first, "slow", task_status::cancelled);
  late.duration_s = 3700.0;
  report({late});
  EXPECT_EQ(journaled_b(1).duration_s, 3700.0);
  expect_b_succeeded_on("fast");
}

TEST_F(protocol_backups, a_first_attempt_that_wins_is_the_testcase_though_its_cancelled_backup_reports_after_it) {
  ASSERT_TRUE(start_the_race());
  report({outcome_of(b_first, "slow", task_status::succeeded)});
  EXPECT_EQ(fast->cancels, std::vector<std::string>{"b"});
  report({outcome_of(b_backup, "fast", task_status::cancelled)});  // attempt 2, late
  expect_b_succeeded_on("slow");
}

TEST_F(protocol_backups, a_backup_that_failed_before_the_first_attempt_succeeded_does_not_fail_the_testcase) {
  ASSERT_TRUE(start_the_race());
  report({outcome_of(b_backup, "fast", task_status::failed)});  // attempt 2: the first keeps the task
  EXPECT_EQ(finished("b"), nullptr);
  report({outcome_of(b_first, "slow", task_status::succeeded)});
  expect_b_succeeded_on("slow");
}

TEST_F(protocol_backups, a_task_cancelled_mid_race_is_decided_alike_in_the_summary_the_junit_and_dtf_report) {
  // dtf cancel b while both copies run: b ends cancelled at once, with no
  // report. Its backup had succeeded before the cancel reached it and reports
  // after; the first attempt reports cancelled after that.
  ASSERT_TRUE(start_the_race());
  caf::anon_send(coordinator, atom::cancel_v, std::string{"b"});
  sched.run();
  const auto* done = finished("b");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, task_status::cancelled);
  EXPECT_FALSE(done->report);
  auto won = outcome_of(b_backup, "fast", task_status::succeeded);
  won.duration_s = 2.0;
  report({won});
  auto cut = outcome_of(b_first, "slow", task_status::cancelled);
  cut.duration_s = 3700.0;
  report({cut});

  // JUnit passes b on the backup's success (decides_over), the summary
  // dtf run and dtf submit print from the same updates counts it succeeded,
  // and dtf report, from the results file alone, shows that attempt too.
  const auto row = report_row("b");
  EXPECT_TRUE(row.starts_with("<tr class=\"task\"><td>b</td><td class=\"succeeded\">succeeded</td>")) << row;
  EXPECT_NE(row.find("<td>fast, slow</td><td class=\"num\">2.000</td>"), std::string::npos) << row;
  const auto xml = junit_xml();
  EXPECT_TRUE(testcase_line(xml, "b").ends_with("/>")) << xml;
  EXPECT_NE(testcase_line(xml, "b").find("time=\"2.000\""), std::string::npos) << xml;
  run_progress progress{2};
  for (const auto& u : *updates) progress.on_update(u);
  EXPECT_EQ(progress.snapshot().cancelled, 0u);
  for (const auto& t : progress.tasks()) {
    if (t.task_id != "b") continue;
    EXPECT_TRUE(t.succeeded());
    EXPECT_EQ(t.worker_id, "fast");
    EXPECT_EQ(t.wall_s, 2.0);
  }
}

TEST_F(protocol_backups, a_copy_cut_short_by_the_stop_leaves_its_task_to_the_backup_whose_success_every_view_shows) {
  // The first attempt reports cut short; the backup had succeeded before the
  // cancel reached it and reports after. Before, the cut-short report ended b
  // cancelled at once: the summary showed it cancelled, JUnit interrupted,
  // dtf report (decides_over over the results file) succeeded.
  ASSERT_TRUE(stop_the_race());
  const auto v = views_after(b_report(b_first, "slow", task_status::cancelled, 3700.0),
                             b_report(b_backup, "fast", task_status::succeeded, 2.0));
  expect_b_ended(v, task_status::succeeded, 2, "fast");
  EXPECT_TRUE(v.testcase.ends_with("time=\"2.000\"/>")) << v.testcase;
  EXPECT_TRUE(v.report_row.starts_with("<tr class=\"task\"><td>b</td><td class=\"succeeded\">")) << v.report_row;
  EXPECT_EQ(journaled_b(1).status, task_status::cancelled);
  EXPECT_EQ(journaled_b(1).duration_s, 3700.0) << "the cut-short copy's report is recorded";
}

TEST_F(protocol_backups, a_copy_that_failed_in_a_stopping_run_ends_its_task_once_the_other_is_cut_short) {
  // The backup fails while the first attempt runs on: the first attempt
  // keeps b (a failure leaves its task to a copy still running), and the
  // stop cuts it short: b failed, on the backup's failure (decides_over), in
  // every view, and each attempt is recorded once.
  ASSERT_TRUE(stop_the_race());
  const auto v = views_after(b_report(b_backup, "fast", task_status::failed, 2.0),
                             b_report(b_first, "slow", task_status::cancelled, 3700.0));
  expect_b_ended(v, task_status::failed, 2, "fast");
  EXPECT_NE(v.testcase.find("time=\"2.000\">"), std::string::npos) << v.testcase;
  EXPECT_NE(v.testcase.find("<failure message=\"exit code 1 on fast (attempt 2)\""), std::string::npos) << v.testcase;
  EXPECT_TRUE(v.report_row.starts_with("<tr class=\"task\"><td>b</td><td class=\"failed\">")) << v.report_row;
}

TEST_F(protocol_backups, a_copy_that_failed_before_the_stop_ends_its_task_once_the_other_is_cut_short) {
  // The backup fails while the first attempt runs on (the first keeps b), and
  // only then does the run stop and cut the first short: b ends failed, on
  // the backup's failure, in every view, as when the failure comes after the
  // stop. Before, b ended cancelled in the summary, interrupted in JUnit and
  // failed in dtf report. The failure's record was written when it came: the
  // finished update carries no report, so each attempt is recorded once.
  ASSERT_TRUE(start_the_race());
  report({b_report(b_backup, "fast", task_status::failed, 2.0)});
  ASSERT_EQ(finished("b"), nullptr) << "the first attempt keeps b";
  caf::anon_send(coordinator, atom::interrupt_v, std::string{"SIGINT"});
  sched.run();
  report({b_report(b_first, "slow", task_status::cancelled, 3700.0)});

  const auto v = views();
  EXPECT_EQ(v.finished, task_status::failed);
  EXPECT_EQ(v.finished_attempt, 0) << "the failure was recorded when it came";
  ASSERT_NE(finished("b"), nullptr);
  EXPECT_EQ(finished("b")->worker_id, "fast");
  EXPECT_FALSE(finished("b")->stopped);
  EXPECT_EQ(v.summary, task_status::failed);
  EXPECT_EQ(v.summary_worker, "fast");
  EXPECT_EQ(v.journaled, task_status::failed);
  EXPECT_EQ(v.journal_attempt, 2);
  EXPECT_EQ(v.records, 2u) << "one record per attempt";
  EXPECT_NE(v.testcase.find("time=\"2.000\">"), std::string::npos) << v.testcase;
  EXPECT_NE(v.testcase.find("<failure message=\"exit code 1 on fast (attempt 2)\""), std::string::npos) << v.testcase;
  EXPECT_TRUE(v.report_row.starts_with("<tr class=\"task\"><td>b</td><td class=\"failed\">")) << v.report_row;
  EXPECT_EQ(journaled_b(1).status, task_status::cancelled);
  EXPECT_EQ(journaled_b(1).duration_s, 3700.0) << "the cut-short copy's report is recorded";
}

TEST_F(protocol_backups, a_stopping_run_s_last_copy_lost_ends_its_task_weighed_against_the_copy_cut_short) {
  // The first attempt reports cut short; the backup's worker is lost before
  // it reports: b ends then, cancelled, on the attempt every view takes
  // (decides_over: of two copies cut short, the higher number).
  ASSERT_TRUE(stop_the_race());
  report({b_report(b_first, "slow", task_status::cancelled, 1.5)});
  EXPECT_EQ(finished("b"), nullptr);
  caf::anon_send_exit(worker_handles.at("fast"), caf::exit_reason::kill);
  sched.run();

  const auto v = views();
  expect_b_ended(v, task_status::cancelled, 2, "fast");
  EXPECT_NE(v.testcase.find("type=\"interrupted\""), std::string::npos) << v.testcase;
  EXPECT_TRUE(v.report_row.starts_with("<tr class=\"task\"><td>b</td><td class=\"lost\">")) << v.report_row;
}

TEST_F(protocol_backups, a_stopping_run_that_gives_up_waiting_ends_the_task_on_the_report_its_copy_left) {
  // The backup fails; the first attempt's worker never answers the cancel,
  // and the run gives the wait up: b failed, on the backup's failure.
  ASSERT_TRUE(stop_the_race());
  report({b_report(b_backup, "fast", task_status::failed, 2.0)});
  EXPECT_EQ(finished("b"), nullptr);
  sched.trigger_timeouts();
  sched.run();

  const auto v = views();
  EXPECT_EQ(v.finished, task_status::failed);
  EXPECT_EQ(v.finished_attempt, 2);
  EXPECT_EQ(v.summary, task_status::failed);
  EXPECT_EQ(v.journaled, task_status::failed);
  EXPECT_EQ(v.journal_attempt, 2);
  EXPECT_EQ(v.records, 1u) << "the first attempt never reported";
}

TEST_F(protocol, reports_a_task_no_worker_can_run_as_unplaceable_with_reasons) {
  add_worker(cpu_worker("w1"));
  task gpu = cpu_task("needs-cuda");
  gpu.requirements.hardware = {device_kind::cuda};
  submit({gpu, cpu_task("fine")});
  auto* u = last("needs-cuda", task_event_kind::unplaceable);
  ASSERT_NE(u, nullptr);
  EXPECT_NE(u->reason.find("w1"), std::string::npos) << u->reason;
}

TEST_F(protocol, rejects_a_duplicate_task_id) {
  add_worker(cpu_worker("w1", 1));
  submit({cpu_task("same"), cpu_task("same")});
  ASSERT_NE(last("same", task_event_kind::rejected), nullptr);
}

} // namespace
} // namespace dtf
