#pragma once
// dtf's embedding API: run dtf's actors (coordinator, scheduler, predictor,
// node, workers) inside your program, submit tasks, and read results, without
// including a CAF header.
//
//   dtf::runtime_config config;
//   config.fleet = dtf::parse_fleet_file("fleet.yaml");   // emulated workers (optional)
//   dtf::runtime rt{config};
//   rt.subscribe([](const dtf::task_update& u) { ... });  // optional
//   rt.start();
//   rt.submit(tasks);
//   dtf::runtime_stats s = rt.wait();                      // every task final
//   rt.stop();
#include "actors/journal/journal_records.hpp"
#include "actors/messages.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

struct runtime_config {
  /// Emulated workers (fleet file), registered after the probed ones.
  std::vector<worker_capability> fleet;
  /// Probe this machine and add one real worker per device.
  bool probe_local = true;
  /// One CPU worker per NUMA node instead of per package.
  bool cpu_by_numa = false;
  /// Concurrent tasks per worker unless the worker says otherwise.
  int max_tasks_per_worker = 2;
  scheduler_config scheduling;
  std::string policy = "intelligent";
  /// Emulated workers: wall seconds per modeled second (0 = finish at once).
  double time_scale = 1.0;
  /// Outputs (empty = not written): results JSON Lines (one record per attempt), JUnit XML.
  std::string results_path;
  std::string junit_path;
  std::string junit_suite_name = "dtf";
  /// SQLite journal (actors/journal/sqlite_journal.hpp) of this run's tasks,
  /// attempts, workers and execution history (empty = none).
  std::string journal_path;
  /// Continue this run of the journal (dtf run --resume) instead of beginning
  /// one (0 = begin a new run). Needs journal_path.
  std::int64_t resume_run = 0;
  /// Per-attempt stdout/stderr files of real commands.
  std::string output_dir = "dtf-output";
  /// Back-pressure: most tasks the scheduler holds at once (0 = automatic).
  std::size_t scheduler_window = 0;
  /// Retry backoff: first delay in seconds, doubled per failure, capped.
  double retry_backoff_s = 0.2;
  double retry_backoff_max_s = 5.0;
  /// Seconds between metrics samples of the workers (0 = never).
  double metrics_interval_s = 5.0;
  /// CAF worker threads (0 = CAF's default: one per core).
  std::size_t scheduler_threads = 0;
  /// Serve /metrics, /status, /tasks, /workers, /stats and the status page at
  /// HOST:PORT (empty = no HTTP; port 0 = any free port; see http_url()).
  std::string http_address;
  /// Bearer token the HTTP endpoints require (needed on a non-loopback host).
  std::string http_token;
  /// How often the actors publish what the HTTP server shows, while someone asks.
  double http_publish_interval_s = 0.25;

  /// The slots the worker gets in this run (scheduler/model/worker_slots.hpp's rule,
  /// with max_tasks_per_worker as the default).
  int slots_of(const worker_capability& worker) const;
};

/// What start() found in a resumed run.
struct resumed_run {
  /// Tasks to run (again): not final in the journal, or cancelled (a stopped
  /// run's unfinished tasks), in submission order. Submit them.
  std::vector<task> to_run;
  /// Tasks that ended succeeded, failed or timed out: not run again (their
  /// attempts are already in the results and JUnit).
  std::vector<journal_task> ended;
};

/// Called for every task update, on one runtime thread, in order.
using task_update_callback = std::function<void(const task_update&)>;

class runtime {
public:
  explicit runtime(runtime_config config);
  ~runtime();  // stops
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Starts the actor system, probes, registers the workers. Throws
  /// std::runtime_error (or dtf::input_error for bad probe input) on failure.
  void start();
  /// Workers registered at start (probed first, then the fleet).
  const std::vector<worker_capability>& workers() const;
  /// Probe warnings from start().
  const std::vector<std::string>& warnings() const;
  /// Results of earlier runs read from the journal at start() and learned from.
  std::size_t history_results() const;
  /// With config.resume_run: what the journal held of the run.
  const resumed_run& resumed() const;
  /// http://HOST:PORT/ of the HTTP server once started (empty without one).
  /// It keeps serving the final state after stop(), until close_http() or
  /// the destructor.
  std::string http_url() const;
  void close_http();

  /// Queues tasks; returns how many were accepted (duplicate ids are rejected
  /// with a `rejected` update).
  std::size_t submit(task t);
  std::size_t submit(std::vector<task> tasks);
  /// Cancels a pending or running task; false if unknown or already final.
  bool cancel(const std::string& task_id);
  /// The latest state of one task.
  task_update status(const std::string& task_id);

  /// Callbacks must be added before start().
  void subscribe(task_update_callback callback);

  /// Blocks until every submitted task is final; outputs are written by then.
  /// An actor's failure does not hang it: the run stops, tasks end cancelled
  /// and the statistics' `failure` says what failed (or, when the coordinator
  /// itself failed, this throws std::runtime_error with the text).
  runtime_stats wait();
  /// As wait(), giving up after `seconds`: nullopt when tasks are still open.
  std::optional<runtime_stats> wait_for(double seconds);
  /// Counts so far plus the scheduler's statistics (JSON text).
  runtime_stats stats();

  /// Stops the run without blocking (safe from a signal-watching thread):
  /// nothing more is placed, pending tasks end cancelled, running ones are
  /// cancelled (process trees ended) and end when their workers report; the
  /// statistics' `interrupted` names the signal. wait() returns once all is final.
  void interrupt(const std::string& signal_name);

  /// Cancels what runs, writes the outputs, stops the actors, and marks the
  /// journal's run "finished", "interrupted", "failed" (an actor failed) or
  /// "stopped" (tasks still open). Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dtf
