#include "scheduler/model/duration_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace dtf {

std::optional<double> parse_duration_s(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char* position = text.data();
  const char* const end = text.data() + text.size();
  double bare = 0.0;
  if (const auto [stop, error] = std::from_chars(position, end, bare); error == std::errc{} && stop == end)
    return std::isfinite(bare) ? std::optional<double>(bare) : std::nullopt;
  // Sequence of <number><unit>, units h, m, s, ms in decreasing order, each at most once.
  double total = 0.0;
  int last_rank = 4;  // h=3, m=2, s=1, ms=0
  while (position != end) {
    if (*position == '-' || *position == '+') return std::nullopt;
    double amount = 0.0;
    const auto [stop, error] = std::from_chars(position, end, amount);
    if (error != std::errc{} || stop == position) return std::nullopt;
    position = stop;
    int rank = -1;
    double unit_s = 0.0;
    if (end - position >= 2 && position[0] == 'm' && position[1] == 's') {
      rank = 0, unit_s = 0.001, position += 2;
    } else if (position != end && *position == 'h') {
      rank = 3, unit_s = 3600.0, ++position;
    } else if (position != end && *position == 'm') {
      rank = 2, unit_s = 60.0, ++position;
    } else if (position != end && *position == 's') {
      rank = 1, unit_s = 1.0, ++position;
    }
    if (rank < 0 || rank >= last_rank) return std::nullopt;
    last_rank = rank;
    total += amount * unit_s;
  }
  return std::isfinite(total) ? std::optional<double>(total) : std::nullopt;
}

std::string format_duration(double seconds) {
  char buffer[64];
  if (!std::isfinite(seconds)) return "inf";
  if (seconds < 0) return "-" + format_duration(-seconds);
  if (seconds == 0.0) return "0s";
  if (seconds < 1.0) {
    std::snprintf(buffer, sizeof buffer, "%.0fms", seconds * 1000.0);
  } else if (seconds < 60.0) {
    std::snprintf(buffer, sizeof buffer, seconds < 10.0 ? "%.2fs" : "%.1fs", seconds);
  } else if (seconds < 3600.0) {
    const long long whole = std::llround(seconds);
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    const long long minutes = std::llround(seconds / 60.0);
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", minutes / 60, minutes % 60);
  }
  return buffer;
}

} // namespace dtf
