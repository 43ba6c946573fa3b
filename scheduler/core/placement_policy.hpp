#pragma once
// What a policy decides, and what it sees. A placement_policy chooses a free
// feasible worker for one task or defers it; it reads the cluster through a
// read-only scheduler_view. A policy that also speeds up the core or switches
// on its mechanisms implements policy_hooks (core/policy_hooks.hpp) as well.
#include "scheduler/core/decision_explanation.hpp"
#include "scheduler/core/scheduler_config.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"
#include "scheduler/model/worker.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtf {

class execution_predictor;
enum class prediction_level;
class affinity_map;
class specialization_tracker;
class profile_member_order;

class scheduler_core;

/// Read-only view a policy gets of the cluster state. Its times and
/// durations are seconds of the core's clock (now_s's): a prediction, made in
/// its worker's clock (modeled seconds on an emulated worker), is converted
/// with that worker's scheduler_s_per_worker_s, so that workers of different
/// clocks or time scales compare, and add to slot free times, in one clock.
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
  /// Seconds of the core's clock per second of the worker's (run_clock.hpp).
  double scheduler_s_per_worker_s(std::size_t index) const;
  /// Whether t, which has a timeout, is predicted to run past it on the
  /// profile's workers (both in the worker's clock; true for an empty profile).
  bool predicted_past_timeout(const task& t, std::uint32_t profile) const;
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
  /// Smallest predicted duration of t over the workers that pass its filters
  /// and have a free slot; 0 when there is none.
  double best_free_predicted_finish_s(const task& t, double now_s) const;
  /// How many tasks like t the full workers that pass t's filters are
  /// predicted to finish within `within_s` from now, one after another from
  /// the time their first slot frees: the predicted end, or for a worker
  /// already x past it, x from now (it drops out once x + the task's
  /// duration reaches the window). During t's decision, on each profile less
  /// the pending tasks only that profile can run and the share of its slots
  /// that tasks submitted after t was first deferred claimed (profile_starts).
  /// Counts at most `limit`; monotone in `within_s`. O(profiles x (log
  /// workers + 32) + limit), not O(workers).
  std::size_t busy_finishing_within(const task& t, double now_s, double within_s, std::size_t limit) const;
  /// Tasks of t's requirement class that this schedule() call already held
  /// back ahead of t (0 outside a schedule() decision).
  std::size_t deferred_ahead(const task& t) const;
  /// During a schedule() decision for t: the smallest pass-over (see
  /// policy_hooks::deferral_pass_over) after which t's class gets no
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
  /// The profile's first member (lowest index); throws std::out_of_range for an empty or unknown profile.
  std::size_t first_member(std::uint32_t profile) const;
  /// Predicted duration of t on the profile's workers (busy or free).
  double predicted_profile_duration_s(const task& t, std::uint32_t profile) const;
  /// The level that answered predicted_profile_duration_s (throws as it does).
  prediction_level predicted_profile_level(const task& t, std::uint32_t profile) const;
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
};

/// "intelligent" (default), "seed", "round_robin", "random", "least_loaded", "min_completion".
std::unique_ptr<placement_policy> make_policy(std::string_view name, const scheduler_config& config);
std::vector<std::string> policy_names();


} // namespace dtf
