#pragma once
// `dtf bench scheduling --families`: every policy on each scenario family
// (scheduler/simulation/scenario_families.hpp), batch and online, over several
// seeds; per family, intelligent's wins and losses against each other policy
// and geometric-mean ratios. Presentation in simulation_report.hpp.
#include "scheduler/simulation/scenario_families.hpp"
#include "scheduler/simulation/simulator.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtf::app {

struct family_bench_options {
  std::vector<workload_family> families = all_workload_families();
  std::vector<arrival_pattern> arrivals = {arrival_pattern::batch, arrival_pattern::online};
  std::size_t seeds = 8;
  std::uint64_t first_seed = 1;  // seeds first_seed .. first_seed + seeds - 1
  std::size_t tasks = 600;
  std::size_t workers = 0;  // 0: the families' default (family_options::workers)
  double offered_load = 0.85;
  /// Must include "intelligent", which every other policy is compared with.
  std::vector<std::string> policies;
  /// Keep every run's timeline (simulation_result::timeline; not the clairvoyant reference's).
  bool record_timelines = false;
};

/// intelligent against one other policy on one metric over the seeds.
struct policy_comparison {
  std::size_t wins = 0;    // seeds where intelligent's value is lower
  std::size_t losses = 0;  // ... higher (equal values count as neither)
  /// Geometric mean over seeds of intelligent's value / the other's; nullopt
  /// when no seed has both values.
  std::optional<double> ratio;
  /// 95 % confidence interval of `ratio`: Student's t on the log ratios,
  /// the seeds taken as independent samples; nullopt with fewer than two.
  /// Wide where the seeds disagree (heavy-tailed run times): a ratio whose
  /// interval spans 1 is not a measured win or loss.
  std::optional<std::pair<double, double>> interval;
};

struct policy_summary {
  std::string policy;
  // Geometric means over seeds (makespan / bound: only seeds without censoring).
  std::optional<double> makespan_over_bound;
  double mean_completion_s = 0.0;
  double p95_completion_s = 0.0;
  double priority_weighted_completion_s = 0.0;
  /// Mean over seeds of cancelled-attempt slot time / busy slot time.
  double wasted_share = 0.0;
  /// Mean over seeds of the share of runs at or under their predicted p90.
  std::optional<double> p90_calibration;
  /// Mean over seeds of the rank correlation of predicted and measured run times.
  std::optional<double> prediction_rank_correlation;
  std::size_t censored = 0;  // tasks still unfinished at the horizon, all seeds
  // intelligent against this policy (absent for intelligent itself).
  std::optional<policy_comparison> makespan, mean, p95, weighted;
};

struct scenario_summary {
  std::string name;  // family-arrivals, e.g. "drift-online"
  workload_family family;
  arrival_pattern arrivals;
  std::size_t tasks = 0, workers = 0;
  std::vector<std::uint64_t> seeds;
  /// results[s][p]: seed s, policy p (options.policies order, then the
  /// clairvoyant reference, clairvoyant_schedule.hpp).
  std::vector<std::vector<simulation_result>> results;
  std::vector<policy_summary> policies;  // the same order
  /// The other policy (not the reference) with the lowest geometric-mean mean completion, and
  /// intelligent's geometric-mean ratio to it.
  std::string best_baseline;
  double intelligent_over_best = 0.0;
  std::optional<std::pair<double, double>> intelligent_over_best_interval;  // see policy_comparison
  /// The same by priority-weighted mean completion (weight 1 + priority).
  std::string best_weighted_baseline;
  double intelligent_over_best_weighted = 0.0;
  /// The same by p95 completion.
  std::string best_p95_baseline;
  double intelligent_over_best_p95 = 0.0;
  std::optional<std::pair<double, double>> intelligent_over_best_p95_interval;
};

/// intelligent against the scheduling targets (README, "Scenario families"), over the scenarios.
struct family_targets {
  std::string worst_p95_scenario;  // the highest intelligent_over_best_p95
  double worst_p95_ratio = 0.0;
  /// 95 % intervals of the worst scenarios' ratios (policy_comparison::interval): the mean completion's against its
  /// best other policy, the p95's against its lowest-p95 one; nullopt with fewer than two seeds. A miss whose
  /// interval reaches the goal is within the seeds' spread.
  std::optional<std::pair<double, double>> worst_ratio_interval, worst_p95_interval;
  /// Geometric mean over the batch scenarios with a bound (no censored seed) of makespan / bound: intelligent's and
  /// the clairvoyant reference's over the same scenarios; nullopt without such a scenario.
  std::optional<double> batch_makespan_over_bound, reference_batch_makespan_over_bound;
  std::size_t batch_scenarios_with_bound = 0;
  std::string worst_wasted_scenario;  // the highest wasted_share (cancelled attempts / busy slot time)
  double worst_wasted_share = 0.0;
  /// The lowest and highest p90 calibration over the scenarios; nullopt without any.
  std::optional<std::pair<double, double>> p90_calibration_range;
};

struct family_bench_result {
  family_bench_options options;
  std::vector<scenario_summary> scenarios;
  /// Over scenarios: geometric mean of intelligent_over_best, and the worst.
  double intelligent_over_best = 0.0;
  std::string worst_scenario;
  double worst_ratio = 0.0;
  /// The same by priority-weighted mean completion.
  double intelligent_over_best_weighted = 0.0;
  std::string worst_weighted_scenario;
  double worst_weighted_ratio = 0.0;
  family_targets targets;
  double seconds = 0.0;  // wall time of the whole run
};

/// One family's name as `--family` gives it; throws dtf::input_error naming
/// `--family` and the valid names for any other.
workload_family parse_family_option(const std::string& name);
/// `--load`: the offered load of online arrivals, in (0, 1.5]; throws
/// dtf::input_error naming `--load` otherwise.
double parse_load_option(const std::string& text);

/// Throws dtf::input_error naming the option for no seeds, no tasks, seeds
/// past the largest seed number, policies without "intelligent" or a policy
/// listed twice.
void check_family_bench_options(const family_bench_options& options);

/// Checks the options (check_family_bench_options) first.
/// `progress` (may be null) gets a line per scenario.
family_bench_result run_family_bench(const family_bench_options& options, std::ostream* progress);

} // namespace dtf::app
