#pragma once
// The JSON documents of the HTTP server (/status, /tasks, /tasks/ID, /workers,
// /stats), built from the published views. Fields are listed in
// docs/formats.md; times are wall seconds since the run started unless a
// name says unix. Sizes are bounded: /tasks pages, the timeline keeps the
// most recent attempts, long texts are cut.
#include "actors/observation/run_snapshot.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace dtf {

/// The status page's one request: state, counts, queue, workers with what
/// they run, the timeline so far, scheduler and prediction figures.
std::string status_json(const coordinator_view& run, const scheduler_view_data* scheduler);

struct task_query {
  std::string state;        // empty: every task; else a task state or "unplaceable"
  std::size_t offset = 0;
  std::size_t limit = 1000;  // at most max_task_page
};
constexpr std::size_t max_task_page = 10000;

/// {"total", "offset", "limit", "tasks": [...]} in submission order.
std::string tasks_json(const coordinator_view& run, const task_query& query);
/// One task (nullopt when unknown) with `explanation_json` (JSON text) as its
/// "explanation", or null and a note when there is none.
std::optional<std::string> task_json(const coordinator_view& run, const std::string& task_id,
                                     const std::optional<std::string>& explanation_json);
std::string workers_json(const coordinator_view& run);
/// The run's counts and the scheduler's full statistics (scheduler/output/stats_json).
std::string stats_json(const coordinator_view* run, const scheduler_view_data* scheduler);

/// The state word of a task in these documents ("unplaceable" for the
/// tasks no worker can run, else the task_status name).
std::string task_state_name(const observed_task& t);

} // namespace dtf
