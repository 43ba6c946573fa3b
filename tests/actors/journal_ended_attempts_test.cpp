// The attempt that ended each task of a journaled run, as a resumed run reads
// it back from a real journal file: what a resumed coordinator keeps of its
// ended tasks (attempts_that_ended) and what a resumed `dtf run` writes in
// its JUnit file (runtime_outputs::preload).
#include "actors/journal/ended_attempts.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/runtime_outputs.hpp"
#include "journal_temp_dir.hpp"
#include "../cli/dtf_process.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dtf {
namespace {

using testing::journal_temp_dir;
using testing::read_text;

task test_task(const std::string& id) {
  task t;
  t.id = id;
  t.type = task_type::test;
  t.requirements.hardware = {device_kind::cpu};
  t.command = {"true"};
  t.retries = 1;
  return t;
}

attempt_record attempt_of(const std::string& task_id, int attempt, const std::string& worker, task_status status,
                          double start_s, double end_s) {
  attempt_record a;
  a.task_id = task_id;
  a.worker_id = worker;
  a.attempt = attempt;
  a.status = status;
  a.exit_code = status == task_status::succeeded ? 0 : 1;
  a.error = status == task_status::succeeded ? "" : status == task_status::cancelled ? "cancelled" : "exit code 1";
  a.start_unix_s = start_s;
  a.end_unix_s = end_s;
  a.duration_s = end_s - start_s;
  a.type = task_type::test;
  return a;
}

/// A journal whose run 1 (suite "nightly", interrupted) holds:
/// - kept: attempt 1 overran its prediction; its backup, attempt 2, failed
///   while it ran on (the first kept the task), then attempt 1 succeeded;
/// - retried: attempt 1 failed, its retry (attempt 2) succeeded;
/// - stopped: in a stopping run attempt 1 failed and ended the task; its
///   backup's report came after, a success (it ended before its cancel came);
/// - raced: the backup (2) failed first, then attempt 1 failed, ending it;
/// - open: attempt 1 was cancelled with the run (not ended: run again).
std::int64_t write_journal(const std::filesystem::path& file) {
  sqlite_journal journal{file};
  const auto run = journal.begin_run("nightly");
  for (const auto* id : {"kept", "retried", "stopped", "raced", "open"}) journal.record_task_submitted(test_task(id));
  journal.record_result(attempt_of("kept", 2, "fast", task_status::failed, 130, 140));
  journal.record_result(attempt_of("kept", 1, "slow", task_status::succeeded, 100, 160));
  journal.record_state("kept", task_status::succeeded);
  journal.record_result(attempt_of("retried", 1, "fast", task_status::failed, 100, 101));
  journal.record_result(attempt_of("retried", 2, "slow", task_status::succeeded, 105, 106));
  journal.record_state("retried", task_status::succeeded);
  journal.record_result(attempt_of("stopped", 1, "slow", task_status::failed, 100, 150));
  journal.record_state("stopped", task_status::failed);
  journal.record_result(attempt_of("stopped", 2, "fast", task_status::succeeded, 120, 151));
  journal.record_result(attempt_of("raced", 2, "fast", task_status::failed, 100, 110));
  journal.record_result(attempt_of("raced", 1, "slow", task_status::failed, 90, 130));
  journal.record_state("raced", task_status::failed);
  journal.record_attempt(attempt_of("open", 1, "slow", task_status::cancelled, 100, 101));
  journal.record_state("open", task_status::cancelled);
  journal.flush();
  return run;
}

/// The run's tasks that ended (not cancelled), as a resumed run takes them.
std::vector<journal_task> ended_tasks(sqlite_journal& journal, std::int64_t run) {
  std::vector<journal_task> ended;
  for (auto& t : journal.tasks(run))
    if (is_final(t.status) && t.status != task_status::cancelled) ended.push_back(std::move(t));
  return ended;
}

TEST(journal_ended_attempts, each_ended_task_takes_the_attempt_that_ended_it) {
  journal_temp_dir dir;
  const auto run = write_journal(dir / "journal.sqlite");
  sqlite_journal journal{dir / "journal.sqlite"};  // read back from the file
  const auto ended = ended_tasks(journal, run);
  ASSERT_EQ(ended.size(), 4u);
  const auto deciding = attempts_that_ended(journal.attempts(run), ended);
  ASSERT_EQ(deciding.size(), 4u) << "the open task is not among them";
  EXPECT_EQ(deciding.at("kept").attempt, 1) << "not the backup that failed before it succeeded";
  EXPECT_EQ(deciding.at("kept").status, task_status::succeeded);
  EXPECT_EQ(deciding.at("kept").worker_id, "slow");
  EXPECT_EQ(deciding.at("retried").attempt, 2) << "the retry decides over the failure before it";
  EXPECT_EQ(deciding.at("retried").status, task_status::succeeded);
  EXPECT_EQ(deciding.at("stopped").attempt, 1) << "the failure the journal ended the task with";
  EXPECT_EQ(deciding.at("stopped").status, task_status::failed);
  EXPECT_EQ(deciding.at("raced").attempt, 1) << "the failure that ended the task, not the copy that failed first";
  EXPECT_EQ(deciding.at("raced").worker_id, "slow");
}

TEST(journal_ended_attempts, a_resumed_run_s_junit_shows_each_ended_task_as_it_ended) {
  journal_temp_dir dir;
  const auto run = write_journal(dir / "journal.sqlite");
  sqlite_journal journal{dir / "journal.sqlite"};
  const auto junit = dir / "junit.xml";
  runtime_outputs outputs{"", junit.string(), "nightly"};
  outputs.preload(journal.attempts(run), ended_tasks(journal, run));
  outputs.flush();
  const auto xml = read_text(junit);
  EXPECT_NE(xml.find("<testcase name=\"kept\" classname=\"nightly\" time=\"60.000\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase name=\"retried\" classname=\"nightly\" time=\"1.000\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase name=\"stopped\" classname=\"nightly\" time=\"50.000\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("exit code 1 on slow (attempt 1)"), std::string::npos) << xml;  // stopped's and raced's
  EXPECT_EQ(xml.find("on fast (attempt 2)"), std::string::npos) << "a copy's failure is not the task's:\n" << xml;
  EXPECT_NE(xml.find("<testcase name=\"raced\" classname=\"nightly\" time=\"40.000\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos) << xml;
}

} // namespace
} // namespace dtf
