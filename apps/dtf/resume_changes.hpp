#pragma once
// What `dtf run --resume` tells a user who edited the suite since the run was
// accepted: the run continues with the definitions the journal accepted (so
// nothing accepted changes under it), and a changed or removed task is named
// rather than run silently in its old form.
#include "actors/runtime.hpp"
#include "scheduler/model/task.hpp"

#include <string>
#include <vector>

namespace dtf::app {

/// "" when every accepted task is in the suite as accepted; else one line
/// naming the changed tasks (and their fields) and the removed ones.
std::string resume_changes(const resumed_run& resumed, const std::vector<task>& suite_tasks);

} // namespace dtf::app
