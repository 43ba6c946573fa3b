#pragma once
// Opening a journal for a coordinator: its history (learned before the first
// task), the run it writes (begun, or resumed), and, when resumed, what that
// run still has to do. Shared by `dtf run` (actors/runtime.cpp) and `dtf
// coordinator` (actors/cluster/coordinator_service.cpp). CAF-free.
#include "actors/journal/journal_records.hpp"
#include "actors/journal/sqlite_journal.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace dtf {

struct journal_session {
  std::shared_ptr<sqlite_journal> journal;
  std::int64_t run = 0;
  /// Earlier runs' results (null when there are none).
  std::shared_ptr<const std::vector<attempt_record>> history;
  std::size_t history_rows = 0;
  /// History rows out of range, not learned from (warn when count > 0).
  history_rows_skipped skipped_history;
  /// A resumed run: tasks to run (again), in submission order: not final in
  /// the journal, or cancelled (a stopped run's unfinished tasks).
  std::vector<task> to_run;
  /// ... and the attempts they made, so numbering continues.
  std::unordered_map<std::string, int> attempts;
  /// ... and the tasks that ended (succeeded, failed, timed out): not run again.
  std::vector<journal_task> ended;
};

/// Opens `path` (throws journal_error naming it) and begins a run of `suite`,
/// or resumes run `resume_run` when it is not 0.
journal_session open_journal_session(const std::string& path, const std::string& suite, std::int64_t resume_run);

} // namespace dtf
