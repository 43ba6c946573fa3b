#pragma once
// Scenario families for `dtf bench scheduling --families`: workloads whose
// statistics differ from the generator's (trace_generator.hpp) and from each
// other, so that a policy tuned on one cannot look good on all. Each family is
// seeded and deterministic (same options, same workload) and runs on a
// heterogeneous fleet of eight device kinds (family_fleet.hpp). Described in
// README.md ("Scenario families").
#include "scheduler/model/worker.hpp"
#include "scheduler/simulation/fleet_dynamics.hpp"
#include "scheduler/simulation/trace.hpp"
#include "scheduler/simulation/trace_generator.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace dtf {

enum class workload_family {
  drift,          // a model's run time drifts between submissions (log-space sigma >= 1)
  family_ratios,  // device speed ratios differ by model family; the newest GPU is not always fastest
  batch_scaling,  // run time ~ batch^k: k ~ 0 up to batch 4, 0.5-0.9 above, per device
  scarce_memory,  // two large-memory GPUs, low-priority long tasks only they fit, many that fit anywhere
  philly,         // real heavy-tailed durations (Philly trace); the longest still run at the horizon
  stragglers,     // some workers slow down 3-10x for a while (throttling)
  churn,          // workers join late and leave early
  new_models,     // models never seen before arrive mid-run
};

std::vector<workload_family> all_workload_families();
std::string_view to_string(workload_family f);
std::optional<workload_family> parse_workload_family(std::string_view name);

struct family_options {
  workload_family family = workload_family::drift;
  arrival_pattern arrivals = arrival_pattern::batch;
  std::uint64_t seed = 1;
  std::size_t tasks = 600;
  /// 0: one worker per 25 tasks, at least 12.
  std::size_t workers = 0;
  /// Online arrivals: the arrival rate as this fraction of the most the fleet
  /// sustains (the tasks over the lower bound's time to run them all at once).
  double offered_load = 0.85;
};

struct family_workload {
  trace tasks;
  std::vector<worker_capability> fleet;
  fleet_dynamics dynamics;
  /// Where observation ends (simulation_options::horizon_s); 0: run to the end.
  double horizon_s = 0.0;
};

/// Same options, same workload. Throws std::invalid_argument for no tasks or
/// an offered load outside (0, 1.5].
family_workload generate_family(const family_options& options);

} // namespace dtf
