// `dtf plan`, run as the real binary (DTF_BINARY) on the bundled example.
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace {

using dtf::testing::run_dtf;

std::string source(const std::string& relative) { return std::string{DTF_SOURCE_DIR} + "/" + relative; }
const std::string example_suite = source("examples/suite.yaml");
const std::string example_fleet = source("examples/fleet.yaml");
const std::vector<std::string> example_workers{"worker-cuda-1", "worker-cuda-2", "worker-cpu-1", "worker-rocm-1"};

std::size_t line_count(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

} // namespace

TEST(plan_command, plans_every_task_of_the_bundled_example_and_exits_0) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto plan = nlohmann::json::parse(result.out);
  ASSERT_TRUE(plan.contains("assignments"));
  ASSERT_TRUE(plan.contains("pending"));
  ASSERT_TRUE(plan.contains("stats"));
  EXPECT_FALSE(plan.contains("explain"));
  EXPECT_TRUE(plan["pending"].empty()) << plan["pending"].dump();
  EXPECT_EQ(plan["assignments"].size(), 19u);  // 13 entries, two matrices of 4
  std::set<std::string> tasks;
  for (const auto& a : plan["assignments"]) {
    tasks.insert(a["task"].get<std::string>());
    EXPECT_NE(std::find(example_workers.begin(), example_workers.end(), a["worker"].get<std::string>()),
              example_workers.end());
    EXPECT_TRUE(a["score"].is_number());
    EXPECT_GE(a["start_s"].get<double>(), 0.0);
    EXPECT_GT(a["predicted_s"].get<double>(), 0.0);
  }
  EXPECT_EQ(tasks.size(), 19u) << "each task is planned once";
  EXPECT_TRUE(tasks.count("bert-base-cuda"));
  EXPECT_TRUE(tasks.count("t5-base-b8"));
}

TEST(plan_command, places_hard_requirements_on_the_only_capable_worker) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, std::string> worker_of;
  const auto plan = nlohmann::json::parse(result.out);
  for (const auto& a : plan["assignments"]) worker_of[a["task"].get<std::string>()] = a["worker"].get<std::string>();
  EXPECT_EQ(worker_of["llama-7b-inference"], "worker-cuda-2");  // 24 GB, cc 8.0, nvlink: only the A100
  EXPECT_EQ(worker_of["cuda-kernel-tests"], "worker-cuda-1");   // cc 8.6 and "RTX": only the 3080
  EXPECT_EQ(worker_of["rocm-smoke-test"], "worker-rocm-1");
  EXPECT_EQ(worker_of["wav2vec2-base-cpu"], "worker-cpu-1");
  EXPECT_EQ(worker_of["data-pipeline-tests"], "worker-cpu-1");
}

TEST(plan_command, same_input_gives_the_same_plan) {
  const auto first = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json"});
  const auto second = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
}

TEST(plan_command, json_explain_lists_every_worker_with_terms_or_a_reason) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json", "--explain", "bert-base-cuda"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto explain = nlohmann::json::parse(result.out).at("explain");
  EXPECT_EQ(explain["task"], "bert-base-cuda");
  ASSERT_EQ(explain["candidates"].size(), example_workers.size());
  for (std::size_t i = 0; i < example_workers.size(); ++i) {
    const auto& c = explain["candidates"][i];
    EXPECT_EQ(c["worker"], example_workers[i]);
    if (c["feasible"].get<bool>())
      EXPECT_FALSE(c["terms"].empty());
    else
      EXPECT_FALSE(c["rejection"].get<std::string>().empty());
  }
  EXPECT_FALSE(explain["candidates"][2]["feasible"].get<bool>()) << "a CPU worker cannot run a cuda/rocm task";
  EXPECT_TRUE(explain["winner"].is_string());
}

TEST(plan_command, human_output_has_the_plan_table_stats_and_the_explanation) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--explain", "bert-base-cuda"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("predicted start"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("19 of 19 tasks planned"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("explain bert-base-cuda"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("hardware_match"), std::string::npos) << result.out;
  for (const auto& worker : example_workers) EXPECT_NE(result.out.find(worker), std::string::npos) << worker;
  EXPECT_NE(result.out.find("worker-cpu-1: not feasible"), std::string::npos) << result.out;
}

TEST(plan_command, lists_unplaceable_tasks_with_each_workers_reason_and_exits_1_as_dtf_run) {
  const auto result =
      run_dtf({"plan", source("tests/fixtures/suites/unplaceable.yaml"), "--fleet", example_fleet, "--json"});
  ASSERT_EQ(result.exit_code, 1) << result.err;
  const auto plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["stats"]["tasks_by_status"], nlohmann::json::parse(R"({"planned": 1, "unplaceable": 1})"));
  ASSERT_EQ(plan["assignments"].size(), 1u);
  EXPECT_EQ(plan["assignments"][0]["task"], "fits");
  ASSERT_EQ(plan["pending"].size(), 1u);
  EXPECT_EQ(plan["pending"][0]["task"], "too-big");
  EXPECT_EQ(plan["pending"][0]["reasons"].size(), example_workers.size());
}

