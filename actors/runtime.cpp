// The embedding API's implementation: owns the actor system and the handles;
// blocking calls (wait, stats, cancel) are scoped-actor requests made from the
// caller's thread, outside the actor pipeline.
#include "actors/runtime.hpp"

#include "actors/actor_failure.hpp"
#include "actors/coordinator.hpp"
#include "actors/http/http_server.hpp"
#include "actors/observation/observation_board.hpp"
#include "actors/journal/journal_session.hpp"
#include "actors/journal/sqlite_journal.hpp"
#include "actors/node_actor.hpp"
#include "actors/runtime_outputs.hpp"
#include "actors/system_setup.hpp"
#include "actors/update_listener.hpp"
#include "scheduler/model/worker_slots.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <stdexcept>
#include <utility>

namespace dtf {

namespace {

std::runtime_error runtime_failure(const std::string& what, const caf::error& err, caf::actor_system& sys) {
  return std::runtime_error("dtf runtime: " + what + ": " + failure_text(err, sys));
}

bool is_timeout(const caf::error& err) {
  return err.category() == caf::atom("system") && err.code() == static_cast<std::uint8_t>(caf::sec::request_timeout);
}

/// The journal's word for how a run ended (resume continues any other).
std::string run_status_of(const runtime_stats& s) {
  if (!s.failure.empty()) return "failed";
  if (!s.interrupted.empty()) return "interrupted";
  return s.all_final() ? "finished" : "stopped";
}

} // namespace

struct runtime::impl {
  runtime_config config;
  caf::actor_system_config caf_config;
  std::unique_ptr<caf::actor_system> system;
  coordinator_actor coordinator;
  node_actor node;
  update_listener_actor listener;
  std::shared_ptr<update_callbacks> callbacks = std::make_shared<update_callbacks>();
  std::unique_ptr<runtime_outputs> outputs;
  std::shared_ptr<sqlite_journal> journal;
  std::int64_t journal_run = 0;
  std::size_t history_rows = 0;
  resumed_run resumed;
  std::vector<worker_capability> workers;
  std::vector<std::string> warnings;
  std::shared_ptr<observation_board> board;
  std::unique_ptr<http_server> http;
  bool started = false;
  bool stopped = false;

  caf::actor_system& sys() { return *system; }

