// What a reported attempt means for its task, once the scheduler's core has
// learned it (scheduler_core::record_result): finished, retried, left to its
// other attempt, or cancelled with the run.
#include "actors/coordinator_state.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtf::coordinator_parts {

bool cancel_attempt(coordinator_pointer self, const task_record& r, const std::string& worker_id, int attempt,
                    double began_at_s, const std::string& why) {
  auto& st = self->state;
  auto* w = worker_id.empty() ? nullptr : st.find_worker(worker_id);
  if (!w || !w->alive) return false;  // lost: its attempt ended lost then
  self->send(w->handle, atom::cancel_v, st.id_of(r));
  const bool reported = r.last_report && r.last_report->worker_id == worker_id && r.last_report->attempt == attempt;
  if (st.journal && !reported)
    st.journal->record_attempt(st.ended_unreported(r, w->capability, attempt, began_at_s, task_status::cancelled, why));
  return true;
}

int cancel_attempts(coordinator_pointer self, const task_record& r, const std::string& why) {
  return int{cancel_attempt(self, r, r.worker_id, r.attempt, r.attempt_began_at_s, why)} +
         int{cancel_attempt(self, r, r.backup_worker_id, r.backup_attempt, r.backup_began_at_s, why)};
}

namespace {
/// Records a report of a cancelling task's copy that does not end it, just
/// before the task ends; one cut short carries the stop's reason.
void record_copy(coordinator_pointer self, task_record& r, attempt_record report) {
  auto& st = self->state;
  if (report.status == task_status::cancelled) report.error = st.stop_reason;
  st.emit(r, task_event_kind::attempt_done, std::move(report));
}
} // namespace

/// Ends a cancelling task (its worker reported, was lost, or never answered).
void end_cancelling(coordinator_pointer self, task_record& r, std::optional<attempt_record> report) {
  auto& st = self->state;
  r.cancelling = false;
  if (r.held_report) {
    // Its copies' two reports: the one decides_over picks ends the task, as
    // every output decides it; the other is recorded before it, once.
    std::optional<attempt_record> other{std::move(*r.held_report)};
    r.held_report.reset();
    if (!report || decides_over(*other, *report)) std::swap(report, other);
    if (other) record_copy(self, r, std::move(*other));
  }
  bool recorded = false;  // the deciding report was emitted already
  if (r.failed_copy) {
    // A copy failed before the stop while this one kept the task: where it
    // decides over this one's report, it ends the task, as it would have had
    // it reported after the stop. Its report is recorded already (one record
    // per attempt), so the finished update carries none.
    attempt_record failed = std::move(*r.failed_copy);
    r.failed_copy.reset();
    if (!report || decides_over(failed, *report)) {
      if (report) record_copy(self, r, std::move(*report));
      report = std::move(failed);
      recorded = true;
    }
  }
  auto status = task_status::cancelled;
  if (report) {
    const auto reported = report->status;
    if (reported == task_status::succeeded || reported == task_status::failed || reported == task_status::timed_out)
      status = reported;  // it ended on its own before the cancel reached it
    if (status == task_status::cancelled) {
      // Cut short by the stop (a lost copy keeps why it was lost); the task ends as the stop left it.
      if (reported == task_status::cancelled) report->error = st.stop_reason;
    } else if (status != task_status::succeeded) {
      r.reason = report->error;
    }
    r.worker_id = report->worker_id;  // the copy that ended the task, not necessarily the last on a worker
    r.attempt = report->attempt;
    r.keep_report(*report);
  }
  st.finish(r, status);
  if (recorded) report.reset();
  st.emit(r, task_event_kind::finished, std::move(report));
}

