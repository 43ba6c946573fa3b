#pragma once
// `dtf coordinator`'s process: the coordinator, scheduler and predictor
// actors, published through CAF's middleman for nodes and clients to reach.
// CAF-free header.
#include "actors/cluster/middleman_settings.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace dtf {

struct coordinator_service_config {
  /// Where the coordinator listens (the gate's address with TLS, else the
  /// middleman's): loopback unless told otherwise.
  std::string host = "127.0.0.1";
  std::uint16_t port = 4780;  // 0: any free port (start() returns it)
  middleman_settings middleman;
  scheduler_config scheduling;
  std::string policy = "intelligent";
  /// Slots of a worker that does not say how many it has.
  int max_tasks_per_worker = 2;
  std::size_t scheduler_window = 0;
  double retry_backoff_s = 0.2;
  double retry_backoff_max_s = 5.0;
  /// SQLite journal (empty: none). A coordinator started on a journal whose
  /// last coordinator run did not finish (it was killed, or stopped with
  /// tasks open) resumes it: tasks that ended are not run again, the others
  /// (running on nodes when it stopped) run once more.
  std::string journal_path;
  /// One line per worker joining or lost (called on an actor thread).
  std::function<void(const std::string&)> log;
  /// The status page and /metrics, /status, /tasks, /workers, /stats at
  /// HOST:PORT (actors/http; empty: none) and the bearer token they need.
  std::string http_address;
  std::string http_token;
};

class coordinator_service {
public:
  explicit coordinator_service(coordinator_service_config config);
  ~coordinator_service();  // stops
  coordinator_service(const coordinator_service&) = delete;
  coordinator_service& operator=(const coordinator_service&) = delete;

  /// Spawns the actors and listens (through the TLS gate when
  /// middleman.tls is complete); returns the port. Throws
  /// std::runtime_error saying why it cannot listen (port in use, ...).
  std::uint16_t start();
  /// With a journal: the run it writes, and what start() found of a resumed one.
  std::int64_t journal_run() const;
  std::size_t resumed_tasks() const;
  std::size_t ended_before() const;
  /// With TLS: what the gate let through and refused so far (zeros without).
  gate_counters gate() const;
  /// http://HOST:PORT/ of the HTTP server once started (empty without one).
  std::string http_url() const;
  /// Closes the port and stops the actors (nodes see the coordinator go and
  /// cancel what they run). Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
