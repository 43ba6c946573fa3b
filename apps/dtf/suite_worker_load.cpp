#include "apps/dtf/suite_worker_load.hpp"

#include <algorithm>
#include <cmath>

namespace dtf::app {

void suite_worker_load::on_update(const task_update& u) {
  if (!u.report) return;
  const auto& r = *u.report;
  std::lock_guard guard{mutex_};
  if (!counted_.emplace(r.task_id, r.attempt).second) return;
  auto& w = by_worker_[r.worker_id];
  ++w.attempts;
  // Wall time the slot was held (an emulated attempt's duration_s is modeled).
  const double held_s = r.end_unix_s - r.start_unix_s;
  if (r.start_unix_s > 0.0 && std::isfinite(held_s)) w.busy_s += std::max(0.0, held_s);
}

std::vector<worker_load> suite_worker_load::of_suite(std::vector<worker_load> workers) const {
  std::lock_guard guard{mutex_};
  for (auto& w : workers) {
    const auto own = by_worker_.find(w.worker_id);
    w.completed = own == by_worker_.end() ? 0 : own->second.attempts;
    w.busy_s = own == by_worker_.end() ? 0.0 : own->second.busy_s;
  }
  return workers;
}

} // namespace dtf::app
