// `dtf run SUITE --resume` with the real binary and a real journal file:
// after an interrupt, and after SIGKILL at random moments, the run goes on
// where it stopped. Tasks that ended are not run again, tasks that were
// running run once more, and the results and JUnit cover the whole run.
//
// The crash test kills dtf DTF_CRASH_KILLS times (default 3; 20 for the long
// run: DTF_CRASH_KILLS=20 ctest -R resume), at moments from a seeded generator.
#include "actors/journal/sqlite_journal.hpp"
#include "dtf_process.hpp"
#include "../actors/journal_edit.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using dtf::testing::eventually;
using dtf::testing::read_text;

class resume : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-resume-test-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<std::string> arguments(bool resuming) const {
    std::vector<std::string> a{"run", "suite.yaml", "--results", "results.jsonl", "--junit", "junit.xml",
                               "--journal", "journal.sqlite", "--output-dir", "out", "--max-tasks-per-worker", "3"};
    if (resuming) a.push_back("--resume");
    return a;
  }

  int run_to_the_end(bool resuming) {
    return dtf::testing::wait_exit(dtf::testing::start_dtf(dir, arguments(resuming), dir / "output"));
  }

  /// (task, attempt) -> status of every line of results.jsonl; counts repeated pairs.
  std::map<std::pair<std::string, int>, std::string> results(std::size_t& duplicates) const {
    std::map<std::pair<std::string, int>, std::string> out;
    duplicates = 0;
    std::ifstream in{dir / "results.jsonl"};
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;  // the last line of a killed run may be cut
      auto key = std::make_pair(j["task"].get<std::string>(), j["attempt"].get<int>());
      duplicates += out.count(key);
      out[key] = j["status"].get<std::string>();
    }
    return out;
  }

  /// A run of quick-1, quick-2 and slow-1 (which sleeps until a file "go"
  /// exists), interrupted once the quick ones ended and slow-1 runs.
  void interrupt_while_slow_1_runs() {
    std::ofstream{dir / "suite.yaml"} << R"(suite: resumable
tasks:
  - {id: quick-1, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log']}
  - {id: quick-2, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log']}
  - {id: slow-1, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log; [ -e go ] || exec sleep 300']}
)";
    pid_t dtf = dtf::testing::start_dtf(dir, arguments(false), dir / "output");
    ASSERT_TRUE(eventually([&] { return read_text(dir / "ran.log").find("slow-1") != std::string::npos; }));
    ASSERT_TRUE(eventually([&] {
      const auto results = read_text(dir / "results.jsonl");
      return results.find("quick-1") != std::string::npos && results.find("quick-2") != std::string::npos;
    }));
    ::kill(dtf, SIGINT);
    ASSERT_EQ(dtf::testing::wait_exit(dtf), 130) << read_text(dir / "output");
  }

  /// The lines of results.jsonl.
  std::vector<std::string> result_lines() const {
    std::vector<std::string> out;
    std::istringstream in{read_text(dir / "results.jsonl")};
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(line);
    return out;
  }

  /// Every line the interrupted run wrote is in the resumed run's file as it
  /// was: the same fields, the same values.
  void expect_repeated_as_written(const std::vector<std::string>& first_run) const {
    const auto resumed = result_lines();
    const std::set<std::string> resumed_lines{resumed.begin(), resumed.end()};
    for (const auto& line : first_run) EXPECT_TRUE(resumed_lines.count(line)) << "not repeated as written:\n" << line;
  }

  fs::path dir;
};

TEST_F(resume, continues_an_interrupted_run_without_running_ended_tasks_again) {
  ASSERT_NO_FATAL_FAILURE(interrupt_while_slow_1_runs());
  const auto first_run = result_lines();
  ASSERT_GE(first_run.size(), 2u);

  std::ofstream{dir / "go"} << "";
  EXPECT_EQ(run_to_the_end(true), 0) << read_text(dir / "output");
  expect_repeated_as_written(first_run);
  const auto output = read_text(dir / "output");
  EXPECT_NE(output.find("resuming run 1: 2 tasks ended before (not run again), 1 to run"), std::string::npos) << output;
  EXPECT_EQ(output.find("differs"), std::string::npos) << "the file is as accepted: " << output;
  std::map<std::string, int> runs;
  std::istringstream ran{read_text(dir / "ran.log")};
  for (std::string id; std::getline(ran, id);) ++runs[id];
  EXPECT_EQ(runs, (std::map<std::string, int>{{"quick-1", 1}, {"quick-2", 1}, {"slow-1", 2}}))
    << "only the interrupted task ran again";

  std::size_t duplicates = 0;
  auto attempts = results(duplicates);
  EXPECT_EQ(duplicates, 0u);
  EXPECT_EQ(attempts[std::make_pair(std::string{"slow-1"}, 1)], "cancelled");
  EXPECT_EQ(attempts[std::make_pair(std::string{"slow-1"}, 2)], "succeeded") << "attempt numbers continue";
  EXPECT_EQ(attempts[std::make_pair(std::string{"quick-1"}, 1)], "succeeded") << "the results cover the whole run";
  EXPECT_EQ(attempts.size(), 4u);
  const auto junit = read_text(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"3\" failures=\"0\" errors=\"0\""), std::string::npos) << junit;

  dtf::sqlite_journal journal{dir / "journal.sqlite"};
  ASSERT_EQ(journal.runs().size(), 1u) << "resuming continues the run, it does not begin another";
  EXPECT_EQ(journal.runs()[0].status, "finished");
  for (const auto& t : journal.tasks(1)) EXPECT_EQ(t.status, dtf::task_status::succeeded) << t.definition.id;
}

