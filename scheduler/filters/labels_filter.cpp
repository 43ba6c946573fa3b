#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>

namespace dtf {

filter_verdict check_labels(const task_requirements& req, const worker_capability& worker) {
  for (const auto& label : req.labels)
    if (std::find(worker.labels.begin(), worker.labels.end(), label) == worker.labels.end())
      return "missing label " + label;
  return std::nullopt;
}

} // namespace dtf
