// End-to-end tests of `dtf run`: the real binary (DTF_BINARY) runs suites of
// real shell commands written to a temporary directory, on this machine's CPU
// workers. Every run is wrapped in `timeout` so a hang fails instead of blocking.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct run_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string dtf_binary() {
  const char* path = std::getenv("DTF_BINARY");
  return path ? path : "dtf";
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::ifstream in{p};
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

run_result run_shell(const std::string& command) {
  run_result r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH); }

class dtf_run : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("dtf-run-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path write_suite(const std::string& yaml) {
    auto path = dir / "suite.yaml";
    std::ofstream{path} << yaml;
    return path;
  }

  /// Runs `dtf run` on the suite in the temp dir, with results and JUnit files.
  run_result run(const std::string& extra = "") {
    // Each test keeps its own journal or none (never the user's default one).
    const auto journal = extra.find("--journal") == std::string::npos ? std::string{" --no-journal"} : std::string{};
    std::string cmd = "cd '" + dir.string() + "' && timeout 90 '" + dtf_binary() +
                      "' run suite.yaml --results results.jsonl --junit junit.xml --output-dir out " + extra + journal;
    return run_shell(cmd);
  }

  int xml_count(const std::string& xpath) {
    auto r = run_shell("xmllint --xpath '" + xpath + "' '" + (dir / "junit.xml").string() + "'");
    EXPECT_EQ(r.exit_code, 0) << "junit.xml does not parse: " << r.output;
    return std::atoi(r.output.c_str());
  }

  fs::path dir;
};

TEST_F(dtf_run, runs_real_commands_and_exits_zero_when_every_task_succeeds) {
  write_suite(R"(suite: ok
defaults: {timeout: 30s, requirements: {hardware: [cpu]}}
tasks:
  - id: hello
    command: [sh, -c, "echo hello from $DTF_TASK_ID; echo 'DTF_METRICS {{\"items_per_s\": 42}}'"]
  - id: second
    type: test
    command: "sh -c 'echo second'"
)");
  auto r = run();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto lines = read_lines(dir / "results.jsonl");
  ASSERT_EQ(lines.size(), 2u) << r.output;
  EXPECT_NE(read_file(dir / "results.jsonl").find("\"items_per_s\""), std::string::npos);
  EXPECT_NE(read_file(dir / "out" / "hello.1.stdout").find("hello from hello"), std::string::npos);
  EXPECT_EQ(xml_count("count(//testcase)"), 2);
  EXPECT_EQ(xml_count("count(//failure)"), 0);
}

TEST_F(dtf_run, exits_one_and_records_the_exit_code_when_a_command_fails) {
  write_suite(R"(suite: failing
tasks:
  - id: fails
    requirements: {hardware: [cpu]}
    command: [sh, -c, "echo broken >&2; exit 3"]
  - id: passes
    requirements: {hardware: [cpu]}
    command: [sh, -c, "exit 0"]
)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto results = read_file(dir / "results.jsonl");
  EXPECT_NE(results.find("\"exit_code\":3"), std::string::npos) << results;
  EXPECT_EQ(xml_count("count(//testcase)"), 2);
  EXPECT_EQ(xml_count("count(//failure)"), 1);
  EXPECT_NE(read_file(dir / "junit.xml").find("broken"), std::string::npos) << "failures carry the stderr tail";
}

TEST_F(dtf_run, kills_a_timed_out_command_and_everything_it_started) {
  write_suite(R"(suite: slow
tasks:
  - id: sleeper
    timeout: 1s
    requirements: {hardware: [cpu]}
    command: [sh, -c, "echo $$ > main.pid; sleep 300 & echo $! > child.pid; wait"]
)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(read_file(dir / "results.jsonl").find("timed_out"), std::string::npos);
  auto main_pid = std::atoi(read_file(dir / "main.pid").c_str());
  auto child_pid = std::atoi(read_file(dir / "child.pid").c_str());
  ASSERT_GT(main_pid, 0);
  ASSERT_GT(child_pid, 0);
  EXPECT_FALSE(process_alive(main_pid)) << "the command survived its timeout";
  EXPECT_FALSE(process_alive(child_pid)) << "a process the command started survived its timeout";
}

