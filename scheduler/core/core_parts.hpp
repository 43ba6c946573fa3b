#pragma once
// What the core's deciding units (deferral certificates, backups, the
// affinity lookahead) read of its other units, passed as one bundle.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/class_arrivals.hpp"
#include "scheduler/core/decision_cache.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/pending_queue.hpp"
#include "scheduler/core/profile_starts.hpp"
#include "scheduler/core/slot_holds.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"

namespace dtf {

struct core_parts {
  const fleet_index& fleet;
  const task_table& tasks;
  const pending_queue& queue;
  decision_cache& cache;  // the decision in progress (mutable: it fills as it predicts)
  const execution_predictor& predictor;
  const affinity_map& affinity;
  const specialization_tracker& specialization;
  const profile_starts& starts;
  const class_arrivals& arrivals;
  double now_s;  // of the schedule() call in progress
  slot_holds& holds;  // what tasks held back earlier in the call count on (mutable: counts note their finds)
  /// Starts a decision about task h's body in the cache.
  void begin_decision(task_handle h) const {
    cache.begin(tasks[h].body, h, tasks, predictor, affinity, specialization, fleet.profile_count());
  }
  prediction predicted_on(const task& t, std::size_t wi) const { return cache.predicted_on(t, wi, fleet, predictor); }
};

} // namespace dtf