namespace {

/// A report of one copy of a cancelling task (the run is stopping) whose
/// other copy is still to report: unless it succeeded (the task's work is
/// done: it ends the task), it decides nothing yet -- a copy cut short by the
/// stop carries no result, and a failure leaves the task to a copy still
/// running (decides_over) -- so the other copy keeps the task and the report
/// is held, unrecorded, until the task ends (end_cancelling, at the latest
/// when the wait for reports is abandoned). Whether it was held.
bool hold_for_other_copy(task_record& r, const attempt_record& rep, bool first) {
  if (!r.cancelling || r.backup_worker_id.empty() || rep.status == task_status::succeeded) return false;
  if (first) {
    r.worker_id = r.backup_worker_id;
    r.attempt = r.backup_attempt;
    r.attempt_began_at_s = r.backup_began_at_s;
  }
  r.backup_worker_id.clear();
  r.backup_attempt = 0;
  r.held_report = std::make_unique<attempt_record>(rep);
  return true;
}

/// Follows the core's answer to one reported attempt of a task (see
/// scheduler_core::record_result): a failed attempt whose task still runs on
/// its other attempt ends alone; otherwise the report decides the task
/// (finished, retried) and the other attempt, if any, is cancelled -- the
/// loser of a backup race, or one the core no longer holds. The simulator
/// follows the same answer, so a run and a simulation decide races alike.
void follow_effect(coordinator_pointer self, attempt_record& rep, const result_effect& effect) {
  auto& st = self->state;
  const auto& res = rep;
  auto* r = st.find(res.task_id);
  if (!r) return;
  if (r->unsettled > 0) --r->unsettled;
  const bool first = r->worker_id == res.worker_id && r->attempt == res.attempt;
  const bool backup = !r->backup_worker_id.empty() && r->backup_worker_id == res.worker_id &&
                      r->backup_attempt == res.attempt;
  if (is_final(r->status) || (!first && !backup)) {
    // Settled meanwhile (cancelled, or won by the other attempt): recorded only.
    count_loser(st, *r, rep);
    st.emit(*r, task_event_kind::attempt_done, rep);
    return;
  }
  if (hold_for_other_copy(*r, rep, first)) return;
  // The task's other attempt, as far as the coordinator started it.
  std::string other;
  int other_attempt = 0;
  double other_began_at_s = 0.0;
  if (!r->backup_worker_id.empty()) {
    other = first ? r->backup_worker_id : r->worker_id;
    other_attempt = first ? r->backup_attempt : r->attempt;
    other_began_at_s = first ? r->backup_began_at_s : r->attempt_began_at_s;
  }
  r->backup_worker_id.clear();
  if (effect.still_running && !other.empty()) {
    // One of two attempts ended without success: the other keeps the task (no retry).
    r->worker_id = other;
    r->attempt = other_attempt;
    if (rep.status == task_status::failed || rep.status == task_status::timed_out)
      r->failed_copy = std::make_unique<attempt_record>(rep);  // decides if a stop cuts the other short
    st.emit(*r, task_event_kind::attempt_done, rep);  // a stopping run: the other ends it when it reports
    return;
  }
  r->worker_id = res.worker_id;
  r->attempt = res.attempt;
  if (!other.empty()) {
    if (effect.cancel_on_worker == other) {
      r->loser_worker_id = other;
      r->loser_attempt = other_attempt;
    }
    cancel_attempt(self, *r, other, other_attempt, other_began_at_s,
                   "cancelled: attempt " + std::to_string(res.attempt) + " decided the task");
  }
  if (r->cancelling) {
    end_cancelling(self, *r, rep);
    return;
  }
  r->failed_copy.reset();  // this report decides the task
  if (effect.requeued) {
    // A probe cut off (core/probes.hpp): the scheduler queued the task again; no failure, no retry.
    r->status = task_status::pending;
    r->reason = "probe of " + res.worker_id + " cut off after " + std::to_string(res.duration_s) + " s";
    st.emit(*r, task_event_kind::attempt_done, rep);
    return;
  }
  switch (res.status) {
    case task_status::succeeded:
      st.finish(*r, task_status::succeeded);
      st.emit(*r, task_event_kind::finished, rep);
      break;
    case task_status::failed:
    case task_status::timed_out: {
      ++r->failures;
      if (r->failures <= st.store.shape(r->index).retries) {
        r->status = task_status::pending;
        r->reason = rep.error.empty() ? std::string{to_string(res.status)} : rep.error;
        ++st.counts.retries;
        st.emit(*r, task_event_kind::attempt_done, rep);
        st.emit(*r, task_event_kind::retrying);
        double delay = st.config.retry_backoff_s * std::pow(2.0, r->failures - 1);
        delay = std::clamp(finite_or(delay), 0.0, st.config.retry_backoff_max_s);
        self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(delay)),
                           atom::retry_v, st.id_of(*r));
      } else {
        r->reason = rep.error;
        st.finish(*r, res.status);
        st.emit(*r, task_event_kind::finished, rep);
      }
      break;
    }
    default:  // cancelled by the worker (e.g. it is shutting down)
      st.finish(*r, task_status::cancelled);
      st.emit(*r, task_event_kind::finished, rep);
      break;
  }
}

} // namespace

/// The scheduler's answer to the results forwarded, one per result in the
/// order they were sent.
void follow_effects(coordinator_pointer self, const std::vector<result_effect>& effects) {
  auto& st = self->state;
  if (st.has_listeners()) st.outbox.reserve(st.outbox.size() + effects.size());  // one finished event each, mostly
  for (const auto& effect : effects) {
    if (st.unsettled.empty()) return;  // answers after a failure settled everything
    auto rep = std::move(st.unsettled.front());
    st.unsettled.pop_front();
    follow_effect(self, rep, effect);
  }
}

/// The scheduler failed: no answer comes, the unsettled reports settle as the
/// coordinator sees them.
void settle_without_scheduler(coordinator_pointer self) {
  auto& st = self->state;
  st.scheduler_gone = true;
  while (!st.unsettled.empty()) {
    auto rep = std::move(st.unsettled.front());
    st.unsettled.pop_front();
    follow_effect(self, rep, result_effect{});
  }
}

