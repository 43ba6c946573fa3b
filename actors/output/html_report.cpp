#include "actors/output/html_report.hpp"
#include "actors/output/written_file.hpp"

#include "actors/output/xml_escape.hpp"
#include "scheduler/learning/prediction_error.hpp"
#include "scheduler/core/slot_utilization.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

namespace dtf {
namespace {

// Timeline geometry, in SVG user units.
constexpr double label_width = 180;
constexpr double plot_width = 960;
constexpr double lane_height = 26;
constexpr double bar_height = 18;
constexpr double axis_height = 30;
constexpr int axis_ticks = 6;

std::string text(std::string_view s) { return xml_escape(s, false); }
std::string attr(std::string_view s) { return xml_escape(s, true); }

std::string number(double value, int decimals = 2) {
  if (!std::isfinite(value)) value = 0.0;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string_view status_colour(task_status status) {
  switch (status) {
    case task_status::succeeded: return "#2e7d32";
    case task_status::failed: return "#c62828";
    case task_status::timed_out: return "#ef6c00";
    case task_status::cancelled: return "#757575";
    case task_status::lost: return "#6a1b9a";
    default: return "#1565c0";
  }
}

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

// An attempt's place on the wall-clock axis; nullopt when it carries no times.
struct interval {
  double start_s = 0, end_s = 0;
};
std::optional<interval> when(const attempt_record& a) {
  double end = finite_or_zero(a.end_unix_s);
  double start = finite_or_zero(a.start_unix_s);
  const double duration = std::max(0.0, finite_or_zero(a.duration_s));
  if (end <= 0 && start <= 0) return std::nullopt;
  if (start <= 0) start = end - duration;
  if (end < start) end = start + duration;
  return interval{start, end};
}

// Wall seconds the attempt held its slot: its interval when it has one.
double wall_s(const attempt_record& a) {
  if (const auto at = when(a)) return at->end_s - at->start_s;
  return std::max(0.0, finite_or_zero(a.duration_s));
}

struct task_row {
  std::string id;
  const attempt_record* last = nullptr;  // the attempt that ended the task (decides_over)
  int attempts = 0;
  std::vector<std::string> workers;      // in attempt order, without repeats
};

struct worker_row {
  std::string id;
  int attempts = 0;
  int succeeded = 0;
  double busy_s = 0;        // wall slot-seconds
  int slots = 0;            // as the results say; 0: not said
  std::vector<interval> intervals;

  // Results written before slots were recorded: the most attempts seen at once
  // (a lower bound, so utilization stays within 100 %).
  int peak_concurrency() const {
    std::vector<std::pair<double, int>> edges;
    for (const auto& i : intervals) {
      edges.emplace_back(i.start_s, 1);
      edges.emplace_back(i.end_s, -1);
    }
    std::sort(edges.begin(), edges.end());  // an end before a start at the same time
    int now = 0, peak = 0;
    for (const auto& [t, step] : edges) peak = std::max(peak, now += step);
    return std::max(peak, 1);
  }
  int effective_slots() const { return slots > 0 ? slots : peak_concurrency(); }
};

// Rows in first-appearance order (the input's order), found through an index.
template <class Row>
Row& row_for(std::vector<Row>& rows, std::map<std::string, std::size_t>& index, const std::string& id) {
  auto [it, inserted] = index.emplace(id, rows.size());
  if (inserted) {
    rows.emplace_back();
    rows.back().id = id;
  }
  return rows[it->second];
}

void write_timeline(std::string& out, std::span<const attempt_record> attempts, const std::vector<worker_row>& workers,
                    const std::map<std::string, std::size_t>& worker_index, double t0, double span_s) {
  const double height = lane_height * static_cast<double>(workers.size()) + axis_height;
  const double width = label_width + plot_width + 20;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" data-span-s=\"" + number(span_s, 3) +
         "\" width=\"" + number(width, 0) + "\" height=\"" +
         number(height, 0) + "\" viewBox=\"0 0 " + number(width, 0) + " " + number(height, 0) + "\">\n";
  for (std::size_t lane = 0; lane < workers.size(); ++lane) {
    const double y = lane_height * static_cast<double>(lane);
    out += "<rect class=\"lane\" x=\"" + number(label_width, 0) + "\" y=\"" + number(y, 1) + "\" width=\"" +
           number(plot_width, 0) + "\" height=\"" + number(lane_height, 0) + "\" fill=\"" +
           (lane % 2 ? "#ffffff" : "#f3f5f7") + "\"/>\n";
    out += "<text x=\"" + number(label_width - 8, 0) + "\" y=\"" + number(y + lane_height / 2 + 4, 1) +
           "\" text-anchor=\"end\">" + text(workers[lane].id) + "</text>\n";
  }
  const double scale = span_s > 0 ? plot_width / span_s : 0.0;
  for (const auto& a : attempts) {
    const auto at = when(a);
    if (!at) continue;
    const auto lane = worker_index.at(a.worker_id);
    const double x = label_width + (at->start_s - t0) * scale;
    const double w = std::max(1.0, (at->end_s - at->start_s) * scale);
    const double y = lane_height * static_cast<double>(lane) + (lane_height - bar_height) / 2;
    std::string tooltip = a.task_id + " (attempt " + std::to_string(a.attempt) + ") on " + a.worker_id + ": " +
                          std::string{to_string(a.status)} + ", " + number(wall_s(a), 3) + " s";
    if (a.modeled_s) tooltip += ", modeled " + number(*a.modeled_s, 3) + " s";
    if (a.predicted_s)
      tooltip += std::string{" (predicted "} + number(*a.predicted_s, 3) + " s" +
                 (a.predicted_from_history ? "" : ", default estimate") + ")";
    if (!a.error.empty()) tooltip += " - " + a.error;
    out += "<rect class=\"bar\" data-task=\"" + attr(a.task_id) + "\" data-status=\"" +
           std::string{to_string(a.status)} + "\" x=\"" + number(x) + "\" y=\"" + number(y, 1) + "\" width=\"" +
           number(w) + "\" height=\"" + number(bar_height, 0) + "\" fill=\"" + std::string{status_colour(a.status)} +
           "\"><title>" + text(tooltip) + "</title></rect>\n";
  }
  const double axis_y = lane_height * static_cast<double>(workers.size());
  out += "<line x1=\"" + number(label_width, 0) + "\" y1=\"" + number(axis_y, 1) + "\" x2=\"" +
         number(label_width + plot_width, 0) + "\" y2=\"" + number(axis_y, 1) + "\" stroke=\"#333\"/>\n";
  for (int i = 0; i <= axis_ticks; ++i) {
    const double x = label_width + plot_width * i / axis_ticks;
    out += "<text x=\"" + number(x, 1) + "\" y=\"" + number(axis_y + 18, 1) + "\" text-anchor=\"middle\">" +
           number(span_s * i / axis_ticks, 1) + " s</text>\n";
  }
  out += "</svg>\n";
}

} // namespace

std::string render_html_report(std::span<const attempt_record> attempts, const html_report_options& options) {
  std::vector<task_row> tasks;
  std::map<std::string, std::size_t> task_index;
  std::vector<worker_row> workers;
  std::map<std::string, std::size_t> worker_index;
  double t0 = std::numeric_limits<double>::infinity(), t1 = -std::numeric_limits<double>::infinity();
  double busy_s = 0;
  bool any_modeled = false;
  prediction_error errors;
  for (const auto& a : attempts) {
    auto& t = row_for(tasks, task_index, a.task_id);
    ++t.attempts;
    if (!t.last || decides_over(a, *t.last)) t.last = &a;
    if (std::find(t.workers.begin(), t.workers.end(), a.worker_id) == t.workers.end()) t.workers.push_back(a.worker_id);
    auto& w = row_for(workers, worker_index, a.worker_id);
    ++w.attempts;
    if (a.status == task_status::succeeded) ++w.succeeded;
    w.slots = std::max(w.slots, a.worker_slots);
    const double wall = wall_s(a);
    w.busy_s += wall;
    busy_s += wall;
    any_modeled = any_modeled || a.modeled_s.has_value();
    if (const auto at = when(a)) {
      t0 = std::min(t0, at->start_s);
      t1 = std::max(t1, at->end_s);
      w.intervals.push_back(*at);
    }
    if (a.status == task_status::succeeded && a.predicted_s && std::isfinite(*a.predicted_s))
      errors.record(*a.predicted_s, a.measured_s(), a.predicted_from_history);
  }
  const double span_s = t1 > t0 ? t1 - t0 : 0.0;
  int total_slots = 0;
  bool slots_observed = false;
  for (const auto& w : workers) {
    total_slots += w.effective_slots();
    slots_observed = slots_observed || w.slots <= 0;
  }
  std::map<std::string, int> by_status;
  for (const auto& t : tasks) ++by_status[std::string{to_string(t.last->status)}];
  const auto predictions = errors.summary();

  std::string out;
  out.reserve(4096 + attempts.size() * 400);
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<title>" + text(options.title) + "</title>\n";
  out += "<style>\nbody{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eee}"
         "td.num{text-align:right}svg text{font-size:12px}p.clock{color:#555}"
         ".succeeded{color:#2e7d32}.failed{color:#c62828}.timed_out{color:#ef6c00}.cancelled{color:#757575}\n"
         "</style>\n</head>\n<body>\n";
  out += "<h1>" + text(options.title) + "</h1>\n";
  out += "<p class=\"clock\">Times are wall-clock seconds: durations, busy time and the timeline.";
  if (any_modeled)
    out += " Emulated attempts also show their <em>modeled</em> seconds (the execution model's, before "
           "--time-scale), the clock their predictions are in.";
  out += " Utilization is busy wall time / (wall time &#215; slots).</p>\n";

  out += "<h2>Summary</h2>\n<table class=\"summary\">\n";
  auto summary_row = [&out](std::string_view name, const std::string& value) {
    out += "<tr><th>" + text(name) + "</th><td>" + text(value) + "</td></tr>\n";
  };
  summary_row("tasks", std::to_string(tasks.size()));
  for (const auto& [status, count] : by_status) summary_row("tasks " + status, std::to_string(count));
  summary_row("attempts", std::to_string(attempts.size()));
  summary_row("workers", std::to_string(workers.size()));
  summary_row(slots_observed ? "slots (where not recorded: the most attempts seen at once)" : "slots",
              std::to_string(total_slots));
  summary_row("wall time", number(span_s, 3) + " s");
  summary_row("busy time (wall, sum of attempts)", number(busy_s, 3) + " s");
  summary_row("utilization", span_s > 0 ? number(100.0 * slot_utilization(busy_s, span_s, total_slots), 1) + " %"
                                        : std::string{"-"});
  std::string prediction_text = "no predictions from history";
  if (predictions.from_history > 0)
    prediction_text = std::to_string(predictions.from_history) + " predictions from history: median |ln(predicted/actual)| " +
                      number(predictions.median_abs_log_ratio, 3) + " (off by a factor of " +
                      number(std::exp(predictions.median_abs_log_ratio), 2) + " either way), mean |predicted - actual| / actual " +
                      number(predictions.mape, 2);
  if (predictions.defaults > 0)
    prediction_text += "; " + std::to_string(predictions.defaults) + " default estimates (nothing learned yet) not counted";
  summary_row("prediction error", prediction_text);
  out += "</table>\n";

  out += "<h2>Timeline (wall seconds)</h2>\n";
  write_timeline(out, attempts, workers, worker_index, std::isfinite(t0) ? t0 : 0.0, span_s);

  out += "<h2>Workers</h2>\n<table class=\"workers\">\n<tr><th>worker</th><th>slots</th><th>attempts</th>"
         "<th>succeeded</th><th>busy s (wall)</th><th>utilization</th></tr>\n";
  for (const auto& w : workers)
    out += "<tr><td>" + text(w.id) + "</td><td class=\"num\">" + std::to_string(w.effective_slots()) +
           (w.slots > 0 ? "" : " (seen)") + "</td><td class=\"num\">" + std::to_string(w.attempts) +
           "</td><td class=\"num\">" + std::to_string(w.succeeded) + "</td><td class=\"num\">" + number(w.busy_s, 3) +
           "</td><td class=\"num\">" +
           (span_s > 0 ? number(100.0 * slot_utilization(w.busy_s, span_s, w.effective_slots()), 1) + " %"
                       : std::string{"-"}) +
           "</td></tr>\n";
  out += "</table>\n";

  out += "<h2>Tasks</h2>\n<table class=\"tasks\">\n<tr><th>task</th><th>status</th><th>attempts</th><th>workers</th>"
         "<th>duration s (wall)</th>";
  if (any_modeled) out += "<th>modeled s (emulated)</th>";
  out += "<th>predicted s</th><th>exit code</th><th>error</th></tr>\n";
  for (const auto& t : tasks) {
    const auto& a = *t.last;
    std::string worker_list;
    for (const auto& w : t.workers) worker_list += (worker_list.empty() ? "" : ", ") + w;
    const std::string status{to_string(a.status)};
    out += "<tr class=\"task\"><td>" + text(t.id) + "</td><td class=\"" + status + "\">" + status +
           "</td><td class=\"num\">" + std::to_string(t.attempts) + "</td><td>" + text(worker_list) +
           "</td><td class=\"num\">" + number(wall_s(a), 3) + "</td>";
    if (any_modeled) out += "<td class=\"num\">" + (a.modeled_s ? number(*a.modeled_s, 3) : std::string{"-"}) + "</td>";
    out += "<td class=\"num\">" +
           (a.predicted_s ? number(*a.predicted_s, 3) + (a.predicted_from_history ? "" : " (default)") : std::string{"-"}) +
           "</td><td class=\"num\">" + std::to_string(a.exit_code) + "</td><td>" + text(a.error) + "</td></tr>\n";
  }
  out += "</table>\n</body>\n</html>\n";
  return out;
}

void write_html_report(const std::filesystem::path& path, std::span<const attempt_record> attempts,
                       const html_report_options& options) {
  const auto html = render_html_report(attempts, options);
  auto out = open_for_writing(path, "HTML report", std::ios::binary | std::ios::trunc);
  out << html;
  check_written(out, path, "HTML report");
}

} // namespace dtf
