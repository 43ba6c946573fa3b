// `dtf run --http`: real HTTP requests against a real dtf run process with
// real (sleeping) commands. While it runs, /status, /metrics and /tasks/ID
// (with its explanation) answer; once it is over (--http-linger keeps the
// server up), /metrics parses line by line and agrees with the results file.
// /workers shows the local workers' live metrics, sampled by dtf run for the
// scheduler's efficiency term (none with --metrics-interval 0).
#include "dtf_process.hpp"
#include "tests/http/prometheus_text.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using dtf::testing::eventually;

constexpr const char* suite_text = R"(suite: http-watch
defaults: {type: test, retries: 0, requirements: {hardware: [cpu]}}
tasks:
  - {id: long, command: "sleep 2.5"}
  - {id: short-1, command: "sleep 0.3"}
  - {id: short-2, command: "sleep 0.3"}
  - {id: short-3, command: "sleep 0.3"}
  - {id: short-4, command: "sleep 0.3"}
  - {id: broken, command: "sh -c 'exit 3'"}
  - {id: too-big, command: "true", requirements: {min_memory_gb: 1000000}}
)";

struct attempt_line {
  std::string task, worker, status;
  double start = 0, end = 0;
};

class http_run : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("dtf-http-run-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream{dir / "suite.yaml"} << suite_text;
  }
  void TearDown() override {
    if (pid > 0 && dtf::testing::process_running(pid)) {
      ::kill(pid, SIGKILL);
      dtf::testing::wait_exit(pid);
    }
    fs::remove_all(dir);
  }

  /// The port dtf printed ("dtf run: serving http://127.0.0.1:PORT/").
  int port() {
    int found = 0;
    eventually([&] {
      std::smatch m;
      const auto text = dtf::testing::read_text(dir / "output");
      static const std::regex served{R"(serving http://127\.0\.0\.1:([0-9]+)/)"};
      if (std::regex_search(text, m, served)) found = std::stoi(m[1]);
      return found > 0 || !dtf::testing::process_running(pid);
    });
    return found;
  }

  std::vector<attempt_line> results() const {
    std::vector<attempt_line> out;
    std::ifstream in{dir / "results.jsonl"};
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      out.push_back({j["task"].get<std::string>(), j["worker"].get<std::string>(), j["status"].get<std::string>(),
                     j["start"].get<double>(), j["end"].get<double>()});
    }
    return out;
  }

  /// Until the run is over and its server lingers (a SIGTERM before the final
  /// state would interrupt the run).
  void wait_until_over_and_lingering(httplib::Client& client) {
    EXPECT_TRUE(eventually([&] {
      auto r = client.Get("/status");
      return r && r->status == 200 && nlohmann::json::parse(r->body)["state"] != "running";
    })) << dtf::testing::read_text(dir / "output");
    EXPECT_TRUE(eventually([&] { return dtf::testing::read_text(dir / "output").find("for 120 s") != std::string::npos; }))
      << dtf::testing::read_text(dir / "output");
  }

  /// Runs two short tasks on the local workers with these extra arguments
  /// and returns /workers once both are final (the server lingers), then
  /// ends the process.
  nlohmann::json workers_after_short_run(const std::vector<std::string>& extra) {
    std::ofstream{dir / "suite.yaml"} << R"(suite: live-metrics
defaults: {type: test, retries: 0, requirements: {hardware: [cpu]}}
tasks:
  - {id: a, command: "sleep 0.2"}
  - {id: b, command: "sleep 0.2"}
)";
    std::vector<std::string> args{"run", "suite.yaml", "--no-journal", "--http", "127.0.0.1:0", "--http-linger", "120"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid = dtf::testing::start_dtf(dir, args, dir / "output");
    const int p = port();
    if (p <= 0) {
      ADD_FAILURE() << dtf::testing::read_text(dir / "output");
      return {};
    }
    httplib::Client client{"127.0.0.1", p};
    client.set_read_timeout(10, 0);
    wait_until_over_and_lingering(client);
    nlohmann::json workers;
    if (auto r = client.Get("/workers"); r && r->status == 200) workers = nlohmann::json::parse(r->body)["workers"];
    else ADD_FAILURE() << "no /workers";
    ::kill(pid, SIGTERM);
    EXPECT_EQ(dtf::testing::wait_exit(pid), 0) << dtf::testing::read_text(dir / "output");
    pid = -1;
    return workers;
  }

  fs::path dir;
  pid_t pid = -1;
};

