// Ctrl-C and SIGTERM during `dtf run` and `dtf demo`, with the real binary,
// real commands and real signals: the first signal cancels what runs (whole
// process trees), writes complete results, JUnit (interrupted tasks are
// errors) and statistics, marks the journal's run interrupted and exits
// 128 + signal; a second signal ends dtf at once and still kills every command.
#include "actors/journal/sqlite_journal.hpp"
#include "dtf_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using dtf::testing::eventually;
using dtf::testing::process_running;

std::string read_file(const fs::path& p) { return dtf::testing::read_text(p); }

class interrupt : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-interrupt-test-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "pids");
  }
  void TearDown() override {
    for (pid_t pid : command_pids()) ::kill(pid, SIGKILL);  // never leave sleepers behind a failed test
    fs::remove_all(dir);
  }

  pid_t start(const std::vector<std::string>& arguments) { return dtf::testing::start_dtf(dir, arguments, dir / "output"); }
  int wait_exit(pid_t child) { return dtf::testing::wait_exit(child); }

  /// Every pid the suite's commands wrote (each command writes its own and its child's).
  std::vector<pid_t> command_pids() const {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator{dir / "pids", ec})
      if (auto pid = std::atoi(read_file(f.path()).c_str()); pid > 0) pids.push_back(pid);
    return pids;
  }

  std::size_t started_commands() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator{dir / "pids", ec}) n += f.path().extension() == ".main";
    return n;
  }

  /// Four tasks that sleep in a child process; `trap` goes before the sleep.
  void write_sleep_suite(const std::string& trap = "") {
    std::ofstream suite{dir / "suite.yaml"};
    suite << "suite: sleepers\ntasks:\n";
    for (int i = 1; i <= 4; ++i)
      suite << "  - id: sleeper-" << i << "\n    requirements: {hardware: [cpu]}\n"
            << "    command: [sh, -c, '" << trap << "sleep 300 & echo $! > pids/$DTF_TASK_ID.child; "
            << "echo $$ > pids/$DTF_TASK_ID.main; wait']\n";
  }

  std::vector<std::string> run_arguments() const {
    return {"run", "suite.yaml", "--results", "results.jsonl", "--junit", "junit.xml", "--journal", "journal.sqlite",
            "--output-dir", "out", "--max-tasks-per-worker", "2"};
  }

  fs::path dir;
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(interrupt, sigint_cancels_the_run_writes_complete_outputs_and_exits_130) {
  write_sleep_suite();
  pid_t dtf = start(run_arguments());
  ASSERT_TRUE(eventually([&] { return started_commands() >= 1; })) << read_file(dir / "output");
  ASSERT_EQ(::kill(dtf, SIGINT), 0);
  EXPECT_EQ(wait_exit(dtf), 130) << read_file(dir / "output");
  const auto started = started_commands();

  const auto output = read_file(dir / "output");
  EXPECT_NE(output.find("interrupted by SIGINT"), std::string::npos) << output;
  EXPECT_NE(output.find("4 tasks: "), std::string::npos) << "the statistics are printed\n" << output;
  const auto junit = read_file(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"4\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("errors=\"4\""), std::string::npos) << "interrupted tasks are errors, never skipped\n" << junit;
  EXPECT_EQ(count(junit, "type=\"interrupted\""), 4u) << junit;
  EXPECT_EQ(count(junit, "interrupted by SIGINT"), 4u) << junit;
  // Every command that started is a cancelled attempt (one may also have been
  // cancelled before its shell wrote its pid file).
  const auto results = read_file(dir / "results.jsonl");
  EXPECT_GE(count(results, "\"status\":\"cancelled\""), started) << results;
  EXPECT_LE(count(results, "\"status\":\"cancelled\""), 4u) << results;
  EXPECT_EQ(count(results, "\"status\":\"succeeded\""), 0u) << results;

  dtf::sqlite_journal journal{dir / "journal.sqlite"};
  auto run = journal.runs().at(0);
  EXPECT_EQ(run.status, "interrupted");
  auto tasks = journal.tasks(run.id);
  ASSERT_EQ(tasks.size(), 4u);
  for (const auto& t : tasks) EXPECT_EQ(t.status, dtf::task_status::cancelled) << t.definition.id;
  for (pid_t pid : command_pids()) EXPECT_FALSE(process_running(pid)) << "process " << pid << " survived the interrupt";
}

TEST_F(interrupt, sigterm_stops_the_run_the_same_way_and_exits_143) {
  write_sleep_suite();
  pid_t dtf = start(run_arguments());
  ASSERT_TRUE(eventually([&] { return started_commands() >= 1; })) << read_file(dir / "output");
  ASSERT_EQ(::kill(dtf, SIGTERM), 0);
  EXPECT_EQ(wait_exit(dtf), 143) << read_file(dir / "output");
  EXPECT_EQ(count(read_file(dir / "junit.xml"), "interrupted by SIGTERM"), 4u);
  EXPECT_EQ(dtf::sqlite_journal{dir / "journal.sqlite"}.runs().at(0).status, "interrupted");
  for (pid_t pid : command_pids()) EXPECT_FALSE(process_running(pid)) << "process " << pid << " survived";
}

// The commands ignore SIGTERM, so the graceful stop waits for its grace before
// SIGKILL; the second Ctrl-C does not wait, and still leaves no process behind.
TEST_F(interrupt, a_second_sigint_quits_at_once_and_still_kills_every_command) {
  write_sleep_suite("trap \"\" TERM; ");
  pid_t dtf = start(run_arguments());
  ASSERT_TRUE(eventually([&] { return started_commands() >= 1; })) << read_file(dir / "output");
  ASSERT_EQ(::kill(dtf, SIGINT), 0);
  ASSERT_TRUE(eventually([&] { return read_file(dir / "output").find("SIGINT: stopping") != std::string::npos; }));
  ASSERT_EQ(::kill(dtf, SIGINT), 0);
  EXPECT_EQ(wait_exit(dtf), 130) << read_file(dir / "output");
  EXPECT_NE(read_file(dir / "output").find("again: killing every running command"), std::string::npos)
    << read_file(dir / "output");
  ASSERT_GE(command_pids().size(), 2u);
  for (pid_t pid : command_pids())
    EXPECT_TRUE(eventually([&] { return !process_running(pid); }, std::chrono::seconds(10)))
      << "process " << pid << " survived the second signal";
}

TEST_F(interrupt, sigint_ends_the_demo_early_with_its_statistics_and_exit_130) {
  pid_t dtf = start({"demo", "--run-time", "120", "--time-scale", "0.05"});
  ASSERT_TRUE(eventually([&] { return read_file(dir / "output").find("running for") != std::string::npos; }))
    << read_file(dir / "output");
  ASSERT_EQ(::kill(dtf, SIGINT), 0);
  EXPECT_EQ(wait_exit(dtf), 130) << read_file(dir / "output");
  const auto output = read_file(dir / "output");
  EXPECT_NE(output.find("final:"), std::string::npos) << output;
  EXPECT_NE(output.find("interrupted by SIGINT"), std::string::npos) << output;
  EXPECT_NE(output.find("learning:"), std::string::npos) << output;  // the summary's learning line
}

} // namespace
