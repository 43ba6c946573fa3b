#include "scheduler/core/explanations.hpp"

#include "scheduler/filters/requirement_filter.hpp"

#include <vector>

namespace dtf {

decision_explanation explain_decision(const task& t, placement_policy& policy, const scheduler_view& view,
                                      const fleet_index& fleet, const std::function<void()>& begin_decision,
                                      double now_s) {
  decision_explanation e;
  e.task_id = t.id;
  e.policy = std::string{policy.name()};
  begin_decision();
  std::vector<std::size_t> free_list, busy_list;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    const auto& w = fleet.worker(i);
    candidate_explanation c;
    if (auto reason = first_rejection(t.requirements, w.cap)) {
      c.worker_id = w.cap.id;
      c.rejection = *reason;
      e.candidates.push_back(std::move(c));
      continue;
    }
    const bool free = w.has_free_slot();
    (free ? free_list : busy_list).push_back(i);
    c = policy.explain(t, i, view, now_s);
    c.worker_id = w.cap.id;
    c.feasible = true;
    c.has_free_slot = free;
    if (!free) c.rejection = *check_free_slot(w.running, w.slots);
    e.candidates.push_back(std::move(c));
  }
  if (free_list.empty() && busy_list.empty()) {
    e.outcome = "unplaceable: no worker passes the filters";
  } else if (free_list.empty()) {
    e.outcome = "waiting: every compatible worker is busy";
  } else {
    begin_decision();
    auto choice = policy.preview(t, free_list, busy_list, view, now_s);
    if (choice) {
      e.winner = fleet.worker(*choice).cap.id;
      e.outcome = "placed";
    } else {
      e.outcome = "deferred: a busy compatible worker is predicted to finish it sooner";
    }
  }
  return e;
}

void explanation_store::keep(decision_explanation e) {
  if (limit_ == 0) return;
  auto it = by_task_.find(e.task_id);
  if (it != by_task_.end()) {
    it->second = std::move(e);
    return;
  }
  order_.push_back(e.task_id);
  by_task_.emplace(e.task_id, std::move(e));
  while (order_.size() > limit_) {
    by_task_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<decision_explanation> explanation_store::find(const std::string& task_id) const {
  auto it = by_task_.find(task_id);
  if (it == by_task_.end()) return std::nullopt;
  return it->second;
}

} // namespace dtf
