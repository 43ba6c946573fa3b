#pragma once
// Task lifecycle states and the result record that feeds all learning.
#include "scheduler/model/task.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dtf {

/// `lost` is an attempt's only, never a task's: the attempt ended with its
/// worker (its node died or was cut off); the task runs again elsewhere.
enum class task_status { pending, assigned, running, succeeded, failed, timed_out, cancelled, lost };
std::string_view to_string(task_status status);
/// The inverse of to_string(task_status); nullopt for any other text.
std::optional<task_status> parse_task_status(std::string_view text);
inline bool is_final(task_status s) {
  return s == task_status::succeeded || s == task_status::failed || s == task_status::timed_out ||
         s == task_status::cancelled;
}

/// One finished attempt. Carries the task's model, type and batch size so that
/// the predictor, specialization and affinity learn without a lookup.
struct task_result {
  std::string task_id;
  std::string worker_id;
  task_status status = task_status::succeeded;
  double duration_s = 0.0;       // wall time of the attempt (finite, >= 0)
  int exit_code = 0;
  std::string model;
  task_type type = task_type::custom;
  int batch_size = 0;
  int attempt = 1;
  std::map<std::string, double> metrics;  // from DTF_METRICS lines, finite values only
};

} // namespace dtf
