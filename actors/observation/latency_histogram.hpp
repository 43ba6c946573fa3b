#pragma once
// A cumulative histogram of durations in seconds with fixed bucket bounds
// (Prometheus' shape: bucket i counts observations <= bounds[i]; +Inf is
// `count`). O(buckets) per observation, copyable, no allocation after start.
#include <array>
#include <cstdint>

namespace dtf {

class latency_histogram {
public:
  /// Upper bounds in seconds: 10 us to 10 s.
  static constexpr std::array<double, 13> bounds{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2,
                                                 5e-2, 0.1,  0.5,  1.0,  5.0,  10.0};
  /// Ignores negative and non-finite values.
  void observe(double seconds);
  /// Observations <= bounds[i] (cumulative).
  std::uint64_t cumulative(std::size_t i) const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

private:
  std::array<std::uint64_t, bounds.size()> buckets_{};  // per bucket, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
};

} // namespace dtf
