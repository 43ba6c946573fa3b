#pragma once
// The state of the decision being made: which task, where it stands in its
// class's turn, and its predictions per worker profile -- so that scoring one
// task against many workers resolves names once and predicts once per profile.
// Outside a decision (or for another task) predictions go to the predictor.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/queue_key.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace dtf {

class decision_cache {
public:
  struct decision {
    const task* t = nullptr;
    task_handle handle = no_handle;
    execution_predictor::query query;
    affinity_map::key affinity_model = affinity_map::no_key;
    specialization_tracker::key specialization_family = specialization_tracker::no_key;
    std::size_t deferred_ahead = 0;  // tasks of its class held back earlier in this call
    std::size_t ending_turn = std::numeric_limits<std::size_t>::max();  // see scheduler_view::pass_over_ending_turn
    std::span<const std::uint32_t> profiles;  // feasible profiles of its class (in schedule())
    std::size_t avoided = no_worker_index;    // worker this decision must not use
  };

  /// Starts deciding t (the body of task `handle` in `tasks`, or a task the
  /// core does not hold when handle is no_handle).
  void begin(const task& t, task_handle handle, const task_table& tasks, const execution_predictor& predictor,
             const affinity_map& affinity, const specialization_tracker& specialization, std::size_t profiles);
  void end() { current_.t = nullptr; }
  /// Whether the decision in progress is about t (the same object).
  bool about(const task& t) const { return current_.t == &t; }
  decision& current() { return current_; }
  const decision& current() const { return current_; }

  /// t's prediction on worker wi: once per profile while deciding t.
  /// (Inline: the hottest call of a decision.)
  /// For another task, its prepared `query` where the caller holds one (a
  /// task the core holds: task_table::query), else the predictor prepares it.
  prediction predicted_on(const task& t, std::size_t wi, const fleet_index& fleet,
                          const execution_predictor& predictor, const execution_predictor::query* query = nullptr) {
    const auto& w = fleet.worker(wi);
    if (current_.t != &t)
      return query ? predictor.predict(*query, w.device_key, w.cap.kind, clock_of(w.cap), w.cap.speed)
                   : predictor.predict(t, w.cap);
    const auto pc = w.profile;
    if (stamp_[pc] != generation_) {
      const auto p = predictor.predict(current_.query, w.device_key, w.cap.kind, clock_of(w.cap), w.cap.speed);
      duration_s_[pc] = p.seconds;
      level_[pc] = p.level;
      stamp_[pc] = generation_;
    }
    return {duration_s_[pc], level_[pc], 0};
  }
  /// Whether the decision holds a prediction for the profile.
  bool holds(std::uint32_t profile) const { return stamp_[profile] == generation_; }
  double duration_s(std::uint32_t profile) const { return duration_s_[profile]; }
  prediction_level level(std::uint32_t profile) const { return level_[profile]; }
  /// Serves a prediction kept elsewhere (a deferral certificate's) for the profile.
  void hold(std::uint32_t profile, double duration_s, prediction_level level);

private:
  decision current_;
  std::vector<double> duration_s_;        // by worker profile
  std::vector<prediction_level> level_;   // ... and the level that answered
  std::vector<std::uint32_t> stamp_;      // generation that filled duration_s_
  std::uint32_t generation_ = 0;
};

} // namespace dtf
