#pragma once
// The scheduler's switches and scoring weights as config keys and flags
// (`scheduling.load-balance`, `--no-load-balance`,
// `scheduling.weights.affinity`, `--weight-affinity 2`, ...).
#include "apps/dtf/option_table.hpp"
#include "scheduler/scheduler_config.hpp"

#include <string>

namespace dtf::app {

void add_scheduling_options(option_table& table, scheduler_config& config, std::string& policy);

} // namespace dtf::app
