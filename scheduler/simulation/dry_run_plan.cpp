#include "scheduler/simulation/dry_run_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace dtf {

namespace {

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

/// Moves one task from "pending" to "unplaceable" in `counts` (a key at 0 goes).
void relabel_pending_as_unplaceable(std::map<std::string, std::uint64_t>& counts) {
  const auto pending = counts.find("pending");
  if (pending == counts.end()) return;
  if (--pending->second == 0) counts.erase(pending);
  ++counts["unplaceable"];
}

} // namespace

dry_run_plan plan_in_predicted_time(scheduler_core& core, const std::vector<task>& tasks) {
  dry_run_plan plan;
  struct in_flight {
    std::size_t index;  // into plan.assignments
    double end_s;
  };
  std::vector<in_flight> running;
  double now_s = 0.0;
  for (;;) {
    for (auto& placed : core.schedule(now_s)) {
      const double duration_s = std::max(0.0, finite_or_zero(placed.predicted_duration_s));
      running.push_back({plan.assignments.size(), now_s + duration_s});
      plan.assignments.push_back(
          {std::move(placed.task_id), std::move(placed.worker_id), finite_or_zero(placed.score), now_s, duration_s});
    }
    if (running.empty()) break;
    // Earliest predicted end; ties go to the earlier placement (running is in placement order).
    const auto next = std::min_element(running.begin(), running.end(),
                                       [](const in_flight& a, const in_flight& b) { return a.end_s < b.end_s; });
    now_s = std::max(now_s, next->end_s);
    plan.makespan_s = std::max(plan.makespan_s, next->end_s);
    core.release_planned(plan.assignments[next->index].task_id, now_s);
    running.erase(next);
  }

  plan.pending = core.unplaceable();
  // Anything else still pending (held back, never placed) is explained by the policy's view.
  std::set<std::string> accounted;
  for (const auto& a : plan.assignments) accounted.insert(a.task_id);
  for (const auto& u : plan.pending) accounted.insert(u.task_id);
  for (const auto& t : tasks) {
    if (accounted.count(t.id)) continue;
    const decision_explanation why = core.explain_now(t, now_s);
    unplaceable_task stuck{t.id, {}};
    for (const auto& c : why.candidates)
      stuck.reasons.emplace_back(c.worker_id, c.feasible ? "not placed: " + why.outcome : c.rejection);
    plan.pending.push_back(std::move(stuck));
  }
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < tasks.size(); ++i) order.emplace(tasks[i].id, i);
  std::stable_sort(plan.pending.begin(), plan.pending.end(), [&](const auto& a, const auto& b) {
    return order[a.task_id] < order[b.task_id];
  });
  return plan;
}

scheduler_stats plan_statistics(const scheduler_core& core, const dry_run_plan& plan, const std::vector<task>& tasks) {
  scheduler_stats stats = core.stats();
  std::map<std::string, task_type> type_of;
  for (const auto& t : tasks) type_of.emplace(t.id, t.type);
  for (const auto& p : plan.pending) {
    const auto type = type_of.find(p.task_id);
    if (type == type_of.end()) continue;
    relabel_pending_as_unplaceable(stats.tasks_by_status);
    relabel_pending_as_unplaceable(stats.tasks_by_type_and_status[std::string{to_string(type->second)}]);
  }
  return stats;
}

} // namespace dtf
