// The coordinator: owns every task's lifecycle and the worker registry, and
// decides batching and back-pressure (the scheduler only ever holds a bounded
// window of pending tasks; the rest wait here in priority order).
#include "actors/coordinator.hpp"

#include "actors/actor_failure.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/observation/observation_board.hpp"
#include "actors/observation/observed_task_chunks.hpp"
#include "actors/runtime_outputs.hpp"
#include "actors/scheduler_actor.hpp"
#include "actors/task_store.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dtf {

namespace {

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
  bool in_scheduler = false; // counted in the scheduler window
  bool unplaceable = false;
  /// The run is stopping: cancel sent to its worker(s), it ends when the
  /// cancelled attempt is reported (or when the wait is abandoned).
  bool cancelling = false;
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

} // namespace

struct coordinator_state {
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
        if (worker_index.count(report->worker_id)) journal->record_result(*report);
        else journal->record_attempt(*report);
      }
      if (kind == task_event_kind::accepted && r.attempts == 0) journal->record_task_submitted(store.materialize(r.index));
      else journal->record_state(id, r.status);
    }
    if (!has_listeners()) return;
    task_update u;
    u.task_id = id;
    u.kind = kind;
    u.status = r.status;
    u.worker_id = r.worker_id;
    u.attempt = r.attempts;
    u.predicted_duration_s = r.predicted_duration_s;
    u.reason = r.reason;
    u.report = std::move(report);
    u.stopped = stopping && kind == task_event_kind::finished && r.status != task_status::succeeded &&
                r.reason == stop_reason;
    outbox.push_back(std::move(u));
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
      case task_status::succeeded: ++counts.succeeded; break;
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

namespace {

/// Finished attempts the view's timeline keeps (the running ones come on top).
constexpr std::size_t timeline_limit = 2000;

observed_task observe_task(const task_store& store, const task_record& r) {
  observed_task t;
  t.id = store.id(r.index);
  t.model = store.shape(r.index).model;
  t.type = store.shape(r.index).type;
  t.priority = store.priority(r.index);
  t.status = r.status;
  t.unplaceable = r.unplaceable;
  t.worker_id = r.worker_id;
  t.attempts = r.attempts;
  t.predicted_duration_s = r.predicted_duration_s;
  t.submitted_at_s = r.submitted_at_s;
  t.started_at_s = r.started_at_s;
  t.finished_at_s = r.finished_at_s;
  if (r.last_report) t.duration_s = r.last_report->measured_s();
  t.reason = r.reason;
  return t;
}

/// Publishes the coordinator's view of the run to the observation board. The
/// task table is rebuilt (its changed chunks) only when `with_tasks`; the
/// counts, workers and timeline come from what is on the workers, so a view
/// without it costs O(workers + timeline), whatever the number of tasks.
void publish_view(coordinator_pointer self, bool with_tasks) {
  auto& st = self->state;
  if (!st.config.board) return;
  const auto build_start = std::chrono::steady_clock::now();
  auto v = std::make_shared<coordinator_view>();
  v->publish_s = st.publish_s;
  v->version = ++st.view_version;
  v->published_at_s = unix_now_s();
  v->started_at_s = st.started_at_unix_s;
  v->counts = st.counts;
  v->counts.workers.clear();
  v->counts.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - st.started_at).count();
  v->all_final = st.counts.submitted > 0 && st.counts.all_final();
  if (st.counts.submitted == 0) {
    v->state = st.stopping ? "stopping" : "idle";  // a cluster's coordinator before the first submission
  } else if (v->all_final) {
    v->state = !st.counts.failure.empty() ? "failed" : !st.counts.interrupted.empty() ? "interrupted" : "finished";
  } else {
    v->state = st.stopping ? "stopping" : "running";
  }
  if (with_tasks || st.tasks_published_at_s == 0.0) {
    st.observed_tasks.refresh(st.tasks.size(), [&](std::size_t i) { return observe_task(st.store, st.tasks[i]); });
    st.tasks_published_at_s = v->published_at_s;
    st.tasks_published_count = st.tasks.size();
  }
  v->task_chunks = st.observed_tasks.chunks();
  v->task_count = st.tasks_published_count;
  v->tasks_published_at_s = st.tasks_published_at_s;
  v->backlog = st.backlog.size();
  v->backups_started = st.backups_started;
  v->backup_losers = st.backup_losers;
  v->wasted_slot_s = st.wasted_slot_s;
  v->timeline.assign(st.finished_attempts.begin(), st.finished_attempts.end());
  v->timeline_dropped = st.timeline_dropped;
  v->workers.reserve(st.workers.size());
  for (const auto& w : st.workers) {
    observed_worker o;
    o.id = w.capability.id;
    o.name = w.capability.name;
    o.kind = std::string{to_string(w.capability.kind)};
    o.emulated = w.capability.emulated;
    o.alive = w.alive;
    o.slots = st.slots_of(w.capability);
    o.running = w.running;
    o.completed = w.completed;
    o.busy_s = finite_or(w.busy_s);
    o.metrics = w.metrics;
    for (const auto& a : w.active) {
      const auto& r = st.tasks[a.task_index];
      if (is_final(r.status) || !w.alive) continue;
      o.running_tasks.push_back(st.id_of(r));
      o.busy_s += std::max(0.0, v->published_at_s - a.started_at_s);  // in flight so far
      v->timeline.push_back({st.id_of(r), o.id, a.attempt, a.started_at_s, 0.0, r.status});
    }
    v->workers.push_back(std::move(o));
  }
  // Tasks on workers: each counted once, by its own (not a backup) attempt.
  for (const auto& w : st.workers)
    for (const auto& a : w.active) {
      const auto& r = st.tasks[a.task_index];
      if (!w.alive || r.worker_id != w.capability.id || r.attempt != a.attempt) continue;
      if (r.status == task_status::assigned) ++v->counts.assigned;
      else if (r.status == task_status::running) ++v->counts.running;
    }
  const auto open = st.counts.submitted - std::min(st.counts.submitted, st.counts.final_count());
  v->counts.pending = open - std::min(open, v->counts.assigned + v->counts.running);
  v->queued = v->counts.pending;
  st.config.board->publish(std::shared_ptr<const coordinator_view>(std::move(v)));
  st.publish_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
}

