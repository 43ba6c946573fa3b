// The quantiles below are computed from philly_runtime.csv (one column
// `runtime`, seconds, 83,154 jobs): Microsoft's Philly GPU cluster trace (Jeon
// et al., "Analysis of Large-Scale Multi-Tenant GPU Clusters for DNN Training
// Workloads", USENIX ATC 2019) as republished in Alibaba's clusterdata
// repository (cluster-trace-gpu-v2020/analysis), licensed under Creative
// Commons Attribution 4.0 International (https://creativecommons.org/licenses/by/4.0/).
// Changes: reduced to 112 quantiles (linear interpolation between order
// statistics, rounded to 0.1 s).
#include "scheduler/simulation/philly_runtimes.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace dtf {
namespace {

constexpr std::array<runtime_quantile, 112> quantiles{{
    {0, 0.0}, {0.01, 17.0}, {0.02, 25.0}, {0.03, 38.0}, {0.04, 44.0}, {0.05, 48.0},
    {0.06, 51.0}, {0.07, 55.0}, {0.08, 57.0}, {0.09, 59.0}, {0.1, 61.0}, {0.11, 63.0},
    {0.12, 64.0}, {0.13, 65.0}, {0.14, 67.0}, {0.15, 68.0}, {0.16, 69.0}, {0.17, 71.0},
    {0.18, 72.0}, {0.19, 74.0}, {0.2, 76.0}, {0.21, 79.0}, {0.22, 84.0}, {0.23, 95.0},
    {0.24, 110.0}, {0.25, 131.0}, {0.26, 151.0}, {0.27, 170.0}, {0.28, 186.0}, {0.29, 207.0},
    {0.3, 229.0}, {0.31, 265.0}, {0.32, 302.0}, {0.33, 325.0}, {0.34, 356.0}, {0.35, 428.0},
    {0.36, 486.1}, {0.37, 528.0}, {0.38, 558.0}, {0.39, 589.0}, {0.4, 630.0}, {0.41, 675.0},
    {0.42, 726.0}, {0.43, 785.0}, {0.44, 845.0}, {0.45, 889.0}, {0.46, 930.0}, {0.47, 986.0},
    {0.48, 1053.0}, {0.49, 1121.0}, {0.5, 1186.0}, {0.51, 1252.0}, {0.52, 1330.0}, {0.53, 1412.0},
    {0.54, 1461.0}, {0.55, 1500.0}, {0.56, 1547.0}, {0.57, 1604.2}, {0.58, 1699.0}, {0.59, 1801.3},
    {0.6, 1871.0}, {0.61, 1941.0}, {0.62, 2004.0}, {0.63, 2059.0}, {0.64, 2127.0}, {0.65, 2242.0},
    {0.66, 2354.0}, {0.67, 2433.0}, {0.68, 2490.0}, {0.69, 2545.0}, {0.7, 2590.0}, {0.71, 2647.0},
    {0.72, 2710.0}, {0.73, 2783.0}, {0.74, 2949.2}, {0.75, 3341.5}, {0.76, 3536.0}, {0.77, 3801.8},
    {0.78, 4018.0}, {0.79, 4261.9}, {0.8, 4699.4}, {0.81, 5160.0}, {0.82, 5453.5}, {0.83, 5710.0},
    {0.84, 5928.0}, {0.85, 6300.1}, {0.86, 7765.6}, {0.87, 8816.1}, {0.88, 9709.8}, {0.89, 11086.0},
    {0.9, 12859.4}, {0.91, 15080.6}, {0.92, 18841.8}, {0.93, 23848.0}, {0.94, 31998.7}, {0.95, 49947.5},
    {0.96, 69286.9}, {0.97, 101863.4}, {0.98, 167783.6}, {0.99, 287283.2}, {0.991, 320550.5}, {0.992, 353212.2},
    {0.993, 382444.2}, {0.994, 427406.4}, {0.995, 484497.0}, {0.996, 567256.0}, {0.997, 688570.1}, {0.998, 874641.9},
    {0.999, 1361015.2}, {0.9995, 1912481.6}, {0.9999, 2745152.3}, {1, 4628239.0},
}};

} // namespace

std::span<const runtime_quantile> philly_runtime_quantiles() { return quantiles; }

double sample_philly_runtime_s(random_source& rng) {
  const double u = rng.uniform();
  auto hi = std::upper_bound(quantiles.begin(), quantiles.end(), u,
                             [](double level, const runtime_quantile& q) { return level < q.level; });
  if (hi == quantiles.end()) return quantiles.back().runtime_s;
  const auto lo = hi - 1;  // quantiles[0].level == 0 <= u
  const double a = std::log(std::max(lo->runtime_s, 1.0)), b = std::log(std::max(hi->runtime_s, 1.0));
  const double f = (u - lo->level) / (hi->level - lo->level);
  return std::exp(a + f * (b - a));
}

} // namespace dtf
