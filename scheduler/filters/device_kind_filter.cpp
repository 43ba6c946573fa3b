#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>
#include <vector>

namespace dtf {

filter_verdict check_device_kind(const task_requirements& req, const worker_capability& worker) {
  if (req.hardware.empty()) {
    if (worker.kind == device_kind::cpu) return std::nullopt;
    return "device kind " + std::string{to_string(worker.kind)} + " not in [cpu]";
  }
  if (std::find(req.hardware.begin(), req.hardware.end(), worker.kind) != req.hardware.end())
    return std::nullopt;
  std::vector<std::string> kinds;
  for (auto kind : req.hardware) kinds.emplace_back(to_string(kind));
  return "device kind " + std::string{to_string(worker.kind)} + " not in " + bracket_list(kinds);
}

} // namespace dtf
