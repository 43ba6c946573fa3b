#include "actors/output/html_report.hpp"

#include "actors/output/xml_escape.hpp"

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
    default: return "#1565c0";
  }
}

double finite_or_zero(double value) { return std::isfinite(value) ? value : 0.0; }

// An attempt's place on the time axis; nullopt when it carries no times.
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

struct task_row {
  std::string id;
  const attempt_record* last = nullptr;  // highest attempt number
  int attempts = 0;
  std::vector<std::string> workers;      // in attempt order, without repeats
};

struct worker_row {
  std::string id;
  int attempts = 0;
  int succeeded = 0;
  double busy_s = 0;
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
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"" + number(width, 0) + "\" height=\"" +
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
                          std::string{to_string(a.status)} + ", " + number(a.duration_s, 3) + " s";
    if (a.predicted_s) tooltip += " (predicted " + number(*a.predicted_s, 3) + " s)";
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
  double busy_s = 0, abs_pct_error = 0;
  int predictions = 0;
  for (const auto& a : attempts) {
    auto& t = row_for(tasks, task_index, a.task_id);
    ++t.attempts;
    if (!t.last || a.attempt >= t.last->attempt) t.last = &a;
    if (std::find(t.workers.begin(), t.workers.end(), a.worker_id) == t.workers.end()) t.workers.push_back(a.worker_id);
    auto& w = row_for(workers, worker_index, a.worker_id);
    ++w.attempts;
    if (a.status == task_status::succeeded) ++w.succeeded;
    const double duration = std::max(0.0, finite_or_zero(a.duration_s));
    w.busy_s += duration;
    busy_s += duration;
    if (const auto at = when(a)) {
      t0 = std::min(t0, at->start_s);
      t1 = std::max(t1, at->end_s);
    }
    if (a.status == task_status::succeeded && a.predicted_s && std::isfinite(*a.predicted_s) && duration > 0) {
      abs_pct_error += std::abs(*a.predicted_s - duration) / duration;
      ++predictions;
    }
  }
  const double span_s = t1 > t0 ? t1 - t0 : 0.0;
  std::map<std::string, int> by_status;
  for (const auto& t : tasks) ++by_status[std::string{to_string(t.last->status)}];

  std::string out;
  out.reserve(4096 + attempts.size() * 400);
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<title>" + text(options.title) + "</title>\n";
  out += "<style>\nbody{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eee}"
         "td.num{text-align:right}svg text{font-size:12px}"
         ".succeeded{color:#2e7d32}.failed{color:#c62828}.timed_out{color:#ef6c00}.cancelled{color:#757575}\n"
         "</style>\n</head>\n<body>\n";
  out += "<h1>" + text(options.title) + "</h1>\n";

  out += "<h2>Summary</h2>\n<table class=\"summary\">\n";
  auto summary_row = [&out](std::string_view name, const std::string& value) {
    out += "<tr><th>" + text(name) + "</th><td>" + text(value) + "</td></tr>\n";
  };
  summary_row("tasks", std::to_string(tasks.size()));
  for (const auto& [status, count] : by_status) summary_row("tasks " + status, std::to_string(count));
  summary_row("attempts", std::to_string(attempts.size()));
  summary_row("workers", std::to_string(workers.size()));
  summary_row("wall time", number(span_s, 3) + " s");
  summary_row("busy time (sum of attempts)", number(busy_s, 3) + " s");
  summary_row("prediction error (MAPE)",
              predictions > 0 ? number(100.0 * abs_pct_error / predictions, 1) + " % over " +
                                    std::to_string(predictions) + " predictions"
                              : std::string{"no predictions"});
  out += "</table>\n";

  out += "<h2>Timeline</h2>\n";
  write_timeline(out, attempts, workers, worker_index, std::isfinite(t0) ? t0 : 0.0, span_s);

  out += "<h2>Workers</h2>\n<table class=\"workers\">\n<tr><th>worker</th><th>attempts</th><th>succeeded</th>"
         "<th>busy s</th><th>utilization</th></tr>\n";
  for (const auto& w : workers)
    out += "<tr><td>" + text(w.id) + "</td><td class=\"num\">" + std::to_string(w.attempts) + "</td><td class=\"num\">" +
           std::to_string(w.succeeded) + "</td><td class=\"num\">" + number(w.busy_s, 3) + "</td><td class=\"num\">" +
           (span_s > 0 ? number(100.0 * w.busy_s / span_s, 1) + " %" : std::string{"-"}) + "</td></tr>\n";
  out += "</table>\n";

  out += "<h2>Tasks</h2>\n<table class=\"tasks\">\n<tr><th>task</th><th>status</th><th>attempts</th><th>workers</th>"
         "<th>duration s</th><th>predicted s</th><th>exit code</th><th>error</th></tr>\n";
  for (const auto& t : tasks) {
    const auto& a = *t.last;
    std::string worker_list;
    for (const auto& w : t.workers) worker_list += (worker_list.empty() ? "" : ", ") + w;
    const std::string status{to_string(a.status)};
    out += "<tr class=\"task\"><td>" + text(t.id) + "</td><td class=\"" + status + "\">" + status +
           "</td><td class=\"num\">" + std::to_string(t.attempts) + "</td><td>" + text(worker_list) +
           "</td><td class=\"num\">" + number(a.duration_s, 3) + "</td><td class=\"num\">" +
           (a.predicted_s ? number(*a.predicted_s, 3) : std::string{"-"}) + "</td><td class=\"num\">" +
           std::to_string(a.exit_code) + "</td><td>" + text(a.error) + "</td></tr>\n";
  }
  out += "</table>\n</body>\n</html>\n";
  return out;
}

void write_html_report(const std::filesystem::path& path, std::span<const attempt_record> attempts,
                       const html_report_options& options) {
  const auto html = render_html_report(attempts, options);
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  if (!out) throw std::runtime_error("cannot write HTML report '" + path.string() + "'");
  out << html;
  out.flush();
  if (!out) throw std::runtime_error("cannot write HTML report '" + path.string() + "'");
}

} // namespace dtf
