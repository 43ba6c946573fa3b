#include "scheduler/simulation/clairvoyant_schedule.hpp"

#include "scheduler/filters/requirement_filter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

namespace dtf {

simulation_result clairvoyant_schedule(const trace& tasks, const std::vector<worker_capability>& fleet,
                                       const fleet_dynamics& dynamics, double horizon_s, bool record_timeline) {
  std::vector<std::string> ids;
  for (const auto& w : fleet) ids.push_back(w.id);
  const worker_speed_timeline speed(dynamics, ids);
  std::vector<double> join_s(fleet.size(), 0.0), leave_s(fleet.size(), std::numeric_limits<double>::infinity());
  for (const auto& p : dynamics.presence)
    for (std::size_t w = 0; w < fleet.size(); ++w)
      if (fleet[w].id == p.worker_id) join_s[w] = p.join_s, leave_s[w] = p.leave_s;
  std::vector<std::vector<double>> slot_free_s(fleet.size());
  for (std::size_t w = 0; w < fleet.size(); ++w) slot_free_s[w].assign(std::max(fleet[w].slots, 1), join_s[w]);

  // Arrival first (a slot only grows at its end, so a later task cannot go
  // before an earlier one there), then priority high first, then longest first.
  std::vector<double> fastest_s(tasks.tasks.size(), std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < tasks.tasks.size(); ++i)
    for (const auto& d : tasks.tasks[i].duration_s) fastest_s[i] = std::min(fastest_s[i], d.second);
  std::vector<std::size_t> order(tasks.tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = tasks.tasks[a], &y = tasks.tasks[b];
    return std::tuple(x.arrival_s, -x.spec.priority, -fastest_s[a]) < std::tuple(y.arrival_s, -y.spec.priority, -fastest_s[b]);
  });

  simulation_result out;
  out.policy = "clairvoyant";
  out.tasks = tasks.tasks.size();
  out.workers = fleet.size();
  std::vector<double> completion_s;
  double weighted_sum = 0.0, weight_sum = 0.0;
  for (auto i : order) {
    const auto& t = tasks.tasks[i];
    double best_end = std::numeric_limits<double>::infinity(), best_run = 0.0;
    std::size_t best_w = 0, best_slot = 0;
    for (std::size_t w = 0; w < fleet.size(); ++w) {
      if (first_rejection(t.spec.requirements, fleet[w])) continue;
      const auto true_s = true_duration_s(t, fleet[w]);
      if (!true_s) continue;
      for (std::size_t s = 0; s < slot_free_s[w].size(); ++s) {
        const double start = std::max(slot_free_s[w][s], t.arrival_s);
        const double run = speed.run_s(w, start, *true_s / fleet[w].speed + t.load_s);
        if (start + run > leave_s[w] || start + run >= best_end) continue;
        best_end = start + run, best_run = run, best_w = w, best_slot = s;
      }
    }
    if (!std::isfinite(best_end)) continue;  // unscheduled
    slot_free_s[best_w][best_slot] = best_end;
    const double start = best_end - best_run;
    if (record_timeline) {
      const double shown_end_s = horizon_s > 0 ? std::min(best_end, horizon_s) : best_end;
      out.timeline.push_back({t.spec.id, fleet[best_w].id, t.arrival_s, start, shown_end_s, t.load_s, best_run, 0.0,
                              false, false});
    }
    double end = best_end;
    if (horizon_s > 0 && end > horizon_s) {
      ++out.censored;
      best_run -= end - horizon_s;
      end = horizon_s;
    } else {
      ++out.completed;
    }
    out.busy_slot_s += std::max(best_run, 0.0);
    out.makespan_s = std::max(out.makespan_s, end);
    completion_s.push_back(end - t.arrival_s);
    const double weight = 1.0 + std::max(t.spec.priority, 0);
    weighted_sum += weight * (end - t.arrival_s);
    weight_sum += weight;
  }
  out.unscheduled = out.tasks - out.completed - out.censored;
  if (!completion_s.empty()) {
    out.mean_completion_s = std::accumulate(completion_s.begin(), completion_s.end(), 0.0) /
                            static_cast<double>(completion_s.size());
    std::sort(completion_s.begin(), completion_s.end());
    const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(completion_s.size())));
    out.p95_completion_s = completion_s[std::clamp<std::size_t>(rank, 1, completion_s.size()) - 1];
    out.priority_weighted_completion_s = weighted_sum / weight_sum;
  }
  return out;
}

} // namespace dtf