  /// Waits until the listener handled every update sent before this call.
  void flush_listener() {
    caf::scoped_actor self{sys()};
    self->request(listener, std::chrono::seconds(60), atom::flush_v).receive([](bool) {}, [](caf::error&) {});
    if (outputs) outputs->flush();
  }
};

runtime::runtime(runtime_config config) : impl_(std::make_unique<impl>()) { impl_->config = std::move(config); }

runtime::~runtime() {
  try {
    stop();
    close_http();
  } catch (...) {
    // Destructors never throw; stop() already did what it could.
  }
}

std::string runtime::http_url() const { return impl_->http ? impl_->http->url() : std::string{}; }

void runtime::close_http() {
  if (impl_->http) impl_->http->stop();
}

int runtime_config::slots_of(const worker_capability& worker) const {
  auto config = scheduling;
  config.max_tasks_per_worker = max_tasks_per_worker;
  return configured_slots(worker, config);
}

void runtime::subscribe(task_update_callback callback) {
  if (impl_->started) throw std::logic_error("dtf runtime: subscribe before start()");
  impl_->callbacks->push_back(std::move(callback));
}

void runtime::start() {
  auto& d = *impl_;
  if (d.started) return;
  auto& cfg = d.config;
  cfg.scheduling.max_tasks_per_worker = cfg.max_tasks_per_worker;

  node_config node;
  node.probe_local = cfg.probe_local;
  node.cpu_by_numa = cfg.cpu_by_numa;
  node.emulated = cfg.fleet;
  node.worker.time_scale = cfg.time_scale;
  node.worker.output_dir = cfg.output_dir;
  node.metrics_interval_s = cfg.metrics_interval_s;
  if (!cfg.http_address.empty()) {
    // Checked before anything starts: a bad address or a missing token is bad input.
    d.board = std::make_shared<observation_board>(cfg.http_publish_interval_s);
    http_server_options http;
    http.address = cfg.http_address;
    http.token = cfg.http_token;
    d.http = std::make_unique<http_server>(d.board, http);
  }
  d.workers = node_workers(node, &d.warnings);  // probes; throws on failure

  if (!cfg.results_path.empty() || !cfg.junit_path.empty()) {
    d.outputs = std::make_unique<runtime_outputs>(cfg.results_path, cfg.junit_path, cfg.junit_suite_name);
    d.callbacks->insert(d.callbacks->begin(), [out = d.outputs.get()](const task_update& u) { out->on_update(u); });
  }

  std::shared_ptr<const std::vector<attempt_record>> history;
  std::unordered_map<std::string, int> resumed_attempts;
  if (!cfg.journal_path.empty()) {
    auto session = open_journal_session(cfg.journal_path, cfg.junit_suite_name, cfg.resume_run);
    d.journal = std::move(session.journal);
    d.journal_run = session.run;
    d.history_rows = session.history_rows;
    if (session.skipped_history.count > 0)
      d.warnings.push_back("journal '" + cfg.journal_path + "': " + skipped_text(session.skipped_history));
    history = std::move(session.history);
    resumed_attempts = std::move(session.attempts);
    d.resumed.to_run = std::move(session.to_run);
    d.resumed.ended = std::move(session.ended);
    if (cfg.resume_run != 0 && d.outputs) d.outputs->preload(d.journal->attempts(cfg.resume_run), d.resumed.ended);
  } else if (cfg.resume_run != 0) {
    throw std::logic_error("dtf runtime: resume_run needs a journal_path");
  }

  configure_actor_system(d.caf_config, cfg.scheduler_threads);
  d.system = std::make_unique<caf::actor_system>(d.caf_config);
  d.started = true;

  coordinator_config cc;
  cc.scheduling = cfg.scheduling;
  cc.policy = cfg.policy;
  cc.scheduler_window = cfg.scheduler_window;
  cc.retry_backoff_s = cfg.retry_backoff_s;
  cc.retry_backoff_max_s = cfg.retry_backoff_max_s;
  cc.history = std::move(history);
  cc.resumed_attempts = std::move(resumed_attempts);
  cc.board = d.board;
  d.coordinator = spawn_coordinator(d.sys(), cc, d.journal);
  if (d.http) {
    d.board->set_explainer([coordinator = d.coordinator](const std::string& id) {
      caf::anon_send(coordinator, atom::explain_v, id);
    });
    d.http->start();  // throws when the address cannot be bound
  }
  if (!d.callbacks->empty()) {
    d.listener = spawn_update_listener(d.sys(), d.callbacks, d.coordinator);
    caf::anon_send(d.coordinator, atom::subscribe_v, caf::actor_cast<caf::actor>(d.listener));
  }
  d.node = spawn_node(d.sys(), node, d.workers);
  caf::scoped_actor self{d.sys()};
  std::uint64_t registered = 0;
  caf::error failure;
  self->request(d.node, std::chrono::seconds(60), atom::join_v, caf::actor_cast<caf::actor>(d.coordinator))
    .receive([&](std::uint64_t n) { registered = n; }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) throw runtime_failure("workers did not register", failure, d.sys());
  if (registered != d.workers.size())
    throw std::runtime_error("dtf runtime: only " + std::to_string(registered) + " of " +
                             std::to_string(d.workers.size()) + " workers registered");
}

const std::vector<worker_capability>& runtime::workers() const { return impl_->workers; }
const std::vector<std::string>& runtime::warnings() const { return impl_->warnings; }
std::size_t runtime::history_results() const { return impl_->history_rows; }
const resumed_run& runtime::resumed() const { return impl_->resumed; }

std::size_t runtime::submit(task t) {
  std::vector<task> batch;
  batch.push_back(std::move(t));
  return submit(std::move(batch));
}

std::size_t runtime::submit(std::vector<task> tasks) {
  auto& d = *impl_;
  if (!d.started || d.stopped) throw std::logic_error("dtf runtime: submit needs a started runtime");
  caf::scoped_actor self{d.sys()};
  std::size_t accepted = 0;
  caf::error failure;
  self->request(d.coordinator, std::chrono::seconds(60), atom::submit_v, std::move(tasks))
    .receive([&](std::uint64_t n) { accepted = static_cast<std::size_t>(n); },
             [&](caf::error& err) { failure = std::move(err); });
  if (failure) throw runtime_failure("submit failed", failure, d.sys());
  return accepted;
}

bool runtime::cancel(const std::string& task_id) {
  auto& d = *impl_;
  if (!d.started || d.stopped) return false;
  caf::scoped_actor self{d.sys()};
  bool cancelled = false;
  self->request(d.coordinator, std::chrono::seconds(60), atom::cancel_v, task_id)
    .receive([&](bool ok) { cancelled = ok; }, [](caf::error&) {});
  return cancelled;
}

task_update runtime::status(const std::string& task_id) {
  auto& d = *impl_;
  task_update out;
  out.task_id = task_id;
  out.kind = task_event_kind::rejected;
  out.reason = "runtime not running";
  if (!d.started || d.stopped) return out;
  caf::scoped_actor self{d.sys()};
  self->request(d.coordinator, std::chrono::seconds(60), atom::status_v, task_id)
    .receive([&](task_update& u) { out = std::move(u); }, [](caf::error&) {});
  return out;
}

runtime_stats runtime::wait() {
  auto& d = *impl_;
  if (!d.started || d.stopped) throw std::logic_error("dtf runtime: wait needs a started runtime");
  runtime_stats out;
  caf::error failure;
  {
    caf::scoped_actor self{d.sys()};
    self->request(d.coordinator, caf::infinite, atom::drain_v)
      .receive([&](runtime_stats& s) { out = std::move(s); }, [&](caf::error& err) { failure = std::move(err); });
  }
  if (failure) throw runtime_failure("wait failed", failure, d.sys());
  if (d.listener) d.flush_listener();
  return out;
}

std::optional<runtime_stats> runtime::wait_for(double seconds) {
  auto& d = *impl_;
  if (!d.started || d.stopped) throw std::logic_error("dtf runtime: wait_for needs a started runtime");
  std::optional<runtime_stats> out;
  {
    caf::scoped_actor self{d.sys()};
    auto timeout = std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(std::max(0.0, seconds)));
    caf::error failure;
    self->request(d.coordinator, timeout, atom::drain_v)
      .receive([&](runtime_stats& s) { out = std::move(s); }, [&](caf::error& err) { failure = std::move(err); });
    // A timeout means tasks are still open; anything else (the coordinator
    // failed) would make the caller wait forever.
    if (failure && !is_timeout(failure)) throw runtime_failure("wait failed", failure, d.sys());
  }
  if (out && d.listener) d.flush_listener();
  return out;
}

