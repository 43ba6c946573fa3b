#pragma once
// The scheduling core: registry of workers, pending queue, filter -> score ->
// place, and the learning state fed by record_result. No CAF, no I/O.
//
// Contract used by the simulator (scheduler/simulator) and the actor layer:
//   add_worker* ; submit* ; loop { schedule(now) -> assignments ; record_result(...) }
// schedule() only places tasks on workers with a free slot; a placed task
// occupies its slot until record_result() (or remove_worker / cancel) for it.
#include "scheduler/scheduler_config.hpp"
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
class profile_member_order;
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
};

/// What the caller must do after record_result.
struct result_effect {
  /// The worker whose attempt of the same task is now redundant: cancel it
  /// there (its slot is already free in the core).
  std::optional<std::string> cancel_on_worker;
  /// The failed attempt's task still runs on another worker: no retry needed.
  bool still_running = false;
};

/// One term of a score: its normalized value (documented range per term),
/// its weight, and the weighted contribution.
struct term_value {
  std::string name;
  double value = 0.0;
  double weight = 0.0;
  double contribution = 0.0;
};

struct candidate_explanation {
  std::string worker_id;
  bool feasible = false;
  std::string rejection;            // filter reason when !feasible, e.g. "memory 10 GB < 16 GB"
  bool has_free_slot = false;
  std::vector<term_value> terms;    // empty when !feasible
  double total = 0.0;
  double predicted_duration_s = 0.0;
};

struct decision_explanation {
  std::string task_id;
  std::string policy;
  std::vector<candidate_explanation> candidates;  // in worker registration order
  std::optional<std::string> winner;              // nullopt: deferred or unplaceable
  std::string outcome;                            // "placed", "deferred: ...", "unplaceable: ..."
};

/// A task no registered worker could ever run, with each worker's reason.
struct unplaceable_task {
  std::string task_id;
  std::vector<std::pair<std::string, std::string>> reasons;  // worker id, reason
};

/// Why a policy deferred a task, as a promise the core can check later
/// (placement_policy::last_deferral_bound).
struct deferral_bound {
  /// No free candidate profile was predicted to run the task faster.
  double fastest_free_s = 0.0;
  /// The window and the limit asked of scheduler_view::busy_finishing_within.
  double within_s = 0.0;
  std::size_t limit = 0;
  /// The deferral holds while scheduler_view::deferred_for_s stays at most this.
  double max_deferred_for_s = 0.0;
};

class scheduler_core;

/// Read-only view a policy gets of the cluster state.
class scheduler_view {
public:
  explicit scheduler_view(const scheduler_core& core) : core_(core) {}
  std::size_t worker_count() const;
  const worker_capability& worker(std::size_t index) const;
  int running(std::size_t index) const;
  int slots(std::size_t index) const;
  /// Seconds until the worker's next slot frees, from predictions of what runs there.
  double predicted_slot_free_in_s(std::size_t index, double now_s) const;
  double predicted_duration_s(const task& t, std::size_t index) const;
  const execution_predictor& predictor() const;
  const affinity_map& affinity() const;
  const specialization_tracker& specialization() const;
  const scheduler_config& config() const;
  /// Live metrics last reported for the worker (empty optionals when none).
  const worker_metrics& metrics(std::size_t index) const;
  /// Affinity of the task's model on the worker, [0, 1] (see affinity_map).
  double affinity_value(const task& t, std::size_t index) const;
  /// Specialization of the worker for the task's (type, family), [-1, 1].
  double specialization_value(const task& t, std::size_t index) const;
  /// Seconds the task has waited since submission (0 for a task the core does not hold).
  double waiting_s(const task& t, double now_s) const;
  /// nullopt when the worker passes every requirement filter for t (slots aside).
  std::optional<std::string> rejection(const task& t, std::size_t index) const;
  /// Smallest predicted duration of t over the workers that pass its filters
  /// and have a free slot; 0 when there is none.
  double best_free_predicted_finish_s(const task& t, double now_s) const;
  /// How many tasks like t the full workers that pass t's filters are
  /// predicted to finish within `within_s` from now, one after another from
  /// the time their first slot frees: the predicted end, or for a worker
  /// already x past it, x from now (it drops out once x + the task's
  /// duration reaches the window). Counts at most `limit`; monotone in
  /// `within_s`. O(profiles x log workers + limit), not O(workers).
  std::size_t busy_finishing_within(const task& t, double now_s, double within_s, std::size_t limit) const;
  /// Tasks of t's requirement class that this schedule() call already held
  /// back ahead of t (0 outside a schedule() decision).
  std::size_t deferred_ahead(const task& t) const;
  /// During a schedule() decision for t: the smallest pass-over (see
  /// placement_policy::deferral_pass_over) after which t's class gets no
  /// further decision in this call -- the tasks of the class left from t on,
  /// or 1 when this is the class's last deferral in the call. Any deferral
  /// passing over at least this many has the same effect. SIZE_MAX otherwise.
  std::size_t pass_over_ending_turn(const task& t) const;
  /// Seconds since a policy first deferred t (0 if never).
  double deferred_for_s(const task& t, double now_s) const;
  /// During a schedule() decision for t: the worker profiles (workers alike
  /// in capability) that pass t's filters, ascending; empty otherwise.
  std::span<const std::uint32_t> decision_profiles(const task& t) const;
  /// Members of the profile with a free slot, ascending.
  std::span<const std::size_t> free_members(std::uint32_t profile) const;
  /// During a schedule() decision for t: a free worker t must not use (a
  /// requeued task avoids its last worker), if any.
  std::optional<std::size_t> avoided_worker(const task& t) const;
  /// Members of each profile ordered by specialization and warm models.
  const profile_member_order& member_order() const;
  /// t's model as affinity_map keys it, and its specialization family as
  /// specialization_tracker keys it (no_key of each when unknown).
  /// During a schedule() decision for t: whether t should leave profile p to
  /// pending tasks that only p can run (scarcity), given what else t could
  /// run on now. False outside a decision.
  bool reserved(const task& t, std::uint32_t profile) const;
  /// The profile (workers alike in capability) of a worker.
  std::uint32_t profile_of(std::size_t index) const;
  /// Predicted duration of t on the profile's workers (busy or free).
  double predicted_profile_duration_s(const task& t, std::uint32_t profile) const;
  std::uint32_t affinity_model_key(const task& t) const;
  std::uint32_t specialization_family_key(const task& t) const;
private:
  const scheduler_core& core_;
};

