#include "scheduler/core/departed_workers.hpp"

#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>

namespace dtf {

void departed_workers::depart(const worker_capability& worker) {
  returned(worker.id);
  workers_.push_back(worker);
}

void departed_workers::returned(const std::string& worker_id) {
  std::erase_if(workers_, [&](const worker_capability& w) { return w.id == worker_id; });
}

std::vector<std::string> departed_workers::able_to_run(const task_requirements& req) const {
  std::vector<std::string> out;
  for (const auto& w : workers_)
    if (!first_rejection(req, w)) out.push_back(w.id);
  return out;
}

} // namespace dtf
