#pragma once
// One finished attempt, from the worker that ran it to the journal (attempts
// and execution history), the results file, JUnit, the HTML report and the
// learning: one record, filled where the attempt runs, read everywhere else.
// Plain data (no CAF, no I/O); its `inspect` overload is in actors/messages.hpp.
//
// The scheduling core learns from a smaller view of it, task_result
// (learning_result below): the one conversion, kept here.
#include "scheduler/model/device_kind.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"
#include "scheduler/model/worker.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace dtf {

struct attempt_record {
  // Which attempt.
  std::string task_id;
  std::string worker_id;
  int attempt = 1;
  // The task, as learning keys it.
  std::string model;
  task_type type = task_type::custom;
  int batch_size = 0;
  // The worker it ran on, as learning keys it (device name, kind, speed).
  std::string device_name;
  device_kind kind = device_kind::cpu;
  double speed = 1.0;
  int worker_slots = 0;  // the worker's slots (configured_slots(), set by the coordinator); 0: not known
  // How it ended.
  task_status status = task_status::failed;
  int exit_code = -1;    // -1 when killed by a signal or failed to start
  int term_signal = 0;   // the signal that ended the command's main process, 0 if none
  std::string error;     // why the attempt could not run or failed (spawn error, timeout, ...)
  // When (wall clock).
  double start_unix_s = 0.0, end_unix_s = 0.0;
  double duration_s = 0.0;  // wall seconds the attempt took
  /// Emulated attempts: the execution model's seconds (what predictions,
  /// learning and the journal use; --time-scale maps them to wall time).
  std::optional<double> modeled_s;
  /// What the predictor expected at placement, in measured_s()'s clock.
  std::optional<double> predicted_s;
  /// false: predicted_s is a default estimate. True unless said (older results
  /// files do not say).
  bool predicted_from_history = true;
  /// false: where predicted_s came from was not recorded (attempts in journals
  /// before schema 3), and the results file leaves predicted_from out.
  bool predicted_from_known = true;
  /// From `DTF_METRICS {json}` lines on stdout; finite numbers only, later lines win.
  std::map<std::string, double> metrics;
  // Output of a real command.
  std::string stdout_path, stderr_path;
  std::string stderr_tail;  // last ~2 KiB of stderr: JUnit failure messages; not in the results file
  std::uint64_t stdout_bytes = 0, stderr_bytes = 0;  // everything the command wrote, capped or not
  bool output_truncated = false;                     // either stream hit the output cap

  /// The duration predictions are compared with and learning uses: modeled
  /// seconds when emulated, else wall seconds.
  double measured_s() const { return modeled_s.value_or(duration_s); }
};

/// A record of attempt `attempt` of t on `worker`, before it ran: the task's
/// and the worker's fields set, the outcome still failed with no times.
attempt_record attempt_record_for(const task& t, const worker_capability& worker, int attempt);

/// Whether `a` rather than `b` (two attempts of one task) decides the task's
/// outcome, the attempt that ended the task: one that ran to its end
/// (succeeded, failed, timed out) decides over one cut short (cancelled, lost)
/// whatever their numbers -- the losing copy of a backup race, cancelled or
/// lost, is numbered before or after the winner -- except that a cut-short
/// retry of a failure (numbered after it, begun once it had ended) decides
/// over that failure. Of two that ran to their end, a success decides over a
/// failure whatever their numbers (a backup that failed while the first
/// attempt ran on left the task to it), of two failures the one that ended
/// last (a retry, or the copy left running), of two successes the one that
/// ended first. Otherwise (cut short both, or times not known) the higher
/// number, and `a` on a tie (the later record of one attempt).
bool decides_over(const attempt_record& a, const attempt_record& b);

/// The record with the worker's fields set: its id, device name, kind and
/// speed (a non-positive or non-finite speed is taken as 1).
attempt_record ran_on(attempt_record record, const worker_capability& worker);

/// What the scheduling core learns from (predictor, specialization, affinity):
/// the record's ids, status, measured duration, model, type, batch size and metrics.
task_result learning_result(const attempt_record& record);

/// The worker the record ran on, as far as learning needs it: id, kind, device
/// name, speed, and emulated when the record has modeled seconds (its clock).
worker_capability learning_worker(const attempt_record& record);

} // namespace dtf
