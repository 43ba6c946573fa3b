#pragma once
// Reproducible random numbers: std::mt19937_64 (fully specified by the
// standard) with our own transforms, because the std:: distributions are
// implementation-defined and would change traces across standard libraries.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

namespace dtf {

class random_source {
public:
  explicit random_source(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform index in [0, n); n > 0.
  std::size_t index(std::size_t n) {
    auto i = static_cast<std::size_t>(uniform() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }
  bool chance(double p) { return uniform() < p; }
  /// Standard normal (Box-Muller, one value per call).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  /// Lognormal with the given median and sigma of the underlying normal.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  /// Pareto with scale x_min and shape alpha (heavy tail for alpha <= 2).
  double pareto(double x_min, double alpha) { return x_min / std::pow(1.0 - uniform(), 1.0 / alpha); }

private:
  std::mt19937_64 engine_;
};

} // namespace dtf
