// The scoring actor. Input handlers only update scheduler_core and queue one
// scheduling round behind whatever is already in the mailbox, so a burst of
// submissions and results is answered by one round (one assignment batch).
#include "actors/scheduler_actor.hpp"

#include "actors/actor_failure.hpp"
#include "actors/journal/history_replay.hpp"
#include "actors/observation/observation_board.hpp"
#include "scheduler/output/explanation_json.hpp"
#include "scheduler/output/stats_json.hpp"
#include "scheduler/core/scheduler_core.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dtf {

struct scheduler_state {
  static inline const char* name = "dtf.scheduler";

  scheduler_core core;
  coordinator_actor coordinator;
  caf::actor_clock::time_point started_at;
  bool round_queued = false;
  /// Placeability only changes when tasks arrive or workers come and go.
  bool placeability_dirty = false;
  std::vector<std::string> requeued;
  /// Core time of the round already booked to wake the core (backups of
  /// overdue attempts need a round even when nothing else happens).
  double wakeup_booked_s = -1.0;
  /// Observation (null: none): statistics and explanations for the HTTP server.
  std::shared_ptr<observation_board> board;
  latency_histogram round_latency;
  std::uint64_t view_version = 0;
  double publish_s = 0.0;  // wall seconds spent in publish_stats
};

using scheduler_pointer = scheduler_actor::stateful_pointer<scheduler_state>;

namespace {

double now_s(scheduler_pointer self) {
  return std::chrono::duration<double>(self->clock().now() - self->state.started_at).count();
}

void queue_round(scheduler_pointer self) {
  auto& st = self->state;
  if (st.round_queued) return;
  st.round_queued = true;
  self->send(self, atom::schedule_v);
}

void run_round(scheduler_pointer self) {
  auto& st = self->state;
  st.round_queued = false;
  scheduling_round round;
  const double now = now_s(self);
  const auto round_start = std::chrono::steady_clock::now();
  round.assignments = st.core.schedule(now);
  st.round_latency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - round_start).count());
  for (auto& a : round.assignments) {
    a.score = finite_or(a.score);
    a.predicted_duration_s = finite_or(a.predicted_duration_s);
  }
  if (st.placeability_dirty && !st.core.workers().empty()) {
    st.placeability_dirty = false;
    round.unplaceable = st.core.unplaceable();
    round.stranded = st.core.stranded();
  }
  if (auto wake = st.core.next_wakeup_s(); wake && *wake != st.wakeup_booked_s) {
    st.wakeup_booked_s = *wake;
    const auto delay = std::chrono::duration<double>(std::max(0.0, *wake - now) + 1e-3);
    self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(delay), atom::schedule_v);
  }
  round.requeued = std::move(st.requeued);
  st.requeued.clear();
  if (round.assignments.empty() && round.unplaceable.empty() && round.stranded.empty() && round.requeued.empty()) return;
  self->send(st.coordinator, atom::assign_v, std::move(round));
}

void publish_stats(scheduler_pointer self, bool detailed) {
  auto& st = self->state;
  if (!st.board) return;
  const auto build_start = std::chrono::steady_clock::now();
  auto v = std::make_shared<scheduler_view_data>();
  v->publish_s = st.publish_s;
  v->version = ++st.view_version;
  v->published_at_s = unix_now_s();
  v->stats = detailed ? st.core.stats() : st.core.stats_summary();
  v->detailed = detailed;
  v->round_latency = st.round_latency;
  st.board->publish(std::shared_ptr<const scheduler_view_data>(std::move(v)));
  st.publish_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
}

} // namespace

