#pragma once
// Durations as users write them: "250ms", "30s", "10m", "1h30m", "1.5h", or a
// bare number of seconds ("90", "2.5").
#include <optional>
#include <string>
#include <string_view>

namespace dtf {

/// Seconds, or nullopt when the text is not a duration. Negative values parse
/// (callers decide what is allowed) only as a bare number.
std::optional<double> parse_duration_s(std::string_view text);

/// Short human form: "250ms", "42s", "1m30s", "2h5m".
std::string format_duration(double seconds);

} // namespace dtf
