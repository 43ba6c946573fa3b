#include "actors/journal/history_replay.hpp"

#include "scheduler/core/scheduler_core.hpp"

namespace dtf {

std::size_t replay_history(std::span<const attempt_record> rows, scheduler_core& core) {
  for (const auto& row : rows) core.learn_from_history(learning_result(row), learning_worker(row));
  return rows.size();
}

} // namespace dtf