// No actor dies silently: the results file cannot be written (the callback
// that writes it throws inside an actor), so the run stops with exit 1, the
// unfinished tasks are errors in JUnit, and the summary and stderr say why.
TEST_F(dtf_run, a_failure_inside_dtf_stops_the_run_with_exit_one_and_the_outputs_say_why) {
  write_suite(R"(suite: full
tasks:
  - {id: first, requirements: {hardware: [cpu]}, command: [sh, -c, "sleep 0.2"]}
  - {id: second, requirements: {hardware: [cpu]}, command: [sh, -c, "sleep 0.2"]}
  - {id: third, requirements: {hardware: [cpu]}, command: [sh, -c, "sleep 0.2"]}
)");
  auto r = run_shell("cd '" + dir.string() + "' && timeout 90 '" + dtf_binary() +
                     "' run suite.yaml --results /dev/full --junit junit.xml --output-dir out --max-tasks-per-worker 1 --no-journal");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("run failed inside dtf: task update callback failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
  const auto junit = read_file(dir / "junit.xml");
  EXPECT_NE(junit.find("tests=\"3\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("type=\"interrupted\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("dtf failed: task update callback failed"), std::string::npos) << junit;
}

TEST_F(dtf_run, retries_a_failed_task_and_succeeds_on_the_second_attempt) {
  write_suite(R"(suite: flaky
tasks:
  - id: flaky
    retries: 2
    requirements: {hardware: [cpu]}
    command: [sh, -c, "if [ -e marker ]; then echo second try; else touch marker; exit 1; fi"]
)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto lines = read_lines(dir / "results.jsonl");
  ASSERT_EQ(lines.size(), 2u) << "one record per attempt";
  EXPECT_NE(lines[0].find("\"failed\""), std::string::npos);
  EXPECT_NE(lines[1].find("\"succeeded\""), std::string::npos);
  EXPECT_EQ(xml_count("count(//testcase)"), 1);
  EXPECT_EQ(xml_count("count(//failure)"), 0);
}

TEST_F(dtf_run, reports_a_task_no_worker_can_run_as_unplaceable_without_hanging) {
  write_suite(R"(suite: impossible
tasks:
  - id: needs-a-gpu
    requirements: {hardware: [cuda], min_memory_gb: 80}
    command: [sh, -c, "exit 0"]
  - id: runs
    requirements: {hardware: [cpu]}
    command: [sh, -c, "exit 0"]
)");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unplaceable"), std::string::npos) << r.output;
  EXPECT_EQ(read_lines(dir / "results.jsonl").size(), 1u) << "only the placeable task ran";
  EXPECT_EQ(xml_count("count(//testcase)"), 2);
  EXPECT_EQ(xml_count("count(//error)"), 1);
}

TEST_F(dtf_run, runs_gpu_tasks_on_an_emulated_fleet) {
  std::ofstream{dir / "fleet.yaml"} << R"(workers:
  - {id: gpu-a, kind: cuda, name: "NVIDIA A100-SXM4-40GB", memory_gb: 40, compute_capability: 8.0, speed: 1.6}
)";
  write_suite(R"(suite: mixed
tasks:
  - id: gpu-bench
    model: bert-base-uncased
    requirements: {hardware: [cuda], min_memory_gb: 8}
    command: [python3, bench.py]
  - id: cpu-test
    type: test
    requirements: {hardware: [cpu]}
    command: [sh, -c, "exit 0"]
)");
  auto r = run("--fleet fleet.yaml --time-scale 0");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto results = read_file(dir / "results.jsonl");
  EXPECT_NE(results.find("\"worker\":\"gpu-a\""), std::string::npos) << results;
}

// Gets smarter with every run: the second run with the same journal predicts
// the task from the first run's measurement instead of the default guess.
TEST_F(dtf_run, a_second_run_with_the_same_journal_predicts_from_the_first) {
  write_suite(R"(suite: learn
tasks:
  - id: nap
    type: test
    requirements: {hardware: [cpu]}
    command: [sh, -c, "sleep 0.2"]
)");
  const auto predicted_s = [&] {
    const auto lines = read_lines(dir / "results.jsonl");
    EXPECT_EQ(lines.size(), 1u);
    const auto at = lines.empty() ? std::string::npos : lines[0].find("\"predicted_s\":");
    return at == std::string::npos ? -1.0 : std::atof(lines[0].c_str() + at + 14);
  };
  auto first = run("--journal journal.sqlite");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("learned from 0 results of earlier runs"), std::string::npos) << first.output;
  const double cold_s = predicted_s();
  EXPECT_GE(cold_s, 10.0) << "no history: the default estimate for a test";
  auto second = run("--journal journal.sqlite");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("learned from 1 results of earlier runs"), std::string::npos) << second.output;
  const double warm_s = predicted_s();
  EXPECT_GT(warm_s, 0.0);
  EXPECT_LT(warm_s, 5.0) << "the first run measured about 0.2 s";
}

