#include "apps/dtf/family_bench.hpp"

#include "apps/dtf/simulation_report.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/simulation/clairvoyant_schedule.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <ostream>

namespace dtf::app {
namespace {

constexpr const char* clairvoyant_name = "clairvoyant";

using metric = std::function<std::optional<double>(const simulation_result&)>;

std::optional<double> makespan_ratio(const simulation_result& r) {
  if (r.censored > 0 || r.makespan_over_lower_bound <= 0) return std::nullopt;
  return r.makespan_over_lower_bound;
}

/// Geometric mean of the values present and positive; nullopt when none.
std::optional<double> geometric_mean(const std::vector<std::optional<double>>& values) {
  double log_sum = 0.0;
  std::size_t n = 0;
  for (const auto& v : values)
    if (v && *v > 0) log_sum += std::log(*v), ++n;
  if (n == 0) return std::nullopt;
  return std::exp(log_sum / static_cast<double>(n));
}

/// Student's t, 97.5 % quantile, by degrees of freedom 1..30 (then the normal's).
double t975(std::size_t df) {
  static constexpr double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                     2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                     2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  return df >= 1 && df <= 30 ? table[df - 1] : 1.960;
}

/// 95 % interval of the geometric mean of the values present and positive
/// (see policy_comparison::interval); nullopt with fewer than two.
std::optional<std::pair<double, double>> geometric_interval(const std::vector<std::optional<double>>& values) {
  std::vector<double> logs;
  for (const auto& v : values)
    if (v && *v > 0) logs.push_back(std::log(*v));
  if (logs.size() < 2) return std::nullopt;
  const auto n = static_cast<double>(logs.size());
  double mean = 0.0;
  for (double l : logs) mean += l / n;
  double squares = 0.0;
  for (double l : logs) squares += (l - mean) * (l - mean);
  const double half = t975(logs.size() - 1) * std::sqrt(squares / (n - 1.0) / n);
  return std::pair{std::exp(mean - half), std::exp(mean + half)};
}

std::optional<double> over_seeds(const scenario_summary& s, std::size_t policy, const metric& m) {
  std::vector<std::optional<double>> values;
  for (const auto& seed : s.results) values.push_back(m(seed[policy]));
  return geometric_mean(values);
}

policy_comparison compare(const scenario_summary& s, std::size_t intelligent, std::size_t other, const metric& m) {
  policy_comparison c;
  std::vector<std::optional<double>> ratios;
  for (const auto& seed : s.results) {
    const auto mine = m(seed[intelligent]), theirs = m(seed[other]);
    if (!mine || !theirs) continue;
    if (*mine < *theirs) ++c.wins;
    else if (*mine > *theirs) ++c.losses;
    if (*theirs > 0) ratios.push_back(*mine / *theirs);
  }
  c.ratio = geometric_mean(ratios);
  c.interval = geometric_interval(ratios);
  return c;
}

void summarize(scenario_summary& s, const std::vector<std::string>& policies) {
  const auto intelligent = static_cast<std::size_t>(
      std::find(policies.begin(), policies.end(), "intelligent") - policies.begin());
  const metric mean = [](const simulation_result& r) { return std::optional{r.mean_completion_s}; };
  const metric p95 = [](const simulation_result& r) { return std::optional{r.p95_completion_s}; };
  const metric weighted = [](const simulation_result& r) { return std::optional{r.priority_weighted_completion_s}; };
  double best_mean = std::numeric_limits<double>::infinity();
  double best_weighted = std::numeric_limits<double>::infinity();
  double best_p95 = std::numeric_limits<double>::infinity();
  for (std::size_t p = 0; p < policies.size(); ++p) {
    policy_summary ps;
    ps.policy = policies[p];
    ps.makespan_over_bound = over_seeds(s, p, makespan_ratio);
    ps.mean_completion_s = over_seeds(s, p, mean).value_or(0.0);
    ps.p95_completion_s = over_seeds(s, p, p95).value_or(0.0);
    ps.priority_weighted_completion_s = over_seeds(s, p, weighted).value_or(0.0);
    double wasted = 0.0, calibration = 0.0, ranking = 0.0;
    std::size_t calibrated = 0, ranked = 0;
    for (const auto& seed : s.results) {
      const auto& r = seed[p];
      if (r.busy_slot_s > 0) wasted += (r.backup_wasted_s + r.probe_cut_s) / r.busy_slot_s;
      if (r.p90_calibration) calibration += *r.p90_calibration, ++calibrated;
      if (r.prediction_rank_correlation) ranking += *r.prediction_rank_correlation, ++ranked;
      ps.censored += r.censored;
    }
    ps.wasted_share = wasted / static_cast<double>(s.results.size());
    if (calibrated > 0) ps.p90_calibration = calibration / static_cast<double>(calibrated);
    if (ranked > 0) ps.prediction_rank_correlation = ranking / static_cast<double>(ranked);
    if (p != intelligent) {
      ps.makespan = compare(s, intelligent, p, makespan_ratio);
      ps.mean = compare(s, intelligent, p, mean);
      ps.p95 = compare(s, intelligent, p, p95);
      ps.weighted = compare(s, intelligent, p, weighted);
      if (ps.policy != clairvoyant_name && ps.mean_completion_s < best_mean) {
        best_mean = ps.mean_completion_s;
        s.best_baseline = ps.policy;
        s.intelligent_over_best = ps.mean->ratio.value_or(0.0);
        s.intelligent_over_best_interval = ps.mean->interval;
      }
      if (ps.policy != clairvoyant_name && ps.p95_completion_s < best_p95) {
        best_p95 = ps.p95_completion_s;
        s.best_p95_baseline = ps.policy;
        s.intelligent_over_best_p95 = ps.p95->ratio.value_or(0.0);
        s.intelligent_over_best_p95_interval = ps.p95->interval;
      }
      if (ps.policy != clairvoyant_name && ps.priority_weighted_completion_s < best_weighted) {
        best_weighted = ps.priority_weighted_completion_s;
        s.best_weighted_baseline = ps.policy;
        s.intelligent_over_best_weighted = ps.weighted->ratio.value_or(0.0);
      }
    }
    s.policies.push_back(std::move(ps));
  }
}

family_targets targets_of(const std::vector<scenario_summary>& scenarios) {
  family_targets t;
  std::vector<std::optional<double>> makespans, references;
  for (const auto& s : scenarios) {
    const policy_summary* intelligent = nullptr;
    const policy_summary* reference = nullptr;
    for (const auto& p : s.policies) {
      if (p.policy == "intelligent") intelligent = &p;
      if (p.policy == clairvoyant_name) reference = &p;
    }
    if (!intelligent) continue;
    if (!s.best_p95_baseline.empty() && s.intelligent_over_best_p95 > t.worst_p95_ratio) {
      t.worst_p95_ratio = s.intelligent_over_best_p95;
      t.worst_p95_scenario = s.name;
      t.worst_p95_interval = s.intelligent_over_best_p95_interval;
    }
    if (s.arrivals == arrival_pattern::batch && intelligent->makespan_over_bound) {
      makespans.push_back(intelligent->makespan_over_bound);
      if (reference) references.push_back(reference->makespan_over_bound);
      ++t.batch_scenarios_with_bound;
    }
    if (t.worst_wasted_scenario.empty() || intelligent->wasted_share > t.worst_wasted_share) {
      t.worst_wasted_share = intelligent->wasted_share;
      t.worst_wasted_scenario = s.name;
    }
    if (const auto c = intelligent->p90_calibration) {
      if (!t.p90_calibration_range) t.p90_calibration_range = std::pair{*c, *c};
      t.p90_calibration_range->first = std::min(t.p90_calibration_range->first, *c);
      t.p90_calibration_range->second = std::max(t.p90_calibration_range->second, *c);
    }
  }
  t.batch_makespan_over_bound = geometric_mean(makespans);
  t.reference_batch_makespan_over_bound = geometric_mean(references);
  return t;
}

} // namespace

workload_family parse_family_option(const std::string& name) {
  if (const auto f = parse_workload_family(name)) return *f;
  std::string valid;
  for (auto v : all_workload_families()) valid += (valid.empty() ? "" : ", ") + std::string{to_string(v)};
  throw input_error("", 0, "--family", "unknown family '" + name + "' (valid: " + valid + ")");
}

double parse_load_option(const std::string& text) {
  char* end = nullptr;
  const double load = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(load > 0 && load <= 1.5))
    throw input_error("", 0, "--load", "expected a number in (0, 1.5], got '" + text + "'");
  return load;
}

