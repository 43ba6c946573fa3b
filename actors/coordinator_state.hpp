#pragma once
// The coordinator's state (Tenzir style: coordinator_state plus a behavior):
// every task's lifecycle, the worker registry, the backlog, what the
// observation board shows. Shared by the coordinator's files only:
// coordinator.cpp (the behavior: submissions, rounds, stopping),
// coordinator_results.cpp (what a reported attempt means for its task) and
// coordinator_observation.cpp (the view the HTTP server shows).
#include "actors/coordinator.hpp"
#include "actors/interfaces.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/messages.hpp"
#include "actors/observation/observation_board.hpp"
#include "actors/observation/observed_task_chunks.hpp"
#include "actors/task_store.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

namespace dtf {

namespace coordinator_parts {

/// A task's lifecycle; its definition is in coordinator_state::store under
/// the same index.
struct task_record {
  task_status status = task_status::pending;
  int attempts = 0;          // assignments so far
  int failures = 0;          // failed or timed-out attempts
  std::string worker_id;     // current or last worker
  int attempt = 0;           // the attempt number running on worker_id
  // A backup attempt started because the first overran its prediction
  // (scheduler_config::backup_attempts): the first to succeed wins.
  std::string backup_worker_id;
  int backup_attempt = 0;
  /// Unix times the attempts began: of the assignment, then (the first
  /// attempt's) of the start; what a lost attempt's record says it began at.
  double attempt_began_at_s = 0.0;
  double backup_began_at_s = 0.0;
  bool in_scheduler = false; // counted in the scheduler window
  bool unplaceable = false;
  /// The run is stopping: cancel sent to its worker(s), it ends when its
  /// attempts are reported (or lost, or when the wait is abandoned).
  bool cancelling = false;
  /// A cancelling task's copy that reported without success while its other
  /// copy was still to report (hold_for_other_copy): not emitted yet, it is
  /// weighed against the other's report when the task ends (end_cancelling).
  std::unique_ptr<attempt_record> held_report;
  /// A copy that failed (or timed out) while its other copy ran on and kept
  /// the task: emitted then; if a stop cuts the other copy short, the task
  /// ends on this one where decides_over picks it (end_cancelling).
  std::unique_ptr<attempt_record> failed_copy;
  double predicted_duration_s = 0.0;
  std::string reason;
  /// Its place in coordinator_state::tasks and ::store.
  std::size_t index = 0;
  /// Behind a pointer: most of a large run's tasks are queued and have none.
  std::unique_ptr<attempt_record> last_report;

  void keep_report(const attempt_record& report) {
    if (last_report) *last_report = report;
    else last_report = std::make_unique<attempt_record>(report);
  }
  // Unix times for the observation board (0: not yet).
  double submitted_at_s = 0.0;
  double started_at_s = 0.0;
  double finished_at_s = 0.0;
  /// The attempt cancelled because the other one won a backup race: its
  /// report, when it comes, is counted as wasted slot time.
  std::string loser_worker_id;
  int loser_attempt = 0;
  /// Reports of this task forwarded to the scheduler whose result_effect has
  /// not come back yet: what they mean for the task is decided then.
  int unsettled = 0;
};

/// An attempt on a worker, for the observation board (what runs where).
struct active_attempt {
  std::size_t task_index;
  int attempt;
  double started_at_s;  // unix time of the assignment, then of the start
};

struct worker_entry {
  worker_capability capability;
  worker_actor handle;
  caf::actor_addr address;
  bool alive = true;
  int running = 0;
  std::uint64_t completed = 0;
  double busy_s = 0.0;
  worker_metrics metrics;               // last sample
  std::vector<active_attempt> active;   // attempts sent to it and not reported
};

/// Backlog order: priority high first, then submission order.
struct backlog_entry {
  int priority;
  std::uint64_t sequence;
  std::size_t index;
  bool operator<(const backlog_entry& other) const {  // std::priority_queue is a max-heap
    if (priority != other.priority) return priority < other.priority;
    return sequence > other.sequence;
  }
};

} // namespace coordinator_parts

struct coordinator_state {
  using task_record = coordinator_parts::task_record;
  using worker_entry = coordinator_parts::worker_entry;
  using backlog_entry = coordinator_parts::backlog_entry;

  static inline const char* name = "dtf.coordinator";

  coordinator_config config;
  scheduler_actor scheduler;
  /// Reports forwarded to the scheduler, in the order sent: its answer
  /// (one result_effect each, in the same order) settles them.
  std::deque<attempt_record> unsettled;
  /// The scheduler failed: no answer will come, reports settle at once.
  bool scheduler_gone = false;
  std::chrono::steady_clock::time_point started_at;

