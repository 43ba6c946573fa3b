#pragma once
// Commands report metrics by printing a line `DTF_METRICS {json}` on stdout.
#include <map>
#include <string>
#include <string_view>

namespace dtf {

/// If line is `DTF_METRICS {json object}` (leading spaces and a trailing '\r'
/// allowed), merges its finite numeric members into metrics (later keys win)
/// and returns true. Anything else — other lines, invalid JSON, non-objects —
/// returns false and leaves metrics alone. Non-numeric and non-finite members
/// are dropped. Never throws.
bool parse_metrics_line(std::string_view line, std::map<std::string, double>& metrics);

} // namespace dtf
