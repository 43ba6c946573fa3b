// Each scenario family: deterministic by seed, and it has the statistic it promises.
#include "scheduler/simulation/clairvoyant_schedule.hpp"
#include "scheduler/simulation/family_fleet.hpp"
#include "scheduler/simulation/philly_runtimes.hpp"
#include "scheduler/simulation/scenario_families.hpp"
#include "scheduler/simulation/simulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace dtf {
namespace {

family_workload make(workload_family f, arrival_pattern a = arrival_pattern::batch, std::uint64_t seed = 1,
                     std::size_t tasks = 300) {
  family_options o;
  o.family = f;
  o.arrivals = a;
  o.seed = seed;
  o.tasks = tasks;
  return generate_family(o);
}

std::string text_of(const family_workload& w) {
  std::ostringstream out;
  write_trace(out, w.tasks);
  write_fleet_yaml(out, w.fleet);
  for (const auto& s : w.dynamics.slowdowns) out << s.worker_id << s.from_s << s.to_s << s.factor << "\n";
  for (const auto& p : w.dynamics.presence) out << p.worker_id << p.join_s << p.leave_s << "\n";
  out << w.horizon_s;
  return out.str();
}

double seconds_on(const trace_task& t, std::string_view device_name) {
  for (const auto& [name, s] : t.duration_s)
    if (name == device_name) return s;
  return 0.0;
}

double fastest(const trace_task& t) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& d : t.duration_s) best = std::min(best, d.second);
  return best;
}

TEST(scenario_families, every_family_is_deterministic_by_seed_and_seeds_differ) {
  for (auto f : all_workload_families())
    for (auto a : {arrival_pattern::batch, arrival_pattern::online}) {
      const auto one = text_of(make(f, a, 4, 120));
      EXPECT_EQ(one, text_of(make(f, a, 4, 120))) << to_string(f);
      EXPECT_NE(one, text_of(make(f, a, 5, 120))) << to_string(f);
      const auto w = make(f, a, 4, 120);
      EXPECT_EQ(w.tasks.tasks.size(), 120u) << to_string(f);
      std::set<device_kind> kinds;
      for (const auto& worker : w.fleet) kinds.insert(worker.kind);
      EXPECT_EQ(kinds.size(), 3u) << to_string(f) << ": CUDA, ROCm and CPU workers";
      bool all_at_zero = true;
      for (const auto& t : w.tasks.tasks) all_at_zero = all_at_zero && t.arrival_s == 0;
      EXPECT_EQ(all_at_zero, a == arrival_pattern::batch && f != workload_family::new_models) << to_string(f);
    }
}

TEST(scenario_families, the_clairvoyant_reference_is_feasible_and_never_beats_the_lower_bound) {
  for (auto f : all_workload_families()) {
    const auto w = make(f, arrival_pattern::batch, 2, 120);
    const auto r = clairvoyant_schedule(w.tasks, w.fleet, w.dynamics, w.horizon_s);
    EXPECT_EQ(r.completed + r.censored, w.tasks.tasks.size()) << to_string(f);
    if (r.censored > 0) continue;
    const auto bound = compute_lower_bound(make_lower_bound_instance(w.tasks, w.fleet, scheduler_config{}));
    EXPECT_GE(r.makespan_s, bound.value_s * (1 - 1e-6)) << to_string(f);
  }
}

TEST(scenario_families, names_round_trip_and_bad_options_are_rejected) {
  for (auto f : all_workload_families()) EXPECT_EQ(parse_workload_family(to_string(f)), f);
  EXPECT_FALSE(parse_workload_family("nope"));
  family_options o;
  o.tasks = 0;
  EXPECT_THROW(generate_family(o), std::invalid_argument);
  o.tasks = 10;
  o.offered_load = 0;
  EXPECT_THROW(generate_family(o), std::invalid_argument);
}