TEST(plan_command, its_stats_count_a_task_no_worker_can_run_as_unplaceable_not_pending) {
  const auto result = run_dtf({"plan", source("tests/fixtures/suites/unplaceable.yaml"), "--fleet", example_fleet});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("unplaceable (1):\n  too-big\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("tasks by status:  planned 1, unplaceable 1\n"), std::string::npos) << result.out;
}

TEST(plan_command, malformed_suite_exits_2_with_one_line_naming_file_line_and_field) {
  const std::string bad = source("tests/fixtures/suites/bad_memory.yaml");
  const auto result = run_dtf({"plan", bad, "--fleet", example_fleet});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  EXPECT_EQ(result.err.rfind("dtf: " + bad + ":9: field 'requirements.min_memory_gb': must be >= 0, got -4", 0), 0u)
      << result.err;
}

TEST(plan_command, missing_fleet_file_exits_2_naming_the_file) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", "/nonexistent/fleet.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  EXPECT_NE(result.err.find("/nonexistent/fleet.yaml"), std::string::npos) << result.err;
}

TEST(plan_command, unknown_explain_task_exits_2_with_a_message) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--explain", "no-such-task"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(line_count(result.err), 1u) << result.err;
  EXPECT_NE(result.err.find("no-such-task"), std::string::npos) << result.err;
}

TEST(plan_command, bad_usage_exits_2) {
  EXPECT_EQ(run_dtf({"plan", example_suite}).exit_code, 2);  // no --fleet
  EXPECT_EQ(run_dtf({"plan", example_suite, "--fleet", example_fleet, "--policy", "nope"}).exit_code, 2);
  EXPECT_EQ(run_dtf({"plan", example_suite, "--fleet", example_fleet, "--max-tasks-per-worker", "0"}).exit_code, 2);
  EXPECT_EQ(run_dtf({"plan", example_suite, "--fleet", example_fleet, "--frobnicate"}).exit_code, 2);
}

TEST(plan_command, help_and_version_exit_0) {
  const auto help = run_dtf({"plan", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--fleet"), std::string::npos);
  EXPECT_EQ(run_dtf({"--help"}).exit_code, 0);
  const auto version = run_dtf({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("dtf ", 0), 0u);
}

TEST(plan_command, one_slot_per_worker_still_plans_every_task_in_later_waves) {
  const auto result = run_dtf({"plan", example_suite, "--fleet", example_fleet, "--json", "--max-tasks-per-worker", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto plan = nlohmann::json::parse(result.out);
  EXPECT_TRUE(plan["pending"].empty());
  EXPECT_EQ(plan["assignments"].size(), 19u);
  // Tasks on a worker never overlap in predicted time beyond its slots (cpu-1 sets 4 in the fleet).
  std::map<std::string, std::vector<std::pair<double, double>>> spans;
  for (const auto& a : plan["assignments"])
    spans[a["worker"].get<std::string>()].emplace_back(a["start_s"].get<double>(), a["start_s"].get<double>() + a["predicted_s"].get<double>());
  for (const auto& [worker, intervals] : spans) {
    const std::size_t slots = worker == "worker-cpu-1" ? 4 : 1;
    for (const auto& [start, end] : intervals) {
      (void)end;
      const auto overlapping = std::count_if(intervals.begin(), intervals.end(), [&, s = start](const auto& other) {
        return other.first <= s && s < other.second;
      });
      EXPECT_LE(static_cast<std::size_t>(overlapping), slots) << worker << " at " << start;
    }
  }
}

TEST(plan_command, plans_onto_the_compute_partitions_of_a_topology_file) {
  const auto result = run_dtf({"plan", source("examples/partition-suite.yaml"), "--topology",
                               source("tests/fixtures/hwloc/mi300a-cpx-2apu.xml"), "--json"});
  ASSERT_EQ(result.exit_code, 1) << result.err;  // two tasks no partition can run (below)
  const auto plan = nlohmann::json::parse(result.out);
  ASSERT_EQ(plan["assignments"].size(), 8u) << plan.dump();
  std::set<std::string> workers;
  for (const auto& a : plan["assignments"]) {
    const std::string worker = a["worker"].get<std::string>();
    EXPECT_EQ(worker.rfind("rocm", 0), 0u) << worker;  // rocm0 .. rocm11, one per partition
    EXPECT_LE(std::stoi(worker.substr(4)), 11);
    workers.insert(worker);
  }
  EXPECT_GE(workers.size(), 4u);  // several partitions of the APUs, not one whole device
  std::map<std::string, nlohmann::json> pending;
  for (const auto& p : plan["pending"]) pending[p["task"].get<std::string>()] = p["reasons"];
  ASSERT_EQ(pending.size(), 2u) << plan["pending"].dump();
  EXPECT_NE(pending["whole-apu-training"]["rocm0"].get<std::string>().find("memory"), std::string::npos)
      << pending["whole-apu-training"].dump();
  EXPECT_TRUE(pending.count("mig-inference"));
}

TEST(plan_command, needs_a_fleet_or_a_topology) {
  const auto result = run_dtf({"plan", example_suite});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("plan needs --fleet FLEET or --topology FILE.xml"), std::string::npos) << result.err;
}
