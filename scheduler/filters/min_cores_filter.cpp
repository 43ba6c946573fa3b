#include "scheduler/filters/requirement_filter.hpp"

namespace dtf {

filter_verdict check_min_cores(const task_requirements& req, const worker_capability& worker) {
  if (req.min_cores <= 0 || worker.cores >= req.min_cores) return std::nullopt;
  return "cores " + std::to_string(worker.cores) + " < " + std::to_string(req.min_cores);
}

} // namespace dtf
