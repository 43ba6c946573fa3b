#pragma once
// Options every cluster process shares (coordinator, node, submit, status,
// cancel, stats): CAF's middleman heartbeat and connection timeout, dtf's
// connect and request timeouts, CAF's worker threads.
#include "actors/cluster/middleman_settings.hpp"
#include "apps/dtf/option_table.hpp"

namespace dtf::app {

void add_middleman_options(option_table& table, middleman_settings& settings, int& threads);

} // namespace dtf::app
