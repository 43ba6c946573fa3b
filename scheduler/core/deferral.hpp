#pragma once
// Deferral certificates: what schedule() keeps about a deferral of a
// requirement class's turn (its k-th in a call), so that later calls repeat it
// without asking the policy while its deferral_bound (policy_hooks) still
// decides the effect -- the turn ends, or it passes over exactly the bound's
// limit, or exactly the busy count when every free candidate profile is
// predicted the bound's fastest free time. A certificate holds while:
//  - the turn reached the same task (handle; its query is compared too, for a
//    reused handle) at the same position (the rest of the queue may have
//    changed: the effect is recomputed from the tasks left in the turn);
//  - no worker was added or removed;
//  - the task's predictions on the class's profiles are unchanged
//    (execution_predictor::change_stamp; no new model or family name);
//  - no profile predicted faster than the bound's fastest free one has a free worker;
//  - the task has not waited past the bound's max_deferred_for_s;
//  - no pending task can run on one profile only, and no such tasks keep
//    arriving (scarcity changes the policy's candidates with the queue and
//    the time, not with the kept predictions);
//  - the busy workers still finish at least as many tasks like it within the
//    bound's window as the turn needs (counted again at each call, with the
//    kept predictions, less the slots later arrivals claimed and those tasks
//    of other classes held back earlier in the call hold: the count moves
//    with time).
#include "scheduler/core/core_parts.hpp"
#include "scheduler/core/decision_cache.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/pending_queue.hpp"
#include "scheduler/core/policy_hooks.hpp"
#include "scheduler/core/class_arrivals.hpp"
#include "scheduler/core/profile_starts.hpp"
#include "scheduler/core/slot_holds.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dtf {

/// What else takes the busy slots a deferred task waits for, before it.
struct slot_claims {
  /// Pending tasks of classes other than `own` that only that profile can run (its slots free for them first: scarcity).
  const pending_queue* queue = nullptr;
  std::uint32_t own = 0;
  /// Tasks submitted after the task was first deferred (at deferred_since_s; < 0: never) that started there since.
  const profile_starts* starts = nullptr;
  double deferred_since_s = -1.0;
  /// Recent submissions per class: tasks that only that profile can run, arriving as they recently did, claim the
  /// share of its slot time their predicted work fills (first there, as pending ones).
  const class_arrivals* arrivals = nullptr;
  /// Slot time that tasks of other classes held back earlier in this call count on (of `own`'s); the count notes
  /// its finds there.
  slot_holds* holds = nullptr;
};

/// How many tasks like t the full workers of `profiles` are predicted to
/// finish within `within_s` from now (fleet_index::count_full_finishing per
/// profile), at most `limit`, less on each profile the tasks `claims` puts
/// ahead of t there (claims.holds notes what it found per profile). A profile
/// whose prediction for t comes from the model's history at a noisy level
/// (prediction_spread::noisy) counts none: such a prediction backs no wait.
std::size_t busy_finishing_within(const task& t, std::span<const std::uint32_t> profiles, double now_s,
                                  double within_s, std::size_t limit, const fleet_index& fleet, decision_cache& cache,
                                  const execution_predictor& predictor, const slot_claims& claims = {});

/// Class c held back `held` tasks like r (`ahead` of its own before them in
/// this schedule() call; inside the decision): they hold the busy slots that
/// a count at the fastest free profile's window (x (1 - margin)) finds, in
/// profile order, which other classes then count (in.holds, slot_holds).
void hold_counted_slots(const task_record& r, std::uint32_t c, std::size_t ahead, std::size_t held, double margin,
                        double now_s, const core_parts& in);

struct deferral_certificate {
  struct profile_prediction {
    double duration_s = 0.0;
    prediction_level level = prediction_level::default_estimate;
    std::uint64_t stamp = 0;
  };
  bool active = false;
  task_handle head = 0;
  std::size_t ahead = 0;                  // tasks of the class passed over before it in the turn
  std::uint64_t structure_changes = 0;    // of the fleet, when made
  deferral_bound bound;
  execution_predictor::query query;
  std::size_t names = 0;                  // predictor names when made (the query stays valid)
  std::vector<profile_prediction> profiles;  // parallel to the class's profiles
};


class deferral_certificates {
public:
  /// explaining: explanations are kept, so every deferral is decided (and explained) anew.
  explicit deferral_certificates(bool explaining) : explaining_(explaining) {}
  /// After the policy deferred task h of class c as the class's `step`-th
  /// deferral in this call, `ahead` tasks into its queue, with `bound`: keep
  /// it. Call inside the decision (the cache holds h's predictions).
  void certify(std::uint32_t c, task_handle h, std::size_t step, std::size_t ahead,
               const std::optional<deferral_bound>& bound, const core_parts& in);
  /// When class c's certificate for its `step`-th deferral proves that the
  /// policy would defer task h (`ahead` tasks into the queue, no worker
  /// avoided) with the same effect now: how many tasks that deferral passes
  /// over (the decision stays open, with the kept predictions: the caller
  /// ends it); 0 otherwise.
  std::size_t certified_pass_over(std::uint32_t c, task_handle h, std::size_t step, std::size_t ahead,
                                  std::size_t ending_turn, std::size_t avoided, double now_s,
                                  const core_parts& in) const;

private:
  bool explaining_ = false;
  std::vector<std::vector<deferral_certificate>> by_class_;  // by requirement class, then step
};

} // namespace dtf
