#pragma once
// The predictor actor: learns execution times from every result and sends the
// scheduler snapshots, batched.
#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

#include <cstddef>

namespace dtf {

/// Sends `scheduler` a snapshot after `every_results` new results, or
/// `interval_s` after the first unsent one, whichever comes first.
predictor_actor spawn_predictor(caf::actor_system& system, scheduler_actor scheduler, std::size_t every_results,
                                double interval_s);

} // namespace dtf