/// Chooses a worker for one task. `free_feasible` holds indices (ascending,
/// i.e. registration order) of workers that pass every filter and have a free
/// slot; `busy_feasible` those that pass the filters but are full.
/// Return an element of free_feasible, or nullopt to defer the task.
class placement_policy {
public:
  virtual ~placement_policy() = default;
  virtual std::string_view name() const = 0;
  virtual std::optional<std::size_t> choose(const task& t, std::span<const std::size_t> free_feasible,
                                            std::span<const std::size_t> busy_feasible,
                                            const scheduler_view& view, double now_s) = 0;
  /// Term-by-term explanation of how this policy scores a candidate.
  virtual candidate_explanation explain(const task& t, std::size_t worker_index,
                                        const scheduler_view& view, double now_s) = 0;
  virtual void on_result(const task_result&) {}
  /// What choose() would answer, without changing the policy's state (for
  /// explain_now). Default: the free candidate with the highest explain() total,
  /// the earliest registered on ties.
  virtual std::optional<std::size_t> preview(const task& t, std::span<const std::size_t> free_feasible,
                                             std::span<const std::size_t> busy_feasible,
                                             const scheduler_view& view, double now_s);
  /// The score of the last choose() answer, when the policy has one (else the
  /// core asks explain()).
  virtual std::optional<double> last_choice_score() const { return std::nullopt; }
  /// Whether choose() reads busy_feasible. Building it costs O(feasible
  /// workers) per decision; a policy that answers false gets an empty span
  /// and can use scheduler_view::busy_finishing_within instead.
  virtual bool wants_busy_feasible() const { return true; }
  /// Whether choose() reads free_feasible. Building it costs O(free workers)
  /// per decision; a policy that answers false gets an empty span and finds
  /// the candidates through scheduler_view::decision_profiles, free_members
  /// and avoided_worker (preview() still gets the lists).
  virtual bool wants_free_feasible() const { return true; }
  /// After choose() deferred a task: how many tasks of its requirement class,
  /// starting with it, the core passes over in this call (at least 1). The
  /// intelligent policy passes over as many as the busy workers it expects to
  /// serve them sooner, so one call does not re-decide each of them.
  virtual std::size_t deferral_pass_over() const { return 1; }
  /// After choose() deferred t: a bound B under which it defers t again. The
  /// promise: in any later state where t's predictions on its feasible
  /// profiles are unchanged, no free candidate profile is predicted faster
  /// than B.fastest_free_s, deferred_for_s(t) <= B.max_deferred_for_s and
  /// deferred_ahead(t) is the same, let n = busy_finishing_within(t, now,
  /// B.within_s, B.limit); if n > deferred_ahead(t), choose() defers t again
  /// and passes over at least n - deferred_ahead(t) tasks, exactly that many
  /// when n = B.limit or when every free candidate profile is predicted
  /// exactly B.fastest_free_s. The core then repeats such a deferral without
  /// asking where that decides its effect. nullopt: no promise.
  virtual std::optional<deferral_bound> last_deferral_bound() const { return std::nullopt; }
  /// Whether the core may start backup attempts of overdue tasks for this
  /// policy (scheduler_config::backup_attempts).
  virtual bool wants_backups() const { return false; }
  /// Whether the core may place a pending task whose model is warm on the
  /// chosen worker ahead of the head task (scheduler_config::affinity_max_skips).
  virtual bool prefers_warm_tasks() const { return false; }
};

/// "intelligent" (default), "seed", "round_robin", "random", "least_loaded", "min_completion".
std::unique_ptr<placement_policy> make_policy(std::string_view name, const scheduler_config& config);
std::vector<std::string> policy_names();

class scheduler_core {
public:
  explicit scheduler_core(scheduler_config config = {}, std::unique_ptr<placement_policy> policy = nullptr);
  ~scheduler_core();
  scheduler_core(scheduler_core&&) noexcept;
  scheduler_core& operator=(scheduler_core&&) noexcept;

  // Workers. Registration order is the tie-break between equal scores.
  void add_worker(worker_capability worker);
  /// Removes the worker; returns ids of the tasks that were placed on it (now
  /// pending again, at their original submission order).
  std::vector<std::string> remove_worker(const std::string& worker_id);
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

  /// Pending tasks no registered worker could ever run (filters ignoring slots).
  std::vector<unplaceable_task> unplaceable() const;
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
