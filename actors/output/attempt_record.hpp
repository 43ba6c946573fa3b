#pragma once
// One finished attempt as the output writers see it: plain data, no CAF, so
// the coordinator can feed the writers from whatever it holds.
#include "actors/execution/command_runner.hpp"
#include "scheduler/task.hpp"
#include "scheduler/task_result.hpp"

#include <map>
#include <optional>
#include <string>

namespace dtf {

struct attempt_record {
  std::string task_id;
  std::string worker_id;
  task_status status = task_status::failed;
  int exit_code = -1;
  int term_signal = 0;
  int attempt = 1;
  double start_unix_s = 0, end_unix_s = 0;  // wall clock
  double duration_s = 0;              // wall seconds the attempt took
  /// Emulated attempts: the execution model's seconds (what predictions,
  /// learning and the journal use; --time-scale maps them to wall time).
  std::optional<double> modeled_s;
  /// What the predictor expected, in measured_s()'s clock, if it had a guess.
  std::optional<double> predicted_s;
  bool predicted_from_history = true;  // false: predicted_s is a default estimate
  int worker_slots = 0;                // the worker's slots; 0: not known
  std::map<std::string, double> metrics;
  std::string model;
  task_type type = task_type::custom;
  int batch_size = 0;
  std::string error;
  std::string stderr_tail;  // JUnit only; not written to JSON Lines

  /// The duration predictions are compared with: modeled seconds when
  /// emulated, else wall seconds.
  double measured_s() const { return modeled_s.value_or(duration_s); }
};

/// The record of an attempt of t on worker_id that ended with outcome.
attempt_record make_attempt_record(const task& t, const std::string& worker_id, int attempt, const run_outcome& outcome,
                                   std::optional<double> predicted_s);

} // namespace dtf
