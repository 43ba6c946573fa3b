#pragma once
// What schedule() keeps about a deferral of a requirement class's turn (its
// k-th in a call), so that later calls can repeat it without asking the
// policy while its deferral_bound (placement_policy::last_deferral_bound)
// still decides the effect -- the turn ends, or it passes over exactly the
// bound's limit, or exactly the busy count when every free candidate profile
// is predicted the bound's fastest free time:
//  - the turn reached the same task (handle; its query is compared too, for a
//    reused handle) at the same position
//    (the rest of the queue may have changed: the effect is recomputed from
//    the tasks left in the turn);
//  - no worker was added or removed;
//  - the task's predictions on the class's profiles are unchanged
//    (execution_predictor::change_stamp; no new model or family name);
//  - no profile predicted faster than the bound's fastest free one has a
//    free worker;
//  - the task has not waited past the bound's max_deferred_for_s;
//  - the busy workers still finish at least as many tasks like it within the
//    bound's window as the turn needs (counted again at each call, with the
//    kept predictions: the count moves with time).
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/scheduler_core.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dtf {

struct deferral_certificate {
  struct profile_prediction {
    double duration_s = 0.0;
    prediction_level level = prediction_level::default_estimate;
    std::uint64_t stamp = 0;
  };
  bool active = false;
  std::uint32_t head = 0;                 // task handle
  std::size_t ahead = 0;                  // tasks of the class passed over before it in the turn
  std::uint64_t structure_changes = 0;    // of the fleet, when made
  deferral_bound bound;
  execution_predictor::query query;
  std::size_t names = 0;                  // predictor names when made (the query stays valid)
  std::vector<profile_prediction> profiles;  // parallel to the class's profiles
};

} // namespace dtf
