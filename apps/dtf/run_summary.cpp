#include "apps/dtf/run_summary.hpp"

#include "scheduler/core/slot_utilization.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
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
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::isfinite(value) ? value : 0.0);
  return buf;
}

std::string paint(const summary_style& style, const char* code, const std::string& text) {
  return style.colour ? std::string{"\x1b["} + code + "m" + text + "\x1b[0m" : text;
}

// The last `lines` non-empty lines of text, each indented.
std::string tail_lines(const std::string& text, std::size_t lines, const std::string& indent) {
  std::vector<std::string> kept;
  std::size_t end = text.size();
  while (end > 0 && kept.size() < lines) {
    const auto start = text.rfind('\n', end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    std::string line = text.substr(from, end - from);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) kept.push_back(line);
    if (start == std::string::npos) break;
    end = start;
  }
  std::string out;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) out += indent + *it + "\n";
  return out;
}

void print_counts(std::ostream& out, const runtime_stats& s, const summary_style& style) {
  out << s.submitted << " tasks: " << paint(style, "32", std::to_string(s.succeeded) + " succeeded");
  const auto count = [&](std::uint64_t n, const char* what) {
    if (n) out << ", " << paint(style, "31", std::to_string(n) + " " + what);
  };
  count(s.failed, "failed");
  count(s.timed_out, "timed out");
  count(s.unplaceable, "unplaceable");
  count(s.rejected, "rejected");
  if (s.cancelled) out << ", " << s.cancelled << " cancelled";
  out << " in " << fixed(s.elapsed_s, 2) << " s wall; " << s.attempts << " attempts, " << s.retries << " retries"
      << "\n";
}

void print_slowest(std::ostream& out, const std::vector<task_summary>& tasks, const summary_style& style) {
  std::vector<const task_summary*> ran;
  for (const auto& t : tasks)
    if (t.final && !t.unplaceable && !t.rejected && t.attempts > 0) ran.push_back(&t);
  if (ran.empty() || style.slowest == 0) return;
  std::stable_sort(ran.begin(), ran.end(), [](auto* a, auto* b) { return a->wall_s > b->wall_s; });
  ran.resize(std::min(ran.size(), style.slowest));
  out << "slowest (wall s):";
  for (const auto* t : ran) {
    out << "\n  " << fixed(t->wall_s, 2) << "  " << t->task_id << " on " << t->worker_id;
    if (t->modeled_s) out << " (modeled " << fixed(*t->modeled_s, 1) << " s)";
  }
  out << "\n";
}

void print_failures(std::ostream& out, const std::vector<task_summary>& tasks, const summary_style& style) {
  std::vector<const task_summary*> failed;
  for (const auto& t : tasks)
    if (t.final && !t.succeeded()) failed.push_back(&t);
  if (failed.empty()) return;
  out << paint(style, "31", "failures") << " (" << failed.size() << "):\n";
  std::size_t shown = 0;
  for (const auto* t : failed) {
    if (shown++ == style.failures) {
      out << "  ... " << failed.size() - style.failures << " more (see --results or --junit)\n";
      break;
    }
    out << "  " << t->task_id << ": " << paint(style, "31", status_text(*t));
    if (!t->worker_id.empty()) out << " on " << t->worker_id << " (attempt " << t->attempts << ")";
    if (!t->reason.empty()) out << ": " << t->reason;
    // The error of the attempt whose stderr follows, where it is not the reason (a cancelled task's earlier failure).
    if (!t->attempt_error.empty() && t->attempt_error != t->reason) out << " (its attempt: " << t->attempt_error << ")";
    out << "\n" << tail_lines(t->stderr_tail, style.stderr_lines, "    | ");
  }
}

void print_workers(std::ostream& out, const runtime_stats& s, const std::string& cover) {
  if (s.workers.empty()) return;
  std::size_t width = 0;
  double busy_s = 0;
  int slots = 0;
  for (const auto& w : s.workers) {
    width = std::max(width, w.worker_id.size());
    busy_s += w.busy_s;
    slots += w.slots;
  }
  out << "workers (" << (cover.empty() ? "" : cover + ": ") << "busy wall s, utilization = busy / (wall x slots)): "
      << fixed(100.0 * slot_utilization(busy_s, s.elapsed_s, slots), 1) << " % of " << slots << " slots overall";
  if (s.workers_lost) out << ", " << s.workers_lost << " lost";
  out << "\n";
  for (const auto& w : s.workers) {
    std::string id = w.worker_id;
    id.resize(width, ' ');
    out << "  " << id << "  " << fixed(w.busy_s, 2) << " s  "
        << fixed(100.0 * slot_utilization(w.busy_s, s.elapsed_s, w.slots), 1) << " % of " << w.slots << " slots  "
        << w.completed << " attempts\n";
  }
}

