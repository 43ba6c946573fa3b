#pragma once
// Discrete-event simulator: replays a trace on a fleet through the very same
// scheduling core, with the policy under test. Events are arrivals and
// completions; at each event time the core schedules, the simulator looks up
// each placed task's TRUE duration in the trace (the core never sees it), adds
// the model load time when the model is not warm on the worker, and feeds the
// measured duration back through record_result so the core learns online.
// Runs are never killed, so tasks are submitted without a timeout (a default
// 600 s one would steer the intelligent policy's timeout rule by a limit
// nothing enforces).
//
// Warm models: each worker keeps the `warm_models_per_worker` most recently
// started models (LRU); a task whose model is among them starts without `load`.
//
// Fleet dynamics (fleet_dynamics.hpp): workers join and leave at their times
// (a leaving worker's attempts are lost and the core requeues them), and a
// slowed worker's runs stretch over its slowdown windows.
#include "scheduler/model/worker.hpp"
#include "scheduler/core/scheduler_config.hpp"
#include "scheduler/simulation/fleet_dynamics.hpp"
#include "scheduler/simulation/lower_bound.hpp"
#include "scheduler/simulation/trace.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

struct simulation_options {
  /// A make_policy name or an ablation (see policy_variants.hpp).
  std::string policy = "intelligent";
  scheduler_config config;
  std::size_t warm_models_per_worker = 2;
  /// Predictor error "after warm-up" skips this fraction of the first placements.
  double warmup_fraction = 0.1;
  bool record_timeline = false;
  bool compute_lower_bound = true;
  lower_bound_options lower_bound;
  /// Observation ends here: tasks not finished by then are censored, their
  /// completion counted as horizon - arrival (a lower bound). 0: run to the end.
  double horizon_s = 0.0;
};

struct timeline_entry {
  std::string task_id;
  std::string worker_id;
  double arrival_s = 0.0;
  double start_s = 0.0;
  double end_s = 0.0;
  double load_s = 0.0;  // part of [start, end) spent loading the model
  double predicted_s = 0.0;
  double score = 0.0;      // the policy's score of the placement (0 for a backup)
  bool backup = false;     // a backup attempt of a task already running elsewhere
  bool cancelled = false;  // lost to the task's other attempt (end_s: when it was stopped)
};

struct simulation_result {
  std::string policy;
  std::size_t tasks = 0;        // in the trace
  std::size_t workers = 0;
  std::size_t completed = 0;
  std::size_t unscheduled = 0;  // never placed (no feasible worker)
  double makespan_s = 0.0;      // last completion (time 0 = trace start)
  double mean_completion_s = 0.0;  // completion - arrival
  double p95_completion_s = 0.0;
  double mean_wait_s = 0.0;        // start - arrival
  double utilization = 0.0;        // busy slot time / (slots x makespan)
  double load_time_s = 0.0;        // total time spent loading models
  double affinity_hit_rate = 0.0;  // placements of a model already warm on the worker
  double predictor_mape = 0.0;     // |predicted - measured| / measured, all placements
  double predictor_mape_after_warmup = 0.0;
  std::size_t decisions = 0;       // placements (first attempts)
  std::size_t deferrals = 0;       // decisions that held a task back for a busy worker
  std::size_t backups_started = 0; // backup attempts of overdue tasks
  std::size_t backups_won = 0;     // ... that finished before the first attempt
  double backup_wasted_s = 0.0;    // slot time of attempts cancelled because the other won
  double busy_slot_s = 0.0;        // slot time of every attempt (losers' until cancelled)
  std::size_t probes_started = 0;  // probes of untried devices (core/probes.hpp)
  std::size_t probes_cut = 0;      // ... cut off and queued again
  double probe_cut_s = 0.0;        // slot time of the probes cut off
  double lost_to_churn_s = 0.0;    // slot time of attempts lost with a worker that left
  /// Completion weighted by 1 + priority (censored tasks included as in the mean).
  double priority_weighted_completion_s = 0.0;
  std::size_t censored = 0;        // arrived but not finished at horizon_s
  /// Share of first attempts after warm-up (warmup_fraction) that ran at
  /// most their predicted p90; nullopt when there are none.
  std::optional<double> p90_calibration;
  /// Spearman's rank correlation of predicted and measured run times of the
  /// same first attempts after warm-up (rank_correlation.hpp): whether the
  /// predictions order tasks; nullopt with fewer than 3 or all alike.
  std::optional<double> prediction_rank_correlation;
  double scheduler_us_per_decision = 0.0;  // CPU time inside schedule() / placements (backups included)
  double scheduler_total_s = 0.0;
  lower_bound_result lower_bound;  // value_s == 0 when not computed
  double makespan_over_lower_bound = 0.0;
  std::vector<timeline_entry> timeline;  // when record_timeline, in placement order
};

/// Throws dtf::input_error when the policy name is unknown, when the core
/// places a task on a worker the trace gives no duration for (trace/fleet
/// mismatch), or when the dynamics name a worker the fleet lacks.
simulation_result simulate(const trace& tasks, const std::vector<worker_capability>& fleet,
                           const simulation_options& options, const fleet_dynamics& dynamics = {});

/// The lower-bound instance of a trace on a fleet (workers aggregated into
/// classes of identical capability; infeasible pairs +infinity). Every worker
/// counts as present throughout at its usual speed: with churn or slowdowns
/// the bound stays a lower bound (any schedule of the run is one on this fleet).
lower_bound_instance make_lower_bound_instance(const trace& tasks, const std::vector<worker_capability>& fleet,
                                               const scheduler_config& config);

} // namespace dtf
