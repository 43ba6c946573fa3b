#pragma once
// The clock a worker's run times are counted in: wall seconds on a real
// device, the execution model's seconds on an emulated one (--time-scale maps
// them to wall time). The two never measure the same thing, so learning keeps
// them apart: what one clock measured never answers for the other.
#include "scheduler/model/worker.hpp"

#include <cstdint>

namespace dtf {

enum class run_clock : std::uint8_t { wall, modeled };

inline run_clock clock_of(const worker_capability& worker) {
  return worker.emulated ? run_clock::modeled : run_clock::wall;
}

} // namespace dtf
