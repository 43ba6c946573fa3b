// A cluster of real processes on loopback: `dtf coordinator`, `dtf node`s
// with emulated fleets and `dtf submit`. Every task must complete exactly
// once whatever happens to a node (or the coordinator): killed (SIGKILL: the coordinator sees the
// connection drop and re-queues at once) or hung (SIGSTOP: the middleman's
// heartbeats and connection timeout declare it lost; its late results are
// discarded when it wakes, and it joins again as a fresh member; a node
// that CAF tells nothing learns it from its membership checks).
#include "actors/journal/sqlite_journal.hpp"
#include "tests/cli/dtf_process.hpp"
#include "tests/cli/run_dtf.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using dtf::testing::eventually;
using dtf::testing::read_text;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class cluster : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-cluster-test-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream fleet{dir / "fleet.yaml"};
    fleet << "workers:\n"
             "  - {id: cpu-a, kind: cpu, name: Emulated CPU, memory_gb: 16, cores: 8, slots: 4}\n"
             "  - {id: cpu-b, kind: cpu, name: Emulated CPU, memory_gb: 16, cores: 8, slots: 4}\n";
  }

  void TearDown() override {
    for (pid_t pid : pids) {
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
  }

  pid_t start(const std::vector<std::string>& arguments, const std::string& log) {
    pid_t pid = dtf::testing::start_dtf(dir, arguments, dir / log);
    pids.push_back(pid);
    return pid;
  }

  /// Exit code of a process started here (then no longer killed at the end).
  int wait_exit(pid_t pid) {
    std::erase(pids, pid);
    return dtf::testing::wait_exit(pid);
  }

  std::string log(const std::string& name) const { return read_text(dir / name); }

  /// A port for a coordinator that will be restarted on it (see port_outside_ephemeral_range).
  std::string restartable_port() const {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    return std::to_string(dtf::testing::port_outside_ephemeral_range(std::hash<std::string>{}(name) + ::getpid()));
  }

  /// A coordinator on `port` (0: a free one); returns "127.0.0.1:PORT".
  std::string start_coordinator(const std::vector<std::string>& extra = {}, const std::string& port = "0") {
    std::vector<std::string> arguments{"coordinator", "--port", port};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    coordinator = start(arguments, "coordinator.log");
    std::smatch m;
    const std::regex listening{"listening on (127\\.0\\.0\\.1:[0-9]+)"};
    std::string text;
    EXPECT_TRUE(eventually([&] {
      text = log("coordinator.log");
      return std::regex_search(text, m, listening);
    })) << text;
    address = m.size() > 1 ? m[1].str() : "127.0.0.1:1";
    return address;
  }

  pid_t start_node(const std::string& name, const std::string& where, double time_scale,
                   const std::string& fleet = "fleet.yaml") {
    return start({"node", "--coordinator", where, "--name", name, "--no-local", "--fleet", fleet, "--time-scale",
                  std::to_string(time_scale)},
                 name + ".log");
  }

  /// `tasks` emulated CPU tasks (30 modeled seconds each).
  void write_suite(int tasks) {
    std::ofstream suite{dir / "suite.yaml"};
    suite << "suite: cluster\ndefaults: {type: test, retries: 0, command: [sh, -c, 'true']}\ntasks:\n";
    for (int i = 0; i < tasks; ++i) suite << "  - {id: t" << i << ", requirements: {hardware: [cpu]}}\n";
  }

  pid_t start_submit(const std::string& where) {
    return start({"submit", "suite.yaml", "--coordinator", where, "--results", "results.jsonl", "--junit", "junit.xml"},
                 "submit.log");
  }

  /// Successful attempts per task id, from the results file.
  std::map<std::string, int> successes() const {
    std::map<std::string, int> out;
    std::ifstream in{dir / "results.jsonl"};
    for (std::string line; std::getline(in, line);) {
      auto record = nlohmann::json::parse(line);
      if (record.at("status") == "succeeded") ++out[record.at("task").get<std::string>()];
    }
    return out;
  }

  void expect_every_task_succeeded_once(int tasks) {
    auto ok = successes();
    EXPECT_EQ(ok.size(), static_cast<std::size_t>(tasks));
    for (const auto& [id, n] : ok) EXPECT_EQ(n, 1) << id << " succeeded " << n << " times";
    EXPECT_NE(log("junit.xml").find("tests=\"" + std::to_string(tasks) + "\""), std::string::npos);
    EXPECT_NE(log("junit.xml").find("failures=\"0\""), std::string::npos);
  }

  /// Waits until the coordinator registered `workers` workers.
  void await_workers(std::size_t workers, const std::string& coordinator_log = "coordinator.log") {
    EXPECT_TRUE(eventually([&] { return count(log(coordinator_log), " joined (") >= workers; }))
      << log(coordinator_log);
  }

  /// Waits until `finished` tasks of the submission finished (progress lines).
  void await_progress(int finished, int total) {
    const std::string line = "[" + std::to_string(finished) + "/" + std::to_string(total) + "]";
    EXPECT_TRUE(eventually([&] { return log("submit.log").find(line) != std::string::npos; })) << log("submit.log");
  }

  /// A coordinator, nodes n1-n3 (at a time scale that keeps the run going
  /// for a while) and a submission of `tasks` that is under way; returns
  /// n1's pid and the submission's.
  std::pair<pid_t, pid_t> start_run_with_three_nodes(int tasks, double time_scale = 0.02,
                                                     const std::vector<std::string>& coordinator_options = {}) {
    write_suite(tasks);
    auto where = start_coordinator(coordinator_options);
    auto first = start_node("n1", where, time_scale);
    second_node = start_node("n2", where, time_scale);
    start_node("n3", where, time_scale);
    await_workers(6);
    auto submit = start_submit(where);
    await_progress(30, tasks);
    return {first, submit};
  }

  fs::path dir;
  std::vector<pid_t> pids;
  pid_t coordinator = -1;
  std::string address;  // the last coordinator's HOST:PORT
  pid_t second_node = -1;
};

