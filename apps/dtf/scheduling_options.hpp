#pragma once
// The scheduler's switches and scoring weights as config keys and flags
// (`scheduling.load-balance`, `--no-load-balance`,
// `scheduling.weights.affinity`, `--weight-affinity 2`, ...).
#include "apps/dtf/option_table.hpp"
#include "scheduler/core/scheduler_config.hpp"

#include <string>
#include <vector>

namespace dtf::app {

/// The policy, slots per worker, switches and weights (dtf coordinator).
void add_scheduling_options(option_table& table, scheduler_config& config, std::string& policy);
/// The switches and weights only.
void add_scheduling_switches(option_table& table, scheduler_config& config);

/// For dtf run, plan and simulate (which parse their own options): takes the
/// switch and weight flags and `--config FILE` (a file of [scheduling] and
/// [scheduling.weights] keys) out of argv into `config`; returns the other
/// arguments, argv[0] first. Throws input_error naming the flag, or the file
/// and the key.
std::vector<std::string> take_scheduling_switches(int argc, char** argv, scheduler_config& config);

/// One line for the commands' --help.
inline constexpr const char* scheduling_switches_help =
  "  scheduler switches and weights: --no-load-balance, --no-enable-task-affinity, --weight-affinity X, ...\n"
  "             or --config FILE with [scheduling] / [scheduling.weights] keys (docs/formats.md)\n";

} // namespace dtf::app
