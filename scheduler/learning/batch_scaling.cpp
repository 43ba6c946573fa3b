#include "scheduler/learning/batch_scaling.hpp"

#include <algorithm>
#include <cmath>

namespace dtf {

namespace {
constexpr double log_unit = 1e6;           // logs are kept as integers of 1e-6
constexpr double moment_unit = 1e12;       // products of two of them
constexpr double prior_slope = 0.5;        // time ~ sqrt(batch)
constexpr double prior_slope_sd = 0.3;     // GPUs measured 0-0.9 above batch 4
// The residual scatter's prior: sd 0.3 in log time, worth two points.
constexpr double prior_scatter_sd = 0.3;
constexpr double prior_scatter_points = 2.0;
constexpr double max_slope = 1.5;
constexpr int knee_batch = 4;

std::int64_t quantized(double log_value) { return std::llround(log_value * log_unit); }
std::int64_t log_small(int batch) { return quantized(std::log(static_cast<double>(std::clamp(batch, 1, knee_batch)))); }
std::int64_t log_large(int batch) {
  return quantized(std::log(static_cast<double>(std::max(batch, knee_batch)) / knee_batch));
}
std::int64_t log_seconds(double s) { return quantized(std::log(std::clamp(s, 1e-6, 1e9))); }
} // namespace

batch_scaling::moments& batch_scaling::moments::operator+=(const moments& o) {
  s11 += o.s11, s12 += o.s12, s22 += o.s22, s1y += o.s1y, s2y += o.s2y, syy += o.syy, points += o.points,
      groups += o.groups;
  return *this;
}

batch_scaling::moments& batch_scaling::moments::operator-=(const moments& o) {
  s11 -= o.s11, s12 -= o.s12, s22 -= o.s22, s1y -= o.s1y, s2y -= o.s2y, syy -= o.syy, points -= o.points,
      groups -= o.groups;
  return *this;
}

batch_scaling::moments batch_scaling::group_sums::centered() const {
  moments m;
  if (n < 2) return m;  // one batch size says nothing about growth
  // (n sum(ab) - sum(a) sum(b)) / n: exact up to the one integer division.
  const auto c = [this](wide ab, wide a, wide b) { return (n * ab - a * b) / n; };
  m.s11 = c(x11, x1, x1);
  m.s12 = c(x12, x1, x2);
  m.s22 = c(x22, x2, x2);
  m.s1y = c(x1y, x1, y);
  m.s2y = c(x2y, x2, y);
  m.syy = c(yy, y, y);
  m.points = static_cast<std::uint64_t>(n);
  m.groups = 1;
  return m;
}

std::size_t batch_scaling::group_key_hash::operator()(const group_key& k) const noexcept {
  std::uint64_t h = (static_cast<std::uint64_t>(k.series) << 32 | k.model) * 0x9e3779b97f4a7c15ull;
  return static_cast<std::size_t>(h ^ (static_cast<std::uint64_t>(k.device) * 0xc2b2ae3d27d4eb4full));
}

void batch_scaling::replace(std::uint32_t series, std::uint32_t model, std::uint32_t device, int batch,
                            std::optional<double> old_s, double new_s, bool pooled) {
  auto& g = groups_[{series, model, device}];
  const moments before = g.centered();
  const auto apply = [&g, batch](double s, int sign) {
    const wide x1 = log_small(batch), x2 = log_large(batch), y = log_seconds(s);
    g.n += sign;
    g.x1 += sign * x1, g.x2 += sign * x2, g.y += sign * y;
    g.x11 += sign * x1 * x1, g.x12 += sign * x1 * x2, g.x22 += sign * x2 * x2;
    g.x1y += sign * x1 * y, g.x2y += sign * x2 * y, g.yy += sign * y * y;
  };
  if (old_s) apply(*old_s, -1);
  apply(new_s, +1);
  if (!pooled) return;
  const moments after = g.centered();
  auto& f = devices_[series_device(series, device)];
  f.totals -= before;
  f.totals += after;
  solve(f);
}

void batch_scaling::solve(fitted& f) {
  const auto& t = f.totals;
  f.at = slopes{};
  f.at.points = t.points;
  if (t.points == 0) return;
  const auto d = [](wide v) { return static_cast<double>(v) / moment_unit; };
  const double s11 = d(t.s11), s12 = d(t.s12), s22 = d(t.s22), s1y = d(t.s1y), s2y = d(t.s2y), syy = d(t.syy);
  // Ridge toward the prior, (S + w I) k = S_y + w k0, with w = scatter^2 / prior_slope_sd^2.
  const auto ridge = [&](double w, double& k1, double& k2) {
    const double a11 = s11 + w, a22 = s22 + w, b1 = s1y + w * prior_slope, b2 = s2y + w * prior_slope;
    const double det = a11 * a22 - s12 * s12;
    if (!(det > 0.0) || !std::isfinite(det)) return false;
    k1 = (b1 * a22 - b2 * s12) / det, k2 = (a11 * b2 - s12 * b1) / det;
    return std::isfinite(k1) && std::isfinite(k2);
  };
  const double prior_variance = prior_scatter_sd * prior_scatter_sd;
  double k1 = prior_slope, k2 = prior_slope;
  if (!ridge(prior_variance / (prior_slope_sd * prior_slope_sd), k1, k2)) return;
  // The scatter around that fit (each model's own mean and the two slopes taken out) sets how far to trust it.
  const double residual = std::max(0.0, syy - 2.0 * (k1 * s1y + k2 * s2y) + k1 * k1 * s11 + 2.0 * k1 * k2 * s12 +
                                            k2 * k2 * s22);
  const double freedom = std::max(0.0, static_cast<double>(t.points) - static_cast<double>(t.groups) - 2.0);
  const double scatter = (residual + prior_scatter_points * prior_variance) / (freedom + prior_scatter_points);
  if (!ridge(scatter / (prior_slope_sd * prior_slope_sd), k1, k2)) return;
  f.at.up_to_4 = std::clamp(k1, 0.0, max_slope);
  f.at.above_4 = std::clamp(k2, 0.0, max_slope);
}

std::optional<batch_scaling::scaled> batch_scaling::predict(std::uint32_t series, std::uint32_t model,
                                                             std::uint32_t device, int batch) const {
  const auto g = groups_.find({series, model, device});
  if (g == groups_.end() || g->second.n < 1) return std::nullopt;
  const auto d = devices_.find(series_device(series, device));
  if (d == devices_.end() || d->second.at.points == 0) return std::nullopt;
  const slopes* s = &d->second.at;
  const auto& sums = g->second;
  const double n = static_cast<double>(sums.n);
  const auto mean = [n](wide v) { return static_cast<double>(v) / log_unit / n; };
  const double x1 = static_cast<double>(log_small(batch)) / log_unit;
  const double x2 = static_cast<double>(log_large(batch)) / log_unit;
  const double y = mean(sums.y) + s->up_to_4 * (x1 - mean(sums.x1)) + s->above_4 * (x2 - mean(sums.x2));
  if (!std::isfinite(y)) return std::nullopt;
  return scaled{std::exp(std::clamp(y, -14.0, 21.0)), static_cast<std::uint64_t>(sums.n)};
}

batch_scaling::slopes batch_scaling::device_slopes(std::uint32_t series, std::uint32_t device) const {
  const auto it = devices_.find(series_device(series, device));
  return it == devices_.end() ? slopes{} : it->second.at;
}

void batch_scaling::clear() {
  groups_.clear();
  devices_.clear();
}

} // namespace dtf
