#pragma once
// JSON form of scheduler_stats (conversion only; writing it is the caller's job).
#include "scheduler/core/scheduler_stats.hpp"

#include <nlohmann/json.hpp>

namespace dtf {

/// Non-finite numbers become 0.
nlohmann::json to_json(const scheduler_stats& stats);
nlohmann::json to_json(const prediction_error_summary& predictions);

} // namespace dtf
