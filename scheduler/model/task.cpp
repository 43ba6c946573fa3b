#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"

namespace dtf {

std::optional<task_type> parse_task_type(std::string_view text) {
  if (text == "benchmark") return task_type::benchmark;
  if (text == "test") return task_type::test;
  if (text == "custom") return task_type::custom;
  return std::nullopt;
}

std::string_view to_string(task_type type) {
  switch (type) {
    case task_type::benchmark: return "benchmark";
    case task_type::test: return "test";
    case task_type::custom: return "custom";
  }
  return "custom";
}

std::string_view to_string(task_status status) {
  switch (status) {
    case task_status::pending: return "pending";
    case task_status::assigned: return "assigned";
    case task_status::running: return "running";
    case task_status::succeeded: return "succeeded";
    case task_status::failed: return "failed";
    case task_status::timed_out: return "timed_out";
    case task_status::cancelled: return "cancelled";
    case task_status::lost: return "lost";
  }
  return "pending";
}

std::optional<task_status> parse_task_status(std::string_view text) {
  for (auto status : {task_status::pending, task_status::assigned, task_status::running, task_status::succeeded,
                      task_status::failed, task_status::timed_out, task_status::cancelled, task_status::lost})
    if (to_string(status) == text) return status;
  return std::nullopt;
}

} // namespace dtf
