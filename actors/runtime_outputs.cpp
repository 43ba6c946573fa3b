#include "actors/runtime_outputs.hpp"
#include "actors/journal/ended_attempts.hpp"

#include <algorithm>
#include <chrono>

namespace dtf {

runtime_outputs::runtime_outputs(const std::string& results_path, const std::string& junit_path,
                                 std::string suite_name)
  : junit_(suite_name), junit_path_(junit_path) {
  started_unix_s_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (!results_path.empty()) results_ = std::make_unique<results_jsonl_writer>(results_path);
  if (!junit_path_.empty()) {
    // Written now (fails early on an unwritable path) and replaced when the
    // run writes its own: until then it says the run did not finish, so a
    // dtf killed mid-run never leaves CI a green tests="0" file.
    junit_writer unfinished{std::move(suite_name)};
    unfinished.record_not_run("dtf", "the run did not finish: dtf stopped before writing its results");
    unfinished.write(junit_path_, started_unix_s_);
  }
}

void runtime_outputs::on_update(const task_update& update) {
  const bool junit = !junit_path_.empty();  // nothing kept for a file that is never written
  switch (update.kind) {
    case task_event_kind::attempt_done:
    case task_event_kind::finished: {
      // JUnit first: a results file that cannot be written (the exception
      // fails the run) still leaves a JUnit file that says what happened.
      if (junit) {
        if (update.report && update.kind == task_event_kind::finished) junit_.record_final(*update.report);
        else if (update.report) junit_.record(*update.report);
        if (update.kind == task_event_kind::finished && update.stopped)
          junit_.record_stopped(update.task_id, update.reason);
        else if (!update.report && update.kind == task_event_kind::finished)
          junit_.record_not_run(update.task_id, update.reason.empty() ? "cancelled before it ran" : update.reason);
      }
      if (update.report && results_) results_->write(*update.report);
      break;
    }
    case task_event_kind::unplaceable:
      if (junit) junit_.record_not_run(update.task_id, "unplaceable: " + update.reason);
      break;
    case task_event_kind::rejected:
      if (junit) junit_.record_not_run(update.task_id, "rejected: " + update.reason);
      break;
    default:
      break;
  }
}

void runtime_outputs::preload(const std::vector<attempt_record>& earlier_attempts,
                              const std::vector<journal_task>& ended_earlier) {
  for (const auto& a : earlier_attempts) {
    junit_.record(a);
    if (results_) results_->write(a);
  }
  // The attempt that ended each ended task decides its testcase, as it did live.
  for (const auto& [id, a] : attempts_that_ended(earlier_attempts, ended_earlier)) junit_.record_final(a);
  // Ended without an attempt (unplaceable): no record() above.
  for (const auto& t : ended_earlier)
    junit_.record_not_run(t.definition.id, "ended " + std::string{to_string(t.status)} + " before the run was resumed");
}

void runtime_outputs::flush() {
  if (!junit_path_.empty()) junit_.write(junit_path_, started_unix_s_);
}

} // namespace dtf
