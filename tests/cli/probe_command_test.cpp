// `dtf probe`, run as the real binary (DTF_BINARY).
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sched.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The shared runner (tests/cli/run_dtf.hpp) takes argv words; these tests write them as one line.
dtf::testing::run_result run_dtf(const std::string& arguments) {
  std::vector<std::string> words;
  std::istringstream in(arguments);
  for (std::string word; in >> word;) words.push_back(word);
  return dtf::testing::run_dtf(words);
}

std::string own_fixture(const std::string& name) { return std::string{DTF_SOURCE_DIR} + "/tests/fixtures/hwloc/" + name; }

} // namespace

TEST(probe_command, lists_this_machines_cpu_workers_and_exits_0) {
  const auto result = run_dtf("probe --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_FALSE(json["workers"].empty());
  int pus = 0;
  for (const auto& w : json["workers"]) {
    // This CI machine has no GPU: only CPU workers, with their cores and cpuset.
    EXPECT_EQ(w["kind"], "cpu");
    EXPECT_GT(w["cores"].get<int>(), 0);
    EXPECT_FALSE(w["cpuset"].get<std::string>().empty());
    EXPECT_GT(w["memory_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_TRUE(w["pci_bus_id"].is_null());
    EXPECT_TRUE(w["compute_capability"].is_null());
    pus += w["pus"].get<int>();
  }
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  EXPECT_GE(pus, CPU_COUNT(&allowed));  // every CPU this test may use belongs to a worker
}

TEST(probe_command, prints_a_table_with_one_line_per_worker) {
  const auto result = run_dtf("probe --topology " + own_fixture("nvidia-2pkg-4xa100.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("cuda3"), std::string::npos);
  EXPECT_NE(result.out.find("NVIDIA A100-SXM4-40GB"), std::string::npos);
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 7);  // header + 6 workers
}

TEST(probe_command, json_for_a_topology_file_has_every_field_with_nulls_where_they_do_not_apply) {
  const auto result = run_dtf("probe --json --by numa --topology " + own_fixture("amd-1pkg-2numa-4xmi210.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto workers = nlohmann::json::parse(result.out)["workers"];
  ASSERT_EQ(workers.size(), 6u);
  for (const char* field : {"id", "kind", "name", "memory_bytes", "compute_capability", "arch", "cores", "cpuset",
                            "numa_nodes", "pci_bus_id", "slots"})
    for (const auto& w : workers) EXPECT_TRUE(w.contains(field)) << field;
  EXPECT_EQ(workers[0]["id"], "cpu-numa0");
  EXPECT_TRUE(workers[0]["arch"].is_null());
  EXPECT_EQ(workers[2]["id"], "rocm0");
  EXPECT_EQ(workers[2]["arch"], "gfx90a");
  EXPECT_EQ(workers[2]["memory_bytes"], 67092480ull * 1024);
  EXPECT_EQ(workers[2]["pci_bus_id"], "0000:c1:00.0");
  EXPECT_EQ(workers[2]["numa_nodes"], nlohmann::json::array({0}));
  EXPECT_TRUE(workers[2]["compute_capability"].is_null());
}

TEST(probe_command, compute_partitions_are_workers_and_the_deduced_mode_is_a_note) {
  const auto result = run_dtf("probe --json --topology " + own_fixture("mi300a-cpx-2apu.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  int rocm = 0;
  for (const auto& w : json["workers"]) {
    if (w["kind"] != "rocm") continue;
    EXPECT_EQ(w["id"], "rocm" + std::to_string(rocm));
    EXPECT_EQ(w["device_index"], rocm);
    EXPECT_EQ(w["cores"], 38);
    EXPECT_GT(w["memory_bytes"].get<std::uint64_t>(), 20ull << 30);
    EXPECT_TRUE(w["visible_device"].is_null());
    ++rocm;
  }
  EXPECT_EQ(rocm, 12);
  ASSERT_EQ(json["notes"].size(), 2u);
  EXPECT_NE(json["notes"][0].get<std::string>().find("cpx follows from 6 partitions"), std::string::npos);
  const auto table = run_dtf("probe --topology " + own_fixture("mi300a-cpx-2apu.xml"));
  EXPECT_NE(table.out.find("Aqua Vanjaram [Instinct MI300A] (partition 6 of 6)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("xgmi,partition:cpx,apu"), std::string::npos);
  EXPECT_NE(table.out.find("note: rocm6-rocm11 (6 partitions of the device at 0001:02:00.0)"), std::string::npos);
}

TEST(probe_command, unreadable_topology_file_exits_2_with_one_line_naming_it) {
  const auto result = run_dtf("probe --topology /nonexistent/machine.xml");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty());
  EXPECT_NE(result.err.find("/nonexistent/machine.xml"), std::string::npos);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
}

TEST(probe_command, unknown_grouping_exits_2) {
  const auto result = run_dtf("probe --by socket");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("socket"), std::string::npos);
}

TEST(probe_command, metrics_adds_live_utilization_and_memory_used_to_each_cpu_worker) {
  const auto result = run_dtf("probe --metrics --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  for (const auto& w : json["workers"]) {
    ASSERT_TRUE(w.contains("metrics"));
    const auto utilization = w["metrics"]["utilization"].get<double>();
    EXPECT_GE(utilization, 0.0);
    EXPECT_LE(utilization, 1.0);
    EXPECT_GT(w["metrics"]["memory_used_bytes"].get<std::uint64_t>(), 0u);
  }
}

TEST(probe_command, metrics_of_a_topology_file_is_refused_with_exit_2) {
  const auto result = run_dtf("probe --metrics --topology " + own_fixture("nvidia-2pkg-4xa100.xml"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--metrics"), std::string::npos);
}
