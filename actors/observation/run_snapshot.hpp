#pragma once
// What the HTTP server shows of a run, as plain immutable data: the
// coordinator publishes its view (tasks, workers, counts, the timeline) and
// the scheduler actor its statistics, each as a whole new value behind a
// shared_ptr (observation_board.hpp). Readers on other threads never touch an
// actor's state. No CAF here.
#include "actors/messages.hpp"
#include "actors/observation/latency_histogram.hpp"
#include "scheduler/core/scheduler_stats.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

/// One task as the coordinator knows it.
struct observed_task {
  std::string id;
  std::string model;
  task_type type = task_type::custom;
  int priority = 0;
  task_status status = task_status::pending;
  bool unplaceable = false;         // final: no worker can run it (status failed)
  std::string worker_id;            // current or last worker
  int attempts = 0;                 // attempts started so far
  double predicted_duration_s = 0;  // of the current or last attempt
  double submitted_at_s = 0;        // unix time
  double started_at_s = 0;          // the current or last attempt (unix; 0: not started)
  double finished_at_s = 0;         // unix; 0: not final
  double duration_s = 0;            // the last attempt's reported duration (modeled on emulated workers)
  std::string reason;               // failure, cancellation or unplaceable reasons
};

/// A bar of the timeline: one attempt on one worker (finished or running).
struct observed_attempt {
  std::string task_id;
  std::string worker_id;
  int attempt = 0;
  double started_at_s = 0;   // unix time
  double finished_at_s = 0;  // unix time; 0 while it runs
  task_status status = task_status::running;
};

struct observed_worker {
  std::string id;
  std::string name;
  std::string kind;
  bool emulated = false;
  bool alive = true;
  int slots = 0;
  int running = 0;
  std::uint64_t completed = 0;  // attempts reported
  double busy_s = 0;            // wall slot-seconds of finished attempts
  std::vector<std::string> running_tasks;
  worker_metrics metrics;       // last sample (optionals empty where unknown)
};

/// Tasks in fixed chunks of this many, shared between successive views: a
/// view rebuilds only the chunks whose tasks changed since the last one.
constexpr std::size_t observed_task_chunk = 512;
using observed_task_chunk_ptr = std::shared_ptr<const std::vector<observed_task>>;

struct coordinator_view {
  std::uint64_t version = 0;
  double published_at_s = 0;  // unix time
  double started_at_s = 0;    // unix time the coordinator started
  /// "idle" (nothing submitted yet), "running"; "stopping" (interrupted or failed, tasks still open); once every
  /// task is final "finished", "interrupted" (a signal) or "failed" (an actor failed).
  std::string state = "running";
  /// Every submitted task is final (the view no longer changes but for late reports).
  bool all_final = false;
  runtime_stats counts;       // lifecycle counts (workers left empty: see `workers`)
  std::size_t backlog = 0;    // accepted, not yet handed to the scheduler
  std::size_t queued = 0;     // pending tasks (backlog and the scheduler's window)
  std::uint64_t backups_started = 0;   // second attempts of overdue tasks
  std::uint64_t backup_losers = 0;     // attempts that lost a backup race (cancelled or late)
  double wasted_slot_s = 0;            // wall slot-seconds those losers held
  std::vector<observed_worker> workers;  // registration order
  /// The task table, as of tasks_published_at_s: rebuilt only while someone
  /// asks for tasks (/tasks, /tasks/ID) and at the end; other views share it.
  std::vector<observed_task_chunk_ptr> task_chunks;  // submission order
  std::size_t task_count = 0;
  double tasks_published_at_s = 0;  // unix time
  /// The most recent attempts (running ones and the last timeline_limit finished).
  std::vector<observed_attempt> timeline;
  std::uint64_t timeline_dropped = 0;  // finished attempts older than what `timeline` keeps
  /// Wall seconds the coordinator spent building the views it published before this one.
  double publish_s = 0;

  const observed_task* task_at(std::size_t index) const {
    if (index >= task_count) return nullptr;
    return &(*task_chunks[index / observed_task_chunk])[index % observed_task_chunk];
  }
};

struct scheduler_view_data {
  std::uint64_t version = 0;
  double published_at_s = 0;  // unix time
  scheduler_stats stats;
  /// Wall seconds of each scheduling round (scheduler_core::schedule).
  latency_histogram round_latency;
  /// With the statistics' parts that grow with the fleet (specialization,
  /// model families, metric counts): published so while /stats is asked for.
  bool detailed = false;
  /// Wall seconds the scheduler actor spent building the views it published before this one.
  double publish_s = 0;
};

} // namespace dtf