TEST_F(cluster, a_coordinator_and_three_nodes_complete_every_task_exactly_once) {
  const int tasks = 300;
  write_suite(tasks);
  auto where = start_coordinator();
  for (auto name : {"n1", "n2", "n3"}) start_node(name, where, 0.002);
  await_workers(6);
  auto submit = start_submit(where);
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
  // Every node ran some of it.
  auto results = log("results.jsonl");
  for (auto name : {"\"n1/", "\"n2/", "\"n3/"}) EXPECT_NE(results.find(name), std::string::npos) << name;
  auto status = dtf::testing::run_dtf({"status", "--coordinator", where});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("300 succeeded"), std::string::npos) << status.out;
}

TEST_F(cluster, a_node_killed_mid_run_has_its_tasks_requeued_and_finished_elsewhere_exactly_once) {
  const int tasks = 300;
  auto [victim, submit] = start_run_with_three_nodes(tasks);
  ::kill(victim, SIGKILL);
  // The broken connection is a down message at once: the tasks it ran are re-queued.
  EXPECT_TRUE(eventually([&] { return count(log("coordinator.log"), "worker n1/") >= 4; })) << log("coordinator.log");
  const std::regex requeued{"worker n1/cpu-[ab] lost \\(.*\\); its ([1-9][0-9]*) tasks re-queued"};
  EXPECT_TRUE(std::regex_search(log("coordinator.log"), requeued)) << log("coordinator.log");
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
}

