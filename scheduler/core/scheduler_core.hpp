#pragma once
// The scheduling core: registry of workers, pending queue, filter -> score ->
// place, and the learning state fed by record_result. No CAF, no I/O. Made of
// units that each own their state (scheduler/core/core_state.hpp lists them).
//
// Contract used by the simulator (scheduler/simulation) and the actor layer:
//   add_worker* ; submit* ; loop { schedule(now) -> assignments ; record_result(...) }
// schedule() only places tasks on workers with a free slot; a placed task
// occupies its slot until record_result() (or remove_worker / cancel) for it.
#include "scheduler/core/decision_explanation.hpp"
#include "scheduler/core/placement_policy.hpp"
#include "scheduler/core/scheduler_config.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"
#include "scheduler/model/worker.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dtf {

class execution_predictor;
class affinity_map;
class specialization_tracker;
struct scheduler_stats;

struct assignment {
  std::string task_id;
  std::string worker_id;
  double score = 0.0;
  double predicted_duration_s = 0.0;
  /// A backup attempt: the task already runs on another worker (see
  /// scheduler_config::backup_attempts); the first to succeed wins.
  bool backup = false;
  /// The prediction came from learned history (false: a default estimate).
  bool predicted_from_history = false;
  /// 90 % of such runs end by then (the prediction's learned spread).
  double predicted_p90_s = 0.0;
  /// A probe of a device the task's model never ran on (core/probes.hpp):
  /// stop the attempt as a timeout once it has run this long (the worker's
  /// clock) and report it timed out; the core queues the task again. 0: none.
  double cutoff_s = 0.0;
};

/// What the caller must do after record_result.
struct result_effect {
  /// The worker whose attempt of the same task is now redundant: cancel it
  /// there (its slot is already free in the core).
  std::optional<std::string> cancel_on_worker;
  /// The failed attempt's task still runs on another worker: no retry needed.
  bool still_running = false;
  /// The attempt was a probe, cut off: the core queued the task again (no
  /// retry, not a failure).
  bool requeued = false;
};

class scheduler_core {
public:
  explicit scheduler_core(scheduler_config config = {}, std::unique_ptr<placement_policy> policy = nullptr);
  ~scheduler_core();
  scheduler_core(scheduler_core&&) noexcept;
  scheduler_core& operator=(scheduler_core&&) noexcept;

  // Workers. Registration order is the tie-break between equal scores.
  void add_worker(worker_capability worker);
  /// Removes the worker; returns ids of the tasks that were placed on it (now
  /// pending again, at their original submission order). `may_return`: the
  /// worker was lost, not ended, and may register again under its id; until
  /// then a task only it could run is stranded(), not unplaceable().
  std::vector<std::string> remove_worker(const std::string& worker_id, bool may_return = false);
  void update_metrics(const std::string& worker_id, const worker_metrics& metrics);

  // Tasks.
  /// Queues a task. Throws std::invalid_argument on a duplicate live id.
  void submit(task t, double now_s = 0.0);
  /// Requeues a finished (failed/timed out) task for another attempt, preferring
  /// a worker other than `avoid_worker_id` when one is feasible.
  void requeue(const std::string& task_id, const std::string& avoid_worker_id, double now_s = 0.0);
  /// Cancels a pending or placed task; returns false if unknown or final.
  bool cancel(const std::string& task_id);

  /// Places pending tasks (priority high first, then predicted duration long
  /// first, then submission order) onto free slots; before them, backup
  /// attempts of overdue tasks when the policy wants them.
  std::vector<assignment> schedule(double now_s = 0.0);
  /// When schedule() should be called again even if nothing else happens (an
  /// attempt becomes overdue for a backup); nullopt: only on the next event.
  std::optional<double> next_wakeup_s() const;
  /// Frees the slot and feeds predictor, specialization and affinity. With a
  /// backup attempt in flight, the answer says which attempt to cancel (after
  /// a success) or that the task still runs (after a failure).
  result_effect record_result(const task_result& result, double now_s = 0.0);

  /// Learns from a result of an earlier run (the journal's history) the way
  /// record_result does: predictor, specialization and affinity links. Touches
  /// no slot, task or statistic; the worker need not be registered (its
  /// capability gives device name, kind and speed).
  void learn_from_history(const task_result& result, const worker_capability& worker);

  /// Frees a placed task's slot WITHOUT feeding any learning: for planning dry
  /// runs (`dtf plan` advances predicted time wave by wave). Status: succeeded
  /// is not claimed; the task counts as "planned" in the statistics.
  void release_planned(const std::string& task_id, double now_s = 0.0);

  /// Pending tasks no registered worker could ever run (filters ignoring
  /// slots), neither a connected one nor a lost one that may return.
  std::vector<unplaceable_task> unplaceable() const;
  /// Pending tasks no connected worker can run that a lost worker which may
  /// return could: they wait for it.
  std::vector<stranded_task> stranded() const;
  std::size_t pending_count() const;
  std::size_t running_count() const;

  // Observability.
  /// The explanation captured when the task was decided (needs keep_explanations).
  std::optional<decision_explanation> explanation(const std::string& task_id) const;
  /// Explains how the task would be decided against the current state.
  decision_explanation explain_now(const task& t, double now_s = 0.0) const;
  scheduler_stats stats() const;
  /// stats() without the parts that grow with workers x families and
  /// metric names (specialization, model families, metric counts): what a
  /// watcher polls every second.
  scheduler_stats stats_summary() const;

  const scheduler_config& config() const;
  const execution_predictor& predictor() const;
  execution_predictor& predictor();
  const affinity_map& affinity() const;
  const specialization_tracker& specialization() const;
  const std::vector<worker_capability>& workers() const;

private:
  friend class scheduler_view;
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
