#include "scheduler/learning/rank_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

namespace dtf {

namespace {

// Ranks from 1, ties at their mean rank.
std::vector<double> ranks_of(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = mean_rank;
    i = j + 1;
  }
  return rank;
}

} // namespace

std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y) {
  std::vector<double> a, b;
  const std::size_t n = std::min(x.size(), y.size());
  a.reserve(n);
  b.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) {
      a.push_back(x[i]);
      b.push_back(y[i]);
    }
  if (a.size() < 3) return std::nullopt;
  const auto ra = ranks_of(a);
  const auto rb = ranks_of(b);
  const double mean = (static_cast<double>(ra.size()) + 1.0) / 2.0;  // of either series' ranks
  double cov = 0.0, var_a = 0.0, var_b = 0.0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    var_a += (ra[i] - mean) * (ra[i] - mean);
    var_b += (rb[i] - mean) * (rb[i] - mean);
  }
  if (!(var_a > 0.0) || !(var_b > 0.0)) return std::nullopt;
  return std::clamp(cov / std::sqrt(var_a * var_b), -1.0, 1.0);
}

} // namespace dtf
