#pragma once
// JSON form of a decision_explanation (dtf plan --json --explain, the HTTP
// server's /tasks/ID): the candidates with each score term, the winner, the
// outcome. Conversion only.
#include "scheduler/core/scheduler_core.hpp"

#include <nlohmann/json.hpp>

namespace dtf {

/// Non-finite numbers become 0.
nlohmann::ordered_json explanation_json(const decision_explanation& why);

} // namespace dtf
