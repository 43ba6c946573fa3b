#pragma once
// Baseline placement policies the intelligent scheduler is measured against
// (one file each). All of them see only what the core offers: feasible workers
// with a free slot, in registration order; none defers a task.
#include "scheduler/scheduler_config.hpp"
#include "scheduler/scheduler_core.hpp"

#include <memory>

namespace dtf {

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

} // namespace dtf