void check_family_bench_options(const family_bench_options& options) {
  if (options.seeds == 0) throw input_error("", 0, "--seeds", "needs at least one seed");
  if (options.first_seed > std::numeric_limits<std::uint64_t>::max() - (options.seeds - 1))
    throw input_error("", 0, "--seed", "the last of " + std::to_string(options.seeds) + " seeds from " +
                                           std::to_string(options.first_seed) + " is past the largest seed, " +
                                           std::to_string(std::numeric_limits<std::uint64_t>::max()));
  if (options.tasks == 0) throw input_error("", 0, "--tasks", "needs at least one task");
  if (std::find(options.policies.begin(), options.policies.end(), "intelligent") == options.policies.end())
    throw input_error("", 0, "--policies", "must include intelligent (every other policy is compared with it)");
  for (auto p = options.policies.begin(); p != options.policies.end(); ++p)
    if (std::find(options.policies.begin(), p, *p) != p)
      throw input_error("", 0, "--policies", "lists '" + *p + "' twice");
}

family_bench_result run_family_bench(const family_bench_options& options, std::ostream* progress) {
  check_family_bench_options(options);
  const auto started = std::chrono::steady_clock::now();
  family_bench_result out;
  out.options = options;
  for (auto family : options.families)
    for (auto arrivals : options.arrivals) {
      const auto scenario_started = std::chrono::steady_clock::now();
      scenario_summary s;
      s.family = family;
      s.arrivals = arrivals;
      s.name = std::string{to_string(family)} + (arrivals == arrival_pattern::batch ? "-batch" : "-online");
      for (std::size_t k = 0; k < options.seeds; ++k) {
        const std::uint64_t seed = options.first_seed + k;
        family_options g;
        g.family = family;
        g.arrivals = arrivals;
        g.seed = seed;
        g.tasks = options.tasks;
        g.workers = options.workers;
        g.offered_load = options.offered_load;
        const auto workload = generate_family(g);
        simulation_options sim;
        sim.horizon_s = workload.horizon_s;
        sim.record_timeline = options.record_timelines;
        s.tasks = workload.tasks.tasks.size();
        s.workers = workload.fleet.size();
        s.seeds.push_back(seed);
        auto results = simulate_policies(workload.tasks, workload.fleet, options.policies, sim, workload.dynamics);
        auto reference = clairvoyant_schedule(workload.tasks, workload.fleet, workload.dynamics, workload.horizon_s,
                                              options.record_timelines);
        reference.lower_bound = results.front().lower_bound;
        if (reference.lower_bound.value_s > 0) reference.makespan_over_lower_bound = reference.makespan_s / reference.lower_bound.value_s;
        results.push_back(std::move(reference));
        s.results.push_back(std::move(results));
      }
      auto names = options.policies;
      names.emplace_back(clairvoyant_name);
      summarize(s, names);
      if (progress)
        *progress << "  " << s.name << ": " << options.seeds << " seeds x " << options.policies.size() << " policies in "
                  << std::lround(10 * std::chrono::duration<double>(std::chrono::steady_clock::now() - scenario_started).count()) / 10.0
                  << " s\n";
      out.scenarios.push_back(std::move(s));
    }
  std::vector<std::optional<double>> ratios, weighted;
  std::optional<std::pair<double, double>> worst_interval;
  for (const auto& s : out.scenarios) {
    ratios.push_back(s.intelligent_over_best);
    weighted.push_back(s.intelligent_over_best_weighted);
    if (s.intelligent_over_best > out.worst_ratio) {
      out.worst_ratio = s.intelligent_over_best;
      out.worst_scenario = s.name;
      worst_interval = s.intelligent_over_best_interval;
    }
    if (s.intelligent_over_best_weighted > out.worst_weighted_ratio) {
      out.worst_weighted_ratio = s.intelligent_over_best_weighted;
      out.worst_weighted_scenario = s.name;
    }
  }
  out.intelligent_over_best = geometric_mean(ratios).value_or(0.0);
  out.intelligent_over_best_weighted = geometric_mean(weighted).value_or(0.0);
  out.targets = targets_of(out.scenarios);
  out.targets.worst_ratio_interval = worst_interval;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

} // namespace dtf::app
