#pragma once
// The predictor actor: learns execution times from every result and sends the
// scheduler snapshots, batched.
#include "actors/interfaces.hpp"
#include "actors/journal/journal_records.hpp"

#include <caf/fwd.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace dtf {

/// Sends `scheduler` a snapshot after `every_results` new results, or
/// `interval_s` after the first unsent one, whichever comes first. `history`
/// (optional): earlier runs' results, learned before the first new one.
predictor_actor spawn_predictor(caf::actor_system& system, scheduler_actor scheduler, std::size_t every_results,
                                double interval_s,
                                std::shared_ptr<const std::vector<history_row>> history = nullptr);

} // namespace dtf