TEST(scenario_families, drift_varies_a_models_run_time_between_submissions_with_log_sigma_at_least_1) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto w = make(workload_family::drift, arrival_pattern::batch, seed, 600);
    // Pooled standard deviation of log run time within (model, batch, device).
    std::map<std::tuple<std::string, int, std::string>, std::vector<double>> groups;
    for (const auto& t : w.tasks.tasks)
      for (const auto& [device, s] : t.duration_s) groups[{t.spec.model, t.spec.batch_size, device}].push_back(std::log(s));
    double squares = 0, freedom = 0;
    for (const auto& [key, xs] : groups) {
      if (xs.size() < 2) continue;
      double mean = 0;
      for (double x : xs) mean += x;
      mean /= static_cast<double>(xs.size());
      for (double x : xs) squares += (x - mean) * (x - mean);
      freedom += static_cast<double>(xs.size() - 1);
    }
    ASSERT_GT(freedom, 100);
    EXPECT_GE(std::sqrt(squares / freedom), 1.0) << "seed " << seed;
  }
}

TEST(scenario_families, family_ratios_differ_by_model_family_and_the_newest_gpu_is_not_always_fastest) {
  const auto& a100 = family_device("a100");
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto w = make(workload_family::family_ratios, arrival_pattern::batch, seed, 400);
    std::map<std::string, std::vector<double>> a100_over_best_other, a100_over_v100;
    for (const auto& t : w.tasks.tasks) {
      const double on_a100 = seconds_on(t, a100.name), on_v100 = seconds_on(t, family_device("v100").name);
      if (on_a100 == 0 || on_v100 == 0) continue;
      double best_other = std::numeric_limits<double>::infinity();
      for (const auto& [device, s] : t.duration_s)
        if (device != a100.name) best_other = std::min(best_other, s);
      a100_over_best_other[t.spec.model].push_back(on_a100 / best_other);
      a100_over_v100[t.spec.model].push_back(on_a100 / on_v100);
    }
    bool newest_slower_somewhere = false;
    double lowest = std::numeric_limits<double>::infinity(), highest = 0;
    for (const auto& [model, ratios] : a100_over_best_other) {
      auto sorted = ratios;
      std::sort(sorted.begin(), sorted.end());
      newest_slower_somewhere = newest_slower_somewhere || sorted[sorted.size() / 2] > 1.0;
      auto v = a100_over_v100[model];
      std::sort(v.begin(), v.end());
      lowest = std::min(lowest, v[v.size() / 2]);
      highest = std::max(highest, v[v.size() / 2]);
    }
    EXPECT_TRUE(newest_slower_somewhere) << "seed " << seed;
    EXPECT_GE(highest / lowest, 2.0) << "seed " << seed << ": A100 / V100 time ratio spread across models";
  }
}

TEST(scenario_families, batch_scaling_is_flat_to_batch_4_and_its_exponent_above_differs_by_device) {
  const auto w = make(workload_family::batch_scaling, arrival_pattern::batch, 1, 600);
  // Neighbouring tasks of one sweep: same model, batch doubled.
  std::map<std::string, std::vector<double>> small, large;  // per device: log2 growth per doubling
  const auto& tasks = w.tasks.tasks;
  for (std::size_t i = 1; i < tasks.size(); ++i) {
    const auto &a = tasks[i - 1], &b = tasks[i];
    if (a.spec.model != b.spec.model || b.spec.batch_size != 2 * a.spec.batch_size) continue;
    for (const auto& [device, s] : b.duration_s) {
      const double before = seconds_on(a, device);
      if (before == 0) continue;
      (a.spec.batch_size >= 4 ? large : small)[device].push_back(std::log2(s / before));
    }
  }
  auto mean = [](const std::vector<double>& xs) {
    double sum = 0;
    for (double x : xs) sum += x;
    return sum / static_cast<double>(xs.size());
  };
  double lowest = 1, highest = 0;
  for (const auto& [device, growth] : large) {
    ASSERT_GE(growth.size(), 5u) << device;
    const double k = mean(growth);
    EXPECT_GE(k, 0.45) << device;
    EXPECT_LE(k, 0.95) << device;
    lowest = std::min(lowest, k);
    highest = std::max(highest, k);
  }
  EXPECT_GE(highest - lowest, 0.1) << "exponents should differ by device";
  ASSERT_FALSE(small.empty());
  for (const auto& [device, growth] : small) EXPECT_LE(std::abs(mean(growth)), 0.1) << device;
}

