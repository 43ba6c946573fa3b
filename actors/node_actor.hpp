#pragma once
// The node agent: one per host. Probes the devices, spawns one worker actor per
// device plus the emulated workers it is given, registers them with a
// coordinator and has the devices' live metrics sampled periodically.
#include "actors/interfaces.hpp"
#include "actors/worker_actor.hpp"
#include "hw/metrics_sampler.hpp"

#include <caf/fwd.hpp>

#include <string>
#include <vector>

namespace dtf {

struct node_config {
  /// Run the hardware probes and add one real worker per device found.
  bool probe_local = true;
  /// One CPU worker per NUMA node instead of per package.
  bool cpu_by_numa = false;
  /// Emulated workers (from a fleet file), registered after the probed ones.
  std::vector<worker_capability> emulated;
  /// Overrides the slots of probed workers when > 0.
  int probed_slots = 0;
  worker_options worker;
  /// Seconds between live metrics samples of the real workers' devices,
  /// the first at join (0 = never).
  double metrics_interval_s = 5.0;
  /// Where the live metrics are read (NVML library, /proc, /sys; tests point
  /// them at stand-ins).
  hw::metrics_sources metrics_sources;
  /// Finite timeout of every request the node makes.
  double request_timeout_s = 10.0;
};

/// The capability records a node with this config offers: probed (real, in
/// probe order), then emulated. Throws what the probes throw; `warnings`
/// receives the probes' one-line warnings.
std::vector<worker_capability> node_workers(const node_config& config, std::vector<std::string>* warnings = nullptr);

/// Spawns the node for `workers` (from node_workers, probed synchronously so
/// that errors surface before any actor exists).
node_actor spawn_node(caf::actor_system& system, node_config config, std::vector<worker_capability> workers);

} // namespace dtf
