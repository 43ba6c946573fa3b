#pragma once
// How a run's tasks ended, counted from the summary's rows (run_progress), so
// that the counts line and --stats json of `dtf run` and `dtf submit` say what
// the rows say. The coordinator counts a task where it ended; a copy's report
// after that (a task cancelled or stopped with no report of its own, whose
// copy had succeeded) changes the row, not the coordinator's count.
#include "actors/messages.hpp"
#include "actors/run_progress.hpp"

#include <vector>

namespace dtf {

/// Sets the task counts of `stats` to those of `rows`: submitted (one a row),
/// and each row in one of succeeded, failed, timed_out, cancelled,
/// unplaceable, rejected, or pending while not final (assigned and running
/// 0). Attempts, retries, workers and the rest stay as they are.
void count_tasks(runtime_stats& stats, const std::vector<task_summary>& rows);

} // namespace dtf
