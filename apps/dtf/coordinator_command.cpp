// `dtf coordinator`: the coordinator, scheduler and predictor of a cluster,
// listening (127.0.0.1 and port 4780 unless told otherwise) for `dtf node`
// agents and for clients (`dtf submit`, `status`, `cancel`, `stats`). Runs
// until SIGINT or SIGTERM. Exit 0 when stopped, 2 for bad input, 1 when it
// cannot listen.
#include "actors/cluster/coordinator_service.hpp"
#include "actors/http/http_address.hpp"
#include "apps/dtf/clock_text.hpp"
#include "apps/dtf/cluster_options.hpp"
#include "apps/dtf/host_port.hpp"
#include "apps/dtf/interrupt_watch.hpp"
#include "apps/dtf/option_table.hpp"
#include "apps/dtf/scheduling_options.hpp"
#include "scheduler/input/input_error.hpp"
#include "scheduler/core/scheduler_core.hpp"

#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <mutex>

namespace dtf::app {


int coordinator_command(int argc, char** argv) {
  coordinator_service_config config;
  config.port = default_coordinator_port;
  int threads = 0;
  bool insecure = false;
  option_table table;
  table.text("coordinator.host", "--host",
             "address to listen on (127.0.0.1: this machine only; 0.0.0.0 listens on every interface)",
             config.host);
  table.port("coordinator.port", "--port", "port to listen on (0: any free port, printed)", config.port);
  table.duration("coordinator.retry-backoff", "--retry-backoff", "first delay before a failed task is retried",
                 config.retry_backoff_s, 0, 3600);
  table.duration("coordinator.retry-backoff-max", "--retry-backoff-max", "longest delay before a retry",
                 config.retry_backoff_max_s, 0, 86400);
  table.text("coordinator.journal", "--journal",
             "SQLite journal of tasks, attempts and history; a restart on it resumes what was open (empty: none)",
             config.journal_path);
  table.text("coordinator.http", "--http",
             "serve the status page and /metrics, /status, /tasks, /workers, /stats at HOST:PORT (docs/formats.md)",
             config.http_address);
  table.text("coordinator.http-token", "--http-token",
             "bearer token the HTTP endpoints need (default $DTF_HTTP_TOKEN; required off loopback)",
             config.http_token);
  add_scheduling_options(table, config.scheduling, config.policy);
  table.whole("scheduling.prefetch", "--prefetch",
              "work orders a worker may hold queued beyond its slots (started on the node as slots free: many "
              "short tasks without a round trip each; their worker is chosen when queued)",
              config.scheduling.prefetch, 0, 1 << 20);
  int max_connections = static_cast<int>(config.middleman.gate.max_connections);
  double max_frame_mib = static_cast<double>(config.middleman.gate.max_frame_bytes) / (1 << 20);
  table.duration("gate.handshake-timeout", "--handshake-timeout", "with TLS: a peer gets this long to complete it",
                 config.middleman.gate.handshake_timeout_s, 0.01, 3600);
  table.duration("gate.idle-timeout", "--idle-timeout", "with TLS: a connection silent this long is closed",
                 config.middleman.gate.idle_timeout_s, 1, 86400);
  table.whole("gate.max-connections", "--max-connections", "with TLS: most connections at once", max_connections, 1,
              100000);
  table.number("gate.max-frame-mib", "--max-frame-mib", "with TLS: largest message (MiB) let through to CAF",
               max_frame_mib, 0.001, 4095);
  add_middleman_options(table, config.middleman, threads, insecure);
  try {
    auto positional = table.parse(argc, argv);
    if (table.help_requested()) {
      std::cout << "usage: dtf coordinator [--config FILE] [--dump-config] [options]\n"
                   "options (flag, config key, what, [value]):\n";
      table.describe(std::cout);
      return 0;
    }
    if (!positional.empty()) throw input_error("", 0, positional.front(), "unexpected argument");
    config.max_tasks_per_worker = config.scheduling.max_tasks_per_worker;
    config.middleman.gate.max_connections = static_cast<std::size_t>(max_connections);
    config.middleman.gate.max_frame_bytes = static_cast<std::uint32_t>(max_frame_mib * (1 << 20));
    config.middleman.threads = static_cast<std::size_t>(threads);
    make_policy(config.policy, config.scheduling);  // throws for an unknown name
    require_loopback(config.host, insecure, "--host", "listen on", config.middleman.tls, !table.dump_requested());
    if (!config.http_address.empty()) {
      if (config.http_token.empty())
        if (const char* env = std::getenv("DTF_HTTP_TOKEN")) config.http_token = env;
      const auto address = parse_http_address(config.http_address);  // throws for a bad one
      if (!is_loopback_host(address.host) && config.http_token.empty())
        throw std::invalid_argument("--http " + config.http_address +
                                    " is not a loopback address: give a bearer token (--http-token or DTF_HTTP_TOKEN)");
    }
  } catch (const std::exception& e) {
    std::cerr << "dtf coordinator: " << e.what() << "\n";
    return 2;
  }
  if (table.dump_requested()) {
    table.dump(std::cout);
    return 0;
  }
  config.log = [](const std::string& line) {
    std::cout << "dtf coordinator: " << clock_text() << " " << line << std::endl;
  };
  interrupt_watch interrupts;  // before any thread starts
  std::mutex mutex;
  std::condition_variable stopped;
  bool stop = false;
  try {
    coordinator_service service{config};
    auto port = service.start();
    std::cout << "dtf coordinator: listening on " << config.host << ":" << port << std::endl;
    if (!config.journal_path.empty())
      std::cout << "dtf coordinator: journal " << config.journal_path << ", run " << service.journal_run() << " ("
                << service.resumed_tasks() << " open tasks resumed, " << service.ended_before()
                << " ended before)" << std::endl;
    if (!service.http_url().empty()) std::cout << "dtf coordinator: serving " << service.http_url() << std::endl;
    interrupts.on_interrupt([&](const char*) {
      std::lock_guard lock{mutex};
      stop = true;
      stopped.notify_all();
    });
    std::unique_lock lock{mutex};
    stopped.wait(lock, [&] { return stop; });
    lock.unlock();
    service.stop();
    if (config.middleman.tls.complete()) {
      const auto g = service.gate();
      std::cout << "dtf coordinator: gate: " << g.accepted << " TLS connections accepted, " << g.refused_handshake
                << " refused at the handshake, " << g.refused_capacity << " over the connection cap, "
                << g.refused_frame << " closed for an oversized frame, " << g.idle_closed << " closed idle"
                << std::endl;
    }
    std::cout << "dtf coordinator: stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "dtf coordinator: " << e.what() << "\n";
    return 1;
  }
}

} // namespace dtf::app
