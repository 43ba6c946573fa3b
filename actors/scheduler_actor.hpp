#pragma once
// The scoring actor: wraps scheduler_core, answers pending-task batches with
// assignment batches sent to the coordinator.
#include "actors/interfaces.hpp"
#include "scheduler/scheduler_config.hpp"

#include <caf/fwd.hpp>

#include <string>

namespace dtf {

/// `coordinator` receives every round (atom::assign).
scheduler_actor spawn_scheduler(caf::actor_system& system, caf::actor coordinator, scheduler_config config,
                                std::string policy);

} // namespace dtf
