// The worker actor never blocks its mailbox: a real command runs on a runner
// thread (a blocking actor that lives as long as the worker and takes one
// job after another from its job_queue) that calls run_command and sends the
// outcome back; an emulated task is a timer for its modeled duration (tasks of
// zero duration finish inline). Results are sent to the coordinator in batches.
#include "actors/worker_actor.hpp"

#include "actors/actor_failure.hpp"
#include "actors/execution/cancel_token.hpp"
#include "actors/execution/command_runner.hpp"
#include "actors/execution/job_queue.hpp"
#include "scheduler/input/input_limits.hpp"

#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace dtf {

namespace {

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// At most max_run_seconds, as the emulated runner's wait: a 64-bit
/// nanosecond timespan wraps past about 9e9 s.
caf::timespan to_timespan(double seconds) {
  const double bounded = std::isfinite(seconds) ? std::clamp(seconds, 0.0, max_run_seconds) : 0.0;
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(bounded));
}

struct running_attempt {
  int attempt = 0;
  std::string model;
  std::shared_ptr<cancel_token> token;  // real commands only; shared with the runner thread
  attempt_record emulated;              // emulated only: reported when cancelled
};

} // namespace

struct worker_state {
  static inline const char* name = "dtf.worker";

  worker_capability capability;
  coordinator_actor coordinator;
  worker_options options;
  std::deque<std::string> warm_models;       // most recent first
  std::map<std::string, running_attempt> running;
  /// Orders beyond the free slots, in arrival order, and the slot count the
  /// coordinator gave with the last batch (0: no limit).
  std::deque<work_order> queued;
  int slot_limit = 0;
  std::vector<attempt_record> outbox;
  bool flush_queued = false;
  /// Real commands' attempts, for runner threads that outlive each attempt
  /// (as many as ever ran at once); shared with them.
  std::shared_ptr<job_queue> jobs = std::make_shared<job_queue>();

  ~worker_state() {
    for (auto& [id, r] : running)
      if (r.token) r.token->cancel();  // the runners end their process groups
    jobs->close();                      // and return once the queue is empty
  }

  bool is_warm(const std::string& model) const {
    return !model.empty() && std::find(warm_models.begin(), warm_models.end(), model) != warm_models.end();
  }

  void touch_model(const std::string& model) {
    if (model.empty() || options.warm_models == 0) return;
    warm_models.erase(std::remove(warm_models.begin(), warm_models.end(), model), warm_models.end());
    warm_models.push_front(model);
    while (warm_models.size() > options.warm_models) warm_models.pop_back();
  }
};

using worker_pointer = worker_actor::stateful_pointer<worker_state>;

namespace {

/// The worker's record of an attempt the order asked for: what ran, plus the
/// scheduler's prediction at placement.
attempt_record with_prediction(attempt_record record, const work_order& order) {
  if (order.predicted_duration_s > 0 && std::isfinite(order.predicted_duration_s))
    record.predicted_s = order.predicted_duration_s;
  record.predicted_from_history = order.predicted_from_history;
  return record;
}

run_request request_for(const worker_state& st, const work_order& order) {
  run_request request;
  request.t = order.work;
  request.worker = st.capability;
  request.attempt = order.attempt;
  request.output_dir = st.options.output_dir;
  request.output_cap_bytes = st.options.output_cap_bytes;
  request.kill_grace_s = st.options.kill_grace_s;
  return request;
}

void queue_result(worker_pointer self, attempt_record report) {
  auto& st = self->state;
  st.outbox.push_back(std::move(report));
  if (!st.flush_queued) {
    st.flush_queued = true;
    self->send(self, atom::flush_v);  // behind whatever is already queued: batches bursts
  }
}

/// Emulated: plan_emulated_run's model and a timer instead of a blocked thread.
/// The record's modeled_s is in modeled seconds (the unit of predictions and
/// fleet speeds, whatever the time scale); the timestamps show wall time.
void start_emulated(worker_pointer self, const work_order& order, std::vector<std::string>& started,
                    std::vector<attempt_record>& finished_now) {
  auto& st = self->state;
  const auto plan = plan_emulated_run(order.work, st.capability, st.is_warm(order.work.model), st.options.time_scale);
  st.touch_model(order.work.model);
  auto report =
      with_prediction(emulated_outcome(request_for(st, order), plan, unix_now_s(), plan.wall_wait_s, false), order);
  if (plan.wall_wait_s <= 0.0) {
    finished_now.push_back(std::move(report));
    return;
  }
  running_attempt r;
  r.attempt = order.attempt;
  r.model = order.work.model;
  r.emulated = report;
  st.running[order.work.id] = std::move(r);
  started.push_back(order.work.id);
  self->delayed_send(self, to_timespan(plan.wall_wait_s), atom::done_v, std::move(report));
}

/// Real: run_command on a runner thread; it reports via atom::done.
void start_real(worker_pointer self, const work_order& order, std::vector<std::string>& started) {
  auto& st = self->state;
  auto request = request_for(st, order);
  auto token = std::make_shared<cancel_token>();
  running_attempt r;
  r.attempt = order.attempt;
  r.model = order.work.model;
  r.token = token;
  st.running[order.work.id] = std::move(r);
  started.push_back(order.work.id);
  auto worker = caf::actor_cast<worker_actor>(self);
  auto coordinator = st.coordinator;
  auto capability = st.capability;
  const bool needs_runner = st.jobs->push([worker, coordinator, request = std::move(request), token, order, capability] {
    attempt_record outcome = attempt_record_for(order.work, capability, order.attempt);
    try {
      outcome = run_command(request, *token);
    } catch (...) {
      // Never silent: the attempt fails, and so does the run.
      auto why = "command runner of worker " + capability.id + " failed running task '" + order.work.id +
                 "': " + exception_text(std::current_exception());
      std::fprintf(stderr, "dtf: internal error: %s\n", why.c_str());
      caf::anon_send(coordinator, atom::failed_v, why);
      outcome.error = "internal error: " + why;
    }
    // Sent once this runner is free: the order the worker starts on hearing it finds it idle.
    return [worker, report = with_prediction(std::move(outcome), order)]() mutable {
      caf::anon_send(worker, atom::done_v, std::move(report));
    };
  });
  if (!needs_runner) return;
  // A blocking actor, so that shutting the actor system down waits for the
  // runner (and the command it may still be ending). The unused int: CAF 0.17
  // dereferences a null argument tuple when a function actor takes no arguments
  // (UBSan: reference binding to null).
  self->spawn([jobs = st.jobs](caf::blocking_actor*, int) { jobs->run_jobs(); }, 0);
}

/// Starts queued orders while slots are free; announces what keeps running
/// and sends what finished at once, one message each.
void start_queued(worker_pointer self) {
  auto& st = self->state;
  std::vector<std::string> started;
  std::vector<attempt_record> finished_now;
  while (!st.queued.empty() &&
         (st.slot_limit <= 0 || st.running.size() < static_cast<std::size_t>(st.slot_limit))) {
    auto order = std::move(st.queued.front());
    st.queued.pop_front();
    if (st.capability.emulated) start_emulated(self, order, started, finished_now);
    else start_real(self, order, started);
  }
  if (!started.empty()) self->send(st.coordinator, atom::started_v, st.capability.id, std::move(started));
  for (auto& report : finished_now) queue_result(self, std::move(report));
}

/// The record of an order cancelled before it started.
attempt_record cancelled_before_start(const work_order& order, const worker_capability& worker) {
  auto rep = with_prediction(attempt_record_for(order.work, worker, order.attempt), order);
  rep.status = task_status::cancelled;
  rep.exit_code = -1;
  rep.error = "cancelled";
  return rep;
}

} // namespace