scheduler_actor::behavior_type scheduler(scheduler_pointer self, caf::actor coordinator, scheduler_config config,
                                         std::string policy, std::shared_ptr<const std::vector<attempt_record>> history,
                                         std::shared_ptr<observation_board> board) {
  auto& st = self->state;
  st.board = std::move(board);
  if (st.board) self->send(self, atom::observe_v);
  st.coordinator = caf::actor_cast<coordinator_actor>(coordinator);
  // The coordinator hears of a failure before anything else of it: the error
  // that answers the request being handled (a stats request) and the exit of
  // the link come after this message, so nobody gets an answer from the
  // coordinator that does not know yet (the link's exit reason carries the
  // same text, for whoever else watches).
  report_exceptions(self, scheduler_state::name,
                    [self](const std::string& why) { self->send(self->state.coordinator, atom::failed_v, why); });
  st.core = scheduler_core(config, make_policy(policy, config));
  if (history) replay_history(*history, st.core);
  st.started_at = self->clock().now();
  return {
    [self](atom::enroll, std::vector<worker_capability>& workers) {
      for (auto& w : workers) self->state.core.add_worker(std::move(w));
      self->state.placeability_dirty = true;
      queue_round(self);
    },
    [self](atom::remove, const std::string& worker_id, bool may_return) {
      auto& st = self->state;
      auto ids = st.core.remove_worker(worker_id, may_return);
      st.requeued.insert(st.requeued.end(), ids.begin(), ids.end());
      st.placeability_dirty = true;
      queue_round(self);
    },
    [self](atom::metrics, std::vector<worker_metrics_report>& reports) {
      for (auto& r : reports) self->state.core.update_metrics(r.worker_id, r.metrics);
    },
    [self](atom::submit, std::vector<task>& tasks) {
      auto& st = self->state;
      const double now = now_s(self);
      for (auto& t : tasks) {
        try {
          st.core.submit(std::move(t), now);
        } catch (const std::invalid_argument&) {
          // The coordinator already rejects duplicate ids; nothing to do.
        }
      }
      st.placeability_dirty = true;
      queue_round(self);
    },
    [self](atom::result, std::vector<task_result>& results) {
      auto& st = self->state;
      const double now = now_s(self);
      // The core learns each result (the run's only learner) and decides
      // what it means for a task with two attempts; the coordinator follows
      // that answer, which reaches it before the round that the result frees.
      std::vector<result_effect> effects;
      effects.reserve(results.size());
      for (const auto& r : results) effects.push_back(st.core.record_result(r, now));
      self->send(st.coordinator, atom::result_v, std::move(effects));
      queue_round(self);
    },
    [self](atom::requeue, std::vector<requeue_request>& requests) {
      auto& st = self->state;
      const double now = now_s(self);
      for (const auto& r : requests) st.core.requeue(r.task_id, r.avoid_worker_id, now);
      st.placeability_dirty = true;
      queue_round(self);
    },
    [self](atom::cancel, std::vector<std::string>& ids) {
      for (const auto& id : ids) self->state.core.cancel(id);
      queue_round(self);
    },
    [self](atom::schedule) { run_round(self); },
    [self](atom::stats) -> std::string {
      publish_stats(self, true);
      return to_json(self->state.core.stats()).dump();
    },
    [self](atom::explain, const task& t) {
      auto& st = self->state;
      if (!st.board) return;
      auto kept = st.core.explanation(t.id);
      auto why = kept ? std::move(*kept) : st.core.explain_now(t, now_s(self));
      auto json = explanation_json(why);
      json["as_of"] = kept ? "decision" : "now";
      st.board->put_explanation(t.id, json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    },
    [self](atom::observe) {
      auto& st = self->state;
      if (!st.board) return;
      if (st.board->take_scheduler_request() || st.view_version == 0) publish_stats(self, st.board->details_demanded());
      self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(
                                   std::chrono::duration<double>(st.board->publish_interval_s())),
                         atom::observe_v);
    },
  };
}

scheduler_actor spawn_scheduler(caf::actor_system& system, caf::actor coordinator, scheduler_config config,
                                std::string policy, std::shared_ptr<const std::vector<attempt_record>> history,
                                std::shared_ptr<observation_board> board) {
  return system.spawn(scheduler, std::move(coordinator), std::move(config), std::move(policy), std::move(history),
                      std::move(board));
}

} // namespace dtf
