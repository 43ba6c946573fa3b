#include "scheduler/core/scarcity.hpp"

#include "scheduler/core/finite.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dtf {

std::size_t exclusive_pending(const fleet_index& fleet, const pending_queue& queue, std::uint32_t p) {
  std::size_t n = 0;
  for (auto c : fleet.profile(p).exclusive_classes) n += queue.of_class(c).size();
  return n;
}

bool any_exclusive_pending(const fleet_index& fleet, const pending_queue& queue) {
  for (auto c : fleet.exclusive_classes())
    if (!queue.of_class(c).empty()) return true;
  return false;
}

bool any_exclusive_arriving(const fleet_index& fleet, const class_arrivals& arrivals, double now_s) {
  for (auto c : fleet.exclusive_classes())
    if (arrivals.rate_per_s(c, now_s) > 0.0) return true;
  return false;
}

bool reserved(const task& t, std::uint32_t own, std::uint32_t p, std::size_t avoided, const fleet_index& fleet,
              const pending_queue& queue, decision_cache& cache, const execution_predictor& predictor, double now_s,
              bool busy_alternatives, const execution_predictor::query* query) {
  if (p >= fleet.profile_count() || fleet.requirement(own).profiles.size() <= 1) return false;
  const std::size_t waiting = exclusive_pending(fleet, queue, p);
  if (waiting == 0 || fleet.profile(p).members.empty()) return false;
  const double slots = std::max(1, fleet.profile(p).total_slots);
  // Compared in the core's clock: profiles of another clock or time scale may be among them.
  double here = -1.0;  // predicted on first need
  const auto here_s = [&] {
    if (here < 0.0)
      here = cache.predicted_on(t, fleet.profile(p).members.front(), fleet, predictor, query).seconds *
             fleet.profile_scheduler_s_per_worker_s(p);
    return here;
  };
  // The rule itself: running t on an alternative taking `alternative_s` costs less than holding up the waiting tasks.
  const auto leaves_for = [&](double alternative_s) {
    return alternative_s - here_s() < static_cast<double>(waiting) * here_s() / slots;
  };
  double open_best = infinity;
  for (auto q : fleet.requirement(own).profiles) {
    if (q == p || exclusive_pending(fleet, queue, q) > 0) continue;
    const auto& members = fleet.profile(q).free_members;
    const std::size_t first = members.empty()         ? no_worker_index
                              : members[0] != avoided ? members[0]
                              : members.size() > 1    ? members[1]
                                                      : no_worker_index;
    if (first != no_worker_index) {
      open_best = std::min(open_best, cache.predicted_on(t, first, fleet, predictor, query).seconds *
                                          fleet.profile_scheduler_s_per_worker_s(q));
      continue;
    }
    if (!busy_alternatives) continue;
    // Busy: worth waiting for only on a prediction from t's model's own runs
    // (a guess there would hold the scarce profile back for nothing).
    const auto& full = fleet.profile(q).full_by_end;
    if (full.empty()) continue;
    const auto& [end_s, w] = full.front();
    const double wait_s = std::abs(finite_or(end_s - now_s, 0.0));
    // The wait alone already too long (to beat the best so far, or to leave p at all): no prediction needed.
    if (!(wait_s < open_best) || !leaves_for(wait_s)) continue;
    const auto there = cache.predicted_on(t, w, fleet, predictor, query);
    if (!from_model_history(there.level)) continue;
    open_best = std::min(open_best, wait_s + there.seconds * fleet.profile_scheduler_s_per_worker_s(q));
  }
  if (!std::isfinite(open_best)) return false;
  return leaves_for(open_best);
}

} // namespace dtf
