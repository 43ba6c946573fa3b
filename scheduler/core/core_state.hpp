#pragma once
// The state of one scheduler_core: the units it is made of, and the few
// operations that keep them in step (placing, vacating, promoting a backup).
// Internal to the core (scheduler_core.cpp and scheduler_view.cpp).
#include "scheduler/core/affinity_lookahead.hpp"
#include "scheduler/core/backups.hpp"
#include "scheduler/core/core_parts.hpp"
#include "scheduler/core/core_statistics.hpp"
#include "scheduler/core/decision_cache.hpp"
#include "scheduler/core/deferral.hpp"
#include "scheduler/core/departed_workers.hpp"
#include "scheduler/core/explanations.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/learner.hpp"
#include "scheduler/core/pending_queue.hpp"
#include "scheduler/core/policy_hooks.hpp"
#include "scheduler/core/probes.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <memory>
#include <utility>
#include <vector>

namespace dtf {

struct scheduler_core::impl {
  impl(scheduler_config c, std::unique_ptr<placement_policy> p);

  scheduler_config config;
  std::unique_ptr<placement_policy> policy;
  const policy_hooks* hooks;  // the policy's, or the defaults
  learner learned;
  fleet_index fleet;
  task_table tasks;
  pending_queue queue;
  mutable decision_cache cache;
  deferral_certificates deferral;
  profile_starts starts;  // recent starts per profile (deferrals count who went ahead)
  class_arrivals arrivals;  // recent submissions per class (scarcity counts who is coming)
  mutable slot_holds holds;  // busy slot time tasks held back in this schedule() call count on
  backup_attempts backups;
  device_probes probes;
  affinity_lookahead lookahead;
  explanation_store explanations;
  core_statistics statistics;
  departed_workers departed;  // lost workers that may register again
  std::uint64_t next_sequence = 1;
  scheduler_core* owner = nullptr;

  // Scratch buffers reused by schedule(): no allocation per decision.
  std::vector<std::size_t> free_scratch;
  std::vector<std::size_t> busy_scratch;
  std::vector<std::pair<queue_key, std::uint32_t>> class_heap;

  // ---- the decision in progress (decision_cache) ----
  void begin_decision(const task& t, task_handle h) const {
    cache.begin(t, h, tasks, learned.predictor, learned.affinity, learned.specialization, fleet.profile_count());
  }
  void end_decision() const { cache.end(); }
  prediction predicted_on(const task& t, std::size_t wi) const {
    return cache.predicted_on(t, wi, fleet, learned.predictor);
  }
  double predicted_duration(const task& t, std::size_t wi) const { return predicted_on(t, wi).seconds; }
  core_parts parts() const {
    return {fleet, tasks, queue, cache, learned.predictor, learned.affinity, learned.specialization, starts,
            arrivals, statistics.last_now_s(), holds};
  }

  // ---- attempts ----
  /// Places pending task h (already out of its queue) on worker w (a probe: core/probes.hpp).
  void place(task_handle h, std::size_t w, double now_s, double score, const prediction& predicted,
             std::vector<assignment>& out, bool probe = false);
  /// Starts the backup attempt backups chose.
  void start_backup(const backup_choice& choice, double now_s, std::vector<assignment>& out);
  /// Starts the probe probes chose (takes the task out of its queue).
  void start_probe(const probe_choice& choice, double now_s, std::vector<assignment>& out);
  /// The probe of h was cut off: its slot is freed and the task queued again.
  void cut_probe(task_handle h, double now_s);
  /// Frees the slot of the task's backup attempt, if any.
  void drop_backup(task_handle h, double now_s);
  /// Frees the slots of the task's first attempt and its backup; returns the first's worker.
  int vacate(task_handle h, double now_s);
  /// The backup attempt becomes the task's only attempt (its first failed or its worker left).
  void promote_backup(task_handle h, double now_s);

  /// How the policy decides t now (handle: t's record, or no_handle).
  decision_explanation explain_task(const task& t, task_handle handle, double now_s) const;
};

} // namespace dtf