TEST_F(dtf_run, rejects_a_malformed_suite_with_exit_two_and_names_the_file) {
  write_suite("suite: bad\ntasks:\n  - id: x\n    requirements: {hardware: [quantum]}\n    command: [true]\n");
  auto r = run();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("suite.yaml"), std::string::npos) << r.output;
}

TEST_F(dtf_run, rejects_an_unknown_policy_with_exit_two_and_one_line_before_any_task_starts) {
  write_suite("suite: one\ntasks:\n  - {id: a, type: test, command: \"true\", requirements: {hardware: [cpu]}}\n");
  auto r = run("--policy nope");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "dtf run: unknown policy 'nope' (valid: intelligent, seed, round_robin, random, least_loaded, "
                      "min_completion)\n");
  EXPECT_FALSE(fs::exists(dir / "results.jsonl")) << "nothing ran";
}

TEST_F(dtf_run, rejects_a_missing_suite_file_with_exit_two) {
  auto r = run_shell("cd '" + dir.string() + "' && timeout 30 '" + dtf_binary() + "' run no-such-suite.yaml --no-journal");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

} // namespace

// README's main example, cut down: one emulated GPU worker and the real local
// CPU keep their clocks apart. Before: a real CPU benchmark's wall seconds
// answered, at the type level, for an emulated task of a model never seen
// (predicted 0.0038 s from history; it ran 96 modeled s), and an emulated
// task's modeled seconds for a real CPU task (predicted 33.9 s; it ran 0.001 s).
TEST_F(dtf_run, a_real_cpu_history_never_predicts_an_emulated_task_nor_the_other_way) {
  std::ofstream{dir / "fleet.yaml"} << R"(workers:
  - {id: gpu-a, kind: cuda, name: "NVIDIA A100-SXM4-40GB", memory_gb: 40, compute_capability: 8.0, speed: 1.0}
)";
  const std::string cpu_bench = R"(suite: clocks
tasks:
  - id: cpu-bench
    type: benchmark
    requirements: {hardware: [cpu]}
    command: [sh, -c, "exit 0"]
)";
  const std::string gpu_bench = R"(suite: clocks
tasks:
  - id: gpu-bench
    type: benchmark
    model: t5-base
    batch_size: 8
    requirements: {hardware: [cuda]}
    command: [python3, bench.py]
)";
  // The predicted_s and predicted_from of the results file's one line.
  const auto prediction = [&] {
    const auto lines = read_lines(dir / "results.jsonl");
    EXPECT_EQ(lines.size(), 1u);
    const std::string line = lines.empty() ? std::string{} : lines[0];
    const auto at = line.find("\"predicted_s\":");
    const double seconds = at == std::string::npos ? -1.0 : std::atof(line.c_str() + at + 14);
    const bool from_history = line.find("\"predicted_from\":\"history\"") != std::string::npos;
    return std::pair{seconds, from_history};
  };
  const auto run_in = [&](const std::string& suite, const std::string& journal) {
    write_suite(suite);
    auto r = run("--fleet fleet.yaml --time-scale 0 --journal " + journal);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  };

  run_in(cpu_bench, "real-first.sqlite");
  run_in(gpu_bench, "real-first.sqlite");
  const auto [gpu_s, gpu_from_history] = prediction();
  EXPECT_FALSE(gpu_from_history) << read_file(dir / "results.jsonl");
  EXPECT_NEAR(gpu_s, 60.0 * std::sqrt(8.0), 1e-6) << "the default for a benchmark of batch 8 on speed 1";

  run_in(gpu_bench, "emulated-first.sqlite");
  run_in(cpu_bench, "emulated-first.sqlite");
  const auto [cpu_s, cpu_from_history] = prediction();
  EXPECT_FALSE(cpu_from_history) << read_file(dir / "results.jsonl");
  EXPECT_NEAR(cpu_s, 60.0, 1e-6) << "the default for a benchmark";
}