/// Removes the attempt from its worker's active list (it reported or was lost).
void leave_worker(worker_entry& w, std::size_t task_index, int attempt) {
  auto it = std::find_if(w.active.begin(), w.active.end(), [&](const active_attempt& a) {
    return a.task_index == task_index && a.attempt == attempt;
  });
  if (it != w.active.end()) w.active.erase(it);
}

/// When the report is of the attempt that lost the task's backup race: its
/// slot time counts as wasted (once).
void count_loser(coordinator_state& st, task_record& r, const attempt_record& rep) {
  if (!st.config.board || r.loser_worker_id.empty()) return;
  if (r.loser_worker_id != rep.worker_id || r.loser_attempt != rep.attempt) return;
  ++st.backup_losers;
  if (rep.start_unix_s > 0.0) st.wasted_slot_s += std::max(0.0, finite_or(rep.end_unix_s - rep.start_unix_s));
  r.loser_worker_id.clear();
}

/// Records a reported attempt for the timeline (and, when it lost a backup
/// race, its slot time as wasted).
void observe_report(coordinator_state& st, const attempt_record& rep) {
  if (!st.config.board) return;
  const auto& res = rep;
  auto ti = st.store.find(res.task_id);
  if (auto* w = st.find_worker(res.worker_id); w && ti) leave_worker(*w, *ti, res.attempt);
  if (ti) count_loser(st, st.tasks[*ti], rep);
  st.finished_attempts.push_back({res.task_id, res.worker_id, res.attempt, rep.start_unix_s, rep.end_unix_s, res.status});
  if (st.finished_attempts.size() > timeline_limit) {
    st.finished_attempts.pop_front();
    ++st.timeline_dropped;
  }
}

void flush_events(coordinator_pointer self) {
  auto& st = self->state;
  if (st.journal) st.journal->flush();  // durable before replies and events leave
  if (st.outbox.empty()) return;
  if (st.listeners.size() == 1) {
    self->send(st.listeners.front(), atom::event_v, std::move(st.outbox));
  } else {
    for (auto& l : st.listeners) self->send(l, atom::event_v, st.outbox);
  }
  st.outbox.clear();
}

