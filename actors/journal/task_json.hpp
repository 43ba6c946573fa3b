#pragma once
// A task's definition as JSON: how the journal stores what was accepted, so a
// restarted coordinator can run exactly the same task again. Every field of
// dtf::task round-trips; `sequence` and `origin` included.
#include "scheduler/model/task.hpp"

#include <string>
#include <string_view>

namespace dtf {

std::string task_to_json(const task& t);

/// Throws std::runtime_error naming the field when the text is not a task
/// written by task_to_json (unknown device kind, wrong type, bad JSON).
task task_from_json(std::string_view text);

} // namespace dtf
