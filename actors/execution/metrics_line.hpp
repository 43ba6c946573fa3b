#pragma once
// Commands report metrics by printing a line `DTF_METRICS {json}` on stdout.
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <string_view>

namespace dtf {

/// Per attempt (README: "Input limits"): distinct metric names kept, and bytes
/// of DTF_METRICS lines read. What goes past them is dropped and counted in
/// the metrics dtf_metrics_dropped_keys and dtf_metrics_dropped_bytes.
inline constexpr std::size_t max_metric_keys_per_attempt = 256;
inline constexpr std::size_t max_metrics_bytes_per_attempt = std::size_t{1} << 20;

/// Whether the line starts like a metrics line (`DTF_METRICS` after blanks).
bool is_metrics_line(std::string_view line);

/// If line is `DTF_METRICS {json object}` (leading spaces and a trailing '\r'
/// allowed), merges its finite numeric members into metrics (later keys win)
/// and returns true. Anything else — other lines, invalid JSON, non-objects —
/// returns false and leaves metrics alone. Non-numeric and non-finite members
/// are dropped. A member with a name not yet in metrics is dropped once metrics
/// holds max_keys names, and counted in dropped_keys. Never throws.
bool parse_metrics_line(std::string_view line, std::map<std::string, double>& metrics,
                        std::size_t max_keys = std::numeric_limits<std::size_t>::max(),
                        std::size_t* dropped_keys = nullptr);

} // namespace dtf