void answer_drain_waiters(coordinator_pointer self) {
  auto& st = self->state;
  if (st.drain_waiters.empty() || !st.counts.all_final()) return;
  auto stats = st.snapshot_stats();
  for (auto& p : st.drain_waiters) p.deliver(stats);
  st.drain_waiters.clear();
}

/// Events a submit handler sends on before its batch is done.
constexpr std::size_t submit_event_chunk = 4096;

/// Moves tasks from the backlog into the scheduler while the window allows.
void feed_scheduler(coordinator_pointer self) {
  auto& st = self->state;
  if (st.stopping) return;
  std::vector<task> batch;
  const auto limit = st.window();
  while (st.in_scheduler < limit && !st.backlog.empty()) {
    auto entry = st.backlog.top();
    st.backlog.pop();
    auto& r = st.tasks[entry.index];
    if (r.status != task_status::pending || r.in_scheduler) continue;  // cancelled while waiting
    r.in_scheduler = true;
    ++st.in_scheduler;
    batch.push_back(st.store.materialize(entry.index));
  }
  if (!batch.empty()) self->send(st.scheduler, atom::submit_v, std::move(batch));
}

/// Every handler ends here: send what accumulated, answer waiters.
void settle(coordinator_pointer self) {
  feed_scheduler(self);
  flush_events(self);
  auto& st = self->state;
  if (st.config.board && !st.final_view_published && st.counts.all_final() && st.counts.submitted > 0) {
    st.final_view_published = true;  // readers see the end at once, asked or not
    publish_view(self, true);
  }
  answer_drain_waiters(self);
}

std::string join_reasons(const unplaceable_task& u) {
  std::string out = "no worker can run it";
  if (u.reasons.empty()) return out + " (no workers registered)";
  out += ":";
  for (const auto& [worker, reason] : u.reasons) out += " " + worker + ": " + reason + ";";
  out.pop_back();
  return out;
}

/// How long a stopping run waits for workers to report their cancelled
/// attempts (they end the process trees first: TERM, KILL after the grace).
constexpr auto cancel_report_wait = std::chrono::seconds(15);

/// Stops the run: the backlog is dropped, pending tasks end cancelled now,
/// tasks on workers are cancelled there and end when their attempt reports.
void stop_run(coordinator_pointer self, const std::string& task_reason) {
  auto& st = self->state;
  if (st.stopping) return;
  st.stopping = true;
  st.stop_reason = task_reason;
  st.backlog = {};
  std::vector<std::string> in_scheduler;
  bool waiting = false;
  for (auto& r : st.tasks) {
    if (is_final(r.status) || r.unplaceable) continue;
    if (r.in_scheduler) in_scheduler.push_back(st.id_of(r));
    r.reason = task_reason;
    if (r.status == task_status::assigned || r.status == task_status::running) {
      for (const auto* worker_id : {&r.worker_id, &r.backup_worker_id}) {
        auto* w = worker_id->empty() ? nullptr : st.find_worker(*worker_id);
        if (!w || !w->alive) continue;
        self->send(w->handle, atom::cancel_v, st.id_of(r));
        r.cancelling = true;
      }
      if (r.cancelling) {
        waiting = true;
        continue;
      }
    }
    st.finish(r, task_status::cancelled);
    st.emit(r, task_event_kind::finished);
  }
  if (!in_scheduler.empty()) self->send(st.scheduler, atom::cancel_v, std::move(in_scheduler));
  if (waiting) self->delayed_send(self, cancel_report_wait, atom::abandon_v);
}

/// An actor failed: the run stops and its statistics say why.
void fail_run(coordinator_pointer self, const std::string& why) {
  auto& st = self->state;
  if (st.counts.failure.empty()) st.counts.failure = why;
  stop_run(self, "not finished: dtf failed: " + why);
}

/// Ends a cancelling task (its worker reported, was lost, or never answered).
void end_cancelling(coordinator_pointer self, task_record& r, std::optional<attempt_record> report) {
  auto& st = self->state;
  r.cancelling = false;
  auto status = task_status::cancelled;
  if (report) {
    const auto reported = report->status;
    if (reported == task_status::succeeded || reported == task_status::failed || reported == task_status::timed_out)
      status = reported;  // it ended on its own before the cancel reached it
    if (status == task_status::cancelled) report->error = st.stop_reason;
    else if (status != task_status::succeeded) r.reason = report->error;
    r.keep_report(*report);
  }
  st.finish(r, status);
  st.emit(r, task_event_kind::finished, std::move(report));
}

