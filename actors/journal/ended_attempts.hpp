#pragma once
// The attempt that ended each ended task of a journaled run: what a resumed
// run's JUnit and a resumed coordinator's records of those tasks show. Shared
// by `dtf run --resume` (actors/runtime_outputs.cpp) and `dtf coordinator`
// (actors/cluster/coordinator_service.cpp). CAF-free, no SQLite.
#include "actors/journal/journal_records.hpp"
#include "scheduler/model/attempt_record.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace dtf {

/// Of `attempts` (a run's, as sqlite_journal::attempts returns them), the one
/// that ended each task of `ended` (its tasks that reached a final status), by
/// task id: an attempt in the status the journal ended the task in decides
/// over one in another (a copy whose report came after a stopping run gave up
/// waiting for it and its task ended on a failure), else decides_over (a
/// success over a backup that failed before it, whatever their numbers).
/// Tasks without an attempt are left out.
std::unordered_map<std::string, attempt_record> attempts_that_ended(std::vector<attempt_record> attempts,
                                                                    const std::vector<journal_task>& ended);

} // namespace dtf
