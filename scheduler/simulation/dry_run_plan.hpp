#pragma once
// A dry run in predicted time: schedule, advance the clock to the earliest
// predicted end among placed tasks, release it (no learning), schedule again,
// until nothing pending can be placed. Every placeable task gets a worker and
// a predicted start; what stays pending is listed with each worker's reason.
// Used by `dtf plan`.
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <string>
#include <utility>
#include <vector>

namespace dtf {

struct planned_assignment {
  std::string task_id;
  std::string worker_id;
  double score = 0.0;
  double start_s = 0.0;
  double predicted_duration_s = 0.0;
};

struct dry_run_plan {
  std::vector<planned_assignment> assignments;  // in placement order (start time ascending)
  /// Tasks left pending, with each worker's reason (registration order).
  std::vector<unplaceable_task> pending;
  double makespan_s = 0.0;  // predicted end of the last task
};

/// Runs the dry run on `core` (tasks already submitted, workers registered).
/// `tasks` are the submitted tasks, used to explain tasks left pending.
dry_run_plan plan_in_predicted_time(scheduler_core& core, const std::vector<task>& tasks);

/// The core's statistics after the dry run, with the plan's pending tasks
/// counted as "unplaceable" (the core still holds them as pending; `dtf run`
/// would end them so) in tasks_by_status and tasks_by_type_and_status.
scheduler_stats plan_statistics(const scheduler_core& core, const dry_run_plan& plan, const std::vector<task>& tasks);

} // namespace dtf