  /// A deque: a large run's records are never copied to grow, and no half
  /// of a doubled capacity is left empty. tasks[i] is the lifecycle of the
  /// task store.materialize(i) defines.
  std::deque<task_record> tasks;
  task_store store;
  std::priority_queue<backlog_entry> backlog;
  std::size_t in_scheduler = 0;
  std::uint64_t next_sequence = 1;

  std::vector<worker_entry> workers;                 // registration order
  std::map<std::string, std::size_t> worker_index;
  int total_slots = 0;
  std::size_t live_workers = 0;

  std::vector<event_listener_actor> listeners;
  std::vector<task_update> outbox;
  std::vector<caf::typed_response_promise<runtime_stats>> drain_waiters;

  runtime_stats counts;
  /// Set once the run stops (interrupt or internal failure): nothing more is
  /// placed, and unfinished tasks end cancelled with stop_reason.
  bool stopping = false;
  std::string stop_reason;
  /// Every lifecycle change is written here (one transaction per handler,
  /// committed before replies or events leave); null when not journaling.
  std::shared_ptr<sqlite_journal> journal;

  // Observation (config.board set): what the HTTP server shows.
  observed_task_chunks observed_tasks;
  std::deque<observed_attempt> finished_attempts;  // the most recent, oldest first
  std::uint64_t timeline_dropped = 0;
  std::uint64_t backups_started = 0;
  std::uint64_t backup_losers = 0;
  double wasted_slot_s = 0.0;
  std::uint64_t view_version = 0;
  double publish_s = 0.0;  // wall seconds spent in publish_view
  double tasks_published_at_s = 0.0;  // unix time of the task table last published
  std::size_t tasks_published_count = 0;
  double started_at_unix_s = 0.0;
  bool final_view_published = false;

  bool has_listeners() const { return !listeners.empty(); }

  std::size_t window() const {
    if (config.scheduler_window > 0) return config.scheduler_window;
    const auto capacity = static_cast<std::size_t>(std::max(total_slots, 0)) +
                          live_workers * static_cast<std::size_t>(std::max(config.scheduling.prefetch, 0));
    return std::max<std::size_t>(256, 4 * capacity);
  }

  task_record* find(const std::string& id) {
    auto i = store.find(id);
    return i ? &tasks[*i] : nullptr;
  }

  const std::string& id_of(const task_record& r) const { return store.id(r.index); }

  worker_entry* find_worker(const std::string& id) {
    auto i = worker_index.find(id);
    return i == worker_index.end() ? nullptr : &workers[i->second];
  }

  void emit(const task_record& r, task_event_kind kind, std::optional<attempt_record> report = std::nullopt) {
    if (config.board) observed_tasks.mark(r.index);
    const auto& id = id_of(r);
    if (journal) {
      if (report) {
        // History only from workers it knows: the record's device fields are theirs.
        // A lost attempt ran to no end: nothing to learn.
        if (worker_index.count(report->worker_id) && report->status != task_status::lost)
          journal->record_result(*report);
        else journal->record_attempt(*report);
      }
      if (kind == task_event_kind::accepted && r.attempts == 0) journal->record_task_submitted(store.materialize(r.index));
      else journal->record_state(id, r.status);
    }
    if (!has_listeners()) return;
    auto u = update_of(r, kind);
    u.report = std::move(report);
    outbox.push_back(std::move(u));
  }

  /// Where the task stands, as an update of `kind` (without a report): what
  /// listeners get and what `dtf status` answers.
  task_update update_of(const task_record& r, task_event_kind kind) const {
    task_update u;
    u.task_id = id_of(r);
    u.kind = kind;
    u.status = r.status;
    u.worker_id = r.worker_id;
    u.attempt = r.attempts;
    u.predicted_duration_s = r.predicted_duration_s;
    u.reason = r.reason;
    u.stopped = stopping && kind == task_event_kind::finished && r.status != task_status::succeeded &&
                r.reason == stop_reason;
    return u;
  }

  /// An attempt placed on `worker`: journaled as running, from `began_at_s`,
  /// until its report replaces it; a restart on the journal ends it lost and
  /// numbers the next attempt after it.
  void journal_began(const task& t, const worker_capability& worker, int attempt, double began_at_s) {
    if (!journal) return;
    auto a = attempt_record_for(t, worker, attempt);
    a.status = task_status::running;
    a.start_unix_s = began_at_s;
    a.worker_slots = slots_of(worker);
    journal->record_attempt(a);
  }