TEST_F(cluster, an_attempt_lost_with_its_killed_node_is_an_attempt_of_its_own_and_the_rerun_takes_the_next_number) {
  const int tasks = 300;
  auto [victim, submit] = start_run_with_three_nodes(tasks, 0.02, {"--journal", "journal.sqlite"});
  ::kill(victim, SIGKILL);
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
  // Each attempt is one line, the lost ones included (before: the attempt
  // that ran on n1 was no line at all, and its number was a gap).
  std::map<std::pair<std::string, int>, nlohmann::json> lines;
  std::vector<nlohmann::json> lost;
  std::ifstream in{dir / "results.jsonl"};
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    const auto key = std::make_pair(record.at("task").get<std::string>(), record.at("attempt").get<int>());
    EXPECT_TRUE(lines.emplace(key, record).second) << "attempt " << key.second << " of " << key.first << " twice";
    if (record.at("status") == "lost") lost.push_back(record);
  }
  ASSERT_FALSE(lost.empty()) << log("results.jsonl");
  for (const auto& record : lost) {
    const auto task = record.at("task").get<std::string>();
    EXPECT_EQ(record.at("worker").get<std::string>().rfind("n1/", 0), 0u) << record.dump();
    EXPECT_GT(record.at("start").get<double>(), 0.0) << record.dump();
    EXPECT_GE(record.at("end").get<double>(), record.at("start").get<double>()) << record.dump();
    EXPECT_NE(record.at("error").get<std::string>().find("lost"), std::string::npos) << record.dump();
    // Its task ran again under the next number, elsewhere, and succeeded.
    const auto next = lines.find({task, record.at("attempt").get<int>() + 1});
    ASSERT_NE(next, lines.end()) << record.dump();
    EXPECT_EQ(next->second.at("worker").get<std::string>().rfind("n1/", 0), std::string::npos) << next->second.dump();
  }
  // Numbers have no gaps: attempts 1..N of each task are lines.
  std::map<std::string, int> highest;
  for (const auto& [key, record] : lines) highest[key.first] = std::max(highest[key.first], key.second);
  for (const auto& [task, n] : highest)
    for (int a = 1; a <= n; ++a) EXPECT_TRUE(lines.count({task, a})) << task << " attempt " << a << " is no line";

  // dtf report shows them.
  auto report = dtf::testing::run_dtf({"report", (dir / "results.jsonl").string(), "--html", (dir / "report.html").string()});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("(" + std::to_string(lines.size()) + " attempts)"), std::string::npos) << report.out;
  EXPECT_EQ(count(log("report.html"), "data-status=\"lost\""), lost.size());

  // The journal's attempts table has them too.
  ::kill(coordinator, SIGTERM);
  EXPECT_EQ(wait_exit(coordinator), 0);
  dtf::sqlite_journal journal{dir / "journal.sqlite"};
  std::size_t journaled_lost = 0, journaled = 0;
  for (const auto& a : journal.attempts(journal.runs().at(0).id)) {
    ++journaled;
    if (a.status != dtf::task_status::lost) continue;
    ++journaled_lost;
    EXPECT_EQ(a.worker_id.rfind("n1/", 0), 0u) << a.task_id;
    EXPECT_GT(a.start_unix_s, 0.0) << a.task_id;
    EXPECT_GE(a.end_unix_s, a.start_unix_s) << a.task_id;
  }
  EXPECT_EQ(journaled_lost, lost.size());
  EXPECT_EQ(journaled, lines.size());
}

TEST_F(cluster, orders_queued_on_a_killed_node_are_requeued_and_every_task_succeeds_once) {
  // --prefetch: each worker holds up to 6 orders beyond its 4 slots, queued on its node.
  const int tasks = 200;
  auto [victim, submit] = start_run_with_three_nodes(tasks, 0.02, {"--prefetch", "6"});
  ::kill(victim, SIGKILL);
  // What ran there and what waited there both go back to the queue: with
  // most of the suite still waiting, a worker of n1 had more orders than
  // its 4 slots.
  const std::regex requeued{"worker n1/cpu-[ab] lost \\(.*\\); its ([0-9]+) tasks re-queued"};
  auto most_requeued = [&] {
    int most = -1;
    const auto text = log("coordinator.log");
    for (std::sregex_iterator i{text.begin(), text.end(), requeued}, end; i != end; ++i)
      most = std::max(most, std::stoi((*i)[1].str()));
    return most;
  };
  EXPECT_TRUE(eventually([&] { return count(log("coordinator.log"), "worker n1/") >= 4; })) << log("coordinator.log");
  EXPECT_GT(most_requeued(), 4) << log("coordinator.log");
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
}

