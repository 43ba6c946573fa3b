// The predictor actor owns an execution_predictor fed by every successful
// result and scores each placement-time prediction against the actual run.
// The scheduler scores with a local copy, refreshed by snapshots that are
// batched: after `every_results` results, or `interval_s` after the first
// result not yet sent, whichever comes first.
#include "actors/predictor_actor.hpp"

#include "actors/actor_failure.hpp"
#include "actors/journal/history_replay.hpp"
#include "scheduler/execution_predictor.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>
#include <utility>
#include <vector>

namespace dtf {

struct predictor_state {
  static inline const char* name = "dtf.predictor";

  execution_predictor predictor;
  scheduler_actor scheduler;
  std::map<std::string, worker_capability> workers;
  std::size_t every_results = 256;
  double interval_s = 0.5;
  std::size_t unsent = 0;
  bool flush_scheduled = false;
};

using predictor_pointer = predictor_actor::stateful_pointer<predictor_state>;

namespace {

void send_snapshot(predictor_pointer self) {
  auto& st = self->state;
  st.unsent = 0;
  self->send(st.scheduler, atom::snapshot_v, st.predictor.snapshot());
}

} // namespace

predictor_actor::behavior_type predictor(predictor_pointer self, scheduler_actor scheduler, std::size_t every_results,
                                         double interval_s, std::shared_ptr<const std::vector<history_row>> history) {
  auto& st = self->state;
  // Linked to the coordinator: its exit reason carries the text to it.
  report_exceptions(self, predictor_state::name);
  if (history) replay_history(*history, st.predictor);
  st.scheduler = std::move(scheduler);
  st.every_results = every_results > 0 ? every_results : 1;
  st.interval_s = std::isfinite(interval_s) && interval_s > 0 ? interval_s : 0.5;
  return {
    [self](atom::enroll, std::vector<worker_capability>& workers) {
      for (auto& w : workers) {
        auto id = w.id;
        self->state.workers.insert_or_assign(std::move(id), std::move(w));
      }
    },
    [self](atom::result, std::vector<attempt_report>& reports) {
      auto& st = self->state;
      for (const auto& rep : reports) {
        const auto& res = rep.result;
        if (res.status != task_status::succeeded) continue;
        auto w = st.workers.find(res.worker_id);
        if (w == st.workers.end()) continue;
        st.predictor.record(res.model, res.type, res.batch_size, w->second, res.duration_s);
        if (rep.predicted_duration_s > 0 && rep.predicted_from_history) st.predictor.record_accuracy(rep.predicted_duration_s, res.duration_s);
        ++st.unsent;
      }
      if (st.unsent >= st.every_results) {
        send_snapshot(self);
      } else if (st.unsent > 0 && !st.flush_scheduled) {
        st.flush_scheduled = true;
        self->delayed_send(self,
                           std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(st.interval_s)),
                           atom::flush_v);
      }
    },
    [self](atom::flush) {
      auto& st = self->state;
      st.flush_scheduled = false;
      if (st.unsent > 0) send_snapshot(self);
    },
  };
}

predictor_actor spawn_predictor(caf::actor_system& system, scheduler_actor scheduler, std::size_t every_results,
                                double interval_s, std::shared_ptr<const std::vector<history_row>> history) {
  return system.spawn(predictor, std::move(scheduler), every_results, interval_s, std::move(history));
}

} // namespace dtf
