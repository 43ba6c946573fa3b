#pragma once
// The end-of-run report shared by `dtf run` and `dtf demo`: one line per task,
// the lifecycle counts, worker load, and the scheduler's statistics.
#include "actors/messages.hpp"
#include "actors/run_progress.hpp"

#include <ostream>
#include <vector>

namespace dtf::app {

void print_task_table(std::ostream& out, const std::vector<task_summary>& tasks);
void print_run_stats(std::ostream& out, const runtime_stats& stats);

} // namespace dtf::app
