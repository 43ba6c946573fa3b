#pragma once
// Shows a run's progress. On a terminal: one line, rewritten in place, with
// done/running/pending/failed counts and an ETA from the predictions. In a pipe
// or CI log: one line per finished task, nothing else (no control characters).
#include "scheduler/model/task_result.hpp"

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace dtf {

/// What the coordinator knows about the run at one moment.
struct progress_snapshot {
  std::size_t total = 0;      // tasks in the run
  std::size_t succeeded = 0;
  std::size_t failed = 0;     // failed, timed out, unplaceable: final and not successful
  std::size_t cancelled = 0;
  std::size_t running = 0;
  std::size_t pending = 0;    // waiting for a worker (including retries)
  double elapsed_s = 0;
  /// Predicted seconds of work left: predictions of pending tasks plus the
  /// predicted remainder of running ones. nullopt: no prediction available.
  std::optional<double> remaining_work_s;
  /// Tasks that can run at once (sum of worker slots); spreads the work for the ETA.
  std::size_t parallel_slots = 1;
};

/// One finished task, for the line printed in pipes and CI.
struct finished_task {
  std::string task_id;
  std::string worker_id;
  task_status status = task_status::succeeded;
  int attempt = 1;
  double duration_s = 0;  // wall seconds of the last attempt
  std::string error;  // shown for unsuccessful tasks
  std::optional<double> modeled_s;  // emulated: the execution model's seconds, shown labelled
};

/// ETA in seconds, nullopt without a prediction: the work left spread over the slots.
std::optional<double> estimate_eta_s(const progress_snapshot& snapshot);
/// "12/50 done (1 failed), 4 running, 34 pending, ETA 1m05s" — no control characters.
std::string format_progress_line(const progress_snapshot& snapshot);
/// "[12/50] ok      bert-base on worker-cuda-1 in 3.2s" / "[13/50] FAILED  t5 on worker-cpu-0 (attempt 2) in 0.4s: exit code 3";
/// wall seconds, an emulated attempt's modeled ones after them: "in 2.2s (modeled 1m50s)".
std::string format_finished_line(const finished_task& task, const progress_snapshot& snapshot);

class progress_reporter {
public:
  /// interactive: rewrite one line in place (use stream_is_terminal(out) to decide).
  progress_reporter(std::FILE* out, bool interactive);

  static bool stream_is_terminal(std::FILE* out);

  /// A periodic update (the coordinator calls this on a timer or on changes);
  /// prints only on a terminal.
  void update(const progress_snapshot& snapshot);
  /// A task reached its final state. Terminal: failures are printed above the
  /// status line, which is then redrawn. Otherwise: one line per task.
  void task_finished(const finished_task& task, const progress_snapshot& snapshot);
  /// Ends the status line (terminal) so the summary starts on a fresh line.
  void finish(const progress_snapshot& snapshot);

private:
  void draw_status_line(const progress_snapshot& snapshot);

  std::FILE* out_;
  bool interactive_;
  std::mutex mutex_;
};

} // namespace dtf
