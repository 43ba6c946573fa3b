#pragma once
// Simulator input: a trace of tasks in JSON Lines (format in docs/formats.md), one
// task a line, with each task's true run time per device name or kind. The
// true durations are the simulator's ground truth; the scheduler never sees them.
#include "scheduler/model/task.hpp"
#include "scheduler/model/worker.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dtf {

struct trace_task {
  /// id, type, priority, model, batch size and requirements, as the scheduler sees them.
  task spec;
  double arrival_s = 0.0;
  /// Device name or kind -> true seconds on that device, in file order.
  std::vector<std::pair<std::string, double>> duration_s;
  /// Extra seconds when the worker has no warm copy of the model.
  double load_s = 0.0;
  /// Line in the trace file (1-based), 0 for generated tasks not yet written.
  int line = 0;
};

struct trace {
  std::string file;  // for error messages
  std::vector<trace_task> tasks;
};

/// Parses JSON Lines; blank lines are skipped. Throws dtf::input_error naming
/// the file, the line and the field (unknown keys, wrong types, negative or
/// non-finite numbers, times over max_run_seconds (input_limits.hpp), unknown hardware kinds,
/// duplicate ids, empty durations).
trace parse_trace(std::istream& in, const std::string& file_name);
/// Opens and parses a trace file.
trace read_trace(const std::string& path);

/// Writes one JSON object a line, in the format parse_trace reads.
void write_trace(std::ostream& out, const trace& t);

/// The true duration of a task on a worker (before the worker's `speed` and
/// model loading): the entry named exactly like the device, else the longest
/// entry contained in the worker's name (case-insensitive; ties to file order),
/// else the entry for the worker's kind. nullopt: the trace has no time for it.
std::optional<double> true_duration_s(const trace_task& t, const worker_capability& w);

} // namespace dtf