TEST_F(cluster, a_hung_node_and_a_killed_one_lose_no_task_and_run_none_twice) {
  const int tasks = 1000;
  auto [sleeper, submit] = start_run_with_three_nodes(tasks, 0.006);
  ::kill(sleeper, SIGSTOP);
  // Heartbeats stop: the connection timeout (default 4 s) declares it lost.
  const std::regex requeued{"worker n1/cpu-[ab] lost \\(.*\\); its ([1-9][0-9]*) tasks re-queued"};
  EXPECT_TRUE(eventually([&] { return std::regex_search(log("coordinator.log"), requeued); })) << log("coordinator.log");
  // A re-queued task placed again is on a new attempt: why the earlier one ended is not its reason. (Its new
  // attempt may end between two polls of 1,000 tasks, under a sanitizer or load: succeeded counts too -- a
  // finished task's state is "finished", its status "succeeded".)
  std::vector<std::string> every_task{"status", "--json", "--coordinator", address};
  for (int i = 0; i < tasks; ++i) every_task.push_back("t" + std::to_string(i));
  std::string placed_again;  // dtf status --json of a task placed again on its second attempt or later
  EXPECT_TRUE(eventually([&] {
    std::istringstream lines{dtf::testing::run_dtf(every_task).out};
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || j.value("attempts", 0) < 2) continue;
      const auto state = j.value("state", "");
      if (state != "assigned" && state != "running" && j.value("status", "") != "succeeded") continue;
      placed_again = line;
      return true;
    }
    return false;
  }));
  EXPECT_EQ(placed_again.find("lost"), std::string::npos) << placed_again;
  // Meanwhile another node dies outright.
  ::kill(second_node, SIGKILL);
  EXPECT_TRUE(eventually([&] { return log("coordinator.log").find("worker n2/cpu-b lost") != std::string::npos; }))
    << log("coordinator.log");
  ::kill(sleeper, SIGCONT);
  // Awake, n1 finds its connection gone, ends what it ran and joins again.
  EXPECT_TRUE(eventually([&] { return count(log("n1.log"), "joined the coordinator") >= 2; })) << log("n1.log");
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
  // Its first membership and the one after it woke (a join asked again is
  // not a new member, but a connection lost again would be: at least two).
  EXPECT_GE(count(log("coordinator.log"), "worker n1/cpu-a joined"), 2u) << log("coordinator.log");
  // Workers are counted, not joins and losses: six known, n2's two lost now, n1's back and not lost.
  auto stats = dtf::testing::run_dtf({"stats", "--coordinator", address});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["workers_registered"], 6) << stats.out;
  EXPECT_EQ(s["workers_lost"], 2) << stats.out;
  auto counts = dtf::testing::run_dtf({"status", "--coordinator", address});
  EXPECT_NE(counts.out.find("6 workers (2 lost)"), std::string::npos) << counts.out;
}

TEST_F(cluster, a_node_that_hears_nothing_back_over_a_connection_that_looks_up_reconnects_from_scratch) {
  // The node's own heartbeat timeout is ten minutes here: CAF does not tell it
  // that the coordinator went silent; its membership checks do.
  const int tasks = 50;
  write_suite(tasks);
  auto where = start_coordinator();
  start({"node", "--coordinator", where, "--name", "n1", "--no-local", "--fleet", "fleet.yaml", "--time-scale",
         "0.001", "--connection-timeout", "600", "--membership-check", "0.5", "--join-timeout", "1"},
        "n1.log");
  await_workers(2);
  ::kill(coordinator, SIGSTOP);
  EXPECT_TRUE(eventually([&] { return log("n1.log").find("answered none of 2 membership checks") != std::string::npos; }))
    << log("n1.log");
  ::kill(coordinator, SIGCONT);
  // A fresh connection: the old one's workers are lost, the new ones join.
  EXPECT_TRUE(eventually([&] { return count(log("n1.log"), "joined the coordinator") >= 2; })) << log("n1.log");
  EXPECT_TRUE(eventually([&] { return count(log("coordinator.log"), "worker n1/cpu-b lost") >= 1; }))
    << log("coordinator.log");
  await_workers(4);
  auto submit = start_submit(where);
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
}

TEST_F(cluster, nodes_join_a_restarted_coordinator_and_run_what_it_gets) {
  const int tasks = 50;
  write_suite(tasks);
  auto where = start_coordinator({}, restartable_port());
  start_node("n1", where, 0.001);
  await_workers(2);
  ::kill(coordinator, SIGKILL);
  wait_exit(coordinator);
  EXPECT_TRUE(eventually([&] { return log("n1.log").find("lost the coordinator") != std::string::npos; }))
    << log("n1.log");
  const auto port = where.substr(where.rfind(':') + 1);
  // A log of its own: the first one's lines must not count as the second's.
  coordinator = start({"coordinator", "--port", port}, "coordinator-2.log");
  await_workers(2, "coordinator-2.log");
  auto submit = start_submit(where);
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  expect_every_task_succeeded_once(tasks);
}