runtime_stats runtime::stats() {
  auto& d = *impl_;
  if (!d.started || d.stopped) throw std::logic_error("dtf runtime: stats needs a started runtime");
  runtime_stats out;
  caf::error failure;
  caf::scoped_actor self{d.sys()};
  self->request(d.coordinator, std::chrono::seconds(60), atom::stats_v)
    .receive([&](runtime_stats& s) { out = std::move(s); }, [&](caf::error& err) { failure = std::move(err); });
  if (failure) throw runtime_failure("stats failed", failure, d.sys());
  return out;
}

void runtime::interrupt(const std::string& signal_name) {
  auto& d = *impl_;
  if (!d.started || d.stopped) return;
  caf::anon_send(d.coordinator, atom::interrupt_v, signal_name);
}

void runtime::stop() {
  auto& d = *impl_;
  if (!d.started || d.stopped) return;
  d.stopped = true;
  std::string run_status = "failed";
  {
    caf::scoped_actor self{d.sys()};
    self->request(d.coordinator, std::chrono::seconds(10), atom::stats_v)
      .receive([&](runtime_stats& s) { run_status = run_status_of(s); }, [](caf::error&) {});
  }
  if (d.listener) d.flush_listener();
  if (d.board) d.board->close_explainer();  // no message to an actor after this
  // Workers are linked to the node: they stop with it, cancelling what runs
  // (their helpers end the process groups before the system shuts down).
  caf::anon_send_exit(d.node, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(d.coordinator, caf::exit_reason::user_shutdown);
  if (d.listener) caf::anon_send_exit(d.listener, caf::exit_reason::user_shutdown);
  d.system.reset();  // awaits every actor
  if (d.outputs) d.outputs->flush();
  if (d.journal) {
    d.journal->finish_run(d.journal_run, run_status);
    d.journal->flush();
  }
}

} // namespace dtf
