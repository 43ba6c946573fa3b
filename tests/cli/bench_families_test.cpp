// `dtf bench scheduling --families`, run as the real binary (DTF_BINARY).
#include "run_dtf.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using dtf::testing::run_dtf;

std::string out_dir() {
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   (std::string{"bench_families_test."} + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(bench_families, json_has_per_scenario_policy_summaries_comparisons_and_runs) {
  const auto dir = out_dir();
  const auto r = run_dtf({"bench", "scheduling", "--families", "--seeds", "2", "--seed", "3", "--tasks", "40",
                          "--workers", "10", "--family", "drift,churn", "--json", "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["options"]["seeds"], 2);
  EXPECT_EQ(j["options"]["tasks"], 40);
  ASSERT_EQ(j["scenarios"].size(), 4u);  // two families, batch and online
  EXPECT_EQ(j["scenarios"][0]["name"], "drift-batch");
  EXPECT_EQ(j["scenarios"][3]["name"], "churn-online");
  for (const auto& s : j["scenarios"]) {
    EXPECT_EQ(s["seeds"], nlohmann::json::array({3, 4}));
    EXPECT_EQ(s["tasks"], 40);
    EXPECT_EQ(s["workers"], 10);
    const auto policies = j["options"]["policies"].size();
    ASSERT_GE(policies, 5u);
    ASSERT_EQ(s["policies"].size(), policies + 1);  // and the clairvoyant reference
    EXPECT_EQ(s["policies"].back()["policy"], "clairvoyant");
    EXPECT_NE(s["best_baseline"], "clairvoyant");
    EXPECT_EQ(s["runs"].size(), 2 * (policies + 1));
    EXPECT_TRUE(s.contains("best_baseline"));
    EXPECT_GT(s["intelligent_over_best_mean_completion"].get<double>(), 0.0);
    {
      // The interval, recomputed from the runs: Student's t (1 degree of
      // freedom: 12.706) on the two seeds' log ratios against the best baseline.
      std::map<std::uint64_t, std::map<std::string, double>> mean_by_seed;
      for (const auto& run : s["runs"])
        mean_by_seed[run["seed"].get<std::uint64_t>()][run["policy"].get<std::string>()] =
            run["mean_completion_s"].get<double>();
      std::vector<double> logs;
      for (auto& [seed, by_policy] : mean_by_seed)
        logs.push_back(std::log(by_policy["intelligent"] / by_policy[s["best_baseline"].get<std::string>()]));
      ASSERT_EQ(logs.size(), 2u);
      const double mean = (logs[0] + logs[1]) / 2, sd = std::abs(logs[0] - logs[1]) / std::sqrt(2.0);
      const auto& interval = s["intelligent_over_best_mean_completion_interval_95"];
      ASSERT_TRUE(interval.is_array()) << s["name"];
      EXPECT_NEAR(interval[0].get<double>(), std::exp(mean - 12.706 * sd / std::sqrt(2.0)), 1e-9);
      EXPECT_NEAR(interval[1].get<double>(), std::exp(mean + 12.706 * sd / std::sqrt(2.0)), 1e-9);
      EXPECT_LE(interval[0].get<double>(), s["intelligent_over_best_mean_completion"].get<double>() + 1e-12);
      EXPECT_GE(interval[1].get<double>(), s["intelligent_over_best_mean_completion"].get<double>() - 1e-12);
    }
    EXPECT_NE(s["best_weighted_baseline"], "clairvoyant");
    EXPECT_NE(s["best_weighted_baseline"], "intelligent");
    EXPECT_GT(s["intelligent_over_best_priority_weighted_completion"].get<double>(), 0.0);
    for (const auto& p : s["policies"]) {
      for (const char* field : {"makespan_over_bound", "mean_completion_s", "p95_completion_s",
                                "priority_weighted_completion_s", "wasted_share", "p90_calibration",
                                "prediction_rank_correlation", "censored"})
        EXPECT_TRUE(p.contains(field)) << field;
      const bool is_intelligent = p["policy"] == "intelligent";
      for (const char* metric : {"makespan_over_bound", "mean_completion", "p95_completion",
                                 "priority_weighted_completion"}) {
        const auto& c = p["intelligent_vs"][metric];
        EXPECT_EQ(c.is_null(), is_intelligent) << p["policy"] << " " << metric;
        if (!is_intelligent) {
          EXPECT_LE(c["wins"].get<int>() + c["losses"].get<int>(), 2);
          EXPECT_TRUE(c.contains("ratio_interval_95")) << p["policy"] << " " << metric;
        }
      }
    }
    for (const auto& run : s["runs"])
      for (const char* field : {"seed", "policy", "mean_completion_s", "backup_wasted_s", "busy_slot_s",
                                "priority_weighted_completion_s", "censored", "lost_to_churn_s"})
        EXPECT_TRUE(run.contains(field)) << field;
  }
  EXPECT_TRUE(j["summary"].contains("intelligent_over_best_mean_completion"));
  EXPECT_TRUE(j["summary"].contains("worst_scenario"));
  EXPECT_GT(j["summary"]["intelligent_over_best_priority_weighted_completion"].get<double>(), 0.0);
  EXPECT_TRUE(j["summary"].contains("worst_weighted_scenario"));
  {
    // The targets, recomputed from the scenarios: the worst p95 ratio (against each scenario's lowest-p95 other
    // policy), the batch makespans' geometric mean (intelligent's and the clairvoyant's), the most wasted slot time
    // and the calibration range.
    double worst_p95 = 0.0, log_makespans = 0.0, log_references = 0.0, worst_wasted = 0.0;
    double lowest_calibration = 1.0, highest_calibration = 0.0;
    int batch = 0;
    // The worst scenarios' 95 % intervals: the mean's against its best other policy, the p95's against its
    // lowest-p95 one (two seeds here, so both are intervals).
    nlohmann::json worst_interval, worst_p95_interval;
    for (const auto& s : j["scenarios"]) {
      double best_p95 = std::numeric_limits<double>::infinity(), ratio = 0.0;
      std::string best;
      nlohmann::json p95_interval;
      for (const auto& p : s["policies"])
        if (p["policy"] != "intelligent" && p["policy"] != "clairvoyant" &&
            p["p95_completion_s"].get<double>() < best_p95) {
          best_p95 = p["p95_completion_s"].get<double>();
          ratio = p["intelligent_vs"]["p95_completion"]["ratio"].get<double>();
          p95_interval = p["intelligent_vs"]["p95_completion"]["ratio_interval_95"];
          best = p["policy"].get<std::string>();
        }
      EXPECT_EQ(s["best_p95_baseline"], best);
      EXPECT_DOUBLE_EQ(s["intelligent_over_best_p95_completion"].get<double>(), ratio);
      if (ratio > worst_p95) worst_p95_interval = p95_interval;
      if (s["name"] == j["summary"]["worst_scenario"])
        worst_interval = s["intelligent_over_best_mean_completion_interval_95"];
      worst_p95 = std::max(worst_p95, ratio);
      const auto& mine = s["policies"][0];
      ASSERT_EQ(mine["policy"], "intelligent");
      worst_wasted = std::max(worst_wasted, mine["wasted_share"].get<double>());
      lowest_calibration = std::min(lowest_calibration, mine["p90_calibration"].get<double>());
      highest_calibration = std::max(highest_calibration, mine["p90_calibration"].get<double>());
      if (s["arrivals"] == "batch" && mine["makespan_over_bound"].is_number()) {
        ++batch;
        log_makespans += std::log(mine["makespan_over_bound"].get<double>());
        log_references += std::log(s["policies"].back()["makespan_over_bound"].get<double>());
      }
    }
    const auto& summary = j["summary"];
    EXPECT_DOUBLE_EQ(summary["worst_p95_ratio"].get<double>(), worst_p95);
    ASSERT_TRUE(worst_interval.is_array());
    ASSERT_TRUE(worst_p95_interval.is_array());
    EXPECT_EQ(summary["worst_ratio_interval_95"], worst_interval);
    EXPECT_EQ(summary["worst_p95_ratio_interval_95"], worst_p95_interval);
    EXPECT_LE(worst_p95_interval[0].get<double>(), worst_p95 + 1e-12);
    EXPECT_GE(worst_p95_interval[1].get<double>(), worst_p95 - 1e-12);
    ASSERT_EQ(summary["batch_scenarios_with_bound"].get<int>(), batch);
    ASSERT_EQ(batch, 2);  // drift-batch and churn-batch
    EXPECT_NEAR(summary["batch_makespan_over_bound"].get<double>(), std::exp(log_makespans / batch), 1e-9);
    EXPECT_NEAR(summary["reference_batch_makespan_over_bound"].get<double>(), std::exp(log_references / batch), 1e-9);
    EXPECT_DOUBLE_EQ(summary["worst_wasted_share"].get<double>(), worst_wasted);
    EXPECT_DOUBLE_EQ(summary["p90_calibration_range"][0].get<double>(), lowest_calibration);
    EXPECT_DOUBLE_EQ(summary["p90_calibration_range"][1].get<double>(), highest_calibration);
  }
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "families.md"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "families.json"));
}

TEST(bench_families, text_output_has_a_table_per_scenario_and_the_summary_line) {
  const auto r = run_dtf({"bench", "scheduling", "--families", "--seeds", "1", "--tasks", "30", "--family",
                          "stragglers", "--arrivals", "online", "--out", out_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("== stragglers-online"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("stragglers-batch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean W-L ratio"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("families: intelligent mean completion / best other policy's"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by priority-weighted completion: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; priority-weighted: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("95 % interval"), std::string::npos) << r.out;  // one seed: no interval
  // The targets, each with its goal and verdict; no batch scenario here, so no makespan row.
  EXPECT_NE(r.out.find("targets:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("worst scenario, p95 / best other's p95"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<= 1.03"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("batch makespan / bound"), std::string::npos) << r.out;
  const auto two = run_dtf({"bench", "scheduling", "--families", "--seeds", "2", "--tasks", "30", "--family",
                            "stragglers", "--arrivals", "online", "--out", out_dir()});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(two.out.find("intelligent / it = "), std::string::npos) << two.out;
  EXPECT_NE(two.out.find(" (95 % interval "), std::string::npos) << two.out;
  // With two seeds the worst scenarios' rows carry their intervals too.
  const auto targets = two.out.substr(two.out.find("targets:\n"));
  EXPECT_NE(targets.find("stragglers-online "), std::string::npos) << targets;
  std::size_t with_interval = 0;
  for (std::size_t at = targets.find(" (95 % interval "); at != std::string::npos;
       at = targets.find(" (95 % interval ", at + 1))
    ++with_interval;
  EXPECT_EQ(with_interval, 2u) << targets;  // the mean's and the p95's worst scenario
}

TEST(bench_families, a_family_s_workload_written_by_trace_generate_replays_to_the_bench_s_figures) {
  // The scenarios without a changing fleet: dtf simulate on the written trace and fleet gives the bench's run.
  const auto dir = std::filesystem::path(out_dir());
  std::filesystem::create_directories(dir);
  for (const auto& [family, arrivals] : std::vector<std::pair<std::string, std::string>>{
           {"drift", "batch"}, {"scarce_memory", "online"}, {"new_models", "online"}}) {
    const std::vector<std::string> workload{"--seed", "3", "--tasks", "40", "--workers", "10", "--family", family,
                                            "--arrivals", arrivals};
    std::vector<std::string> bench{"bench", "scheduling", "--families", "--seeds", "1", "--policies", "intelligent",
                                   "--json", "--out", (dir / "bench").string()};
    bench.insert(bench.end(), workload.begin(), workload.end());
    const auto b = run_dtf(bench);
    ASSERT_EQ(b.exit_code, 0) << b.err;
    const auto run = nlohmann::json::parse(b.out)["scenarios"][0]["runs"][0];
    ASSERT_EQ(run["policy"], "intelligent");

    const auto trace = (dir / (family + ".jsonl")).string(), fleet = (dir / (family + ".yaml")).string();
    std::vector<std::string> generate{"trace", "generate", "--out", trace, "--fleet-out", fleet};
    generate.insert(generate.end(), workload.begin(), workload.end());
    const auto g = run_dtf(generate);
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_NE(g.err.find(family + " " + arrivals + ", 40 tasks, 10 workers (seed 3)"), std::string::npos) << g.err;
    const auto sim = run_dtf({"simulate", "--trace", trace, "--fleet", fleet, "--policy", "intelligent", "--json"});
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    const auto replay = nlohmann::json::parse(sim.out);
    EXPECT_EQ(replay["tasks"], 40) << family;
    EXPECT_EQ(replay["mean_completion_s"], run["mean_completion_s"]) << family;
    EXPECT_EQ(replay["makespan_s"], run["makespan_s"]) << family;
    EXPECT_EQ(replay["p95_completion_s"], run["p95_completion_s"]) << family;
  }
  // Philly's workload is written, with a word that the bench stops observing at its horizon.
  const auto philly = run_dtf({"trace", "generate", "--family", "philly", "--tasks", "20", "--out",
                               (dir / "philly.jsonl").string()});
  ASSERT_EQ(philly.exit_code, 0) << philly.err;
  EXPECT_NE(philly.err.find("the bench stops observing at "), std::string::npos) << philly.err;
  EXPECT_GT(std::filesystem::file_size(dir / "philly.jsonl"), 0u);
  // What a fleet file cannot say, and options that do not go together, are refused naming the option.
  for (const auto& [arguments, option, words] :
       std::vector<std::tuple<std::vector<std::string>, std::string, std::string>>{
           {{"--family", "stragglers"}, "--family", "which a fleet file cannot say"},
           {{"--family", "churn"}, "--family", "which a fleet file cannot say"},
           {{"--family", "nope"}, "--family", "unknown family 'nope' (valid: drift, "},
           {{"--family", "drift", "--fleet-shape", "cpu"}, "--fleet-shape", "--family sets its own fleet"},
           {{"--family", "drift", "--load", "2"}, "--load", "expected a number in (0, 1.5]"},
           {{"--load", "0.5"}, "--load", "is for --family workloads"}}) {
    std::vector<std::string> args{"trace", "generate", "--out", (dir / "refused.jsonl").string()};
    args.insert(args.end(), arguments.begin(), arguments.end());
    const auto r = run_dtf(args);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_NE(r.err.find("field '" + option + "': "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "refused.jsonl"));
}

TEST(bench_families, bad_options_exit_2_naming_the_option) {
  for (const auto& [arguments, option] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--families", "--family", "nope"}, "--family"},
           {{"--families", "--seeds", "0"}, "--seeds"},
           {{"--families", "--arrivals", "sometimes"}, "--arrivals"},
           {{"--families", "--load", "2"}, "--load"},
           {{"--families", "--policies", "seed,least_loaded"}, "--policies"},
           {{"--seeds", "3"}, "--seeds"},
           // Counts a run is sized by: a typo must not ask for a run out of
           // memory or time (before, these ran until killed), nor wrap past the
           // largest seed (before: a crash printing an empty list of seeds).
           {{"--families", "--tasks", "99999999999"}, "--tasks"},
           {{"--families", "--workers", "99999999999"}, "--workers"},
           {{"--families", "--seeds", "100000000"}, "--seeds"},
           {{"--families", "--seeds", "2", "--seed", "18446744073709551615"}, "--seed"},
           {{"--families", "--policies", "intelligent,seed,intelligent"}, "--policies"},
           {{"--tasks", "0"}, "--tasks"},
           {{"--workers", "99999999999"}, "--workers"}}) {
    std::vector<std::string> args{"bench", "scheduling", "--out", out_dir()};
    args.insert(args.end(), arguments.begin(), arguments.end());
    const auto r = run_dtf(args);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
  }
}

TEST(bench_families, the_largest_seed_is_a_seed_and_intelligent_alone_is_compared_with_nothing) {
  const auto r = run_dtf({"bench", "scheduling", "--families", "--seeds", "1", "--seed", "18446744073709551615",
                          "--tasks", "20", "--family", "churn", "--arrivals", "batch", "--policies", "intelligent",
                          "--out", out_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("seeds 18446744073709551615-18446744073709551615; no other policy to compare with"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("families: intelligent alone over 1 scenarios, no other policy to compare with"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("intelligent / it = "), std::string::npos) << r.out;  // not a ratio of 0
}

TEST(bench_families, timelines_show_where_each_policy_and_the_clairvoyant_ran_every_task) {
  const auto dir = out_dir();
  const auto r = run_dtf({"bench", "scheduling", "--families", "--seeds", "2", "--seed", "5", "--tasks", "30",
                          "--family", "churn", "--arrivals", "batch", "--policies", "intelligent,least_loaded",
                          "--timelines", "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("timelines/SCENARIO-SEED.csv"), std::string::npos) << r.out;
  for (const char* name : {"churn-batch-5.csv", "churn-batch-6.csv"}) {
    std::ifstream in(std::filesystem::path(dir) / "timelines" / name);
    ASSERT_TRUE(in) << name;
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "policy,task,worker,arrival_s,start_s,end_s,load_s,predicted_s,attempt,cancelled");
    std::map<std::string, std::set<std::string>> tasks_by_policy;
    while (std::getline(in, line)) {
      const auto policy = line.substr(0, line.find(','));
      const auto rest = line.substr(policy.size() + 1);
      tasks_by_policy[policy].insert(rest.substr(0, rest.find(',')));
    }
    // Every task placed by each policy (churn: some may be lost with a worker and run again).
    for (const char* policy : {"intelligent", "least_loaded", "clairvoyant"})
      EXPECT_EQ(tasks_by_policy[policy].size(), 30u) << name << " " << policy;
  }
}

TEST(bench_families, timelines_only_with_families) {
  const auto r = run_dtf({"bench", "scheduling", "--timelines", "--out", out_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--timelines"), std::string::npos) << r.err;
}

TEST(bench_scale_and_trace, counts_out_of_range_exit_2_naming_the_option) {
  for (const auto& [arguments, option] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"bench", "scale", "--tasks", "99999999999"}, "--tasks"},
           {{"bench", "scale", "--tasks", "0", "--workers", "0"}, "--workers"},
           {{"bench", "scale", "--tasks", "0", "--tasks-per-worker", "0"}, "--tasks-per-worker"},
           {{"bench", "scale", "--tasks", "0", "--tasks-per-worker", "99999999999"}, "--tasks-per-worker"},
           {{"trace", "generate", "--tasks", "99999999999"}, "--tasks"},
           {{"trace", "generate", "--workers", "99999999999"}, "--workers"},
           {{"trace", "generate", "--workers", "0"}, "--workers"}}) {
    const auto r = run_dtf(arguments);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_NE(r.err.find(option + "': expected an integer from "), std::string::npos) << r.err;
  }
}

} // namespace
