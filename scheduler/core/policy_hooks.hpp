#pragma once
// What a policy may tell the core beyond its choices, to make decisions cheaper
// or to switch on core mechanisms (backups, the affinity lookahead). Only a
// policy that uses them implements this interface (the intelligent one); the
// core finds it once, at construction, and uses the defaults below otherwise.
// Baselines implement placement_policy alone.
#include <cstddef>
#include <optional>

namespace dtf {

/// Why a policy deferred a task, as a promise the core can check later
/// (policy_hooks::last_deferral_bound).
struct deferral_bound {
  /// No free candidate profile was predicted to run the task faster (seconds of the core's clock, as all here).
  double fastest_free_s = 0.0;
  /// The window and the limit asked of scheduler_view::busy_finishing_within.
  double within_s = 0.0;
  std::size_t limit = 0;
  /// The deferral holds while scheduler_view::deferred_for_s stays at most this.
  double max_deferred_for_s = 0.0;
};

class policy_hooks {
public:
  virtual ~policy_hooks() = default;
  /// The score of the last choose() answer (else the core asks explain()).
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
  /// starting with it, the core passes over in this call (at least 1), so one
  /// call does not re-decide each of them.
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
  /// asking where that decides its effect (core/deferral.hpp). nullopt: no promise.
  virtual std::optional<deferral_bound> last_deferral_bound() const { return std::nullopt; }
  /// Whether the core may start backup attempts of overdue tasks
  /// (scheduler_config::backup_attempts; core/backups.hpp).
  virtual bool wants_backups() const { return false; }
  /// Whether the core may probe untried devices with waiting tasks
  /// (scheduler_config::probe_untried_devices; core/probes.hpp).
  virtual bool wants_probes() const { return false; }
  /// Whether the core may place a pending task whose model is warm on the
  /// chosen worker ahead of the head task (scheduler_config::affinity_max_skips;
  /// core/affinity_lookahead.hpp).
  virtual bool prefers_warm_tasks() const { return false; }
  /// Whether the queue orders each priority by predicted duration short first
  /// (else long first) and ages a task after scheduler_config::
  /// shortest_first_aging_factor x its estimate (else queue_aging_factor x).
  virtual bool orders_shortest_first() const { return false; }
  /// Whether a pending task queued on a guessed estimate is re-placed in its
  /// queue by its model's history once there is some
  /// (scheduler_config::refine_guessed_estimates).
  virtual bool refines_guessed_estimates() const { return false; }
};

} // namespace dtf
