#include "apps/dtf/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace dtf::app {
namespace {

const char* const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                               "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"};
constexpr std::size_t palette_size = sizeof palette / sizeof palette[0];

std::string number(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

/// A "nice" axis maximum: 1, 2 or 5 times a power of ten, at or above x.
double nice_ceiling(double x) {
  if (x <= 0) return 1.0;
  const double p = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= x) return m * p;
  return 10 * p;
}

} // namespace

std::string bar_chart_svg(const std::string& title, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<bar_series>& series) {
  const double left = 70, right = 20, top = 50, bottom = 130;
  const double group_w = std::max(60.0, 22.0 * static_cast<double>(series.size()) + 20.0);
  const double plot_w = group_w * static_cast<double>(categories.size());
  const double plot_h = 300;
  const double width = left + plot_w + right, height = top + plot_h + bottom;
  double max_value = 0;
  for (const auto& s : series)
    for (double v : s.values) max_value = std::max(max_value, v);
  const double y_max = nice_ceiling(max_value);
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << width / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">" << escape(title)
      << "</text>\n";
  for (int tick = 0; tick <= 5; ++tick) {
    const double v = y_max * tick / 5.0;
    const double y = top + plot_h - plot_h * tick / 5.0;
    svg << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
        << number(v, y_max < 10 ? 2 : 0) << "</text>\n";
  }
  svg << "<text transform=\"translate(16," << top + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << escape(y_label) << "</text>\n";
  const double bar_w = (group_w - 20.0) / static_cast<double>(std::max<std::size_t>(series.size(), 1));
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const double gx = left + group_w * static_cast<double>(c) + 10.0;
    for (std::size_t s = 0; s < series.size(); ++s) {
      const double v = c < series[s].values.size() ? series[s].values[c] : 0.0;
      const double h = plot_h * v / y_max;
      const double x = gx + bar_w * static_cast<double>(s);
      svg << "<rect x=\"" << x << "\" y=\"" << top + plot_h - h << "\" width=\"" << bar_w - 2 << "\" height=\"" << h
          << "\" fill=\"" << palette[s % palette_size] << "\"><title>" << escape(series[s].name) << " / "
          << escape(categories[c]) << ": " << number(v, 3) << "</title></rect>\n";
    }
    const double cx = left + group_w * (static_cast<double>(c) + 0.5);
    svg << "<text transform=\"translate(" << cx << "," << top + plot_h + 12 << ") rotate(35)\">"
        << escape(categories[c]) << "</text>\n";
  }
  svg << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + plot_h
      << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << top + plot_h
      << "\" y2=\"" << top + plot_h << "\" stroke=\"black\"/>\n";
  for (std::size_t s = 0; s < series.size(); ++s) {
    const double x = left + 150.0 * static_cast<double>(s);
    svg << "<rect x=\"" << x << "\" y=\"30\" width=\"10\" height=\"10\" fill=\"" << palette[s % palette_size]
        << "\"/><text x=\"" << x + 14 << "\" y=\"39\">" << escape(series[s].name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string timeline_svg(const std::string& title, const simulation_result& run,
                         const std::vector<std::string>& worker_ids,
                         const std::function<std::string(const std::string&)>& model_of) {
  // Lanes: within a worker, each task takes the first lane free at its start.
  std::map<std::string, std::size_t> worker_row;
  for (std::size_t i = 0; i < worker_ids.size(); ++i) worker_row.emplace(worker_ids[i], i);
  std::vector<std::vector<double>> lane_free(worker_ids.size());
  struct bar { std::size_t worker; std::size_t lane; const timeline_entry* e; };
  std::vector<bar> bars;
  for (const auto& e : run.timeline) {
    const auto row = worker_row.at(e.worker_id);
    auto& lanes = lane_free[row];
    std::size_t lane = 0;
    while (lane < lanes.size() && lanes[lane] > e.start_s + 1e-9) ++lane;
    if (lane == lanes.size()) lanes.push_back(0);
    lanes[lane] = e.end_s;
    bars.push_back({row, lane, &e});
  }
  std::vector<double> row_top(worker_ids.size() + 1, 0);
  const double lane_h = 9;
  for (std::size_t i = 0; i < worker_ids.size(); ++i)
    row_top[i + 1] = row_top[i] + lane_h * static_cast<double>(std::max<std::size_t>(lane_free[i].size(), 1)) + 4;
  const double left = 80, top = 40, plot_w = 1000;
  const double plot_h = row_top.back();
  const double end = std::max(run.makespan_s, 1e-9);
  std::map<std::string, std::size_t> model_color;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + plot_w + 20 << "\" height=\""
      << top + plot_h + 40 << "\" font-family=\"sans-serif\" font-size=\"10\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"20\" font-size=\"14\">" << escape(title) << "</text>\n";
  for (std::size_t i = 0; i < worker_ids.size(); ++i)
    svg << "<text x=\"" << left - 6 << "\" y=\"" << top + row_top[i] + 9 << "\" text-anchor=\"end\">"
        << escape(worker_ids[i]) << "</text>\n<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\""
        << top + row_top[i + 1] - 2 << "\" y2=\"" << top + row_top[i + 1] - 2 << "\" stroke=\"#eee\"/>\n";
  for (const auto& b : bars) {
    const auto model = model_of(b.e->task_id);
    const auto color = model_color.try_emplace(model, model_color.size()).first->second;
    const double x = left + plot_w * b.e->start_s / end;
    const double w = std::max(plot_w * (b.e->end_s - b.e->start_s) / end, 0.5);
    const double load_w = plot_w * b.e->load_s / end;
    const double y = top + row_top[b.worker] + lane_h * static_cast<double>(b.lane);
    svg << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << lane_h - 1 << "\" fill=\""
        << palette[color % palette_size] << "\"><title>" << escape(b.e->task_id) << " " << escape(model) << " "
        << number(b.e->start_s, 1) << "-" << number(b.e->end_s, 1) << " s</title></rect>\n";
    if (load_w > 0.5)
      svg << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << load_w << "\" height=\"" << lane_h - 1
          << "\" fill=\"black\" fill-opacity=\"0.45\"/>\n";
  }
  for (int tick = 0; tick <= 5; ++tick) {
    const double x = left + plot_w * tick / 5.0;
    svg << "<text x=\"" << x << "\" y=\"" << top + plot_h + 14 << "\" text-anchor=\"middle\">"
        << number(end * tick / 5.0, 0) << " s</text>\n";
  }
  svg << "<text x=\"" << left << "\" y=\"" << top + plot_h + 30
      << "\">colour = model, dark part = model loading (cold start)</text>\n</svg>\n";
  return svg.str();
}

} // namespace dtf::app
