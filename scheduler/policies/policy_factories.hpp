#pragma once
// Factories of the placement policies, one file per policy under
// scheduler/policies/; policy_registry.cpp lists them by name.
#include "scheduler/scheduler_core.hpp"

#include <memory>

namespace dtf {

/// dtf's scheduler: filter, weighted normalized terms, predictive deferral.
std::unique_ptr<placement_policy> make_intelligent_policy(const scheduler_config& config);

} // namespace dtf
