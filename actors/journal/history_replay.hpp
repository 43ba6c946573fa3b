#pragma once
// Starting warm: the journal's execution history replayed into the learning,
// oldest row first, so the next run predicts from what earlier runs measured.
#include "actors/journal/journal_records.hpp"
#include "scheduler/task_result.hpp"
#include "scheduler/worker.hpp"

#include <cstddef>
#include <span>

namespace dtf {

class scheduler_core;

/// The worker a row ran on, as far as learning needs it: id, kind, device name, speed.
worker_capability history_worker(const history_row& row);
/// The row as the result record learning consumes.
task_result history_result(const history_row& row);

/// Feeds every row to the core's learning: predictor, specialization and
/// affinity links (scheduler_core::learn_from_history). Returns the rows fed.
std::size_t replay_history(std::span<const history_row> rows, scheduler_core& core);

} // namespace dtf
