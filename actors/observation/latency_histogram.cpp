#include "actors/observation/latency_histogram.hpp"

#include <cmath>

namespace dtf {

void latency_histogram::observe(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return;
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) {
      ++buckets_[i];
      return;
    }
}

std::uint64_t latency_histogram::cumulative(std::size_t i) const {
  std::uint64_t total = 0;
  for (std::size_t k = 0; k <= i && k < buckets_.size(); ++k) total += buckets_[k];
  return total;
}

} // namespace dtf
