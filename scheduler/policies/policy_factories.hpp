#pragma once
// Factories of the placement policies, one file per policy under
// scheduler/policies/; policy_registry.cpp lists them by name.
#include "scheduler/core/scheduler_core.hpp"

#include <memory>

namespace dtf {

/// dtf's scheduler: filter, weighted normalized terms, predictive deferral.
std::unique_ptr<placement_policy> make_intelligent_policy(const scheduler_config& config);

// Baselines the intelligent policy is measured against; none defers a task.
/// The original implementation's effective scoring (see seed_policy.cpp).
std::unique_ptr<placement_policy> make_seed_policy(const scheduler_config& config);
/// Rotates through the workers in registration order.
std::unique_ptr<placement_policy> make_round_robin_policy(const scheduler_config& config);
/// Uniformly random free worker, seeded from config.seed.
std::unique_ptr<placement_policy> make_random_policy(const scheduler_config& config);
/// Fewest running tasks per slot; ties to registration order.
std::unique_ptr<placement_policy> make_least_loaded_policy(const scheduler_config& config);
/// Earliest predicted finish on a free worker, from the core's online predictor.
std::unique_ptr<placement_policy> make_min_completion_policy(const scheduler_config& config);

/// The start of every baseline's explanation: the candidate, feasible (the core
/// only offers feasible workers), and whether it has a free slot.
inline candidate_explanation baseline_candidate(const scheduler_view& view, std::size_t worker_index) {
  candidate_explanation c;
  c.worker_id = view.worker(worker_index).id;
  c.feasible = true;
  c.has_free_slot = view.running(worker_index) < view.slots(worker_index);
  return c;
}

} // namespace dtf
