#pragma once
// Hand-written SVG charts for the scheduling benchmark (no dependencies).
#include "scheduler/simulation/simulator.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dtf::app {

struct bar_series {
  std::string name;            // legend entry (e.g. a scenario)
  std::vector<double> values;  // one per category
};

/// Grouped vertical bars: one group per category, one bar per series.
std::string bar_chart_svg(const std::string& title, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<bar_series>& series);

/// Gantt chart of one run: a row per worker slot, a bar per task coloured by
/// model (loading shown darker). `model_of` maps a task id to its model.
std::string timeline_svg(const std::string& title, const simulation_result& run,
                         const std::vector<std::string>& worker_ids,
                         const std::function<std::string(const std::string&)>& model_of);

} // namespace dtf::app