/// Cancels one task on the user's word (dtf cancel): false if it is already final.
bool cancel_task(coordinator_pointer self, task_record& r) {
  auto& st = self->state;
  if (is_final(r.status) || r.unplaceable) return false;
  const auto& id = st.id_of(r);
  const bool on_worker = r.status == task_status::assigned || r.status == task_status::running;
  if (r.in_scheduler) self->send(st.scheduler, atom::cancel_v, std::vector<std::string>{id});
  if (on_worker) {
    if (auto* w = st.find_worker(r.worker_id); w && w->alive) self->send(w->handle, atom::cancel_v, id);
    if (auto* w = st.find_worker(r.backup_worker_id); w && w->alive) self->send(w->handle, atom::cancel_v, id);
  }
  r.reason = "cancelled";
  st.finish(r, task_status::cancelled);
  st.emit(r, task_event_kind::finished);
  return true;
}

void handle_round(coordinator_pointer self, scheduling_round& round) {
  auto& st = self->state;
  if (st.stopping) {
    // Nothing more is placed; a lost worker's cancelling tasks end here.
    for (const auto& id : round.requeued)
      if (auto* r = st.find(id); r && r->cancelling) end_cancelling(self, *r, std::nullopt);
    return;
  }
  for (const auto& id : round.requeued) {
    auto* r = st.find(id);
    if (!r || is_final(r->status)) continue;
    if (auto* w = st.find_worker(r->worker_id)) {
      if (w->running > 0) --w->running;
      leave_worker(*w, r->index, r->attempt);
    }
    r->status = task_status::pending;
    r->reason = "worker " + r->worker_id + " lost";
    st.emit(*r, task_event_kind::accepted);
  }
  std::vector<std::string> dropped;
  for (auto& u : round.unplaceable) {
    auto* r = st.find(u.task_id);
    if (!r || is_final(r->status) || r->unplaceable || r->status != task_status::pending) continue;
    r->unplaceable = true;
    r->status = task_status::failed;  // final; counted as unplaceable, not failed
    r->reason = join_reasons(u);
    ++st.counts.unplaceable;
    st.leave_scheduler(*r);
    dropped.push_back(u.task_id);
    st.emit(*r, task_event_kind::unplaceable);
  }
  if (!dropped.empty()) self->send(st.scheduler, atom::cancel_v, std::move(dropped));
  if (st.has_listeners()) st.outbox.reserve(st.outbox.size() + round.assignments.size());
  // Group work orders per worker, in assignment order.
  std::map<std::size_t, std::vector<work_order>> orders;
  for (auto& a : round.assignments) {
    auto* r = st.find(a.task_id);
    auto wi = st.worker_index.find(a.worker_id);
    if (!r || wi == st.worker_index.end()) continue;
    if (a.backup) {
      const bool on_worker = r->status == task_status::assigned || r->status == task_status::running;
      if (!on_worker || !r->backup_worker_id.empty() || r->worker_id == a.worker_id) continue;
      r->backup_worker_id = a.worker_id;
      r->backup_attempt = ++r->attempts;
      ++st.counts.attempts;
      ++st.workers[wi->second].running;
      ++st.backups_started;
      if (st.config.board)
        st.workers[wi->second].active.push_back(
            {r->index, r->backup_attempt, unix_now_s()});
      orders[wi->second].push_back(
          work_order{st.store.materialize(r->index), r->backup_attempt, finite_or(a.predicted_duration_s), a.predicted_from_history});
      continue;
    }
    if (r->status != task_status::pending) continue;
    r->status = task_status::assigned;
    r->worker_id = a.worker_id;
    r->predicted_duration_s = finite_or(a.predicted_duration_s);
    r->attempt = ++r->attempts;
    ++st.counts.attempts;
    ++st.workers[wi->second].running;
    if (st.config.board) {
      r->started_at_s = r->finished_at_s = 0.0;
      st.workers[wi->second].active.push_back(
          {r->index, r->attempt, unix_now_s()});
    }
    st.emit(*r, task_event_kind::assigned);
    orders[wi->second].push_back(work_order{st.store.materialize(r->index), r->attempt, r->predicted_duration_s, a.predicted_from_history});
  }
  for (auto& [index, batch] : orders)
    self->send(st.workers[index].handle, atom::run_v, std::move(batch), st.slots_of(st.workers[index].capability));
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
  // The task's other attempt, as far as the coordinator started it.
  std::string other;
  int other_attempt = 0;
  if (!r->backup_worker_id.empty()) {
    other = first ? r->backup_worker_id : r->worker_id;
    other_attempt = first ? r->backup_attempt : r->attempt;
  }
  r->backup_worker_id.clear();
  if (effect.still_running && !other.empty()) {
    // One of two attempts ended without success: the other keeps the task (no retry).
    r->worker_id = other;
    r->attempt = other_attempt;
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
    if (auto* w = st.find_worker(other); w && w->alive) self->send(w->handle, atom::cancel_v, st.id_of(*r));
  }
  if (r->cancelling) {
    end_cancelling(self, *r, rep);
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

} // namespace

coordinator_actor::behavior_type coordinator(coordinator_pointer self, coordinator_config config,
                                             std::shared_ptr<sqlite_journal> journal) {
  auto& st = self->state;
  st.config = config;
  st.journal = std::move(journal);
  st.started_at = std::chrono::steady_clock::now();
  st.started_at_unix_s = unix_now_s();
  st.scheduler = spawn_scheduler(self->system(), caf::actor_cast<caf::actor>(self), config.scheduling, config.policy,
                                 config.history, config.board);
  st.config.history.reset();  // learned by the scheduler at spawn; not kept for the whole run
  self->link_to(st.scheduler);
  if (st.config.board) self->send(self, atom::observe_v);
  report_exceptions(self, coordinator_state::name, [self](const std::string& why) {
    fail_run(self, why);
    settle(self);
  });
  // The scheduler is linked: when it fails the run fails (the coordinator
  // lives on to cancel, report and answer; reports the scheduler will never
  // answer settle without it); anything else that sends an exit (the
  // runtime's shutdown) ends the coordinator.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (msg.source != st.scheduler.address()) {
      self->quit(msg.reason);
      return;
    }
    if (!msg.reason) return;
    fail_run(self, failure_text(msg.reason, self->system()));
    settle_without_scheduler(self);
    settle(self);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    st.listeners.erase(std::remove_if(st.listeners.begin(), st.listeners.end(),
                                      [&](const event_listener_actor& l) { return l.address() == msg.source; }),
                       st.listeners.end());
    for (auto& w : st.workers) {
      if (!w.alive || w.address != msg.source) continue;
      w.alive = false;
      if (st.config.membership_log) {
        std::size_t on_it = 0;
        for (const auto& r : st.tasks)
          if (!is_final(r.status) && (r.worker_id == w.capability.id || r.backup_worker_id == w.capability.id) &&
              (r.status == task_status::assigned || r.status == task_status::running))
            ++on_it;
        st.config.membership_log("worker " + w.capability.id + " lost (" + failure_text(msg.reason, self->system()) +
                                 "); its " + std::to_string(on_it) + " tasks re-queued");
      }
      w.running = 0;
      w.active.clear();
      ++st.counts.workers_lost;
      if (st.journal) {
        st.journal->record_worker_lost(w.capability.id);
        st.journal->flush();
      }
      st.total_slots -= st.slots_of(w.capability);
      --st.live_workers;
      self->send(st.scheduler, atom::remove_v, w.capability.id);
    }
  });
  return {
    [self](atom::submit, std::vector<task>& batch) -> std::uint64_t {
      auto& st = self->state;
      std::uint64_t accepted = 0;
      for (auto& t : batch) {
        if (t.id.empty()) t.id = "task-" + std::to_string(st.next_sequence);
        t.sequence = st.next_sequence++;
        t.timeout_s = finite_or(t.timeout_s, 600.0);
        t.requirements.min_memory_gb = finite_or(t.requirements.min_memory_gb);
        ++st.counts.submitted;
        if (st.store.find(t.id)) {
          ++st.counts.rejected;
          st.emit_rejected(t.id, "duplicate task id '" + t.id + "'");
          continue;
        }
        const auto priority = t.priority;
        const auto sequence = t.sequence;
        const auto index = st.store.add(std::move(t));
        st.tasks.push_back(task_record{});
        auto& r = st.tasks.back();
        r.index = index;
        if (st.config.board) r.submitted_at_s = unix_now_s();
        if (auto prior = st.config.resumed_attempts.find(st.id_of(r)); prior != st.config.resumed_attempts.end())
          r.attempts = std::max(prior->second, 0);  // numbering continues; journaled as pending again
        st.emit(r, task_event_kind::accepted);
        ++accepted;
        if (st.stopping) {  // the run is stopping: never placed
          r.reason = st.stop_reason;
          st.finish(r, task_status::cancelled);
          st.emit(r, task_event_kind::finished);
        } else {
          st.backlog.push({priority, sequence, index});
        }
        // A large batch's events leave in chunks: a whole batch's worth of
        // updates at once would hold more than its tasks.
        if (st.outbox.size() >= submit_event_chunk) flush_events(self);
      }
      settle(self);
      return accepted;
    },
    [self](atom::cancel, const std::string& id) -> bool {
      auto* r = self->state.find(id);
      if (!r || !cancel_task(self, *r)) return false;
      settle(self);
      return true;
    },
    [self](atom::cancel, atom::all) -> std::uint64_t {
      std::uint64_t cancelled = 0;
      for (auto& r : self->state.tasks)
        if (cancel_task(self, r)) ++cancelled;
      settle(self);
      return cancelled;
    },
    [self](atom::status, const std::string& id) -> task_update {
      auto& st = self->state;
      task_update u;
      u.task_id = id;
      auto* r = st.find(id);
      if (!r) {
        u.kind = task_event_kind::rejected;
        u.status = task_status::failed;
        u.reason = "unknown task";
        return u;
      }
      u.status = r->status;
      u.worker_id = r->worker_id;
      u.attempt = r->attempts;
      u.reason = r->reason;
      if (r->last_report) u.report = *r->last_report;
      if (r->unplaceable) u.kind = task_event_kind::unplaceable;
      else if (is_final(r->status)) u.kind = task_event_kind::finished;
      else if (r->status == task_status::running) u.kind = task_event_kind::started;
      else if (r->status == task_status::assigned) u.kind = task_event_kind::assigned;
      else u.kind = task_event_kind::accepted;
      return u;
    },
    [self](atom::stats) -> caf::result<runtime_stats> {
      publish_view(self, true);  // the final statistics and the board agree
      auto rp = self->make_response_promise<runtime_stats>();
      auto stats = self->state.snapshot_stats();
      self->request(self->state.scheduler, std::chrono::seconds(10), atom::stats_v)
        .then([rp, stats](std::string& json) mutable {
                stats.scheduler_stats_json = std::move(json);
                rp.deliver(std::move(stats));
              },
              [rp, stats](caf::error&) mutable { rp.deliver(std::move(stats)); });
      return rp;
    },
    [self](atom::drain) -> caf::result<runtime_stats> {
      auto& st = self->state;
      if (st.counts.all_final()) return st.snapshot_stats();
      st.drain_waiters.push_back(self->make_response_promise<runtime_stats>());
      return st.drain_waiters.back();
    },
    [self](atom::subscribe, const caf::actor& listener) {
      if (!listener) return;
      self->monitor(listener);  // a remote client that goes away is dropped
      self->state.listeners.push_back(caf::actor_cast<event_listener_actor>(listener));
    },
    [self](atom::enroll, worker_capability& capability, const caf::actor& handle) -> bool {
      auto& st = self->state;
      if (!handle) return false;
      auto known = st.worker_index.find(capability.id);
      if (known != st.worker_index.end() && st.workers[known->second].alive)
        // The same worker again (its node asks again when a join's reply is
        // late or lost): yes, and nothing changes. Another actor under a
        // live worker's id: no.
        return st.workers[known->second].address == handle.address();
      self->monitor(handle);
      st.total_slots += st.slots_of(capability);
      ++st.live_workers;
      ++st.counts.workers_registered;
      if (st.journal) st.journal->record_worker(capability);
      if (known != st.worker_index.end()) {
        // A lost worker back (its node restarted or woke up): a fresh member
        // under the same id; what it ran before was re-queued when it was lost.
        auto& w = st.workers[known->second];
        w = worker_entry{capability, caf::actor_cast<worker_actor>(handle), handle.address(), true, 0, w.completed,
                         w.busy_s};
      } else {
        st.worker_index.emplace(capability.id, st.workers.size());
        st.workers.push_back(worker_entry{capability, caf::actor_cast<worker_actor>(handle), handle.address()});
      }
      if (st.config.membership_log)
        st.config.membership_log("worker " + capability.id + " joined (" + std::to_string(st.slots_of(capability)) +
                                 " slots)");
      std::vector<worker_capability> enrolled{std::move(capability)};
      self->send(st.scheduler, atom::enroll_v, std::move(enrolled));
      settle(self);
      return true;
    },
    [self](atom::member, const std::vector<std::string>& ids, const std::vector<caf::actor>& handles) {
      // A node checking that it still belongs: only a live entry under the
      // same actor counts (a worker declared lost, or replaced, does not).
      auto& st = self->state;
      std::uint64_t members = 0;
      for (std::size_t i = 0; i < ids.size() && i < handles.size(); ++i)
        if (const auto* w = st.find_worker(ids[i]); w && w->alive && handles[i] && w->address == handles[i].address())
          ++members;
      return members;
    },
    [self](atom::assign, scheduling_round& round) {
      handle_round(self, round);
      settle(self);
    },
    [self](atom::started, const std::string& worker_id, const std::vector<std::string>& ids) {
      auto& st = self->state;
      for (const auto& id : ids) {
        auto* r = st.find(id);
        if (!r || r->status != task_status::assigned || r->worker_id != worker_id) continue;
        r->status = task_status::running;
        if (st.config.board) {
          r->started_at_s = unix_now_s();
          if (auto* w = st.find_worker(worker_id))
            for (auto& a : w->active)
              if (a.task_index == r->index && a.attempt == r->attempt)
                a.started_at_s = r->started_at_s;
        }
        st.emit(*r, task_event_kind::started);
      }
      flush_events(self);
    },
    [self](atom::result, std::vector<attempt_record>& reports) {
      handle_results(self, reports);
      settle(self);
    },
    [self](atom::result, const std::vector<result_effect>& effects) {
      follow_effects(self, effects);
      settle(self);
    },
    [self](atom::metrics, std::vector<worker_metrics_report>& reports) {
      for (const auto& r : reports)
        if (auto* w = self->state.find_worker(r.worker_id)) w->metrics = r.metrics;
      self->send(self->state.scheduler, atom::metrics_v, std::move(reports));
    },
    [self](atom::retry, const std::string& id) {
      auto& st = self->state;
      auto* r = st.find(id);
      if (!r || r->status != task_status::pending || !r->in_scheduler) return;
      self->send(st.scheduler, atom::requeue_v, std::vector<requeue_request>{{id, r->worker_id}});
    },
    [self](atom::failed, const std::string& why) {
      fail_run(self, why);
      settle(self);
    },
    [self](atom::interrupt, const std::string& signal_name) {
      auto& st = self->state;
      if (st.counts.interrupted.empty()) st.counts.interrupted = signal_name;
      stop_run(self, "interrupted by " + signal_name);
      settle(self);
    },
    [self](atom::abandon) {
      for (auto& r : self->state.tasks)
        if (r.cancelling) end_cancelling(self, r, std::nullopt);
      settle(self);
    },
    [self](atom::explain, const std::string& id) {
      auto& st = self->state;
      if (auto* r = st.find(id)) self->send(st.scheduler, atom::explain_v, st.store.materialize(r->index));
      else if (st.config.board) st.config.board->put_explanation(id, "");
    },
    [self](atom::observe) {
      auto& st = self->state;
      if (!st.config.board) return;
      if (st.config.board->take_coordinator_request()) publish_view(self, st.config.board->tasks_demanded());
      self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(
                                   std::chrono::duration<double>(st.config.board->publish_interval_s())),
                         atom::observe_v);
    },
  };
}

coordinator_actor spawn_coordinator(caf::actor_system& system, coordinator_config config,
                                    std::shared_ptr<sqlite_journal> journal) {
  return system.spawn(coordinator, std::move(config), std::move(journal));
}

} // namespace dtf
