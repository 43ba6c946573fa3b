#pragma once
// The end-of-run report shared by `dtf run` and `dtf demo`: a short human
// summary (counts, the slowest tasks, failures with their stderr tail, each
// worker's busy wall time and utilization, what the learning did) or, with
// `--stats json`, the full statistics as one JSON object.
#include "actors/messages.hpp"
#include "actors/run_progress.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace dtf::app {

struct summary_style {
  bool colour = false;          // ANSI colours (only on a terminal)
  std::size_t slowest = 5;      // tasks listed as slowest
  std::size_t failures = 10;    // failed tasks listed with their stderr tail
  std::size_t stderr_lines = 3; // lines of each failure's stderr tail
  /// Whose attempts the workers' busy time counts, said in their heading
  /// when not the whole run's (dtf submit: "this suite's attempts").
  std::string workers_cover;
};

void print_run_summary(std::ostream& out, const runtime_stats& stats, const std::vector<task_summary>& tasks,
                       const summary_style& style = {});
/// Everything: the runtime's counts and per-worker load, every task's final
/// state and the scheduler's statistics, as one JSON object.
/// `workers_cover` as in summary_style (written as workers_cover when given).
std::string run_stats_json(const runtime_stats& stats, const std::vector<task_summary>& tasks,
                           const std::string& workers_cover = {});

} // namespace dtf::app