TEST_F(http_run, serves_the_run_while_it_goes_and_metrics_that_agree_with_the_results) {
  pid = dtf::testing::start_dtf(dir,
                                {"run", "suite.yaml", "--no-journal", "--results", "results.jsonl", "--http",
                                 "127.0.0.1:0", "--http-linger", "120", "--max-tasks-per-worker", "2"},
                                dir / "output");
  const int p = port();
  ASSERT_GT(p, 0) << dtf::testing::read_text(dir / "output");
  httplib::Client client{"127.0.0.1", p};
  client.set_read_timeout(10, 0);

  // While it runs ('long' sleeps 2.5 s).
  auto status = client.Get("/status");
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  auto live = nlohmann::json::parse(status->body);
  EXPECT_EQ(live["state"], "running");
  EXPECT_FALSE(live["workers"].empty());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto running_doc = dtf::testing::parse_prometheus_text(metrics->body);
  for (const auto& e : running_doc.errors) ADD_FAILURE() << e;
  auto task = client.Get("/tasks/long");
  ASSERT_TRUE(task);
  ASSERT_EQ(task->status, 200);
  auto long_task = nlohmann::json::parse(task->body);
  EXPECT_EQ(long_task["id"], "long");
  ASSERT_TRUE(long_task["explanation"].is_object()) << task->body;
  EXPECT_FALSE(long_task["explanation"]["candidates"].empty());

  // Once every task is final.
  ASSERT_TRUE(eventually([&] {
    auto r = client.Get("/status");
    return r && r->status == 200 && nlohmann::json::parse(r->body)["state"] != "running";
  })) << dtf::testing::read_text(dir / "output");
  ASSERT_TRUE(eventually([&] { return dtf::testing::read_text(dir / "output").find("for 120 s") != std::string::npos; }));
  metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto doc = dtf::testing::parse_prometheus_text(metrics->body);
  for (const auto& e : doc.errors) ADD_FAILURE() << e;
  for (const char* family : {"dtf_tasks", "dtf_queue_length", "dtf_scheduler_placements_total",
                             "dtf_scheduler_deferrals_total", "dtf_scheduler_round_duration_seconds",
                             "dtf_worker_busy_fraction", "dtf_worker_utilization", "dtf_prediction_mape_ratio",
                             "dtf_scheduler_backups_started_total", "dtf_backup_wasted_slot_seconds_total"})
    EXPECT_TRUE(doc.types.count(family)) << family;

  const auto attempts = results();
  std::map<std::string, std::string> final_status;
  std::map<std::string, double> busy;
  for (const auto& a : attempts) {
    final_status[a.task] = a.status;
    busy[a.worker] += a.end - a.start;
  }
  std::map<std::string, int> by_status;
  for (const auto& [id, s] : final_status) ++by_status[s];
  EXPECT_EQ(by_status["succeeded"], 5);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "succeeded"}}), by_status["succeeded"]);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "failed"}}), by_status["failed"]);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "unplaceable"}}), 1);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "running"}}), 0);
  EXPECT_EQ(doc.value("dtf_tasks", {{"state", "pending"}}), 0);
  EXPECT_EQ(doc.value("dtf_tasks_submitted_total"), 7);
  EXPECT_EQ(doc.value("dtf_attempts_total"), static_cast<double>(attempts.size()));
  EXPECT_EQ(doc.sum("dtf_worker_attempts_total"), static_cast<double>(attempts.size()));
  EXPECT_EQ(doc.value("dtf_scheduler_placements_total"), static_cast<double>(attempts.size()));
  EXPECT_EQ(doc.value("dtf_queue_length"), 0);
  EXPECT_EQ(doc.value("dtf_run_finished"), 1);
  EXPECT_EQ(doc.value("dtf_scheduler_round_duration_seconds_bucket", {{"le", "+Inf"}}),
            doc.value("dtf_scheduler_round_duration_seconds_count"));
  for (const auto& s : doc.samples) {
    if (s.name != "dtf_worker_busy_seconds_total") continue;
    // Results give start and end to a hundredth of a second.
    EXPECT_NEAR(s.value, busy[s.labels.at("worker")], 0.011 * static_cast<double>(attempts.size())) << s.labels.at("worker");
    const double u = doc.value("dtf_worker_utilization", s.labels);
    EXPECT_GE(u, 0.0);
    EXPECT_LE(u, 1.0);
  }

  auto final_status_doc = nlohmann::json::parse(client.Get("/status")->body);
  EXPECT_EQ(final_status_doc["state"], "finished");
  EXPECT_EQ(final_status_doc["timeline"]["attempts"].size(), attempts.size());
  EXPECT_EQ(final_status_doc["counts"]["succeeded"], 5);
  auto tasks = nlohmann::json::parse(client.Get("/tasks")->body);
  EXPECT_EQ(tasks["total"], 7);
  auto broken = nlohmann::json::parse(client.Get("/tasks/broken")->body);
  EXPECT_EQ(broken["state"], "failed");
  auto workers = nlohmann::json::parse(client.Get("/workers")->body);
  EXPECT_FALSE(workers["workers"].empty());
  auto stats = nlohmann::json::parse(client.Get("/stats")->body);
  EXPECT_EQ(stats["scheduler"]["decisions"], attempts.size());

  // Ctrl-C ends the linger; the run's own exit code stays (a task failed).
  ::kill(pid, SIGTERM);
  EXPECT_EQ(dtf::testing::wait_exit(pid), 1);
  pid = -1;
}

