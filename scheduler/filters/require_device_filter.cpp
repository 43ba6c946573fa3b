#include "scheduler/filters/requirement_filter.hpp"

namespace dtf {

filter_verdict check_require_device(const task_requirements& req, const worker_capability& worker) {
  if (req.require_device.empty()) return std::nullopt;
  for (const auto& name : req.require_device)
    if (contains_case_insensitive(worker.name, name)) return std::nullopt;
  return "name '" + worker.name + "' matches none of " + bracket_list(req.require_device);
}

} // namespace dtf
