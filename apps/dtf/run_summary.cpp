#include "apps/dtf/run_summary.hpp"

#include "scheduler/slot_utilization.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace dtf::app {

namespace {

std::string status_text(const task_summary& t) {
  if (t.rejected) return "rejected";
  if (t.unplaceable) return "unplaceable";
  if (!t.final) return "open";
  return std::string{to_string(t.status)};
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

} // namespace

void print_task_table(std::ostream& out, const std::vector<task_summary>& tasks) {
  std::size_t id_width = 4, worker_width = 6;
  for (const auto& t : tasks) {
    id_width = std::max(id_width, t.task_id.size());
    worker_width = std::max(worker_width, t.worker_id.size());
  }
  auto pad = [](std::string s, std::size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  out << pad("task", id_width) << "  " << pad("status", 11) << "  " << pad("worker", worker_width)
      << "  attempts  duration\n";
  for (const auto& t : tasks) {
    out << pad(t.task_id, id_width) << "  " << pad(status_text(t), 11) << "  "
        << pad(t.worker_id.empty() ? "-" : t.worker_id, worker_width) << "  " << pad(std::to_string(t.attempts), 8)
        << "  " << fixed(t.duration_s, 2) << "s";
    if (!t.succeeded() && !t.reason.empty()) out << "  " << t.reason;
    out << "\n";
  }
}

void print_run_stats(std::ostream& out, const runtime_stats& s) {
  out << "tasks: " << s.submitted << " submitted, " << s.succeeded << " succeeded, " << s.failed << " failed, "
      << s.timed_out << " timed out, " << s.cancelled << " cancelled, " << s.unplaceable << " unplaceable";
  if (s.rejected) out << ", " << s.rejected << " rejected";
  out << "; " << s.attempts << " attempts, " << s.retries << " retries, " << fixed(s.elapsed_s, 2) << "s\n";
  out << "workers: " << s.workers_registered << " registered";
  if (s.workers_lost) out << ", " << s.workers_lost << " lost";
  out << "\n";
  for (const auto& w : s.workers)
    out << "  " << w.worker_id << ": " << w.completed << " attempts, " << fixed(w.busy_s, 2) << " s busy (wall), utilization "
        << fixed(100.0 * slot_utilization(w.busy_s, s.elapsed_s, w.slots), 1) << " % of " << w.slots << " slots\n";
  if (s.scheduler_stats_json.empty()) return;
  auto stats = nlohmann::json::parse(s.scheduler_stats_json, nullptr, false);
  if (stats.is_discarded() || !stats.is_object()) return;
  out << "scheduler statistics:\n";
  for (const auto& [key, value] : stats.items()) {
    if (value.is_array() && !value.empty()) {
      out << "  " << key << ":\n";
      for (const auto& element : value) out << "    " << element.dump() << "\n";
    } else {
      out << "  " << key << ": " << value.dump() << "\n";
    }
  }
}

} // namespace dtf::app