  /// The record of the task's attempt on `worker` that ends now, unreported,
  /// with `status` and why: its start `began_at_s` (0: not known), its end now.
  attempt_record ended_unreported(const task_record& r, const worker_capability& worker, int attempt,
                                  double began_at_s, task_status status, std::string why) const {
    auto a = attempt_record_for(store.materialize(r.index), worker, attempt);
    a.status = status;
    a.error = std::move(why);
    a.start_unix_s = began_at_s;
    a.end_unix_s = std::max(unix_now_s(), began_at_s);
    a.duration_s = began_at_s > 0.0 ? a.end_unix_s - began_at_s : 0.0;
    a.worker_slots = slots_of(worker);
    return a;
  }

  /// A task not stored: its id was taken.
  void emit_rejected(const std::string& id, std::string reason) {
    if (!has_listeners()) return;
    task_update u;
    u.task_id = id;
    u.kind = task_event_kind::rejected;
    u.status = task_status::failed;
    u.reason = std::move(reason);
    outbox.push_back(std::move(u));
  }

  /// Moves a record to a final status and keeps the counts.
  void finish(task_record& r, task_status status) {
    r.status = status;
    if (config.board) r.finished_at_s = unix_now_s();
    switch (status) {
      case task_status::succeeded:
        ++counts.succeeded;
        r.reason.clear();  // an earlier attempt's failure is not this task's
        break;
      case task_status::failed: ++counts.failed; break;
      case task_status::timed_out: ++counts.timed_out; break;
      case task_status::cancelled: ++counts.cancelled; break;
      default: break;
    }
    leave_scheduler(r);
  }

  void leave_scheduler(task_record& r) {
    if (r.in_scheduler) {
      r.in_scheduler = false;
      --in_scheduler;
    }
  }

  /// A worker's slots as the scheduling core counts them (override, own, default).
  int slots_of(const worker_capability& capability) const { return configured_slots(capability, config.scheduling); }

  runtime_stats snapshot_stats() const {
    runtime_stats s = counts;
    s.pending = s.assigned = s.running = 0;
    for (const auto& r : tasks) {
      if (r.status == task_status::pending && !r.unplaceable) ++s.pending;
      else if (r.status == task_status::assigned) ++s.assigned;
      else if (r.status == task_status::running) ++s.running;
    }
    s.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    s.workers.clear();
    for (const auto& w : workers)
      s.workers.push_back({w.capability.id, w.running, w.completed, finite_or(w.busy_s),
                           slots_of(w.capability)});
    return s;
  }
};

using coordinator_pointer = coordinator_actor::stateful_pointer<coordinator_state>;

namespace coordinator_parts {

// coordinator_observation.cpp
/// Publishes the coordinator's view of the run to the observation board.
void publish_view(coordinator_state& st, bool with_tasks);
/// Removes the attempt from its worker's active list (it reported or was lost).
void leave_worker(worker_entry& w, std::size_t task_index, int attempt);
/// Counts a report of the attempt that lost its task's backup race as wasted slot time.
void count_loser(coordinator_state& st, task_record& r, const attempt_record& rep);
/// Records a reported attempt for the timeline.
void observe_report(coordinator_state& st, const attempt_record& rep);

// coordinator_results.cpp
/// Sends a cancel to the task's attempt on `worker_id` when that worker is
/// alive (false if not: its attempt ended lost with it) and journals the
/// attempt cancelled now (`why`), unless it reported: its report, if it comes,
/// replaces that row; if none comes (the worker is lost after the cancel, the
/// run ends first), no row stays running.
bool cancel_attempt(coordinator_pointer self, const task_record& r, const std::string& worker_id, int attempt,
                    double began_at_s, const std::string& why);
/// cancel_attempt for the task's attempt and its backup: how many were sent.
int cancel_attempts(coordinator_pointer self, const task_record& r, const std::string& why);
/// Ends a cancelling task (its worker reported, was lost, or never answered)
/// on `report`, or on the report its other copy left (held_report) where
/// decides_over picks that one: the other of the two is emitted just before;
/// or on a copy that failed before the stop (failed_copy), already emitted, where
/// decides_over picks it: the finished update then carries no report.
void end_cancelling(coordinator_pointer self, task_record& r, std::optional<attempt_record> report);
/// The scheduler's answers to the results forwarded, in the order sent.
void follow_effects(coordinator_pointer self, const std::vector<result_effect>& effects);
/// The scheduler failed: the unsettled reports settle as the coordinator sees them.
void settle_without_scheduler(coordinator_pointer self);
/// Reports from workers: bookkeeping, then to the scheduler's core.
void handle_results(coordinator_pointer self, std::vector<attempt_record>& reports);
/// The worker is lost: each attempt it held that did not report ends `lost`
/// (a record in the journal and for listeners, ended now); a task whose other
/// attempt runs elsewhere keeps that one, the others the scheduler re-queues.
void end_lost_attempts(coordinator_pointer self, const worker_entry& w, const std::string& why);

} // namespace coordinator_parts

} // namespace dtf
