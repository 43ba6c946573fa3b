#pragma once
// Non-finite numbers never enter the core's state: one fallback rule for every unit.
#include <cmath>
#include <limits>

namespace dtf {

inline constexpr double infinity = std::numeric_limits<double>::infinity();
inline double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

} // namespace dtf
