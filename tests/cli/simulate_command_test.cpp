// `dtf trace generate` and `dtf simulate`, run as the real binary (DTF_BINARY).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct finished_command {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Per test, since ctest runs the tests of this file in parallel processes.
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "simulate_command_test." +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + "." + name;
}

finished_command dtf(const std::string& arguments) {
  const char* binary = std::getenv("DTF_BINARY");
  EXPECT_NE(binary, nullptr) << "DTF_BINARY is not set";
  const std::string command = std::string{binary ? binary : "dtf"} + " " + arguments + " >" + temp("stdout") + " 2>" +
                              temp("stderr");
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(temp("stdout")), slurp(temp("stderr"))};
}

/// As dtf(), with stdout sent to `stdout_path` (/dev/full: every write fails).
finished_command dtf_stdout_to(const std::string& arguments, const std::string& stdout_path) {
  const char* binary = std::getenv("DTF_BINARY");
  const std::string command =
      std::string{binary ? binary : "dtf"} + " " + arguments + " >" + stdout_path + " 2>" + temp("stderr");
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", slurp(temp("stderr"))};
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(simulate_command, replays_a_generated_trace_and_prints_one_json_object) {
  const auto generated = dtf("trace generate --tasks 60 --workers 6 --seed 4 --out " + temp("trace.jsonl") +
                             " --fleet-out " + temp("fleet.yaml"));
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const auto run = dtf("simulate --trace " + temp("trace.jsonl") + " --fleet " + temp("fleet.yaml") +
                       " --policy seed --json --timeline " + temp("timeline.csv"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["policy"], "seed");
  EXPECT_EQ(result["tasks"], 60);
  EXPECT_EQ(result["workers"], 6);
  EXPECT_EQ(result["completed"], 60);
  EXPECT_GT(result["lower_bound"].get<double>(), 0.0);
  EXPECT_GE(result["makespan_s"].get<double>(), result["lower_bound"].get<double>());
  for (const char* field : {"mean_completion_s", "p95_completion_s", "mean_wait_s", "utilization", "load_time_s",
                            "affinity_hit_rate", "predictor_mape", "predictor_mape_after_warmup",
                            "scheduler_us_per_decision", "makespan_over_lower_bound"})
    EXPECT_TRUE(result.contains(field)) << field;
  ASSERT_TRUE(result["prediction_rank_correlation"].is_number());
  EXPECT_GE(result["prediction_rank_correlation"].get<double>(), -1.0);
  EXPECT_LE(result["prediction_rank_correlation"].get<double>(), 1.0);
  // Header plus one line per task.
  const auto timeline = slurp(temp("timeline.csv"));
  EXPECT_EQ(std::count(timeline.begin(), timeline.end(), '\n'), 61);
}

TEST(simulate_command, all_policies_print_one_table) {
  ASSERT_EQ(dtf("trace generate --tasks 40 --workers 6 --out " + temp("t2.jsonl") + " --fleet-out " +
                temp("f2.yaml")).exit_code, 0);
  const auto run = dtf("simulate --trace " + temp("t2.jsonl") + " --fleet " + temp("f2.yaml") + " --policy all");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* policy : {"intelligent", "seed", "round_robin", "random", "least_loaded", "min_completion",
                             "intelligent-no-affinity", "intelligent-no-specialization", "intelligent-no-prediction",
                             "intelligent-no-backups", "intelligent-no-faster-copies", "intelligent-no-deferral",
                             "intelligent-no-scarcity", "intelligent-longest-first", "intelligent-guessed-order",
                             "intelligent-submission-aged", "intelligent-no-probes", "intelligent-no-variants",
                             "intelligent-no-rank-verdict"})
    EXPECT_NE(run.out.find(policy), std::string::npos) << policy;
}

TEST(simulate_command, bad_trace_exits_2_with_one_line_naming_file_line_and_field) {
  write(temp("bad.jsonl"), "{\"id\":\"a\",\"duration\":{\"cpu\":1}}\n{\"id\":\"b\",\"arrival\":\"x\",\"duration\":{\"cpu\":1}}\n");
  write(temp("cpu.yaml"), "workers:\n  - {id: c, kind: cpu, name: CPU, memory_gb: 8, cores: 4, slots: 1}\n");
  const auto run = dtf("simulate --trace " + temp("bad.jsonl") + " --fleet " + temp("cpu.yaml"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bad.jsonl:2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("'arrival'"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST(simulate_command, unknown_policy_and_missing_options_exit_2) {
  write(temp("ok.jsonl"), "{\"id\":\"a\",\"duration\":{\"cpu\":1}}\n");
  write(temp("cpu2.yaml"), "workers:\n  - {id: c, kind: cpu, name: CPU, memory_gb: 8, cores: 4, slots: 1}\n");
  EXPECT_EQ(dtf("simulate --trace " + temp("ok.jsonl") + " --fleet " + temp("cpu2.yaml") + " --policy oracle").exit_code, 2);
  EXPECT_EQ(dtf("simulate --trace " + temp("ok.jsonl")).exit_code, 2);
  EXPECT_EQ(dtf("trace generate --arrivals sometimes").exit_code, 2);
}

// A product dtf cannot write (disk full) is a failure: one line naming it, exit 1 -- not a summary and exit 0.
TEST(simulate_command, an_output_that_cannot_be_written_exits_1_naming_it) {
  const auto expect_failure = [](const finished_command& run, const std::string& named) {
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("cannot write " + named), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  };
  expect_failure(dtf("trace generate --tasks 5 --out /dev/full"), "trace '/dev/full'");
  expect_failure(dtf("trace generate --tasks 5 --out " + temp("t.jsonl") + " --fleet-out /dev/full"), "fleet '/dev/full'");
  expect_failure(dtf_stdout_to("trace generate --tasks 5", "/dev/full"), "trace to stdout");
  ASSERT_EQ(dtf("trace generate --tasks 20 --workers 3 --out " + temp("t.jsonl") + " --fleet-out " + temp("f.yaml")).exit_code, 0);
  const std::string inputs = "simulate --trace " + temp("t.jsonl") + " --fleet " + temp("f.yaml");
  expect_failure(dtf(inputs + " --timeline /dev/full"), "timeline '/dev/full'");
  expect_failure(dtf(inputs + " --policy all --timeline /dev/full"), "timeline '/dev/full'");
  expect_failure(dtf_stdout_to(inputs + " --json", "/dev/full"), "stdout");
  expect_failure(dtf_stdout_to("plan " + std::string{DTF_SOURCE_DIR} + "/examples/suite.yaml --fleet " +
                               std::string{DTF_SOURCE_DIR} + "/examples/fleet.yaml --json", "/dev/full"), "stdout");
  expect_failure(dtf(inputs + " --timeline " + temp("no-such-dir") + "/timeline.csv"), "timeline");
}

} // namespace
