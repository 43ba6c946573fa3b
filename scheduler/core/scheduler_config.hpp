#pragma once
// Weights and switches of the scoring core. Defaults follow the original design.
#include <cstddef>
#include <map>
#include <string>

namespace dtf {

struct scoring_weights {
  double hardware_match = 5.0;
  double memory_margin = 0.5;
  double compute_capability = 0.3;
  double cores = 0.2;
  double device_match = 1.0;
  double specialization = 2.0;
  double affinity = 1.5;
  double efficiency = 1.0;
  double load = 1.0;
  double predicted_finish = 3.0;
};

struct scheduler_config {
  scoring_weights weights;
  bool enable_task_affinity = true;
  bool enable_worker_specialization = true;
  bool enable_predictive_scheduling = true;
  bool load_balance = true;
  bool consider_worker_performance = true;
  bool prioritize_hardware_match = true;
  /// Hold a task back for a busy worker whose predicted finish beats every free
  /// worker's (part of predictive scheduling). Off: greedy placement on free slots.
  bool allow_deferral = true;
  /// Defer only when a busy worker's predicted finish beats the chosen free
  /// worker's by this fraction (0.25: at least 25 % sooner).
  double deferral_margin = 0.25;
  /// Never defer a task that has already waited longer than this many times
  /// its predicted duration on the chosen free worker (no starvation when
  /// predictions are wrong). A last resort: a busy worker stuck past its
  /// prediction already stops counting as about to free. Measured (bench
  /// traces, generator seeds 1-12): 3 made slow workers take long tasks at
  /// the end of a batch, 1.34 x the lower bound on average vs 1.25 at 20.
  double deferral_max_wait_factor = 20.0;
  /// Queue aging: a pending task that has waited longer than this many times
  /// its queue estimate, while later submissions could overtake it, moves
  /// ahead of the un-aged tasks of its priority (in submission order), so a
  /// stream of longer tasks cannot starve it. 0: off.
  double queue_aging_factor = 4.0;
  /// Intelligent policy: within a priority, the shortest predicted task first
  /// (Smith's rule: the least mean completion; longest first leaves every
  /// short task behind the long ones), and a task overtaken by later,
  /// shorter submissions ages once it has waited shortest_first_aging_factor
  /// x its estimate -- its wait stays about its own run time, so the long
  /// tasks' completions (the p95) do not pay for it -- and aged tasks start
  /// in the order they aged, so short ones still go first under sustained
  /// load (in submission order all would age: first come first served). false: longest first,
  /// aging at queue_aging_factor, as the baselines. 0: no aging.
  bool shortest_first = true;
  double shortest_first_aging_factor = 1.0;
  /// Intelligent policy: a pending task queued on a guess (its model had no
  /// history at submission: the type's estimate, or the default) moves to its
  /// place by the model's own history once a run of that model succeeds --
  /// a batch submitted at once is otherwise ordered for good by guesses.
  bool refine_guessed_estimates = true;
  /// Task variants (model/task_variant.hpp): a result also teaches the run
  /// time of its task's variant -- its id less its digits: the dataset of an
  /// evaluation, the test of a suite -- which then predicts that variant
  /// before its model's runs do (and, for the intelligent policy, moves its
  /// queued tasks to their place, as refine_guessed_estimates does).
  bool learn_task_variants = true;
  /// Intelligent policy: aged tasks start in the order they aged (short ones
  /// age sooner); false: in submission order, as the baselines'.
  bool aged_in_aging_order = true;
  /// Scarcity-aware placement (scarcity.hpp): a task that fits several
  /// profiles leaves the one that waiting tasks can only run on, while
  /// another profile would finish it about as soon. Off: the scores alone
  /// choose among the profiles that fit.
  bool leave_scarce_profiles = true;
  /// Deferrals per requirement class per schedule() call before the class is
  /// left for the next call (bounds the work of one call).
  int max_deferrals_per_class = 4;
  /// Backup attempts (straggler mitigation, part of predictive scheduling):
  /// when a running attempt is a real straggler -- past backup_overrun_factor
  /// x its prediction and past the p99 of its prediction's learned spread,
  /// with the prediction made from the model's own history -- and a worker
  /// nothing pending waits for is predicted (at its p90) to finish the task
  /// much sooner, the task also starts there; the first attempt to succeed
  /// wins and the caller cancels the other. Only for policies that ask for
  /// it (the intelligent one).
  bool backup_attempts = true;
  double backup_overrun_factor = 2.0;
  /// ... where the copy's p90 is at most this fraction of the time the
  /// attempt has already run (it must win clearly, not tie);
  double backup_max_fraction = 0.5;
  /// ... and within the budget: the slot time of cancelled losing attempts,
  /// plus this copy's p90, stays under this fraction of all slot time used.
  double backup_budget_fraction = 0.03;
  /// ... and at the end of a batch (nothing pending, no submissions
  /// arriving) also a first attempt that is not overdue, where its expected
  /// time still to run is more than twice a free worker's p90 for it (within
  /// the same budget; backups.hpp).
  bool backup_to_faster_workers = true;
  /// Probes of untried devices (core/probes.hpp): a waiting task starts on an
  /// idle device its model never ran on, cut off after probe_cutoff_factor x
  /// its best prediction from its model's own runs and queued again; the cut
  /// slot time stays within probe_budget_fraction of all slot time so far.
  /// Only for policies that ask for them (the intelligent one).
  bool probe_untried_devices = true;
  double probe_cutoff_factor = 3.0;
  double probe_budget_fraction = 0.02;
  /// While submissions arrive, a prediction level whose recent predictions do
  /// not order the run times that followed (prediction_spread::unranked)
  /// counts as noisy: no deferral or predicted-finish term on it.
  bool distrust_unranked_predictions = true;

  /// Whether a task may wait for a busy worker (deferral is part of predictive scheduling).
  bool defers() const { return allow_deferral && enable_predictive_scheduling; }
  /// Overdue attempts examined per schedule() call (most overdue first).
  int max_backup_checks = 32;
  /// Default concurrent tasks per worker; a worker's own `slots` or an entry in
  /// the overrides map wins.
  int max_tasks_per_worker = 2;
  std::map<std::string, int> max_tasks_per_worker_overrides;
  /// Work orders a worker may hold beyond its slots, queued on the worker and
  /// started there as its slots free (no round trip to the coordinator between
  /// one task and the next: the throughput of many short tasks across the
  /// network). The price: a queued task's worker is chosen when it is queued,
  /// and its placement time (the clock of backup attempts, the core's busy
  /// time) starts then. 0: exactly the slots (dtf run, plan and simulate).
  int prefetch = 0;
  /// Affinity lookahead (with task affinity on, intelligent policy): a pending
  /// task whose model is warm on the worker chosen for the head task goes
  /// first; the head task is passed over at most this many times. 0: off.
  int affinity_max_skips = 2;
  /// ... and only where that worker's prediction for it is within this factor
  /// of its best feasible worker's (a warm slow worker costs more than the load).
  double affinity_lookahead_slack = 1.25;
  /// Upper bound on learned affinity links (oldest/weakest evicted first).
  std::size_t max_learned_links = 1024;
  /// Models remembered as warm per worker (most recent first).
  std::size_t affinity_recent_models = 4;
  /// Keep the explanation of every decision (bounded by this many); 0 = none.
  std::size_t keep_explanations = 0;
  /// Seed for policies that use randomness (the `random` baseline).
  unsigned long long seed = 1;
};

} // namespace dtf