TEST(scenario_families, scarce_memory_has_few_large_gpus_low_priority_long_tasks_only_they_fit_and_many_that_fit_anywhere) {
  const auto w = make(workload_family::scarce_memory, arrival_pattern::batch, 1, 600);
  std::size_t large_workers = 0;
  for (const auto& worker : w.fleet) large_workers += worker.kind != device_kind::cpu && memory_gb(worker) >= 45 ? 1 : 0;
  EXPECT_GE(large_workers, 1u);
  EXPECT_LE(static_cast<double>(large_workers), 0.12 * static_cast<double>(w.fleet.size()));
  std::vector<double> only_large_s, anywhere_s;
  std::size_t anywhere = 0;
  for (const auto& t : w.tasks.tasks) {
    if (t.spec.requirements.min_memory_gb > 40) {
      EXPECT_EQ(t.spec.priority, 0) << t.spec.id;
      EXPECT_EQ(t.duration_s.size(), 1u) << t.spec.id << " fits only the large GPUs";
      only_large_s.push_back(fastest(t));
    } else {
      anywhere_s.push_back(fastest(t));
    }
    anywhere += t.duration_s.size() == 8 ? 1 : 0;  // every device kind of the fleet
  }
  EXPECT_GE(only_large_s.size(), 40u);
  EXPECT_GE(static_cast<double>(anywhere), 0.6 * static_cast<double>(w.tasks.tasks.size()));
  std::sort(only_large_s.begin(), only_large_s.end());
  std::sort(anywhere_s.begin(), anywhere_s.end());
  EXPECT_GE(only_large_s[only_large_s.size() / 2], 3 * anywhere_s[anywhere_s.size() / 2]);
}

TEST(scenario_families, philly_durations_are_heavy_tailed_and_the_longest_are_censored_at_the_horizon) {
  for (auto a : {arrival_pattern::batch, arrival_pattern::online}) {
    const auto w = make(workload_family::philly, a, 1, 400);
    ASSERT_GT(w.horizon_s, 0);
    std::vector<double> s;
    std::size_t past_horizon = 0;
    for (const auto& t : w.tasks.tasks) {
      s.push_back(fastest(t));
      past_horizon += t.arrival_s + fastest(t) > w.horizon_s ? 1 : 0;
    }
    std::sort(s.begin(), s.end());
    EXPECT_GE(s.back() / s[s.size() / 2], 100.0);
    EXPECT_GE(past_horizon, 1u);
    simulation_options o;
    o.policy = "least_loaded";
    o.compute_lower_bound = false;
    o.horizon_s = w.horizon_s;
    const auto r = simulate(w.tasks, w.fleet, o, w.dynamics);
    EXPECT_GE(r.censored, past_horizon);
    EXPECT_EQ(r.completed + r.censored, w.tasks.tasks.size());
  }
}

TEST(philly_runtimes, the_embedded_quantiles_match_the_shared_csv) {
  const std::filesystem::path csv = std::filesystem::path(DTF_SHARED_DIR) / "data/philly/philly_runtime.csv";
  if (!std::filesystem::exists(csv)) GTEST_SKIP() << csv << " is absent (a clone without ../shared)";
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> xs;
  while (std::getline(in, line))
    if (!line.empty()) xs.push_back(std::stod(line));
  std::sort(xs.begin(), xs.end());
  for (const auto& q : philly_runtime_quantiles()) {
    const double h = (static_cast<double>(xs.size()) - 1) * q.level;
    const auto lo = static_cast<std::size_t>(h);
    const double exact = xs[lo] + (h - static_cast<double>(lo)) * (xs[std::min(lo + 1, xs.size() - 1)] - xs[lo]);
    EXPECT_NEAR(q.runtime_s, exact, 0.051) << "level " << q.level;
  }
}