/// Reports from workers: bookkeeping now; the attempts of tasks that still
/// count go to the scheduler's core, which learns them, and the coordinator
/// decides what each means for its task when the core's answer comes back
/// (follow_effect).
void handle_results(coordinator_pointer self, std::vector<attempt_record>& reports) {
  auto& st = self->state;
  if (st.has_listeners()) st.outbox.reserve(st.outbox.size() + reports.size());  // one finished event each, mostly
  std::vector<task_result> learned;
  learned.reserve(reports.size());
  for (auto& rep : reports) {
    auto& res = rep;
    res.duration_s = std::max(0.0, finite_or(res.duration_s));
    if (res.modeled_s) res.modeled_s = std::max(0.0, finite_or(*res.modeled_s));
    observe_report(st, rep);
    if (auto* w = st.find_worker(res.worker_id)) {
      if (w->running > 0) --w->running;
      ++w->completed;
      // Wall time the slot was held (an emulated attempt's duration_s is modeled).
      if (rep.start_unix_s > 0.0) w->busy_s += std::max(0.0, finite_or(rep.end_unix_s - rep.start_unix_s));
      rep.worker_slots = st.slots_of(w->capability);
    }
    auto* r = st.find(res.task_id);
    if (!r) continue;
    // Only an attempt that is on a worker now counts: a task re-queued after
    // its worker was lost is pending again, and a late result is discarded.
    const bool on_worker = r->status == task_status::assigned || r->status == task_status::running;
    const bool first = on_worker && r->worker_id == res.worker_id && r->attempt == res.attempt;
    if (st.config.board) st.observed_tasks.mark(r->index);
    const bool backup = !r->backup_worker_id.empty() && r->backup_worker_id == res.worker_id &&
                        r->backup_attempt == res.attempt;
    if (is_final(r->status) || (!first && !backup)) {
      // A late attempt (cancelled, or from a worker that was given up on):
      // recorded for the outputs, not learned from.
      if (st.stopping && res.status == task_status::cancelled) rep.error = st.stop_reason;
      st.emit(*r, task_event_kind::attempt_done, rep);
      continue;
    }
    if (r->cancelling && r->unsettled == 0) {
      if (hold_for_other_copy(*r, rep, first)) continue;
      r->backup_worker_id.clear();  // the other attempt, if any, is cancelled too and arrives late
      end_cancelling(self, *r, rep);
      continue;
    }
    const auto& shape = st.store.shape(r->index);
    res.model = shape.model;
    res.type = shape.type;
    res.batch_size = shape.batch_size;
    if (rep.start_unix_s > 0.0) r->started_at_s = rep.start_unix_s;
    r->keep_report(rep);
    if (st.scheduler_gone) {
      follow_effect(self, rep, result_effect{});
      continue;
    }
    ++r->unsettled;
    learned.push_back(learning_result(rep));
    st.unsettled.push_back(std::move(rep));
  }
  if (!learned.empty()) self->send(st.scheduler, atom::result_v, std::move(learned));
}

void end_lost_attempts(coordinator_pointer self, const worker_entry& w, const std::string& why) {
  auto& st = self->state;
  const auto& id = w.capability.id;
  for (auto& r : st.tasks) {
    if (r.status != task_status::assigned && r.status != task_status::running) continue;
    const bool first = r.worker_id == id;
    const bool backup = !first && !r.backup_worker_id.empty() && r.backup_worker_id == id;
    if (!first && !backup) continue;
    const int attempt = first ? r.attempt : r.backup_attempt;
    // Reported before the loss (the scheduler's answer is on its way): the
    // report is the attempt's record, and the answer decides the task.
    if (r.last_report && r.last_report->worker_id == id && r.last_report->attempt == attempt) continue;
    auto lost = st.ended_unreported(r, w.capability, attempt, first ? r.attempt_began_at_s : r.backup_began_at_s,
                                    task_status::lost, "worker " + id + " lost (" + why + ")");
    observe_report(st, lost);
    if (r.held_report) {
      // A stopping run's last copy of the task: it ends the task, weighed
      // against the report its other copy left.
      end_cancelling(self, r, std::move(lost));
      continue;
    }
    st.emit(r, task_event_kind::attempt_done, std::move(lost));
    // The scheduler's core does the same: a lost backup is dropped, a lost
    // first attempt with a backup leaves the task to the backup -- unless a
    // report of the other attempt awaits the core's answer: that answer
    // decides the race then (follow_effect), from the attempts as they were.
    if (!backup && r.backup_worker_id.empty()) continue;  // re-queued with the scheduler's next round
    if (r.unsettled > 0) continue;
    if (!backup) {
      r.worker_id = r.backup_worker_id;
      r.attempt = r.backup_attempt;
      r.attempt_began_at_s = r.backup_began_at_s;
    }
    r.backup_worker_id.clear();
    r.backup_attempt = 0;
  }
}

} // namespace dtf::coordinator_parts
