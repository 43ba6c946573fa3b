#include "actors/task_counts.hpp"

namespace dtf {

void count_tasks(runtime_stats& stats, const std::vector<task_summary>& rows) {
  auto& s = stats;
  s.submitted = rows.size();
  s.succeeded = s.failed = s.timed_out = s.cancelled = s.unplaceable = s.rejected = 0;
  s.pending = s.assigned = s.running = 0;
  for (const auto& t : rows) {
    if (t.rejected) ++s.rejected;
    else if (t.unplaceable) ++s.unplaceable;
    else if (!t.final) ++s.pending;
    else if (t.status == task_status::succeeded) ++s.succeeded;
    else if (t.status == task_status::timed_out) ++s.timed_out;
    else if (t.status == task_status::cancelled) ++s.cancelled;
    else ++s.failed;
  }
}

} // namespace dtf
