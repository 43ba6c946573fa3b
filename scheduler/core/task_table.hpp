#pragma once
// The core's live tasks: one record per handle (handles are reused after a
// task is retired), the lookup by id, and each task's attempts. Other units
// keep their own per-handle state (aging, overdue times, censor checks).
#include "scheduler/learning/affinity_map.hpp"
#include "scheduler/core/queue_key.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/learning/specialization_tracker.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"

#include <cstddef>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace dtf {

/// One attempt of a task on a worker, with the prediction it was placed on:
/// placed_at_s in the core's clock, the predictions in the worker's (as
/// learning takes them), and the worker's scheduler_s_per_worker_s to bring
/// them to the core's clock.
struct attempt_slot {
  int worker = no_worker;
  double placed_at_s = 0.0;
  double predicted_s = 0.0;
  prediction_level level = prediction_level::default_estimate;
  double predicted_p90_s = 0.0;
  double scheduler_s_per_worker_s = 1.0;
  /// Stopped after this run time, in the worker's clock (core/probes.hpp); 0: never.
  double cutoff_s = 0.0;
  bool probe = false;  // a probe of an untried device (else a placement on a guess, when cutoff_s > 0)
  /// The prediction came from learned history, not a default.
  bool from_history() const { return level != prediction_level::default_estimate; }
  /// The prediction as execution_predictor::record_outcome takes it.
  prediction made() const { return {predicted_s, level, 0, predicted_p90_s}; }
  /// The predicted run in the core's clock.
  double predicted_scheduler_s() const { return predicted_s * scheduler_s_per_worker_s; }
  /// When it is predicted to end, in the core's clock.
  double expected_end_s() const { return placed_at_s + predicted_scheduler_s(); }
};

struct task_record {
  task body;
  task_status status = task_status::pending;
  bool live = false;  // holds a task (false: free handle)
  double submitted_at_s = 0.0;
  queue_key key;
  bool key_guessed = false;  // key.predicted_s is not from the model's history (see pending_queue::refine_guesses)
  bool key_variant_unknown = false;  // ... from the model's, not yet from its variant's (likewise)
  /// Its variant (model/task_variant.hpp) where variants are learned, else "": built once, at submission.
  std::string variant;
  /// Core seconds per second of key.predicted_s (a worker-independent estimate): the largest
  /// scheduler_s_per_worker_s of the class's profiles at submission (1 without any).
  double key_scheduler_s_per_s = 1.0;
  std::uint32_t class_id = 0;  // requirement class (fleet_index)
  affinity_map::key affinity_model = affinity_map::no_key;
  specialization_tracker::key specialization_family = specialization_tracker::no_key;
  affinity_map::key avoid_worker = affinity_map::no_key;  // requeue preference
  double first_deferred_at_s = -1.0;  // when the policy first held it back; < 0: never
  int affinity_skips = 0;             // times a warm-model task went ahead of it
  attempt_slot first;                 // the placed attempt (worker == no_worker: none)
  /// A second attempt started because the first overran its prediction.
  attempt_slot backup;
  // The predictor query of the body, kept while the predictor's names do not change.
  mutable execution_predictor::query query;
  mutable std::size_t query_names = std::numeric_limits<std::size_t>::max();
  mutable std::size_t query_variants = std::numeric_limits<std::size_t>::max();

  bool has_backup() const { return backup.worker != no_worker; }
  /// The attempt running on worker wi (the backup's or the first's).
  const attempt_slot& attempt_on(int wi) const { return backup.worker == wi ? backup : first; }
};

class task_table {
public:
  /// A fresh record for t (a reused handle when one is free); the caller fills it.
  task_handle add(task t);
  /// Forgets a finished task's body; its id may be submitted again.
  void retire(task_handle h);
  /// no_handle when no live task has the id.
  task_handle find(const std::string& id) const;
  task_record& operator[](task_handle h) { return records_[h]; }
  const task_record& operator[](task_handle h) const { return records_[h]; }
  /// Handles ever allocated (live or free): the size per-handle state needs.
  std::size_t capacity() const { return records_.size(); }
  /// The query of the record's body (cached while the predictor's names stay).
  const execution_predictor::query& query(task_handle h, const execution_predictor& predictor) const;

private:
  std::vector<task_record> records_;
  std::vector<task_handle> free_handles_;
  std::unordered_map<std::string, task_handle> index_;  // live tasks; lookups only
};

} // namespace dtf
