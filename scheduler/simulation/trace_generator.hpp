#pragma once
// Synthetic, realistic traces and matching fleets for the simulator and the
// benchmark (`dtf trace generate`). Described in README.md ("Synthetic traces").
#include "scheduler/model/worker.hpp"
#include "scheduler/simulation/trace.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <vector>

namespace dtf {

enum class arrival_pattern { batch, online };
enum class fleet_shape { heterogeneous, cpu_only };

struct generator_options {
  std::size_t tasks = 2000;
  std::size_t workers = 20;
  arrival_pattern arrivals = arrival_pattern::batch;
  fleet_shape fleet = fleet_shape::heterogeneous;
  std::uint64_t seed = 1;
  /// Online arrivals: offered load as a fraction of the fleet's capacity
  /// (capacity measured with each task on its fastest device).
  double offered_load = 0.6;
};

struct generated_workload {
  trace tasks;
  std::vector<worker_capability> fleet;
};

/// Same options, same workload, byte for byte.
generated_workload generate_workload(const generator_options& options);

/// Writes a fleet in the YAML form docs/formats.md gives ("workers:" list).
void write_fleet_yaml(std::ostream& out, const std::vector<worker_capability>& fleet);

} // namespace dtf