TEST(philly_runtimes, samples_follow_the_table) {
  random_source rng(7);
  std::vector<double> s;
  for (int i = 0; i < 20000; ++i) s.push_back(sample_philly_runtime_s(rng));
  std::sort(s.begin(), s.end());
  EXPECT_GE(s.front(), 1.0);
  EXPECT_NEAR(s[s.size() / 2], 1186, 120);        // the trace's median
  EXPECT_NEAR(s[s.size() * 9 / 10], 12860, 1500);  // and p90
}

TEST(scenario_families, stragglers_slow_some_workers_3_to_10_times_for_a_while) {
  const auto w = make(workload_family::stragglers);
  ASSERT_FALSE(w.dynamics.slowdowns.empty());
  for (const auto& s : w.dynamics.slowdowns) {
    EXPECT_GE(s.factor, 3.0);
    EXPECT_LE(s.factor, 10.0);
    EXPECT_GT(s.to_s, s.from_s);
  }
  simulation_options o;
  o.policy = "round_robin";
  o.compute_lower_bound = false;
  const auto slowed = simulate(w.tasks, w.fleet, o, w.dynamics);
  const auto steady = simulate(w.tasks, w.fleet, o);
  EXPECT_GT(slowed.busy_slot_s, steady.busy_slot_s);
}

TEST(scenario_families, churn_has_workers_joining_and_leaving_and_every_task_still_finishes) {
  for (auto a : {arrival_pattern::batch, arrival_pattern::online}) {
    const auto w = make(workload_family::churn, a);
    bool joins = false, leaves = false;
    std::set<std::string> churning;
    for (const auto& p : w.dynamics.presence) {
      joins = joins || p.join_s > 0;
      leaves = leaves || std::isfinite(p.leave_s);
      churning.insert(p.worker_id);
    }
    EXPECT_TRUE(joins);
    EXPECT_TRUE(leaves);
    std::set<std::string> steady_kinds;
    for (const auto& worker : w.fleet)
      if (!churning.count(worker.id)) steady_kinds.insert(worker.name);
    EXPECT_EQ(steady_kinds.size(), 8u) << "every device kind keeps a worker throughout";
    simulation_options o;
    o.policy = "intelligent";
    o.compute_lower_bound = false;
    const auto r = simulate(w.tasks, w.fleet, o, w.dynamics);
    EXPECT_EQ(r.completed, w.tasks.tasks.size());
  }
}

TEST(scenario_families, new_models_arrive_only_mid_run) {
  std::set<std::string_view> newer;
  for (const auto& m : newer_models()) newer.insert(m.name);
  for (auto a : {arrival_pattern::batch, arrival_pattern::online}) {
    const auto w = make(workload_family::new_models, a, 2, 400);
    double last_arrival = 0;
    for (const auto& t : w.tasks.tasks) last_arrival = std::max(last_arrival, t.arrival_s);
    std::set<std::string> seen_new;
    std::size_t first_new = w.tasks.tasks.size();
    for (std::size_t i = 0; i < w.tasks.tasks.size(); ++i) {
      const auto& t = w.tasks.tasks[i];
      if (!newer.count(t.spec.model)) continue;
      seen_new.insert(t.spec.model);
      first_new = std::min(first_new, i);
      EXPECT_GE(t.arrival_s, 0.3 * last_arrival) << t.spec.id;
      EXPECT_GT(t.arrival_s, 0) << t.spec.id;
    }
    EXPECT_GE(seen_new.size(), 3u);
    EXPECT_GE(first_new, w.tasks.tasks.size() / 2);
  }
}

} // namespace
} // namespace dtf
