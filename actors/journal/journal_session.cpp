#include "actors/journal/journal_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace dtf {
namespace {

/// Attempts the journal has still running (dtf stopped while they ran; the
/// nodes end what they ran on losing it) end lost, now: their numbers stay
/// taken, so the task's next attempt (and its output files) gets a new one.
void end_attempts_left_running(sqlite_journal& journal, std::int64_t run) {
  const double now_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (auto a : journal.attempts(run)) {
    if (a.status != task_status::running) continue;
    a.status = task_status::lost;
    a.end_unix_s = std::max(now_s, a.start_unix_s);
    a.duration_s = a.start_unix_s > 0.0 ? a.end_unix_s - a.start_unix_s : 0.0;
    a.error = "still running when dtf stopped; ended when its run was resumed";
    journal.record_attempt(a);
  }
}

} // namespace

journal_session open_journal_session(const std::string& path, const std::string& suite, std::int64_t resume_run) {
  journal_session s;
  s.journal = std::make_shared<sqlite_journal>(path);  // throws journal_error naming the file
  // Earlier runs' results first: this run predicts and places from them.
  auto rows = std::make_shared<const std::vector<attempt_record>>(s.journal->load_history());
  s.history_rows = rows->size();
  s.skipped_history = s.journal->skipped_history_rows();
  if (!rows->empty()) s.history = std::move(rows);
  if (resume_run == 0) {
    s.run = s.journal->begin_run(suite);
    return s;
  }
  s.journal->resume_run(resume_run);  // throws journal_error for an unknown run
  s.run = resume_run;
  end_attempts_left_running(*s.journal, resume_run);
  for (auto& t : s.journal->tasks(resume_run)) {
    if (is_final(t.status) && t.status != task_status::cancelled) {
      s.ended.push_back(std::move(t));
      continue;
    }
    s.attempts.emplace(t.definition.id, t.attempts);
    s.to_run.push_back(std::move(t.definition));
  }
  return s;
}

} // namespace dtf
