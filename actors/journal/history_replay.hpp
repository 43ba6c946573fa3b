#pragma once
// Starting warm: the journal's execution history replayed into the learning,
// oldest row first, so the next run predicts from what earlier runs measured.
#include "actors/journal/journal_records.hpp"
#include "scheduler/model/attempt_record.hpp"

#include <cstddef>
#include <span>

namespace dtf {

class scheduler_core;

/// Feeds every row to the core's learning: predictor, specialization and
/// affinity links (scheduler_core::learn_from_history). Returns the rows fed.
std::size_t replay_history(std::span<const attempt_record> rows, scheduler_core& core);

} // namespace dtf
