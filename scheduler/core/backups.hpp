#pragma once
// Backup attempts of real stragglers: a first attempt becomes overdue past
// both backup_overrun_factor x its prediction and the p99 of its level's
// learned spread (only predictions from the model's own history: a default or
// a family guess overrun says the guess was wrong, not the worker slow; and
// not from a level whose spread is noisy, prediction_spread::noisy: where run
// times are heavy-tailed whatever the history, as in Philly's trace, a long
// run is most likely a long job, which a copy started from zero only
// repeats -- measured, below). An
// overdue attempt gets a copy on a free feasible worker whose p90 for it is at
// most backup_max_fraction of the time already run (the copy is expected to
// win clearly, not tie), within a budget: wasted slot time (cancelled losers)
// plus what the copies still racing and this one may waste stays within
// backup_budget_fraction of all slot time so far. Times and predictions meet
// in the core's clock (each prediction times its worker's
// scheduler_s_per_worker_s).
// At the end of a batch -- nothing pending, the submissions over
// (class_arrivals::submissions_over: an online stream's lull, such as a night
// between working days, is not an end: there a copy of an hours-long
// background run holds a faster worker the next burst needs) -- a
// first attempt need not be overdue: one whose expected time still to run
// (prediction_spread::mean_remaining_s, from what its model's own history
// now predicts on its worker and how long it has run) is more than twice a
// free feasible worker's p90 for it gets a copy there, within the same
// budget (a long task started on a slow worker sets the makespan while the
// fast ones idle; online, a free slot is the next arrival's).
// Owns the overdue index, the wake-up time and the counters.
#include "scheduler/core/core_parts.hpp"
#include "scheduler/core/fleet_index.hpp"
#include "scheduler/core/task_table.hpp"
#include "scheduler/learning/execution_predictor.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <utility>
#include <vector>

namespace dtf {

struct backup_choice {
  task_handle task = no_handle;
  std::size_t worker = no_worker_index;
  prediction predicted;
  double p90_s = 0.0;       // in the worker's clock, as predicted
  double elapsed_s = 0.0;  // how long the first attempt has run (the core's clock)
  double remaining_s = 0.0;  // a copy on a faster worker: the first attempt's expected time still to run (else 0)
  double weighed_p90_s = 0.0;  // the copy's log-normal p90 the decision weighed (the core's clock)
};

class backup_attempts {
public:
  /// enabled: the policy wants backups and the configuration allows them.
  backup_attempts(const scheduler_config& config, bool enabled) : config_(config), enabled_(enabled) {}

  /// A first attempt just placed: remember when it becomes overdue.
  void watch(task_handle h, const task_record& r, const execution_predictor& predictor);
  /// The attempt ended, moved or got its backup: no longer watched.
  void unwatch(task_handle h);
  bool any_overdue(double now_s) const { return !overdue_.empty() && overdue_.begin()->first <= now_s; }

  /// Starts backups of overdue first attempts (most overdue first) through
  /// `start`, which occupies the slot; only call with nothing pending (a copy
  /// never delays work that has not started).
  /// faster_copies: faster_copies_due() at this call; only then are copies
  /// on faster workers considered.
  /// others_s: slot time other cancellations hold against the same budget
  /// (the probes', device_probes::committed_s).
  void place(double now_s, const core_parts& in, bool faster_copies,
             const std::function<void(const backup_choice&)>& start, double others_s);
  /// Whether the end-of-batch pass runs: after a result (the first call
  /// since one came, see note_result), switched on, something running and the
  /// submissions over (nothing pending, as place() requires).
  bool faster_copies_due(double now_s, const core_parts& in, bool after_result) const;
  /// A result came. Copies on faster workers are weighed at the schedule()
  /// call that follows a result only -- not at wake-ups or other calls --
  /// so that when a caller calls schedule() does not change what they decide
  /// (their condition moves with the time run, unlike being overdue).
  void note_result() { result_noted_ = true; }
  /// Whether a result came since the last call; clears it.
  bool take_result_noted() { return std::exchange(result_noted_, false); }

  /// When schedule() should run again with no other event (nullopt-like: infinity).
  double wakeup_s() const { return wakeup_s_; }
  void clear_wakeup() { wakeup_s_ = std::numeric_limits<double>::infinity(); }
  /// The next first attempt to become overdue after now is a wake-up time.
  void note_next_overdue(double now_s);

  /// Task h's copy race ended (either attempt won, failed or left): what its start charged is no longer held.
  void settle(task_handle h);

  void count_won() { ++won_; }
  void count_wasted(double slot_s) { wasted_s_ += slot_s; }
  std::uint64_t started() const { return started_; }
  std::uint64_t won() const { return won_; }
  double wasted_s() const { return wasted_s_; }
  /// Slot time cancelled, and what the copies still racing may waste.
  double committed_s() const { return wasted_s_ + held_total_s_; }

private:
  const scheduler_config& config_;
  bool enabled_ = false;
  // Running first attempts by the time they become overdue.
  std::set<std::pair<double, task_handle>> overdue_;
  std::vector<double> overdue_at_s_;  // by handle: key in overdue_ (infinity: none)
  double wakeup_s_ = std::numeric_limits<double>::infinity();
  std::uint64_t started_ = 0;
  std::uint64_t won_ = 0;
  double wasted_s_ = 0.0;  // slot time of attempts that lost a race to their copy
  /// The free feasible worker, other than the first attempt's, with the
  /// smallest (log-normal) p90 for r's task in the core's clock (history_only:
  /// a profile predicted at a guess does not count). p90_s infinite: none.
  struct free_worker {
    std::size_t worker = 0;
    double p90_s = std::numeric_limits<double>::infinity();
    prediction predicted;
  };
  static free_worker fastest_free(const task_record& r, const core_parts& in, bool history_only);
  /// Books a copy of h on `on`, charged charge_s against the budget until its race ends.
  backup_choice begin_copy(task_handle h, double charge_s, const free_worker& on, const core_parts& in,
                           double elapsed_s, double remaining_s);
  /// The end-of-batch pass: copies of first attempts a free worker is
  /// predicted to overtake (see the file comment); `charged_s` as in place().
  void copy_to_faster(double now_s, const core_parts& in, const std::function<void(const backup_choice&)>& start,
                      double budget_fraction, double& busy_s, double& charged_s, double others_s);
  // What the copies still racing were charged when they started (by handle), and their sum: held against
  // the budget until the race ends, so copies started in different calls cannot overrun it together.
  std::vector<double> held_s_;
  double held_total_s_ = 0.0;
  bool result_noted_ = false;
  // By handle: the running first attempt had a copy (one per first attempt; a copy that failed is not repeated).
  std::vector<bool> copied_;
};

} // namespace dtf
