#include "actors/http/status_json.hpp"

#include "scheduler/output/stats_json.hpp"
#include "scheduler/core/slot_utilization.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace dtf {

namespace {

using json = nlohmann::ordered_json;

/// Reasons and errors are cut to this many bytes in every document.
constexpr std::size_t max_text_bytes = 1024;

double finite(double v) { return std::isfinite(v) ? v : 0.0; }

std::string cut(const std::string& text) {
  if (text.size() <= max_text_bytes) return text;
  return text.substr(0, max_text_bytes) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// Seconds since the run started; null for a time not reached (0).
json relative(double unix_s, double start_s) {
  if (unix_s <= 0.0) return nullptr;
  return std::max(0.0, finite(unix_s - start_s));
}

json counts_json(const coordinator_view& run) {
  const auto& c = run.counts;
  return json{{"submitted", c.submitted},     {"pending", c.pending},     {"assigned", c.assigned},
              {"running", c.running},         {"succeeded", c.succeeded}, {"failed", c.failed},
              {"timed_out", c.timed_out},     {"cancelled", c.cancelled}, {"unplaceable", c.unplaceable},
              {"rejected", c.rejected},       {"attempts", c.attempts},   {"retries", c.retries},
              {"workers_registered", c.workers_registered}, {"workers_lost", c.workers_lost}};
}

json worker_json(const observed_worker& w, const coordinator_view& run) {
  json j{{"id", w.id},
         {"name", w.name},
         {"kind", w.kind},
         {"emulated", w.emulated},
         {"alive", w.alive},
         {"slots", w.slots},
         {"running", w.running},
         {"busy_fraction", w.slots > 0 ? std::min(1.0, static_cast<double>(w.running) / w.slots) : 0.0},
         {"utilization", slot_utilization(w.busy_s, run.counts.elapsed_s, w.slots)},
         {"busy_s", finite(w.busy_s)},
         {"attempts", w.completed},
         {"running_tasks", w.running_tasks}};
  const auto& m = w.metrics;
  if (m.utilization) j["device_utilization"] = finite(*m.utilization);
  if (m.temperature_c) j["temperature_c"] = finite(*m.temperature_c);
  if (m.power_w) j["power_w"] = finite(*m.power_w);
  if (m.memory_used_bytes) j["memory_used_bytes"] = *m.memory_used_bytes;
  return j;
}

json observed_task_json(const observed_task& t, double start_s) {
  return json{{"id", t.id},
              {"model", t.model},
              {"type", std::string{to_string(t.type)}},
              {"priority", t.priority},
              {"state", task_state_name(t)},
              {"worker", t.worker_id},
              {"attempts", t.attempts},
              {"predicted_s", finite(t.predicted_duration_s)},
              {"submitted_s", relative(t.submitted_at_s, start_s)},
              {"started_s", relative(t.started_at_s, start_s)},
              {"finished_s", relative(t.finished_at_s, start_s)},
              {"duration_s", finite(t.duration_s)},
              {"reason", cut(t.reason)}};
}

} // namespace

std::string task_state_name(const observed_task& t) {
  return t.unplaceable ? "unplaceable" : std::string{to_string(t.status)};
}

std::string status_json(const coordinator_view& run, const scheduler_view_data* scheduler) {
  json j;
  j["state"] = run.state;
  j["clock"] = "wall seconds since started_at (unix seconds)";
  j["started_at"] = run.started_at_s;
  j["published_at"] = run.published_at_s;
  j["elapsed_s"] = finite(run.counts.elapsed_s);
  j["counts"] = counts_json(run);
  j["queue"] = json{{"pending", run.queued}, {"backlog", run.backlog}};
  auto& workers = j["workers"] = json::array();
  for (const auto& w : run.workers) workers.push_back(worker_json(w, run));
  json bars = json::array();
  for (const auto& a : run.timeline)
    bars.push_back(json{{"task", a.task_id},
                        {"worker", a.worker_id},
                        {"attempt", a.attempt},
                        {"start_s", relative(a.started_at_s, run.started_at_s)},
                        {"end_s", relative(a.finished_at_s, run.started_at_s)},
                        {"status", std::string{to_string(a.status)}}});
  j["timeline"] = json{{"attempts", std::move(bars)}, {"dropped", run.timeline_dropped}};
  j["backups"] = json{{"losers", run.backup_losers}, {"wasted_slot_s", finite(run.wasted_slot_s)}};
  if (scheduler) {
    const auto& s = scheduler->stats;
    j["scheduler"] = json{{"policy", s.policy},
                          {"placements", s.decisions},
                          {"deferrals", s.deferrals},
                          {"backups_started", s.backups_started},
                          {"backups_won", s.backups_won},
                          {"rounds", scheduler->round_latency.count()}};
    j["predictions"] = json::parse(to_json(s.predictions).dump());
  }
  return dump(j);
}

std::string tasks_json(const coordinator_view& run, const task_query& query) {
  const auto limit = std::min(query.limit, max_task_page);
  json list = json::array();
  std::size_t matched = 0;
  for (std::size_t i = 0; i < run.task_count; ++i) {
    const auto* t = run.task_at(i);
    if (!query.state.empty() && task_state_name(*t) != query.state) continue;
    if (matched >= query.offset && matched - query.offset < limit) list.push_back(observed_task_json(*t, run.started_at_s));
    ++matched;
  }
  json j{{"total", matched}, {"offset", query.offset}, {"limit", limit}, {"tasks", std::move(list)}};
  return dump(j);
}

std::optional<std::string> task_json(const coordinator_view& run, const std::string& task_id,
                                     const std::optional<std::string>& explanation_json) {
  for (std::size_t i = 0; i < run.task_count; ++i) {
    const auto* t = run.task_at(i);
    if (t->id != task_id) continue;
    json j = observed_task_json(*t, run.started_at_s);
    json attempts = json::array();
    for (const auto& a : run.timeline)
      if (a.task_id == task_id)
        attempts.push_back(json{{"worker", a.worker_id},
                                {"attempt", a.attempt},
                                {"start_s", relative(a.started_at_s, run.started_at_s)},
                                {"end_s", relative(a.finished_at_s, run.started_at_s)},
                                {"status", std::string{to_string(a.status)}}});
    j["recent_attempts"] = std::move(attempts);
    json why = explanation_json ? json::parse(*explanation_json, nullptr, false) : json();
    if (explanation_json && !why.is_discarded() && !why.is_null()) {
      j["explanation"] = std::move(why);
    } else {
      j["explanation"] = nullptr;
      j["explanation_note"] = "no explanation: the scheduler did not answer (the run is over or busy)";
    }
    return dump(j);
  }
  return std::nullopt;
}

std::string workers_json(const coordinator_view& run) {
  json list = json::array();
  for (const auto& w : run.workers) list.push_back(worker_json(w, run));
  return dump(json{{"elapsed_s", finite(run.counts.elapsed_s)}, {"workers", std::move(list)}});
}

std::string stats_json(const coordinator_view* run, const scheduler_view_data* scheduler) {
  json j = json::object();
  if (run) {
    j["state"] = run->state;
    j["elapsed_s"] = finite(run->counts.elapsed_s);
    j["counts"] = counts_json(*run);
  }
  if (scheduler) j["scheduler"] = json::parse(to_json(scheduler->stats).dump());
  return dump(j);
}

} // namespace dtf
