// scheduler_core::unplaceable and stranded: pending tasks no connected worker
// can run -- unplaceable when no worker seen in this run could either,
// stranded (waiting) when a lost worker that may return could.
#include "scheduler/core/core_state.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dtf {

namespace {
/// Pending tasks no connected worker can run, in submission order.
std::vector<task_handle> without_connected_worker(const fleet_index& fleet, const pending_queue& queue) {
  std::vector<std::pair<std::uint64_t, task_handle>> stuck;  // sequence, handle
  for (std::uint32_t c = 0; c < fleet.class_count(); ++c)
    if (fleet.requirement(c).feasible.empty())
      for (const auto& k : queue.of_class(c)) stuck.emplace_back(k.sequence, k.handle);
  std::sort(stuck.begin(), stuck.end());
  std::vector<task_handle> out;
  out.reserve(stuck.size());
  for (auto [seq, h] : stuck) out.push_back(h);
  return out;
}

/// Each connected worker's reason not to run a task.
std::vector<std::pair<std::string, std::string>> rejections(const fleet_index& fleet, const task_requirements& req) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& w : fleet.workers()) out.emplace_back(w.cap.id, first_rejection(req, w.cap).value_or(""));
  return out;
}
} // namespace

std::vector<unplaceable_task> scheduler_core::unplaceable() const {
  const auto& i = *impl_;
  std::vector<unplaceable_task> out;
  for (auto h : without_connected_worker(i.fleet, i.queue)) {
    const auto& t = i.tasks[h].body;
    if (!i.departed.able_to_run(t.requirements).empty()) continue;
    out.push_back(unplaceable_task{t.id, rejections(i.fleet, t.requirements)});
  }
  return out;
}

std::vector<stranded_task> scheduler_core::stranded() const {
  const auto& i = *impl_;
  std::vector<stranded_task> out;
  if (i.departed.empty()) return out;
  for (auto h : without_connected_worker(i.fleet, i.queue)) {
    const auto& t = i.tasks[h].body;
    auto lost = i.departed.able_to_run(t.requirements);
    if (lost.empty()) continue;
    out.push_back(stranded_task{t.id, std::move(lost), rejections(i.fleet, t.requirements)});
  }
  return out;
}

} // namespace dtf
