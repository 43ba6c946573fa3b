#include "scheduler/core/affinity_lookahead.hpp"

#include "scheduler/core/scarcity.hpp"

#include <algorithm>

namespace dtf {

task_handle affinity_lookahead::find(task_handle h, std::size_t w, const core_parts& in,
                                     const passed_over_test& passed_over) const {
  const auto& r = in.tasks[h];
  const auto& wr = in.fleet.worker(w);
  if (!enabled_ || r.affinity_skips >= config_.affinity_max_skips) return no_handle;
  if (r.affinity_model != affinity_map::no_key &&
      in.affinity.value(wr.affinity_key, r.affinity_model) >= affinity_map::same_model_value)
    return no_handle;
  const queue_key* best = nullptr;
  for (auto model : in.affinity.recent_models(wr.affinity_key)) {
    // The model's pending tasks in queue order, up to the first of another
    // priority; deferred ones are never taken, so only the undeferred ones
    // are visited.
    const auto* all = in.queue.of_model(model, false);
    if (!all || all->empty() || all->begin()->priority != r.key.priority) continue;
    const auto* undeferred = in.queue.of_model(model, true);
    if (!undeferred) continue;
    for (const auto& k : *undeferred) {  // queue order: the first eligible one of the model
      if (k.priority != r.key.priority) break;
      const auto& p = in.tasks[k.handle];
      if (k.handle == h || p.avoid_worker == wr.affinity_key) continue;
      // Feasible: w's profile is one of its class's (sorted) feasible profiles.
      const auto& feasible_profiles = in.fleet.requirement(p.class_id).profiles;
      if (!std::binary_search(feasible_profiles.begin(), feasible_profiles.end(), wr.profile)) continue;
      // Its query as the core keeps it (names resolved once, not at every prediction here).
      const auto& query = in.tasks.query(k.handle, in.predictor);
      // Not ahead of tasks only this profile can run (the head task may be one).
      if (config_.leave_scarce_profiles &&
          reserved(p.body, p.class_id, wr.profile, no_worker_index, in.fleet, in.queue, in.cache, in.predictor,
                   in.now_s, config_.defers(), &query))
        continue;
      // Feasible on the free worker w, so its class was in play from the
      // start of this call and has a cursor: skip it if passed over.
      if (passed_over(p.class_id, k)) continue;
      // Compared in the core's clock (the profiles' clocks and time scales may differ).
      const auto seconds_on = [&](const worker_capability& cap, execution_predictor::key device) {
        return in.predictor.predict(query, device, cap.kind, clock_of(cap), cap.speed).seconds;
      };
      const double here = seconds_on(wr.cap, wr.device_key) * in.fleet.profile_scheduler_s_per_worker_s(wr.profile);
      bool near_best = true;
      for (auto q : feasible_profiles)
        if (const auto& members = in.fleet.profile(q).members;
            !members.empty() &&
            // The profile's members share its device name, so the first one's device key is the representative's.
            seconds_on(in.fleet.profile(q).representative, in.fleet.worker(members.front()).device_key) *
                    in.fleet.profile_scheduler_s_per_worker_s(q) * config_.affinity_lookahead_slack <
                here) {
          near_best = false;
          break;
        }
      if (!near_best) break;
      if (!best || k < *best) best = &k;
      break;
    }
  }
  return best ? best->handle : no_handle;
}

} // namespace dtf
