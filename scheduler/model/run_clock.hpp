#pragma once
// The clock a worker's run times are counted in: wall seconds on a real
// device, the execution model's seconds on an emulated one (--time-scale maps
// them to wall time). The two never measure the same thing, so learning keeps
// them apart: what one clock measured never answers for the other.
#include "scheduler/model/worker.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace dtf {

enum class run_clock : std::uint8_t { wall, modeled };

inline run_clock clock_of(const worker_capability& worker) {
  return worker.emulated ? run_clock::modeled : run_clock::wall;
}

/// Seconds of the scheduler's clock per second of the worker's clock: wall
/// per modeled second on an emulated worker (its time_scale; 1 in the
/// simulator, whose clock is the modeled one), 1 on a real one.
inline double scheduler_s_per_worker_s(const worker_capability& worker) {
  return worker.emulated ? worker.time_scale : 1.0;
}

/// `scheduler_s` of the scheduler's clock in the worker's clock; NaN where the
/// worker's clock does not follow the scheduler's (time_scale 0 or invalid).
inline double in_worker_clock_s(double scheduler_s, const worker_capability& worker) {
  const double scale = scheduler_s_per_worker_s(worker);
  return std::isfinite(scale) && scale > 0.0 ? scheduler_s / scale : std::numeric_limits<double>::quiet_NaN();
}

} // namespace dtf
