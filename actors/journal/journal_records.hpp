#pragma once
// What the journal gives back: runs, accepted tasks and a summary (attempts and
// execution history come back as attempt_record). Plain data, no CAF, no SQLite.
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/model/attempt_record.hpp"
#include "scheduler/model/device_kind.hpp"
#include "scheduler/model/task.hpp"
#include "scheduler/model/task_result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dtf {

struct journal_run {
  std::int64_t id = 0;
  std::string suite;
  double started_unix_s = 0.0;
  std::optional<double> finished_unix_s;
  std::string status;  // "running" until finish_run, then what finish_run said
};

/// A task accepted in a run, as the journal last saw it.
struct journal_task {
  std::int64_t run_id = 0;
  task definition;
  task_status status = task_status::pending;
  int attempts = 0;  // attempts recorded so far
};

/// History rows whose numbers are out of range (a file edited or damaged
/// outside dtf): left in the file, not learned from.
struct history_rows_skipped {
  std::uint64_t count = 0;
  std::int64_t first_id = 0;    // the oldest such row's id
  std::string first_field;      // its first column out of range
  std::string first_allowed;    // what that column may hold, in words
};

/// "N history rows out of range, not learned from (the oldest: row ID, field
/// 'F' must be ...)"; empty when none.
std::string skipped_text(const history_rows_skipped& skipped);

/// What `dtf history` prints.
struct journal_summary {
  struct model_device {
    std::string model;
    std::string device_name;
    std::string device_kind;
    /// The clock of mean_duration_s: "modeled" (emulated) or "wall" (also
    /// rows that do not say, as learning reads them); never averaged together.
    std::string clock;
    std::uint64_t runs = 0;        // attempts in the history
    std::uint64_t succeeded = 0;
    double mean_duration_s = 0.0;  // of successful attempts
  };
  struct status_count {
    std::string status;
    std::uint64_t count = 0;
  };
  std::vector<journal_run> runs;              // newest first
  std::vector<status_count> tasks_by_status;  // every run kept, by status name
  std::uint64_t attempts = 0;
  std::uint64_t workers = 0;
  std::uint64_t workers_lost = 0;             // lost and not registered again
  std::uint64_t history_rows = 0;
  history_rows_skipped skipped_history;       // of history_rows
  std::vector<model_device> by_model_device;  // by model, device name, kind, then clock
  /// Error of the predictions made from history, over successful attempts;
  /// `defaults` counts successful attempts without one (default estimates).
  prediction_error_summary predictions;
};

} // namespace dtf
