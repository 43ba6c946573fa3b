#pragma once
// The one definition of utilization dtf reports (dtf run, the scheduler's
// statistics, the HTML report): busy wall time over the wall time the slots
// were there. Emulated attempts count the wall time they held a slot, never
// their modeled seconds.

#include <algorithm>
#include <cmath>

namespace dtf {

/// busy_wall_s / (wall_s x slots), clamped to [0, 1]; 0 without wall time or
/// slots. busy_wall_s is slot-seconds: two tasks side by side for 1 s are 2.
inline double slot_utilization(double busy_wall_s, double wall_s, double slots) {
  const double capacity_s = wall_s * slots;
  if (!std::isfinite(busy_wall_s) || !std::isfinite(capacity_s) || capacity_s <= 0.0) return 0.0;
  return std::clamp(busy_wall_s / capacity_s, 0.0, 1.0);
}

} // namespace dtf
