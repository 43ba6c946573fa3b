// The core's attempts: placing a task (a first attempt, a backup copy or a
// probe), vacating its slots and promoting a backup -- the operations that
// keep the fleet, the task table, learning and the deciding units in step.
#include "scheduler/core/core_state.hpp"
#include "scheduler/core/finite.hpp"
#include "scheduler/model/run_clock.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace dtf {

void scheduler_core::impl::place(task_handle h, std::size_t w, double now_s, double score,
                                 const prediction& predicted, std::vector<assignment>& out, bool probe) {
  auto& r = tasks[h];
  const auto& wr = fleet.worker(w);
  // Affinity bookkeeping before the model becomes warm there (a probe's model only once it finishes there: one cut
  // off would draw its model's next tasks to the worker it was too slow on).
  if (r.affinity_model != affinity_map::no_key && !probe) {
    statistics.count_affinity(learned.affinity.value(wr.affinity_key, r.affinity_model));
    learned.touch_affinity(w, fleet, r.affinity_model, false);
  }
  r.first = {static_cast<int>(w), finite_or(now_s, 0.0), predicted.seconds, predicted.level,
             learned.predictor.p90_seconds(predicted.seconds, predicted.level), scheduler_s_per_worker_s(wr.cap)};
  r.avoid_worker = affinity_map::no_key;
  r.first_deferred_at_s = -1.0;
  statistics.set_status(r, task_status::assigned);
  fleet.occupy(w, {h, r.first.placed_at_s, r.first.expected_end_s()});
  starts.note(wr.profile, r.first.placed_at_s, r.submitted_at_s, r.first.predicted_scheduler_s());
  backups.watch(h, r, learned.predictor);
  // Checked in the scheduler's clock; the prediction is in the worker's (a
  // worker whose clock does not follow the scheduler's is not checked).
  const double scale = r.first.scheduler_s_per_worker_s;
  if (std::isfinite(scale) && scale > 0.0) {
    const double tail_s = learned.predictor.spread().lognormal_p90_s(predicted.seconds, predicted.level);
    learned.watch_running(h, r.first.placed_at_s + std::max({2.0 * predicted.seconds * scale, tail_s * scale, 1.0}));
  }
  statistics.count_decision();
  out.push_back({r.body.id, wr.cap.id, finite_or(score, 0.0), finite_or(predicted.seconds, 0.0), false,
                 r.first.from_history(), finite_or(r.first.predicted_p90_s, 0.0), r.first.cutoff_s});
}

void scheduler_core::impl::start_backup(const backup_choice& choice, double now_s, std::vector<assignment>& out) {
  auto& r = tasks[choice.task];
  const auto& wr = fleet.worker(choice.worker);
  if (r.affinity_model != affinity_map::no_key) learned.touch_affinity(choice.worker, fleet, r.affinity_model, false);
  r.backup = {static_cast<int>(choice.worker), finite_or(now_s, 0.0), choice.predicted.seconds,
              choice.predicted.level, choice.p90_s, scheduler_s_per_worker_s(wr.cap)};
  fleet.occupy(choice.worker, {choice.task, r.backup.placed_at_s, r.backup.expected_end_s()});
  starts.note(wr.profile, r.backup.placed_at_s, r.submitted_at_s, r.backup.predicted_scheduler_s());
  if (explanations.enabled()) {
    decision_explanation e;
    e.task_id = r.body.id;
    e.policy = std::string{policy->name()};
    e.winner = wr.cap.id;
    e.outcome = "backup: the attempt on " + fleet.worker(static_cast<std::size_t>(r.first.worker)).cap.id +
                " has run " + std::to_string(choice.elapsed_s) + " s against " +
                std::to_string(r.first.predicted_scheduler_s()) + " s predicted" +
                (choice.remaining_s > 0.0 ? " and is expected to need " + std::to_string(choice.remaining_s) +
                                                " s more (the end of a batch)"
                                          : std::string{}) +
                "; " + wr.cap.id +
                " is predicted to need " + std::to_string(r.backup.predicted_scheduler_s()) + " s (p90 " +
                std::to_string(choice.p90_s * r.backup.scheduler_s_per_worker_s) + " s, weighed at its log-normal p90 " +
                std::to_string(choice.weighed_p90_s) + " s; the core's clock)";
    explanations.keep(std::move(e));
  }
  out.push_back({r.body.id, wr.cap.id, 0.0, finite_or(choice.predicted.seconds, 0.0), true, r.backup.from_history(),
                 finite_or(choice.p90_s, 0.0)});
}

void scheduler_core::impl::start_probe(const probe_choice& choice, double now_s, std::vector<assignment>& out) {
  auto& r = tasks[choice.task];
  queue.take(tasks, r.class_id, queue.of_class(r.class_id).find(r.key));
  if (explanations.enabled()) {
    auto e = explain_task(r.body, choice.task, now_s);
    e.winner = fleet.worker(choice.worker).cap.id;
    e.outcome = "probe: its model never ran on " + fleet.worker(choice.worker).cap.name +
                "; stopped and queued again after " + std::to_string(choice.cutoff_s) + " s";
    explanations.keep(std::move(e));
  }
  place(choice.task, choice.worker, now_s, 0.0, choice.predicted, out, true);
  backups.unwatch(choice.task);  // a guess overrun says the guess was wrong: the cut-off decides
  r.first.cutoff_s = choice.cutoff_s;
  r.first.probe = true;  // (place() cleared both)
  out.back().cutoff_s = choice.cutoff_s;
}

void scheduler_core::impl::cut_probe(task_handle h, double now_s) {
  auto& r = tasks[h];
  probes.count_cut(h, now_s - r.first.placed_at_s);
  vacate(h, now_s);
  statistics.set_status(r, task_status::pending);
  queue.enqueue(tasks, h, statistics.last_now_s());
}

void scheduler_core::impl::drop_backup(task_handle h, double now_s) {
  auto& r = tasks[h];
  if (!r.has_backup()) return;
  backups.settle(h);
  fleet.release(static_cast<std::size_t>(r.backup.worker), h, now_s);
  r.backup.worker = no_worker;
}

int scheduler_core::impl::vacate(task_handle h, double now_s) {
  auto& r = tasks[h];
  drop_backup(h, now_s);
  backups.unwatch(h);
  probes.settle(h);
  learned.unwatch_running(h);
  const int wi = r.first.worker;
  if (wi == no_worker) return wi;
  fleet.release(static_cast<std::size_t>(wi), h, now_s);
  r.first.worker = no_worker;
  return wi;
}

void scheduler_core::impl::promote_backup(task_handle h, double now_s) {
  auto& r = tasks[h];
  backups.unwatch(h);
  backups.settle(h);
  learned.unwatch_running(h);
  if (r.first.worker != no_worker) fleet.release(static_cast<std::size_t>(r.first.worker), h, now_s);
  r.first = r.backup;
  r.backup = attempt_slot{};
}

} // namespace dtf