// quick-1's first attempt overran; its backup (attempt 2) failed while it ran
// on, then it succeeded: written into the interrupted run's journal through
// the journal API. The resumed run's JUnit and `dtf report` over its results
// show quick-1 passed (before: the failed backup, the higher number, decided).
TEST_F(resume, a_task_whose_backup_failed_before_it_succeeded_passes_in_the_resumed_run_s_outputs) {
  ASSERT_NO_FATAL_FAILURE(interrupt_while_slow_1_runs());
  {
    dtf::sqlite_journal journal{dir / "journal.sqlite"};
    dtf::attempt_record first;
    for (const auto& a : journal.attempts(1))
      if (a.task_id == "quick-1") first = a;
    ASSERT_EQ(first.status, dtf::task_status::succeeded);
    journal.resume_run(1);
    first.start_unix_s = first.end_unix_s - 60.0;
    first.duration_s = 60.0;
    journal.record_result(first);
    auto backup = first;
    backup.attempt = 2;
    backup.status = dtf::task_status::failed;
    backup.exit_code = 1;
    backup.error = "exit code 1";
    backup.start_unix_s = first.start_unix_s + 30.0;
    backup.end_unix_s = first.start_unix_s + 40.0;
    backup.duration_s = 10.0;
    journal.record_result(backup);
    journal.flush();
  }

  std::ofstream{dir / "go"} << "";
  EXPECT_EQ(run_to_the_end(true), 0) << read_text(dir / "output");
  std::size_t duplicates = 0;
  auto attempts = results(duplicates);
  EXPECT_EQ(attempts[std::make_pair(std::string{"quick-1"}, 2)], "failed") << "the results have every attempt";
  const auto junit = read_text(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"3\" failures=\"0\" errors=\"0\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<testcase name=\"quick-1\" classname=\"resumable\" time=\"60.000\"/>"), std::string::npos)
    << junit;

  ASSERT_EQ(dtf::testing::wait_exit(dtf::testing::start_dtf(dir, {"report", "results.jsonl", "--html", "report.html"},
                                                             dir / "report-output")),
            0)
    << read_text(dir / "report-output");
  const auto html = read_text(dir / "report.html");
  EXPECT_NE(html.find("<tr class=\"task\"><td>quick-1</td><td class=\"succeeded\">"), std::string::npos) << html;
}