TEST_F(cluster, a_coordinator_killed_and_restarted_on_its_journal_loses_no_task_and_reruns_none_that_ended) {
  const int tasks = 200;
  write_suite(tasks);
  const auto where = start_coordinator({"--journal", "journal.sqlite"}, restartable_port());
  const auto port = where.substr(where.rfind(':') + 1);
  start_node("n1", where, 0.01);
  await_workers(2);
  auto submit = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;  // accepted (and journaled) before the reply
  auto status = [&] {
    auto r = dtf::testing::run_dtf({"status", "--coordinator", where, "--json"});
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json{};
  };
  ASSERT_TRUE(eventually([&] {
    auto s = status();
    return s.contains("succeeded") && s["succeeded"].get<int>() >= 16 && s["running"].get<int>() > 0;
  }));
  ::kill(coordinator, SIGKILL);
  wait_exit(coordinator);
  coordinator = start({"coordinator", "--port", port, "--journal", "journal.sqlite"}, "coordinator-2.log");
  // The node rejoins; the open tasks (those running at the crash included) run again.
  EXPECT_TRUE(eventually([&] {
    auto s = status();
    return s.contains("pending") && s["pending"] == 0 && s["assigned"] == 0 && s["running"] == 0;
  }));
  EXPECT_TRUE(std::regex_search(log("coordinator-2.log"), std::regex{"run 1 \\([1-9][0-9]* open tasks resumed"}))
    << log("coordinator-2.log");
  // The tasks that ended before the crash belong to the resumed run too: status
  // counts them and knows each (before: only the open tasks, the others unknown).
  EXPECT_TRUE(std::regex_search(log("coordinator-2.log"), std::regex{"resumed, [1-9][0-9]* ended before\\)"}))
    << log("coordinator-2.log");
  const auto counts = status();
  EXPECT_EQ(counts["submitted"], tasks) << counts.dump();
  EXPECT_EQ(counts["succeeded"], tasks) << counts.dump();
  std::vector<std::string> every{"status"};
  for (int i = 0; i < tasks; ++i) every.push_back("t" + std::to_string(i));
  every.insert(every.end(), {"--coordinator", where, "--json"});
  const auto each = dtf::testing::run_dtf(every);
  EXPECT_EQ(each.exit_code, 0) << each.out;
  std::istringstream lines{each.out};
  int known = 0;
  for (std::string line; std::getline(lines, line); ++known) {
    const auto u = nlohmann::json::parse(line);
    EXPECT_EQ(u["status"], "succeeded") << line;
    EXPECT_GE(u["attempts"].get<int>(), 1) << line;
    EXPECT_NE(u["worker"], "") << line;
  }
  EXPECT_EQ(known, tasks) << each.out;
  ::kill(coordinator, SIGTERM);
  EXPECT_EQ(wait_exit(coordinator), 0);
  auto history = dtf::testing::run_dtf({"history", "--journal", (dir / "journal.sqlite").string(), "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto h = nlohmann::json::parse(history.out);
  EXPECT_EQ(h["tasks_by_status"]["succeeded"], tasks) << history.out;  // every task ended succeeded ...
  int successes = 0;
  for (const auto& row : h["by_model_device"]) successes += row["succeeded"].get<int>();
  EXPECT_EQ(successes, tasks) << history.out;  // ... by one successful attempt
  EXPECT_EQ(h["runs"].size(), 1u) << history.out;
  EXPECT_EQ(h["runs"][0]["status"], "finished") << history.out;
  // Every attempt is a row, numbered without a gap or a repeat: those running
  // at the crash ended lost when the restart found them, and their tasks ran
  // again under the next number (before: no row, and the re-run took the same
  // number, and with it the same output file names on the node).
  dtf::sqlite_journal journal{dir / "journal.sqlite"};
  std::map<std::string, std::map<int, dtf::attempt_record>> numbered;
  std::size_t lost = 0;
  for (auto& a : journal.attempts(journal.runs().at(0).id)) {
    EXPECT_NE(a.status, dtf::task_status::running) << a.task_id << " attempt " << a.attempt;
    if (a.status == dtf::task_status::lost) {
      ++lost;
      EXPECT_GT(a.start_unix_s, 0.0) << a.task_id;
      EXPECT_GE(a.end_unix_s, a.start_unix_s) << a.task_id;
    }
    const auto task = a.task_id;
    const auto number = a.attempt;
    EXPECT_TRUE(numbered[task].emplace(number, std::move(a)).second) << task << " attempt " << number << " twice";
  }
  EXPECT_GT(lost, 0u) << "the attempts running at the crash";
  for (const auto& [task, attempts] : numbered) {
    EXPECT_EQ(attempts.rbegin()->first, static_cast<int>(attempts.size())) << task << ": a number skipped";
    EXPECT_EQ(attempts.rbegin()->second.status, dtf::task_status::succeeded) << task << ": the last attempt";
  }
}

TEST_F(cluster, status_cancel_and_stats_talk_to_a_running_coordinator) {
  const int tasks = 10;
  write_suite(tasks);
  auto where = start_coordinator();
  start_node("n1", where, 10.0);  // 300 s per task: nothing ends on its own here
  await_workers(2);
  auto submit = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("10 of 10 tasks accepted"), std::string::npos) << submit.out;

  // A running task's status says what its attempt is predicted to take, as the
  // update stream does (before, status left the prediction out).
  std::vector<std::string> every{"status"};
  for (int i = 0; i < tasks; ++i) every.push_back("t" + std::to_string(i));
  every.insert(every.end(), {"--coordinator", where, "--json"});
  EXPECT_TRUE(eventually([&] {
    const auto r = dtf::testing::run_dtf(every);
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.value("state", "") == "running" && j.value("predicted_s", 0.0) > 0.0) return true;
    }
    return false;
  }));
  auto text = every;
  text.pop_back();
  const auto running = dtf::testing::run_dtf(text);
  EXPECT_TRUE(std::regex_search(running.out, std::regex{": running on [^\n]*, predicted [0-9]"}))
      << running.out;

  auto one = dtf::testing::run_dtf({"cancel", "t0", "--coordinator", where});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("t0: cancelled"), std::string::npos) << one.out;
  auto again = dtf::testing::run_dtf({"cancel", "t0", "nosuch", "--coordinator", where});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("nosuch: unknown or already final"), std::string::npos) << again.out;

  auto t0 = dtf::testing::run_dtf({"status", "t0", "--coordinator", where, "--json"});
  EXPECT_EQ(t0.exit_code, 0) << t0.err;
  auto u = nlohmann::json::parse(t0.out);
  EXPECT_EQ(u["state"], "finished");
  EXPECT_EQ(u["status"], "cancelled");
  auto unknown = dtf::testing::run_dtf({"status", "nosuch", "--coordinator", where});
  EXPECT_EQ(unknown.exit_code, 1);
  // An id that is not UTF-8 (before: the JSON writer threw, no JSON at all).
  auto bytes = dtf::testing::run_dtf({"status", "no\xffsuch", "--coordinator", where, "--json"});
  EXPECT_EQ(bytes.exit_code, 1) << bytes.err;
  EXPECT_EQ(nlohmann::json::parse(bytes.out)["task"], "no\xef\xbf\xbdsuch") << bytes.out;

  auto all = dtf::testing::run_dtf({"cancel", "--all", "--coordinator", where});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find(std::to_string(tasks - 1) + " tasks cancelled"), std::string::npos) << all.out;
  auto both = dtf::testing::run_dtf({"cancel", "t1", "--all", "--coordinator", where});
  EXPECT_EQ(both.exit_code, 2);

  auto stats = dtf::testing::run_dtf({"stats", "--coordinator", where});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["submitted"], tasks);
  EXPECT_EQ(s["cancelled"], tasks);
  EXPECT_EQ(s["workers_registered"], 2);
  auto counts = dtf::testing::run_dtf({"status", "--coordinator", where});
  EXPECT_NE(counts.out.find("10 cancelled"), std::string::npos) << counts.out;
}

