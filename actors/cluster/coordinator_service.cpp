#include "actors/cluster/coordinator_service.hpp"

#include "actors/cluster/cluster_system.hpp"
#include "actors/coordinator.hpp"
#include "actors/http/http_server.hpp"
#include "actors/journal/ended_attempts.hpp"
#include "actors/journal/journal_session.hpp"
#include "actors/observation/observation_board.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <filesystem>

#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dtf {

namespace {

/// The suite name of a coordinator's runs in its journal.
constexpr const char* journal_suite = "dtf coordinator";

/// The newest coordinator run of the journal that did not finish, 0 if none.
/// Opened read-write, as the coordinator then opens it: a journal of an
/// older dtf is migrated (read-only refuses it).
std::int64_t unfinished_run(const std::string& path) {
  if (!std::filesystem::exists(path)) return 0;
  sqlite_journal journal{path};
  for (const auto& run : journal.runs())  // newest first
    if (run.suite == journal_suite) return run.status == "finished" ? 0 : run.id;
  return 0;
}

/// A resumed run's ended tasks, each with the attempt that ended it in the
/// journal (attempts_that_ended).
std::vector<ended_task> with_last_attempts(sqlite_journal& journal, std::int64_t run,
                                           const std::vector<journal_task>& ended) {
  std::vector<ended_task> out;
  if (ended.empty()) return out;
  auto last = attempts_that_ended(journal.attempts(run), ended);
  out.reserve(ended.size());
  for (const auto& t : ended) {
    auto a = last.find(t.definition.id);
    out.push_back({t, a == last.end() ? std::nullopt : std::optional<attempt_record>{std::move(a->second)}});
  }
  return out;
}

} // namespace

struct coordinator_service::impl {
  coordinator_service_config config;
  caf::actor_system_config caf_config;
  std::unique_ptr<caf::actor_system> system;
  coordinator_actor coordinator;
  std::unique_ptr<tls_relay> gate;
  gate_counters last_gate;  // when the gate closed
  journal_session journal;
  std::size_t resumed = 0;
  std::shared_ptr<observation_board> board;
  std::unique_ptr<http_server> http;
  bool stopped = false;
};

coordinator_service::coordinator_service(coordinator_service_config config) : impl_(std::make_unique<impl>()) {
  impl_->config = std::move(config);
}

coordinator_service::~coordinator_service() {
  try {
    stop();
  } catch (...) {
    // Destructors never throw.
  }
}

std::uint16_t coordinator_service::start() {
  auto& d = *impl_;
  if (!d.config.http_address.empty()) {  // a bad address or a missing token throws before anything starts
    d.board = std::make_shared<observation_board>();
    d.http = std::make_unique<http_server>(d.board, http_server_options{.address = d.config.http_address,
                                                                        .token = d.config.http_token});
  }
  d.system = make_cluster_system(d.caf_config, d.config.middleman);
  coordinator_config cc;
  cc.scheduling = d.config.scheduling;
  cc.scheduling.max_tasks_per_worker = d.config.max_tasks_per_worker;
  cc.policy = d.config.policy;
  cc.scheduler_window = d.config.scheduler_window;
  cc.retry_backoff_s = d.config.retry_backoff_s;
  cc.retry_backoff_max_s = d.config.retry_backoff_max_s;
  cc.membership_log = d.config.log;
  cc.lost_workers_may_return = true;  // nodes join again under their names
  if (!d.config.journal_path.empty()) {
    d.journal = open_journal_session(d.config.journal_path, journal_suite,
                                     unfinished_run(d.config.journal_path));
    cc.history = d.journal.history;
    cc.resumed_attempts = d.journal.attempts;
    cc.ended_before = with_last_attempts(*d.journal.journal, d.journal.run, d.journal.ended);
    if (d.journal.skipped_history.count > 0 && d.config.log)
      d.config.log("journal '" + d.config.journal_path + "': " + skipped_text(d.journal.skipped_history));
  }
  cc.board = d.board;
  d.coordinator = spawn_coordinator(*d.system, std::move(cc), d.journal.journal);
  if (d.http) {
    d.board->set_explainer([coordinator = d.coordinator](const std::string& id) {
      caf::anon_send(coordinator, atom::explain_v, id);
    });
    try {
      d.http->start();
    } catch (...) {
      stop();
      throw;
    }
  }
  if (!d.journal.to_run.empty()) {
    d.resumed = d.journal.to_run.size();
    caf::scoped_actor self{*d.system};
    std::string failure;
    self->request(d.coordinator, seconds_span(d.config.middleman.request_timeout_s), atom::submit_v,
                  std::move(d.journal.to_run))
      .receive([](std::uint64_t) {}, [&](caf::error& err) { failure = d.system->render(err); });
    d.journal.to_run.clear();
    if (!failure.empty()) {
      stop();
      throw std::runtime_error("cannot resume the journal's run: " + failure);
    }
  }
  const bool tls = d.config.middleman.tls.complete();
  // Behind the gate the middleman listens on loopback only, on any free port.
  const std::string host = tls ? "127.0.0.1" : d.config.host;
  const std::uint16_t wanted = tls ? 0 : d.config.port;
  auto port = d.system->middleman().publish(d.coordinator, wanted, host.c_str(), true);
  if (!port) {
    auto why = d.system->render(port.error());
    stop();
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(wanted) + ": " + why);
  }
  if (!tls) return *port;
  try {
    d.gate = std::make_unique<tls_relay>(tls_relay::role::gate, d.config.middleman.tls, d.config.middleman.gate,
                                         d.config.host, d.config.port, "127.0.0.1", *port);
  } catch (...) {
    stop();
    throw;
  }
  return d.gate->port();
}

void coordinator_service::stop() {
  auto& d = *impl_;
  if (!d.system || d.stopped) return;
  d.stopped = true;
  if (d.gate) d.last_gate = d.gate->counters();
  d.gate.reset();  // no new connections while the actors stop
  // "finished" when nothing is open: the next start begins a new run.
  std::string status = "stopped";
  if (d.coordinator && d.journal.journal) {
    caf::scoped_actor self{*d.system};
    self->request(d.coordinator, std::chrono::seconds(10), atom::stats_v)
      .receive([&](runtime_stats& s) { status = s.all_final() ? "finished" : "stopped"; }, [](caf::error&) {});
  }
  if (d.board) d.board->close_explainer();  // no message to an actor after this
  if (d.http) d.http->stop();
  if (d.coordinator) caf::anon_send_exit(d.coordinator, caf::exit_reason::user_shutdown);
  d.system.reset();
  if (d.journal.journal) {
    d.journal.journal->finish_run(d.journal.run, status);
    d.journal.journal->flush();
  }
}

std::int64_t coordinator_service::journal_run() const { return impl_->journal.run; }
std::size_t coordinator_service::resumed_tasks() const { return impl_->resumed; }
std::size_t coordinator_service::ended_before() const { return impl_->journal.ended.size(); }
std::string coordinator_service::http_url() const { return impl_->http ? impl_->http->url() : std::string{}; }

gate_counters coordinator_service::gate() const { return impl_->gate ? impl_->gate->counters() : impl_->last_gate; }

} // namespace dtf