TEST_F(resume, names_the_tasks_edited_or_removed_since_the_run_was_accepted) {
  // Before: the accepted definitions ran again silently, a removed task too.
  std::ofstream{dir / "suite.yaml"} << R"(suite: edited
tasks:
  - {id: quick-1, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log']}
  - {id: slow-1, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log; [ -e go ] || exec sleep 300']}
  - {id: slow-2, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log; [ -e go ] || exec sleep 300']}
)";
  pid_t dtf = dtf::testing::start_dtf(dir, arguments(false), dir / "output");
  ASSERT_TRUE(eventually([&] {
    const auto ran = read_text(dir / "ran.log");
    return ran.find("slow-1") != std::string::npos && ran.find("slow-2") != std::string::npos;
  }));
  ::kill(dtf, SIGINT);
  ASSERT_EQ(dtf::testing::wait_exit(dtf), 130) << read_text(dir / "output");

  std::ofstream{dir / "go"} << "";
  std::ofstream{dir / "suite.yaml"} << R"(suite: edited
tasks:
  - {id: quick-1, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo $DTF_TASK_ID >> ran.log']}
  - {id: slow-1, timeout: 60, requirements: {hardware: [cpu]}, command: [sh, -c, 'echo edited >> ran.log']}
)";
  EXPECT_EQ(run_to_the_end(true), 0) << read_text(dir / "output");
  const auto output = read_text(dir / "output");
  EXPECT_NE(output.find("dtf run: --resume: the suite file differs from the run the journal accepted: 1 task changed "
                        "(slow-1; slow-1: command, timeout_s), 1 no longer in the file (slow-2); the run continues "
                        "with the accepted definitions (run without --resume to start a new run of the file)"),
            std::string::npos)
      << output;
  EXPECT_EQ(read_text(dir / "ran.log").find("edited"), std::string::npos) << "the accepted command ran";
}

// Emulated attempts: duration_s wall seconds, modeled_s the model's, a
// default estimate still said to be one, worker_slots, as first written.
TEST_F(resume, repeats_the_earlier_emulated_attempts_as_the_first_run_wrote_them) {
  std::ofstream{dir / "suite.yaml"} << R"(suite: emulated
defaults: {type: benchmark, timeout: 10m, requirements: {hardware: [cuda]}}
tasks:
  - {id: short, model: bert-base-uncased, batch_size: 8}
  - {id: long, model: opt-1b, batch_size: 8}
)";
  const std::string fleet = std::string{DTF_SOURCE_DIR} + "/examples/gpu-fleet.yaml";
  const std::vector<std::string> emulated{"--fleet", fleet, "--no-local", "--time-scale", "0.02"};
  auto with_fleet = [&](bool resuming) {
    auto a = arguments(resuming);
    a.insert(a.end(), emulated.begin(), emulated.end());
    return a;
  };
  pid_t dtf = dtf::testing::start_dtf(dir, with_fleet(false), dir / "output");
  ASSERT_TRUE(eventually([&] { return read_text(dir / "results.jsonl").find("\"short\"") != std::string::npos; }));
  ::kill(dtf, SIGINT);
  ASSERT_EQ(dtf::testing::wait_exit(dtf), 130) << read_text(dir / "output");
  const auto first_run = result_lines();
  ASSERT_FALSE(first_run.empty());
  EXPECT_NE(first_run[0].find("\"modeled_s\""), std::string::npos) << first_run[0];

  EXPECT_EQ(dtf::testing::wait_exit(dtf::testing::start_dtf(dir, with_fleet(true), dir / "output")), 0)
    << read_text(dir / "output");
  expect_repeated_as_written(first_run);
  EXPECT_GT(result_lines().size(), first_run.size()) << "the resumed run ran the rest";
}

// A journal of dtf before schema 3 (no wall_s, modeled_s, predicted_from,
// worker_slots in its attempts) is migrated, and its run resumes; the lines
// of its earlier attempts leave out what it did not record.
TEST_F(resume, resumes_a_run_of_a_journal_from_an_older_dtf) {
  ASSERT_NO_FATAL_FAILURE(interrupt_while_slow_1_runs());
  dtf::testing::edit_journal(dir / "journal.sqlite",
                             "ALTER TABLE attempts DROP COLUMN wall_s; ALTER TABLE attempts DROP COLUMN modeled_s; "
                             "ALTER TABLE attempts DROP COLUMN predicted_from; "
                             "ALTER TABLE attempts DROP COLUMN worker_slots; ALTER TABLE history DROP COLUMN clock; "
                             "UPDATE schema_version SET version = 2;");

  std::ofstream{dir / "go"} << "";
  EXPECT_EQ(run_to_the_end(true), 0) << read_text(dir / "output");
  std::size_t duplicates = 0;
  EXPECT_EQ(results(duplicates).size(), 4u) << read_text(dir / "results.jsonl");
  for (const auto& line : result_lines()) {
    if (line.find("\"quick-1\"") == std::string::npos) continue;
    EXPECT_EQ(line.find("predicted_from"), std::string::npos) << line;
    EXPECT_EQ(line.find("worker_slots"), std::string::npos) << line;
  }
}

TEST_F(resume, without_an_unfinished_run_of_the_suite_exits_two_and_says_so) {
  std::ofstream{dir / "suite.yaml"} << "suite: done\ntasks:\n  - {id: a, requirements: {hardware: [cpu]}, command: [true]}\n";
  ASSERT_EQ(run_to_the_end(false), 0) << read_text(dir / "output");
  EXPECT_EQ(run_to_the_end(true), 2);
  EXPECT_NE(read_text(dir / "output").find("no unfinished run of suite 'done'"), std::string::npos)
    << read_text(dir / "output");
}

// SIGKILL at seeded random moments (during start-up, submission, running,
// writing), then --resume, until the run finishes: every task ends exactly
// once in the journal, succeeded, and no attempt is twice in the results.
TEST_F(resume, sigkill_at_random_moments_then_resume_ends_every_task_exactly_once) {
  const char* env = std::getenv("DTF_CRASH_KILLS");
  const int kills = env ? std::max(1, std::atoi(env)) : 3;
  const int task_count = std::max(12, 3 * kills);  // enough work left for every kill
  {
    std::ofstream suite{dir / "suite.yaml"};
    suite << "suite: crashy\ntasks:\n";
    for (int i = 0; i < task_count; ++i)
      suite << "  - {id: t" << i << ", requirements: {hardware: [cpu]}, command: [sleep, '0." << (1 + i % 3) << "']}\n";
  }
  std::mt19937 rng{20261204};
  std::uniform_int_distribution<int> delay_ms{0, 800};
  auto journal_state = [&]() -> std::string {  // "", "unfinished" or "finished"
    if (!fs::exists(dir / "journal.sqlite")) return "";
    dtf::sqlite_journal journal{dir / "journal.sqlite"};
    auto runs = journal.runs();
    if (runs.empty()) return "";
    EXPECT_EQ(runs.size(), 1u) << "a resume began another run";
    std::set<std::string> ids;
    for (const auto& t : journal.tasks(runs[0].id)) EXPECT_TRUE(ids.insert(t.definition.id).second) << t.definition.id;
    return runs[0].status == "finished" ? "finished" : "unfinished";
  };
  int killed = 0;
  for (int i = 0; i < kills; ++i) {
    const auto state = journal_state();
    if (state == "finished") break;
    pid_t dtf = dtf::testing::start_dtf(dir, arguments(state == "unfinished"), dir / "output");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(dtf, SIGKILL);
    int status = 0;
    ::waitpid(dtf, &status, 0);
    killed += WIFSIGNALED(status) ? 1 : 0;
    std::size_t duplicates = 0;
    results(duplicates);
    EXPECT_EQ(duplicates, 0u) << "after kill " << i;
  }
  if (const auto state = journal_state(); state != "finished") {
    ASSERT_EQ(run_to_the_end(state == "unfinished"), 0) << read_text(dir / "output");
  }
  std::cout << "dtf killed " << killed << " times (" << kills << " planned), " << task_count << " tasks\n";

  dtf::sqlite_journal journal{dir / "journal.sqlite"};
  ASSERT_EQ(journal.runs().size(), 1u);
  EXPECT_EQ(journal.runs()[0].status, "finished");
  auto tasks = journal.tasks(journal.runs()[0].id);
  ASSERT_EQ(tasks.size(), static_cast<std::size_t>(task_count)) << "every task once in the journal";
  for (const auto& t : tasks) EXPECT_EQ(t.status, dtf::task_status::succeeded) << t.definition.id;

  std::size_t duplicates = 0;
  auto attempts = results(duplicates);
  EXPECT_EQ(duplicates, 0u);
  std::map<std::string, int> successes;
  for (const auto& [key, status] : attempts) successes[key.first] += status == "succeeded";
  ASSERT_EQ(successes.size(), static_cast<std::size_t>(task_count)) << "the results cover every task";
  for (const auto& [id, n] : successes) EXPECT_EQ(n, 1) << id << " succeeded " << n << " times";
  const auto junit = read_text(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"" + std::to_string(task_count) + "\" failures=\"0\" errors=\"0\""), std::string::npos)
    << junit;
}

} // namespace