TEST_F(cluster, a_task_cancelled_while_its_retry_waits_ended_cancelled_and_keeps_its_attempts_error_beside_its_stderr) {
  // flaky fails (exit 3) and its retry waits a minute; dtf cancel ends it
  // then, with no attempt of its own. Before: its finished line and the
  // summary gave attempt 1's "exit code 3" as the reason it ended.
  std::ofstream{dir / "suite.yaml"} << "suite: cancels\ntasks:\n  - id: flaky\n    type: test\n    retries: 1\n"
                                       "    requirements: {hardware: [cpu]}\n"
                                       "    command: [sh, -c, 'echo broken >&2; exit 3']\n";
  auto where = start_coordinator({"--retry-backoff", "60s"});
  start({"node", "--coordinator", where, "--name", "n1", "--metrics-interval", "0"}, "n1.log");
  await_workers(1);
  auto submit = start({"submit", "suite.yaml", "--coordinator", where, "--results", "results.jsonl"}, "submit.log");
  ASSERT_TRUE(eventually([&] { return log("results.jsonl").find("\"exit code 3\"") != std::string::npos; }))
    << log("submit.log");
  const auto cancel = dtf::testing::run_dtf({"cancel", "flaky", "--coordinator", where});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  EXPECT_EQ(wait_exit(submit), 1) << log("submit.log");
  const auto out = log("submit.log");
  EXPECT_TRUE(std::regex_search(out, std::regex{"CANCELLED +flaky [^\n]*: cancelled\n"})) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex{"  flaky: cancelled on [^\n]*: cancelled \\(its attempt: exit code 3\\)\n"
                                                "    \\| broken\n"}))
    << out;
}

