// The coordinator: owns every task's lifecycle and the worker registry, and
// decides batching and back-pressure (the scheduler only ever holds a bounded
// window of pending tasks; the rest wait here in priority order). Its state is
// in coordinator_state.hpp; what a reported attempt means for its task in
// coordinator_results.cpp; the view it publishes in coordinator_observation.cpp.
#include "actors/coordinator.hpp"

#include "actors/actor_failure.hpp"
#include "actors/coordinator_state.hpp"
#include "actors/runtime_outputs.hpp"
#include "actors/scheduler_actor.hpp"

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

using namespace coordinator_parts;

namespace {

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
    publish_view(st, true);
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

/// A stranded task's reason: the lost workers it waits for, and why no
/// connected worker can run it.
std::string waiting_reason(const stranded_task& s) {
  std::string out = "waiting for a lost worker that can run it to join again:";
  for (const auto& w : s.lost_workers) out += " " + w + ",";
  out.pop_back();
  if (s.reasons.empty()) return out + " (no worker connected)";
  out += " (no connected worker can:";
  for (const auto& [worker, reason] : s.reasons) out += " " + worker + ": " + reason + ";";
  out.back() = ')';
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
      r.cancelling = cancel_attempts(self, r, task_reason) > 0;
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

/// Cancels one task on the user's word (dtf cancel): false if it is already final.
bool cancel_task(coordinator_pointer self, task_record& r) {
  auto& st = self->state;
  if (is_final(r.status) || r.unplaceable) return false;
  const auto& id = st.id_of(r);
  const bool on_worker = r.status == task_status::assigned || r.status == task_status::running;
  if (r.in_scheduler) self->send(st.scheduler, atom::cancel_v, std::vector<std::string>{id});
  r.reason = "cancelled";
  if (on_worker) cancel_attempts(self, r, r.reason);
  st.finish(r, task_status::cancelled);
  st.emit(r, task_event_kind::finished);
  return true;
}

/// A resumed run's tasks that ended before the restart: records in their
/// final status, as the journal has them (see coordinator_config::ended_before).
void adopt_ended_tasks(coordinator_state& st) {
  for (auto& ended : st.config.ended_before) {
    auto& t = ended.task.definition;
    if (st.store.find(t.id)) continue;  // a journal holds an id once per run
    t.sequence = st.next_sequence++;
    ++st.counts.submitted;
    const auto index = st.store.add(std::move(t));
    st.tasks.push_back(task_record{});
    auto& r = st.tasks.back();
    r.index = index;
    r.attempts = r.attempt = std::max(ended.task.attempts, 0);
    st.counts.attempts += static_cast<std::uint64_t>(r.attempts);
    st.finish(r, ended.task.status);
    if (const auto& last = ended.last_attempt) {
      r.worker_id = last->worker_id;
      if (ended.task.status != task_status::succeeded) r.reason = last->error;
      r.started_at_s = last->start_unix_s;
      r.finished_at_s = last->end_unix_s;
      r.keep_report(*last);
    }
    if (st.config.board) st.observed_tasks.mark(index);
  }
  st.config.ended_before = {};
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
  for (const auto& s : round.stranded) {
    auto* r = st.find(s.task_id);
    if (!r || is_final(r->status) || r->status != task_status::pending) continue;
    r->reason = waiting_reason(s);  // cleared when it is placed
    if (st.config.board) st.observed_tasks.mark(r->index);
  }
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
      r->backup_began_at_s = unix_now_s();
      ++st.counts.attempts;
      ++st.workers[wi->second].running;
      ++st.backups_started;
      if (st.config.board)
        st.workers[wi->second].active.push_back(
            {r->index, r->backup_attempt, unix_now_s()});
      auto& order = orders[wi->second].emplace_back(
          work_order{st.store.materialize(r->index), r->backup_attempt, finite_or(a.predicted_duration_s), a.predicted_from_history});
      st.journal_began(order.work, st.workers[wi->second].capability, r->backup_attempt, r->backup_began_at_s);
      continue;
    }
    if (r->status != task_status::pending) continue;
    r->status = task_status::assigned;
    r->worker_id = a.worker_id;
    r->reason.clear();  // why an earlier attempt ended (a lost worker, a failure) is not this attempt's
    r->failed_copy.reset();  // an earlier race's failure decides nothing for this attempt
    r->predicted_duration_s = finite_or(a.predicted_duration_s);
    r->attempt = ++r->attempts;
    ++st.counts.attempts;
    r->attempt_began_at_s = unix_now_s();
    ++st.workers[wi->second].running;
    if (st.config.board) {
      r->started_at_s = r->finished_at_s = 0.0;
      st.workers[wi->second].active.push_back(
          {r->index, r->attempt, unix_now_s()});
    }
    st.emit(*r, task_event_kind::assigned);
    auto& order = orders[wi->second].emplace_back(
        work_order{st.store.materialize(r->index), r->attempt, r->predicted_duration_s, a.predicted_from_history});
    // A probe of a device the model never ran on: the worker stops it at its cut-off as at a timeout, and the
    // scheduler queues the task again (follow_effect).
    if (a.cutoff_s > 0.0 && std::isfinite(a.cutoff_s) && a.cutoff_s < order.work.timeout_s)
      order.work.timeout_s = a.cutoff_s;
    st.journal_began(order.work, st.workers[wi->second].capability, r->attempt, r->attempt_began_at_s);
  }
  for (auto& [index, batch] : orders)
    self->send(st.workers[index].handle, atom::run_v, std::move(batch), st.slots_of(st.workers[index].capability));
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
  adopt_ended_tasks(st);
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
      end_lost_attempts(self, w, failure_text(msg.reason, self->system()));
      w.running = 0;
      w.active.clear();
      ++st.counts.workers_lost;
      if (st.journal) {
        st.journal->record_worker_lost(w.capability.id);
        st.journal->flush();
      }
      st.total_slots -= st.slots_of(w.capability);
      --st.live_workers;
      self->send(st.scheduler, atom::remove_v, w.capability.id, st.config.lost_workers_may_return);
    }
    settle(self);  // a stopping run's task may have ended with its last copy lost
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
      auto* r = st.find(id);
      if (!r) {
        task_update u;
        u.task_id = id;
        u.kind = task_event_kind::rejected;
        u.status = task_status::failed;
        u.reason = "unknown task";
        return u;
      }
      const auto kind = r->unplaceable                          ? task_event_kind::unplaceable
                        : is_final(r->status)                   ? task_event_kind::finished
                        : r->status == task_status::running     ? task_event_kind::started
                        : r->status == task_status::assigned    ? task_event_kind::assigned
                                                                : task_event_kind::accepted;
      auto u = st.update_of(*r, kind);
      if (r->last_report) u.report = *r->last_report;
      return u;
    },
    [self](atom::stats) -> caf::result<runtime_stats> {
      publish_view(self->state, true);  // the final statistics and the board agree
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
      if (st.journal) st.journal->record_worker(capability);
      if (known != st.worker_index.end()) {
        // A lost worker back (its node restarted or woke up): a fresh member
        // under the same id; what it ran before was re-queued when it was lost.
        // The counts are of workers, not of joins: it is known already, and no longer lost.
        if (st.counts.workers_lost > 0) --st.counts.workers_lost;
        auto& w = st.workers[known->second];
        w = worker_entry{capability, caf::actor_cast<worker_actor>(handle), handle.address(), true, 0, w.completed,
                         w.busy_s};
      } else {
        ++st.counts.workers_registered;
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
        r->attempt_began_at_s = unix_now_s();
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
      if (st.config.board->take_coordinator_request()) publish_view(st, st.config.board->tasks_demanded());
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