worker_actor::behavior_type worker(worker_pointer self, worker_capability capability, caf::actor coordinator,
                                   worker_options options) {
  auto& st = self->state;
  st.capability = std::move(capability);
  st.coordinator = caf::actor_cast<coordinator_actor>(coordinator);
  report_exceptions(self, worker_state::name,
                    [self](const std::string& why) { self->send(self->state.coordinator, atom::failed_v, why); });
  if (!std::isfinite(options.time_scale) || options.time_scale < 0) options.time_scale = 1.0;
  st.options = std::move(options);
  return {
    [self](atom::run, std::vector<work_order>& orders, int slots) {
      auto& st = self->state;
      st.slot_limit = std::max(slots, 0);
      for (auto& order : orders) st.queued.push_back(std::move(order));
      start_queued(self);
    },
    [self](atom::cancel, const std::string& task_id) {
      auto& st = self->state;
      auto i = st.running.find(task_id);
      if (i == st.running.end()) {
        auto q = std::find_if(st.queued.begin(), st.queued.end(),
                              [&](const work_order& o) { return o.work.id == task_id; });
        if (q == st.queued.end()) return;
        auto report = cancelled_before_start(*q, st.capability);
        st.queued.erase(q);
        report.start_unix_s = report.end_unix_s = unix_now_s();
        queue_result(self, std::move(report));
        return;
      }
      if (i->second.token) {
        i->second.token->cancel();  // the runner reports the cancelled attempt
        return;
      }
      auto report = std::move(i->second.emulated);
      st.running.erase(i);
      report.status = task_status::cancelled;
      report.exit_code = -1;
      report.end_unix_s = std::max(report.start_unix_s, unix_now_s());
      report.duration_s = report.end_unix_s - report.start_unix_s;
      const double scale = st.options.time_scale > 0 ? st.options.time_scale : 1.0;
      report.modeled_s = report.duration_s / scale;
      report.error = "cancelled";
      queue_result(self, std::move(report));
      start_queued(self);
    },
    [self](atom::done, attempt_record& report) {
      auto& st = self->state;
      auto i = st.running.find(report.task_id);
      if (i == st.running.end() || i->second.attempt != report.attempt) return;  // cancelled timer
      st.touch_model(i->second.model);
      st.running.erase(i);
      queue_result(self, std::move(report));
      start_queued(self);
    },
    [self](atom::flush) {
      auto& st = self->state;
      st.flush_queued = false;
      if (!st.outbox.empty()) {
        self->send(st.coordinator, atom::result_v, std::move(st.outbox));
        st.outbox.clear();
      }
    },
  };
}

worker_actor spawn_worker(caf::actor_system& system, worker_capability capability, caf::actor coordinator,
                          worker_options options) {
  return system.spawn(worker, std::move(capability), std::move(coordinator), std::move(options));
}

} // namespace dtf
