// The scheduler's switches and weights reach dtf plan, run and simulate as
// flags and as a --config file of [scheduling] keys; unknown keys and flags
// are exit 2 naming them.
#include "tests/cli/run_dtf.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using dtf::testing::run_dtf;

std::string source(const std::string& path) { return std::string{DTF_SOURCE_DIR} + "/" + path; }

std::vector<std::string> plan(std::vector<std::string> extra) {
  std::vector<std::string> args{"plan", source("examples/suite.yaml"), "--fleet", source("examples/fleet.yaml")};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(scheduling_switches, a_weight_flag_changes_the_plan_and_a_config_file_does_the_same) {
  auto defaults = run_dtf(plan({}));
  auto flagged = run_dtf(plan({"--weight-memory-margin", "7", "--no-load-balance"}));
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_NE(defaults.out, flagged.out);

  const auto file = fs::temp_directory_path() / ("dtf-switches-" + std::to_string(::getpid()) + ".conf");
  std::ofstream{file} << "[scheduling]\nload-balance=false\n[scheduling.weights]\nmemory-margin=7\n";
  auto from_file = run_dtf(plan({"--config", file.string()}));
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, flagged.out);
  fs::remove(file);
}

TEST(scheduling_switches, unknown_keys_and_bad_values_are_exit_2_naming_them) {
  const auto file = fs::temp_directory_path() / ("dtf-switches-bad-" + std::to_string(::getpid()) + ".conf");
  std::ofstream{file} << "[scheduling]\nload-balanse=false\n";
  for (const auto& command : {"plan", "run"}) {
    std::vector<std::string> args{command, source("examples/suite.yaml"), "--fleet", source("examples/fleet.yaml"),
                                  "--no-local", "--no-journal", "--config", file.string()};
    if (std::string{command} == "plan") args = plan({"--config", file.string()});
    auto r = run_dtf(args);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.err.find(file.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("scheduling.load-balanse"), std::string::npos) << r.err;
  }
  fs::remove(file);
  auto bad = run_dtf(plan({"--weight-load", "-1"}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--weight-load"), std::string::npos) << bad.err;
  auto sim = run_dtf({"simulate", "--trace", "x.jsonl", "--fleet", "y.yaml", "--weight-affinity", "lots"});
  EXPECT_EQ(sim.exit_code, 2);
  EXPECT_NE(sim.err.find("--weight-affinity"), std::string::npos) << sim.err;
}

} // namespace