TEST_F(cluster, a_second_submission_of_the_same_ids_counts_its_rejections_against_the_tasks_submitted) {
  write_suite(3);
  auto where = start_coordinator();  // no node: the first submission's tasks stay pending
  auto first = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where, "--wait"});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  for (const char* line : {"[1/3] ", "[2/3] ", "[3/3] "}) EXPECT_NE(again.out.find(line), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("[1/1] "), std::string::npos) << again.out;
}

TEST_F(cluster, a_submission_whose_tasks_were_all_rejected_reports_no_busy_time_of_its_own) {
  const int tasks = 20;
  write_suite(tasks);
  auto where = start_coordinator();
  start_node("n1", where, 0.001);
  await_workers(2);
  // Each worker's line: id, busy wall s, utilization, slots, attempts.
  const std::regex worker_line{"\n  n1/cpu-[ab] +([0-9.]+) s +([0-9.]+) % of 4 slots +([0-9]+) attempts"};
  struct load {
    double busy_s = 0.0, utilization = 0.0;
    int attempts = 0;
  };
  const auto workers_of = [&](const std::string& out) {
    load sum;
    for (std::sregex_iterator i{out.begin(), out.end(), worker_line}, end; i != end; ++i) {
      sum.busy_s += std::stod((*i)[1].str());
      sum.utilization += std::stod((*i)[2].str());
      sum.attempts += std::stoi((*i)[3].str());
    }
    return sum;
  };
  auto first = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where, "--wait"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(workers_of(first.out).attempts, tasks) << first.out;
  // The second's tasks are all rejected (the ids are taken): it ran nothing,
  // so its workers' busy time, utilization and attempts are 0 (before: the
  // coordinator's whole busy time over this suite's wall time, capped at 100 %).
  auto again = dtf::testing::run_dtf({"submit", (dir / "suite.yaml").string(), "--coordinator", where, "--wait"});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find(std::to_string(tasks) + " rejected"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("workers (this suite's attempts: busy wall s"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0.0 % of 8 slots overall"), std::string::npos) << again.out;
  const auto own = workers_of(again.out);
  EXPECT_EQ(own.attempts, 0) << again.out;
  EXPECT_EQ(own.busy_s, 0.0) << again.out;
  EXPECT_EQ(own.utilization, 0.0) << again.out;
}

TEST_F(cluster, tasks_only_a_lost_node_can_run_wait_for_it_to_join_again_and_succeed_once) {
  // The only CPU worker is on node "cpu"; node "gpu" stays connected but can
  // run none of the CPU tasks. Before: when "cpu" was lost, every pending CPU
  // task ended unplaceable at once, stayed so after it joined again, and the
  // submission failed.
  const int tasks = 4;
  write_suite(tasks);
  std::ofstream{dir / "gpu.yaml"}
    << "workers:\n  - {id: g1, kind: cuda, name: NVIDIA A100, memory_gb: 40, compute_capability: 8.0, cores: 108, "
       "slots: 1}\n";
  std::ofstream{dir / "cpu.yaml"} << "workers:\n  - {id: c1, kind: cpu, name: Xeon, memory_gb: 64, cores: 16, slots: 2}\n";
  auto where = start_coordinator();
  start_node("gpu", where, 0.0, "gpu.yaml");
  auto cpu = start_node("cpu", where, 10.0, "cpu.yaml");  // 300 s per task: none ends before the kill
  await_workers(2);
  auto submit = start_submit(where);
  std::vector<std::string> every{"status"};
  for (int i = 0; i < tasks; ++i) every.push_back("t" + std::to_string(i));
  every.insert(every.end(), {"--coordinator", where});
  EXPECT_TRUE(eventually([&] { return count(dtf::testing::run_dtf(every).out, ": running on cpu/c1") == 2; }));

  ::kill(cpu, SIGKILL);
  wait_exit(cpu);
  // Every CPU task waits, pending, for the lost worker that can run it.
  const std::string waiting = "waiting for a lost worker that can run it to join again: cpu/c1 (no connected worker "
                              "can: gpu/g1: device kind cuda not in [cpu])";
  EXPECT_TRUE(eventually([&] { return count(dtf::testing::run_dtf(every).out, ": pending") == tasks; }))
    << dtf::testing::run_dtf(every).out << log("coordinator.log");
  const auto status = dtf::testing::run_dtf(every);
  EXPECT_EQ(count(status.out, waiting), static_cast<std::size_t>(tasks)) << status.out;
  const auto counts = dtf::testing::run_dtf({"status", "--coordinator", where});
  EXPECT_NE(counts.out.find(std::to_string(tasks) + " pending"), std::string::npos) << counts.out;
  EXPECT_NE(counts.out.find("0 unplaceable"), std::string::npos) << counts.out;

  // The node comes back under its name: the tasks run there, once each.
  start_node("cpu", where, 0.002, "cpu.yaml");
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log") << log("coordinator.log");
  expect_every_task_succeeded_once(tasks);
}

TEST_F(cluster, a_node_killed_outright_takes_its_running_command_and_the_command_s_children_with_it) {
  // A node offering this machine's real CPU workers runs a shell that starts
  // a background child and waits. Before: SIGKILL of the node left both
  // running (the node ends its commands on every other exit) while the
  // coordinator re-queued the task.
  const auto pids_file = dir / "pids";
  std::ofstream{dir / "suite.yaml"} << "suite: orphans\ntasks:\n  - id: long\n    type: test\n    retries: 0\n"
                                       "    requirements: {hardware: [cpu]}\n    command: [sh, -c, \"sleep 300 & echo $$ $! > "
                                    << pids_file.string() << ".tmp && mv " << pids_file.string() << ".tmp "
                                    << pids_file.string() << "; wait\"]\n";
  auto where = start_coordinator();
  auto node = start({"node", "--coordinator", where, "--name", "n1", "--metrics-interval", "0"}, "n1.log");
  await_workers(1);
  auto submit = start({"submit", "suite.yaml", "--coordinator", where}, "submit.log");
  EXPECT_EQ(wait_exit(submit), 0) << log("submit.log");
  ASSERT_TRUE(eventually([&] { return fs::exists(pids_file); })) << log("n1.log") << log("coordinator.log");
  pid_t shell = -1, child = -1;
  std::ifstream{pids_file} >> shell >> child;
  ASSERT_GT(shell, 0);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(dtf::testing::process_running(shell));
  EXPECT_TRUE(dtf::testing::process_running(child));

  ::kill(node, SIGKILL);
  wait_exit(node);
  EXPECT_TRUE(eventually([&] { return !dtf::testing::process_running(shell); }))
    << "the command outlived its node, killed with SIGKILL";
  EXPECT_TRUE(eventually([&] { return !dtf::testing::process_running(child); }))
    << "the command's background child outlived its node, killed with SIGKILL";
  EXPECT_TRUE(eventually([&] { return log("coordinator.log").find(" lost (") != std::string::npos; }))
    << log("coordinator.log");
  for (pid_t pid : {shell, child}) ::kill(pid, SIGKILL);  // whatever a failure left
}

TEST_F(cluster, a_node_waits_for_a_coordinator_that_is_not_there_yet) {
  // Nothing listens on this port yet: the node retries with backoff.
  auto where = start_coordinator({}, restartable_port());
  const auto port = where.substr(where.rfind(':') + 1);
  ::kill(coordinator, SIGKILL);
  wait_exit(coordinator);
  start_node("n1", where, 0.0);
  EXPECT_TRUE(eventually([&] { return count(log("n1.log"), "retrying in") >= 2; })) << log("n1.log");
  coordinator = start({"coordinator", "--port", port}, "coordinator.log");
  EXPECT_TRUE(eventually([&] { return log("n1.log").find("joined the coordinator") != std::string::npos; }))
    << log("n1.log") << log("coordinator.log");
}

} // namespace
