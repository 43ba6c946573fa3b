#pragma once
// Real, heavy-tailed GPU job run times: the distribution of 83,154 jobs of
// Microsoft's Philly cluster, embedded as a quantile table (source and licence
// in philly_runtimes.cpp) so that a clone without ../shared has it.
#include "scheduler/model/random_source.hpp"

#include <span>

namespace dtf {

struct runtime_quantile {
  double level;      // cumulative probability, 0 to 1
  double runtime_s;  // the run time at that level
};

/// Ascending in level and run time; first level 0, last 1 (the longest job).
std::span<const runtime_quantile> philly_runtime_quantiles();

/// One run time drawn from the table: inverse CDF, interpolated between
/// neighbouring quantiles in log space; at least 1 s (the trace has zeros).
double sample_philly_runtime_s(random_source& rng);

} // namespace dtf
