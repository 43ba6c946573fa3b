// What the coordinator shows on the observation board: the view it publishes
// (counts, workers, the timeline and, when asked, the task table) and the
// reported attempts it keeps for the timeline.
#include "actors/coordinator_state.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

namespace dtf::coordinator_parts {

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

} // namespace

/// Publishes the coordinator's view of the run to the observation board. The
/// task table is rebuilt (its changed chunks) only when `with_tasks`; the
/// counts, workers and timeline come from what is on the workers, so a view
/// without it costs O(workers + timeline), whatever the number of tasks.
void publish_view(coordinator_state& st, bool with_tasks) {
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

} // namespace dtf::coordinator_parts
