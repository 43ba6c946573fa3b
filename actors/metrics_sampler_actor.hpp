#pragma once
// The live-metrics sampler of a node: samples its devices (NVML for CUDA GPUs,
// amdgpu sysfs for ROCm GPUs, /proc for CPU workers; hw/metrics_sampler.hpp)
// on a thread of its own, so that a slow driver call never holds one of the
// actors' threads, and sends each sample to the coordinator, which forwards it
// to the scheduler's efficiency term.
#include "actors/interfaces.hpp"
#include "hw/metrics_sampler.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace dtf {

/// Samples `devices` (the node's real workers; emulated ones have no device)
/// when asked. Warnings (a failing NVML, ...) go to stderr once each.
metrics_sampler_actor spawn_metrics_sampler(caf::actor_system& system, std::vector<worker_capability> devices,
                                            hw::metrics_sources sources);

} // namespace dtf
