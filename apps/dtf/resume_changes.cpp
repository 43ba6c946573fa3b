#include "apps/dtf/resume_changes.hpp"

#include "actors/journal/task_json.hpp"
#include "scheduler/input/utf8_text.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <unordered_map>

namespace dtf::app {
namespace {

/// A definition as compared: where it sits in the file (origin line,
/// submission sequence) is not part of what runs.
nlohmann::json comparable(task t) {
  t.sequence = 0;
  t.origin.clear();
  return nlohmann::json::parse(task_to_json(t));
}

/// Fields whose values differ, "command, timeout_s".
std::string changed_fields(const nlohmann::json& accepted, const nlohmann::json& now) {
  std::string out;
  for (const auto& [key, value] : accepted.items())
    if (!now.contains(key) || now.at(key) != value) out += (out.empty() ? "" : ", ") + key;
  for (const auto& [key, value] : now.items())
    if (!accepted.contains(key)) out += (out.empty() ? "" : ", ") + key;
  return out;
}

/// "a, b, c and 4 more".
std::string id_list(const std::vector<std::string>& ids) {
  constexpr std::size_t shown = 5;
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) out += (i == 0 ? "" : ", ") + message_text(ids[i]);
  if (ids.size() > shown) out += " and " + std::to_string(ids.size() - shown) + " more";
  return out;
}

} // namespace

std::string resume_changes(const resumed_run& resumed, const std::vector<task>& suite_tasks) {
  std::unordered_map<std::string, const task*> in_file;
  for (const auto& t : suite_tasks) in_file.emplace(t.id, &t);
  std::vector<std::string> changed, removed;
  std::string first_fields;
  const auto check = [&](const task& accepted) {
    const auto it = in_file.find(accepted.id);
    if (it == in_file.end()) {
      removed.push_back(accepted.id);
      return;
    }
    const auto before = comparable(accepted);
    const auto now = comparable(*it->second);
    if (before == now) return;
    if (changed.empty()) first_fields = changed_fields(before, now);
    changed.push_back(accepted.id);
  };
  for (const auto& t : resumed.to_run) check(t);
  for (const auto& t : resumed.ended) check(t.definition);
  if (changed.empty() && removed.empty()) return {};
  std::string out = "the suite file differs from the run the journal accepted:";
  if (!changed.empty())
    out += " " + std::to_string(changed.size()) + " task" + (changed.size() == 1 ? "" : "s") + " changed (" +
           id_list(changed) + "; " + message_text(changed.front()) + ": " + first_fields + ")";
  if (!removed.empty())
    out += std::string{changed.empty() ? "" : ","} + " " + std::to_string(removed.size()) + " no longer in the file (" +
           id_list(removed) + ")";
  return out + "; the run continues with the accepted definitions (run without --resume to start a new run of the file)";
}

} // namespace dtf::app
