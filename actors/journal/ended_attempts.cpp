#include "actors/journal/ended_attempts.hpp"

#include <utility>

namespace dtf {

std::unordered_map<std::string, attempt_record> attempts_that_ended(std::vector<attempt_record> attempts,
                                                                    const std::vector<journal_task>& ended) {
  std::unordered_map<std::string, task_status> ended_as;
  ended_as.reserve(ended.size());
  for (const auto& t : ended) ended_as.emplace(t.definition.id, t.status);
  std::unordered_map<std::string, attempt_record> out;
  if (ended_as.empty()) return out;
  for (auto& a : attempts) {
    const auto task = ended_as.find(a.task_id);
    if (task == ended_as.end()) continue;
    auto [at, fresh] = out.try_emplace(a.task_id, a);
    if (fresh) continue;
    const bool a_matches = a.status == task->second, kept_matches = at->second.status == task->second;
    if (a_matches != kept_matches ? a_matches : decides_over(a, at->second)) at->second = std::move(a);
  }
  return out;
}

} // namespace dtf