TEST_F(http_run, workers_show_the_live_metrics_dtf_run_samples_for_the_scheduler) {
  const auto workers = workers_after_short_run({});
  ASSERT_TRUE(workers.is_array() && !workers.empty());
  for (const auto& w : workers) {
    ASSERT_FALSE(w["emulated"].get<bool>()) << w.dump();
    ASSERT_TRUE(w.contains("device_utilization")) << w.dump();
    EXPECT_GE(w["device_utilization"].get<double>(), 0.0) << w.dump();
    EXPECT_LE(w["device_utilization"].get<double>(), 1.0) << w.dump();
    ASSERT_TRUE(w.contains("memory_used_bytes")) << w.dump();
    EXPECT_GT(w["memory_used_bytes"].get<std::uint64_t>(), 0u) << w.dump();
  }
}

TEST_F(http_run, a_metrics_interval_of_0_samples_nothing) {
  const auto workers = workers_after_short_run({"--metrics-interval", "0"});
  ASSERT_TRUE(workers.is_array() && !workers.empty());
  for (const auto& w : workers) {
    EXPECT_FALSE(w.contains("device_utilization")) << w.dump();
    EXPECT_FALSE(w.contains("memory_used_bytes")) << w.dump();
  }
}

TEST_F(http_run, a_task_that_succeeds_on_its_second_attempt_carries_no_failure_reason) {
  const auto marker = (dir / "tried").string();
  std::ofstream{dir / "suite.yaml"} << "suite: flaky\ntasks:\n"
                                       "  - {id: flaky, type: test, retries: 1, requirements: {hardware: [cpu]},\n"
                                       "     command: [sh, -c, \"test -e '" + marker + "' || { touch '" + marker +
                                           "'; echo first attempt fails >&2; exit 3; }\"]}\n";
  pid = dtf::testing::start_dtf(dir, {"run", "suite.yaml", "--no-journal", "--http", "127.0.0.1:0", "--http-linger", "120"},
                                dir / "output");
  const int p = port();
  ASSERT_GT(p, 0) << dtf::testing::read_text(dir / "output");
  httplib::Client client{"127.0.0.1", p};
  client.set_read_timeout(10, 0);
  wait_until_over_and_lingering(client);
  auto task = client.Get("/tasks/flaky");
  ASSERT_TRUE(task);
  ASSERT_EQ(task->status, 200);
  const auto flaky = nlohmann::json::parse(task->body);
  EXPECT_EQ(flaky["state"], "succeeded") << task->body;
  EXPECT_EQ(flaky["attempts"], 2) << task->body;
  EXPECT_EQ(flaky["reason"], "") << "attempt 1's failure is not the succeeded task's: " << task->body;
  ::kill(pid, SIGTERM);
  EXPECT_EQ(dtf::testing::wait_exit(pid), 0) << dtf::testing::read_text(dir / "output");
  pid = -1;
}

TEST_F(http_run, the_coordinator_of_a_cluster_serves_metrics_too) {
  pid = dtf::testing::start_dtf(dir, {"coordinator", "--port", "0", "--http", "127.0.0.1:0"}, dir / "output");
  const int p = port();
  ASSERT_GT(p, 0) << dtf::testing::read_text(dir / "output");
  httplib::Client client{"127.0.0.1", p};
  client.set_read_timeout(10, 0);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  auto doc = dtf::testing::parse_prometheus_text(metrics->body);
  for (const auto& e : doc.errors) ADD_FAILURE() << e;
  EXPECT_EQ(doc.value("dtf_workers", {{"state", "registered"}}), 0) << "no node joined";
  auto status = client.Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  ::kill(pid, SIGTERM);
  EXPECT_EQ(dtf::testing::wait_exit(pid), 0);
  pid = -1;
}

TEST_F(http_run, refuses_a_public_address_without_a_token) {
  auto r = dtf::testing::start_dtf(dir, {"run", "suite.yaml", "--no-journal", "--http", "0.0.0.0:0"}, dir / "output");
  EXPECT_EQ(dtf::testing::wait_exit(r), 2);
  EXPECT_NE(dtf::testing::read_text(dir / "output").find("bearer token"), std::string::npos)
      << dtf::testing::read_text(dir / "output");
}

} // namespace
