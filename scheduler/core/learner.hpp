#pragma once
// What the core learns, kept in step: the execution predictor, the workers'
// specialization, model affinity, and the member order built on the last two
// (profile_member_order). One function learns a finished attempt -- success,
// failure, timeout, and the lower bound a first attempt leaves when its backup
// wins -- for the simulator and the runtime alike; attempts still running
// teach a lower bound at 2x, 4x, ... their prediction.
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/core/profile_member_order.hpp"
#include "scheduler/core/scheduler_config.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/model/task_result.hpp"

#include <cstddef>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace dtf {

/// A finished attempt as learning needs it.
struct attempt_outcome {
  const task_result* result = nullptr;
  task_status status = task_status::failed;  // final status of the attempt
  bool valid_duration = false;               // result->duration_s finite and >= 0
  /// The registered worker it ran on (no_worker_index: unknown worker).
  std::size_t worker = no_worker_index;
  /// The prediction it was placed on (successful attempts of a placed task).
  std::optional<prediction> made;
  /// The task's specialization family when the core holds the task with the
  /// result's model (no_key: derived from the result's model).
  specialization_tracker::key family = specialization_tracker::no_key;
  bool family_known = false;
  /// A first attempt that lost the race to this (backup) attempt: its worker
  /// and how long it ran -- a lower bound on the run time there.
  std::size_t lost_worker = no_worker_index;
  double lost_ran_s = 0.0;
  /// A probe that finished (core/probes.hpp): it finished because its device
  /// is fast for its model, so it teaches that model's time there and
  /// nothing about the device's speed for other models.
  bool selected = false;
};

class learner {
public:
  explicit learner(const scheduler_config& config)
    : affinity(config.max_learned_links, config.affinity_recent_models), learns_variants(config.learn_task_variants) {}
  learner(const learner&) = delete;  // member_order points into this object
  learner& operator=(const learner&) = delete;

  execution_predictor predictor;
  affinity_map affinity;
  /// Results teach the task's variant beside its model (scheduler_config::learn_task_variants).
  const bool learns_variants;
  specialization_tracker specialization;
  profile_member_order member_order{specialization, affinity};

  /// Learns one finished attempt (see attempt_outcome).
  void learn(const attempt_outcome& outcome, const fleet_index& fleet);
  /// Learns a result of an earlier run (history) for a worker that may not be registered.
  void learn_from_history(const task_result& result, const worker_capability& worker, const fleet_index& fleet);

  /// A worker about to be registered: its keys (a re-registered id starts cold).
  struct worker_keys {
    affinity_map::key affinity;
    specialization_tracker::key specialization;
    execution_predictor::key device;
  };
  worker_keys register_worker(const worker_capability& cap);
  /// After fleet.add: the member order knows the worker.
  void add_to_member_order(std::size_t wi, const fleet_index& fleet);
  /// After a removal renumbered the workers.
  void rebuild_member_order(const fleet_index& fleet);
  void set_metrics(std::size_t wi, const worker_metrics& metrics);
  /// The model is now warm on worker wi (learned as a success link when `success`).
  void touch_affinity(std::size_t wi, const fleet_index& fleet, affinity_map::key model, bool success);

  /// Placed first attempt h: its first lower-bound check is due at at_s.
  void watch_running(task_handle h, double at_s);
  void unwatch_running(task_handle h);
  /// First attempts past their check time have run at least that long on
  /// their worker: learned as lower bounds; the next check at twice the time run.
  void learn_running_lower_bounds(double now_s, const task_table& tasks, const fleet_index& fleet);

  const prediction_error& prediction_errors() const { return prediction_errors_; }

private:
  void learn_specialization(std::size_t wi, specialization_tracker::key specialization_worker, task_type type,
                            specialization_tracker::key family, bool success, std::optional<double> normalized);

  prediction_error prediction_errors_;  // placements' predictions against successful results
  // Running first attempts by when the time they have run is next learned as
  // a lower bound (censored sample): placed + 2^k x the prediction.
  std::set<std::pair<double, task_handle>> censor_checks_;
  std::vector<double> censor_at_s_;  // by handle: key in censor_checks_ (infinity: none)
};

} // namespace dtf
