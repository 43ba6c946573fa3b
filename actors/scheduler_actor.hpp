#pragma once
// The scoring actor: wraps scheduler_core, answers pending-task batches with
// assignment batches sent to the coordinator.
#include "actors/interfaces.hpp"
#include "actors/journal/journal_records.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dtf {

class observation_board;

/// `coordinator` receives every round (atom::assign) and the core's answer to
/// each batch of results (atom::result, one result_effect per result).
/// `history` (optional): earlier runs' results, learned before the first
/// task. `board` (optional): where the statistics and explanations are
/// published for the HTTP server.
scheduler_actor spawn_scheduler(caf::actor_system& system, caf::actor coordinator, scheduler_config config,
                                std::string policy,
                                std::shared_ptr<const std::vector<attempt_record>> history = nullptr,
                                std::shared_ptr<observation_board> board = nullptr);

} // namespace dtf
