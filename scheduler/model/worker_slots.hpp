#pragma once
// How many tasks a worker runs at once, as the scheduling core counts them:
// an entry in the overrides map, else the worker's own `slots`, else the
// configured default. One rule for the core, the simulator and the
// coordinator (which tells a worker its count with every batch of orders).
#include "scheduler/model/worker.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <algorithm>

namespace dtf {

/// Most tasks one worker runs at once (fleet `slots`, --max-tasks-per-worker,
/// --slots): with at most 100,000 workers per fleet, slot totals stay well
/// within an int (2^30 slots on two workers wrapped a total negative).
inline constexpr int max_worker_slots = 4096;

inline int configured_slots(const worker_capability& w, const scheduler_config& config) {
  if (auto o = config.max_tasks_per_worker_overrides.find(w.id); o != config.max_tasks_per_worker_overrides.end())
    return std::clamp(o->second, 0, max_worker_slots);
  return std::clamp(w.slots > 0 ? w.slots : config.max_tasks_per_worker, 0, max_worker_slots);
}

/// Orders the core may place on a worker at once: its slots plus the
/// prefetch queue (none for a worker without slots: it never runs anything).
inline int placement_capacity(const worker_capability& w, const scheduler_config& config) {
  const int slots = configured_slots(w, config);
  return slots > 0 ? slots + std::max(config.prefetch, 0) : 0;
}

} // namespace dtf
