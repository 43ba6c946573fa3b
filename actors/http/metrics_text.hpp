#pragma once
// /metrics: the run in the Prometheus text exposition format (version 0.0.4):
// tasks by state, queue, placements and deferrals, the scheduling rounds'
// latency histogram, per worker slots, busy fraction, utilization, device
// temperature and power where known, prediction error, backups and the slot
// time their losers wasted. Every family has HELP and TYPE; docs/formats.md
// lists them.
#include "actors/observation/run_snapshot.hpp"

#include <string>

namespace dtf {

/// Either view may be null (not published yet): its families are left out.
std::string metrics_text(const coordinator_view* run, const scheduler_view_data* scheduler);

} // namespace dtf