// One or two lines on what the learning did, from the scheduler's statistics.
void print_learning(std::ostream& out, const runtime_stats& s) {
  const auto stats = nlohmann::json::parse(s.scheduler_stats_json, nullptr, false);
  if (stats.is_discarded() || !stats.is_object()) return;
  const auto number = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
  };
  if (stats.contains("predictions") && stats["predictions"].is_object()) {
    const auto& p = stats["predictions"];
    const auto from_history = static_cast<long long>(number(p, "from_history"));
    const auto defaults = static_cast<long long>(number(p, "defaults"));
    out << "learning: " << from_history << " of " << from_history + defaults << " successful placements predicted from history";
    if (from_history > 0)
      out << ", median |ln(predicted/actual)| " << fixed(number(p, "median_abs_log_ratio"), 2) << " (a factor of "
          << fixed(std::exp(number(p, "median_abs_log_ratio")), 2) << ")";
    if (p.contains("rank_correlation") && p["rank_correlation"].is_number())
      out << ", rank correlation with the durations " << fixed(p["rank_correlation"].get<double>(), 2);
    if (number(p, "p90_samples") > 0 && p.contains("p90_calibration") && p["p90_calibration"].is_number())
      out << ", " << fixed(100.0 * number(p, "p90_calibration"), 0) << " % of "
          << static_cast<long long>(number(p, "p90_samples")) << " runs at or under their predicted p90";
    out << "; the rest used default estimates\n";
  }
  if (stats.contains("affinity") && stats["affinity"].is_object()) {
    const auto& a = stats["affinity"];
    out << "  placements with the model warm: " << static_cast<long long>(number(a, "same_model_hits")) << " of "
        << static_cast<long long>(number(a, "placements")) << ", "
        << static_cast<long long>(number(a, "learned_links")) << " model links learned; backups "
        << static_cast<long long>(number(stats, "backups_started")) << " started, "
        << static_cast<long long>(number(stats, "backups_won")) << " won; probes of untried devices "
        << static_cast<long long>(number(stats, "probes_started")) << " started, "
        << static_cast<long long>(number(stats, "probes_cut")) << " cut off\n";
  }
}

nlohmann::ordered_json task_json(const task_summary& t) {
  nlohmann::ordered_json j;
  j["task"] = t.task_id;
  j["status"] = status_text(t);
  j["worker"] = t.worker_id;
  j["attempts"] = t.attempts;
  j["wall_s"] = std::isfinite(t.wall_s) ? t.wall_s : 0.0;
  if (t.modeled_s) j["modeled_s"] = *t.modeled_s;
  j["exit_code"] = t.exit_code;
  if (!t.reason.empty()) j["reason"] = t.reason;
  if (!t.attempt_error.empty() && t.attempt_error != t.reason) j["attempt_error"] = t.attempt_error;
  return j;
}

} // namespace

void print_run_summary(std::ostream& out, const runtime_stats& stats, const std::vector<task_summary>& tasks,
                       const summary_style& style) {
  print_counts(out, stats, style);
  print_slowest(out, tasks, style);
  print_failures(out, tasks, style);
  print_workers(out, stats, style.workers_cover);
  print_learning(out, stats);
}

std::string run_stats_json(const runtime_stats& s, const std::vector<task_summary>& tasks,
                           const std::string& workers_cover) {
  nlohmann::ordered_json j;
  j["clock"] = "wall seconds; modeled_s: emulated attempts' modeled seconds";
  j["submitted"] = s.submitted;
  j["succeeded"] = s.succeeded;
  j["failed"] = s.failed;
  j["timed_out"] = s.timed_out;
  j["cancelled"] = s.cancelled;
  j["unplaceable"] = s.unplaceable;
  j["rejected"] = s.rejected;
  j["attempts"] = s.attempts;
  j["retries"] = s.retries;
  j["workers_registered"] = s.workers_registered;
  j["workers_lost"] = s.workers_lost;
  j["wall_s"] = s.elapsed_s;
  if (!workers_cover.empty()) j["workers_cover"] = workers_cover;
  auto& workers = j["workers"] = nlohmann::ordered_json::array();
  for (const auto& w : s.workers)
    workers.push_back({{"worker", w.worker_id},
                       {"slots", w.slots},
                       {"attempts", w.completed},
                       {"busy_s", w.busy_s},
                       {"utilization", slot_utilization(w.busy_s, s.elapsed_s, w.slots)}});
  auto& list = j["tasks"] = nlohmann::ordered_json::array();
  for (const auto& t : tasks) list.push_back(task_json(t));
  const auto scheduler = nlohmann::ordered_json::parse(s.scheduler_stats_json, nullptr, false);
  j["scheduler"] = scheduler.is_discarded() ? nlohmann::ordered_json::object() : scheduler;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace dtf::app
